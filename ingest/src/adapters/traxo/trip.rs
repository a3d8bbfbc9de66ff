//! The Traxo trip object: the booking itself (reference, status, stated dates and
//! destination, the member and the lead traveller), plus the member object of the
//! `?data=owner` modifier.

use entity::BookingStatus;
use serde_json::{Map, Value};

use super::fields::{local_time, object_at, plain_place, read_id};
use crate::canonical::{BookingChange, Customer, PassengerChange};
use crate::validate::Reader;

/// The booking as Traxo states it in a trip object at `prefix`.
pub(super) fn trip(reader: &mut Reader<'_>, prefix: &str) -> BookingChange {
    let at = |field: &str| format!("{prefix}.{field}");
    let first_name = reader.string(&at("first_name"));
    let last_name = reader.string(&at("last_name"));
    let member_id = read_id(reader, &at("member_id"), false);
    let customer = (member_id.is_some() || first_name.is_some()).then(|| Customer {
        id: member_id,
        first_name: first_name.clone(),
        ..Customer::default()
    });
    let passengers = if first_name.is_some() || last_name.is_some() {
        vec![PassengerChange {
            reference: "lead".to_owned(),
            first_name,
            last_name,
            lead: Some(true),
            ..PassengerChange::default()
        }]
    } else {
        Vec::new()
    };
    let destination = plain_place(
        None,
        reader.string(&at("destination")),
        reader.string(&at("country")),
    );
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
            &at("begin_time_zone_id"),
            None,
        ),
        trip_end: local_time(reader, &at("end_datetime"), &at("end_time_zone_id"), None),
        destination,
        customer,
        passengers,
        extras: extras(reader, prefix),
        ..BookingChange::default()
    }
}

/// Trip `status`: "Active" confirms, "Cancelled"/"Deleted" cancel; other values say
/// nothing about the booking status.
fn trip_status(status: &str) -> Option<BookingStatus> {
    match status.to_ascii_lowercase().as_str() {
        "active" => Some(BookingStatus::Confirmed),
        "cancelled" | "canceled" | "deleted" => Some(BookingStatus::Cancelled),
        _ => None,
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
