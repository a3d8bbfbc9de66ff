//! The connection limits of `common::serve`, through raw TCP against both the ingest and
//! the api routers: slow headers and slow bodies are cut off, idle connections are closed,
//! connections over the bound wait until one closes, and ordinary requests and graceful
//! shutdown still work. Also the ingest's answers to a body it cannot read.
//!
//! The clients are plain blocking sockets (on the blocking pool), so that the test
//! controls every byte and its timing.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::serve::Options;
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Short limits, so that a test sees them trip in well under a second.
fn short() -> Options {
    Options {
        header_read_timeout: Duration::from_millis(300),
        body_timeout: Duration::from_millis(500),
        ..Options::default()
    }
}

/// How long a test waits for something that should happen after a short limit: ample
/// on a loaded machine, and still far below what the slow clients would take.
const PATIENCE: Duration = Duration::from_secs(4);

#[derive(Clone, Copy, Debug)]
enum App {
    Ingest,
    Api,
}

const BOTH: [App; 2] = [App::Ingest, App::Api];

/// One router served by `common::serve::run` until `stop` is sent.
struct Server {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    stopped: JoinHandle<()>,
}

async fn start(app: App, options: Options) -> Server {
    let database_url = tests::fresh_database_url().await;
    let router = match app {
        App::Ingest => {
            let db = common::db::connect(&database_url, ingest::pool_size(&database_url, 10))
                .await
                .expect("connect the ingest");
            let registry = ingest::registry::Registry::parse(tests::partners::REGISTRY, &|_| None)
                .expect("test registry");
            let secret = common::Secret::new(tests::TOKEN_SECRET);
            let state = ingest::state(db, registry, Some(&secret), BODY_LIMIT).expect("state");
            ingest::http::router(state)
        }
        App::Api => {
            let db = common::db::connect(&database_url, 2)
                .await
                .expect("connect the api");
            api::router(api::AppState::new(
                db,
                &common::Secret::new(tests::JWT_SECRET),
            ))
        }
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stop_rx) = oneshot::channel::<()>();
    let stopped = tokio::spawn(common::serve::run(listener, router, options, async {
        stop_rx.await.ok();
    }));
    Server {
        addr,
        stop,
        stopped,
    }
}

/// The ingest's body limit in these tests: small, so that going over it is cheap.
const BODY_LIMIT: usize = 1024;

/// A request with a body: a Hahn Air booking to the `open-air` partner (no
/// authentication), or a GraphQL query with an analyst token. Returns the head (with
/// `Content-Length`) and the body.
fn post(app: App) -> (String, Vec<u8>) {
    let (target, extra, body) = match app {
        App::Ingest => (
            "/webhooks/open-air/booking-create",
            String::new(),
            tests::fixture("hahn_air/booking-create.json"),
        ),
        App::Api => (
            "/graphql",
            format!("Authorization: Bearer {}\r\n", analyst_token()),
            r#"{"query":"{ __typename }"}"#.to_owned(),
        ),
    };
    let head = format!(
        "POST {target} HTTP/1.1\r\nHost: tests\r\nConnection: close\r\n{extra}\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    (head, body.into_bytes())
}

fn analyst_token() -> String {
    let claims = serde_json::json!({"role": "analyst", "sub": "tests", "exp": chrono::Utc::now().timestamp() + 3600});
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(tests::JWT_SECRET.as_bytes()),
    )
    .expect("sign")
}

const HEALTHZ: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: tests\r\n\r\n";

/// What a client saw: the bytes received, and when the server closed the connection
/// (end of file or reset), counted from the start of [`receive`]; `None` if it was
/// still open after `patience`.
struct Received {
    bytes: Vec<u8>,
    closed_after: Option<Duration>,
}

impl Received {
    fn status(&self) -> Option<u16> {
        let text = std::str::from_utf8(&self.bytes).ok()?;
        text.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()
    }

    fn json(&self) -> Value {
        let text = String::from_utf8_lossy(&self.bytes);
        let body = text.split_once("\r\n\r\n").map_or("", |(_, body)| body);
        serde_json::from_str(body).unwrap_or(Value::Null)
    }
}

/// Reads until the server closes the connection or `patience` runs out; sets `done`
/// when it stops, so that a slow writer on the same socket stops too.
fn receive(stream: &TcpStream, patience: Duration, done: &AtomicBool) -> Received {
    let started = Instant::now();
    let mut stream = stream;
    stream
        .set_read_timeout(Some(Duration::from_millis(20)))
        .expect("read timeout");
    let mut bytes = Vec::new();
    let mut buffer = [0u8; 4096];
    let closed_after = loop {
        match stream.read(&mut buffer) {
            Ok(0) => break Some(started.elapsed()),
            Ok(n) => bytes.extend_from_slice(&buffer[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if started.elapsed() > patience {
                    break None;
                }
            }
            Err(_) => break Some(started.elapsed()),
        }
    };
    done.store(true, Ordering::SeqCst);
    Received {
        bytes,
        closed_after,
    }
}

/// Sends `bytes` one at a time, `interval` apart, until done or the connection fails.
fn trickle(stream: &TcpStream, bytes: &[u8], interval: Duration, done: &AtomicBool) {
    let mut stream = stream;
    for byte in bytes {
        if done.load(Ordering::SeqCst) || stream.write_all(&[*byte]).is_err() {
            return;
        }
        std::thread::sleep(interval);
    }
}

/// Connects, sends `prefix` at once and then `slow` one byte per 200 ms, and reports
/// what came back.
async fn slow_client(addr: SocketAddr, prefix: Vec<u8>, slow: Vec<u8>) -> Received {
    tokio::task::spawn_blocking(move || {
        let stream = TcpStream::connect(addr).expect("connect");
        (&stream).write_all(&prefix).expect("write");
        let done = Arc::new(AtomicBool::new(false));
        let writer = {
            let (stream, done) = (stream.try_clone().expect("clone"), Arc::clone(&done));
            std::thread::spawn(move || trickle(&stream, &slow, Duration::from_millis(200), &done))
        };
        let received = receive(&stream, PATIENCE, &done);
        writer.join().expect("writer");
        received
    })
    .await
    .expect("client")
}

/// Sends `request` at once and reads the answer until the server closes.
async fn exchange(addr: SocketAddr, request: Vec<u8>) -> Received {
    tokio::task::spawn_blocking(move || {
        let stream = TcpStream::connect(addr).expect("connect");
        (&stream).write_all(&request).expect("write");
        receive(&stream, PATIENCE, &AtomicBool::new(false))
    })
    .await
    .expect("client")
}

#[tokio::test]
async fn a_normal_request_is_answered_and_the_kept_alive_connection_closed_once_idle() {
    for app in BOTH {
        let server = start(app, short()).await;
        let reply = reqwest::get(format!("http://{}/healthz", server.addr))
            .await
            .expect("request");
        assert_eq!(reply.status(), 200, "{app:?}");

        // One request on a kept-alive connection, then nothing: closed after the
        // header timeout (hyper starts it whenever the connection waits for a request).
        let received = exchange(server.addr, HEALTHZ.to_vec()).await;
        assert_eq!(received.status(), Some(200), "{app:?}");
        let closed = received
            .closed_after
            .expect("the idle connection is closed");
        assert!(closed >= Duration::from_millis(250), "{app:?}: {closed:?}");
    }
}

#[tokio::test]
async fn headers_sent_one_byte_at_a_time_are_cut_off_at_the_header_timeout() {
    for app in BOTH {
        let server = start(app, short()).await;
        // 38 bytes at 200 ms each would take 7.6 s.
        let received = slow_client(server.addr, Vec::new(), HEALTHZ.to_vec()).await;
        let closed = received
            .closed_after
            .unwrap_or_else(|| panic!("{app:?}: a slow header is never cut off"));
        assert!(closed >= Duration::from_millis(250), "{app:?}: {closed:?}");
        assert_eq!(received.status(), None, "{app:?}: answered");
    }
}

#[tokio::test]
async fn a_body_sent_one_byte_at_a_time_is_refused_at_the_body_timeout() {
    for app in BOTH {
        let server = start(app, short()).await;
        let (head, body) = post(app);
        // 620 (ingest) or 26 (api) bytes at 200 ms each would take 2 minutes or 5 s.
        let received = slow_client(server.addr, head.into_bytes(), body).await;
        let closed = received
            .closed_after
            .unwrap_or_else(|| panic!("{app:?}: a slow body is never cut off"));
        assert!(closed >= Duration::from_millis(450), "{app:?}: {closed:?}");
        match app {
            // The ingest reads the body itself and says what happened.
            App::Ingest => {
                assert_eq!(received.status(), Some(408));
                assert_eq!(received.json()["error"]["code"], "request_timeout");
            }
            // async-graphql reports any failure to read the body as a bad request.
            App::Api => assert_eq!(received.status(), Some(400)),
        }
    }
}

#[tokio::test]
async fn connections_that_send_nothing_are_closed_at_the_header_timeout() {
    for app in BOTH {
        let server = start(app, short()).await;
        let addr = server.addr;
        let closed = tokio::task::spawn_blocking(move || {
            let streams: Vec<TcpStream> = (0..50)
                .map(|_| TcpStream::connect(addr).expect("connect"))
                .collect();
            let done = AtomicBool::new(false);
            streams
                .iter()
                .map(|stream| receive(stream, PATIENCE, &done))
                .filter(|received| received.closed_after.is_some() && received.bytes.is_empty())
                .count()
        })
        .await
        .expect("clients");
        assert_eq!(closed, 50, "{app:?}");
    }
}

#[tokio::test]
async fn connections_over_the_bound_wait_until_one_closes() {
    for app in BOTH {
        let options = Options {
            max_connections: 2,
            header_read_timeout: Duration::from_secs(5),
            ..short()
        };
        let server = start(app, options).await;
        let addr = server.addr;
        tokio::task::spawn_blocking(move || {
            let first = TcpStream::connect(addr).expect("connect");
            let _second = TcpStream::connect(addr).expect("connect");
            std::thread::sleep(Duration::from_millis(100));
            // The third connects (the kernel's backlog) but is not served...
            let third = TcpStream::connect(addr).expect("connect");
            (&third).write_all(HEALTHZ).expect("write");
            let waiting = receive(&third, Duration::from_millis(700), &AtomicBool::new(false));
            assert!(
                waiting.bytes.is_empty() && waiting.closed_after.is_none(),
                "{app:?}: served over the bound"
            );
            // ...until one of the two closes.
            drop(first);
            let served = receive(&third, Duration::from_secs(2), &AtomicBool::new(false));
            let text = String::from_utf8_lossy(&served.bytes);
            assert!(text.starts_with("HTTP/1.1 200"), "{app:?}: {text}");
        })
        .await
        .expect("clients");
    }
}

#[tokio::test]
async fn shutdown_finishes_the_request_in_flight_then_stops() {
    for app in BOTH {
        let options = Options {
            body_timeout: Duration::from_secs(10),
            ..short()
        };
        let server = start(app, options).await;
        let addr = server.addr;
        let (head, body) = post(app);
        let (half, rest) = body.split_at(body.len() / 2);
        let (half, rest) = (half.to_vec(), rest.to_vec());
        let stream = tokio::task::spawn_blocking(move || {
            let stream = TcpStream::connect(addr).expect("connect");
            (&stream).write_all(head.as_bytes()).expect("head");
            (&stream).write_all(&half).expect("half the body");
            stream
        })
        .await
        .expect("client");
        tokio::time::sleep(Duration::from_millis(200)).await;

        server.stop.send(()).expect("stop");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(
            !server.stopped.is_finished(),
            "{app:?}: stopped with a request in flight"
        );
        assert!(
            TcpStream::connect(addr).is_err(),
            "{app:?}: still accepting after shutdown"
        );

        let received = tokio::task::spawn_blocking(move || {
            (&stream).write_all(&rest).expect("the rest of the body");
            receive(&stream, PATIENCE, &AtomicBool::new(false))
        })
        .await
        .expect("client");
        assert_eq!(
            received.status(),
            Some(200),
            "{app:?}: {:?}",
            received.json()
        );
        tokio::time::timeout(PATIENCE, server.stopped)
            .await
            .expect("stops once the request is answered")
            .expect("serve task");
    }
}

/// A chunked request to the `open-air` partner with `chunks` as its raw body.
fn chunked(chunks: &str) -> Vec<u8> {
    format!(
        "POST /webhooks/open-air/booking-create HTTP/1.1\r\nHost: tests\r\nConnection: close\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{chunks}"
    )
    .into_bytes()
}

#[tokio::test]
async fn a_malformed_chunked_body_is_400_not_413() {
    let server = start(App::Ingest, Options::default()).await;
    let received = exchange(server.addr, chunked("zz\r\n{}\r\n0\r\n\r\n")).await;
    assert_eq!(
        (received.status(), received.json()["error"]["code"].as_str()),
        (Some(400), Some("invalid_body"))
    );
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_still_413() {
    let server = start(App::Ingest, Options::default()).await;
    let chunk = "x".repeat(BODY_LIMIT / 2 + 1);
    let body = format!(
        "{:x}\r\n{chunk}\r\n{:x}\r\n{chunk}\r\n0\r\n\r\n",
        chunk.len(),
        chunk.len()
    );
    let received = exchange(server.addr, chunked(&body)).await;
    assert_eq!(
        (received.status(), received.json()["error"]["code"].as_str()),
        (Some(413), Some("payload_too_large"))
    );
}
