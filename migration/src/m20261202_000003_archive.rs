//! A prunable archive on PostgreSQL (CONTRACT §5 rev. 2, retention): `event` becomes a
//! table partitioned by received time, one partition per calendar month (UTC), so that
//! a month outside the retention window is dropped whole and a scan of a time range
//! reads only its months. SQLite keeps one table (it prunes in batches).
//!
//! - Partitions `event_yYYYYmMM` cover `[first of the month, first of the next)`; the
//!   migration creates one for every month that already holds rows and
//!   [`MONTHS_AHEAD`] ahead, and `ingest serve` creates the coming months daily
//!   ([`create_partitions`]). `event_default` takes any row no monthly partition covers,
//!   so an insert never fails for want of a partition.
//! - Idempotency stays exact across partitions. PostgreSQL only allows a unique index
//!   that includes the partition key, so the accepted keys move to `event_key`
//!   (partner, idempotency key → event id; primary key on the first two), kept by a
//!   trigger on `event` in the writing transaction: an accepted event (any status but
//!   `rejected`) inserts its key, a delete or a change to `rejected` removes it. A second
//!   accepted event with the same key fails with a unique violation, as the partial
//!   unique index on SQLite makes it fail, and concurrent ones wait for each other on
//!   the key's row.
//! - Every index of the table stays, on the partitioned table (each partition has its
//!   own); the primary key becomes (id, received time).
//!
//! The rows already stored are copied into the new layout inside the migration's
//! transaction, the old table locked meanwhile: nothing is lost, and a failure leaves
//! the old table as it was.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseTransaction, DbErr, Statement, TransactionTrait,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Months created ahead of the current one.
pub const MONTHS_AHEAD: u32 = 3;

/// The indexes of `event` (the non-unique ones of the earlier migrations), recreated on
/// the partitioned table with the same names, plus the (partner, key) lookup that
/// replaces the unique index for reads.
const INDEXES: [&str; 7] = [
    "CREATE INDEX ix_event_received_at ON event (received_at, id)",
    "CREATE INDEX ix_event_partner_received ON event (partner, received_at, id)",
    "CREATE INDEX ix_event_status_received ON event (status, received_at, id)",
    "CREATE INDEX ix_event_type_received ON event (event_type, received_at, id)",
    "CREATE INDEX ix_event_booking_received ON event (booking_id, received_at, id)",
    "CREATE INDEX ix_event_received_partner_status ON event (received_at, partner, status)",
    "CREATE INDEX ix_event_partner_key ON event (partner, idempotency_key)",
];

/// The trigger that keeps `event_key`.
const KEY_TRIGGER: [&str; 4] = [
    "CREATE TABLE event_key (\
       partner text NOT NULL, idempotency_key text NOT NULL, event_id uuid NOT NULL, \
       PRIMARY KEY (partner, idempotency_key))",
    "CREATE INDEX ix_event_key_event ON event_key (event_id)",
    "CREATE OR REPLACE FUNCTION event_key_sync() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN \
       IF TG_OP = 'UPDATE' AND OLD.partner = NEW.partner \
          AND OLD.idempotency_key = NEW.idempotency_key \
          AND (OLD.status = 'rejected') = (NEW.status = 'rejected') THEN \
         RETURN NULL; \
       END IF; \
       IF TG_OP <> 'INSERT' AND OLD.status <> 'rejected' THEN \
         DELETE FROM event_key WHERE event_id = OLD.id; \
       END IF; \
       IF TG_OP <> 'DELETE' AND NEW.status <> 'rejected' THEN \
         INSERT INTO event_key (partner, idempotency_key, event_id) \
         VALUES (NEW.partner, NEW.idempotency_key, NEW.id); \
       END IF; \
       RETURN NULL; \
     END $$",
    "CREATE TRIGGER event_key_sync AFTER INSERT OR UPDATE OR DELETE ON event \
     FOR EACH ROW EXECUTE FUNCTION event_key_sync()",
];

/// Whether `event` is already partitioned (another process migrated it meanwhile).
async fn partitioned<C: ConnectionTrait>(db: &C) -> Result<bool, DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(
            DatabaseBackend::Postgres,
            "SELECT count(*) AS n FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid \
             WHERE c.relname = 'event' AND c.relnamespace = current_schema()::regnamespace",
        ))
        .await?;
    Ok(row
        .map(|row| row.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0)
        > 0)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Layout {
    Single,
    Partitioned,
}

/// The transaction that converts `event` to `to`, holding the table exclusively (deliveries
/// and a second process migrating wait until the copy commits); `None` on SQLite, or when
/// the table already has that layout (another process converted it meanwhile).
async fn convert(
    manager: &SchemaManager<'_>,
    to: Layout,
) -> Result<Option<DatabaseTransaction>, DbErr> {
    let db = manager.get_connection();
    if db.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(None);
    }
    let txn = db.begin().await?;
    txn.execute_unprepared("LOCK TABLE event IN ACCESS EXCLUSIVE MODE")
        .await?;
    if partitioned(&txn).await? == (to == Layout::Partitioned) {
        txn.commit().await?;
        return Ok(None);
    }
    Ok(Some(txn))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let Some(txn) = convert(manager, Layout::Partitioned).await? else {
            return Ok(());
        };
        for statement in [
            "ALTER TABLE event RENAME TO event_unpartitioned",
            "ALTER TABLE event_unpartitioned RENAME CONSTRAINT event_pkey TO event_unpartitioned_pkey",
            "CREATE TABLE event (LIKE event_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS, \
               PRIMARY KEY (id, received_at), \
               FOREIGN KEY (booking_id) REFERENCES booking (id) ON DELETE SET NULL) \
             PARTITION BY RANGE (received_at)",
            "CREATE TABLE event_default PARTITION OF event DEFAULT",
        ] {
            txn.execute_unprepared(statement).await?;
        }
        // A partition for every month that holds rows, and the coming ones.
        txn.execute_unprepared(&format!(
            "DO $$ DECLARE m timestamptz; BEGIN \
               FOR m IN SELECT generate_series(\
                 coalesce(date_trunc('month', (SELECT min(received_at) FROM event_unpartitioned) AT TIME ZONE 'UTC'), \
                          date_trunc('month', now() AT TIME ZONE 'UTC')), \
                 date_trunc('month', now() AT TIME ZONE 'UTC') + interval '{MONTHS_AHEAD} months', \
                 interval '1 month') AT TIME ZONE 'UTC' \
               LOOP {} END LOOP; END $$",
            CREATE_MONTH
        ))
        .await?;
        for statement in KEY_TRIGGER {
            txn.execute_unprepared(statement).await?;
        }
        // The trigger files the keys of the accepted events as they are copied.
        txn.execute_unprepared("INSERT INTO event SELECT * FROM event_unpartitioned")
            .await?;
        txn.execute_unprepared("DROP TABLE event_unpartitioned")
            .await?;
        for statement in INDEXES {
            txn.execute_unprepared(statement).await?;
        }
        txn.commit().await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let Some(txn) = convert(manager, Layout::Single).await? else {
            return Ok(());
        };
        for statement in [
            "CREATE TABLE event_unpartitioned (LIKE event INCLUDING DEFAULTS INCLUDING CONSTRAINTS, \
               PRIMARY KEY (id), \
               FOREIGN KEY (booking_id) REFERENCES booking (id) ON DELETE SET NULL)",
            "INSERT INTO event_unpartitioned SELECT * FROM event",
            "DROP TABLE event CASCADE",
            "DROP TABLE event_key",
            "DROP FUNCTION event_key_sync()",
            "ALTER TABLE event_unpartitioned RENAME TO event",
            "ALTER TABLE event RENAME CONSTRAINT event_unpartitioned_pkey TO event_pkey",
            "CREATE UNIQUE INDEX ux_event_partner_key_accepted \
             ON event (partner, idempotency_key) WHERE status <> 'rejected'",
        ] {
            txn.execute_unprepared(statement).await?;
        }
        for statement in &INDEXES[..INDEXES.len() - 1] {
            txn.execute_unprepared(statement).await?;
        }
        txn.commit().await
    }
}

/// PL/pgSQL creating the partition of the month starting at `m` (UTC) if missing.
const CREATE_MONTH: &str = "EXECUTE format(\
     'CREATE TABLE IF NOT EXISTS %I PARTITION OF event FOR VALUES FROM (%L) TO (%L)', \
     'event_y' || to_char(m AT TIME ZONE 'UTC', 'YYYY') || 'm' || to_char(m AT TIME ZONE 'UTC', 'MM'), \
     m, ((m AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC');";

/// Creates the partitions of the current month and the [`MONTHS_AHEAD`] next ones where
/// missing (PostgreSQL; nothing on SQLite). `ingest serve` calls it daily, so months
/// exist before their rows arrive.
///
/// # Errors
/// When the database fails, e.g. when `event_default` already holds rows of a month
/// about to get its partition (they would have to move first).
pub async fn create_partitions<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    if db.get_database_backend() != DatabaseBackend::Postgres || !partitioned(db).await? {
        return Ok(());
    }
    db.execute_unprepared(&format!(
        "DO $$ DECLARE m timestamptz; BEGIN \
           FOR m IN SELECT generate_series(\
             date_trunc('month', now() AT TIME ZONE 'UTC'), \
             date_trunc('month', now() AT TIME ZONE 'UTC') + interval '{MONTHS_AHEAD} months', \
             interval '1 month') AT TIME ZONE 'UTC' \
           LOOP {CREATE_MONTH} END LOOP; END $$"
    ))
    .await?;
    Ok(())
}
