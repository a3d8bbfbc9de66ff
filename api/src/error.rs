//! The one error type of the API boundary, mapped to HTTP statuses (for what happens
//! before GraphQL runs) and to GraphQL `extensions.code` values (for what happens in a
//! resolver) in this one place. Internal detail is logged, never sent to the client.

use std::sync::Arc;

use async_graphql::ErrorExtensions;
use axum::{
    http::{
        header::{RETRY_AFTER, WWW_AUTHENTICATE},
        HeaderValue, StatusCode,
    },
    response::{IntoResponse, Response},
    Json,
};
use sea_orm::{sqlx, DbErr, RuntimeErr};
use serde_json::json;

use crate::auth::AuthError;

/// Seconds a client is asked to wait (`Retry-After`) while the database is unavailable.
pub const RETRY_AFTER_S: u32 = 5;

/// Everything that can go wrong answering a request.
#[derive(Clone, Debug, thiserror::Error)]
pub enum ApiError {
    /// No valid bearer token: HTTP 401 before any GraphQL runs.
    #[error("{0}")]
    Unauthorized(#[from] AuthError),
    /// The token's role may not read this field (`FORBIDDEN`).
    #[error("{0}")]
    Forbidden(String),
    /// An argument the client can fix (`BAD_USER_INPUT`), or a request body that is not
    /// a GraphQL request (HTTP 400).
    #[error("{0}")]
    BadInput(String),
    /// A request body over the limit, in bytes (HTTP 413).
    #[error("the request body is over the limit of {0} bytes")]
    PayloadTooLarge(usize),
    /// The database cannot be reached or gives no connection in time: the whole request
    /// is answered 503 with `Retry-After` (CONTRACT §6), whatever else it asked for.
    #[error("the database is unavailable, retry later")]
    Unavailable,
    /// The database failed; `Arc` because DataLoader errors must be `Clone`.
    #[error("database error")]
    Database(#[source] Arc<DbErr>),
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> Self {
        if is_unavailable(&err) {
            tracing::warn!(error = %err, "database unavailable");
            return Self::Unavailable;
        }
        Self::Database(Arc::new(err))
    }
}

/// Whether a database error means the database is unreachable, gone away, or gives no
/// connection in time (a retry later may succeed), rather than a fault of the query.
pub fn is_unavailable(err: &DbErr) -> bool {
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(err)) | DbErr::Query(RuntimeErr::SqlxError(err)) => {
            match err.as_ref() {
                sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::Protocol(_)
                | sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::WorkerCrashed => true,
                sqlx::Error::Database(err) => err.code().is_some_and(|code| {
                    unavailable_code(&code)
                        || err
                            .message()
                            .contains("not currently accepting connections")
                }),
                _ => false,
            }
        }
        _ => false,
    }
}

/// PostgreSQL's five-character SQLSTATEs: connection exceptions (class 08), shutdown by
/// an administrator or a crash (57P01, 57P02), still starting (57P03), too many
/// connections (53300). SQLite's numeric extended result codes, whose low byte is the
/// primary code: busy (5) or locked (6) past the busy timeout.
fn unavailable_code(code: &str) -> bool {
    if code.len() == 5 {
        return code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03" | "53300");
    }
    code.parse::<u32>()
        .is_ok_and(|code| matches!(code & 0xff, 5 | 6))
}

impl ApiError {
    /// The GraphQL `extensions.code` (Apollo's conventional names) or HTTP error code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthorized(_) => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::BadInput(_) => "BAD_USER_INPUT",
            Self::PayloadTooLarge(_) => "PAYLOAD_TOO_LARGE",
            Self::Unavailable => "UNAVAILABLE",
            Self::Database(_) => "INTERNAL_SERVER_ERROR",
        }
    }

    /// The message for the client: internal errors are reduced to a generic sentence.
    fn public_message(&self) -> String {
        match self {
            Self::Database(err) => {
                tracing::error!(error = %err, "database error while answering a query");
                "internal error, try again later".to_owned()
            }
            other => other.to_string(),
        }
    }
}

impl ErrorExtensions for ApiError {
    fn extend(&self) -> async_graphql::Error {
        async_graphql::Error::new(self.public_message())
            .extend_with(|_, ext| ext.set("code", self.code()))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = match &self {
            Self::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Self::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            Self::BadInput(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            Self::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            Self::Unavailable | Self::Database(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
            }
        };
        let body = Json(json!({"error": {"code": code, "message": self.public_message()}}));
        let mut response = (status, body).into_response();
        match &self {
            Self::Unauthorized(reason) => {
                response
                    .headers_mut()
                    .insert(WWW_AUTHENTICATE, www_authenticate(reason));
            }
            Self::Unavailable => {
                response
                    .headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from(RETRY_AFTER_S));
            }
            _ => {}
        }
        response
    }
}

/// RFC 6750 §3: a bare challenge when no token came, `error="invalid_token"` otherwise.
fn www_authenticate(reason: &AuthError) -> HeaderValue {
    match reason {
        AuthError::Missing | AuthError::NotBearer => {
            HeaderValue::from_static(r#"Bearer realm="tripgraph""#)
        }
        _ => HeaderValue::from_static(r#"Bearer realm="tripgraph", error="invalid_token""#),
    }
}
