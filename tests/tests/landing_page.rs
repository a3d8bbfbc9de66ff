//! The browser-side check of live updates: `examples/landing/index.html` in headless
//! Chromium shows the trip of a booking-scoped landing token and turns to "cancelled"
//! when the partner's cancellation is delivered, with no reload.
//!
//! The page is served by a tiny static server on another port (another origin, as the
//! landing site is); it talks to the api only over the WebSocket, which CORS does not
//! govern. Chromium is driven over the DevTools protocol: navigate, then read the page's
//! text until it shows what is expected. Without Chromium the test is skipped with a
//! message, unless `CI` is set (`.ci/run` installs it).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tests::{live, read, spawn_app, JWT_SECRET};
use tokio_tungstenite::tungstenite::Message;

const PAGE: &str = include_str!("../../examples/landing/index.html");

/// Headless Chromium with the DevTools protocol on a port it chooses; killed on drop.
struct Chromium {
    child: Child,
    devtools: String,
    _profile: std::path::PathBuf,
}

impl Chromium {
    /// `None` when there is no `chromium` to run.
    fn start() -> Option<Self> {
        let profile = live::work_dir("chromium");
        let mut command = Command::new("chromium");
        command
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        live::kill_with_parent(&mut command);
        let mut child = command.spawn().ok()?;
        let stderr = child.stderr.take().expect("stderr");
        // "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/…"
        let mut lines = BufReader::new(stderr).lines();
        let devtools = loop {
            let line = lines
                .next()
                .expect("chromium said where DevTools listens")
                .expect("chromium's stderr");
            if let Some(url) = line.split("DevTools listening on ").nth(1) {
                let base = url.trim().trim_start_matches("ws://");
                break format!("http://{}", base.split('/').next().expect("host:port"));
            }
        };
        // Keep draining stderr so that chromium never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Some(Self {
            child,
            devtools,
            _profile: profile,
        })
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A DevTools session with one page.
struct Page {
    socket: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    next_id: u64,
}

impl Page {
    async fn open(chromium: &Chromium) -> Self {
        let targets: Value = reqwest::get(format!("{}/json/list", chromium.devtools))
            .await
            .expect("DevTools /json/list")
            .json()
            .await
            .expect("targets");
        let page = targets
            .as_array()
            .and_then(|targets| targets.iter().find(|t| t["type"] == "page"))
            .expect("a page target");
        let url = page["webSocketDebuggerUrl"]
            .as_str()
            .expect("its DevTools URL");
        let (socket, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("DevTools WebSocket");
        Self { socket, next_id: 1 }
    }

    /// Sends a DevTools command and returns its result (events in between are skipped).
    async fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let command = json!({"id": id, "method": method, "params": params});
        self.socket
            .send(Message::text(command.to_string()))
            .await
            .expect("send to DevTools");
        loop {
            let message = tokio::time::timeout(Duration::from_secs(10), self.socket.next())
                .await
                .expect("DevTools answers")
                .expect("DevTools open")
                .expect("a DevTools message");
            if let Message::Text(text) = message {
                let value: Value = serde_json::from_str(&text).expect("JSON");
                if value["id"] == id {
                    return value["result"].clone();
                }
            }
        }
    }

    /// The page's `#id` element text, if it exists.
    async fn text(&mut self, id: &str) -> String {
        let expression = format!("(document.getElementById('{id}') || {{}}).textContent || ''");
        let result = self
            .call(
                "Runtime.evaluate",
                json!({"expression": expression, "returnByValue": true}),
            )
            .await;
        result["result"]["value"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Waits until `#id` reads `expected`; panics with what it read after `within`.
    async fn wait_for(&mut self, id: &str, expected: &str, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            let text = self.text(id).await;
            if text == expected {
                return;
            }
            let connection = self.text("connection").await;
            assert!(
                Instant::now() < deadline,
                "#{id} reads {text:?}, not {expected:?} (connection: {connection:?})"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Serves the page at `/` on 127.0.0.1 (another origin than the api).
async fn serve_page() -> String {
    let router = axum::Router::new().route(
        "/",
        axum::routing::get(|| async { axum::response::Html(PAGE) }),
    );
    format!("http://{}", tests::serve(router).await)
}

async fn deliver(ingest: &str, event: &str, body: Value) -> String {
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
    assert_eq!(reply.json["status"], "applied", "{:?}", reply.json);
    reply.json["bookingId"]
        .as_str()
        .expect("booking id")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_landing_page_shows_the_trip_and_turns_to_cancelled_live() {
    let Some(chromium) = Chromium::start() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is not installed, and CI needs this test (`apt-get install -y chromium`)"
        );
        println!("skipped: chromium is not installed (apt-get install -y chromium)");
        return;
    };
    let app = spawn_app().await;
    let reference = format!("LP{}", &uuid::Uuid::new_v4().simple().to_string()[..8]).to_uppercase();
    let id = deliver(
        &app.ingest,
        "booking-create",
        json!({
            "bookingId": reference, "tripStart": "2030-02-09T08:21:41Z", "tripEnd": "2030-02-16T17:05:00Z",
            "departureAirportCode": "LHR", "destinationAirportCode": "LIS", "destinationName": "Lisbon",
            "destinationCountry": "PT", "firstName": "Ana", "bookingDate": "2030-01-12T14:03:27Z",
            "customerId": "CUST-1", "email": "ana@example.com", "phoneNumber": "+441632960881",
            "updatedAt": "2030-01-12T14:03:30Z"
        }),
    )
    .await;
    let claims = json!({"role": "landing", "sub": "visitor", "booking": id,
        "exp": chrono::Utc::now().timestamp() + 600});
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .expect("sign");

    let site = serve_page().await;
    let url = format!("{site}/?api={}&token={token}&booking={id}", app.api);
    let mut page = Page::open(&chromium).await;
    page.call("Page.navigate", json!({"url": url})).await;
    page.wait_for("status", "confirmed", Duration::from_secs(15))
        .await;
    page.wait_for("connection", "live", Duration::from_secs(5))
        .await;
    assert_eq!(page.text("traveller").await, "Ana");
    assert_eq!(page.text("destination").await, "Lisbon");
    assert_eq!(page.text("dates").await, "9 Feb 2030 – 16 Feb 2030");

    deliver(
        &app.ingest,
        "booking-cancel",
        json!({"bookingId": reference, "updatedAt": "2030-01-25T18:30:00Z"}),
    )
    .await;
    page.wait_for("status", "cancelled", Duration::from_secs(2))
        .await;
    assert_eq!(page.text("destination").await, "Lisbon", "the rest stays");
}
