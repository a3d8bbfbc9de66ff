//! The plans of the ingest's statements on PostgreSQL (README, *Plans of the ingest's
//! statements*): the lookup of a booking by (partner, reference) reads the unique index
//! on that key, never another index of `booking` that starts with the partner, on a new
//! database (no statistics yet, the planner's estimates a tie) and whatever the plan
//! mode — the product's custom plans and a connection that keeps generic plans from
//! the first execution. SQLite plans its lookup by the unique index anyway: PostgreSQL
//! only.

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
/// execution), otherwise the delivery pool `ingest serve` uses.
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
        common::db::connect_for_writes(&url, 1).await.unwrap()
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

/// Index scans of each index of `booking`, as the statistics hold them.
async fn booking_index_scans(db: &DatabaseConnection) -> BTreeMap<String, i64> {
    db.query_all_raw(Statement::from_string(
        DatabaseBackend::Postgres,
        "SELECT indexrelname::text, idx_scan FROM pg_stat_user_indexes WHERE relname = 'booking'",
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

/// The statistics once both ingests' connections have ended and flushed theirs: a
/// backend reports its counts when it exits (or within seconds when idle), so the
/// bookings they inserted are counted at last, and nothing changes after.
async fn flushed_index_scans(db: &DatabaseConnection, inserted: usize) -> BTreeMap<String, i64> {
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
            let scans = booking_index_scans(db).await;
            tokio::time::sleep(Duration::from_millis(500)).await;
            if booking_index_scans(db).await == scans {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_database_looks_bookings_up_by_the_unique_index_with_custom_and_generic_plans() {
    let app = spawn_app().await;
    if app.db.get_database_backend() != DatabaseBackend::Postgres {
        return;
    }
    let ingests = [ingest(&app, false).await, ingest(&app, true).await];
    for (n, ingest) in ingests.iter().enumerate() {
        for i in 0..BOOKINGS {
            let reference = format!("WP{n}{i:03}");
            for (path, body) in [
                (CREATE, create(&reference, "2026-01-10T10:00:00Z")),
                (UPDATE, update(&reference, 2, "2026-01-11T10:00:00Z")),
                (UPDATE, update(&reference, 3, "2026-01-12T10:00:00Z")),
            ] {
                let reply = ingest.post(path, &body, partners::hahn()).await;
                assert_eq!(reply.json["status"], "applied", "{path}: {}", reply.json);
            }
        }
    }
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

    let scans = flushed_index_scans(&app.db, 2 * BOOKINGS).await;
    let wrong: BTreeMap<_, _> = scans
        .iter()
        .filter(|(name, n)| {
            **n > 0
                && !matches!(
                    name.as_str(),
                    "ux_booking_partner_reference" | "booking_pkey"
                )
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
