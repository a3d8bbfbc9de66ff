//! The filters of the analyst connections and aggregates, turned into SQL conditions.
//! Date ranges include both ends.

use async_graphql::{InputObject, ID};
use entity::{booking, event};
use sea_orm::{ColumnTrait, Condition};
use uuid::Uuid;

use super::{
    enums::{BookingStatus, EventStatus},
    scalars::DateTime,
};
use crate::error::ApiError;

/// Narrows a list of bookings; all given fields must match.
#[derive(InputObject, Default, Debug)]
pub struct BookingFilter {
    /// Partner name as in the registry, e.g. `hahn-air`.
    pub partner: Option<String>,
    pub status: Option<BookingStatus>,
    /// IATA code of the booking's destination, e.g. `LIS`.
    pub destination: Option<String>,
    pub trip_start_from: Option<DateTime>,
    pub trip_start_to: Option<DateTime>,
    pub booked_from: Option<DateTime>,
    pub booked_to: Option<DateTime>,
}

/// Narrows a list of events; all given fields must match.
#[derive(InputObject, Default, Debug)]
pub struct EventFilter {
    pub partner: Option<String>,
    pub status: Option<EventStatus>,
    /// Adapter event type, e.g. `booking-create` or `OrderTicketed`.
    #[graphql(name = "type")]
    pub event_type: Option<String>,
    pub booking_id: Option<ID>,
    pub received_from: Option<DateTime>,
    pub received_to: Option<DateTime>,
}

impl BookingFilter {
    /// The SQL condition; an absent filter matches everything.
    pub fn condition(&self) -> Condition {
        use booking::Column;
        Condition::all()
            .add_option(
                self.partner
                    .as_deref()
                    .map(|partner| Column::Partner.eq(partner)),
            )
            .add_option(
                self.status
                    .map(|status| Column::Status.eq(entity::BookingStatus::from(status))),
            )
            .add_option(
                self.destination
                    .as_deref()
                    .map(|code| Column::DestinationCode.eq(code.trim().to_ascii_uppercase())),
            )
            .add_option(
                self.trip_start_from
                    .map(|from| Column::TripStart.gte(from.0)),
            )
            .add_option(self.trip_start_to.map(|to| Column::TripStart.lte(to.0)))
            .add_option(self.booked_from.map(|from| Column::BookedAt.gte(from.0)))
            .add_option(self.booked_to.map(|to| Column::BookedAt.lte(to.0)))
    }
}

impl EventFilter {
    /// The SQL condition; an absent filter matches everything.
    ///
    /// # Errors
    /// [`ApiError::BadInput`] when `bookingId` is not a UUID.
    pub fn condition(&self) -> Result<Condition, ApiError> {
        use event::Column;
        let booking_id = self
            .booking_id
            .as_ref()
            .map(|id| {
                Uuid::parse_str(id.as_str()).map_err(|_| {
                    ApiError::BadInput(format!(
                        "bookingId `{}` is not a booking id (a UUID)",
                        id.as_str()
                    ))
                })
            })
            .transpose()?;
        Ok(Condition::all()
            .add_option(
                self.partner
                    .as_deref()
                    .map(|partner| Column::Partner.eq(partner)),
            )
            .add_option(
                self.status
                    .map(|status| Column::Status.eq(entity::EventStatus::from(status))),
            )
            .add_option(
                self.event_type
                    .as_deref()
                    .map(|kind| Column::EventType.eq(kind)),
            )
            .add_option(booking_id.map(|id| Column::BookingId.eq(id)))
            .add_option(
                self.received_from
                    .map(|from| Column::ReceivedAt.gte(from.0)),
            )
            .add_option(self.received_to.map(|to| Column::ReceivedAt.lte(to.0))))
    }
}
