//! Enumerations stored as strings. Their serde names are the stored strings, so rows
//! read as JSON (the api's one-statement booking lookup) decode like rows read as columns.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Lifecycle of a booking as the partners report it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum BookingStatus {
    #[sea_orm(string_value = "CONFIRMED")]
    Confirmed,
    #[sea_orm(string_value = "TICKETED")]
    Ticketed,
    #[sea_orm(string_value = "ON_HOLD")]
    OnHold,
    #[sea_orm(string_value = "IN_PROGRESS")]
    InProgress,
    #[sea_orm(string_value = "COMPLETED")]
    Completed,
    #[sea_orm(string_value = "DISRUPTED")]
    Disrupted,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

/// Whether one segment of a trip still takes place.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum SegmentStatus {
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

/// Mode of travel of a segment.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum SegmentKind {
    #[sea_orm(string_value = "AIR")]
    Air,
    #[sea_orm(string_value = "HOTEL")]
    Hotel,
    #[sea_orm(string_value = "CAR")]
    Car,
    #[sea_orm(string_value = "RAIL")]
    Rail,
    #[sea_orm(string_value = "CRUISE")]
    Cruise,
    #[sea_orm(string_value = "ACTIVITY")]
    Activity,
    #[sea_orm(string_value = "TRANSFER")]
    Transfer,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// Age band of a passenger.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum PassengerType {
    #[sea_orm(string_value = "ADULT")]
    Adult,
    #[sea_orm(string_value = "CHILD")]
    Child,
    #[sea_orm(string_value = "INFANT")]
    Infant,
}

/// What became of one archived delivery.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum EventStatus {
    #[sea_orm(string_value = "applied")]
    Applied,
    #[sea_orm(string_value = "stale")]
    Stale,
    #[sea_orm(string_value = "ignored")]
    Ignored,
    #[sea_orm(string_value = "rejected")]
    Rejected,
    #[sea_orm(string_value = "failed")]
    Failed,
}

impl EventStatus {
    /// The lower-case word used in HTTP responses and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Stale => "stale",
            Self::Ignored => "ignored",
            Self::Rejected => "rejected",
            Self::Failed => "failed",
        }
    }
}

/// The adapter kit speaks in its own enums (it knows no database); each converts into
/// the stored one variant for variant, and back for tests that compare the two.
macro_rules! same_variants {
    ($name:ident: $($variant:ident),+) => {
        impl From<adapters::$name> for $name {
            fn from(value: adapters::$name) -> Self {
                match value {
                    $(adapters::$name::$variant => Self::$variant,)+
                }
            }
        }

        impl From<$name> for adapters::$name {
            fn from(value: $name) -> Self {
                match value {
                    $($name::$variant => Self::$variant,)+
                }
            }
        }
    };
}

same_variants!(BookingStatus: Confirmed, Ticketed, OnHold, InProgress, Completed, Disrupted, Cancelled);
same_variants!(SegmentStatus: Active, Cancelled);
same_variants!(SegmentKind: Air, Hotel, Car, Rail, Cruise, Activity, Transfer, Other);
same_variants!(PassengerType: Adult, Child, Infant);
