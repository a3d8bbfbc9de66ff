//! Parsed query documents are kept between requests: the same query string with other
//! variables is parsed once and still answers for its own variables, `@skip`/`@include`
//! decided per request, and a query that does not parse is refused every time. A
//! validation is kept for its document, operation and variables, a refusal never.

use api::schema::{build_schema_with, documents::DocumentCache};
use async_graphql::{Request, Variables};
use serde_json::{json, Value};

use crate::support::{analyst, seed, TestDb};

const BY_ID: &str = "query ($id: ID!, $skip: Boolean! = false) {
  booking(id: $id) { reference segments @skip(if: $skip) { sequence } }
}";

async fn run(schema: &api::ApiSchema, query: &str, variables: Value) -> Value {
    let request = Request::new(query)
        .variables(Variables::from_json(variables))
        .data(analyst());
    let response = schema.execute(request).await;
    serde_json::to_value(&response).unwrap()
}

#[tokio::test]
async fn one_query_string_is_parsed_once_and_answers_for_each_requests_variables() {
    let database = TestDb::new().await;
    let first = seed::full_booking(&database.db, "r-1", seed::at(1)).await;
    let second = seed::booking(&database.db, "hahn-air", "r-2", seed::at(2)).await;
    let documents = DocumentCache::new();
    let schema = build_schema_with(database.db.clone(), documents.clone());

    let reply = run(&schema, BY_ID, json!({"id": first.id})).await;
    assert_eq!(
        reply["data"]["booking"],
        json!({"reference": "r-1", "segments": [{"sequence": 1}, {"sequence": 2}]})
    );
    assert_eq!(documents.len(), 1);

    // The same string: the kept document, other variables, another answer.
    let reply = run(&schema, BY_ID, json!({"id": second.id})).await;
    assert_eq!(
        reply["data"]["booking"],
        json!({"reference": "r-2", "segments": []})
    );
    // `@skip` is applied to the request's copy, never to the kept document.
    let reply = run(&schema, BY_ID, json!({"id": first.id, "skip": true})).await;
    assert_eq!(reply["data"]["booking"], json!({"reference": "r-1"}));
    let reply = run(&schema, BY_ID, json!({"id": first.id})).await;
    assert_eq!(reply["data"]["booking"]["segments"][1]["sequence"], 2);
    assert_eq!(documents.len(), 1, "one string, one document");

    let other = "query ($id: ID!) { booking(id: $id) { status } }";
    let reply = run(&schema, other, json!({"id": first.id})).await;
    assert_eq!(reply["data"]["booking"]["status"], "CONFIRMED");
    assert_eq!(documents.len(), 2);
}

#[tokio::test]
async fn a_query_that_does_not_parse_is_refused_every_time_and_not_kept() {
    let database = TestDb::new().await;
    let documents = DocumentCache::new();
    let schema = build_schema_with(database.db.clone(), documents.clone());
    let broken = "query { booking(id: \"x\") { reference ";
    let first = run(&schema, broken, json!({})).await;
    let again = run(&schema, broken, json!({})).await;
    let message = first["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("expected"), "{first}");
    assert_eq!(first["errors"], again["errors"]);
    assert!(documents.is_empty());
}

#[tokio::test]
async fn a_validation_is_kept_for_the_same_document_and_variables_and_a_refusal_is_not() {
    let database = TestDb::new().await;
    let booking = seed::booking(&database.db, "traxo", "r-1", seed::at(1)).await;
    let documents = DocumentCache::new();
    let schema = build_schema_with(database.db.clone(), documents.clone());

    let reply = run(&schema, BY_ID, json!({"id": booking.id})).await;
    assert_eq!(reply["data"]["booking"]["reference"], "r-1");
    assert_eq!(documents.validated(), 1);
    let reply = run(&schema, BY_ID, json!({"id": booking.id})).await;
    assert_eq!(reply["data"]["booking"]["reference"], "r-1");
    assert_eq!(
        documents.validated(),
        1,
        "the same request is not validated again"
    );
    run(&schema, BY_ID, json!({"id": booking.id, "skip": true})).await;
    assert_eq!(
        documents.validated(),
        2,
        "other variables, another validation"
    );

    // A value the validation refuses is refused every time, and nothing is kept.
    let counts = "query ($n: Int!) { bookingCountsByDestination(first: $n) { count } }";
    for _ in 0..2 {
        let reply = run(&schema, counts, json!({"n": "ten"})).await;
        assert!(reply["errors"][0]["message"].is_string(), "{reply}");
    }
    assert_eq!(documents.validated(), 2);
    let reply = run(&schema, counts, json!({"n": 10})).await;
    assert!(reply.get("errors").is_none(), "{reply}");
    assert_eq!(documents.validated(), 3);
}
