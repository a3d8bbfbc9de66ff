//! GraphQL mirrors of the entity enums; `remote` generates the conversions both ways.

use async_graphql::Enum;

/// Lifecycle of a booking as the partners report it.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::BookingStatus")]
pub enum BookingStatus {
    Confirmed,
    Ticketed,
    OnHold,
    InProgress,
    Completed,
    /// A flight change or disruption was reported; see the booking's events.
    Disrupted,
    /// Cancelled; marketing is off until a newer event says otherwise.
    Cancelled,
}

/// Whether one segment still takes place.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::SegmentStatus")]
pub enum SegmentStatus {
    Active,
    Cancelled,
}

/// Mode of travel of a segment.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::SegmentKind")]
pub enum SegmentKind {
    Air,
    Hotel,
    Car,
    Rail,
    Cruise,
    Activity,
    Transfer,
    Other,
}

/// Age band of a passenger.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::PassengerType")]
pub enum PassengerType {
    Adult,
    Child,
    Infant,
}

/// What became of one archived delivery.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::EventStatus")]
pub enum EventStatus {
    /// Applied to its booking.
    Applied,
    /// Older than what the booking already had: archived, not applied.
    Stale,
    /// Understood but not about a booking.
    Ignored,
    /// Refused (not JSON, or failing validation); `error` says why.
    Rejected,
    /// Normalisation failed; can be re-applied with `ingest replay`.
    Failed,
}
