//! Adapter `ground_transfer`: a ground-transfer marketplace's booking webhooks (partner
//! document 004, CONTRACT §4). The marketplace is Booking.com Taxi; its supplier
//! documentation (connect.taxi.booking.com, *Booking Webhook → References*) is what
//! really arrives.
//!
//! Two shapes share the partner's endpoint: a new booking arrives without a topic and
//! carries its `bookingReference`; an update arrives with the booking reference as the
//! topic (`/webhooks/{partner}/{bookingReference}`, POST or PATCH: the marketplace sends
//! `PATCH /v2/bookings/:bookingReference`) and an `action` of `AMENDMENT` or
//! `CANCELLATION`, with only the fields that changed. The webhook is a notification only
//! (prices and locations are fetched from the partner's API), so a booking holds one
//! transfer segment: its pickup time and the flight of an airport pickup. An incident
//! notification that reaches the endpoint is archived as ignored ([`incident`]).

mod fields;
mod incident;

#[cfg(test)]
mod tests;

use crate::{BookingStatus, PassengerType, SegmentKind, SegmentStatus};
use serde_json::{Map, Value};

use self::fields::{read_lead, read_pickup, read_services};
use crate::adapter::{Adapter, Reply, Topics};
use crate::canonical::{
    Action, AdapterError, BookingChange, ChangeKind, Delivery, FieldError, Request,
    SegmentChange,
};
use crate::validate::Reader;

/// Archived event type of a new booking (the partner gives it no name of its own).
const NEW_BOOKING: &str = "booking-new";

/// What an update says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UpdateAction {
    Amendment,
    Cancellation,
}

/// Event-name table for updates: the `action` value and the archived event type.
const ACTIONS: [(&str, UpdateAction, &str); 2] = [
    ("AMENDMENT", UpdateAction::Amendment, "booking-amendment"),
    (
        "CANCELLATION",
        UpdateAction::Cancellation,
        "booking-cancellation",
    ),
];

/// The URL topic, trimmed; blank is none.
fn topic<'a>(request: &Request<'a>) -> Option<&'a str> {
    request.topic.map(str::trim).filter(|t| !t.is_empty())
}

/// The event type a delivery names (a new booking, the update's `action`, or an
/// incident), also when it is refused.
pub fn event_type(request: Request<'_>) -> Option<String> {
    if incident::is_incident(request.body) {
        return Some(incident::INCIDENT.to_owned());
    }
    if topic(&request).is_none() {
        return Some(NEW_BOOKING.to_owned());
    }
    let action = request.body.get("action").and_then(Value::as_str)?.trim();
    ACTIONS
        .iter()
        .find(|(name, _, _)| name.eq_ignore_ascii_case(action))
        .map(|(_, _, event_type)| (*event_type).to_owned())
}

/// Understands one ground-transfer delivery.
///
/// # Errors
/// [`AdapterError::Invalid`] with every failing field. Every topic is a booking
/// reference, so no topic is unknown.
pub fn normalize(request: Request<'_>) -> Result<Delivery, AdapterError> {
    if incident::is_incident(request.body) {
        return Ok(incident::ignored(request.body));
    }
    let mut r = Reader::new(request.body);
    let topic = topic(&request);
    // An update names its booking in the URL; a `bookingReference` in its body is ignored.
    let (reference, action) = match topic {
        None => (r.required_string("bookingReference"), None),
        Some(reference) => (Some(reference.to_owned()), read_action(&mut r)),
    };
    let create = topic.is_none();
    let lead = read_lead(&mut r, create);
    // Spaces are dropped ("EI 712" is EI712).
    let flight = r.flight_number("flightNumber", false);
    let pickup = read_pickup(&mut r);
    let mut extras = Map::new();
    for field in ["customerReference", "searchResultId", "comment"] {
        if let Some(value) = r.string(field) {
            extras.insert(field.to_owned(), Value::String(value));
        }
    }
    if let Some(services) = read_services(&mut r) {
        extras.insert("services".to_owned(), services);
    }
    let cancellation_reason = r.string("cancellationReason");
    r.finish()?;
    let Some(reference) = reference else {
        return Err(AdapterError::Invalid(vec![FieldError::new(
            "bookingReference",
            "is required",
        )]));
    };

    if let Some(title) = &lead.title {
        extras.insert("title".to_owned(), Value::String(title.clone()));
    }
    let (event_type, kind, cancelled) = match action {
        None => (NEW_BOOKING, ChangeKind::Create, false),
        Some((name, UpdateAction::Amendment)) => (name, ChangeKind::Update, false),
        Some((name, UpdateAction::Cancellation)) => {
            if let Some(reason) = cancellation_reason {
                extras.insert("cancellationReason".to_owned(), Value::String(reason));
            }
            (name, ChangeKind::Update, true)
        }
    };
    let (customer, lead) = crate::canonical::Lead {
        customer_id: lead.customer_id,
        first_name: lead.first_name,
        last_name: lead.last_name,
        email: None,
        phone: lead.phone,
        passenger_type: Some(PassengerType::Adult),
    }
    .into_parts();
    let passengers = lead.into_iter().collect();
    // The one transfer; an update only touches it when it says something about it,
    // and a cancellation cancels it with the booking.
    let segments = (create || cancelled || flight.is_some() || pickup.is_some())
        .then(|| SegmentChange {
            reference: reference.clone(),
            sequence: Some(1),
            kind: Some(SegmentKind::Transfer),
            status: if cancelled {
                Some(SegmentStatus::Cancelled)
            } else {
                create.then_some(SegmentStatus::Active)
            },
            departure_at: pickup,
            carrier: flight.as_ref().map(|f| f.carrier().to_owned()),
            flight_number: flight.map(Into::into),
            ..SegmentChange::default()
        })
        .into_iter()
        .collect();
    let mut change = BookingChange {
        reference,
        kind: Some(kind),
        status: create.then_some(BookingStatus::Confirmed),
        customer,
        passengers,
        segments,
        extras,
        ..BookingChange::default()
    };
    if cancelled {
        crate::cancellation::cancel_booking(&mut change);
    }
    Ok(Delivery {
        event_type: event_type.to_owned(),
        idempotency_key: None,
        occurred_at: None,
        action: Action::Apply(change),
        detail: None,
    })
}

/// The required `action` of an update, with its archived event type.
fn read_action(r: &mut Reader<'_>) -> Option<(&'static str, UpdateAction)> {
    const ALLOWED: &str = "must be one of AMENDMENT, CANCELLATION";
    let Some(raw) = r.string("action") else {
        if r.get("action").is_none_or(Value::is_string) {
            r.fail("action", format!("is required and {ALLOWED}"));
        }
        return None;
    };
    let found = ACTIONS
        .iter()
        .find(|(name, _, _)| name.eq_ignore_ascii_case(&raw))
        .map(|(_, action, event_type)| (*event_type, *action));
    if found.is_none() {
        let got = crate::validate::clip(&raw);
        r.fail("action", format!("{ALLOWED} (got {got:?})"));
    }
    found
}

/// Adapter `ground_transfer`: a new booking without a topic, an update with the booking
/// reference as topic.
#[derive(Debug)]
pub struct GroundTransfer;

impl Adapter for GroundTransfer {
    fn name(&self) -> &'static str {
        "ground_transfer"
    }

    fn topics(&self) -> Topics {
        Topics::Any
    }

    /// The marketplace's document: a new booking is answered with our booking id as
    /// `supplierBookingId`, an update with `204 No Content`.
    fn reply(&self, topic: Option<&str>) -> Reply {
        match topic {
            None => Reply::WithSupplierBookingId,
            Some(_) => Reply::NoContent,
        }
    }

    fn event_type(&self, request: Request<'_>) -> Option<String> {
        event_type(request)
    }

    fn normalize(&self, request: Request<'_>) -> Result<Delivery, AdapterError> {
        normalize(request)
    }
}
