//! The test harness: a fresh, migrated database per test (SQLite in a temp file, or a new
//! PostgreSQL database when `TEST_DATABASE_URL` names a server), the real router on an
//! ephemeral port, tokens, and a GraphQL client.

pub mod seed;

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use api::{
    auth::{Principal, Role, TokenKeys, TokenSpec},
    router,
    schema::documents::DocumentCache,
    AppState, HttpOptions,
};
use axum::http::HeaderValue;
use common::Secret;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{json, Value};
use uuid::Uuid;

pub const SECRET: &str = "test-secret-that-signs-api-tokens";

/// A fresh database, and the SQLite file to remove afterwards (if any).
pub struct TestDb {
    pub db: DatabaseConnection,
    /// The PostgreSQL database's name, when the tests run on PostgreSQL.
    pub postgres_name: Option<String>,
    sqlite_file: Option<PathBuf>,
}

impl TestDb {
    pub async fn new() -> Self {
        let name = format!("tripgraph_test_api_{}", Uuid::now_v7().simple());
        match std::env::var("TEST_DATABASE_URL") {
            Ok(server) if server.starts_with("postgres") => {
                let admin = Database::connect(&server)
                    .await
                    .expect("connect to TEST_DATABASE_URL");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                let db = common::db::connect(&with_database(&server, &name), 8)
                    .await
                    .expect("connect test db");
                Self {
                    db,
                    postgres_name: Some(name),
                    sqlite_file: None,
                }
            }
            _ => {
                let path = std::env::temp_dir().join(format!("{name}.db"));
                let url = format!("sqlite://{}?mode=rwc", path.display());
                let db = common::db::connect(&url, 8)
                    .await
                    .expect("open sqlite test db");
                Self {
                    db,
                    postgres_name: None,
                    sqlite_file: Some(path),
                }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(path) = &self.sqlite_file {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
    }
}

/// `postgres://u@h:5432/test?x` with the database name replaced.
fn with_database(server: &str, name: &str) -> String {
    let (base, query) = server
        .split_once('?')
        .map_or((server, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_part = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{host_part}/{name}?{query}"),
        None => format!("{host_part}/{name}"),
    }
}

/// The api running on 127.0.0.1 on a free port.
pub struct TestApp {
    pub addr: SocketAddr,
    pub db: DatabaseConnection,
    pub client: reqwest::Client,
    keys: TokenKeys,
    pub database: TestDb,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(HttpOptions::default()).await
}

pub async fn spawn_app_with(options: HttpOptions) -> TestApp {
    spawn_app_with_documents(options, DocumentCache::new()).await
}

/// The api keeping its documents (persisted queries, trusted documents) in `documents`.
pub async fn spawn_app_with_documents(options: HttpOptions, documents: DocumentCache) -> TestApp {
    let database = TestDb::new().await;
    let db = database.db.clone();
    let secret = Secret::new(SECRET);
    let state = AppState::new(db.clone(), &secret)
        .with_options(options)
        .with_documents(documents);
    let app = router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    TestApp {
        addr,
        db,
        client: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client"),
        keys: TokenKeys::new(&secret),
        database,
    }
}

/// Options that allow one CORS origin.
pub fn cors_options(origin: &'static str) -> HttpOptions {
    HttpOptions {
        cors_origins: vec![HeaderValue::from_static(origin)],
        ..HttpOptions::default()
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn token(&self, role: Role) -> String {
        self.keys
            .issue(role, Duration::from_secs(600), "tests")
            .expect("issue token")
    }

    /// A landing token scoped to `booking`.
    pub fn scoped_token(&self, booking: Uuid) -> String {
        let spec = TokenSpec {
            role: Role::Landing,
            subject: "visitor",
            booking: Some(booking),
        };
        self.keys
            .issue_spec(&spec, Duration::from_secs(600))
            .expect("issue token")
    }

    /// POSTs `query` with `token` and returns the JSON response (asserting 200).
    pub async fn query_with(&self, token: &str, query: &str, variables: Value) -> Value {
        let body = json!({"query": query, "variables": variables});
        let response = self.post_graphql(Some(token), &body).await;
        assert_eq!(response.status(), 200, "GraphQL over HTTP answers 200");
        response.json().await.expect("JSON body")
    }

    /// `GET /graphql` with these query parameters and an optional bearer token.
    pub async fn get_graphql(
        &self,
        token: Option<&str>,
        params: &[(&str, &str)],
        if_none_match: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self.client.get(self.url("/graphql")).query(params);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(etag) = if_none_match {
            request = request.header("if-none-match", etag);
        }
        request.send().await.expect("request")
    }

    /// POSTs a query with a token of `role` and returns the JSON response (asserting 200).
    pub async fn query(&self, role: Role, query: &str, variables: Value) -> Value {
        let token = self.token(role);
        let response = self
            .post_graphql(
                Some(&token),
                &json!({"query": query, "variables": variables}),
            )
            .await;
        assert_eq!(response.status(), 200, "GraphQL over HTTP answers 200");
        response.json().await.expect("JSON body")
    }

    /// POSTs a raw body to /graphql with an optional bearer token.
    pub async fn post_graphql(&self, token: Option<&str>, body: &Value) -> reqwest::Response {
        let mut request = self.client.post(self.url("/graphql")).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request")
    }
}

/// What a raw HTTP/1.1 exchange answered.
pub struct RawResponse {
    pub status: u16,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|err| panic!("not JSON ({err}): {:?}", self.body))
    }
}

impl TestApp {
    /// POSTs `body` to /graphql over a plain TCP connection in chunked transfer encoding
    /// (no `Content-Length`, which an HTTP client library would add), `chunk` bytes a
    /// chunk, and reads the whole answer (`Connection: close`).
    pub async fn post_chunked(&self, token: &str, body: &[u8], chunk: usize) -> RawResponse {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};

        let mut stream = tokio::net::TcpStream::connect(self.addr)
            .await
            .expect("connect");
        let mut request = format!(
            "POST /graphql HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\
             Connection: close\r\n\r\n",
            self.addr
        )
        .into_bytes();
        for part in body.chunks(chunk.max(1)) {
            request.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
            request.extend_from_slice(part);
            request.extend_from_slice(b"\r\n");
        }
        request.extend_from_slice(b"0\r\n\r\n");
        // The server may answer (and stop reading) before the body is all sent.
        let _ = stream.write_all(&request).await;
        let mut answer = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
            .await
            .expect("an answer within 10 s");
        parse_raw_response(&answer)
    }
}

/// Splits an HTTP/1.1 answer into status, headers and (de-chunked) body.
fn parse_raw_response(answer: &[u8]) -> RawResponse {
    let text = String::from_utf8_lossy(answer);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no complete HTTP answer: {text:?}"));
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {head:?}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(name, value)| name == "transfer-encoding" && value.contains("chunked"));
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_owned()
    };
    RawResponse {
        status,
        headers,
        body,
    }
}

fn dechunk(mut rest: &str) -> String {
    let mut body = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 || after.len() < size {
            break;
        }
        body.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
    body
}

/// The analyst principal, for executing the schema directly.
pub fn analyst() -> Principal {
    Principal {
        role: Role::Analyst,
        subject: Some("tests".into()),
        booking: None,
    }
}

/// The `extensions.code` of every error in a response.
pub fn error_codes(response: &Value) -> Vec<String> {
    response["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    e["extensions"]["code"]
                        .as_str()
                        .unwrap_or("<none>")
                        .to_owned()
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn database_names_are_swapped_in_server_urls() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database("postgres://h/test?sslmode=disable", "x"),
        "postgres://h/x?sslmode=disable"
    );
    assert_eq!(
        with_database("postgres://h:5432", "x"),
        "postgres://h:5432/x"
    );
}
