//! Indexes for the bookings pages filtered by a date range (PostgreSQL): the UTC day of
//! the booking date and of the trip start, each followed by the list's order
//! (created_at, id), alone and after the destination. The api reads such a page day by day, the newest matches of each
//! day (`api::store::bookings::page_matching`), a walk bounded by the page size per
//! day; the indexes on (date, partner, status) stay, for the counts of the edge days.
//!
//! SQLite keeps its plans (its pages walk the list's index); nothing changes there.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Safe to run twice.
const UP: [&str; 4] = [
    "CREATE INDEX IF NOT EXISTS ix_booking_booked_day_created \
     ON booking (((booked_at AT TIME ZONE 'UTC')::date), created_at, id)",
    "CREATE INDEX IF NOT EXISTS ix_booking_trip_day_created \
     ON booking (((trip_start AT TIME ZONE 'UTC')::date), created_at, id)",
    // A destination holds a few percent of a day's bookings: walked within a day's
    // index, its matches would cost a day's worth of entries each. The date itself is
    // included so that an edge day's rows are read from the index alone (an
    // expression's column must be in the index for that); the whole days of a count
    // come from counters since `m20261204_000001_destination_days`.
    "CREATE INDEX IF NOT EXISTS ix_booking_destination_booked_day_created \
     ON booking (destination_code, ((booked_at AT TIME ZONE 'UTC')::date), created_at, id) \
     INCLUDE (booked_at)",
    "CREATE INDEX IF NOT EXISTS ix_booking_destination_trip_day_created \
     ON booking (destination_code, ((trip_start AT TIME ZONE 'UTC')::date), created_at, id) \
     INCLUDE (trip_start)",
];

const DOWN: [&str; 4] = [
    "DROP INDEX IF EXISTS ix_booking_booked_day_created",
    "DROP INDEX IF EXISTS ix_booking_trip_day_created",
    "DROP INDEX IF EXISTS ix_booking_destination_booked_day_created",
    "DROP INDEX IF EXISTS ix_booking_destination_trip_day_created",
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
