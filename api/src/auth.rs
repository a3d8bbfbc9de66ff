//! API tokens: HS256 JWTs signed with `API_JWT_SECRET` that carry a role (CONTRACT §6).
//!
//! Verification pins the algorithm to HS256, so a token whose header says `none` or any
//! other algorithm is refused before its signature is even looked at, and it requires
//! `exp` with no leeway: an expired token is refused at once.
//!
//! A `landing` token may carry a `booking` claim (CONTRACT §6 rev. 2): it then reads
//! that one booking and no other. The landing site's backend mints one such token per
//! visitor; an unscoped landing token in a browser would let anyone walk the bookings
//! by id or reference (OWASP API1, broken object-level authorisation).
//!
//! A client sends the same token with every request, so a verified token is kept (by
//! its text, in a bounded LRU) with what it proved and its expiry: a repeat skips the
//! signature check and the claims' decoding, and is still refused from the second its
//! `exp` has passed. Only tokens that verified are kept; a refusal is worked out again
//! each time.

use std::{
    num::NonZeroUsize,
    str::FromStr,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use axum::http::{header::AUTHORIZATION, HeaderMap};
use common::Secret;
use jsonwebtoken::{errors::ErrorKind, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use lru::LruCache;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

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
    /// The one booking a `landing` token may read; absent, it may read any booking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking: Option<Uuid>,
}

/// Who is asking, as proven by a verified token; added to every GraphQL request (and
/// to every subscription's connection).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub role: Role,
    pub subject: Option<String>,
    /// The booking a scoped `landing` token is limited to: every root field that
    /// returns a booking answers `null` with `FORBIDDEN` for any other one (see
    /// [`Principal::may_read`]). Always `None` for analysts (a token with an analyst
    /// role and a booking claim is refused as invalid).
    pub booking: Option<Uuid>,
}

impl Principal {
    /// Whether this principal may read the booking `id`: any booking unless the token is
    /// scoped, else only its own.
    pub fn may_read(&self, id: Uuid) -> bool {
        self.booking.is_none_or(|own| own == id)
    }
}

/// What [`TokenKeys::issue`] puts in a token besides its lifetime.
#[derive(Clone, Debug)]
pub struct TokenSpec<'a> {
    pub role: Role,
    /// The `sub` claim.
    pub subject: &'a str,
    /// The `booking` claim; only for [`Role::Landing`].
    pub booking: Option<Uuid>,
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
    #[error("only a landing token may be scoped to a booking")]
    ScopedAnalyst,
}

/// Verified tokens kept: one per visitor or analyst session active at once, a few
/// hundred bytes each.
const VERIFIED_CAPACITY: NonZeroUsize = NonZeroUsize::new(4096).unwrap();

/// Longest token kept; real ones are a few hundred bytes.
const MAX_KEPT_TOKEN_LEN: usize = 2048;

/// What a verified token proved, and until when (its `exp`, seconds since the epoch).
type Verified = LruCache<String, (Principal, u64)>;

/// The signing and verifying keys derived from `API_JWT_SECRET`, and the tokens they
/// verified lately. Clones share those.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    verified: Arc<Mutex<Verified>>,
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
            verified: Arc::new(Mutex::new(LruCache::new(VERIFIED_CAPACITY))),
        }
    }

    /// Signs a token for `role` valid for `ttl` from now.
    ///
    /// # Errors
    /// [`AuthError::Signing`] when the crypto backend refuses, which means a broken build.
    pub fn issue(&self, role: Role, ttl: Duration, subject: &str) -> Result<String, AuthError> {
        let spec = TokenSpec {
            role,
            subject,
            booking: None,
        };
        self.issue_spec(&spec, ttl)
    }

    /// Signs a token as `spec` says, valid for `ttl` from now.
    ///
    /// # Errors
    /// [`AuthError::ScopedAnalyst`] for an analyst token with a booking;
    /// [`AuthError::Signing`] when the crypto backend refuses, which means a broken build.
    pub fn issue_spec(&self, spec: &TokenSpec<'_>, ttl: Duration) -> Result<String, AuthError> {
        if spec.booking.is_some() && spec.role != Role::Landing {
            return Err(AuthError::ScopedAnalyst);
        }
        let now = unix_now();
        let claims = Claims {
            role: spec.role,
            exp: now.saturating_add(ttl.as_secs()),
            sub: Some(spec.subject.to_owned()),
            iat: Some(now),
            booking: spec.booking,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|_| AuthError::Signing)
    }

    /// Checks the token's algorithm, signature, expiry and claims, or finds it among the
    /// tokens verified lately (and checks its expiry again).
    ///
    /// # Errors
    /// [`AuthError::Expired`] or [`AuthError::Invalid`] saying what is wrong.
    pub fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        let mut verified = self.verified.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((principal, exp)) = verified.get(token) {
            // As jsonwebtoken decides with no leeway: valid up to and including `exp`.
            if *exp >= unix_now() {
                return Ok(principal.clone());
            }
            verified.pop(token);
            return Err(AuthError::Expired);
        }
        drop(verified);
        let (principal, exp) = self.verify_signed(token)?;
        if token.len() <= MAX_KEPT_TOKEN_LEN {
            self.verified
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .put(token.to_owned(), (principal.clone(), exp));
        }
        Ok(principal)
    }

    /// The full check, with the token's expiry.
    fn verify_signed(&self, token: &str) -> Result<(Principal, u64), AuthError> {
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
                ErrorKind::Json(_) => AuthError::Invalid(
                    "the claims need role (landing or analyst) and exp, and booking (if any) \
                     must be a booking id",
                ),
                _ => AuthError::Invalid("not a signed JWT"),
            })?;
        if data.claims.booking.is_some() && data.claims.role != Role::Landing {
            return Err(AuthError::Invalid(
                "only a landing token may carry a booking claim",
            ));
        }
        let principal = Principal {
            role: data.claims.role,
            subject: data.claims.sub,
            booking: data.claims.booking,
        };
        Ok((principal, data.claims.exp))
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
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
                subject: Some("web".into()),
                booking: None,
            }
        );
    }

    #[test]
    fn a_scoped_landing_token_carries_its_booking_and_an_analyst_cannot_be_scoped() {
        let booking = Uuid::now_v7();
        let spec = TokenSpec {
            role: Role::Landing,
            subject: "visitor",
            booking: Some(booking),
        };
        let token = keys().issue_spec(&spec, Duration::from_secs(60)).unwrap();
        let principal = keys().verify(&token).unwrap();
        assert_eq!(principal.booking, Some(booking));
        assert!(principal.may_read(booking) && !principal.may_read(Uuid::now_v7()));

        let analyst = TokenSpec {
            role: Role::Analyst,
            ..spec
        };
        assert_eq!(
            keys().issue_spec(&analyst, Duration::from_secs(60)),
            Err(AuthError::ScopedAnalyst)
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
    fn a_kept_token_is_refused_once_its_expiry_has_passed() {
        let keys = keys();
        let token = keys
            .issue(Role::Analyst, Duration::from_secs(1), "short")
            .unwrap();
        assert_eq!(keys.verify(&token).unwrap().role, Role::Analyst);
        // The second verification is answered from the kept tokens.
        assert_eq!(
            keys.verify(&token).unwrap().subject.as_deref(),
            Some("short")
        );
        std::thread::sleep(Duration::from_millis(2100));
        assert_eq!(keys.verify(&token), Err(AuthError::Expired));
        assert_eq!(keys.verify(&token), Err(AuthError::Expired));
    }

    #[test]
    fn a_refused_token_is_not_kept_and_a_tampered_copy_of_a_kept_one_is_refused() {
        let keys = keys();
        let token = keys
            .issue(Role::Landing, Duration::from_secs(60), "web")
            .unwrap();
        keys.verify(&token).unwrap();
        let (head, _) = token.rsplit_once('.').unwrap();
        let forged = format!("{head}.AAAA");
        assert_eq!(
            keys.verify(&forged),
            Err(AuthError::Invalid("bad signature"))
        );
        assert_eq!(
            keys.verify(&forged),
            Err(AuthError::Invalid("bad signature"))
        );
        assert_eq!(keys.verify(&token).unwrap().role, Role::Landing);
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
