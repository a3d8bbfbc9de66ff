//! `GET /healthz` (the process is up) and `GET /readyz` (the database answers).

use axum::{extract::State, http::StatusCode, routing::get, Json, Router};
use sea_orm::DatabaseConnection;
use serde_json::{json, Value};

/// Routes for the two probes, to merge into a binary's router.
pub fn router<S>(db: DatabaseConnection) -> Router<S> {
    Router::new()
        .route("/healthz", get(|| async { Json(json!({"status": "ok"})) }))
        .route("/readyz", get(readyz))
        .with_state(db)
}

async fn readyz(State(db): State<DatabaseConnection>) -> (StatusCode, Json<Value>) {
    if crate::db::ping(&db).await {
        (StatusCode::OK, Json(json!({"status": "ready"})))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "unavailable", "reason": "database unreachable"})),
        )
    }
}
