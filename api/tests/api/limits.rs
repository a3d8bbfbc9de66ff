//! Query limits (tokens, nesting, fragments, aliases, expansion, depth, complexity) and
//! the body-size limit refuse what is too big, before the work they limit, with a clear
//! message naming the limit; GraphiQL's own introspection query stays within them.

use std::time::{Duration, Instant};

use api::{auth::Role, HttpOptions};
use serde_json::{json, Value};

use crate::support::{error_codes, spawn_app, spawn_app_with, TestApp};

/// `fragment F0 on Booking { id } fragment F1 on Booking { ...F0 ...F0 } …` up to
/// `F{count}`, spread once in `booking(id: "x")`: about 1 KB of text for 24 fragments,
/// 2^24 fields once expanded.
fn doubling_fragments(count: usize) -> String {
    let mut query = "fragment F0 on Booking { id }".to_owned();
    for i in 1..=count {
        let previous = i - 1;
        query.push_str(&format!(
            " fragment F{i} on Booking {{ ...F{previous} ...F{previous} }}"
        ));
    }
    query.push_str(&format!(
        " query {{ booking(id: \"x\") {{ ...F{count} }} }}"
    ));
    query
}

/// The one error of a refused query, asserting its code and that its message names
/// `limit`.
fn assert_refused(body: &Value, code: &str, limit: &str) {
    assert_eq!(error_codes(body), [code], "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains(limit), "{limit} not in {message:?}");
    assert!(body["data"].is_null(), "nothing was executed: {body}");
}

async fn analyst_query(app: &TestApp, query: &str) -> Value {
    app.query(Role::Analyst, query, json!({})).await
}

#[tokio::test]
async fn a_document_whose_fragments_expand_exponentially_is_refused_at_once() {
    let app = spawn_app().await;
    let query = doubling_fragments(24);
    assert!(query.len() < 1500, "{} bytes", query.len());

    let started = Instant::now();
    let body = analyst_query(&app, &query).await;

    assert_refused(&body, "QUERY_TOO_LARGE", "limit of 12000");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("the query expands to 16777217 fields"),
        "{message}"
    );
    // A guard, not a benchmark: the refusal takes milliseconds, the expansion seconds.
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_answers_while_exponential_documents_are_in_flight() {
    let app = std::sync::Arc::new(spawn_app().await);
    let query = doubling_fragments(24);
    let in_flight: Vec<_> = (0..6)
        .map(|_| {
            let app = std::sync::Arc::clone(&app);
            let query = query.clone();
            tokio::spawn(async move { analyst_query(&app, &query).await })
        })
        .collect();

    let health = app
        .client
        .get(app.url("/healthz"))
        .timeout(Duration::from_secs(1))
        .send()
        .await
        .expect("/healthz answers within 1 s");
    assert_eq!(health.status(), 200);
    for request in in_flight {
        assert_refused(&request.await.unwrap(), "QUERY_TOO_LARGE", "limit of 12000");
    }
}

#[tokio::test]
async fn a_query_with_too_many_tokens_is_refused_before_it_is_parsed() {
    let app = spawn_app().await;
    let fields = |count: usize| format!("{{ booking(id: \"x\") {{ {} }} }}", "id ".repeat(count));
    // Within the limit: parsed, validated and answered.
    let body = analyst_query(&app, &fields(4_900)).await;
    assert_eq!(body, json!({"data": {"booking": null}}));

    let body = analyst_query(&app, &fields(5_000)).await;
    assert_refused(&body, "QUERY_TOO_MANY_TOKENS", "5000 tokens");
}

#[tokio::test]
async fn brackets_nested_too_deep_are_refused_before_they_are_parsed() {
    let app = spawn_app().await;
    // The whole body limit of `{`: the parser would recurse once per bracket.
    let query = "{".repeat(200_000);
    let body = analyst_query(&app, &query).await;
    assert_refused(&body, "QUERY_TOO_DEEP", "more than 32 levels");
    let query = format!(
        "{{ booking(id: {}1{}) {{ id }} }}",
        "[".repeat(1_000),
        "]".repeat(1_000)
    );
    let body = analyst_query(&app, &query).await;
    assert_refused(&body, "QUERY_TOO_DEEP", "more than 32 levels");
}

#[tokio::test]
async fn selections_nested_too_deep_through_fragments_are_refused_before_validation() {
    let app = spawn_app().await;
    let mut query = "fragment N0 on Booking { id }".to_owned();
    for i in 1..=20 {
        query.push_str(&format!(
            " fragment N{i} on Booking {{ ... on Booking {{ ...N{} }} }}",
            i - 1
        ));
    }
    query.push_str(" { booking(id: \"x\") { ...N20 } }");
    let body = analyst_query(&app, &query).await;
    assert_refused(&body, "QUERY_TOO_DEEP", "limit of 32");
}

#[tokio::test]
async fn a_query_with_too_many_aliases_is_refused() {
    let app = spawn_app().await;
    let aliases = |count: usize| {
        let fields: Vec<String> = (0..count)
            .map(|i| format!("b{i}: booking(id: \"{i}\") {{ id }}"))
            .collect();
        format!("{{ {} }}", fields.join(" "))
    };
    let body = analyst_query(&app, &aliases(50)).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(body["data"]["b49"], Value::Null);

    let body = analyst_query(&app, &aliases(51)).await;
    assert_refused(&body, "QUERY_TOO_MANY_ALIASES", "limit of 50");
}

#[tokio::test]
async fn a_query_with_too_many_fragments_is_refused() {
    let app = spawn_app().await;
    let fragments = |count: usize| {
        let spreads: String = (0..count).map(|i| format!("...F{i} ")).collect();
        let definitions: String = (0..count)
            .map(|i| format!("fragment F{i} on Booking {{ id }} "))
            .collect();
        format!("{{ booking(id: \"x\") {{ {spreads}}} }} {definitions}")
    };
    let body = analyst_query(&app, &fragments(50)).await;
    assert_eq!(body, json!({"data": {"booking": null}}));

    let body = analyst_query(&app, &fragments(51)).await;
    assert_refused(&body, "QUERY_TOO_MANY_FRAGMENTS", "limit of 50");
}

#[tokio::test]
async fn fragments_that_spread_each_other_in_a_cycle_are_refused() {
    let app = spawn_app().await;
    let query = "{ booking(id: \"x\") { ...A } } \
                 fragment A on Booking { id ...B } fragment B on Booking { status ...A }";
    let body = analyst_query(&app, query).await;
    assert_eq!(error_codes(&body), ["GRAPHQL_VALIDATION_FAILED"], "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("spreads itself"), "{message}");
}

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
