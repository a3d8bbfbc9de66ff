//! Query depth, complexity and body-size limits refuse what is too big, with a clear
//! message, and still admit GraphiQL's own introspection query.

use api::{auth::Role, HttpOptions};
use serde_json::json;

use crate::support::{error_codes, spawn_app, spawn_app_with};

#[tokio::test]
async fn graphiqls_introspection_query_is_within_the_limits() {
    let app = spawn_app().await;
    let query = include_str!("fixtures/graphiql_introspection.graphql");
    let body = app.query(Role::Analyst, query, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(body["data"]["__schema"]["queryType"]["name"], "Query");
}

#[tokio::test]
async fn a_query_nested_too_deep_is_refused_with_the_limit_in_the_message() {
    let app = spawn_app().await;
    let mut selection = "name".to_owned();
    for _ in 0..16 {
        selection = format!("ofType {{ {selection} }}");
    }
    let query = format!("{{ __type(name: \"Booking\") {{ {selection} }} }}");
    let body = app.query(Role::Analyst, &query, json!({})).await;
    assert_eq!(error_codes(&body), ["QUERY_TOO_DEEP"], "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("limit of 15"), "{message}");
}

#[tokio::test]
async fn a_query_too_complex_is_refused_with_the_limit_in_the_message() {
    let app = spawn_app().await;
    let page = "bookings(first: 100) { edges { node { id reference status tripStart tripEnd \
                segments { id sequence origin { code name country } destination { code name country } } \
                passengers { id firstName } } } }";
    let query = format!(
        "{{ {} }}",
        (0..8)
            .map(|i| format!("p{i}: {page}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let body = app.query(Role::Analyst, &query, json!({})).await;
    assert_eq!(error_codes(&body), ["QUERY_TOO_COMPLEX"], "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("exceeds the limit of"), "{message}");
    // One such page alone is fine.
    let body = app
        .query(Role::Analyst, &format!("{{ {page} }}"), json!({}))
        .await;
    assert!(body.get("errors").is_none(), "{body}");
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_with_413() {
    let app = spawn_app_with(HttpOptions {
        body_limit: 1024,
        ..HttpOptions::default()
    })
    .await;
    let padding = " ".repeat(4096);
    let token = app.token(Role::Analyst);
    let response = app
        .post_graphql(
            Some(&token),
            &json!({"query": format!("{{ partners }}{padding}")}),
        )
        .await;
    assert_eq!(response.status(), 413);
}
