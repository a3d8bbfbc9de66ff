//! What the platform behind Hahn Air's data plan really sends (Holibob's ConsumerTrip
//! Event Listener, CONTRACT §4 *Real formats*), end to end: every payload of
//! `tests/fixtures/real/hahn_air/` (sources and expected results in
//! `tests/fixtures/real/SOURCES.md`) posted through the real endpoint with the partner's
//! real credentials — `.form` files as `application/x-www-form-urlencoded` — and the
//! resulting booking read back from the database field by field.
//!
//! Holibob's `create`, `update` and `delete` are our topics `booking-create`,
//! `booking-update` and `booking-cancel`. Its bodies carry no source time, so they are
//! applied in arrival order.

use chrono::{DateTime, SecondsFormat, Utc};
use entity::{booking, passenger, segment, EventStatus};
use serde_json::{json, Value};
use tests::expected::applied;
use tests::{corpus, partners, read, spawn_app, Auth, Reply, TestApp};
use uuid::Uuid;

const FORM: &str = "application/x-www-form-urlencoded";

/// Posts a corpus file to `/webhooks/hahn-air/{topic}`: a `.form` file as a form, any
/// other as JSON, with the partner's token.
async fn post(app: &TestApp, topic: &str, file: &str) -> Reply {
    let body = corpus::real(&format!("hahn_air/{file}"));
    let path = format!("hahn-air/{topic}");
    if !file.ends_with(".form") {
        return app.post(&path, &body, partners::hahn()).await;
    }
    let Auth::TokenHeader(token) = partners::hahn() else {
        panic!("the hahn-air partner authenticates with a token header");
    };
    let response = app
        .client
        .post(format!("{}/webhooks/{path}", app.ingest))
        .header("content-type", FORM)
        .header("x-webhook-token", token)
        .body(body)
        .send()
        .await
        .expect("request");
    read(response).await
}

/// Posts a corpus file that must be applied; checks its archived event (byte-exact body,
/// event type, content type, no source time, linked booking) and returns the booking id.
async fn apply(app: &TestApp, topic: &str, file: &str) -> Uuid {
    let reply = post(app, topic, file).await;
    assert_eq!(reply.status, 200, "{file}: {:?}", reply.json);
    let (event_id, booking_id) = applied(&reply);
    let event = app
        .events()
        .await
        .into_iter()
        .find(|e| e.id == event_id)
        .unwrap_or_else(|| panic!("{file}: event {event_id} is archived"));
    let body = corpus::real(&format!("hahn_air/{file}"));
    assert_eq!(event.raw_body, body.as_bytes(), "{file}: raw body kept");
    assert_eq!(event.partner, "hahn-air");
    assert_eq!(event.event_type, topic);
    assert_eq!(event.status, EventStatus::Applied);
    assert_eq!(event.error, None);
    assert_eq!(
        event.occurred_at, None,
        "{file}: the platform sends no source time"
    );
    assert_eq!(event.booking_id, Some(booking_id));
    let content_type = if file.ends_with(".form") {
        FORM
    } else {
        "application/json"
    };
    assert_eq!(event.content_type.as_deref(), Some(content_type));
    booking_id
}

async fn booking(app: &TestApp, reference: &str, id: Uuid) -> booking::Model {
    let b = app
        .booking("hahn-air", reference)
        .await
        .unwrap_or_else(|| panic!("booking {reference}"));
    assert_eq!(b.id, id, "the delivery answered with booking {reference}");
    b
}

fn utc(at: Option<DateTime<Utc>>) -> Value {
    at.map_or(Value::Null, |at| {
        json!(at.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    })
}

fn place(code: &Option<String>, name: &Option<String>, country: &Option<String>) -> Value {
    json!({"code": code, "name": name, "country": country})
}

/// Every field of the booking a partner delivery sets, as JSON for a readable diff.
fn booking_view(b: &booking::Model) -> Value {
    json!({
        "status": format!("{:?}", b.status),
        "marketingAllowed": b.marketing_allowed,
        "bookedAt": utc(b.booked_at),
        "tripStart": utc(b.trip_start),
        "tripEnd": utc(b.trip_end),
        "origin": place(&b.origin_code, &b.origin_name, &b.origin_country),
        "destination": place(&b.destination_code, &b.destination_name, &b.destination_country),
        "destinations": b.destinations,
        "travellers": {"adults": b.adults, "children": b.children, "infants": b.infants},
        "bagCount": b.bag_count,
        "cabinClass": b.cabin_class,
        "customer": {
            "id": b.customer_id, "firstName": b.customer_first_name,
            "email": b.customer_email, "phone": b.customer_phone,
        },
        "lastSourceAt": utc(b.last_source_at),
        "extras": b.extras,
    })
}

fn segment_view(s: &segment::Model) -> Value {
    json!({
        "reference": s.reference,
        "sequence": s.sequence,
        "kind": format!("{:?}", s.kind),
        "status": format!("{:?}", s.status),
        "origin": place(&s.origin_code, &s.origin_name, &s.origin_country),
        "destination": place(&s.destination_code, &s.destination_name, &s.destination_country),
        "departureAt": utc(s.departure_at),
        "arrivalAt": utc(s.arrival_at),
        "carrier": s.carrier,
        "flightNumber": s.flight_number,
        "cabinClass": s.cabin_class,
    })
}

fn passenger_view(p: &passenger::Model) -> Value {
    json!({
        "reference": p.reference,
        "firstName": p.first_name,
        "lastName": p.last_name,
        "type": format!("{:?}", p.passenger_type),
        "lead": p.lead,
        "email": p.email,
        "phone": p.phone,
    })
}

/// Asserts the booking, its segments (in sequence order) and its passengers.
async fn assert_booking(
    app: &TestApp,
    b: &booking::Model,
    expected: Value,
    segments: Value,
    passengers: Value,
) {
    assert_eq!(booking_view(b), expected, "booking {}", b.reference);
    let stored: Vec<Value> = app.segments(b.id).await.iter().map(segment_view).collect();
    assert_eq!(
        Value::Array(stored),
        segments,
        "segments of {}",
        b.reference
    );
    let stored: Vec<Value> = app
        .passengers(b.id)
        .await
        .iter()
        .map(passenger_view)
        .collect();
    assert_eq!(
        Value::Array(stored),
        passengers,
        "passengers of {}",
        b.reference
    );
}

fn airport(code: &str, name: &str, country: &str) -> Value {
    json!({"code": code, "name": name, "country": country})
}

fn lead(first_name: &str, email: &str, phone: &str) -> Value {
    json!([{
        "reference": "lead", "firstName": first_name, "lastName": null, "type": "Adult",
        "lead": true, "email": email, "phone": phone,
    }])
}

/// The one AIR segment of a whole trip the platform describes: it says when the
/// outbound flight lands, not when it leaves, and names no flight.
fn arriving(
    reference: &str,
    (origin, destination): (&Value, &Value),
    arrival: &str,
    cabin: Option<&str>,
) -> Value {
    json!({
        "reference": reference, "sequence": 1, "kind": "Air", "status": "Active",
        "origin": origin, "destination": destination,
        "departureAt": null, "arrivalAt": arrival,
        "carrier": null, "flightNumber": null, "cabinClass": cabin,
    })
}

const ONE_WAY_REF: &str = "y8c6OBIEZmKXeD6Vbg78";
const BOOKING_LINK: &str =
    "https://thrifty-starboard.biz/booking/db196e31-611b-41e0-b1ee-aeb4d6ad1d3a";

/// Booking `y8c6OBIEZmKXeD6Vbg78` as the published one-way example leaves it.
fn one_way_booking() -> Value {
    json!({
        "status": "Confirmed",
        "marketingAllowed": true,
        "bookedAt": null,
        "tripStart": "2024-05-18T06:55:00Z",
        // A one-way trip states no end: by CONTRACT §5 the trip ends with its latest
        // segment, the flight that lands at 06:55.
        "tripEnd": "2024-05-18T06:55:00Z",
        "origin": airport("DXB", "Dubai", "AE"),
        "destination": airport("LHR", "London", "GB"),
        "destinations": [airport("LHR", "London", "GB")],
        "travellers": {"adults": 2, "children": null, "infants": null},
        "bagCount": null,
        "cabinClass": "ECONOMY",
        "customer": {
            "id": "y34lS53cLJeyYJHc17JZ", "firstName": "Christophe",
            "email": "christophe4@gmail.com", "phone": "+447707373348",
        },
        "lastSourceAt": null,
        "extras": {
            "consumerTripBookingLink": BOOKING_LINK,
            "consumerNationality": "GB",
            "consumerCurrency": "GBP",
        },
    })
}

fn one_way_segments(arrival: &str, cabin: &str) -> Value {
    json!([arriving(
        ONE_WAY_REF,
        (
            &airport("DXB", "Dubai", "AE"),
            &airport("LHR", "London", "GB")
        ),
        arrival,
        Some(cabin),
    )])
}

fn one_way_passengers() -> Value {
    lead("Christophe", "christophe4@gmail.com", "+447707373348")
}

#[tokio::test]
async fn the_published_one_way_flight_is_a_confirmed_trip_starting_when_it_lands() {
    let app = spawn_app().await;
    let id = apply(&app, "booking-create", "01_holibob_flight_one_way.json").await;
    let b = booking(&app, ONE_WAY_REF, id).await;
    assert_booking(
        &app,
        &b,
        one_way_booking(),
        one_way_segments("2024-05-18T06:55:00Z", "ECONOMY"),
        one_way_passengers(),
    )
    .await;
}

#[tokio::test]
async fn the_published_round_trip_after_the_one_way_adds_when_the_trip_ends() {
    let app = spawn_app().await;
    let first = apply(&app, "booking-create", "01_holibob_flight_one_way.json").await;
    let id = apply(&app, "booking-create", "02_holibob_flight_round_trip.json").await;
    assert_eq!(id, first, "the same reference is the same booking");
    let b = booking(&app, ONE_WAY_REF, id).await;
    let mut expected = one_way_booking();
    expected["tripEnd"] = json!("2024-05-20T08:00:00Z");
    assert_booking(
        &app,
        &b,
        expected,
        one_way_segments("2024-05-18T06:55:00Z", "ECONOMY"),
        one_way_passengers(),
    )
    .await;
}

#[tokio::test]
async fn the_published_form_delete_cancels_the_trip_and_stops_marketing() {
    let app = spawn_app().await;
    let created = apply(&app, "booking-create", "01_holibob_flight_one_way.json").await;
    let id = apply(&app, "booking-cancel", "03_holibob_delete.form").await;
    assert_eq!(id, created);
    let b = booking(&app, ONE_WAY_REF, id).await;
    let mut expected = one_way_booking();
    expected["status"] = json!("Cancelled");
    expected["marketingAllowed"] = json!(false);
    // The booking is cancelled; its one segment keeps its own status (a whole-trip
    // delete names no segment).
    assert_booking(
        &app,
        &b,
        expected,
        one_way_segments("2024-05-18T06:55:00Z", "ECONOMY"),
        one_way_passengers(),
    )
    .await;
}

#[tokio::test]
async fn the_published_json_delete_after_the_form_one_is_applied_again_not_a_duplicate() {
    let app = spawn_app().await;
    apply(&app, "booking-create", "01_holibob_flight_one_way.json").await;
    apply(&app, "booking-cancel", "03_holibob_delete.form").await;
    let id = apply(&app, "booking-cancel", "04_holibob_delete.json").await;
    let b = booking(&app, ONE_WAY_REF, id).await;
    let mut expected = one_way_booking();
    expected["status"] = json!("Cancelled");
    expected["marketingAllowed"] = json!(false);
    assert_booking(
        &app,
        &b,
        expected,
        one_way_segments("2024-05-18T06:55:00Z", "ECONOMY"),
        one_way_passengers(),
    )
    .await;
    assert_eq!(app.events().await.len(), 3);
}

#[tokio::test]
async fn a_json_delete_of_an_unknown_trip_records_it_cancelled() {
    let app = spawn_app().await;
    let id = apply(&app, "booking-cancel", "04_holibob_delete.json").await;
    let b = booking(&app, ONE_WAY_REF, id).await;
    let nothing = json!({"code": null, "name": null, "country": null});
    let expected = json!({
        "status": "Cancelled", "marketingAllowed": false, "bookedAt": null,
        "tripStart": null, "tripEnd": null, "origin": nothing, "destination": nothing,
        "destinations": [], "travellers": {"adults": null, "children": null, "infants": null},
        "bagCount": null, "cabinClass": null,
        "customer": {"id": null, "firstName": null, "email": null, "phone": null},
        "lastSourceAt": null, "extras": {},
    });
    assert_booking(&app, &b, expected, json!([]), json!([])).await;
}

#[tokio::test]
async fn dates_without_a_time_are_midnight_at_the_destination_airport() {
    let app = spawn_app().await;
    let id = apply(&app, "booking-create", "05_holibob_create_date_only.json").await;
    let b = booking(&app, "QX7Z1M4K2P", id).await;
    let (lgw, lis) = (
        airport("LGW", "London", "GB"),
        airport("LIS", "Lisbon", "PT"),
    );
    // 2024-06-14 and 2024-06-21, 00:00 in Lisbon (UTC+1 in summer).
    let expected = json!({
        "status": "Confirmed", "marketingAllowed": true, "bookedAt": null,
        "tripStart": "2024-06-13T23:00:00Z", "tripEnd": "2024-06-20T23:00:00Z",
        "origin": lgw, "destination": lis, "destinations": [lis],
        "travellers": {"adults": 3, "children": null, "infants": null},
        "bagCount": null, "cabinClass": "ECONOMY",
        "customer": {
            "id": "CUST-90817", "firstName": "Charlie",
            "email": "charlie@example.com", "phone": "+442071838750",
        },
        "lastSourceAt": null,
        "extras": {"consumerNationality": "GB", "consumerCurrency": "GBP"},
    });
    let segments = json!([arriving(
        "QX7Z1M4K2P",
        (&lgw, &lis),
        "2024-06-13T23:00:00Z",
        Some("ECONOMY")
    )]);
    let passengers = lead("Charlie", "charlie@example.com", "+442071838750");
    assert_booking(&app, &b, expected, segments, passengers).await;
}

#[tokio::test]
async fn a_full_payload_update_moves_the_trip_and_keeps_it_confirmed() {
    let app = spawn_app().await;
    let created = apply(&app, "booking-create", "01_holibob_flight_one_way.json").await;
    let id = apply(
        &app,
        "booking-update",
        "06_holibob_update_full_payload.json",
    )
    .await;
    assert_eq!(id, created);
    let b = booking(&app, ONE_WAY_REF, id).await;
    let mut expected = one_way_booking();
    expected["tripStart"] = json!("2024-05-19T06:55:00Z");
    expected["tripEnd"] = json!("2024-05-22T08:00:00Z");
    expected["travellers"]["adults"] = json!(3);
    expected["cabinClass"] = json!("BUSINESS");
    assert_booking(
        &app,
        &b,
        expected,
        one_way_segments("2024-05-19T06:55:00Z", "BUSINESS"),
        one_way_passengers(),
    )
    .await;
}

#[tokio::test]
async fn offsets_without_a_colon_are_normalised_to_utc_to_the_millisecond() {
    let app = spawn_app().await;
    let id = apply(
        &app,
        "booking-create",
        "07_holibob_create_offset_without_colon.json",
    )
    .await;
    // `HB-ATH-20200101` ends in a number but is a whole trip, not its leg 20200101.
    let b = booking(&app, "HB-ATH-20200101", id).await;
    let (ber, ath) = (
        airport("BER", "Berlin", "DE"),
        airport("ATH", "Athens", "GR"),
    );
    let expected = json!({
        "status": "Confirmed", "marketingAllowed": true, "bookedAt": null,
        "tripStart": "2019-12-31T22:00:00.123Z", "tripEnd": "2020-01-05T16:30:00Z",
        "origin": ber, "destination": ath, "destinations": [ath],
        "travellers": {"adults": 1, "children": null, "infants": null},
        "bagCount": null, "cabinClass": "PREMIUM_ECONOMY",
        "customer": {
            "id": "CUST-40022", "firstName": "Lena",
            "email": "lena@example.de", "phone": "+4915123456789",
        },
        "lastSourceAt": null,
        "extras": {"consumerNationality": "DE", "consumerCurrency": "EUR"},
    });
    let segments = json!([arriving(
        "HB-ATH-20200101",
        (&ber, &ath),
        "2019-12-31T22:00:00.123Z",
        Some("PREMIUM_ECONOMY")
    )]);
    let passengers = lead("Lena", "lena@example.de", "+4915123456789");
    assert_booking(&app, &b, expected, segments, passengers).await;
}

#[tokio::test]
async fn nulls_are_fields_not_sent_and_the_airport_dataset_fills_the_gaps() {
    let app = spawn_app().await;
    let id = apply(
        &app,
        "booking-create",
        "08_holibob_create_nullable_fields_null.json",
    )
    .await;
    let b = booking(&app, "PMI-558201", id).await;
    let (man, pmi) = (
        airport("MAN", "Manchester Airport", "GB"),
        airport("PMI", "Palma de Mallorca", "ES"),
    );
    let expected = json!({
        "status": "Confirmed", "marketingAllowed": true, "bookedAt": null,
        // One way: the trip ends when its only flight lands (CONTRACT §5).
        "tripStart": "2024-08-03T13:40:00Z", "tripEnd": "2024-08-03T13:40:00Z",
        "origin": man, "destination": pmi, "destinations": [pmi],
        "travellers": {"adults": null, "children": null, "infants": null},
        "bagCount": null, "cabinClass": null,
        "customer": {
            "id": "CUST-558201", "firstName": "Sam",
            "email": "sam@example.co.uk", "phone": "+447700900456",
        },
        "lastSourceAt": null, "extras": {},
    });
    let segments = json!([arriving(
        "PMI-558201",
        (&man, &pmi),
        "2024-08-03T13:40:00Z",
        None
    )]);
    let passengers = lead("Sam", "sam@example.co.uk", "+447700900456");
    assert_booking(&app, &b, expected, segments, passengers).await;
}

#[tokio::test]
async fn a_platform_create_without_contact_data_is_accepted_without_a_passenger() {
    let app = spawn_app().await;
    let id = apply(
        &app,
        "booking-create",
        "09_holibob_create_email_and_phone_null.json",
    )
    .await;
    let b = booking(&app, "EI-BCN-7731", id).await;
    let (dub, bcn) = (
        airport("DUB", "Dublin International Airport", "IE"),
        airport("BCN", "Barcelona", "ES"),
    );
    let expected = json!({
        "status": "Confirmed", "marketingAllowed": true, "bookedAt": null,
        // One way: the trip ends when its only flight lands (CONTRACT §5).
        "tripStart": "2024-09-12T10:05:00Z", "tripEnd": "2024-09-12T10:05:00Z",
        "origin": dub, "destination": bcn, "destinations": [bcn],
        "travellers": {"adults": 2, "children": null, "infants": null},
        "bagCount": null, "cabinClass": null,
        "customer": {"id": "CUST-7731", "firstName": null, "email": null, "phone": null},
        "lastSourceAt": null, "extras": {},
    });
    let segments = json!([arriving(
        "EI-BCN-7731",
        (&dub, &bcn),
        "2024-09-12T10:05:00Z",
        None
    )]);
    assert_booking(&app, &b, expected, segments, json!([])).await;
}

/// Booking `5678` after its three legs (files 10–12).
fn five_six_seven_eight() -> Value {
    json!({
        "status": "Confirmed", "marketingAllowed": true, "bookedAt": null,
        // Leg 1's arrival (no departure time is known), and leg 3's return date.
        "tripStart": "2024-09-02T19:30:00Z", "tripEnd": "2024-09-11T10:00:00Z",
        "origin": airport("LHR", "London", "GB"),
        "destination": airport("SFO", "San Francisco", "US"),
        "destinations": [
            airport("SFO", "San Francisco", "US"),
            airport("LAX", "Los Angeles", "US"),
            airport("LAS", "Las Vegas", "US"),
        ],
        "travellers": {"adults": 2, "children": null, "infants": null},
        "bagCount": null, "cabinClass": "ECONOMY",
        "customer": {
            "id": "CUST-5678", "firstName": "Ana",
            "email": "ana.silva@example.com", "phone": "+441632960881",
        },
        "lastSourceAt": null,
        "extras": {"consumerNationality": "PT", "consumerCurrency": "GBP"},
    })
}

fn legs(statuses: [&str; 3]) -> Value {
    let legs = [
        (
            airport("LHR", "London", "GB"),
            airport("SFO", "San Francisco", "US"),
            "2024-09-02T19:30:00Z",
        ),
        (
            airport("SFO", "San Francisco", "US"),
            airport("LAX", "Los Angeles", "US"),
            "2024-09-05T17:10:00Z",
        ),
        (
            airport("LAX", "Los Angeles", "US"),
            airport("LAS", "Las Vegas", "US"),
            "2024-09-08T16:05:00Z",
        ),
    ];
    legs.into_iter()
        .zip(statuses)
        .enumerate()
        .map(|(n, ((origin, destination, arrival), status))| {
            json!({
                "reference": format!("5678-{}", n + 1), "sequence": n + 1, "kind": "Air",
                "status": status, "origin": origin, "destination": destination,
                "departureAt": null, "arrivalAt": arrival,
                "carrier": null, "flightNumber": null, "cabinClass": "ECONOMY",
            })
        })
        .collect()
}

async fn post_the_three_legs(app: &TestApp) -> Uuid {
    let mut ids = Vec::new();
    for file in [
        "10_holibob_multi_destination_leg_1.json",
        "11_holibob_multi_destination_leg_2.json",
        "12_holibob_multi_destination_leg_3.json",
    ] {
        ids.push(apply(app, "booking-create", file).await);
    }
    assert!(ids.iter().all(|id| *id == ids[0]), "one booking: {ids:?}");
    for leg in ["5678-1", "5678-2", "5678-3"] {
        assert!(
            app.booking("hahn-air", leg).await.is_none(),
            "no booking {leg}"
        );
    }
    ids[0]
}

#[tokio::test]
async fn the_platforms_three_legs_aggregate_into_one_booking_with_a_segment_each() {
    let app = spawn_app().await;
    let id = post_the_three_legs(&app).await;
    let b = booking(&app, "5678", id).await;
    assert_booking(
        &app,
        &b,
        five_six_seven_eight(),
        legs(["Active", "Active", "Active"]),
        lead("Ana", "ana.silva@example.com", "+441632960881"),
    )
    .await;
}

#[tokio::test]
async fn a_form_delete_of_leg_2_cancels_that_segment_and_keeps_the_booking() {
    let app = spawn_app().await;
    let created = post_the_three_legs(&app).await;
    let id = apply(&app, "booking-cancel", "13_holibob_delete_leg_2.form").await;
    assert_eq!(id, created);
    let b = booking(&app, "5678", id).await;
    let mut expected = five_six_seven_eight();
    expected["destinations"] = json!([
        airport("SFO", "San Francisco", "US"),
        airport("LAS", "Las Vegas", "US"),
    ]);
    assert_booking(
        &app,
        &b,
        expected,
        legs(["Active", "Cancelled", "Active"]),
        lead("Ana", "ana.silva@example.com", "+441632960881"),
    )
    .await;
}

#[tokio::test]
async fn our_names_and_the_platforms_mix_with_numbers_as_text_and_a_spaced_phone() {
    let app = spawn_app().await;
    let reply = post(
        &app,
        "booking-create",
        "14_mixed_contract_and_holibob_names.json",
    )
    .await;
    assert_eq!(reply.json["status"], "applied", "{:?}", reply.json);
    let id: Uuid = reply.json["bookingId"].as_str().unwrap().parse().unwrap();
    let event = app.events().await.remove(0);
    // This body has a booking date: it is the source time.
    assert_eq!(
        event.occurred_at,
        Some("2024-03-02T11:15:00Z".parse().unwrap())
    );
    assert_eq!(event.event_type, "booking-create");
    assert_eq!(event.status, EventStatus::Applied);
    let b = booking(&app, "HX48213", id).await;
    let (ams, fco) = (
        airport("AMS", "Amsterdam", "NL"),
        airport("FCO", "Rome", "IT"),
    );
    let expected = json!({
        "status": "Confirmed", "marketingAllowed": true, "bookedAt": "2024-03-02T11:15:00Z",
        "tripStart": "2024-04-10T07:05:00Z", "tripEnd": "2024-04-17T19:40:00Z",
        "origin": ams, "destination": fco, "destinations": [fco],
        "travellers": {"adults": 2, "children": 1, "infants": null},
        "bagCount": 2, "cabinClass": "ECONOMY",
        "customer": {
            "id": "CUST-48213", "firstName": "Joost",
            "email": "joost@example.nl", "phone": "+31612345678",
        },
        "lastSourceAt": "2024-03-02T11:15:00Z", "extras": {},
    });
    let segments = json!([{
        "reference": "HX48213", "sequence": 1, "kind": "Air", "status": "Active",
        "origin": ams, "destination": fco,
        "departureAt": "2024-04-10T07:05:00Z", "arrivalAt": null,
        "carrier": "KL", "flightNumber": "KL1601", "cabinClass": "ECONOMY",
    }]);
    let passengers = lead("Joost", "joost@example.nl", "+31612345678");
    assert_booking(&app, &b, expected, segments, passengers).await;
}
