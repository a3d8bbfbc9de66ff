//! The migrations of issue "growth and speed", both ways on a filled database:
//! `m20261203_000001_booking_key_bytewise` (the booking key's unique index compares
//! bytes on PostgreSQL), `m20261203_000002_event_key_received` (`event_key` files each
//! accepted event's received time, the archive's partition key) and
//! `m20261203_000003_booking_days` (indexes on the UTC day of the booking date and trip
//! start). No row is lost or added either way; after them bookings are found by
//! reference, resends from earlier months, or of events moved in time, are answered
//! `duplicate`, and pages over a date range list the same bookings, in the same order,
//! as the rows say. On SQLite they change nothing, and the same rows and answers are
//! checked.

use std::collections::BTreeSet;

use chrono::Utc;
use entity::{booking, event};
use migration::MigratorTrait;
use sea_orm::{
    sea_query::Expr, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    EntityTrait, QueryFilter, Statement,
};
use serde_json::{json, Value};
use tests::hahn_air::{create, update, CREATE, UPDATE};
use tests::{fixture, partners, spawn_app, TestApp};

async fn expect(app: &TestApp, path: &str, body: &str, status: &str) {
    let reply = app.post(path, body, partners::hahn()).await;
    assert_eq!(reply.json["status"], status, "{path}: {}", reply.json);
}

async fn text(db: &DatabaseConnection, sql: &str) -> String {
    db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<String>(0)
        .unwrap()
}

/// Every booking and event, as text, to compare before and after.
async fn rows(db: &DatabaseConnection) -> BTreeSet<String> {
    let bookings = booking::Entity::find().all(db).await.unwrap();
    let events = event::Entity::find().all(db).await.unwrap();
    bookings
        .iter()
        .map(|b| format!("{b:?}"))
        .chain(events.iter().map(|e| format!("{e:?}")))
        .collect()
}

/// Undoes every migration from `name` on.
async fn down_to_before(db: &DatabaseConnection, name: &str) {
    let steps = migration::Migrator::migrations()
        .iter()
        .rev()
        .position(|m| m.name() == name)
        .unwrap()
        + 1;
    migration::Migrator::down(db, Some(u32::try_from(steps).unwrap()))
        .await
        .unwrap();
}

/// Three bookings with an update and a stale update each, and a refused delivery twice.
async fn fill(app: &TestApp) {
    for i in 0..3 {
        let reference = format!("KM{i:04}");
        expect(
            app,
            CREATE,
            &create(&reference, "2026-01-20T10:00:00Z"),
            "applied",
        )
        .await;
        expect(
            app,
            UPDATE,
            &update(&reference, 2, "2026-01-21T10:00:00Z"),
            "applied",
        )
        .await;
        expect(
            app,
            UPDATE,
            &update(&reference, 1, "2026-01-19T10:00:00Z"),
            "stale",
        )
        .await;
    }
    let invalid = fixture("hahn_air/booking-create-invalid.json");
    for _ in 0..2 {
        assert_eq!(
            app.post(CREATE, &invalid, partners::hahn()).await.status,
            422
        );
    }
}

/// Moves every event of booking `reference` `months` back in received time.
async fn move_back(app: &TestApp, reference: &str, months: i64) {
    let booking = app.booking("hahn-air", reference).await.unwrap();
    event::Entity::update_many()
        .col_expr(
            event::Column::ReceivedAt,
            Expr::value(Utc::now() - chrono::Duration::days(31 * months)),
        )
        .filter(event::Column::BookingId.eq(booking.id))
        .exec(&app.db)
        .await
        .unwrap();
}

/// On PostgreSQL, the accepted keys whose filed received time is not their event's.
async fn misfiled_keys(db: &DatabaseConnection) -> String {
    text(
        db,
        "SELECT count(*)::text FROM event e FULL JOIN event_key k ON k.event_id = e.id \
         WHERE (e.status <> 'rejected' OR e.id IS NULL) \
           AND (k.event_id IS NULL OR e.id IS NULL OR k.received_at <> e.received_at)",
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_key_files_each_accepted_events_received_time_and_the_migration_goes_both_ways() {
    let app = spawn_app().await;
    let postgres = app.db.get_database_backend() == DatabaseBackend::Postgres;
    fill(&app).await;
    // Rows moved in time after the migration: the trigger files their new time.
    move_back(&app, "KM0000", 2).await;
    if postgres {
        assert_eq!(misfiled_keys(&app.db).await, "0");
    }
    expect(
        &app,
        CREATE,
        &create("KM0000", "2026-01-20T10:00:00Z"),
        "duplicate",
    )
    .await;
    let before = rows(&app.db).await;

    down_to_before(&app.db, "m20261203_000002_event_key_received").await;
    assert_eq!(rows(&app.db).await, before, "no row lost, none added");
    if postgres {
        assert_eq!(
            text(
                &app.db,
                "SELECT count(*)::text FROM information_schema.columns \
                 WHERE table_name = 'event_key' AND column_name = 'received_at'"
            )
            .await,
            "0"
        );
        // Moved while the old trigger kept the keys: the migration files its time.
        move_back(&app, "KM0001", 5).await;
    }
    let before = rows(&app.db).await;

    migration::Migrator::up(&app.db, None).await.unwrap();
    assert_eq!(rows(&app.db).await, before, "no row lost, none added");
    if postgres {
        assert_eq!(misfiled_keys(&app.db).await, "0");
    }
    for i in 0..3 {
        let reference = format!("KM{i:04}");
        expect(
            &app,
            CREATE,
            &create(&reference, "2026-01-20T10:00:00Z"),
            "duplicate",
        )
        .await;
        expect(
            &app,
            UPDATE,
            &update(&reference, 2, "2026-01-21T10:00:00Z"),
            "duplicate",
        )
        .await;
    }
    // A refusal still holds no key: its resend is refused again, not a duplicate.
    let invalid = fixture("hahn_air/booking-create-invalid.json");
    assert_eq!(
        app.post(CREATE, &invalid, partners::hahn()).await.status,
        422
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_booking_key_compares_bytes_and_the_migration_goes_both_ways() {
    let app = spawn_app().await;
    let postgres = app.db.get_database_backend() == DatabaseBackend::Postgres;
    fill(&app).await;
    let collation = "SELECT k.collname::text FROM pg_index i \
         JOIN pg_class c ON c.oid = i.indexrelid \
         JOIN pg_collation k ON k.oid = i.indcollation[0] \
         WHERE c.relname = 'ux_booking_partner_reference'";
    if postgres {
        assert_eq!(text(&app.db, collation).await, "C");
    }
    let before = rows(&app.db).await;

    down_to_before(&app.db, "m20261203_000001_booking_key_bytewise").await;
    assert_eq!(rows(&app.db).await, before, "no row lost, none added");
    if postgres {
        assert_eq!(text(&app.db, collation).await, "default");
    }
    let duplicate = "UPDATE booking SET reference = 'KM0000' WHERE reference = 'KM0001'";
    assert!(
        app.db.execute_unprepared(duplicate).await.is_err(),
        "the key stays unique"
    );

    migration::Migrator::up(&app.db, None).await.unwrap();
    assert_eq!(rows(&app.db).await, before, "no row lost, none added");
    if postgres {
        assert_eq!(text(&app.db, collation).await, "C");
    }
    assert!(
        app.db.execute_unprepared(duplicate).await.is_err(),
        "the key stays unique"
    );
    // Found by their key: the deliveries update them, the api reads them by reference.
    for i in 0..3 {
        let reference = format!("KM{i:04}");
        expect(
            &app,
            UPDATE,
            &update(&reference, 4, "2026-01-22T10:00:00Z"),
            "applied",
        )
        .await;
        let reply = app
            .graphql(
                "analyst",
                "query Q($p: String!, $r: String!) { bookingByReference(partner: $p, reference: $r) { reference bagCount } }",
                json!({"p": "hahn-air", "r": reference}),
            )
            .await;
        assert_eq!(
            reply.json["data"]["bookingByReference"],
            json!({"reference": reference, "bagCount": 4}),
            "{}",
            reply.json
        );
    }
}

/// Every page of `bookings(filter)`, two at a time, as (reference) in order.
async fn pages(app: &TestApp, filter: &Value) -> Vec<String> {
    let mut references = Vec::new();
    let mut after = Value::Null;
    loop {
        let reply = app
            .graphql(
                "analyst",
                "query Q($f: BookingFilter, $a: String) { bookings(filter: $f, first: 2, after: $a) { \
                 pageInfo { hasNextPage endCursor } edges { node { reference } } } }",
                json!({"f": filter, "a": after}),
            )
            .await;
        let page = &reply.json["data"]["bookings"];
        for edge in page["edges"].as_array().expect("edges") {
            references.push(edge["node"]["reference"].as_str().unwrap().to_owned());
        }
        if page["pageInfo"]["hasNextPage"] != true {
            return references;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

/// The references of the bookings whose `column` lies in [from, to], newest first.
async fn expected(app: &TestApp, column: booking::Column, from: &str, to: &str) -> Vec<String> {
    let parse = |at: &str| chrono::DateTime::parse_from_rfc3339(at).unwrap().to_utc();
    let mut rows = booking::Entity::find()
        .filter(column.gte(parse(from)))
        .filter(column.lte(parse(to)))
        .all(&app.db)
        .await
        .unwrap();
    rows.sort_by_key(|b| std::cmp::Reverse((b.created_at, b.id)));
    rows.into_iter().map(|b| b.reference).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_over_a_date_range_list_the_rows_in_order_with_and_without_the_day_indexes() {
    let app = spawn_app().await;
    let postgres = app.db.get_database_backend() == DatabaseBackend::Postgres;
    // Booked on 1–10 January, travelling 5–14 February, at hours spread over the day.
    for i in 0..10u32 {
        let mut body: Value =
            serde_json::from_str(&create(&format!("KD{i:04}"), "2024-01-20T10:00:00Z")).unwrap();
        body["bookingDate"] = json!(format!("2024-01-{:02}T{:02}:30:00Z", i + 1, (i * 5) % 24));
        body["tripStart"] = json!(format!("2024-02-{:02}T{:02}:15:00Z", i + 5, (i * 7) % 24));
        expect(&app, CREATE, &body.to_string(), "applied").await;
    }
    // Partial days at both ends, whole days between; a range wider than the bookings;
    // one within a day.
    let ranges = [
        (
            booking::Column::BookedAt,
            "bookedFrom",
            "bookedTo",
            "2024-01-02T12:00:00Z",
            "2024-01-08T06:00:00Z",
        ),
        (
            booking::Column::BookedAt,
            "bookedFrom",
            "bookedTo",
            "2000-01-01T00:00:00Z",
            "2100-01-01T00:00:00Z",
        ),
        (
            booking::Column::TripStart,
            "tripStartFrom",
            "tripStartTo",
            "2024-02-06T00:00:00Z",
            "2024-02-10T00:00:00Z",
        ),
        (
            booking::Column::TripStart,
            "tripStartFrom",
            "tripStartTo",
            "2024-02-07T00:00:00Z",
            "2024-02-07T23:59:59Z",
        ),
    ];
    let check = |stage: &'static str| {
        let app = &app;
        let ranges = &ranges;
        async move {
            for (column, from_field, to_field, from, to) in ranges {
                let filter = json!({*from_field: from, *to_field: to});
                let want = expected(app, *column, from, to).await;
                assert!(!want.is_empty(), "{filter}");
                assert_eq!(pages(app, &filter).await, want, "{stage}: {filter}");
                let with_destination =
                    json!({*from_field: from, *to_field: to, "destination": "CDG"});
                let reply = pages(app, &with_destination).await;
                assert!(
                    reply.iter().all(|r| want.contains(r)),
                    "{stage}: {with_destination}"
                );
            }
        }
    };
    let indexes =
        "SELECT count(*)::text FROM pg_indexes WHERE indexname LIKE 'ix_booking_%day_created'";
    check("after").await;
    if postgres {
        assert_eq!(text(&app.db, indexes).await, "4");
    }
    let before = rows(&app.db).await;

    down_to_before(&app.db, "m20261203_000003_booking_days").await;
    assert_eq!(rows(&app.db).await, before, "no row lost, none added");
    if postgres {
        assert_eq!(text(&app.db, indexes).await, "0");
    }
    check("without the indexes").await;

    migration::Migrator::up(&app.db, None).await.unwrap();
    assert_eq!(rows(&app.db).await, before, "no row lost, none added");
    if postgres {
        assert_eq!(text(&app.db, indexes).await, "4");
    }
    check("with them again").await;
}
