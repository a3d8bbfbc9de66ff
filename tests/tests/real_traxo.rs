//! What Traxo really sends (CONTRACT rev. 2, §4 *Real formats*), end to end: every
//! payload of the real-payload corpus — the shared set of Traxo API v2 objects
//! (`../shared/real-payloads/traxo/`, each wrapped in the webhook envelope Traxo's
//! document describes) and the repository's own (`tests/fixtures/real/traxo/`, sources
//! in its `SOURCES.md`) — posted to the real endpoint with Traxo's Basic credentials,
//! and the booking it leaves checked field by field in the database.

use chrono::{DateTime, Utc};
use entity::{BookingStatus, EventStatus, PassengerType, SegmentKind, SegmentStatus};
use serde_json::{json, Value};
use tests::expected::{applied, at, named, nowhere, some, Ends, Place};
use tests::{corpus, partners, spawn_app, TestApp};
use uuid::Uuid;

/// The stored booking, its segments (in sequence order) and passengers, as compared.
#[derive(Debug, PartialEq)]
struct Booking {
    reference: String,
    status: BookingStatus,
    marketing_allowed: bool,
    booked_at: Option<DateTime<Utc>>,
    trip_start: Option<DateTime<Utc>>,
    trip_end: Option<DateTime<Utc>>,
    origin: Place,
    destination: Place,
    destinations: Value,
    customer_id: Option<String>,
    customer_first_name: Option<String>,
    segments: Vec<Segment>,
    passengers: Vec<Passenger>,
}

#[derive(Debug, PartialEq)]
struct Segment {
    reference: String,
    sequence: i32,
    kind: SegmentKind,
    status: SegmentStatus,
    origin: Place,
    destination: Place,
    departure_at: Option<DateTime<Utc>>,
    arrival_at: Option<DateTime<Utc>>,
    carrier: Option<String>,
    flight_number: Option<String>,
    cabin_class: Option<String>,
}

#[derive(Debug, PartialEq)]
struct Passenger {
    first_name: Option<String>,
    last_name: Option<String>,
    lead: bool,
    passenger_type: PassengerType,
}

/// The lead traveller a Traxo trip or segment names.
fn lead(first: &str, last: &str) -> Vec<Passenger> {
    vec![Passenger {
        first_name: some(first),
        last_name: some(last),
        lead: true,
        passenger_type: PassengerType::Adult,
    }]
}

async fn stored(app: &TestApp, reference: &str) -> Booking {
    let b = app
        .booking("traxo", reference)
        .await
        .unwrap_or_else(|| panic!("a booking with reference {reference}"));
    let segments = app
        .segments(b.id)
        .await
        .into_iter()
        .map(|s| Segment {
            origin: s.origin_place(),
            destination: s.destination_place(),
            reference: s.reference,
            sequence: s.sequence,
            kind: s.kind,
            status: s.status,
            departure_at: s.departure_at,
            arrival_at: s.arrival_at,
            carrier: s.carrier,
            flight_number: s.flight_number,
            cabin_class: s.cabin_class,
        })
        .collect();
    let passengers = app
        .passengers(b.id)
        .await
        .into_iter()
        .map(|p| Passenger {
            first_name: p.first_name,
            last_name: p.last_name,
            lead: p.lead,
            passenger_type: p.passenger_type,
        })
        .collect();
    Booking {
        origin: b.origin_place(),
        destination: b.destination_place(),
        reference: b.reference,
        status: b.status,
        marketing_allowed: b.marketing_allowed,
        booked_at: b.booked_at,
        trip_start: b.trip_start,
        trip_end: b.trip_end,
        destinations: b.destinations,
        customer_id: b.customer_id,
        customer_first_name: b.customer_first_name,
        segments,
        passengers,
    }
}

/// An API object of the shared set in Traxo's webhook envelope.
fn envelope(id: &str, event_type: &str, file: &str) -> String {
    let object: Value =
        serde_json::from_str(&corpus::shared(&format!("traxo/{file}"))).expect("shared JSON");
    json!({
        "id": id,
        "type": event_type,
        "created": "2026-12-02T09:00:00+00:00",
        "data": {"object": object}
    })
    .to_string()
}

fn real(file: &str) -> String {
    corpus::real(&format!("traxo/{file}"))
}

/// Posts `body` and checks that it was applied and archived as it came: byte for byte,
/// under Traxo's event id and type, with its source time. Returns the booking id.
async fn deliver(app: &TestApp, body: &str) -> Uuid {
    let reply = app.post("traxo", body, partners::traxo()).await;
    let (event_id, booking_id) = applied(&reply);
    let sent: Value = serde_json::from_str(body).expect("JSON");
    let event = app
        .events()
        .await
        .into_iter()
        .find(|e| e.id == event_id)
        .expect("the delivery is archived");
    assert_eq!(event.partner, "traxo");
    assert_eq!(event.status, EventStatus::Applied);
    assert_eq!(event.event_type, sent["type"].as_str().expect("type"));
    assert_eq!(event.idempotency_key, sent["id"].as_str().expect("id"));
    let created = sent["created"].as_str().expect("created");
    assert_eq!(
        event.occurred_at,
        Some(
            DateTime::parse_from_str(created, "%Y-%m-%dT%H:%M:%S%z")
                .expect("created")
                .with_timezone(&Utc)
        )
    );
    assert_eq!(event.raw_body, body.as_bytes(), "archived byte for byte");
    assert_eq!(event.booking_id, Some(booking_id));
    assert_eq!(event.error, None);
    booking_id
}

async fn booking_id_of(app: &TestApp, reference: &str) -> Uuid {
    app.booking("traxo", reference)
        .await
        .map(|b| b.id)
        .expect("booking")
}

mod shared {
    use super::*;

    #[tokio::test]
    async fn trip_3168_is_a_confirmed_booking_with_local_begin_and_end_in_chicago() {
        let app = spawn_app().await;
        let body = envelope("900000000000000001", "trip.created", "trip_3168.json");
        let id = deliver(&app, &body).await;
        assert_eq!(id, booking_id_of(&app, "3168").await);
        assert_eq!(
            stored(&app, "3168").await,
            Booking {
                reference: "3168".into(),
                status: BookingStatus::Confirmed,
                marketing_allowed: true,
                booked_at: Some(at("2010-08-10T23:40:00Z")),
                // 23:40 CDT (UTC-5) on both days.
                trip_start: Some(at("2010-08-14T04:40:00Z")),
                trip_end: Some(at("2010-08-15T04:40:00Z")),
                origin: nowhere(),
                destination: named(None, "Dallas", "US"),
                destinations: json!([]),
                customer_id: some("1111111"),
                customer_first_name: some("Don"),
                segments: vec![],
                passengers: lead("Don", "Draper"),
            }
        );
    }

    #[tokio::test]
    async fn trip_636333_from_the_trips_list_begins_and_ends_at_local_midnight() {
        let app = spawn_app().await;
        let body = envelope(
            "900000000000000002",
            "trip.created",
            "trip_636333_from_trips_list.json",
        );
        deliver(&app, &body).await;
        assert_eq!(
            stored(&app, "636333").await,
            Booking {
                reference: "636333".into(),
                status: BookingStatus::Confirmed,
                marketing_allowed: true,
                booked_at: Some(at("2015-05-06T14:41:53Z")),
                trip_start: Some(at("2015-05-13T05:00:00Z")),
                trip_end: Some(at("2015-05-20T05:00:00Z")),
                origin: nowhere(),
                destination: named(None, "Little Rock", "US"),
                destinations: json!([]),
                customer_id: some("38182"),
                customer_first_name: some("Wil"),
                segments: vec![],
                passengers: lead("Wil", "Chandler"),
            }
        );
    }

    /// The two shared air segments differ only in their id: no trip, no confirmation
    /// number, so each is its own booking under the segment id.
    async fn air_segment(file: &str, event_id: &str, segment: &str) {
        let app = spawn_app().await;
        deliver(&app, &envelope(event_id, "air_segment.created", file)).await;
        assert_eq!(
            stored(&app, segment).await,
            Booking {
                reference: segment.into(),
                status: BookingStatus::Confirmed,
                marketing_allowed: true,
                booked_at: None,
                trip_start: Some(at("2010-08-14T04:40:00Z")),
                trip_end: Some(at("2010-08-15T06:40:00Z")),
                origin: named(Some("DFW"), "Dallas", "US"),
                destination: named(Some("SFO"), "San Francisco", "US"),
                destinations: json!([{"code": "SFO", "name": "San Francisco", "country": "US"}]),
                customer_id: some("1111111"),
                customer_first_name: some("Don"),
                segments: vec![Segment {
                    reference: segment.into(),
                    sequence: 1,
                    kind: SegmentKind::Air,
                    status: SegmentStatus::Active,
                    origin: named(Some("DFW"), "Dallas", "US"),
                    destination: named(Some("SFO"), "San Francisco", "US"),
                    // 23:40 CDT in Dallas (UTC-5), 23:40 PDT in San Francisco (UTC-7).
                    departure_at: Some(at("2010-08-14T04:40:00Z")),
                    arrival_at: Some(at("2010-08-15T06:40:00Z")),
                    // No iata_code: the airline's name and the bare number.
                    carrier: some("Delta"),
                    flight_number: some("1450"),
                    cabin_class: None,
                }],
                passengers: lead("Don", "Draper"),
            }
        );
    }

    #[tokio::test]
    async fn air_segment_4000_without_iata_code_or_trip_is_its_own_booking() {
        air_segment("air_segment_4000.json", "900000000000000003", "4000").await;
    }

    #[tokio::test]
    async fn air_segment_4001_from_the_list_is_its_own_booking() {
        air_segment(
            "air_segment_4001_from_list.json",
            "900000000000000004",
            "4001",
        )
        .await;
    }

    #[tokio::test]
    async fn car_segment_95831_runs_from_pickup_to_dropoff_up_to_the_fall_back_night() {
        let app = spawn_app().await;
        deliver(
            &app,
            &envelope(
                "900000000000000005",
                "car_segment.created",
                "car_segment_95831.json",
            ),
        )
        .await;
        let little_rock = || named(None, "Little Rock", "US");
        assert_eq!(
            stored(&app, "123456").await,
            Booking {
                reference: "123456".into(),
                status: BookingStatus::Confirmed,
                marketing_allowed: true,
                booked_at: None,
                trip_start: Some(at("2015-10-31T05:00:00Z")),
                trip_end: Some(at("2015-11-01T05:00:00Z")),
                origin: little_rock(),
                destination: little_rock(),
                destinations: json!([{"code": null, "name": "Little Rock", "country": "US"}]),
                customer_id: some("38182"),
                customer_first_name: some("William"),
                segments: vec![Segment {
                    reference: "95831".into(),
                    sequence: 1,
                    kind: SegmentKind::Car,
                    status: SegmentStatus::Active,
                    origin: little_rock(),
                    destination: little_rock(),
                    // Midnight CDT both nights: the clocks went back at 02:00 on 1 November.
                    departure_at: Some(at("2015-10-31T05:00:00Z")),
                    arrival_at: Some(at("2015-11-01T05:00:00Z")),
                    carrier: some("Avis"),
                    flight_number: None,
                    cabin_class: None,
                }],
                passengers: lead("William", "Clinton"),
            }
        );
    }

    #[tokio::test]
    async fn car_segment_90110_from_the_list_is_filed_under_its_confirmation_number() {
        let app = spawn_app().await;
        deliver(
            &app,
            &envelope(
                "900000000000000006",
                "car_segment.created",
                "car_segment_90110_from_list.json",
            ),
        )
        .await;
        let chicago = || named(None, "Chicago", "US");
        assert_eq!(
            stored(&app, "1992").await,
            Booking {
                reference: "1992".into(),
                status: BookingStatus::Confirmed,
                marketing_allowed: true,
                booked_at: None,
                trip_start: Some(at("2015-07-03T20:00:00Z")),
                trip_end: Some(at("2015-07-05T20:00:00Z")),
                origin: chicago(),
                destination: chicago(),
                destinations: json!([{"code": null, "name": "Chicago", "country": "US"}]),
                customer_id: some("38182"),
                customer_first_name: some("Wil"),
                segments: vec![Segment {
                    reference: "90110".into(),
                    sequence: 1,
                    kind: SegmentKind::Car,
                    status: SegmentStatus::Active,
                    origin: chicago(),
                    destination: chicago(),
                    departure_at: Some(at("2015-07-03T20:00:00Z")),
                    arrival_at: Some(at("2015-07-05T20:00:00Z")),
                    carrier: some("Hertz"),
                    flight_number: None,
                    cabin_class: None,
                }],
                passengers: lead("Wil", "Chandler"),
            }
        );
    }
}

mod repository {
    use super::*;

    const ROME_TRIP: &str = "534619485683820200";

    fn priya_flight_out() -> Segment {
        Segment {
            reference: "534619485683827958".into(),
            sequence: 1,
            kind: SegmentKind::Air,
            status: SegmentStatus::Active,
            origin: named(Some("SEA"), "Seattle", "US"),
            destination: named(Some("SFO"), "San Francisco", "US"),
            departure_at: Some(at("2025-10-02T14:15:00Z")),
            arrival_at: Some(at("2025-10-02T16:25:00Z")),
            carrier: some("Alaska Airlines"),
            flight_number: some("1094"),
            cabin_class: None,
        }
    }

    #[tokio::test]
    async fn payload_01_a_bare_air_segment_without_iata_code_becomes_a_booking_under_its_confirmation(
    ) {
        let app = spawn_app().await;
        deliver(&app, &real("01_air_segment_updated_no_trip_no_iata.json")).await;
        assert_eq!(
            stored(&app, "KXQ7PL").await,
            Booking {
                reference: "KXQ7PL".into(),
                status: BookingStatus::Confirmed,
                marketing_allowed: true,
                booked_at: None,
                trip_start: Some(at("2025-10-02T14:15:00Z")),
                trip_end: Some(at("2025-10-02T16:25:00Z")),
                origin: named(Some("SEA"), "Seattle", "US"),
                destination: named(Some("SFO"), "San Francisco", "US"),
                destinations: json!([{"code": "SFO", "name": "San Francisco", "country": "US"}]),
                customer_id: some("534619485683828212"),
                customer_first_name: some("Priya"),
                segments: vec![priya_flight_out()],
                passengers: lead("Priya", "Raman"),
            }
        );
    }

    #[tokio::test]
    async fn a_reservation_filed_under_itself_is_cancelled_when_its_last_segment_is_deleted() {
        let app = spawn_app().await;
        deliver(&app, &real("01_air_segment_updated_no_trip_no_iata.json")).await;
        // The same segment, deleted later (Traxo: `.updated` with `status: "Deleted"`).
        let mut deleted: Value =
            serde_json::from_str(&real("01_air_segment_updated_no_trip_no_iata.json")).unwrap();
        deleted["id"] = json!("521904873316529999");
        deleted["created"] = json!("2025-09-20T08:00:00+00:00");
        deleted["data"]["object"]["status"] = json!("Deleted");
        deliver(&app, &deleted.to_string()).await;
        let b = stored(&app, "KXQ7PL").await;
        assert_eq!(
            (b.status, b.marketing_allowed),
            (BookingStatus::Cancelled, false)
        );
        assert_eq!(
            b.segments,
            vec![Segment {
                status: SegmentStatus::Cancelled,
                ..priya_flight_out()
            }]
        );
        assert_eq!((b.trip_start, b.trip_end), (None, None));
        assert_eq!(b.destinations, json!([]));
    }

    #[tokio::test]
    async fn payload_02_a_deleted_air_segment_of_an_unknown_trip_is_a_cancelled_segment_of_it() {
        let app = spawn_app().await;
        deliver(&app, &real("02_air_segment_updated_deleted_with_trip.json")).await;
        assert_eq!(
            stored(&app, "534619485683820100").await,
            Booking {
                reference: "534619485683820100".into(),
                // The trip itself is not deleted: only its flight is.
                status: BookingStatus::Confirmed,
                marketing_allowed: true,
                booked_at: None,
                trip_start: None,
                trip_end: None,
                origin: nowhere(),
                destination: nowhere(),
                destinations: json!([]),
                customer_id: some("534619485683828212"),
                customer_first_name: some("Priya"),
                segments: vec![Segment {
                    reference: "534619485683829001".into(),
                    sequence: 1,
                    kind: SegmentKind::Air,
                    status: SegmentStatus::Cancelled,
                    origin: named(Some("FRA"), "Frankfurt", "DE"),
                    destination: named(Some("MUC"), "Munich", "DE"),
                    departure_at: Some(at("2025-12-05T06:10:00Z")),
                    arrival_at: Some(at("2025-12-05T07:05:00Z")),
                    carrier: some("LH"),
                    flight_number: some("LH2041"),
                    cabin_class: None,
                }],
                passengers: lead("Priya", "Raman"),
            }
        );
    }

    #[tokio::test]
    async fn payload_03_a_bare_car_segment_on_the_spring_forward_day_keeps_its_local_times() {
        let app = spawn_app().await;
        deliver(&app, &real("03_car_segment_created_no_trip_dst.json")).await;
        assert_eq!(
            stored(&app, "K7719023344").await,
            Booking {
                reference: "K7719023344".into(),
                status: BookingStatus::Confirmed,
                marketing_allowed: true,
                booked_at: None,
                trip_start: Some(at("2026-03-08T14:00:00Z")),
                trip_end: Some(at("2026-03-10T23:30:00Z")),
                origin: named(Some("ORD"), "Chicago", "US"),
                destination: named(Some("MDW"), "Chicago", "US"),
                destinations: json!([{"code": "MDW", "name": "Chicago", "country": "US"}]),
                customer_id: some("534619485683828300"),
                customer_first_name: some("Mateo"),
                segments: vec![Segment {
                    reference: "534619485683829102".into(),
                    sequence: 1,
                    kind: SegmentKind::Car,
                    status: SegmentStatus::Active,
                    origin: named(Some("ORD"), "Chicago", "US"),
                    destination: named(Some("MDW"), "Chicago", "US"),
                    // 09:00 CDT (UTC-5), seven hours after the clocks went forward.
                    departure_at: Some(at("2026-03-08T14:00:00Z")),
                    arrival_at: Some(at("2026-03-10T23:30:00Z")),
                    carrier: some("Hertz"),
                    flight_number: None,
                    cabin_class: None,
                }],
                passengers: lead("Mateo", "Fernandez"),
            }
        );
    }

    fn rome_car(status: SegmentStatus) -> Segment {
        Segment {
            reference: "534619485683829203".into(),
            sequence: 1,
            kind: SegmentKind::Car,
            status,
            origin: named(Some("FCO"), "Fiumicino", "IT"),
            destination: named(Some("FCO"), "Fiumicino", "IT"),
            // 14:00 and 10:00 CEST (UTC+2).
            departure_at: Some(at("2026-05-22T12:00:00Z")),
            arrival_at: Some(at("2026-05-25T08:00:00Z")),
            carrier: some("Europcar"),
            flight_number: None,
            cabin_class: None,
        }
    }

    /// The Rome trip after 04 (trip + car), with the car and trip status given.
    fn rome(status: BookingStatus, car: SegmentStatus) -> Booking {
        let active = car == SegmentStatus::Active;
        Booking {
            reference: ROME_TRIP.into(),
            status,
            marketing_allowed: status != BookingStatus::Cancelled,
            booked_at: Some(at("2026-04-02T17:20:11Z")),
            // The trip's own local midnights in Rome win over the car's times.
            trip_start: Some(at("2026-05-20T22:00:00Z")),
            trip_end: Some(at("2026-05-25T22:00:00Z")),
            origin: if active {
                named(Some("FCO"), "Fiumicino", "IT")
            } else {
                nowhere()
            },
            destination: named(None, "Rome", "IT"),
            destinations: if active {
                json!([{"code": "FCO", "name": "Fiumicino", "country": "IT"}])
            } else {
                json!([])
            },
            customer_id: some("534619485683828400"),
            customer_first_name: some("Giulia"),
            segments: vec![rome_car(car)],
            passengers: lead("Giulia", "Bianchi"),
        }
    }

    #[tokio::test]
    async fn payload_04_a_trip_segment_added_car_joins_the_trip_whose_own_dates_win() {
        let app = spawn_app().await;
        deliver(&app, &real("04_trip_segment_added_car.json")).await;
        assert_eq!(
            stored(&app, ROME_TRIP).await,
            rome(BookingStatus::Confirmed, SegmentStatus::Active)
        );
    }

    #[tokio::test]
    async fn payload_05_a_removed_car_is_cancelled_and_the_trip_stays_confirmed() {
        let app = spawn_app().await;
        deliver(&app, &real("04_trip_segment_added_car.json")).await;
        deliver(&app, &real("05_trip_segment_removed_car.json")).await;
        assert_eq!(
            stored(&app, ROME_TRIP).await,
            rome(BookingStatus::Confirmed, SegmentStatus::Cancelled)
        );
    }

    #[tokio::test]
    async fn payload_06_a_deleted_trip_cancels_the_booking_and_stops_marketing() {
        let app = spawn_app().await;
        deliver(&app, &real("04_trip_segment_added_car.json")).await;
        deliver(&app, &real("06_trip_updated_deleted.json")).await;
        assert_eq!(
            stored(&app, ROME_TRIP).await,
            rome(BookingStatus::Cancelled, SegmentStatus::Active)
        );
    }

    #[tokio::test]
    async fn payload_07_nulls_and_empty_strings_are_absent() {
        let app = spawn_app().await;
        deliver(&app, &real("07_trip_created_nulls_and_empty_strings.json")).await;
        assert_eq!(
            stored(&app, "534619485683820300").await,
            Booking {
                reference: "534619485683820300".into(),
                status: BookingStatus::Confirmed,
                marketing_allowed: true,
                booked_at: Some(at("2026-01-09T10:59:58Z")),
                // 2026-02-14 00:00 in Singapore (UTC+8); no end.
                trip_start: Some(at("2026-02-13T16:00:00Z")),
                trip_end: None,
                origin: nowhere(),
                destination: named(None, "Singapore", "SG"),
                destinations: json!([]),
                customer_id: some("534619485683828500"),
                customer_first_name: some("Wei"),
                segments: vec![],
                passengers: lead("Wei", "Zhang"),
            }
        );
        let b = app.booking("traxo", "534619485683820300").await.unwrap();
        assert!(b.extras.get("headline").is_none(), "{}", b.extras);
    }

    fn lagos_flight() -> Booking {
        Booking {
            reference: "KL5RTY".into(),
            status: BookingStatus::Confirmed,
            marketing_allowed: true,
            booked_at: None,
            trip_start: Some(at("2025-12-18T10:25:00Z")),
            trip_end: Some(at("2025-12-18T17:10:00Z")),
            origin: named(Some("AMS"), "Amsterdam", "NL"),
            destination: named(Some("LOS"), "Lagos", "NG"),
            destinations: json!([{"code": "LOS", "name": "Lagos", "country": "NG"}]),
            customer_id: some("534619485683828600"),
            customer_first_name: some("Oluwaseun"),
            segments: vec![Segment {
                reference: "534619485683829304".into(),
                sequence: 1,
                kind: SegmentKind::Air,
                status: SegmentStatus::Active,
                origin: named(Some("AMS"), "Amsterdam", "NL"),
                destination: named(Some("LOS"), "Lagos", "NG"),
                departure_at: Some(at("2025-12-18T10:25:00Z")),
                arrival_at: Some(at("2025-12-18T17:10:00Z")),
                carrier: some("KL"),
                flight_number: some("KL588"),
                cabin_class: None,
            }],
            passengers: lead("Oluwaseun", "Adeyemi"),
        }
    }

    #[tokio::test]
    async fn payload_08_extra_fields_resource_id_and_org_id_are_kept_in_the_raw_payload() {
        let app = spawn_app().await;
        let body = real("08_air_segment_created_resource_id_org_id.json");
        deliver(&app, &body).await;
        assert_eq!(stored(&app, "KL5RTY").await, lagos_flight());
        let archived = &app.events().await[0];
        let payload: Value = serde_json::from_slice(&archived.raw_body).unwrap();
        assert_eq!(payload["resource_id"], "534619485683829304");
        assert_eq!(payload["data"]["object"]["org_id"], "534619485683800001");
        assert_eq!(payload["data"]["object"]["source_type"], "email");
    }

    #[tokio::test]
    async fn payload_09_a_data_id_only_update_is_archived_as_ignored_and_changes_nothing() {
        let app = spawn_app().await;
        deliver(
            &app,
            &real("08_air_segment_created_resource_id_org_id.json"),
        )
        .await;
        let body = real("09_air_segment_updated_data_id_only.json");
        let reply = app.post("traxo", &body, partners::traxo()).await;
        assert_eq!(reply.status, 200, "{:?}", reply.json);
        assert_eq!(reply.json["status"], "ignored", "{:?}", reply.json);
        let event = app
            .events()
            .await
            .into_iter()
            .find(|e| e.raw_body == body.as_bytes())
            .expect("archived");
        assert_eq!(event.status, EventStatus::Ignored);
        assert_eq!(event.event_type, "air_segment.updated");
        assert_eq!(event.booking_id, None);
        assert_eq!(stored(&app, "KL5RTY").await, lagos_flight());
    }

    #[tokio::test]
    async fn payload_10_trip_and_flight_local_times_each_use_their_own_zone() {
        let app = spawn_app().await;
        deliver(&app, &real("10_trip_segment_updated_air_local_times.json")).await;
        assert_eq!(
            stored(&app, "534619485683820400").await,
            Booking {
                reference: "534619485683820400".into(),
                status: BookingStatus::Confirmed,
                marketing_allowed: true,
                booked_at: Some(at("2025-11-03T14:20:00Z")),
                // 18:30 and 11:20 EST (UTC-5).
                trip_start: Some(at("2025-12-20T23:30:00Z")),
                trip_end: Some(at("2026-01-04T16:20:00Z")),
                origin: named(Some("JFK"), "New York", "US"),
                destination: named(None, "London", "GB"),
                destinations: json!([{"code": "LHR", "name": "London", "country": "GB"}]),
                customer_id: some("534619485683828700"),
                customer_first_name: some("Grace"),
                segments: vec![Segment {
                    reference: "534619485683829405".into(),
                    sequence: 1,
                    kind: SegmentKind::Air,
                    status: SegmentStatus::Active,
                    origin: named(Some("JFK"), "New York", "US"),
                    destination: named(Some("LHR"), "London", "GB"),
                    // 18:30 EST in New York; 06:40 GMT in London.
                    departure_at: Some(at("2025-12-20T23:30:00Z")),
                    arrival_at: Some(at("2025-12-21T06:40:00Z")),
                    carrier: some("BA"),
                    flight_number: some("BA178"),
                    cabin_class: some("J"),
                }],
                passengers: lead("Grace", "Okafor"),
            }
        );
    }

    #[tokio::test]
    async fn payload_11_a_hotel_of_local_dates_spans_the_fall_back_night_in_lisbon() {
        let app = spawn_app().await;
        deliver(&app, &real("11_hotel_segment_created_local_dates_dst.json")).await;
        let lisbon = || named(None, "Lisbon", "PT");
        assert_eq!(
            stored(&app, "HAP-2610-7731").await,
            Booking {
                reference: "HAP-2610-7731".into(),
                status: BookingStatus::Confirmed,
                marketing_allowed: true,
                booked_at: None,
                trip_start: Some(at("2026-10-23T23:00:00Z")),
                trip_end: Some(at("2026-10-26T00:00:00Z")),
                origin: nowhere(),
                destination: lisbon(),
                destinations: json!([{"code": null, "name": "Lisbon", "country": "PT"}]),
                customer_id: some("534619485683828800"),
                customer_first_name: some("Inês"),
                segments: vec![Segment {
                    reference: "534619485683829511".into(),
                    sequence: 1,
                    kind: SegmentKind::Hotel,
                    status: SegmentStatus::Active,
                    origin: nowhere(),
                    destination: lisbon(),
                    // Midnight WEST (UTC+1) on the 24th, midnight WET (UTC+0) on the 26th.
                    departure_at: Some(at("2026-10-23T23:00:00Z")),
                    arrival_at: Some(at("2026-10-26T00:00:00Z")),
                    carrier: None,
                    flight_number: None,
                    cabin_class: None,
                }],
                passengers: lead("Inês", "Carvalho"),
            }
        );
    }

    #[tokio::test]
    async fn payload_12_a_hotel_without_zone_id_is_placed_by_its_coordinates_across_spring_forward()
    {
        let app = spawn_app().await;
        deliver(
            &app,
            &real("12_hotel_segment_updated_no_zone_id_spring_forward.json"),
        )
        .await;
        let chicago = || named(None, "Chicago", "US");
        assert_eq!(
            stored(&app, "534619485683820600").await,
            Booking {
                reference: "534619485683820600".into(),
                status: BookingStatus::Confirmed,
                marketing_allowed: true,
                booked_at: None,
                trip_start: Some(at("2026-03-07T06:00:00Z")),
                trip_end: Some(at("2026-03-09T05:00:00Z")),
                origin: nowhere(),
                destination: chicago(),
                destinations: json!([{"code": null, "name": "Chicago", "country": "US"}]),
                customer_id: some("534619485683828300"),
                customer_first_name: some("Mateo"),
                segments: vec![Segment {
                    reference: "534619485683829612".into(),
                    sequence: 1,
                    kind: SegmentKind::Hotel,
                    status: SegmentStatus::Active,
                    origin: nowhere(),
                    destination: chicago(),
                    // Midnight CST (UTC-6) on the 7th, midnight CDT (UTC-5) on the 9th.
                    departure_at: Some(at("2026-03-07T06:00:00Z")),
                    arrival_at: Some(at("2026-03-09T05:00:00Z")),
                    carrier: None,
                    flight_number: None,
                    cabin_class: None,
                }],
                passengers: lead("Mateo", "Fernandez"),
            }
        );
    }

    #[tokio::test]
    async fn payload_13_an_activity_runs_from_where_it_starts_to_where_it_ends() {
        let app = spawn_app().await;
        deliver(&app, &real("13_activity_segment_created_two_places.json")).await;
        assert_eq!(
            stored(&app, "534619485683820700").await,
            Booking {
                reference: "534619485683820700".into(),
                status: BookingStatus::Confirmed,
                marketing_allowed: true,
                booked_at: None,
                trip_start: Some(at("2026-07-11T07:30:00Z")),
                trip_end: Some(at("2026-07-11T18:00:00Z")),
                origin: named(None, "Porto", "PT"),
                destination: named(None, "Pinhão", "PT"),
                destinations: json!([{"code": null, "name": "Pinhão", "country": "PT"}]),
                customer_id: some("534619485683828900"),
                customer_first_name: some("Lukas"),
                segments: vec![Segment {
                    reference: "534619485683829713".into(),
                    sequence: 1,
                    kind: SegmentKind::Activity,
                    status: SegmentStatus::Active,
                    origin: named(None, "Porto", "PT"),
                    destination: named(None, "Pinhão", "PT"),
                    departure_at: Some(at("2026-07-11T07:30:00Z")),
                    arrival_at: Some(at("2026-07-11T18:00:00Z")),
                    carrier: None,
                    flight_number: None,
                    cabin_class: None,
                }],
                passengers: lead("Lukas", "Berger"),
            }
        );
    }

    #[tokio::test]
    async fn payload_14_the_return_flight_of_the_same_reservation_joins_its_booking() {
        let app = spawn_app().await;
        let first = deliver(&app, &real("01_air_segment_updated_no_trip_no_iata.json")).await;
        let second = deliver(
            &app,
            &real("14_air_segment_created_return_same_confirmation.json"),
        )
        .await;
        assert_eq!(first, second, "one booking per confirmation number");
        assert_eq!(
            stored(&app, "KXQ7PL").await,
            Booking {
                reference: "KXQ7PL".into(),
                status: BookingStatus::Confirmed,
                marketing_allowed: true,
                booked_at: None,
                trip_start: Some(at("2025-10-02T14:15:00Z")),
                trip_end: Some(at("2025-11-02T03:55:00Z")),
                origin: named(Some("SEA"), "Seattle", "US"),
                destination: named(Some("SFO"), "San Francisco", "US"),
                destinations: json!([
                    {"code": "SFO", "name": "San Francisco", "country": "US"},
                    {"code": "SEA", "name": "Seattle", "country": "US"}
                ]),
                customer_id: some("534619485683828212"),
                customer_first_name: some("Priya"),
                segments: vec![
                    priya_flight_out(),
                    Segment {
                        reference: "534619485683827959".into(),
                        sequence: 2,
                        kind: SegmentKind::Air,
                        status: SegmentStatus::Active,
                        origin: named(Some("SFO"), "San Francisco", "US"),
                        destination: named(Some("SEA"), "Seattle", "US"),
                        // 18:40 and 20:55 PDT (UTC-7), the evening before the clocks go back.
                        departure_at: Some(at("2025-11-02T01:40:00Z")),
                        arrival_at: Some(at("2025-11-02T03:55:00Z")),
                        carrier: some("Alaska Airlines"),
                        flight_number: some("1283"),
                        cabin_class: None,
                    },
                ],
                passengers: lead("Priya", "Raman"),
            }
        );
    }

    #[tokio::test]
    async fn payload_15_a_trip_listing_its_segments_brings_them_with_it() {
        let app = spawn_app().await;
        deliver(&app, &real("15_trip_updated_with_listed_segments.json")).await;
        let little_rock_airport = || named(Some("LIT"), "Little Rock", "US");
        assert_eq!(
            stored(&app, "534619485683820800").await,
            Booking {
                reference: "534619485683820800".into(),
                status: BookingStatus::Confirmed,
                marketing_allowed: true,
                booked_at: Some(at("2026-04-02T12:58:41Z")),
                trip_start: Some(at("2026-04-17T05:00:00Z")),
                trip_end: Some(at("2026-04-20T05:00:00Z")),
                origin: named(Some("DFW"), "Dallas", "US"),
                destination: named(None, "Little Rock", "US"),
                destinations: json!([
                    {"code": "LIT", "name": "Little Rock", "country": "US"},
                    {"code": "LIT", "name": "Little Rock", "country": "US"}
                ]),
                customer_id: some("38182"),
                customer_first_name: some("Wil"),
                segments: vec![
                    Segment {
                        reference: "534619485683829815".into(),
                        sequence: 1,
                        kind: SegmentKind::Air,
                        status: SegmentStatus::Active,
                        origin: named(Some("DFW"), "Dallas", "US"),
                        destination: little_rock_airport(),
                        departure_at: Some(at("2026-04-17T14:05:00Z")),
                        arrival_at: Some(at("2026-04-17T15:20:00Z")),
                        carrier: some("AA"),
                        flight_number: some("AA3401"),
                        cabin_class: None,
                    },
                    Segment {
                        reference: "534619485683829816".into(),
                        sequence: 2,
                        kind: SegmentKind::Car,
                        status: SegmentStatus::Active,
                        origin: little_rock_airport(),
                        destination: little_rock_airport(),
                        // No zone ids: LIT is an airport in America/Chicago (CDT, UTC-5).
                        departure_at: Some(at("2026-04-17T16:00:00Z")),
                        arrival_at: Some(at("2026-04-20T13:00:00Z")),
                        carrier: some("Avis"),
                        flight_number: None,
                        cabin_class: None,
                    },
                ],
                passengers: lead("Wil", "Chandler"),
            }
        );
    }
}
