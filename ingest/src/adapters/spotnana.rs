//! Adapter `spotnana`: Spotnana webhooks (partner document `002_f14c0bbc9464935a.txt` and
//! the facts gathered in the partners README).
//!
//! Every delivery is `{event_type, operation, timestamp, payload}` on one endpoint. Only
//! `PNR_V3` is about a booking; other event types (`TRAVELER_V2`, `TRIP_DETAILS_V3`, …) are
//! understood and ignored. Spotnana warns that deliveries can arrive out of order and
//! sends the whole PNR each time, so `timestamp` is the ordering key.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use entity::{BookingStatus, PassengerType, SegmentKind};
use serde_json::{Map, Value};

use crate::airports;
use crate::canonical::{
    Action, AdapterError, BookingChange, ChangeKind, Customer, Delivery, FieldError,
    PassengerChange, Place, Request, SegmentChange,
};
use crate::validate::{parse_utc, E164Phone, FlightNumber, Reader};

/// The one event type about bookings.
const PNR_V3: &str = "PNR_V3";

/// The event type a delivery names (`event_type`/`operation`), also when it is refused.
pub fn event_type(request: Request<'_>) -> Option<String> {
    let text = |key: &str| request.body.get(key).and_then(Value::as_str);
    let event = text("event_type").or_else(|| text("eventType"))?;
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
    if !body.is_object() {
        return Err(invalid(
            "body",
            "must be a JSON object {event_type, operation, timestamp, payload}",
        ));
    }
    let event_type = match body.get("event_type") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim(),
        None | Some(Value::Null | Value::String(_)) => {
            return Err(invalid("event_type", "is required, e.g. PNR_V3"))
        }
        Some(_) => return Err(invalid("event_type", "must be a string, e.g. PNR_V3")),
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
/// rejected (nothing in it is applied).
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

/// A `PNR_V3` delivery: one booking, reference `payload.pnrId`.
fn pnr(body: &Value) -> Result<Delivery, AdapterError> {
    let mut reader = Reader::new(body);
    let operation = reader.required_string("operation");
    let occurred_at = reader.utc("timestamp", true);
    if reader.get("payload").is_some_and(|p| !p.is_object()) {
        reader.fail("payload", "must be an object (the PNR)");
    }
    let reference = reader.required_string("payload.pnrId");
    let booked_at = date_time(&mut reader, "payload.bookingDateTime", None);
    let mut extras = Map::new();
    for key in ["tripId", "sourcePnrId"] {
        if let Some(value) = reader.string(&format!("payload.{key}")) {
            extras.insert(key.to_owned(), Value::String(value));
        }
    }
    let travelers = travelers(&mut reader);
    let first_leg_flights = reader
        .get("payload.airPnr.legs.0.flights")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let segments = flights(&mut reader, reference.as_deref().unwrap_or_default());
    reader.finish()?;
    let (Some(operation), Some(reference)) = (operation, reference) else {
        // Both record a field error when absent, so `finish` has already returned it.
        return Err(AdapterError::Invalid(Vec::new()));
    };

    let (status, kind) = match operation.to_ascii_uppercase().as_str() {
        "BOOKING_CREATED" => (Some(BookingStatus::Confirmed), ChangeKind::Create),
        "BOOKING_TICKETED" => (Some(BookingStatus::Ticketed), ChangeKind::Update),
        // The document's own example spells it FLIGHT_CANCELLED; the event list FLIGHT_CANCELED.
        "FLIGHT_CANCELED" | "FLIGHT_CANCELLED" | "TICKET_VOIDED" | "TICKET_REFUNDED"
        | "BOOKING_CANCELED" | "BOOKING_CANCELLED" => {
            (Some(BookingStatus::Cancelled), ChangeKind::Update)
        }
        _ => (None, ChangeKind::Update),
    };
    let count = |wanted: PassengerType| {
        travelers.as_ref().map(|list| {
            let n = list
                .iter()
                .filter(|t| t.passenger.passenger_type == Some(wanted))
                .count();
            i32::try_from(n).unwrap_or(i32::MAX)
        })
    };
    let change = BookingChange {
        reference,
        kind: Some(kind),
        status,
        booked_at,
        adults: count(PassengerType::Adult),
        children: count(PassengerType::Child),
        infants: count(PassengerType::Infant),
        customer: travelers
            .as_ref()
            .and_then(|list| list.first())
            .map(Traveler::customer),
        passengers: travelers
            .unwrap_or_default()
            .into_iter()
            .map(|t| t.passenger)
            .collect(),
        destination: journey_destination(&segments, first_leg_flights),
        segments,
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

/// A date-time sent either as an ISO-8601 string or wrapped as `{"iso8601": "…"}`
/// (Spotnana's `DateTimeOffset` / `DateTimeLocal`); local ones are read in `zone`.
fn date_time(reader: &mut Reader<'_>, path: &str, zone: Option<Tz>) -> Option<DateTime<Utc>> {
    match reader.get(path)? {
        Value::Object(_) => {
            reader.parsed(&format!("{path}.iso8601"), true, |s| spotnana_time(s, zone))
        }
        _ => reader.parsed(path, false, |s| spotnana_time(s, zone)),
    }
}

/// Parses a Spotnana time. Its `DateTimeLocal` often omits seconds (`2017-07-21T17:32`,
/// `2017-07-21T17:32Z`), which the shared parser accepts only without an offset.
fn spotnana_time(s: &str, zone: Option<Tz>) -> Result<DateTime<Utc>, String> {
    crate::validate::parse_timestamp(s, zone).or_else(|first_error| {
        let s = s.trim();
        let minutes_only =
            s.len() > 16 && s.is_char_boundary(16) && s.as_bytes().get(13) == Some(&b':');
        if minutes_only && !s[16..].starts_with(':') {
            crate::validate::parse_timestamp(&format!("{}:00{}", &s[..16], &s[16..]), zone)
                .map_err(|_| first_error)
        } else {
            Err(first_error)
        }
    })
}

/// One traveler, and the id Spotnana gives the person (when it gives one).
struct Traveler {
    passenger: PassengerChange,
    user_id: Option<String>,
}

impl Traveler {
    /// The first traveler stands as the booking's customer.
    fn customer(&self) -> Customer {
        Customer {
            id: self.user_id.clone(),
            first_name: self.passenger.first_name.clone(),
            email: self.passenger.email.clone(),
            phone: self.passenger.phone.clone(),
        }
    }
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

/// `payload.travelers[]`, or `None` when the delivery does not list them (an empty list
/// says nothing either: counts of zero would overwrite what an earlier delivery stated).
fn travelers(reader: &mut Reader<'_>) -> Option<Vec<Traveler>> {
    let len = list_len(reader, "payload.travelers").filter(|len| *len > 0)?;
    Some((0..len).map(|index| traveler(reader, index)).collect())
}

fn traveler(reader: &mut Reader<'_>, index: usize) -> Traveler {
    let base = format!("payload.travelers.{index}");
    if reader.get(&base).is_some_and(|t| !t.is_object()) {
        reader.fail(&base, "must be an object");
    }
    let text = |reader: &mut Reader<'_>, suffixes: &[&str]| {
        suffixes
            .iter()
            .find_map(|suffix| reader.string(&format!("{base}.{suffix}")))
    };
    let user_id = text(reader, &["userOrgId.userId.id", "userId.id", "id"]);
    let first_name = text(reader, &["name.given"]);
    // Spotnana's Name object has `family1`/`family2`; the contract names `family`.
    let last_name = text(reader, &["name.family", "name.family1"]);
    let email = reader.email(&format!("{base}.email"), false);
    let phone_path = if reader.get(&format!("{base}.phone")).is_some() {
        format!("{base}.phone")
    } else {
        format!("{base}.phoneNumbers.0")
    };
    let phone = phone(reader, &phone_path);
    let kind = ["type", "passengerType"]
        .iter()
        .find_map(|key| reader.get(&format!("{base}.{key}")).and_then(Value::as_str))
        .map(str::to_ascii_uppercase);
    let passenger_type = match kind.as_deref() {
        Some(k) if k.starts_with("INF") => PassengerType::Infant,
        Some(k) if k.starts_with("CHILD") || k == "CHD" || k == "CNN" => PassengerType::Child,
        _ => PassengerType::Adult,
    };
    Traveler {
        passenger: PassengerChange {
            reference: user_id
                .clone()
                .unwrap_or_else(|| format!("traveler-{index}")),
            first_name,
            last_name,
            passenger_type: Some(passenger_type),
            lead: Some(index == 0),
            email,
            phone,
        },
        user_id,
    }
}

/// A phone sent as text, or as an object with `e164`, `rawInput`, or `countryCode` and
/// `nationalNumber`; the first form that reads as E.164 wins.
fn phone(reader: &mut Reader<'_>, path: &str) -> Option<String> {
    if !reader.get(path)?.is_object() {
        return reader
            .parsed(path, false, E164Phone::parse_formatted)
            .map(E164Phone::into_inner);
    }
    let e164 = reader.string(&format!("{path}.e164"));
    let raw = reader.string(&format!("{path}.rawInput"));
    let country = reader.string(&format!("{path}.countryCode"));
    let national = reader.string(&format!("{path}.nationalNumber"));
    let composed = country
        .zip(national)
        .map(|(c, n)| format!("+{}{n}", c.trim_start_matches('+')));
    let mut tried = false;
    for candidate in [e164, raw, composed].into_iter().flatten() {
        tried = true;
        if let Ok(phone) = E164Phone::parse_formatted(&candidate) {
            return Some(phone.into_inner());
        }
    }
    if tried {
        reader.fail(
            path,
            "must be E.164 (e.g. +441632960881) in e164, rawInput, or countryCode + nationalNumber",
        );
    }
    None
}

/// Where the trip goes: the arrival of the first leg's last flight. A leg is a journey
/// (outbound, return) and its flights are hops, so a connection (FRA on LHR→FRA→SFO)
/// is not the destination the landing page should name.
fn journey_destination(segments: &[SegmentChange], first_leg_flights: usize) -> Option<Place> {
    let last = first_leg_flights.checked_sub(1)?;
    segments.get(last).and_then(|s| s.destination.clone())
}

/// `payload.airPnr.legs[].flights[]` as air segments, numbered across legs.
fn flights(reader: &mut Reader<'_>, pnr_id: &str) -> Vec<SegmentChange> {
    let mut segments = Vec::new();
    let Some(legs) = list_len(reader, "payload.airPnr.legs") else {
        return segments;
    };
    for leg in 0..legs {
        let path = format!("payload.airPnr.legs.{leg}.flights");
        for flight in 0..list_len(reader, &path).unwrap_or(0) {
            let sequence = i32::try_from(segments.len() + 1).ok();
            let fallback = format!("{pnr_id}:{leg}:{flight}");
            segments.push(segment(
                reader,
                &format!("{path}.{flight}"),
                fallback,
                sequence,
            ));
        }
    }
    segments
}

fn segment(
    reader: &mut Reader<'_>,
    path: &str,
    fallback: String,
    sequence: Option<i32>,
) -> SegmentChange {
    if reader.get(path).is_some_and(|f| !f.is_object()) {
        reader.fail(path, "must be an object (a flight)");
    }
    let reference = reader
        .string(&format!("{path}.flightId"))
        .unwrap_or(fallback);
    let origin = reader.iata(&format!("{path}.origin"), true);
    let destination = reader.iata(&format!("{path}.destination"), true);
    let departure_zone = origin.as_deref().and_then(airports::time_zone);
    let arrival_zone = destination.as_deref().and_then(airports::time_zone);
    let departure_at = date_time(reader, &format!("{path}.departureDateTime"), departure_zone);
    let arrival_at = date_time(reader, &format!("{path}.arrivalDateTime"), arrival_zone);
    let carrier = reader
        .string(&format!("{path}.marketing.airlineCode"))
        .map(|c| c.to_ascii_uppercase());
    let number = reader.string(&format!("{path}.marketing.num"));
    let flight_number = match (&carrier, number) {
        (Some(carrier), Some(number)) => reader
            .parsed(&format!("{path}.marketing.num"), true, |_| {
                FlightNumber::parse(&format!("{carrier}{number}"))
            })
            .map(FlightNumber::into_inner),
        _ => None,
    };
    SegmentChange {
        reference,
        sequence,
        kind: Some(SegmentKind::Air),
        status: None,
        origin: airports::place(origin, None, None),
        destination: airports::place(destination, None, None),
        departure_at,
        arrival_at,
        carrier,
        flight_number,
        cabin_class: reader.string(&format!("{path}.cabin")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CREATED: &str = include_str!("../../../tests/fixtures/spotnana/pnr-booking-created.json");
    const TICKETED: &str =
        include_str!("../../../tests/fixtures/spotnana/pnr-booking-ticketed.json");
    const FLIGHT_CANCELED: &str =
        include_str!("../../../tests/fixtures/spotnana/pnr-flight-canceled.json");
    const PAYMENT_DECLINED: &str =
        include_str!("../../../tests/fixtures/spotnana/pnr-payment-declined.json");
    const TRAVELER_V2: &str = include_str!("../../../tests/fixtures/spotnana/traveler-v2.json");
    const LOCAL_TIMES: &str =
        include_str!("../../../tests/fixtures/spotnana/pnr-booking-created-local-times.json");
    const MISSING_FIELDS: &str =
        include_str!("../../../tests/fixtures/spotnana/invalid-pnr-missing-fields.json");
    const BAD_FIELDS: &str =
        include_str!("../../../tests/fixtures/spotnana/invalid-pnr-bad-fields.json");

    fn run(body: &Value) -> Result<Delivery, AdapterError> {
        normalize(Request { topic: None, body })
    }

    fn fixture(text: &str) -> Value {
        serde_json::from_str(text).expect("fixture is JSON")
    }

    fn apply(body: &Value) -> (Delivery, BookingChange) {
        let delivery = run(body).expect("delivery is valid");
        let Action::Apply(change) = delivery.action.clone() else {
            panic!("expected a booking change")
        };
        (delivery, change)
    }

    fn field_names(result: Result<Delivery, AdapterError>) -> Vec<String> {
        match result {
            Err(AdapterError::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected a validation failure, got {other:?}"),
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().expect("test timestamp")
    }

    fn code(place: &Option<crate::canonical::Place>) -> Option<&str> {
        place.as_ref().and_then(|p| p.code.as_deref())
    }

    #[test]
    fn booking_created_gives_a_confirmed_booking_at_the_message_time() {
        let (delivery, change) = apply(&fixture(CREATED));
        assert_eq!(delivery.event_type, "PNR_V3/BOOKING_CREATED");
        assert_eq!(delivery.idempotency_key, None);
        assert_eq!(delivery.occurred_at, Some(at("2025-06-02T14:03:27.512Z")));
        assert_eq!(delivery.detail, None);
        assert_eq!(change.reference, "6926658168");
        assert_eq!(change.kind, Some(ChangeKind::Create));
        assert_eq!(change.status, Some(BookingStatus::Confirmed));
        assert_eq!(change.booked_at, Some(at("2025-06-02T14:03:21Z")));
        assert_eq!(change.extras.get("tripId"), Some(&json!("4813320093")));
        assert_eq!(change.extras.get("sourcePnrId"), Some(&json!("LQ7T2K")));
        assert_eq!(change.extras.len(), 2);
        assert_eq!((change.trip_start, change.trip_end), (None, None));
        assert_eq!(change.origin, None);
        // LHR→FRA→SFO, back SFO→LHR: the trip goes to SFO, not to the connection.
        assert_eq!(code(&change.destination), Some("SFO"));
    }

    #[test]
    fn travelers_become_passengers_with_the_first_as_lead_and_customer() {
        let (_, change) = apply(&fixture(CREATED));
        assert_eq!(
            change.passengers,
            vec![
                PassengerChange {
                    reference: "5bd0d3f2-6a55-4c1e-9a8e-2f0b7c4d1e90".into(),
                    first_name: Some("Ana".into()),
                    last_name: Some("Silva".into()),
                    passenger_type: Some(PassengerType::Adult),
                    lead: Some(true),
                    email: Some("ana.silva@acme.example".into()),
                    phone: Some("+447700900123".into()),
                },
                PassengerChange {
                    reference: "9e1f7a20-3c44-4b8d-a1f2-6d5e4c3b2a10".into(),
                    first_name: Some("Tom".into()),
                    last_name: Some("Silva".into()),
                    passenger_type: Some(PassengerType::Adult),
                    lead: Some(false),
                    email: None,
                    phone: None,
                },
            ]
        );
        assert_eq!(
            change.customer,
            Some(Customer {
                id: Some("5bd0d3f2-6a55-4c1e-9a8e-2f0b7c4d1e90".into()),
                first_name: Some("Ana".into()),
                email: Some("ana.silva@acme.example".into()),
                phone: Some("+447700900123".into()),
            })
        );
        assert_eq!(
            (change.adults, change.children, change.infants),
            (Some(2), Some(0), Some(0))
        );
    }

    #[test]
    fn flights_of_both_legs_become_air_segments_numbered_across_legs() {
        let (_, change) = apply(&fixture(CREATED));
        let refs: Vec<_> = change
            .segments
            .iter()
            .map(|s| (s.reference.as_str(), s.sequence))
            .collect();
        assert_eq!(
            refs,
            [
                ("6926658168:0:0", Some(1)),
                ("6926658168:0:1", Some(2)),
                ("6926658168:1:0", Some(3))
            ]
        );
        let first = &change.segments[0];
        assert_eq!(first.kind, Some(SegmentKind::Air));
        assert_eq!(first.status, None);
        assert_eq!(
            (code(&first.origin), code(&first.destination)),
            (Some("LHR"), Some("FRA"))
        );
        assert_eq!(
            first.origin.as_ref().and_then(|p| p.country.as_deref()),
            Some("GB")
        );
        assert!(
            first.destination.as_ref().is_some_and(|p| p.name.is_some()),
            "enriched from the dataset"
        );
        assert_eq!(first.departure_at, Some(at("2025-07-14T05:50:00Z")));
        assert_eq!(first.arrival_at, Some(at("2025-07-14T07:25:00Z")));
        assert_eq!(first.carrier.as_deref(), Some("LH"));
        assert_eq!(first.flight_number.as_deref(), Some("LH903"));
        assert_eq!(first.cabin_class.as_deref(), Some("ECONOMY"));
        let connection = &change.segments[1];
        assert_eq!(
            (code(&connection.origin), code(&connection.destination)),
            (Some("FRA"), Some("SFO"))
        );
        assert_eq!(connection.arrival_at, Some(at("2025-07-14T20:35:00Z")));
        let back = &change.segments[2];
        assert_eq!(
            (code(&back.origin), code(&back.destination)),
            (Some("SFO"), Some("LHR"))
        );
        assert_eq!(
            back.departure_at,
            Some(at("2025-07-25T02:50:00Z")),
            "plain ISO strings are accepted too"
        );
        assert_eq!(back.arrival_at, Some(at("2025-07-25T13:05:00Z")));
        assert_eq!(back.flight_number.as_deref(), Some("BA286"));
        assert_eq!(back.cabin_class.as_deref(), Some("PREMIUM_ECONOMY"));
    }

    #[test]
    fn ticketing_is_a_newer_update_of_the_same_pnr() {
        let (created, _) = apply(&fixture(CREATED));
        let (ticketed, change) = apply(&fixture(TICKETED));
        assert_eq!(ticketed.event_type, "PNR_V3/BOOKING_TICKETED");
        assert_eq!(change.reference, "6926658168");
        assert_eq!(change.kind, Some(ChangeKind::Update));
        assert_eq!(change.status, Some(BookingStatus::Ticketed));
        assert!(
            ticketed.occurred_at > created.occurred_at,
            "the out-of-order pair needs distinct times"
        );
        assert_eq!(change.segments.len(), 3);
    }

    #[test]
    fn a_flight_cancellation_cancels_the_booking() {
        let (delivery, change) = apply(&fixture(FLIGHT_CANCELED));
        assert_eq!(delivery.event_type, "PNR_V3/FLIGHT_CANCELED");
        assert_eq!(delivery.occurred_at, Some(at("2025-07-10T03:12:40Z")));
        assert_eq!(change.status, Some(BookingStatus::Cancelled));
        assert_eq!(change.kind, Some(ChangeKind::Update));
        assert!(change.segments.is_empty() && change.passengers.is_empty());
        assert_eq!(
            (change.adults, change.customer),
            (None, None),
            "no traveler list, no counts"
        );
    }

    #[test]
    fn voids_refunds_and_booking_cancellations_cancel_too() {
        for operation in [
            "TICKET_VOIDED",
            "TICKET_REFUNDED",
            "BOOKING_CANCELED",
            "FLIGHT_CANCELLED",
        ] {
            let body = json!({"event_type": "PNR_V3", "operation": operation,
                "timestamp": "2025-07-10T03:12:40Z", "payload": {"pnrId": "1"}});
            assert_eq!(
                apply(&body).1.status,
                Some(BookingStatus::Cancelled),
                "{operation}"
            );
        }
    }

    #[test]
    fn other_operations_update_without_a_status() {
        let (delivery, change) = apply(&fixture(PAYMENT_DECLINED));
        assert_eq!(delivery.event_type, "PNR_V3/PAYMENT_DECLINED");
        assert_eq!(delivery.occurred_at, Some(at("2025-06-02T14:05:02Z")));
        assert_eq!(change.status, None);
        assert_eq!(change.kind, Some(ChangeKind::Update));
    }

    #[test]
    fn other_event_types_are_ignored_under_their_own_name() {
        let delivery = run(&fixture(TRAVELER_V2)).expect("valid");
        assert_eq!(delivery.event_type, "TRAVELER_V2/TRAVELER_UPDATED");
        assert_eq!(delivery.occurred_at, Some(at("2025-06-01T09:30:00Z")));
        assert!(
            matches!(delivery.action, Action::Ignore { ref reason } if reason.contains("TRAVELER_V2"))
        );
        let bare =
            run(&json!({"event_type": "SERVICE_CHARGE", "timestamp": "not a time", "payload": []}))
                .expect("valid");
        assert_eq!(bare.event_type, "SERVICE_CHARGE");
        assert_eq!(bare.occurred_at, None);
        assert!(matches!(bare.action, Action::Ignore { .. }));
    }

    #[test]
    fn local_flight_times_are_read_in_the_airport_zones() {
        let (delivery, change) = apply(&fixture(LOCAL_TIMES));
        assert_eq!(delivery.occurred_at, Some(at("2025-08-20T22:30:04Z")));
        assert_eq!(change.booked_at, Some(at("2025-08-20T22:30:00Z")));
        let flight = &change.segments[0];
        assert_eq!(
            flight.reference, "CgNKRksSA0xBWBoKMjAyNS0wOS0wMg",
            "Spotnana's flight id is the key"
        );
        assert_eq!(flight.sequence, Some(1));
        // New York is UTC-4 and Los Angeles UTC-7 in September.
        assert_eq!(flight.departure_at, Some(at("2025-09-02T12:05:00Z")));
        assert_eq!(flight.arrival_at, Some(at("2025-09-02T18:32:00Z")));
        assert_eq!(flight.flight_number.as_deref(), Some("AA1"));
        assert_eq!(flight.cabin_class.as_deref(), Some("BUSINESS"));
    }

    #[test]
    fn children_and_infants_are_counted_and_unnamed_travelers_get_positional_references() {
        let (_, change) = apply(&fixture(LOCAL_TIMES));
        assert_eq!(
            (change.adults, change.children, change.infants),
            (Some(1), Some(1), Some(1))
        );
        let people: Vec<_> = change
            .passengers
            .iter()
            .map(|p| {
                (
                    p.reference.as_str(),
                    p.last_name.as_deref(),
                    p.passenger_type,
                    p.lead,
                )
            })
            .collect();
        assert_eq!(
            people,
            [
                (
                    "trav-8841",
                    Some("Lopez"),
                    Some(PassengerType::Adult),
                    Some(true)
                ),
                (
                    "traveler-1",
                    Some("Lopez"),
                    Some(PassengerType::Child),
                    Some(false)
                ),
                (
                    "traveler-2",
                    Some("Lopez"),
                    Some(PassengerType::Infant),
                    Some(false)
                ),
            ]
        );
        assert_eq!(
            change.passengers[0].phone.as_deref(),
            Some("+12125550147"),
            "human formatting is compacted"
        );
        assert_eq!(
            change.customer.and_then(|c| c.id).as_deref(),
            Some("trav-8841")
        );
    }

    #[test]
    fn phone_objects_are_read_from_e164_raw_input_or_country_and_national_number() {
        for phone in [
            json!({"e164": "+447700900123"}),
            json!({"rawInput": "+44 7700 900123"}),
            json!({"countryCode": 44, "nationalNumber": 7700900123_u64}),
            json!({"rawInput": "07700 900123", "countryCode": "44", "nationalNumber": "7700900123"}),
        ] {
            let body = json!({"event_type": "PNR_V3", "operation": "BOOKING_CREATED", "timestamp": "2025-06-02T14:03:27Z",
                "payload": {"pnrId": "1", "travelers": [{"phone": phone}]}});
            assert_eq!(
                apply(&body).1.passengers[0].phone.as_deref(),
                Some("+447700900123"),
                "{phone}"
            );
        }
        let body = json!({"event_type": "PNR_V3", "operation": "BOOKING_CREATED", "timestamp": "2025-06-02T14:03:27Z",
            "payload": {"pnrId": "1", "travelers": [{"phoneNumbers": [{"countryCode": 1, "nationalNumber": 2125550147_u64}]}]}});
        assert_eq!(
            apply(&body).1.passengers[0].phone.as_deref(),
            Some("+12125550147")
        );
    }

    #[test]
    fn times_given_to_the_minute_are_accepted_with_or_without_an_offset() {
        let body = json!({"event_type": "PNR_V3", "operation": "BOOKING_CREATED", "timestamp": "2025-06-02T14:03:27Z",
            "payload": {"pnrId": "1", "airPnr": {"legs": [{"flights": [{"origin": "LHR", "destination": "FRA",
                "departureDateTime": {"iso8601": "2025-07-14T06:50Z"}, "arrivalDateTime": {"iso8601": "2025-07-14T09:25+02:00"}}]}]}}});
        let (_, change) = apply(&body);
        assert_eq!(
            change.segments[0].departure_at,
            Some(at("2025-07-14T06:50:00Z"))
        );
        assert_eq!(
            change.segments[0].arrival_at,
            Some(at("2025-07-14T07:25:00Z"))
        );
        assert_eq!(change.segments[0].flight_number, None);
    }

    #[test]
    fn missing_operation_timestamp_and_pnr_id_are_all_reported() {
        assert_eq!(
            field_names(run(&fixture(MISSING_FIELDS))),
            ["operation", "timestamp", "payload.pnrId"]
        );
    }

    #[test]
    fn bad_fields_are_reported_with_their_full_paths() {
        let flight = "payload.airPnr.legs.0.flights.1";
        assert_eq!(
            field_names(run(&fixture(BAD_FIELDS))),
            [
                "timestamp".to_owned(),
                "payload.travelers.0.email".to_owned(),
                "payload.travelers.0.phone".to_owned(),
                format!("{flight}.destination"),
                format!("{flight}.departureDateTime.iso8601"),
                format!("{flight}.arrivalDateTime.iso8601"),
                format!("{flight}.marketing.num"),
            ]
        );
    }

    #[test]
    fn a_missing_or_malformed_event_type_is_rejected() {
        assert_eq!(
            field_names(run(&json!({"operation": "BOOKING_CREATED"}))),
            ["event_type"]
        );
        assert_eq!(field_names(run(&json!({"event_type": 3}))), ["event_type"]);
        assert_eq!(field_names(run(&json!([1, 2]))), ["body"]);
    }

    #[test]
    fn wrong_types_are_reported_and_never_panic() {
        let body = json!({"event_type": "PNR_V3", "operation": {}, "timestamp": 1e300, "payload": {
            "pnrId": [], "bookingDateTime": {"iso8601": 7}, "travelers": {"0": {}},
            "airPnr": {"legs": [{"flights": "LH903"}, "leg", {"flights": [null, 5, {"origin": "é€x", "marketing": []}]}]}}});
        let fields = field_names(run(&body));
        for expected in [
            "operation",
            "timestamp",
            "payload.pnrId",
            "payload.bookingDateTime.iso8601",
            "payload.travelers",
            "payload.airPnr.legs.0.flights",
            "payload.airPnr.legs.2.flights.1",
            "payload.airPnr.legs.2.flights.2.origin",
        ] {
            assert!(
                fields.iter().any(|f| f == expected),
                "{expected} missing from {fields:?}"
            );
        }
        assert_eq!(
            field_names(run(
                &json!({"event_type": "PNR_V3", "operation": "X", "timestamp": "2025-01-01T00:00:00Z", "payload": "pnr"})
            )),
            ["payload", "payload.pnrId"]
        );
    }
}
