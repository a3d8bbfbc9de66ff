//! End-to-end test harness: [`spawn_app`] starts the real ingest (and api) routers on
//! ephemeral ports against a fresh database — a temporary SQLite file, or a fresh
//! PostgreSQL database when `TEST_DATABASE_URL` is set.

pub mod corpus;
pub mod counts;
pub mod expected;
pub mod hahn_air;
pub mod live;
pub mod partners;
pub mod ws;

use std::net::SocketAddr;

use base64::Engine;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::Value;
use uuid::Uuid;

/// Secrets the test registry and the api use.
pub const TOKEN_SECRET: &str = "test-ingest-token-secret";
pub const JWT_SECRET: &str = "test-api-jwt-secret";

/// A running product over a fresh database.
pub struct TestApp {
    /// Base URL of the ingest, e.g. `http://127.0.0.1:40123`.
    pub ingest: String,
    /// Base URL of the api over the same database.
    pub api: String,
    pub db: DatabaseConnection,
    pub database_url: String,
    pub client: reqwest::Client,
    /// The ingest's state, e.g. to put a new registry in force ([`TestApp::reload`]).
    pub ingest_state: ingest::http::AppState,
}

/// A fresh, migrated database URL: SQLite in a temp folder, or a new PostgreSQL
/// database on the server named by `TEST_DATABASE_URL`.
pub async fn fresh_database_url() -> String {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin_url) if admin_url.starts_with("postgres") => {
            let name = format!("tripgraph_test_{}", Uuid::new_v4().simple());
            let admin = Database::connect(admin_url.as_str())
                .await
                .expect("TEST_DATABASE_URL must be reachable");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create test database");
            admin.close().await.ok();
            replace_database(&admin_url, &name)
        }
        _ => {
            let dir = std::env::temp_dir().join("tripgraph-tests");
            std::fs::create_dir_all(&dir).expect("temp dir");
            format!(
                "sqlite://{}?mode=rwc",
                dir.join(format!("{}.db", Uuid::new_v4())).display()
            )
        }
    }
}

fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let base = match base.rfind('/') {
        Some(slash) if slash > "postgres://".len() => &base[..slash],
        _ => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// Starts the ingest with the test registry ([`partners::REGISTRY`]).
pub async fn spawn_app() -> TestApp {
    spawn_app_with(ingest::http::DEFAULT_BODY_LIMIT).await
}

/// As [`spawn_app`], with another body limit.
pub async fn spawn_app_with(body_limit: usize) -> TestApp {
    spawn_app_with_registry(partners::REGISTRY, TOKEN_SECRET, body_limit).await
}

/// As [`spawn_app`], with another registry (literal secrets, or `env:VAR` from the
/// test's environment) and `INGEST_TOKEN_SECRET` (a comma-separated list).
pub async fn spawn_app_with_registry(
    registry: &str,
    token_secret: &str,
    body_limit: usize,
) -> TestApp {
    if std::env::var_os("TEST_LOG").is_some() {
        // Opt-in: the product's log lines in the failing test's output.
        let _ = tracing_subscriber::fmt()
            .with_env_filter("info")
            .with_test_writer()
            .try_init();
    }
    let database_url = fresh_database_url().await;
    let db = common::db::connect(&database_url, 10)
        .await
        .expect("connect and migrate");
    let registry = ingest::registry::Registry::parse(registry, &|var| std::env::var(var).ok())
        .expect("test registry");
    let secret = common::Secret::new(token_secret);
    // The ingest gets its own pool, sized as `ingest serve` sizes it (one connection on
    // SQLite); the api and the tests' own queries share `db`.
    let ingest_db = common::db::connect(&database_url, ingest::pool_size(&database_url, 10))
        .await
        .expect("connect the ingest");
    let state = ingest::state(ingest_db, registry, Some(&secret), body_limit).expect("state");
    let ingest = serve(ingest::http::router(state.clone())).await;
    let api_state = api::AppState::new(db.clone(), &common::Secret::new(JWT_SECRET));
    let api = serve(api::router(api_state)).await;
    TestApp {
        ingest: format!("http://{ingest}"),
        api: format!("http://{api}"),
        db,
        database_url,
        client: reqwest::Client::new(),
        ingest_state: state,
    }
}

/// Serves a router on 127.0.0.1:0 in the background, as the binaries do (the connection
/// limits of `common::serve`, default options); returns its address.
pub async fn serve(router: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(common::serve::run(
        listener,
        router,
        common::serve::Options::default(),
        std::future::pending(),
    ));
    addr
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub json: Value,
}

impl TestApp {
    /// Puts `registry` in force the way `SIGHUP` does (`ingest::reload`), from a file.
    ///
    /// # Errors
    /// The reload's error when the registry is invalid (the running one then stays).
    pub fn reload(&self, registry: &str, token_secret: &str) -> anyhow::Result<()> {
        let path = std::env::temp_dir().join(format!("tripgraph-registry-{}.toml", Uuid::new_v4()));
        std::fs::write(&path, registry).expect("write the registry");
        let result = ingest::reload(
            &self.ingest_state,
            &path,
            Some(&common::Secret::new(token_secret)),
        );
        std::fs::remove_file(&path).ok();
        result
    }

    /// POSTs `body` to `/webhooks/{path}` with the partner's credentials added by `auth`.
    pub async fn post(&self, path: &str, body: &str, auth: Auth) -> Reply {
        let request = self
            .client
            .post(format!("{}/webhooks/{path}", self.ingest))
            .header("content-type", "application/json")
            .body(body.to_owned());
        let request = auth.apply(request, body, self).await;
        read(request.send().await.expect("request")).await
    }

    /// A bearer token for an `oauth2` partner from the real token endpoint.
    pub async fn oauth_token(&self, client_id: &str, client_secret: &str) -> String {
        let reply = read(
            self.client
                .post(format!("{}/oauth/token", self.ingest))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!("grant_type=client_credentials&client_id={client_id}&client_secret={client_secret}"))
                .send()
                .await
                .expect("token request"),
        )
        .await;
        assert_eq!(reply.status, 200, "token endpoint: {:?}", reply.json);
        reply.json["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned()
    }

    /// A token for the api, signed with [`JWT_SECRET`], valid for an hour.
    pub fn token(&self, role: &str) -> String {
        let claims = serde_json::json!({"role": role, "sub": "tests", "exp": chrono::Utc::now().timestamp() + 3600});
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(JWT_SECRET.as_bytes()),
        )
        .expect("sign")
    }

    /// POSTs a GraphQL query to the api as `role` (`landing` or `analyst`).
    pub async fn graphql(&self, role: &str, query: &str, variables: Value) -> Reply {
        let response = self
            .client
            .post(format!("{}/graphql", self.api))
            .bearer_auth(self.token(role))
            .json(&serde_json::json!({"query": query, "variables": variables}))
            .send()
            .await
            .expect("graphql request");
        read(response).await
    }

    /// One row of a query as JSON-ish values, for assertions on the database itself.
    pub async fn booking(&self, partner: &str, reference: &str) -> Option<entity::booking::Model> {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        entity::booking::Entity::find()
            .filter(entity::booking::Column::Partner.eq(partner))
            .filter(entity::booking::Column::Reference.eq(reference))
            .one(&self.db)
            .await
            .expect("query booking")
    }

    pub async fn segments(&self, booking_id: Uuid) -> Vec<entity::segment::Model> {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
        entity::segment::Entity::find()
            .filter(entity::segment::Column::BookingId.eq(booking_id))
            .order_by_asc(entity::segment::Column::Sequence)
            .all(&self.db)
            .await
            .expect("query segments")
    }

    pub async fn passengers(&self, booking_id: Uuid) -> Vec<entity::passenger::Model> {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
        entity::passenger::Entity::find()
            .filter(entity::passenger::Column::BookingId.eq(booking_id))
            .order_by_asc(entity::passenger::Column::Reference)
            .all(&self.db)
            .await
            .expect("query passengers")
    }

    /// The ingest's `/metrics` page.
    pub async fn metrics(&self) -> String {
        self.client
            .get(format!("{}/metrics", self.ingest))
            .send()
            .await
            .expect("GET /metrics")
            .text()
            .await
            .expect("the metrics page")
    }

    pub async fn events(&self) -> Vec<entity::event::Model> {
        use sea_orm::{EntityTrait, QueryOrder};
        entity::event::Entity::find()
            .order_by_asc(entity::event::Column::ReceivedAt)
            .all(&self.db)
            .await
            .expect("query events")
    }
}

/// How a test authenticates a delivery.
#[derive(Debug, Clone)]
pub enum Auth {
    None,
    TokenHeader(String),
    TokenQuery(String),
    Basic(String, String),
    Bearer(String),
    /// Fetch a fresh token for this client id/secret first.
    OAuth(String, String),
    /// Standard Webhooks signature with this `whsec_` secret, message id, and clock skew.
    Hmac {
        secret: String,
        id: String,
        skew_s: i64,
    },
    Header(String, String),
}

impl Auth {
    async fn apply(
        self,
        request: reqwest::RequestBuilder,
        body: &str,
        app: &TestApp,
    ) -> reqwest::RequestBuilder {
        match self {
            Auth::None => request,
            Auth::TokenHeader(token) => request.header("x-webhook-token", token),
            Auth::TokenQuery(token) => request.query(&[("token", token)]),
            Auth::Basic(user, pass) => request.basic_auth(user, Some(pass)),
            Auth::Bearer(token) => request.bearer_auth(token),
            Auth::OAuth(id, secret) => request.bearer_auth(app.oauth_token(&id, &secret).await),
            Auth::Hmac { secret, id, skew_s } => {
                let ts = (chrono::Utc::now().timestamp() + skew_s).to_string();
                let signature = sign_standard_webhook(&secret, &id, &ts, body.as_bytes());
                request
                    .header("webhook-id", id)
                    .header("webhook-timestamp", ts)
                    .header("webhook-signature", signature)
            }
            Auth::Header(name, value) => request.header(name, value),
        }
    }
}

/// `v1,<base64 HMAC-SHA256("{id}.{ts}.{body}")>` with the key inside `whsec_…`.
pub fn sign_standard_webhook(secret: &str, id: &str, ts: &str, body: &[u8]) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.trim_start_matches("whsec_"))
        .expect("whsec secret");
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).expect("key");
    mac.update(format!("{id}.{ts}.").as_bytes());
    mac.update(body);
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    )
}

/// Reads a response: status, headers, and the body as JSON (`Null` when empty,
/// a JSON string when not JSON).
pub async fn read(response: reqwest::Response) -> Reply {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap_or_default();
    let json = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    Reply {
        status,
        headers,
        json,
    }
}

/// A fixture file under `tests/fixtures/`.
pub fn fixture(path: &str) -> String {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("fixture {}: {e}", full.display()))
}
