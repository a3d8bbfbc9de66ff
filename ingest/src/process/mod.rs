//! The processing rules (CONTRACT §5), in one place: every adapter's output goes
//! through [`Processor::apply`], one transaction per delivery.
//!
//! - Archive: the delivery becomes one `event` row with its raw body, whatever happens.
//! - Idempotency: a second delivery with the same (partner, key) is a `Duplicate`; the
//!   unique index decides, so concurrent repeats cannot both apply.
//! - Order: a booking keeps the newest source time applied (`last_source_at`); an older
//!   update is `stale`, an older create only fills empty fields.
//! - Concurrency: on PostgreSQL the booking row is created with `ON CONFLICT DO NOTHING`
//!   and then locked `FOR UPDATE`, so parallel deliveries for one booking serialise on
//!   it; SQLite has a single writer anyway, and the processor serialises its own writes
//!   so that they never fail with `SQLITE_BUSY`.

pub(crate) mod counts;
mod group;
pub mod merge;
mod store;
mod writes;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use entity::EventStatus;
use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};
use serde_json::Value;
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::canonical::{Action, ChangeKind, Delivery};
use counts::Counts;
use merge::Mode;
use store::{NewEvents, Prefetched};
use writes::Writes;

/// The archived facts about a delivery that do not come from the adapter.
#[derive(Debug, Clone)]
pub struct Receipt<'a> {
    pub partner: &'a str,
    pub adapter: &'a str,
    pub topic: Option<&'a str>,
    pub content_type: Option<&'a str>,
    pub raw_body: &'a [u8],
    pub received_at: DateTime<Utc>,
    /// The idempotency key when the adapter has none of its own (`webhook-id`,
    /// `Idempotency-Key`, or the SHA-256 of the body).
    pub fallback_key: String,
    /// Set when re-applying an archived event (`ingest replay`): that row is updated
    /// instead of a new one inserted.
    pub replay_of: Option<Uuid>,
}

/// What became of a delivery.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Applied {
        event_id: Uuid,
        booking_id: Uuid,
        reference: String,
        created: bool,
    },
    Stale {
        event_id: Uuid,
        booking_id: Uuid,
    },
    Ignored {
        event_id: Uuid,
    },
    /// Archived as rejected (invalid JSON, failed validation, unknown topic).
    Rejected {
        event_id: Uuid,
    },
    /// Seen before: the first delivery's event id and status.
    Duplicate {
        event_id: Uuid,
        first_status: EventStatus,
    },
}

/// Applies deliveries to the database.
#[derive(Clone)]
pub struct Processor {
    db: DatabaseConnection,
    /// Present on SQLite: one writer at a time in this process.
    write_lock: Option<Arc<Mutex<()>>>,
    /// When a delivery last committed, in milliseconds since `epoch`: proof that the
    /// database is up while a wait for a connection times out.
    last_commit_ms: Arc<AtomicU64>,
    epoch: std::time::Instant,
    /// Where first deliveries are grouped into shared commits (`group`); `None` in the
    /// lanes' own workers.
    lanes: Option<Arc<group::Lanes>>,
}

impl Processor {
    pub fn new(db: DatabaseConnection) -> Self {
        let write_lock = common::db::is_sqlite(&db).then(|| Arc::new(Mutex::new(())));
        Self {
            db,
            write_lock,
            last_commit_ms: Arc::new(AtomicU64::new(0)),
            epoch: std::time::Instant::now(),
            lanes: Some(Arc::default()),
        }
    }

    /// The processor a lane's worker uses: the same database, lock and clock, no lanes.
    fn worker(&self) -> Self {
        Self {
            lanes: None,
            ..self.clone()
        }
    }

    /// After a wait for a connection that timed out (begun at `since_ms`): whether the
    /// database is up and merely busy — other deliveries committed meanwhile, or every
    /// connection is in use, or a connection opened aside is not refused — rather than
    /// down.
    async fn only_busy(&self, since_ms: u64) -> bool {
        self.committed_since(since_ms)
            || common::db::pool_saturated(&self.db)
            || !common::db::refuses_connections(&self.db).await
    }

    /// Notes a commit (see [`Self::committed_since`]).
    fn committed(&self) {
        self.last_commit_ms.store(self.now_ms(), Ordering::Relaxed);
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Whether another delivery committed after `since_ms`.
    fn committed_since(&self, since_ms: u64) -> bool {
        self.last_commit_ms.load(Ordering::Relaxed) > since_ms
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Applies one understood delivery and archives it, atomically.
    ///
    /// # Errors
    /// Database errors; the caller archives the delivery as `failed` (or answers 503
    /// when the database is unreachable).
    pub async fn apply(
        &self,
        receipt: &Receipt<'_>,
        delivery: &Delivery,
    ) -> Result<Outcome, DbErr> {
        let key = stored_key(
            delivery
                .idempotency_key
                .as_deref()
                .unwrap_or(&receipt.fallback_key),
        );
        let started = std::time::Instant::now();
        // A first delivery goes into a group commit; what the group left to be
        // processed alone (or a replay) takes the one-transaction path below.
        if let (Some(lanes), None) = (&self.lanes, receipt.replay_of) {
            match lanes.submit(self, receipt, delivery, &key).await {
                group::Answer::Done(outcome) => return Ok(outcome),
                group::Answer::Unavailable(err) => return Err(err),
                group::Answer::Alone => {}
            }
        }
        let _guard = match &self.write_lock {
            Some(lock) => Some(lock.lock().await),
            None => None,
        };
        let mut receipt = receipt.clone();
        let mut retried = false;
        // At most three attempts: a failed delivery taken up again, and one retry; plus
        // further waits for a connection while the pool is merely busy.
        loop {
            let attempt_ms = self.now_ms();
            match self.transact(&receipt, delivery, &key).await {
                // No connection in time, but the database is up and busy (load, not an
                // outage): other deliveries committed meanwhile, or every connection is
                // in use, or a connection opened aside is not refused. Wait again, for a
                // while. With the server down nothing commits, broken connections leave
                // the pool and the probe is refused: a 503 at once.
                Err(DbErr::ConnectionAcquire(_))
                    if started.elapsed() < common::db::BUSY_WAIT
                        && self.only_busy(attempt_ms).await => {}
                // The unique index on (partner, key) is the idempotency check: no lookup
                // before the work, one statement fewer for every first delivery. The
                // delivery holding the key is the first one; for a replayed refusal, the
                // corrected resend accepted meanwhile (this archived copy stays as it was).
                Err(err) if is_unique_violation(&err) => {
                    let holder = self
                        .duplicate_of(&self.db, receipt.partner, &key, receipt.replay_of)
                        .await?;
                    match holder {
                        // A delivery that failed is tried again when the partner retries it.
                        Some(Outcome::Duplicate {
                            event_id,
                            first_status: EventStatus::Failed,
                        }) if receipt.replay_of.is_none() => receipt.replay_of = Some(event_id),
                        Some(duplicate) => return Ok(duplicate),
                        None => return Err(err),
                    }
                }
                // A transient error (a booking created concurrently, a dropped connection)
                // is tried once more before the delivery is declared failed; each attempt
                // is rolled back whole. A pool that gave up waiting for a connection means
                // the database is unreachable: answered at once (503), not waited for twice.
                Err(err)
                    if !retried
                        && !is_unique_violation(&err)
                        && !is_busy(&err)
                        && !matches!(err, DbErr::ConnectionAcquire(_)) =>
                {
                    tracing::warn!(error = %err, "applying a delivery failed; retrying once");
                    retried = true;
                }
                result => return result,
            }
        }
    }

    /// One delivery, one transaction: committed on success, rolled back otherwise.
    async fn transact(
        &self,
        receipt: &Receipt<'_>,
        delivery: &Delivery,
        key: &str,
    ) -> Result<Outcome, DbErr> {
        let txn = begin_write(&self.db).await?;
        let mut effects = Effects::at_once(self.db.get_database_backend());
        match self
            .apply_in(&txn, receipt, delivery, key, &mut effects, None)
            .await
        {
            Ok(outcome) => {
                effects.counts.write(&txn).await?;
                if let Outcome::Applied { booking_id, .. } = &outcome {
                    // PostgreSQL delivers it to the api's LISTEN at commit, and only then.
                    store::announce_change(&txn, *booking_id).await?;
                }
                txn.commit().await?;
                self.committed();
                Ok(outcome)
            }
            Err(err)
                if is_unique_violation(&err)
                    && self.write_lock.is_some()
                    && receipt.replay_of.is_none() =>
            {
                // SQLite: the failed statement alone was undone and this transaction,
                // holding the write lock, sees the newest data; a pooled connection
                // may still read an older snapshot. So the first delivery is looked up
                // here. (PostgreSQL aborts the transaction; `apply` looks it up anew.)
                let first = self.duplicate_of(&txn, receipt.partner, key, None).await;
                txn.rollback().await.ok();
                match first {
                    Ok(Some(Outcome::Duplicate {
                        first_status: EventStatus::Failed,
                        ..
                    })) => Err(err),
                    Ok(Some(duplicate)) => Ok(duplicate),
                    _ => Err(err),
                }
            }
            Err(err) => {
                txn.rollback().await.ok();
                Err(err)
            }
        }
    }

    async fn apply_in(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        receipt: &Receipt<'_>,
        delivery: &Delivery,
        key: &str,
        effects: &mut Effects,
        prefetched: Option<Prefetched>,
    ) -> Result<Outcome, DbErr> {
        let Effects {
            counts,
            new_events,
            writes,
        } = effects;
        let change = match &delivery.action {
            Action::Ignore { reason } => {
                let row = EventRow::of(
                    delivery,
                    key,
                    EventStatus::Ignored,
                    Some(reason.clone()),
                    None,
                );
                let event_id = store::write_event(txn, receipt, row, counts, new_events).await?;
                return Ok(Outcome::Ignored { event_id });
            }
            Action::Apply(change) => change,
        };
        // Row timestamps are wall-clock time, also when replaying an old delivery.
        let now = Utc::now();
        // An existing booking is read and locked; a new one is only built in memory and
        // inserted once, complete, below.
        let (mut existing, mut prefetched_segments, mut prefetched_passengers) = match prefetched {
            Some(prefetched) => (
                prefetched.booking,
                Some(prefetched.segments),
                prefetched.passengers,
            ),
            None => {
                // What is read must include what this transaction wrote so far.
                writes.flush(txn).await?;
                (
                    store::booking_for_update(txn, receipt.partner, &change.reference).await?,
                    None,
                    None,
                )
            }
        };
        // At most twice: when a new booking appears meanwhile, start over with it.
        loop {
            let created = existing.is_none();
            let mut booking = existing
                .unwrap_or_else(|| merge::new_booking(receipt.partner, &change.reference, now));
            let older = match (delivery.occurred_at, booking.last_source_at) {
                (Some(at), Some(last)) => at < last,
                _ => false,
            };
            let mode = match (older, change.kind) {
                (false, _) => Mode::Full,
                (true, Some(ChangeKind::Create)) => Mode::FillOnly,
                (true, _) => {
                    let row = EventRow::of(
                        delivery,
                        key,
                        EventStatus::Stale,
                        Some("older than the newest change already applied to this booking".into()),
                        Some(booking.id),
                    );
                    let event_id =
                        store::write_event(txn, receipt, row, counts, new_events).await?;
                    return Ok(Outcome::Stale {
                        event_id,
                        booking_id: booking.id,
                    });
                }
            };
            let before = booking.clone();
            if created {
                // A booking created by this delivery takes its status even from an update.
                booking.status = change
                    .status
                    .map_or(entity::BookingStatus::Confirmed, Into::into);
            }
            merge::apply_booking(&mut booking, change, mode, delivery.occurred_at);
            let mut segments = match (created, prefetched_segments.take()) {
                (true, _) => Vec::new(),
                (false, Some(segments)) => segments,
                (false, None) => {
                    writes.flush(txn).await?;
                    store::segments(txn, booking.id).await?
                }
            };
            let stored_segments = segments.len();
            let mut touched_segments =
                merge::apply_segments(&mut segments, booking.id, &change.segments, mode, now);
            touched_segments.extend(merge::retire_missing_segments(
                &mut segments,
                change,
                mode,
                now,
            ));
            touched_segments.sort_unstable();
            touched_segments.dedup();
            // Passengers play no part in the summary: read them only when they change.
            let mut passengers = match prefetched_passengers.take() {
                _ if created || change.passengers.is_empty() => Vec::new(),
                Some(passengers) => passengers,
                None => {
                    writes.flush(txn).await?;
                    store::passengers(txn, booking.id).await?
                }
            };
            let stored_passengers = passengers.len();
            let touched_passengers =
                merge::apply_passengers(&mut passengers, booking.id, &change.passengers, mode, now);
            merge::cancel_if_no_active_segment(&mut booking, change, &segments, mode);
            merge::summarise(&mut booking, &segments);
            if created {
                // Another delivery may have created it since we looked (the insert then
                // waited for it): nothing is written yet, so start over with that row.
                if !store::insert_booking(txn, writes, booking.clone()).await? {
                    prefetched_segments = None;
                    prefetched_passengers = None;
                    existing =
                        store::booking_for_update(txn, receipt.partner, &change.reference).await?;
                    if existing.is_none() {
                        return Err(DbErr::Custom(format!(
                            "booking {}/{} conflicts but cannot be read",
                            booking.partner, booking.reference
                        )));
                    }
                    continue;
                }
                counts.booking(&booking, 1);
            } else if booking != before {
                booking.updated_at = now;
                store::update_booking(txn, writes, booking.clone()).await?;
                counts.booking_changed(&before, &booking);
            }
            store::write_rows(txn, writes, &segments, &touched_segments, stored_segments).await?;
            store::write_rows(
                txn,
                writes,
                &passengers,
                &touched_passengers,
                stored_passengers,
            )
            .await?;
            let row = EventRow::of(delivery, key, EventStatus::Applied, None, Some(booking.id));
            let event_id = store::write_event(txn, receipt, row, counts, new_events).await?;
            return Ok(Outcome::Applied {
                event_id,
                booking_id: booking.id,
                reference: booking.reference,
                created,
            });
        }
    }

    /// Archives a delivery that could not be applied (`rejected` or `failed`) under
    /// `key` (the delivery's own idempotency key when the adapter found one, else the
    /// receipt's fallback key).
    ///
    /// A rejection never claims its key: the partner's corrected resend with the same
    /// key is processed afresh (CONTRACT §5 rev. 2), and an identical resend is refused
    /// again, archived again. A failure does claim it, so that the partner's retry takes
    /// the failed event up again instead of adding a second one.
    ///
    /// # Errors
    /// Database errors.
    pub async fn archive(
        &self,
        receipt: &Receipt<'_>,
        key: Option<&str>,
        event_type: &str,
        status: EventStatus,
        error: &str,
        detail: Option<Value>,
    ) -> Result<Outcome, DbErr> {
        let _guard = match &self.write_lock {
            Some(lock) => Some(lock.lock().await),
            None => None,
        };
        let key = stored_key(key.unwrap_or(&receipt.fallback_key));
        let claims_key = status != EventStatus::Rejected;
        if claims_key && receipt.replay_of.is_none() {
            if let Some(outcome) = self
                .duplicate_of(&self.db, receipt.partner, &key, None)
                .await?
            {
                return Ok(outcome);
            }
        }
        let row = EventRow {
            key: &key,
            delivery_type: event_type,
            occurred_at: None,
            status,
            error: Some(error.to_owned()),
            detail,
            booking_id: None,
        };
        match self.archive_in(receipt, row).await {
            Ok(event_id) => Ok(Outcome::Rejected { event_id }),
            Err(err) if is_unique_violation(&err) => self
                .duplicate_of(&self.db, receipt.partner, &key, None)
                .await?
                .ok_or(err),
            Err(err) => Err(err),
        }
    }

    /// The refused delivery's event row and its counters, in one transaction.
    async fn archive_in(&self, receipt: &Receipt<'_>, row: EventRow<'_>) -> Result<Uuid, DbErr> {
        let txn = begin_write(&self.db).await?;
        let mut counts = Counts::new(self.db.get_database_backend());
        let event_id =
            store::write_event(&txn, receipt, row, &mut counts, &mut NewEvents::at_once()).await?;
        counts.write(&txn).await?;
        txn.commit().await?;
        Ok(event_id)
    }

    /// The accepted delivery that holds (partner, key), other than `except`, as a
    /// duplicate: the one lookup behind every idempotency answer.
    async fn duplicate_of<C: sea_orm::ConnectionTrait>(
        &self,
        db: &C,
        partner: &str,
        key: &str,
        except: Option<Uuid>,
    ) -> Result<Option<Outcome>, DbErr> {
        Ok(store::find_event(db, partner, key, except)
            .await?
            .map(|(event_id, first_status)| Outcome::Duplicate {
                event_id,
                first_status,
            }))
    }
}

/// Longest idempotency key stored as sent; longer ones are stored as their SHA-256, so
/// that any key a partner sends fits the unique index (PostgreSQL refuses index rows
/// over ~2.7 KB) and stays exact.
pub const MAX_KEY_BYTES: usize = 200;

/// The idempotency key as stored: as sent, or `sha256:<hex>` of it when it is longer
/// than [`MAX_KEY_BYTES`] or holds a character the database cannot store (NUL).
pub fn stored_key(key: &str) -> std::borrow::Cow<'_, str> {
    use sha2::{Digest, Sha256};
    if key.len() <= MAX_KEY_BYTES && !key.contains('\0') {
        std::borrow::Cow::Borrowed(key)
    } else {
        std::borrow::Cow::Owned(format!("sha256:{}", hex::encode(Sha256::digest(key))))
    }
}

/// What a transaction collects while it applies deliveries: the counters they move,
/// their new event rows, and (in a group on SQLite) their writes.
pub(crate) struct Effects {
    pub counts: Counts,
    pub new_events: NewEvents,
    pub writes: Writes,
}

impl Effects {
    /// Event rows inserted as they are made (one delivery per transaction).
    fn at_once(backend: sea_orm::DatabaseBackend) -> Self {
        Self {
            counts: Counts::new(backend),
            new_events: NewEvents::at_once(),
            writes: Writes::at_once(),
        }
    }
}

/// The event row to write at the end of a delivery.
pub(crate) struct EventRow<'a> {
    pub key: &'a str,
    pub delivery_type: &'a str,
    pub occurred_at: Option<DateTime<Utc>>,
    pub status: EventStatus,
    pub error: Option<String>,
    pub detail: Option<Value>,
    pub booking_id: Option<Uuid>,
}

impl<'a> EventRow<'a> {
    /// The row for an understood delivery: its type, source time and detail.
    fn of(
        delivery: &'a Delivery,
        key: &'a str,
        status: EventStatus,
        error: Option<String>,
        booking_id: Option<Uuid>,
    ) -> Self {
        Self {
            key,
            delivery_type: &delivery.event_type,
            occurred_at: delivery.occurred_at,
            status,
            error,
            detail: delivery.detail.clone(),
            booking_id,
        }
    }
}

/// A transaction that will write. On SQLite it takes the write lock at BEGIN: a
/// deferred transaction that reads first and then writes fails at once with
/// SQLITE_BUSY_SNAPSHOT when another process (a second ingest, `ingest replay`, a
/// prune) committed meanwhile; an immediate one waits for the lock (the busy timeout)
/// and then reads the newest data.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// Whether a database error is a unique-constraint violation.
pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

/// SQLite gave up waiting for its write lock (after the busy timeout): waiting again
/// at once would only double the delay.
fn is_busy(err: &DbErr) -> bool {
    err.to_string().contains("database is locked")
}

/// Whether a database error means the database is unreachable or overloaded (503),
/// rather than something wrong with this delivery (500).
pub fn is_unavailable(err: &DbErr) -> bool {
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(_) | DbErr::Query(_) => {
            let text = err.to_string().to_ascii_lowercase();
            [
                "database is locked",
                "connection",
                "terminating",
                "does not allow connections",
                "pool timed out",
                "broken pipe",
                "closed",
                // A server going away mid-statement: the socket ends early.
                "error communicating with database",
                "eof",
                "reset by peer",
                "timed out",
            ]
            .iter()
            .any(|needle| text.contains(needle))
        }
        _ => false,
    }
}
