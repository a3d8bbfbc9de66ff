//! Counters behind the analysts' counts (CONTRACT §6, §7 "Growth"), and indexes that
//! match each filter together with the newest-first order of the lists.
//!
//! `tally` holds how many rows share a key; ingest keeps it in each delivery's own
//! transaction (one upsert per delivery) and the api sums it instead of counting rows.
//! A key is a partner, a status, a `dimension` and its `value`:
//!
//! - bookings: `destination` (the destination code, with its `name` and `country`),
//!   `trip_start` and `booked` (the UTC day, `YYYY-MM-DD`), and since
//!   `m20261204_000001_destination_days` `trip_dest` and `booked_dest` (the UTC day,
//!   with the destination code in `name`; bookings without a destination have none);
//! - events: `type` (the event type) and `received` (the UTC day).
//!
//! An absent value is `''`. `slot` spreads one key over a few rows so that concurrent
//! deliveries on PostgreSQL do not queue on one hot row; a count is the sum over the
//! slots. The migration fills the counters from the rows already stored ([`recount`]).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, TransactionTrait,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The same on SQLite and PostgreSQL, and safe to run twice.
const UP: [&str; 18] = [
    "CREATE TABLE IF NOT EXISTS tally (\
       dimension varchar(16) NOT NULL, partner text NOT NULL, status varchar(16) NOT NULL, \
       value text NOT NULL, name text NOT NULL, country text NOT NULL, \
       slot smallint NOT NULL, n bigint NOT NULL, \
       PRIMARY KEY (dimension, partner, status, value, name, country, slot))",
    // A date range without a partner reads a range of days of every partner.
    "CREATE INDEX IF NOT EXISTS ix_tally_dimension_value ON tally (dimension, value)",
    // Each equality filter with the list order (created_at, id) / (received_at, id), so
    // a filtered page is an index walk. They replace the single-column indexes.
    "CREATE INDEX IF NOT EXISTS ix_booking_partner_created ON booking (partner, created_at, id)",
    "CREATE INDEX IF NOT EXISTS ix_booking_status_created ON booking (status, created_at, id)",
    "CREATE INDEX IF NOT EXISTS ix_booking_destination_created \
     ON booking (destination_code, created_at, id)",
    "DROP INDEX IF EXISTS ix_booking_status",
    "DROP INDEX IF EXISTS ix_booking_destination_code",
    "CREATE INDEX IF NOT EXISTS ix_event_partner_received ON event (partner, received_at, id)",
    "CREATE INDEX IF NOT EXISTS ix_event_status_received ON event (status, received_at, id)",
    "CREATE INDEX IF NOT EXISTS ix_event_type_received ON event (event_type, received_at, id)",
    "CREATE INDEX IF NOT EXISTS ix_event_booking_received ON event (booking_id, received_at, id)",
    "DROP INDEX IF EXISTS ix_event_status",
    "DROP INDEX IF EXISTS ix_event_booking_id",
    // The edge days of a date range are counted from the rows: these bound that count
    // to one day's rows and answer it from the index alone. They replace the indexes
    // on the date columns alone.
    "CREATE INDEX IF NOT EXISTS ix_booking_trip_start_partner_status \
     ON booking (trip_start, partner, status)",
    "CREATE INDEX IF NOT EXISTS ix_booking_booked_partner_status \
     ON booking (booked_at, partner, status)",
    "CREATE INDEX IF NOT EXISTS ix_event_received_partner_status \
     ON event (received_at, partner, status)",
    "DROP INDEX IF EXISTS ix_booking_trip_start",
    "DROP INDEX IF EXISTS ix_booking_booked_at",
];

const DOWN: [&str; 17] = [
    "DROP TABLE IF EXISTS tally",
    "DROP INDEX IF EXISTS ix_booking_partner_created",
    "DROP INDEX IF EXISTS ix_booking_status_created",
    "DROP INDEX IF EXISTS ix_booking_destination_created",
    "CREATE INDEX IF NOT EXISTS ix_booking_status ON booking (status)",
    "CREATE INDEX IF NOT EXISTS ix_booking_destination_code ON booking (destination_code)",
    "DROP INDEX IF EXISTS ix_event_partner_received",
    "DROP INDEX IF EXISTS ix_event_status_received",
    "DROP INDEX IF EXISTS ix_event_type_received",
    "DROP INDEX IF EXISTS ix_event_booking_received",
    "CREATE INDEX IF NOT EXISTS ix_event_status ON event (status)",
    "CREATE INDEX IF NOT EXISTS ix_event_booking_id ON event (booking_id)",
    "DROP INDEX IF EXISTS ix_booking_trip_start_partner_status",
    "DROP INDEX IF EXISTS ix_booking_booked_partner_status",
    "DROP INDEX IF EXISTS ix_event_received_partner_status",
    "CREATE INDEX IF NOT EXISTS ix_booking_trip_start ON booking (trip_start)",
    "CREATE INDEX IF NOT EXISTS ix_booking_booked_at ON booking (booked_at)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for statement in UP {
            db.execute_unprepared(statement).await?;
        }
        recount_in(db, false).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for statement in DOWN {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }
}

/// The UTC day of a timestamp column as `YYYY-MM-DD`, `''` when it is null; as ingest
/// computes it for the counters it keeps.
fn day(backend: DatabaseBackend, column: &str) -> String {
    match backend {
        DatabaseBackend::Postgres => {
            format!("coalesce(to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD'), '')")
        }
        // Stored as RFC 3339 text in UTC.
        _ => format!("coalesce(substr({column}, 1, 10), '')"),
    }
}

/// The statements that rebuild every counter from the rows.
fn recount_statements(backend: DatabaseBackend, lock: bool) -> Vec<String> {
    let trip_day = day(backend, "trip_start");
    let booked_day = day(backend, "booked_at");
    let mut statements = Vec::new();
    if lock && backend == DatabaseBackend::Postgres {
        // Deliveries that are about to write counters wait for the rebuild, and then
        // add their change to it; those that wrote some already are waited for, and
        // counted from their rows (each statement below sees what committed before it).
        statements.push("LOCK TABLE tally IN EXCLUSIVE MODE".to_owned());
    }
    statements.extend([
        "DELETE FROM tally".to_owned(),
        "INSERT INTO tally (dimension, partner, status, value, name, country, slot, n) \
         SELECT 'destination', partner, status, coalesce(destination_code, ''), \
           coalesce(destination_name, ''), coalesce(destination_country, ''), 0, count(*) \
         FROM booking GROUP BY partner, status, coalesce(destination_code, ''), \
           coalesce(destination_name, ''), coalesce(destination_country, '')"
            .to_owned(),
        format!(
            "INSERT INTO tally (dimension, partner, status, value, name, country, slot, n) \
             SELECT 'trip_start', partner, status, {trip_day}, '', '', 0, count(*) \
             FROM booking GROUP BY partner, status, {trip_day}"
        ),
        format!(
            "INSERT INTO tally (dimension, partner, status, value, name, country, slot, n) \
             SELECT 'booked', partner, status, {booked_day}, '', '', 0, count(*) \
             FROM booking GROUP BY partner, status, {booked_day}"
        ),
    ]);
    // Per destination and day (`m20261204_000001_destination_days`): the code in
    // `name`, bookings without one left out.
    for (dimension, day) in [("trip_dest", &trip_day), ("booked_dest", &booked_day)] {
        statements.push(format!(
            "INSERT INTO tally (dimension, partner, status, value, name, country, slot, n) \
             SELECT '{dimension}', partner, status, {day}, destination_code, '', 0, count(*) \
             FROM booking WHERE destination_code IS NOT NULL AND destination_code <> '' \
             GROUP BY partner, status, {day}, destination_code"
        ));
    }
    statements.extend(event_counts(backend, "event", "tally"));
    statements
}

/// The statements that add the event counters of the rows of `table` (the archive, or
/// one of its partitions) into `into` (`tally`, or a table shaped like it).
pub fn event_counts(backend: DatabaseBackend, table: &str, into: &str) -> [String; 2] {
    let received_day = day(backend, "received_at");
    [
        format!(
            "INSERT INTO {into} (dimension, partner, status, value, name, country, slot, n) \
             SELECT 'type', partner, status, event_type, '', '', 0, count(*) \
             FROM {table} GROUP BY partner, status, event_type"
        ),
        format!(
            "INSERT INTO {into} (dimension, partner, status, value, name, country, slot, n) \
             SELECT 'received', partner, status, {received_day}, '', '', 0, count(*) \
             FROM {table} GROUP BY partner, status, {received_day}"
        ),
    ]
}

/// `lock`: whether deliveries may be running (not while migrating: no process serves
/// before its migrations are done).
pub(crate) async fn recount_in<C: ConnectionTrait>(db: &C, lock: bool) -> Result<(), DbErr> {
    for statement in recount_statements(db.get_database_backend(), lock) {
        db.execute_unprepared(&statement).await?;
    }
    Ok(())
}

/// Rebuilds every counter from the rows, in one transaction (`ingest recount`): a
/// repair for counters that drifted from the rows, e.g. after rows were written
/// around the product (a bulk load, a manual fix).
///
/// # Errors
/// When the database fails; nothing is changed then.
pub async fn recount(db: &DatabaseConnection) -> Result<(), DbErr> {
    let txn = db.begin().await?;
    recount_in(&txn, true).await?;
    txn.commit().await
}
