//! Adapter `spotnana`: Spotnana webhooks (partner document `002_f14c0bbc9464935a.txt`, the
//! facts gathered in the partners README, and Spotnana's published Trip API schema, whose
//! `PnrData` a `PNR_V3` delivery carries as `payload`; CONTRACT §4 *Real formats*).
//!
//! Every delivery is `{event_type, operation, timestamp, payload}` on one endpoint (the
//! type may be spelled `eventType`). Only `PNR_V3` is about a booking; other event types
//! (`TRAVELER_V2`, `PNR_APPROVAL`, `AGENT_TASK_DETAILS`, …) are understood and ignored,
//! whatever placeholder values they carry. Spotnana warns that deliveries can arrive out
//! of order and sends the whole PNR each time, so `timestamp` is the ordering key.
//!
//! A PNR holds one kind of booking; each becomes segments, numbered in this order:
//! `airPnr` flights (`air`), `hotelPnr` and `carPnr` (`ground`), `railPnr` legs (`rail`),
//! `limoPnr` legs (`ground`, as transfers). Travellers are read in `travelers`, and the
//! field readers they share (date-time wrappers, phones, addresses) live in `fields`.

mod air;
mod fields;
mod ground;
mod rail;
mod travelers;

use crate::BookingStatus;
use serde_json::{Map, Value};

use self::fields::{date_time, text};
use crate::adapter::{Adapter, Topics};
use crate::canonical::{
    Action, AdapterError, BookingChange, ChangeKind, Delivery, FieldError, Request,
};
use crate::validate::{parse_utc, Reader};

/// The one event type about bookings.
const PNR_V3: &str = "PNR_V3";

/// The envelope's event type: Spotnana renders `event_type`; CONTRACT §4 also allows
/// `eventType`.
const EVENT_TYPE_KEYS: [&str; 2] = ["event_type", "eventType"];

/// The event type a delivery names (`event_type`/`operation`), also when it is refused.
pub fn event_type(request: Request<'_>) -> Option<String> {
    let text = |key: &str| request.body.get(key).and_then(Value::as_str);
    let event = EVENT_TYPE_KEYS.iter().find_map(|key| text(key))?;
    Some(match text("operation") {
        Some(operation) => format!("{event}/{operation}"),
        None => event.to_owned(),
    })
}

/// Understands one Spotnana delivery.
///
/// # Errors
/// [`AdapterError::Invalid`] listing every failing field, with paths such as
/// `payload.airPnr.legs.0.flights.1.origin`.
pub fn normalize(request: Request<'_>) -> Result<Delivery, AdapterError> {
    let body = request.body;
    let key = EVENT_TYPE_KEYS
        .into_iter()
        .find(|key| body.get(key).is_some_and(|v| !v.is_null()))
        .unwrap_or("event_type");
    let event_type = match body.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim(),
        None | Some(Value::Null | Value::String(_)) => {
            return Err(invalid(key, "is required, e.g. PNR_V3"))
        }
        Some(_) => return Err(invalid(key, "must be a string, e.g. PNR_V3")),
    };
    if event_type.eq_ignore_ascii_case(PNR_V3) {
        pnr(body)
    } else {
        Ok(ignored(body, event_type))
    }
}

fn invalid(field: &str, message: &str) -> AdapterError {
    AdapterError::Invalid(vec![FieldError::new(field, message)])
}

/// A delivery of another event type: archived with what can be read of it, never
/// rejected (nothing in it is applied). Spotnana's portal renders such events with
/// placeholders (`"timestamp": "string"`): an unreadable time is no source time.
fn ignored(body: &Value, event_type: &str) -> Delivery {
    let operation = body.get("operation").and_then(Value::as_str).map(str::trim);
    let label = match operation.filter(|op| !op.is_empty()) {
        Some(op) => format!("{event_type}/{op}"),
        None => event_type.to_owned(),
    };
    Delivery {
        event_type: label,
        idempotency_key: None,
        occurred_at: body
            .get("timestamp")
            .and_then(Value::as_str)
            .and_then(|s| parse_utc(s).ok()),
        action: Action::Ignore {
            reason: format!("Spotnana {event_type} events are not about a booking"),
        },
        detail: None,
    }
}

/// What an operation does to the booking: its kind and the status it sets.
///
/// Spotnana's lifecycle pages name more operations than CONTRACT §4 lists; where they
/// disagree the product decided: hotel and car cancellations
/// (`BOOKING_CANCELED_BY_TRAVELER`/`_BY_VENDOR`) cancel the booking, and
/// `SPLIT_PNR_CREATED` (which replaces BOOKING_CREATED for the child PNR of a split) is a
/// create. `FLIGHT_CANCELED` and Spotnana's other spelling `FLIGHT_CANCELLED` both cancel.
/// Any other operation is an update that changes no status (partners add operations).
fn operation_effect(operation: &str) -> (ChangeKind, Option<BookingStatus>) {
    match operation.to_ascii_uppercase().as_str() {
        "BOOKING_CREATED" | "SPLIT_PNR_CREATED" => {
            (ChangeKind::Create, Some(BookingStatus::Confirmed))
        }
        "BOOKING_TICKETED" => (ChangeKind::Update, Some(BookingStatus::Ticketed)),
        "FLIGHT_CANCELED"
        | "FLIGHT_CANCELLED"
        | "TICKET_VOIDED"
        | "TICKET_REFUNDED"
        | "BOOKING_CANCELED"
        | "BOOKING_CANCELLED"
        | "BOOKING_CANCELED_BY_TRAVELER"
        | "BOOKING_CANCELLED_BY_TRAVELER"
        | "BOOKING_CANCELED_BY_VENDOR"
        | "BOOKING_CANCELLED_BY_VENDOR" => (ChangeKind::Update, Some(BookingStatus::Cancelled)),
        _ => (ChangeKind::Update, None),
    }
}

/// A `PNR_V3` delivery: one booking, reference `payload.pnrId`.
fn pnr(body: &Value) -> Result<Delivery, AdapterError> {
    let mut reader = Reader::new(body);
    let operation = reader.required_string("operation");
    let occurred_at = reader.utc("timestamp", true);
    if reader.get("payload").is_some_and(|p| !p.is_object()) {
        reader.fail("payload", "must be an object (the PNR)");
    }
    let reference = reader.required_string("payload.pnrId");
    let pnr_id = reference.clone().unwrap_or_default();
    // CONTRACT §4 names `bookingDateTime` and `sourcePnrId` on the PNR; the schema puts
    // them in `sourceInfo`.
    let booked_at = if reader.get("payload.bookingDateTime").is_some() {
        date_time(&mut reader, "payload.bookingDateTime", None)
    } else {
        date_time(&mut reader, "payload.sourceInfo.bookingDateTime", None)
    };
    let mut extras = Map::new();
    let extra_fields: [(&str, &[&str]); 2] = [
        ("tripId", &["payload.tripId"]),
        (
            "sourcePnrId",
            &["payload.sourcePnrId", "payload.sourceInfo.sourcePnrId"],
        ),
    ];
    for (key, paths) in extra_fields {
        if let Some(value) = paths.iter().find_map(|path| text(&reader, path)) {
            extras.insert(key.to_owned(), Value::String(value));
        }
    }
    let people = travelers::people(&mut reader);
    let segments = segments(&mut reader, &pnr_id);
    reader.finish()?;
    let (Some(operation), Some(reference)) = (operation, reference) else {
        // Both record a field error when absent, so `finish` has already returned it.
        return Err(AdapterError::Invalid(Vec::new()));
    };
    let (kind, status) = operation_effect(&operation);
    let change = BookingChange {
        reference,
        kind: Some(kind),
        status,
        booked_at,
        adults: people.adults,
        children: people.children,
        infants: people.infants,
        customer: people.customer,
        passengers: people.passengers,
        destination: segments.destination,
        segments: segments.list,
        extras,
        ..BookingChange::default()
    };
    Ok(Delivery {
        event_type: format!("{PNR_V3}/{operation}"),
        idempotency_key: None,
        occurred_at,
        action: Action::Apply(change),
        detail: None,
    })
}

/// The PNR's segments and, for a flight booking, where its outbound journey ends.
struct Segments {
    list: Vec<crate::canonical::SegmentChange>,
    destination: Option<crate::canonical::Place>,
}

/// Every section's segments, numbered in one sequence.
fn segments(reader: &mut Reader<'_>, pnr_id: &str) -> Segments {
    let (mut list, first_leg_flights) = air::flights(reader, pnr_id, 1);
    let destination = air::journey_destination(&list, first_leg_flights);
    let next = |list: &Vec<_>| i32::try_from(list.len() + 1).ok();
    if let Some(stay) = ground::hotel(reader, pnr_id, next(&list)) {
        list.push(stay);
    }
    if let Some(rental) = ground::car(reader, pnr_id, next(&list)) {
        list.push(rental);
    }
    let first = list.len() + 1;
    list.extend(rail::legs(reader, pnr_id, first));
    let first = list.len() + 1;
    list.extend(ground::limo(reader, pnr_id, first));
    Segments { list, destination }
}

/// Length of the list at `path`; `None` when absent (a field error when not a list).
fn list_len(reader: &mut Reader<'_>, path: &str) -> Option<usize> {
    match reader.get(path)? {
        Value::Array(items) => Some(items.len()),
        _ => {
            reader.fail(path, "must be a list");
            None
        }
    }
}

/// `Some(())` when `path` holds an object; `None` when absent, and a field error saying
/// `message` when it holds something else.
fn object_at(reader: &mut Reader<'_>, path: &str, message: &str) -> Option<()> {
    match reader.get(path)? {
        Value::Object(_) => Some(()),
        _ => {
            reader.fail(path, message);
            None
        }
    }
}

/// Adapter `spotnana`: the event type is in the body; a topic changes nothing.
#[derive(Debug)]
pub struct Spotnana;

impl Adapter for Spotnana {
    fn name(&self) -> &'static str {
        "spotnana"
    }

    fn topics(&self) -> Topics {
        Topics::Any
    }

    fn event_type(&self, request: Request<'_>) -> Option<String> {
        event_type(request)
    }

    fn normalize(&self, request: Request<'_>) -> Result<Delivery, AdapterError> {
        normalize(request)
    }
}

#[cfg(test)]
mod tests;
