//! The one error type of the API boundary, mapped to HTTP statuses (for what happens
//! before GraphQL runs) and to GraphQL `extensions.code` values (for what happens in a
//! resolver) in this one place. Internal detail is logged, never sent to the client.

use std::sync::Arc;

use async_graphql::ErrorExtensions;
use axum::{
    http::{header::WWW_AUTHENTICATE, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use sea_orm::DbErr;
use serde_json::json;

use crate::auth::AuthError;

/// Everything that can go wrong answering a request.
#[derive(Clone, Debug, thiserror::Error)]
pub enum ApiError {
    /// No valid bearer token: HTTP 401 before any GraphQL runs.
    #[error("{0}")]
    Unauthorized(#[from] AuthError),
    /// The token's role may not read this field (`FORBIDDEN`).
    #[error("{0}")]
    Forbidden(String),
    /// An argument the client can fix (`BAD_USER_INPUT`).
    #[error("{0}")]
    BadInput(String),
    /// The database failed; `Arc` because DataLoader errors must be `Clone`.
    #[error("database error")]
    Database(#[source] Arc<DbErr>),
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> Self {
        Self::Database(Arc::new(err))
    }
}

impl ApiError {
    /// The GraphQL `extensions.code` (Apollo's conventional names) or HTTP error code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthorized(_) => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::BadInput(_) => "BAD_USER_INPUT",
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
            Self::Database(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
        };
        let body = Json(json!({"error": {"code": code, "message": self.public_message()}}));
        let mut response = (status, body).into_response();
        if let Self::Unauthorized(reason) = &self {
            response
                .headers_mut()
                .insert(WWW_AUTHENTICATE, www_authenticate(reason));
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
