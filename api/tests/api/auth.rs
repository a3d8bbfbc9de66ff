//! Every POST /graphql needs a valid HS256 bearer token; anything else is a 401.

use std::time::{SystemTime, UNIX_EPOCH};

use api::auth::Role;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use crate::support::{spawn_app, TestApp, SECRET};

const QUERY: &str = "{ booking(id: \"00000000-0000-0000-0000-000000000000\") { id } }";

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn sign(alg: Algorithm, secret: &str, claims: &Value) -> String {
    jsonwebtoken::encode(
        &Header::new(alg),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

async fn assert_refused(app: &TestApp, token: Option<&str>) {
    let response = app.post_graphql(token, &json!({ "query": QUERY })).await;
    assert_eq!(response.status(), 401);
    let challenge = response.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(challenge.starts_with("Bearer"), "{challenge}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized", "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
}

#[tokio::test]
async fn a_request_without_a_token_is_refused_with_401_and_a_bearer_challenge() {
    let app = spawn_app().await;
    assert_refused(&app, None).await;
    // Even a body that is not GraphQL is refused for the missing token first.
    let response = app
        .client
        .post(app.url("/graphql"))
        .body("garbage")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn a_token_signed_with_another_secret_is_refused() {
    let app = spawn_app().await;
    let token = sign(
        Algorithm::HS256,
        "another-secret",
        &json!({"role": "analyst", "exp": now() + 600, "sub": "x"}),
    );
    assert_refused(&app, Some(&token)).await;
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let app = spawn_app().await;
    let token = sign(
        Algorithm::HS256,
        SECRET,
        &json!({"role": "analyst", "exp": now() - 30, "sub": "x"}),
    );
    assert_refused(&app, Some(&token)).await;
}

#[tokio::test]
async fn a_token_without_exp_is_refused() {
    let app = spawn_app().await;
    let token = sign(
        Algorithm::HS256,
        SECRET,
        &json!({"role": "analyst", "sub": "x"}),
    );
    assert_refused(&app, Some(&token)).await;
}

#[tokio::test]
async fn an_unsigned_alg_none_token_is_refused() {
    let app = spawn_app().await;
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let claims = URL_SAFE_NO_PAD
        .encode(json!({"role": "analyst", "exp": now() + 600, "sub": "x"}).to_string());
    assert_refused(&app, Some(&format!("{header}.{claims}."))).await;
}

#[tokio::test]
async fn a_token_with_another_algorithm_is_refused_even_with_the_right_secret() {
    let app = spawn_app().await;
    let token = sign(
        Algorithm::HS512,
        SECRET,
        &json!({"role": "analyst", "exp": now() + 600, "sub": "x"}),
    );
    assert_refused(&app, Some(&token)).await;
}

#[tokio::test]
async fn a_token_with_an_unknown_role_is_refused() {
    let app = spawn_app().await;
    let token = sign(
        Algorithm::HS256,
        SECRET,
        &json!({"role": "admin", "exp": now() + 600, "sub": "x"}),
    );
    assert_refused(&app, Some(&token)).await;
}

#[tokio::test]
async fn a_valid_token_signed_elsewhere_with_the_shared_secret_is_accepted() {
    let app = spawn_app().await;
    let token = sign(
        Algorithm::HS256,
        SECRET,
        &json!({"role": "landing", "exp": now() + 600, "sub": "landing-site"}),
    );
    let response = app
        .post_graphql(Some(&token), &json!({ "query": QUERY }))
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({"data": {"booking": null}}));
    // And the token the api itself issues works too.
    let body = app.query(Role::Analyst, QUERY, json!({})).await;
    assert_eq!(body, json!({"data": {"booking": null}}));
}
