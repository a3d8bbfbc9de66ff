//! The status and kind values a canonical change speaks in. They are the kit's own,
//! free of any database derive; `entity` converts them into its stored enums, so the
//! adapters never see a column type.

use serde::{Deserialize, Serialize};

/// Lifecycle of a booking as the partners report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BookingStatus {
    Confirmed,
    Ticketed,
    OnHold,
    InProgress,
    Completed,
    Disrupted,
    Cancelled,
}

/// Whether one segment of a trip still takes place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SegmentStatus {
    Active,
    Cancelled,
}

/// Mode of travel of a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PassengerType {
    Adult,
    Child,
    Infant,
}
