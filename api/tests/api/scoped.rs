//! Booking-scoped landing tokens (CONTRACT §6 rev. 2): a landing token with a `booking`
//! claim reads that booking and nothing else. Every other booking, by any root field,
//! answers `null` with `FORBIDDEN`, whether it exists or not.

use std::{collections::BTreeSet, process::Command};

use api::auth::{Role, TokenKeys};
use common::Secret;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{error_codes, seed, spawn_app, SECRET};

const BY_ID: &str = "query ($id: ID!) { booking(id: $id) { id reference status } }";
const BY_REFERENCE: &str = "query ($partner: String!, $reference: String!) {
  bookingByReference(partner: $partner, reference: $reference) { id reference }
}";

#[tokio::test]
async fn a_scoped_token_reads_its_own_booking_by_id_and_by_reference() {
    let app = spawn_app().await;
    let own = seed::full_booking(&app.db, "own-1", seed::at(1)).await;
    let token = app.scoped_token(own.id);

    let body = app.query_with(&token, BY_ID, json!({"id": own.id})).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(body["data"]["booking"]["reference"], "own-1");

    let variables = json!({"partner": own.partner, "reference": "own-1"});
    let body = app.query_with(&token, BY_REFERENCE, variables).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(body["data"]["bookingByReference"]["id"], own.id.to_string());
}

/// One query per root field, each aimed at a booking other than the token's own.
fn attempts(other: &entity::booking::Model) -> Vec<(&'static str, String)> {
    vec![
        (
            "booking",
            format!(r#"{{ booking(id: "{}") {{ id reference }} }}"#, other.id),
        ),
        (
            "booking",
            r#"{ booking(id: "not-a-uuid") { id } }"#.to_owned(),
        ),
        (
            "booking",
            format!(r#"{{ booking(id: "{}") {{ id }} }}"#, Uuid::now_v7()),
        ),
        (
            "bookingByReference",
            format!(
                r#"{{ bookingByReference(partner: "{}", reference: "{}") {{ id reference }} }}"#,
                other.partner, other.reference
            ),
        ),
        (
            "bookingByReference",
            r#"{ bookingByReference(partner: "traxo", reference: "no-such") { id } }"#.to_owned(),
        ),
        (
            "bookings",
            "{ bookings { edges { node { id reference } } } }".to_owned(),
        ),
        ("events", "{ events { edges { node { id } } } }".to_owned()),
        ("partners", "{ partners }".to_owned()),
        (
            "bookingCountsByStatus",
            "{ bookingCountsByStatus { status count } }".to_owned(),
        ),
        (
            "bookingCountsByDestination",
            "{ bookingCountsByDestination { count } }".to_owned(),
        ),
    ]
}

#[tokio::test]
async fn a_scoped_token_is_refused_every_other_booking_by_every_root_field() {
    let app = spawn_app().await;
    let own = seed::full_booking(&app.db, "own-1", seed::at(1)).await;
    let other = seed::full_booking(&app.db, "other-2", seed::at(2)).await;
    let token = app.scoped_token(own.id);

    // Every root field is tried: a new one fails here until it is covered.
    let schema = app
        .query(
            Role::Analyst,
            "{ __schema { queryType { fields { name } } } }",
            json!({}),
        )
        .await;
    let fields: BTreeSet<String> = schema["data"]["__schema"]["queryType"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|field| field["name"].as_str().unwrap().to_owned())
        .collect();
    let attempts = attempts(&other);
    let tried: BTreeSet<String> = attempts.iter().map(|(f, _)| (*f).to_owned()).collect();
    assert_eq!(tried, fields, "every root field is tried");

    for (field, query) in &attempts {
        let body = app.query_with(&token, query, json!({})).await;
        assert_eq!(error_codes(&body), ["FORBIDDEN"], "{query}: {body}");
        let data = &body["data"];
        assert!(
            data.is_null() || data[field].is_null(),
            "{query}: nothing answered: {body}"
        );
        assert!(
            !body.to_string().contains("other-2"),
            "{query}: the other booking shows nowhere: {body}"
        );
    }

    // The own booking beside another in one request: only the other is refused.
    let both = format!(
        r#"{{ own: booking(id: "{}") {{ reference }} other: booking(id: "{}") {{ reference }} }}"#,
        own.id, other.id
    );
    let body = app.query_with(&token, &both, json!({})).await;
    assert_eq!(body["data"]["own"]["reference"], "own-1");
    assert!(body["data"]["other"].is_null());
    assert_eq!(error_codes(&body), ["FORBIDDEN"]);

    // An unscoped landing token still reads any booking.
    let body = app
        .query(Role::Landing, BY_ID, json!({"id": other.id}))
        .await;
    assert_eq!(body["data"]["booking"]["reference"], "other-2", "{body}");
}

#[tokio::test]
async fn an_analyst_token_with_a_booking_claim_is_refused_with_401() {
    let app = spawn_app().await;
    let claims = json!({
        "role": "analyst",
        "booking": Uuid::now_v7(),
        "exp": std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 600,
    });
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();
    let response = app
        .post_graphql(Some(&token), &json!({"query": "{ partners }"}))
        .await;
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("booking"), "{body}");
}

fn api_token(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_api"))
        .arg("token")
        .args(args)
        .env("API_JWT_SECRET", SECRET)
        .output()
        .expect("run api token")
}

#[test]
fn api_token_prints_a_booking_scoped_landing_token_and_refuses_a_scoped_analyst() {
    let booking = Uuid::now_v7();
    let id = booking.to_string();
    let output = api_token(&["--role", "landing", "--booking", &id, "--ttl", "30d"]);
    assert!(output.status.success(), "{output:?}");
    let token = String::from_utf8(output.stdout).unwrap();
    let principal = TokenKeys::new(&Secret::new(SECRET))
        .verify(token.trim())
        .unwrap();
    assert_eq!(
        (principal.role, principal.booking),
        (Role::Landing, Some(booking))
    );

    let output = api_token(&["--role", "analyst", "--booking", &id]);
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("--role landing"), "{message}");

    let output = api_token(&["--role", "landing", "--booking", "B-1234"]);
    assert!(!output.status.success(), "a booking id is a UUID");
}
