//! Trusted documents (`API_TRUSTED_DOCUMENTS`): landing tokens run only the operations
//! of the `.graphql` files given, matched by their text whatever its layout, or by the
//! persisted-query hash of a file's text; analysts run anything; a bad file stops
//! start-up naming it.

use std::{path::PathBuf, process::Command};

use api::{
    auth::Role,
    schema::{documents::DocumentCache, persisted::sha256_hex, trusted::TrustedDocuments},
    HttpOptions,
};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{error_codes, seed, spawn_app_with_documents, TestApp, SECRET};

const TRIP: &str = "# The landing page.\nquery Trip($id: ID!) {\n  booking(id: $id) {\n    reference\n    status\n  }\n}\n";

const PAIR: &str = "query Status($id: ID!) { booking(id: $id) { status } }\n\
                    query Reference($id: ID!) { booking(id: $id) { reference } }\n";

/// A fresh folder holding `files` (name, text).
fn folder(files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tripgraph_trusted_{}", Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    dir
}

async fn app() -> TestApp {
    let dir = folder(&[
        ("trip.graphql", TRIP),
        ("pair.graphql", PAIR),
        ("notes.txt", "{"),
    ]);
    let trusted = TrustedDocuments::load(&dir).unwrap();
    assert_eq!(trusted.len(), 2, "only .graphql files");
    spawn_app_with_documents(HttpOptions::default(), DocumentCache::trusting(trusted)).await
}

async fn post(app: &TestApp, role: Role, body: Value) -> Value {
    let token = app.token(role);
    let response = app.post_graphql(Some(&token), &body).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_landing_token_runs_trusted_documents_only_and_an_analyst_anything() {
    let app = app().await;
    let booking = seed::booking(&app.db, "traxo", "r-1", seed::at(1)).await;
    let id = json!({"id": booking.id});

    // Another layout of the same document is the same document.
    let relaid = "query Trip($id:ID!){booking(id:$id){reference,status}}";
    let body = post(
        &app,
        Role::Landing,
        json!({"query": relaid, "variables": id}),
    )
    .await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(body["data"]["booking"]["reference"], "r-1");

    let pair = json!({"query": PAIR, "variables": id, "operationName": "Reference"});
    let body = post(&app, Role::Landing, pair).await;
    assert_eq!(body["data"]["booking"]["reference"], "r-1", "{body}");

    let other = "query Trip($id: ID!) { booking(id: $id) { reference tripStart } }";
    let body = post(
        &app,
        Role::Landing,
        json!({"query": other, "variables": id}),
    )
    .await;
    assert_eq!(error_codes(&body), ["OPERATION_NOT_TRUSTED"], "{body}");
    assert!(body["data"].is_null());

    let body = post(
        &app,
        Role::Analyst,
        json!({"query": other, "variables": id}),
    )
    .await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(body["data"]["booking"]["tripStart"], "2024-03-01T10:00:00Z");
}

#[tokio::test]
async fn persisted_query_hashes_of_trusted_documents_run_and_others_do_not_register() {
    let app = app().await;
    let booking = seed::booking(&app.db, "traxo", "r-1", seed::at(1)).await;
    let id = json!({"id": booking.id});
    let persisted = |hash: String| json!({"persistedQuery": {"version": 1, "sha256Hash": hash}});

    // The hash of the file's text runs from the first request.
    let body = post(
        &app,
        Role::Landing,
        json!({"extensions": persisted(sha256_hex(TRIP)), "variables": id}),
    )
    .await;
    assert_eq!(body["data"]["booking"]["status"], "CONFIRMED", "{body}");

    // An untrusted document is refused, so its hash is not registered.
    let other = "{ booking(id: \"x\") { id } }";
    let register = json!({"query": other, "extensions": persisted(sha256_hex(other))});
    let body = post(&app, Role::Landing, register).await;
    assert_eq!(error_codes(&body), ["OPERATION_NOT_TRUSTED"], "{body}");
    let lookup = json!({"extensions": persisted(sha256_hex(other))});
    let body = post(&app, Role::Landing, lookup.clone()).await;
    assert_eq!(error_codes(&body), ["PERSISTED_QUERY_NOT_FOUND"], "{body}");

    // Registered by an analyst, it is still refused to a landing token.
    let register = json!({"query": other, "extensions": persisted(sha256_hex(other))});
    let body = post(&app, Role::Analyst, register).await;
    assert!(body.get("errors").is_none(), "{body}");
    let body = post(&app, Role::Landing, lookup).await;
    assert_eq!(error_codes(&body), ["OPERATION_NOT_TRUSTED"], "{body}");

    // Over GET too.
    let token = app.token(Role::Landing);
    let variables = id.to_string();
    let params = [("query", TRIP), ("variables", variables.as_str())];
    let response = app.get_graphql(Some(&token), &params, None).await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["booking"]["reference"], "r-1", "{body}");
}

#[test]
fn a_bad_file_stops_start_up_naming_it() {
    let dir = folder(&[
        ("trip.graphql", TRIP),
        ("broken.graphql", "query { booking("),
    ]);
    let message = TrustedDocuments::load(&dir).unwrap_err();
    assert!(
        format!("{message:#}").contains("broken.graphql"),
        "{message:#}"
    );

    let fragments = folder(&[("f.graphql", "fragment F on Booking { id }")]);
    let message = TrustedDocuments::load(&fragments).unwrap_err();
    assert!(format!("{message:#}").contains("f.graphql"), "{message:#}");

    let empty = folder(&[]);
    let message = TrustedDocuments::load(&empty).unwrap_err();
    assert!(
        format!("{message:#}").contains("no .graphql file"),
        "{message:#}"
    );

    // The binary refuses to start, before it touches a database.
    let output = Command::new(env!("CARGO_BIN_EXE_api"))
        .args(["--trusted-documents", dir.to_str().unwrap()])
        .env("API_JWT_SECRET", SECRET)
        .env("API_ADDR", "127.0.0.1:0")
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .output()
        .expect("run api");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("broken.graphql"), "{stderr}");
}
