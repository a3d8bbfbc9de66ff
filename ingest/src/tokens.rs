//! Access tokens issued to `oauth2` partners: HS256 JWTs signed with
//! `INGEST_TOKEN_SECRET`, their subject the partner name.
//!
//! Tokens are stateless, so any number may be issued concurrently and every one stays
//! valid until it expires; a token names its partner and is refused on another's URL.

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The audience every issued token carries, so that API tokens signed with the same
/// key by mistake are still refused here.
const AUDIENCE: &str = "tripgraph-ingest";

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    aud: String,
    iat: i64,
    exp: i64,
    jti: String,
}

/// Signs partner access tokens with the newest key and verifies them against every
/// listed one, so the signing key can be rolled without invalidating tokens already
/// issued (`INGEST_TOKEN_SECRET=new,old`).
#[derive(Clone)]
pub struct TokenIssuer {
    encoding: EncodingKey,
    decoding: Vec<DecodingKey>,
}

impl std::fmt::Debug for TokenIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenIssuer(***)")
    }
}

/// Why a token was refused (kept internal: the partner only learns "invalid_token").
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("invalid token: {0}")]
    Invalid(#[from] jsonwebtoken::errors::Error),
    #[error("the token was issued to another partner")]
    OtherPartner,
    #[error("the token has expired")]
    Expired,
}

impl TokenIssuer {
    /// One signing key.
    pub fn new(secret: &[u8]) -> Self {
        Self::with_keys(&[secret])
    }

    /// Keys newest first: the first signs, any verifies.
    ///
    /// # Panics
    /// When `keys` is empty.
    pub fn with_keys(keys: &[&[u8]]) -> Self {
        Self {
            encoding: EncodingKey::from_secret(keys[0]),
            decoding: keys
                .iter()
                .map(|key| DecodingKey::from_secret(key))
                .collect(),
        }
    }

    /// The keys of a comma-separated `INGEST_TOKEN_SECRET`, newest first (blank
    /// entries ignored); `None` when it lists none.
    pub fn from_list(list: &str) -> Option<Self> {
        let keys: Vec<&[u8]> = list
            .split(',')
            .map(str::trim)
            .filter(|key| !key.is_empty())
            .map(str::as_bytes)
            .collect();
        (!keys.is_empty()).then(|| Self::with_keys(&keys))
    }

    /// A token for `partner`, valid `ttl_s` seconds from `now`.
    ///
    /// # Errors
    /// When signing fails (it does not with an HMAC key).
    pub fn issue(
        &self,
        partner: &str,
        ttl_s: u64,
        now: DateTime<Utc>,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let ttl = i64::try_from(ttl_s).unwrap_or(i64::MAX / 2);
        let claims = Claims {
            sub: partner.to_owned(),
            aud: AUDIENCE.to_owned(),
            iat: now.timestamp(),
            exp: now.timestamp().saturating_add(ttl),
            jti: Uuid::new_v4().to_string(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// Checks signature (HS256 only), audience, expiry and partner.
    ///
    /// # Errors
    /// A [`TokenError`] saying why.
    pub fn verify(&self, token: &str, partner: &str, now: DateTime<Utc>) -> Result<(), TokenError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "sub", "aud"]);
        // Expiry is checked below against `now`, exactly, without the library's leeway.
        validation.validate_exp = false;
        // Every key is tried, so a token signed with an older one is still found valid.
        let mut decoded = None;
        let mut last_error = None;
        for key in &self.decoding {
            match jsonwebtoken::decode::<Claims>(token, key, &validation) {
                Ok(data) => decoded = decoded.or(Some(data)),
                Err(err) => last_error = Some(err),
            }
        }
        let data = match (decoded, last_error) {
            (Some(data), _) => data,
            (None, Some(err)) => return Err(err.into()),
            (None, None) => unreachable!("an issuer has at least one key"),
        };
        if data.claims.exp <= now.timestamp() {
            return Err(TokenError::Expired);
        }
        if data.claims.sub != partner {
            return Err(TokenError::OtherPartner);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_bound_to_partner_and_lifetime() {
        let issuer = TokenIssuer::new(b"secret");
        let now = Utc::now();
        let token = issuer.issue("spotnana", 60, now).unwrap();
        assert!(issuer.verify(&token, "spotnana", now).is_ok());
        assert!(matches!(
            issuer.verify(&token, "other", now),
            Err(TokenError::OtherPartner)
        ));
        assert!(matches!(
            issuer.verify(&token, "spotnana", now + chrono::Duration::seconds(61)),
            Err(TokenError::Expired)
        ));
        assert!(TokenIssuer::new(b"else")
            .verify(&token, "spotnana", now)
            .is_err());
    }

    #[test]
    fn a_rolled_signing_key_keeps_earlier_tokens_valid() {
        let now = Utc::now();
        let before = TokenIssuer::from_list("old").unwrap();
        let old_token = before.issue("spotnana", 60, now).unwrap();
        let rolled = TokenIssuer::from_list(" new , old ").unwrap();
        let new_token = rolled.issue("spotnana", 60, now).unwrap();
        assert!(rolled.verify(&old_token, "spotnana", now).is_ok());
        assert!(rolled.verify(&new_token, "spotnana", now).is_ok());
        assert!(
            before.verify(&new_token, "spotnana", now).is_err(),
            "signed with the new key"
        );
        let dropped = TokenIssuer::from_list("new").unwrap();
        assert!(dropped.verify(&old_token, "spotnana", now).is_err());
        assert!(TokenIssuer::from_list(" , ").is_none());
    }
}
