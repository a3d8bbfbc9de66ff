//! Two ingest processes on one database (one PostgreSQL database; one SQLite file), as
//! when an operator runs two replicas, or a rolling restart overlaps the old and the
//! new process: concurrent deliveries for the same bookings, split across both.
//!
//! 60 bookings (four partners): all 60 creates at once, each raced by the booking's
//! first update on the other process (an update before its create creates the booking
//! too), then 540 more updates, 16 at a time, alternating between the processes, so that
//! updates of one booking run in both at once. Every delivery must be answered 2xx,
//! every booking must exist once per reference and show its newest update (no update
//! lost between the processes), and every delivery must be archived once.

use std::time::{Duration, Instant};

use tests::fresh_database_url;
use tests::live::ingest::IngestProcess;
use tests::live::load::{self, Attempt, Delivery, Partner, Plan};
use tests::live::{Problems, Rng};

tests::ingest_entry_point!();

const BOOKINGS: usize = 60;
const UPDATES_EACH: u32 = 10;
const CONCURRENCY: usize = 16;
/// The whole run may take this long (a debug build on 2 cores needs ~15 s).
const BUDGET: Duration = Duration::from_secs(100);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_ingest_processes_on_one_database_lose_no_update_and_refuse_nothing() {
    let started = Instant::now();
    let database_url = fresh_database_url().await;
    let mut rng = Rng::from_env("two_writers");
    let plan = Plan::new(BOOKINGS, UPDATES_EACH, &Partner::ALL);

    // Both start at once on the fresh database: both migrate.
    let mut a = IngestProcess::spawn("writer-a", &database_url);
    let mut b = IngestProcess::spawn("writer-b", &database_url);
    for process in [&mut a, &mut b] {
        if let Err(err) = process.wait_ready().await {
            panic!("an ingest did not become ready: {err:?}");
        }
    }
    let urls = [a.url.clone(), b.url.clone()];
    let client = load::client(Duration::from_secs(30));
    let bearer = load::spotnana_token(&client, &urls[0]).await;

    // Wave 1: every create, each with its booking's first update on the other process.
    let mut wave: Vec<(Delivery, usize)> = Vec::new();
    for create in &plan.creates {
        let side = create.booking % 2;
        wave.push((create.clone(), side));
        let first_update = plan
            .updates
            .iter()
            .find(|u| u.booking == create.booking && u.seq == 1)
            .expect("a first update");
        wave.push((first_update.clone(), 1 - side));
    }
    let jobs = |list: &[(Delivery, usize)]| {
        list.iter()
            .map(|(d, side)| (urls[*side].clone(), d.clone()))
            .collect::<Vec<_>>()
    };
    let wave_attempts = load::send_all(&client, jobs(&wave), wave.len(), &bearer).await;

    // Wave 2: the other updates, shuffled, alternating processes, 16 in flight.
    let mut rest: Vec<(Delivery, usize)> = plan
        .updates
        .iter()
        .filter(|u| u.seq > 1)
        .cloned()
        .enumerate()
        .map(|(i, u)| (u, i % 2))
        .collect();
    rng.shuffle(&mut rest);
    let rest_attempts = load::send_all(&client, jobs(&rest), CONCURRENCY, &bearer).await;
    let load_time = started.elapsed();
    assert!(load_time < BUDGET, "the load took {load_time:?}");

    let sent: Vec<(Delivery, usize)> = wave.into_iter().chain(rest).collect();
    let attempts: Vec<Attempt> = wave_attempts.into_iter().chain(rest_attempts).collect();
    let db = common::db::connect(&database_url, 2)
        .await
        .expect("connect");
    let archive = load::Archive::load(&db).await;
    let mut problems = Problems::default();
    for ((delivery, side), attempt) in sent.iter().zip(&attempts) {
        let what = format!(
            "{} booking {} seq {} via ingest {}",
            delivery.partner.name(),
            delivery.booking,
            delivery.seq,
            ["A", "B"][*side]
        );
        if attempt.acknowledged() {
            load::check_acknowledged(&archive, delivery, attempt, &mut problems);
        } else {
            problems.add(
                "delivery not answered 2xx",
                format!("{what}: {}", attempt.describe()),
            );
            if attempt.status() == Some(503) && !archive.of(delivery).is_empty() {
                problems.add("a 503 recorded the delivery", what.clone());
            }
        }
        if attempt.outcome() == Some("duplicate") {
            problems.add("a first delivery answered duplicate", what);
        }
    }
    load::check_bookings(&db, &plan, &archive, &mut problems).await;
    // The counters behind the analysts' counts, moved by both processes at once.
    for problem in tests::counts::counter_problems(&db).await {
        problems.add("a counter differs from the rows", problem);
    }
    db.close().await.ok();

    let by_side = |side: usize| {
        load::tally(
            sent.iter()
                .zip(&attempts)
                .filter(|((_, s), _)| *s == side)
                .map(|(_, a)| a),
        )
    };
    let summary = format!(
        "two writers on {}: {} deliveries; ingest A [{}]; ingest B [{}]; load {:.1} s, total {:.1} s",
        if database_url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" },
        sent.len(),
        by_side(0),
        by_side(1),
        load_time.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    println!("{summary}");
    problems.assert_none(&summary);
    for process in [&mut a, &mut b] {
        assert!(process.exit_status().is_none(), "both ingests still run");
    }
}
