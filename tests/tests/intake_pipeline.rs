//! `POST /webhooks/…` and `ingest replay` share one intake pipeline: an archived
//! delivery replayed ends as the webhook left it — for a built-in adapter and for a
//! partner onboarded as a mapping file, both found through the registry.

use entity::EventStatus;
use sea_orm::ConnectionTrait;
use tests::{fixture, partners, spawn_app, spawn_app_with_registry, Auth, TOKEN_SECRET};

/// Replays the archived event `event_id` with the registry in force and returns the
/// status it ends with.
async fn replay(app: &tests::TestApp, event_id: &str) -> EventStatus {
    use sea_orm::EntityTrait;
    let id: uuid::Uuid = event_id.parse().expect("an event id");
    let row = entity::event::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .expect("the archived event");
    let processor = ingest::process::Processor::new(app.db.clone());
    let registry = app.ingest_state.registry.current();
    ingest::replay::replay_one(&processor, &registry, &row).await
}

/// Drops the passengers' table, so that applying a delivery with passengers fails.
async fn break_passengers(app: &tests::TestApp) {
    let drop = if app.database_url.starts_with("postgres") {
        "DROP TABLE passenger CASCADE"
    } else {
        "DROP TABLE passenger"
    };
    app.db.execute_unprepared(drop).await.unwrap();
}

async fn archived_status(app: &tests::TestApp, event_id: &str) -> EventStatus {
    let events = app.events().await;
    let event = events
        .iter()
        .find(|e| e.id.to_string() == event_id)
        .expect("archived");
    event.status
}

#[tokio::test]
async fn a_replayed_rejected_failed_or_applied_event_ends_as_the_webhook_left_it() {
    let app = spawn_app().await;

    let applied = app
        .post(
            "hahn-air/booking-create",
            &fixture("hahn_air/booking-create.json"),
            partners::hahn(),
        )
        .await;
    assert_eq!(applied.status, 200);
    let applied_id = applied.json["eventId"].as_str().unwrap().to_owned();

    let rejected = app
        .post(
            "hahn-air/booking-create",
            &fixture("hahn_air/booking-create-invalid.json"),
            partners::hahn(),
        )
        .await;
    assert_eq!(rejected.status, 422);
    let rejected_event = app
        .events()
        .await
        .into_iter()
        .find(|e| e.status == EventStatus::Rejected)
        .expect("the rejected delivery is archived");
    let rejected_id = rejected_event.id.to_string();

    assert_eq!(replay(&app, &applied_id).await, EventStatus::Applied);
    assert_eq!(replay(&app, &rejected_id).await, EventStatus::Rejected);
    assert_eq!(
        archived_status(&app, &rejected_id).await,
        EventStatus::Rejected
    );
    assert_eq!(
        app.events().await.len(),
        2,
        "a replay updates its row in place"
    );

    // A delivery whose processing fails: the passengers' table is gone.
    break_passengers(&app).await;
    let failed = app
        .post(
            "hahn-air/booking-create",
            &fixture("hahn_air/booking-create-leg-2.json"),
            partners::hahn(),
        )
        .await;
    assert_eq!(
        (failed.status, failed.json["error"]["code"].as_str()),
        (500, Some("internal"))
    );
    let failed_id = failed.json["error"]["eventId"].as_str().unwrap().to_owned();
    assert_eq!(archived_status(&app, &failed_id).await, EventStatus::Failed);
    assert_eq!(replay(&app, &failed_id).await, EventStatus::Failed);
    assert_eq!(archived_status(&app, &failed_id).await, EventStatus::Failed);
    assert_eq!(app.events().await.len(), 3);
}

/// A partner onboarded as a mapping file (`adapter = "mapping"`): `ingest replay` finds
/// its adapter in the registry as the webhook does, so its events replay too.
#[tokio::test]
async fn a_mapping_partners_replayed_events_end_as_the_webhook_left_them() {
    let registry = format!(
        r#"
[[partner]]
name = "skyhop"
adapter = "mapping"
mapping = "{}/../mappings/skyhop.toml"
auth = "none"
"#,
        env!("CARGO_MANIFEST_DIR")
    );
    let app = spawn_app_with_registry(&registry, TOKEN_SECRET, 1 << 20).await;
    let created = fixture("mapping/skyhop-order-created.json");

    let applied = app.post("skyhop", &created, Auth::None).await;
    assert_eq!(applied.status, 200, "{:?}", applied.json);
    let applied_id = applied.json["eventId"].as_str().unwrap().to_owned();

    let invalid = created
        .replace("evt_01HZX3K9", "evt_invalid")
        .replace("+44 20 7946 0018", "not a phone");
    let rejected = app.post("skyhop", &invalid, Auth::None).await;
    assert_eq!(rejected.status, 422, "{:?}", rejected.json);
    let rejected_id = app
        .events()
        .await
        .into_iter()
        .find(|e| e.status == EventStatus::Rejected)
        .expect("the rejected delivery is archived")
        .id
        .to_string();

    assert_eq!(replay(&app, &applied_id).await, EventStatus::Applied);
    assert_eq!(replay(&app, &rejected_id).await, EventStatus::Rejected);

    // A delivery whose processing fails: the passengers' table is gone.
    break_passengers(&app).await;
    let other_order = created
        .replace("evt_01HZX3K9", "evt_other")
        .replace("SKY-1042", "SKY-2077");
    let failed = app.post("skyhop", &other_order, Auth::None).await;
    assert_eq!(
        (failed.status, failed.json["error"]["code"].as_str()),
        (500, Some("internal"))
    );
    let failed_id = failed.json["error"]["eventId"].as_str().unwrap().to_owned();

    assert_eq!(replay(&app, &failed_id).await, EventStatus::Failed);
    for (id, status) in [
        (&applied_id, EventStatus::Applied),
        (&rejected_id, EventStatus::Rejected),
        (&failed_id, EventStatus::Failed),
    ] {
        assert_eq!(archived_status(&app, id).await, status, "event {id}");
    }
    assert_eq!(
        app.events().await.len(),
        3,
        "a replay updates its row in place"
    );
    let booking = app.booking("skyhop", "SKY-1042").await.expect("booking");
    assert_eq!(booking.status, entity::BookingStatus::OnHold);
    assert!(app.booking("skyhop", "SKY-2077").await.is_none());
}
