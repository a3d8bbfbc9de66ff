//! The adapter kit: the canonical change ([`canonical`]), the validated values
//! ([`validate`]), airport enrichment ([`airports`]) and every built-in adapter.
//!
//! One partner format, one file. Each adapter is a pure function from the request
//! (topic and JSON body) to a [`Delivery`]; no database, no HTTP — this crate depends
//! on neither, which its `Cargo.toml` shows.

use crate::canonical::{AdapterError, Delivery, Request};

pub mod airports;
pub mod canonical;
mod kinds;
pub mod validate;

pub use kinds::{BookingStatus, PassengerType, SegmentKind, SegmentStatus};

pub mod airgateway;
#[cfg(test)]
mod fuzz;
pub mod ground_transfer;
pub mod hahn_air;
pub mod mapping;
pub mod spotnana;
pub mod traxo;

/// The adapters named in the partner registry (`adapter = "…"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AdapterKind {
    HahnAir,
    Airgateway,
    Spotnana,
    Traxo,
    GroundTransfer,
    /// A partner format written as a mapping file (CONTRACT §4.6), checked on load.
    Mapping(mapping::MappingRef),
}

impl AdapterKind {
    pub const ALL: [AdapterKind; 5] = [
        Self::HahnAir,
        Self::Airgateway,
        Self::Spotnana,
        Self::Traxo,
        Self::GroundTransfer,
    ];

    /// The registry name of the adapter.
    pub fn name(self) -> &'static str {
        match self {
            Self::HahnAir => "hahn_air",
            Self::Airgateway => "airgateway",
            Self::Spotnana => "spotnana",
            Self::Traxo => "traxo",
            Self::GroundTransfer => "ground_transfer",
            Self::Mapping(_) => "mapping",
        }
    }

    /// The adapter with this registry name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// Understands one delivery. Whatever the adapter, the body must hold only values
    /// the database can store, and the result must keep the bounds of
    /// [`validate::check_bounds`].
    ///
    /// # Errors
    /// [`AdapterError::Invalid`] with every failing field, or
    /// [`AdapterError::UnknownTopic`] for a topic the adapter does not serve.
    pub fn normalize(self, request: Request<'_>) -> Result<Delivery, AdapterError> {
        validate::check_storable_json(request.body)?;
        let delivery = match self {
            Self::HahnAir => hahn_air::normalize(request),
            Self::Airgateway => airgateway::normalize(request),
            Self::Spotnana => spotnana::normalize(request),
            Self::Traxo => traxo::normalize(request),
            Self::GroundTransfer => ground_transfer::normalize(request),
            // Runs the same storable/bounds checks itself.
            Self::Mapping(mapping) => return mapping.normalize(request),
        }?;
        validate::check_bounds(&delivery)?;
        Ok(delivery)
    }
}

impl AdapterKind {
    /// Whether the adapter also takes `application/x-www-form-urlencoded` bodies (read as
    /// a JSON object of strings): the platform behind Hahn Air sends deletes that way.
    pub fn accepts_form(self) -> bool {
        match self {
            Self::Mapping(mapping) => mapping.accepts_form(),
            other => matches!(other, Self::HahnAir),
        }
    }

    /// The adapter event type the delivery names in its URL or body, if any: a refused
    /// delivery is archived under it (CONTRACT §5 rev. 2).
    pub fn event_type(self, request: Request<'_>) -> Option<String> {
        match self {
            Self::HahnAir => hahn_air::event_type(request),
            Self::Airgateway => airgateway::event_type(request),
            Self::Spotnana => spotnana::event_type(request),
            Self::Traxo => traxo::event_type(request),
            Self::GroundTransfer => ground_transfer::event_type(request),
            Self::Mapping(mapping) => mapping.event_type(request),
        }
    }
}

/// How a successful delivery is answered, where a partner's document asks for
/// something particular.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// `{"status":"applied","eventId","bookingId"}`.
    Standard,
    /// The standard body plus `supplierBookingId` (ground-transfer new booking).
    WithSupplierBookingId,
    /// `204 No Content` (ground-transfer booking update).
    NoContent,
}

impl AdapterKind {
    /// The reply the partner expects for an applied delivery on `topic`.
    pub fn reply(self, topic: Option<&str>) -> Reply {
        match (self, topic) {
            (Self::GroundTransfer, None) => Reply::WithSupplierBookingId,
            (Self::GroundTransfer, Some(_)) => Reply::NoContent,
            (Self::Mapping(mapping), topic) => mapping.reply(topic),
            _ => Reply::Standard,
        }
    }
}
