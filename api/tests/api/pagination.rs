//! Relay connections: newest first, stable cursors while rows arrive, `first` checked,
//! and the filters of CONTRACT §6.

use std::collections::HashSet;

use api::auth::Role;
use chrono::Duration;
use entity::BookingStatus;
use serde_json::{json, Value};

use crate::support::{error_codes, seed, spawn_app};

const PAGE: &str = r#"query ($first: Int, $after: String) {
  bookings(first: $first, after: $after) {
    totalCount
    edges { cursor node { id reference } }
    pageInfo { hasNextPage endCursor }
  }
}"#;

#[tokio::test]
async fn walking_every_page_while_bookings_arrive_sees_each_old_booking_once_newest_first() {
    let app = spawn_app().await;
    let mut expected = Vec::new();
    for i in 0..45 {
        // Pairs share a timestamp so that the id breaks ties.
        expected.push(
            seed::booking(&app.db, "hahn-air", &format!("old-{i}"), seed::at(i / 2))
                .await
                .reference,
        );
    }
    expected.reverse();

    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let body = app
            .query(Role::Analyst, PAGE, json!({"first": 10, "after": after}))
            .await;
        assert!(body.get("errors").is_none(), "{body}");
        let connection = &body["data"]["bookings"];
        for edge in connection["edges"].as_array().unwrap() {
            seen.push(edge["node"]["reference"].as_str().unwrap().to_owned());
        }
        pages += 1;
        // New bookings arrive between pages; they are newer than every page walked so far.
        for j in 0..3 {
            let reference = format!("new-{pages}-{j}");
            seed::booking(
                &app.db,
                "hahn-air",
                &reference,
                seed::at(1000 + pages * 10 + j),
            )
            .await;
        }
        if connection["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = connection["pageInfo"]["endCursor"]
            .as_str()
            .map(str::to_owned);
        assert!(pages < 10, "the walk must end");
    }

    assert_eq!(pages, 5);
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no duplicates");
    assert_eq!(
        seen, expected,
        "every old booking once, newest first, no new ones mixed in"
    );
}

#[tokio::test]
async fn first_defaults_to_20_and_the_total_counts_all_pages() {
    let app = spawn_app().await;
    for i in 0..25 {
        seed::booking(&app.db, "hahn-air", &format!("b-{i}"), seed::at(i)).await;
    }
    let body = app.query(Role::Analyst, PAGE, json!({})).await;
    let connection = &body["data"]["bookings"];
    assert_eq!(connection["edges"].as_array().unwrap().len(), 20);
    assert_eq!(connection["totalCount"], 25);
    assert_eq!(connection["pageInfo"]["hasNextPage"], true);
    assert_eq!(
        connection["edges"][0]["node"]["reference"], "b-24",
        "newest first"
    );
}

#[tokio::test]
async fn first_over_100_or_negative_is_refused_not_clamped() {
    let app = spawn_app().await;
    for first in [101, 1000, -1] {
        let body = app
            .query(Role::Analyst, PAGE, json!({"first": first}))
            .await;
        assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{body}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains("first") && message.contains("100"),
            "{message}"
        );
        assert_eq!(body["data"], Value::Null);
    }
    let body = app
        .query(
            Role::Analyst,
            "{ events(first: 101) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{body}");
}

#[tokio::test]
async fn a_cursor_the_api_did_not_make_is_refused() {
    let app = spawn_app().await;
    let body = app
        .query(Role::Analyst, PAGE, json!({"after": "not-a-cursor"}))
        .await;
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{body}");
}

#[tokio::test]
async fn bookings_filter_by_partner_status_destination_and_dates() {
    let app = spawn_app().await;
    seed::booking(&app.db, "hahn-air", "lis", seed::at(1)).await;
    let mut cancelled = seed::booking_model("traxo", "mad", seed::at(2));
    cancelled.status = BookingStatus::Cancelled;
    cancelled.destination_code = Some("MAD".into());
    cancelled.trip_start = Some(seed::trip_start() + Duration::days(30));
    cancelled.booked_at = Some(seed::at(500));
    seed::insert_booking(&app.db, cancelled).await;

    let references = |body: &Value| -> Vec<String> {
        body["data"]["bookings"]["edges"]
            .as_array()
            .unwrap_or_else(|| panic!("{body}"))
            .iter()
            .map(|e| e["node"]["reference"].as_str().unwrap().to_owned())
            .collect()
    };
    let query =
        "query ($f: BookingFilter) { bookings(filter: $f) { edges { node { reference } } } }";
    for (filter, expected) in [
        (json!({"partner": "traxo"}), vec!["mad"]),
        (json!({"status": "CANCELLED"}), vec!["mad"]),
        (json!({"destination": "lis"}), vec!["lis"]),
        (
            json!({"tripStartFrom": "2024-03-15T00:00:00Z"}),
            vec!["mad"],
        ),
        (json!({"tripStartTo": "2024-03-01T10:00:00Z"}), vec!["lis"]),
        (
            json!({"bookedFrom": "2024-02-01T00:05:00+00:00", "bookedTo": "2024-02-02T00:00:00Z"}),
            vec!["mad"],
        ),
        (json!({}), vec!["mad", "lis"]),
    ] {
        let body = app.query(Role::Analyst, query, json!({"f": filter})).await;
        assert_eq!(references(&body), expected, "filter {filter}");
    }
}

#[tokio::test]
async fn events_are_a_connection_newest_first_with_filters() {
    let app = spawn_app().await;
    let booking = seed::booking(&app.db, "hahn-air", "1234", seed::at(1)).await;
    for i in 0..5 {
        seed::event(&app.db, Some(booking.id), seed::at(10 + i), b"{}").await;
    }
    seed::event(&app.db, None, seed::at(100), b"{}").await;
    let query = r#"query ($f: EventFilter, $after: String) {
        events(filter: $f, first: 2, after: $after) {
            totalCount edges { node { receivedAt bookingId } } pageInfo { hasNextPage endCursor }
        } }"#;

    let body = app
        .query(
            Role::Analyst,
            query,
            json!({"f": {"bookingId": booking.id}}),
        )
        .await;
    let events = &body["data"]["events"];
    assert_eq!(events["totalCount"], 5, "{body}");
    assert_eq!(
        events["edges"][0]["node"]["receivedAt"],
        "2024-02-01T00:00:14Z"
    );
    let after = events["pageInfo"]["endCursor"].clone();
    let body = app
        .query(
            Role::Analyst,
            query,
            json!({"f": {"bookingId": booking.id}, "after": after}),
        )
        .await;
    assert_eq!(
        body["data"]["events"]["edges"][0]["node"]["receivedAt"],
        "2024-02-01T00:00:12Z"
    );

    let body = app
        .query(Role::Analyst, query, json!({"f": {"status": "APPLIED", "type": "booking-create", "partner": "hahn-air", "receivedFrom": "2024-02-01T00:01:00Z"}}))
        .await;
    assert_eq!(body["data"]["events"]["totalCount"], 1, "{body}");
    let body = app
        .query(Role::Analyst, query, json!({"f": {"bookingId": "nope"}}))
        .await;
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"]);
}

#[tokio::test]
async fn analysts_get_partners_and_booking_counts() {
    let app = spawn_app().await;
    seed::booking(&app.db, "hahn-air", "a", seed::at(1)).await;
    seed::booking(&app.db, "hahn-air", "b", seed::at(2)).await;
    let mut other = seed::booking_model("traxo", "c", seed::at(3));
    other.status = BookingStatus::Cancelled;
    other.destination_code = Some("MAD".into());
    other.destination_name = Some("Madrid".into());
    seed::insert_booking(&app.db, other).await;
    seed::event(&app.db, None, seed::at(4), b"{}").await;

    let query = r#"{
        partners
        bookingCountsByStatus { status count }
        bookingCountsByDestination { destination { code name } count }
    }"#;
    let body = app.query(Role::Analyst, query, json!({})).await;

    assert_eq!(
        body["data"],
        json!({
            "partners": ["hahn-air", "traxo"],
            "bookingCountsByStatus": [{"status": "CONFIRMED", "count": 2}, {"status": "CANCELLED", "count": 1}],
            "bookingCountsByDestination": [
                {"destination": {"code": "LIS", "name": "Lisbon"}, "count": 2},
                {"destination": {"code": "MAD", "name": "Madrid"}, "count": 1}
            ]
        }),
        "{body}"
    );
}
