//! The one shape every adapter produces: a partner delivery, understood.
//!
//! Adapters are pure functions from the raw request to a [`Delivery`]; the processing
//! rules (`process`) apply it to the database. Every field is optional except the
//! booking reference: a delivery states what it knows, and absent means "unchanged".

use crate::validate::{E164Phone, Email, PlaceCode, ServiceNumber};
use crate::{BookingStatus, PassengerType, SegmentKind, SegmentStatus};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// What an adapter understood of one delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// Adapter event type, archived on the event (`booking-create`, `OrderTicketed`,
    /// `PNR_V3/BOOKING_CREATED`, `trip.updated`, `booking-new`, …).
    pub event_type: String,
    /// The partner's own id for this delivery, when its format has one (Traxo `id`).
    /// `webhook-id` and `Idempotency-Key` headers are handled before the adapter.
    pub idempotency_key: Option<String>,
    /// When the partner says the change happened (the ordering key).
    pub occurred_at: Option<DateTime<Utc>>,
    pub action: Action,
    /// Structured detail to keep on the event (e.g. a disruption notice).
    pub detail: Option<Value>,
}

/// What to do with a delivery.
#[allow(clippy::large_enum_variant)] // one per request, never stored in bulk
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Apply a change to one booking.
    Apply(BookingChange),
    /// Understood, but not about a booking (Traxo `email.*`, Spotnana TRAVELER_V2, …):
    /// archived as `ignored`.
    Ignore { reason: String },
}

/// Whether a change creates a booking or amends one. An older `Create` arriving after
/// newer changes only fills fields still empty; an older `Update` is stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Create,
    Update,
}

/// A change to one booking, identified by (partner, reference).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BookingChange {
    /// The booking reference (Hahn Air `1234` for leg `1234-2`).
    pub reference: String,
    pub kind: Option<ChangeKind>,
    /// New booking status, when the delivery implies one.
    pub status: Option<BookingStatus>,
    pub booked_at: Option<DateTime<Utc>>,
    /// Trip start/end stated explicitly by the partner for the whole booking; they win
    /// over what the segments say.
    pub trip_start: Option<DateTime<Utc>>,
    pub trip_end: Option<DateTime<Utc>>,
    /// Where the trip begins, as stated for the whole booking.
    pub origin: Option<Place>,
    /// The final destination when the partner names one; it wins over the segments'.
    pub destination: Option<Place>,
    pub adults: Option<i32>,
    pub children: Option<i32>,
    pub infants: Option<i32>,
    pub bag_count: Option<i32>,
    pub cabin_class: Option<String>,
    pub customer: Option<Customer>,
    pub passengers: Vec<PassengerChange>,
    pub segments: Vec<SegmentChange>,
    /// When every segment ends up cancelled, cancel the booking too (Hahn Air legs).
    pub cancel_when_all_segments_cancelled: bool,
    /// `segments` is the whole itinerary: stored segments missing from it are
    /// cancelled (AirGateway `fullPath`).
    pub replaces_segments: bool,
    /// Partner fields with no column of their own, kept on the booking.
    pub extras: Map<String, Value>,
}

/// An airport, station or city. Also the shape ingest stores and the api serves (one
/// object of the `destinations` column, the `origin_*`/`destination_*` columns).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Place {
    pub code: Option<PlaceCode>,
    pub name: Option<String>,
    pub country: Option<String>,
}

impl Place {
    /// A place from its three parts as stored; `None` when nothing at all is known
    /// about it. A code that is blank (never written so) is no code.
    pub fn from_parts(
        code: Option<&str>,
        name: Option<&str>,
        country: Option<&str>,
    ) -> Option<Self> {
        let place = Self {
            code: code.and_then(|c| PlaceCode::parse(c).ok()),
            name: name.map(str::to_owned),
            country: country.map(str::to_owned),
        };
        (code.is_some() || name.is_some() || country.is_some()).then_some(place)
    }

    /// Whether the place has a code or a name: what makes it a destination of the
    /// trip summary.
    pub fn is_named(&self) -> bool {
        self.code.is_some() || self.name.is_some()
    }
}

/// The customer behind a booking (contact data).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Customer {
    pub id: Option<String>,
    pub first_name: Option<String>,
    pub email: Option<Email>,
    pub phone: Option<E164Phone>,
}

impl Customer {
    /// The customer a passenger is: their names and contact data, under the partner's
    /// customer `id`.
    pub fn of(id: Option<String>, passenger: &PassengerChange) -> Self {
        Self {
            id,
            first_name: passenger.first_name.clone(),
            email: passenger.email.clone(),
            phone: passenger.phone.clone(),
        }
    }

    fn is_empty(&self) -> bool {
        self.id.is_none()
            && self.first_name.is_none()
            && self.email.is_none()
            && self.phone.is_none()
    }
}

/// The lead traveller of a format that names one person for the whole booking (Hahn
/// Air, AirGateway, the ground-transfer marketplace, a Traxo trip): the same fields make
/// the customer and the lead passenger.
#[derive(Debug, Clone, Default)]
pub struct Lead {
    pub customer_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<Email>,
    pub phone: Option<E164Phone>,
    pub passenger_type: Option<PassengerType>,
}

impl Lead {
    /// The customer, when the lead names one (an id, a first name, an e-mail or a
    /// phone), and the lead passenger (reference `lead`), when a name, an e-mail or a
    /// phone is known.
    pub fn into_parts(self) -> (Option<Customer>, Option<PassengerChange>) {
        let passenger = PassengerChange {
            reference: "lead".to_owned(),
            first_name: self.first_name,
            last_name: self.last_name,
            passenger_type: self.passenger_type,
            lead: Some(true),
            email: self.email,
            phone: self.phone,
        };
        let customer = Customer::of(self.customer_id, &passenger);
        let named = passenger.first_name.is_some()
            || passenger.last_name.is_some()
            || passenger.email.is_some()
            || passenger.phone.is_some();
        (
            (!customer.is_empty()).then_some(customer),
            named.then_some(passenger),
        )
    }
}

/// A person on the booking, matched across deliveries by `reference`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PassengerChange {
    /// The partner's key for this person; `lead` for a lead passenger without an id.
    pub reference: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub passenger_type: Option<PassengerType>,
    pub lead: Option<bool>,
    pub email: Option<Email>,
    pub phone: Option<E164Phone>,
}

/// One segment, matched across deliveries by `reference`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SegmentChange {
    /// The partner's key for this segment (Hahn Air `1234-2`, a Traxo segment id…).
    pub reference: String,
    /// Position in the trip when the partner states it; otherwise the next free one.
    pub sequence: Option<i32>,
    pub kind: Option<SegmentKind>,
    pub status: Option<SegmentStatus>,
    pub origin: Option<Place>,
    pub destination: Option<Place>,
    pub departure_at: Option<DateTime<Utc>>,
    pub arrival_at: Option<DateTime<Utc>>,
    pub carrier: Option<String>,
    /// A flight number on a flight; a train, ship or transfer number elsewhere.
    pub flight_number: Option<ServiceNumber>,
    pub cabin_class: Option<String>,
}

/// One failing field of a delivery that does not validate.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// JSON path of the field, e.g. `leadPassenger.phoneNumber`.
    pub field: String,
    /// What is wrong and what was expected.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Why an adapter could not understand a delivery.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AdapterError {
    /// The JSON is well formed but fails validation: answered 422 with every field.
    #[error("the payload failed validation")]
    Invalid(Vec<FieldError>),
    /// The topic (or event name) is not one this adapter knows: answered 404.
    #[error("unknown topic {0}")]
    UnknownTopic(String),
}

/// The request as an adapter sees it: no HTTP types, no database.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The `{topic}` URL segment, if any.
    pub topic: Option<&'a str>,
    /// The parsed body (already known to be JSON).
    pub body: &'a Value,
}
