//! Group commit (issue "growth and speed", item 4): concurrent deliveries share one
//! transaction, and one failing delivery of a group fails alone.
//!
//! 40 updates of one booking are sent at once — one lane, so they queue behind each
//! other and commit in groups — one of which the database refuses (a trigger standing in
//! for any failure a delivery can meet: a constraint, a bug, a lost connection). The
//! other 39 must be answered 2xx and archived as processed, the booking must show the
//! newest of them, and the refused one must be answered 500 and archived `failed`, its
//! retry taking that event up again. The metrics show that groups of more than one
//! committed and that the failing one's group was split.

use futures_util::future::join_all;
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection};
use serde_json::Value;
use tests::hahn_air::{create, update, CREATE, UPDATE};
use tests::{partners, spawn_app, TestApp};

/// The bag count the database refuses.
const POISON_BAGS: u32 = 99;
const UPDATES: u32 = 40;

/// Makes the database refuse any booking update to [`POISON_BAGS`] bags.
async fn poison(db: &DatabaseConnection) {
    let statements: &[&str] = match db.get_database_backend() {
        DatabaseBackend::Postgres => &[
            "CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN RAISE EXCEPTION 'refused by the test'; END $$",
            "CREATE TRIGGER refuse_poison BEFORE UPDATE ON booking FOR EACH ROW \
             WHEN (NEW.bag_count = 99) EXECUTE FUNCTION refuse_poison()",
        ],
        _ => &["CREATE TRIGGER refuse_poison BEFORE UPDATE ON booking \
                WHEN NEW.bag_count = 99 BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"],
    };
    for statement in statements {
        db.execute_unprepared(statement).await.unwrap();
    }
}

async fn metric(app: &TestApp, name: &str) -> f64 {
    app.metrics()
        .await
        .lines()
        .filter(|line| !line.starts_with('#'))
        .find(|line| line.split([' ', '{']).next() == Some(name))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
        .unwrap_or(0.0)
}

/// The archived event's status, by the event id a reply names.
async fn status_of(app: &TestApp, event_id: &str) -> String {
    let event = app
        .events()
        .await
        .into_iter()
        .find(|event| event.id.to_string() == event_id)
        .unwrap_or_else(|| panic!("event {event_id} is archived"));
    serde_json::to_value(event.status)
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned()
}

fn event_id(reply: &Value) -> String {
    reply["eventId"]
        .as_str()
        .or_else(|| reply["error"]["eventId"].as_str())
        .unwrap_or_else(|| panic!("the reply names its event: {reply}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_failing_delivery_of_a_group_fails_alone_and_the_others_are_applied() {
    let app = spawn_app().await;
    poison(&app.db).await;
    // Rounds until the failing delivery shared a group (nearly always the first).
    for round in 0..3 {
        let reference = format!("HG{round:04}");
        let reply = app
            .post(
                CREATE,
                &create(&reference, "2026-01-01T00:00:00Z"),
                partners::hahn(),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.json);
        let poisoned = UPDATES / 2;
        let bodies: Vec<(u32, String)> = (1..=UPDATES)
            .map(|n| {
                // The refused one is the newest, so that it is never merely stale.
                let (bags, at) = if n == poisoned {
                    (POISON_BAGS, "2026-01-02T00:01:00Z".to_owned())
                } else {
                    (n, format!("2026-01-02T00:00:{n:02}Z"))
                };
                (bags, update(&reference, bags, &at))
            })
            .collect();
        let split_before = metric(&app, "tripgraph_commit_groups_split_total").await;
        let replies = join_all(
            bodies
                .iter()
                .map(|(_, body)| app.post(UPDATE, body, partners::hahn())),
        )
        .await;
        for ((bags, _), reply) in bodies.iter().zip(&replies) {
            let status = status_of(&app, &event_id(&reply.json)).await;
            if *bags == POISON_BAGS {
                assert_eq!(reply.status, 500, "the refused update: {}", reply.json);
                assert_eq!(status, "failed", "the refused update is archived failed");
            } else {
                assert_eq!(reply.status, 200, "update to {bags} bags: {}", reply.json);
                assert!(
                    status == "applied" || status == "stale",
                    "update to {bags} bags archived {status}"
                );
            }
        }
        let booking = app.booking("hahn-air", &reference).await.unwrap();
        assert_eq!(booking.bag_count, Some(i32::try_from(UPDATES).unwrap()));
        if metric(&app, "tripgraph_commit_groups_split_total").await > split_before {
            let groups = metric(&app, "tripgraph_commit_groups_total").await;
            let grouped = metric(&app, "tripgraph_grouped_deliveries_total").await;
            assert!(
                grouped > groups,
                "some group committed more than one delivery ({grouped} in {groups})"
            );
            // The partner's retry of the refused one takes its failed event up again.
            let (_, body) = &bodies[usize::try_from(poisoned - 1).unwrap()];
            let first = &replies[usize::try_from(poisoned - 1).unwrap()];
            let retry = app.post(UPDATE, body, partners::hahn()).await;
            assert_eq!(retry.status, 500, "{}", retry.json);
            assert_eq!(event_id(&retry.json), event_id(&first.json));
            return;
        }
    }
    panic!("in three rounds of {UPDATES} concurrent updates the failing one never shared a group");
}
