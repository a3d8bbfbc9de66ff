//! The filters of the analyst connections and aggregates, turned into criteria.
//! Date ranges include both ends.
//!
//! Text compared with stored columns may not contain U+0000: PostgreSQL text cannot
//! hold it (so nothing stored has it) and fails the whole statement on one, so it is
//! refused as the client's error ([`stored_text`]) rather than answered as an internal one.

use async_graphql::{InputObject, ID};
use uuid::Uuid;

use super::{
    enums::{BookingStatus, EventStatus},
    scalars::DateTime,
};
use crate::{
    error::ApiError,
    store::counts::{BookingCriteria, EventCriteria, Span},
};

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

/// `value`, unless it holds U+0000, which no stored text can.
///
/// # Errors
/// [`ApiError::BadInput`] naming `argument`.
pub fn stored_text<'a>(argument: &str, value: &'a str) -> Result<&'a str, ApiError> {
    if value.contains('\0') {
        return Err(ApiError::BadInput(format!(
            "`{argument}` may not contain the NUL character (U+0000)"
        )));
    }
    Ok(value)
}

/// [`stored_text`] for an optional argument.
fn optional_text<'a>(argument: &str, value: Option<&'a str>) -> Result<Option<&'a str>, ApiError> {
    value.map(|value| stored_text(argument, value)).transpose()
}

impl BookingFilter {
    /// What the filter asks for; an absent filter matches everything.
    ///
    /// # Errors
    /// [`ApiError::BadInput`] for text no stored value can match (see [`stored_text`]).
    pub fn criteria(&self) -> Result<BookingCriteria, ApiError> {
        let partner = optional_text("filter.partner", self.partner.as_deref())?;
        let destination = optional_text("filter.destination", self.destination.as_deref())?;
        Ok(BookingCriteria {
            partner: partner.map(str::to_owned),
            status: self.status.map(entity::BookingStatus::from),
            destination: destination.map(|code| code.trim().to_ascii_uppercase()),
            trip_start: span(self.trip_start_from, self.trip_start_to),
            booked: span(self.booked_from, self.booked_to),
        })
    }
}

impl EventFilter {
    /// What the filter asks for; an absent filter matches everything.
    ///
    /// # Errors
    /// [`ApiError::BadInput`] when `bookingId` is not a UUID, or for text no stored
    /// value can match (see [`stored_text`]).
    pub fn criteria(&self) -> Result<EventCriteria, ApiError> {
        let partner = optional_text("filter.partner", self.partner.as_deref())?;
        let event_type = optional_text("filter.type", self.event_type.as_deref())?;
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
        Ok(EventCriteria {
            partner: partner.map(str::to_owned),
            status: self.status.map(entity::EventStatus::from),
            event_type: event_type.map(str::to_owned),
            booking_id,
            received: span(self.received_from, self.received_to),
        })
    }
}

fn span(from: Option<DateTime>, to: Option<DateTime>) -> Span {
    Span {
        from: from.map(|at| at.0),
        to: to.map(|at| at.0),
    }
}
