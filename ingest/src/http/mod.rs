//! The ingest HTTP surface: webhook endpoints, the OAuth token endpoint and the probes.

mod error;
mod oauth;
mod webhook;

use axum::routing::post;
use axum::Router;

pub use error::{field_list, IngestError};

use crate::process::Processor;
use crate::registry::SharedRegistry;
use crate::tokens::TokenIssuer;

/// Default request body limit (CONTRACT §3).
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// Everything a handler needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub processor: Processor,
    /// The registry in force; a `SIGHUP` may replace it (see [`SharedRegistry`]).
    pub registry: SharedRegistry,
    pub tokens: Option<TokenIssuer>,
    pub body_limit: usize,
}

/// The ingest router, ready to serve.
pub fn router(state: AppState) -> Router {
    let db = state.processor.db().clone();
    let routes = Router::new()
        // PATCH wherever POST (CONTRACT §3 rev. 2: the ground-transfer marketplace sends
        // amendments and cancellations as PATCH).
        .route(
            "/webhooks/{partner}",
            post(webhook::receive).patch(webhook::receive),
        )
        .route(
            "/webhooks/{partner}/{topic}",
            post(webhook::receive).patch(webhook::receive),
        )
        .route("/oauth/token", post(oauth::token))
        .with_state(state)
        .merge(common::health::router(db.clone()))
        .merge(common::metrics::router("ingest", db));
    common::http::layer(routes, "ingest")
}
