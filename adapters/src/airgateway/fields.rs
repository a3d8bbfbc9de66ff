//! Readers for AirGateway's flat order fields: the order id under any of its published
//! spellings, `fullPath` as segments, the contact, the zone of local times, and the
//! fields kept as extras. Failures go to the [`Reader`].

use crate::{BookingStatus, SegmentKind};
use chrono_tz::Tz;
use serde_json::{Map, Value};

use crate::airports;
use crate::canonical::{Customer, Lead, PassengerChange, SegmentChange};
use crate::validate::{E164Phone, IataCode, Reader};

/// Where the order id may be, in order of preference. The support articles (and
/// document 001) spell `agwID`/`orderID`; the developer guide spells `agwId`/`orderId`.
/// `orderID` is "the order id from airline", yet the support article's own sample and
/// document 001's template put the AirGateway id in it, so it names the booking when no
/// AirGateway id is sent.
const REFERENCE_FIELDS: [&str; 4] = ["agwID", "agwId", "orderID", "orderId"];

/// Partner fields with no canonical home that are worth keeping on the booking.
/// `agentEmail` and `sessionId` are deliberately left out (agent contact, session secret).
pub(super) const EXTRAS: &[&str] = &[
    "pnr",
    "recordLocator",
    "orderID",
    "bookingType",
    "totalAmount",
    "provider",
    "agency",
    "consumerIataCode",
    "consumerCountryCode",
];

/// A value AirGateway's task templating left unfilled: `{{agwID}}`, `{{Agent id}}`.
fn is_placeholder(text: &str) -> bool {
    let text = text.trim();
    text.starts_with("{{") && text.ends_with("}}")
}

/// A field that names something: not absent, `null`, blank or an unfilled placeholder.
/// Other types count as sent, so that the reader reports them.
fn sent(value: Option<&Value>) -> bool {
    match value {
        Some(Value::String(s)) => !s.trim().is_empty() && !is_placeholder(s),
        Some(_) => true,
        None => false,
    }
}

/// The booking reference and the field it came from: the first of [`REFERENCE_FIELDS`]
/// that is sent. A body naming none (e.g. the developer guide's template, whose values
/// are all placeholders) fails on `agwID`.
pub(super) fn reference(reader: &mut Reader<'_>, body: &Value) -> Option<(String, &'static str)> {
    if let Some(field) = REFERENCE_FIELDS.into_iter().find(|f| sent(reader.get(f))) {
        return reader.required_string(field).map(|value| (value, field));
    }
    let mut message = "is required: the body names no booking (send the AirGateway order id \
                       as agwID; agwId, orderID and orderId are read in its place)"
        .to_owned();
    if let Some(example) = first_placeholder(body) {
        message.push_str(&format!(
            "; its values are unfilled template placeholders such as {example:?}: the \
             task's body must fill {{{{agwID}}}}"
        ));
    }
    reader.fail("agwID", message);
    None
}

/// A `{{…}}` placeholder among the top-level string values, for the error message.
fn first_placeholder(body: &Value) -> Option<String> {
    body.as_object()?.values().find_map(|value| {
        let text = value.as_str()?;
        let start = text.find("{{")?;
        let end = start + text[start..].find("}}")? + 2;
        Some(crate::validate::clip(&text[start..end]))
    })
}

/// `fullPath` ("MAD-LHR, LHR-MAD") as air segments in order. A leg written as a chain
/// ("MAD-LHR-JFK") gives one segment per hop.
pub(super) fn segments(reader: &mut Reader<'_>) -> Vec<SegmentChange> {
    let Some(full_path) = reader.string("fullPath") else {
        return Vec::new();
    };
    let mut hops: Vec<(IataCode, IataCode)> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    for leg in full_path
        .split(',')
        .map(str::trim)
        .filter(|leg| !leg.is_empty())
    {
        let codes: Result<Vec<IataCode>, String> = leg.split('-').map(IataCode::parse).collect();
        match codes {
            Ok(codes) if codes.len() >= 2 => {
                hops.extend(
                    codes
                        .windows(2)
                        .map(|pair| (pair[0].clone(), pair[1].clone())),
                );
            }
            Ok(_) => problems.push(format!("leg {leg:?} has no destination")),
            Err(message) => problems.push(format!("leg {leg:?}: {message}")),
        }
    }
    if !problems.is_empty() {
        reader.fail(
            "fullPath",
            format!(
                "must list legs as ORIGIN-DESTINATION IATA codes separated by commas, \
                 e.g. \"MAD-LHR, LHR-MAD\"; {}",
                problems.join("; ")
            ),
        );
        return Vec::new();
    }
    hops.into_iter()
        .enumerate()
        .map(|(index, (from, to))| {
            let n = index + 1;
            SegmentChange {
                reference: format!("{from}-{to}#{n}"),
                sequence: i32::try_from(n).ok(),
                kind: Some(SegmentKind::Air),
                origin: airports::place(Some(from), None, None),
                destination: airports::place(Some(to), None, None),
                ..SegmentChange::default()
            }
        })
        .collect()
}

/// The zone of timestamps sent without an offset: the airport where the trip starts
/// (first leg, else `origin`), else where it goes, the first of them the dataset knows.
pub(super) fn local_zone(
    segments: &[SegmentChange],
    origin: Option<&str>,
    destination: Option<&str>,
) -> Option<Tz> {
    fn code(place: Option<&crate::canonical::Place>) -> Option<&str> {
        place.and_then(|p| p.code.as_deref())
    }
    [
        segments.first().and_then(|s| code(s.origin.as_ref())),
        origin,
        segments.last().and_then(|s| code(s.destination.as_ref())),
        destination,
    ]
    .into_iter()
    .flatten()
    .find_map(airports::time_zone)
}

/// The customer and lead passenger from `consumer`, `psgPhone` and `psgEmail` (else
/// `consumerEmail`).
pub(super) fn contact(reader: &mut Reader<'_>) -> (Option<Customer>, Option<PassengerChange>) {
    // AirGateway passes phones through as typed (`+34 612 345 678`).
    let phone = reader.parsed("psgPhone", false, E164Phone::parse_formatted);
    let passenger_email = reader.email("psgEmail", false);
    let consumer_email = reader.email("consumerEmail", false);
    let email = passenger_email.or(consumer_email);
    let name = reader.string("consumer");
    if phone.is_none() && email.is_none() && name.is_none() {
        return (None, None);
    }
    let (first_name, last_name) = match name.as_deref().map(|n| n.split_once(' ')) {
        Some(Some((first, last))) => (Some(first.to_owned()), Some(last.trim().to_owned())),
        Some(None) => (name.clone(), None),
        None => (None, None),
    };
    Lead {
        customer_id: None,
        first_name,
        last_name,
        email,
        phone,
        passenger_type: None,
    }
    .into_parts()
}

/// A status from the free-text `orderStatus` ("cancelled, on hold…"), only where its
/// meaning is unambiguous.
pub(super) fn status_from_order_status(text: &str) -> Option<BookingStatus> {
    if crate::cancellation::says_cancelled(text) {
        return Some(BookingStatus::Cancelled);
    }
    match text.trim().to_ascii_lowercase().as_str() {
        "on hold" | "onhold" | "on_hold" => Some(BookingStatus::OnHold),
        "ticketed" => Some(BookingStatus::Ticketed),
        "confirmed" => Some(BookingStatus::Confirmed),
        _ => None,
    }
}

/// The [`EXTRAS`] fields present as plain values. The airline order id is kept as
/// `orderID` whichever way it is spelt, unless it served as the booking reference (then
/// it holds the AirGateway id, not the airline's).
pub(super) fn extras(body: &Value, reference_field: &str) -> Map<String, Value> {
    let plain = |key: &str| match body.get(key)? {
        Value::String(s) if s.trim().is_empty() || is_placeholder(s) => None,
        Value::String(s) => Some(Value::String(s.trim().to_owned())),
        value @ (Value::Number(_) | Value::Bool(_)) => Some(value.clone()),
        _ => None,
    };
    EXTRAS
        .iter()
        .filter_map(|key| {
            let value = if *key == "orderID" {
                ["orderID", "orderId"]
                    .into_iter()
                    .filter(|spelling| *spelling != reference_field)
                    .find_map(plain)?
            } else {
                plain(key)?
            };
            Some(((*key).to_owned(), value))
        })
        .collect()
}
