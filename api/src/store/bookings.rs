//! Bookings and what hangs off them: segments and passengers.

use entity::{booking, passenger, segment};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use super::{newest_first, Page, Position};

/// One booking by id.
///
/// # Errors
/// When the database fails.
pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<booking::Model>, DbErr> {
    booking::Entity::find_by_id(id).one(db).await
}

/// One booking by the partner's own reference (unique per partner).
///
/// # Errors
/// When the database fails.
pub async fn find_by_reference(
    db: &impl ConnectionTrait,
    partner: &str,
    reference: &str,
) -> Result<Option<booking::Model>, DbErr> {
    booking::Entity::find()
        .filter(booking::Column::Partner.eq(partner))
        .filter(booking::Column::Reference.eq(reference))
        .one(db)
        .await
}

/// A page of the bookings matching `filter`, newest first (created_at, id).
///
/// # Errors
/// When the database fails.
pub async fn page(
    db: &impl ConnectionTrait,
    filter: Condition,
    after: Option<Position>,
    first: u64,
) -> Result<Page<booking::Model>, DbErr> {
    let select = booking::Entity::find().filter(filter);
    newest_first(
        db,
        select,
        (booking::Column::CreatedAt, booking::Column::Id),
        after,
        first,
    )
    .await
}

/// How many bookings match `filter`.
///
/// # Errors
/// When the database fails.
pub async fn count(db: &impl ConnectionTrait, filter: Condition) -> Result<u64, DbErr> {
    booking::Entity::find().filter(filter).count(db).await
}

/// The position of a booking in the newest-first list.
pub fn position(booking: &booking::Model) -> Position {
    Position {
        at: booking.created_at,
        id: booking.id,
    }
}

/// The segments of several bookings in one statement, each booking's in sequence order.
///
/// # Errors
/// When the database fails.
pub async fn segments_of(
    db: &impl ConnectionTrait,
    booking_ids: &[Uuid],
) -> Result<Vec<segment::Model>, DbErr> {
    segment::Entity::find()
        .filter(segment::Column::BookingId.is_in(booking_ids.iter().copied()))
        .order_by_asc(segment::Column::BookingId)
        .order_by_asc(segment::Column::Sequence)
        .all(db)
        .await
}

/// The passengers of several bookings in one statement, each booking's lead first,
/// then in the order they became known.
///
/// # Errors
/// When the database fails.
pub async fn passengers_of(
    db: &impl ConnectionTrait,
    booking_ids: &[Uuid],
) -> Result<Vec<passenger::Model>, DbErr> {
    passenger::Entity::find()
        .filter(passenger::Column::BookingId.is_in(booking_ids.iter().copied()))
        .order_by_asc(passenger::Column::BookingId)
        .order_by_desc(passenger::Column::Lead)
        .order_by_asc(passenger::Column::CreatedAt)
        .order_by_asc(passenger::Column::Id)
        .all(db)
        .await
}
