//! The event archive.

use entity::event;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::{newest_first, Page, Position};

/// A page of the events matching `filter`, newest first (received_at, id).
///
/// # Errors
/// When the database fails.
pub async fn page(
    db: &impl ConnectionTrait,
    filter: Condition,
    after: Option<Position>,
    first: u64,
) -> Result<Page<event::Model>, DbErr> {
    let select = event::Entity::find().filter(filter);
    newest_first(
        db,
        select,
        (event::Column::ReceivedAt, event::Column::Id),
        after,
        first,
    )
    .await
}

/// The position of an event in the newest-first list.
pub fn position(event: &event::Model) -> Position {
    Position {
        at: event.received_at,
        id: event.id,
    }
}

/// The events of several bookings in one statement, each booking's newest first.
///
/// # Errors
/// When the database fails.
pub async fn events_of(
    db: &impl ConnectionTrait,
    booking_ids: &[Uuid],
) -> Result<Vec<event::Model>, DbErr> {
    event::Entity::find()
        .filter(event::Column::BookingId.is_in(booking_ids.iter().copied()))
        .order_by_desc(event::Column::ReceivedAt)
        .order_by_desc(event::Column::Id)
        .all(db)
        .await
}
