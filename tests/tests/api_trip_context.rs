//! The GraphQL API over bookings ingested through the real webhook endpoints (CONTRACT
//! §6): every partner's booking reads back field by field by id and by reference; a
//! cancelled trip tells the landing site to stop marketing it; a multi-leg trip lists
//! its legs and destinations in order; a landing token reads the trip context but no
//! contact data, events or lists; analysts browse the archive and filter bookings.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use tests::{fixture, partners, read, spawn_app, Reply, TestApp};
use uuid::Uuid;

/// Every field of CONTRACT §6 `Booking`, with every field of its nested types.
const FULL_BOOKING: &str = r#"
fragment FullBooking on Booking {
  id partner reference status marketingAllowed bookedAt tripStart tripEnd
  origin { code name country }
  destination { code name country }
  destinations { code name country }
  travellers { adults children infants total }
  bagCount cabinClass
  customer { id firstName email phone }
  passengers { id firstName lastName type lead email phone }
  segments {
    id reference sequence kind status
    origin { code name country } destination { code name country }
    departureAt arrivalAt carrier flightNumber cabinClass
  }
  events { id partner type status receivedAt occurredAt error payload }
  createdAt updatedAt
}"#;

/// What the landing site reads to personalise a page.
const TRIP_CONTEXT: &str = r#"
fragment TripContext on Booking {
  id status marketingAllowed tripStart tripEnd
  destination { code name country }
  destinations { code name country }
  travellers { adults children infants total }
  passengers { firstName type lead }
  customer { firstName }
  segments {
    reference sequence kind status
    origin { code } destination { code name }
    departureAt arrivalAt flightNumber
  }
}"#;

fn place(code: Option<&str>, name: &str, country: &str) -> Value {
    json!({"code": code, "name": name, "country": country})
}

fn airport(code: &str, name: &str, country: &str) -> Value {
    place(Some(code), name, country)
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("a test timestamp")
}

/// A GraphQL `DateTime`: RFC 3339 in UTC written with `Z`; returns the instant.
fn instant(value: &Value) -> DateTime<Utc> {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("a DateTime string: {value}"));
    assert!(text.ends_with('Z'), "UTC written with Z: {text}");
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("RFC 3339 `{text}`: {e}"))
        .with_timezone(&Utc)
}

/// The reply of an applied delivery; returns (event id, booking id).
fn applied(reply: &Reply) -> (Uuid, Uuid) {
    assert_eq!(reply.status, 200, "{:?}", reply.json);
    assert_eq!(reply.json["status"], "applied", "{:?}", reply.json);
    let id = |key: &str| {
        reply.json[key]
            .as_str()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("{key} is a uuid: {:?}", reply.json))
    };
    (id("eventId"), id("bookingId"))
}

/// A JSON body with a replaced envelope `id` (Traxo's idempotency key).
fn with_id(body: &str, id: &str) -> String {
    let mut value: Value = serde_json::from_str(body).expect("fixture is JSON");
    value["id"] = json!(id);
    value.to_string()
}

/// A GraphQL reply with data and no errors; returns `data`.
fn data(reply: &Reply) -> &Value {
    assert_eq!(reply.status, 200, "{:?}", reply.json);
    assert!(
        reply.json.get("errors").is_none(),
        "no errors: {:?}",
        reply.json["errors"]
    );
    &reply.json["data"]
}

/// The FORBIDDEN errors of a reply, by path (`booking.passengers.0.email`).
fn forbidden_paths(reply: &Reply) -> Vec<String> {
    let errors = reply.json["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("errors: {:?}", reply.json));
    let mut paths: Vec<String> = errors
        .iter()
        .map(|error| {
            assert_eq!(
                error["extensions"]["code"], "FORBIDDEN",
                "every error is FORBIDDEN: {error}"
            );
            assert!(
                error["message"].as_str().is_some_and(|m| !m.is_empty()),
                "{error}"
            );
            error["path"]
                .as_array()
                .unwrap_or_else(|| panic!("a path: {error}"))
                .iter()
                .map(|segment| match segment {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(".")
        })
        .collect();
    paths.sort();
    paths
}

/// Fetches the booking as analyst by id and by (partner, reference); both must answer
/// the same, complete booking. Returns it.
async fn full_booking(app: &TestApp, id: Uuid, partner: &str, reference: &str) -> Value {
    let by_id = app
        .graphql(
            "analyst",
            &format!("query($id: ID!) {{ booking(id: $id) {{ ...FullBooking }} }} {FULL_BOOKING}"),
            json!({"id": id}),
        )
        .await;
    let by_reference = app
        .graphql(
            "analyst",
            &format!(
                "query($p: String!, $r: String!) {{ bookingByReference(partner: $p, reference: $r) {{ ...FullBooking }} }} {FULL_BOOKING}"
            ),
            json!({"p": partner, "r": reference}),
        )
        .await;
    let booking = data(&by_id)["booking"].clone();
    assert!(booking.is_object(), "booking {id} found: {:?}", by_id.json);
    assert_eq!(
        data(&by_reference)["bookingByReference"],
        booking,
        "bookingByReference answers exactly what booking(id) answers"
    );
    booking
}

/// The booking's `createdAt`/`updatedAt` are the stored instants, as `DateTime`s.
async fn assert_record_times(app: &TestApp, b: &Value, partner: &str, reference: &str) {
    let row = app.booking(partner, reference).await.expect("stored");
    assert_eq!(instant(&b["createdAt"]), row.created_at);
    assert_eq!(instant(&b["updatedAt"]), row.updated_at);
    assert!(row.updated_at >= row.created_at);
}

/// The booking's `events`, newest first: (event id, type, posted body, source time),
/// each APPLIED, from `partner`, with its payload equal to the JSON posted.
async fn assert_applied_events(
    app: &TestApp,
    b: &Value,
    partner: &str,
    expected: &[(Uuid, &str, &str, Option<&str>)],
) {
    let events = b["events"].as_array().expect("events listed");
    assert_eq!(events.len(), expected.len(), "{events:?}");
    let rows = app.events().await;
    for (e, (id, event_type, body, occurred)) in events.iter().zip(expected) {
        assert_eq!(e["id"], id.to_string());
        assert_eq!(e["partner"], partner);
        assert_eq!(e["type"], *event_type);
        assert_eq!(e["status"], "APPLIED");
        assert_eq!(e["error"], Value::Null);
        let posted: Value = serde_json::from_str(body).expect("posted JSON");
        assert_eq!(e["payload"], posted, "payload is the JSON that was posted");
        match occurred {
            Some(occurred) => assert_eq!(instant(&e["occurredAt"]), at(occurred)),
            None => assert_eq!(e["occurredAt"], Value::Null),
        }
        let row = rows.iter().find(|r| r.id == *id).expect("archived");
        assert_eq!(instant(&e["receivedAt"]), row.received_at);
    }
}

/// The passengers' stored ids, by first name.
async fn passenger_id(app: &TestApp, booking: Uuid, first_name: &str) -> String {
    app.passengers(booking)
        .await
        .into_iter()
        .find(|p| p.first_name.as_deref() == Some(first_name))
        .unwrap_or_else(|| panic!("passenger {first_name}"))
        .id
        .to_string()
}

/// The segments' stored ids, in sequence order.
async fn segment_ids(app: &TestApp, booking: Uuid) -> Vec<String> {
    app.segments(booking)
        .await
        .into_iter()
        .map(|s| s.id.to_string())
        .collect()
}

mod every_partner_reads_back_by_id_and_by_reference {
    use super::*;

    #[tokio::test]
    async fn a_hahn_air_single_leg_booking_shows_every_field() {
        let app = spawn_app().await;
        let body = fixture("hahn_air/booking-create.json");
        let (event_id, id) = applied(
            &app.post("hahn-air/booking-create", &body, partners::hahn())
                .await,
        );

        let b = full_booking(&app, id, "hahn-air", "HA7Q2K9").await;
        assert_eq!(b["id"], id.to_string());
        assert_eq!(b["partner"], "hahn-air");
        assert_eq!(b["reference"], "HA7Q2K9");
        assert_eq!(b["status"], "CONFIRMED");
        assert_eq!(b["marketingAllowed"], true);
        assert_eq!(b["bookedAt"], "2024-01-12T14:03:27Z");
        assert_eq!(b["tripStart"], "2024-02-09T08:21:41Z");
        assert_eq!(b["tripEnd"], "2024-02-16T17:05:00Z");
        assert_eq!(b["origin"], airport("LHR", "London", "GB"));
        assert_eq!(b["destination"], airport("LIS", "Lisbon", "PT"));
        assert_eq!(b["destinations"], json!([airport("LIS", "Lisbon", "PT")]));
        assert_eq!(
            b["travellers"],
            json!({"adults": 2, "children": 1, "infants": 1, "total": 4}),
            "pax 4 = 2 adults + 1 child + 1 infant"
        );
        assert_eq!(b["bagCount"], 2);
        assert_eq!(b["cabinClass"], "Economy");
        assert_eq!(
            b["customer"],
            json!({"id": "CUST-558120", "firstName": "Ana",
                   "email": "ana.silva@example.com", "phone": "+441632960881"})
        );
        assert_eq!(
            b["passengers"],
            json!([{"id": passenger_id(&app, id, "Ana").await, "firstName": "Ana",
                    "lastName": null, "type": "ADULT", "lead": true,
                    "email": "ana.silva@example.com", "phone": "+441632960881"}])
        );
        let segments = segment_ids(&app, id).await;
        assert_eq!(
            b["segments"],
            json!([{
                "id": segments[0], "reference": "HA7Q2K9", "sequence": 1, "kind": "AIR",
                "status": "ACTIVE", "origin": airport("LHR", "London", "GB"),
                "destination": airport("LIS", "Lisbon", "PT"),
                "departureAt": "2024-02-09T08:21:41Z", "arrivalAt": null,
                "carrier": "BA", "flightNumber": "BA500", "cabinClass": "Economy"
            }])
        );
        assert_applied_events(
            &app,
            &b,
            "hahn-air",
            &[(
                event_id,
                "booking-create",
                &body,
                Some("2024-01-12T14:03:30Z"),
            )],
        )
        .await;
        assert_record_times(&app, &b, "hahn-air", "HA7Q2K9").await;
    }

    #[tokio::test]
    async fn an_airgateway_order_shows_every_field() {
        let app = spawn_app().await;
        let body = fixture("airgateway/order-created.json");
        let (event_id, id) = applied(&app.post("airgateway", &body, partners::agw()).await);

        let b = full_booking(&app, id, "airgateway", "AGW-5F3K8M2Q").await;
        let mad = airport("MAD", "Madrid-Barajas Airport", "ES");
        let lhr = airport("LHR", "London Heathrow Airport", "GB");
        assert_eq!(b["id"], id.to_string());
        assert_eq!(b["partner"], "airgateway");
        assert_eq!(b["reference"], "AGW-5F3K8M2Q");
        assert_eq!(b["status"], "CONFIRMED");
        assert_eq!(b["marketingAllowed"], true);
        assert_eq!(b["bookedAt"], "2025-03-14T09:21:05Z");
        assert_eq!(b["tripStart"], Value::Null, "the order states no times");
        assert_eq!(b["tripEnd"], Value::Null);
        assert_eq!(b["origin"], mad);
        assert_eq!(b["destination"], lhr);
        assert_eq!(b["destinations"], json!([lhr, mad]));
        assert_eq!(
            b["travellers"],
            json!({"adults": 2, "children": 1, "infants": 0, "total": 3})
        );
        assert_eq!(b["bagCount"], Value::Null);
        assert_eq!(b["cabinClass"], Value::Null);
        assert_eq!(
            b["customer"],
            json!({"id": null, "firstName": "Ana",
                   "email": "ana.garcia@example.com", "phone": "+34612345678"})
        );
        assert_eq!(
            b["passengers"],
            json!([{"id": passenger_id(&app, id, "Ana").await, "firstName": "Ana",
                    "lastName": "García López", "type": "ADULT", "lead": true,
                    "email": "ana.garcia@example.com", "phone": "+34612345678"}])
        );
        let segments = segment_ids(&app, id).await;
        let leg = |i: usize, reference: &str, from: &Value, to: &Value| {
            json!({
                "id": segments[i], "reference": reference, "sequence": i + 1, "kind": "AIR",
                "status": "ACTIVE", "origin": from, "destination": to,
                "departureAt": null, "arrivalAt": null,
                "carrier": null, "flightNumber": null, "cabinClass": null
            })
        };
        assert_eq!(
            b["segments"],
            json!([
                leg(0, "MAD-LHR#1", &mad, &lhr),
                leg(1, "LHR-MAD#2", &lhr, &mad)
            ])
        );
        assert_applied_events(
            &app,
            &b,
            "airgateway",
            &[(
                event_id,
                "OrderCreated",
                &body,
                Some("2025-03-14T09:21:05Z"),
            )],
        )
        .await;
        assert_record_times(&app, &b, "airgateway", "AGW-5F3K8M2Q").await;
    }

    #[tokio::test]
    async fn a_spotnana_pnr_shows_every_field() {
        let app = spawn_app().await;
        let body = fixture("spotnana/pnr-booking-created.json");
        let (event_id, id) = applied(&app.post("spotnana", &body, partners::spotnana()).await);

        let b = full_booking(&app, id, "spotnana", "6926658168").await;
        let lhr = airport("LHR", "London Heathrow Airport", "GB");
        let fra = airport("FRA", "Frankfurt Airport", "DE");
        let sfo = airport("SFO", "San Francisco International Airport", "US");
        assert_eq!(b["id"], id.to_string());
        assert_eq!(b["partner"], "spotnana");
        assert_eq!(b["reference"], "6926658168");
        assert_eq!(b["status"], "CONFIRMED");
        assert_eq!(b["marketingAllowed"], true);
        assert_eq!(b["bookedAt"], "2025-06-02T14:03:21Z");
        assert_eq!(
            b["tripStart"], "2025-07-14T05:50:00Z",
            "LH903 departs 06:50+01:00"
        );
        assert_eq!(
            b["tripEnd"], "2025-07-25T13:05:00Z",
            "BA286 lands 14:05+01:00"
        );
        assert_eq!(b["origin"], lhr);
        assert_eq!(b["destination"], sfo, "the outbound journey's end");
        assert_eq!(b["destinations"], json!([fra, sfo, lhr]));
        assert_eq!(
            b["travellers"],
            json!({"adults": 2, "children": 0, "infants": 0, "total": 2})
        );
        assert_eq!(b["bagCount"], Value::Null);
        assert_eq!(b["cabinClass"], Value::Null);
        assert_eq!(
            b["customer"],
            json!({"id": "5bd0d3f2-6a55-4c1e-9a8e-2f0b7c4d1e90", "firstName": "Ana",
                   "email": "ana.silva@acme.example", "phone": "+447700900123"})
        );
        assert_eq!(
            b["passengers"],
            json!([
                {"id": passenger_id(&app, id, "Ana").await, "firstName": "Ana",
                 "lastName": "Silva", "type": "ADULT", "lead": true,
                 "email": "ana.silva@acme.example", "phone": "+447700900123"},
                {"id": passenger_id(&app, id, "Tom").await, "firstName": "Tom",
                 "lastName": "Silva", "type": "ADULT", "lead": false,
                 "email": null, "phone": null}
            ]),
            "lead passenger first"
        );
        let segments = segment_ids(&app, id).await;
        assert_eq!(
            b["segments"],
            json!([
                {"id": segments[0], "reference": "6926658168:0:0", "sequence": 1, "kind": "AIR",
                 "status": "ACTIVE", "origin": lhr, "destination": fra,
                 "departureAt": "2025-07-14T05:50:00Z", "arrivalAt": "2025-07-14T07:25:00Z",
                 "carrier": "LH", "flightNumber": "LH903", "cabinClass": "ECONOMY"},
                {"id": segments[1], "reference": "6926658168:0:1", "sequence": 2, "kind": "AIR",
                 "status": "ACTIVE", "origin": fra, "destination": sfo,
                 "departureAt": "2025-07-14T08:55:00Z", "arrivalAt": "2025-07-14T20:35:00Z",
                 "carrier": "LH", "flightNumber": "LH454", "cabinClass": "ECONOMY"},
                {"id": segments[2], "reference": "6926658168:1:0", "sequence": 3, "kind": "AIR",
                 "status": "ACTIVE", "origin": sfo, "destination": lhr,
                 "departureAt": "2025-07-25T02:50:00Z", "arrivalAt": "2025-07-25T13:05:00Z",
                 "carrier": "BA", "flightNumber": "BA286", "cabinClass": "PREMIUM_ECONOMY"}
            ])
        );
        assert_applied_events(
            &app,
            &b,
            "spotnana",
            &[(
                event_id,
                "PNR_V3/BOOKING_CREATED",
                &body,
                Some("2025-06-02T14:03:27.512Z"),
            )],
        )
        .await;
        assert_eq!(
            b["events"][0]["occurredAt"], "2025-06-02T14:03:27.512Z",
            "fractions of a second are kept"
        );
        assert_record_times(&app, &b, "spotnana", "6926658168").await;
    }

    #[tokio::test]
    async fn a_traxo_trip_with_its_segment_shows_every_field() {
        let app = spawn_app().await;
        let trip = fixture("traxo/trip_created.json");
        let (trip_event, id) = applied(&app.post("traxo", &trip, partners::traxo()).await);
        // Every Traxo sample in the document has envelope id 333333333333333333: the
        // second delivery needs its own, or it is (rightly) a duplicate.
        let segment = with_id(
            &fixture("traxo/trip_segment_created.json"),
            "333333333333333334",
        );
        let (segment_event, same) = applied(&app.post("traxo", &segment, partners::traxo()).await);
        assert_eq!(same, id, "the segment joins the trip's booking");

        let b = full_booking(&app, id, "traxo", "211111111111111111").await;
        let dfw = airport("DFW", "Dallas", "US");
        let sfo = airport("SFO", "San Francisco", "US");
        assert_eq!(b["id"], id.to_string());
        assert_eq!(b["partner"], "traxo");
        assert_eq!(b["reference"], "211111111111111111");
        assert_eq!(b["status"], "CONFIRMED", "trip status Active");
        assert_eq!(b["marketingAllowed"], true);
        assert_eq!(
            b["bookedAt"], "2008-11-08T09:37:07Z",
            "the trip's created, +0000"
        );
        assert_eq!(
            b["tripStart"], "2010-08-13T23:40:00Z",
            "the trip's stated begin wins over the segment"
        );
        assert_eq!(b["tripEnd"], "2010-08-14T23:40:00Z");
        assert_eq!(b["origin"], dfw);
        assert_eq!(
            b["destination"],
            place(None, "Dallas", "US"),
            "the trip names its destination"
        );
        assert_eq!(b["destinations"], json!([sfo]));
        assert_eq!(
            b["travellers"],
            json!({"adults": null, "children": null, "infants": null, "total": null})
        );
        assert_eq!(b["bagCount"], Value::Null);
        assert_eq!(b["cabinClass"], Value::Null);
        assert_eq!(
            b["customer"],
            json!({"id": "111111111111111111", "firstName": "Don", "email": null, "phone": null})
        );
        assert_eq!(
            b["passengers"],
            json!([{"id": passenger_id(&app, id, "Don").await, "firstName": "Don",
                    "lastName": "Draper", "type": "ADULT", "lead": true,
                    "email": null, "phone": null}])
        );
        let segments = segment_ids(&app, id).await;
        assert_eq!(
            b["segments"],
            json!([{
                "id": segments[0], "reference": "533164363472469606", "sequence": 1,
                "kind": "AIR", "status": "ACTIVE", "origin": dfw, "destination": sfo,
                "departureAt": "2016-08-13T23:40:00Z", "arrivalAt": "2016-08-14T23:40:00Z",
                "carrier": "DL", "flightNumber": "DL1460",
                "cabinClass": "string" // the document's sample says `class_of_service: "string"`
            }])
        );
        assert_applied_events(
            &app,
            &b,
            "traxo",
            &[
                (
                    segment_event,
                    "trip_segment.created",
                    &segment,
                    Some("2017-11-01T01:00:00Z"),
                ),
                (
                    trip_event,
                    "trip.created",
                    &trip,
                    Some("2017-11-01T01:00:00Z"),
                ),
            ],
        )
        .await;
        assert_record_times(&app, &b, "traxo", "211111111111111111").await;
    }

    #[tokio::test]
    async fn a_ground_transfer_booking_with_its_amendment_shows_every_field() {
        let app = spawn_app().await;
        let new = fixture("ground_transfer/booking-new.json");
        let reply = app.post("transfers", &new, partners::transfers()).await;
        let (new_event, id) = applied(&reply);
        assert_eq!(
            reply.json["supplierBookingId"], reply.json["bookingId"],
            "our booking id (CONTRACT §3)"
        );
        let amendment = fixture("ground_transfer/booking-amendment.json");
        let reply = app
            .post("transfers/44225562", &amendment, partners::transfers())
            .await;
        assert_eq!(reply.status, 204, "{:?}", reply.json);
        let amendment_event = app
            .events()
            .await
            .into_iter()
            .find(|e| e.raw_body == amendment.as_bytes())
            .expect("amendment archived")
            .id;

        let b = full_booking(&app, id, "transfers", "44225562").await;
        assert_eq!(b["id"], id.to_string());
        assert_eq!(b["partner"], "transfers");
        assert_eq!(b["reference"], "44225562");
        assert_eq!(b["status"], "CONFIRMED", "an amendment keeps the status");
        assert_eq!(b["marketingAllowed"], true);
        assert_eq!(
            b["bookedAt"],
            Value::Null,
            "the partner sends no booking time"
        );
        assert_eq!(b["tripStart"], "2021-12-07T12:30:00Z", "the amended pickup");
        assert_eq!(
            b["tripEnd"], "2021-12-07T12:30:00Z",
            "a transfer with no arrival ends where it starts"
        );
        assert_eq!(b["origin"], Value::Null);
        assert_eq!(b["destination"], Value::Null);
        assert_eq!(b["destinations"], json!([]));
        assert_eq!(
            b["travellers"],
            json!({"adults": null, "children": null, "infants": null, "total": null})
        );
        assert_eq!(b["bagCount"], Value::Null);
        assert_eq!(b["cabinClass"], Value::Null);
        assert_eq!(
            b["customer"],
            json!({"id": "191e8c71a3f2c19092baf027a96962989493c07a5dadb146b73df653c837a2fa",
                   "firstName": "John", "email": null, "phone": "+441632960881"})
        );
        assert_eq!(
            b["passengers"],
            json!([{"id": passenger_id(&app, id, "John").await, "firstName": "John",
                    "lastName": "Doe", "type": "ADULT", "lead": true,
                    "email": null, "phone": "+441632960881"}])
        );
        let segments = segment_ids(&app, id).await;
        assert_eq!(
            b["segments"],
            json!([{
                "id": segments[0], "reference": "44225562", "sequence": 1, "kind": "TRANSFER",
                "status": "ACTIVE", "origin": null, "destination": null,
                "departureAt": "2021-12-07T12:30:00Z", "arrivalAt": null,
                "carrier": "BA", "flightNumber": "BA123", "cabinClass": null
            }])
        );
        assert_applied_events(
            &app,
            &b,
            "transfers",
            &[
                (amendment_event, "booking-amendment", &amendment, None),
                (new_event, "booking-new", &new, None),
            ],
        )
        .await;
        assert_record_times(&app, &b, "transfers", "44225562").await;
    }
}

mod landing_site {
    use super::*;

    async fn landing_view(app: &TestApp, id: Uuid) -> Value {
        let reply = app
            .graphql(
                "landing",
                "query($id: ID!) { booking(id: $id) { status marketingAllowed reference } }",
                json!({"id": id}),
            )
            .await;
        data(&reply)["booking"].clone()
    }

    #[tokio::test]
    async fn a_cancelled_hahn_air_booking_is_not_to_be_marketed() {
        let app = spawn_app().await;
        let (_, id) = applied(
            &app.post(
                "hahn-air/booking-create",
                &fixture("hahn_air/booking-create.json"),
                partners::hahn(),
            )
            .await,
        );
        let before = landing_view(&app, id).await;
        assert_eq!(before["status"], "CONFIRMED");
        assert_eq!(before["marketingAllowed"], true);

        let (_, cancelled) = applied(
            &app.post(
                "hahn-air/booking-cancel",
                &fixture("hahn_air/booking-cancel.json"),
                partners::hahn(),
            )
            .await,
        );
        assert_eq!(cancelled, id);
        let after = landing_view(&app, id).await;
        assert_eq!(after["reference"], "HA7Q2K9");
        assert_eq!(after["status"], "CANCELLED");
        assert_eq!(after["marketingAllowed"], false);
    }

    #[tokio::test]
    async fn a_cancelled_ground_transfer_is_not_to_be_marketed() {
        let app = spawn_app().await;
        let (_, id) = applied(
            &app.post(
                "transfers",
                &fixture("ground_transfer/booking-new.json"),
                partners::transfers(),
            )
            .await,
        );
        let reply = app
            .post(
                "transfers/44225562",
                &fixture("ground_transfer/booking-cancellation.json"),
                partners::transfers(),
            )
            .await;
        assert_eq!(reply.status, 204, "{:?}", reply.json);

        let view = landing_view(&app, id).await;
        assert_eq!(view["reference"], "44225562");
        assert_eq!(view["status"], "CANCELLED");
        assert_eq!(view["marketingAllowed"], false);
        let by_reference = app
            .graphql(
                "landing",
                r#"{ bookingByReference(partner: "transfers", reference: "44225562") { id status marketingAllowed } }"#,
                json!({}),
            )
            .await;
        assert_eq!(
            data(&by_reference)["bookingByReference"],
            json!({"id": id.to_string(), "status": "CANCELLED", "marketingAllowed": false})
        );
    }

    async fn post_leg(app: &TestApp, file: &str, topic: &str) -> Uuid {
        applied(
            &app.post(
                &format!("hahn-air/{topic}"),
                &fixture(&format!("hahn_air/{file}")),
                partners::hahn(),
            )
            .await,
        )
        .1
    }

    async fn trip_context(app: &TestApp, id: Uuid) -> Value {
        let reply = app
            .graphql(
                "landing",
                &format!(
                    "query($id: ID!) {{ booking(id: $id) {{ ...TripContext }} }} {TRIP_CONTEXT}"
                ),
                json!({"id": id}),
            )
            .await;
        data(&reply)["booking"].clone()
    }

    #[tokio::test]
    async fn a_three_leg_trip_lists_its_legs_and_destinations_in_order_and_drops_a_cancelled_leg() {
        let app = spawn_app().await;
        let id = post_leg(&app, "booking-create-leg-2.json", "booking-create").await;
        assert_eq!(
            post_leg(&app, "booking-create-leg-3.json", "booking-create").await,
            id
        );
        assert_eq!(
            post_leg(&app, "booking-create-leg-1.json", "booking-create").await,
            id
        );

        let sfo = airport("SFO", "San Francisco", "US");
        let lax = airport("LAX", "Los Angeles", "US");
        let las = airport("LAS", "Las Vegas", "US");
        let leg = |n: u32,
                   status: &str,
                   from: &str,
                   to: &Value,
                   dep: &str,
                   arr: &str,
                   flight: &str| {
            json!({
                "reference": format!("1234-{n}"), "sequence": n, "kind": "AIR", "status": status,
                "origin": {"code": from}, "destination": {"code": to["code"], "name": to["name"]},
                "departureAt": dep, "arrivalAt": arr, "flightNumber": flight
            })
        };

        let b = trip_context(&app, id).await;
        assert_eq!(b["id"], id.to_string());
        assert_eq!(b["status"], "CONFIRMED");
        assert_eq!(b["marketingAllowed"], true);
        assert_eq!(b["tripStart"], "2024-05-03T10:00:00Z", "leg 1 departure");
        assert_eq!(b["tripEnd"], "2024-05-09T19:25:00Z", "leg 3 end");
        assert_eq!(b["destination"], sfo);
        assert_eq!(b["destinations"], json!([sfo, lax, las]));
        assert_eq!(
            b["travellers"],
            json!({"adults": 2, "children": null, "infants": null, "total": 2})
        );
        assert_eq!(
            b["passengers"],
            json!([{"firstName": "Ana", "type": "ADULT", "lead": true}])
        );
        assert_eq!(b["customer"], json!({"firstName": "Ana"}));
        assert_eq!(
            b["segments"],
            json!([
                leg(
                    1,
                    "ACTIVE",
                    "LHR",
                    &sfo,
                    "2024-05-03T10:00:00Z",
                    "2024-05-03T21:20:00Z",
                    "BA285"
                ),
                leg(
                    2,
                    "ACTIVE",
                    "SFO",
                    &lax,
                    "2024-05-06T15:00:00Z",
                    "2024-05-06T16:35:00Z",
                    "UA1520"
                ),
                leg(
                    3,
                    "ACTIVE",
                    "LAX",
                    &las,
                    "2024-05-09T18:10:00Z",
                    "2024-05-09T19:25:00Z",
                    "WN2310"
                ),
            ])
        );

        assert_eq!(
            post_leg(&app, "booking-cancel-leg-2.json", "booking-cancel").await,
            id
        );
        let b = trip_context(&app, id).await;
        assert_eq!(b["status"], "CONFIRMED", "one leg cancelled, not the trip");
        assert_eq!(b["marketingAllowed"], true);
        assert_eq!(b["destinations"], json!([sfo, las]));
        assert_eq!(b["destination"], sfo);
        assert_eq!(b["tripStart"], "2024-05-03T10:00:00Z");
        assert_eq!(b["tripEnd"], "2024-05-09T19:25:00Z");
        assert_eq!(
            b["segments"],
            json!([
                leg(
                    1,
                    "ACTIVE",
                    "LHR",
                    &sfo,
                    "2024-05-03T10:00:00Z",
                    "2024-05-03T21:20:00Z",
                    "BA285"
                ),
                leg(
                    2,
                    "CANCELLED",
                    "SFO",
                    &lax,
                    "2024-05-06T15:00:00Z",
                    "2024-05-06T16:35:00Z",
                    "UA1520"
                ),
                leg(
                    3,
                    "ACTIVE",
                    "LAX",
                    &las,
                    "2024-05-09T18:10:00Z",
                    "2024-05-09T19:25:00Z",
                    "WN2310"
                ),
            ]),
            "cancelled segments stay listed, in sequence order"
        );
    }

    #[tokio::test]
    async fn a_landing_token_reads_the_trip_context_in_one_query() {
        let app = spawn_app().await;
        let (_, id) = applied(
            &app.post(
                "hahn-air/booking-create",
                &fixture("hahn_air/booking-create.json"),
                partners::hahn(),
            )
            .await,
        );
        let b = trip_context(&app, id).await;
        let lis = airport("LIS", "Lisbon", "PT");
        assert_eq!(b["id"], id.to_string());
        assert_eq!(b["status"], "CONFIRMED");
        assert_eq!(b["marketingAllowed"], true);
        assert_eq!(b["tripStart"], "2024-02-09T08:21:41Z");
        assert_eq!(b["tripEnd"], "2024-02-16T17:05:00Z");
        assert_eq!(b["destination"], lis);
        assert_eq!(b["destinations"], json!([lis]));
        assert_eq!(
            b["travellers"],
            json!({"adults": 2, "children": 1, "infants": 1, "total": 4})
        );
        assert_eq!(
            b["passengers"],
            json!([{"firstName": "Ana", "type": "ADULT", "lead": true}])
        );
        assert_eq!(b["customer"], json!({"firstName": "Ana"}));
        assert_eq!(
            b["segments"],
            json!([{
                "reference": "HA7Q2K9", "sequence": 1, "kind": "AIR", "status": "ACTIVE",
                "origin": {"code": "LHR"}, "destination": {"code": "LIS", "name": "Lisbon"},
                "departureAt": "2024-02-09T08:21:41Z", "arrivalAt": null, "flightNumber": "BA500"
            }])
        );

        let by_reference = app
            .graphql(
                "landing",
                &format!(
                    r#"{{ bookingByReference(partner: "hahn-air", reference: "HA7Q2K9") {{ ...TripContext }} }} {TRIP_CONTEXT}"#
                ),
                json!({}),
            )
            .await;
        assert_eq!(data(&by_reference)["bookingByReference"], b);
    }

    #[tokio::test]
    async fn contact_data_and_events_are_forbidden_to_a_landing_token_while_the_rest_comes_back() {
        let app = spawn_app().await;
        let (_, id) = applied(
            &app.post(
                "spotnana",
                &fixture("spotnana/pnr-booking-created.json"),
                partners::spotnana(),
            )
            .await,
        );
        let reply = app
            .graphql(
                "landing",
                r#"query($id: ID!) { booking(id: $id) {
                    id status tripStart
                    destination { code }
                    customer { firstName email phone }
                    passengers { firstName lastName email phone }
                    events { id payload }
                } }"#,
                json!({"id": id}),
            )
            .await;
        assert_eq!(reply.status, 200, "{:?}", reply.json);
        assert_eq!(
            forbidden_paths(&reply),
            [
                "booking.customer.email",
                "booking.customer.phone",
                "booking.events",
                "booking.passengers.0.email",
                "booking.passengers.0.lastName",
                "booking.passengers.0.phone",
                "booking.passengers.1.email",
                "booking.passengers.1.lastName",
                "booking.passengers.1.phone",
            ]
        );
        let b = &reply.json["data"]["booking"];
        assert_eq!(b["id"], id.to_string());
        assert_eq!(b["status"], "CONFIRMED");
        assert_eq!(b["tripStart"], "2025-07-14T05:50:00Z");
        assert_eq!(b["destination"], json!({"code": "SFO"}));
        assert_eq!(
            b["customer"],
            json!({"firstName": "Ana", "email": null, "phone": null})
        );
        assert_eq!(
            b["passengers"],
            json!([
                {"firstName": "Ana", "lastName": null, "email": null, "phone": null},
                {"firstName": "Tom", "lastName": null, "email": null, "phone": null}
            ])
        );
        assert_eq!(b["events"], Value::Null);

        let text = reply.json.to_string();
        for secret in ["ana.silva@acme.example", "+447700900123", "Silva"] {
            assert!(!text.contains(secret), "`{secret}` leaked: {text}");
        }
    }

    #[tokio::test]
    async fn the_bookings_and_events_lists_are_refused_to_a_landing_token() {
        let app = spawn_app().await;
        applied(
            &app.post(
                "hahn-air/booking-create",
                &fixture("hahn_air/booking-create.json"),
                partners::hahn(),
            )
            .await,
        );
        for query in [
            "{ bookings { totalCount edges { node { id reference } } } }",
            "{ events { totalCount edges { node { id payload } } } }",
        ] {
            let reply = app.graphql("landing", query, json!({})).await;
            assert_eq!(reply.status, 200, "{:?}", reply.json);
            let root = if query.contains("bookings") {
                "bookings"
            } else {
                "events"
            };
            assert_eq!(forbidden_paths(&reply), [root], "{query}");
            assert_eq!(
                reply.json["data"],
                Value::Null,
                "nothing of {root} comes back"
            );
            assert!(!reply.json.to_string().contains("HA7Q2K9"));
        }
    }
}

mod analysts {
    use super::*;

    #[tokio::test]
    async fn the_event_archive_of_a_partner_lists_its_deliveries_newest_first_with_the_rejected_one(
    ) {
        let app = spawn_app().await;
        let create = fixture("hahn_air/booking-create.json");
        let (create_event, booking) = applied(
            &app.post("hahn-air/booking-create", &create, partners::hahn())
                .await,
        );
        let invalid = fixture("hahn_air/booking-create-invalid.json");
        let rejection = app
            .post("hahn-air/booking-create", &invalid, partners::hahn())
            .await;
        assert_eq!(rejection.status, 422, "{:?}", rejection.json);
        let rejection = rejection.json;
        let cancel = fixture("hahn_air/booking-cancel.json");
        let (cancel_event, _) = applied(
            &app.post("hahn-air/booking-cancel", &cancel, partners::hahn())
                .await,
        );
        // Another partner's delivery, which the filter leaves out.
        applied(
            &app.post(
                "airgateway",
                &fixture("airgateway/order-created.json"),
                partners::agw(),
            )
            .await,
        );

        let reply = app
            .graphql(
                "analyst",
                r#"{ events(filter: {partner: "hahn-air"}) {
                    totalCount
                    pageInfo { hasNextPage }
                    edges { cursor node { id partner type status receivedAt occurredAt error payload bookingId detail } }
                } }"#,
                json!({}),
            )
            .await;
        let events = &data(&reply)["events"];
        assert_eq!(events["totalCount"], 3);
        assert_eq!(events["pageInfo"]["hasNextPage"], false);
        let nodes: Vec<&Value> = events["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|edge| {
                assert!(edge["cursor"].as_str().is_some_and(|c| !c.is_empty()));
                &edge["node"]
            })
            .collect();
        assert_eq!(nodes.len(), 3, "{nodes:?}");

        let (newest, rejected, oldest) = (nodes[0], nodes[1], nodes[2]);
        assert_eq!(newest["id"], cancel_event.to_string(), "newest first");
        assert_eq!(newest["type"], "booking-cancel");
        assert_eq!(newest["status"], "APPLIED");
        assert_eq!(newest["occurredAt"], "2024-01-25T18:30:00Z");
        assert_eq!(newest["error"], Value::Null);
        assert_eq!(newest["bookingId"], booking.to_string());
        assert_eq!(
            newest["payload"],
            serde_json::from_str::<Value>(&cancel).unwrap()
        );

        assert_eq!(rejected["partner"], "hahn-air");
        assert_eq!(rejected["type"], "booking-create");
        assert_eq!(rejected["status"], "REJECTED");
        assert_eq!(
            rejected["error"], rejection["error"]["message"],
            "the reason the partner was given"
        );
        let mut fields: Vec<&str> = rejected["detail"]["fields"]
            .as_array()
            .unwrap_or_else(|| panic!("the failing fields are kept: {rejected}"))
            .iter()
            .map(|f| f["field"].as_str().expect("a field path"))
            .collect();
        fields.sort_unstable();
        assert_eq!(
            fields,
            [
                "bagCount",
                "consumerTripPartnerExternalReference",
                "departureAirportCode",
                "departureFlightNumber",
                "destinationName",
                "email",
                "pax",
                "phoneNumber",
                "tripStart",
            ]
        );
        assert_eq!(rejected["bookingId"], Value::Null);
        assert_eq!(
            rejected["payload"],
            serde_json::from_str::<Value>(&invalid).unwrap(),
            "nothing a partner sent is lost"
        );

        assert_eq!(oldest["id"], create_event.to_string());
        assert_eq!(oldest["type"], "booking-create");
        assert_eq!(oldest["status"], "APPLIED");
        assert_eq!(oldest["occurredAt"], "2024-01-12T14:03:30Z");
        assert_eq!(oldest["error"], Value::Null);
        assert_eq!(
            oldest["payload"],
            serde_json::from_str::<Value>(&create).unwrap()
        );

        let received: Vec<DateTime<Utc>> =
            nodes.iter().map(|n| instant(&n["receivedAt"])).collect();
        assert!(
            received.windows(2).all(|w| w[0] >= w[1]),
            "newest first: {received:?}"
        );
        for node in &nodes {
            assert_eq!(node["partner"], "hahn-air");
        }
    }

    async fn references(app: &TestApp, filter: &str) -> (Value, Vec<String>) {
        let reply = app
            .graphql(
                "analyst",
                &format!(
                    "{{ bookings(filter: {filter}) {{ totalCount edges {{ node {{ partner reference status destination {{ code }} }} }} }} }}"
                ),
                json!({}),
            )
            .await;
        let bookings = data(&reply)["bookings"].clone();
        let refs = bookings["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| {
                e["node"]["reference"]
                    .as_str()
                    .expect("reference")
                    .to_owned()
            })
            .collect();
        (bookings, refs)
    }

    #[tokio::test]
    async fn bookings_are_found_by_status_and_by_destination() {
        let app = spawn_app().await;
        for (path, file) in [
            ("hahn-air/booking-create", "hahn_air/booking-create.json"),
            (
                "hahn-air/booking-create",
                "hahn_air/booking-create-minimal.json",
            ),
            (
                "hahn-air/booking-cancel",
                "hahn_air/booking-cancel-without-updated-at.json",
            ),
        ] {
            applied(&app.post(path, &fixture(file), partners::hahn()).await);
        }
        applied(
            &app.post(
                "airgateway",
                &fixture("airgateway/order-created.json"),
                partners::agw(),
            )
            .await,
        );

        let (cancelled, refs) = references(&app, "{status: CANCELLED}").await;
        assert_eq!(refs, ["HA5M1N0"], "only the cancelled booking");
        assert_eq!(cancelled["totalCount"], 1);
        let node = &cancelled["edges"][0]["node"];
        assert_eq!(node["partner"], "hahn-air");
        assert_eq!(node["status"], "CANCELLED");

        let (lisbon, refs) = references(&app, r#"{destination: "LIS"}"#).await;
        assert_eq!(refs, ["HA7Q2K9"], "only the Hahn Air booking to Lisbon");
        assert_eq!(lisbon["totalCount"], 1);
        let node = &lisbon["edges"][0]["node"];
        assert_eq!(node["partner"], "hahn-air");
        assert_eq!(node["status"], "CONFIRMED");
        assert_eq!(node["destination"], json!({"code": "LIS"}));

        let (all, refs) = references(&app, "{}").await;
        assert_eq!(all["totalCount"], 3);
        assert_eq!(refs, ["AGW-5F3K8M2Q", "HA5M1N0", "HA7Q2K9"], "newest first");
    }
}

mod access {
    use super::*;

    #[tokio::test]
    async fn a_query_without_a_token_is_refused_with_401() {
        let app = spawn_app().await;
        let response = app
            .client
            .post(format!("{}/graphql", app.api))
            .json(&json!({"query": "{ booking(id: \"00000000-0000-0000-0000-000000000000\") { id } }"}))
            .send()
            .await
            .expect("request");
        let reply = read(response).await;
        assert_eq!(reply.status, 401, "{:?}", reply.json);

        let forged = app
            .client
            .post(format!("{}/graphql", app.api))
            .bearer_auth("not.a.token")
            .json(&json!({"query": "{ booking(id: \"00000000-0000-0000-0000-000000000000\") { id } }"}))
            .send()
            .await
            .expect("request");
        assert_eq!(read(forged).await.status, 401);
    }

    #[tokio::test]
    async fn an_unknown_booking_is_null() {
        let app = spawn_app().await;
        applied(
            &app.post(
                "hahn-air/booking-create",
                &fixture("hahn_air/booking-create.json"),
                partners::hahn(),
            )
            .await,
        );
        for role in ["landing", "analyst"] {
            let reply = app
                .graphql(
                    role,
                    r#"query($id: ID!) {
                        booking(id: $id) { id }
                        notAnId: booking(id: "HA7Q2K9") { id }
                        bookingByReference(partner: "hahn-air", reference: "NOPE01") { id }
                        otherPartner: bookingByReference(partner: "airgateway", reference: "HA7Q2K9") { id }
                    }"#,
                    json!({"id": Uuid::new_v4()}),
                )
                .await;
            assert_eq!(
                data(&reply),
                &json!({"booking": null, "notAnId": null, "bookingByReference": null, "otherPartner": null}),
                "{role}"
            );
        }
    }
}
