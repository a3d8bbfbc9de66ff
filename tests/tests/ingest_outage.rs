//! While the database is unavailable the ingest answers 503 with `Retry-After` (the
//! partner retries later) and `/readyz` reports it; once it is back, deliveries apply.

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};
use tests::{fixture, partners, spawn_app, TestApp};

/// Takes the database away and returns a closure-like handle to bring it back.
enum Outage {
    /// PostgreSQL: connections refused and existing ones terminated.
    Postgres {
        admin: DatabaseConnection,
        name: String,
    },
    /// SQLite: another process holds the write lock past the busy timeout.
    Sqlite { holder: DatabaseConnection },
}

impl Outage {
    async fn begin(app: &TestApp) -> Self {
        if app.database_url.starts_with("postgres") {
            let admin_url = std::env::var("TEST_DATABASE_URL").unwrap();
            let admin = Database::connect(admin_url.as_str()).await.unwrap();
            let name = app
                .database_url
                .rsplit('/')
                .next()
                .unwrap()
                .split('?')
                .next()
                .unwrap()
                .to_owned();
            admin
                .execute_unprepared(&format!(
                    "ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false"
                ))
                .await
                .unwrap();
            admin
                .execute_unprepared(&format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"))
                .await
                .unwrap();
            Outage::Postgres { admin, name }
        } else {
            let mut options = ConnectOptions::new(app.database_url.clone());
            options.max_connections(1).min_connections(1);
            let holder = Database::connect(options).await.unwrap();
            holder.execute_unprepared("BEGIN EXCLUSIVE").await.unwrap();
            Outage::Sqlite { holder }
        }
    }

    async fn end(self) {
        match self {
            Outage::Postgres { admin, name } => {
                admin
                    .execute_unprepared(&format!(
                        "ALTER DATABASE {name} WITH ALLOW_CONNECTIONS true"
                    ))
                    .await
                    .unwrap();
            }
            Outage::Sqlite { holder } => {
                holder.execute_unprepared("COMMIT").await.unwrap();
            }
        }
    }
}

#[tokio::test]
async fn database_down_answers_503_with_retry_after_then_recovers() {
    let app = spawn_app().await;
    let body = fixture("hahn_air/booking-create.json");
    let outage = Outage::begin(&app).await;

    let reply = app
        .post("hahn-air/booking-create", &body, partners::hahn())
        .await;
    assert_eq!(reply.status, 503, "{:?}", reply.json);
    assert_eq!(reply.json["error"]["code"], "unavailable");
    assert!(reply.headers.contains_key("retry-after"));
    if matches!(outage, Outage::Postgres { .. }) {
        let ready = app
            .client
            .get(format!("{}/readyz", app.ingest))
            .send()
            .await
            .unwrap();
        assert_eq!(ready.status().as_u16(), 503);
    }

    outage.end().await;
    let reply = app
        .post("hahn-air/booking-create", &body, partners::hahn())
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.json);
    assert_eq!(
        reply.json["status"], "applied",
        "the retry applies: nothing was recorded during the outage"
    );
    let ready = app
        .client
        .get(format!("{}/readyz", app.ingest))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status().as_u16(), 200);
}
