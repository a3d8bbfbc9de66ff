//! A real database outage: the PostgreSQL server itself stops under load and comes back,
//! and the same ingest process carries on.
//!
//! The test owns a private PostgreSQL server (`initdb` + `postgres` on a free port; see
//! `tests::live::postgres`), so it runs whether or not `TEST_DATABASE_URL` is set, and is
//! skipped, saying so, where no PostgreSQL server binaries are installed. Four workers
//! send 200 deliveries (40 bookings, four partners) and retry each 5xx (or missing
//! answer) after 200 ms, as a partner would (sooner than the `Retry-After` asks, to keep
//! the test short). After a
//! quarter of them the server is stopped as `pg_ctl stop -m immediate` does, for four
//! seconds, then started again. Meanwhile a `/readyz` probe starts every 100 ms.
//!
//! While the server is down, every delivery and every probe must be answered 503 (with
//! `Retry-After` for deliveries) within one second (CONTRACT §3), never 500; once it is
//! back, `/readyz` says 200 and every delivery is applied — by the same process, never
//! restarted — and nothing acknowledged is lost.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tests::live::ingest::IngestProcess;
use tests::live::load::{self, Attempt, Partner, Plan};
use tests::live::postgres::PrivatePostgres;
use tests::live::Problems;

tests::ingest_entry_point!();

const BOOKINGS: usize = 40;
const UPDATES_EACH: u32 = 4;
const WORKERS: usize = 4;
/// Pause between one worker's deliveries, so that the load spans the outage.
const PACE: Duration = Duration::from_millis(20);
const RETRY_AFTER: Duration = Duration::from_millis(200);
const PROBE_EVERY: Duration = Duration::from_millis(100);
const DOWN_FOR: Duration = Duration::from_secs(4);
/// CONTRACT §3: "database unavailable — 503 … within 1 s".
const ANSWER_WITHIN: Duration = Duration::from_secs(1);
/// After the server accepts connections again, deliveries must apply within this.
const RECOVER_WITHIN: Duration = Duration::from_secs(10);
const BUDGET: Duration = Duration::from_secs(90);

/// One `/readyz` probe.
struct Probe {
    sent_at: Instant,
    latency: Duration,
    status: Result<u16, String>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_postgres_server_is_answered_503_within_a_second_and_the_same_ingest_recovers() {
    let started = Instant::now();
    let mut pg = match PrivatePostgres::start().await {
        Ok(pg) => pg,
        Err(why) => {
            println!("SKIPPED outage_server: {why}");
            eprintln!("SKIPPED outage_server: {why}");
            return;
        }
    };
    let database_url = pg.create_database("tripgraph").await;
    let mut ingest = IngestProcess::start("outage", &database_url).await;
    let pid = ingest.pid();
    let client = load::client(Duration::from_secs(30));
    let bearer = Arc::new(load::spotnana_token(&client, &ingest.url).await);
    let plan = Plan::new(BOOKINGS, UPDATES_EACH, &Partner::ALL);
    let order = Arc::new(plan.all());

    // Workers: every delivery until it is answered 2xx (or refused).
    let next = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let attempts: Arc<Mutex<Vec<(usize, Attempt)>>> = Arc::default();
    let deadline = started + BUDGET;
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let (order, next, done, attempts) =
                (order.clone(), next.clone(), done.clone(), attempts.clone());
            let (client, url, bearer) = (client.clone(), ingest.url.clone(), bearer.clone());
            tokio::spawn(async move {
                loop {
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    let Some(delivery) = order.get(index) else {
                        break;
                    };
                    loop {
                        let attempt = load::send(&client, &url, delivery, &bearer).await;
                        // A partner retries whatever is neither a 2xx nor a refusal (4xx).
                        let retry = !matches!(attempt.status(), Some(200..=499))
                            && Instant::now() < deadline;
                        attempts.lock().unwrap().push((index, attempt));
                        if !retry {
                            break;
                        }
                        tokio::time::sleep(RETRY_AFTER).await;
                    }
                    done.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(PACE).await;
                }
            })
        })
        .collect();

    // The prober: one probe every 100 ms, each on its own (a slow one hides no other).
    let probing = Arc::new(AtomicBool::new(true));
    let probes: Arc<Mutex<Vec<Probe>>> = Arc::default();
    let prober = {
        let (probing, probes, client) = (probing.clone(), probes.clone(), client.clone());
        let url = format!("{}/readyz", ingest.url);
        tokio::spawn(async move {
            let mut running = Vec::new();
            while probing.load(Ordering::SeqCst) {
                let (probes, client, url) = (probes.clone(), client.clone(), url.clone());
                running.push(tokio::spawn(async move {
                    let sent_at = Instant::now();
                    let status = match client.get(&url).send().await {
                        Ok(response) => Ok(response.status().as_u16()),
                        Err(err) => Err(load::error_chain(&err)),
                    };
                    probes.lock().unwrap().push(Probe {
                        sent_at,
                        latency: sent_at.elapsed(),
                        status,
                    });
                }));
                tokio::time::sleep(PROBE_EVERY).await;
            }
            for probe in running {
                probe.await.expect("probe");
            }
        })
    };

    // The outage.
    while done.load(Ordering::SeqCst) < order.len() / 4 {
        assert!(
            Instant::now() < deadline,
            "the load stalled before the outage"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let stopping = Instant::now();
    pg.stop_immediately();
    let down = Instant::now();
    tokio::time::sleep(DOWN_FOR).await;
    let up = Instant::now();
    pg.resume().await;
    let accepting = Instant::now();
    println!(
        "outage_server: postgres stopped in {:?}, down {:?}, accepting {:?} after the restart",
        down - stopping,
        up - down,
        accepting - up
    );

    for worker in workers {
        tokio::time::timeout(deadline.saturating_duration_since(Instant::now()), worker)
            .await
            .expect("every delivery was answered within the budget")
            .expect("worker");
    }
    probing.store(false, Ordering::SeqCst);
    prober.await.expect("prober");
    let ready_after = load::client(Duration::from_secs(5))
        .get(format!("{}/readyz", ingest.url))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .map_err(|e| load::error_chain(&e));

    let attempts = std::mem::take(&mut *attempts.lock().unwrap());
    let probes = std::mem::take(&mut *probes.lock().unwrap());
    let mut problems = Problems::default();
    let in_outage = |at: Instant| at >= down && at < up;
    let answered_after_up = |at: Instant, latency: Duration| at + latency >= up;
    let phase = |at: Instant| match at {
        at if at < stopping => "sent before the stop",
        at if at < down => "sent while the server stopped",
        at if at < up => "sent while down",
        _ => "sent after the restart began",
    };

    // Deliveries.
    let mut slowest_down = Duration::ZERO;
    let mut sent_while_down = 0;
    for (index, attempt) in &attempts {
        let delivery = &order[*index];
        let what = format!(
            "{} booking {} seq {}, {}",
            delivery.partner.name(),
            delivery.booking,
            delivery.seq,
            phase(attempt.sent_at)
        );
        let status = attempt.status();
        match status {
            Some(200..=299) | Some(503) => {}
            Some(500) => problems.add("answered 500", format!("{what}: {}", attempt.describe())),
            _ => problems.add(
                "answered neither 2xx nor 503",
                format!("{what}: {}", attempt.describe()),
            ),
        }
        if status == Some(503) {
            let reply = attempt.reply.as_ref().expect("a reply");
            if !reply.headers.contains_key("retry-after")
                || reply.json["error"]["code"] != "unavailable"
            {
                problems.add(
                    "503 without Retry-After or code unavailable",
                    format!(
                        "{what}: {:?} {}",
                        reply.headers.get("retry-after"),
                        reply.json
                    ),
                );
            }
        }
        // In flight when the server stopped: 2xx or 503 (checked above) may both be right.
        if attempt.sent_at + attempt.latency < stopping && !attempt.acknowledged() {
            problems.add(
                "refused before the outage",
                format!("{what}: {}", attempt.describe()),
            );
        }
        // Sent while the server was down: answered within a second, whatever the
        // answer; 503 unless the answer came after the restart began.
        if in_outage(attempt.sent_at) {
            sent_while_down += 1;
            slowest_down = slowest_down.max(attempt.latency);
            if attempt.latency > ANSWER_WITHIN {
                problems.add(
                    "delivery answered slower than 1 s while the database was down",
                    format!("{what}: {}", attempt.describe()),
                );
            }
            if attempt.acknowledged() && !answered_after_up(attempt.sent_at, attempt.latency) {
                problems.add(
                    "2xx while the database was down",
                    format!("{what}: {}", attempt.describe()),
                );
            }
        }
    }
    if sent_while_down == 0 {
        problems.add(
            "test design",
            "no delivery was sent while the database was down",
        );
    }
    let recovered = attempts
        .iter()
        .filter(|(_, a)| a.sent_at >= up && a.acknowledged())
        .map(|(_, a)| a.sent_at + a.latency)
        .min();
    match recovered {
        Some(at) if at.saturating_duration_since(accepting) <= RECOVER_WITHIN => {}
        other => problems.add(
            "no recovery without a restart",
            format!(
                "first 2xx {:?} after the server accepted connections again",
                other.map(|at| at.saturating_duration_since(accepting))
            ),
        ),
    }
    let last_attempts: std::collections::HashMap<usize, &Attempt> =
        attempts.iter().map(|(i, a)| (*i, a)).collect();
    for (index, delivery) in order.iter().enumerate() {
        if !last_attempts.get(&index).is_some_and(|a| a.acknowledged()) {
            problems.add(
                "never applied after the recovery",
                format!(
                    "{} booking {} seq {}: {}",
                    delivery.partner.name(),
                    delivery.booking,
                    delivery.seq,
                    last_attempts
                        .get(&index)
                        .map_or("not sent".into(), |a| a.describe())
                ),
            );
        }
    }

    // Probes.
    let mut slowest_probe_down = Duration::ZERO;
    let mut probes_while_down = 0;
    for probe in &probes {
        if !in_outage(probe.sent_at) {
            continue;
        }
        probes_while_down += 1;
        slowest_probe_down = slowest_probe_down.max(probe.latency);
        if probe.latency > ANSWER_WITHIN {
            problems.add(
                "/readyz answered slower than 1 s while the database was down",
                format!("{:?} after {:?}", probe.status, probe.latency),
            );
        }
        match &probe.status {
            Ok(503) => {}
            Ok(200) if answered_after_up(probe.sent_at, probe.latency) => {}
            other => problems.add(
                "/readyz not 503 while the database was down",
                format!("{other:?} after {:?}", probe.latency),
            ),
        }
    }
    if probes_while_down == 0 {
        problems.add(
            "test design",
            "no /readyz probe was sent while the database was down",
        );
    }
    if ready_after != Ok(200) {
        problems.add(
            "/readyz not 200 after the recovery",
            format!("{ready_after:?}"),
        );
    }

    // Nothing acknowledged lost, nothing applied twice, every booking current.
    let db = common::db::connect(&database_url, 2)
        .await
        .expect("connect");
    let archive = load::Archive::load(&db).await;
    for (index, attempt) in &attempts {
        if attempt.acknowledged() {
            load::check_acknowledged(&archive, &order[*index], attempt, &mut problems);
        }
    }
    if archive.total != order.len() {
        problems.add(
            "archive size",
            format!("{} events for {} deliveries", archive.total, order.len()),
        );
    }
    load::check_bookings(&db, &plan, &archive, &mut problems).await;
    db.close().await.ok();
    if ingest.exit_status().is_some() || ingest.pid() != pid {
        problems.add("the ingest did not survive the outage", ingest.log_tail(20));
    }

    let summary = format!(
        "outage_server: {} deliveries, {} attempts [{}]; while down: {} attempts (slowest answer {:?}), \
         {} probes (slowest {:?}); first 2xx {:?} after the restart began; total {:.1} s",
        order.len(),
        attempts.len(),
        load::tally(attempts.iter().map(|(_, a)| a)),
        sent_while_down,
        slowest_down,
        probes_while_down,
        slowest_probe_down,
        recovered.map(|at| at.saturating_duration_since(up)),
        started.elapsed().as_secs_f64()
    );
    println!("{summary}");
    problems.assert_none(&summary);
}
