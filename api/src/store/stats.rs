//! Aggregates for analysts: which partners exist, bookings per status and destination.

use std::collections::BTreeSet;

use entity::{booking, event, BookingStatus};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter,
    QuerySelect,
};

/// Bookings sharing a destination airport.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct DestinationCount {
    pub code: Option<String>,
    pub name: Option<String>,
    pub country: Option<String>,
    pub count: i64,
}

/// Every partner name that has sent a delivery or owns a booking, sorted.
///
/// # Errors
/// When the database fails.
pub async fn partners(db: &impl ConnectionTrait) -> Result<Vec<String>, DbErr> {
    let from_events: Vec<String> = event::Entity::find()
        .select_only()
        .column(event::Column::Partner)
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    let from_bookings: Vec<String> = booking::Entity::find()
        .select_only()
        .column(booking::Column::Partner)
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    let names: BTreeSet<String> = from_events.into_iter().chain(from_bookings).collect();
    Ok(names.into_iter().collect())
}

/// How many bookings matching `filter` are in each status, largest first.
///
/// # Errors
/// When the database fails.
pub async fn bookings_by_status(
    db: &impl ConnectionTrait,
    filter: Condition,
) -> Result<Vec<(BookingStatus, i64)>, DbErr> {
    let mut counts: Vec<(BookingStatus, i64)> = booking::Entity::find()
        .select_only()
        .column(booking::Column::Status)
        .column_as(booking::Column::Id.count(), "count")
        .filter(filter)
        .group_by(booking::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    counts.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
    Ok(counts)
}

/// How many bookings matching `filter` go to each destination airport, largest first,
/// at most `first` destinations.
///
/// # Errors
/// When the database fails.
pub async fn bookings_by_destination(
    db: &impl ConnectionTrait,
    filter: Condition,
    first: usize,
) -> Result<Vec<DestinationCount>, DbErr> {
    let mut counts: Vec<DestinationCount> = booking::Entity::find()
        .select_only()
        .column_as(booking::Column::DestinationCode, "code")
        .column_as(booking::Column::DestinationName.max(), "name")
        .column_as(booking::Column::DestinationCountry.max(), "country")
        .column_as(booking::Column::Id.count(), "count")
        .filter(filter)
        .group_by(booking::Column::DestinationCode)
        .into_model()
        .all(db)
        .await?;
    counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.code.cmp(&b.code)));
    counts.truncate(first);
    Ok(counts)
}
