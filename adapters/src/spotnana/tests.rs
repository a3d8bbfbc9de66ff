//! The adapter as a whole: the partner's own samples (`tests/fixtures/spotnana/`) and the
//! envelope, operation and refusal rules.

use super::*;

/// The adapter as the receiver calls it: through [`crate::understand`], which checks
/// the topic and the top-level object first.
fn normalize(request: Request<'_>) -> Result<Delivery, AdapterError> {
    crate::understand(&Spotnana, request)
}
use crate::{PassengerType, SegmentKind};
use chrono::{DateTime, Utc};
use serde_json::json;

use crate::canonical::{Customer, PassengerChange};

const CREATED: &str = include_str!("../../../tests/fixtures/spotnana/pnr-booking-created.json");
const TICKETED: &str = include_str!("../../../tests/fixtures/spotnana/pnr-booking-ticketed.json");
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
fn the_envelope_may_spell_event_type_in_camel_case() {
    let body = json!({"eventType": "PNR_V3", "operation": "BOOKING_CREATED",
        "timestamp": "2025-11-12T16:20:05Z", "payload": {"pnrId": "1"}});
    let (delivery, change) = apply(&body);
    assert_eq!(delivery.event_type, "PNR_V3/BOOKING_CREATED");
    assert_eq!(change.status, Some(BookingStatus::Confirmed));
    let ignored = run(&json!({"eventType": "TRAVELER_V2", "operation": "UPDATE"})).expect("valid");
    assert_eq!(ignored.event_type, "TRAVELER_V2/UPDATE");
    assert!(matches!(ignored.action, Action::Ignore { .. }));
    assert_eq!(field_names(run(&json!({"eventType": 7}))), ["eventType"]);
}

#[test]
fn booking_time_and_source_pnr_are_read_from_source_info() {
    let body = json!({"event_type": "PNR_V3", "operation": "BOOKING_CREATED", "timestamp": "2025-11-03T14:12:08Z",
        "payload": {"pnrId": "1", "tripId": 22, "sourceInfo": {"sourcePnrId": "ZK4P7Q", "bookingSource": "SABRE",
            "bookingDateTime": {"iso8601": "2025-11-03T14:11Z"}}}});
    let (_, change) = apply(&body);
    assert_eq!(change.booked_at, Some(at("2025-11-03T14:11:00Z")));
    assert_eq!(change.extras.get("sourcePnrId"), Some(&json!("ZK4P7Q")));
    assert_eq!(change.extras.get("tripId"), Some(&json!("22")));
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
            "payload": {"pnrId": "1", "travelers": [{"name": {"given": "Ana"}, "phone": phone}]}});
        assert_eq!(
            apply(&body).1.passengers[0].phone.as_deref(),
            Some("+447700900123"),
            "{phone}"
        );
    }
    let body = json!({"event_type": "PNR_V3", "operation": "BOOKING_CREATED", "timestamp": "2025-06-02T14:03:27Z",
        "payload": {"pnrId": "1", "travelers": [{"name": {"given": "Ana"}, "phoneNumbers": [{"countryCode": 1, "nationalNumber": 2125550147_u64}]}]}});
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
    assert_eq!(field_names(run(&json!([1, 2]))), ["$"]);
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
