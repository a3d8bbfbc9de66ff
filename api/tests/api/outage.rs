//! While the database is unavailable a GraphQL request is answered 503 with
//! `Retry-After` and the JSON error body, within a second; once it is back, queries
//! answer again.

use std::time::{Duration, Instant};

use api::auth::Role;
use sea_orm::{ConnectionTrait, Database};
use serde_json::{json, Value};

use crate::support::{spawn_app, TestApp};

const QUERY: &str = "{ booking(id: \"0190b0b0-0000-7000-8000-000000000000\") { id } }";

async fn post(app: &TestApp, role: Role) -> reqwest::Response {
    let token = app.token(role);
    app.post_graphql(Some(&token), &json!({ "query": QUERY }))
        .await
}

async fn assert_unavailable_within_a_second(app: &TestApp) {
    for role in [Role::Landing, Role::Analyst] {
        let started = Instant::now();
        let response = post(app, role).await;
        let elapsed = started.elapsed();
        assert_eq!(response.status(), 503);
        assert_eq!(response.headers()["retry-after"], "5");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unavailable", "{body}");
        assert!(body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("unavailable")));
        assert!(elapsed < Duration::from_secs(1), "took {elapsed:?}");
    }
}

/// PostgreSQL: the database refuses new connections and its sessions are terminated,
/// as in a failover or a restart.
#[tokio::test]
async fn postgres_down_answers_503_with_retry_after_within_a_second_then_recovers() {
    let app = spawn_app().await;
    let Some(name) = app.database.postgres_name.clone() else {
        return; // SQLite: see the test below.
    };
    let response = post(&app, Role::Analyst).await;
    assert_eq!(response.status(), 200, "a pooled connection exists");
    let admin = Database::connect(std::env::var("TEST_DATABASE_URL").unwrap().as_str())
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!(
            "ALTER DATABASE \"{name}\" WITH ALLOW_CONNECTIONS false"
        ))
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        ))
        .await
        .unwrap();

    assert_unavailable_within_a_second(&app).await;

    admin
        .execute_unprepared(&format!(
            "ALTER DATABASE \"{name}\" WITH ALLOW_CONNECTIONS true"
        ))
        .await
        .unwrap();
    // Connections the server closed meanwhile are found out one statement each.
    let mut status = 0;
    for _ in 0..20 {
        status = post(&app, Role::Analyst).await.status().as_u16();
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        status, 200,
        "queries answer again once the database is back"
    );
}

/// Any database: the pool is closed, so no statement gets a connection.
#[tokio::test]
async fn a_closed_pool_answers_503_with_retry_after_within_a_second() {
    let app = spawn_app().await;
    app.db.clone().close().await.unwrap();

    assert_unavailable_within_a_second(&app).await;

    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
}
