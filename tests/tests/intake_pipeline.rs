//! `POST /webhooks/…` and `ingest replay` share one intake pipeline: an archived
//! delivery replayed ends as the webhook left it.

use entity::EventStatus;
use sea_orm::ConnectionTrait;
use tests::{fixture, partners, spawn_app};

/// Replays the archived event `event_id` and returns the status it ends with.
async fn replay(app: &tests::TestApp, event_id: &str) -> EventStatus {
    use sea_orm::EntityTrait;
    let id: uuid::Uuid = event_id.parse().expect("an event id");
    let row = entity::event::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .expect("the archived event");
    let processor = ingest::process::Processor::new(app.db.clone());
    ingest::replay::replay_one(&processor, &row).await
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
    let drop = if app.database_url.starts_with("postgres") {
        "DROP TABLE passenger CASCADE"
    } else {
        "DROP TABLE passenger"
    };
    app.db.execute_unprepared(drop).await.unwrap();
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
