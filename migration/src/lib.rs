//! Schema migrations. Both binaries call [`migrate`] at start-up; it is safe for two
//! processes to call it at once on a fresh database (see [`migrate`]).

use std::time::Duration;

pub use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseConnection;

mod m20261127_000001_create_tables;
mod m20261202_000001_refusals_release_keys;
mod m20261202_000002_counts;
mod m20261202_000003_archive;
mod m20261203_000001_booking_key_bytewise;
mod m20261203_000002_event_key_received;
mod m20261203_000003_booking_days;
mod m20261204_000001_destination_days;

pub use m20261202_000002_counts::{event_counts, recount};
pub use m20261202_000003_archive::{create_partitions, MONTHS_AHEAD};

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_create_tables::Migration),
            Box::new(m20261202_000001_refusals_release_keys::Migration),
            Box::new(m20261202_000002_counts::Migration),
            Box::new(m20261202_000003_archive::Migration),
            Box::new(m20261203_000001_booking_key_bytewise::Migration),
            Box::new(m20261203_000002_event_key_received::Migration),
            Box::new(m20261203_000003_booking_days::Migration),
            Box::new(m20261204_000001_destination_days::Migration),
        ]
    }
}

/// Applies pending migrations.
///
/// Two processes starting together race to create the same tables and to record the
/// same version; the loser's statement fails. Every statement is `IF NOT EXISTS`, so
/// retrying after a short pause either finds the work done or finishes it.
///
/// # Errors
/// The last database error when the migrations still fail after several attempts.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    const ATTEMPTS: u32 = 8;
    let mut attempt = 1;
    loop {
        match Migrator::up(db, None).await {
            Ok(()) => return Ok(()),
            Err(err) if attempt < ATTEMPTS => {
                tracing::warn!(attempt, error = %err, "migration attempt failed, retrying");
                tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt))).await;
                attempt += 1;
            }
            Err(err) => return Err(err),
        }
    }
}

/// Runs `statements` in order on PostgreSQL; nothing on SQLite (for migrations of
/// PostgreSQL-only structures: partitions, collations, expression indexes).
async fn postgres_only(manager: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};
    let db = manager.get_connection();
    if db.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    for statement in statements {
        db.execute_unprepared(statement).await?;
    }
    Ok(())
}
