//! Layers both binaries put around their routers: a request id on every request and
//! log line, an access log that never prints a query string (it may hold a token),
//! and request metrics.

use axum::http::{HeaderName, Request};
use axum::Router;
use tower_http::request_id::{
    MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::TraceLayer;
use tracing::Span;

/// The request id header: accepted from the caller, generated otherwise, returned.
pub const REQUEST_ID: &str = "x-request-id";

/// Wraps `router` with request ids, tracing and metrics.
pub fn layer(router: Router, service: &'static str) -> Router {
    let header = HeaderName::from_static(REQUEST_ID);
    router
        .layer(axum::middleware::from_fn(move |request, next| crate::metrics::track(service, request, next)))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<_>| {
                    let id = request.extensions().get::<RequestId>().and_then(|id| id.header_value().to_str().ok()).unwrap_or_default().to_owned();
                    // The path only: a query string may carry a partner's token.
                    tracing::info_span!("request", request_id = %id, method = %request.method(), path = %request.uri().path())
                })
                .on_request(())
                .on_response(|response: &axum::http::Response<_>, latency: std::time::Duration, _span: &Span| {
                    tracing::info!(status = response.status().as_u16(), latency_ms = latency.as_millis() as u64, "request finished");
                }),
        )
        .layer(PropagateRequestIdLayer::new(header.clone()))
        .layer(SetRequestIdLayer::new(header, MakeRequestUuid))
}
