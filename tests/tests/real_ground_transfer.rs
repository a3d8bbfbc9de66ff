//! What the ground-transfer marketplace (Booking.com Taxi) really sends (CONTRACT §4
//! *Real formats*), end to end: every payload of the corpus
//! (`tests/fixtures/real/ground_transfer/`, sources in its `SOURCES.md`) through the real
//! endpoint with Standard Webhooks signatures, new bookings as POST and updates as PATCH
//! (the marketplace's `PATCH /v2/bookings/:bookingReference`), the reply and the
//! resulting booking checked field by field in the database.

use chrono::Utc;
use entity::{
    booking, event, BookingStatus, EventStatus, PassengerType, SegmentKind, SegmentStatus,
};
use serde_json::{json, Value};
use tests::corpus::real;
use tests::expected::{self, at};
use tests::{partners, read, sign_standard_webhook, spawn_app, Auth, Reply, TestApp};
use uuid::Uuid;

fn corpus(name: &str) -> String {
    real(&format!("ground_transfer/{name}"))
}

/// A new booking: `POST /webhooks/transfers`, signed as the partner signs.
async fn post_new(app: &TestApp, body: &str) -> Reply {
    app.post("transfers", body, partners::transfers()).await
}

/// An update of booking `reference`, signed as the partner signs, sent with `method`.
async fn update(app: &TestApp, method: &str, reference: &str, body: &str) -> Reply {
    send(app, method, &format!("transfers/{reference}"), body).await
}

/// `method` to `/webhooks/{path}` with a fresh Standard Webhooks signature
/// ([`partners::transfers`]); the harness's `post` only speaks POST.
async fn send(app: &TestApp, method: &str, path: &str, body: &str) -> Reply {
    if method == "POST" {
        return app.post(path, body, partners::transfers()).await;
    }
    let Auth::Hmac { secret, id, skew_s } = partners::transfers() else {
        panic!("the transfers partner signs with Standard Webhooks")
    };
    let timestamp = (Utc::now().timestamp() + skew_s).to_string();
    let signature = sign_standard_webhook(&secret, &id, &timestamp, body.as_bytes());
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("an HTTP method");
    let response = app
        .client
        .request(method, format!("{}/webhooks/{path}", app.ingest))
        .header("content-type", "application/json")
        .header("webhook-id", id)
        .header("webhook-timestamp", timestamp)
        .header("webhook-signature", signature)
        .body(body.to_owned())
        .send()
        .await
        .expect("request");
    read(response).await
}

/// A new booking's reply: 200 `{"status":"applied","eventId","bookingId",
/// "supplierBookingId"}` with `supplierBookingId` = `bookingId` (CONTRACT §3).
fn created(reply: &Reply) -> (Uuid, Uuid) {
    assert_eq!(reply.status, 200, "{:?}", reply.json);
    assert_eq!(reply.json["status"], "applied", "{:?}", reply.json);
    let mut keys: Vec<&str> = reply
        .json
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["bookingId", "eventId", "status", "supplierBookingId"],
        "{:?}",
        reply.json
    );
    assert_eq!(
        reply.json["supplierBookingId"], reply.json["bookingId"],
        "our booking id is the supplier's booking id"
    );
    expected::applied(reply)
}

/// An update's reply: 204 without a body.
fn no_content(reply: &Reply) {
    assert_eq!(reply.status, 204, "{:?}", reply.json);
    assert_eq!(reply.json, Value::Null, "204 has no body");
}

/// The one event archiving `body`.
async fn event_of(app: &TestApp, body: &str) -> event::Model {
    let mut found: Vec<_> = app
        .events()
        .await
        .into_iter()
        .filter(|e| e.raw_body == body.as_bytes())
        .collect();
    assert_eq!(found.len(), 1, "exactly one event archives this body");
    found.remove(0)
}

/// The archived event of an applied delivery.
async fn assert_event(
    app: &TestApp,
    body: &str,
    event_type: &str,
    topic: Option<&str>,
    booking_id: Uuid,
) {
    let e = event_of(app, body).await;
    assert_eq!(e.partner, "transfers");
    assert_eq!(e.adapter, "ground_transfer");
    assert_eq!(e.event_type, event_type);
    assert_eq!(e.topic.as_deref(), topic);
    assert_eq!(e.status, EventStatus::Applied);
    assert_eq!(e.occurred_at, None, "the marketplace sends no source time");
    assert_eq!(e.booking_id, Some(booking_id));
    assert_eq!(e.error, None);
    assert!(
        e.idempotency_key.starts_with("msg_"),
        "webhook-id is the key"
    );
}

/// What a transfer booking should hold, field by field.
struct Expected<'a> {
    status: BookingStatus,
    /// The pickup: trip start and end alike (a transfer has no arrival time).
    pickup: Option<&'a str>,
    /// Customer id, first name, phone.
    customer: (Option<&'a str>, Option<&'a str>, Option<&'a str>),
}

fn assert_booking(b: &booking::Model, expected: &Expected<'_>) {
    assert_eq!(b.partner, "transfers");
    assert_eq!(b.status, expected.status);
    assert_eq!(
        b.marketing_allowed,
        expected.status != BookingStatus::Cancelled,
        "marketing follows cancellation"
    );
    assert_eq!(b.booked_at, None, "the notice carries no booking date");
    assert_eq!(
        (b.trip_start, b.trip_end),
        (expected.pickup.map(at), expected.pickup.map(at)),
        "trip start/end"
    );
    assert_eq!(b.last_source_at, None);
    assert_eq!(
        (
            b.origin_code.as_deref(),
            b.origin_name.as_deref(),
            b.destination_code.as_deref(),
            b.destination_name.as_deref()
        ),
        (None, None, None, None),
        "places are fetched from the marketplace's API, not sent"
    );
    assert_eq!(b.destinations, json!([]));
    assert_eq!(
        (b.adults, b.children, b.infants, b.bag_count),
        (None, None, None, None),
        "traveller counts are not sent"
    );
    let (id, first_name, phone) = expected.customer;
    assert_eq!(
        (
            b.customer_id.as_deref(),
            b.customer_first_name.as_deref(),
            b.customer_phone.as_deref(),
            b.customer_email.as_deref()
        ),
        (id, first_name, phone, None),
        "customer"
    );
}

/// The booking's one transfer: status, pickup time and flight.
async fn assert_transfer(
    app: &TestApp,
    booking_id: Uuid,
    reference: &str,
    status: SegmentStatus,
    pickup: Option<&str>,
    flight: Option<(&str, &str)>,
) {
    let segments = app.segments(booking_id).await;
    assert_eq!(segments.len(), 1, "{segments:?}");
    let s = &segments[0];
    assert_eq!(s.reference, reference);
    assert_eq!(s.sequence, 1);
    assert_eq!(s.kind, SegmentKind::Transfer);
    assert_eq!(s.status, status);
    assert_eq!(s.departure_at, pickup.map(at), "pickup");
    assert_eq!(s.arrival_at, None);
    assert_eq!(
        (s.origin_code.as_deref(), s.destination_code.as_deref()),
        (None, None)
    );
    assert_eq!(
        (s.carrier.as_deref(), s.flight_number.as_deref()),
        flight.map_or((None, None), |(carrier, number)| (
            Some(carrier),
            Some(number)
        )),
        "carrier and flight number"
    );
}

/// The lead passenger: first name, last name, phone.
async fn assert_lead(
    app: &TestApp,
    booking_id: Uuid,
    first: Option<&str>,
    last: Option<&str>,
    phone: &str,
) {
    let passengers = app.passengers(booking_id).await;
    assert_eq!(passengers.len(), 1, "{passengers:?}");
    let p = &passengers[0];
    assert_eq!(p.reference, "lead");
    assert!(p.lead);
    assert_eq!(p.passenger_type, PassengerType::Adult);
    assert_eq!(
        (
            p.first_name.as_deref(),
            p.last_name.as_deref(),
            p.phone.as_deref(),
            p.email.as_deref()
        ),
        (first, last, Some(phone), None)
    );
}

const AOIFE: &str = "5b41362bc82b7f3d56edc5a306db22105707d01ff4819e26faef9724a2d406c9";
const ZOE: &str = "e3b98a4da31a127d4bde6e43033f66ba274cab0eb7eb1c70ec41402bf6273dd8";
const JOHN: &str = "191e8c71a3f2c19092baf027a96962989493c07a5dadb146b73df653c837a2fa";

/// Posts new booking 02 (61882047); its booking id.
async fn aoifes_booking(app: &TestApp) -> Uuid {
    created(&post_new(app, &corpus("02_new_booking_required_fields_only.json")).await).1
}

/// Posts new booking 03 (61882111); its booking id.
async fn zoes_booking(app: &TestApp) -> Uuid {
    created(
        &post_new(
            app,
            &corpus("03_new_booking_legacy_meet_and_greet_service.json"),
        )
        .await,
    )
    .1
}

async fn incident_is_ignored(method: &str) {
    let app = spawn_app().await;
    let body = corpus("01_incident_created_customer_no_show.json");
    let reply = send(&app, method, "transfers", &body).await;
    assert_eq!(reply.status, 200, "{:?}", reply.json);
    assert_eq!(reply.json["status"], "ignored", "{:?}", reply.json);
    let e = event_of(&app, &body).await;
    assert_eq!(
        e.id.to_string(),
        reply.json["eventId"].as_str().unwrap_or_default()
    );
    assert_eq!(e.status, EventStatus::Ignored);
    assert_eq!(e.event_type, "incident");
    assert_eq!(e.booking_id, None);
    assert!(
        e.error
            .as_deref()
            .is_some_and(|why| why.contains("CUSTOMER_NO_SHOW")),
        "{:?}",
        e.error
    );
    assert!(app.booking("transfers", "123456789").await.is_none());
}

#[tokio::test]
async fn an_incident_reaching_the_booking_endpoint_is_archived_as_ignored() {
    incident_is_ignored("POST").await;
}

#[tokio::test]
async fn an_incident_update_sent_as_patch_is_archived_as_ignored() {
    incident_is_ignored("PATCH").await;
}

#[tokio::test]
async fn a_new_booking_with_only_the_required_fields_is_confirmed_with_its_transfer() {
    let app = spawn_app().await;
    let body = corpus("02_new_booking_required_fields_only.json");
    let (_, booking_id) = created(&post_new(&app, &body).await);

    let b = app.booking("transfers", "61882047").await.expect("booking");
    assert_eq!(b.id, booking_id);
    assert_booking(
        &b,
        &Expected {
            status: BookingStatus::Confirmed,
            pickup: None,
            customer: (Some(AOIFE), Some("Aoife"), Some("+353851234567")),
        },
    );
    assert_eq!(b.extras, json!({}), "nothing optional was sent");
    assert_transfer(
        &app,
        booking_id,
        "61882047",
        SegmentStatus::Active,
        None,
        None,
    )
    .await;
    assert_lead(
        &app,
        booking_id,
        Some("Aoife"),
        Some("Murphy"),
        "+353851234567",
    )
    .await;
    assert_event(&app, &body, "booking-new", None, booking_id).await;
}

#[tokio::test]
async fn a_new_booking_with_the_older_service_name_and_a_non_ascii_name_is_kept_as_sent() {
    let app = spawn_app().await;
    let body = corpus("03_new_booking_legacy_meet_and_greet_service.json");
    let (_, booking_id) = created(&post_new(&app, &body).await);

    let b = app.booking("transfers", "61882111").await.expect("booking");
    assert_eq!(b.id, booking_id);
    assert_booking(
        &b,
        &Expected {
            status: BookingStatus::Confirmed,
            pickup: None,
            customer: (Some(ZOE), Some("Zoë"), Some("+31612345678")),
        },
    );
    assert_eq!(
        b.extras,
        json!({
            "customerReference": "90817263",
            "services": [{"name": "meetAndGreet", "value": "Welcome Zoë van der Berg"}],
            "title": "Ms"
        })
    );
    assert_transfer(
        &app,
        booking_id,
        "61882111",
        SegmentStatus::Active,
        None,
        Some(("KL", "KL1001")),
    )
    .await;
    assert_lead(
        &app,
        booking_id,
        Some("Zoë"),
        Some("van der Berg"),
        "+31612345678",
    )
    .await;
    assert_event(&app, &body, "booking-new", None, booking_id).await;
}

#[tokio::test]
async fn an_amendment_with_only_a_pickup_time_moves_the_transfer_and_the_trip() {
    let app = spawn_app().await;
    let booking_id = aoifes_booking(&app).await;
    let body = corpus("04_amendment_pickup_time_only.json");
    no_content(&update(&app, "PATCH", "61882047", &body).await);

    let b = app.booking("transfers", "61882047").await.unwrap();
    assert_eq!(b.id, booking_id);
    assert_booking(
        &b,
        &Expected {
            status: BookingStatus::Confirmed,
            pickup: Some("2024-10-03T06:45:00Z"),
            customer: (Some(AOIFE), Some("Aoife"), Some("+353851234567")),
        },
    );
    assert_transfer(
        &app,
        booking_id,
        "61882047",
        SegmentStatus::Active,
        Some("2024-10-03T06:45:00Z"),
        None,
    )
    .await;
    assert_lead(
        &app,
        booking_id,
        Some("Aoife"),
        Some("Murphy"),
        "+353851234567",
    )
    .await;
    assert_event(
        &app,
        &body,
        "booking-amendment",
        Some("61882047"),
        booking_id,
    )
    .await;
}

async fn minimal_cancellation(method: &str) {
    let app = spawn_app().await;
    let booking_id = zoes_booking(&app).await;
    let body = corpus("05_cancellation_minimal.json");
    no_content(&update(&app, method, "61882111", &body).await);

    let b = app.booking("transfers", "61882111").await.unwrap();
    assert_eq!(b.id, booking_id);
    assert_booking(
        &b,
        &Expected {
            status: BookingStatus::Cancelled,
            pickup: None,
            customer: (Some(ZOE), Some("Zoë"), Some("+31612345678")),
        },
    );
    assert!(!b.marketing_allowed);
    assert_eq!(b.extras["cancellationReason"], "Flight cancelled");
    assert_transfer(
        &app,
        booking_id,
        "61882111",
        SegmentStatus::Cancelled,
        None,
        Some(("KL", "KL1001")),
    )
    .await;
    assert_lead(
        &app,
        booking_id,
        Some("Zoë"),
        Some("van der Berg"),
        "+31612345678",
    )
    .await;
    assert_event(
        &app,
        &body,
        "booking-cancellation",
        Some("61882111"),
        booking_id,
    )
    .await;
}

#[tokio::test]
async fn a_minimal_cancellation_sent_as_patch_cancels_booking_and_transfer() {
    minimal_cancellation("PATCH").await;
}

#[tokio::test]
async fn a_minimal_cancellation_sent_as_post_cancels_booking_and_transfer() {
    minimal_cancellation("POST").await;
}

#[tokio::test]
async fn an_amendment_of_the_phone_and_a_spaced_flight_number_changes_only_those() {
    let app = spawn_app().await;
    let booking_id = aoifes_booking(&app).await;
    no_content(
        &update(
            &app,
            "PATCH",
            "61882047",
            &corpus("04_amendment_pickup_time_only.json"),
        )
        .await,
    );
    let body = corpus("06_amendment_phone_and_flight_partial_passenger.json");
    no_content(&update(&app, "PATCH", "61882047", &body).await);

    let b = app.booking("transfers", "61882047").await.unwrap();
    assert_booking(
        &b,
        &Expected {
            status: BookingStatus::Confirmed,
            pickup: Some("2024-10-03T06:45:00Z"),
            customer: (Some(AOIFE), Some("Aoife"), Some("+353871112233")),
        },
    );
    assert_transfer(
        &app,
        booking_id,
        "61882047",
        SegmentStatus::Active,
        Some("2024-10-03T06:45:00Z"),
        Some(("EI", "EI712")),
    )
    .await;
    assert_lead(
        &app,
        booking_id,
        Some("Aoife"),
        Some("Murphy"),
        "+353871112233",
    )
    .await;
    assert_event(
        &app,
        &body,
        "booking-amendment",
        Some("61882047"),
        booking_id,
    )
    .await;
}

#[tokio::test]
async fn the_documentations_new_booking_sample_is_confirmed_with_every_field() {
    let app = spawn_app().await;
    let body = corpus("07_docs_new_booking_sample.json");
    let (_, booking_id) = created(&post_new(&app, &body).await);

    let b = app.booking("transfers", "44225562").await.expect("booking");
    assert_eq!(b.id, booking_id);
    assert_booking(
        &b,
        &Expected {
            status: BookingStatus::Confirmed,
            pickup: None,
            customer: (Some(JOHN), Some("John"), Some("+441632960881")),
        },
    );
    assert_eq!(
        b.extras,
        json!({
            "customerReference": "87654321",
            "searchResultId": "d290f1ee-6c54-4b01-90e6-d701748f0851",
            "comment": "Need a pet friendly car",
            "services": [{"name": "meetAndGreetMessage", "value": "Welcome John Doe"}],
            "title": "Mr"
        })
    );
    assert_transfer(
        &app,
        booking_id,
        "44225562",
        SegmentStatus::Active,
        None,
        Some(("BA", "BA123")),
    )
    .await;
    assert_lead(&app, booking_id, Some("John"), Some("Doe"), "+441632960881").await;
    assert_event(&app, &body, "booking-new", None, booking_id).await;
}

#[tokio::test]
async fn the_documentations_amendment_sample_sets_the_pickup_and_keeps_the_booking() {
    let app = spawn_app().await;
    let (_, booking_id) =
        created(&post_new(&app, &corpus("07_docs_new_booking_sample.json")).await);
    let body = corpus("08_docs_amendment_sample.json");
    no_content(&update(&app, "PATCH", "44225562", &body).await);

    let b = app.booking("transfers", "44225562").await.unwrap();
    assert_booking(
        &b,
        &Expected {
            status: BookingStatus::Confirmed,
            pickup: Some("2021-12-07T12:30:00Z"),
            customer: (Some(JOHN), Some("John"), Some("+441632960881")),
        },
    );
    assert_eq!(b.extras["cancellationReason"], Value::Null, "not kept");
    assert_transfer(
        &app,
        booking_id,
        "44225562",
        SegmentStatus::Active,
        Some("2021-12-07T12:30:00Z"),
        Some(("BA", "BA123")),
    )
    .await;
    assert_lead(&app, booking_id, Some("John"), Some("Doe"), "+441632960881").await;
    assert_event(
        &app,
        &body,
        "booking-amendment",
        Some("44225562"),
        booking_id,
    )
    .await;
}

#[tokio::test]
async fn the_documentations_cancellation_sample_cancels_and_its_blanks_change_nothing() {
    let app = spawn_app().await;
    let (_, booking_id) =
        created(&post_new(&app, &corpus("07_docs_new_booking_sample.json")).await);
    let body = corpus("09_docs_cancellation_sample.json");
    no_content(&update(&app, "PATCH", "44225562", &body).await);

    let b = app.booking("transfers", "44225562").await.unwrap();
    // The pickup time it carries belongs to a cancelled transfer: no active segment
    // gives the trip a start.
    assert_booking(
        &b,
        &Expected {
            status: BookingStatus::Cancelled,
            pickup: None,
            customer: (Some(JOHN), Some("John"), Some("+441632960881")),
        },
    );
    assert_eq!(
        b.extras["cancellationReason"],
        "Customer requested cancellation"
    );
    assert_eq!(
        b.extras["comment"], "Need a pet friendly car",
        "an empty comment is not sent"
    );
    assert_eq!(
        b.extras["services"],
        json!([{"name": "meetAndGreetMessage", "value": "Welcome John Doe"}]),
        "an empty list is not sent"
    );
    assert_transfer(
        &app,
        booking_id,
        "44225562",
        SegmentStatus::Cancelled,
        Some("2021-12-07T12:30:00Z"),
        Some(("BA", "BA123")),
    )
    .await;
    assert_lead(&app, booking_id, Some("John"), Some("Doe"), "+441632960881").await;
    assert_event(
        &app,
        &body,
        "booking-cancellation",
        Some("44225562"),
        booking_id,
    )
    .await;
}
