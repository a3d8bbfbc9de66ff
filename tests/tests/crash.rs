//! Crash safety: the ingest killed with SIGKILL in the middle of concurrent deliveries,
//! twice, and restarted on the same database, loses nothing it acknowledged and applies
//! nothing twice.
//!
//! Eight workers send 600 deliveries (150 bookings: a create and three updates each, four
//! partners and auth kinds) to a real `ingest` process. After 30 % and 65 % of them the
//! process is killed (`kill -9`) and started again on a new port; a delivery whose
//! connection the kill cut, or that found nobody listening, has no answer. Then every
//! delivery is sent once more, as a partner's retry would:
//! - an acknowledged one answers `duplicate` with its first event id (not applied twice);
//! - one without an answer is applied now, or answers `duplicate` if the killed process
//!   had committed it before dying; either way it is archived exactly once;
//! - every acknowledged delivery is in the archive, and every booking shows its newest
//!   delivery.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tests::fresh_database_url;
use tests::live::ingest::IngestProcess;
use tests::live::load::{self, Attempt, Delivery, Partner, Plan};
use tests::live::{Problems, Rng};
use tokio::sync::watch;

tests::ingest_entry_point!();

const BOOKINGS: usize = 150;
const UPDATES_EACH: u32 = 3;
const WORKERS: usize = 8;
/// Kill the ingest once this share of the deliveries has been answered (or not).
const KILL_AFTER: [f64; 2] = [0.30, 0.65];
/// The whole run may take this long (a debug build on 2 cores needs ~15 s).
const BUDGET: Duration = Duration::from_secs(100);

/// Where the workers send to: `None` while the ingest is down; the generation counts
/// restarts.
#[derive(Clone, Debug)]
struct Target {
    generation: u32,
    url: Option<String>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_load_loses_no_acknowledged_delivery_and_applies_none_twice() {
    let started = Instant::now();
    let database_url = fresh_database_url().await;
    let mut rng = Rng::from_env("crash");
    let plan = Plan::new(BOOKINGS, UPDATES_EACH, &Partner::ALL);
    // Creates first (shuffled), then the updates in random order, so that updates of
    // one booking race each other.
    let mut order = plan.creates.clone();
    rng.shuffle(&mut order);
    let mut updates = plan.updates.clone();
    rng.shuffle(&mut updates);
    order.extend(updates);
    let order = Arc::new(order);

    let mut ingest = IngestProcess::start("crash", &database_url).await;
    let client = load::client(Duration::from_secs(30));
    let bearer = Arc::new(load::spotnana_token(&client, &ingest.url).await);
    let (target_tx, target_rx) = watch::channel(Target {
        generation: 0,
        url: Some(ingest.url.clone()),
    });

    let next = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let first: Arc<Mutex<Vec<Option<Attempt>>>> =
        Arc::new(Mutex::new((0..order.len()).map(|_| None).collect()));
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let (order, next, done, first) =
                (order.clone(), next.clone(), done.clone(), first.clone());
            let (client, bearer, mut target) = (client.clone(), bearer.clone(), target_rx.clone());
            tokio::spawn(async move {
                loop {
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    let Some(delivery) = order.get(index) else {
                        break;
                    };
                    let (generation, url) = wait_up(&mut target, None).await;
                    let attempt = load::send(&client, &url, delivery, &bearer).await;
                    let cut = attempt.reply.is_err();
                    first.lock().unwrap()[index] = Some(attempt);
                    done.fetch_add(1, Ordering::SeqCst);
                    if cut {
                        // Killed under us (or not yet back): wait for the restart.
                        wait_up(&mut target, Some(generation)).await;
                    }
                }
            })
        })
        .collect();

    // The killer: at each mark, mark the target down, kill -9, start again, mark it up.
    let mut killed = Vec::new();
    for (generation, share) in (1..).zip(KILL_AFTER) {
        let mark = (order.len() as f64 * share) as usize;
        while done.load(Ordering::SeqCst) < mark {
            assert!(
                started.elapsed() < BUDGET,
                "the load stalled before the kill at {mark}"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        target_tx.send_replace(Target {
            generation,
            url: None,
        });
        ingest.kill();
        println!(
            "crash: kill -9 of pid {} after {} answers",
            ingest.pid(),
            done.load(Ordering::SeqCst)
        );
        let restarted = IngestProcess::start("crash", &database_url).await;
        // The killed process's log is kept until the end, for a failure report.
        killed.push(std::mem::replace(&mut ingest, restarted));
        target_tx.send_replace(Target {
            generation,
            url: Some(ingest.url.clone()),
        });
    }
    for worker in workers {
        tokio::time::timeout(BUDGET.saturating_sub(started.elapsed()), worker)
            .await
            .expect("the load finished within the budget")
            .expect("worker");
    }
    let first: Vec<Attempt> = Arc::try_unwrap(first)
        .expect("workers are done")
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|a| a.expect("every delivery was attempted"))
        .collect();
    let load_time = started.elapsed();

    // The partners' retries: every delivery once more, with the same concurrency.
    let jobs = order
        .iter()
        .map(|d| (ingest.url.clone(), d.clone()))
        .collect();
    let resent = load::send_all(&client, jobs, WORKERS, &bearer).await;

    let db = common::db::connect(&database_url, 2)
        .await
        .expect("connect");
    let archive = load::Archive::load(&db).await;
    let mut problems = Problems::default();
    for ((delivery, first), again) in order.iter().zip(&first).zip(&resent) {
        check_delivery(&archive, delivery, first, again, &mut problems);
    }
    if archive.total != order.len() {
        problems.add(
            "archive size",
            format!(
                "{} events for {} distinct deliveries",
                archive.total,
                order.len()
            ),
        );
    }
    load::check_bookings(&db, &plan, &archive, &mut problems).await;
    db.close().await.ok();

    let summary = format!(
        "crash on {}: {} deliveries, 2 × kill -9; first answers [{}]; resent [{}]; \
         load {:.1} s, total {:.1} s",
        backend(&database_url),
        order.len(),
        load::tally(&first),
        load::tally(&resent),
        load_time.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    println!("{summary}");
    problems.assert_none(&summary);
    assert!(
        ingest.exit_status().is_none(),
        "the last ingest is still running"
    );
    drop(killed);
}

/// Waits until the target is up — in a generation after `after`, if given — and returns
/// it. If the target is up in the same generation (a failure that was not a kill), it
/// returns at once.
async fn wait_up(target: &mut watch::Receiver<Target>, after: Option<u32>) -> (u32, String) {
    let deadline = Duration::from_secs(90);
    let current = tokio::time::timeout(
        deadline,
        target.wait_for(|t| t.url.is_some() && after.is_none_or(|g| t.generation >= g)),
    )
    .await
    .expect("the ingest came back")
    .expect("the killer is alive")
    .clone();
    (current.generation, current.url.expect("up"))
}

/// One delivery: its first answer, its resend's answer, and the archive agree.
fn check_delivery(
    archive: &load::Archive,
    delivery: &Delivery,
    first: &Attempt,
    again: &Attempt,
    problems: &mut Problems,
) {
    let what = format!(
        "{} booking {} seq {}",
        delivery.partner.name(),
        delivery.booking,
        delivery.seq
    );
    if first.reply.is_ok() && !first.acknowledged() {
        problems.add(
            "first attempt answered, but not 2xx",
            format!("{what}: {}", first.describe()),
        );
    }
    if first.acknowledged() {
        load::check_acknowledged(archive, delivery, first, problems);
        if again.outcome() != Some("duplicate") || again.event_id() != first.event_id() {
            problems.add(
                "acknowledged delivery resent is not a duplicate of itself (applied twice?)",
                format!(
                    "{what}: first {}, again {}",
                    first.describe(),
                    again.describe()
                ),
            );
        }
    } else if !again.acknowledged() {
        problems.add(
            "delivery without an answer is refused when resent",
            format!(
                "{what}: first {}, again {}",
                first.describe(),
                again.describe()
            ),
        );
    }
    let events = archive.of(delivery);
    if events.len() != 1 {
        problems.add(
            "delivery not archived exactly once after the resend",
            format!(
                "{what}: {} events; first {}, again {}",
                events.len(),
                first.describe(),
                again.describe()
            ),
        );
    }
    if let Some(event) = events
        .iter()
        .find(|e| e.status == entity::EventStatus::Failed)
    {
        problems.add(
            "delivery archived as failed",
            format!("{what}: {:?}", event.error),
        );
    }
}

fn backend(url: &str) -> &'static str {
    if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    }
}
