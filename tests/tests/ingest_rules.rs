//! The processing rules of CONTRACT §5 and the response table of §3, end to end.

use serde_json::{json, Value};
use tests::{fixture, partners, spawn_app, spawn_app_with, Auth};

fn with(body: &str, changes: Value) -> String {
    let mut value: Value = serde_json::from_str(body).unwrap();
    for (key, field) in changes.as_object().unwrap() {
        value[key] = field.clone();
    }
    value.to_string()
}

#[tokio::test]
async fn duplicate_delivery_is_acknowledged_without_a_second_effect() {
    let app = spawn_app().await;
    let body = fixture("hahn_air/booking-create.json");
    let first = app
        .post("hahn-air/booking-create", &body, partners::hahn())
        .await;
    assert_eq!(first.status, 200, "{:?}", first.json);
    assert_eq!(first.json["status"], "applied");
    let booking = app.booking("hahn-air", "HA7Q2K9").await.unwrap();

    let again = app
        .post("hahn-air/booking-create", &body, partners::hahn())
        .await;
    assert_eq!(again.status, 200);
    assert_eq!(
        again.json,
        json!({"status": "duplicate", "eventId": first.json["eventId"]})
    );
    assert_eq!(
        app.events().await.len(),
        1,
        "a duplicate is not archived twice"
    );
    assert_eq!(
        app.booking("hahn-air", "HA7Q2K9").await.unwrap(),
        booking,
        "a duplicate changes nothing"
    );
}

#[tokio::test]
async fn idempotency_key_header_and_webhook_id_identify_repeats_with_other_bodies() {
    let app = spawn_app().await;
    let body = fixture("hahn_air/booking-create.json");
    let key = Auth::Header("Idempotency-Key".into(), "delivery-42".into());
    let hahn_with_key = |b: &str| {
        format!(
            "hahn-air/booking-create?token={}&x={}",
            partners::HAHN_TOKEN,
            b.len()
        )
    };
    let first = app.post(&hahn_with_key(&body), &body, key.clone()).await;
    assert_eq!(first.json["status"], "applied", "{:?}", first.json);
    let changed = with(&body, json!({"bagCount": 5}));
    let second = app.post(&hahn_with_key(&changed), &changed, key).await;
    assert_eq!(second.json["status"], "duplicate");
    assert_eq!(
        app.booking("hahn-air", "HA7Q2K9").await.unwrap().bag_count,
        Some(2)
    );

    let transfer = fixture("ground_transfer/booking-new.json");
    let same_id = Auth::Hmac {
        secret: partners::TRANSFERS_SECRET.into(),
        id: "msg_same".into(),
        skew_s: 0,
    };
    assert_eq!(
        app.post("transfers", &transfer, same_id.clone())
            .await
            .status,
        200
    );
    let repeat = app
        .post(
            "transfers",
            &with(&transfer, json!({"comment": "retry"})),
            same_id,
        )
        .await;
    assert_eq!(repeat.json["status"], "duplicate");
}

#[tokio::test]
async fn an_older_update_arriving_after_a_newer_one_is_archived_as_stale() {
    let app = spawn_app().await;
    app.post(
        "hahn-air/booking-create",
        &fixture("hahn_air/booking-create.json"),
        partners::hahn(),
    )
    .await;
    let newer = with(
        &fixture("hahn_air/booking-update.json"),
        json!({"bagCount": 4, "updatedAt": "2024-01-20T09:00:00Z"}),
    );
    let older = with(
        &fixture("hahn_air/booking-update.json"),
        json!({"bagCount": 1, "updatedAt": "2024-01-15T09:00:00Z"}),
    );
    assert_eq!(
        app.post("hahn-air/booking-update", &newer, partners::hahn())
            .await
            .json["status"],
        "applied"
    );
    let stale = app
        .post("hahn-air/booking-update", &older, partners::hahn())
        .await;
    assert_eq!(stale.status, 200);
    assert_eq!(stale.json["status"], "stale", "{:?}", stale.json);
    let booking = app.booking("hahn-air", "HA7Q2K9").await.unwrap();
    assert_eq!(booking.bag_count, Some(4));
    assert_eq!(
        booking.last_source_at,
        Some("2024-01-20T09:00:00Z".parse().unwrap())
    );
    let events = app.events().await;
    assert_eq!(
        events
            .iter()
            .filter(|e| e.status == entity::EventStatus::Stale)
            .count(),
        1
    );
    assert_eq!(
        events.last().unwrap().raw_body,
        older.as_bytes(),
        "a stale delivery is archived byte-exact"
    );
}

#[tokio::test]
async fn spotnana_deliveries_out_of_order_end_with_the_newest_status() {
    let app = spawn_app().await;
    let ticketed = app
        .post(
            "spotnana",
            &fixture("spotnana/pnr-booking-ticketed.json"),
            partners::spotnana(),
        )
        .await;
    assert_eq!(ticketed.json["status"], "applied", "{:?}", ticketed.json);
    let created = app
        .post(
            "spotnana",
            &fixture("spotnana/pnr-booking-created.json"),
            partners::spotnana(),
        )
        .await;
    assert_eq!(created.status, 200);
    assert_eq!(
        created.json["bookingId"], ticketed.json["bookingId"],
        "one booking, not two"
    );
    let booking = app.booking("spotnana", "6926658168").await.unwrap();
    assert_eq!(
        booking.status,
        entity::BookingStatus::Ticketed,
        "the older create does not undo the newer ticketing"
    );
    assert!(
        booking.booked_at.is_some(),
        "the older create still fills empty fields"
    );
}

#[tokio::test]
async fn an_update_before_its_create_creates_the_booking_and_the_create_fills_the_gaps() {
    let app = spawn_app().await;
    let update = app
        .post(
            "hahn-air/booking-update",
            &fixture("hahn_air/booking-update.json"),
            partners::hahn(),
        )
        .await;
    assert_eq!(update.json["status"], "applied", "{:?}", update.json);
    let early = app.booking("hahn-air", "HA7Q2K9").await.unwrap();
    assert_eq!(early.customer_phone.as_deref(), Some("+447700900123"));
    assert_eq!(early.customer_email, None);

    // The create is older (updatedAt 2024-01-12) than the update (2024-01-20).
    let create = app
        .post(
            "hahn-air/booking-create",
            &fixture("hahn_air/booking-create.json"),
            partners::hahn(),
        )
        .await;
    assert_eq!(create.json["status"], "applied");
    let booking = app.booking("hahn-air", "HA7Q2K9").await.unwrap();
    assert_eq!(booking.id, early.id);
    assert_eq!(
        booking.customer_phone.as_deref(),
        Some("+447700900123"),
        "the newer phone stays"
    );
    assert_eq!(
        booking.customer_email.as_deref(),
        Some("ana.silva@example.com"),
        "the create fills what was empty"
    );
    assert_eq!(
        booking.trip_start,
        Some("2024-02-09T11:40:00Z".parse().unwrap()),
        "the newer trip start stays"
    );
    assert_eq!(booking.destination_code.as_deref(), Some("LIS"));
}

async fn post_legs(app: &tests::TestApp, order: [usize; 3]) {
    for n in order {
        let reply = app
            .post(
                "hahn-air/booking-create",
                &fixture(&format!("hahn_air/booking-create-leg-{n}.json")),
                partners::hahn(),
            )
            .await;
        assert_eq!(reply.json["status"], "applied", "leg {n}: {:?}", reply.json);
    }
}

#[tokio::test]
async fn multi_destination_legs_in_any_order_make_one_booking_with_ordered_segments() {
    for order in [[1, 2, 3], [3, 1, 2], [2, 3, 1]] {
        let app = spawn_app().await;
        post_legs(&app, order).await;
        let booking = app
            .booking("hahn-air", "1234")
            .await
            .expect("one booking 1234");
        let segments = app.segments(booking.id).await;
        let refs: Vec<_> = segments
            .iter()
            .map(|s| (s.sequence, s.reference.as_str()))
            .collect();
        assert_eq!(
            refs,
            [(1, "1234-1"), (2, "1234-2"), (3, "1234-3")],
            "order {order:?}"
        );
        let codes: Vec<_> = booking
            .destinations
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["code"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(codes, ["SFO", "LAX", "LAS"]);
        assert_eq!(booking.destination_code.as_deref(), Some("SFO"));
        assert_eq!(booking.trip_start, segments[0].departure_at);
        assert_eq!(booking.trip_end, segments[2].arrival_at);
    }
}

#[tokio::test]
async fn cancelling_one_leg_cancels_that_segment_only_and_every_leg_cancels_the_booking() {
    let app = spawn_app().await;
    post_legs(&app, [1, 2, 3]).await;
    let reply = app
        .post(
            "hahn-air/booking-cancel",
            &fixture("hahn_air/booking-cancel-leg-2.json"),
            partners::hahn(),
        )
        .await;
    assert_eq!(reply.json["status"], "applied", "{:?}", reply.json);
    let booking = app.booking("hahn-air", "1234").await.unwrap();
    assert_eq!(booking.status, entity::BookingStatus::Confirmed);
    assert!(booking.marketing_allowed);
    let statuses: Vec<_> = app
        .segments(booking.id)
        .await
        .iter()
        .map(|s| s.status)
        .collect();
    use entity::SegmentStatus::{Active, Cancelled};
    assert_eq!(statuses, [Active, Cancelled, Active]);
    let codes: Vec<_> = booking
        .destinations
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes, ["SFO", "LAS"], "a cancelled leg is no destination");

    for n in [1, 3] {
        let body = json!({"bookingId": "1234", "consumerTripPartnerExternalReference": format!("1234-{n}"), "updatedAt": "2024-04-16T12:00:00Z"}).to_string();
        app.post("hahn-air/booking-cancel", &body, partners::hahn())
            .await;
    }
    let booking = app.booking("hahn-air", "1234").await.unwrap();
    assert_eq!(booking.status, entity::BookingStatus::Cancelled);
    assert!(!booking.marketing_allowed);
}

#[tokio::test]
async fn cancelling_the_booking_reference_cancels_the_booking_and_stops_marketing() {
    let app = spawn_app().await;
    app.post(
        "hahn-air/booking-create",
        &fixture("hahn_air/booking-create.json"),
        partners::hahn(),
    )
    .await;
    let reply = app
        .post(
            "hahn-air/booking-cancel",
            &fixture("hahn_air/booking-cancel.json"),
            partners::hahn(),
        )
        .await;
    assert_eq!(reply.json["status"], "applied");
    let booking = app.booking("hahn-air", "HA7Q2K9").await.unwrap();
    assert_eq!(booking.status, entity::BookingStatus::Cancelled);
    assert!(!booking.marketing_allowed);

    // An older update cannot revive it.
    let older = with(
        &fixture("hahn_air/booking-update.json"),
        json!({"updatedAt": "2024-01-21T00:00:00Z"}),
    );
    assert_eq!(
        app.post("hahn-air/booking-update", &older, partners::hahn())
            .await
            .json["status"],
        "stale"
    );
    assert!(
        !app.booking("hahn-air", "HA7Q2K9")
            .await
            .unwrap()
            .marketing_allowed
    );
}

#[tokio::test]
async fn a_payload_failing_validation_is_rejected_with_every_field_and_archived() {
    let app = spawn_app().await;
    let body = fixture("hahn_air/booking-create-invalid.json");
    let reply = app
        .post("hahn-air/booking-create", &body, partners::hahn())
        .await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.json["error"]["code"], "invalid_payload");
    let fields: Vec<_> = reply.json["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect();
    for expected in [
        "phoneNumber",
        "email",
        "departureAirportCode",
        "departureFlightNumber",
        "bagCount",
    ] {
        assert!(
            fields.iter().any(|f| f == expected),
            "{expected} missing from {fields:?}"
        );
    }
    assert!(reply.json["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| !f["message"].as_str().unwrap().is_empty()));
    let events = app.events().await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].status, entity::EventStatus::Rejected);
    assert_eq!(events[0].raw_body, body.as_bytes());
    assert!(events[0].error.is_some());
    assert!(app.booking("hahn-air", "HA7Q2K9").await.is_none());
}

#[tokio::test]
async fn a_body_that_is_not_json_is_400_and_archived_byte_exact() {
    let app = spawn_app().await;
    let body = "{\"bookingId\": \"HA1\", oops";
    let reply = app
        .post("hahn-air/booking-create", body, partners::hahn())
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json["error"]["code"], "invalid_json");
    let events = app.events().await;
    assert_eq!(events[0].status, entity::EventStatus::Rejected);
    assert_eq!(events[0].raw_body, body.as_bytes());
}

#[tokio::test]
async fn unknown_partner_or_topic_is_404() {
    let app = spawn_app().await;
    let body = fixture("hahn_air/booking-create.json");
    let reply = app.post("nobody/booking-create", &body, Auth::None).await;
    assert_eq!(
        (reply.status, reply.json["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let reply = app
        .post("hahn-air/booking-delete", &body, partners::hahn())
        .await;
    assert_eq!(
        (reply.status, reply.json["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    let app = spawn_app_with(2048).await;
    let big = json!({"bookingId": "X", "padding": "x".repeat(4096)}).to_string();
    let reply = app
        .post("hahn-air/booking-create", &big, partners::hahn())
        .await;
    assert_eq!(
        (reply.status, reply.json["error"]["code"].as_str()),
        (413, Some("payload_too_large"))
    );
}

#[tokio::test]
async fn a_content_type_that_is_not_json_is_415() {
    let app = spawn_app().await;
    let reply = tests::read(
        app.client
            .post(format!("{}/webhooks/open-air/booking-create", app.ingest))
            .header("content-type", "text/plain")
            .body(fixture("hahn_air/booking-create.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (reply.status, reply.json["error"]["code"].as_str()),
        (415, Some("unsupported_media_type"))
    );
}

#[tokio::test]
async fn concurrent_deliveries_for_one_booking_lose_nothing_and_create_one_booking() {
    let app = std::sync::Arc::new(spawn_app().await);
    let mut tasks = tokio::task::JoinSet::new();
    for n in 1..=3 {
        for copy in 0..4 {
            let app = app.clone();
            tasks.spawn(async move {
                let body = fixture(&format!("hahn_air/booking-create-leg-{n}.json"));
                let reply = app
                    .post("hahn-air/booking-create", &body, partners::hahn())
                    .await;
                (
                    n,
                    copy,
                    reply.status,
                    reply.json["status"].as_str().unwrap_or_default().to_owned(),
                )
            });
        }
    }
    let mut applied = 0;
    while let Some(result) = tasks.join_next().await {
        let (n, copy, status, outcome) = result.unwrap();
        assert_eq!(status, 200, "leg {n} copy {copy}");
        applied += usize::from(outcome == "applied");
    }
    assert_eq!(
        applied, 3,
        "each leg applied once, its copies are duplicates"
    );
    let booking = app.booking("hahn-air", "1234").await.expect("one booking");
    assert_eq!(app.segments(booking.id).await.len(), 3);
    assert_eq!(app.events().await.len(), 3);
}

#[tokio::test]
async fn replay_reapplies_failed_events_idempotently() {
    use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
    let app = spawn_app().await;
    let reply = app
        .post(
            "hahn-air/booking-create",
            &fixture("hahn_air/booking-create.json"),
            partners::hahn(),
        )
        .await;
    let event_id: uuid::Uuid = reply.json["eventId"].as_str().unwrap().parse().unwrap();
    // Simulate a delivery whose processing failed: archived, nothing applied.
    let booking = app.booking("hahn-air", "HA7Q2K9").await.unwrap();
    let mut event = entity::event::Entity::find_by_id(event_id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .into_active_model();
    event.status = Set(entity::EventStatus::Failed);
    event.booking_id = Set(None);
    event.update(&app.db).await.unwrap();
    booking.into_active_model().delete(&app.db).await.unwrap();

    let processor = ingest::process::Processor::new(app.db.clone());
    let registry = app.ingest_state.registry.current();
    let replay_failed = || {
        ingest::replay::replay(
            &processor,
            &registry,
            &ingest::replay::Selection::Failed,
            false,
        )
    };
    let summary = replay_failed().await.unwrap();
    assert_eq!(summary.applied, 1);
    let booking = app
        .booking("hahn-air", "HA7Q2K9")
        .await
        .expect("re-applied");
    assert_eq!(booking.destination_code.as_deref(), Some("LIS"));
    let again = replay_failed().await.unwrap();
    assert_eq!(
        again,
        ingest::replay::Summary::default(),
        "nothing left to replay"
    );
    let all = ingest::replay::replay(
        &processor,
        &registry,
        &ingest::replay::Selection::Partner("hahn-air".into()),
        false,
    )
    .await
    .unwrap();
    assert_eq!(all.applied, 1);
    assert_eq!(
        app.booking("hahn-air", "HA7Q2K9").await.unwrap().id,
        booking.id,
        "replaying again changes nothing"
    );
    assert_eq!(app.events().await.len(), 1);
}

use sea_orm::EntityTrait;

#[tokio::test]
async fn an_itinerary_change_cancels_the_legs_no_longer_in_the_full_path() {
    let app = spawn_app().await;
    let created = fixture("airgateway/order-created.json");
    assert_eq!(
        app.post("airgateway", &created, partners::agw()).await.json["status"],
        "applied"
    );
    let change = with(
        &created,
        json!({"event": "ItineraryChange", "fullPath": "MAD-LGW, LGW-MAD", "updatedOn": "2025-03-16T10:00:00Z"}),
    );
    let reply = app.post("airgateway", &change, partners::agw()).await;
    assert_eq!(reply.json["status"], "applied", "{:?}", reply.json);
    let booking = app.booking("airgateway", "AGW-5F3K8M2Q").await.unwrap();
    let segments: Vec<_> = app
        .segments(booking.id)
        .await
        .into_iter()
        .map(|s| (s.reference, s.status))
        .collect();
    use entity::SegmentStatus::{Active, Cancelled};
    assert_eq!(
        segments,
        [
            ("MAD-LHR#1".to_owned(), Cancelled),
            ("LHR-MAD#2".to_owned(), Cancelled),
            ("MAD-LGW#1".to_owned(), Active),
            ("LGW-MAD#2".to_owned(), Active)
        ]
    );
    let codes: Vec<_> = booking
        .destinations
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes, ["LGW", "MAD"]);
}
