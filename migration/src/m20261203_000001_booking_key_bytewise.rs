//! The unique index on a booking's key, (partner, reference), is built in the collation
//! `"C"` on PostgreSQL, and the lookups by that key compare in `"C"`
//! (`common::db::key_eq`): only that index can answer them, so the planner cannot walk
//! another index that starts with the partner (`ix_booking_partner_created`) and filter
//! the reference, whatever its statistics say or when it made its plan.
//!
//! On a new database the two indexes cost the same to the planner (no statistics, one
//! row expected from either) and it took the other one: every booking of the partner
//! read for each delivery, in custom plans too, and in a generic plan kept after the
//! table had grown. `"C"` compares bytes; the database's own collation is deterministic,
//! so the same references are equal and the same ones unique: the index accepts
//! exactly the rows it accepted, `ON CONFLICT (partner, reference)` still finds it, and
//! comparing bytes is also the cheapest comparison. SQLite's default collation compares
//! bytes already: nothing changes there.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Rebuilds the index in `collation`, unless it is built so already (another process
/// migrated meanwhile). The new index is built before the old one goes, so the key is
/// unique at every moment; the migration's transaction holds the table meanwhile.
fn rebuild(collation: &str) -> String {
    let collate = if collation == "default" {
        String::new()
    } else {
        format!(" COLLATE \"{collation}\"")
    };
    format!(
        "DO $$ BEGIN \
           IF NOT EXISTS (SELECT 1 FROM pg_index i \
               JOIN pg_class c ON c.oid = i.indexrelid \
               JOIN pg_collation k ON k.oid = i.indcollation[0] \
               WHERE c.relname = 'ux_booking_partner_reference' \
                 AND c.relnamespace = current_schema()::regnamespace \
                 AND k.collname = '{collation}') THEN \
             CREATE UNIQUE INDEX ux_booking_partner_reference_new \
               ON booking (partner{collate}, reference{collate}); \
             DROP INDEX IF EXISTS ux_booking_partner_reference; \
             ALTER INDEX ux_booking_partner_reference_new RENAME TO ux_booking_partner_reference; \
           END IF; \
         END $$"
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() == DatabaseBackend::Postgres {
            db.execute_unprepared(&rebuild("C")).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() == DatabaseBackend::Postgres {
            db.execute_unprepared(&rebuild("default")).await?;
        }
        Ok(())
    }
}
