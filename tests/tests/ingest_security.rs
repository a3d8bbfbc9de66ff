//! Partner security as operators run it (CONTRACT §2–§3 rev. 2): every secret rotated
//! with an overlap and retired by a reload, Standard Webhooks signatures under other
//! header names and as ed25519 (`v1a`), per-partner rate limits.

use std::process::Command;

use base64::Engine;
use ed25519_dalek::{Signer, SigningKey};
use serde_json::Value;
use tests::{fixture, read, spawn_app_with_registry, Auth, Reply, TestApp};

const NEW_WHSEC: &str = "whsec_bmV3LXN0YW5kYXJkLXdlYmhvb2tzLWtleS0wMDE=";
const OLD_WHSEC: &str = "whsec_b2xkLXN0YW5kYXJkLXdlYmhvb2tzLWtleS0wMDE=";
const THIRD_WHSEC: &str = "whsec_dGhpcmQtc3RhbmRhcmQtd2ViaG9va3Mta2V5LTAwMQ==";
const NEW_SEED: [u8; 32] = [11; 32];
const OLD_SEED: [u8; 32] = [22; 32];
const THIRD_SEED: [u8; 32] = [33; 32];

fn whpk(seed: [u8; 32]) -> String {
    let key = SigningKey::from_bytes(&seed).verifying_key();
    format!(
        "whpk_{}",
        base64::engine::general_purpose::STANDARD.encode(key.to_bytes())
    )
}

/// The registry during a rotation: every secret has its new and its old value.
fn overlap_registry() -> String {
    format!(
        r#"
[[partner]]
name = "rot-token"
adapter = "hahn_air"
auth = "token"
token = ["tok-new", "tok-old"]

[[partner]]
name = "rot-basic"
adapter = "traxo"
auth = "basic"
username = "rot-user"
password = ["pw-new", "pw-old"]

[[partner]]
name = "rot-oauth"
adapter = "spotnana"
auth = "oauth2"
client_id = "rot-client"
client_secret = ["cs-new", "cs-old"]

[[partner]]
name = "rot-hmac"
adapter = "ground_transfer"
auth = "hmac"
secret = ["{NEW_WHSEC}", "{OLD_WHSEC}"]
public_key = ["{new_pk}", "{old_pk}"]

[[partner]]
name = "svix-partner"
adapter = "ground_transfer"
auth = "hmac"
header_prefix = "svix"
secret = "{NEW_WHSEC}"

[[partner]]
name = "spotnana-signed"
adapter = "spotnana"
auth = "hmac"
header_prefix = "x-spotnana-webhook"
secret = "{NEW_WHSEC}"
tolerance_s = 60

[[partner]]
name = "limited"
adapter = "hahn_air"
auth = "none"
rate_limit = 5

[[partner]]
name = "unlimited"
adapter = "hahn_air"
auth = "none"
"#,
        new_pk = whpk(NEW_SEED),
        old_pk = whpk(OLD_SEED),
    )
}

/// The same registry after the rotation: only the new values.
fn rotated_registry() -> String {
    overlap_registry()
        .replace(r#"["tok-new", "tok-old"]"#, r#""tok-new""#)
        .replace(r#"["pw-new", "pw-old"]"#, r#"["pw-new"]"#)
        .replace(r#"["cs-new", "cs-old"]"#, r#""cs-new""#)
        .replace(&format!(r#", "{OLD_WHSEC}""#), "")
        .replace(&format!(r#", "{}""#, whpk(OLD_SEED)), "")
}

async fn app() -> TestApp {
    spawn_app_with_registry(
        &overlap_registry(),
        tests::TOKEN_SECRET,
        ingest::http::DEFAULT_BODY_LIMIT,
    )
    .await
}

/// POSTs with explicit headers.
async fn post(app: &TestApp, path: &str, headers: &[(String, String)], body: &str) -> Reply {
    let mut request = app
        .client
        .post(format!("{}/webhooks/{path}", app.ingest))
        .header("content-type", "application/json")
        .body(body.to_owned());
    for (name, value) in headers {
        request = request.header(name, value);
    }
    read(request.send().await.expect("request")).await
}

fn now() -> String {
    chrono::Utc::now().timestamp().to_string()
}

fn msg_id() -> String {
    format!("msg_{}", uuid::Uuid::new_v4().simple())
}

/// `v1a,<base64 ed25519("{id}.{ts}.{body}")>`.
fn sign_v1a(seed: [u8; 32], id: &str, ts: &str, body: &str) -> String {
    let signature = SigningKey::from_bytes(&seed).sign(format!("{id}.{ts}.{body}").as_bytes());
    format!(
        "v1a,{}",
        base64::engine::general_purpose::STANDARD.encode(signature.to_bytes())
    )
}

fn signed(prefix: &str, id: &str, ts: &str, signature: String) -> Vec<(String, String)> {
    vec![
        (format!("{prefix}-id"), id.to_owned()),
        (format!("{prefix}-timestamp"), ts.to_owned()),
        (format!("{prefix}-signature"), signature),
    ]
}

/// The status of one delivery to each rotated partner with the given credentials.
async fn statuses(
    app: &TestApp,
    token: &str,
    password: &str,
    client_secret: &str,
    whsec: &str,
    seed: [u8; 32],
) -> Vec<(&'static str, u16)> {
    let hahn = fixture("hahn_air/booking-create.json");
    let traxo = fixture("traxo/trip_created.json");
    let spotnana = fixture("spotnana/pnr-booking-created.json");
    let transfer = fixture("ground_transfer/booking-new.json");
    let mut out = Vec::new();
    let r = app
        .post(
            "rot-token/booking-create",
            &hahn,
            Auth::TokenHeader(token.into()),
        )
        .await;
    out.push(("token", r.status));
    let r = app
        .post(
            "rot-basic",
            &traxo,
            Auth::Basic("rot-user".into(), password.into()),
        )
        .await;
    out.push(("basic", r.status));
    let form =
        format!("grant_type=client_credentials&client_id=rot-client&client_secret={client_secret}");
    let token_reply = read(
        app.client
            .post(format!("{}/oauth/token", app.ingest))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .unwrap(),
    )
    .await;
    out.push(("oauth2 token", token_reply.status));
    if let Some(access) = token_reply.json["access_token"].as_str() {
        let r = app
            .post("rot-oauth", &spotnana, Auth::Bearer(access.into()))
            .await;
        out.push(("oauth2 delivery", r.status));
    }
    let (id, ts) = (msg_id(), now());
    let v1 = tests::sign_standard_webhook(whsec, &id, &ts, transfer.as_bytes());
    let r = post(app, "rot-hmac", &signed("webhook", &id, &ts, v1), &transfer).await;
    out.push(("hmac secret", r.status));
    let (id, ts) = (msg_id(), now());
    let v1a = sign_v1a(seed, &id, &ts, &transfer);
    let r = post(
        app,
        "rot-hmac",
        &signed("webhook", &id, &ts, v1a),
        &transfer,
    )
    .await;
    out.push(("hmac public_key", r.status));
    out
}

#[tokio::test]
async fn every_secret_kind_rotates_with_an_overlap_and_a_reload_retires_the_old_one() {
    let app = app().await;
    let ok = |kinds: Vec<(&'static str, u16)>| kinds.iter().all(|(_, s)| *s == 200);
    let new = statuses(&app, "tok-new", "pw-new", "cs-new", NEW_WHSEC, NEW_SEED).await;
    assert!(ok(new.clone()), "new values during the overlap: {new:?}");
    let old = statuses(&app, "tok-old", "pw-old", "cs-old", OLD_WHSEC, OLD_SEED).await;
    assert!(ok(old.clone()), "old values during the overlap: {old:?}");
    let third = statuses(&app, "tok-x", "pw-x", "cs-x", THIRD_WHSEC, THIRD_SEED).await;
    assert!(
        third.iter().all(|(_, s)| *s == 401),
        "a third value is refused: {third:?}"
    );

    app.reload(&rotated_registry(), tests::TOKEN_SECRET)
        .expect("the rotated registry is valid");
    let new = statuses(&app, "tok-new", "pw-new", "cs-new", NEW_WHSEC, NEW_SEED).await;
    assert!(ok(new.clone()), "new values after the reload: {new:?}");
    let old = statuses(&app, "tok-old", "pw-old", "cs-old", OLD_WHSEC, OLD_SEED).await;
    assert!(
        old.iter().all(|(_, s)| *s == 401),
        "old values after the reload: {old:?}"
    );
}

#[tokio::test]
async fn an_invalid_registry_is_refused_by_a_reload_and_the_running_one_stays() {
    let app = app().await;
    let broken = overlap_registry().replace(r#"token = ["tok-new", "tok-old"]"#, "token = []");
    let err = app
        .reload(&broken, tests::TOKEN_SECRET)
        .expect_err("an empty secret list is invalid");
    let message = format!("{err:#}");
    assert!(
        message.contains("rot-token") && message.contains("`token`"),
        "{message}"
    );
    let unset = overlap_registry().replace(r#""tok-old""#, r#""env:TRIPGRAPH_TEST_UNSET_VAR""#);
    let err = app.reload(&unset, tests::TOKEN_SECRET).unwrap_err();
    assert!(
        format!("{err:#}").contains("TRIPGRAPH_TEST_UNSET_VAR"),
        "{err:#}"
    );
    let reply = app
        .post(
            "rot-token/booking-create",
            &fixture("hahn_air/booking-create.json"),
            Auth::TokenHeader("tok-old".into()),
        )
        .await;
    assert_eq!(reply.status, 200, "the running registry is still in force");
}

#[tokio::test]
async fn tokens_signed_with_a_rolled_signing_key_stay_valid() {
    let app = spawn_app_with_registry(
        &overlap_registry(),
        "key-after-roll,key-before-roll",
        ingest::http::DEFAULT_BODY_LIMIT,
    )
    .await;
    let earlier = ingest::tokens::TokenIssuer::new(b"key-before-roll")
        .issue("rot-oauth", 600, chrono::Utc::now())
        .unwrap();
    let spotnana = fixture("spotnana/pnr-booking-created.json");
    let reply = app
        .post("rot-oauth", &spotnana, Auth::Bearer(earlier))
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let foreign = ingest::tokens::TokenIssuer::new(b"never-configured")
        .issue("rot-oauth", 600, chrono::Utc::now())
        .unwrap();
    let reply = app
        .post("rot-oauth", &spotnana, Auth::Bearer(foreign))
        .await;
    assert_eq!(reply.status, 401);
    let fresh = app.oauth_token("rot-client", "cs-new").await;
    let reply = app.post("rot-oauth", &spotnana, Auth::Bearer(fresh)).await;
    assert_eq!(reply.status, 200, "issued with the newest key: {reply:?}");
}

#[tokio::test]
async fn signatures_are_read_under_each_partners_header_prefix() {
    let app = app().await;
    let transfer = fixture("ground_transfer/booking-new.json");
    let (id, ts) = (msg_id(), now());
    let v1 = tests::sign_standard_webhook(NEW_WHSEC, &id, &ts, transfer.as_bytes());
    let reply = post(
        &app,
        "svix-partner",
        &signed("svix", &id, &ts, v1.clone()),
        &transfer,
    )
    .await;
    assert_eq!(reply.status, 200, "svix-*: {reply:?}");
    let reply = post(
        &app,
        "svix-partner",
        &signed("webhook", &id, &ts, v1),
        &transfer,
    )
    .await;
    assert_eq!(reply.status, 401, "webhook-* headers are not svix-*");

    let spotnana = fixture("spotnana/pnr-booking-created.json");
    let (id, ts) = (msg_id(), now());
    let v1 = tests::sign_standard_webhook(NEW_WHSEC, &id, &ts, spotnana.as_bytes());
    let reply = post(
        &app,
        "spotnana-signed",
        &signed("x-spotnana-webhook", &id, &ts, v1),
        &spotnana,
    )
    .await;
    assert_eq!(reply.status, 200, "x-spotnana-webhook-*: {reply:?}");
    // Its own tolerance: 60 s.
    let (id, ts) = (msg_id(), (chrono::Utc::now().timestamp() - 120).to_string());
    let v1 = tests::sign_standard_webhook(NEW_WHSEC, &id, &ts, spotnana.as_bytes());
    let reply = post(
        &app,
        "spotnana-signed",
        &signed("x-spotnana-webhook", &id, &ts, v1),
        &spotnana,
    )
    .await;
    assert_eq!(reply.status, 401, "outside a 60 s tolerance");
    // The partner's id header is its idempotency key.
    let (id, ts) = (msg_id(), now());
    let v1 = tests::sign_standard_webhook(NEW_WHSEC, &id, &ts, transfer.as_bytes());
    let first = post(
        &app,
        "svix-partner",
        &signed("svix", &id, &ts, v1.clone()),
        &transfer,
    )
    .await;
    let again = post(
        &app,
        "svix-partner",
        &signed("svix", &id, &ts, v1),
        &transfer,
    )
    .await;
    assert_eq!(again.json["status"], "duplicate", "{again:?}");
    assert_eq!(again.json["eventId"], first.json["eventId"]);
}

/// Signatures made by independent implementations: the Python `standardwebhooks`
/// library (v1) and `cryptography`'s ed25519 (OpenSSL, v1a). `.ci/run` installs both;
/// elsewhere the test says so and passes only when they are missing outside CI.
#[tokio::test]
async fn signatures_made_by_independent_implementations_are_accepted() {
    let script = r#"
import base64, datetime, sys
from standardwebhooks.webhooks import Webhook
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
secret, seed_hex, msg_id, ts, body = sys.argv[1:6]
when = datetime.datetime.fromtimestamp(int(ts), tz=datetime.timezone.utc)
print(Webhook(secret).sign(msg_id, when, body))
key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(seed_hex))
signature = key.sign(f"{msg_id}.{ts}.{body}".encode())
print("v1a," + base64.b64encode(signature).decode())
"#;
    let transfer = fixture("ground_transfer/booking-new.json");
    let (id, ts) = (msg_id(), now());
    let seed_hex: String = OLD_SEED.iter().map(|b| format!("{b:02x}")).collect();
    let output = Command::new("python3")
        .args(["-c", script, OLD_WHSEC, &seed_hex, &id, &ts, &transfer])
        .output();
    let signatures = match output {
        Ok(out) if out.status.success() => String::from_utf8(out.stdout).unwrap(),
        other => {
            let why = match other {
                Ok(out) => String::from_utf8_lossy(&out.stderr).into_owned(),
                Err(err) => err.to_string(),
            };
            assert!(
                std::env::var_os("CI").is_none(),
                "CI installs python3 with standardwebhooks and cryptography: {why}"
            );
            eprintln!(
                "SKIPPED: python3 with standardwebhooks and cryptography is not available: {why}"
            );
            return;
        }
    };
    let lines: Vec<&str> = signatures.lines().collect();
    assert_eq!(lines.len(), 2, "{signatures}");
    let app = app().await;
    for signature in lines {
        let reply = post(
            &app,
            "rot-hmac",
            &signed("webhook", &id, &ts, signature.to_owned()),
            &transfer,
        )
        .await;
        assert_eq!(reply.status, 200, "{signature:.12}…: {reply:?}");
    }
    // A v1a signature over other bytes is refused.
    let forged = sign_v1a(OLD_SEED, &id, &ts, &format!("{transfer} "));
    let reply = post(
        &app,
        "rot-hmac",
        &signed("webhook", &id, &ts, forged),
        &transfer,
    )
    .await;
    assert_eq!(reply.status, 401);
}

#[tokio::test]
async fn a_burst_over_the_rate_limit_is_429_and_only_accepted_deliveries_are_archived() {
    let app = app().await;
    let body: Value = serde_json::from_str(&fixture("hahn_air/booking-create.json")).unwrap();
    let mut sends = Vec::new();
    for n in 0..40 {
        let mut body = body.clone();
        body["bookingId"] = Value::String(format!("RL{n}"));
        let client = app.client.clone();
        let url = format!("{}/webhooks/limited/booking-create", app.ingest);
        sends.push(tokio::spawn(async move {
            read(
                client
                    .post(url)
                    .header("content-type", "application/json")
                    .body(body.to_string())
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }));
    }
    let other = app
        .post(
            "unlimited/booking-create",
            &fixture("hahn_air/booking-create.json"),
            Auth::None,
        )
        .await;
    let mut accepted = 0;
    let mut limited = 0;
    for send in sends {
        let reply = send.await.unwrap();
        match reply.status {
            200 => accepted += 1,
            429 => {
                limited += 1;
                assert_eq!(reply.json["error"]["code"], "rate_limited");
                let retry: u64 = reply.headers["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!(retry >= 1, "{reply:?}");
            }
            other => panic!("unexpected {other}: {reply:?}"),
        }
    }
    assert_eq!(accepted + limited, 40);
    // A burst of 5, plus what refills (5 per second) while the burst is served.
    assert!(
        (5..=15).contains(&accepted),
        "{accepted} accepted, {limited} limited"
    );
    assert_eq!(
        other.status, 200,
        "another partner is unaffected: {other:?}"
    );
    let archived = app
        .events()
        .await
        .iter()
        .filter(|e| e.partner == "limited")
        .count();
    assert_eq!(archived, accepted, "nothing recorded for a 429");
}

#[test]
fn no_secret_of_any_kind_is_printed_by_the_registry() {
    let registry = ingest::registry::Registry::parse(&overlap_registry(), &|_| None).unwrap();
    let printed = format!("{registry:?} {registry:#?}");
    for secret in ["tok-new", "tok-old", "pw-new", "pw-old", "cs-new", "cs-old"] {
        assert!(!printed.contains(secret), "{secret} printed");
    }
    for whsec in [NEW_WHSEC, OLD_WHSEC] {
        let encoded = whsec.trim_start_matches("whsec_");
        let raw = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .unwrap();
        assert!(!printed.contains(encoded), "whsec printed");
        assert!(
            !printed.contains(&format!("{raw:?}")[1..20]),
            "key bytes printed"
        );
    }
}
