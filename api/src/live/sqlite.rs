//! The SQLite feed: one task polls the archive for newly committed applied deliveries
//! and publishes their bookings, one statement per poll for all subscriptions.
//!
//! It follows the event table's `rowid`, not the event id: a UUIDv7 is taken when the
//! delivery arrives, before the transaction waits for SQLite's single write lock, so a
//! second ingest process can commit a younger id first. The rowid is assigned inside the
//! write transaction (the largest so far plus one), so rowids grow in commit order and
//! a poll that has seen rowid N will never see a smaller one appear later.
//!
//! Not seen: a failed event taken up again (`ingest replay`, or the partner's retry of a
//! delivery archived as `failed`) is updated in place and keeps its rowid.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, Statement};
use uuid::Uuid;

use super::Feed;

/// How often the archive is polled: half of the 250 ms the push may take (CONTRACT §7),
/// for one indexed range read of the newest rows.
const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// How long to wait after a failed poll (the database locked or gone) before the next.
const RETRY_AFTER: Duration = Duration::from_secs(1);

pub(super) async fn run(db: DatabaseConnection, mut feed: Feed) {
    let mut last = loop {
        match newest_rowid(&db).await {
            Ok(rowid) => break rowid,
            Err(err) => {
                tracing::warn!(error = %err, "live updates: reading the archive failed; retrying");
                tokio::select! {
                    () = tokio::time::sleep(RETRY_AFTER) => {}
                    () = feed.stopped() => return,
                }
            }
        }
    };
    let mut interval = tokio::time::interval(POLL_INTERVAL);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = interval.tick() => {}
            () = feed.stopped() => return,
        }
        let Some(hub) = feed.hub() else { return };
        match applied_since(&db, last).await {
            Ok(rows) => {
                for (rowid, booking) in rows {
                    last = last.max(rowid);
                    if let Some(booking) = booking {
                        hub.publish(booking);
                    }
                }
            }
            Err(err) => {
                tracing::warn!(error = %err, "live updates: polling the archive failed");
                tokio::time::sleep(RETRY_AFTER).await;
            }
        }
    }
}

async fn newest_rowid(db: &DatabaseConnection) -> Result<i64, DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COALESCE(MAX(rowid), 0) AS last FROM event",
        ))
        .await?;
    Ok(match row {
        Some(row) => row.try_get("", "last")?,
        None => 0,
    })
}

/// The deliveries committed after `last`, oldest first, with their booking when applied.
async fn applied_since(
    db: &DatabaseConnection,
    last: i64,
) -> Result<Vec<(i64, Option<Uuid>)>, DbErr> {
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            // Every row, not only applied ones, so that `last` passes refusals too and
            // no poll reads the same rows twice.
            "SELECT rowid AS seq, CASE WHEN status = 'applied' THEN booking_id END AS booking \
             FROM event WHERE rowid > ? ORDER BY rowid LIMIT 10000",
            [last.into()],
        ))
        .await?;
    let mut changes = Vec::with_capacity(rows.len());
    for row in rows {
        changes.push((row.try_get("", "seq")?, row.try_get("", "booking")?));
    }
    Ok(changes)
}
