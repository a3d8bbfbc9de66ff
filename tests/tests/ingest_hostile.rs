//! Hostile and unlucky input, end to end (CONTRACT §3, §5 rev. 2): whatever a partner
//! sends within the body limit is answered with a clear 4xx or applied — never a 5xx —
//! and archived; a refusal never blocks the corrected resend.

use serde_json::{json, Value};
use tests::{fixture, partners, read, spawn_app, Auth, Reply, TestApp};

/// POSTs `body` with an explicit content type and extra headers.
async fn send(
    app: &TestApp,
    path: &str,
    content_type: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Reply {
    let mut request = app
        .client
        .post(format!("{}/webhooks/{path}", app.ingest))
        .header("content-type", content_type)
        .body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    read(request.send().await.expect("request")).await
}

fn failing_fields(reply: &Reply) -> Vec<String> {
    reply.json["error"]["fields"]
        .as_array()
        .map(|fields| {
            fields
                .iter()
                .map(|f| f["field"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// A string that no compression shortens: `n` hex digits of fresh UUIDs.
fn incompressible(n: usize) -> String {
    let mut s = String::new();
    while s.len() < n {
        s.push_str(&uuid::Uuid::new_v4().simple().to_string());
    }
    s.truncate(n);
    s
}

fn hahn_path(topic: &str) -> String {
    format!("hahn-air/{topic}?token={}", partners::HAHN_TOKEN)
}

#[tokio::test]
async fn a_resend_with_the_right_content_type_applies_after_a_415() {
    let app = spawn_app().await;
    let body = fixture("hahn_air/booking-create.json");
    let refused = send(&app, &hahn_path("booking-create"), "text/plain", &[], &body).await;
    assert_eq!(refused.status, 415, "{:?}", refused.json);
    let resent = send(
        &app,
        &hahn_path("booking-create"),
        "application/json",
        &[],
        &body,
    )
    .await;
    assert_eq!(resent.status, 200, "{:?}", resent.json);
    assert_eq!(
        resent.json["status"], "applied",
        "not a duplicate of the 415"
    );
    assert!(app.booking("hahn-air", "HA7Q2K9").await.is_some());
    let statuses: Vec<_> = app.events().await.iter().map(|e| e.status).collect();
    assert_eq!(
        statuses,
        [entity::EventStatus::Rejected, entity::EventStatus::Applied],
        "both deliveries are archived"
    );
    let again = send(
        &app,
        &hahn_path("booking-create"),
        "application/json",
        &[],
        &body,
    )
    .await;
    assert_eq!(again.json["status"], "duplicate", "of the applied one");
    assert_eq!(again.json["eventId"], resent.json["eventId"]);
}

#[tokio::test]
async fn a_corrected_resend_under_the_same_key_applies_after_a_422_or_404() {
    let app = spawn_app().await;
    let good = fixture("hahn_air/booking-create.json");
    let mut broken: Value = serde_json::from_str(&good).unwrap();
    broken["phoneNumber"] = json!("not a phone");
    let key = [("idempotency-key", "delivery-7")];
    let refused = send(
        &app,
        &hahn_path("booking-create"),
        "application/json",
        &key,
        &broken.to_string(),
    )
    .await;
    assert_eq!(refused.status, 422, "{:?}", refused.json);
    // The same bytes again are refused again (and archived again), not a duplicate.
    let refused_again = send(
        &app,
        &hahn_path("booking-create"),
        "application/json",
        &key,
        &broken.to_string(),
    )
    .await;
    assert_eq!(refused_again.status, 422, "{:?}", refused_again.json);
    let wrong_topic = send(
        &app,
        &hahn_path("booking-creat"),
        "application/json",
        &key,
        &good,
    )
    .await;
    assert_eq!(wrong_topic.status, 404, "{:?}", wrong_topic.json);
    let corrected = send(
        &app,
        &hahn_path("booking-create"),
        "application/json",
        &key,
        &good,
    )
    .await;
    assert_eq!(corrected.json["status"], "applied", "{:?}", corrected.json);
    let booking = app.booking("hahn-air", "HA7Q2K9").await.unwrap();
    assert_eq!(booking.customer_phone.as_deref(), Some("+441632960881"));
    assert_eq!(app.events().await.len(), 4);

    // Standard Webhooks: the same webhook-id after a refusal.
    let id = format!("msg_{}", uuid::Uuid::new_v4().simple());
    let hmac = || Auth::Hmac {
        secret: partners::TRANSFERS_SECRET.into(),
        id: id.clone(),
        skew_s: 0,
    };
    let new_booking = fixture("ground_transfer/booking-new.json");
    let mut invalid: Value = serde_json::from_str(&new_booking).unwrap();
    invalid["leadPassenger"]["phoneNumber"] = json!("12");
    let refused = app.post("transfers", &invalid.to_string(), hmac()).await;
    assert_eq!(refused.status, 422, "{:?}", refused.json);
    let corrected = app.post("transfers", &new_booking, hmac()).await;
    assert_eq!(corrected.status, 200, "{:?}", corrected.json);
    assert_eq!(corrected.json["status"], "applied");
}

#[tokio::test]
async fn a_nul_character_anywhere_is_a_422_naming_the_field_and_archived() {
    let app = spawn_app().await;
    let mut body: Value = serde_json::from_str(&fixture("hahn_air/booking-create.json")).unwrap();
    body["firstName"] = json!("An\u{0}a");
    body["extra"] = json!({"note": ["ok", "bad\u{0}"]});
    let text = body.to_string();
    assert!(text.contains("\\u0000"));
    let reply = app
        .post("hahn-air/booking-create", &text, partners::hahn())
        .await;
    assert_eq!(reply.status, 422, "{:?}", reply.json);
    let fields = failing_fields(&reply);
    assert!(fields.contains(&"firstName".to_owned()), "{fields:?}");
    assert!(fields.contains(&"extra.note.1".to_owned()), "{fields:?}");
    let events = app.events().await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].status, entity::EventStatus::Rejected);
    assert_eq!(events[0].raw_body, text.as_bytes(), "archived byte-exact");

    // In a key, in the URL topic and in a Traxo id: refused or stored, never a 5xx.
    let key_with_nul = json!({"\u{0}bookingId": "HA1"}).to_string();
    let reply = app
        .post("hahn-air/booking-create", &key_with_nul, partners::hahn())
        .await;
    assert_eq!(reply.status, 422, "{:?}", reply.json);
    let reply = app
        .post(
            "hahn-air/booking%00create",
            &fixture("hahn_air/booking-create.json"),
            partners::hahn(),
        )
        .await;
    assert_eq!(reply.status, 404, "{:?}", reply.json);
    let mut traxo: Value = serde_json::from_str(&fixture("traxo/trip_created.json")).unwrap();
    traxo["id"] = json!("33\u{0}33");
    let reply = app
        .post("traxo", &traxo.to_string(), partners::traxo())
        .await;
    assert_eq!(reply.status, 422, "{:?}", reply.json);
    assert_eq!(app.events().await.len(), 4, "every refusal is archived");
}

#[tokio::test]
async fn over_long_references_are_422_and_over_long_keys_are_hashed() {
    let app = spawn_app().await;
    let mut body: Value = serde_json::from_str(&fixture("hahn_air/booking-create.json")).unwrap();
    body["bookingId"] = json!(incompressible(3_000));
    let reply = app
        .post(
            "hahn-air/booking-create",
            &body.to_string(),
            partners::hahn(),
        )
        .await;
    assert_eq!(reply.status, 422, "{:?}", reply.json);
    assert_eq!(failing_fields(&reply), ["bookingId"]);
    // Under the text limit but over the reference limit.
    body["bookingId"] = json!(incompressible(400));
    let reply = app
        .post(
            "hahn-air/booking-create",
            &body.to_string(),
            partners::hahn(),
        )
        .await;
    assert_eq!(reply.status, 422, "{:?}", reply.json);
    assert!(
        failing_fields(&reply).contains(&"reference".to_owned()),
        "{:?}",
        reply.json
    );

    // Keys: applied once, then recognised exactly.
    let long_key = incompressible(4_000);
    let good = fixture("hahn_air/booking-create.json");
    let headers = [("idempotency-key", long_key.as_str())];
    let first = send(
        &app,
        &hahn_path("booking-create"),
        "application/json",
        &headers,
        &good,
    )
    .await;
    assert_eq!(first.json["status"], "applied", "{:?}", first.json);
    let again = send(
        &app,
        &hahn_path("booking-update"),
        "application/json",
        &headers,
        &json!({"bookingId": "HA7Q2K9", "bagCount": 9}).to_string(),
    )
    .await;
    assert_eq!(again.json["status"], "duplicate", "{:?}", again.json);
    let other_key = format!("{}x", &long_key[..3_999]);
    let other = send(
        &app,
        &hahn_path("booking-update"),
        "application/json",
        &[("idempotency-key", other_key.as_str())],
        &json!({"bookingId": "HA7Q2K9", "bagCount": 9}).to_string(),
    )
    .await;
    assert_eq!(
        other.json["status"], "applied",
        "another long key: {:?}",
        other.json
    );

    let long_id = Auth::Hmac {
        secret: partners::TRANSFERS_SECRET.into(),
        id: incompressible(4_000),
        skew_s: 0,
    };
    let reply = app
        .post(
            "transfers",
            &fixture("ground_transfer/booking-new.json"),
            long_id.clone(),
        )
        .await;
    assert_eq!(reply.json["status"], "applied", "{:?}", reply.json);
    let reply = app
        .post(
            "transfers",
            &fixture("ground_transfer/booking-new.json"),
            long_id,
        )
        .await;
    assert_eq!(reply.json["status"], "duplicate", "{:?}", reply.json);

    let mut traxo: Value = serde_json::from_str(&fixture("traxo/trip_created.json")).unwrap();
    traxo["id"] = json!(incompressible(3_000));
    let reply = app
        .post("traxo", &traxo.to_string(), partners::traxo())
        .await;
    assert!(
        reply.status == 200 || reply.status == 422,
        "an over-long Traxo id: {reply:?}"
    );
    let keys_fit = app
        .events()
        .await
        .iter()
        .all(|e| e.idempotency_key.len() <= ingest::process::MAX_KEY_BYTES.max(71));
    assert!(keys_fit, "every stored key is bounded");
}

#[tokio::test]
async fn a_webhook_timestamp_near_the_ends_of_i64_is_refused() {
    let app = spawn_app().await;
    let body = fixture("ground_transfer/booking-new.json");
    let now = chrono::Utc::now().timestamp();
    for ts in [
        now.wrapping_sub(i64::MIN),
        i64::MIN,
        i64::MAX,
        now.wrapping_add(i64::MAX),
    ] {
        let ts = ts.to_string();
        let id = "msg_overflow";
        let signature =
            tests::sign_standard_webhook(partners::TRANSFERS_SECRET, id, &ts, body.as_bytes());
        let reply = send(
            &app,
            "transfers",
            "application/json",
            &[
                ("webhook-id", id),
                ("webhook-timestamp", &ts),
                ("webhook-signature", &signature),
            ],
            &body,
        )
        .await;
        assert_eq!(reply.status, 401, "timestamp {ts}: {reply:?}");
    }
    assert!(app.events().await.is_empty(), "nothing recorded");
}

#[tokio::test]
async fn a_year_outside_0001_to_9999_is_refused() {
    let app = spawn_app().await;
    for (field, value) in [
        ("tripStart", "+10000-01-01T00:00:00Z"),
        ("tripStart", "10000-01-01T00:00:00Z"),
        ("updatedAt", "0001-01-01T00:30:00+01:00"),
        ("bookingDate", "9999-12-31T23:30:00-01:00"),
    ] {
        let mut body: Value =
            serde_json::from_str(&fixture("hahn_air/booking-create.json")).unwrap();
        body[field] = json!(value);
        let reply = app
            .post(
                "hahn-air/booking-create",
                &body.to_string(),
                partners::hahn(),
            )
            .await;
        assert_eq!(reply.status, 422, "{field} = {value}: {reply:?}");
        let fields = failing_fields(&reply);
        assert!(
            fields.iter().any(|f| f == field),
            "{field} = {value}: {fields:?}"
        );
    }
}

/// Every leaf of `value` as a JSON Pointer, depth first.
fn leaves(value: &Value, pointer: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                leaves(item, format!("{pointer}/{key}"), out);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                leaves(item, format!("{pointer}/{index}"), out);
            }
        }
        _ => out.push(pointer),
    }
}

/// Replacements for one field: other types, odd numbers, oversized and odd strings.
fn hostile_values() -> Vec<Value> {
    vec![
        json!(null),
        json!(true),
        json!([]),
        json!({"nested": {"deeper": [1, 2]}}),
        json!(-1),
        json!(1e308),
        json!(18_446_744_073_709_551_615u64),
        json!(""),
        json!("x".repeat(5_000)),
        json!("\u{0}"),
        json!("2024-13-45T25:61:61Z"),
        json!("+44 (0) 1632 960881 ext. 12"),
        json!("🛫 ' OR 1=1; --"),
    ]
}

/// One delivery of each adapter, and how to send it.
fn matrix_cases() -> Vec<(&'static str, &'static str, Auth)> {
    vec![
        (
            "hahn-air/booking-create",
            "hahn_air/booking-create.json",
            partners::hahn(),
        ),
        (
            "hahn-air/booking-update",
            "hahn_air/booking-update.json",
            partners::hahn(),
        ),
        (
            "airgateway",
            "airgateway/order-created.json",
            partners::agw(),
        ),
        (
            "spotnana",
            "spotnana/pnr-booking-created.json",
            partners::spotnana(),
        ),
        ("traxo", "traxo/trip_created.json", partners::traxo()),
        ("traxo", "traxo/air_segment_created.json", partners::traxo()),
        (
            "transfers",
            "ground_transfer/booking-new.json",
            partners::transfers(),
        ),
        (
            "transfers/44225562",
            "ground_transfer/booking-amendment.json",
            partners::transfers(),
        ),
    ]
}

/// Every field of every adapter's sample, replaced by every hostile value: a clear 4xx
/// naming fields, or applied — never a 5xx; and every delivery archived.
#[tokio::test]
async fn every_field_of_every_adapter_with_hostile_values_never_answers_5xx() {
    let app = spawn_app().await;
    let bearer = Auth::Bearer(
        app.oauth_token(partners::SPOTNANA_CLIENT, partners::SPOTNANA_SECRET)
            .await,
    );
    let mut archived = 0;
    for (path, file, auth) in matrix_cases() {
        let auth = match auth {
            Auth::OAuth(..) => bearer.clone(),
            other => other,
        };
        let sample: Value = serde_json::from_str(&fixture(file)).unwrap();
        let mut pointers = Vec::new();
        leaves(&sample, String::new(), &mut pointers);
        // Bounded: the first leaves of each sample (the top-level fields come first).
        pointers.truncate(40);
        for pointer in &pointers {
            for value in hostile_values() {
                let mut body = sample.clone();
                *body.pointer_mut(pointer).unwrap() = value.clone();
                let auth = match &auth {
                    Auth::Hmac { .. } => partners::transfers(),
                    other => other.clone(),
                };
                let reply = app.post(path, &body.to_string(), auth).await;
                // A repeat (the same body, or the same Traxo `id`) is not archived again.
                if reply.json["status"] != "duplicate" {
                    archived += 1;
                }
                assert!(reply.status < 500, "{file} {pointer} = {value}: {reply:?}");
                if reply.status == 422 {
                    let fields = failing_fields(&reply);
                    assert!(!fields.is_empty(), "{file} {pointer}: a 422 names fields");
                    assert!(
                        reply.json["error"]["fields"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .all(|f| !f["message"].as_str().unwrap_or_default().is_empty()),
                        "{file} {pointer}: every field says why"
                    );
                }
            }
        }
    }
    assert_eq!(
        app.events().await.len(),
        archived,
        "every delivery archived"
    );
}

#[tokio::test]
async fn bad_signatures_and_tokens_are_401_and_record_nothing() {
    let app = spawn_app().await;
    let body = fixture("ground_transfer/booking-new.json");
    let ts = chrono::Utc::now().timestamp().to_string();
    let good = tests::sign_standard_webhook(partners::TRANSFERS_SECRET, "m1", &ts, body.as_bytes());
    for signature in [
        "".to_owned(),
        "v1,".to_owned(),
        "v1,!!!not-base64".to_owned(),
        "v2,".to_owned() + &good[3..],
        format!("{good}x"),
        "v1,".to_owned() + &"A".repeat(10_000),
        " ".repeat(100) + "v1," + &"A".repeat(44),
    ] {
        let reply = send(
            &app,
            "transfers",
            "application/json",
            &[
                ("webhook-id", "m2"),
                ("webhook-timestamp", &ts),
                ("webhook-signature", &signature),
            ],
            &body,
        )
        .await;
        assert_eq!(reply.status, 401, "signature {signature:.40}: {reply:?}");
    }
    for timestamp in ["", "abc", "1e9", "99999999999999999999999", "-"] {
        let reply = send(
            &app,
            "transfers",
            "application/json",
            &[
                ("webhook-id", "m1"),
                ("webhook-timestamp", timestamp),
                ("webhook-signature", &good),
            ],
            &body,
        )
        .await;
        assert_eq!(reply.status, 401, "timestamp {timestamp:?}: {reply:?}");
    }
    let forged = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJzcG90bmFuYSJ9.";
    for token in [forged, "", "a.b.c", &"x".repeat(8_000)] {
        let reply = app
            .post("spotnana", "{}", Auth::Bearer(token.to_owned()))
            .await;
        assert_eq!(reply.status, 401, "bearer {token:.30}: {reply:?}");
    }
    for (user, password) in [("traxo", ""), ("", ""), ("traxo", "traxo-test-passwordx")] {
        let reply = app
            .post("traxo", "{}", Auth::Basic(user.into(), password.into()))
            .await;
        assert_eq!(reply.status, 401, "basic {user}: {reply:?}");
    }
    let reply = app
        .post(
            "hahn-air/booking-create",
            "{}",
            Auth::TokenHeader("hahn-test-tokenx".into()),
        )
        .await;
    assert_eq!(reply.status, 401);
    assert!(app.events().await.is_empty(), "a 401 records nothing");
}

#[tokio::test]
async fn a_refused_delivery_is_archived_under_the_event_type_it_names() {
    let app = spawn_app().await;
    let mut traxo: Value =
        serde_json::from_str(&fixture("traxo/air_segment_created.json")).unwrap();
    traxo["created"] = json!("not a time");
    let reply = app
        .post("traxo", &traxo.to_string(), partners::traxo())
        .await;
    assert_eq!(reply.status, 422, "{reply:?}");
    let mut spotnana: Value =
        serde_json::from_str(&fixture("spotnana/pnr-booking-created.json")).unwrap();
    spotnana["timestamp"] = json!(false);
    let reply = app
        .post("spotnana", &spotnana.to_string(), partners::spotnana())
        .await;
    assert_eq!(reply.status, 422, "{reply:?}");
    let reply = app
        .post(
            "hahn-air/booking-create",
            r#"{"bookingId": "HA1"}"#,
            partners::hahn(),
        )
        .await;
    assert_eq!(reply.status, 422, "{reply:?}");
    let types: Vec<_> = app
        .events()
        .await
        .into_iter()
        .map(|e| (e.status, e.event_type))
        .collect();
    assert_eq!(
        types,
        [
            (
                entity::EventStatus::Rejected,
                "air_segment.created".to_owned()
            ),
            (
                entity::EventStatus::Rejected,
                format!("PNR_V3/{}", spotnana["operation"].as_str().unwrap())
            ),
            (entity::EventStatus::Rejected, "booking-create".to_owned()),
        ]
    );
}
