//! Adapter `ground_transfer`: a ground-transfer marketplace's booking webhooks (partner
//! document 004, CONTRACT §4).
//!
//! Two shapes share the partner's endpoint: a new booking arrives without a topic and
//! carries its `bookingReference`; an update arrives with the booking reference as the
//! topic (`/webhooks/{partner}/{bookingReference}`) and an `action` of `AMENDMENT` or
//! `CANCELLATION`. The webhook is a notification only (prices and locations are fetched
//! from the partner's API), so a booking holds one transfer segment: its pickup time and
//! the flight of an airport pickup.

use entity::{BookingStatus, PassengerType, SegmentKind, SegmentStatus};
use serde_json::{json, Map, Value};

use crate::canonical::{
    Action, AdapterError, BookingChange, ChangeKind, Customer, Delivery, FieldError,
    PassengerChange, Request, SegmentChange,
};
use crate::validate::Reader;

/// Archived event type of a new booking (the partner gives it no name of its own).
const NEW_BOOKING: &str = "booking-new";

/// What an update says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UpdateAction {
    Amendment,
    Cancellation,
}

/// Event-name table for updates: the `action` value and the archived event type.
const ACTIONS: [(&str, UpdateAction, &str); 2] = [
    ("AMENDMENT", UpdateAction::Amendment, "booking-amendment"),
    (
        "CANCELLATION",
        UpdateAction::Cancellation,
        "booking-cancellation",
    ),
];

/// The `leadPassenger` object, validated.
#[derive(Default)]
struct Lead {
    title: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    phone: Option<String>,
    customer_id: Option<String>,
}

/// The event type a delivery names (a new booking, or the update's `action`), also
/// when it is refused.
pub fn event_type(request: Request<'_>) -> Option<String> {
    if request.topic.is_none() {
        return Some(NEW_BOOKING.to_owned());
    }
    let action = request.body.get("action").and_then(Value::as_str)?;
    ACTIONS
        .iter()
        .find(|(name, _, _)| name.eq_ignore_ascii_case(action))
        .map(|(_, _, event_type)| (*event_type).to_owned())
}

/// Understands one ground-transfer delivery.
///
/// # Errors
/// [`AdapterError::Invalid`] with every failing field. Every topic is a booking
/// reference, so no topic is unknown.
pub fn normalize(request: Request<'_>) -> Result<Delivery, AdapterError> {
    if !request.body.is_object() {
        return Err(AdapterError::Invalid(vec![FieldError::new(
            "$",
            "must be a JSON object",
        )]));
    }
    let mut r = Reader::new(request.body);
    let topic = request.topic.map(str::trim).filter(|t| !t.is_empty());
    // An update names its booking in the URL; a `bookingReference` in its body is ignored.
    let (reference, action) = match topic {
        None => (r.required_string("bookingReference"), None),
        Some(reference) => (Some(reference.to_owned()), read_action(&mut r)),
    };
    let create = topic.is_none();
    let lead = read_lead(&mut r, create);
    let flight = r.flight_number("flightNumber", false);
    let pickup = r.utc("pickupDateTime", false);
    let mut extras = Map::new();
    for field in ["customerReference", "searchResultId", "comment"] {
        if let Some(value) = r.string(field) {
            extras.insert(field.to_owned(), Value::String(value));
        }
    }
    if let Some(services) = read_services(&mut r) {
        extras.insert("services".to_owned(), services);
    }
    let cancellation_reason = r.string("cancellationReason");
    r.finish()?;
    let Some(reference) = reference else {
        return Err(AdapterError::Invalid(vec![FieldError::new(
            "bookingReference",
            "is required",
        )]));
    };

    if let Some(title) = &lead.title {
        extras.insert("title".to_owned(), Value::String(title.clone()));
    }
    let (event_type, kind, status) = match action {
        None => (
            NEW_BOOKING,
            ChangeKind::Create,
            Some(BookingStatus::Confirmed),
        ),
        Some((name, UpdateAction::Amendment)) => (name, ChangeKind::Update, None),
        Some((name, UpdateAction::Cancellation)) => {
            if let Some(reason) = cancellation_reason {
                extras.insert("cancellationReason".to_owned(), Value::String(reason));
            }
            (name, ChangeKind::Update, Some(BookingStatus::Cancelled))
        }
    };
    let customer = (lead.customer_id.is_some()
        || lead.first_name.is_some()
        || lead.phone.is_some())
    .then(|| Customer {
        id: lead.customer_id.clone(),
        first_name: lead.first_name.clone(),
        email: None,
        phone: lead.phone.clone(),
    });
    let passengers =
        (lead.first_name.is_some() || lead.last_name.is_some() || lead.phone.is_some())
            .then(|| PassengerChange {
                reference: "lead".to_owned(),
                first_name: lead.first_name,
                last_name: lead.last_name,
                passenger_type: Some(PassengerType::Adult),
                lead: Some(true),
                email: None,
                phone: lead.phone,
            })
            .into_iter()
            .collect();
    // The one transfer; an update only touches it when it says something about it,
    // and a cancellation cancels it with the booking.
    let cancelled = status == Some(BookingStatus::Cancelled);
    let segments = (create || cancelled || flight.is_some() || pickup.is_some())
        .then(|| SegmentChange {
            reference: reference.clone(),
            sequence: Some(1),
            kind: Some(SegmentKind::Transfer),
            status: if cancelled {
                Some(SegmentStatus::Cancelled)
            } else {
                create.then_some(SegmentStatus::Active)
            },
            departure_at: pickup,
            carrier: flight.as_ref().map(|f| f.carrier().to_owned()),
            flight_number: flight.map(|f| f.into_inner()),
            ..SegmentChange::default()
        })
        .into_iter()
        .collect();
    Ok(Delivery {
        event_type: event_type.to_owned(),
        idempotency_key: None,
        occurred_at: None,
        action: Action::Apply(BookingChange {
            reference,
            kind: Some(kind),
            status,
            customer,
            passengers,
            segments,
            extras,
            ..BookingChange::default()
        }),
        detail: None,
    })
}

/// The required `action` of an update, with its archived event type.
fn read_action(r: &mut Reader<'_>) -> Option<(&'static str, UpdateAction)> {
    const ALLOWED: &str = "must be one of AMENDMENT, CANCELLATION";
    let Some(raw) = r.string("action") else {
        if r.get("action").is_none_or(Value::is_string) {
            r.fail("action", format!("is required and {ALLOWED}"));
        }
        return None;
    };
    let found = ACTIONS
        .iter()
        .find(|(name, _, _)| name.eq_ignore_ascii_case(&raw))
        .map(|(_, action, event_type)| (*event_type, *action));
    if found.is_none() {
        let got: String = raw.chars().take(40).collect();
        r.fail("action", format!("{ALLOWED} (got {got:?})"));
    }
    found
}

/// The lead passenger; a new booking needs names, phone and customer id, an update only
/// carries what changed.
fn read_lead(r: &mut Reader<'_>, create: bool) -> Lead {
    match r.get("leadPassenger") {
        Some(Value::Object(_)) => {}
        None if !create => return Lead::default(),
        None => {}
        Some(_) => {
            r.fail("leadPassenger", "must be an object");
            return Lead::default();
        }
    }
    let text = |r: &mut Reader<'_>, path: &str| {
        if create && path != "leadPassenger.title" {
            r.required_string(path)
        } else {
            r.string(path)
        }
    };
    Lead {
        title: text(r, "leadPassenger.title"),
        first_name: text(r, "leadPassenger.firstName"),
        last_name: text(r, "leadPassenger.lastName"),
        phone: r.phone("leadPassenger.phoneNumber", create),
        customer_id: text(r, "leadPassenger.customerId"),
    }
}

/// `services`: name/value objects (e.g. `meetAndGreetMessage`), kept as such. An empty
/// list counts as not sent, like the empty strings of the partner's cancellation sample.
fn read_services(r: &mut Reader<'_>) -> Option<Value> {
    let items = match r.get("services")? {
        Value::Array(items) if items.is_empty() => return None,
        Value::Array(items) => items,
        _ => {
            r.fail(
                "services",
                "must be an array of {\"name\", \"value\"} objects",
            );
            return None;
        }
    };
    let mut services = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        if !item.is_object() {
            r.fail(
                format!("services.{i}"),
                "must be an object with a name and a value",
            );
            continue;
        }
        let name = r.required_string(&format!("services.{i}.name"));
        let value = r.string(&format!("services.{i}.value"));
        if let Some(name) = name {
            services.push(json!({"name": name, "value": value}));
        }
    }
    Some(Value::Array(services))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    const NEW: &str = include_str!("../../../tests/fixtures/ground_transfer/booking-new.json");
    const NEW_MINIMAL: &str =
        include_str!("../../../tests/fixtures/ground_transfer/booking-new-minimal.json");
    const NEW_WITHOUT_FLIGHT: &str =
        include_str!("../../../tests/fixtures/ground_transfer/booking-new-without-flight.json");
    const NEW_INVALID: &str =
        include_str!("../../../tests/fixtures/ground_transfer/booking-new-invalid.json");
    const AMENDMENT: &str =
        include_str!("../../../tests/fixtures/ground_transfer/booking-amendment.json");
    const AMENDMENT_OFFSET: &str = include_str!(
        "../../../tests/fixtures/ground_transfer/booking-amendment-pickup-offset.json"
    );
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
        let extras =
            json!({"cancellationReason": "Customer requested cancellation", "title": "Mr"});
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
        assert!(
            errors[0].message.contains("AMENDMENT") && errors[0].message.contains("CANCELLATION")
        );
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
}
