//! `POST /oauth/token`: the OAuth 2.0 client-credentials grant (RFC 6749 §4.4) for
//! `oauth2` partners, with errors as in §5.2.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use serde_json::json;

use super::AppState;
use crate::auth::{any_eq, basic_credentials};
use crate::registry::Auth;

#[tracing::instrument(skip_all)]
pub async fn token(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    match issue(&state, &headers, &body) {
        Ok((token, ttl)) => {
            let mut response =
                Json(json!({"access_token": token, "token_type": "Bearer", "expires_in": ttl}))
                    .into_response();
            no_store(&mut response);
            response
        }
        Err(error) => error.into_response(),
    }
}

/// An RFC 6749 §5.2 error.
#[derive(Debug)]
enum OAuthError {
    InvalidRequest(&'static str),
    UnsupportedGrantType,
    InvalidClient,
    ServerError,
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let (status, code, description) = match self {
            Self::InvalidRequest(why) => (StatusCode::BAD_REQUEST, "invalid_request", why),
            Self::UnsupportedGrantType => (
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "only grant_type=client_credentials is supported",
            ),
            Self::InvalidClient => (
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "client authentication failed",
            ),
            Self::ServerError => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "the token could not be issued",
            ),
        };
        let mut response = (
            status,
            Json(json!({"error": code, "error_description": description})),
        )
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"tripgraph\", charset=\"UTF-8\""),
            );
        }
        no_store(&mut response);
        response
    }
}

fn no_store(response: &mut Response) {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
        .headers_mut()
        .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

fn issue(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<(String, u64), OAuthError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type
        .trim()
        .to_ascii_lowercase()
        .starts_with("application/x-www-form-urlencoded")
    {
        return Err(OAuthError::InvalidRequest(
            "the body must be application/x-www-form-urlencoded",
        ));
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
        .map_err(|_| OAuthError::InvalidRequest("the form body is malformed"))?;
    let mut form = std::collections::HashMap::new();
    for (key, value) in pairs {
        if form.insert(key, value).is_some() {
            return Err(OAuthError::InvalidRequest("a parameter is repeated"));
        }
    }
    match form.get("grant_type").map(String::as_str) {
        None => return Err(OAuthError::InvalidRequest("grant_type is required")),
        Some("client_credentials") => {}
        Some(_) => return Err(OAuthError::UnsupportedGrantType),
    }
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let from_header =
        authorization.filter(|h| h.trim_start().to_ascii_lowercase().starts_with("basic "));
    let (client_id, client_secret) = match (from_header, form.get("client_id")) {
        (Some(_), Some(_)) if form.contains_key("client_secret") => {
            return Err(OAuthError::InvalidRequest(
                "use one client authentication method, not both",
            ));
        }
        (Some(header), _) => {
            let (id, secret) = basic_credentials(Some(header)).ok_or(OAuthError::InvalidClient)?;
            // RFC 6749 §2.3.1: both parts are form-urlencoded before Basic encoding.
            (form_decode(&id), form_decode(&secret))
        }
        (None, Some(id)) => (
            id.clone(),
            form.get("client_secret")
                .cloned()
                .ok_or(OAuthError::InvalidClient)?,
        ),
        (None, None) => return Err(OAuthError::InvalidClient),
    };
    let registry = state.registry.current();
    let partner = registry
        .by_client_id(&client_id)
        .ok_or(OAuthError::InvalidClient)?;
    let Auth::OAuth2 {
        client_secret: expected,
        token_ttl_s,
        ..
    } = &partner.auth
    else {
        return Err(OAuthError::InvalidClient);
    };
    if !any_eq(&client_secret, expected) {
        tracing::info!(partner = %partner.name, outcome = "invalid_client", "token request refused");
        metrics::counter!("tripgraph_token_requests_refused_total", "partner" => partner.name.clone()).increment(1);
        return Err(OAuthError::InvalidClient);
    }
    let issuer = state.tokens.as_ref().ok_or(OAuthError::ServerError)?;
    let token = issuer
        .issue(&partner.name, *token_ttl_s, Utc::now())
        .map_err(|_| OAuthError::ServerError)?;
    tracing::info!(partner = %partner.name, outcome = "issued", "access token issued");
    metrics::counter!("tripgraph_tokens_issued_total", "partner" => partner.name.clone())
        .increment(1);
    Ok((token, *token_ttl_s))
}

fn form_decode(s: &str) -> String {
    serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("v={s}"))
        .ok()
        .and_then(|mut pairs| pairs.pop())
        .map_or_else(|| s.to_owned(), |(_, v)| v)
}
