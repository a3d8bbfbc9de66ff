//! Live updates (CONTRACT §6 rev. 2): `subscription { bookingChanged(id) }` over
//! `graphql-transport-ws` at `/graphql/ws`. Every applied delivery reaches every
//! subscriber of its booking within a second of its 2xx, whichever ingest process
//! applied it; the field rules of queries apply per role; a connection without a valid
//! token never gets data; subscriptions are bounded per connection, per token subject
//! and in total, and subscription documents are bounded like queries.
//!
//! On SQLite, or on PostgreSQL when `TEST_DATABASE_URL` is set.

use std::time::Duration;

use serde_json::{json, Value};
use tests::live::{api::ApiProcess, ingest::IngestProcess};
use tests::ws::{Frame, WsClient};
use tests::{read, spawn_app, TestApp, JWT_SECRET};
use uuid::Uuid;

tests::ingest_entry_point!();
tests::api_entry_point!();

/// The push must arrive this soon after the delivery's 2xx (CONTRACT §6).
const WITHIN: Duration = Duration::from_secs(1);

/// Time for the api to set up a subscription it has been sent: graphql-transport-ws has
/// no acknowledgement of `subscribe`, so a change sent at once could precede it.
const SETTLE: Duration = Duration::from_millis(300);

const TRIP: &str = "subscription Trip($id: ID!) { bookingChanged(id: $id) {
  id reference status marketingAllowed tripStart
  destination { code name } customer { firstName } segments { flightNumber status }
} }";

/// A Hahn Air create for `reference`, as of `at`.
fn create(reference: &str, at: &str) -> Value {
    json!({
        "bookingId": reference, "tripStart": "2030-02-09T08:21:41Z", "tripEnd": "2030-02-16T17:05:00Z",
        "bookingDate": "2030-01-12T14:03:27Z", "departureAirportCode": "LHR", "destinationAirportCode": "LIS",
        "departureName": "London", "destinationName": "Lisbon", "departureCountry": "GB", "destinationCountry": "PT",
        "customerId": "CUST-1", "firstName": "Ana", "email": "ana@example.com", "phoneNumber": "+441632960881",
        "departureFlightNumber": "BA500", "updatedAt": at
    })
}

/// A Hahn Air update of the outbound flight number.
fn update(reference: &str, flight: &str, at: &str) -> Value {
    json!({"bookingId": reference, "departureFlightNumber": flight, "updatedAt": at})
}

fn cancel(reference: &str, at: &str) -> Value {
    json!({"bookingId": reference, "updatedAt": at})
}

fn reference() -> String {
    format!("LV{}", &Uuid::new_v4().simple().to_string()[..8]).to_uppercase()
}

/// POSTs a Hahn Air delivery (`booking-create`, `booking-update`, `booking-cancel`) to
/// the `open-air` partner of `ingest` and returns the booking id, asserting it applied.
async fn deliver(ingest: &str, event: &str, body: &Value) -> Uuid {
    let reply = read(
        reqwest::Client::new()
            .post(format!("{ingest}/webhooks/open-air/{event}"))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("delivery"),
    )
    .await;
    assert_eq!(reply.status, 200, "{:?}", reply.json);
    assert_eq!(reply.json["status"], "applied", "{:?}", reply.json);
    reply.json["bookingId"]
        .as_str()
        .and_then(|id| id.parse().ok())
        .expect("a booking id")
}

/// A token for the api with these claims besides `exp`.
fn token(claims: Value) -> String {
    let mut claims = claims;
    claims["exp"] = json!(chrono::Utc::now().timestamp() + 3600);
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .expect("sign")
}

fn landing() -> String {
    token(json!({"role": "landing", "sub": "web"}))
}

fn analyst() -> String {
    token(json!({"role": "analyst", "sub": "analyst"}))
}

/// A subscriber of `TRIP` for booking `id`, settled.
async fn subscriber(api: &str, token: &str, id: Uuid) -> WsClient {
    let mut client = WsClient::connect(api, token).await;
    client.subscribe("trip", TRIP, json!({"id": id})).await;
    tokio::time::sleep(SETTLE).await;
    client
}

fn pushed(payload: &Value) -> &Value {
    assert!(payload.get("errors").is_none(), "no errors: {payload}");
    &payload["data"]["bookingChanged"]
}

/// The first error's `extensions.code` of a payload.
fn code(payload: &Value) -> &str {
    payload["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("an error with a code: {payload}"))
}

async fn app() -> TestApp {
    spawn_app().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_update_and_cancel_are_each_pushed_within_a_second_of_their_2xx() {
    let app = app().await;
    let r = reference();
    // An update before its create creates the booking; the create, older, then fills it.
    let id = deliver(
        &app.ingest,
        "booking-update",
        &update(&r, "BA504", "2030-01-20T09:00:00Z"),
    )
    .await;
    let mut ws = subscriber(&app.api, &landing(), id).await;

    deliver(
        &app.ingest,
        "booking-create",
        &create(&r, "2030-01-12T14:03:30Z"),
    )
    .await;
    let created = ws.next_payload("trip", WITHIN).await;
    let booking = pushed(&created);
    assert_eq!(booking["id"], json!(id.to_string()));
    assert_eq!(
        booking["destination"],
        json!({"code": "LIS", "name": "Lisbon"})
    );
    assert_eq!(booking["customer"]["firstName"], "Ana");
    assert_eq!(
        booking["segments"][0]["flightNumber"], "BA504",
        "the newer update's flight stays"
    );

    deliver(
        &app.ingest,
        "booking-update",
        &update(&r, "BA600", "2030-01-21T09:00:00Z"),
    )
    .await;
    let updated = ws.next_payload("trip", WITHIN).await;
    assert_eq!(pushed(&updated)["segments"][0]["flightNumber"], "BA600");
    assert_eq!(pushed(&updated)["status"], "CONFIRMED");

    deliver(
        &app.ingest,
        "booking-cancel",
        &cancel(&r, "2030-01-25T18:30:00Z"),
    )
    .await;
    let cancelled = ws.next_payload("trip", WITHIN).await;
    assert_eq!(pushed(&cancelled)["status"], "CANCELLED");
    assert_eq!(pushed(&cancelled)["marketingAllowed"], false);

    // A stale delivery changes nothing and pushes nothing; nor does another booking's.
    let stale = read(
        reqwest::Client::new()
            .post(format!("{}/webhooks/open-air/booking-update", app.ingest))
            .header("content-type", "application/json")
            .body(update(&r, "BA1", "2030-01-01T00:00:00Z").to_string())
            .send()
            .await
            .expect("delivery"),
    )
    .await;
    assert_eq!(stale.json["status"], "stale", "{:?}", stale.json);
    deliver(
        &app.ingest,
        "booking-create",
        &create(&reference(), "2030-01-12T14:03:30Z"),
    )
    .await;
    assert_eq!(
        ws.next_frame(Duration::from_millis(600)).await,
        Frame::Silent
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_landing_subscriber_asking_for_contact_data_gets_forbidden_and_the_rest_of_the_trip() {
    let app = app().await;
    let r = reference();
    let id = deliver(
        &app.ingest,
        "booking-create",
        &create(&r, "2030-01-12T14:03:30Z"),
    )
    .await;
    let query = "subscription($id: ID!) { bookingChanged(id: $id) { status customer { firstName email phone } } }";
    let mut landing_ws = WsClient::connect(&app.api, &landing()).await;
    landing_ws.subscribe("1", query, json!({"id": id})).await;
    let mut analyst_ws = WsClient::connect(&app.api, &analyst()).await;
    analyst_ws.subscribe("1", query, json!({"id": id})).await;
    tokio::time::sleep(SETTLE).await;

    deliver(
        &app.ingest,
        "booking-cancel",
        &cancel(&r, "2030-01-25T18:30:00Z"),
    )
    .await;
    let refused = landing_ws.next_payload("1", WITHIN).await;
    assert_eq!(code(&refused), "FORBIDDEN", "{refused}");
    assert_eq!(
        refused["data"]["bookingChanged"],
        json!({"status": "CANCELLED", "customer": {"firstName": "Ana", "email": null, "phone": null}})
    );
    let full = analyst_ws.next_payload("1", WITHIN).await;
    assert_eq!(
        pushed(&full)["customer"],
        json!({"firstName": "Ana", "email": "ana@example.com", "phone": "+441632960881"})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_without_a_valid_token_is_closed_and_never_gets_data() {
    let app = app().await;
    let r = reference();
    let id = deliver(
        &app.ingest,
        "booking-create",
        &create(&r, "2030-01-12T14:03:30Z"),
    )
    .await;
    let forged = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &json!({"role": "analyst", "exp": chrono::Utc::now().timestamp() + 3600}),
        &jsonwebtoken::EncodingKey::from_secret(b"not-the-secret"),
    )
    .unwrap();
    let expired = {
        let claims = json!({"role": "landing", "exp": chrono::Utc::now().timestamp() - 10});
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(JWT_SECRET.as_bytes()),
        )
        .unwrap()
    };
    let payloads = [
        json!({"Authorization": format!("Bearer {forged}")}),
        json!({"Authorization": format!("Bearer {expired}")}),
        json!({"Authorization": "Basic YTpi"}),
        json!({}),
    ];
    let mut refused = Vec::new();
    for payload in payloads {
        let mut ws = WsClient::open(&app.api, payload.clone()).await;
        ws.subscribe("x", TRIP, json!({"id": id})).await;
        refused.push((payload, ws));
    }
    // Subscribing without any connection_init at all.
    let mut uninitialised = {
        use futures_util::SinkExt;
        let mut request =
            tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
                tests::ws::ws_url(&app.api),
            )
            .unwrap();
        request.headers_mut().insert(
            "sec-websocket-protocol",
            "graphql-transport-ws".parse().unwrap(),
        );
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        let subscribe = json!({"type": "subscribe", "id": "x", "payload": {"query": TRIP, "variables": {"id": id}}});
        socket
            .send(tokio_tungstenite::tungstenite::Message::text(
                subscribe.to_string(),
            ))
            .await
            .unwrap();
        socket
    };
    deliver(
        &app.ingest,
        "booking-cancel",
        &cancel(&r, "2030-01-25T18:30:00Z"),
    )
    .await;
    for (payload, mut ws) in refused {
        match ws.next_frame(WITHIN).await {
            Frame::Closed(code, reason) => {
                assert_eq!(code, Some(1002), "{payload}: {reason}");
                assert!(reason.contains("token"), "{payload}: says why: {reason}");
            }
            other => panic!("{payload}: expected the connection closed, got {other:?}"),
        }
    }
    use futures_util::StreamExt;
    match tokio::time::timeout(WITHIN, uninitialised.next()).await {
        Ok(Some(Ok(tokio_tungstenite::tungstenite::Message::Close(frame)))) => {
            assert_eq!(frame.map(|f| u16::from(f.code)), Some(1011));
        }
        other => panic!("expected a close without connection_init, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_concurrent_subscribers_all_receive_every_change() {
    let app = app().await;
    let r = reference();
    let id = deliver(
        &app.ingest,
        "booking-create",
        &create(&r, "2030-01-12T14:03:30Z"),
    )
    .await;
    let mut subscribers = Vec::new();
    for i in 0..20 {
        let token = token(
            json!({"role": if i % 2 == 0 { "landing" } else { "analyst" }, "sub": format!("s{i}")}),
        );
        let mut ws = WsClient::connect(&app.api, &token).await;
        ws.subscribe("trip", TRIP, json!({"id": id})).await;
        subscribers.push(ws);
    }
    tokio::time::sleep(SETTLE).await;
    let changes = [
        (
            "booking-update",
            update(&r, "BA601", "2030-01-20T09:00:00Z"),
            "BA601",
        ),
        (
            "booking-update",
            update(&r, "BA602", "2030-01-21T09:00:00Z"),
            "BA602",
        ),
        (
            "booking-cancel",
            cancel(&r, "2030-01-25T18:30:00Z"),
            "BA602",
        ),
    ];
    for (event, body, flight) in changes {
        deliver(&app.ingest, event, &body).await;
        let reads = subscribers
            .iter_mut()
            .map(|ws| ws.next_payload("trip", WITHIN));
        for payload in futures_util::future::join_all(reads).await {
            assert_eq!(pushed(&payload)["segments"][0]["flightNumber"], flight);
        }
    }
    let last: Vec<_> = subscribers
        .iter_mut()
        .map(|ws| ws.next_frame(Duration::from_millis(200)))
        .collect();
    for frame in futures_util::future::join_all(last).await {
        assert_eq!(frame, Frame::Silent, "one push per change");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_that_falls_behind_skips_to_the_latest_state() {
    let app = app().await;
    let r = reference();
    let id = deliver(
        &app.ingest,
        "booking-create",
        &create(&r, "2030-01-12T14:03:30Z"),
    )
    .await;
    let mut slow = subscriber(&app.api, &landing(), id).await;
    let mut prompt = subscriber(&app.api, &landing(), id).await;
    for n in 1..=8 {
        let flight = format!("BA7{n:02}");
        deliver(
            &app.ingest,
            "booking-update",
            &update(&r, &flight, &format!("2030-01-20T09:00:{n:02}Z")),
        )
        .await;
        let payload = prompt.next_payload("trip", WITHIN).await;
        assert_eq!(
            pushed(&payload)["segments"][0]["flightNumber"],
            json!(flight)
        );
    }
    // `slow` read nothing meanwhile: it gets at most every change, the last one last.
    let mut seen = Vec::new();
    while let Frame::Json(message) = slow.next_frame(Duration::from_millis(500)).await {
        seen.push(
            message["payload"]["data"]["bookingChanged"]["segments"][0]["flightNumber"].clone(),
        );
    }
    assert!(!seen.is_empty() && seen.len() <= 8, "{seen:?}");
    assert_eq!(seen.last(), Some(&json!("BA708")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_scoped_token_may_subscribe_to_its_own_booking_only() {
    let app = app().await;
    let (mine, theirs) = (reference(), reference());
    let own = deliver(
        &app.ingest,
        "booking-create",
        &create(&mine, "2030-01-12T14:03:30Z"),
    )
    .await;
    let other = deliver(
        &app.ingest,
        "booking-create",
        &create(&theirs, "2030-01-12T14:03:30Z"),
    )
    .await;
    let scoped = token(json!({"role": "landing", "sub": "visitor", "booking": own}));
    let mut ws = WsClient::connect(&app.api, &scoped).await;
    ws.subscribe("other", TRIP, json!({"id": other})).await;
    let refused = ws.refused("other", WITHIN).await;
    assert_eq!(code(&refused), "FORBIDDEN", "{refused}");
    assert_eq!(refused["data"], Value::Null);
    ws.subscribe("own", TRIP, json!({"id": own})).await;
    tokio::time::sleep(SETTLE).await;
    deliver(
        &app.ingest,
        "booking-cancel",
        &cancel(&mine, "2030-01-25T18:30:00Z"),
    )
    .await;
    let payload = ws.next_payload("own", WITHIN).await;
    assert_eq!(pushed(&payload)["status"], "CANCELLED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriptions_are_bounded_per_connection_per_subject_and_in_total() {
    let app = app().await;
    let id = deliver(
        &app.ingest,
        "booking-create",
        &create(&reference(), "2030-01-12T14:03:30Z"),
    )
    .await;
    let limits = api::live::limits::Limits {
        per_connection: 2,
        per_subject: 3,
        total: 4,
        connections: 100,
    };
    let options = api::HttpOptions {
        live: limits,
        ..api::HttpOptions::default()
    };
    let state =
        api::AppState::new(app.db.clone(), &common::Secret::new(JWT_SECRET)).with_options(options);
    let api = format!("http://{}", tests::serve(api::router(state)).await);

    let refusal = |payload: &Value, setting: &str| {
        assert_eq!(code(payload), "TOO_MANY_SUBSCRIPTIONS", "{payload}");
        let message = payload["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(setting), "names its setting: {message}");
    };
    let web = token(json!({"role": "landing", "sub": "web"}));
    let mut first = WsClient::connect(&api, &web).await;
    first.subscribe("a", TRIP, json!({"id": id})).await;
    first.subscribe("b", TRIP, json!({"id": id})).await;
    tokio::time::sleep(SETTLE).await;
    first.subscribe("c", TRIP, json!({"id": id})).await;
    refusal(
        &first.refused("c", WITHIN).await,
        "API_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION",
    );

    let mut second = WsClient::connect(&api, &web).await;
    second.subscribe("a", TRIP, json!({"id": id})).await;
    tokio::time::sleep(SETTLE).await;
    second.subscribe("b", TRIP, json!({"id": id})).await;
    refusal(
        &second.refused("b", WITHIN).await,
        "API_WS_MAX_SUBSCRIPTIONS_PER_SUBJECT",
    );

    let mut third = WsClient::connect(&api, &analyst()).await;
    third.subscribe("a", TRIP, json!({"id": id})).await;
    tokio::time::sleep(SETTLE).await;
    third.subscribe("b", TRIP, json!({"id": id})).await;
    refusal(
        &third.refused("b", WITHIN).await,
        "API_WS_MAX_SUBSCRIPTIONS",
    );

    // A completed subscription frees its places.
    first.complete("a").await;
    tokio::time::sleep(SETTLE).await;
    third.subscribe("c", TRIP, json!({"id": id})).await;
    assert_eq!(
        third.next_frame(Duration::from_millis(500)).await,
        Frame::Silent,
        "admitted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscription_documents_are_bounded_like_queries_and_ids_are_checked() {
    let app = app().await;
    let mut ws = WsClient::connect(&app.api, &analyst()).await;
    let aliases: String = (0..60)
        .map(|i| format!("a{i}: bookingChanged(id: $id) {{ id }} "))
        .collect();
    ws.subscribe(
        "aliases",
        &format!("subscription($id: ID!) {{ {aliases} }}"),
        json!({"id": Uuid::now_v7()}),
    )
    .await;
    assert_eq!(
        code(&ws.refused("aliases", WITHIN).await),
        "QUERY_TOO_MANY_ALIASES"
    );
    let long = "subscription { bookingChanged(id: \"x\") { id } } ".to_owned()
        + &"# x\n".repeat(10)
        + &" __typename".repeat(6_000);
    ws.subscribe("tokens", &long, json!({})).await;
    assert_eq!(
        code(&ws.refused("tokens", WITHIN).await),
        "QUERY_TOO_MANY_TOKENS"
    );
    ws.subscribe("id", TRIP, json!({"id": "not-a-booking-id"}))
        .await;
    assert_eq!(code(&ws.refused("id", WITHIN).await), "BAD_USER_INPUT");
}

/// Two ingest processes and the api, three processes on one database: a change applied
/// by either ingest reaches the api's subscribers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_applied_by_two_ingest_processes_both_reach_a_separate_api_process() {
    let database_url = tests::fresh_database_url().await;
    let a = IngestProcess::start("live-a", &database_url).await;
    let b = IngestProcess::start("live-b", &database_url).await;
    let api = ApiProcess::start(&database_url).await;
    let r = reference();
    let id = deliver(
        &a.url,
        "booking-create",
        &create(&r, "2030-01-12T14:03:30Z"),
    )
    .await;
    let mut ws = subscriber(&api.url, &landing(), id).await;

    deliver(
        &b.url,
        "booking-update",
        &update(&r, "BA801", "2030-01-20T09:00:00Z"),
    )
    .await;
    assert_eq!(
        pushed(&ws.next_payload("trip", WITHIN).await)["segments"][0]["flightNumber"],
        "BA801"
    );
    deliver(
        &a.url,
        "booking-update",
        &update(&r, "BA802", "2030-01-21T09:00:00Z"),
    )
    .await;
    assert_eq!(
        pushed(&ws.next_payload("trip", WITHIN).await)["segments"][0]["flightNumber"],
        "BA802"
    );
    deliver(
        &b.url,
        "booking-cancel",
        &cancel(&r, "2030-01-25T18:30:00Z"),
    )
    .await;
    let cancelled = ws.next_payload("trip", WITHIN).await;
    assert_eq!(pushed(&cancelled)["status"], "CANCELLED");
    assert_eq!(pushed(&cancelled)["marketingAllowed"], false);
}

/// PostgreSQL only: the api's `LISTEN` connection is killed (a failover, an idle
/// reaper); it reconnects, and a change committed while it was gone still arrives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgresql_a_dropped_listen_connection_reconnects_and_misses_no_change() {
    use sea_orm::ConnectionTrait;
    let app = app().await;
    if app.db.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
        println!("skipped: PostgreSQL only (set TEST_DATABASE_URL)");
        return;
    }
    let r = reference();
    let id = deliver(
        &app.ingest,
        "booking-create",
        &create(&r, "2030-01-12T14:03:30Z"),
    )
    .await;
    let mut ws = subscriber(&app.api, &landing(), id).await;
    let killed = app
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()",
        ))
        .await
        .expect("terminate the LISTEN connection");
    assert_eq!(killed.len(), 1, "one LISTEN connection");
    deliver(
        &app.ingest,
        "booking-update",
        &update(&r, "BA901", "2030-01-20T09:00:00Z"),
    )
    .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let payload = ws.next_payload("trip", left).await;
        if pushed(&payload)["segments"][0]["flightNumber"] == "BA901" {
            break;
        }
    }
    deliver(
        &app.ingest,
        "booking-cancel",
        &cancel(&r, "2030-01-25T18:30:00Z"),
    )
    .await;
    assert_eq!(
        pushed(&ws.next_payload("trip", WITHIN).await)["status"],
        "CANCELLED"
    );
}
