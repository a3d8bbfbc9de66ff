//! Unit tests of the ground-transfer adapter, on the marketplace's own samples.

use super::*;
use crate::canonical::{Customer, PassengerChange};

/// The adapter as the receiver calls it: through [`crate::understand`], which checks
/// the topic and the top-level object first.
fn normalize(request: Request<'_>) -> Result<Delivery, AdapterError> {
    crate::understand(&GroundTransfer, request)
}
use chrono::{DateTime, Utc};
use serde_json::json;

const NEW: &str = include_str!("../../../tests/fixtures/ground_transfer/booking-new.json");
const NEW_MINIMAL: &str =
    include_str!("../../../tests/fixtures/ground_transfer/booking-new-minimal.json");
const NEW_WITHOUT_FLIGHT: &str =
    include_str!("../../../tests/fixtures/ground_transfer/booking-new-without-flight.json");
const NEW_INVALID: &str =
    include_str!("../../../tests/fixtures/ground_transfer/booking-new-invalid.json");
const AMENDMENT: &str =
    include_str!("../../../tests/fixtures/ground_transfer/booking-amendment.json");
const AMENDMENT_OFFSET: &str =
    include_str!("../../../tests/fixtures/ground_transfer/booking-amendment-pickup-offset.json");
const CANCELLATION: &str =
    include_str!("../../../tests/fixtures/ground_transfer/booking-cancellation.json");
const INVALID_ACTION: &str =
    include_str!("../../../tests/fixtures/ground_transfer/booking-update-invalid-action.json");

/// The booking the partner document's samples are about.
const REFERENCE: &str = "44225562";

fn deliver(topic: Option<&str>, body: &Value) -> Result<Delivery, AdapterError> {
    normalize(Request { topic, body })
}

fn delivery(topic: Option<&str>, fixture: &str) -> Delivery {
    let body: Value = serde_json::from_str(fixture).unwrap();
    deliver(topic, &body).unwrap()
}

fn change_of(delivery: &Delivery) -> &BookingChange {
    match &delivery.action {
        Action::Apply(change) => change,
        other => panic!("expected a booking change, got {other:?}"),
    }
}

fn errors(topic: Option<&str>, body: &Value) -> Vec<FieldError> {
    match deliver(topic, body) {
        Err(AdapterError::Invalid(errors)) => errors,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn fields(errors: &[FieldError]) -> Vec<&str> {
    errors.iter().map(|e| e.field.as_str()).collect()
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

#[test]
fn new_booking_sample_creates_a_confirmed_transfer_booking() {
    let delivery = delivery(None, NEW);
    assert_eq!(delivery.event_type, "booking-new");
    assert_eq!(
        (delivery.idempotency_key.clone(), delivery.occurred_at),
        (None, None)
    );
    assert_eq!(delivery.detail, None);
    let change = change_of(&delivery);
    assert_eq!(change.reference, REFERENCE);
    assert_eq!(change.kind, Some(ChangeKind::Create));
    assert_eq!(change.status, Some(BookingStatus::Confirmed));
    let customer_id = "191e8c71a3f2c19092baf027a96962989493c07a5dadb146b73df653c837a2fa";
    let customer = Customer {
        id: Some(customer_id.into()),
        first_name: Some("John".into()),
        email: None,
        phone: Some("+441632960881".into()),
    };
    assert_eq!(change.customer, Some(customer));
    let lead = PassengerChange {
        reference: "lead".into(),
        first_name: Some("John".into()),
        last_name: Some("Doe".into()),
        passenger_type: Some(PassengerType::Adult),
        lead: Some(true),
        email: None,
        phone: Some("+441632960881".into()),
    };
    assert_eq!(change.passengers, vec![lead]);
    let transfer = SegmentChange {
        reference: REFERENCE.into(),
        sequence: Some(1),
        kind: Some(SegmentKind::Transfer),
        status: Some(SegmentStatus::Active),
        carrier: Some("BA".into()),
        flight_number: Some("BA123".into()),
        ..SegmentChange::default()
    };
    assert_eq!(change.segments, vec![transfer]);
    let extras = json!({
        "customerReference": "87654321",
        "searchResultId": "d290f1ee-6c54-4b01-90e6-d701748f0851",
        "comment": "Need a pet friendly car",
        "services": [{"name": "meetAndGreetMessage", "value": "Welcome John Doe"}],
        "title": "Mr"
    });
    assert_eq!(Value::Object(change.extras.clone()), extras);
    assert_eq!(
        (change.trip_start, change.booked_at, change.adults),
        (None, None, None)
    );
    assert!(!change.cancel_when_all_segments_cancelled);
}

#[test]
fn new_booking_needs_only_the_documented_required_fields() {
    let change = change_of(&delivery(None, NEW_MINIMAL)).clone();
    assert_eq!(change.reference, "51000417");
    assert!(change.extras.is_empty());
    assert_eq!(change.passengers[0].last_name.as_deref(), Some("Garcia"));
    assert_eq!(change.segments.len(), 1);
    assert_eq!(
        (
            change.segments[0].flight_number.clone(),
            change.segments[0].carrier.clone()
        ),
        (None, None)
    );
    assert_eq!(change.segments[0].kind, Some(SegmentKind::Transfer));
}

#[test]
fn empty_strings_and_lists_count_as_not_sent() {
    let change = change_of(&delivery(None, NEW_WITHOUT_FLIGHT)).clone();
    assert_eq!(change.segments[0].flight_number, None);
    let extras = json!({"customerReference": "99001122", "title": "Ms"});
    assert_eq!(Value::Object(change.extras), extras);
}

#[test]
fn amendment_sample_updates_passenger_flight_and_pickup() {
    let delivery = delivery(Some(REFERENCE), AMENDMENT);
    assert_eq!(delivery.event_type, "booking-amendment");
    assert_eq!(delivery.occurred_at, None);
    let change = change_of(&delivery);
    assert_eq!(change.reference, REFERENCE);
    assert_eq!(change.kind, Some(ChangeKind::Update));
    assert_eq!(change.status, None);
    let customer = Customer {
        first_name: Some("John".into()),
        phone: Some("+441632960881".into()),
        ..Customer::default()
    };
    assert_eq!(change.customer, Some(customer));
    assert_eq!(change.passengers.len(), 1);
    assert_eq!(change.passengers[0].reference, "lead");
    assert_eq!(change.passengers[0].last_name.as_deref(), Some("Doe"));
    let transfer = SegmentChange {
        reference: REFERENCE.into(),
        sequence: Some(1),
        kind: Some(SegmentKind::Transfer),
        status: None,
        departure_at: Some(at("2021-12-07T12:30:00Z")),
        carrier: Some("BA".into()),
        flight_number: Some("BA123".into()),
        ..SegmentChange::default()
    };
    assert_eq!(change.segments, vec![transfer]);
    // An amendment's empty cancellationReason is not kept.
    assert!(!change.extras.contains_key("cancellationReason"));
    assert_eq!(change.extras["comment"], "Need a pet friendly car");
}

#[test]
fn cancellation_sample_cancels_the_booking_and_keeps_the_reason() {
    let delivery = delivery(Some(REFERENCE), CANCELLATION);
    assert_eq!(delivery.event_type, "booking-cancellation");
    let change = change_of(&delivery);
    assert_eq!(change.reference, REFERENCE);
    assert_eq!(change.kind, Some(ChangeKind::Update));
    assert_eq!(change.status, Some(BookingStatus::Cancelled));
    let extras = json!({"cancellationReason": "Customer requested cancellation", "title": "Mr"});
    assert_eq!(Value::Object(change.extras.clone()), extras);
    // The empty flightNumber is "not sent": the transfer keeps its flight.
    assert_eq!(change.segments.len(), 1);
    assert_eq!(change.segments[0].status, Some(SegmentStatus::Cancelled));
    assert_eq!(change.segments[0].flight_number, None);
    assert_eq!(
        change.segments[0].departure_at,
        Some(at("2021-12-07T12:30:00Z"))
    );
}

#[test]
fn pickup_times_with_an_offset_are_normalised_to_utc() {
    let change = change_of(&delivery(Some("51000417"), AMENDMENT_OFFSET)).clone();
    assert_eq!(change.reference, "51000417");
    assert_eq!(
        change.segments[0].departure_at,
        Some(at("2021-12-07T12:45:00Z"))
    );
    assert_eq!(change.segments[0].flight_number.as_deref(), Some("EI154"));
    assert_eq!(change.segments[0].carrier.as_deref(), Some("EI"));
    let customer = Customer {
        phone: Some("+447700900123".into()),
        ..Customer::default()
    };
    assert_eq!(change.customer, Some(customer));
    assert_eq!(change.passengers[0].first_name, None);
}

#[test]
fn update_without_transfer_details_touches_no_segment() {
    let change = change_of(
        &deliver(
            Some("X9"),
            &json!({"action": "AMENDMENT", "comment": "Two suitcases"}),
        )
        .unwrap(),
    )
    .clone();
    assert!(change.segments.is_empty());
    assert_eq!((change.customer, change.passengers.len()), (None, 0));
    assert_eq!(change.extras["comment"], "Two suitcases");
}

#[test]
fn the_url_reference_wins_over_one_in_an_update_body() {
    let body = json!({"bookingReference": "OTHER", "action": "cancellation"});
    let change = change_of(&deliver(Some("44225562"), &body).unwrap()).clone();
    assert_eq!(change.reference, "44225562");
    assert_eq!(change.status, Some(BookingStatus::Cancelled));
}

#[test]
fn unknown_actions_are_refused_listing_the_allowed_ones() {
    let body: Value = serde_json::from_str(INVALID_ACTION).unwrap();
    let errors = errors(Some(REFERENCE), &body);
    assert_eq!(fields(&errors), ["action", "pickupDateTime"]);
    assert!(errors[0].message.contains("AMENDMENT") && errors[0].message.contains("CANCELLATION"));
    assert!(errors[0].message.contains("REFUND"));
}

#[test]
fn updates_need_an_action() {
    for body in [json!({}), json!({"action": ""})] {
        let errors = errors(Some(REFERENCE), &body);
        assert_eq!(fields(&errors), ["action"]);
        assert!(errors[0].message.contains("required"));
        assert!(errors[0].message.contains("AMENDMENT"));
    }
    assert_eq!(
        fields(&errors(Some(REFERENCE), &json!({"action": ["AMENDMENT"]}))),
        ["action"]
    );
}

#[test]
fn every_failing_field_of_a_new_booking_is_reported() {
    let body: Value = serde_json::from_str(NEW_INVALID).unwrap();
    let errors = errors(None, &body);
    assert_eq!(
        fields(&errors),
        [
            "leadPassenger.lastName",
            "leadPassenger.phoneNumber",
            "flightNumber",
            "services"
        ]
    );
    assert_eq!(errors[1].message, "must be E.164, e.g. +441632960881");
}

#[test]
fn new_booking_requires_reference_and_lead_passenger() {
    let missing = errors(None, &json!({"comment": "hello"}));
    let expected = [
        "bookingReference",
        "leadPassenger.firstName",
        "leadPassenger.lastName",
        "leadPassenger.phoneNumber",
        "leadPassenger.customerId",
    ];
    assert_eq!(fields(&missing), expected);
    let not_an_object = errors(
        None,
        &json!({"bookingReference": "1", "leadPassenger": ["John"]}),
    );
    assert_eq!(fields(&not_an_object), ["leadPassenger"]);
}

#[test]
fn services_must_be_name_value_objects() {
    let mut body: Value = serde_json::from_str(NEW).unwrap();
    body["services"] =
        json!([{"name": "meetAndGreetMessage", "value": {"text": 1}}, "x", {"value": "y"}]);
    let errors = errors(None, &body);
    assert_eq!(
        fields(&errors),
        ["services.0.value", "services.1", "services.2.name"]
    );
}

#[test]
fn wrong_shapes_are_field_errors_not_panics() {
    for body in [json!([1]), json!("x"), json!(null), json!(1e300)] {
        assert_eq!(fields(&errors(None, &body)), ["$"]);
        assert_eq!(fields(&errors(Some(REFERENCE), &body)), ["$"]);
    }
    let body = json!({
        "bookingReference": {"a": 1},
        "leadPassenger": {"firstName": 7, "lastName": true, "phoneNumber": 441632960881u64, "customerId": []},
        "flightNumber": "ßß1", "pickupDateTime": 1_000_000, "comment": {}
    });
    let errors = errors(None, &body);
    for field in [
        "bookingReference",
        "leadPassenger.lastName",
        "leadPassenger.phoneNumber",
        "leadPassenger.customerId",
        "flightNumber",
        "pickupDateTime",
        "comment",
    ] {
        assert!(fields(&errors).contains(&field), "{field} in {errors:?}");
    }
}

#[test]
fn a_blank_topic_is_a_new_booking() {
    let delivery = delivery(Some(" "), NEW);
    assert_eq!(delivery.event_type, "booking-new");
    assert_eq!(change_of(&delivery).reference, REFERENCE);
}

mod real_formats {
    //! Every request example of the marketplace's supplier documentation (CONTRACT §4
    //! *Real formats*): the repository's corpus `tests/fixtures/real/ground_transfer/`.
    use super::*;

    const INCIDENT: &str = include_str!(
        "../../../tests/fixtures/real/ground_transfer/01_incident_created_customer_no_show.json"
    );
    const REQUIRED_ONLY: &str = include_str!(
        "../../../tests/fixtures/real/ground_transfer/02_new_booking_required_fields_only.json"
    );
    const LEGACY_SERVICE: &str = include_str!(
        "../../../tests/fixtures/real/ground_transfer/03_new_booking_legacy_meet_and_greet_service.json"
    );
    const PICKUP_ONLY: &str = include_str!(
        "../../../tests/fixtures/real/ground_transfer/04_amendment_pickup_time_only.json"
    );
    const CANCELLATION_MINIMAL: &str =
        include_str!("../../../tests/fixtures/real/ground_transfer/05_cancellation_minimal.json");
    const PARTIAL_PASSENGER: &str = include_str!(
        "../../../tests/fixtures/real/ground_transfer/06_amendment_phone_and_flight_partial_passenger.json"
    );

    #[test]
    fn a_new_booking_with_only_the_required_fields_is_a_transfer_without_flight() {
        let delivery = delivery(None, REQUIRED_ONLY);
        assert_eq!(delivery.event_type, "booking-new");
        let change = change_of(&delivery);
        assert_eq!(change.reference, "61882047");
        assert_eq!(change.status, Some(BookingStatus::Confirmed));
        assert!(change.extras.is_empty(), "{:?}", change.extras);
        let lead = &change.passengers[0];
        assert_eq!(
            (lead.first_name.as_deref(), lead.last_name.as_deref()),
            (Some("Aoife"), Some("Murphy"))
        );
        assert_eq!(lead.phone.as_deref(), Some("+353851234567"));
        let transfer = SegmentChange {
            reference: "61882047".into(),
            sequence: Some(1),
            kind: Some(SegmentKind::Transfer),
            status: Some(SegmentStatus::Active),
            ..SegmentChange::default()
        };
        assert_eq!(change.segments, vec![transfer]);
    }

    #[test]
    fn an_older_service_name_and_a_non_ascii_name_are_kept_as_sent() {
        let change = change_of(&delivery(None, LEGACY_SERVICE)).clone();
        assert_eq!(change.reference, "61882111");
        assert_eq!(change.passengers[0].first_name.as_deref(), Some("Zoë"));
        assert_eq!(
            change.passengers[0].last_name.as_deref(),
            Some("van der Berg")
        );
        assert_eq!(
            change.customer.and_then(|c| c.first_name).as_deref(),
            Some("Zoë")
        );
        let extras = json!({
            "customerReference": "90817263",
            "services": [{"name": "meetAndGreet", "value": "Welcome Zoë van der Berg"}],
            "title": "Ms"
        });
        assert_eq!(Value::Object(change.extras), extras);
        assert_eq!(change.segments[0].flight_number.as_deref(), Some("KL1001"));
        assert_eq!(change.segments[0].carrier.as_deref(), Some("KL"));
    }

    #[test]
    fn an_amendment_with_only_a_pickup_time_moves_the_transfer() {
        let delivery = delivery(Some("61882047"), PICKUP_ONLY);
        assert_eq!(delivery.event_type, "booking-amendment");
        let change = change_of(&delivery);
        assert_eq!(
            (change.status, change.kind),
            (None, Some(ChangeKind::Update))
        );
        assert_eq!(
            (change.customer.clone(), change.passengers.len()),
            (None, 0)
        );
        let transfer = SegmentChange {
            reference: "61882047".into(),
            sequence: Some(1),
            kind: Some(SegmentKind::Transfer),
            departure_at: Some(at("2024-10-03T06:45:00Z")),
            ..SegmentChange::default()
        };
        assert_eq!(change.segments, vec![transfer]);
        assert!(change.extras.is_empty());
    }

    #[test]
    fn a_cancellation_with_nothing_else_cancels_booking_and_transfer() {
        let delivery = delivery(Some("61882111"), CANCELLATION_MINIMAL);
        assert_eq!(delivery.event_type, "booking-cancellation");
        let change = change_of(&delivery);
        assert_eq!(change.status, Some(BookingStatus::Cancelled));
        assert_eq!(change.extras["cancellationReason"], "Flight cancelled");
        assert_eq!(change.segments.len(), 1);
        assert_eq!(change.segments[0].status, Some(SegmentStatus::Cancelled));
        assert_eq!(
            (
                change.segments[0].departure_at,
                change.segments[0].flight_number.clone()
            ),
            (None, None)
        );
        assert!(change.passengers.is_empty() && change.customer.is_none());
    }

    #[test]
    fn a_partial_lead_passenger_and_a_spaced_flight_number_amend_only_those() {
        let change = change_of(&delivery(Some("61882047"), PARTIAL_PASSENGER)).clone();
        let lead = PassengerChange {
            reference: "lead".into(),
            passenger_type: Some(PassengerType::Adult),
            lead: Some(true),
            phone: Some("+353871112233".into()),
            ..PassengerChange::default()
        };
        assert_eq!(change.passengers, vec![lead]);
        let customer = Customer {
            phone: Some("+353871112233".into()),
            ..Customer::default()
        };
        assert_eq!(change.customer, Some(customer));
        assert_eq!(change.segments[0].flight_number.as_deref(), Some("EI712"));
        assert_eq!(change.segments[0].carrier.as_deref(), Some("EI"));
        assert_eq!(change.segments[0].status, None);
    }

    #[test]
    fn a_pickup_time_without_an_offset_is_utc_as_documented() {
        let body = json!({"action": "AMENDMENT", "pickupDateTime": "2024-10-03T06:45:00"});
        let change = change_of(&deliver(Some("61882047"), &body).unwrap()).clone();
        assert_eq!(
            change.segments[0].departure_at,
            Some(at("2024-10-03T06:45:00Z"))
        );
    }

    #[test]
    fn an_incident_reaching_the_endpoint_is_understood_and_ignored() {
        let body: Value = serde_json::from_str(INCIDENT).unwrap();
        for topic in [None, Some("123456789")] {
            let request = Request { topic, body: &body };
            assert_eq!(event_type(request).as_deref(), Some("incident"));
            let delivery = normalize(request).expect("understood");
            assert_eq!(delivery.event_type, "incident");
            let Action::Ignore { reason } = &delivery.action else {
                panic!("expected ignored, got {:?}", delivery.action)
            };
            assert!(
                reason.contains("CUSTOMER_NO_SHOW") && reason.contains("123456789"),
                "{reason}"
            );
        }
        // A booking that happens to carry an incidentType is still a booking.
        let mut new: Value = serde_json::from_str(NEW).unwrap();
        new["incidentType"] = json!("OTHER");
        assert_eq!(deliver(None, &new).unwrap().event_type, "booking-new");
    }
}
