//! What each role may read: `landing` gets the trip context but no contact data and no
//! events; `analyst` reads everything.

use api::auth::Role;
use serde_json::{json, Value};

use crate::support::{error_codes, seed, spawn_app};

const LANDING_QUERY: &str = r#"query ($id: ID!) {
  booking(id: $id) {
    id partner reference status marketingAllowed bookedAt tripStart tripEnd
    origin { code name country } destination { code name country } destinations { code }
    travellers { adults children infants total } bagCount cabinClass
    customer { id firstName }
    passengers { id firstName type lead }
    segments { id reference sequence kind status origin { code } destination { code }
               departureAt arrivalAt carrier flightNumber cabinClass }
    createdAt updatedAt
  }
}"#;

#[tokio::test]
async fn landing_reads_the_trip_context_of_one_booking() {
    let app = spawn_app().await;
    let booking = seed::full_booking(&app.db, "1234", seed::at(10)).await;

    let body = app
        .query(Role::Landing, LANDING_QUERY, json!({"id": booking.id}))
        .await;

    assert!(body.get("errors").is_none(), "{body}");
    let b = &body["data"]["booking"];
    assert_eq!(b["id"], booking.id.to_string());
    assert_eq!(b["status"], "CONFIRMED");
    assert_eq!(b["tripStart"], "2024-03-01T10:00:00Z");
    assert_eq!(
        b["destination"],
        json!({"code": "LIS", "name": "Lisbon", "country": "PT"})
    );
    assert_eq!(b["destinations"], json!([{"code": "LIS"}]));
    assert_eq!(
        b["travellers"],
        json!({"adults": 2, "children": 1, "infants": null, "total": 3})
    );
    assert_eq!(b["customer"], json!({"id": "C-1", "firstName": "Ana"}));
    assert_eq!(b["passengers"][0]["lead"], true, "lead passenger first");
    assert_eq!(b["passengers"][1]["type"], "CHILD");
    let sequences: Vec<&Value> = b["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["sequence"])
        .collect();
    assert_eq!(
        sequences,
        [&json!(1), &json!(2)],
        "segments in sequence order"
    );
}

#[tokio::test]
async fn landing_asking_for_contact_data_or_events_is_forbidden_field_by_field() {
    let app = spawn_app().await;
    let booking = seed::full_booking(&app.db, "1234", seed::at(10)).await;
    let query = r#"query ($id: ID!) { booking(id: $id) {
        id status
        customer { firstName email phone }
        passengers { firstName lastName email phone }
        events { id }
    } }"#;

    let body = app
        .query(Role::Landing, query, json!({"id": booking.id}))
        .await;

    let codes = error_codes(&body);
    // customer.email, customer.phone, events, and 3 fields on each of 2 passengers.
    assert_eq!(codes.len(), 9, "{body}");
    assert!(codes.iter().all(|c| c == "FORBIDDEN"), "{codes:?}");
    let b = &body["data"]["booking"];
    assert_eq!(
        b["id"],
        booking.id.to_string(),
        "the other fields are still returned"
    );
    assert_eq!(b["status"], "CONFIRMED");
    assert_eq!(
        b["customer"],
        json!({"firstName": "Ana", "email": null, "phone": null})
    );
    assert_eq!(
        b["passengers"][0],
        json!({"firstName": "Ana", "lastName": null, "email": null, "phone": null})
    );
    assert_eq!(b["events"], Value::Null);
}

#[tokio::test]
async fn landing_may_not_list_bookings_events_or_aggregates() {
    let app = spawn_app().await;
    for query in [
        "{ bookings { totalCount } }",
        "{ events { totalCount } }",
        "{ partners }",
        "{ bookingCountsByStatus { count } }",
    ] {
        let body = app.query(Role::Landing, query, json!({})).await;
        assert_eq!(error_codes(&body), ["FORBIDDEN"], "{query}: {body}");
    }
}

#[tokio::test]
async fn landing_asking_for_introspection_is_forbidden_with_an_error() {
    let app = spawn_app().await;
    for query in [
        "{ __schema { queryType { name } } }",
        "{ __type(name: \"Booking\") { name fields { name } } }",
        "{ t: __type(name: \"Query\") { name } }",
        "query { ...Root } fragment Root on Query { __schema { types { name } } }",
    ] {
        let body = app.query(Role::Landing, query, json!({})).await;
        assert_eq!(error_codes(&body), ["FORBIDDEN"], "{query}: {body}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains("introspection") && message.contains("analyst"),
            "{message}"
        );
        assert!(
            !body.to_string().contains("\"Booking\","),
            "no schema data: {body}"
        );
    }
    // `__typename` is not introspection of the schema: it stays open.
    let body = app.query(Role::Landing, "{ __typename }", json!({})).await;
    assert_eq!(body, json!({"data": {"__typename": "Query"}}));
    // The rest of a query still answers beside a refused `__type`.
    let body = app
        .query(
            Role::Landing,
            "{ booking(id: \"x\") { id } __type(name: \"Booking\") { name } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");
    assert_eq!(body["errors"][0]["path"], json!(["__type"]));
    assert_eq!(body["data"]["booking"], Value::Null);
}

#[tokio::test]
async fn analyst_reads_the_schema_by_introspection() {
    let app = spawn_app().await;
    let body = app
        .query(
            Role::Analyst,
            "{ __schema { queryType { name } } __type(name: \"Booking\") { name } }",
            json!({}),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(body["data"]["__schema"]["queryType"]["name"], "Query");
    assert_eq!(body["data"]["__type"]["name"], "Booking");
}

#[tokio::test]
async fn analyst_reads_everything_including_contact_data_and_events() {
    let app = spawn_app().await;
    let booking = seed::full_booking(&app.db, "1234", seed::at(10)).await;
    let query = r#"query ($id: ID!) { booking(id: $id) {
        id customer { id firstName email phone }
        passengers { firstName lastName email phone lead }
        events { id partner type status receivedAt occurredAt error payload bookingId }
    } }"#;

    let body = app
        .query(Role::Analyst, query, json!({"id": booking.id}))
        .await;

    assert!(body.get("errors").is_none(), "{body}");
    let b = &body["data"]["booking"];
    assert_eq!(b["customer"]["email"], "ana@example.com");
    assert_eq!(b["customer"]["phone"], "+441632960881");
    assert_eq!(b["passengers"][0]["lastName"], "Silva");
    let events = b["events"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(
        events[0]["payload"], "not json",
        "newest first; a non-JSON body is a JSON string"
    );
    assert_eq!(
        events[1]["payload"],
        json!({"bookingId": "1"}),
        "a JSON body is parsed"
    );
    assert_eq!(events[1]["status"], "APPLIED");
    assert_eq!(events[1]["bookingId"], booking.id.to_string());
}

#[tokio::test]
async fn bookings_are_found_by_partner_reference_and_unknown_ones_are_null() {
    let app = spawn_app().await;
    let booking = seed::booking(&app.db, "hahn-air", "1234", seed::at(10)).await;
    let query = r#"{
        found: bookingByReference(partner: "hahn-air", reference: "1234") { id }
        otherPartner: bookingByReference(partner: "traxo", reference: "1234") { id }
        unknown: booking(id: "0190b0b0-0000-7000-8000-000000000000") { id }
        notAnId: booking(id: "1234") { id }
    }"#;

    let body = app.query(Role::Landing, query, json!({})).await;

    assert_eq!(
        body,
        json!({"data": {"found": {"id": booking.id.to_string()}, "otherPartner": null, "unknown": null, "notAnId": null}})
    );
}

#[tokio::test]
async fn a_booking_without_customer_data_or_counts_has_null_customer_and_total() {
    let app = spawn_app().await;
    let mut model = seed::booking_model("traxo", "T-1", seed::at(1));
    model.customer_id = None;
    model.customer_first_name = None;
    model.customer_email = None;
    model.customer_phone = None;
    model.adults = None;
    model.children = None;
    let booking = seed::insert_booking(&app.db, model).await;

    let query = "query ($id: ID!) { booking(id: $id) { customer { id } travellers { total } } }";
    let body = app
        .query(Role::Landing, query, json!({"id": booking.id}))
        .await;

    assert_eq!(
        body,
        json!({"data": {"booking": {"customer": null, "travellers": {"total": null}}}})
    );
}
