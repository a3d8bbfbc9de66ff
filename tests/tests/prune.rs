//! Retention (CONTRACT §5 rev. 2): `ingest prune --older-than` and
//! `ARCHIVE_RETENTION_DAYS`. Real deliveries are archived and then dated back (the
//! counters rebuilt to match); pruning keeps every event inside the window and each
//! booking's newest applied event outside it, removes the rest, and leaves the counters
//! equal to the rows. A kept delivery's key still answers `duplicate`, a pruned one's
//! resend is processed afresh; deliveries keep being answered while a large archive is
//! pruned in batches; the command refuses a bad age with a clear message. On
//! PostgreSQL a month with nothing to keep is dropped whole, with its counts and keys.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, Utc};
use clap::Parser;
use entity::{event, EventStatus};
use sea_orm::{
    sea_query::Expr, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QuerySelect,
};
use serde_json::json;
use tests::counts::counter_problems;
use tests::hahn_air::{create, update, CREATE, UPDATE};
use tests::{fixture, partners, spawn_app, TestApp};
use uuid::Uuid;

async fn event_ids(db: &DatabaseConnection) -> BTreeSet<Uuid> {
    event::Entity::find()
        .select_only()
        .column(event::Column::Id)
        .into_tuple::<Uuid>()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .collect()
}

/// Delivers `body` and returns the event it archived (the one new row).
async fn deliver(app: &TestApp, path: &str, body: &str, want: u16) -> Uuid {
    let before = event_ids(&app.db).await;
    let reply = app.post(path, body, partners::hahn()).await;
    assert_eq!(reply.status, want, "{path}: {}", reply.json);
    let after = event_ids(&app.db).await;
    let new: Vec<_> = after.difference(&before).copied().collect();
    assert_eq!(new.len(), 1, "{path}: one event archived");
    new[0]
}

/// Dates event `id` back to `days` days before `now`, as if it had been received then.
async fn received(db: &DatabaseConnection, id: Uuid, now: DateTime<Utc>, days: i64) {
    event::Entity::update_many()
        .col_expr(
            event::Column::ReceivedAt,
            Expr::value(now - chrono::Duration::days(days)),
        )
        .filter(event::Column::Id.eq(id))
        .exec(db)
        .await
        .unwrap();
}

async fn total_events(app: &TestApp) -> i64 {
    let reply = app
        .graphql("analyst", "{ events { totalCount } }", json!({}))
        .await;
    reply.json["data"]["events"]["totalCount"]
        .as_i64()
        .unwrap_or_else(|| panic!("{}", reply.json))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prune_keeps_the_window_and_each_bookings_newest_applied_event_and_counts_follow() {
    let app = spawn_app().await;
    let now = Utc::now();
    // (event, age in days). Booking HP0001: all of it old; its newest applied event is
    // the second update, not the stale one that came after it.
    let a_create = deliver(&app, CREATE, &create("HP0001", "2024-01-20T10:00:00Z"), 200).await;
    let a_first = deliver(
        &app,
        UPDATE,
        &update("HP0001", 2, "2024-01-21T10:00:00Z"),
        200,
    )
    .await;
    let a_second = deliver(
        &app,
        UPDATE,
        &update("HP0001", 3, "2024-01-22T10:00:00Z"),
        200,
    )
    .await;
    let a_stale = deliver(
        &app,
        UPDATE,
        &update("HP0001", 4, "2024-01-19T10:00:00Z"),
        200,
    )
    .await;
    // HP0002: created long ago, updated inside the window.
    let b_create = deliver(&app, CREATE, &create("HP0002", "2024-01-20T10:00:00Z"), 200).await;
    let b_update = deliver(
        &app,
        UPDATE,
        &update("HP0002", 2, "2024-01-21T10:00:00Z"),
        200,
    )
    .await;
    // HP0003: one old create, two months older than the window.
    let c_create = deliver(&app, CREATE, &create("HP0003", "2024-01-20T10:00:00Z"), 200).await;
    // Refusals: one old, one recent.
    let invalid = fixture("hahn_air/booking-create-invalid.json");
    let old_refusal = deliver(&app, CREATE, &invalid, 422).await;
    let new_refusal = deliver(&app, CREATE, &invalid, 422).await;
    let ages = [
        (a_create, 300),
        (a_first, 250),
        (a_second, 200),
        (a_stale, 150),
        (b_create, 120),
        (b_update, 10),
        (c_create, 150),
        (old_refusal, 91),
        (new_refusal, 89),
    ];
    for (id, days) in ages {
        received(&app.db, id, now, days).await;
    }
    migration::recount(&app.db).await.unwrap();
    assert!(counter_problems(&app.db).await.is_empty());
    assert_eq!(total_events(&app).await, 9);

    // The rule, computed from the rows: inside the window, or the newest applied event
    // of its booking.
    let rows = event::Entity::find().all(&app.db).await.unwrap();
    let cutoff = now - chrono::Duration::days(90);
    let newest_applied = |row: &event::Model| {
        row.status == EventStatus::Applied
            && row.booking_id.is_some()
            && !rows.iter().any(|other| {
                other.status == EventStatus::Applied
                    && other.booking_id == row.booking_id
                    && (other.received_at, other.id) > (row.received_at, row.id)
            })
    };
    let expected: BTreeSet<Uuid> = rows
        .iter()
        .filter(|row| row.received_at >= cutoff || newest_applied(row))
        .map(|row| row.id)
        .collect();
    assert_eq!(
        expected,
        BTreeSet::from([a_second, b_update, c_create, new_refusal]),
        "the scenario is what it says"
    );

    let pruned = ingest::prune::prune(&app.db, cutoff).await.unwrap();
    assert_eq!(pruned.removed, 5);
    assert_eq!(event_ids(&app.db).await, expected);
    let problems = counter_problems(&app.db).await;
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(total_events(&app).await, 4);
    // Bookings are not touched.
    for reference in ["HP0001", "HP0002", "HP0003"] {
        assert!(app.booking("hahn-air", reference).await.is_some());
    }
    assert_eq!(
        app.booking("hahn-air", "HP0001").await.unwrap().bag_count,
        Some(3)
    );

    // Again: nothing more to prune.
    let again = ingest::prune::prune(&app.db, cutoff).await.unwrap();
    assert_eq!(again.removed, 0);

    // A kept delivery from five months ago still holds its key.
    let reply = app
        .post(
            CREATE,
            &create("HP0003", "2024-01-20T10:00:00Z"),
            partners::hahn(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.json);
    assert_eq!(reply.json["status"], "duplicate", "{}", reply.json);
    assert_eq!(reply.json["eventId"], json!(c_create));
    let reply = app
        .post(
            UPDATE,
            &update("HP0001", 3, "2024-01-22T10:00:00Z"),
            partners::hahn(),
        )
        .await;
    assert_eq!(reply.json["status"], "duplicate", "{}", reply.json);
    // A pruned one's resend is processed afresh: older than what the booking has
    // applied, it is stale and changes nothing.
    let reply = app
        .post(
            UPDATE,
            &update("HP0001", 2, "2024-01-21T10:00:00Z"),
            partners::hahn(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.json);
    assert_eq!(reply.json["status"], "stale", "{}", reply.json);
    assert_eq!(
        app.booking("hahn-air", "HP0001").await.unwrap().bag_count,
        Some(3)
    );
    assert!(counter_problems(&app.db).await.is_empty());
}

/// `n` archived events `days` old (ignored deliveries, a kilobyte of body each), written
/// directly; the counters rebuilt to match.
async fn old_events(db: &DatabaseConnection, n: usize, days: i64) {
    events_at(db, n, Utc::now() - chrono::Duration::days(days)).await;
}

/// `n` archived events received from `base` on, a millisecond apart, as [`old_events`].
async fn events_at(db: &DatabaseConnection, n: usize, base: DateTime<Utc>) {
    let body = vec![b'x'; 1024];
    let models: Vec<_> = (0..n)
        .map(|i| event::Model {
            id: Uuid::now_v7(),
            partner: "hahn-air".into(),
            adapter: "hahn_air".into(),
            event_type: "booking-note".into(),
            topic: None,
            idempotency_key: format!("old-{}-{i}", base.timestamp_millis()),
            occurred_at: None,
            received_at: base + chrono::Duration::milliseconds(i as i64),
            content_type: Some("application/json".into()),
            raw_body: body.clone(),
            status: EventStatus::Ignored,
            error: None,
            detail: None,
            booking_id: None,
        })
        .collect();
    for chunk in models.chunks(500) {
        let active: Vec<event::ActiveModel> = chunk
            .iter()
            .cloned()
            .map(sea_orm::IntoActiveModel::into_active_model)
            .collect();
        event::Entity::insert_many(active)
            .exec_without_returning(db)
            .await
            .unwrap();
    }
    migration::recount(db).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_are_answered_while_a_large_archive_is_pruned_in_batches() {
    let app = spawn_app().await;
    const OLD: usize = 20_000;
    old_events(&app.db, OLD, 200).await;
    // The prune on its own connection, as `ingest prune` and `serve` run it.
    let prune_db = common::db::connect(&app.database_url, 1).await.unwrap();
    let cutoff = Utc::now() - chrono::Duration::days(90);
    let pruning = tokio::spawn(async move { ingest::prune::prune(&prune_db, cutoff).await });
    let mut during = 0;
    let mut slowest = Duration::ZERO;
    let mut i = 0;
    while !pruning.is_finished() {
        i += 1;
        let started = Instant::now();
        let reply = app
            .post(
                CREATE,
                &create(&format!("HL{i:05}"), "2024-01-20T10:00:00Z"),
                partners::hahn(),
            )
            .await;
        assert_eq!(reply.status, 200, "delivery {i}: {}", reply.json);
        assert_eq!(reply.json["status"], "applied", "{}", reply.json);
        slowest = slowest.max(started.elapsed());
        if !pruning.is_finished() {
            during += 1;
        }
    }
    let pruned = pruning.await.unwrap().unwrap();
    assert_eq!(pruned.removed, OLD as u64);
    assert!(
        pruned.batches as usize >= OLD / ingest::prune::BATCH,
        "{pruned:?}"
    );
    // Batches leave the write lock between them: deliveries go on meanwhile, each
    // waiting for one batch at most.
    assert!(
        during >= 10,
        "only {during} deliveries answered during the prune"
    );
    assert!(
        slowest < Duration::from_secs(3),
        "slowest delivery {slowest:?}"
    );
    assert_eq!(
        event::Entity::find().count(&app.db).await.unwrap(),
        i as u64
    );
    let problems = counter_problems(&app.db).await;
    assert!(problems.is_empty(), "{problems:#?}");
}

fn cli(args: &[&str]) -> Result<ingest::config::Cli, clap::Error> {
    ingest::config::Cli::try_parse_from(std::iter::once("ingest").chain(args.iter().copied()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingest_prune_refuses_a_bad_age_and_prunes_with_a_good_one() {
    for (args, says) in [
        (
            &["prune", "--older-than", "0d"][..],
            "would remove the whole archive",
        ),
        (
            &["prune", "--older-than", "0h"],
            "would remove the whole archive",
        ),
        (
            &["prune", "--older-than", "90"],
            "e.g. `90d` or `12h`, got \"90\"",
        ),
        (
            &["prune", "--older-than", "3w"],
            "e.g. `90d` or `12h`, got \"3w\"",
        ),
        (
            &["prune", "--older-than=-5d"],
            "e.g. `90d` or `12h`, got \"-5d\"",
        ),
        (&["prune"], "--older-than"),
        (
            &["--archive-retention-days", "0", "serve"],
            "would remove the whole archive",
        ),
        (
            &["--archive-retention-days", "90d", "serve"],
            "expected a whole number of days, e.g. 90, got \"90d\"",
        ),
    ] {
        let err = cli(args).expect_err(&format!("{args:?} refused"));
        // A usage error: the binary exits 2 with this message.
        assert_eq!(err.exit_code(), 2, "{args:?}");
        let message = err.to_string();
        assert!(message.contains(says), "{args:?}: {message}");
    }

    let app = spawn_app().await;
    old_events(&app.db, 3, 40).await;
    old_events(&app.db, 2, 1).await;
    // 60 days: nothing that old.
    let url = app.database_url.clone();
    let parsed = cli(&["--database-url", &url, "prune", "--older-than", "60d"]).unwrap();
    let ingest::config::Command::Prune { older_than } = parsed.command.unwrap() else {
        panic!("prune")
    };
    ingest::prune::run(&parsed.config, older_than)
        .await
        .unwrap();
    assert_eq!(event::Entity::find().count(&app.db).await.unwrap(), 5);
    // 36 hours, in hours: the 40-day-old ones go.
    let parsed = cli(&["--database-url", &url, "prune", "--older-than", "36h"]).unwrap();
    let ingest::config::Command::Prune { older_than } = parsed.command.unwrap() else {
        panic!("prune")
    };
    ingest::prune::run(&parsed.config, older_than)
        .await
        .unwrap();
    assert_eq!(event::Entity::find().count(&app.db).await.unwrap(), 2);
    assert!(counter_problems(&app.db).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_with_archive_retention_days_prunes_at_start() {
    let app = spawn_app().await;
    old_events(&app.db, 4, 45).await;
    old_events(&app.db, 3, 5).await;
    let registry = std::env::temp_dir().join(format!("tripgraph-prune-{}.toml", Uuid::new_v4()));
    std::fs::write(&registry, partners::REGISTRY).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let parsed = cli(&[
        "--database-url",
        &app.database_url,
        "--addr",
        &format!("127.0.0.1:{port}"),
        "--partners-config",
        registry.to_str().unwrap(),
        "--token-secret",
        "s",
        "--archive-retention-days",
        "30",
    ])
    .unwrap();
    assert_eq!(
        parsed.config.archive_retention_days,
        Some(ingest::prune::Age::days(30).unwrap())
    );
    // PostgreSQL: next month's partition missing (as when a month has turned since the
    // migration); the upkeep at start creates it before its rows arrive.
    let postgres = app.db.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
    let next = Utc::now().year() * 12 + Utc::now().month0() as i32 + 1;
    let next = format!("event_y{}m{:02}", next / 12, next % 12 + 1);
    let exists = |db: DatabaseConnection, name: String| async move {
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                format!("SELECT count(*) AS n FROM pg_class WHERE relname = '{name}'"),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<i64>("", "n").unwrap() == 1
    };
    if postgres {
        assert!(exists(app.db.clone(), next.clone()).await);
        app.db
            .execute_unprepared(&format!("DROP TABLE {next}"))
            .await
            .unwrap();
        assert!(!exists(app.db.clone(), next.clone()).await);
    }
    let server = tokio::spawn(ingest::serve(parsed.config));
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let left = event::Entity::find().count(&app.db).await.unwrap();
        if left == 3 {
            break;
        }
        assert!(!server.is_finished(), "serve stopped: {:?}", server.await);
        assert!(
            Instant::now() < deadline,
            "{left} events left, the old ones never went"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.abort();
    std::fs::remove_file(&registry).ok();
    if postgres {
        assert!(exists(app.db.clone(), next.clone()).await, "{next} created");
    }
    assert!(counter_problems(&app.db).await.is_empty());
}

/// The first instant of the month `back` months before the current one (UTC), and the
/// name of its partition.
fn month_back(back: i32) -> (DateTime<Utc>, String) {
    use chrono::TimeZone;
    let now = Utc::now();
    let index = now.year() * 12 + now.month0() as i32 - back;
    let (year, month) = (index / 12, index % 12 + 1);
    let start = Utc
        .with_ymd_and_hms(year, month as u32, 1, 0, 0, 0)
        .unwrap();
    (start, format!("event_y{year}m{month:02}"))
}

async fn partition_rows(db: &DatabaseConnection, name: &str) -> Option<i64> {
    let exists = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!("SELECT count(*) AS n FROM pg_class WHERE relname = '{name}'"),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    if exists == 0 {
        return None;
    }
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!("SELECT count(*) AS n FROM {name}"),
        ))
        .await
        .unwrap()
        .unwrap();
    Some(row.try_get::<i64>("", "n").unwrap())
}

/// PostgreSQL: a month outside the window with no kept event is dropped whole; a month
/// holding a booking's newest applied event stays, its other events pruned in batches;
/// rows in the default partition are pruned in batches too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgresql_whole_months_are_dropped_unless_they_hold_a_kept_event() {
    let app = spawn_app().await;
    if app.db.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
        return;
    }
    let (gone_start, gone) = month_back(8);
    let (kept_start, kept) = month_back(6);
    for (start, name) in [(gone_start, &gone), (kept_start, &kept)] {
        let end = start + chrono::Duration::days(40);
        let end = end - chrono::Duration::days(i64::from(end.day0()));
        let end = end.date_naive().and_hms_opt(0, 0, 0).unwrap().and_utc();
        app.db
            .execute_unprepared(&format!(
                "CREATE TABLE {name} PARTITION OF event FOR VALUES FROM ('{}') TO ('{}')",
                start.to_rfc3339(),
                end.to_rfc3339()
            ))
            .await
            .unwrap();
    }
    events_at(&app.db, 1_200, gone_start + chrono::Duration::days(3)).await;
    // No partition for 14 months ago: the default one holds these.
    old_events(&app.db, 10, 430).await;
    let create_id = deliver(&app, CREATE, &create("HQ0001", "2024-01-20T10:00:00Z"), 200).await;
    let update_id = deliver(
        &app,
        UPDATE,
        &update("HQ0001", 2, "2024-01-21T10:00:00Z"),
        200,
    )
    .await;
    for (id, day) in [(create_id, 10), (update_id, 12)] {
        event::Entity::update_many()
            .col_expr(
                event::Column::ReceivedAt,
                Expr::value(kept_start + chrono::Duration::days(day)),
            )
            .filter(event::Column::Id.eq(id))
            .exec(&app.db)
            .await
            .unwrap();
    }
    migration::recount(&app.db).await.unwrap();
    assert_eq!(partition_rows(&app.db, &gone).await, Some(1_200));
    assert_eq!(partition_rows(&app.db, &kept).await, Some(2));
    assert_eq!(partition_rows(&app.db, "event_default").await, Some(10));

    let cutoff = Utc::now() - chrono::Duration::days(90);
    let pruned = ingest::prune::prune(&app.db, cutoff).await.unwrap();
    assert_eq!(pruned.months, 1, "{pruned:?}");
    assert_eq!(pruned.removed, 1_200 + 10 + 1, "{pruned:?}");
    assert_eq!(partition_rows(&app.db, &gone).await, None, "{gone} dropped");
    assert_eq!(partition_rows(&app.db, &kept).await, Some(1));
    assert_eq!(partition_rows(&app.db, "event_default").await, Some(0));
    assert_eq!(event_ids(&app.db).await, BTreeSet::from([update_id]));
    let problems = counter_problems(&app.db).await;
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(total_events(&app).await, 1);
    // The kept event's key still answers; the dropped month's keys are released.
    let reply = app
        .post(
            UPDATE,
            &update("HQ0001", 2, "2024-01-21T10:00:00Z"),
            partners::hahn(),
        )
        .await;
    assert_eq!(reply.json["status"], "duplicate", "{}", reply.json);
    let keys = app
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT count(*) AS n FROM event_key",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(keys, 1);
}
