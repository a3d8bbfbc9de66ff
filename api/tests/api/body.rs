//! Request bodies: over the limit is 413 whether the size was declared or streamed
//! (chunked), and a body that is not a GraphQL request is 400 — both with the JSON error
//! body and a message a client can read, never the server's internals.

use api::{auth::Role, HttpOptions};
use serde_json::{json, Value};

use crate::support::{spawn_app_with, TestApp};

const LIMIT: usize = 1024;

async fn app_with_small_limit() -> TestApp {
    spawn_app_with(HttpOptions {
        body_limit: LIMIT,
        ..HttpOptions::default()
    })
    .await
}

/// A GraphQL request of about `size` bytes.
fn padded_request(size: usize) -> Vec<u8> {
    let padding = " ".repeat(size.saturating_sub(30));
    json!({"query": format!("{{ partners }}{padding}")})
        .to_string()
        .into_bytes()
}

/// A message without Rust debug output (`Io(Custom { kind: Other, … })` and the like).
fn assert_clean(message: &str) {
    assert!(!message.is_empty());
    for internal in [
        "Custom {",
        "kind:",
        "Io(",
        "Error {",
        "ParseRequestError",
        "panicked",
    ] {
        assert!(
            !message.contains(internal),
            "internal detail in {message:?}"
        );
    }
}

fn assert_error(body: &Value, code: &str) {
    assert_eq!(body["error"]["code"], code, "{body}");
    assert_clean(body["error"]["message"].as_str().unwrap_or_default());
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_refused_with_413_and_a_json_error() {
    let app = app_with_small_limit().await;
    let token = app.token(Role::Analyst);

    let response = app
        .post_chunked(&token, &padded_request(4 * LIMIT), 512)
        .await;

    assert_eq!(response.status, 413, "{}", response.body);
    assert!(response
        .header("content-type")
        .is_some_and(|kind| kind.starts_with("application/json")));
    assert_error(&response.json(), "payload_too_large");
    assert!(response.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("1024 bytes"));
}

#[tokio::test]
async fn a_chunked_body_within_the_limit_is_answered() {
    let app = app_with_small_limit().await;
    let token = app.token(Role::Analyst);

    let response = app
        .post_chunked(&token, &padded_request(LIMIT / 2), 100)
        .await;

    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.json(), json!({"data": {"partners": []}}));
}

#[tokio::test]
async fn a_declared_length_over_the_limit_is_refused_with_413_and_a_json_error() {
    let app = app_with_small_limit().await;
    let token = app.token(Role::Analyst);
    let response = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(padded_request(4 * LIMIT))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert_error(&response.json().await.unwrap(), "payload_too_large");
}

#[tokio::test]
async fn a_body_that_is_not_a_graphql_request_is_refused_with_400_and_a_clean_message() {
    let app = app_with_small_limit().await;
    let token = app.token(Role::Analyst);
    for body in [
        &b""[..],
        b"{\"query\": ",
        b"not json",
        b"[{\"query\": \"{ partners }\"}]",
        b"{\"query\": 5}",
        b"{\"query\": \"{ partners }\", \"variables\": [1]}",
        b"{\"query\": \"\xff\xfe\"}",
    ] {
        let response = app
            .client
            .post(app.url("/graphql"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body.to_vec())
            .send()
            .await
            .unwrap();
        let shown = String::from_utf8_lossy(body).into_owned();
        assert_eq!(response.status(), 400, "{shown}");
        let reply: Value = response.json().await.unwrap();
        assert_error(&reply, "bad_request");
    }
    // The same through the chunked path.
    let response = app.post_chunked(&token, b"{\"query\": ", 4).await;
    assert_eq!(response.status, 400, "{}", response.body);
    assert_error(&response.json(), "bad_request");
}
