//! The api on a read database (`API_DATABASE_URL`, CONTRACT §6 "scale-out"): queries
//! read there and nothing is written there — no migration either — while live updates
//! keep listening on, and re-reading from, the primary (`DATABASE_URL`).
//!
//! A streaming replica would need a second server; what the api sees of one is the
//! same as what these stand-ins give it. On PostgreSQL the read database is the same
//! database through a role whose transactions are read-only (as on a hot standby: any
//! write, `CREATE TABLE IF NOT EXISTS` included, is refused); cutting that role off
//! shows where queries go. On SQLite it is a snapshot copy of the file (`VACUUM INTO`),
//! opened read-only: a booking created after the snapshot is pushed live but not found
//! by queries.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseBackend};
use serde_json::{json, Value};
use tests::live::api::ApiProcess;
use tests::ws::WsClient;
use tests::{read, spawn_app, Auth, TestApp};
use uuid::Uuid;

tests::api_entry_point!();

const WITHIN: Duration = Duration::from_secs(2);

const TRIP: &str = "subscription Trip($id: ID!) { bookingChanged(id: $id) { id status segments { flightNumber } } }";
const BOOKING: &str =
    "query B($id: ID!) { booking(id: $id) { id status segments { flightNumber } } }";

fn reference() -> String {
    format!("RD{}", &Uuid::new_v4().simple().to_string()[..8]).to_uppercase()
}

fn create(reference: &str) -> Value {
    json!({
        "bookingId": reference, "tripStart": "2030-02-09T08:21:41Z", "tripEnd": "2030-02-16T17:05:00Z",
        "bookingDate": "2030-01-12T14:03:27Z", "departureAirportCode": "LHR", "destinationAirportCode": "LIS",
        "departureName": "London", "destinationName": "Lisbon", "departureCountry": "GB", "destinationCountry": "PT",
        "customerId": "CUST-1", "firstName": "Ana", "email": "ana@example.com", "phoneNumber": "+441632960881",
        "departureFlightNumber": "BA500", "updatedAt": "2030-01-12T14:03:30Z"
    })
}

fn update(reference: &str, flight: &str, at: &str) -> Value {
    json!({"bookingId": reference, "departureFlightNumber": flight, "updatedAt": at})
}

/// POSTs a Hahn Air delivery to the ingest and returns the booking id, asserting it applied.
async fn deliver(app: &TestApp, event: &str, body: &Value) -> Uuid {
    let reply = app
        .post(&format!("open-air/{event}"), &body.to_string(), Auth::None)
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.json);
    assert_eq!(reply.json["status"], "applied", "{:?}", reply.json);
    reply.json["bookingId"]
        .as_str()
        .and_then(|id| id.parse().ok())
        .expect("a booking id")
}

/// Delivers an update of the outbound flight number and asserts the subscriber is
/// pushed the booking with it.
async fn update_and_expect_push(
    app: &TestApp,
    ws: &mut WsClient,
    reference: &str,
    flight: &str,
    at: &str,
) {
    deliver(app, "booking-update", &update(reference, flight, at)).await;
    let pushed = ws.next_payload("trip", WITHIN).await;
    assert_eq!(
        pushed["data"]["bookingChanged"]["segments"][0]["flightNumber"], flight,
        "the push re-reads the primary: {pushed}"
    );
}

/// `booking(id)` through `api`: the HTTP status and the JSON answer.
async fn query_booking(app: &TestApp, api: &str, id: Uuid) -> (u16, Value) {
    let reply = read(
        app.client
            .post(format!("{api}/graphql"))
            .bearer_auth(app.token("landing"))
            .json(&json!({"query": BOOKING, "variables": {"id": id}}))
            .send()
            .await
            .expect("graphql request"),
    )
    .await;
    (reply.status, reply.json)
}

async fn subscribe(app: &TestApp, api: &str, id: Uuid) -> WsClient {
    let mut ws = WsClient::connect(api, &app.token("landing")).await;
    ws.subscribe("trip", TRIP, json!({"id": id})).await;
    // graphql-transport-ws does not acknowledge `subscribe`: give the api a moment.
    tokio::time::sleep(Duration::from_millis(300)).await;
    ws
}

/// The URL of the same server and database as `url`, as user `user`.
fn as_user(url: &str, user: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{user}@{host}")
}

async fn sql(app: &TestApp, statement: &str) {
    app.db
        .execute_unprepared(statement)
        .await
        .unwrap_or_else(|err| panic!("{statement}: {err}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_read_the_read_database_and_live_updates_follow_the_primary() {
    let app = spawn_app().await;
    let before = reference();
    let earlier = deliver(&app, "booking-create", &create(&before)).await;

    let postgres = app.db.get_database_backend() == DatabaseBackend::Postgres;
    let role = format!(
        "tripgraph_reader_{}",
        &Uuid::new_v4().simple().to_string()[..12]
    );
    let read_url = if postgres {
        sql(&app, &format!("CREATE ROLE {role} LOGIN")).await;
        sql(
            &app,
            &format!("ALTER ROLE {role} SET default_transaction_read_only = on"),
        )
        .await;
        sql(&app, &format!("GRANT USAGE ON SCHEMA public TO {role}")).await;
        sql(
            &app,
            &format!("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}"),
        )
        .await;
        as_user(&app.database_url, &role)
    } else {
        let file = app
            .database_url
            .trim_start_matches("sqlite://")
            .split('?')
            .next()
            .expect("a file")
            .to_owned();
        let snapshot = format!("{file}.snapshot");
        sql(&app, &format!("VACUUM INTO '{snapshot}'")).await;
        format!("sqlite://{snapshot}?mode=ro")
    };
    let api = ApiProcess::start_with(&app.database_url, &[("API_DATABASE_URL", &read_url)]).await;

    // Started although nothing may be written there: no migration was attempted.
    let (status, answer) = query_booking(&app, &api.url, earlier).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["data"]["booking"]["id"], json!(earlier), "{answer}");

    let after = reference();
    let id = deliver(&app, "booking-create", &create(&after)).await;
    let mut ws = subscribe(&app, &api.url, id).await;
    update_and_expect_push(&app, &mut ws, &after, "BA777", "2030-01-20T09:00:00Z").await;

    if postgres {
        let sessions = app
            .db
            .query_all_raw(sea_orm::Statement::from_string(
                DatabaseBackend::Postgres,
                format!("SELECT pid FROM pg_stat_activity WHERE usename = '{role}'"),
            ))
            .await
            .expect("sessions");
        assert!(
            !sessions.is_empty(),
            "the api holds connections as the reader"
        );
        // Cut the reader off: queries fail (503, the database they read is gone) while
        // the primary, and with it live updates, carries on.
        sql(&app, &format!("ALTER ROLE {role} NOLOGIN")).await;
        sql(
            &app,
            &format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'"
            ),
        )
        .await;
        let (status, answer) = query_booking(&app, &api.url, id).await;
        assert_eq!(status, 503, "queries read the read database: {answer}");
        update_and_expect_push(&app, &mut ws, &after, "BA778", "2030-01-21T09:00:00Z").await;
        drop(api);
        sql(&app, &format!("DROP OWNED BY {role}")).await;
        sql(&app, &format!("DROP ROLE {role}")).await;
    } else {
        // The snapshot predates the second booking: queries do not find it.
        let (status, answer) = query_booking(&app, &api.url, id).await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(
            answer["data"]["booking"],
            Value::Null,
            "queries read the snapshot: {answer}"
        );
    }
}
