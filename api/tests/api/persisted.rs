//! Automatic Persisted Queries (Apollo's protocol): an unknown hash is
//! `PERSISTED_QUERY_NOT_FOUND`, hash and query together register it (the hash checked),
//! and then the hash alone runs it, for any variables.

use api::{auth::Role, schema::persisted::sha256_hex};
use serde_json::{json, Value};

use crate::support::{error_codes, seed, spawn_app, TestApp};

const TRIP: &str = "query Trip($id: ID!) { booking(id: $id) { reference status } }";

fn persisted(hash: &str) -> Value {
    json!({"persistedQuery": {"version": 1, "sha256Hash": hash}})
}

async fn post(app: &TestApp, body: Value) -> Value {
    let token = app.token(Role::Landing);
    let response = app.post_graphql(Some(&token), &body).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn an_unknown_hash_is_not_found_then_registered_with_its_query_then_runs_alone() {
    let app = spawn_app().await;
    let first = seed::booking(&app.db, "traxo", "r-1", seed::at(1)).await;
    let second = seed::booking(&app.db, "traxo", "r-2", seed::at(2)).await;
    let hash = sha256_hex(TRIP);

    let body = post(
        &app,
        json!({"extensions": persisted(&hash), "variables": {"id": first.id}}),
    )
    .await;
    assert_eq!(error_codes(&body), ["PERSISTED_QUERY_NOT_FOUND"], "{body}");
    assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");
    assert!(body["data"].is_null());

    let body = post(
        &app,
        json!({"query": TRIP, "extensions": persisted(&hash), "variables": {"id": first.id}}),
    )
    .await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(body["data"]["booking"]["reference"], "r-1");

    let body = post(
        &app,
        json!({"extensions": persisted(&hash), "variables": {"id": second.id}}),
    )
    .await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(body["data"]["booking"]["reference"], "r-2");
    // Upper-case hex names the same query.
    let upper = hash.to_ascii_uppercase();
    let body = post(
        &app,
        json!({"extensions": persisted(&upper), "variables": {"id": second.id}}),
    )
    .await;
    assert_eq!(body["data"]["booking"]["reference"], "r-2", "{body}");
}

#[tokio::test]
async fn a_hash_that_is_not_the_querys_registers_nothing() {
    let app = spawn_app().await;
    let wrong = sha256_hex("{ partners }");
    let body = post(
        &app,
        json!({"query": TRIP, "extensions": persisted(&wrong), "variables": {"id": "x"}}),
    )
    .await;
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("does not match"), "{message}");
    let body = post(&app, json!({"extensions": persisted(&wrong)})).await;
    assert_eq!(error_codes(&body), ["PERSISTED_QUERY_NOT_FOUND"]);

    let body = post(
        &app,
        json!({"query": TRIP, "extensions": {"persistedQuery": {"version": 2, "sha256Hash": wrong}}}),
    )
    .await;
    assert_eq!(
        error_codes(&body),
        ["PERSISTED_QUERY_NOT_SUPPORTED"],
        "{body}"
    );
}

#[tokio::test]
async fn a_query_over_the_limits_is_refused_and_not_registered() {
    let app = spawn_app().await;
    // 24 fragments that each spread the previous one twice: 2^24 fields expanded.
    let mut query = "query { ...F24 }\nfragment F0 on Query { partners }\n".to_owned();
    for i in 1..=24 {
        let previous = i - 1;
        query.push_str(&format!(
            "fragment F{i} on Query {{ ...F{previous} ...F{previous} }}\n"
        ));
    }
    let hash = sha256_hex(&query);
    let started = std::time::Instant::now();
    let body = post(
        &app,
        json!({"query": query, "extensions": persisted(&hash)}),
    )
    .await;
    assert!(started.elapsed().as_secs() < 2);
    assert!(
        error_codes(&body)
            .iter()
            .all(|code| code.starts_with("QUERY_TOO")),
        "{body}"
    );
    let body = post(&app, json!({"extensions": persisted(&hash)})).await;
    assert_eq!(error_codes(&body), ["PERSISTED_QUERY_NOT_FOUND"]);
}
