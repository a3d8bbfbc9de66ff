//! Authentication of webhook deliveries, one scheme per registry `auth` kind
//! (CONTRACT §3). Every secret comparison is constant-time.

use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::registry::{Auth, Partner};
use crate::tokens::TokenIssuer;

/// Standard Webhooks tolerance for `webhook-timestamp`.
const HMAC_TOLERANCE_S: u64 = 5 * 60;

/// What the authenticator needs from the request.
#[derive(Debug, Clone, Copy)]
pub struct Credentials<'a> {
    pub authorization: Option<&'a str>,
    /// `X-Webhook-Token` header.
    pub token_header: Option<&'a str>,
    /// `token` query parameter.
    pub token_query: Option<&'a str>,
    pub webhook_id: Option<&'a str>,
    pub webhook_timestamp: Option<&'a str>,
    pub webhook_signature: Option<&'a str>,
    pub body: &'a [u8],
    pub now: DateTime<Utc>,
}

/// Why a delivery was refused, and the challenge to send back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthFailure {
    /// A short reason, safe to return (it never includes a secret).
    pub reason: &'static str,
    /// The `WWW-Authenticate` header value.
    pub challenge: String,
}

/// Checks a delivery against the partner's scheme.
///
/// # Errors
/// An [`AuthFailure`] for a missing or wrong credential.
pub fn authenticate(
    partner: &Partner,
    credentials: &Credentials<'_>,
    tokens: Option<&TokenIssuer>,
) -> Result<(), AuthFailure> {
    let fail = |reason: &'static str, challenge: String| Err(AuthFailure { reason, challenge });
    match &partner.auth {
        Auth::None => Ok(()),
        Auth::Token(expected) => {
            let challenge = format!("Token realm=\"{}\"", partner.name);
            match credentials.token_header.or(credentials.token_query) {
                None => fail(
                    "missing token: send it in X-Webhook-Token or ?token=",
                    challenge,
                ),
                Some(given) if secret_eq(given, expected.expose()) => Ok(()),
                Some(_) => fail("wrong token", challenge),
            }
        }
        Auth::Basic { username, password } => {
            let challenge = format!("Basic realm=\"{}\", charset=\"UTF-8\"", partner.name);
            match basic_credentials(credentials.authorization) {
                None => fail("missing or malformed Basic credentials", challenge),
                Some((user, pass)) => {
                    // Both compared, always, so timing says nothing about which was wrong.
                    let user_ok = secret_eq(&user, username);
                    let pass_ok = secret_eq(&pass, password.expose());
                    if user_ok & pass_ok {
                        Ok(())
                    } else {
                        fail("wrong username or password", challenge)
                    }
                }
            }
        }
        Auth::OAuth2 { .. } => {
            let challenge = format!("Bearer realm=\"{}\"", partner.name);
            let Some(token) = bearer(credentials.authorization) else {
                return fail("missing bearer token: get one from /oauth/token", challenge);
            };
            let Some(issuer) = tokens else {
                return fail("token issuing is not configured", challenge);
            };
            match issuer.verify(token, &partner.name, credentials.now) {
                Ok(()) => Ok(()),
                Err(_) => fail(
                    "invalid, expired or foreign bearer token",
                    format!("{challenge}, error=\"invalid_token\""),
                ),
            }
        }
        Auth::Hmac(key) => {
            verify_standard_webhook(key, credentials).map_err(|reason| AuthFailure {
                reason,
                challenge: "Signature realm=\"standard-webhooks\"".to_owned(),
            })
        }
    }
}

/// Whether `sent` is at most `tolerance_s` seconds away from `now`, either way. Checked
/// arithmetic: a timestamp near `i64::MIN` or `i64::MAX` must not wrap around into the
/// window.
fn within_tolerance(now: i64, sent: i64, tolerance_s: u64) -> bool {
    now.checked_sub(sent)
        .is_some_and(|skew| skew.unsigned_abs() <= tolerance_s)
}

/// Standard Webhooks: `v1,<base64 HMAC-SHA256("{id}.{timestamp}.{body}")>`, several
/// signatures separated by spaces (key rotation), any one match suffices.
fn verify_standard_webhook(key: &[u8], c: &Credentials<'_>) -> Result<(), &'static str> {
    let (Some(id), Some(timestamp), Some(signatures)) =
        (c.webhook_id, c.webhook_timestamp, c.webhook_signature)
    else {
        return Err("missing webhook-id, webhook-timestamp or webhook-signature header");
    };
    let sent: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| "webhook-timestamp must be Unix seconds")?;
    if !within_tolerance(c.now.timestamp(), sent, HMAC_TOLERANCE_S) {
        return Err("webhook-timestamp is outside the 5-minute tolerance");
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(key).map_err(|_| "unusable signing key")?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(c.body);
    let expected = mac.finalize().into_bytes();
    let matched = signatures
        .split_whitespace()
        .filter_map(|s| s.strip_prefix("v1,"))
        .filter_map(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
        .fold(false, |found, given| {
            found | bool::from(given.as_slice().ct_eq(expected.as_slice()))
        });
    if matched {
        Ok(())
    } else {
        Err("no webhook-signature matches")
    }
}

/// Compares two secrets in constant time, without leaking their lengths (both sides
/// are hashed first).
pub fn secret_eq(given: &str, expected: &str) -> bool {
    let given = Sha256::digest(given.as_bytes());
    let expected = Sha256::digest(expected.as_bytes());
    given.as_slice().ct_eq(expected.as_slice()).into()
}

/// `(username, password)` from `Authorization: Basic …`.
pub fn basic_credentials(header: Option<&str>) -> Option<(String, String)> {
    let header = header?.trim();
    let (scheme, encoded) = header.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, pass) = text.split_once(':')?;
    Some((user.to_owned(), pass.to_owned()))
}

/// The token from `Authorization: Bearer …`.
pub fn bearer(header: Option<&str>) -> Option<&str> {
    let (scheme, token) = header?.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::AdapterKind;

    fn partner(auth: Auth) -> Partner {
        Partner {
            name: "p".into(),
            adapter: AdapterKind::Traxo,
            auth,
        }
    }

    fn creds(body: &[u8]) -> Credentials<'_> {
        Credentials {
            authorization: None,
            token_header: None,
            token_query: None,
            webhook_id: None,
            webhook_timestamp: None,
            webhook_signature: None,
            body,
            now: Utc::now(),
        }
    }

    fn sign(key: &[u8], id: &str, ts: &str, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
        mac.update(format!("{id}.{ts}.").as_bytes());
        mac.update(body);
        format!(
            "v1,{}",
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
        )
    }

    #[test]
    fn standard_webhook_signatures_are_checked_with_rotation_and_tolerance() {
        let key = b"0123456789abcdef".to_vec();
        let p = partner(Auth::Hmac(key.clone()));
        let body = br#"{"a":1}"#;
        let now = Utc::now();
        let ts = now.timestamp().to_string();
        let good = sign(&key, "msg_1", &ts, body);
        let both = format!("v1,AAAA {good}");
        let mut c = creds(body);
        c.webhook_id = Some("msg_1");
        c.webhook_timestamp = Some(&ts);
        c.webhook_signature = Some(&both);
        assert!(authenticate(&p, &c, None).is_ok());

        let tampered = creds(br#"{"a":2}"#);
        let c2 = Credentials {
            body: tampered.body,
            ..c
        };
        assert!(authenticate(&p, &c2, None).is_err());

        let old = (now.timestamp() - 301).to_string();
        let old_sig = sign(&key, "msg_1", &old, body);
        let c3 = Credentials {
            webhook_timestamp: Some(&old),
            webhook_signature: Some(&old_sig),
            ..c
        };
        assert_eq!(
            authenticate(&p, &c3, None).unwrap_err().reason,
            "webhook-timestamp is outside the 5-minute tolerance"
        );
    }

    #[test]
    fn a_timestamp_far_in_the_past_does_not_wrap_into_the_window() {
        let now = Utc::now().timestamp();
        assert!(!within_tolerance(now, now.wrapping_sub(i64::MIN), 300));
        assert!(!within_tolerance(now, i64::MIN, 300));
        assert!(!within_tolerance(now, i64::MAX, 300));
        assert!(!within_tolerance(i64::MIN, i64::MAX, 300));
        assert!(within_tolerance(now, now - 300, 300));
        assert!(!within_tolerance(now, now - 301, 300));
    }

    proptest::proptest! {
        /// Over the whole i64 range: accepted exactly when the true distance (computed
        /// in i128, where nothing overflows) is within the tolerance.
        #[test]
        fn tolerance_matches_exact_arithmetic(now in proptest::num::i64::ANY, sent in proptest::num::i64::ANY, near in -400i64..400) {
            let exact = |now: i64, sent: i64| (i128::from(now) - i128::from(sent)).abs() <= 300;
            proptest::prop_assert_eq!(within_tolerance(now, sent, 300), exact(now, sent));
            let close = now.saturating_add(near);
            proptest::prop_assert_eq!(within_tolerance(now, close, 300), exact(now, close));
        }
    }

    #[test]
    fn basic_needs_both_parts_right() {
        let p = partner(Auth::Basic {
            username: "u".into(),
            password: common::Secret::new("pw"),
        });
        let ok = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("u:pw")
        );
        let bad = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("u:nope")
        );
        let mut c = creds(b"{}");
        c.authorization = Some(&ok);
        assert!(authenticate(&p, &c, None).is_ok());
        c.authorization = Some(&bad);
        let failure = authenticate(&p, &c, None).unwrap_err();
        assert!(failure.challenge.starts_with("Basic realm="));
    }
}
