//! The Traxo trip object: the booking itself (reference, status, stated dates and
//! destination, the member and the lead traveller, and any segments it lists), plus
//! the member object of the `?data=owner` modifier.

use crate::BookingStatus;
use serde_json::{Map, Value};

use super::fields::{object_at, plain_place, read_id, traveller};
use super::segment;
use super::time::local_time;
use super::zone::{coordinates, Whereabouts};
use crate::cancellation::says_cancelled;
use crate::canonical::{BookingChange, Customer, SegmentChange};
use crate::validate::Reader;

/// The booking as Traxo states it in a trip object at `prefix`.
pub(super) fn trip(reader: &mut Reader<'_>, prefix: &str) -> BookingChange {
    let at = |field: &str| format!("{prefix}.{field}");
    let (customer, passengers) = traveller(reader, prefix);
    let country = reader.string(&at("country"));
    let destination = plain_place(None, reader.string(&at("destination")), country.clone());
    // A trip's local begin/end without a zone id are where the trip goes.
    let place = Whereabouts {
        airport: None,
        coordinates: coordinates(reader, &at("lat"), &at("lon")),
        country,
    };
    BookingChange {
        reference: read_id(reader, &at("id"), true).unwrap_or_default(),
        status: reader
            .string(&at("status"))
            .and_then(|status| trip_status(&status)),
        // When the member's trip was recorded at Traxo: the nearest thing to a booking date.
        booked_at: reader.utc(&at("created"), false),
        trip_start: local_time(
            reader,
            &at("begin_datetime"),
            &[at("begin_time_zone_id")],
            &place,
        ),
        trip_end: local_time(
            reader,
            &at("end_datetime"),
            &[at("end_time_zone_id")],
            &place,
        ),
        destination,
        customer,
        passengers,
        segments: listed_segments(reader, prefix),
        extras: extras(reader, prefix),
        ..BookingChange::default()
    }
}

/// The segments a trip object lists (`segments`, as the trips API returns them; often
/// empty). Not the whole itinerary: Traxo omits the list unless asked for it, so a
/// segment missing from it is not cancelled.
fn listed_segments(reader: &mut Reader<'_>, prefix: &str) -> Vec<SegmentChange> {
    let path = format!("{prefix}.segments");
    let count = match reader.get(&path) {
        None => return Vec::new(),
        Some(Value::Array(items)) => items.len(),
        Some(_) => {
            reader.fail(path, "must be an array of segment objects");
            return Vec::new();
        }
    };
    (0..count)
        .filter_map(|n| {
            let at = format!("{path}.{n}");
            object_at(reader, &at, false).then(|| segment::read(reader, &at, None, false))
        })
        .collect()
}

/// Trip `status`: "Active" confirms, "Cancelled"/"Deleted" cancel; other values say
/// nothing about the booking status.
fn trip_status(status: &str) -> Option<BookingStatus> {
    if status.eq_ignore_ascii_case("active") {
        Some(BookingStatus::Confirmed)
    } else if says_cancelled(status) || status.eq_ignore_ascii_case("deleted") {
        Some(BookingStatus::Cancelled)
    } else {
        None
    }
}

/// The Traxo member as the compact member object of the `?data=owner` modifier
/// describes it (the only place Traxo sends an e-mail), completing what the trip said.
pub(super) fn with_owner(reader: &mut Reader<'_>, customer: Option<Customer>) -> Option<Customer> {
    let mut customer = customer.unwrap_or_default();
    if object_at(reader, "data.owner", false) {
        if customer.id.is_none() {
            customer.id = read_id(reader, "data.owner.id", false);
        }
        if customer.first_name.is_none() {
            customer.first_name = reader.string("data.owner.first_name");
        }
        customer.email = reader.email("data.owner.email", false);
    }
    (customer != Customer::default()).then_some(customer)
}

/// Trip fields with no canonical home that analysts and the landing page find useful.
fn extras(reader: &Reader<'_>, prefix: &str) -> Map<String, Value> {
    let mut extras = Map::new();
    for key in ["headline", "url", "admin_code", "personal", "business"] {
        match reader.get(&format!("{prefix}.{key}")) {
            Some(Value::String(s)) if !s.trim().is_empty() => {
                extras.insert(key.to_owned(), Value::String(s.trim().to_owned()));
            }
            Some(value @ (Value::Number(_) | Value::Bool(_))) => {
                extras.insert(key.to_owned(), value.clone());
            }
            _ => {}
        }
    }
    extras
}
