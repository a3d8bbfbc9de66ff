//! The ingest's HTTP errors, mapped to status and JSON body in one place (CONTRACT §3):
//! `{"error":{"code":"…","message":"…","fields":[…]}}`. Internal detail is logged by
//! the caller and never sent.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use uuid::Uuid;

use crate::canonical::FieldError;
use crate::intake::Refusal;

/// Seconds a partner is asked to wait while the database is unavailable.
const RETRY_AFTER_S: &str = "5";

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{0}")]
    NotFound(String),
    #[error("authentication failed: {reason}")]
    Unauthorized {
        reason: &'static str,
        challenge: String,
    },
    #[error("the body is larger than the limit of {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// The body broke off or its framing is wrong (e.g. a bad chunk size).
    #[error("the body could not be read: it is malformed (e.g. a bad chunk size) or was cut off")]
    InvalidBody,
    /// The body did not arrive within the server's body timeout (`common::serve`).
    #[error("the body did not arrive in time")]
    BodyTimeout,
    /// Refused by the intake pipeline (archived as `rejected`).
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("the database is unavailable, retry later")]
    Unavailable,
    #[error(
        "more than {per_second} deliveries per second for this partner: retry in {retry_after_s} s"
    )]
    RateLimited { per_second: u32, retry_after_s: u64 },
    #[error("the delivery could not be processed; it is archived and will be re-applied")]
    Failed { event_id: Option<Uuid> },
}

/// `phoneNumber, email` — the failing fields, for the message and the archive.
pub fn field_list(fields: &[FieldError]) -> String {
    fields
        .iter()
        .map(|f| f.field.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

impl IngestError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "not_found",
            Self::Unauthorized { .. } => "unauthorized",
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::InvalidBody => "invalid_body",
            Self::BodyTimeout => "request_timeout",
            Self::Refused(Refusal::UnsupportedMediaType(_)) => "unsupported_media_type",
            Self::Refused(Refusal::InvalidJson(_)) => "invalid_json",
            Self::Refused(Refusal::InvalidPayload(_)) => "invalid_payload",
            Self::Refused(Refusal::UnknownTopic { .. }) => "not_found",
            Self::Unavailable => "unavailable",
            Self::RateLimited { .. } => "rate_limited",
            Self::Failed { .. } => "internal",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::InvalidBody => StatusCode::BAD_REQUEST,
            Self::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::Refused(Refusal::UnsupportedMediaType(_)) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Refused(Refusal::InvalidJson(_)) => StatusCode::BAD_REQUEST,
            Self::Refused(Refusal::InvalidPayload(_)) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Refused(Refusal::UnknownTopic { .. }) => StatusCode::NOT_FOUND,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Failed { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for IngestError {
    fn into_response(self) -> Response {
        let mut error = json!({"code": self.code(), "message": self.to_string()});
        match &self {
            Self::Refused(Refusal::InvalidPayload(fields)) => error["fields"] = json!(fields),
            Self::Failed { event_id: Some(id) } => error["eventId"] = json!(id),
            _ => {}
        }
        let mut response = (self.status(), Json(json!({ "error": error }))).into_response();
        let headers = response.headers_mut();
        match &self {
            Self::Unauthorized { challenge, .. } => {
                if let Ok(value) = HeaderValue::from_str(challenge) {
                    headers.insert(header::WWW_AUTHENTICATE, value);
                }
            }
            Self::Unavailable => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_S));
            }
            Self::RateLimited { retry_after_s, .. } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_s));
            }
            _ => {}
        }
        response
    }
}
