//! Prometheus metrics for both binaries: one process-wide recorder, rendered at
//! `GET /metrics`, plus the HTTP latency histogram and database pool gauges that
//! every service has.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use sea_orm::{DatabaseConnection, DatabaseConnectionType};

/// Latency buckets in seconds: fine below 50 ms, where the targets are.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the recorder once per process (tests start several apps in one process)
/// and returns its handle; `None` when another recorder was installed first.
pub fn install() -> Option<PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets(LATENCY_BUCKETS)
                .ok()
                .and_then(|builder| builder.install_recorder().ok())
        })
        .clone()
}

/// `GET /metrics` in the Prometheus text format; `service` labels the pool gauges.
pub fn router<S>(service: &'static str, db: DatabaseConnection) -> Router<S> {
    let handle = install();
    Router::new()
        .route("/metrics", get(render))
        .with_state(Scrape {
            service,
            db,
            handle,
        })
}

#[derive(Clone)]
struct Scrape {
    service: &'static str,
    db: DatabaseConnection,
    handle: Option<PrometheusHandle>,
}

async fn render(State(scrape): State<Scrape>) -> Response {
    record_pool(scrape.service, &scrape.db);
    match &scrape.handle {
        Some(handle) => (
            [("content-type", "text/plain; version=0.0.4")],
            handle.render(),
        )
            .into_response(),
        None => (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "metrics recorder unavailable",
        )
            .into_response(),
    }
}

fn record_pool(service: &'static str, db: &DatabaseConnection) {
    let (size, idle) = match &db.inner {
        DatabaseConnectionType::SqlxPostgresPoolConnection(_) => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle())
        }
        DatabaseConnectionType::SqlxSqlitePoolConnection(_) => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle())
        }
        _ => return,
    };
    let idle = u32::try_from(idle).unwrap_or(u32::MAX);
    metrics::gauge!("tripgraph_db_pool_connections", "service" => service, "state" => "idle")
        .set(f64::from(idle));
    metrics::gauge!("tripgraph_db_pool_connections", "service" => service, "state" => "in_use")
        .set(f64::from(size.saturating_sub(idle)));
}

/// Middleware recording `tripgraph_http_request_duration_seconds` by service, route
/// template (never the raw path, which may hold a booking reference) and status.
pub async fn track(service: &'static str, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::histogram!("tripgraph_http_request_duration_seconds", "service" => service, "method" => method, "route" => route, "status" => status)
        .record(started.elapsed().as_secs_f64());
    response
}
