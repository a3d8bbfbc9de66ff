//! The adapter end to end on its samples: the partner document's examples, the
//! variations real senders add, and the refusals.

mod real;

use super::*;
use crate::canonical::FieldError;

/// The adapter as the receiver calls it: through [`crate::understand`], which checks
/// the topic and the top-level object first.
fn normalize(request: Request<'_>) -> Result<Delivery, AdapterError> {
    crate::understand(&Traxo, request)
}
use crate::canonical::{Customer, PassengerChange, Place, SegmentChange};
use crate::{BookingStatus, SegmentStatus};
use chrono::{DateTime, Utc};
use serde_json::json;

const TRIP_CREATED: &str = include_str!("../../../tests/fixtures/traxo/trip_created.json");
const TRIP_UPDATED: &str = include_str!("../../../tests/fixtures/traxo/trip_updated.json");
const TRIP_SEGMENT_CREATED: &str =
    include_str!("../../../tests/fixtures/traxo/trip_segment_created.json");
const TRIP_SEGMENT_UPDATED: &str =
    include_str!("../../../tests/fixtures/traxo/trip_segment_updated.json");
const TRIP_SEGMENT_ADDED: &str =
    include_str!("../../../tests/fixtures/traxo/trip_segment_added.json");
const TRIP_SEGMENT_REMOVED: &str =
    include_str!("../../../tests/fixtures/traxo/trip_segment_removed.json");
const EVENT_OBJECT: &str =
    include_str!("../../../tests/fixtures/traxo/trip_created_event_object.json");
const RECEIVING_EXAMPLE: &str =
    include_str!("../../../tests/fixtures/traxo/trip_updated_receiving_example.json");
const WITH_OWNER: &str = include_str!("../../../tests/fixtures/traxo/trip_created_with_owner.json");
const LOCAL_DATETIMES: &str =
    include_str!("../../../tests/fixtures/traxo/trip_created_local_datetimes.json");
const OFFSETS_WITHOUT_COLON: &str =
    include_str!("../../../tests/fixtures/traxo/trip_updated_offsets_without_colon.json");
const CANCELLED: &str = include_str!("../../../tests/fixtures/traxo/trip_updated_cancelled.json");
const NUMERIC_IDS: &str =
    include_str!("../../../tests/fixtures/traxo/trip_created_numeric_ids.json");
const AIR_SEGMENT: &str = include_str!("../../../tests/fixtures/traxo/air_segment_created.json");
const AIR_SEGMENT_NO_ZONES: &str =
    include_str!("../../../tests/fixtures/traxo/air_segment_updated_without_zone_ids.json");
const HOTEL_SEGMENT: &str =
    include_str!("../../../tests/fixtures/traxo/hotel_segment_created.json");
const CAR_DELETED: &str =
    include_str!("../../../tests/fixtures/traxo/car_segment_updated_deleted.json");
const EMAIL: &str = include_str!("../../../tests/fixtures/traxo/email_created.json");
const DATA_ID_ONLY: &str =
    include_str!("../../../tests/fixtures/traxo/trip_created_data_id_only.json");
const MISSING_ID_AND_CREATED: &str =
    include_str!("../../../tests/fixtures/traxo/invalid_missing_id_and_created.json");
const BAD_FLIGHT_NUMBER: &str =
    include_str!("../../../tests/fixtures/traxo/invalid_bad_flight_number.json");
const UNKNOWN_RESOURCE: &str =
    include_str!("../../../tests/fixtures/traxo/invalid_unknown_resource.json");

fn parse(fixture: &str) -> Value {
    serde_json::from_str(fixture).expect("fixture is JSON")
}

fn deliver_value(body: &Value) -> Result<Delivery, AdapterError> {
    normalize(Request { topic: None, body })
}

fn deliver(fixture: &str) -> Delivery {
    deliver_value(&parse(fixture)).expect("accepted")
}

fn applied(delivery: &Delivery) -> &BookingChange {
    match &delivery.action {
        Action::Apply(change) => change,
        Action::Ignore { reason } => panic!("expected a booking change, got ignored: {reason}"),
    }
}

fn change_of(fixture: &str) -> BookingChange {
    applied(&deliver(fixture)).clone()
}

/// The fixture with one field replaced (`path` as a JSON pointer); `Value::Null` removes it.
fn edited(fixture: &str, pointer: &str, value: Value) -> Value {
    let mut body = parse(fixture);
    let (parent, key) = pointer.rsplit_once('/').expect("a pointer");
    let target = body
        .pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .expect("parent object");
    if value.is_null() {
        target.remove(key);
    } else {
        target.insert(key.to_owned(), value);
    }
    body
}

fn failures(body: &Value) -> Vec<FieldError> {
    match deliver_value(body) {
        Err(AdapterError::Invalid(errors)) => errors,
        other => panic!("expected a validation failure, got {other:?}"),
    }
}

fn fields(body: &Value) -> Vec<String> {
    failures(body).into_iter().map(|e| e.field).collect()
}

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().expect("a UTC timestamp")
}

/// The member and traveller of the lone-segment fixtures.
fn ana() -> Customer {
    Customer {
        id: Some("712000000000000001".into()),
        first_name: Some("Ana".into()),
        email: None,
        phone: None,
    }
}

fn ana_lead() -> PassengerChange {
    PassengerChange {
        reference: "lead".into(),
        first_name: Some("Ana".into()),
        last_name: Some("Silva".into()),
        lead: Some(true),
        ..PassengerChange::default()
    }
}

fn place(code: Option<&str>, name: &str, country: &str) -> Option<Place> {
    Some(Place {
        code: code.map(Into::into),
        name: Some(name.to_owned()),
        country: Some(country.to_owned()),
    })
}

#[test]
fn documented_trip_created_is_a_confirmed_booking_with_the_stated_trip() {
    let delivery = deliver(TRIP_CREATED);
    assert_eq!(delivery.event_type, "trip.created");
    assert_eq!(
        delivery.idempotency_key.as_deref(),
        Some("333333333333333333")
    );
    assert_eq!(delivery.occurred_at, Some(utc("2017-11-01T01:00:00Z")));
    assert_eq!(delivery.detail, None);
    let change = applied(&delivery);
    assert_eq!(change.reference, "211111111111111111");
    assert_eq!(change.kind, Some(ChangeKind::Create));
    assert_eq!(change.status, Some(BookingStatus::Confirmed));
    assert_eq!(change.booked_at, Some(utc("2008-11-08T09:37:07Z")));
    assert_eq!(change.trip_start, Some(utc("2010-08-13T23:40:00Z")));
    assert_eq!(change.trip_end, Some(utc("2010-08-14T23:40:00Z")));
    assert_eq!(change.origin, None);
    assert_eq!(
        change.destination,
        Some(Place {
            code: None,
            name: Some("Dallas".into()),
            country: Some("US".into())
        })
    );
    assert_eq!(
        change.customer,
        Some(Customer {
            id: Some("111111111111111111".into()),
            first_name: Some("Don".into()),
            email: None,
            phone: None
        })
    );
    assert_eq!(
        change.passengers,
        vec![PassengerChange {
            reference: "lead".into(),
            first_name: Some("Don".into()),
            last_name: Some("Draper".into()),
            lead: Some(true),
            ..PassengerChange::default()
        }]
    );
    assert!(change.segments.is_empty());
    assert!(!change.cancel_when_all_segments_cancelled);
    assert_eq!(
        (
            change.adults,
            change.children,
            change.infants,
            change.bag_count
        ),
        (None, None, None, None)
    );
    let expected_extras = json!({
        "headline": "Test trip in Dallas",
        "url": "https://www.traxo.com/trips/211111111111111111",
        "admin_code": "TX",
        "personal": 1,
        "business": 1
    });
    assert_eq!(Value::Object(change.extras.clone()), expected_extras);
}

#[test]
fn documented_trip_updated_is_an_update_of_the_same_trip() {
    let created = change_of(TRIP_CREATED);
    let delivery = deliver(TRIP_UPDATED);
    assert_eq!(delivery.event_type, "trip.updated");
    let updated = applied(&delivery);
    assert_eq!(updated.kind, Some(ChangeKind::Update));
    assert_eq!(
        BookingChange {
            kind: Some(ChangeKind::Create),
            ..updated.clone()
        },
        created
    );
}

#[test]
fn documented_trip_segment_created_brings_the_trip_and_its_flight() {
    let delivery = deliver(TRIP_SEGMENT_CREATED);
    assert_eq!(delivery.event_type, "trip_segment.created");
    assert_eq!(
        delivery.idempotency_key.as_deref(),
        Some("333333333333333333")
    );
    let change = applied(&delivery);
    // The trip part fills the booking exactly as trip.updated does.
    assert_eq!(
        BookingChange {
            segments: Vec::new(),
            ..change.clone()
        },
        change_of(TRIP_UPDATED)
    );
    assert_eq!(
        change.segments,
        vec![SegmentChange {
            reference: "533164363472469606".into(),
            sequence: None,
            kind: Some(SegmentKind::Air),
            status: Some(SegmentStatus::Active),
            origin: place(Some("DFW"), "Dallas", "US"),
            destination: place(Some("SFO"), "San Francisco", "US"),
            departure_at: Some(utc("2016-08-13T23:40:00Z")),
            arrival_at: Some(utc("2016-08-14T23:40:00Z")),
            carrier: Some("DL".into()),
            flight_number: Some("DL1460".into()),
            cabin_class: Some("string".into()),
        }]
    );
}

#[test]
fn every_documented_trip_segment_event_is_an_update_with_one_segment() {
    for (fixture, name, status) in [
        (
            TRIP_SEGMENT_CREATED,
            "trip_segment.created",
            SegmentStatus::Active,
        ),
        (
            TRIP_SEGMENT_UPDATED,
            "trip_segment.updated",
            SegmentStatus::Active,
        ),
        (
            TRIP_SEGMENT_ADDED,
            "trip_segment.added",
            SegmentStatus::Active,
        ),
        (
            TRIP_SEGMENT_REMOVED,
            "trip_segment.removed",
            SegmentStatus::Cancelled,
        ),
    ] {
        let delivery = deliver(fixture);
        assert_eq!(delivery.event_type, name);
        let change = applied(&delivery);
        assert_eq!(change.reference, "211111111111111111", "{name}");
        assert_eq!(change.kind, Some(ChangeKind::Update), "{name}");
        assert_eq!(change.segments.len(), 1, "{name}");
        assert_eq!(change.segments[0].reference, "533164363472469606", "{name}");
        assert_eq!(change.segments[0].status, Some(status), "{name}");
    }
}

#[test]
fn removing_a_segment_cancels_only_that_segment() {
    let change = change_of(TRIP_SEGMENT_REMOVED);
    assert_eq!(change.status, Some(BookingStatus::Confirmed));
    assert_eq!(change.segments[0].status, Some(SegmentStatus::Cancelled));
    assert!(!change.cancel_when_all_segments_cancelled);
}

#[test]
fn a_cancelled_or_deleted_segment_status_cancels_the_segment() {
    for status in ["Cancelled", "Deleted"] {
        let body = edited(
            TRIP_SEGMENT_UPDATED,
            "/data/object/segment/status",
            json!(status),
        );
        let change = applied(&deliver_value(&body).expect("accepted")).clone();
        assert_eq!(
            change.segments[0].status,
            Some(SegmentStatus::Cancelled),
            "{status}"
        );
        assert_eq!(change.status, Some(BookingStatus::Confirmed), "{status}");
    }
}

#[test]
fn the_airline_phone_on_a_segment_is_not_stored_as_contact_data() {
    let change = change_of(TRIP_SEGMENT_CREATED);
    let customer = change.customer.expect("a customer");
    assert_eq!(customer.phone, None);
    assert!(change
        .passengers
        .iter()
        .all(|p| p.phone.is_none() && p.email.is_none()));
    assert!(!Value::Object(change.extras).to_string().contains("214"));
}

#[test]
fn local_trip_datetimes_use_the_zone_id_sent_beside_them() {
    let delivery = deliver(EVENT_OBJECT);
    let change = applied(&delivery);
    assert_eq!(change.reference, "761425449336840723");
    // 11:00 and 16:00 in Chicago, on daylight time (UTC-5).
    assert_eq!(change.trip_start, Some(utc("2017-10-06T16:00:00Z")));
    assert_eq!(change.trip_end, Some(utc("2017-10-10T21:00:00Z")));
    assert_eq!(
        change.destination,
        Some(Place {
            code: None,
            name: Some("Arlington".into()),
            country: Some("US".into())
        })
    );
    assert_eq!(
        change.customer.as_ref().and_then(|c| c.id.as_deref()),
        Some("812")
    );
    // An empty headline is no headline.
    assert!(!change.extras.contains_key("headline"));
}

#[test]
fn trip_begin_and_end_each_use_their_own_zone() {
    let change = change_of(LOCAL_DATETIMES);
    // 09:30 in Lisbon (UTC+1 in June), 18:45 in New York (UTC-4 in June).
    assert_eq!(change.trip_start, Some(utc("2024-06-01T08:30:00Z")));
    assert_eq!(change.trip_end, Some(utc("2024-06-08T22:45:00Z")));
    assert_eq!(
        change.destination,
        Some(Place {
            code: None,
            name: Some("Lisbon".into()),
            country: Some("PT".into())
        })
    );
    assert_eq!(change.extras.get("personal"), Some(&json!(1)));
    assert_eq!(change.extras.get("business"), Some(&json!(0)));
}

#[test]
fn offsets_without_a_colon_are_understood() {
    let delivery = deliver(OFFSETS_WITHOUT_COLON);
    assert_eq!(delivery.occurred_at, Some(utc("2024-05-03T10:00:00Z")));
    let change = applied(&delivery);
    // Timestamps with their own offset ignore the zone ids beside them.
    assert_eq!(change.trip_start, Some(utc("2024-06-01T08:30:00Z")));
    assert_eq!(change.trip_end, Some(utc("2024-06-08T22:45:00Z")));
    assert_eq!(change.trip_start, change_of(LOCAL_DATETIMES).trip_start);
}

#[test]
fn a_cancelled_trip_cancels_the_booking() {
    let change = change_of(CANCELLED);
    assert_eq!(change.kind, Some(ChangeKind::Update));
    assert_eq!(change.status, Some(BookingStatus::Cancelled));
    assert_eq!(change.reference, "612000000000000001");
}

#[test]
fn a_deleted_trip_cancels_the_booking_and_other_statuses_leave_it_unchanged() {
    let deleted = edited(CANCELLED, "/data/object/status", json!("Deleted"));
    assert_eq!(
        applied(&deliver_value(&deleted).expect("accepted")).status,
        Some(BookingStatus::Cancelled)
    );
    for status in [json!("Pending"), Value::Null] {
        let body = edited(CANCELLED, "/data/object/status", status.clone());
        assert_eq!(
            applied(&deliver_value(&body).expect("accepted")).status,
            None,
            "{status}"
        );
    }
}

#[test]
fn the_receiving_example_is_accepted() {
    let delivery = deliver(RECEIVING_EXAMPLE);
    assert_eq!(
        delivery.idempotency_key.as_deref(),
        Some("441423047655159816")
    );
    let change = applied(&delivery);
    assert_eq!(change.reference, "1234");
    assert_eq!(
        change.customer.as_ref().and_then(|c| c.id.as_deref()),
        Some("5678")
    );
    // 10:15 in Honolulu (UTC-10).
    assert_eq!(change.trip_start, Some(utc("2013-09-14T20:15:00Z")));
    assert_eq!(
        change.extras.get("headline"),
        Some(&json!("Trip to Hawaii"))
    );
}

#[test]
fn the_owner_modifier_gives_the_customer_an_email() {
    let change = change_of(WITH_OWNER);
    assert_eq!(
        change.customer,
        Some(Customer {
            id: Some("5678".into()),
            first_name: Some("Don".into()),
            email: Some("don@example.com".into()),
            phone: None
        })
    );
    let bad = edited(WITH_OWNER, "/data/owner/email", json!("don at example"));
    assert_eq!(fields(&bad), ["data.owner.email"]);
}

#[test]
fn numeric_ids_keep_every_digit() {
    let delivery = deliver(NUMERIC_IDS);
    assert_eq!(
        delivery.idempotency_key.as_deref(),
        Some("333333333333333334")
    );
    let change = applied(&delivery);
    assert_eq!(change.reference, "761425449336840723");
    assert_eq!(
        change.customer.as_ref().and_then(|c| c.id.as_deref()),
        Some("812")
    );
}

#[test]
fn ids_too_long_for_a_json_number_are_refused_rather_than_rounded() {
    let body: Value = serde_json::from_str(
        r#"{"id": 12345678901234567890123, "type": "trip.updated", "created": "2017-11-01T01:00:00+00:00",
            "data": {"object": {"id": 1.5}}}"#,
    )
    .expect("JSON");
    assert_eq!(fields(&body), ["id", "data.object.id"]);
}

#[test]
fn a_lone_air_segment_joins_the_trip_named_by_trip_id() {
    let delivery = deliver(AIR_SEGMENT);
    assert_eq!(delivery.event_type, "air_segment.created");
    assert_eq!(
        delivery.idempotency_key.as_deref(),
        Some("512000000000000010")
    );
    assert_eq!(delivery.occurred_at, Some(utc("2024-05-02T08:16:30Z")));
    let change = applied(&delivery);
    assert_eq!(
        *change,
        BookingChange {
            reference: "612000000000000001".into(),
            kind: Some(ChangeKind::Update),
            segments: vec![SegmentChange {
                reference: "812000000000000001".into(),
                sequence: None,
                kind: Some(SegmentKind::Air),
                status: Some(SegmentStatus::Active),
                origin: place(Some("EWR"), "Newark", "US"),
                destination: place(Some("LIS"), "Lisbon", "PT"),
                // 19:05 in New York (UTC-4), 07:10 in Lisbon (UTC+1).
                departure_at: Some(utc("2024-05-31T23:05:00Z")),
                arrival_at: Some(utc("2024-06-01T06:10:00Z")),
                carrier: Some("TP".into()),
                flight_number: Some("TP202".into()),
                cabin_class: Some("Economy".into()),
            }],
            // CONTRACT rev. 2 (*Real formats*): the segment names its traveller, and a
            // subscriber to segment events alone (Traxo's `?events=air_segment`) gets
            // no trip event to name them.
            customer: Some(ana()),
            passengers: vec![ana_lead()],
            ..BookingChange::default()
        }
    );
}

#[test]
fn segment_times_without_zone_ids_use_the_airport_zone() {
    let change = change_of(AIR_SEGMENT_NO_ZONES);
    let segment = &change.segments[0];
    assert_eq!(change.reference, "612000000000000001");
    // 15:40 in Lisbon (UTC+1), 18:45 in Newark (UTC-4).
    assert_eq!(segment.departure_at, Some(utc("2024-06-08T14:40:00Z")));
    assert_eq!(segment.arrival_at, Some(utc("2024-06-08T22:45:00Z")));
    assert_eq!(segment.flight_number.as_deref(), Some("TP201"));
    // Names and countries come from the airport dataset when Traxo sends none.
    assert_eq!(
        segment.origin.as_ref().and_then(|p| p.country.as_deref()),
        Some("PT")
    );
    assert_eq!(
        segment
            .destination
            .as_ref()
            .and_then(|p| p.country.as_deref()),
        Some("US")
    );
    assert!(segment
        .origin
        .as_ref()
        .and_then(|p| p.name.as_deref())
        .is_some());
}

#[test]
fn a_local_time_without_any_known_zone_is_refused() {
    let body = edited(AIR_SEGMENT_NO_ZONES, "/data/object/origin", Value::Null);
    let errors = failures(&body);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].field, "data.object.departure_datetime");
    assert!(
        errors[0]
            .message
            .contains("data.object.departure_time_zone_id"),
        "{}",
        errors[0].message
    );
    let trip = edited(EVENT_OBJECT, "/data/object/begin_time_zone_id", Value::Null);
    assert_eq!(fields(&trip), ["data.object.begin_datetime"]);
}

#[test]
fn an_unknown_zone_id_is_reported_on_the_zone_field() {
    let body = edited(
        EVENT_OBJECT,
        "/data/object/end_time_zone_id",
        json!("Central Time"),
    );
    assert_eq!(fields(&body), ["data.object.end_time_zone_id"]);
    // Unused when the datetime carries its own offset.
    let unused = edited(
        TRIP_CREATED,
        "/data/object/end_time_zone_id",
        json!("Central Time"),
    );
    assert!(deliver_value(&unused).is_ok());
}

#[test]
fn a_hotel_stay_runs_from_checkin_to_checkout_where_the_hotel_is() {
    let change = change_of(HOTEL_SEGMENT);
    assert_eq!(change.reference, "612000000000000001");
    assert_eq!(
        change.segments,
        vec![SegmentChange {
            reference: "812000000000000003".into(),
            kind: Some(SegmentKind::Hotel),
            status: Some(SegmentStatus::Active),
            destination: Some(Place {
                code: None,
                name: Some("Lisbon".into()),
                country: Some("PT".into())
            }),
            // 15:00 and 11:00 in Lisbon (UTC+1).
            departure_at: Some(utc("2024-06-01T14:00:00Z")),
            arrival_at: Some(utc("2024-06-08T10:00:00Z")),
            ..SegmentChange::default()
        }]
    );
    assert_eq!(change.customer, Some(ana()));
    assert_eq!(change.passengers, vec![ana_lead()]);
}

#[test]
fn a_segment_without_trip_id_is_filed_under_its_confirmation_number() {
    let change = change_of(CAR_DELETED);
    assert_eq!(change.reference, "K1234567");
    let segment = &change.segments[0];
    assert_eq!(segment.reference, "812000000000000004");
    assert_eq!(segment.kind, Some(SegmentKind::Car));
    assert_eq!(segment.status, Some(SegmentStatus::Cancelled));
    assert_eq!(segment.departure_at, Some(utc("2024-06-02T09:00:00Z")));
    assert_eq!(segment.arrival_at, Some(utc("2024-06-05T09:00:00Z")));
    assert_eq!(change.status, None);
}

#[test]
fn a_segment_with_a_nested_trip_is_filed_under_that_trip() {
    let mut body = edited(CAR_DELETED, "/data/object/confirmation_no", Value::Null);
    body["data"]["object"]["trip"] = json!({"id": "612000000000000001"});
    assert_eq!(
        applied(&deliver_value(&body).expect("accepted")).reference,
        "612000000000000001"
    );
}

#[test]
fn a_segment_tied_to_no_trip_nor_confirmation_is_filed_under_its_own_id() {
    // CONTRACT rev. 2: a bare `<mode>_segment.*` still becomes a booking.
    let body = edited(CAR_DELETED, "/data/object/confirmation_no", Value::Null);
    let change = applied(&deliver_value(&body).expect("accepted")).clone();
    assert_eq!(change.reference, "812000000000000004");
    assert_eq!(change.segments[0].reference, "812000000000000004");
    assert!(change.cancel_when_all_segments_cancelled);
}

#[test]
fn the_event_type_names_the_segment_kind_when_the_segment_does_not() {
    let body = edited(AIR_SEGMENT, "/data/object/type", Value::Null);
    assert_eq!(
        applied(&deliver_value(&body).expect("accepted")).segments[0].kind,
        Some(SegmentKind::Air)
    );
    let body = edited(AIR_SEGMENT, "/data/object/type", json!("Ferry"));
    let change = applied(&deliver_value(&body).expect("accepted")).clone();
    assert_eq!(change.segments[0].kind, Some(SegmentKind::Other));
}

#[test]
fn a_train_number_is_kept_when_it_fits_and_dropped_when_it_does_not() {
    let rail = json!({
        "id": "512000000000000040", "type": "rail_segment.created", "created": "2024-05-02T10:00:00Z",
        "data": {"object": {
            "id": "812000000000000040", "trip_id": "612000000000000001", "type": "Rail",
            "iata_code": "2V", "flight_num": "2153", "origin": "NYP", "destination": "WAS",
            "departure_datetime": "2024-06-09T08:00:00", "departure_time_zone_id": "America/New_York"
        }}
    });
    let change = applied(&deliver_value(&rail).expect("accepted")).clone();
    let segment = &change.segments[0];
    assert_eq!(segment.kind, Some(SegmentKind::Rail));
    assert_eq!(segment.flight_number.as_deref(), Some("2V2153"));
    // Station codes are kept as sent, not looked up as airports.
    assert_eq!(
        segment.origin,
        Some(Place {
            code: Some("NYP".into()),
            ..Place::default()
        })
    );
    assert_eq!(segment.departure_at, Some(utc("2024-06-09T12:00:00Z")));
    let mut long = rail.clone();
    long["data"]["object"]["flight_num"] = json!("12345");
    let change = applied(&deliver_value(&long).expect("accepted")).clone();
    assert_eq!(change.segments[0].flight_number, None);
    assert_eq!(change.segments[0].carrier.as_deref(), Some("2V"));
}

#[test]
fn email_events_are_ignored() {
    let delivery = deliver(EMAIL);
    assert_eq!(delivery.event_type, "email.created");
    assert_eq!(
        delivery.idempotency_key.as_deref(),
        Some("512000000000000020")
    );
    assert_eq!(delivery.occurred_at, Some(utc("2024-05-02T08:14:30Z")));
    assert!(matches!(delivery.action, Action::Ignore { ref reason } if reason.contains("e-mail")));
}

#[test]
fn payloads_with_only_the_object_id_are_ignored_with_a_reason() {
    let delivery = deliver(DATA_ID_ONLY);
    assert_eq!(delivery.event_type, "trip.created");
    assert_eq!(
        delivery.idempotency_key.as_deref(),
        Some("441423047655159819")
    );
    assert!(matches!(delivery.action, Action::Ignore { ref reason } if reason.contains("data=id")));
}

#[test]
fn missing_id_and_created_are_both_reported() {
    let errors = failures(&parse(MISSING_ID_AND_CREATED));
    let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["id", "created"]);
    assert!(errors.iter().all(|e| e.message == "is required"));
}

#[test]
fn a_bad_flight_number_is_reported_on_flight_num() {
    let errors = failures(&parse(BAD_FLIGHT_NUMBER));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].field, "data.object.segment.flight_num");
    assert!(
        errors[0].message.contains("e.g. BA123"),
        "{}",
        errors[0].message
    );
}

#[test]
fn unknown_resources_and_actions_are_refused_on_type() {
    assert_eq!(fields(&parse(UNKNOWN_RESOURCE)), ["type"]);
    for name in [
        "trip.deleted",
        "_segment.created",
        "air_segment.removed",
        "email",
        "trip",
    ] {
        let body = edited(TRIP_CREATED, "/type", json!(name));
        assert_eq!(fields(&body), ["type"], "{name}");
    }
}

#[test]
fn an_unknown_segment_mode_is_a_segment_of_kind_other() {
    let body = edited(AIR_SEGMENT, "/type", json!("bus_segment.created"));
    let body = {
        let mut body = body;
        body["data"]["object"]
            .as_object_mut()
            .expect("object")
            .remove("type");
        body
    };
    let change = applied(&deliver_value(&body).expect("accepted")).clone();
    assert_eq!(change.reference, "612000000000000001");
    assert_eq!(change.segments[0].kind, Some(SegmentKind::Other));
}

#[test]
fn a_topic_is_an_unknown_topic() {
    let body = parse(TRIP_CREATED);
    assert_eq!(
        normalize(Request {
            topic: Some("trips"),
            body: &body
        }),
        Err(AdapterError::UnknownTopic("trips".into()))
    );
}

#[test]
fn every_failing_field_is_reported_at_once() {
    let mut body = parse(TRIP_SEGMENT_CREATED);
    body["created"] = json!("yesterday");
    body["data"]["object"]["trip"]["begin_datetime"] = json!("soon");
    body["data"]["object"]["segment"]["origin"] = json!("Dallas");
    body["data"]["object"]["segment"]["id"] = json!({"nested": true});
    assert_eq!(
        fields(&body),
        [
            "created",
            "data.object.trip.begin_datetime",
            "data.object.segment.origin",
            "data.object.segment.id"
        ]
    );
}

#[test]
fn wrong_shapes_are_reported_without_panicking() {
    assert_eq!(fields(&json!([1, 2])), ["$"]);
    assert_eq!(fields(&json!({})), ["id", "type", "created"]);
    let base = json!({"id": "1", "type": "trip_segment.added", "created": "2017-11-01T01:00:00Z"});
    let mut body = base.clone();
    body["data"] = json!([]);
    assert_eq!(fields(&body), ["data"]);
    body["data"] = json!({"object": "trip"});
    assert_eq!(fields(&body), ["data.object"]);
    body["data"] = json!({"object": {"trip": [], "segment": 7}});
    assert_eq!(fields(&body), ["data.object.trip", "data.object.segment"]);
    body["data"] = json!({});
    assert_eq!(fields(&body), ["data.object"]);
    body["data"] = json!({"object": {"trip": {"id": true, "status": 3, "begin_datetime": 1e300, "first_name": []},
                                     "segment": {"id": u64::MAX, "departure_datetime": "2017-13-45T99:00:00"}}});
    assert_eq!(
        fields(&body),
        [
            "data.object.trip.first_name",
            "data.object.trip.id",
            "data.object.trip.begin_datetime",
            "data.object.segment.departure_datetime"
        ]
    );
}
