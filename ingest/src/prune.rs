//! Retention (CONTRACT §5 rev. 2): `ingest prune --older-than 90d`, and
//! `ARCHIVE_RETENTION_DAYS` for `ingest serve` (once at start, then daily).
//!
//! Removes the archived events received before the cutoff, except the newest applied
//! event of each booking (newest by received time, then id), which stays whatever its
//! age: it is the delivery that last set the booking. Events inside the window are never
//! touched.
//!
//! Rows go in batches of [`BATCH`], each in its own transaction with a pause of
//! [`PAUSE`] after it: on SQLite the write lock is held for one batch only, so
//! deliveries keep being answered while a large archive is pruned; on PostgreSQL no
//! transaction holds many row locks. Each batch decrements the counters behind the
//! analysts' counts by exactly the rows it deleted (the `DELETE … RETURNING` tells what
//! they were), in the same transaction, so counts stay equal to the rows.
//!
//! A pruned delivery no longer holds its idempotency key: a resend of it is processed
//! afresh (see README, *Design choices*). A kept event keeps its key.

use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::EventStatus;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, Statement, TransactionTrait};

use crate::config::Config;
use crate::process::counts::Counts;

/// Events deleted per transaction.
pub const BATCH: usize = 500;

/// Pause after each batch, so that waiting deliveries take the write lock in between.
pub const PAUSE: Duration = Duration::from_millis(20);

/// The longest age accepted (a hundred years): beyond it a cutoff is meaningless.
const MAX_HOURS: u64 = 100 * 366 * 24;

/// An age of archived events: a positive whole number of days (`90d`) or hours (`12h`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Age {
    hours: u64,
}

impl Age {
    /// # Errors
    /// Zero days, or more than a hundred years.
    pub fn days(days: u64) -> Result<Self, String> {
        Self::hours(days.saturating_mul(24), &format!("{days} days"))
    }

    fn hours(hours: u64, said: &str) -> Result<Self, String> {
        if hours == 0 {
            return Err(format!(
                "{said} would remove the whole archive; give an age of at least 1h"
            ));
        }
        if hours > MAX_HOURS {
            return Err(format!("{said} is more than a hundred years"));
        }
        Ok(Self { hours })
    }

    pub fn as_duration(self) -> Duration {
        Duration::from_secs(self.hours * 3600)
    }

    /// The instant before which events are pruned, seen from `now`.
    pub fn cutoff(self, now: DateTime<Utc>) -> DateTime<Utc> {
        let hours = i64::try_from(self.hours).unwrap_or(i64::MAX);
        now - chrono::Duration::hours(hours)
    }
}

impl std::str::FromStr for Age {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let expected = || {
            format!("expected a whole number of days or hours, e.g. `90d` or `12h`, got {text:?}")
        };
        let text = text.trim();
        let (number, unit) = text.split_at(text.len().saturating_sub(1));
        let per_unit = match unit {
            "d" => 24,
            "h" => 1,
            _ => return Err(expected()),
        };
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(expected());
        }
        let number: u64 = number.parse().map_err(|_| expected())?;
        Self::hours(number.saturating_mul(per_unit), text)
    }
}

/// What one prune did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pruned {
    /// Events removed, in batches and with their months.
    pub removed: u64,
    pub batches: u64,
    /// Monthly partitions dropped whole (PostgreSQL).
    pub months: u64,
}

/// Whether event `e` is its booking's newest applied event: those are kept.
const NEWEST_APPLIED: &str = "e.status = 'applied' AND e.booking_id IS NOT NULL AND NOT EXISTS (\
     SELECT 1 FROM event n WHERE n.booking_id = e.booking_id AND n.status = 'applied' \
     AND (n.received_at > e.received_at OR (n.received_at = e.received_at AND n.id > e.id)))";

/// Prunes every event received before `cutoff` but each booking's newest applied one:
/// on PostgreSQL first the whole months that hold none of those ([`drop_months`]), then
/// the rest in batches.
///
/// # Errors
/// When the database fails; what was committed before stays pruned (and counted).
pub async fn prune(db: &DatabaseConnection, cutoff: DateTime<Utc>) -> Result<Pruned, DbErr> {
    let mut pruned = Pruned::default();
    let (months, removed) = drop_months(db, cutoff).await?;
    pruned.months = months;
    pruned.removed = removed;
    loop {
        let removed = batch(db, cutoff).await?;
        pruned.removed += removed as u64;
        pruned.batches += 1;
        if removed < BATCH {
            return Ok(pruned);
        }
        tokio::time::sleep(PAUSE).await;
    }
}

/// Deletes up to [`BATCH`] prunable events, oldest first, and their counts; one
/// transaction. Returns how many went.
async fn batch(db: &DatabaseConnection, cutoff: DateTime<Utc>) -> Result<usize, DbErr> {
    let backend = db.get_database_backend();
    let param = match backend {
        sea_orm::DatabaseBackend::Postgres => "$1",
        _ => "?",
    };
    // An event is kept when it is applied, linked to a booking, and no applied event of
    // that booking is newer.
    let sql = format!(
        "DELETE FROM event WHERE id IN (\
           SELECT e.id FROM event e WHERE e.received_at < {param} \
           AND NOT ({NEWEST_APPLIED}) \
           ORDER BY e.received_at, e.id LIMIT {BATCH}) \
         RETURNING partner, status, event_type, received_at"
    );
    let txn = crate::process::begin_write(db).await?;
    let rows = txn
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [cutoff.into()],
        ))
        .await?;
    let mut counts = Counts::new(backend);
    for row in &rows {
        let partner: String = row.try_get("", "partner")?;
        let status: EventStatus = row.try_get("", "status")?;
        let event_type: String = row.try_get("", "event_type")?;
        let received_at: DateTime<Utc> = row.try_get("", "received_at")?;
        counts.event(&partner, status, &event_type, received_at, -1);
    }
    counts.write(&txn).await?;
    txn.commit().await?;
    Ok(rows.len())
}

/// PostgreSQL: drops each monthly partition that ends before `cutoff` and holds no
/// booking's newest applied event; returns (months, events) removed. Nothing on SQLite.
/// A month that cannot be dropped now (a lock not granted in time) is left to the
/// batches.
///
/// # Errors
/// When the partitions cannot be listed.
async fn drop_months(db: &DatabaseConnection, cutoff: DateTime<Utc>) -> Result<(u64, u64), DbErr> {
    use chrono::TimeZone;
    let backend = db.get_database_backend();
    if backend != sea_orm::DatabaseBackend::Postgres {
        return Ok((0, 0));
    }
    let names = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT c.relname::text AS name FROM pg_inherits i \
             JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent \
             WHERE p.relname = 'event' AND p.relnamespace = current_schema()::regnamespace \
             AND c.relname ~ '^event_y[0-9]{4}m[0-9]{2}$' ORDER BY 1",
        ))
        .await?;
    let (mut months, mut removed) = (0, 0);
    for row in names {
        let name: String = row.try_get("", "name")?;
        let (Ok(year), Ok(month)) = (name[7..11].parse::<i32>(), name[12..14].parse::<u32>())
        else {
            continue;
        };
        let (year, month) = if month == 12 {
            (year + 1, 1)
        } else {
            (year, month + 1)
        };
        let Some(end) = Utc.with_ymd_and_hms(year, month, 1, 0, 0, 0).single() else {
            continue;
        };
        if end > cutoff {
            continue;
        }
        match drop_month(db, &name).await {
            Ok(Some(rows)) => {
                months += 1;
                removed += rows;
            }
            Ok(None) => {}
            Err(err) => tracing::warn!(
                partition = name,
                error = %err,
                "the month could not be dropped now; its events are pruned in batches"
            ),
        }
    }
    Ok((months, removed))
}

/// Drops the partition `name` when it holds no booking's newest applied event, in one
/// transaction; returns how many events went, or `None` when it holds a kept one.
///
/// The partition is first locked against writes (reads, and deliveries into other
/// months, go on) while it is checked, its counts computed and its keys released; the
/// archive's table lock, which deliveries wait for, is taken only for the last steps
/// (the counters moved by the precomputed amounts, the partition detached and dropped).
async fn drop_month(db: &DatabaseConnection, name: &str) -> Result<Option<u64>, DbErr> {
    let backend = db.get_database_backend();
    let txn = db.begin().await?;
    let count = |sql: String| {
        let txn = &txn;
        async move {
            let row = txn
                .query_one_raw(Statement::from_string(backend, sql))
                .await?
                .ok_or_else(|| DbErr::RecordNotFound("count".into()))?;
            row.try_get::<i64>("", "n")
        }
    };
    txn.execute_unprepared("SET LOCAL lock_timeout = '5s'")
        .await?;
    txn.execute_unprepared(&format!("LOCK TABLE {name} IN SHARE MODE"))
        .await?;
    let kept = count(format!(
        "SELECT count(*) AS n FROM (SELECT 1 FROM {name} e WHERE {NEWEST_APPLIED} LIMIT 1) k"
    ))
    .await?;
    if kept > 0 {
        txn.rollback().await?;
        return Ok(None);
    }
    let rows = count(format!("SELECT count(*) AS n FROM {name}")).await?;
    txn.execute_unprepared("CREATE TEMP TABLE pruned_counts (LIKE tally) ON COMMIT DROP")
        .await?;
    for statement in migration::event_counts(backend, name, "pruned_counts") {
        txn.execute_unprepared(&statement).await?;
    }
    txn.execute_unprepared(&format!(
        "DELETE FROM event_key WHERE event_id IN (SELECT id FROM {name})"
    ))
    .await?;
    txn.execute_unprepared("LOCK TABLE event IN ACCESS EXCLUSIVE MODE")
        .await?;
    for statement in [
        "INSERT INTO tally (dimension, partner, status, value, name, country, slot, n) \
         SELECT dimension, partner, status, value, name, country, slot, -n FROM pruned_counts \
         ORDER BY dimension, partner, status, value, name, country \
         ON CONFLICT (dimension, partner, status, value, name, country, slot) \
         DO UPDATE SET n = tally.n + excluded.n"
            .to_owned(),
        format!("ALTER TABLE event DETACH PARTITION {name}"),
        format!("DROP TABLE {name}"),
    ] {
        txn.execute_unprepared(&statement).await?;
    }
    txn.commit().await?;
    Ok(Some(u64::try_from(rows).unwrap_or(0)))
}

/// `ingest prune --older-than <age>`.
///
/// # Errors
/// When the database is unreachable or a batch fails.
pub async fn run(config: &Config, older_than: Age) -> anyhow::Result<()> {
    let db = common::db::connect(&config.database_url, 1).await?;
    let cutoff = older_than.cutoff(Utc::now());
    let started = std::time::Instant::now();
    let pruned = prune(&db, cutoff).await?;
    println!(
        "pruned {} events received before {} ({} whole months) in {:.1}s (each booking's newest applied event kept)",
        pruned.removed,
        cutoff.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        pruned.months,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// How often `ingest serve` looks after the archive.
pub const EVERY: Duration = Duration::from_secs(24 * 3600);

/// The archive's upkeep in `ingest serve`, at once and then every [`EVERY`], on its own
/// connection: on PostgreSQL the partitions of the coming months are created (see
/// `migration::create_partitions`); with a `retention`, older events are pruned. A
/// failure is logged and tried again at the next turn.
pub async fn daily(db: DatabaseConnection, retention: Option<Age>) {
    let mut turns = tokio::time::interval(EVERY);
    loop {
        turns.tick().await;
        if let Err(err) = migration::create_partitions(&db).await {
            tracing::error!(error = %err, "creating the archive's coming partitions failed");
        }
        let Some(retention) = retention else {
            continue;
        };
        let cutoff = retention.cutoff(Utc::now());
        match prune(&db, cutoff).await {
            Ok(pruned) => tracing::info!(
                removed = pruned.removed,
                months = pruned.months,
                batches = pruned.batches,
                cutoff = %cutoff,
                "archive pruned"
            ),
            Err(err) => tracing::error!(error = %err, "pruning the archive failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_in_days_or_hours_and_nothing_else() {
        assert_eq!(
            "90d".parse::<Age>().unwrap().as_duration().as_secs(),
            90 * 86_400
        );
        assert_eq!(
            "12h".parse::<Age>().unwrap().as_duration().as_secs(),
            12 * 3600
        );
        for bad in [
            "", "d", "90", "90m", "-1d", "1.5d", "9 0d", "ninetyd", "90D",
        ] {
            let err = bad.parse::<Age>().unwrap_err();
            assert!(err.contains("`90d` or `12h`"), "{bad:?}: {err}");
        }
        for zero in ["0d", "0h", "000d"] {
            let err = zero.parse::<Age>().unwrap_err();
            assert!(err.contains("whole archive"), "{zero:?}: {err}");
        }
        assert!("99999999999999999999d".parse::<Age>().is_err());
        assert!(Age::days(0).unwrap_err().contains("whole archive"));
        let now = Utc::now();
        assert_eq!(
            Age::days(2).unwrap().cutoff(now),
            now - chrono::Duration::days(2)
        );
    }
}
