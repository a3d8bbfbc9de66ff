//! Partners onboarded as mapping files (CONTRACT §4.6), end to end through the real
//! HTTP surface: the README's made-up partner Skyhop (`mappings/skyhop.toml`), and the
//! ground-transfer format written as `mappings/ground_transfer.toml`. The booking read
//! back from the database is what the sample says.

use entity::{BookingStatus, PassengerType, SegmentKind, SegmentStatus};
use tests::{fixture, spawn_app_with_registry, Auth, TOKEN_SECRET};

fn mapping(name: &str) -> String {
    format!("{}/../mappings/{name}.toml", env!("CARGO_MANIFEST_DIR"))
}

fn registry(skyhop_mapping: &str) -> String {
    format!(
        r#"
[[partner]]
name = "skyhop"
adapter = "mapping"
mapping = "{skyhop_mapping}"
auth = "none"

[[partner]]
name = "transfers-as-data"
adapter = "mapping"
mapping = "{}"
auth = "none"
"#,
        mapping("ground_transfer")
    )
}

#[tokio::test]
async fn a_mapped_partners_sample_becomes_its_booking() {
    let app = spawn_app_with_registry(&registry(&mapping("skyhop")), TOKEN_SECRET, 1 << 20).await;
    let created = fixture("mapping/skyhop-order-created.json");
    let reply = app.post("skyhop", &created, Auth::None).await;
    assert_eq!(reply.status, 200, "{:?}", reply.json);
    assert_eq!(reply.json["status"], "applied");

    let booking = app.booking("skyhop", "SKY-1042").await.expect("booking");
    assert_eq!(booking.status, BookingStatus::OnHold);
    assert_eq!(booking.bag_count, Some(2));
    assert_eq!(booking.customer_phone.as_deref(), Some("+442079460018"));
    assert_eq!(
        booking.booked_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2024-05-01T07:10:00+00:00")
    );
    let segments = app.segments(booking.id).await;
    let legs: Vec<_> = segments
        .iter()
        .map(|s| {
            (
                s.sequence,
                s.reference.as_str(),
                s.flight_number.as_deref(),
                s.kind,
                s.status,
            )
        })
        .collect();
    assert_eq!(
        legs,
        [
            (
                1,
                "L1",
                Some("BA500"),
                SegmentKind::Air,
                SegmentStatus::Active
            ),
            (
                2,
                "L2",
                Some("TP1350"),
                SegmentKind::Air,
                SegmentStatus::Active
            ),
        ]
    );
    // 08:30 in London (BST) and 19:05 in Lisbon (WEST).
    assert_eq!(
        segments[0].departure_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2024-06-01T07:30:00+00:00")
    );
    assert_eq!(
        segments[1].departure_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2024-06-08T18:05:00+00:00")
    );
    let passengers = app.passengers(booking.id).await;
    let people: Vec<_> = passengers
        .iter()
        .map(|p| {
            (
                p.reference.as_str(),
                p.first_name.as_deref(),
                p.passenger_type,
            )
        })
        .collect();
    assert_eq!(
        people,
        [
            ("T1", Some("Mia"), PassengerType::Adult),
            ("T2", Some("Leo"), PassengerType::Child),
        ]
    );

    let paid = fixture("mapping/skyhop-order-paid.json");
    let reply = app.post("skyhop", &paid, Auth::None).await;
    assert_eq!(reply.status, 200, "{:?}", reply.json);
    let booking = app.booking("skyhop", "SKY-1042").await.expect("booking");
    assert_eq!(booking.status, BookingStatus::Confirmed);

    // A body the mapping refuses is answered 422 with every failing field.
    let reply = app
        .post(
            "skyhop",
            r#"{"type": "order.shipped", "order": {}}"#,
            Auth::None,
        )
        .await;
    assert_eq!(reply.status, 422, "{:?}", reply.json);
    let text = reply.json.to_string();
    assert!(
        text.contains("order.created") && text.contains("order.id"),
        "{text}"
    );
}

#[tokio::test]
async fn the_ground_transfer_format_as_a_mapping_answers_as_the_marketplace_expects() {
    let app = spawn_app_with_registry(&registry(&mapping("skyhop")), TOKEN_SECRET, 1 << 20).await;
    let reply = app
        .post(
            "transfers-as-data",
            &fixture("ground_transfer/booking-new.json"),
            Auth::None,
        )
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.json);
    assert_eq!(reply.json["supplierBookingId"], reply.json["bookingId"]);
    let reply = app
        .post(
            "transfers-as-data/44225562",
            &fixture("ground_transfer/booking-cancellation.json"),
            Auth::None,
        )
        .await;
    assert_eq!(reply.status, 204, "{:?}", reply.json);
    let booking = app
        .booking("transfers-as-data", "44225562")
        .await
        .expect("booking");
    assert_eq!(booking.status, BookingStatus::Cancelled);
    let passengers = app.passengers(booking.id).await;
    assert_eq!(passengers[0].last_name.as_deref(), Some("Doe"));
}

#[tokio::test]
async fn a_reload_with_a_bad_mapping_names_its_line_and_keeps_the_running_registry() {
    let app = spawn_app_with_registry(&registry(&mapping("skyhop")), TOKEN_SECRET, 1 << 20).await;
    let bad = std::env::temp_dir().join(format!("skyhop-bad-{}.toml", uuid::Uuid::new_v4()));
    let text = std::fs::read_to_string(mapping("skyhop"))
        .unwrap()
        .replace("status = \"CONFIRMED\"", "status = \"CONFRIMED\"");
    std::fs::write(&bad, text).unwrap();
    let err = app
        .reload(&registry(&bad.display().to_string()), TOKEN_SECRET)
        .unwrap_err();
    std::fs::remove_file(&bad).ok();
    let message = format!("{err:#}");
    assert!(
        message.contains("\"skyhop\"") && message.contains("`mapping`"),
        "{message}"
    );
    assert!(
        message.contains("key `events.order.paid.status`") || message.contains("status`"),
        "{message}"
    );
    assert!(message.contains("CONFRIMED"), "{message}");
    // The running registry still serves the partner.
    let reply = app
        .post(
            "skyhop",
            &fixture("mapping/skyhop-order-created.json"),
            Auth::None,
        )
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.json);
}
