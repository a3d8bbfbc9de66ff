//! Unit tests of the AirGateway adapter, on the partner's own samples.

use super::events::{Effect, EVENTS, LATER_EVENTS};
use super::fields::EXTRAS;
use super::*;
use crate::canonical::FieldError;

/// The adapter as the receiver calls it: through [`crate::understand`], which checks
/// the topic and the top-level object first.
fn normalize(request: Request<'_>) -> Result<Delivery, AdapterError> {
    crate::understand(&Airgateway, request)
}
use crate::canonical::{Customer, PassengerChange};
use crate::{SegmentKind, SegmentStatus};

const ORDER_CREATED: &str = include_str!("../../../tests/fixtures/airgateway/order-created.json");
const TICKETED_TEMPLATE: &str =
    include_str!("../../../tests/fixtures/airgateway/order-ticketed-template.json");
const ORDER_CANCELED: &str = include_str!("../../../tests/fixtures/airgateway/order-canceled.json");
const FLIGHT_TIME_CHANGE: &str =
    include_str!("../../../tests/fixtures/airgateway/flight-time-change.json");
const SEATS_ON_HOLD: &str =
    include_str!("../../../tests/fixtures/airgateway/seats-addition-on-hold.json");
const LOCAL_TIMES: &str =
    include_str!("../../../tests/fixtures/airgateway/order-created-local-times.json");
const UNKNOWN_EVENT: &str = include_str!("../../../tests/fixtures/airgateway/unknown-event.json");
const INVALID_FIELDS: &str = include_str!("../../../tests/fixtures/airgateway/invalid-fields.json");
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
        Some("LHR".into())
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

/// CONTRACT §4 rev. 2: partners add event names, so an unknown one is applied as an
/// update that changes no status, under its own name (it used to be refused on `event`).
#[test]
fn an_unknown_event_is_applied_as_an_update_that_changes_no_status() {
    let (delivery, change) = apply(None, UNKNOWN_EVENT);
    assert_eq!(delivery.event_type, "OrderExploded");
    assert_eq!(delivery.detail, None);
    assert_eq!(delivery.occurred_at, None);
    assert_eq!(change.reference, "AGW-5F3K8M2Q");
    assert_eq!(change.kind, Some(ChangeKind::Update));
    assert_eq!(change.status, None);
    // Not even a clear `orderStatus` sets a status: the event's meaning is unknown.
    let body =
        json!({"agwID": "AGW-1", "orderStatus": "cancelled", "updatedOn": "2025-12-01T10:00:00Z"});
    let (delivery, change) = apply(Some("  OrderShipped "), &body.to_string());
    assert_eq!(delivery.event_type, "OrderShipped");
    assert_eq!(delivery.occurred_at, Some(at("2025-12-01T10:00:00Z")));
    assert_eq!(change.status, None);
    assert_eq!(
        event_type(Request {
            topic: Some("OrderShipped"),
            body: &body
        })
        .as_deref(),
        Some("OrderShipped")
    );
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
            "$"
        );
    }
}

mod real_formats {
    //! What AirGateway really sends (CONTRACT §4 *Real formats*): the repository's corpus
    //! `tests/fixtures/real/airgateway/` and the shared `real-payloads/airgateway/`.
    use super::*;

    const KB_STANDARD: &str = include_str!(
        "../../../tests/fixtures/real/airgateway/01_kb_standard_payload_orderID_only.json"
    );
    const DEVGUIDES_TEMPLATE: &str = include_str!(
        "../../../tests/fixtures/real/airgateway/02_devguides_webhook_page_json_body_template.json"
    );
    const AIRLINE_NOTIFICATION: &str =
        include_str!("../../../tests/fixtures/real/airgateway/03_airline_notification.json");
    const ORDER_CHANGED: &str =
        include_str!("../../../tests/fixtures/real/airgateway/04_order_changed_orderID_only.json");
    const DATES_CHANGED: &str =
        include_str!("../../../tests/fixtures/real/airgateway/05_dates_changed_offset.json");
    const SERVICES_DELETION: &str = include_str!(
        "../../../tests/fixtures/real/airgateway/07_services_deletion_legacy_name.json"
    );
    const DEVGUIDES_SPELLING: &str = include_str!(
        "../../../tests/fixtures/real/airgateway/08_order_created_agwId_orderId_lowercase_d.json"
    );
    const NULLS_AND_EMPTY: &str = include_str!(
        "../../../tests/fixtures/real/airgateway/09_order_canceled_nulls_and_empty.json"
    );

    /// The shared payload, read where it lives (it is never copied into the repository).
    fn shared(name: &str) -> Value {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/real-payloads/airgateway")
            .join(name);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("shared payload {}: {e}", path.display()));
        serde_json::from_str(&text).expect("shared payload is JSON")
    }

    #[test]
    fn names_published_after_document_001_have_their_meaning() {
        let (delivery, change) = apply(None, AIRLINE_NOTIFICATION);
        assert_eq!(delivery.event_type, "AirlineNotification");
        assert_eq!(
            delivery.detail,
            Some(json!({"disruption": "AirlineNotification"}))
        );
        assert_eq!(
            change.status,
            Some(BookingStatus::Disrupted),
            "the notice wins over orderStatus"
        );
        for name in [
            "OrderChanged",
            "DatesChanged",
            "ServicesDeletion",
            "SeatsDeletion",
        ] {
            let (delivery, change) = apply(Some(name), r#"{"agwID": "AGW-1"}"#);
            assert_eq!(delivery.event_type, name);
            assert_eq!(
                (change.kind, change.status, delivery.detail),
                (Some(ChangeKind::Update), None, None),
                "{name}"
            );
        }
        assert_eq!(LATER_EVENTS.len(), 5);
        assert!(LATER_EVENTS
            .iter()
            .all(|(name, _)| !EVENTS.iter().any(|(old, _)| old == name)));
        assert!(LATER_EVENTS
            .iter()
            .any(|(name, effect)| *name == "AirlineNotification" && *effect == Effect::Disruption));
    }

    #[test]
    fn published_names_are_recorded_under_airgateways_spelling_whatever_the_case() {
        let body = json!({"agwID": "AGW-1"});
        let delivery = run(Some("airlinenotification"), &body).expect("valid");
        assert_eq!(delivery.event_type, "AirlineNotification");
        let request = Request {
            topic: Some("orderchanged"),
            body: &body,
        };
        assert_eq!(event_type(request).as_deref(), Some("OrderChanged"));
        // A blank topic is no topic: the body's `event` names it.
        let body = json!({"event": " DatesChanged ", "agwID": "AGW-1"});
        assert_eq!(run(Some(" "), &body).unwrap().event_type, "DatesChanged");
        let request = Request {
            topic: Some(""),
            body: &body,
        };
        assert_eq!(event_type(request).as_deref(), Some("DatesChanged"));
    }

    #[test]
    fn the_support_articles_standard_payload_names_the_order_by_order_id_only() {
        let (delivery, change) = apply(Some("OrderTicketed"), KB_STANDARD);
        assert_eq!(delivery.event_type, "OrderTicketed");
        assert_eq!(delivery.occurred_at, None);
        assert_eq!(change.reference, "AGW-E1TLLZH0HB");
        assert_eq!(change.status, Some(BookingStatus::Ticketed));
        assert!(
            !change.extras.contains_key("orderID"),
            "the orderID holds the AGW id here, not the airline's"
        );
        assert_eq!(change.extras["pnr"], json!("YMCP6O"));
        assert_eq!(change.extras["agency"], json!("agency-001"));
        assert!(change.segments.is_empty() && change.passengers.is_empty());
        assert_eq!(change.customer, None);
        let (_, change) = apply(Some("OrderChanged"), ORDER_CHANGED);
        assert_eq!(change.reference, "AGW-7RZK2D9W");
        assert_eq!(change.status, Some(BookingStatus::Confirmed), "orderStatus");
    }

    #[test]
    fn a_template_that_names_no_booking_is_refused_on_agw_id_saying_why() {
        for body in [
            fixture(DEVGUIDES_TEMPLATE),
            shared("devguides_2019-10-11_task_jsonBody_no_order_id.json"),
        ] {
            let request = Request {
                topic: Some("OrderTicketed"),
                body: &body,
            };
            assert_eq!(event_type(request).as_deref(), Some("OrderTicketed"));
            let errors = field_errors(normalize(request));
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert_eq!(errors[0].field, "agwID");
            let message = &errors[0].message;
            assert!(message.contains("names no booking"), "{message}");
            assert!(message.contains("orderID"), "{message}");
            assert!(message.contains("placeholder"), "{message}");
        }
        let errors = field_errors(run(Some("OrderTicketed"), &json!({"pnr": "7XQ2LM"})));
        assert_eq!(errors.len(), 1);
        assert!(!errors[0].message.contains("placeholder"));
    }

    #[test]
    fn the_developer_guides_spelling_agw_id_and_order_id_is_read() {
        let (delivery, change) = apply(None, DEVGUIDES_SPELLING);
        assert_eq!(delivery.event_type, "OrderCreated");
        assert_eq!(delivery.occurred_at, Some(at("2025-11-28T17:45:12Z")));
        assert_eq!(change.reference, "AGW-3MNB8X1C");
        assert_eq!(change.kind, Some(ChangeKind::Create));
        assert_eq!(change.status, Some(BookingStatus::Confirmed));
        assert_eq!(change.booked_at, Some(at("2025-11-28T17:45:12Z")));
        assert_eq!(change.extras["orderID"], json!("UX-9PLK2W"));
        assert_eq!(change.segments.len(), 1);
        assert_eq!(change.segments[0].reference, "BCN-FCO#1");
        let lead = &change.passengers[0];
        assert_eq!(
            (lead.first_name.as_deref(), lead.last_name.as_deref()),
            (Some("Marco"), Some("Rossi"))
        );
        assert_eq!(lead.phone.as_deref(), Some("+393123456789"));
        // The contract's spelling wins where both are sent; so does an AirGateway id.
        let body = json!({"agwId": "AGW-2", "agwID": "AGW-1", "orderId": "X"});
        assert_eq!(
            apply(Some("OrderTicketed"), &body.to_string()).1.reference,
            "AGW-1"
        );
        let body = json!({"orderID": "AGW-3", "agwId": "AGW-2"});
        assert_eq!(
            apply(Some("OrderTicketed"), &body.to_string()).1.reference,
            "AGW-2"
        );
        let body = json!({"orderId": "AGW-4"});
        let (_, change) = apply(Some("OrderTicketed"), &body.to_string());
        assert_eq!(change.reference, "AGW-4");
        assert!(!change.extras.contains_key("orderID"));
    }

    #[test]
    fn nulls_blanks_and_unfilled_placeholders_count_as_not_sent() {
        let (delivery, change) = apply(Some("OrderCanceled"), NULLS_AND_EMPTY);
        assert_eq!(delivery.occurred_at, Some(at("2025-11-20T12:00:00Z")));
        assert_eq!(change.reference, "AGW-Q4N8S2LE");
        assert_eq!(change.status, Some(BookingStatus::Cancelled));
        assert_eq!(
            (change.adults, change.children, change.infants),
            (Some(2), None, None)
        );
        assert_eq!(
            (change.customer.clone(), change.passengers.len()),
            (None, 0)
        );
        for absent in ["orderID", "recordLocator", "totalAmount"] {
            assert!(!change.extras.contains_key(absent), "{absent}");
        }
        assert_eq!(change.segments.len(), 3);
        // A blank or unfilled AirGateway id gives way to the order id.
        for agw_id in [json!(""), json!("  "), json!(null), json!("{{agwID}}")] {
            let body = json!({"agwID": agw_id, "orderID": "AGW-5"});
            assert_eq!(
                apply(Some("OrderTicketed"), &body.to_string()).1.reference,
                "AGW-5",
                "{agw_id}"
            );
        }
        let body = json!({"agwID": "{{agwID}}", "pnr": "{{pnr}}"});
        let errors = field_errors(run(Some("OrderTicketed"), &body));
        assert_eq!(fields_of(&errors), ["agwID"]);
        assert!(
            errors[0].message.contains("{{agwID}}"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn offsets_are_normalised_and_local_times_take_an_airport_zone() {
        let (delivery, change) = apply(None, DATES_CHANGED);
        assert_eq!(delivery.event_type, "DatesChanged");
        assert_eq!(change.booked_at, Some(at("2025-10-20T13:02:44Z")));
        assert_eq!(delivery.occurred_at, Some(at("2025-12-02T09:30:00Z")));
        // Without fullPath or origin, the destination's airport gives the zone
        // (New York in July is UTC-4).
        let body = json!({"agwID": "A", "destination": "JFK", "updatedOn": "2025-07-14 16:05:00"});
        assert_eq!(
            apply(Some("DatesChanged"), &body.to_string()).0.occurred_at,
            Some(at("2025-07-14T20:05:00Z"))
        );
        // An origin the dataset does not know gives way to the next airport.
        let body = json!({"agwID": "A", "fullPath": "XQX-LIS", "updatedOn": "2025-07-14T16:05:00"});
        assert_eq!(
            apply(Some("DatesChanged"), &body.to_string()).0.occurred_at,
            Some(at("2025-07-14T15:05:00Z"))
        );
        let (delivery, _) = apply(None, SERVICES_DELETION);
        assert_eq!(delivery.event_type, "ServicesDeletion");
    }

    fn fields_of(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }
}
