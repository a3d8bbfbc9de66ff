//! A refused delivery no longer holds its idempotency key (CONTRACT §5 rev. 2: a
//! refusal never blocks a correction). The unique index on (partner, idempotency key)
//! becomes partial: it covers every archived event except `rejected` ones, so the
//! partner's corrected resend with the same key is processed afresh, while accepted
//! deliveries (applied, stale, ignored, failed) stay unique.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Both statements are the same on SQLite and PostgreSQL, and safe to run twice (two
/// processes migrating one database at once).
const UP: [&str; 2] = [
    "DROP INDEX IF EXISTS ux_event_partner_idempotency_key",
    "CREATE UNIQUE INDEX IF NOT EXISTS ux_event_partner_key_accepted \
     ON event (partner, idempotency_key) WHERE status <> 'rejected'",
];

const DOWN: [&str; 2] = [
    "DROP INDEX IF EXISTS ux_event_partner_key_accepted",
    "CREATE UNIQUE INDEX IF NOT EXISTS ux_event_partner_idempotency_key \
     ON event (partner, idempotency_key)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for statement in UP {
            manager
                .get_connection()
                .execute_unprepared(statement)
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for statement in DOWN {
            manager
                .get_connection()
                .execute_unprepared(statement)
                .await?;
        }
        Ok(())
    }
}
