//! API tokens: HS256 JWTs signed with `API_JWT_SECRET` that carry a role (CONTRACT §6).
//!
//! Verification pins the algorithm to HS256, so a token whose header says `none` or any
//! other algorithm is refused before its signature is even looked at, and it requires
//! `exp` with no leeway: an expired token is refused at once.

use std::{
    str::FromStr,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use axum::http::{header::AUTHORIZATION, HeaderMap};
use common::Secret;
use jsonwebtoken::{errors::ErrorKind, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// What a token lets its holder read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The landing website: one booking's trip context, no contact data, no archive.
    Landing,
    /// Analysts: everything.
    Analyst,
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "landing" => Ok(Self::Landing),
            "analyst" => Ok(Self::Analyst),
            other => Err(format!("`{other}` is not a role: use landing or analyst")),
        }
    }
}

/// The claims of an API token. Other claims are ignored.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub role: Role,
    /// Expiry, seconds since the Unix epoch.
    pub exp: u64,
    /// Who the token was issued to; only logged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// Issued at, seconds since the Unix epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
}

/// Who is asking, as proven by a verified token; added to every GraphQL request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub role: Role,
    pub subject: Option<String>,
}

/// Why a request carries no usable token. The messages are safe to show to clients.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("missing bearer token: send `Authorization: Bearer <token>`")]
    Missing,
    #[error("the Authorization header is not `Bearer <token>`")]
    NotBearer,
    #[error("the token has expired")]
    Expired,
    #[error("the token is invalid: {0}")]
    Invalid(&'static str),
    #[error("the token could not be signed")]
    Signing,
}

/// The signing and verifying keys derived from `API_JWT_SECRET`.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl TokenKeys {
    pub fn new(secret: &Secret) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.required_spec_claims = ["exp".to_owned()].into_iter().collect();
        validation.validate_exp = true;
        validation.leeway = 0;
        // Tokens are for this API only; an `aud` claim, if present, is not checked.
        validation.validate_aud = false;
        Self {
            encoding: EncodingKey::from_secret(secret.expose().as_bytes()),
            decoding: DecodingKey::from_secret(secret.expose().as_bytes()),
            validation,
        }
    }

    /// Signs a token for `role` valid for `ttl` from now.
    ///
    /// # Errors
    /// [`AuthError::Signing`] when the crypto backend refuses, which means a broken build.
    pub fn issue(&self, role: Role, ttl: Duration, subject: &str) -> Result<String, AuthError> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let claims = Claims {
            role,
            exp: now.saturating_add(ttl.as_secs()),
            sub: Some(subject.to_owned()),
            iat: Some(now),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|_| AuthError::Signing)
    }

    /// Checks the token's algorithm, signature, expiry and claims.
    ///
    /// # Errors
    /// [`AuthError::Expired`] or [`AuthError::Invalid`] saying what is wrong.
    pub fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|err| match err.kind() {
                ErrorKind::ExpiredSignature => AuthError::Expired,
                ErrorKind::InvalidSignature => AuthError::Invalid("bad signature"),
                ErrorKind::InvalidAlgorithm
                | ErrorKind::InvalidAlgorithmName
                | ErrorKind::UnsupportedAlgorithm => {
                    AuthError::Invalid("the algorithm must be HS256")
                }
                ErrorKind::MissingRequiredClaim(_) => {
                    AuthError::Invalid("the exp claim is required")
                }
                ErrorKind::Json(_) => {
                    AuthError::Invalid("the claims need role (landing or analyst) and exp")
                }
                _ => AuthError::Invalid("not a signed JWT"),
            })?;
        Ok(Principal {
            role: data.claims.role,
            subject: data.claims.sub,
        })
    }
}

/// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive).
///
/// # Errors
/// [`AuthError::Missing`] without the header, [`AuthError::NotBearer`] for another scheme.
pub fn bearer_token(headers: &HeaderMap) -> Result<&str, AuthError> {
    let value = headers.get(AUTHORIZATION).ok_or(AuthError::Missing)?;
    let value = value.to_str().map_err(|_| AuthError::NotBearer)?.trim();
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim())
        }
        _ => Err(AuthError::NotBearer),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn keys() -> TokenKeys {
        TokenKeys::new(&Secret::new("test-secret"))
    }

    #[test]
    fn issued_tokens_verify_with_their_role_and_subject() {
        let token = keys()
            .issue(Role::Landing, Duration::from_secs(60), "web")
            .unwrap();
        let principal = keys().verify(&token).unwrap();
        assert_eq!(
            principal,
            Principal {
                role: Role::Landing,
                subject: Some("web".into())
            }
        );
    }

    #[test]
    fn a_token_signed_with_another_key_is_refused() {
        let other = TokenKeys::new(&Secret::new("other")).issue(
            Role::Analyst,
            Duration::from_secs(60),
            "x",
        );
        assert_eq!(
            keys().verify(&other.unwrap()),
            Err(AuthError::Invalid("bad signature"))
        );
    }

    #[test]
    fn bearer_header_parsing() {
        let mut headers = HeaderMap::new();
        assert_eq!(bearer_token(&headers), Err(AuthError::Missing));
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer_token(&headers), Err(AuthError::NotBearer));
        headers.insert(
            AUTHORIZATION,
            HeaderValue::from_static("bearer  abc.def.ghi "),
        );
        assert_eq!(bearer_token(&headers), Ok("abc.def.ghi"));
    }
}
