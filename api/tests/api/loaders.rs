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

/// Statements for one `booking(id)` with segments, passengers and events: on PostgreSQL
/// the booking and its lists are one statement (events one more); on SQLite, where a
/// statement costs no round trip, one each.
fn single_booking_statements(db: &sea_orm::DatabaseConnection) -> (usize, usize) {
    if common::db::is_sqlite(db) {
        (4, 3)
    } else {
        (2, 1)
    }
}

#[tokio::test]
async fn one_booking_with_its_lists_costs_at_most_one_statement_per_list_and_landing_loads_no_events(
) {
    let mut database = TestDb::new().await;
    let booking = seed::full_booking(&database.db, "r-1", seed::at(1)).await;
    let counter = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&counter);
    database.db.set_metric_callback(move |_info| {
        counted.fetch_add(1, Ordering::SeqCst);
    });
    let (analyst_statements, landing_statements) = single_booking_statements(&database.db);
    let schema = api::build_schema(database.db.clone());
    let query = "query ($id: ID!) { booking(id: $id) { id segments { sequence } passengers { lead } events { id } } }";
    let variables = async_graphql::Variables::from_json(json!({"id": booking.id}));

    counter.store(0, Ordering::SeqCst);
    let request = Request::new(query)
        .variables(variables.clone())
        .data(analyst());
    let response = schema.execute(request).await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    assert_eq!(
        counter.load(Ordering::SeqCst),
        analyst_statements,
        "booking + segments + passengers + events"
    );
    let data = response.data.into_json().unwrap();
    assert_eq!(
        data["booking"]["segments"],
        json!([{"sequence": 1}, {"sequence": 2}])
    );
    assert_eq!(
        data["booking"]["passengers"],
        json!([{"lead": true}, {"lead": false}])
    );
    assert_eq!(data["booking"]["events"].as_array().unwrap().len(), 2);

    counter.store(0, Ordering::SeqCst);
    let landing = Principal {
        role: Role::Landing,
        subject: None,
        booking: None,
    };
    let response = schema
        .execute(Request::new(query).variables(variables).data(landing))
        .await;
    assert_eq!(response.errors.len(), 1, "events refused");
    assert_eq!(
        counter.load(Ordering::SeqCst),
        landing_statements,
        "the refused events are not even read"
    );
}

/// The one-statement lookup (lists aggregated as JSON on PostgreSQL) reads exactly the
/// rows the per-list statements read: every column, sub-second times and order included.
#[tokio::test]
async fn a_booking_read_with_its_lists_equals_its_rows_read_one_list_at_a_time() {
    use api::store::bookings::{self, Lookup};
    use chrono::Duration;
    use sea_orm::{ActiveModelTrait, IntoActiveModel};

    let database = TestDb::new().await;
    let booking = seed::full_booking(&database.db, "r-1", seed::at(1)).await;
    // A third segment with every optional field set and microseconds in its times.
    let mut segment = seed::segment(&database.db, booking.id, 3).await;
    segment.departure_at = Some(seed::at(2) + Duration::microseconds(123_456));
    segment.arrival_at = Some(seed::at(3) + Duration::microseconds(999_999));
    segment.cabin_class = Some("business".into());
    segment.origin_name = Some("Lisbon \"Humberto Delgado\" ✈".into());
    let segment = segment
        .into_active_model()
        .reset_all()
        .update(&database.db)
        .await
        .unwrap();

    let found = bookings::find_with_lists(&database.db, Lookup::Id(booking.id), true, true)
        .await
        .unwrap()
        .expect("the booking");
    assert_eq!(found.booking, booking);
    let segments = bookings::segments_of(&database.db, &[booking.id])
        .await
        .unwrap();
    assert_eq!(segments.len(), 3);
    assert_eq!(segments[2], segment);
    assert_eq!(found.segments.as_ref(), Some(&segments));
    let passengers = bookings::passengers_of(&database.db, &[booking.id])
        .await
        .unwrap();
    assert_eq!(found.passengers.as_ref(), Some(&passengers));

    let by_reference = bookings::find_with_lists(
        &database.db,
        Lookup::Reference {
            partner: "hahn-air",
            reference: "r-1",
        },
        false,
        true,
    )
    .await
    .unwrap()
    .expect("the booking by reference");
    assert_eq!(by_reference.booking, booking);
    assert_eq!(by_reference.segments, None, "not asked for");
    assert_eq!(by_reference.passengers, Some(passengers));

    let missing =
        bookings::find_with_lists(&database.db, Lookup::Id(uuid::Uuid::now_v7()), true, true)
            .await
            .unwrap();
    assert!(missing.is_none());
}
