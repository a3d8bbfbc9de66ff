//! The adapter against CONTRACT §4's own samples (`tests/fixtures/hahn_air/`).

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::reference::EXTERNAL_REFERENCE;
use super::*;
use crate::canonical::{Customer, PassengerChange};

/// The adapter as the receiver calls it: through [`crate::understand`], which checks
/// the topic and the top-level object first.
fn normalize(request: Request<'_>) -> Result<Delivery, AdapterError> {
    crate::understand(&HahnAir, request)
}
use crate::canonical::Place;

const CREATE: &str = include_str!("../../../tests/fixtures/hahn_air/booking-create.json");
const CREATE_MINIMAL: &str =
    include_str!("../../../tests/fixtures/hahn_air/booking-create-minimal.json");
const CREATE_OFFSET: &str =
    include_str!("../../../tests/fixtures/hahn_air/booking-create-offset.json");
const CREATE_LOCAL: &str =
    include_str!("../../../tests/fixtures/hahn_air/booking-create-local-time.json");
const LEG_1: &str = include_str!("../../../tests/fixtures/hahn_air/booking-create-leg-1.json");
const LEG_2: &str = include_str!("../../../tests/fixtures/hahn_air/booking-create-leg-2.json");
const LEG_3: &str = include_str!("../../../tests/fixtures/hahn_air/booking-create-leg-3.json");
const UPDATE: &str = include_str!("../../../tests/fixtures/hahn_air/booking-update.json");
const UPDATE_LEG_2: &str =
    include_str!("../../../tests/fixtures/hahn_air/booking-update-leg-2.json");
const CANCEL: &str = include_str!("../../../tests/fixtures/hahn_air/booking-cancel.json");
const CANCEL_LEG_2: &str =
    include_str!("../../../tests/fixtures/hahn_air/booking-cancel-leg-2.json");
const CANCEL_UNDATED: &str =
    include_str!("../../../tests/fixtures/hahn_air/booking-cancel-without-updated-at.json");
const CREATE_INVALID: &str =
    include_str!("../../../tests/fixtures/hahn_air/booking-create-invalid.json");
const UPDATE_NO_ID: &str =
    include_str!("../../../tests/fixtures/hahn_air/booking-update-without-booking-id.json");

fn deliver(topic: &str, body: &Value) -> Result<Delivery, AdapterError> {
    normalize(Request {
        topic: Some(topic),
        body,
    })
}

fn delivery(topic: &str, fixture: &str) -> Delivery {
    let body: Value = serde_json::from_str(fixture).unwrap();
    deliver(topic, &body).unwrap()
}

fn change_of(delivery: &Delivery) -> &BookingChange {
    match &delivery.action {
        Action::Apply(change) => change,
        other => panic!("expected a booking change, got {other:?}"),
    }
}

fn apply(topic: &str, body: Value) -> BookingChange {
    change_of(&deliver(topic, &body).unwrap()).clone()
}

fn failing_fields(topic: &str, body: &Value) -> Vec<String> {
    match deliver(topic, body) {
        Err(AdapterError::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn place(code: &str, name: &str, country: &str) -> Option<Place> {
    Some(Place {
        code: Some(code.into()),
        name: Some(name.into()),
        country: Some(country.into()),
    })
}

#[test]
fn missing_or_unknown_topics_are_not_found() {
    let body = json!({"bookingId": "1"});
    let missing = normalize(Request {
        topic: None,
        body: &body,
    });
    assert_eq!(missing, Err(AdapterError::UnknownTopic(String::new())));
    let unknown = deliver("booking-delete", &body);
    assert_eq!(
        unknown,
        Err(AdapterError::UnknownTopic("booking-delete".into()))
    );
    assert!(matches!(
        deliver("Booking-Create", &body),
        Err(AdapterError::UnknownTopic(_))
    ));
}

#[test]
fn create_states_the_whole_single_leg_trip() {
    let delivery = delivery("booking-create", CREATE);
    assert_eq!(delivery.event_type, "booking-create");
    assert_eq!(delivery.idempotency_key, None);
    assert_eq!(delivery.occurred_at, Some(at("2024-01-12T14:03:30Z")));
    assert_eq!(delivery.detail, None);
    let change = change_of(&delivery);
    assert_eq!(change.reference, "HA7Q2K9");
    assert_eq!(change.kind, Some(ChangeKind::Create));
    assert_eq!(change.status, Some(BookingStatus::Confirmed));
    assert_eq!(change.booked_at, Some(at("2024-01-12T14:03:27Z")));
    assert_eq!(change.trip_start, Some(at("2024-02-09T08:21:41Z")));
    assert_eq!(change.trip_end, Some(at("2024-02-16T17:05:00Z")));
    assert_eq!(change.origin, place("LHR", "London", "GB"));
    assert_eq!(change.destination, place("LIS", "Lisbon", "PT"));
    assert_eq!(
        (change.adults, change.children, change.infants),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(change.bag_count, Some(2));
    assert_eq!(change.cabin_class.as_deref(), Some("Economy"));
    let customer = Customer {
        id: Some("CUST-558120".into()),
        first_name: Some("Ana".into()),
        email: Some("ana.silva@example.com".into()),
        phone: Some("+441632960881".into()),
    };
    assert_eq!(change.customer, Some(customer));
    let lead = PassengerChange {
        reference: "lead".into(),
        first_name: Some("Ana".into()),
        last_name: None,
        passenger_type: Some(PassengerType::Adult),
        lead: Some(true),
        email: Some("ana.silva@example.com".into()),
        phone: Some("+441632960881".into()),
    };
    assert_eq!(change.passengers, vec![lead]);
    let segment = SegmentChange {
        reference: "HA7Q2K9".into(),
        sequence: Some(1),
        kind: Some(SegmentKind::Air),
        status: Some(SegmentStatus::Active),
        origin: place("LHR", "London", "GB"),
        destination: place("LIS", "Lisbon", "PT"),
        departure_at: Some(at("2024-02-09T08:21:41Z")),
        arrival_at: None,
        carrier: Some("BA".into()),
        flight_number: Some("BA500".into()),
        cabin_class: Some("Economy".into()),
    };
    assert_eq!(change.segments, vec![segment]);
    assert!(!change.cancel_when_all_segments_cancelled);
    assert!(change.extras.is_empty());
}

#[test]
fn create_without_updated_at_is_ordered_by_its_booking_date() {
    let delivery = delivery("booking-create", CREATE_MINIMAL);
    assert_eq!(delivery.occurred_at, Some(at("2024-02-20T09:12:00Z")));
    let change = change_of(&delivery);
    assert_eq!(change.reference, "HA5M1N0");
    assert_eq!(change.trip_end, None);
    assert_eq!(
        (change.adults, change.children, change.infants),
        (None, None, None)
    );
    assert_eq!(
        (change.bag_count, change.cabin_class.as_deref()),
        (None, None)
    );
    // Names and countries the partner leaves out come from the airport dataset.
    let origin = change.origin.clone().unwrap();
    assert_eq!(origin.code.as_deref(), Some("DUB"));
    assert_eq!(origin.country.as_deref(), Some("IE"));
    assert!(origin.name.unwrap().contains("Dublin"));
    let destination = change.destination.clone().unwrap();
    assert_eq!(destination.name.as_deref(), Some("Madrid"));
    assert_eq!(destination.country.as_deref(), Some("ES"));
    assert_eq!(change.passengers.len(), 1);
    assert_eq!(change.passengers[0].first_name, None);
    assert_eq!(change.passengers[0].phone.as_deref(), Some("+353851234567"));
    assert_eq!(change.segments.len(), 1);
    assert_eq!(change.segments[0].flight_number, None);
    assert_eq!(change.segments[0].carrier, None);
}

#[test]
fn timestamps_with_other_offsets_are_normalised_to_utc() {
    let change = change_of(&delivery("booking-create", CREATE_OFFSET)).clone();
    assert_eq!(change.trip_start, Some(at("2024-07-01T08:30:00Z")));
    assert_eq!(change.trip_end, Some(at("2024-07-08T16:00:00Z")));
    assert_eq!(change.booked_at, Some(at("2024-06-01T11:00:00Z")));
    assert_eq!(change.adults, Some(1));
    assert_eq!(change.segments[0].carrier.as_deref(), Some("IB"));
    assert_eq!(change.segments[0].flight_number.as_deref(), Some("IB3150"));
}

#[test]
fn local_trip_times_are_read_in_the_airports_zones() {
    let change = change_of(&delivery("booking-create", CREATE_LOCAL)).clone();
    // 09:30 in London in July is 08:30 UTC; 20:15 in New York is 00:15 UTC next day.
    assert_eq!(change.trip_start, Some(at("2024-07-01T08:30:00Z")));
    assert_eq!(change.trip_end, Some(at("2024-07-11T00:15:00Z")));
    assert_eq!(
        change.segments[0].departure_at,
        Some(at("2024-07-01T08:30:00Z"))
    );
}

#[test]
fn local_times_without_a_known_airport_are_refused() {
    let body = json!({"bookingId": "X1", "tripStart": "2024-07-01T09:30:00"});
    assert_eq!(failing_fields("booking-update", &body), ["tripStart"]);
    let body = json!({"bookingId": "X1", "updatedAt": "2024-07-01T09:30:00", "departureAirportCode": "LHR"});
    assert_eq!(failing_fields("booking-update", &body), ["updatedAt"]);
}

#[test]
fn each_leg_becomes_one_segment_of_the_same_booking() {
    let legs = [
        (LEG_1, "LHR", "SFO", "BA"),
        (LEG_2, "SFO", "LAX", "UA"),
        (LEG_3, "LAX", "LAS", "WN"),
    ];
    for (n, (fixture, from, to, carrier)) in legs.into_iter().enumerate() {
        let change = change_of(&delivery("booking-create", fixture)).clone();
        assert_eq!(change.reference, "1234");
        assert_eq!(change.kind, Some(ChangeKind::Create));
        assert_eq!(change.status, Some(BookingStatus::Confirmed));
        // The legs decide the trip summary, not any one of them.
        assert_eq!((change.trip_start, change.trip_end), (None, None));
        assert_eq!((&change.origin, &change.destination), (&None, &None));
        assert!(change.cancel_when_all_segments_cancelled);
        assert_eq!(
            change.customer.as_ref().unwrap().id.as_deref(),
            Some("CUST-1234")
        );
        assert_eq!(change.segments.len(), 1);
        let segment = &change.segments[0];
        let sequence = i32::try_from(n + 1).unwrap();
        assert_eq!(segment.reference, format!("1234-{sequence}"));
        assert_eq!(segment.sequence, Some(sequence));
        assert_eq!(segment.kind, Some(SegmentKind::Air));
        assert_eq!(segment.status, Some(SegmentStatus::Active));
        assert_eq!(segment.origin.as_ref().unwrap().code.as_deref(), Some(from));
        assert_eq!(
            segment.destination.as_ref().unwrap().code.as_deref(),
            Some(to)
        );
        assert_eq!(segment.carrier.as_deref(), Some(carrier));
    }
    let second = change_of(&delivery("booking-create", LEG_2)).segments[0].clone();
    assert_eq!(second.origin, place("SFO", "San Francisco", "US"));
    assert_eq!(second.destination, place("LAX", "Los Angeles", "US"));
    assert_eq!(second.departure_at, Some(at("2024-05-06T15:00:00Z")));
    assert_eq!(second.arrival_at, Some(at("2024-05-06T16:35:00Z")));
    assert_eq!(second.flight_number.as_deref(), Some("UA1520"));
    assert_eq!(second.cabin_class.as_deref(), Some("Economy"));
}

#[test]
fn cancelling_one_leg_cancels_only_that_segment() {
    let delivery = delivery("booking-cancel", CANCEL_LEG_2);
    assert_eq!(delivery.event_type, "booking-cancel");
    assert_eq!(delivery.occurred_at, Some(at("2024-04-15T12:00:00Z")));
    let change = change_of(&delivery);
    assert_eq!(change.reference, "1234");
    assert_eq!(change.kind, Some(ChangeKind::Update));
    assert_eq!(change.status, None);
    assert!(change.cancel_when_all_segments_cancelled);
    let segment = SegmentChange {
        reference: "1234-2".into(),
        sequence: Some(2),
        kind: Some(SegmentKind::Air),
        status: Some(SegmentStatus::Cancelled),
        ..SegmentChange::default()
    };
    assert_eq!(change.segments, vec![segment]);
    assert_eq!(
        (change.customer.clone(), change.passengers.len()),
        (None, 0)
    );
}

#[test]
fn cancelling_the_booking_id_cancels_the_booking() {
    let delivery = delivery("booking-cancel", CANCEL);
    assert_eq!(delivery.occurred_at, Some(at("2024-01-25T18:30:00Z")));
    let change = change_of(&delivery);
    assert_eq!(change.reference, "HA7Q2K9");
    assert_eq!(change.kind, Some(ChangeKind::Update));
    assert_eq!(change.status, Some(BookingStatus::Cancelled));
    assert!(change.segments.is_empty());
    assert_eq!(
        (change.trip_start, change.booked_at, change.customer.clone()),
        (None, None, None)
    );
}

#[test]
fn updates_without_updated_at_have_no_source_time() {
    let delivery = delivery("booking-cancel", CANCEL_UNDATED);
    assert_eq!(delivery.occurred_at, None);
    assert_eq!(change_of(&delivery).status, Some(BookingStatus::Cancelled));
}

#[test]
fn update_applies_only_the_fields_it_sends() {
    let delivery = delivery("booking-update", UPDATE);
    assert_eq!(delivery.event_type, "booking-update");
    assert_eq!(delivery.occurred_at, Some(at("2024-01-20T09:00:00Z")));
    let change = change_of(&delivery);
    assert_eq!(change.kind, Some(ChangeKind::Update));
    assert_eq!(change.status, None);
    assert_eq!(change.booked_at, None);
    assert_eq!(change.trip_start, Some(at("2024-02-09T11:40:00Z")));
    assert_eq!(change.trip_end, None);
    assert_eq!(change.origin.as_ref().unwrap().code.as_deref(), Some("LHR"));
    assert_eq!(change.destination, None);
    assert_eq!(
        (change.adults, change.children, change.infants),
        (Some(2), Some(1), None)
    );
    let customer = Customer {
        phone: Some("+447700900123".into()),
        ..Customer::default()
    };
    assert_eq!(change.customer, Some(customer));
    assert_eq!(change.passengers[0].phone.as_deref(), Some("+447700900123"));
    assert_eq!(change.passengers[0].first_name, None);
    assert_eq!(change.segments.len(), 1);
    let segment = &change.segments[0];
    assert_eq!(
        (segment.reference.as_str(), segment.sequence),
        ("HA7Q2K9", Some(1))
    );
    assert_eq!(segment.status, None);
    assert_eq!(segment.departure_at, Some(at("2024-02-09T11:40:00Z")));
    assert_eq!(segment.flight_number.as_deref(), Some("BA504"));
    assert_eq!(segment.destination, None);
}

#[test]
fn update_of_contact_data_only_touches_no_segment() {
    let change = apply(
        "booking-update",
        json!({"bookingId": "B9", "email": "new@example.com"}),
    );
    assert!(change.segments.is_empty());
    assert_eq!(
        change.customer.unwrap().email.as_deref(),
        Some("new@example.com")
    );
    assert_eq!(change.trip_start, None);
}

#[test]
fn leg_update_moves_that_segment_only() {
    let change = change_of(&delivery("booking-update", UPDATE_LEG_2)).clone();
    assert_eq!(change.reference, "1234");
    assert_eq!(
        (change.status, change.trip_start, change.trip_end),
        (None, None, None)
    );
    let segment = &change.segments[0];
    assert_eq!(
        (segment.reference.as_str(), segment.sequence),
        ("1234-2", Some(2))
    );
    assert_eq!(segment.status, None);
    assert_eq!(segment.departure_at, Some(at("2024-05-06T17:30:00Z")));
    assert_eq!(segment.arrival_at, Some(at("2024-05-06T19:05:00Z")));
    assert_eq!(segment.carrier.as_deref(), Some("UA"));
    assert_eq!(segment.flight_number.as_deref(), Some("UA1524"));
}

#[test]
fn a_leg_reference_alone_names_the_booking() {
    let change = apply("booking-cancel", json!({EXTERNAL_REFERENCE: "AB-12-3"}));
    assert_eq!(change.reference, "AB-12");
    assert_eq!(change.segments[0].reference, "AB-12-3");
    assert_eq!(change.segments[0].sequence, Some(3));
    assert_eq!(change.segments[0].status, Some(SegmentStatus::Cancelled));
}

#[test]
fn a_leg_reference_repeated_as_booking_id_names_its_prefix() {
    let change = apply(
        "booking-update",
        json!({"bookingId": "1234-2", EXTERNAL_REFERENCE: "1234-2"}),
    );
    assert_eq!(change.reference, "1234");
    assert_eq!(change.segments[0].sequence, Some(2));
}

#[test]
fn numeric_booking_ids_are_read_as_text() {
    let change = apply("booking-cancel", json!({"bookingId": 98765}));
    assert_eq!(change.reference, "98765");
}

#[test]
fn leg_numbers_must_be_positive_whole_numbers() {
    // `1234` itself is no longer refused beside booking id 1234: since CONTRACT rev. 2 a
    // reference without `-<n>` is the whole trip (see the test below).
    for bad in [
        "1234-0",
        "-2",
        "5678",
        "1234-x",
        "1234-+2",
        "1234-99999999999",
        "1234-",
    ] {
        let body = json!({"bookingId": "1234", EXTERNAL_REFERENCE: bad});
        assert_eq!(
            failing_fields("booking-update", &body),
            [EXTERNAL_REFERENCE],
            "{bad}"
        );
    }
}

#[test]
fn a_reference_equal_to_the_booking_id_is_the_whole_trip() {
    let change = apply(
        "booking-cancel",
        json!({"bookingId": "1234", EXTERNAL_REFERENCE: "1234"}),
    );
    assert_eq!(change.reference, "1234");
    assert_eq!(change.status, Some(BookingStatus::Cancelled));
    assert!(change.segments.is_empty());
    assert!(!change.cancel_when_all_segments_cancelled);
}

#[test]
fn every_failing_field_is_reported_with_its_path() {
    let body: Value = serde_json::from_str(CREATE_INVALID).unwrap();
    let Err(AdapterError::Invalid(errors)) = deliver("booking-create", &body) else {
        panic!("expected a validation error");
    };
    let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            EXTERNAL_REFERENCE,
            "departureAirportCode",
            "tripStart",
            "destinationName",
            "phoneNumber",
            "email",
            "bagCount",
            "pax",
            "departureFlightNumber"
        ]
    );
    let message = |field: &str| &errors.iter().find(|e| e.field == field).unwrap().message;
    assert!(message("phoneNumber").contains("E.164"));
    assert!(message("departureAirportCode").contains("IATA"));
    assert!(message("destinationName").contains("required"));
    assert!(message(EXTERNAL_REFERENCE).contains("1234-2"));
}

#[test]
fn create_requires_every_documented_field() {
    let fields = failing_fields("booking-create", &json!({"firstName": "Ana"}));
    let required = [
        "bookingId",
        "departureAirportCode",
        "destinationAirportCode",
        "tripStart",
        "bookingDate",
        "destinationName",
        "customerId",
        "phoneNumber",
        "email",
    ];
    assert_eq!(fields, required);
}

#[test]
fn create_of_a_leg_still_needs_its_booking_id() {
    let mut body: Value = serde_json::from_str(LEG_2).unwrap();
    body.as_object_mut().unwrap().remove("bookingId");
    assert_eq!(failing_fields("booking-create", &body), ["bookingId"]);
}

#[test]
fn update_needs_a_booking_id_or_a_leg_reference() {
    let body: Value = serde_json::from_str(UPDATE_NO_ID).unwrap();
    assert_eq!(failing_fields("booking-update", &body), ["bookingId"]);
    assert_eq!(
        failing_fields("booking-cancel", &json!({"bookingId": "  "})),
        ["bookingId"]
    );
}

#[test]
fn more_children_and_infants_than_pax_leaves_no_negative_adults() {
    let body = json!({"bookingId": "P1", "pax": 1, "children": 2, "infants": 2147483647});
    let change = apply("booking-update", body);
    assert_eq!((change.adults, change.children), (Some(0), Some(2)));
}

#[test]
fn wrong_shapes_are_field_errors_not_panics() {
    for body in [json!([1, 2]), json!("booking"), json!(42), json!(null)] {
        assert_eq!(failing_fields("booking-create", &body), ["$"]);
    }
    let body = json!({
        "bookingId": {"id": 1}, "tripStart": 5, "pax": 1e30, "children": 99999999999i64,
        "bagCount": [1], "email": true, "phoneNumber": {}, "departureFlightNumber": "ÄÖ123",
        EXTERNAL_REFERENCE: "é-ü"
    });
    let fields = failing_fields("booking-update", &body);
    for field in [
        "bookingId",
        "tripStart",
        "pax",
        "children",
        "bagCount",
        "email",
        "phoneNumber",
    ] {
        assert!(fields.contains(&field.to_owned()), "{field} in {fields:?}");
    }
    assert!(fields.contains(&"departureFlightNumber".to_owned()));
    assert!(fields.contains(&EXTERNAL_REFERENCE.to_owned()));
}
