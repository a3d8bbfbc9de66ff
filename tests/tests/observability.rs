//! What operators see: `/metrics` counters moving for every delivery outcome, a
//! request id on every request, and logs that never hold secrets or personal data.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::json;
use tests::{fixture, partners, spawn_app, Auth};

/// Every log line of this test binary, captured at debug level.
fn logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = Capture(buffer.clone());
        tracing_subscriber::fmt()
            .with_env_filter("debug")
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .try_init()
            .expect("the log capture is this binary's first subscriber");
        buffer
    })
    .clone()
}

#[derive(Clone)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The value of the first sample whose line contains every `needle`, 0 if none.
fn sample(metrics: &str, needles: &[&str]) -> f64 {
    metrics
        .lines()
        .filter(|l| !l.starts_with('#'))
        .find(|l| needles.iter().all(|n| l.contains(n)))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn metrics_count_every_delivery_outcome() {
    // Installed first in every test, so that the harness's optional TEST_LOG
    // subscriber never takes its place.
    logs();
    let app = spawn_app().await;
    let before = app.metrics().await;
    let create = fixture("hahn_air/booking-create.json");
    app.post("hahn-air/booking-create", &create, partners::hahn())
        .await; // applied
    app.post("hahn-air/booking-create", &create, partners::hahn())
        .await; // duplicate
    let older = json!({"bookingId": "HA7Q2K9", "updatedAt": "2020-01-01T00:00:00Z"}).to_string();
    app.post("hahn-air/booking-update", &older, partners::hahn())
        .await; // stale
    app.post("hahn-air/booking-create", "{}", partners::hahn())
        .await; // rejected
    app.post(
        "hahn-air/booking-create",
        &create,
        Auth::TokenHeader("wrong".into()),
    )
    .await; // unauthorized
    app.post(
        "traxo",
        &fixture("traxo/email_created.json"),
        partners::traxo(),
    )
    .await; // ignored
    app.oauth_token(partners::SPOTNANA_CLIENT, partners::SPOTNANA_SECRET)
        .await;
    let after = app.metrics().await;

    for (partner, outcome) in [
        ("hahn-air", "applied"),
        ("hahn-air", "duplicate"),
        ("hahn-air", "stale"),
        ("hahn-air", "rejected"),
        ("hahn-air", "unauthorized"),
        ("traxo", "ignored"),
    ] {
        let labels = [
            &*format!("partner=\"{partner}\""),
            &*format!("outcome=\"{outcome}\""),
            "tripgraph_deliveries_total",
        ];
        let moved = sample(&after, &labels) - sample(&before, &labels);
        assert!(moved >= 1.0, "{partner} {outcome} did not move:\n{after}");
    }
    assert!(
        sample(
            &after,
            &["tripgraph_tokens_issued_total", "partner=\"spotnana\""]
        ) >= 1.0
    );
    assert!(
        after.contains("tripgraph_http_request_duration_seconds_bucket"),
        "latency histogram present"
    );
    assert!(
        after.contains("tripgraph_db_pool_connections"),
        "pool gauge present"
    );
}

#[tokio::test]
async fn a_delivery_that_fails_is_archived_as_failed_answered_500_and_applied_when_retried() {
    // Installed first in every test, so that the harness's optional TEST_LOG
    // subscriber never takes its place.
    logs();
    use sea_orm::ConnectionTrait;
    let app = spawn_app().await;
    let before = app.metrics().await;
    // Take a table away so that applying fails inside the transaction.
    app.db
        .execute_unprepared("ALTER TABLE passenger RENAME TO passenger_away")
        .await
        .unwrap();
    let body = fixture("hahn_air/booking-create.json");
    let reply = app
        .post("hahn-air/booking-create", &body, partners::hahn())
        .await;
    assert_eq!(reply.status, 500, "{:?}", reply.json);
    assert_eq!(reply.json["error"]["code"], "internal");
    let events = app.events().await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].status, entity::EventStatus::Failed);
    assert!(
        app.booking("hahn-air", "HA7Q2K9").await.is_none(),
        "nothing half-applied"
    );
    let after = app.metrics().await;
    let labels = [
        "tripgraph_deliveries_total",
        "partner=\"hahn-air\"",
        "outcome=\"failed\"",
    ];
    assert!(sample(&after, &labels) - sample(&before, &labels) >= 1.0);

    app.db
        .execute_unprepared("ALTER TABLE passenger_away RENAME TO passenger")
        .await
        .unwrap();
    let retry = app
        .post("hahn-air/booking-create", &body, partners::hahn())
        .await;
    assert_eq!(
        retry.json["status"], "applied",
        "the partner's retry applies the failed delivery"
    );
    assert_eq!(
        retry.json["eventId"],
        events[0].id.to_string(),
        "the same archived event"
    );
    assert_eq!(app.events().await[0].status, entity::EventStatus::Applied);
}

#[tokio::test]
async fn every_response_carries_a_request_id_taken_from_the_caller_or_generated() {
    // Installed first in every test, so that the harness's optional TEST_LOG
    // subscriber never takes its place.
    logs();
    let app = spawn_app().await;
    let given = app
        .client
        .get(format!("{}/healthz", app.ingest))
        .header("x-request-id", "req-42")
        .send()
        .await
        .unwrap();
    assert_eq!(given.headers()["x-request-id"], "req-42");
    let generated = app
        .client
        .get(format!("{}/healthz", app.ingest))
        .send()
        .await
        .unwrap();
    let id = generated.headers()["x-request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
}

#[tokio::test]
async fn logs_never_hold_secrets_or_personal_data() {
    let logs = logs();
    let app = spawn_app().await;
    let body = fixture("hahn_air/booking-create.json");
    let url = format!("hahn-air/booking-create?token={}", partners::HAHN_TOKEN);
    let reply = app.post(&url, &body, Auth::None).await;
    assert_eq!(reply.json["status"], "applied");
    let invalid = json!({"bookingId": "PII1", "phoneNumber": "+4479460018", "email": "not-an-email ana.silva@example.com", "firstName": "Ana"}).to_string();
    app.post("hahn-air/booking-create", &invalid, partners::hahn())
        .await;
    app.post(
        "transfers",
        &fixture("ground_transfer/booking-new.json"),
        partners::transfers(),
    )
    .await;
    app.post(
        "airgateway",
        &fixture("airgateway/order-created.json"),
        Auth::Basic(partners::AGW_USER.into(), "wrong-password".into()),
    )
    .await;
    app.oauth_token(partners::SPOTNANA_CLIENT, partners::SPOTNANA_SECRET)
        .await;

    let text = String::from_utf8(logs.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("delivery processed"),
        "logs were captured:\n{text}"
    );
    for secret in [
        partners::HAHN_TOKEN,
        partners::SPOTNANA_SECRET,
        "wrong-password",
        "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "+441632960881",
        "441632960881",
        "+4479460018",
        "ana.silva@example.com",
        "Ana",
        "John",
        "Doe",
        "CUST-558120",
    ] {
        assert!(
            !text.contains(secret),
            "{secret:?} appears in the logs:\n{text}"
        );
    }
}

#[tokio::test]
async fn api_metrics_count_graphql_operations_by_name_and_outcome() {
    // Installed first in every test, so that the harness's optional TEST_LOG
    // subscriber never takes its place.
    logs();
    let app = spawn_app().await;
    let scrape_api = || async {
        app.client
            .get(format!("{}/metrics", app.api))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    let before = scrape_api().await;
    let ok = app
        .graphql("analyst", "query Partners { partners }", json!({}))
        .await;
    assert_eq!(ok.status, 200, "{:?}", ok.json);
    let forbidden = app
        .graphql(
            "landing",
            "query Listing { bookings { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        forbidden.json["errors"][0]["extensions"]["code"],
        "FORBIDDEN"
    );
    let after = scrape_api().await;
    for (operation, outcome) in [("Partners", "ok"), ("Listing", "forbidden")] {
        let labels = [
            "tripgraph_graphql_operations_total",
            &*format!("operation=\"{operation}\""),
            &*format!("outcome=\"{outcome}\""),
        ];
        assert!(
            sample(&after, &labels) - sample(&before, &labels) >= 1.0,
            "{operation} {outcome}:\n{after}"
        );
    }
    assert!(after.contains("tripgraph_graphql_operation_duration_seconds_bucket"));
    let traced = app
        .client
        .get(format!("{}/healthz", app.api))
        .header("x-request-id", "api-7")
        .send()
        .await
        .unwrap();
    assert_eq!(traced.headers()["x-request-id"], "api-7");
}
