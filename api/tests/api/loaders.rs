//! Nested lists go through DataLoaders: a page of bookings with segments, passengers and
//! events costs the same few SQL statements whatever the page size.

use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc,
};

use api::auth::{Principal, Role};
use async_graphql::Request;
use serde_json::json;

use crate::support::{analyst, seed, TestDb};

const PAGE_WITH_EVERYTHING: &str = r#"query ($first: Int) {
  bookings(first: $first) {
    totalCount
    edges { node {
      id reference
      customer { email }
      ...Lists
    } }
  }
}
fragment Lists on Booking {
  passengers { id lastName email lead }
  segments { id sequence origin { code } }
  events { id type payload }
}"#;

/// Runs the page query directly on the schema and returns (statements, bookings returned).
async fn statements_for(database: &TestDb, counter: &AtomicUsize, first: i64) -> (usize, usize) {
    let schema = api::build_schema(database.db.clone());
    counter.store(0, Ordering::SeqCst);
    let request = Request::new(PAGE_WITH_EVERYTHING)
        .variables(async_graphql::Variables::from_json(json!({"first": first})))
        .data(analyst());
    let response = schema.execute(request).await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    let data = response.data.into_json().unwrap();
    let edges = data["bookings"]["edges"].as_array().unwrap();
    assert!(edges
        .iter()
        .all(|e| e["node"]["segments"].as_array().unwrap().len() == 2));
    assert!(edges
        .iter()
        .all(|e| e["node"]["passengers"].as_array().unwrap().len() == 2));
    assert!(edges
        .iter()
        .all(|e| e["node"]["events"].as_array().unwrap().len() == 2));
    (counter.load(Ordering::SeqCst), edges.len())
}

#[tokio::test]
async fn a_page_of_100_bookings_with_nested_lists_costs_a_constant_number_of_statements() {
    let mut database = TestDb::new().await;
    for i in 0..110 {
        seed::full_booking(&database.db, &format!("r-{i}"), seed::at(i)).await;
    }
    let counter = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&counter);
    database.db.set_metric_callback(move |_info| {
        counted.fetch_add(1, Ordering::SeqCst);
    });

    let (small, small_rows) = statements_for(&database, &counter, 5).await;
    let (large, large_rows) = statements_for(&database, &counter, 100).await;

    assert_eq!((small_rows, large_rows), (5, 100));
    // count + page + segments + passengers + events.
    assert_eq!(large, 5, "statements for 100 bookings");
    assert_eq!(small, large, "the cost does not grow with the page");
}

#[tokio::test]
async fn one_booking_with_its_lists_costs_one_statement_per_list_and_landing_loads_no_events() {
    let mut database = TestDb::new().await;
    let booking = seed::full_booking(&database.db, "r-1", seed::at(1)).await;
    let counter = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&counter);
    database.db.set_metric_callback(move |_info| {
        counted.fetch_add(1, Ordering::SeqCst);
    });
    let schema = api::build_schema(database.db.clone());
    let query = "query ($id: ID!) { booking(id: $id) { id segments { id } passengers { id } events { id } } }";
    let variables = async_graphql::Variables::from_json(json!({"id": booking.id}));

    counter.store(0, Ordering::SeqCst);
    let request = Request::new(query)
        .variables(variables.clone())
        .data(analyst());
    assert!(schema.execute(request).await.errors.is_empty());
    assert_eq!(
        counter.load(Ordering::SeqCst),
        4,
        "booking + segments + passengers + events"
    );

    counter.store(0, Ordering::SeqCst);
    let landing = Principal {
        role: Role::Landing,
        subject: None,
    };
    let response = schema
        .execute(Request::new(query).variables(variables).data(landing))
        .await;
    assert_eq!(response.errors.len(), 1, "events refused");
    assert_eq!(
        counter.load(Ordering::SeqCst),
        3,
        "the refused events are not even read"
    );
}
