//! Adapter `airgateway`: AirGateway order events (partner document
//! `001_cfcdfe95500e62ae.txt`, and CONTRACT §4 *Real formats*).
//!
//! AirGateway calls either one endpoint per event (the event name is the topic,
//! `/webhooks/airgateway/OrderTicketed`) or one endpoint for all events with the name in
//! a body field `event`. The body is a flat object that each customer configures from a
//! fixed field list, so every field is optional except the order id, and `null` or `""`
//! means "not sent". What AirGateway really sends beyond document 001:
//! - event names it published later (`AirlineNotification`, `OrderChanged`,
//!   `DatesChanged`, …, see [`events`]), and names nobody published yet, applied as an
//!   update that changes no status;
//! - the order id as `orderID` only (its support article's "standard payload"), or spelt
//!   `agwId`/`orderId` as its developer guide spells them;
//! - templates left unfilled (`{{agwID}}`): a body that then names no booking is refused
//!   on `agwID`, saying so.

pub(crate) mod events;
mod fields;

#[cfg(test)]
mod tests;

use crate::BookingStatus;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use self::events::Effect;
use crate::adapter::{Adapter, Topics};
use crate::airports;
use crate::canonical::{
    Action, AdapterError, BookingChange, ChangeKind, Delivery, Request,
};
use crate::validate::Reader;

/// The event name the topic gives, else the body's `event`: trimmed, blank is none.
fn named_event<'a>(topic: Option<&'a str>, body: &'a Value) -> Option<&'a str> {
    topic
        .or_else(|| body.get("event").and_then(Value::as_str))
        .map(str::trim)
        .filter(|name| !name.is_empty())
}

/// The event type a delivery names (the topic, else the body's `event`, under
/// AirGateway's own spelling when it is a published name), also when it is refused.
pub fn event_type(request: Request<'_>) -> Option<String> {
    named_event(request.topic.filter(|t| !t.trim().is_empty()), request.body)
        .map(|name| events::lookup(name).0)
}

/// Understands one AirGateway delivery.
///
/// # Errors
/// [`AdapterError::Invalid`] listing every failing field: a missing event name (field
/// `event`), a body that names no booking (field `agwID`), a malformed `fullPath`,
/// timestamp, count, phone or e-mail. An unknown event name is not an error.
pub fn normalize(request: Request<'_>) -> Result<Delivery, AdapterError> {
    let body = request.body;
    let mut reader = Reader::new(body);
    let event = event(&mut reader, request.topic);
    let reference = fields::reference(&mut reader, body);
    let segments = fields::segments(&mut reader);
    let origin = reader.iata("origin", false);
    let destination = reader.iata("destination", false);
    let zone = fields::local_zone(&segments, origin.as_deref(), destination.as_deref());
    let created_on = reader.timestamp("createdOn", false, zone);
    let updated_on = reader.timestamp("updatedOn", false, zone);
    let adults = reader.count("adultsPax");
    let children = reader.count("childrenPax");
    let infants = reader.count("infantsPax");
    let (customer, lead) = fields::contact(&mut reader);
    let order_status = reader.string("orderStatus");
    reader.finish()?;
    let (Some((name, effect)), Some((reference, reference_field))) = (event, reference) else {
        // Both record a field error when absent, so `finish` has already returned it.
        return Err(AdapterError::Invalid(Vec::new()));
    };

    let status = match effect {
        Effect::Status(status) => Some(status),
        Effect::Disruption => Some(BookingStatus::Disrupted),
        Effect::Updated => order_status
            .as_deref()
            .and_then(fields::status_from_order_status),
        Effect::Unrecognised => None,
    };
    let creates = name == "OrderCreated";
    let change = BookingChange {
        reference,
        kind: Some(if creates {
            ChangeKind::Create
        } else {
            ChangeKind::Update
        }),
        status,
        booked_at: created_on,
        origin: airports::place(origin, None, None),
        destination: airports::place(destination, None, None),
        adults,
        children,
        infants,
        customer,
        passengers: lead.into_iter().collect(),
        // `fullPath` lists every leg of the order: after an ItineraryChange, legs no
        // longer in it are gone.
        replaces_segments: !segments.is_empty(),
        segments,
        extras: fields::extras(body, reference_field),
        ..BookingChange::default()
    };
    Ok(Delivery {
        detail: (effect == Effect::Disruption).then(|| json!({ "disruption": name })),
        event_type: name,
        idempotency_key: None,
        occurred_at: occurred_at(updated_on, created_on, creates),
        action: Action::Apply(change),
    })
}

/// The source time: `updatedOn`, or for a creation the creation time itself.
fn occurred_at(
    updated_on: Option<DateTime<Utc>>,
    created_on: Option<DateTime<Utc>>,
    creates: bool,
) -> Option<DateTime<Utc>> {
    updated_on.or(if creates { created_on } else { None })
}

/// The event name from the topic, else from the body field `event`, with its effect.
/// Only a missing name fails: without one nothing says what happened.
fn event(reader: &mut Reader<'_>, topic: Option<&str>) -> Option<(String, Effect)> {
    let name = match topic.map(str::trim).filter(|t| !t.is_empty()) {
        Some(topic) => topic.to_owned(),
        None => reader.required_string("event")?,
    };
    Some(events::lookup(&name))
}

/// Adapter `airgateway`: the topic, when there is one, is the event name.
#[derive(Debug)]
pub struct Airgateway;

impl Adapter for Airgateway {
    fn name(&self) -> &'static str {
        "airgateway"
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
