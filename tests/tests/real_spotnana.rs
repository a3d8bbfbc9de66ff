//! Spotnana's real formats (CONTRACT §4 *Real formats*), end to end through
//! `POST /webhooks/spotnana` with Spotnana's OAuth bearer token: every payload of the
//! real-payload corpus becomes the booking it describes, checked field by field in the
//! database (status, marketing, booked-at, trip, places, every segment, every passenger).
//!
//! - The shared set (`../shared/real-payloads/spotnana/`): `PnrData` objects generated
//!   from Spotnana's OpenAPI examples, one per booking kind. Each is wrapped here in the
//!   `PNR_V3` envelope, as a webhook carries it.
//! - The repository's set (`tests/fixtures/real/spotnana/`, sources in
//!   `tests/fixtures/real/SOURCES.md`): whole deliveries assembled from the schema, and
//!   the portal's verbatim AGENT_TASK_DETAILS sample.
//!
//! Places known by an IATA code are named after their airport (README *Airports*), so
//! their expected names are the dataset's.

use entity::{booking, BookingStatus, EventStatus, PassengerType, SegmentKind, SegmentStatus};
use tests::expected::{
    airport, applied, at, destinations, named, nowhere, time, uuid, Ends, Place,
};
use tests::{corpus, partners, spawn_app, Reply, TestApp};
use uuid::Uuid;

// ---------------------------------------------------------------------------------------
// Delivering

/// POSTs a delivery with a fresh token from Spotnana's client credentials.
async fn deliver(app: &TestApp, body: &str) -> Reply {
    app.post("spotnana", body, partners::spotnana()).await
}

/// A file of the repository's corpus, delivered and applied; returns the booking id.
async fn apply_real(app: &TestApp, file: &str) -> Uuid {
    applied(&deliver(app, &corpus::real(&format!("spotnana/{file}"))).await).1
}

/// A `PnrData` of the shared set in the `PNR_V3` envelope Spotnana's webhooks use (its
/// Webhook Events API: `event_type`, `operation`, `timestamp`, `operationSummary`,
/// `payload`). The payload is inserted byte for byte.
fn enveloped(file: &str, operation: &str, timestamp: &str) -> String {
    let payload = corpus::shared(&format!("spotnana/{file}"));
    format!(
        r#"{{"event_type":"PNR_V3","operation":"{operation}","timestamp":"{timestamp}","operationSummary":{{"ticketsIssued":[],"ticketsVoided":[],"ticketsRefunded":[]}},"payload":{payload}}}"#
    )
}

async fn event(app: &TestApp, id: Uuid) -> entity::event::Model {
    app.events()
        .await
        .into_iter()
        .find(|e| e.id == id)
        .unwrap_or_else(|| panic!("event {id} is archived"))
}

// ---------------------------------------------------------------------------------------
// Expectations

struct Segment {
    reference: &'static str,
    kind: SegmentKind,
    status: SegmentStatus,
    from: Place,
    to: Place,
    departure: Option<&'static str>,
    arrival: Option<&'static str>,
    carrier: Option<&'static str>,
    number: Option<&'static str>,
    cabin: Option<&'static str>,
}

struct Passenger {
    reference: &'static str,
    first: &'static str,
    last: &'static str,
    kind: PassengerType,
    lead: bool,
    email: Option<&'static str>,
    phone: Option<&'static str>,
}

struct Expected {
    status: BookingStatus,
    booked_at: Option<&'static str>,
    trip: (Option<&'static str>, Option<&'static str>),
    origin: Place,
    destination: Place,
    destinations: Vec<Place>,
    /// (adults, children, infants)
    counts: (Option<i32>, Option<i32>, Option<i32>),
    segments: Vec<Segment>,
    passengers: Vec<Passenger>,
    /// The newest source time applied (the envelope's `timestamp`).
    last_source_at: &'static str,
}

/// Checks the booking (partner `spotnana`, `reference`) against `expected`, field by field.
async fn assert_booking(app: &TestApp, reference: &str, expected: Expected) -> booking::Model {
    let b = app
        .booking("spotnana", reference)
        .await
        .unwrap_or_else(|| panic!("booking {reference} exists"));
    assert_eq!(b.status, expected.status, "status");
    assert_eq!(
        b.marketing_allowed,
        expected.status != BookingStatus::Cancelled,
        "marketing follows cancellation"
    );
    assert_eq!(b.booked_at, time(expected.booked_at), "bookedAt");
    assert_eq!(
        (b.trip_start, b.trip_end),
        (time(expected.trip.0), time(expected.trip.1)),
        "trip start and end"
    );
    assert_eq!(b.origin_place(), expected.origin, "origin");
    assert_eq!(b.destination_place(), expected.destination, "destination");
    assert_eq!(destinations(&b), expected.destinations, "destinations");
    assert_eq!(
        (b.adults, b.children, b.infants),
        expected.counts,
        "traveller counts"
    );
    assert_eq!(
        b.last_source_at,
        Some(at(expected.last_source_at)),
        "source time"
    );

    let segments = app.segments(b.id).await;
    assert_eq!(
        segments.len(),
        expected.segments.len(),
        "segments: {segments:#?}"
    );
    for (n, (s, e)) in segments.iter().zip(&expected.segments).enumerate() {
        let sequence = i32::try_from(n + 1).expect("small");
        assert_eq!(
            (
                s.reference.as_str(),
                s.sequence,
                s.kind,
                s.status,
                s.origin_place(),
                s.destination_place(),
                s.departure_at,
                s.arrival_at,
                s.carrier.as_deref(),
                s.flight_number.as_deref(),
                s.cabin_class.as_deref(),
            ),
            (
                e.reference,
                sequence,
                e.kind,
                e.status,
                e.from.clone(),
                e.to.clone(),
                time(e.departure),
                time(e.arrival),
                e.carrier,
                e.number,
                e.cabin,
            ),
            "segment {sequence}"
        );
    }

    let passengers = app.passengers(b.id).await;
    assert_eq!(
        passengers.len(),
        expected.passengers.len(),
        "passengers: {passengers:#?}"
    );
    for (p, e) in passengers.iter().zip(&expected.passengers) {
        assert_eq!(
            (
                p.reference.as_str(),
                p.first_name.as_deref(),
                p.last_name.as_deref(),
                p.passenger_type,
                p.lead,
                p.email.as_deref(),
                p.phone.as_deref(),
            ),
            (
                e.reference,
                Some(e.first),
                Some(e.last),
                e.kind,
                e.lead,
                e.email,
                e.phone
            ),
            "passenger {}",
            e.reference
        );
    }
    if let Some(lead) = expected.passengers.iter().find(|p| p.lead) {
        assert_eq!(b.customer_first_name.as_deref(), Some(lead.first));
        assert_eq!(b.customer_email.as_deref(), lead.email);
        assert_eq!(b.customer_phone.as_deref(), lead.phone);
    } else {
        assert_eq!(
            (b.customer_first_name.clone(), b.customer_email.clone()),
            (None, None),
            "no traveller named, no customer"
        );
    }
    b
}

/// The only traveller of every shared example: the schema's example name and contact
/// (`+91` `0` `8150`, libphonenumber's fields with an Italian leading zero, is E.164).
fn vichitr(kind: PassengerType) -> Passenger {
    Passenger {
        reference: "string",
        first: "Vichitr",
        last: "Gandas",
        kind,
        lead: true,
        email: Some("example@email.com"),
        phone: Some("+9108150"),
    }
}

/// The shared examples' `PostalAddress`: San Francisco, `locationCode` LAX, in
/// America/Los_Angeles.
fn san_francisco() -> Place {
    named(Some("LAX"), "San Francisco", "US")
}

/// The shared examples' local `2017-07-21T17:32` in Los Angeles (PDT, UTC-7).
const LA_1732: &str = "2017-07-22T00:32:00Z";

/// The shared examples' bookings are created with one envelope time.
const SHARED_TIMESTAMP: &str = "2017-07-21T17:33:05Z";

// ---------------------------------------------------------------------------------------
// The shared set: PnrData generated from Spotnana's OpenAPI examples

#[tokio::test]
async fn shared_air_pnr_gives_the_flight_in_utc_at_both_airports_and_the_pnr_traveler() {
    let app = spawn_app().await;
    let body = enveloped(
        "pnrdata_air_from_openapi_examples.json",
        "BOOKING_CREATED",
        SHARED_TIMESTAMP,
    );
    let (event_id, booking_id) = applied(&deliver(&app, &body).await);
    // SFO 17:32 PDT (UTC-7) and LHR 17:32 BST (UTC+1): the example's times, as given.
    let b = assert_booking(
        &app,
        "123456789",
        Expected {
            status: BookingStatus::Confirmed,
            booked_at: Some("2017-07-21T17:32:00Z"),
            trip: (Some("2017-07-22T00:32:00Z"), Some("2017-07-21T16:32:00Z")),
            origin: airport("SFO", "US"),
            destination: airport("LHR", "GB"),
            destinations: vec![airport("LHR", "GB")],
            counts: (Some(1), Some(0), Some(0)),
            segments: vec![Segment {
                reference: "CjoKOGNsYXNzIERhdGVUaW1lTG9jYWwgewogICAgaXNvO",
                kind: SegmentKind::Air,
                status: SegmentStatus::Active,
                from: airport("SFO", "US"),
                to: airport("LHR", "GB"),
                departure: Some("2017-07-22T00:32:00Z"),
                arrival: Some("2017-07-21T16:32:00Z"),
                carrier: Some("AA"),
                number: Some("AA321"),
                cabin: Some("ECONOMY"),
            }],
            passengers: vec![vichitr(PassengerType::Adult)],
            last_source_at: SHARED_TIMESTAMP,
        },
    )
    .await;
    assert_eq!(b.id, booking_id);
    assert_eq!(b.extras["tripId"], "123456789");
    assert_eq!(b.extras["sourcePnrId"], "AEDAVF");
    let e = event(&app, event_id).await;
    assert_eq!(e.event_type, "PNR_V3/BOOKING_CREATED");
    assert_eq!(e.status, EventStatus::Applied);
    assert_eq!(e.raw_body, body.as_bytes());
}

#[tokio::test]
async fn shared_hotel_pnr_is_a_stay_in_the_hotels_city_and_zone() {
    let app = spawn_app().await;
    let body = enveloped(
        "pnrdata_hotel_from_openapi_examples.json",
        "BOOKING_CREATED",
        SHARED_TIMESTAMP,
    );
    applied(&deliver(&app, &body).await);
    assert_booking(
        &app,
        "123456789",
        Expected {
            status: BookingStatus::Confirmed,
            booked_at: Some("2017-07-21T17:32:00Z"),
            trip: (Some(LA_1732), Some(LA_1732)),
            origin: nowhere(),
            destination: san_francisco(),
            destinations: vec![san_francisco()],
            counts: (Some(1), Some(0), Some(0)),
            segments: vec![Segment {
                reference: "123456789:hotel",
                kind: SegmentKind::Hotel,
                status: SegmentStatus::Active,
                from: nowhere(),
                to: san_francisco(),
                departure: Some(LA_1732),
                arrival: Some(LA_1732),
                carrier: Some("Red Roof Inns"),
                number: None,
                cabin: None,
            }],
            passengers: vec![vichitr(PassengerType::Adult)],
            last_source_at: SHARED_TIMESTAMP,
        },
    )
    .await;
}

#[tokio::test]
async fn shared_car_pnr_is_a_rental_from_pickup_to_drop_off() {
    let app = spawn_app().await;
    let body = enveloped(
        "pnrdata_car_from_openapi_examples.json",
        "BOOKING_CREATED",
        SHARED_TIMESTAMP,
    );
    applied(&deliver(&app, &body).await);
    assert_booking(
        &app,
        "123456789",
        Expected {
            status: BookingStatus::Confirmed,
            booked_at: Some("2017-07-21T17:32:00Z"),
            trip: (Some(LA_1732), Some(LA_1732)),
            origin: san_francisco(),
            destination: san_francisco(),
            destinations: vec![san_francisco()],
            counts: (Some(1), Some(0), Some(0)),
            segments: vec![Segment {
                reference: "123456789:car",
                kind: SegmentKind::Car,
                status: SegmentStatus::Active,
                from: san_francisco(),
                to: san_francisco(),
                departure: Some(LA_1732),
                arrival: Some(LA_1732),
                carrier: Some("HERTZ"),
                number: None,
                cabin: None,
            }],
            passengers: vec![vichitr(PassengerType::Adult)],
            last_source_at: SHARED_TIMESTAMP,
        },
    )
    .await;
}

#[tokio::test]
async fn shared_rail_pnr_is_a_leg_between_named_stations_at_its_utc_times() {
    let app = spawn_app().await;
    let body = enveloped(
        "pnrdata_rail_from_openapi_examples.json",
        "BOOKING_CREATED",
        SHARED_TIMESTAMP,
    );
    applied(&deliver(&app, &body).await);
    let euston = named(None, "London Euston", "GB");
    let lime_street = named(None, "Liverpool Lime Street", "GB");
    assert_booking(
        &app,
        "123456789",
        Expected {
            status: BookingStatus::Confirmed,
            booked_at: Some("2017-07-21T17:32:00Z"),
            // `departAt`/`arriveAt` carry the offset (`…17:32Z`) and win over the local ones.
            trip: (Some("2017-07-21T17:32:00Z"), Some("2017-07-21T17:32:00Z")),
            origin: euston.clone(),
            destination: lime_street.clone(),
            destinations: vec![lime_street.clone()],
            counts: (Some(1), Some(0), Some(0)),
            segments: vec![Segment {
                reference: "9a766905-b5e9-43f7-b985-0738ff692324",
                kind: SegmentKind::Rail,
                status: SegmentStatus::Active,
                from: euston,
                to: lime_street,
                departure: Some("2017-07-21T17:32:00Z"),
                arrival: Some("2017-07-21T17:32:00Z"),
                carrier: Some("Deutsche Bahn"),
                number: Some("ICE 373"),
                cabin: Some("FIRST"),
            }],
            passengers: vec![vichitr(PassengerType::Adult)],
            last_source_at: SHARED_TIMESTAMP,
        },
    )
    .await;
}

#[tokio::test]
async fn shared_limo_pnr_is_a_transfer_leg_with_the_limo_company() {
    let app = spawn_app().await;
    let body = enveloped(
        "pnrdata_limo_from_openapi_examples.json",
        "BOOKING_CREATED",
        SHARED_TIMESTAMP,
    );
    applied(&deliver(&app, &body).await);
    assert_booking(
        &app,
        "123456789",
        Expected {
            status: BookingStatus::Confirmed,
            booked_at: Some("2017-07-21T17:32:00Z"),
            trip: (Some(LA_1732), Some(LA_1732)),
            origin: san_francisco(),
            destination: san_francisco(),
            destinations: vec![san_francisco()],
            counts: (Some(1), Some(0), Some(0)),
            segments: vec![Segment {
                reference: "123456789:limo:0",
                kind: SegmentKind::Transfer,
                status: SegmentStatus::Active,
                from: san_francisco(),
                to: san_francisco(),
                departure: Some(LA_1732),
                arrival: Some(LA_1732),
                carrier: Some("NATIONAL"),
                number: None,
                cabin: None,
            }],
            passengers: vec![vichitr(PassengerType::Adult)],
            last_source_at: SHARED_TIMESTAMP,
        },
    )
    .await;
}

// ---------------------------------------------------------------------------------------
// The repository's set: deliveries assembled from the schema

const GRACE: &str = "3f1c9a52-7d0e-4b8a-9c61-2e5f0a7b4d13";
const KEIKO: &str = "a9d2e1f0-55c3-4e7b-8f10-6b2c3d4e5f60";

fn grace() -> Passenger {
    Passenger {
        reference: GRACE,
        first: "Grace",
        last: "Okafor",
        kind: PassengerType::Adult,
        lead: true,
        email: Some("grace.okafor@example.com"),
        phone: Some("+16465550182"),
    }
}

fn keiko() -> Passenger {
    Passenger {
        reference: KEIKO,
        first: "Keiko",
        last: "Tanaka",
        kind: PassengerType::Adult,
        lead: true,
        email: Some("keiko.tanaka@example.com"),
        phone: Some("+819012345678"),
    }
}

/// JFK→LHR BA178: 18:30 EST (UTC-5) → 06:40 GMT.
fn ba178(reference: &'static str, status: SegmentStatus) -> Segment {
    Segment {
        reference,
        kind: SegmentKind::Air,
        status,
        from: airport("JFK", "US"),
        to: airport("LHR", "GB"),
        departure: Some("2025-12-20T23:30:00Z"),
        arrival: Some("2025-12-21T06:40:00Z"),
        carrier: Some("BA"),
        number: Some("BA178"),
        cabin: Some("BUSINESS"),
    }
}

/// LHR→JFK BA177, GMT out and EST in.
fn ba177(departure: &'static str, arrival: &'static str) -> Segment {
    Segment {
        reference: "CgNMSFISA0pGSxoKMjAyNi0wMS0wNA",
        kind: SegmentKind::Air,
        status: SegmentStatus::Active,
        from: airport("LHR", "GB"),
        to: airport("JFK", "US"),
        departure: Some(departure),
        arrival: Some(arrival),
        carrier: Some("BA"),
        number: Some("BA177"),
        cabin: Some("BUSINESS"),
    }
}

/// Booking 4826193075 as file 01 creates it.
fn okafor_return_trip(status: BookingStatus, last_source_at: &'static str) -> Expected {
    Expected {
        status,
        booked_at: Some("2025-11-03T14:11:00Z"),
        trip: (Some("2025-12-20T23:30:00Z"), Some("2026-01-04T16:20:00Z")),
        origin: airport("JFK", "US"),
        destination: airport("LHR", "GB"),
        destinations: vec![airport("LHR", "GB"), airport("JFK", "US")],
        counts: (Some(1), Some(0), Some(0)),
        segments: vec![
            ba178("CgNKRksSA0xIUhoKMjAyNS0xMi0yMA", SegmentStatus::Active),
            ba177("2026-01-04T08:25:00Z", "2026-01-04T16:20:00Z"),
        ],
        passengers: vec![grace()],
        last_source_at,
    }
}

/// The hotel stay of booking 5310274486 (file 04): 15:00 and 11:00 in Burlingame (PST).
fn red_roof(status: SegmentStatus) -> Segment {
    Segment {
        reference: "5310274486:hotel",
        kind: SegmentKind::Hotel,
        status,
        from: nowhere(),
        to: named(None, "Burlingame", "US"),
        departure: Some("2025-12-08T23:00:00Z"),
        arrival: Some("2025-12-11T19:00:00Z"),
        carrier: Some("Red Roof Inns"),
        number: None,
        cabin: None,
    }
}

fn tanaka_stay(last_source_at: &'static str) -> Expected {
    Expected {
        status: BookingStatus::Confirmed,
        booked_at: Some("2025-11-12T16:19:00Z"),
        trip: (Some("2025-12-08T23:00:00Z"), Some("2025-12-11T19:00:00Z")),
        origin: nowhere(),
        destination: named(None, "Burlingame", "US"),
        destinations: vec![named(None, "Burlingame", "US")],
        counts: (Some(1), Some(0), Some(0)),
        segments: vec![red_roof(SegmentStatus::Active)],
        passengers: vec![keiko()],
        last_source_at,
    }
}

#[tokio::test]
async fn real_01_an_air_pnr_naming_its_traveler_only_in_pnr_travelers() {
    let app = spawn_app().await;
    let body = corpus::real("spotnana/01_pnr_v3_air_created_pnrtravelers_only.json");
    let (event_id, _) = applied(&deliver(&app, &body).await);
    let b = assert_booking(
        &app,
        "4826193075",
        okafor_return_trip(BookingStatus::Confirmed, "2025-11-03T14:12:08.531Z"),
    )
    .await;
    assert_eq!(b.customer_id.as_deref(), Some(GRACE));
    assert_eq!(b.extras["tripId"], "2295038114");
    assert_eq!(b.extras["sourcePnrId"], "ZK4P7Q");
    assert_eq!(
        event(&app, event_id).await.event_type,
        "PNR_V3/BOOKING_CREATED"
    );
}

#[tokio::test]
async fn real_02_a_schedule_change_moves_the_return_flight_without_a_status_change() {
    let app = spawn_app().await;
    apply_real(&app, "01_pnr_v3_air_created_pnrtravelers_only.json").await;
    let body = corpus::real("spotnana/02_pnr_v3_flight_schedule_change_pending.json");
    let (event_id, _) = applied(&deliver(&app, &body).await);
    let mut expected = okafor_return_trip(BookingStatus::Confirmed, "2025-12-29T09:47:51.002Z");
    // 10:15 GMT → 13:05 EST.
    expected.trip.1 = Some("2026-01-04T18:05:00Z");
    expected.segments[1] = ba177("2026-01-04T10:15:00Z", "2026-01-04T18:05:00Z");
    assert_booking(&app, "4826193075", expected).await;
    assert_eq!(
        event(&app, event_id).await.event_type,
        "PNR_V3/FLIGHT_SCHEDULE_CHANGE_PENDING"
    );
}

#[tokio::test]
async fn real_03_flight_cancelled_spelled_with_two_ls_cancels_and_an_older_change_is_stale() {
    let app = spawn_app().await;
    apply_real(&app, "01_pnr_v3_air_created_pnrtravelers_only.json").await;
    apply_real(&app, "03_pnr_v3_flight_cancelled_double_l.json").await;
    // The cancellation carries no itinerary: the flights stay as they were.
    let cancelled = || okafor_return_trip(BookingStatus::Cancelled, "2026-01-02T22:03:40Z");
    assert_booking(&app, "4826193075", cancelled()).await;

    // The schedule change (2025-12-29) is older than the cancellation (2026-01-02).
    let reply = deliver(
        &app,
        &corpus::real("spotnana/02_pnr_v3_flight_schedule_change_pending.json"),
    )
    .await;
    assert_eq!(reply.status, 200, "{:?}", reply.json);
    assert_eq!(reply.json["status"], "stale", "{:?}", reply.json);
    assert_booking(&app, "4826193075", cancelled()).await;
}

#[tokio::test]
async fn real_04_a_hotel_pnr_under_the_camel_case_event_type_key() {
    let app = spawn_app().await;
    let body = corpus::real("spotnana/04_pnr_v3_hotel_created_eventType_camel.json");
    let (event_id, _) = applied(&deliver(&app, &body).await);
    let b = assert_booking(&app, "5310274486", tanaka_stay("2025-11-12T16:20:05Z")).await;
    assert_eq!(b.customer_id.as_deref(), Some(KEIKO));
    let e = event(&app, event_id).await;
    assert_eq!(e.event_type, "PNR_V3/BOOKING_CREATED");
    assert_eq!(e.status, EventStatus::Applied);
}

#[tokio::test]
async fn real_05_a_hotel_cancelled_by_the_traveler_cancels_the_booking_and_the_stay() {
    let app = spawn_app().await;
    apply_real(&app, "04_pnr_v3_hotel_created_eventType_camel.json").await;
    apply_real(&app, "05_pnr_v3_hotel_canceled_by_traveler.json").await;
    // The stay is `pnrStatus: CANCELLED`: no active segment is left to give the trip.
    assert_booking(
        &app,
        "5310274486",
        Expected {
            status: BookingStatus::Cancelled,
            trip: (None, None),
            destination: nowhere(),
            destinations: vec![],
            segments: vec![red_roof(SegmentStatus::Cancelled)],
            ..tanaka_stay("2025-11-20T08:02:44Z")
        },
    )
    .await;
}

#[tokio::test]
async fn real_06_a_car_rental_from_travelers_user_on_the_spring_clock_change_day() {
    let app = spawn_app().await;
    apply_real(&app, "06_pnr_v3_car_created_travelers_user.json").await;
    // Chicago enters summer time at 02:00 on 2026-03-08: pickup 09:00 is CDT (UTC-5).
    let ord = named(Some("ORD"), "Chicago", "US");
    let mdw = named(Some("MDW"), "Chicago", "US");
    let b = assert_booking(
        &app,
        "6107738820",
        Expected {
            status: BookingStatus::Confirmed,
            booked_at: Some("2026-02-20T10:05:00Z"),
            trip: (Some("2026-03-08T14:00:00Z"), Some("2026-03-10T23:30:00Z")),
            origin: ord.clone(),
            destination: mdw.clone(),
            destinations: vec![mdw.clone()],
            counts: (Some(1), Some(0), Some(0)),
            segments: vec![Segment {
                reference: "6107738820:car",
                kind: SegmentKind::Car,
                status: SegmentStatus::Active,
                from: ord,
                to: mdw,
                departure: Some("2026-03-08T14:00:00Z"),
                arrival: Some("2026-03-10T23:30:00Z"),
                carrier: Some("HERTZ"),
                number: None,
                cabin: None,
            }],
            passengers: vec![Passenger {
                reference: "traveler-0",
                first: "Mateo",
                last: "Fernández",
                kind: PassengerType::Adult,
                lead: true,
                email: Some("mateo.fernandez@example.com"),
                phone: Some("+34612345678"),
            }],
            last_source_at: "2026-02-20T10:05:31.447Z",
        },
    )
    .await;
    assert_eq!(b.customer_id, None, "the traveler has no user id");
}

#[tokio::test]
async fn real_07_a_rail_leg_at_its_utc_times_between_named_stations() {
    let app = spawn_app().await;
    apply_real(&app, "07_pnr_v3_rail_created.json").await;
    let st_pancras = named(None, "London St Pancras International", "GB");
    let nord = named(None, "Paris Gare du Nord", "FR");
    assert_booking(
        &app,
        "7420016653",
        Expected {
            status: BookingStatus::Confirmed,
            booked_at: Some("2026-03-30T12:43:00Z"),
            trip: (Some("2026-04-17T07:01:00Z"), Some("2026-04-17T09:20:00Z")),
            origin: st_pancras.clone(),
            destination: nord.clone(),
            destinations: vec![nord.clone()],
            counts: (Some(1), Some(0), Some(0)),
            segments: vec![Segment {
                reference: "9a766905-b5e9-43f7-b985-0738ff692321",
                kind: SegmentKind::Rail,
                status: SegmentStatus::Active,
                from: st_pancras,
                to: nord,
                departure: Some("2026-04-17T07:01:00Z"),
                arrival: Some("2026-04-17T09:20:00Z"),
                carrier: Some("Eurostar"),
                number: Some("9008"),
                cabin: Some("FIRST"),
            }],
            passengers: vec![Passenger {
                reference: "0c7e1d4a-2b3f-4c5d-8e9f-a1b2c3d4e5f6",
                first: "Hélène",
                last: "Dubois",
                kind: PassengerType::Adult,
                lead: true,
                email: Some("helene.dubois@example.fr"),
                phone: None,
            }],
            last_source_at: "2026-03-30T12:44:19Z",
        },
    )
    .await;
}

#[tokio::test]
async fn real_08_a_void_for_an_unknown_pnr_creates_it_cancelled_with_no_one_on_it() {
    let app = spawn_app().await;
    apply_real(&app, "08_pnr_v3_ticket_voided_unknown_pnr.json").await;
    let b = assert_booking(
        &app,
        "8839201174",
        Expected {
            status: BookingStatus::Cancelled,
            booked_at: None,
            trip: (None, None),
            origin: nowhere(),
            destination: nowhere(),
            destinations: vec![],
            counts: (None, None, None),
            segments: vec![],
            passengers: vec![],
            last_source_at: "2026-01-15T19:30:00.120Z",
        },
    )
    .await;
    assert_eq!(b.extras["tripId"], "8839201001");
}

#[tokio::test]
async fn real_09_a_minimal_other_update_changes_nothing_but_the_source_time() {
    let app = spawn_app().await;
    apply_real(&app, "04_pnr_v3_hotel_created_eventType_camel.json").await;
    let body = corpus::real("spotnana/09_pnr_v3_booking_other_update_minimal.json");
    let (event_id, _) = applied(&deliver(&app, &body).await);
    assert_booking(&app, "5310274486", tanaka_stay("2025-11-14T07:00:00Z")).await;
    assert_eq!(
        event(&app, event_id).await.event_type,
        "PNR_V3/BOOKING_OTHER_UPDATE"
    );
}

#[tokio::test]
async fn real_09_after_the_cancellation_the_minimal_update_is_stale() {
    let app = spawn_app().await;
    apply_real(&app, "04_pnr_v3_hotel_created_eventType_camel.json").await;
    apply_real(&app, "05_pnr_v3_hotel_canceled_by_traveler.json").await;
    let reply = deliver(
        &app,
        &corpus::real("spotnana/09_pnr_v3_booking_other_update_minimal.json"),
    )
    .await;
    assert_eq!(reply.json["status"], "stale", "{:?}", reply.json);
    let b = app
        .booking("spotnana", "5310274486")
        .await
        .expect("booking");
    assert_eq!(b.status, BookingStatus::Cancelled);
    assert_eq!(b.last_source_at, Some(at("2025-11-20T08:02:44Z")));
}

#[tokio::test]
async fn real_10_a_split_pnr_is_created_confirmed() {
    let app = spawn_app().await;
    let body = corpus::real("spotnana/10_pnr_v3_split_pnr_created.json");
    let (event_id, _) = applied(&deliver(&app, &body).await);
    let b = assert_booking(
        &app,
        "4826193190",
        Expected {
            status: BookingStatus::Confirmed,
            booked_at: Some("2025-11-04T09:15:00Z"),
            trip: (Some("2025-12-20T23:30:00Z"), Some("2025-12-21T06:40:00Z")),
            origin: airport("JFK", "US"),
            destination: airport("LHR", "GB"),
            destinations: vec![airport("LHR", "GB")],
            counts: (Some(1), Some(0), Some(0)),
            // No `flightId`: the flight is keyed by its place in the PNR.
            segments: vec![ba178("4826193190:0:0", SegmentStatus::Active)],
            passengers: vec![Passenger {
                reference: "77e0b1c2-d3e4-4f50-8a6b-7c8d9e0f1a2b",
                first: "Chidi",
                last: "Okafor",
                kind: PassengerType::Adult,
                lead: true,
                email: None,
                phone: None,
            }],
            last_source_at: "2025-11-04T09:15:27Z",
        },
    )
    .await;
    assert_eq!(b.extras["tripId"], "2295038114");
    assert_eq!(
        event(&app, event_id).await.event_type,
        "PNR_V3/SPLIT_PNR_CREATED"
    );
}

/// A reply of `ignored`, archived with its raw body, its event type and no booking.
async fn assert_ignored(app: &TestApp, body: &str, event_type: &str) -> entity::event::Model {
    let reply = deliver(app, body).await;
    assert_eq!(reply.status, 200, "{:?}", reply.json);
    assert_eq!(reply.json["status"], "ignored", "{:?}", reply.json);
    let e = event(app, uuid(&reply.json["eventId"], &reply)).await;
    assert_eq!(e.event_type, event_type);
    assert_eq!(e.status, EventStatus::Ignored);
    assert_eq!(e.raw_body, body.as_bytes());
    assert_eq!(e.booking_id, None);
    e
}

#[tokio::test]
async fn real_11_a_pnr_approval_event_is_ignored() {
    let app = spawn_app().await;
    let body = corpus::real("spotnana/11_pnr_approval_event.json");
    let e = assert_ignored(&app, &body, "PNR_APPROVAL").await;
    assert_eq!(e.occurred_at, None, "the event has no timestamp");
    assert!(app.booking("spotnana", "5310274486").await.is_none());
}

#[tokio::test]
async fn real_12_the_portals_agent_task_sample_with_placeholders_is_ignored_not_refused() {
    let app = spawn_app().await;
    let body = corpus::real("spotnana/12_agent_task_details_portal_sample.json");
    let e = assert_ignored(&app, &body, "string/TASK_CREATE").await;
    assert_eq!(e.occurred_at, None, "\"timestamp\": \"string\" is no time");
    assert!(app.booking("spotnana", "9199471293").await.is_none());
}
