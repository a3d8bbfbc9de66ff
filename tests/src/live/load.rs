//! A bounded workload of real partner deliveries, and what the database must show after
//! it.
//!
//! Every booking gets one create (`seq` 0) and numbered updates (`seq` 1..=n) from one
//! partner of the test registry (token, Basic and OAuth 2.0 authentication), each with a
//! source time `seq` minutes after the create's and a marker field set from `seq` (Hahn
//! Air `bagCount` and `firstName`, AirGateway `adultsPax`, Traxo and Spotnana the
//! traveller's first name). Every body is unique, so an archived event is found by its
//! raw body. Whatever order the deliveries arrive in, the booking must end up showing
//! the newest archived one: that one cannot be stale, so it must be `applied`, and an
//! older update applied after it would be a lost update.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use sea_orm::{DatabaseConnection, EntityTrait};
use serde_json::{json, Value};

use super::Problems;
use crate::{fixture, partners, read, Reply};

/// The partners a workload uses, one auth kind each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Partner {
    /// `token` auth.
    HahnAir,
    /// `basic` auth, hash of the body as idempotency key.
    AirGateway,
    /// `basic` auth, the envelope `id` as idempotency key.
    Traxo,
    /// `oauth2` auth: a bearer token from `/oauth/token`.
    Spotnana,
}

impl Partner {
    pub const ALL: [Partner; 4] = [
        Partner::HahnAir,
        Partner::AirGateway,
        Partner::Traxo,
        Partner::Spotnana,
    ];

    /// The registry name (the URL segment).
    pub fn name(self) -> &'static str {
        match self {
            Partner::HahnAir => "hahn-air",
            Partner::AirGateway => "airgateway",
            Partner::Traxo => "traxo",
            Partner::Spotnana => "spotnana",
        }
    }

    fn reference(self, booking: usize) -> String {
        match self {
            Partner::HahnAir => format!("HXL{booking:05}"),
            Partner::AirGateway => format!("AGW-LIVE-{booking:05}"),
            Partner::Traxo => format!("7100000000{booking:08}"),
            Partner::Spotnana => format!("69{booking:08}"),
        }
    }

    /// The URL path under `/webhooks/` and the body of delivery `seq` of a booking.
    fn delivery(self, booking: usize, reference: &str, seq: u32) -> (String, String) {
        let at = source_time(seq);
        let marker = format!("U{seq}");
        match (self, seq) {
            (Partner::HahnAir, 0) => {
                let mut body = fixture_json("hahn_air/booking-create.json");
                body["bookingId"] = json!(reference);
                body["bagCount"] = json!(0);
                body["firstName"] = json!(marker);
                body["updatedAt"] = json!(at);
                ("hahn-air/booking-create".into(), body.to_string())
            }
            (Partner::HahnAir, _) => (
                "hahn-air/booking-update".into(),
                json!({"bookingId": reference, "bagCount": seq, "firstName": marker, "updatedAt": at})
                    .to_string(),
            ),
            (Partner::AirGateway, 0) => {
                let mut body = fixture_json("airgateway/order-created.json");
                body["agwID"] = json!(reference);
                body["adultsPax"] = json!(0);
                body["createdOn"] = json!(at);
                body["updatedOn"] = json!(at);
                ("airgateway".into(), body.to_string())
            }
            (Partner::AirGateway, _) => (
                "airgateway".into(),
                json!({"event": "SeatsAddition", "agwID": reference, "adultsPax": seq, "updatedOn": at})
                    .to_string(),
            ),
            (Partner::Traxo, 0) => {
                let mut body = fixture_json("traxo/trip_created.json");
                body["id"] = json!(traxo_event_id(booking, seq));
                body["created"] = json!(at);
                body["data"]["object"]["id"] = json!(reference);
                body["data"]["object"]["first_name"] = json!(marker);
                ("traxo".into(), body.to_string())
            }
            (Partner::Traxo, _) => (
                "traxo".into(),
                json!({"id": traxo_event_id(booking, seq), "type": "trip.updated", "created": at,
                       "data": {"object": {"id": reference, "status": "Active", "first_name": marker}}})
                .to_string(),
            ),
            (Partner::Spotnana, 0) => {
                let mut body = fixture_json("spotnana/pnr-booking-created.json");
                body["timestamp"] = json!(at);
                body["payload"]["pnrId"] = json!(reference);
                body["payload"]["travelers"][0]["name"]["given"] = json!(marker);
                ("spotnana".into(), body.to_string())
            }
            (Partner::Spotnana, _) => (
                "spotnana".into(),
                json!({"event_type": "PNR_V3", "operation": "BOOKING_UPDATED", "timestamp": at,
                       "payload": {"pnrId": reference, "travelers": [
                           {"name": {"given": marker, "family": "Silva"}, "passengerType": "ADULT"}]}})
                .to_string(),
            ),
        }
    }

    /// Whether `booking` shows what delivery `seq` set.
    fn shows(self, booking: &entity::booking::Model, seq: u32) -> Result<(), String> {
        let marker = Some(format!("U{seq}"));
        let seq = Some(seq as i32);
        let (want, got) = match self {
            Partner::HahnAir => (
                format!("bag_count {seq:?}, first name {marker:?}"),
                format!(
                    "bag_count {:?}, first name {:?}",
                    booking.bag_count, booking.customer_first_name
                ),
            ),
            Partner::AirGateway => (
                format!("adults {seq:?}"),
                format!("adults {:?}", booking.adults),
            ),
            Partner::Traxo | Partner::Spotnana => (
                format!("first name {marker:?}"),
                format!("first name {:?}", booking.customer_first_name),
            ),
        };
        if want == got {
            Ok(())
        } else {
            Err(format!("want {want}, got {got}"))
        }
    }
}

fn traxo_event_id(booking: usize, seq: u32) -> String {
    format!("5300{booking:08}{seq:04}")
}

fn fixture_json(path: &str) -> Value {
    serde_json::from_str(&fixture(path)).expect("fixture is JSON")
}

/// The source time of delivery `seq`: `seq` minutes after the create's.
fn source_time(seq: u32) -> String {
    let base: DateTime<Utc> = Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap();
    (base + chrono::Duration::minutes(i64::from(seq))).to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// One delivery of the workload.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// Index of the booking in [`Plan::bookings`].
    pub booking: usize,
    /// 0 for the create, then 1, 2, … in source-time order.
    pub seq: u32,
    pub partner: Partner,
    /// Under `/webhooks/`, e.g. `hahn-air/booking-update`.
    pub path: String,
    pub body: String,
}

/// One booking of the workload.
#[derive(Debug, Clone)]
pub struct PlannedBooking {
    pub partner: Partner,
    pub reference: String,
}

/// Bookings and their deliveries: `creates` (one per booking) first, then `updates`.
#[derive(Debug, Clone)]
pub struct Plan {
    pub bookings: Vec<PlannedBooking>,
    pub creates: Vec<Delivery>,
    pub updates: Vec<Delivery>,
}

impl Plan {
    /// `bookings` bookings, spread over `partners` in turn, each with one create and
    /// `updates_each` updates.
    pub fn new(bookings: usize, updates_each: u32, partners: &[Partner]) -> Self {
        let mut plan = Plan {
            bookings: Vec::new(),
            creates: Vec::new(),
            updates: Vec::new(),
        };
        for booking in 0..bookings {
            let partner = partners[booking % partners.len()];
            let reference = partner.reference(booking);
            for seq in 0..=updates_each {
                let (path, body) = partner.delivery(booking, &reference, seq);
                let delivery = Delivery {
                    booking,
                    seq,
                    partner,
                    path,
                    body,
                };
                if seq == 0 {
                    plan.creates.push(delivery);
                } else {
                    plan.updates.push(delivery);
                }
            }
            plan.bookings.push(PlannedBooking { partner, reference });
        }
        plan
    }

    /// Every delivery: creates, then updates.
    pub fn all(&self) -> Vec<Delivery> {
        self.creates.iter().chain(&self.updates).cloned().collect()
    }

    pub fn uses(&self, partner: Partner) -> bool {
        self.bookings.iter().any(|b| b.partner == partner)
    }
}

/// A client for deliveries: one request may take at most `timeout`.
pub fn client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .expect("http client")
}

/// A bearer token for the Spotnana partner from the ingest's own token endpoint. Tokens
/// are stateless, so one token serves every ingest process started with the same key.
pub async fn spotnana_token(client: &reqwest::Client, ingest: &str) -> String {
    let response = client
        .post(format!("{ingest}/oauth/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=client_credentials&client_id={}&client_secret={}",
            partners::SPOTNANA_CLIENT,
            partners::SPOTNANA_SECRET
        ))
        .send()
        .await
        .expect("token request");
    let reply = read(response).await;
    assert_eq!(reply.status, 200, "token endpoint: {:?}", reply.json);
    reply.json["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

/// What one attempt at a delivery got.
#[derive(Debug)]
pub struct Attempt {
    pub sent_at: Instant,
    pub latency: Duration,
    /// The reply, or why there was none (connection refused or cut, timeout).
    pub reply: Result<Reply, String>,
}

impl Attempt {
    /// 2xx: the partner may forget the delivery.
    pub fn acknowledged(&self) -> bool {
        matches!(&self.reply, Ok(reply) if (200..300).contains(&reply.status))
    }

    pub fn status(&self) -> Option<u16> {
        self.reply.as_ref().ok().map(|r| r.status)
    }

    /// `status` of a 2xx JSON reply: `applied`, `duplicate`, `stale`, `ignored`.
    pub fn outcome(&self) -> Option<&str> {
        self.reply.as_ref().ok()?.json["status"].as_str()
    }

    pub fn event_id(&self) -> Option<&str> {
        self.reply.as_ref().ok()?.json["eventId"].as_str()
    }

    /// Status and body, or the error, for messages.
    pub fn describe(&self) -> String {
        match &self.reply {
            Ok(reply) => format!("{} {} after {:?}", reply.status, reply.json, self.latency),
            Err(err) => format!("no answer after {:?}: {err}", self.latency),
        }
    }
}

/// POSTs one delivery to the ingest at `base` with its partner's credentials.
pub async fn send(
    client: &reqwest::Client,
    base: &str,
    delivery: &Delivery,
    bearer: &str,
) -> Attempt {
    let request = client
        .post(format!("{base}/webhooks/{}", delivery.path))
        .header("content-type", "application/json")
        .body(delivery.body.clone());
    let request = match delivery.partner {
        Partner::HahnAir => request.header("x-webhook-token", partners::HAHN_TOKEN),
        Partner::AirGateway => request.basic_auth(partners::AGW_USER, Some(partners::AGW_PASSWORD)),
        Partner::Traxo => request.basic_auth(partners::TRAXO_USER, Some(partners::TRAXO_PASSWORD)),
        Partner::Spotnana => request.bearer_auth(bearer),
    };
    let sent_at = Instant::now();
    let reply = match request.send().await {
        Ok(response) => Ok(read(response).await),
        Err(err) => Err(error_chain(&err)),
    };
    Attempt {
        sent_at,
        latency: sent_at.elapsed(),
        reply,
    }
}

/// An error with its causes (reqwest's own message hides whether the connection was
/// refused or cut).
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The archive, indexed by (partner, raw body).
pub struct Archive {
    by_body: HashMap<(String, Vec<u8>), Vec<entity::event::Model>>,
    pub total: usize,
}

impl Archive {
    pub async fn load(db: &DatabaseConnection) -> Self {
        let events = entity::event::Entity::find()
            .all(db)
            .await
            .expect("read the archive");
        let total = events.len();
        let mut by_body: HashMap<_, Vec<_>> = HashMap::new();
        for event in events {
            by_body
                .entry((event.partner.clone(), event.raw_body.clone()))
                .or_default()
                .push(event);
        }
        Self { by_body, total }
    }

    /// The archived events of one delivery (exactly one once it was received).
    pub fn of(&self, delivery: &Delivery) -> &[entity::event::Model] {
        self.by_body
            .get(&(
                delivery.partner.name().to_owned(),
                delivery.body.as_bytes().to_vec(),
            ))
            .map_or(&[], Vec::as_slice)
    }

    /// Events with this status, for the summary.
    pub fn count_status(&self, status: entity::EventStatus) -> usize {
        self.by_body
            .values()
            .flatten()
            .filter(|e| e.status == status)
            .count()
    }
}

/// Checks that an acknowledged delivery is archived exactly once, as its answer said.
pub fn check_acknowledged(
    archive: &Archive,
    delivery: &Delivery,
    answer: &Attempt,
    problems: &mut Problems,
) {
    let events = archive.of(delivery);
    let what = format!(
        "{} booking {} seq {}",
        delivery.partner.name(),
        delivery.booking,
        delivery.seq
    );
    match events {
        [] => problems.add(
            "acknowledged delivery missing from the archive",
            format!("{what}: answered {}", answer.describe()),
        ),
        [event] => {
            if let Some(id) = answer.event_id() {
                if id != event.id.to_string() {
                    problems.add(
                        "answer's eventId is not the archived event",
                        format!("{what}: answered {id}, archived {}", event.id),
                    );
                }
            }
        }
        many => problems.add(
            "delivery archived more than once",
            format!("{what}: {} events", many.len()),
        ),
    }
}

/// Checks every booking against the archive: exactly one booking per (partner,
/// reference), and each showing its newest archived delivery, which must be `applied`.
pub async fn check_bookings(
    db: &DatabaseConnection,
    plan: &Plan,
    archive: &Archive,
    problems: &mut Problems,
) {
    let rows = entity::booking::Entity::find()
        .all(db)
        .await
        .expect("read bookings");
    let mut by_key: HashMap<(String, String), Vec<entity::booking::Model>> = HashMap::new();
    for row in rows {
        by_key
            .entry((row.partner.clone(), row.reference.clone()))
            .or_default()
            .push(row);
    }
    let planned: HashMap<(String, String), usize> = plan
        .bookings
        .iter()
        .enumerate()
        .map(|(i, b)| ((b.partner.name().to_owned(), b.reference.clone()), i))
        .collect();
    for key in by_key.keys() {
        if !planned.contains_key(key) {
            problems.add("booking nobody sent", format!("{key:?}"));
        }
    }
    let deliveries = plan.all();
    for (index, booking) in plan.bookings.iter().enumerate() {
        let key = (booking.partner.name().to_owned(), booking.reference.clone());
        let newest = deliveries
            .iter()
            .filter(|d| d.booking == index && !archive.of(d).is_empty())
            .max_by_key(|d| d.seq);
        let rows = by_key.get(&key).map_or(&[][..], Vec::as_slice);
        match (newest, rows) {
            (None, []) => {}
            (None, _) => problems.add("booking without an archived delivery", format!("{key:?}")),
            (Some(_), []) => problems.add("booking missing", format!("{key:?}")),
            (Some(newest), [row]) => {
                let event = &archive.of(newest)[0];
                if event.status != entity::EventStatus::Applied {
                    problems.add(
                        "newest delivery of a booking not applied",
                        format!(
                            "{key:?} seq {}: {:?} {:?}",
                            newest.seq, event.status, event.error
                        ),
                    );
                }
                if let Err(diff) = booking.partner.shows(row, newest.seq) {
                    problems.add(
                        "booking does not show its newest delivery (lost update)",
                        format!("{key:?} newest seq {}: {diff}", newest.seq),
                    );
                }
            }
            (Some(_), many) => problems.add(
                "more than one booking per reference",
                format!("{key:?}: {} rows", many.len()),
            ),
        }
    }
}

/// Counts of answers by status (and outcome), for the summary line.
pub fn tally<'a>(attempts: impl IntoIterator<Item = &'a Attempt>) -> String {
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for attempt in attempts {
        let key = match (&attempt.reply, attempt.outcome()) {
            (Ok(reply), Some(outcome)) => format!("{} {outcome}", reply.status),
            (Ok(reply), None) => match reply.json["error"]["code"].as_str() {
                Some(code) => format!("{} {code}", reply.status),
                None => reply.status.to_string(),
            },
            (Err(_), _) => "no answer".to_owned(),
        };
        *counts.entry(key).or_default() += 1;
    }
    counts
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Sends each delivery to its base URL, `concurrency` at a time; the attempts in the
/// same order.
pub async fn send_all(
    client: &reqwest::Client,
    jobs: Vec<(String, Delivery)>,
    concurrency: usize,
    bearer: &str,
) -> Vec<Attempt> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    let jobs = Arc::new(jobs);
    let next = Arc::new(AtomicUsize::new(0));
    let attempts: Arc<Mutex<Vec<Option<Attempt>>>> =
        Arc::new(Mutex::new((0..jobs.len()).map(|_| None).collect()));
    let workers: Vec<_> = (0..concurrency.min(jobs.len()))
        .map(|_| {
            let (jobs, next, attempts) = (jobs.clone(), next.clone(), attempts.clone());
            let (client, bearer) = (client.clone(), bearer.to_owned());
            tokio::spawn(async move {
                loop {
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    let Some((url, delivery)) = jobs.get(index) else {
                        break;
                    };
                    let attempt = send(&client, url, delivery, &bearer).await;
                    attempts.lock().expect("attempts")[index] = Some(attempt);
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.expect("delivery worker");
    }
    let attempts = std::mem::take(&mut *attempts.lock().expect("attempts"));
    attempts
        .into_iter()
        .map(|a| a.expect("every delivery was sent"))
        .collect()
}
