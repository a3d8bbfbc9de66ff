//! The archive's layout on PostgreSQL (migration `m20261202_000003_archive`): `event`
//! partitioned by month of received time, the accepted idempotency keys in `event_key`.
//! A database filled before the migration keeps every event through it (and back);
//! each month with rows gets its partition; a resend of a delivery from an earlier
//! month is answered `duplicate`. On SQLite the migration changes nothing, and the same
//! rows and answers are checked.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Utc};
use entity::{event, EventStatus};
use migration::MigratorTrait;
use sea_orm::{
    sea_query::Expr, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    EntityTrait, QueryFilter, Statement,
};
use tests::counts::counter_problems;
use tests::hahn_air::{create, update, CREATE, UPDATE};
use tests::{fixture, partners, spawn_app, TestApp};
use uuid::Uuid;

async fn rows(db: &DatabaseConnection) -> BTreeSet<(Uuid, String, &'static str, DateTime<Utc>)> {
    event::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.id, e.idempotency_key, e.status.as_str(), e.received_at))
        .collect()
}

async fn strings(db: &DatabaseConnection, sql: &str) -> Vec<String> {
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get_by_index::<String>(0).unwrap())
        .collect()
}

async fn partitions(db: &DatabaseConnection) -> Vec<String> {
    strings(
        db,
        "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
         JOIN pg_class p ON p.oid = i.inhparent \
         WHERE p.relname = 'event' AND c.relkind = 'r' ORDER BY 1",
    )
    .await
}

async fn expect(app: &TestApp, path: &str, body: &str, status: &str) {
    let reply = app.post(path, body, partners::hahn()).await;
    assert_eq!(reply.json["status"], status, "{path}: {}", reply.json);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_partition_migration_keeps_every_event_and_idempotency_across_months() {
    let app = spawn_app().await;
    let postgres = app.db.get_database_backend() == DatabaseBackend::Postgres;
    let now = Utc::now();
    for i in 0..6 {
        let reference = format!("HM{i:04}");
        expect(
            &app,
            CREATE,
            &create(&reference, "2024-01-20T10:00:00Z"),
            "applied",
        )
        .await;
        expect(
            &app,
            UPDATE,
            &update(&reference, 2, "2024-01-21T10:00:00Z"),
            "applied",
        )
        .await;
        expect(
            &app,
            UPDATE,
            &update(&reference, 1, "2024-01-19T10:00:00Z"),
            "stale",
        )
        .await;
    }
    let invalid = fixture("hahn_air/booking-create-invalid.json");
    assert_eq!(
        app.post(CREATE, &invalid, partners::hahn()).await.status,
        422
    );
    assert_eq!(
        app.post(CREATE, &invalid, partners::hahn()).await.status,
        422
    );
    // Spread over the past: whole bookings' events 2, 5 and 14 months back (the rows
    // move to those months, here into the default partition, none existing yet).
    for (i, months) in [(0, 2), (1, 5), (2, 14), (3, 14)] {
        let booking = app.booking("hahn-air", &format!("HM{i:04}")).await.unwrap();
        event::Entity::update_many()
            .col_expr(
                event::Column::ReceivedAt,
                Expr::value(now - chrono::Duration::days(31 * months)),
            )
            .filter(event::Column::BookingId.eq(booking.id))
            .exec(&app.db)
            .await
            .unwrap();
    }
    migration::recount(&app.db).await.unwrap();
    let before = rows(&app.db).await;
    assert_eq!(before.len(), 20);
    if postgres {
        let accepted = before
            .iter()
            .filter(|r| r.2 != EventStatus::Rejected.as_str())
            .count();
        assert_eq!(
            strings(&app.db, "SELECT count(*)::text FROM event_key").await,
            [accepted.to_string()]
        );
    }

    // Back to one table (the archive's migration undone, and any after it): every row
    // there, the keys unique again by index.
    let steps = migration::Migrator::migrations()
        .iter()
        .rev()
        .position(|m| m.name() == "m20261202_000003_archive")
        .unwrap()
        + 1;
    migration::Migrator::down(&app.db, Some(u32::try_from(steps).unwrap()))
        .await
        .unwrap();
    if postgres {
        assert!(partitions(&app.db).await.is_empty());
    }
    assert_eq!(rows(&app.db).await, before);
    if postgres {
        // This build looks keys up in event_key there (migration
        // m20261203_000002_event_key_received), gone with the layout: the index itself
        // refuses a second accepted event under a key.
        let second = "INSERT INTO event SELECT (json_populate_record(e, \
             json_build_object('id', gen_random_uuid()))).* FROM event e \
             WHERE status = 'applied' LIMIT 1";
        assert!(app.db.execute_unprepared(second).await.is_err());
    } else {
        expect(
            &app,
            CREATE,
            &create("HM0002", "2024-01-20T10:00:00Z"),
            "duplicate",
        )
        .await;
    }

    // And forward, with the rows in place: the layout this build runs on.
    migration::Migrator::up(&app.db, None).await.unwrap();
    assert_eq!(rows(&app.db).await, before, "no event lost, none added");
    if postgres {
        let names = partitions(&app.db).await;
        let month = |at: DateTime<Utc>| format!("event_y{}m{:02}", at.year(), at.month());
        for (_, _, _, received_at) in &before {
            assert!(names.contains(&month(*received_at)), "{names:?}");
        }
        // This month and the ones ahead.
        let this = now.year() * 12 + now.month0() as i32;
        for ahead in 0..=migration::MONTHS_AHEAD as i32 {
            let (year, month0) = ((this + ahead) / 12, (this + ahead) % 12);
            let name = format!("event_y{year}m{:02}", month0 + 1);
            assert!(names.contains(&name), "{name} in {names:?}");
        }
        assert!(names.contains(&"event_default".to_owned()));
        assert_eq!(
            strings(&app.db, "SELECT count(*)::text FROM event_default").await,
            ["0"]
        );
        let accepted = before
            .iter()
            .filter(|r| r.2 != EventStatus::Rejected.as_str())
            .count();
        assert_eq!(
            strings(&app.db, "SELECT count(*)::text FROM event_key").await,
            [accepted.to_string()]
        );
        // Creating the coming months again changes nothing.
        migration::create_partitions(&app.db).await.unwrap();
        assert_eq!(partitions(&app.db).await, names);
    }
    // Resends from months ago, each now in another partition than today's: duplicate.
    for i in [0, 1, 2] {
        let reference = format!("HM{i:04}");
        expect(
            &app,
            CREATE,
            &create(&reference, "2024-01-20T10:00:00Z"),
            "duplicate",
        )
        .await;
        expect(
            &app,
            UPDATE,
            &update(&reference, 1, "2024-01-19T10:00:00Z"),
            "duplicate",
        )
        .await;
    }
    // A refusal still holds no key: the corrected resend is processed.
    expect(
        &app,
        CREATE,
        &create("HM0099", "2024-01-20T10:00:00Z"),
        "applied",
    )
    .await;
    assert_eq!(rows(&app.db).await.len(), 21);
    let problems = counter_problems(&app.db).await;
    assert!(problems.is_empty(), "{problems:#?}");
}
