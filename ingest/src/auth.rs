//! Authentication of webhook deliveries, one scheme per registry `auth` kind
//! (CONTRACT §3). Every secret comparison is constant-time.

use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::registry::{Auth, Partner, Secrets, Signing};
use crate::tokens::TokenIssuer;

/// What the authenticator needs from the request.
#[derive(Debug, Clone, Copy)]
pub struct Credentials<'a> {
    pub authorization: Option<&'a str>,
    /// `X-Webhook-Token` header.
    pub token_header: Option<&'a str>,
    /// `token` query parameter.
    pub token_query: Option<&'a str>,
    /// The three Standard Webhooks headers, under the partner's `header_prefix`.
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
                Some(given) if any_eq(given, expected) => Ok(()),
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
                    let pass_ok = any_eq(&pass, password);
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
        Auth::Hmac(signing) => {
            verify_standard_webhook(signing, credentials).map_err(|reason| AuthFailure {
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

/// Standard Webhooks: the signed content is `{id}.{timestamp}.{body}`; the signature
/// header holds space-separated `v1,<base64 HMAC-SHA256>` and `v1a,<base64 ed25519>`
/// signatures (rotation: several may be sent), and any one valid signature suffices.
/// Every signature is checked against every key, without stopping at a match.
fn verify_standard_webhook(signing: &Signing, c: &Credentials<'_>) -> Result<(), &'static str> {
    let (Some(id), Some(timestamp), Some(signatures)) =
        (c.webhook_id, c.webhook_timestamp, c.webhook_signature)
    else {
        return Err("missing the id, timestamp or signature header (Standard Webhooks)");
    };
    let sent: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| "the signature timestamp must be Unix seconds")?;
    if !within_tolerance(c.now.timestamp(), sent, signing.tolerance_s) {
        return Err("the signature timestamp is outside the tolerance");
    }
    let content = [id.as_bytes(), b".", timestamp.as_bytes(), b".", c.body];
    let expected: Vec<_> = signing
        .keys
        .iter()
        .filter_map(|key| Hmac::<Sha256>::new_from_slice(key.expose()).ok())
        .map(|mut mac| {
            content.iter().for_each(|part| mac.update(part));
            mac.finalize().into_bytes()
        })
        .collect();
    let message = content.concat();
    let decode = |b64: &str| base64::engine::general_purpose::STANDARD.decode(b64).ok();
    let mut matched = false;
    for signature in signatures.split_whitespace() {
        if let Some(given) = signature.strip_prefix("v1,").and_then(decode) {
            for mac in &expected {
                matched |= bool::from(given.as_slice().ct_eq(mac.as_slice()));
            }
        } else if let Some(given) = signature
            .strip_prefix("v1a,")
            .and_then(decode)
            .and_then(|bytes| ed25519_dalek::Signature::from_slice(&bytes).ok())
        {
            for key in &signing.public_keys {
                matched |= key.verify_strict(&message, &given).is_ok();
            }
        }
    }
    if matched {
        Ok(())
    } else {
        Err("no signature matches")
    }
}

/// Whether `given` equals any of the `expected` values: each compared in constant
/// time, and every one tried, so that timing tells neither whether nor which matched.
pub fn any_eq(given: &str, expected: &Secrets) -> bool {
    expected.iter().fold(false, |found, secret| {
        found | secret_eq(given, secret.expose())
    })
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

    fn partner(auth: Auth) -> Partner {
        Partner {
            name: "p".into(),
            adapter: adapters::built_in("traxo").expect("built in"),
            auth,
            rate_limit: None,
        }
    }

    fn hmac(keys: &[&[u8]], public_keys: &[[u8; 32]]) -> Auth {
        Auth::Hmac(Signing {
            header_prefix: "webhook".into(),
            tolerance_s: 300,
            keys: keys
                .iter()
                .map(|k| crate::registry::SecretBytes::new(k.to_vec()))
                .collect(),
            public_keys: public_keys
                .iter()
                .map(|k| ed25519_dalek::VerifyingKey::from_bytes(k).unwrap())
                .collect(),
        })
    }

    fn hex32(s: &str) -> [u8; 32] {
        hex::decode(s).unwrap().try_into().unwrap()
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
        let p = partner(hmac(&[b"the-newer-key", &key], &[]));
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
            "the signature timestamp is outside the tolerance"
        );
    }

    /// RFC 8032 §7.1 test vectors 1–3, through the `v1a` path: a partner holding the
    /// public key accepts the vector's signature of the vector's message.
    #[test]
    fn v1a_signatures_verify_the_rfc_8032_vectors_and_refuse_forgeries() {
        let vectors = [
            ("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "", "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
            ("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72", "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
            ("fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82", "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"),
        ];
        for (public_key, message, signature) in vectors {
            let key = ed25519_dalek::VerifyingKey::from_bytes(&hex32(public_key)).unwrap();
            let signature =
                ed25519_dalek::Signature::from_slice(&hex::decode(signature).unwrap()).unwrap();
            let message = hex::decode(message).unwrap();
            assert!(key.verify_strict(&message, &signature).is_ok());
            let mut forged = message.clone();
            forged.push(0);
            assert!(key.verify_strict(&forged, &signature).is_err());
        }
    }

    #[test]
    fn v1a_and_v1_are_both_accepted_and_a_forged_v1a_is_refused() {
        use ed25519_dalek::Signer;
        let signer = ed25519_dalek::SigningKey::from_bytes(&hex32(
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        ));
        let other = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        let body = br#"{"a":1}"#;
        let ts = Utc::now().timestamp().to_string();
        let content = format!("msg_1.{ts}.{{\"a\":1}}");
        let v1a = |key: &ed25519_dalek::SigningKey| {
            format!(
                "v1a,{}",
                base64::engine::general_purpose::STANDARD
                    .encode(key.sign(content.as_bytes()).to_bytes())
            )
        };
        let p = partner(hmac(&[b"k"], &[signer.verifying_key().to_bytes()]));
        let mut c = creds(body);
        c.webhook_id = Some("msg_1");
        c.webhook_timestamp = Some(&ts);
        let good = v1a(&signer);
        c.webhook_signature = Some(&good);
        assert!(authenticate(&p, &c, None).is_ok());
        let forged = v1a(&other);
        c.webhook_signature = Some(&forged);
        assert!(authenticate(&p, &c, None).is_err());
        let hmac_sig = sign(b"k", "msg_1", &ts, body);
        let both = format!("{forged} {hmac_sig}");
        c.webhook_signature = Some(&both);
        assert!(
            authenticate(&p, &c, None).is_ok(),
            "any one valid signature"
        );
        // A public key alone: v1 signatures have nothing to match.
        let only_public = partner(hmac(&[], &[signer.verifying_key().to_bytes()]));
        c.webhook_signature = Some(&hmac_sig);
        assert!(authenticate(&only_public, &c, None).is_err());
    }

    #[test]
    fn every_listed_secret_authenticates_and_no_other() {
        let secrets = Secrets::new(vec![
            common::Secret::new("newest"),
            common::Secret::new("older"),
        ]);
        assert!(any_eq("newest", &secrets));
        assert!(any_eq("older", &secrets));
        assert!(!any_eq("oldest", &secrets));
        assert!(!any_eq("", &secrets));
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
            password: common::Secret::new("pw").into(),
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
