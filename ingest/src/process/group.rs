//! Group commit: concurrent deliveries share one transaction, so that one commit (one
//! fsync on SQLite with `synchronous=FULL`, one WAL flush on PostgreSQL) and one
//! counter upsert serve several of them. Each delivery is answered only after the
//! group's commit returned: an acknowledged delivery is as durable as a lone one.
//!
//! - Lanes: deliveries queue in one of a few lanes, chosen by their booking (partner and
//!   reference; by idempotency key when there is no booking). A lane's worker takes
//!   whatever has queued while its previous group committed — up to [`MAX_GROUP`] — so
//!   groups are as large as the load makes them, and a lone delivery waits for nobody.
//!   Deliveries for one booking always share a lane: lanes never wait on each other's
//!   booking locks. SQLite has one writer, and one lane.
//! - Order: the group's deliveries run in their booking's order (stable, so one
//!   booking's deliveries keep their arrival order); two processes grouping the same
//!   bookings lock them in the same order.
//! - Idempotency: a delivery whose key is already archived, or already taken by an
//!   earlier delivery of the same group, is left out of the group and processed alone
//!   afterwards, where the usual rules answer it as a duplicate.
//! - Failure: when any delivery of the group fails, the group is rolled back whole and
//!   every one of its deliveries is processed alone, each in its own transaction with
//!   the usual retry: the failing one ends `failed` by itself, the others are applied.
//!   No savepoints: on PostgreSQL they would cost two round trips per delivery, and a
//!   failure is rare.

use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use entity::EventStatus;
use sea_orm::{ConnAcquireErr, DatabaseTransaction, DbErr};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use super::store::NewEvents;
use super::writes::Writes;
use super::{begin_write, counts::Counts, store, Effects, Outcome, Processor, Receipt};
use crate::canonical::{Action, Delivery};

/// Most deliveries in one group: bounds how long a group holds its bookings' locks
/// (and, on SQLite, the write lock) and how long its first delivery waits for its last.
const MAX_GROUP: usize = 32;

/// Deliveries queued per lane before a sender waits.
const LANE_QUEUE: usize = 1024;

/// The lanes of one processor, started on first use (inside the runtime).
#[derive(Default)]
pub(super) struct Lanes(OnceLock<Vec<mpsc::Sender<Job>>>);

/// What the group made of one delivery.
pub(super) enum Answer {
    /// Applied (or stale, or ignored) and committed.
    Done(Outcome),
    /// Not processed: to be processed alone.
    Alone,
    /// No connection for the group, and the database refuses new ones: down (a 503).
    Unavailable(DbErr),
}

/// One delivery handed to a lane, owning what it needs.
pub(super) struct Job {
    partner: String,
    adapter: String,
    topic: Option<String>,
    content_type: Option<String>,
    raw_body: Vec<u8>,
    received_at: DateTime<Utc>,
    delivery: Delivery,
    key: String,
    answer: oneshot::Sender<Answer>,
}

impl Job {
    fn receipt(&self) -> Receipt<'_> {
        Receipt {
            partner: &self.partner,
            adapter: &self.adapter,
            topic: self.topic.as_deref(),
            content_type: self.content_type.as_deref(),
            raw_body: &self.raw_body,
            received_at: self.received_at,
            // Only used for a delivery without a key of its own, which `key` already is.
            fallback_key: String::new(),
            replay_of: None,
        }
    }

    /// Whether the delivery names passengers (an update then reads the stored ones).
    fn brings_passengers(&self) -> bool {
        matches!(&self.delivery.action, Action::Apply(change) if !change.passengers.is_empty())
    }

    /// The booking the delivery is about, if any.
    fn booking(&self) -> Option<&str> {
        match &self.delivery.action {
            Action::Apply(change) => Some(&change.reference),
            Action::Ignore { .. } => None,
        }
    }

    fn lane(&self, lanes: usize) -> usize {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.partner.hash(&mut hasher);
        self.booking().unwrap_or(&self.key).hash(&mut hasher);
        usize::try_from(hasher.finish() % lanes as u64).unwrap_or(0)
    }
}

impl Lanes {
    /// Processes a first delivery (not a replay) in a group and says what became of it.
    pub(super) async fn submit(
        &self,
        processor: &Processor,
        receipt: &Receipt<'_>,
        delivery: &Delivery,
        key: &str,
    ) -> Answer {
        let (answer, answered) = oneshot::channel();
        let job = Job {
            partner: receipt.partner.to_owned(),
            adapter: receipt.adapter.to_owned(),
            topic: receipt.topic.map(str::to_owned),
            content_type: receipt.content_type.map(str::to_owned),
            raw_body: receipt.raw_body.to_vec(),
            received_at: receipt.received_at,
            delivery: delivery.clone(),
            key: key.to_owned(),
            answer,
        };
        let lanes = self.0.get_or_init(|| start(processor));
        let lane = &lanes[job.lane(lanes.len())];
        if lane.send(job).await.is_err() {
            return Answer::Alone;
        }
        // A worker that ended without answering (the runtime shutting down) committed
        // nothing for this delivery.
        answered.await.unwrap_or(Answer::Alone)
    }
}

/// Starts the lanes' workers: one lane on SQLite, half the pool on PostgreSQL (the
/// other half serves deliveries processed alone, refusals and lookups).
fn start(processor: &Processor) -> Vec<mpsc::Sender<Job>> {
    let count = if processor.write_lock.is_some() {
        1
    } else {
        usize::try_from(common::db::max_connections(&processor.db) / 2)
            .unwrap_or(1)
            .max(1)
    };
    (0..count)
        .map(|_| {
            let (sender, receiver) = mpsc::channel(LANE_QUEUE);
            tokio::spawn(work(processor.worker(), receiver));
            sender
        })
        .collect()
}

/// A lane's worker: one group at a time, of whatever queued meanwhile.
async fn work(processor: Processor, mut queue: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(MAX_GROUP);
    while queue.recv_many(&mut jobs, MAX_GROUP).await > 0 {
        if let Some(down) = commit(&processor, std::mem::take(&mut jobs)).await {
            // The database is down: whatever queued meanwhile would wait for a
            // connection as long again before hearing so. It is answered at once.
            while let Ok(job) = queue.try_recv() {
                let _ = job
                    .answer
                    .send(Answer::Unavailable(DbErr::ConnectionAcquire(down)));
            }
        }
    }
}

/// Processes one group and answers each of its deliveries; says so when the database
/// is down.
async fn commit(processor: &Processor, jobs: Vec<Job>) -> Option<ConnAcquireErr> {
    let _guard = match &processor.write_lock {
        Some(lock) => Some(lock.lock().await),
        None => None,
    };
    let since_ms = processor.now_ms();
    let txn = match begin_write(&processor.db).await {
        Ok(txn) => txn,
        // No connection in time: the database is only busy (each delivery then waits
        // alone, as long as a lone one would), or down (a 503 for all, at once).
        Err(DbErr::ConnectionAcquire(acquire)) if !processor.only_busy(since_ms).await => {
            for job in jobs {
                let _ = job
                    .answer
                    .send(Answer::Unavailable(DbErr::ConnectionAcquire(acquire)));
            }
            return Some(acquire);
        }
        Err(_) => {
            answer_alone(jobs);
            return None;
        }
    };
    let keys: Vec<(&str, &str)> = jobs
        .iter()
        .map(|job| (job.partner.as_str(), job.key.as_str()))
        .collect();
    let Ok(archived) = store::accepted_keys(&txn, &keys).await else {
        answer_alone(jobs);
        return None;
    };
    // A key archived already is a duplicate, answered with its first delivery (one
    // lookup, instead of the whole delivery redone alone only to meet the key) — unless
    // that one failed, which the lone path takes up again. A key taken by an earlier
    // delivery of this group goes alone, after the group.
    let mut taken = HashSet::new();
    let mut group = Vec::with_capacity(jobs.len());
    for job in jobs {
        let key = (job.partner.clone(), job.key.clone());
        if archived.contains(&key) {
            match processor
                .duplicate_of(&txn, &job.partner, &job.key, None)
                .await
            {
                Ok(Some(
                    duplicate @ Outcome::Duplicate {
                        first_status:
                            EventStatus::Applied
                            | EventStatus::Stale
                            | EventStatus::Ignored
                            | EventStatus::Rejected,
                        ..
                    },
                )) => {
                    let _ = job.answer.send(Answer::Done(duplicate));
                }
                _ => answer_alone(vec![job]),
            }
        } else if taken.insert(key) {
            group.push(job);
        } else {
            answer_alone(vec![job]);
        }
    }
    if group.is_empty() {
        txn.rollback().await.ok();
        return None;
    }
    group.sort_by(|a, b| (&a.partner, a.booking()).cmp(&(&b.partner, b.booking())));
    match transact(processor, txn, &group).await {
        Ok(outcomes) => {
            processor.committed();
            metrics::counter!("tripgraph_commit_groups_total").increment(1);
            metrics::counter!("tripgraph_grouped_deliveries_total").increment(group.len() as u64);
            for (job, outcome) in group.into_iter().zip(outcomes) {
                let _ = job.answer.send(Answer::Done(outcome));
            }
        }
        Err(err) => {
            if group.len() > 1 {
                tracing::warn!(error = %err, deliveries = group.len(), "a group of deliveries failed; each is processed alone");
                metrics::counter!("tripgraph_commit_groups_split_total").increment(1);
            }
            answer_alone(group);
        }
    }
    None
}

/// Leaves deliveries to be processed alone.
fn answer_alone(jobs: Vec<Job>) {
    for job in jobs {
        let _ = job.answer.send(Answer::Alone);
    }
}

/// The group's one transaction: its bookings read and locked, with their segments, in
/// two statements; every delivery applied in turn; their event rows in one insert, the
/// counters they moved in one upsert, one statement notifying the changed bookings; one
/// commit.
async fn transact(
    processor: &Processor,
    txn: DatabaseTransaction,
    group: &[Job],
) -> Result<Vec<Outcome>, DbErr> {
    let result = apply_all(processor, &txn, group).await;
    match result {
        Ok(outcomes) => {
            txn.commit().await?;
            Ok(outcomes)
        }
        Err(err) => {
            txn.rollback().await.ok();
            Err(err)
        }
    }
}

async fn apply_all(
    processor: &Processor,
    txn: &DatabaseTransaction,
    group: &[Job],
) -> Result<Vec<Outcome>, DbErr> {
    // Each booking once, with whether its first delivery brings passengers (then they
    // are read ahead too).
    let mut keys: Vec<(&str, &str, bool)> = Vec::new();
    for job in group {
        let Some(reference) = job.booking() else {
            continue;
        };
        if !keys
            .iter()
            .any(|(partner, known, _)| *partner == job.partner && *known == reference)
        {
            keys.push((job.partner.as_str(), reference, job.brings_passengers()));
        }
    }
    // Only a booking's first delivery in the group uses what was read ahead; the next
    // ones read what the earlier ones wrote.
    let mut prefetched = store::prefetch(txn, &keys).await?;
    let mut seen = HashSet::new();
    let backend = processor.db.get_database_backend();
    let mut effects = Effects {
        counts: Counts::new(backend),
        new_events: NewEvents::kept(),
        writes: Writes::batched(backend),
    };
    let mut outcomes = Vec::with_capacity(group.len());
    let mut changed: Vec<Uuid> = Vec::new();
    for job in group {
        let ahead = match job.booking() {
            Some(reference) if seen.insert((job.partner.as_str(), reference)) => Some(
                prefetched
                    .remove(&(job.partner.clone(), reference.to_owned()))
                    .unwrap_or_default(),
            ),
            _ => None,
        };
        let outcome = processor
            .apply_in(
                txn,
                &job.receipt(),
                &job.delivery,
                &job.key,
                &mut effects,
                ahead,
            )
            .await?;
        if let Outcome::Applied { booking_id, .. } = &outcome {
            if !changed.contains(booking_id) {
                changed.push(*booking_id);
            }
        }
        outcomes.push(outcome);
    }
    let Effects {
        counts,
        new_events,
        mut writes,
    } = effects;
    new_events.insert(txn, &mut writes).await?;
    if let Some(upsert) = counts.statement() {
        writes.run(txn, upsert).await?;
    }
    writes.flush(txn).await?;
    store::announce_changes(txn, &changed).await?;
    Ok(outcomes)
}
