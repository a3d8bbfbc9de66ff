//! The adapter against what the platform behind Hahn Air's data plan really sends: the
//! corpus in `tests/fixtures/real/hahn_air/` (sources in `tests/fixtures/real/SOURCES.md`).

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::reference::EXTERNAL_REFERENCE;
use super::*;
use crate::canonical::{Customer, PassengerChange};

/// The adapter as the receiver calls it: through [`crate::understand`], which checks
/// the topic and the top-level object first.
fn normalize(request: Request<'_>) -> Result<Delivery, AdapterError> {
    crate::understand(&HahnAir, request)
}
use crate::canonical::Place;

macro_rules! real {
    ($file:literal) => {
        include_str!(concat!("../../../tests/fixtures/real/hahn_air/", $file))
    };
}

const ONE_WAY: &str = real!("01_holibob_flight_one_way.json");
const ROUND_TRIP: &str = real!("02_holibob_flight_round_trip.json");
const DELETE_FORM: &str = real!("03_holibob_delete.form");
const DELETE_JSON: &str = real!("04_holibob_delete.json");
const DATE_ONLY: &str = real!("05_holibob_create_date_only.json");
const UPDATE: &str = real!("06_holibob_update_full_payload.json");
const OFFSET: &str = real!("07_holibob_create_offset_without_colon.json");
const NULLS: &str = real!("08_holibob_create_nullable_fields_null.json");
const NO_CONTACT: &str = real!("09_holibob_create_email_and_phone_null.json");
const LEG_1: &str = real!("10_holibob_multi_destination_leg_1.json");
const LEG_2: &str = real!("11_holibob_multi_destination_leg_2.json");
const LEG_3: &str = real!("12_holibob_multi_destination_leg_3.json");
const DELETE_LEG_2_FORM: &str = real!("13_holibob_delete_leg_2.form");
const MIXED: &str = real!("14_mixed_contract_and_holibob_names.json");

/// A fixture as the adapter gets it: JSON, or a form body as the HTTP layer hands it on
/// (a JSON object of strings).
fn body_of(fixture: &str) -> Value {
    serde_json::from_str(fixture).unwrap_or_else(|_| {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(fixture).unwrap();
        Value::Object(
            pairs
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect(),
        )
    })
}

fn deliver(topic: &str, body: &Value) -> Result<Delivery, AdapterError> {
    normalize(Request {
        topic: Some(topic),
        body,
    })
}

fn delivery(topic: &str, fixture: &str) -> Delivery {
    deliver(topic, &body_of(fixture)).unwrap_or_else(|e| panic!("{fixture}: {e:?}"))
}

fn change_of(delivery: Delivery) -> BookingChange {
    match delivery.action {
        Action::Apply(change) => change,
        other => panic!("expected a booking change, got {other:?}"),
    }
}

fn change(topic: &str, fixture: &str) -> BookingChange {
    change_of(delivery(topic, fixture))
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

fn customer(id: &str, first_name: Option<&str>, email: &str, phone: &str) -> Option<Customer> {
    Some(Customer {
        id: Some(id.into()),
        first_name: first_name.map(str::to_owned),
        email: Some(email.into()),
        phone: Some(phone.into()),
    })
}

fn lead(first_name: &str, email: &str, phone: &str) -> Vec<PassengerChange> {
    vec![PassengerChange {
        reference: "lead".into(),
        first_name: Some(first_name.into()),
        last_name: None,
        passenger_type: Some(PassengerType::Adult),
        lead: Some(true),
        email: Some(email.into()),
        phone: Some(phone.into()),
    }]
}

fn extras(pairs: &[(&str, &str)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), json!(v)))
        .collect()
}

const BOOKING_LINK: &str =
    "https://thrifty-starboard.biz/booking/db196e31-611b-41e0-b1ee-aeb4d6ad1d3a";

/// The one AIR segment of a whole trip the platform describes: it knows when the
/// flight lands, not when it leaves.
fn arriving(
    reference: &str,
    status: Option<SegmentStatus>,
    (origin, destination): (Option<Place>, Option<Place>),
    arrival: &str,
    cabin: Option<&str>,
) -> SegmentChange {
    SegmentChange {
        reference: reference.into(),
        sequence: Some(1),
        kind: Some(SegmentKind::Air),
        status,
        origin,
        destination,
        departure_at: None,
        arrival_at: Some(at(arrival)),
        carrier: None,
        flight_number: None,
        cabin_class: cabin.map(str::to_owned),
    }
}

#[test]
fn the_published_one_way_flight_is_a_whole_trip_starting_on_arrival() {
    let delivery = delivery("booking-create", ONE_WAY);
    assert_eq!(delivery.event_type, "booking-create");
    assert_eq!(delivery.occurred_at, None, "no updatedAt, no bookingDate");
    let change = change_of(delivery);
    let dxb = place("DXB", "Dubai", "AE");
    let lhr = place("LHR", "London", "GB");
    let expected = BookingChange {
        reference: "y8c6OBIEZmKXeD6Vbg78".into(),
        kind: Some(ChangeKind::Create),
        status: Some(BookingStatus::Confirmed),
        booked_at: None,
        trip_start: Some(at("2024-05-18T06:55:00Z")),
        trip_end: None,
        origin: dxb.clone(),
        destination: lhr.clone(),
        adults: Some(2),
        cabin_class: Some("ECONOMY".into()),
        customer: customer(
            "y34lS53cLJeyYJHc17JZ",
            Some("Christophe"),
            "christophe4@gmail.com",
            "+447707373348",
        ),
        passengers: lead("Christophe", "christophe4@gmail.com", "+447707373348"),
        segments: vec![arriving(
            "y8c6OBIEZmKXeD6Vbg78",
            Some(SegmentStatus::Active),
            (dxb, lhr),
            "2024-05-18T06:55:00Z",
            Some("ECONOMY"),
        )],
        extras: extras(&[
            ("consumerTripBookingLink", BOOKING_LINK),
            ("consumerNationality", "GB"),
            ("consumerCurrency", "GBP"),
        ]),
        ..BookingChange::default()
    };
    assert_eq!(change, expected);
}

#[test]
fn the_published_round_trip_also_states_when_the_trip_ends() {
    let change = change("booking-create", ROUND_TRIP);
    assert_eq!(change.reference, "y8c6OBIEZmKXeD6Vbg78");
    assert_eq!(change.trip_start, Some(at("2024-05-18T06:55:00Z")));
    assert_eq!(change.trip_end, Some(at("2024-05-20T08:00:00Z")));
    // The city name wins over the airport name the platform also sends.
    assert_eq!(change.origin, place("DXB", "Dubai", "AE"));
    assert_eq!(change.segments.len(), 1, "no return segment is invented");
    assert_eq!(
        change.segments[0].arrival_at,
        Some(at("2024-05-18T06:55:00Z"))
    );
    assert_eq!(change.segments[0].departure_at, None);
}

#[test]
fn the_published_deletes_cancel_the_whole_trip_as_form_or_json() {
    for fixture in [DELETE_FORM, DELETE_JSON] {
        let delivery = delivery("booking-cancel", fixture);
        assert_eq!(delivery.occurred_at, None);
        let expected = BookingChange {
            reference: "y8c6OBIEZmKXeD6Vbg78".into(),
            kind: Some(ChangeKind::Update),
            status: Some(BookingStatus::Cancelled),
            ..BookingChange::default()
        };
        assert_eq!(change_of(delivery), expected, "{fixture}");
    }
}

#[test]
fn dates_alone_are_midnight_at_the_destination_airport() {
    let change = change("booking-create", DATE_ONLY);
    assert_eq!(change.reference, "QX7Z1M4K2P");
    // 2024-06-14 and 2024-06-21 at 00:00 in Lisbon (UTC+1 in summer).
    assert_eq!(change.trip_start, Some(at("2024-06-13T23:00:00Z")));
    assert_eq!(change.trip_end, Some(at("2024-06-20T23:00:00Z")));
    assert_eq!(change.origin, place("LGW", "London", "GB"));
    assert_eq!(change.destination, place("LIS", "Lisbon", "PT"));
    assert_eq!(change.adults, Some(3));
    assert_eq!(
        change.customer,
        customer(
            "CUST-90817",
            Some("Charlie"),
            "charlie@example.com",
            "+442071838750"
        )
    );
    assert_eq!(
        change.segments[0].arrival_at,
        Some(at("2024-06-13T23:00:00Z"))
    );
}

#[test]
fn a_full_payload_update_is_applied_as_an_update() {
    let delivery = delivery("booking-update", UPDATE);
    assert_eq!(delivery.event_type, "booking-update");
    assert_eq!(delivery.occurred_at, None);
    let change = change_of(delivery);
    assert_eq!(change.reference, "y8c6OBIEZmKXeD6Vbg78");
    assert_eq!(change.kind, Some(ChangeKind::Update));
    assert_eq!(change.status, None, "an update changes no status");
    assert_eq!(change.trip_start, Some(at("2024-05-19T06:55:00Z")));
    assert_eq!(change.trip_end, Some(at("2024-05-22T08:00:00Z")));
    assert_eq!(change.adults, Some(3));
    assert_eq!(change.cabin_class.as_deref(), Some("BUSINESS"));
    let segment = arriving(
        "y8c6OBIEZmKXeD6Vbg78",
        None,
        (place("DXB", "Dubai", "AE"), place("LHR", "London", "GB")),
        "2024-05-19T06:55:00Z",
        Some("BUSINESS"),
    );
    assert_eq!(change.segments, vec![segment]);
}

#[test]
fn offsets_without_a_colon_and_references_ending_in_a_number() {
    let change = change("booking-create", OFFSET);
    assert_eq!(
        change.reference, "HB-ATH-20200101",
        "a whole trip, not leg 20200101"
    );
    assert!(!change.cancel_when_all_segments_cancelled);
    assert_eq!(change.trip_start, Some(at("2019-12-31T22:00:00.123Z")));
    assert_eq!(change.trip_end, Some(at("2020-01-05T16:30:00Z")));
    assert_eq!(change.origin, place("BER", "Berlin", "DE"));
    assert_eq!(change.destination, place("ATH", "Athens", "GR"));
    assert_eq!(change.adults, Some(1));
    assert_eq!(change.cabin_class.as_deref(), Some("PREMIUM_ECONOMY"));
    assert_eq!(
        change.customer,
        customer(
            "CUST-40022",
            Some("Lena"),
            "lena@example.de",
            "+4915123456789"
        )
    );
}

#[test]
fn nulls_are_fields_not_sent() {
    let change = change("booking-create", NULLS);
    assert_eq!(change.reference, "PMI-558201");
    assert_eq!(change.trip_start, Some(at("2024-08-03T13:40:00Z")));
    assert_eq!(change.trip_end, None);
    // Names and countries left out come from the airport dataset.
    assert_eq!(change.origin, place("MAN", "Manchester Airport", "GB"));
    assert_eq!(change.destination, place("PMI", "Palma de Mallorca", "ES"));
    assert_eq!((change.adults, change.cabin_class.clone()), (None, None));
    assert_eq!(
        change.customer,
        customer(
            "CUST-558201",
            Some("Sam"),
            "sam@example.co.uk",
            "+447700900456"
        )
    );
    assert!(change.extras.is_empty());
}

#[test]
fn the_platform_needs_no_contact_data_on_create() {
    let change = change("booking-create", NO_CONTACT);
    assert_eq!(change.reference, "EI-BCN-7731");
    assert_eq!(change.status, Some(BookingStatus::Confirmed));
    assert_eq!(change.trip_start, Some(at("2024-09-12T10:05:00Z")));
    assert_eq!(
        change.origin,
        place("DUB", "Dublin International Airport", "IE")
    );
    assert_eq!(change.destination, place("BCN", "Barcelona", "ES"));
    assert_eq!(change.adults, Some(2));
    let known = Customer {
        id: Some("CUST-7731".into()),
        ..Customer::default()
    };
    assert_eq!(change.customer, Some(known));
    assert!(change.passengers.is_empty(), "nobody is named");
}

#[test]
fn the_platforms_legs_aggregate_into_one_booking() {
    let legs = [
        (LEG_1, 1, "LHR", "London", "GB", "SFO", "San Francisco"),
        (LEG_2, 2, "SFO", "San Francisco", "US", "LAX", "Los Angeles"),
        (LEG_3, 3, "LAX", "Los Angeles", "US", "LAS", "Las Vegas"),
    ];
    let arrivals = [
        "2024-09-02T19:30:00Z",
        "2024-09-05T17:10:00Z",
        "2024-09-08T16:05:00Z",
    ];
    for ((fixture, n, from, from_name, from_country, to, to_name), arrival) in
        legs.into_iter().zip(arrivals)
    {
        let change = change("booking-create", fixture);
        assert_eq!(change.reference, "5678");
        assert_eq!(change.status, Some(BookingStatus::Confirmed));
        assert!(change.cancel_when_all_segments_cancelled);
        assert_eq!((&change.origin, &change.destination), (&None, &None));
        assert_eq!(change.adults, Some(2));
        assert_eq!(
            change.customer,
            customer(
                "CUST-5678",
                Some("Ana"),
                "ana.silva@example.com",
                "+441632960881"
            )
        );
        let segment = SegmentChange {
            reference: format!("5678-{n}"),
            sequence: Some(n),
            kind: Some(SegmentKind::Air),
            status: Some(SegmentStatus::Active),
            origin: place(from, from_name, from_country),
            destination: place(to, to_name, "US"),
            departure_at: None,
            arrival_at: Some(at(arrival)),
            carrier: None,
            flight_number: None,
            cabin_class: Some("ECONOMY".into()),
        };
        assert_eq!(change.segments, vec![segment], "leg {n}");
        // The first leg's arrival starts the trip; the last leg's return date ends it.
        let start = (n == 1).then(|| at(arrival));
        let end = (n == 3).then(|| at("2024-09-11T10:00:00Z"));
        assert_eq!(
            (change.trip_start, change.trip_end),
            (start, end),
            "leg {n}"
        );
    }
}

#[test]
fn a_form_delete_of_one_leg_cancels_that_segment_only() {
    let change = change("booking-cancel", DELETE_LEG_2_FORM);
    let expected = BookingChange {
        reference: "5678".into(),
        kind: Some(ChangeKind::Update),
        status: None,
        segments: vec![SegmentChange {
            reference: "5678-2".into(),
            sequence: Some(2),
            kind: Some(SegmentKind::Air),
            status: Some(SegmentStatus::Cancelled),
            ..SegmentChange::default()
        }],
        cancel_when_all_segments_cancelled: true,
        ..BookingChange::default()
    };
    assert_eq!(change, expected);
}

#[test]
fn both_name_sets_mix_with_numbers_as_text_and_a_spaced_phone() {
    let delivery = delivery("booking-create", MIXED);
    assert_eq!(delivery.occurred_at, Some(at("2024-03-02T11:15:00Z")));
    let change = change_of(delivery);
    let ams = place("AMS", "Amsterdam", "NL");
    let fco = place("FCO", "Rome", "IT");
    let expected = BookingChange {
        reference: "HX48213".into(),
        kind: Some(ChangeKind::Create),
        status: Some(BookingStatus::Confirmed),
        booked_at: Some(at("2024-03-02T11:15:00Z")),
        trip_start: Some(at("2024-04-10T07:05:00Z")),
        trip_end: Some(at("2024-04-17T19:40:00Z")),
        origin: ams.clone(),
        destination: fco.clone(),
        adults: Some(2),
        children: Some(1),
        bag_count: Some(2),
        cabin_class: Some("ECONOMY".into()),
        customer: customer(
            "CUST-48213",
            Some("Joost"),
            "joost@example.nl",
            "+31612345678",
        ),
        passengers: lead("Joost", "joost@example.nl", "+31612345678"),
        segments: vec![SegmentChange {
            reference: "HX48213".into(),
            sequence: Some(1),
            kind: Some(SegmentKind::Air),
            status: Some(SegmentStatus::Active),
            origin: ams,
            destination: fco,
            departure_at: Some(at("2024-04-10T07:05:00Z")),
            arrival_at: None,
            carrier: Some("KL".into()),
            flight_number: Some("KL1601".into()),
            cabin_class: Some("ECONOMY".into()),
        }],
        ..BookingChange::default()
    };
    assert_eq!(change, expected);
}

#[test]
fn a_platform_body_needs_only_a_booking_reference() {
    let body = json!({EXTERNAL_REFERENCE: "T1", "consumerGivenName": null});
    let change = change_of(deliver("booking-create", &body).unwrap());
    assert_eq!(change.reference, "T1");
    assert_eq!(change.status, Some(BookingStatus::Confirmed));
    let body = json!({"consumerGivenName": "Ana", "consumerTripDestinationAirportCode": "LIS"});
    assert_eq!(
        failing_fields("booking-create", &body),
        [EXTERNAL_REFERENCE]
    );
}

#[test]
fn the_same_datum_under_both_names_must_agree() {
    let body = json!({
        EXTERNAL_REFERENCE: "T2",
        "departureAirportCode": "LHR", "consumerTripDepartureAirportCode": "lgw",
        "pax": 2, "consumerTripPersonCount": "3",
        "phoneNumber": "+447707373348", "consumerPhone": "+44 7707 373348",
        "destinationCountry": "PT", "consumerTripDestinationCountryName": "Portugal",
    });
    assert_eq!(
        failing_fields("booking-update", &body),
        [
            "consumerTripDepartureAirportCode",
            "consumerTripPersonCount"
        ]
    );
}

#[test]
fn a_date_without_a_known_airport_is_refused_on_its_field() {
    let body = json!({EXTERNAL_REFERENCE: "T3", "consumerTripArrivalDate": "2024-06-14"});
    assert_eq!(
        failing_fields("booking-create", &body),
        ["consumerTripArrivalDate"]
    );
    let body = json!({EXTERNAL_REFERENCE: "T3", "consumerTripReturnDate": "2024-06-14",
        "consumerTripDestinationAirportCode": "ZZZ"});
    assert_eq!(
        failing_fields("booking-create", &body),
        ["consumerTripReturnDate"]
    );
}

#[test]
fn the_platforms_values_are_validated_like_ours() {
    let body = json!({
        EXTERNAL_REFERENCE: "T4",
        "consumerTripDepartureAirportCode": "Dubai",
        "consumerPhone": "07707 373348",
        "consumerEmail": "christophe4",
        "consumerTripPersonCount": "two",
        "consumerTripArrivalDate": "18/05/2024",
    });
    assert_eq!(
        failing_fields("booking-update", &body),
        [
            "consumerTripDepartureAirportCode",
            "consumerTripArrivalDate",
            "consumerPhone",
            "consumerEmail",
            "consumerTripPersonCount",
        ]
    );
}

#[test]
fn phones_written_for_people_are_stored_in_e164() {
    for written in ["+44 7707 373348", "+44 (0)7707 373348", "+44-7707-373348"] {
        let body = json!({"bookingId": "P1", "phoneNumber": written});
        let change = change_of(deliver("booking-update", &body).unwrap());
        assert_eq!(
            change.customer.unwrap().phone.as_deref(),
            Some("+447707373348"),
            "{written}"
        );
    }
}

#[test]
fn country_names_in_our_fields_become_codes_too() {
    let body = json!({"bookingId": "C1", "departureCountry": "united kingdom",
        "destinationCountry": "pt"});
    let change = change_of(deliver("booking-update", &body).unwrap());
    assert_eq!(change.origin.unwrap().country.as_deref(), Some("GB"));
    assert_eq!(change.destination.unwrap().country.as_deref(), Some("PT"));
}

#[test]
fn a_leg_without_departure_that_is_not_the_first_leaves_the_start_to_the_legs() {
    let mut body = body_of(LEG_2);
    body["tripStart"] = json!("2024-09-05T14:00:00Z");
    let change = change_of(deliver("booking-create", &body).unwrap());
    assert_eq!(change.trip_start, None);
    let segment = &change.segments[0];
    assert_eq!(segment.departure_at, Some(at("2024-09-05T14:00:00Z")));
    assert_eq!(segment.arrival_at, Some(at("2024-09-05T17:10:00Z")));
    let mut body = body_of(LEG_1);
    body["tripStart"] = json!("2024-09-02T08:00:00Z");
    let change = change_of(deliver("booking-create", &body).unwrap());
    assert_eq!(change.trip_start, None, "leg 1's departure is a segment's");
}

#[test]
fn our_own_leg_update_with_only_its_end_states_no_trip_start() {
    let body = json!({"bookingId": "1234", EXTERNAL_REFERENCE: "1234-1",
        "tripEnd": "2024-05-03T21:50:00Z"});
    let change = change_of(deliver("booking-update", &body).unwrap());
    assert_eq!((change.trip_start, change.trip_end), (None, None));
    assert_eq!(
        change.segments[0].arrival_at,
        Some(at("2024-05-03T21:50:00Z"))
    );
}
