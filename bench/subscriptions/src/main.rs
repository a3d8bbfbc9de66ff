//! Live-update benchmark (CONTRACT §7: 10,000 open subscriptions on one api process,
//! p99 from a delivery's 2xx to the push under 250 ms).
//!
//! 1. creates `BOOKINGS` bookings through the ingest (`open-air` partner, Hahn Air format);
//! 2. opens `SUBSCRIPTIONS` WebSocket connections to the api, one `bookingChanged`
//!    subscription each, spread evenly over the bookings;
//! 3. sends `RATE` updates per second for `DURATION` seconds, each to a random booking
//!    with a unique flight number, and notes when each was answered 2xx;
//! 4. every push carries the flight number it shows: latency = push received − 2xx of
//!    that update. Pushes that show an older state than the newest update sent (a
//!    subscriber skipping to the latest state) are counted, not timed.
//!
//! Configuration by environment: API, INGEST, TOKEN (a landing token), SUBSCRIPTIONS
//! (10000), BOOKINGS (1000), RATE (50), DURATION (20), API_PID (for its RSS).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Message};

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

fn num(name: &str, default: u64) -> u64 {
    env(name, &default.to_string()).parse().expect(name)
}

/// Flight number → when its delivery was answered 2xx.
type Sent = Arc<Mutex<HashMap<String, Instant>>>;

#[tokio::main]
async fn main() {
    let api = env("API", "http://127.0.0.1:8080");
    let ingest = env("INGEST", "http://127.0.0.1:8081");
    let token = std::env::var("TOKEN").expect("TOKEN: a landing token");
    let subscriptions = num("SUBSCRIPTIONS", 10_000) as usize;
    let bookings = num("BOOKINGS", 1_000) as usize;
    let rate = num("RATE", 50);
    let duration = Duration::from_secs(num("DURATION", 20));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .expect("client");
    let run = std::process::id();

    eprintln!("creating {bookings} bookings");
    let mut ids = Vec::with_capacity(bookings);
    for n in 0..bookings {
        let reference = format!("B{run}X{n}");
        let body = json!({
            "bookingId": reference, "tripStart": "2030-02-09T08:21:41Z", "tripEnd": "2030-02-16T17:05:00Z",
            "bookingDate": "2030-01-12T14:03:27Z", "departureAirportCode": "LHR", "destinationAirportCode": "LIS", "destinationName": "Lisbon",
            "customerId": "C", "firstName": "Ana", "email": "a@example.com", "phoneNumber": "+441632960881",
            "departureFlightNumber": "BA0", "updatedAt": "2030-01-12T14:03:30Z"
        });
        let reply: Value = deliver(&client, &ingest, "booking-create", &body).await.1;
        let Some(id) = reply["bookingId"].as_str() else {
            panic!("the create of {reference} was not applied: {reply}");
        };
        ids.push((reference, id.to_owned()));
    }

    eprintln!("opening {subscriptions} subscriptions");
    let sent: Sent = Arc::default();
    let (push_tx, mut push_rx) = tokio::sync::mpsc::unbounded_channel::<(String, Instant)>();
    let opened = Instant::now();
    let mut ready = Vec::new();
    for n in 0..subscriptions {
        let (_, id) = &ids[n % bookings];
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
        ready.push(ready_rx);
        tokio::spawn(subscriber(api.clone(), token.clone(), id.clone(), push_tx.clone(), ready_tx));
        if n % 500 == 499 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let mut failed = 0;
    for ready in ready {
        if ready.await.is_err() {
            failed += 1;
        }
    }
    eprintln!(
        "{} subscriptions open in {:.1} s ({failed} failed); RSS of the api: {}",
        subscriptions - failed,
        opened.elapsed().as_secs_f64(),
        rss()
    );
    tokio::time::sleep(Duration::from_secs(1)).await;

    eprintln!("{rate} deliveries/s for {duration:?}");
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    let start = Instant::now();
    let mut sends = Vec::new();
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut n = 0u64;
    while start.elapsed() < duration {
        let due = start + interval * n as u32;
        tokio::time::sleep_until(due.into()).await;
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let (reference, _) = &ids[(rng % bookings as u64) as usize];
        n += 1;
        let flight = format!("F{n}");
        let at = format!(
            "2030-01-20T{:02}:{:02}:{:02}.{:03}Z",
            n / 3_600_000 % 24,
            n / 60_000 % 60,
            n / 1000 % 60,
            n % 1000
        );
        let body = json!({"bookingId": reference, "departureFlightNumber": flight, "updatedAt": at});
        let (client, ingest, sent) = (client.clone(), ingest.clone(), Arc::clone(&sent));
        sends.push(tokio::spawn(async move {
            let (status, _) = deliver(&client, &ingest, "booking-update", &body).await;
            sent.lock().unwrap().insert(flight, Instant::now());
            status
        }));
    }
    let mut ok = 0;
    for send in sends {
        if send.await.map(|s| s == 200).unwrap_or(false) {
            ok += 1;
        }
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    drop(push_tx);

    let mut latencies = Vec::new();
    let mut untimed = 0;
    while let Ok((flight, at)) = push_rx.try_recv() {
        match sent.lock().unwrap().get(&flight) {
            // A push may beat the 2xx to this process: counted as 0.
            Some(acked) => latencies.push(at.saturating_duration_since(*acked)),
            None => untimed += 1,
        }
    }
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
    };
    let expected = ok as f64 * subscriptions as f64 / bookings as f64;
    println!(
        "subscriptions={} deliveries={n} ok={ok} rate={rate}/s pushes={} (expected ~{expected:.0}) untimed={untimed}",
        subscriptions - failed,
        latencies.len()
    );
    println!(
        "2xx→push ms: p50={:.1} p90={:.1} p99={:.1} max={:.1}",
        pct(0.50),
        pct(0.90),
        pct(0.99),
        pct(1.0)
    );
    println!("api {}", rss());
}

async fn deliver(client: &reqwest::Client, ingest: &str, event: &str, body: &Value) -> (u16, Value) {
    let response = client
        .post(format!("{ingest}/webhooks/open-air/{event}"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("delivery");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn subscriber(
    api: String,
    token: String,
    id: String,
    pushes: tokio::sync::mpsc::UnboundedSender<(String, Instant)>,
    ready: tokio::sync::oneshot::Sender<()>,
) {
    let mut request = format!("{}/graphql/ws", api.replacen("http", "ws", 1))
        .into_client_request()
        .expect("url");
    request
        .headers_mut()
        .insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
    let Ok((mut socket, _)) = tokio_tungstenite::connect_async(request).await else {
        return;
    };
    let init = json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {token}")}});
    let query = "subscription($id: ID!) { bookingChanged(id: $id) { status segments { flightNumber } } }";
    let subscribe = json!({"type": "subscribe", "id": "1", "payload": {"query": query, "variables": {"id": id}}});
    if socket.send(Message::text(init.to_string())).await.is_err() {
        return;
    }
    match socket.next().await {
        Some(Ok(Message::Text(text))) if text.contains("connection_ack") => {}
        _ => return,
    }
    if socket.send(Message::text(subscribe.to_string())).await.is_err() {
        return;
    }
    let _ = ready.send(());
    while let Some(Ok(message)) = socket.next().await {
        if let Message::Text(text) = message {
            let at = Instant::now();
            let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            if let Some(flight) =
                value["payload"]["data"]["bookingChanged"]["segments"][0]["flightNumber"].as_str()
            {
                let _ = pushes.send((flight.to_owned(), at));
            } else if value["type"] != "next" || value["payload"].get("errors").is_some() {
                eprintln!("unexpected: {text}");
            }
        }
    }
}

/// The api's resident and peak memory, from /proc (API_PID).
fn rss() -> String {
    let Ok(pid) = std::env::var("API_PID") else {
        return "RSS: set API_PID".to_owned();
    };
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .map(|l| l[name.len()..].trim().to_owned())
            .unwrap_or_default()
    };
    format!("VmRSS={} VmHWM={}", field("VmRSS:"), field("VmHWM:"))
}
