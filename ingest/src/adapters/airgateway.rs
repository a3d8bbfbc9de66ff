//! Adapter `airgateway`: AirGateway order events (partner document
//! `001_cfcdfe95500e62ae.txt`).
//!
//! AirGateway calls either one endpoint per event (the event name is the topic,
//! `/webhooks/airgateway/OrderTicketed`) or one endpoint for all events with the name in
//! a body field `event`. The body is a flat object that each customer configures from a
//! fixed field list, so every field is optional except the order id. The document's own
//! `OrderTicketed` template even sends the AirGateway id as `orderID` (`"orderID":
//! "{{agwID}}"`), so `orderID` stands in for a missing `agwID`.

use chrono::{DateTime, Utc};
use entity::{BookingStatus, SegmentKind};
use serde_json::{json, Map, Value};

use crate::airports;
use crate::canonical::{
    Action, AdapterError, BookingChange, ChangeKind, Customer, Delivery, FieldError,
    PassengerChange, Request, SegmentChange,
};
use crate::validate::{E164Phone, IataCode, Reader};

/// What an event name means for the booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    /// The event sets this status.
    Status(BookingStatus),
    /// A disruption: status DISRUPTED, and the notice is recorded on the event.
    Disruption,
    /// The order changed (itinerary, services, seats) without a status of its own.
    Updated,
}

/// Every event the document lists, spelt exactly as the document spells it: the
/// misspellings (`PermanentWithfrawan`, `UnacceptableReacomodation`, `FlightCancelation`)
/// are AirGateway's own and are what it sends.
const EVENTS: &[(&str, Effect)] = &[
    ("OrderCreated", Effect::Status(BookingStatus::Confirmed)),
    ("OrderCanceled", Effect::Status(BookingStatus::Cancelled)),
    ("OrderTicketed", Effect::Status(BookingStatus::Ticketed)),
    ("OrderStarted", Effect::Status(BookingStatus::InProgress)),
    ("OrderCompleted", Effect::Status(BookingStatus::Completed)),
    ("OrderDisrupted", Effect::Disruption),
    ("ItineraryChange", Effect::Updated),
    ("ServicesAddition", Effect::Updated),
    ("ServicesRemoval", Effect::Updated),
    ("SeatsAddition", Effect::Updated),
    ("SeatsRemoval", Effect::Updated),
    // OrderChangeNotification events (supported by AirGateway since 2024-03-06).
    ("FlightNumberChange", Effect::Disruption),
    ("FlightTimeChange", Effect::Disruption),
    ("FlightCancelation", Effect::Disruption),
    ("PermanentWithfrawan", Effect::Disruption),
    ("LaborDisrupt", Effect::Disruption),
    ("Strike", Effect::Disruption),
    ("Weather", Effect::Disruption),
    ("NaturalDisaster", Effect::Disruption),
    ("FlightBookingCancelledOutsideSchedule", Effect::Disruption),
    // A seat change is about seats, like SeatsAddition, not a disruption of the trip.
    ("SeatChange", Effect::Updated),
    ("Bereavement", Effect::Disruption),
    ("NoReasonGiven", Effect::Disruption),
    ("Illness", Effect::Disruption),
    ("Voluntary", Effect::Disruption),
    ("NeedDocumentation", Effect::Disruption),
    ("UnacceptableReacomodation", Effect::Disruption),
    ("PaymentTimeLimitExpired", Effect::Disruption),
    ("PassengerNoShowNotification", Effect::Disruption),
    ("ChangeByPassengerNotification", Effect::Disruption),
    ("UnknownNotification", Effect::Disruption),
];

/// Partner fields with no canonical home that are worth keeping on the booking.
/// `agentEmail` and `sessionId` are deliberately left out (agent contact, session secret).
const EXTRAS: &[&str] = &[
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

/// The event type a delivery names (the topic, else the body's `event`), also when it
/// is refused.
pub fn event_type(request: Request<'_>) -> Option<String> {
    request
        .topic
        .or_else(|| request.body.get("event").and_then(Value::as_str))
        .map(str::to_owned)
}

/// Understands one AirGateway delivery.
///
/// # Errors
/// [`AdapterError::Invalid`] listing every failing field: a missing or unknown event name
/// (field `event`; unknown names are a validation failure, not an unknown topic), a
/// missing order id, a malformed `fullPath`, timestamp, count, phone or e-mail.
pub fn normalize(request: Request<'_>) -> Result<Delivery, AdapterError> {
    let body = request.body;
    if !body.is_object() {
        return Err(AdapterError::Invalid(vec![FieldError::new(
            "body",
            "must be a JSON object of AirGateway order fields",
        )]));
    }
    let mut reader = Reader::new(body);
    let event = event(&mut reader, request.topic);
    let reference = reference(&mut reader);
    let segments = segments(&mut reader);
    let origin = reader.iata("origin", false);
    let destination = reader.iata("destination", false);
    // Timestamps without an offset are local to where the trip starts.
    let zone = segments
        .first()
        .and_then(|s| s.origin.as_ref())
        .and_then(|p| p.code.clone())
        .or_else(|| origin.clone())
        .and_then(|code| airports::time_zone(&code));
    let created_on = reader.timestamp("createdOn", false, zone);
    let updated_on = reader.timestamp("updatedOn", false, zone);
    let adults = reader.count("adultsPax");
    let children = reader.count("childrenPax");
    let infants = reader.count("infantsPax");
    let (customer, lead) = contact(&mut reader);
    let order_status = reader.string("orderStatus");
    reader.finish()?;
    let (Some((name, effect)), Some(reference)) = (event, reference) else {
        // Both record a field error when absent, so `finish` has already returned it.
        return Err(AdapterError::Invalid(Vec::new()));
    };

    let status = match effect {
        Effect::Status(status) => Some(status),
        Effect::Disruption => Some(BookingStatus::Disrupted),
        Effect::Updated => order_status.as_deref().and_then(status_from_order_status),
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
        extras: extras(body),
        ..BookingChange::default()
    };
    Ok(Delivery {
        event_type: name.to_owned(),
        idempotency_key: None,
        occurred_at: occurred_at(updated_on, created_on, creates),
        action: Action::Apply(change),
        detail: (effect == Effect::Disruption).then(|| json!({ "disruption": name })),
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

/// The event name from the topic, else from the body field `event`, looked up in
/// [`EVENTS`] (case-insensitively; the document's spelling is what is recorded).
fn event(reader: &mut Reader<'_>, topic: Option<&str>) -> Option<(&'static str, Effect)> {
    let name = match topic.map(str::trim).filter(|t| !t.is_empty()) {
        Some(topic) => topic.to_owned(),
        None => reader.required_string("event")?,
    };
    let found = EVENTS
        .iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(&name))
        .copied();
    if found.is_none() {
        let expected: Vec<&str> = EVENTS.iter().map(|(known, _)| *known).collect();
        let shown: String = name.chars().take(60).collect();
        reader.fail(
            "event",
            format!("must be one of {} (got {shown:?})", expected.join(", ")),
        );
    }
    found
}

/// The booking reference: `agwID`, else `orderID` (which the document's own template
/// fills with the AirGateway id).
fn reference(reader: &mut Reader<'_>) -> Option<String> {
    let present = |value: Option<&Value>| match value {
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(_) => true,
        None => false,
    };
    if present(reader.get("agwID")) {
        reader.required_string("agwID")
    } else if present(reader.get("orderID")) {
        reader.required_string("orderID")
    } else {
        reader.fail(
            "agwID",
            "is required (the AirGateway order id; orderID is accepted in its place)",
        );
        None
    }
}

/// `fullPath` ("MAD-LHR, LHR-MAD") as air segments in order. A leg written as a chain
/// ("MAD-LHR-JFK") gives one segment per hop.
fn segments(reader: &mut Reader<'_>) -> Vec<SegmentChange> {
    let Some(full_path) = reader.string("fullPath") else {
        return Vec::new();
    };
    let mut hops: Vec<(String, String)> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    for leg in full_path
        .split(',')
        .map(str::trim)
        .filter(|leg| !leg.is_empty())
    {
        let codes: Result<Vec<String>, String> = leg
            .split('-')
            .map(|code| IataCode::parse(code).map(IataCode::into_inner))
            .collect();
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

/// The customer and lead passenger from `consumer`, `psgPhone` and `psgEmail` (else
/// `consumerEmail`).
fn contact(reader: &mut Reader<'_>) -> (Option<Customer>, Option<PassengerChange>) {
    // AirGateway passes phones through as typed (`+34 612 345 678`).
    let phone = reader
        .parsed("psgPhone", false, E164Phone::parse_formatted)
        .map(E164Phone::into_inner);
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
    let customer = Customer {
        id: None,
        first_name: first_name.clone(),
        email: email.clone(),
        phone: phone.clone(),
    };
    let lead = PassengerChange {
        reference: "lead".to_owned(),
        first_name,
        last_name,
        passenger_type: None,
        lead: Some(true),
        email,
        phone,
    };
    (Some(customer), Some(lead))
}

/// A status from the free-text `orderStatus` ("cancelled, on hold…"), only where its
/// meaning is unambiguous.
fn status_from_order_status(text: &str) -> Option<BookingStatus> {
    match text.trim().to_ascii_lowercase().as_str() {
        "cancelled" | "canceled" => Some(BookingStatus::Cancelled),
        "on hold" | "onhold" | "on_hold" => Some(BookingStatus::OnHold),
        "ticketed" => Some(BookingStatus::Ticketed),
        "confirmed" => Some(BookingStatus::Confirmed),
        _ => None,
    }
}

/// The [`EXTRAS`] fields present as plain values.
fn extras(body: &Value) -> Map<String, Value> {
    EXTRAS
        .iter()
        .filter_map(|key| {
            let value = match body.get(*key)? {
                Value::String(s) if s.trim().is_empty() => return None,
                Value::String(s) => Value::String(s.trim().to_owned()),
                value @ (Value::Number(_) | Value::Bool(_)) => value.clone(),
                _ => return None,
            };
            Some(((*key).to_owned(), value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use entity::SegmentStatus;

    const ORDER_CREATED: &str =
        include_str!("../../../tests/fixtures/airgateway/order-created.json");
    const TICKETED_TEMPLATE: &str =
        include_str!("../../../tests/fixtures/airgateway/order-ticketed-template.json");
    const ORDER_CANCELED: &str =
        include_str!("../../../tests/fixtures/airgateway/order-canceled.json");
    const FLIGHT_TIME_CHANGE: &str =
        include_str!("../../../tests/fixtures/airgateway/flight-time-change.json");
    const SEATS_ON_HOLD: &str =
        include_str!("../../../tests/fixtures/airgateway/seats-addition-on-hold.json");
    const LOCAL_TIMES: &str =
        include_str!("../../../tests/fixtures/airgateway/order-created-local-times.json");
    const UNKNOWN_EVENT: &str =
        include_str!("../../../tests/fixtures/airgateway/invalid-unknown-event.json");
    const INVALID_FIELDS: &str =
        include_str!("../../../tests/fixtures/airgateway/invalid-fields.json");
    const LOCAL_WITHOUT_AIRPORT: &str =
        include_str!("../../../tests/fixtures/airgateway/invalid-local-time-without-airport.json");

    fn run(topic: Option<&str>, body: &Value) -> Result<Delivery, AdapterError> {
        normalize(Request { topic, body })
    }

    fn fixture(text: &str) -> Value {
        serde_json::from_str(text).expect("fixture is JSON")
    }

    fn apply(topic: Option<&str>, text: &str) -> (Delivery, BookingChange) {
        let delivery = run(topic, &fixture(text)).expect("delivery is valid");
        let Action::Apply(change) = delivery.action.clone() else {
            panic!("expected a booking change")
        };
        (delivery, change)
    }

    fn field_errors(result: Result<Delivery, AdapterError>) -> Vec<FieldError> {
        match result {
            Err(AdapterError::Invalid(errors)) => errors,
            other => panic!("expected a validation failure, got {other:?}"),
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().expect("test timestamp")
    }

    #[test]
    fn order_created_gives_a_confirmed_booking_with_everything_it_states() {
        let (delivery, change) = apply(None, ORDER_CREATED);
        assert_eq!(delivery.event_type, "OrderCreated");
        assert_eq!(delivery.idempotency_key, None);
        assert_eq!(delivery.occurred_at, Some(at("2025-03-14T09:21:05Z")));
        assert_eq!(delivery.detail, None);
        assert_eq!(change.reference, "AGW-5F3K8M2Q");
        assert_eq!(change.kind, Some(ChangeKind::Create));
        assert_eq!(change.status, Some(BookingStatus::Confirmed));
        assert_eq!(change.booked_at, Some(at("2025-03-14T09:21:05Z")));
        let origin = change.origin.expect("origin");
        assert_eq!(origin.code.as_deref(), Some("MAD"));
        assert_eq!(origin.country.as_deref(), Some("ES"));
        assert!(origin.name.is_some(), "enriched from the airport dataset");
        assert_eq!(
            change.destination.and_then(|p| p.code),
            Some("LHR".to_owned())
        );
        assert_eq!(
            (change.adults, change.children, change.infants),
            (Some(2), Some(1), Some(0))
        );
        assert_eq!((change.trip_start, change.trip_end), (None, None));
        assert_eq!(
            change.customer,
            Some(Customer {
                id: None,
                first_name: Some("Ana".into()),
                email: Some("ana.garcia@example.com".into()),
                phone: Some("+34612345678".into()),
            })
        );
        assert_eq!(
            change.passengers,
            vec![PassengerChange {
                reference: "lead".into(),
                first_name: Some("Ana".into()),
                last_name: Some("García López".into()),
                passenger_type: None,
                lead: Some(true),
                email: Some("ana.garcia@example.com".into()),
                phone: Some("+34612345678".into()),
            }]
        );
    }

    #[test]
    fn full_path_gives_one_air_segment_per_leg_in_order() {
        let (_, change) = apply(None, ORDER_CREATED);
        let refs: Vec<_> = change
            .segments
            .iter()
            .map(|s| (s.reference.as_str(), s.sequence))
            .collect();
        assert_eq!(refs, [("MAD-LHR#1", Some(1)), ("LHR-MAD#2", Some(2))]);
        let first = &change.segments[0];
        assert_eq!(first.kind, Some(SegmentKind::Air));
        assert_eq!(first.status, None::<SegmentStatus>);
        assert_eq!(
            first.origin.as_ref().and_then(|p| p.country.as_deref()),
            Some("ES")
        );
        assert_eq!(
            first.destination.as_ref().and_then(|p| p.code.as_deref()),
            Some("LHR")
        );
        assert_eq!(
            first
                .destination
                .as_ref()
                .and_then(|p| p.country.as_deref()),
            Some("GB")
        );
        assert_eq!(
            change.segments[1]
                .destination
                .as_ref()
                .and_then(|p| p.code.as_deref()),
            Some("MAD")
        );
    }

    #[test]
    fn useful_partner_fields_are_kept_as_extras_but_not_agent_or_session_data() {
        let (_, change) = apply(None, ORDER_CREATED);
        let keys: Vec<&str> = change.extras.keys().map(String::as_str).collect();
        let mut expected = EXTRAS.to_vec();
        expected.sort_unstable();
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, expected);
        assert_eq!(change.extras["orderID"], json!("IB-7XQ2LM"));
        assert_eq!(change.extras["totalAmount"], json!(612.4));
        assert_eq!(change.extras["pnr"], json!("7XQ2LM"));
        assert!(!change.extras.contains_key("agentEmail"));
        assert!(!change.extras.contains_key("sessionId"));
    }

    #[test]
    fn the_documented_ticketed_template_is_accepted_with_order_id_as_reference() {
        let (delivery, change) = apply(Some("OrderTicketed"), TICKETED_TEMPLATE);
        assert_eq!(delivery.event_type, "OrderTicketed");
        assert_eq!(delivery.occurred_at, None);
        assert_eq!(change.reference, "AGW-5F3K8M2Q");
        assert_eq!(change.kind, Some(ChangeKind::Update));
        assert_eq!(change.status, Some(BookingStatus::Ticketed));
        assert_eq!(change.extras["pnr"], json!("7XQ2LM"));
        assert_eq!(change.extras["agency"], json!("Viajes Sol"));
        assert!(!change.extras.contains_key("agent"));
        assert!(change.segments.is_empty() && change.passengers.is_empty());
        assert_eq!(change.customer, None);
    }

    #[test]
    fn agw_id_wins_over_order_id() {
        let body = json!({"agwID": "AGW-1", "orderID": "AIRLINE-9"});
        let (_, change) = apply(Some("OrderTicketed"), &body.to_string());
        assert_eq!(change.reference, "AGW-1");
        assert_eq!(change.extras["orderID"], json!("AIRLINE-9"));
    }

    #[test]
    fn order_canceled_cancels_the_booking_at_its_update_time() {
        let (delivery, change) = apply(None, ORDER_CANCELED);
        assert_eq!(delivery.event_type, "OrderCanceled");
        assert_eq!(delivery.occurred_at, Some(at("2025-03-20T15:02:11Z")));
        assert_eq!(change.kind, Some(ChangeKind::Update));
        assert_eq!(change.status, Some(BookingStatus::Cancelled));
        assert_eq!(change.booked_at, None);
    }

    #[test]
    fn the_topic_names_the_event_and_wins_over_the_body() {
        let body = json!({"event": "OrderCreated", "agwID": "AGW-1"});
        let delivery = run(Some("OrderStarted"), &body).expect("valid");
        assert_eq!(delivery.event_type, "OrderStarted");
        let Action::Apply(change) = delivery.action else {
            panic!("expected a change")
        };
        assert_eq!(change.status, Some(BookingStatus::InProgress));
        assert_eq!(change.kind, Some(ChangeKind::Update));
    }

    #[test]
    fn every_documented_event_name_is_recognised_under_its_own_spelling() {
        for (name, _) in EVENTS {
            let delivery = run(Some(name), &json!({"agwID": "AGW-1"}))
                .unwrap_or_else(|e| panic!("{name} rejected: {e:?}"));
            assert_eq!(delivery.event_type, *name);
        }
        assert_eq!(EVENTS.len(), 31);
        for doc_spelling in [
            "PermanentWithfrawan",
            "UnacceptableReacomodation",
            "FlightCancelation",
        ] {
            assert!(
                EVENTS.iter().any(|(n, _)| *n == doc_spelling),
                "{doc_spelling}"
            );
        }
    }

    #[test]
    fn lifecycle_events_set_their_status() {
        let cases = [
            ("OrderCreated", BookingStatus::Confirmed),
            ("OrderTicketed", BookingStatus::Ticketed),
            ("OrderCanceled", BookingStatus::Cancelled),
            ("OrderStarted", BookingStatus::InProgress),
            ("OrderCompleted", BookingStatus::Completed),
        ];
        for (name, status) in cases {
            let (delivery, change) = apply(Some(name), r#"{"agwID": "AGW-1"}"#);
            assert_eq!(change.status, Some(status), "{name}");
            assert_eq!(delivery.detail, None, "{name}");
        }
    }

    #[test]
    fn disruption_notifications_mark_the_booking_disrupted_and_record_the_notice() {
        let (delivery, change) = apply(None, FLIGHT_TIME_CHANGE);
        assert_eq!(delivery.event_type, "FlightTimeChange");
        assert_eq!(
            delivery.detail,
            Some(json!({"disruption": "FlightTimeChange"}))
        );
        assert_eq!(delivery.occurred_at, Some(at("2025-03-18T07:45:00Z")));
        assert_eq!(
            change.status,
            Some(BookingStatus::Disrupted),
            "orderStatus does not override the event"
        );
        assert_eq!(change.segments.len(), 2);
        for name in [
            "OrderDisrupted",
            "Strike",
            "FlightCancelation",
            "PermanentWithfrawan",
            "UnknownNotification",
        ] {
            let (delivery, change) = apply(Some(name), r#"{"agwID": "AGW-1"}"#);
            assert_eq!(change.status, Some(BookingStatus::Disrupted), "{name}");
            assert_eq!(delivery.detail, Some(json!({ "disruption": name })));
        }
    }

    #[test]
    fn services_seats_and_itinerary_changes_leave_the_status_unchanged() {
        for name in [
            "ItineraryChange",
            "ServicesAddition",
            "ServicesRemoval",
            "SeatsAddition",
            "SeatsRemoval",
            "SeatChange",
        ] {
            let (delivery, change) = apply(
                Some(name),
                r#"{"agwID": "AGW-1", "orderStatus": "pending review"}"#,
            );
            assert_eq!(change.status, None, "{name}");
            assert_eq!(change.kind, Some(ChangeKind::Update), "{name}");
            assert_eq!(delivery.detail, None, "{name}");
        }
    }

    #[test]
    fn updates_take_a_clear_order_status_from_the_body() {
        let (_, change) = apply(None, SEATS_ON_HOLD);
        assert_eq!(change.status, Some(BookingStatus::OnHold));
        assert_eq!(change.extras["totalAmount"], json!("48.00"));
        for (text, status) in [
            ("Cancelled", BookingStatus::Cancelled),
            ("canceled", BookingStatus::Cancelled),
            ("ON_HOLD", BookingStatus::OnHold),
            ("onhold", BookingStatus::OnHold),
            ("Ticketed", BookingStatus::Ticketed),
            ("confirmed", BookingStatus::Confirmed),
        ] {
            let body = json!({"agwID": "AGW-1", "orderStatus": text}).to_string();
            assert_eq!(
                apply(Some("ItineraryChange"), &body).1.status,
                Some(status),
                "{text}"
            );
        }
    }

    #[test]
    fn local_timestamps_are_read_in_the_first_origin_airport_zone() {
        let (delivery, change) = apply(None, LOCAL_TIMES);
        // Lisbon is on UTC+1 in May.
        assert_eq!(change.booked_at, Some(at("2025-05-10T08:15:00Z")));
        assert_eq!(
            delivery.occurred_at, change.booked_at,
            "a creation happens when it is created"
        );
        assert_eq!(change.adults, Some(1));
        let refs: Vec<_> = change
            .segments
            .iter()
            .map(|s| s.reference.as_str())
            .collect();
        assert_eq!(refs, ["LIS-MAD#1", "MAD-BCN#2", "BCN-LIS#3"]);
        let customer = change.customer.expect("customer");
        assert_eq!(customer.first_name.as_deref(), Some("João"));
        assert_eq!(customer.email.as_deref(), Some("joao@example.pt"));
        assert_eq!(change.passengers[0].last_name, None);
        // Madrid in winter is UTC+1, without fullPath the `origin` field gives the zone.
        let body = json!({"agwID": "AGW-1", "origin": "MAD", "updatedOn": "2025-01-15T10:00:00"});
        assert_eq!(
            apply(Some("ItineraryChange"), &body.to_string())
                .0
                .occurred_at,
            Some(at("2025-01-15T09:00:00Z"))
        );
    }

    #[test]
    fn local_timestamps_without_an_airport_are_rejected() {
        let errors = field_errors(run(None, &fixture(LOCAL_WITHOUT_AIRPORT)));
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "createdOn");
        assert!(
            errors[0].message.contains("no UTC offset"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn an_unknown_event_is_a_validation_failure_listing_the_expected_names() {
        let errors = field_errors(run(None, &fixture(UNKNOWN_EVENT)));
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "event");
        assert!(
            errors[0].message.contains("OrderTicketed")
                && errors[0].message.contains("OrderExploded")
        );
        let errors = field_errors(run(Some("OrderShipped"), &json!({"agwID": "AGW-1"})));
        assert_eq!(errors[0].field, "event");
    }

    #[test]
    fn a_missing_event_name_is_required() {
        let errors = field_errors(run(None, &json!({"agwID": "AGW-1"})));
        assert_eq!(errors, [FieldError::new("event", "is required")]);
    }

    #[test]
    fn every_failing_field_is_reported_at_once() {
        let errors = field_errors(run(None, &fixture(INVALID_FIELDS)));
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "agwID",
                "fullPath",
                "createdOn",
                "adultsPax",
                "psgPhone",
                "psgEmail"
            ]
        );
        assert!(
            errors[1].message.contains("LHR-XX1"),
            "{}",
            errors[1].message
        );
        assert!(errors[4].message.contains("E.164"));
    }

    #[test]
    fn malformed_full_paths_name_the_offending_leg() {
        for path in ["MAD", "MAD-LHR, LHR", "MAD-LONDON", "MAD--LHR"] {
            let errors = field_errors(run(
                Some("ItineraryChange"),
                &json!({"agwID": "A", "fullPath": path}),
            ));
            assert_eq!(errors.len(), 1, "{path}");
            assert_eq!(errors[0].field, "fullPath", "{path}");
        }
        let (_, change) = apply(
            Some("ItineraryChange"),
            r#"{"agwID": "A", "fullPath": "mad-lhr-jfk,"}"#,
        );
        let refs: Vec<_> = change
            .segments
            .iter()
            .map(|s| s.reference.as_str())
            .collect();
        assert_eq!(refs, ["MAD-LHR#1", "LHR-JFK#2"]);
    }

    #[test]
    fn wrong_types_are_reported_and_never_panic() {
        let body = json!({
            "event": ["OrderCreated"], "agwID": {"id": 1}, "fullPath": 12, "adultsPax": 1e300,
            "childrenPax": "lots", "infantsPax": -3, "createdOn": true, "psgPhone": 4.5,
            "consumer": [], "totalAmount": {"value": 1}, "origin": "M", "orderStatus": null
        });
        let fields: Vec<String> = field_errors(run(None, &body))
            .into_iter()
            .map(|e| e.field)
            .collect();
        for expected in [
            "event",
            "agwID",
            "fullPath",
            "origin",
            "createdOn",
            "adultsPax",
            "childrenPax",
            "infantsPax",
            "psgPhone",
            "consumer",
        ] {
            assert!(
                fields.iter().any(|f| f == expected),
                "{expected} missing from {fields:?}"
            );
        }
        for body in [json!([]), json!("OrderCreated"), json!(null), json!(42)] {
            assert_eq!(
                field_errors(run(Some("OrderCreated"), &body))[0].field,
                "body"
            );
        }
    }
}
