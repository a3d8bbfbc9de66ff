//! Queries over `GET /graphql`: the same answers as POST, cacheable
//! (`Cache-Control: private, max-age=N`, a strong `ETag`, `304` on a matching
//! `If-None-Match`), persisted-query hashes included; mutations and subscriptions are
//! refused with 405, and without query parameters the page is still GraphiQL.

use std::time::Duration;

use api::{auth::Role, schema::persisted::sha256_hex, HttpOptions};
use serde_json::{json, Value};

use crate::support::{error_codes, seed, spawn_app, spawn_app_with};

const TRIP: &str = "query Trip($id: ID!) { booking(id: $id) { reference status } }";

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|value| value.to_str().unwrap().to_owned())
}

#[tokio::test]
async fn a_query_over_get_is_answered_cacheably_and_revalidated_with_304() {
    let app = spawn_app().await;
    let booking = seed::booking(&app.db, "traxo", "r-1", seed::at(1)).await;
    let token = app.token(Role::Landing);
    let variables = json!({"id": booking.id}).to_string();
    let params = [("query", TRIP), ("variables", variables.as_str())];

    let first = app.get_graphql(Some(&token), &params, None).await;
    assert_eq!(first.status(), 200);
    assert_eq!(
        header(&first, "cache-control").as_deref(),
        Some("private, max-age=30")
    );
    assert_eq!(header(&first, "vary").as_deref(), Some("Authorization"));
    assert!(header(&first, "content-type")
        .unwrap()
        .starts_with("application/json"));
    let etag = header(&first, "etag").expect("an ETag");
    assert!(
        etag.starts_with('"') && etag.ends_with('"'),
        "strong: {etag}"
    );
    let body: Value = first.json().await.unwrap();
    assert_eq!(body["data"]["booking"]["reference"], "r-1", "{body}");

    let again = app.get_graphql(Some(&token), &params, Some(&etag)).await;
    assert_eq!(again.status(), 304);
    assert_eq!(header(&again, "etag").as_deref(), Some(etag.as_str()));
    assert_eq!(header(&again, "vary").as_deref(), Some("Authorization"));
    assert!(again.bytes().await.unwrap().is_empty(), "no body");

    let listed = format!("\"other\", W/{etag}");
    let weak = app.get_graphql(Some(&token), &params, Some(&listed)).await;
    assert_eq!(weak.status(), 304, "If-None-Match compares weakly");

    let stale = app
        .get_graphql(Some(&token), &params, Some("\"old\""))
        .await;
    assert_eq!(stale.status(), 200);
    assert_eq!(header(&stale, "etag"), Some(etag));

    let by_name = [
        ("query", TRIP),
        ("variables", variables.as_str()),
        ("operationName", "Trip"),
    ];
    let named = app.get_graphql(Some(&token), &by_name, None).await;
    let body: Value = named.json().await.unwrap();
    assert_eq!(body["data"]["booking"]["status"], "CONFIRMED", "{body}");
}

#[tokio::test]
async fn get_needs_a_token_for_a_query_and_serves_graphiql_without_one() {
    let app = spawn_app().await;
    let refused = app
        .get_graphql(None, &[("query", "{ partners }")], None)
        .await;
    assert_eq!(refused.status(), 401);

    let page = app.get_graphql(None, &[], None).await;
    assert_eq!(page.status(), 200);
    assert!(header(&page, "content-type")
        .unwrap()
        .starts_with("text/html"));

    let token = app.token(Role::Analyst);
    let bad = [("query", "{ partners }"), ("variables", "[1]")];
    let bad = app.get_graphql(Some(&token), &bad, None).await;
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn mutations_and_subscriptions_over_get_are_refused_with_405() {
    let app = spawn_app().await;
    let token = app.token(Role::Analyst);
    for query in [
        "mutation { anything }",
        "subscription { bookingChanged(id: \"x\") { id } }",
    ] {
        let response = app
            .get_graphql(Some(&token), &[("query", query)], None)
            .await;
        assert_eq!(response.status(), 405, "{query}");
        assert_eq!(header(&response, "allow").as_deref(), Some("POST"));
        assert_eq!(
            header(&response, "cache-control").as_deref(),
            Some("no-store")
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(error_codes(&body), ["METHOD_NOT_ALLOWED"], "{body}");
    }
}

#[tokio::test]
async fn answers_with_errors_are_not_cached_and_max_age_is_configurable() {
    let app = spawn_app_with(HttpOptions {
        get_max_age: Duration::from_secs(5),
        ..HttpOptions::default()
    })
    .await;
    let token = app.token(Role::Landing);
    let refused = app
        .get_graphql(Some(&token), &[("query", "{ partners }")], None)
        .await;
    assert_eq!(refused.status(), 200);
    assert_eq!(
        header(&refused, "cache-control").as_deref(),
        Some("no-store")
    );
    assert!(header(&refused, "etag").is_none());
    let body: Value = refused.json().await.unwrap();
    assert_eq!(error_codes(&body), ["FORBIDDEN"]);

    let analyst = app.token(Role::Analyst);
    let answered = app
        .get_graphql(Some(&analyst), &[("query", "{ partners }")], None)
        .await;
    assert_eq!(
        header(&answered, "cache-control").as_deref(),
        Some("private, max-age=5")
    );
}

#[tokio::test]
async fn a_persisted_query_runs_over_get_by_its_hash() {
    let app = spawn_app().await;
    let booking = seed::booking(&app.db, "traxo", "r-1", seed::at(1)).await;
    let token = app.token(Role::Landing);
    let extensions = json!({"persistedQuery": {"version": 1, "sha256Hash": sha256_hex(TRIP)}});
    let extensions = extensions.to_string();
    let variables = json!({"id": booking.id}).to_string();
    let by_hash = [
        ("extensions", extensions.as_str()),
        ("variables", variables.as_str()),
    ];

    let unknown = app.get_graphql(Some(&token), &by_hash, None).await;
    assert_eq!(
        header(&unknown, "cache-control").as_deref(),
        Some("no-store")
    );
    let body: Value = unknown.json().await.unwrap();
    assert_eq!(error_codes(&body), ["PERSISTED_QUERY_NOT_FOUND"]);

    let register = [
        ("query", TRIP),
        ("extensions", extensions.as_str()),
        ("variables", variables.as_str()),
    ];
    let registered = app.get_graphql(Some(&token), &register, None).await;
    let body: Value = registered.json().await.unwrap();
    assert_eq!(body["data"]["booking"]["reference"], "r-1", "{body}");

    let known = app.get_graphql(Some(&token), &by_hash, None).await;
    assert_eq!(known.status(), 200);
    assert!(header(&known, "etag").is_some());
    let body: Value = known.json().await.unwrap();
    assert_eq!(body["data"]["booking"]["reference"], "r-1", "{body}");
}
