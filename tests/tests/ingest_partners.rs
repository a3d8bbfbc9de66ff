//! Every partner's own sample payloads, end to end through HTTP (CONTRACT §3–§5): each is
//! accepted as it stands and produces the booking, segments, passengers and archived
//! event it describes, checked field by field in the database. Invalid samples are
//! refused with every failing field and still archived; deliveries that are not about a
//! booking are archived as ignored; real partners' variations (extra fields, offsets
//! written two ways) are accepted.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use entity::{event, BookingStatus, EventStatus, PassengerType, SegmentKind, SegmentStatus};
use serde_json::{json, Value};
use tests::{fixture, partners, spawn_app, Auth, Reply, TestApp};
use uuid::Uuid;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("a test timestamp")
}

fn some(s: &str) -> Option<String> {
    Some(s.to_owned())
}

fn uuid(value: &Value) -> Uuid {
    value
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not a uuid: {value}"))
}

/// The reply of an applied delivery: exactly `{"status":"applied","eventId","bookingId"}`
/// (plus `extra` keys). Returns (event id, booking id).
fn applied_with(reply: &Reply, extra: &[&str]) -> (Uuid, Uuid) {
    assert_eq!(reply.status, 200, "{:?}", reply.json);
    assert_eq!(reply.json["status"], "applied", "{:?}", reply.json);
    let keys: BTreeSet<&str> = reply
        .json
        .as_object()
        .expect("a JSON object")
        .keys()
        .map(String::as_str)
        .collect();
    let expected: BTreeSet<&str> = ["status", "eventId", "bookingId"]
        .into_iter()
        .chain(extra.iter().copied())
        .collect();
    assert_eq!(keys, expected, "{:?}", reply.json);
    (uuid(&reply.json["eventId"]), uuid(&reply.json["bookingId"]))
}

fn applied(reply: &Reply) -> (Uuid, Uuid) {
    applied_with(reply, &[])
}

/// The archived event with this id.
async fn event(app: &TestApp, id: Uuid) -> event::Model {
    app.events()
        .await
        .into_iter()
        .find(|e| e.id == id)
        .unwrap_or_else(|| panic!("event {id} is archived"))
}

/// The only archived event whose raw body is `body`.
async fn event_of_body(app: &TestApp, body: &str) -> event::Model {
    let mut found: Vec<_> = app
        .events()
        .await
        .into_iter()
        .filter(|e| e.raw_body == body.as_bytes())
        .collect();
    assert_eq!(found.len(), 1, "exactly one event archives this body");
    found.remove(0)
}

/// Checks the archived event of an applied delivery: byte-exact body, type, source time.
async fn assert_applied_event(
    app: &TestApp,
    id: Uuid,
    partner: &str,
    event_type: &str,
    body: &str,
    occurred_at: Option<DateTime<Utc>>,
    booking_id: Uuid,
) -> event::Model {
    let e = event(app, id).await;
    assert_eq!(e.partner, partner);
    assert_eq!(e.event_type, event_type);
    assert_eq!(e.status, EventStatus::Applied);
    assert_eq!(
        e.raw_body,
        body.as_bytes(),
        "the raw body is archived byte for byte"
    );
    assert_eq!(e.occurred_at, occurred_at);
    assert_eq!(e.booking_id, Some(booking_id));
    assert_eq!(e.error, None);
    assert_eq!(e.content_type.as_deref(), Some("application/json"));
    e
}

/// A 422 `invalid_payload` listing exactly `fields`, each with a message; the delivery
/// is archived as rejected with its raw body and no booking.
async fn assert_rejected(app: &TestApp, reply: &Reply, partner: &str, body: &str, fields: &[&str]) {
    assert_eq!(reply.status, 422, "{:?}", reply.json);
    let error = &reply.json["error"];
    assert_eq!(error["code"], "invalid_payload", "{:?}", reply.json);
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{:?}",
        reply.json
    );
    let listed = error["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("fields listed: {:?}", reply.json));
    for field in listed {
        assert!(
            field["message"].as_str().is_some_and(|m| !m.is_empty()),
            "every field says what is wrong: {field}"
        );
    }
    let listed: BTreeSet<&str> = listed
        .iter()
        .map(|f| f["field"].as_str().expect("field path"))
        .collect();
    assert_eq!(
        listed,
        fields.iter().copied().collect::<BTreeSet<_>>(),
        "{:?}",
        reply.json
    );

    let e = event_of_body(app, body).await;
    assert_eq!(e.partner, partner);
    assert_eq!(e.status, EventStatus::Rejected);
    assert_eq!(e.booking_id, None);
    assert!(
        e.error.as_deref().is_some_and(|m| !m.is_empty()),
        "the reason is archived"
    );
}

/// A 200 `ignored`, archived as such with its raw body and no booking.
async fn assert_ignored(
    app: &TestApp,
    reply: &Reply,
    partner: &str,
    body: &str,
    event_type: &str,
) -> event::Model {
    assert_eq!(reply.status, 200, "{:?}", reply.json);
    assert_eq!(reply.json["status"], "ignored", "{:?}", reply.json);
    let e = event(app, uuid(&reply.json["eventId"])).await;
    assert_eq!(e.partner, partner);
    assert_eq!(e.event_type, event_type);
    assert_eq!(e.status, EventStatus::Ignored);
    assert_eq!(e.raw_body, body.as_bytes());
    assert_eq!(e.booking_id, None);
    e
}

/// `body` with `value` set at the JSON pointer `pointer` (parents must exist).
fn with(body: &str, pointer: &str, value: Value) -> String {
    let mut root: Value = serde_json::from_str(body).expect("fixture is JSON");
    let (parent, key) = pointer.rsplit_once('/').expect("a JSON pointer");
    let target = if parent.is_empty() {
        &mut root
    } else {
        root.pointer_mut(parent).expect("parent exists")
    };
    target
        .as_object_mut()
        .expect("parent is an object")
        .insert(key.to_owned(), value);
    root.to_string()
}

/// Standard Webhooks credentials with a known message id.
fn transfers_signed(id: &str) -> Auth {
    Auth::Hmac {
        secret: partners::TRANSFERS_SECRET.into(),
        id: id.into(),
        skew_s: 0,
    }
}

mod hahn_air {
    use super::*;

    #[tokio::test]
    async fn single_leg_create_becomes_a_confirmed_booking_with_every_stated_field() {
        let app = spawn_app().await;
        let body = fixture("hahn_air/booking-create.json");
        let reply = app
            .post("hahn-air/booking-create", &body, partners::hahn())
            .await;
        let (event_id, booking_id) = applied(&reply);

        let b = app
            .booking("hahn-air", "HA7Q2K9")
            .await
            .expect("booking HA7Q2K9");
        assert_eq!(b.id, booking_id);
        assert_eq!(b.status, BookingStatus::Confirmed);
        assert!(b.marketing_allowed);
        assert_eq!(b.booked_at, Some(at("2024-01-12T14:03:27Z")));
        assert_eq!(b.trip_start, Some(at("2024-02-09T08:21:41Z")));
        assert_eq!(b.trip_end, Some(at("2024-02-16T17:05:00Z")));
        assert_eq!(
            (b.origin_code, b.origin_name, b.origin_country),
            (some("LHR"), some("London"), some("GB"))
        );
        assert_eq!(
            (
                b.destination_code,
                b.destination_name,
                b.destination_country
            ),
            (some("LIS"), some("Lisbon"), some("PT"))
        );
        assert_eq!(
            b.destinations,
            json!([{"code": "LIS", "name": "Lisbon", "country": "PT"}])
        );
        assert_eq!(
            (b.adults, b.children, b.infants),
            (Some(2), Some(1), Some(1)),
            "adults = pax 4 - 1 child - 1 infant"
        );
        assert_eq!(b.bag_count, Some(2));
        assert_eq!(b.cabin_class, some("Economy"));
        assert_eq!(b.customer_id, some("CUST-558120"));
        assert_eq!(b.customer_first_name, some("Ana"));
        assert_eq!(b.customer_email, some("ana.silva@example.com"));
        assert_eq!(b.customer_phone, some("+441632960881"));
        assert_eq!(b.last_source_at, Some(at("2024-01-12T14:03:30Z")));

        let segments = app.segments(booking_id).await;
        assert_eq!(segments.len(), 1, "{segments:?}");
        let s = &segments[0];
        assert_eq!(s.reference, "HA7Q2K9");
        assert_eq!(s.sequence, 1);
        assert_eq!(s.kind, SegmentKind::Air);
        assert_eq!(s.status, SegmentStatus::Active);
        assert_eq!(
            (
                s.origin_code.clone(),
                s.origin_name.clone(),
                s.origin_country.clone()
            ),
            (some("LHR"), some("London"), some("GB"))
        );
        assert_eq!(
            (
                s.destination_code.clone(),
                s.destination_name.clone(),
                s.destination_country.clone()
            ),
            (some("LIS"), some("Lisbon"), some("PT"))
        );
        assert_eq!(s.departure_at, Some(at("2024-02-09T08:21:41Z")));
        assert_eq!(s.carrier, some("BA"));
        assert_eq!(s.flight_number, some("BA500"));
        assert_eq!(s.cabin_class, some("Economy"));

        let passengers = app.passengers(booking_id).await;
        assert_eq!(passengers.len(), 1, "{passengers:?}");
        let lead = &passengers[0];
        assert!(lead.lead);
        assert_eq!(lead.first_name, some("Ana"));
        assert_eq!(lead.last_name, None, "Hahn Air sends first names only");
        assert_eq!(lead.passenger_type, PassengerType::Adult);
        assert_eq!(lead.email, some("ana.silva@example.com"));
        assert_eq!(lead.phone, some("+441632960881"));

        let e = assert_applied_event(
            &app,
            event_id,
            "hahn-air",
            "booking-create",
            &body,
            Some(at("2024-01-12T14:03:30Z")),
            booking_id,
        )
        .await;
        assert_eq!(e.topic, some("booking-create"));
    }

    #[tokio::test]
    async fn three_legs_posted_out_of_order_aggregate_into_one_booking_with_segments_in_leg_order()
    {
        let app = spawn_app().await;
        let mut booking_ids = Vec::new();
        let mut events = Vec::new();
        for leg in [3, 1, 2] {
            let body = fixture(&format!("hahn_air/booking-create-leg-{leg}.json"));
            let reply = app
                .post("hahn-air/booking-create", &body, partners::hahn())
                .await;
            let (event_id, booking_id) = applied(&reply);
            booking_ids.push(booking_id);
            events.push((event_id, body));
        }
        let b = app
            .booking("hahn-air", "1234")
            .await
            .expect("ONE booking, reference 1234");
        assert!(
            booking_ids.iter().all(|id| *id == b.id),
            "every leg answers with the same booking: {booking_ids:?}"
        );
        for leg in ["1234-1", "1234-2", "1234-3"] {
            assert!(
                app.booking("hahn-air", leg).await.is_none(),
                "no booking {leg}"
            );
        }

        assert_eq!(b.status, BookingStatus::Confirmed);
        assert!(b.marketing_allowed);
        assert_eq!(b.booked_at, Some(at("2024-04-01T16:45:00Z")));
        assert_eq!(
            b.trip_start,
            Some(at("2024-05-03T10:00:00Z")),
            "leg 1 departure"
        );
        assert_eq!(
            b.trip_end,
            Some(at("2024-05-09T19:25:00Z")),
            "the last leg's end"
        );
        assert_eq!(
            (b.origin_code, b.origin_name, b.origin_country),
            (some("LHR"), some("London"), some("GB"))
        );
        assert_eq!(
            (
                b.destination_code,
                b.destination_name,
                b.destination_country
            ),
            (some("SFO"), some("San Francisco"), some("US"))
        );
        assert_eq!(
            b.destinations,
            json!([
                {"code": "SFO", "name": "San Francisco", "country": "US"},
                {"code": "LAX", "name": "Los Angeles", "country": "US"},
                {"code": "LAS", "name": "Las Vegas", "country": "US"}
            ])
        );
        assert_eq!((b.adults, b.children, b.infants), (Some(2), None, None));
        assert_eq!(b.bag_count, Some(2));
        assert_eq!(b.customer_id, some("CUST-1234"));
        assert_eq!(b.customer_first_name, some("Ana"));
        assert_eq!(b.customer_email, some("ana.silva@example.com"));
        assert_eq!(b.customer_phone, some("+441632960881"));
        assert_eq!(
            b.last_source_at,
            Some(at("2024-04-01T16:45:12Z")),
            "the newest leg's updatedAt"
        );

        let segments = app.segments(b.id).await;
        let expected = [
            (
                "1234-1",
                1,
                "LHR",
                "London",
                "GB",
                "SFO",
                "San Francisco",
                "US",
                "2024-05-03T10:00:00Z",
                "2024-05-03T21:20:00Z",
                "BA",
                "BA285",
                "Premium Economy",
            ),
            (
                "1234-2",
                2,
                "SFO",
                "San Francisco",
                "US",
                "LAX",
                "Los Angeles",
                "US",
                "2024-05-06T15:00:00Z",
                "2024-05-06T16:35:00Z",
                "UA",
                "UA1520",
                "Economy",
            ),
            (
                "1234-3",
                3,
                "LAX",
                "Los Angeles",
                "US",
                "LAS",
                "Las Vegas",
                "US",
                "2024-05-09T18:10:00Z",
                "2024-05-09T19:25:00Z",
                "WN",
                "WN2310",
                "Economy",
            ),
        ];
        assert_eq!(segments.len(), 3, "{segments:?}");
        for (
            s,
            (
                reference,
                sequence,
                from,
                from_name,
                from_country,
                to,
                to_name,
                to_country,
                departure,
                arrival,
                carrier,
                flight,
                cabin,
            ),
        ) in segments.iter().zip(expected)
        {
            assert_eq!(s.reference, reference);
            assert_eq!(s.sequence, sequence, "{reference}");
            assert_eq!(s.kind, SegmentKind::Air, "{reference}");
            assert_eq!(s.status, SegmentStatus::Active, "{reference}");
            assert_eq!(
                (
                    s.origin_code.as_deref(),
                    s.origin_name.as_deref(),
                    s.origin_country.as_deref()
                ),
                (Some(from), Some(from_name), Some(from_country))
            );
            assert_eq!(
                (
                    s.destination_code.as_deref(),
                    s.destination_name.as_deref(),
                    s.destination_country.as_deref()
                ),
                (Some(to), Some(to_name), Some(to_country))
            );
            assert_eq!(s.departure_at, Some(at(departure)), "{reference}");
            assert_eq!(s.arrival_at, Some(at(arrival)), "{reference}");
            assert_eq!(s.carrier.as_deref(), Some(carrier), "{reference}");
            assert_eq!(s.flight_number.as_deref(), Some(flight), "{reference}");
            assert_eq!(s.cabin_class.as_deref(), Some(cabin), "{reference}");
        }

        let passengers = app.passengers(b.id).await;
        assert_eq!(
            passengers.len(),
            1,
            "the same lead passenger on every leg: {passengers:?}"
        );
        assert!(passengers[0].lead);
        assert_eq!(passengers[0].first_name, some("Ana"));
        assert_eq!(passengers[0].phone, some("+441632960881"));

        for ((event_id, body), updated_at) in events.iter().zip([
            "2024-04-01T16:45:12Z",
            "2024-04-01T16:45:10Z",
            "2024-04-01T16:45:11Z",
        ]) {
            assert_applied_event(
                &app,
                *event_id,
                "hahn-air",
                "booking-create",
                body,
                Some(at(updated_at)),
                b.id,
            )
            .await;
        }
    }

    #[tokio::test]
    async fn invalid_create_is_refused_with_every_failing_field_and_archived_as_rejected() {
        let app = spawn_app().await;
        let body = fixture("hahn_air/booking-create-invalid.json");
        let reply = app
            .post("hahn-air/booking-create", &body, partners::hahn())
            .await;
        let fields = [
            "consumerTripPartnerExternalReference",
            "departureAirportCode",
            "tripStart",
            "destinationName",
            "phoneNumber",
            "email",
            "bagCount",
            "pax",
            "departureFlightNumber",
        ];
        assert_rejected(&app, &reply, "hahn-air", &body, &fields).await;
        assert!(
            app.booking("hahn-air", "HA0BAD1").await.is_none(),
            "nothing is applied"
        );
    }

    #[tokio::test]
    async fn update_without_booking_id_is_refused_on_booking_id() {
        let app = spawn_app().await;
        let body = fixture("hahn_air/booking-update-without-booking-id.json");
        let reply = app
            .post("hahn-air/booking-update", &body, partners::hahn())
            .await;
        assert_rejected(&app, &reply, "hahn-air", &body, &["bookingId"]).await;
    }
}

mod airgateway {
    use super::*;

    #[tokio::test]
    async fn order_created_gives_segments_from_full_path_with_places_from_the_airport_dataset() {
        let app = spawn_app().await;
        let body = fixture("airgateway/order-created.json");
        let reply = app.post("airgateway", &body, partners::agw()).await;
        let (event_id, booking_id) = applied(&reply);

        let b = app
            .booking("airgateway", "AGW-5F3K8M2Q")
            .await
            .expect("booking AGW-5F3K8M2Q");
        assert_eq!(b.id, booking_id);
        assert_eq!(b.status, BookingStatus::Confirmed);
        assert!(b.marketing_allowed);
        assert_eq!(b.booked_at, Some(at("2025-03-14T09:21:05Z")));
        assert_eq!(
            (b.trip_start, b.trip_end),
            (None, None),
            "the order states no flight times"
        );
        assert_eq!(
            (b.origin_code, b.origin_name, b.origin_country),
            (some("MAD"), some("Madrid-Barajas Airport"), some("ES"))
        );
        assert_eq!(
            (
                b.destination_code,
                b.destination_name,
                b.destination_country
            ),
            (some("LHR"), some("London Heathrow Airport"), some("GB"))
        );
        assert_eq!(
            b.destinations,
            json!([
                {"code": "LHR", "name": "London Heathrow Airport", "country": "GB"},
                {"code": "MAD", "name": "Madrid-Barajas Airport", "country": "ES"}
            ])
        );
        assert_eq!(
            (b.adults, b.children, b.infants),
            (Some(2), Some(1), Some(0))
        );
        assert_eq!(b.customer_first_name, some("Ana"));
        assert_eq!(b.customer_email, some("ana.garcia@example.com"));
        assert_eq!(
            b.customer_phone,
            some("+34612345678"),
            "'+34 612 345 678' normalised to E.164"
        );
        assert_eq!(b.last_source_at, Some(at("2025-03-14T09:21:05Z")));

        let segments = app.segments(booking_id).await;
        assert_eq!(segments.len(), 2, "{segments:?}");
        let expected = [
            (
                "MAD-LHR#1",
                1,
                "MAD",
                "Madrid-Barajas Airport",
                "ES",
                "LHR",
                "London Heathrow Airport",
                "GB",
            ),
            (
                "LHR-MAD#2",
                2,
                "LHR",
                "London Heathrow Airport",
                "GB",
                "MAD",
                "Madrid-Barajas Airport",
                "ES",
            ),
        ];
        for (s, (reference, sequence, from, from_name, from_country, to, to_name, to_country)) in
            segments.iter().zip(expected)
        {
            assert_eq!(s.reference, reference);
            assert_eq!(s.sequence, sequence);
            assert_eq!(s.kind, SegmentKind::Air);
            assert_eq!(s.status, SegmentStatus::Active);
            assert_eq!(
                (
                    s.origin_code.as_deref(),
                    s.origin_name.as_deref(),
                    s.origin_country.as_deref()
                ),
                (Some(from), Some(from_name), Some(from_country))
            );
            assert_eq!(
                (
                    s.destination_code.as_deref(),
                    s.destination_name.as_deref(),
                    s.destination_country.as_deref()
                ),
                (Some(to), Some(to_name), Some(to_country))
            );
            assert_eq!((s.departure_at, s.arrival_at), (None, None));
        }

        let passengers = app.passengers(booking_id).await;
        assert_eq!(passengers.len(), 1, "{passengers:?}");
        let lead = &passengers[0];
        assert!(lead.lead);
        assert_eq!(lead.first_name, some("Ana"));
        assert_eq!(lead.last_name, some("García López"));
        assert_eq!(lead.email, some("ana.garcia@example.com"));
        assert_eq!(lead.phone, some("+34612345678"));

        let e = assert_applied_event(
            &app,
            event_id,
            "airgateway",
            "OrderCreated",
            &body,
            Some(at("2025-03-14T09:21:05Z")),
            booking_id,
        )
        .await;
        assert_eq!(e.topic, None);
    }

    #[tokio::test]
    async fn the_documents_order_ticketed_template_rendered_with_values_tickets_the_order() {
        let app = spawn_app().await;
        let body = fixture("airgateway/order-ticketed-template.json");
        let reply = app
            .post("airgateway/OrderTicketed", &body, partners::agw())
            .await;
        let (event_id, booking_id) = applied(&reply);

        let b = app
            .booking("airgateway", "AGW-5F3K8M2Q")
            .await
            .expect("the orderID names the booking");
        assert_eq!(b.id, booking_id);
        assert_eq!(b.status, BookingStatus::Ticketed);
        assert!(b.marketing_allowed);
        assert_eq!(
            b.last_source_at, None,
            "the template carries no source time"
        );
        assert!(app.segments(booking_id).await.is_empty());
        assert!(
            app.passengers(booking_id).await.is_empty(),
            "agent and agency are not passengers"
        );

        let e = assert_applied_event(
            &app,
            event_id,
            "airgateway",
            "OrderTicketed",
            &body,
            None,
            booking_id,
        )
        .await;
        assert_eq!(e.topic, some("OrderTicketed"));
    }

    #[tokio::test]
    async fn the_ticketed_template_after_order_created_tickets_the_same_booking_and_keeps_its_itinerary(
    ) {
        let app = spawn_app().await;
        let (_, created) = applied(
            &app.post(
                "airgateway",
                &fixture("airgateway/order-created.json"),
                partners::agw(),
            )
            .await,
        );
        let (_, ticketed) = applied(
            &app.post(
                "airgateway/OrderTicketed",
                &fixture("airgateway/order-ticketed-template.json"),
                partners::agw(),
            )
            .await,
        );
        assert_eq!(created, ticketed);
        let b = app.booking("airgateway", "AGW-5F3K8M2Q").await.unwrap();
        assert_eq!(b.status, BookingStatus::Ticketed);
        assert_eq!(b.origin_code, some("MAD"));
        assert_eq!(b.customer_first_name, some("Ana"));
        let references: Vec<_> = app
            .segments(b.id)
            .await
            .into_iter()
            .map(|s| s.reference)
            .collect();
        assert_eq!(references, ["MAD-LHR#1", "LHR-MAD#2"]);
    }

    /// CONTRACT §4 rev. 2: partners add event names; an unknown one is applied as an
    /// update that changes no status, archived under its own name.
    #[tokio::test]
    async fn an_unknown_event_name_is_applied_as_an_update_that_changes_no_status() {
        let app = spawn_app().await;
        let (_, created) = applied(
            &app.post(
                "airgateway",
                &fixture("airgateway/order-created.json"),
                partners::agw(),
            )
            .await,
        );
        let body = fixture("airgateway/unknown-event.json");
        let reply = app.post("airgateway", &body, partners::agw()).await;
        let (event_id, booking_id) = applied(&reply);
        assert_eq!(booking_id, created);
        let b = app.booking("airgateway", "AGW-5F3K8M2Q").await.unwrap();
        assert_eq!(b.status, BookingStatus::Confirmed, "no status of its own");
        assert!(b.marketing_allowed);
        assert_eq!(app.segments(booking_id).await.len(), 2);
        let e = assert_applied_event(
            &app,
            event_id,
            "airgateway",
            "OrderExploded",
            &body,
            None,
            booking_id,
        )
        .await;
        assert_eq!(e.detail, None);
    }

    #[tokio::test]
    async fn invalid_fields_are_all_listed() {
        let app = spawn_app().await;
        let body = fixture("airgateway/invalid-fields.json");
        let reply = app.post("airgateway", &body, partners::agw()).await;
        assert_rejected(
            &app,
            &reply,
            "airgateway",
            &body,
            &[
                "agwID",
                "fullPath",
                "createdOn",
                "adultsPax",
                "psgPhone",
                "psgEmail",
            ],
        )
        .await;
    }

    #[tokio::test]
    async fn a_local_time_with_no_airport_to_take_a_zone_from_is_refused() {
        let app = spawn_app().await;
        let body = fixture("airgateway/invalid-local-time-without-airport.json");
        let reply = app.post("airgateway", &body, partners::agw()).await;
        assert_rejected(&app, &reply, "airgateway", &body, &["createdOn"]).await;
        assert!(app.booking("airgateway", "AGW-7LJ3C9VA").await.is_none());
    }
}

mod spotnana {
    use super::*;

    const ANA: &str = "5bd0d3f2-6a55-4c1e-9a8e-2f0b7c4d1e90";
    const TOM: &str = "9e1f7a20-3c44-4b8d-a1f2-6d5e4c3b2a10";

    #[tokio::test]
    async fn pnr_booking_created_gives_passengers_and_flights_in_utc() {
        let app = spawn_app().await;
        let body = fixture("spotnana/pnr-booking-created.json");
        let reply = app.post("spotnana", &body, partners::spotnana()).await;
        let (event_id, booking_id) = applied(&reply);

        let b = app
            .booking("spotnana", "6926658168")
            .await
            .expect("booking = pnrId");
        assert_eq!(b.id, booking_id);
        assert_eq!(b.status, BookingStatus::Confirmed);
        assert!(b.marketing_allowed);
        assert_eq!(b.booked_at, Some(at("2025-06-02T14:03:21Z")));
        assert_eq!(
            b.trip_start,
            Some(at("2025-07-14T05:50:00Z")),
            "06:50+01:00, the first departure"
        );
        assert_eq!(
            b.trip_end,
            Some(at("2025-07-25T13:05:00Z")),
            "14:05+01:00, the last arrival"
        );
        assert_eq!((b.origin_code, b.origin_country), (some("LHR"), some("GB")));
        assert_eq!(
            (b.destination_code, b.destination_country),
            (some("SFO"), some("US")),
            "the end of the outbound leg, not its connection in FRA"
        );
        let codes: Vec<_> = b
            .destinations
            .as_array()
            .expect("a list")
            .iter()
            .map(|p| p["code"].as_str().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(codes, ["FRA", "SFO", "LHR"]);
        assert_eq!(
            (b.adults, b.children, b.infants),
            (Some(2), Some(0), Some(0))
        );
        assert_eq!(b.customer_id, some(ANA));
        assert_eq!(b.customer_first_name, some("Ana"));
        assert_eq!(b.customer_email, some("ana.silva@acme.example"));
        assert_eq!(b.customer_phone, some("+447700900123"));
        assert_eq!(b.last_source_at, Some(at("2025-06-02T14:03:27.512Z")));

        let segments = app.segments(booking_id).await;
        let expected = [
            (
                "6926658168:0:0",
                1,
                "LHR",
                "GB",
                "FRA",
                "DE",
                "2025-07-14T05:50:00Z",
                "2025-07-14T07:25:00Z",
                "LH",
                "LH903",
                "ECONOMY",
            ),
            (
                "6926658168:0:1",
                2,
                "FRA",
                "DE",
                "SFO",
                "US",
                "2025-07-14T08:55:00Z",
                "2025-07-14T20:35:00Z",
                "LH",
                "LH454",
                "ECONOMY",
            ),
            (
                "6926658168:1:0",
                3,
                "SFO",
                "US",
                "LHR",
                "GB",
                "2025-07-25T02:50:00Z",
                "2025-07-25T13:05:00Z",
                "BA",
                "BA286",
                "PREMIUM_ECONOMY",
            ),
        ];
        assert_eq!(segments.len(), 3, "{segments:?}");
        for (
            s,
            (
                reference,
                sequence,
                from,
                from_country,
                to,
                to_country,
                departure,
                arrival,
                carrier,
                flight,
                cabin,
            ),
        ) in segments.iter().zip(expected)
        {
            assert_eq!(s.reference, reference);
            assert_eq!(s.sequence, sequence, "{reference}");
            assert_eq!(s.kind, SegmentKind::Air, "{reference}");
            assert_eq!(s.status, SegmentStatus::Active, "{reference}");
            assert_eq!(
                (s.origin_code.as_deref(), s.origin_country.as_deref()),
                (Some(from), Some(from_country))
            );
            assert_eq!(
                (
                    s.destination_code.as_deref(),
                    s.destination_country.as_deref()
                ),
                (Some(to), Some(to_country))
            );
            assert_eq!(s.departure_at, Some(at(departure)), "{reference}");
            assert_eq!(s.arrival_at, Some(at(arrival)), "{reference}");
            assert_eq!(s.carrier.as_deref(), Some(carrier), "{reference}");
            assert_eq!(s.flight_number.as_deref(), Some(flight), "{reference}");
            assert_eq!(s.cabin_class.as_deref(), Some(cabin), "{reference}");
        }

        let passengers = app.passengers(booking_id).await;
        assert_eq!(passengers.len(), 2, "{passengers:?}");
        let (ana, tom) = (&passengers[0], &passengers[1]);
        assert_eq!(ana.reference, ANA);
        assert_eq!(
            (ana.first_name.as_deref(), ana.last_name.as_deref()),
            (Some("Ana"), Some("Silva"))
        );
        assert_eq!(ana.passenger_type, PassengerType::Adult);
        assert!(ana.lead);
        assert_eq!(ana.email, some("ana.silva@acme.example"));
        assert_eq!(ana.phone, some("+447700900123"));
        assert_eq!(tom.reference, TOM);
        assert_eq!(
            (tom.first_name.as_deref(), tom.last_name.as_deref()),
            (Some("Tom"), Some("Silva"))
        );
        assert_eq!(tom.passenger_type, PassengerType::Adult);
        assert!(!tom.lead);
        assert_eq!((tom.email.clone(), tom.phone.clone()), (None, None));

        assert_applied_event(
            &app,
            event_id,
            "spotnana",
            "PNR_V3/BOOKING_CREATED",
            &body,
            Some(at("2025-06-02T14:03:27.512Z")),
            booking_id,
        )
        .await;
    }

    #[tokio::test]
    async fn traveler_v2_is_archived_as_ignored() {
        let app = spawn_app().await;
        let body = fixture("spotnana/traveler-v2.json");
        let reply = app.post("spotnana", &body, partners::spotnana()).await;
        let e = assert_ignored(
            &app,
            &reply,
            "spotnana",
            &body,
            "TRAVELER_V2/TRAVELER_UPDATED",
        )
        .await;
        assert_eq!(e.occurred_at, Some(at("2025-06-01T09:30:00Z")));
    }

    #[tokio::test]
    async fn a_pnr_missing_its_required_fields_is_refused_with_each_of_them() {
        let app = spawn_app().await;
        let body = fixture("spotnana/invalid-pnr-missing-fields.json");
        let reply = app.post("spotnana", &body, partners::spotnana()).await;
        assert_rejected(
            &app,
            &reply,
            "spotnana",
            &body,
            &["operation", "timestamp", "payload.pnrId"],
        )
        .await;
    }

    #[tokio::test]
    async fn a_pnr_with_malformed_fields_is_refused_with_their_paths() {
        let app = spawn_app().await;
        let body = fixture("spotnana/invalid-pnr-bad-fields.json");
        let reply = app.post("spotnana", &body, partners::spotnana()).await;
        let fields = [
            "timestamp",
            "payload.travelers.0.email",
            "payload.travelers.0.phone",
            "payload.airPnr.legs.0.flights.1.destination",
            "payload.airPnr.legs.0.flights.1.departureDateTime.iso8601",
            "payload.airPnr.legs.0.flights.1.arrivalDateTime.iso8601",
            "payload.airPnr.legs.0.flights.1.marketing.num",
        ];
        assert_rejected(&app, &reply, "spotnana", &body, &fields).await;
        assert!(app.booking("spotnana", "6926658169").await.is_none());
    }
}

mod traxo {
    use super::*;

    const TRIP: &str = "211111111111111111";

    /// The documents' samples all share envelope id 333333333333333333; a real sequence
    /// has one id per delivery.
    fn redelivered(body: &str, id: &str) -> String {
        with(body, "/id", json!(id))
    }

    #[tokio::test]
    async fn the_documents_trip_created_example_is_a_confirmed_booking_with_the_stated_trip() {
        let app = spawn_app().await;
        let body = fixture("traxo/trip_created.json");
        let reply = app.post("traxo", &body, partners::traxo()).await;
        let (event_id, booking_id) = applied(&reply);

        let b = app.booking("traxo", TRIP).await.expect("booking = trip id");
        assert_eq!(b.id, booking_id);
        assert_eq!(b.status, BookingStatus::Confirmed, "status Active");
        assert!(b.marketing_allowed);
        assert_eq!(
            b.booked_at,
            Some(at("2008-11-08T09:37:07Z")),
            "'+0000' offset"
        );
        assert_eq!(b.trip_start, Some(at("2010-08-13T23:40:00Z")));
        assert_eq!(b.trip_end, Some(at("2010-08-14T23:40:00Z")));
        assert_eq!(
            (
                b.destination_code,
                b.destination_name,
                b.destination_country
            ),
            (None, some("Dallas"), some("US"))
        );
        assert_eq!(b.destinations, json!([]), "no segments yet");
        assert_eq!(b.customer_id, some("111111111111111111"));
        assert_eq!(b.customer_first_name, some("Don"));
        assert_eq!(b.last_source_at, Some(at("2017-11-01T01:00:00Z")));
        assert!(app.segments(booking_id).await.is_empty());

        let passengers = app.passengers(booking_id).await;
        assert_eq!(passengers.len(), 1, "{passengers:?}");
        assert!(passengers[0].lead);
        assert_eq!(
            (
                passengers[0].first_name.as_deref(),
                passengers[0].last_name.as_deref()
            ),
            (Some("Don"), Some("Draper"))
        );

        let e = assert_applied_event(
            &app,
            event_id,
            "traxo",
            "trip.created",
            &body,
            Some(at("2017-11-01T01:00:00Z")),
            booking_id,
        )
        .await;
        assert_eq!(
            e.idempotency_key, "333333333333333333",
            "Traxo's id is the idempotency key"
        );
    }

    #[tokio::test]
    async fn the_documents_trip_segment_example_gives_the_trip_and_its_flight_in_utc() {
        let app = spawn_app().await;
        let body = fixture("traxo/trip_segment_created.json");
        let reply = app.post("traxo", &body, partners::traxo()).await;
        let (event_id, booking_id) = applied(&reply);

        let b = app.booking("traxo", TRIP).await.expect("booking = trip id");
        assert_eq!(b.id, booking_id);
        assert_eq!(b.status, BookingStatus::Confirmed);
        assert_eq!(
            b.trip_start,
            Some(at("2010-08-13T23:40:00Z")),
            "the trip's stated begin wins"
        );
        assert_eq!(
            b.trip_end,
            Some(at("2010-08-14T23:40:00Z")),
            "the trip's stated end wins"
        );
        assert_eq!(
            (
                b.destination_code,
                b.destination_name,
                b.destination_country
            ),
            (None, some("Dallas"), some("US"))
        );
        assert_eq!(
            b.destinations,
            json!([{"code": "SFO", "name": "San Francisco", "country": "US"}])
        );
        assert_eq!(
            (b.origin_code, b.origin_name, b.origin_country),
            (some("DFW"), some("Dallas"), some("US"))
        );

        let segments = app.segments(booking_id).await;
        assert_eq!(segments.len(), 1, "{segments:?}");
        let s = &segments[0];
        assert_eq!(s.reference, "533164363472469606");
        assert_eq!(s.sequence, 1);
        assert_eq!(s.kind, SegmentKind::Air);
        assert_eq!(s.status, SegmentStatus::Active);
        assert_eq!(
            (
                s.origin_code.clone(),
                s.origin_name.clone(),
                s.origin_country.clone()
            ),
            (some("DFW"), some("Dallas"), some("US"))
        );
        assert_eq!(
            (
                s.destination_code.clone(),
                s.destination_name.clone(),
                s.destination_country.clone()
            ),
            (some("SFO"), some("San Francisco"), some("US"))
        );
        assert_eq!(s.departure_at, Some(at("2016-08-13T23:40:00Z")));
        assert_eq!(s.arrival_at, Some(at("2016-08-14T23:40:00Z")));
        assert_eq!(s.carrier, some("DL"));
        assert_eq!(s.flight_number, some("DL1460"));

        let passengers = app.passengers(booking_id).await;
        assert_eq!(passengers.len(), 1, "{passengers:?}");
        assert!(passengers[0].lead);
        assert_eq!(
            (
                passengers[0].first_name.as_deref(),
                passengers[0].last_name.as_deref()
            ),
            (Some("Don"), Some("Draper"))
        );

        assert_applied_event(
            &app,
            event_id,
            "traxo",
            "trip_segment.created",
            &body,
            Some(at("2017-11-01T01:00:00Z")),
            booking_id,
        )
        .await;
    }

    #[tokio::test]
    async fn a_removed_trip_segment_is_cancelled_and_leaves_the_trip_summary() {
        let app = spawn_app().await;
        applied(
            &app.post(
                "traxo",
                &fixture("traxo/trip_created.json"),
                partners::traxo(),
            )
            .await,
        );
        let created = redelivered(
            &fixture("traxo/trip_segment_created.json"),
            "333333333333333334",
        );
        applied(&app.post("traxo", &created, partners::traxo()).await);
        let removed = redelivered(
            &fixture("traxo/trip_segment_removed.json"),
            "333333333333333335",
        );
        let (event_id, booking_id) = applied(&app.post("traxo", &removed, partners::traxo()).await);

        let segments = app.segments(booking_id).await;
        assert_eq!(segments.len(), 1, "{segments:?}");
        assert_eq!(segments[0].reference, "533164363472469606");
        assert_eq!(segments[0].status, SegmentStatus::Cancelled);
        let b = app.booking("traxo", TRIP).await.unwrap();
        assert_eq!(
            b.status,
            BookingStatus::Confirmed,
            "the trip itself stays active"
        );
        assert_eq!(
            b.destinations,
            json!([]),
            "a cancelled segment is no destination"
        );
        assert_eq!(
            (b.destination_name, b.destination_country),
            (some("Dallas"), some("US"))
        );
        assert_applied_event(
            &app,
            event_id,
            "traxo",
            "trip_segment.removed",
            &removed,
            Some(at("2017-11-01T01:00:00Z")),
            booking_id,
        )
        .await;
    }

    #[tokio::test]
    async fn the_documents_trip_segment_removed_example_alone_gives_a_cancelled_segment() {
        let app = spawn_app().await;
        let body = fixture("traxo/trip_segment_removed.json");
        let (_, booking_id) = applied(&app.post("traxo", &body, partners::traxo()).await);
        let segments = app.segments(booking_id).await;
        assert_eq!(segments.len(), 1, "{segments:?}");
        assert_eq!(segments[0].status, SegmentStatus::Cancelled);
        assert_eq!(segments[0].flight_number, some("DL1460"));
    }

    #[tokio::test]
    async fn email_events_are_archived_as_ignored() {
        let app = spawn_app().await;
        let body = fixture("traxo/email_created.json");
        let reply = app.post("traxo", &body, partners::traxo()).await;
        let e = assert_ignored(&app, &reply, "traxo", &body, "email.created").await;
        assert_eq!(e.idempotency_key, "512000000000000020");
        assert_eq!(e.occurred_at, Some(at("2024-05-02T08:14:30Z")));
    }

    #[tokio::test]
    async fn a_data_id_only_payload_is_archived_as_ignored() {
        let app = spawn_app().await;
        let body = fixture("traxo/trip_created_data_id_only.json");
        let reply = app.post("traxo", &body, partners::traxo()).await;
        assert_ignored(&app, &reply, "traxo", &body, "trip.created").await;
        assert!(
            app.booking("traxo", "1234").await.is_none(),
            "no booking from an id alone"
        );
    }

    #[tokio::test]
    async fn an_offset_written_plus_0000_is_the_same_instant_as_plus_00_00() {
        let app = spawn_app().await;
        let without_colon = fixture("traxo/trip_updated_offsets_without_colon.json");
        assert!(without_colon.contains("+0000"));
        let with_colon = with(
            &without_colon.replace("+0000", "+00:00"),
            "/id",
            json!("512000000000000099"),
        );
        let with_colon = with(&with_colon, "/data/object/id", json!("612000000000000099"));

        let (first_event, _) = applied(&app.post("traxo", &without_colon, partners::traxo()).await);
        let (second_event, _) = applied(&app.post("traxo", &with_colon, partners::traxo()).await);
        let a = app.booking("traxo", "612000000000000001").await.unwrap();
        let b = app.booking("traxo", "612000000000000099").await.unwrap();
        assert_eq!(a.trip_start, Some(at("2024-06-01T08:30:00Z")));
        assert_eq!(a.trip_end, Some(at("2024-06-08T22:45:00Z")));
        assert_eq!(a.booked_at, Some(at("2024-05-02T08:14:51Z")));
        assert_eq!(
            (b.trip_start, b.trip_end, b.booked_at),
            (a.trip_start, a.trip_end, a.booked_at)
        );
        assert_eq!(
            event(&app, first_event).await.occurred_at,
            Some(at("2024-05-03T10:00:00Z"))
        );
        assert_eq!(
            event(&app, second_event).await.occurred_at,
            Some(at("2024-05-03T10:00:00Z"))
        );
    }

    #[tokio::test]
    async fn missing_id_and_created_are_both_listed() {
        let app = spawn_app().await;
        let body = fixture("traxo/invalid_missing_id_and_created.json");
        let reply = app.post("traxo", &body, partners::traxo()).await;
        assert_rejected(&app, &reply, "traxo", &body, &["id", "created"]).await;
        assert!(app.booking("traxo", TRIP).await.is_none());
    }

    #[tokio::test]
    async fn a_bad_flight_number_is_refused_on_its_path() {
        let app = spawn_app().await;
        let body = fixture("traxo/invalid_bad_flight_number.json");
        let reply = app.post("traxo", &body, partners::traxo()).await;
        assert_rejected(
            &app,
            &reply,
            "traxo",
            &body,
            &["data.object.segment.flight_num"],
        )
        .await;
        assert!(app.booking("traxo", TRIP).await.is_none());
    }

    #[tokio::test]
    async fn an_unknown_resource_is_refused_on_type() {
        let app = spawn_app().await;
        let body = fixture("traxo/invalid_unknown_resource.json");
        let reply = app.post("traxo", &body, partners::traxo()).await;
        assert_rejected(&app, &reply, "traxo", &body, &["type"]).await;
    }
}

mod ground_transfer {
    use super::*;

    const CUSTOMER: &str = "191e8c71a3f2c19092baf027a96962989493c07a5dadb146b73df653c837a2fa";

    #[tokio::test]
    async fn new_booking_answers_its_supplier_booking_id_then_amendment_and_cancellation_answer_204(
    ) {
        let app = spawn_app().await;
        let new = fixture("ground_transfer/booking-new.json");
        let reply = app
            .post("transfers", &new, transfers_signed("msg_new_44225562"))
            .await;
        let (new_event, booking_id) = applied_with(&reply, &["supplierBookingId"]);
        assert_eq!(
            reply.json["supplierBookingId"],
            booking_id.to_string(),
            "our booking id, which the marketplace stores as the supplier's (CONTRACT §3)"
        );

        let b = app
            .booking("transfers", "44225562")
            .await
            .expect("booking = bookingReference");
        assert_eq!(b.id, booking_id);
        assert_eq!(b.status, BookingStatus::Confirmed);
        assert!(b.marketing_allowed);
        assert_eq!(b.customer_id, some(CUSTOMER));
        assert_eq!(b.customer_first_name, some("John"));
        assert_eq!(b.customer_phone, some("+441632960881"));
        assert_eq!(b.customer_email, None);
        let passengers = app.passengers(booking_id).await;
        assert_eq!(passengers.len(), 1, "{passengers:?}");
        let lead = &passengers[0];
        assert!(lead.lead);
        assert_eq!(
            (lead.first_name.as_deref(), lead.last_name.as_deref()),
            (Some("John"), Some("Doe"))
        );
        assert_eq!(lead.phone, some("+441632960881"));
        assert_eq!(lead.passenger_type, PassengerType::Adult);
        let segments = app.segments(booking_id).await;
        assert_eq!(segments.len(), 1, "{segments:?}");
        let s = &segments[0];
        assert_eq!(s.kind, SegmentKind::Transfer);
        assert_eq!(s.status, SegmentStatus::Active);
        assert_eq!(s.sequence, 1);
        assert_eq!(
            (s.carrier.as_deref(), s.flight_number.as_deref()),
            (Some("BA"), Some("BA123"))
        );
        assert_eq!(
            s.departure_at, None,
            "the new-booking notice has no pickup time"
        );
        let e = assert_applied_event(
            &app,
            new_event,
            "transfers",
            "booking-new",
            &new,
            None,
            booking_id,
        )
        .await;
        assert_eq!(
            e.idempotency_key, "msg_new_44225562",
            "webhook-id is the idempotency key"
        );

        let amendment = fixture("ground_transfer/booking-amendment.json");
        let reply = app
            .post(
                "transfers/44225562",
                &amendment,
                transfers_signed("msg_amend_44225562"),
            )
            .await;
        assert_eq!(reply.status, 204, "{:?}", reply.json);
        assert_eq!(reply.json, Value::Null, "204 has no body");
        let segments = app.segments(booking_id).await;
        assert_eq!(segments.len(), 1, "{segments:?}");
        assert_eq!(segments[0].departure_at, Some(at("2021-12-07T12:30:00Z")));
        assert_eq!(segments[0].flight_number, some("BA123"));
        let b = app.booking("transfers", "44225562").await.unwrap();
        assert_eq!(
            b.status,
            BookingStatus::Confirmed,
            "an amendment keeps the status"
        );
        assert!(b.marketing_allowed);
        assert_eq!(
            b.trip_start,
            Some(at("2021-12-07T12:30:00Z")),
            "the pickup starts the trip"
        );
        let e = event_of_body(&app, &amendment).await;
        assert_applied_event(
            &app,
            e.id,
            "transfers",
            "booking-amendment",
            &amendment,
            None,
            booking_id,
        )
        .await;
        assert_eq!(e.topic, some("44225562"));

        let cancellation = fixture("ground_transfer/booking-cancellation.json");
        let reply = app
            .post(
                "transfers/44225562",
                &cancellation,
                transfers_signed("msg_cancel_44225562"),
            )
            .await;
        assert_eq!(reply.status, 204, "{:?}", reply.json);
        let b = app.booking("transfers", "44225562").await.unwrap();
        assert_eq!(b.id, booking_id);
        assert_eq!(b.status, BookingStatus::Cancelled);
        assert!(!b.marketing_allowed, "a cancelled transfer is not marketed");
        let transfer = &app.segments(booking_id).await[0];
        assert_eq!(
            transfer.status,
            SegmentStatus::Cancelled,
            "the transfer is cancelled with its booking"
        );
        let e = event_of_body(&app, &cancellation).await;
        assert_applied_event(
            &app,
            e.id,
            "transfers",
            "booking-cancellation",
            &cancellation,
            None,
            booking_id,
        )
        .await;
        assert_eq!(app.events().await.len(), 3);
    }

    #[tokio::test]
    async fn an_invalid_new_booking_is_refused_with_every_failing_field() {
        let app = spawn_app().await;
        let body = fixture("ground_transfer/booking-new-invalid.json");
        let reply = app.post("transfers", &body, partners::transfers()).await;
        assert_rejected(
            &app,
            &reply,
            "transfers",
            &body,
            &[
                "leadPassenger.lastName",
                "leadPassenger.phoneNumber",
                "flightNumber",
                "services",
            ],
        )
        .await;
        assert!(app.booking("transfers", "44225563").await.is_none());
    }

    #[tokio::test]
    async fn an_update_with_an_unknown_action_is_refused_on_action_and_pickup_time() {
        let app = spawn_app().await;
        applied_with(
            &app.post(
                "transfers",
                &fixture("ground_transfer/booking-new.json"),
                partners::transfers(),
            )
            .await,
            &["supplierBookingId"],
        );
        let body = fixture("ground_transfer/booking-update-invalid-action.json");
        let reply = app
            .post("transfers/44225562", &body, partners::transfers())
            .await;
        assert_rejected(
            &app,
            &reply,
            "transfers",
            &body,
            &["action", "pickupDateTime"],
        )
        .await;
        let b = app.booking("transfers", "44225562").await.unwrap();
        assert_eq!(
            b.status,
            BookingStatus::Confirmed,
            "a refused update changes nothing"
        );
    }
}

mod variations {
    use super::*;

    /// Real partners add fields over time; every adapter accepts them and keeps them in
    /// the archived raw body.
    #[tokio::test]
    async fn payloads_with_extra_unknown_fields_are_still_accepted_and_archived_verbatim() {
        let app = spawn_app().await;
        let hahn = with(
            &fixture("hahn_air/booking-create.json"),
            "/loyaltyTier",
            json!({"level": "gold", "points": 1200}),
        );
        let agw = with(
            &fixture("airgateway/order-created.json"),
            "/paymentMethod",
            json!("card"),
        );
        let spotnana = with(
            &fixture("spotnana/pnr-booking-created.json"),
            "/payload/policyInfo",
            json!({"outOfPolicy": false}),
        );
        let spotnana = with(&spotnana, "/webhookVersion", json!("v3.1"));
        let traxo = with(
            &fixture("traxo/trip_segment_created.json"),
            "/data/object/segment/carbon_kg",
            json!(412.5),
        );
        let traxo = with(&traxo, "/api_version", json!("2024-01"));
        let transfers = with(
            &fixture("ground_transfer/booking-new.json"),
            "/vehicle",
            json!({"type": "Sedan", "seats": 4}),
        );
        let transfers = with(
            &transfers,
            "/leadPassenger/email",
            json!("john.doe@example.com"),
        );

        let cases = [
            (
                "hahn-air/booking-create",
                hahn,
                partners::hahn(),
                "hahn-air",
                "HA7Q2K9",
                "loyaltyTier",
            ),
            (
                "airgateway",
                agw,
                partners::agw(),
                "airgateway",
                "AGW-5F3K8M2Q",
                "paymentMethod",
            ),
            (
                "spotnana",
                spotnana,
                partners::spotnana(),
                "spotnana",
                "6926658168",
                "policyInfo",
            ),
            (
                "traxo",
                traxo,
                partners::traxo(),
                "traxo",
                "211111111111111111",
                "carbon_kg",
            ),
            (
                "transfers",
                transfers,
                partners::transfers(),
                "transfers",
                "44225562",
                "vehicle",
            ),
        ];
        for (path, body, auth, partner, reference, extra) in cases {
            let reply = app.post(path, &body, auth).await;
            assert_eq!(reply.status, 200, "{partner}: {:?}", reply.json);
            assert_eq!(
                reply.json["status"], "applied",
                "{partner}: {:?}",
                reply.json
            );
            let booking_id = uuid(&reply.json["bookingId"]);
            let booking = app
                .booking(partner, reference)
                .await
                .unwrap_or_else(|| panic!("{partner} booking {reference}"));
            assert_eq!(booking.id, booking_id, "{partner}");
            assert!(
                !app.segments(booking_id).await.is_empty(),
                "{partner}: segments applied as usual"
            );
            assert!(
                !app.passengers(booking_id).await.is_empty(),
                "{partner}: passengers applied as usual"
            );
            let e = event(&app, uuid(&reply.json["eventId"])).await;
            assert_eq!(e.raw_body, body.as_bytes(), "{partner}");
            assert!(
                String::from_utf8_lossy(&e.raw_body).contains(extra),
                "{partner} keeps {extra}"
            );
        }
    }
}
