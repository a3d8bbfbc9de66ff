//! Bookings per destination counted from the rows, for the filters the counters do not
//! serve (see [`super::counts`]).

use entity::booking;
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

/// How many bookings matching `filter` go to each destination airport, in no order.
///
/// # Errors
/// When the database fails.
pub async fn bookings_by_destination(
    db: &impl ConnectionTrait,
    filter: Condition,
) -> Result<Vec<DestinationCount>, DbErr> {
    booking::Entity::find()
        .select_only()
        .column_as(booking::Column::DestinationCode, "code")
        .column_as(booking::Column::DestinationName.max(), "name")
        .column_as(booking::Column::DestinationCountry.max(), "country")
        .column_as(booking::Column::Id.count(), "count")
        .filter(filter)
        .group_by(booking::Column::DestinationCode)
        .into_model()
        .all(db)
        .await
}
