//! The duplicate lookup on PostgreSQL reads `event_key` alone, and one partition of the
//! archive only when the key is known: `event_key` also holds each accepted event's
//! received time, the archive's partition key, so the event is fetched by its whole
//! primary key from the one month that holds it.
//!
//! Before, the lookup asked the archive for (partner, key), which reads the
//! `(partner, idempotency_key)` index of every partition — one probe per month kept,
//! for every delivery, most of which are new. That index has no other reader and goes
//! (one index fewer to write per delivery); SQLite keeps its unique index, which is its
//! lookup. The trigger that keeps `event_key` files the received time with the key,
//! and files it again when an event moves to another time.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `event_key_sync` filing the received time (see the archive's migration for the rest).
const SYNC_WITH_TIME: &str = "CREATE OR REPLACE FUNCTION event_key_sync() RETURNS trigger \
     LANGUAGE plpgsql AS $$ \
     BEGIN \
       IF TG_OP = 'UPDATE' AND OLD.partner = NEW.partner \
          AND OLD.idempotency_key = NEW.idempotency_key \
          AND OLD.received_at = NEW.received_at \
          AND (OLD.status = 'rejected') = (NEW.status = 'rejected') THEN \
         RETURN NULL; \
       END IF; \
       IF TG_OP <> 'INSERT' AND OLD.status <> 'rejected' THEN \
         DELETE FROM event_key WHERE event_id = OLD.id; \
       END IF; \
       IF TG_OP <> 'DELETE' AND NEW.status <> 'rejected' THEN \
         INSERT INTO event_key (partner, idempotency_key, event_id, received_at) \
         VALUES (NEW.partner, NEW.idempotency_key, NEW.id, NEW.received_at); \
       END IF; \
       RETURN NULL; \
     END $$";

/// `event_key_sync` as the archive's migration made it.
const SYNC_WITHOUT_TIME: &str = "CREATE OR REPLACE FUNCTION event_key_sync() RETURNS trigger \
     LANGUAGE plpgsql AS $$ \
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
     END $$";

/// Safe to run twice (two processes migrating at once wait for each other's lock).
const UP: [&str; 6] = [
    "LOCK TABLE event, event_key IN SHARE ROW EXCLUSIVE MODE",
    "ALTER TABLE event_key ADD COLUMN IF NOT EXISTS received_at timestamptz",
    "UPDATE event_key k SET received_at = e.received_at FROM event e \
     WHERE e.id = k.event_id AND k.received_at IS DISTINCT FROM e.received_at",
    "ALTER TABLE event_key ALTER COLUMN received_at SET NOT NULL",
    SYNC_WITH_TIME,
    "DROP INDEX IF EXISTS ix_event_partner_key",
];

const DOWN: [&str; 4] = [
    "LOCK TABLE event, event_key IN SHARE ROW EXCLUSIVE MODE",
    SYNC_WITHOUT_TIME,
    "ALTER TABLE event_key DROP COLUMN IF EXISTS received_at",
    "CREATE INDEX IF NOT EXISTS ix_event_partner_key ON event (partner, idempotency_key)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::postgres_only(manager, &UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::postgres_only(manager, &DOWN).await
    }
}
