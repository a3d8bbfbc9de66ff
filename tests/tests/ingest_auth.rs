//! Authentication of webhook deliveries (CONTRACT §2–§3) and the OAuth 2.0
//! client-credentials token endpoint (RFC 6749 §4.4, §5.2), through the real HTTP surface.
//!
//! Every refused delivery answers 401 with code `unauthorized` and a `WWW-Authenticate`
//! challenge, and records nothing. No response ever carries a secret.

use base64::Engine;
use serde_json::{json, Value};
use tests::partners::{
    self, AGW_PASSWORD, AGW_USER, HAHN_TOKEN, SPOTNANA_CLIENT, SPOTNANA_SECRET, TRANSFERS_SECRET,
    TRAXO_PASSWORD, TRAXO_USER,
};
use tests::{fixture, read, sign_standard_webhook, spawn_app, Auth, Reply, TestApp, TOKEN_SECRET};

const SPOTNANA_EU_CLIENT: &str = "spotnana-eu-client";
const SPOTNANA_EU_SECRET: &str = "spotnana-eu-secret";
/// The audience the ingest puts in (and demands of) its access tokens.
const INGEST_AUDIENCE: &str = "tripgraph-ingest";

/// Every secret the test registry knows; none may ever be echoed back.
const SECRETS: &[&str] = &[
    HAHN_TOKEN,
    AGW_PASSWORD,
    SPOTNANA_SECRET,
    SPOTNANA_EU_SECRET,
    TRAXO_PASSWORD,
    TRANSFERS_SECRET,
    "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    TOKEN_SECRET,
];

// ---------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", b64(&format!("{user}:{password}")))
}

fn hahn_body() -> String {
    fixture("hahn_air/booking-create.json")
}

fn agw_body() -> String {
    fixture("airgateway/order-created.json")
}

fn spotnana_body() -> String {
    fixture("spotnana/pnr-booking-created.json")
}

fn traxo_body() -> String {
    fixture("traxo/trip_created.json")
}

fn transfers_body() -> String {
    fixture("ground_transfer/booking-new.json")
}

/// POSTs `body` (as JSON) to `/webhooks/{path}` with exactly these extra headers.
async fn post_with_headers(
    app: &TestApp,
    path: &str,
    body: &str,
    headers: &[(&str, &str)],
) -> Reply {
    let mut request = app
        .client
        .post(format!("{}/webhooks/{path}", app.ingest))
        .header("content-type", "application/json")
        .body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    read(request.send().await.expect("request")).await
}

/// POSTs a form body to `/oauth/token`, with an optional `Authorization` header.
async fn token_request(
    app: &TestApp,
    content_type: &str,
    body: &str,
    authorization: Option<&str>,
) -> Reply {
    let mut request = app
        .client
        .post(format!("{}/oauth/token", app.ingest))
        .header("content-type", content_type)
        .body(body.to_owned());
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    read(request.send().await.expect("token request")).await
}

async fn form_token_request(app: &TestApp, body: &str) -> Reply {
    token_request(app, "application/x-www-form-urlencoded", body, None).await
}

/// A JWT signed HS256 with `key`, with the claims the ingest issues.
fn mint_token(key: &str, sub: &str, aud: Option<&str>, iat: i64, exp: i64) -> String {
    let mut claims =
        json!({"sub": sub, "iat": iat, "exp": exp, "jti": uuid::Uuid::new_v4().to_string()});
    if let Some(aud) = aud {
        claims["aud"] = json!(aud);
    }
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(key.as_bytes()),
    )
    .expect("sign test token")
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Standard Webhooks headers for `body`, signed `skew_s` seconds off now.
fn hmac_headers(id: &str, skew_s: i64, body: &str) -> (String, String) {
    let ts = (now() + skew_s).to_string();
    let signature = sign_standard_webhook(TRANSFERS_SECRET, id, &ts, body.as_bytes());
    (ts, signature)
}

fn msg_id() -> String {
    format!("msg_{}", uuid::Uuid::new_v4().simple())
}

/// No response body or header value contains any secret of the registry.
fn assert_no_secrets(reply: &Reply) {
    let body = reply.json.to_string();
    for secret in SECRETS {
        assert!(
            !body.contains(secret),
            "a secret appears in the body: {body}"
        );
        for (name, value) in &reply.headers {
            let value = String::from_utf8_lossy(value.as_bytes());
            assert!(
                !value.contains(secret),
                "a secret appears in header {name}: {value}"
            );
        }
    }
}

/// 401, `unauthorized`, a challenge, no secret, and nothing archived.
async fn assert_refused(app: &TestApp, reply: &Reply) {
    assert_eq!(reply.status, 401, "expected 401, got {reply:?}");
    assert_eq!(
        reply.json["error"]["code"], "unauthorized",
        "{:?}",
        reply.json
    );
    assert!(
        reply.json["error"]["message"].is_string(),
        "error.message: {:?}",
        reply.json
    );
    let challenge = reply
        .headers
        .get("www-authenticate")
        .unwrap_or_else(|| panic!("a 401 carries WWW-Authenticate: {reply:?}"));
    assert!(!challenge.is_empty(), "WWW-Authenticate is not empty");
    assert_no_secrets(reply);
    let events = app.events().await;
    assert!(
        events.is_empty(),
        "a refused delivery records nothing, found {} event(s)",
        events.len()
    );
}

fn assert_applied(reply: &Reply) {
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.json["status"], "applied", "{:?}", reply.json);
    assert!(
        reply.json["eventId"]
            .as_str()
            .is_some_and(|id| uuid::Uuid::parse_str(id).is_ok()),
        "{:?}",
        reply.json
    );
    assert!(
        reply.json["bookingId"]
            .as_str()
            .is_some_and(|id| uuid::Uuid::parse_str(id).is_ok()),
        "{:?}",
        reply.json
    );
    assert_no_secrets(reply);
}

/// The RFC 6749 §5.2 error answer: status, `error` code, and no secret.
fn assert_oauth_error(reply: &Reply, status: u16, code: &str) {
    assert_eq!(reply.status, status, "{reply:?}");
    assert_eq!(reply.json["error"], code, "{:?}", reply.json);
    assert!(reply.json.get("access_token").is_none(), "{:?}", reply.json);
    if status == 401 {
        assert!(
            reply.headers.get("www-authenticate").is_some(),
            "invalid_client on 401 carries WWW-Authenticate: {reply:?}"
        );
    }
    assert_no_secrets(reply);
}

fn assert_token_issued(reply: &Reply) -> String {
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.json["token_type"], "Bearer", "{:?}", reply.json);
    assert_eq!(reply.json["expires_in"], 3600, "{:?}", reply.json);
    assert_eq!(
        reply
            .headers
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store"),
        "{reply:?}"
    );
    let token = reply.json["access_token"]
        .as_str()
        .expect("access_token is a string")
        .to_owned();
    assert_eq!(
        token.split('.').count(),
        3,
        "access_token is a JWT: {token}"
    );
    assert_no_secrets(reply);
    token
}

// ---------------------------------------------------------------------------------------
// auth = "none"
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn an_open_partner_accepts_a_delivery_without_credentials() {
    let app = spawn_app().await;
    let reply = app
        .post("open-air/booking-create", &hahn_body(), Auth::None)
        .await;
    assert_applied(&reply);
    assert_eq!(app.events().await.len(), 1);
    assert!(app.booking("open-air", "HA7Q2K9").await.is_some());
}

// ---------------------------------------------------------------------------------------
// auth = "token" (hahn-air)
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_token_partner_accepts_the_token_in_the_x_webhook_token_header() {
    let app = spawn_app().await;
    let reply = app
        .post(
            "hahn-air/booking-create",
            &hahn_body(),
            Auth::TokenHeader(HAHN_TOKEN.into()),
        )
        .await;
    assert_applied(&reply);
    assert_eq!(app.events().await.len(), 1);
    assert!(app.booking("hahn-air", "HA7Q2K9").await.is_some());
}

#[tokio::test]
async fn a_token_partner_accepts_the_token_in_the_token_query_parameter() {
    let app = spawn_app().await;
    let reply = app
        .post(
            "hahn-air/booking-create",
            &hahn_body(),
            Auth::TokenQuery(HAHN_TOKEN.into()),
        )
        .await;
    assert_applied(&reply);
    assert_eq!(app.events().await.len(), 1);
    assert!(app.booking("hahn-air", "HA7Q2K9").await.is_some());
}

#[tokio::test]
async fn a_token_partner_refuses_a_delivery_without_a_token() {
    let app = spawn_app().await;
    let reply = app
        .post("hahn-air/booking-create", &hahn_body(), Auth::None)
        .await;
    assert_refused(&app, &reply).await;
}

#[tokio::test]
async fn a_token_partner_refuses_a_wrong_token_in_the_header() {
    let app = spawn_app().await;
    let reply = app
        .post(
            "hahn-air/booking-create",
            &hahn_body(),
            Auth::TokenHeader("hahn-test-tokeN".into()),
        )
        .await;
    assert_refused(&app, &reply).await;
}

#[tokio::test]
async fn a_token_partner_refuses_a_wrong_token_in_the_query() {
    let app = spawn_app().await;
    let reply = app
        .post(
            "hahn-air/booking-create",
            &hahn_body(),
            Auth::TokenQuery("not-the-token".into()),
        )
        .await;
    assert_refused(&app, &reply).await;
}

#[tokio::test]
async fn a_token_partner_refuses_an_empty_token() {
    let app = spawn_app().await;
    let reply = app
        .post(
            "hahn-air/booking-create",
            &hahn_body(),
            Auth::TokenHeader(String::new()),
        )
        .await;
    assert_refused(&app, &reply).await;
}

#[tokio::test]
async fn a_token_partner_refuses_its_token_sent_as_basic_or_bearer_credentials() {
    let app = spawn_app().await;
    let as_bearer = format!("Bearer {HAHN_TOKEN}");
    let reply = post_with_headers(
        &app,
        "hahn-air/booking-create",
        &hahn_body(),
        &[("authorization", &as_bearer)],
    )
    .await;
    assert_refused(&app, &reply).await;
    let as_basic = basic("hahn-air", HAHN_TOKEN);
    let reply = post_with_headers(
        &app,
        "hahn-air/booking-create",
        &hahn_body(),
        &[("authorization", &as_basic)],
    )
    .await;
    assert_refused(&app, &reply).await;
}

#[tokio::test]
async fn a_token_partner_refuses_another_partners_secret() {
    let app = spawn_app().await;
    let reply = app
        .post(
            "hahn-air/booking-create",
            &hahn_body(),
            Auth::TokenHeader(AGW_PASSWORD.into()),
        )
        .await;
    assert_refused(&app, &reply).await;
}

// ---------------------------------------------------------------------------------------
// auth = "basic" (airgateway, traxo)
// ---------------------------------------------------------------------------------------

/// (path, body, username, password) of both basic partners.
fn basic_partners() -> [(&'static str, String, &'static str, &'static str); 2] {
    [
        ("airgateway", agw_body(), AGW_USER, AGW_PASSWORD),
        ("traxo", traxo_body(), TRAXO_USER, TRAXO_PASSWORD),
    ]
}

#[tokio::test]
async fn airgateway_accepts_its_basic_credentials() {
    let app = spawn_app().await;
    let reply = app.post("airgateway", &agw_body(), partners::agw()).await;
    assert_applied(&reply);
    assert_eq!(app.events().await.len(), 1);
    assert!(app.booking("airgateway", "AGW-5F3K8M2Q").await.is_some());
}

#[tokio::test]
async fn traxo_accepts_its_basic_credentials() {
    let app = spawn_app().await;
    let reply = app.post("traxo", &traxo_body(), partners::traxo()).await;
    assert_applied(&reply);
    assert_eq!(app.events().await.len(), 1);
}

#[tokio::test]
async fn basic_partners_refuse_a_delivery_without_credentials() {
    for (path, body, _, _) in basic_partners() {
        let app = spawn_app().await;
        let reply = app.post(path, &body, Auth::None).await;
        assert_refused(&app, &reply).await;
    }
}

#[tokio::test]
async fn basic_partners_refuse_a_wrong_password() {
    for (path, body, user, password) in basic_partners() {
        let app = spawn_app().await;
        let wrong = format!("{password}x");
        let reply = app.post(path, &body, Auth::Basic(user.into(), wrong)).await;
        assert_refused(&app, &reply).await;
        let reply = app
            .post(path, &body, Auth::Basic(user.into(), String::new()))
            .await;
        assert_refused(&app, &reply).await;
    }
}

#[tokio::test]
async fn basic_partners_refuse_a_wrong_username_with_the_right_password() {
    for (path, body, user, password) in basic_partners() {
        let app = spawn_app().await;
        let reply = app
            .post(
                path,
                &body,
                Auth::Basic(format!("{user}-other"), password.into()),
            )
            .await;
        assert_refused(&app, &reply).await;
    }
}

#[tokio::test]
async fn basic_partners_refuse_another_basic_partners_credentials() {
    let app = spawn_app().await;
    let reply = app.post("airgateway", &agw_body(), partners::traxo()).await;
    assert_refused(&app, &reply).await;
    let reply = app.post("traxo", &traxo_body(), partners::agw()).await;
    assert_refused(&app, &reply).await;
}

#[tokio::test]
async fn basic_partners_refuse_a_malformed_authorization_header() {
    for (path, body, user, password) in basic_partners() {
        let app = spawn_app().await;
        let malformed = [
            "Basic".to_owned(),
            "Basic ".to_owned(),
            "Basic !!!not-base64!!!".to_owned(),
            // username and password without the colon between them
            format!("Basic {}", b64(&format!("{user}{password}"))),
            // the right pair, but not base64-encoded
            format!("Basic {user}:{password}"),
            // the right pair under another scheme
            format!("Bearer {}", b64(&format!("{user}:{password}"))),
            format!("{user}:{password}"),
        ];
        for header in &malformed {
            let reply = post_with_headers(&app, path, &body, &[("authorization", header)]).await;
            assert_refused(&app, &reply).await;
        }
    }
}

// ---------------------------------------------------------------------------------------
// auth = "oauth2" (spotnana)
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn spotnana_accepts_a_bearer_token_from_the_token_endpoint() {
    let app = spawn_app().await;
    let token = app.oauth_token(SPOTNANA_CLIENT, SPOTNANA_SECRET).await;
    let reply = app
        .post("spotnana", &spotnana_body(), Auth::Bearer(token))
        .await;
    assert_applied(&reply);
    assert_eq!(app.events().await.len(), 1);
    assert!(app.booking("spotnana", "6926658168").await.is_some());
}

#[tokio::test]
async fn spotnana_accepts_a_token_with_the_ingest_claims_signed_with_the_ingest_key() {
    // The counterpart of the expired-token test below: same key and claims, future expiry.
    let app = spawn_app().await;
    let token = mint_token(
        TOKEN_SECRET,
        "spotnana",
        Some(INGEST_AUDIENCE),
        now() - 60,
        now() + 600,
    );
    let reply = app
        .post("spotnana", &spotnana_body(), Auth::Bearer(token))
        .await;
    assert_applied(&reply);
}

#[tokio::test]
async fn spotnana_refuses_a_delivery_without_a_bearer_token() {
    let app = spawn_app().await;
    let reply = app.post("spotnana", &spotnana_body(), Auth::None).await;
    assert_refused(&app, &reply).await;
}

#[tokio::test]
async fn spotnana_refuses_a_malformed_authorization_header() {
    let app = spawn_app().await;
    let token = app.oauth_token(SPOTNANA_CLIENT, SPOTNANA_SECRET).await;
    let malformed = [
        "Bearer".to_owned(),
        "Bearer ".to_owned(),
        "Bearer not-a-jwt".to_owned(),
        "Bearer a.b.c".to_owned(),
        // the valid token under another scheme, or with no scheme at all
        format!("Token {token}"),
        format!("Basic {token}"),
        token.clone(),
        // a JWT with its signature cut off
        format!("Bearer {}", token.rsplit_once('.').expect("a JWT").0),
    ];
    for header in &malformed {
        let reply = post_with_headers(
            &app,
            "spotnana",
            &spotnana_body(),
            &[("authorization", header)],
        )
        .await;
        assert_refused(&app, &reply).await;
    }
}

#[tokio::test]
async fn spotnana_refuses_its_client_credentials_in_place_of_a_token() {
    let app = spawn_app().await;
    let reply = app
        .post(
            "spotnana",
            &spotnana_body(),
            Auth::Basic(SPOTNANA_CLIENT.into(), SPOTNANA_SECRET.into()),
        )
        .await;
    assert_refused(&app, &reply).await;
    let reply = app
        .post(
            "spotnana",
            &spotnana_body(),
            Auth::Bearer(SPOTNANA_SECRET.into()),
        )
        .await;
    assert_refused(&app, &reply).await;
}

#[tokio::test]
async fn spotnana_refuses_an_expired_token() {
    let app = spawn_app().await;
    let token = mint_token(
        TOKEN_SECRET,
        "spotnana",
        Some(INGEST_AUDIENCE),
        now() - 7200,
        now() - 3600,
    );
    let reply = app
        .post("spotnana", &spotnana_body(), Auth::Bearer(token))
        .await;
    assert_refused(&app, &reply).await;
    // Just expired counts as expired: no grace period.
    let token = mint_token(
        TOKEN_SECRET,
        "spotnana",
        Some(INGEST_AUDIENCE),
        now() - 3600,
        now() - 1,
    );
    let reply = app
        .post("spotnana", &spotnana_body(), Auth::Bearer(token))
        .await;
    assert_refused(&app, &reply).await;
}

#[tokio::test]
async fn spotnana_refuses_a_token_issued_to_another_partner() {
    let app = spawn_app().await;
    let eu_token = app
        .oauth_token(SPOTNANA_EU_CLIENT, SPOTNANA_EU_SECRET)
        .await;
    let reply = app
        .post("spotnana", &spotnana_body(), Auth::Bearer(eu_token))
        .await;
    assert_refused(&app, &reply).await;
}

#[tokio::test]
async fn spotnana_eu_refuses_a_token_issued_to_spotnana() {
    let app = spawn_app().await;
    let token = app.oauth_token(SPOTNANA_CLIENT, SPOTNANA_SECRET).await;
    let reply = app
        .post("spotnana-eu", &spotnana_body(), Auth::Bearer(token))
        .await;
    assert_refused(&app, &reply).await;
}

#[tokio::test]
async fn spotnana_refuses_a_token_signed_with_another_key() {
    let app = spawn_app().await;
    let token = mint_token(
        "some-other-signing-key",
        "spotnana",
        Some(INGEST_AUDIENCE),
        now() - 60,
        now() + 600,
    );
    let reply = app
        .post("spotnana", &spotnana_body(), Auth::Bearer(token))
        .await;
    assert_refused(&app, &reply).await;
}

#[tokio::test]
async fn spotnana_refuses_a_token_without_the_ingest_audience() {
    let app = spawn_app().await;
    let no_audience = mint_token(TOKEN_SECRET, "spotnana", None, now() - 60, now() + 600);
    let reply = app
        .post("spotnana", &spotnana_body(), Auth::Bearer(no_audience))
        .await;
    assert_refused(&app, &reply).await;
    let other_audience = mint_token(
        TOKEN_SECRET,
        "spotnana",
        Some("tripgraph-api"),
        now() - 60,
        now() + 600,
    );
    let reply = app
        .post("spotnana", &spotnana_body(), Auth::Bearer(other_audience))
        .await;
    assert_refused(&app, &reply).await;
}

#[tokio::test]
async fn spotnana_refuses_an_unsigned_token() {
    let app = spawn_app().await;
    let header =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let claims =
        json!({"sub": "spotnana", "aud": INGEST_AUDIENCE, "iat": now(), "exp": now() + 600});
    let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string());
    let reply = app
        .post(
            "spotnana",
            &spotnana_body(),
            Auth::Bearer(format!("{header}.{claims}.")),
        )
        .await;
    assert_refused(&app, &reply).await;
}

// ---------------------------------------------------------------------------------------
// auth = "hmac" (transfers, Standard Webhooks)
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn transfers_accepts_a_standard_webhooks_signature() {
    let app = spawn_app().await;
    let reply = app
        .post("transfers", &transfers_body(), partners::transfers())
        .await;
    assert_applied(&reply);
    assert_eq!(reply.json["supplierBookingId"], reply.json["bookingId"]);
    assert_eq!(app.events().await.len(), 1);
}

#[tokio::test]
async fn transfers_accepts_a_timestamp_within_five_minutes_either_way() {
    let app = spawn_app().await;
    let body = transfers_body();
    for skew_s in [-240, 240] {
        let id = msg_id();
        let (ts, signature) = hmac_headers(&id, skew_s, &body);
        let headers = [
            ("webhook-id", id.as_str()),
            ("webhook-timestamp", ts.as_str()),
            ("webhook-signature", signature.as_str()),
        ];
        let reply = post_with_headers(&app, "transfers", &body, &headers).await;
        assert_eq!(reply.status, 200, "skew {skew_s}s: {reply:?}");
        assert_no_secrets(&reply);
    }
    assert_eq!(app.events().await.len(), 2);
}

#[tokio::test]
async fn transfers_accepts_when_a_later_signature_in_the_list_matches() {
    let app = spawn_app().await;
    let body = transfers_body();
    let id = msg_id();
    let (ts, good) = hmac_headers(&id, 0, &body);
    let rotated_out = sign_standard_webhook(
        &format!("whsec_{}", b64("old-rotated-secret-key")),
        &id,
        &ts,
        body.as_bytes(),
    );
    let list = format!("v1,Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MDEyMzQ1Njc4OTA= {rotated_out} {good}");
    let headers = [
        ("webhook-id", id.as_str()),
        ("webhook-timestamp", ts.as_str()),
        ("webhook-signature", list.as_str()),
    ];
    let reply = post_with_headers(&app, "transfers", &body, &headers).await;
    assert_applied(&reply);
    assert_eq!(app.events().await.len(), 1);
}

#[tokio::test]
async fn transfers_refuses_a_delivery_without_signature_headers() {
    let app = spawn_app().await;
    let reply = app.post("transfers", &transfers_body(), Auth::None).await;
    assert_refused(&app, &reply).await;
}

#[tokio::test]
async fn transfers_refuses_a_delivery_missing_any_one_signature_header() {
    let app = spawn_app().await;
    let body = transfers_body();
    let id = msg_id();
    let (ts, signature) = hmac_headers(&id, 0, &body);
    let all = [
        ("webhook-id", id.as_str()),
        ("webhook-timestamp", ts.as_str()),
        ("webhook-signature", signature.as_str()),
    ];
    for missing in 0..all.len() {
        let headers: Vec<(&str, &str)> = all
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != missing)
            .map(|(_, h)| *h)
            .collect();
        let reply = post_with_headers(&app, "transfers", &body, &headers).await;
        assert_refused(&app, &reply).await;
    }
}

#[tokio::test]
async fn transfers_refuses_a_bad_signature() {
    let app = spawn_app().await;
    let body = transfers_body();
    let id = msg_id();
    let (ts, good) = hmac_headers(&id, 0, &body);
    let other_key = sign_standard_webhook(
        &format!("whsec_{}", b64("another-secret-key")),
        &id,
        &ts,
        body.as_bytes(),
    );
    let flipped = {
        let mut raw = base64::engine::general_purpose::STANDARD
            .decode(good.trim_start_matches("v1,"))
            .expect("base64");
        raw[0] ^= 0x01;
        format!(
            "v1,{}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        )
    };
    let bad = [
        other_key,
        flipped,
        "v1,".to_owned(),
        "v1,not base64 at all".to_owned(),
        // the right MAC under an unknown version
        good.replacen("v1,", "v2,", 1),
        good.trim_start_matches("v1,").to_owned(),
    ];
    for signature in &bad {
        let headers = [
            ("webhook-id", id.as_str()),
            ("webhook-timestamp", ts.as_str()),
            ("webhook-signature", signature.as_str()),
        ];
        let reply = post_with_headers(&app, "transfers", &body, &headers).await;
        assert_refused(&app, &reply).await;
    }
}

#[tokio::test]
async fn transfers_refuses_a_tampered_body() {
    let app = spawn_app().await;
    let body = transfers_body();
    let id = msg_id();
    let (ts, signature) = hmac_headers(&id, 0, &body);
    let tampered = body.replacen("44225562", "44225563", 1);
    assert_ne!(tampered, body, "the fixture names booking 44225562");
    let headers = [
        ("webhook-id", id.as_str()),
        ("webhook-timestamp", ts.as_str()),
        ("webhook-signature", signature.as_str()),
    ];
    let reply = post_with_headers(&app, "transfers", &tampered, &headers).await;
    assert_refused(&app, &reply).await;
    // A single trailing byte changes the signed content too.
    let reply = post_with_headers(&app, "transfers", &format!("{body} "), &headers).await;
    assert_refused(&app, &reply).await;
}

#[tokio::test]
async fn transfers_refuses_a_signature_over_another_message_id_or_timestamp() {
    let app = spawn_app().await;
    let body = transfers_body();
    let id = msg_id();
    let (ts, signature) = hmac_headers(&id, 0, &body);
    let other_id = msg_id();
    let headers = [
        ("webhook-id", other_id.as_str()),
        ("webhook-timestamp", ts.as_str()),
        ("webhook-signature", signature.as_str()),
    ];
    let reply = post_with_headers(&app, "transfers", &body, &headers).await;
    assert_refused(&app, &reply).await;
    let other_ts = (ts.parse::<i64>().expect("ts") - 1).to_string();
    let headers = [
        ("webhook-id", id.as_str()),
        ("webhook-timestamp", other_ts.as_str()),
        ("webhook-signature", signature.as_str()),
    ];
    let reply = post_with_headers(&app, "transfers", &body, &headers).await;
    assert_refused(&app, &reply).await;
}

#[tokio::test]
async fn transfers_refuses_a_correctly_signed_timestamp_more_than_five_minutes_old() {
    let app = spawn_app().await;
    for skew_s in [-330, -3600] {
        let reply = app
            .post(
                "transfers",
                &transfers_body(),
                Auth::Hmac {
                    secret: TRANSFERS_SECRET.into(),
                    id: msg_id(),
                    skew_s,
                },
            )
            .await;
        assert_refused(&app, &reply).await;
    }
}

#[tokio::test]
async fn transfers_refuses_a_correctly_signed_timestamp_more_than_five_minutes_ahead() {
    let app = spawn_app().await;
    for skew_s in [330, 3600] {
        let reply = app
            .post(
                "transfers",
                &transfers_body(),
                Auth::Hmac {
                    secret: TRANSFERS_SECRET.into(),
                    id: msg_id(),
                    skew_s,
                },
            )
            .await;
        assert_refused(&app, &reply).await;
    }
}

#[tokio::test]
async fn transfers_refuses_a_timestamp_that_is_not_unix_seconds() {
    let app = spawn_app().await;
    let body = transfers_body();
    let id = msg_id();
    let ts = chrono::Utc::now().to_rfc3339();
    let signature = sign_standard_webhook(TRANSFERS_SECRET, &id, &ts, body.as_bytes());
    let headers = [
        ("webhook-id", id.as_str()),
        ("webhook-timestamp", ts.as_str()),
        ("webhook-signature", signature.as_str()),
    ];
    let reply = post_with_headers(&app, "transfers", &body, &headers).await;
    assert_refused(&app, &reply).await;
}

// ---------------------------------------------------------------------------------------
// auth before anything else: a refused delivery is refused whatever its body
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn an_unauthenticated_delivery_is_refused_before_its_body_is_judged() {
    let app = spawn_app().await;
    // Not JSON, invalid payload, wrong content type: 401 all the same, nothing archived.
    let reply = app
        .post("hahn-air/booking-create", "not json", Auth::None)
        .await;
    assert_refused(&app, &reply).await;
    let invalid = fixture("hahn_air/booking-create-invalid.json");
    let reply = app
        .post(
            "hahn-air/booking-create",
            &invalid,
            Auth::TokenHeader("wrong".into()),
        )
        .await;
    assert_refused(&app, &reply).await;
    let reply = app
        .client
        .post(format!("{}/webhooks/airgateway", app.ingest))
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .expect("request");
    let reply = read(reply).await;
    assert_refused(&app, &reply).await;
}

// ---------------------------------------------------------------------------------------
// POST /oauth/token (RFC 6749 §4.4, §5.2)
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn the_token_endpoint_issues_a_bearer_token_for_client_credentials_in_the_form() {
    let app = spawn_app().await;
    let body = format!(
        "grant_type=client_credentials&client_id={SPOTNANA_CLIENT}&client_secret={SPOTNANA_SECRET}"
    );
    let reply = form_token_request(&app, &body).await;
    let token = assert_token_issued(&reply);
    let delivery = app
        .post("spotnana", &spotnana_body(), Auth::Bearer(token))
        .await;
    assert_applied(&delivery);
}

#[tokio::test]
async fn the_token_endpoint_issues_a_bearer_token_for_client_credentials_in_http_basic() {
    let app = spawn_app().await;
    let authorization = basic(SPOTNANA_CLIENT, SPOTNANA_SECRET);
    let reply = token_request(
        &app,
        "application/x-www-form-urlencoded",
        "grant_type=client_credentials",
        Some(&authorization),
    )
    .await;
    let token = assert_token_issued(&reply);
    let delivery = app
        .post("spotnana", &spotnana_body(), Auth::Bearer(token))
        .await;
    assert_applied(&delivery);
}

#[tokio::test]
async fn the_token_endpoint_accepts_a_charset_parameter_on_the_form_content_type() {
    let app = spawn_app().await;
    let body = format!(
        "grant_type=client_credentials&client_id={SPOTNANA_CLIENT}&client_secret={SPOTNANA_SECRET}"
    );
    let reply = token_request(
        &app,
        "application/x-www-form-urlencoded; charset=UTF-8",
        &body,
        None,
    )
    .await;
    assert_token_issued(&reply);
}

#[tokio::test]
async fn the_token_endpoint_answers_invalid_request_without_grant_type() {
    let app = spawn_app().await;
    let body = format!("client_id={SPOTNANA_CLIENT}&client_secret={SPOTNANA_SECRET}");
    let reply = form_token_request(&app, &body).await;
    assert_oauth_error(&reply, 400, "invalid_request");
}

#[tokio::test]
async fn the_token_endpoint_answers_unsupported_grant_type_for_the_password_grant() {
    let app = spawn_app().await;
    let body = format!(
        "grant_type=password&username=ana&password=secret&client_id={SPOTNANA_CLIENT}&client_secret={SPOTNANA_SECRET}"
    );
    let reply = form_token_request(&app, &body).await;
    assert_oauth_error(&reply, 400, "unsupported_grant_type");
}

#[tokio::test]
async fn the_token_endpoint_answers_invalid_client_for_a_wrong_secret() {
    let app = spawn_app().await;
    let body = format!(
        "grant_type=client_credentials&client_id={SPOTNANA_CLIENT}&client_secret=wrong-secret"
    );
    let reply = form_token_request(&app, &body).await;
    assert_oauth_error(&reply, 401, "invalid_client");
    let authorization = basic(SPOTNANA_CLIENT, "wrong-secret");
    let reply = token_request(
        &app,
        "application/x-www-form-urlencoded",
        "grant_type=client_credentials",
        Some(&authorization),
    )
    .await;
    assert_oauth_error(&reply, 401, "invalid_client");
}

#[tokio::test]
async fn the_token_endpoint_answers_invalid_client_for_another_clients_secret() {
    let app = spawn_app().await;
    let body = format!("grant_type=client_credentials&client_id={SPOTNANA_CLIENT}&client_secret={SPOTNANA_EU_SECRET}");
    let reply = form_token_request(&app, &body).await;
    assert_oauth_error(&reply, 401, "invalid_client");
}

#[tokio::test]
async fn the_token_endpoint_answers_invalid_client_for_an_unknown_client_id() {
    let app = spawn_app().await;
    let body = format!(
        "grant_type=client_credentials&client_id=nobody-client&client_secret={SPOTNANA_SECRET}"
    );
    let reply = form_token_request(&app, &body).await;
    assert_oauth_error(&reply, 401, "invalid_client");
}

#[tokio::test]
async fn the_token_endpoint_answers_invalid_client_for_a_partner_that_does_not_use_oauth2() {
    let app = spawn_app().await;
    for (id, secret) in [
        (AGW_USER, AGW_PASSWORD),
        ("hahn-air", HAHN_TOKEN),
        ("airgateway", AGW_PASSWORD),
    ] {
        let body = format!("grant_type=client_credentials&client_id={id}&client_secret={secret}");
        let reply = form_token_request(&app, &body).await;
        assert_oauth_error(&reply, 401, "invalid_client");
    }
}

#[tokio::test]
async fn the_token_endpoint_answers_invalid_client_without_credentials() {
    let app = spawn_app().await;
    let reply = form_token_request(&app, "grant_type=client_credentials").await;
    assert_oauth_error(&reply, 401, "invalid_client");
}

#[tokio::test]
async fn the_token_endpoint_answers_invalid_request_for_a_json_body() {
    let app = spawn_app().await;
    let body = json!({"grant_type": "client_credentials", "client_id": SPOTNANA_CLIENT, "client_secret": SPOTNANA_SECRET});
    let reply = token_request(&app, "application/json", &body.to_string(), None).await;
    assert_oauth_error(&reply, 400, "invalid_request");
}

#[tokio::test]
async fn the_token_endpoint_answers_invalid_request_for_two_authentication_methods() {
    let app = spawn_app().await;
    let authorization = basic(SPOTNANA_CLIENT, SPOTNANA_SECRET);
    let body = format!(
        "grant_type=client_credentials&client_id={SPOTNANA_CLIENT}&client_secret={SPOTNANA_SECRET}"
    );
    let reply = token_request(
        &app,
        "application/x-www-form-urlencoded",
        &body,
        Some(&authorization),
    )
    .await;
    assert_oauth_error(&reply, 400, "invalid_request");
}

#[tokio::test]
async fn the_token_endpoint_answers_invalid_request_for_a_repeated_parameter() {
    // RFC 6749 §3.2: "Request and response parameters MUST NOT be included more than once."
    let app = spawn_app().await;
    let body = format!(
        "grant_type=client_credentials&grant_type=client_credentials&client_id={SPOTNANA_CLIENT}&client_secret={SPOTNANA_SECRET}"
    );
    let reply = form_token_request(&app, &body).await;
    assert_oauth_error(&reply, 400, "invalid_request");
}

#[tokio::test]
async fn fifty_concurrent_token_requests_all_succeed_and_every_token_stays_valid() {
    let app = spawn_app().await;
    let url = format!("{}/oauth/token", app.ingest);
    let body = format!(
        "grant_type=client_credentials&client_id={SPOTNANA_CLIENT}&client_secret={SPOTNANA_SECRET}"
    );
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let (client, url, body) = (app.client.clone(), url.clone(), body.clone());
        requests.spawn(async move {
            let response = client
                .post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .expect("token request");
            read(response).await
        });
    }
    // In completion order: the first token issued is the first one tried below.
    let mut tokens = Vec::with_capacity(50);
    while let Some(reply) = requests.join_next().await {
        let reply = reply.expect("token task");
        tokens.push(assert_token_issued(&reply));
    }
    assert_eq!(tokens.len(), 50);

    let body = fixture("spotnana/traveler-v2.json");
    for (i, token) in tokens.iter().enumerate() {
        let authorization = format!("Bearer {token}");
        let key = format!("concurrent-token-{i}");
        let headers = [
            ("authorization", authorization.as_str()),
            ("idempotency-key", key.as_str()),
        ];
        let reply = post_with_headers(&app, "spotnana", &body, &headers).await;
        assert_eq!(reply.status, 200, "token #{i}: {reply:?}");
        assert_eq!(
            reply.json["status"], "ignored",
            "token #{i}: {:?}",
            reply.json
        );
        assert_no_secrets(&reply);
    }
    let events = app.events().await;
    assert_eq!(events.len(), 50, "one archived event per accepted delivery");
}

// ---------------------------------------------------------------------------------------
// secrets never appear in responses
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn no_answer_ever_contains_a_secret() {
    let app = spawn_app().await;
    let mut replies: Vec<Reply> = Vec::new();
    // Successes.
    replies.push(
        app.post("hahn-air/booking-create", &hahn_body(), partners::hahn())
            .await,
    );
    replies.push(app.post("airgateway", &agw_body(), partners::agw()).await);
    replies.push(app.post("traxo", &traxo_body(), partners::traxo()).await);
    replies.push(
        app.post("spotnana", &spotnana_body(), partners::spotnana())
            .await,
    );
    replies.push(
        app.post("transfers", &transfers_body(), partners::transfers())
            .await,
    );
    // Near misses, whose messages might be tempted to say what was expected.
    replies.push(
        app.post(
            "hahn-air/booking-create",
            &hahn_body(),
            Auth::TokenQuery(format!("{HAHN_TOKEN}x")),
        )
        .await,
    );
    replies.push(
        app.post(
            "airgateway",
            &agw_body(),
            Auth::Basic(AGW_USER.into(), format!("{AGW_PASSWORD}x")),
        )
        .await,
    );
    replies.push(
        app.post(
            "traxo",
            &traxo_body(),
            Auth::Basic("nobody".into(), TRAXO_PASSWORD.into()),
        )
        .await,
    );
    replies.push(
        app.post(
            "spotnana",
            &spotnana_body(),
            Auth::Bearer(SPOTNANA_SECRET.into()),
        )
        .await,
    );
    replies.push(
        app.post(
            "transfers",
            &transfers_body(),
            Auth::Hmac {
                secret: TRANSFERS_SECRET.into(),
                id: msg_id(),
                skew_s: -600,
            },
        )
        .await,
    );
    // Invalid payloads from authenticated partners.
    replies.push(
        app.post(
            "hahn-air/booking-create",
            &fixture("hahn_air/booking-create-invalid.json"),
            partners::hahn(),
        )
        .await,
    );
    replies.push(
        app.post("hahn-air/booking-create", "{not json", partners::hahn())
            .await,
    );
    // The token endpoint, every way.
    let good = format!(
        "grant_type=client_credentials&client_id={SPOTNANA_CLIENT}&client_secret={SPOTNANA_SECRET}"
    );
    replies.push(form_token_request(&app, &good).await);
    replies.push(form_token_request(&app, &format!("grant_type=client_credentials&client_id={SPOTNANA_CLIENT}&client_secret={SPOTNANA_SECRET}x")).await);
    replies.push(
        form_token_request(
            &app,
            &format!(
                "grant_type=password&client_id={SPOTNANA_CLIENT}&client_secret={SPOTNANA_SECRET}"
            ),
        )
        .await,
    );
    replies.push(
        token_request(
            &app,
            "application/json",
            &json!({"client_secret": SPOTNANA_SECRET}).to_string(),
            None,
        )
        .await,
    );
    let authorization = basic(SPOTNANA_CLIENT, SPOTNANA_SECRET);
    replies.push(
        token_request(
            &app,
            "application/x-www-form-urlencoded",
            &good,
            Some(&authorization),
        )
        .await,
    );

    let statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [200, 200, 200, 200, 200, 401, 401, 401, 401, 401, 422, 400, 200, 401, 400, 400, 400]
    );
    // The near-miss values sent above contain a secret, so they are not echoed either.
    for reply in &replies {
        assert_no_secrets(reply);
    }
    // The token's claims name the partner and the ingest, not the key.
    let token = replies[12].json["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let claims = token.split('.').nth(1).expect("claims part");
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(claims)
            .expect("base64url claims"),
    )
    .expect("claims JSON");
    assert_eq!(claims["sub"], "spotnana");
    assert_eq!(claims["aud"], INGEST_AUDIENCE);
    assert_no_secrets(&Reply {
        status: 200,
        headers: Default::default(),
        json: claims,
    });
}
