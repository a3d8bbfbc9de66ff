//! What AirGateway really sends (CONTRACT §4 *Real formats*), end to end: every payload
//! of the corpus (`tests/fixtures/real/airgateway/`, sources in its `SOURCES.md`, and the
//! shared `real-payloads/airgateway/`) through the real endpoint with AirGateway's Basic
//! credentials, the resulting booking checked field by field in the database. Payloads
//! about one order are posted in the order AirGateway would send them.

use entity::{booking, event, BookingStatus, EventStatus, SegmentKind, SegmentStatus};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{json, Value};
use tests::corpus::{real, shared};
use tests::expected::{self, at, some};
use tests::{partners, spawn_app, Reply, TestApp};
use uuid::Uuid;

fn corpus(name: &str) -> String {
    real(&format!("airgateway/{name}"))
}

/// Posts `body` to `/webhooks/airgateway[/{topic}]` with AirGateway's credentials.
async fn deliver(app: &TestApp, topic: Option<&str>, body: &str) -> Reply {
    let path = topic.map_or_else(|| "airgateway".to_owned(), |t| format!("airgateway/{t}"));
    app.post(&path, body, partners::agw()).await
}

/// An applied delivery's ids: `{"status":"applied","eventId","bookingId"}` exactly.
fn applied(reply: &Reply) -> (Uuid, Uuid) {
    let ids = expected::applied(reply);
    let keys: Vec<&str> = reply
        .json
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys.len(), 3, "{:?}", reply.json);
    ids
}

async fn event(app: &TestApp, id: Uuid) -> event::Model {
    app.events()
        .await
        .into_iter()
        .find(|e| e.id == id)
        .unwrap_or_else(|| panic!("event {id} is archived"))
}

/// The archived event of an applied delivery: type, source time, booking, raw body,
/// status and detail.
async fn assert_event(
    app: &TestApp,
    id: Uuid,
    body: &str,
    event_type: &str,
    occurred_at: Option<&str>,
    booking_id: Uuid,
    detail: Option<Value>,
) {
    let e = event(app, id).await;
    assert_eq!(e.partner, "airgateway");
    assert_eq!(e.adapter, "airgateway");
    assert_eq!(e.event_type, event_type);
    assert_eq!(e.status, EventStatus::Applied);
    assert_eq!(e.occurred_at, occurred_at.map(at));
    assert_eq!(e.booking_id, Some(booking_id));
    assert_eq!(e.raw_body, body.as_bytes(), "archived byte for byte");
    assert_eq!(e.error, None);
    assert_eq!(e.detail, detail);
}

/// What a booking should hold, field by field.
struct Expected<'a> {
    status: BookingStatus,
    booked_at: Option<&'a str>,
    last_source_at: Option<&'a str>,
    origin: Option<&'a str>,
    destination: Option<&'a str>,
    destinations: &'a [&'a str],
    travellers: (Option<i32>, Option<i32>, Option<i32>),
    /// First name, e-mail, phone.
    customer: (Option<&'a str>, Option<&'a str>, Option<&'a str>),
}

/// The airports of the corpus, as the embedded dataset names them.
fn airport(code: &str) -> (String, String) {
    let (name, country) = match code {
        "FRA" => ("Frankfurt Airport", "DE"),
        "JFK" => ("John F. Kennedy International Airport", "US"),
        "MAD" => ("Madrid-Barajas Airport", "ES"),
        "CDG" => ("Paris-Charles De Gaulle Airport", "FR"),
        "FCO" => ("Leonardo da Vinci-Fiumicino Airport", "IT"),
        "BCN" => ("Josep Tarradellas Barcelona-El Prat Airport", "ES"),
        "LIS" => ("Lisbon Portela Airport", "PT"),
        other => panic!("no expected name for {other}"),
    };
    (name.to_owned(), country.to_owned())
}

fn place(code: Option<&str>) -> (Option<String>, Option<String>, Option<String>) {
    match code {
        Some(code) => {
            let (name, country) = airport(code);
            (some(code), Some(name), Some(country))
        }
        None => (None, None, None),
    }
}

fn assert_booking(b: &booking::Model, expected: &Expected<'_>) {
    assert_eq!(b.partner, "airgateway");
    assert_eq!(b.status, expected.status);
    assert_eq!(
        b.marketing_allowed,
        expected.status != BookingStatus::Cancelled,
        "marketing follows cancellation"
    );
    assert_eq!(b.booked_at, expected.booked_at.map(at), "bookedAt");
    assert_eq!(
        b.last_source_at,
        expected.last_source_at.map(at),
        "source time"
    );
    assert_eq!(
        (b.trip_start, b.trip_end),
        (None, None),
        "AirGateway sends no flight times"
    );
    assert_eq!(
        (
            b.origin_code.clone(),
            b.origin_name.clone(),
            b.origin_country.clone()
        ),
        place(expected.origin),
        "origin"
    );
    assert_eq!(
        (
            b.destination_code.clone(),
            b.destination_name.clone(),
            b.destination_country.clone()
        ),
        place(expected.destination),
        "destination"
    );
    let destinations: Vec<Value> = expected
        .destinations
        .iter()
        .map(|code| {
            let (name, country) = airport(code);
            json!({"code": code, "name": name, "country": country})
        })
        .collect();
    assert_eq!(b.destinations, Value::Array(destinations), "destinations");
    assert_eq!((b.adults, b.children, b.infants), expected.travellers);
    assert_eq!((b.bag_count, b.cabin_class.clone()), (None, None));
    assert_eq!(b.customer_id, None);
    let (first, email, phone) = expected.customer;
    assert_eq!(
        (
            b.customer_first_name.as_deref(),
            b.customer_email.as_deref(),
            b.customer_phone.as_deref()
        ),
        (first, email, phone),
        "customer"
    );
}

/// The booking's segments: every one an AIR leg of `fullPath`, with the given status,
/// places from the airport dataset, and no times, carrier or flight number (AirGateway
/// sends none).
async fn assert_legs(app: &TestApp, booking_id: Uuid, legs: &[(&str, SegmentStatus)]) {
    let segments = app.segments(booking_id).await;
    assert_eq!(segments.len(), legs.len(), "{segments:?}");
    for (n, (s, (leg, status))) in segments.iter().zip(legs).enumerate() {
        let (from, to) = leg.split_once('-').expect("ORIG-DEST");
        assert_eq!(s.reference, format!("{leg}#{}", n + 1));
        assert_eq!(s.sequence, i32::try_from(n + 1).unwrap());
        assert_eq!(s.kind, SegmentKind::Air);
        assert_eq!(s.status, *status, "{leg}");
        assert_eq!(
            (
                s.origin_code.clone(),
                s.origin_name.clone(),
                s.origin_country.clone()
            ),
            place(Some(from))
        );
        assert_eq!(
            (
                s.destination_code.clone(),
                s.destination_name.clone(),
                s.destination_country.clone()
            ),
            place(Some(to))
        );
        assert_eq!((s.departure_at, s.arrival_at), (None, None));
        assert_eq!(
            (
                s.carrier.as_deref(),
                s.flight_number.as_deref(),
                s.cabin_class.as_deref()
            ),
            (None, None, None)
        );
    }
}

/// The lead passenger (first name, last name, e-mail, phone), or none.
async fn assert_lead(app: &TestApp, booking_id: Uuid, lead: Option<(&str, &str, &str, &str)>) {
    let passengers = app.passengers(booking_id).await;
    match lead {
        None => assert!(passengers.is_empty(), "{passengers:?}"),
        Some((first, last, email, phone)) => {
            assert_eq!(passengers.len(), 1, "{passengers:?}");
            let p = &passengers[0];
            assert_eq!(p.reference, "lead");
            assert!(p.lead);
            assert_eq!(
                (
                    p.first_name.as_deref(),
                    p.last_name.as_deref(),
                    p.email.as_deref(),
                    p.phone.as_deref()
                ),
                (Some(first), Some(last), Some(email), Some(phone))
            );
        }
    }
}

/// Booking AGW-7RZK2D9W as the AirlineNotification leaves it.
const NOAH: (Option<&str>, Option<&str>, Option<&str>) = (
    Some("Noah"),
    Some("noah.becker@example.de"),
    Some("+4915123456789"),
);
const NOAH_LEAD: Option<(&str, &str, &str, &str)> =
    Some(("Noah", "Becker", "noah.becker@example.de", "+4915123456789"));
const FRA_JFK_FRA: [(&str, SegmentStatus); 2] = [
    ("FRA-JFK", SegmentStatus::Active),
    ("JFK-FRA", SegmentStatus::Active),
];
const MAD_CDG_FCO_MAD: [(&str, SegmentStatus); 3] = [
    ("MAD-CDG", SegmentStatus::Active),
    ("CDG-FCO", SegmentStatus::Active),
    ("FCO-MAD", SegmentStatus::Active),
];

fn frankfurt_round_trip(status: BookingStatus, last_source_at: &str) -> Expected<'_> {
    Expected {
        status,
        booked_at: Some("2025-10-20T13:02:44Z"),
        last_source_at: Some(last_source_at),
        origin: Some("FRA"),
        destination: Some("JFK"),
        destinations: &["JFK", "FRA"],
        travellers: (Some(1), Some(0), Some(0)),
        customer: NOAH,
    }
}

fn multicity(status: BookingStatus, last_source_at: &str) -> Expected<'_> {
    Expected {
        status,
        booked_at: Some("2025-09-01T10:00:00Z"),
        last_source_at: Some(last_source_at),
        origin: Some("MAD"),
        destination: Some("MAD"),
        destinations: &["CDG", "FCO", "MAD"],
        travellers: (Some(2), Some(0), Some(1)),
        customer: (None, None, None),
    }
}

/// Posts the AirlineNotification (03) that opens order AGW-7RZK2D9W; its booking id.
async fn airline_notification(app: &TestApp) -> Uuid {
    applied(&deliver(app, None, &corpus("03_airline_notification.json")).await).1
}

/// Posts the ItineraryChange (06) that opens order AGW-Q4N8S2LE; its booking id.
async fn itinerary_change(app: &TestApp) -> Uuid {
    applied(&deliver(app, None, &corpus("06_itinerary_change_multicity.json")).await).1
}

#[tokio::test]
async fn kb_standard_payload_names_its_order_by_order_id_and_tickets_it() {
    let app = spawn_app().await;
    let body = corpus("01_kb_standard_payload_orderID_only.json");
    let (event_id, booking_id) = applied(&deliver(&app, Some("OrderTicketed"), &body).await);

    let b = app
        .booking("airgateway", "AGW-E1TLLZH0HB")
        .await
        .expect("orderID names the booking");
    assert_eq!(b.id, booking_id);
    assert_booking(
        &b,
        &Expected {
            status: BookingStatus::Ticketed,
            booked_at: None,
            last_source_at: None,
            origin: None,
            destination: None,
            destinations: &[],
            travellers: (None, None, None),
            customer: (None, None, None),
        },
    );
    assert_eq!(b.extras["pnr"], "YMCP6O");
    assert_eq!(b.extras["agency"], "agency-001");
    assert!(b.extras.get("orderID").is_none(), "{:?}", b.extras);
    assert_legs(&app, booking_id, &[]).await;
    assert_lead(&app, booking_id, None).await;
    assert_event(
        &app,
        event_id,
        &body,
        "OrderTicketed",
        None,
        booking_id,
        None,
    )
    .await;
}

/// A template whose values are all placeholders names no booking: a clear 422 on
/// `agwID`, archived as rejected under the event type of its URL, and no booking.
async fn assert_template_refused(body: &str) {
    let app = spawn_app().await;
    let reply = deliver(&app, Some("OrderTicketed"), body).await;
    assert_eq!(reply.status, 422, "{:?}", reply.json);
    let error = &reply.json["error"];
    assert_eq!(error["code"], "invalid_payload");
    let fields = error["fields"].as_array().expect("fields listed");
    assert_eq!(fields.len(), 1, "{fields:?}");
    assert_eq!(fields[0]["field"], "agwID");
    let message = fields[0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("names no booking") && message.contains("placeholder"),
        "{message}"
    );
    let events = app.events().await;
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e.status, EventStatus::Rejected);
    assert_eq!(e.event_type, "OrderTicketed");
    assert_eq!(e.topic, some("OrderTicketed"));
    assert_eq!(e.booking_id, None);
    assert_eq!(e.raw_body, body.as_bytes());
    assert!(e.error.as_deref().is_some_and(|m| !m.is_empty()));
    let bookings = booking::Entity::find()
        .count(&app.db)
        .await
        .expect("count bookings");
    assert_eq!(bookings, 0, "nothing names a booking, so none is made");
}

#[tokio::test]
async fn devguides_json_body_template_names_no_booking_and_is_refused() {
    assert_template_refused(&corpus("02_devguides_webhook_page_json_body_template.json")).await;
}

#[tokio::test]
async fn shared_devguides_task_body_without_order_id_is_refused() {
    assert_template_refused(&shared(
        "airgateway/devguides_2019-10-11_task_jsonBody_no_order_id.json",
    ))
    .await;
}

#[tokio::test]
async fn airline_notification_disrupts_the_order_and_records_the_notice() {
    let app = spawn_app().await;
    let body = corpus("03_airline_notification.json");
    let (event_id, booking_id) = applied(&deliver(&app, None, &body).await);

    let b = app.booking("airgateway", "AGW-7RZK2D9W").await.unwrap();
    assert_eq!(b.id, booking_id);
    assert_booking(
        &b,
        &frankfurt_round_trip(BookingStatus::Disrupted, "2025-12-01T06:14:09Z"),
    );
    assert_eq!(b.extras["orderID"], "LH-5TQ8MV");
    assert_eq!(b.extras["provider"], "LH");
    assert_legs(&app, booking_id, &FRA_JFK_FRA).await;
    assert_lead(&app, booking_id, NOAH_LEAD).await;
    assert_event(
        &app,
        event_id,
        &body,
        "AirlineNotification",
        Some("2025-12-01T06:14:09Z"),
        booking_id,
        Some(json!({"disruption": "AirlineNotification"})),
    )
    .await;
}

#[tokio::test]
async fn order_changed_by_topic_finds_the_order_by_order_id_and_takes_its_order_status() {
    let app = spawn_app().await;
    let booking_id = airline_notification(&app).await;
    let body = corpus("04_order_changed_orderID_only.json");
    let (event_id, changed) = applied(&deliver(&app, Some("OrderChanged"), &body).await);
    assert_eq!(changed, booking_id, "orderID holds the AirGateway id");

    let b = app.booking("airgateway", "AGW-7RZK2D9W").await.unwrap();
    // OrderChanged has no status of its own; the order's stated status is "confirmed",
    // newer than the notification.
    assert_booking(
        &b,
        &frankfurt_round_trip(BookingStatus::Confirmed, "2025-12-01T08:30:00Z"),
    );
    assert_eq!(
        b.extras["orderID"], "LH-5TQ8MV",
        "the airline's order id is kept"
    );
    assert_legs(&app, booking_id, &FRA_JFK_FRA).await;
    assert_lead(&app, booking_id, NOAH_LEAD).await;
    assert_event(
        &app,
        event_id,
        &body,
        "OrderChanged",
        Some("2025-12-01T08:30:00Z"),
        booking_id,
        None,
    )
    .await;
}

#[tokio::test]
async fn dates_changed_with_offsets_updates_the_order_and_keeps_its_status() {
    let app = spawn_app().await;
    let booking_id = airline_notification(&app).await;
    let body = corpus("05_dates_changed_offset.json");
    let (event_id, changed) = applied(&deliver(&app, None, &body).await);
    assert_eq!(changed, booking_id);

    let b = app.booking("airgateway", "AGW-7RZK2D9W").await.unwrap();
    assert_booking(
        &b,
        &frankfurt_round_trip(BookingStatus::Disrupted, "2025-12-02T09:30:00Z"),
    );
    assert_legs(&app, booking_id, &FRA_JFK_FRA).await;
    assert_lead(&app, booking_id, NOAH_LEAD).await;
    assert_event(
        &app,
        event_id,
        &body,
        "DatesChanged",
        Some("2025-12-02T09:30:00Z"),
        booking_id,
        None,
    )
    .await;
}

#[tokio::test]
async fn itinerary_change_of_an_unknown_multicity_order_creates_it_with_every_leg() {
    let app = spawn_app().await;
    let body = corpus("06_itinerary_change_multicity.json");
    let (event_id, booking_id) = applied(&deliver(&app, None, &body).await);

    let b = app.booking("airgateway", "AGW-Q4N8S2LE").await.unwrap();
    assert_eq!(b.id, booking_id);
    assert_booking(
        &b,
        &multicity(BookingStatus::Confirmed, "2025-11-15T16:45:30Z"),
    );
    assert_eq!(b.extras["bookingType"], "Multicity");
    assert_eq!(b.extras["orderID"], "IB-2WQ9XZ");
    assert_legs(&app, booking_id, &MAD_CDG_FCO_MAD).await;
    assert_lead(&app, booking_id, None).await;
    assert_event(
        &app,
        event_id,
        &body,
        "ItineraryChange",
        Some("2025-11-15T16:45:30Z"),
        booking_id,
        None,
    )
    .await;
}

#[tokio::test]
async fn services_deletion_the_developer_guides_name_updates_the_order() {
    let app = spawn_app().await;
    let booking_id = itinerary_change(&app).await;
    let body = corpus("07_services_deletion_legacy_name.json");
    let (event_id, changed) = applied(&deliver(&app, None, &body).await);
    assert_eq!(changed, booking_id);

    let b = app.booking("airgateway", "AGW-Q4N8S2LE").await.unwrap();
    assert_booking(
        &b,
        &multicity(BookingStatus::Confirmed, "2025-11-16T09:10:00Z"),
    );
    assert_legs(&app, booking_id, &MAD_CDG_FCO_MAD).await;
    assert_event(
        &app,
        event_id,
        &body,
        "ServicesDeletion",
        Some("2025-11-16T09:10:00Z"),
        booking_id,
        None,
    )
    .await;
}

#[tokio::test]
async fn order_created_spelt_agw_id_and_order_id_is_a_confirmed_booking() {
    let app = spawn_app().await;
    let body = corpus("08_order_created_agwId_orderId_lowercase_d.json");
    let (event_id, booking_id) = applied(&deliver(&app, None, &body).await);

    let b = app
        .booking("airgateway", "AGW-3MNB8X1C")
        .await
        .expect("agwId names the booking");
    assert_eq!(b.id, booking_id);
    assert_booking(
        &b,
        &Expected {
            status: BookingStatus::Confirmed,
            booked_at: Some("2025-11-28T17:45:12Z"),
            last_source_at: Some("2025-11-28T17:45:12Z"),
            origin: Some("BCN"),
            destination: Some("FCO"),
            destinations: &["FCO"],
            travellers: (Some(1), Some(0), Some(0)),
            customer: (
                Some("Marco"),
                Some("marco.rossi@example.it"),
                Some("+393123456789"),
            ),
        },
    );
    assert_eq!(
        b.extras["orderID"], "UX-9PLK2W",
        "orderId kept as the airline's order id"
    );
    assert_legs(&app, booking_id, &[("BCN-FCO", SegmentStatus::Active)]).await;
    assert_lead(
        &app,
        booking_id,
        Some(("Marco", "Rossi", "marco.rossi@example.it", "+393123456789")),
    )
    .await;
    assert_event(
        &app,
        event_id,
        &body,
        "OrderCreated",
        Some("2025-11-28T17:45:12Z"),
        booking_id,
        None,
    )
    .await;
}

#[tokio::test]
async fn order_canceled_with_nulls_and_empty_strings_cancels_and_changes_nothing_else() {
    let app = spawn_app().await;
    let booking_id = itinerary_change(&app).await;
    let body = corpus("09_order_canceled_nulls_and_empty.json");
    let (event_id, changed) = applied(&deliver(&app, Some("OrderCanceled"), &body).await);
    assert_eq!(changed, booking_id);

    let b = app.booking("airgateway", "AGW-Q4N8S2LE").await.unwrap();
    // null childrenPax/infantsPax are "not sent": the counts stay 0 and 1.
    assert_booking(
        &b,
        &multicity(BookingStatus::Cancelled, "2025-11-20T12:00:00Z"),
    );
    assert!(!b.marketing_allowed);
    assert_eq!(
        b.extras["orderID"], "IB-2WQ9XZ",
        "orderID null keeps the stored one"
    );
    assert!(b.extras.get("recordLocator").is_none(), "{:?}", b.extras);
    assert!(b.extras.get("totalAmount").is_none(), "{:?}", b.extras);
    assert_legs(&app, booking_id, &MAD_CDG_FCO_MAD).await;
    assert_lead(&app, booking_id, None).await;
    assert_event(
        &app,
        event_id,
        &body,
        "OrderCanceled",
        Some("2025-11-20T12:00:00Z"),
        booking_id,
        None,
    )
    .await;
}

#[tokio::test]
async fn order_started_deprecated_but_sent_puts_the_order_in_progress() {
    let app = spawn_app().await;
    let booking_id = airline_notification(&app).await;
    let body = corpus("10_order_started_deprecated.json");
    let (event_id, changed) = applied(&deliver(&app, None, &body).await);
    assert_eq!(changed, booking_id);

    let b = app.booking("airgateway", "AGW-7RZK2D9W").await.unwrap();
    assert_booking(
        &b,
        &frankfurt_round_trip(BookingStatus::InProgress, "2025-12-05T09:40:00Z"),
    );
    assert_legs(&app, booking_id, &FRA_JFK_FRA).await;
    assert_lead(&app, booking_id, NOAH_LEAD).await;
    assert_event(
        &app,
        event_id,
        &body,
        "OrderStarted",
        Some("2025-12-05T09:40:00Z"),
        booking_id,
        None,
    )
    .await;
}

#[tokio::test]
async fn flight_cancelation_notification_disrupts_the_order() {
    let app = spawn_app().await;
    let booking_id = itinerary_change(&app).await;
    let body = corpus("11_flight_cancelation_notification.json");
    let (event_id, changed) = applied(&deliver(&app, None, &body).await);
    assert_eq!(changed, booking_id);

    let b = app.booking("airgateway", "AGW-Q4N8S2LE").await.unwrap();
    assert_booking(
        &b,
        &multicity(BookingStatus::Disrupted, "2025-11-18T05:55:00Z"),
    );
    assert_legs(&app, booking_id, &MAD_CDG_FCO_MAD).await;
    assert_event(
        &app,
        event_id,
        &body,
        "FlightCancelation",
        Some("2025-11-18T05:55:00Z"),
        booking_id,
        Some(json!({"disruption": "FlightCancelation"})),
    )
    .await;
}

#[tokio::test]
async fn flight_cancelation_arriving_after_the_newer_cancellation_is_stale() {
    let app = spawn_app().await;
    let booking_id = itinerary_change(&app).await;
    applied(
        &deliver(
            &app,
            Some("OrderCanceled"),
            &corpus("09_order_canceled_nulls_and_empty.json"),
        )
        .await,
    );
    let body = corpus("11_flight_cancelation_notification.json");
    let reply = deliver(&app, None, &body).await;
    assert_eq!(reply.status, 200, "{:?}", reply.json);
    assert_eq!(reply.json["status"], "stale", "{:?}", reply.json);

    let b = app.booking("airgateway", "AGW-Q4N8S2LE").await.unwrap();
    assert_booking(
        &b,
        &multicity(BookingStatus::Cancelled, "2025-11-20T12:00:00Z"),
    );
    let e = app
        .events()
        .await
        .into_iter()
        .find(|e| e.raw_body == body.as_bytes())
        .expect("archived");
    assert_eq!(e.status, EventStatus::Stale);
    assert_eq!(e.event_type, "FlightCancelation");
    assert_eq!(e.booking_id, Some(booking_id));
}

#[tokio::test]
async fn order_created_with_local_times_reads_them_at_the_departure_airport() {
    let app = spawn_app().await;
    let body = corpus("12_order_created_local_times_no_offset.json");
    let (event_id, booking_id) = applied(&deliver(&app, None, &body).await);

    let b = app.booking("airgateway", "AGW-6JXK3P8T").await.unwrap();
    assert_eq!(b.id, booking_id);
    // 16:05 in New York in July (EDT, UTC-4).
    assert_booking(
        &b,
        &Expected {
            status: BookingStatus::Confirmed,
            booked_at: Some("2025-07-14T20:05:00Z"),
            last_source_at: Some("2025-07-14T20:05:00Z"),
            origin: Some("JFK"),
            destination: Some("LIS"),
            destinations: &["LIS"],
            travellers: (Some(2), None, None),
            customer: (Some("Sam"), Some("sam.ortiz@example.com"), None),
        },
    );
    assert_legs(&app, booking_id, &[("JFK-LIS", SegmentStatus::Active)]).await;
    let passengers = app.passengers(booking_id).await;
    assert_eq!(passengers.len(), 1);
    assert_eq!(
        (
            passengers[0].first_name.as_deref(),
            passengers[0].last_name.as_deref(),
            passengers[0].email.as_deref(),
            passengers[0].phone.as_deref()
        ),
        (
            Some("Sam"),
            Some("Ortiz"),
            Some("sam.ortiz@example.com"),
            None
        )
    );
    assert_event(
        &app,
        event_id,
        &body,
        "OrderCreated",
        Some("2025-07-14T20:05:00Z"),
        booking_id,
        None,
    )
    .await;
}

/// The whole life of order AGW-7RZK2D9W as AirGateway sends it, in order: every
/// delivery applied to one booking.
#[tokio::test]
async fn the_frankfurt_order_in_sequence_ends_in_progress_on_one_booking() {
    let app = spawn_app().await;
    let booking_id = airline_notification(&app).await;
    for (topic, name) in [
        (Some("OrderChanged"), "04_order_changed_orderID_only.json"),
        (None, "05_dates_changed_offset.json"),
        (None, "10_order_started_deprecated.json"),
    ] {
        let (_, id) = applied(&deliver(&app, topic, &corpus(name)).await);
        assert_eq!(id, booking_id, "{name}");
    }
    let b = app.booking("airgateway", "AGW-7RZK2D9W").await.unwrap();
    assert_booking(
        &b,
        &frankfurt_round_trip(BookingStatus::InProgress, "2025-12-05T09:40:00Z"),
    );
    assert_legs(&app, booking_id, &FRA_JFK_FRA).await;
    assert_lead(&app, booking_id, NOAH_LEAD).await;
    let types: Vec<String> = app
        .events()
        .await
        .into_iter()
        .map(|e| e.event_type)
        .collect();
    assert_eq!(
        types,
        [
            "AirlineNotification",
            "OrderChanged",
            "DatesChanged",
            "OrderStarted"
        ]
    );
}
