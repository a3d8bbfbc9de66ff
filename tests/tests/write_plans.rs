//! The plans of the ingest's statements on PostgreSQL (README, *Plans of the ingest's
//! statements*), on a new database (no statistics yet) and whatever the plan mode — the
//! product's pool (PostgreSQL's default plan cache), and a connection that keeps generic
//! plans from the first execution:
//! - the lookup of a booking by (partner, reference) reads the unique index on that
//!   key, never another index of `booking` that starts with the partner;
//! - the duplicate lookup reads `event_key`, and the archive only for a key it holds:
//!   one month's primary key, not every month's index.
//!
//! SQLite has one archive table and plans its lookups by the unique indexes anyway:
//! PostgreSQL only.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};
use tests::hahn_air::{create, update, CREATE, UPDATE};
use tests::{partners, spawn_app, TestApp, TOKEN_SECRET};

/// Bookings created through each ingest; below autovacuum's analyse threshold (50 rows)
/// for the two together, so the table keeps no statistics during the test.
const BOOKINGS: usize = 20;

/// What the ingest's connections are called, to tell them apart in `pg_stat_activity`.
const APPLICATION: &str = "tripgraph-write-plans";

/// A real ingest router on the test's database over a pool of one connection: `generic`
/// keeps generic plans (`plan_cache_mode = force_generic_plan`, made at the first
/// execution), otherwise the pool `ingest serve` uses.
async fn ingest(app: &TestApp, generic: bool) -> TestApp {
    let separator = if app.database_url.contains('?') {
        '&'
    } else {
        '?'
    };
    let url = format!(
        "{}{separator}application_name={APPLICATION}",
        app.database_url
    );
    let db = if generic {
        common::db::connect(
            &format!("{url}&options[plan_cache_mode]=force_generic_plan"),
            1,
        )
        .await
        .unwrap()
    } else {
        common::db::connect(&url, 1).await.unwrap()
    };
    let registry =
        ingest::registry::Registry::parse(partners::REGISTRY, &|var| std::env::var(var).ok())
            .unwrap();
    let state = ingest::state(
        db,
        registry,
        Some(&common::Secret::new(TOKEN_SECRET)),
        ingest::http::DEFAULT_BODY_LIMIT,
    )
    .unwrap();
    let addr = tests::serve(ingest::http::router(state.clone())).await;
    TestApp {
        ingest: format!("http://{addr}"),
        api: app.api.clone(),
        db: app.db.clone(),
        database_url: url,
        client: reqwest::Client::new(),
        ingest_state: state,
    }
}

async fn number(db: &DatabaseConnection, sql: &str) -> i64 {
    db.query_one_raw(Statement::from_string(DatabaseBackend::Postgres, sql))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap()
}

/// Index scans of each index of `booking` and of the archive's partitions, by index,
/// and the rows each partition's sequential scans read (as `seq_tup_read:` and its
/// name: the migrations scan the empty partitions, to build indexes and to check the
/// default partition, and read no row).
async fn index_scans(db: &DatabaseConnection) -> BTreeMap<String, i64> {
    db.query_all_raw(Statement::from_string(
        DatabaseBackend::Postgres,
        "SELECT indexrelname::text, idx_scan FROM pg_stat_user_indexes \
         WHERE relname = 'booking' \
            OR relid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'event'::regclass) \
         UNION ALL \
         SELECT 'seq_tup_read:' || relname, seq_tup_read FROM pg_stat_user_tables \
         WHERE relid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'event'::regclass)",
    ))
    .await
    .unwrap()
    .iter()
    .map(|row| {
        (
            row.try_get_by_index::<String>(0).unwrap(),
            row.try_get_by_index::<i64>(1).unwrap(),
        )
    })
    .collect()
}

/// Closes the ingests' pools and returns [`index_scans`] once their connections have
/// ended and flushed their statistics: a backend reports its counts when it exits (or
/// within seconds when idle), so the bookings they inserted are counted at last, and
/// nothing changes after.
async fn flushed_index_scans(
    db: &DatabaseConnection,
    ingests: [TestApp; 2],
    inserted: usize,
) -> BTreeMap<String, i64> {
    for ingest in ingests {
        ingest
            .ingest_state
            .processor
            .db()
            .clone()
            .close()
            .await
            .unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let open = number(
            db,
            &format!(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = '{APPLICATION}'"
            ),
        )
        .await;
        let counted = number(
            db,
            "SELECT coalesce(sum(n_tup_ins), 0)::bigint FROM pg_stat_user_tables WHERE relname = 'booking'",
        )
        .await;
        if open == 0 && counted == i64::try_from(inserted).unwrap() {
            let scans = index_scans(db).await;
            tokio::time::sleep(Duration::from_millis(500)).await;
            if index_scans(db).await == scans {
                return scans;
            }
        }
        assert!(
            Instant::now() < deadline,
            "statistics not flushed after 30 s: {open} ingest connection(s) open, \
             {counted} of {inserted} bookings counted"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Sends each delivery through `ingest`, expecting its status.
async fn deliver(ingest: &TestApp, deliveries: &[(&str, String, &str)]) {
    for (path, body, status) in deliveries {
        let reply = ingest.post(path, body, partners::hahn()).await;
        assert_eq!(reply.json["status"], *status, "{path}: {}", reply.json);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_database_looks_bookings_up_by_the_unique_index_with_default_and_generic_plans() {
    let app = spawn_app().await;
    if app.db.get_database_backend() != DatabaseBackend::Postgres {
        return;
    }
    let ingests = [ingest(&app, false).await, ingest(&app, true).await];
    for (n, ingest) in ingests.iter().enumerate() {
        let mut deliveries = Vec::new();
        for i in 0..BOOKINGS {
            let reference = format!("WP{n}{i:03}");
            deliveries.extend([
                (
                    CREATE,
                    create(&reference, "2026-01-10T10:00:00Z"),
                    "applied",
                ),
                (
                    UPDATE,
                    update(&reference, 2, "2026-01-11T10:00:00Z"),
                    "applied",
                ),
                (
                    UPDATE,
                    update(&reference, 3, "2026-01-12T10:00:00Z"),
                    "applied",
                ),
            ]);
        }
        deliver(ingest, &deliveries).await;
    }

    // The pools' settings all reach the server: the plan mode each was given, JIT off.
    for (ingest, mode) in ingests.iter().zip(["auto", "force_generic_plan"]) {
        let db = ingest.ingest_state.processor.db();
        for (setting, value) in [("plan_cache_mode", mode), ("jit", "off")] {
            let shown = db
                .query_one_raw(Statement::from_string(
                    DatabaseBackend::Postgres,
                    format!("SELECT current_setting('{setting}')"),
                ))
                .await
                .unwrap()
                .unwrap()
                .try_get_by_index::<String>(0)
                .unwrap();
            assert_eq!(shown, value, "{setting}");
        }
    }

    let scans = flushed_index_scans(&app.db, ingests, 2 * BOOKINGS).await;
    let booking_indexes =
        |name: &str| name.starts_with("ux_booking") || name.starts_with("ix_booking");
    let wrong: BTreeMap<_, _> = scans
        .iter()
        .filter(|(name, n)| {
            **n > 0 && booking_indexes(name) && name.as_str() != "ux_booking_partner_reference"
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "booking lookups read other indexes than the unique (partner, reference) one: {scans:?}"
    );
    // Every delivery looked its booking up (3 per booking), each through the unique index.
    let unique = scans
        .get("ux_booking_partner_reference")
        .copied()
        .unwrap_or(0);
    assert!(
        unique >= i64::try_from(6 * BOOKINGS).unwrap(),
        "the unique index served {unique} scans for {} lookups: {scans:?}",
        6 * BOOKINGS
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicate_is_found_through_event_key_and_one_month_of_the_archive() {
    let app = spawn_app().await;
    if app.db.get_database_backend() != DatabaseBackend::Postgres {
        return;
    }
    let ingests = [ingest(&app, false).await, ingest(&app, true).await];
    for (n, ingest) in ingests.iter().enumerate() {
        let mut deliveries = Vec::new();
        for i in 0..BOOKINGS {
            let body = create(&format!("WD{n}{i:03}"), "2026-01-10T10:00:00Z");
            deliveries.extend([
                (CREATE, body.clone(), "applied"),
                (CREATE, body, "duplicate"),
            ]);
        }
        deliver(ingest, &deliveries).await;
    }

    let scans = flushed_index_scans(&app.db, ingests, 2 * BOOKINGS).await;
    let months = number(
        &app.db,
        "SELECT count(*) FROM pg_inherits WHERE inhparent = 'event'::regclass",
    )
    .await;
    assert!(months > 1, "the archive has {months} partitions");
    // A new key is looked up in event_key alone; a known one fetches its event from the
    // partition that holds it, by primary key: one index scan per duplicate, in all.
    let archive: i64 = scans
        .iter()
        .filter(|(name, _)| name.starts_with("event_"))
        .map(|(_, n)| n)
        .sum();
    let sequential: i64 = scans
        .iter()
        .filter(|(name, _)| name.starts_with("seq_tup_read:"))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(
        sequential, 0,
        "rows of the archive read one by one: {scans:?}"
    );
    let duplicates = i64::try_from(2 * BOOKINGS).unwrap();
    assert!(
        archive <= duplicates,
        "{archive} index scans of the archive's {months} partitions for {} deliveries, \
         {duplicates} of them duplicates: {scans:?}",
        4 * BOOKINGS
    );
}
