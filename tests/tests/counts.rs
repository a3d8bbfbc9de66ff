//! The analysts' counts (CONTRACT §6) after a varied run of real deliveries: every
//! filter alone and combined, `totalCount` and the counts by status and destination
//! against paging through all the nodes, and every counter against counting the rows.
//! Then the counters tampered with, and `ingest recount` restoring them; and a
//! database whose rows were written before the counters existed, migrated.

use sea_orm::ConnectionTrait;
use serde_json::{json, Value};
use tests::counts::{api_problems, counter_problems};
use tests::{fixture, partners, spawn_app, Auth, TestApp};

/// A Hahn Air create of `reference` to `destination` (code, name, country), with its
/// trip start, booking date and source time.
fn hahn_create(
    reference: &str,
    (code, name, country): (&str, &str, &str),
    trip_start: &str,
    booked: &str,
    updated: &str,
) -> String {
    let mut body: Value = serde_json::from_str(&fixture("hahn_air/booking-create.json")).unwrap();
    body["bookingId"] = json!(reference);
    body["tripStart"] = json!(trip_start);
    body["bookingDate"] = json!(booked);
    body["updatedAt"] = json!(updated);
    let fields = body.as_object_mut().unwrap();
    fields.remove("tripEnd");
    fields.insert("destinationAirportCode".into(), json!(code));
    fields.insert("destinationName".into(), json!(name));
    fields.insert("destinationCountry".into(), json!(country));
    body.to_string()
}

async fn deliver(app: &TestApp, path: &str, body: &str, auth: Auth, want: &str) -> Value {
    let reply = app.post(path, body, auth).await;
    if want == "rejected" {
        assert_eq!(reply.status, 422, "{path}: {}", reply.json);
    } else {
        assert_eq!(
            reply.json["status"], want,
            "{path}: {} {}",
            reply.status, reply.json
        );
    }
    reply.json
}

const LIS: (&str, &str, &str) = ("LIS", "Lisbon", "PT");
const BCN: (&str, &str, &str) = ("BCN", "Barcelona", "ES");

/// Creates, updates, status moves both ways, cancellations, destination and date
/// changes, duplicates, stale, ignored, rejected (twice), failed then retried, over
/// five partners.
async fn varied_run(app: &TestApp) {
    let create = "hahn-air/booking-create";
    let update = "hahn-air/booking-update";
    let cancel = "hahn-air/booking-cancel";
    let hahn = partners::hahn;
    // Trip starts spread over days, one in another offset (04:30 UTC on the 10th),
    // one exactly at midnight; booking dates likewise.
    let plan = [
        (
            "HC0001",
            LIS,
            "2024-02-09T08:21:41Z",
            "2024-01-12T14:03:27Z",
        ),
        (
            "HC0002",
            BCN,
            "2024-02-09T23:30:00-05:00",
            "2024-01-13T00:00:00Z",
        ),
        (
            "HC0003",
            LIS,
            "2024-02-11T00:00:00Z",
            "2024-01-14T12:00:00+02:00",
        ),
        (
            "HC0004",
            BCN,
            "2024-02-12T18:00:00+01:00",
            "2024-01-12T23:59:59Z",
        ),
        (
            "HC0005",
            LIS,
            "2024-02-10T12:00:00Z",
            "2024-01-15T08:00:00Z",
        ),
        (
            "HC0006",
            ("OPO", "Porto", "PT"),
            "2024-02-13T09:00:00Z",
            "2024-01-13T09:00:00Z",
        ),
    ];
    for (reference, destination, trip, booked) in plan {
        let body = hahn_create(reference, destination, trip, booked, "2024-01-20T10:00:00Z");
        deliver(app, create, &body, hahn(), "applied").await;
    }
    // A duplicate changes nothing.
    let again = hahn_create("HC0002", BCN, plan[1].2, plan[1].3, "2024-01-20T10:00:00Z");
    deliver(app, create, &again, hahn(), "duplicate").await;
    // Destination and trip start day change.
    let moved = json!({"bookingId": "HC0001", "destinationAirportCode": "BCN",
        "destinationName": "Barcelona", "destinationCountry": "ES",
        "tripStart": "2024-02-12T10:00:00Z", "updatedAt": "2024-01-21T10:00:00Z"});
    deliver(app, update, &moved.to_string(), hahn(), "applied").await;
    // Older than what is applied: stale.
    let old = json!({"bookingId": "HC0001", "bagCount": 9, "updatedAt": "2024-01-19T10:00:00Z"});
    deliver(app, update, &old.to_string(), hahn(), "stale").await;
    // Cancelled; and cancelled then confirmed again by a newer create.
    for reference in ["HC0003", "HC0005"] {
        let body = json!({"bookingId": reference, "updatedAt": "2024-01-22T10:00:00Z"});
        deliver(app, cancel, &body.to_string(), hahn(), "applied").await;
    }
    let revived = hahn_create("HC0005", LIS, plan[4].2, plan[4].3, "2024-01-23T10:00:00Z");
    deliver(app, create, &revived, hahn(), "applied").await;
    // Refused, and the identical resend refused again (both archived).
    let invalid = fixture("hahn_air/booking-create-invalid.json");
    deliver(app, create, &invalid, hahn(), "rejected").await;
    deliver(app, create, &invalid, hahn(), "rejected").await;
    // Failed (a table taken away), then applied when the partner retries it.
    app.db
        .execute_unprepared("ALTER TABLE passenger RENAME TO passenger_away")
        .await
        .unwrap();
    let failing = hahn_create(
        "HC0007",
        LIS,
        "2024-02-14T10:00:00Z",
        "2024-01-16T10:00:00Z",
        "2024-01-20T10:00:00Z",
    );
    let reply = app.post(create, &failing, hahn()).await;
    assert_eq!(reply.status, 500, "{}", reply.json);
    let problems = counter_problems(&app.db).await;
    assert!(problems.is_empty(), "with a failed delivery: {problems:#?}");
    app.db
        .execute_unprepared("ALTER TABLE passenger_away RENAME TO passenger")
        .await
        .unwrap();
    deliver(app, create, &failing, hahn(), "applied").await;

    // Other partners: created, ticketed, cancelled, ignored.
    deliver(
        app,
        "airgateway",
        &fixture("airgateway/order-created.json"),
        partners::agw(),
        "applied",
    )
    .await;
    deliver(
        app,
        "airgateway",
        &fixture("airgateway/seats-addition-on-hold.json"),
        partners::agw(),
        "applied",
    )
    .await;
    deliver(
        app,
        "traxo",
        &fixture("traxo/trip_created.json"),
        partners::traxo(),
        "applied",
    )
    .await;
    deliver(
        app,
        "traxo",
        &fixture("traxo/email_created.json"),
        partners::traxo(),
        "ignored",
    )
    .await;
    deliver(
        app,
        "traxo",
        &fixture("traxo/trip_updated_cancelled.json"),
        partners::traxo(),
        "applied",
    )
    .await;
    deliver(
        app,
        "spotnana",
        &fixture("spotnana/pnr-booking-created.json"),
        partners::spotnana(),
        "applied",
    )
    .await;
    deliver(
        app,
        "spotnana",
        &fixture("spotnana/pnr-booking-ticketed.json"),
        partners::spotnana(),
        "applied",
    )
    .await;
    deliver(
        app,
        "transfers",
        &fixture("ground_transfer/booking-new.json"),
        partners::transfers(),
        "applied",
    )
    .await;

    // The moves the counters must follow did happen.
    let status = |reference: &'static str| async move {
        app.booking("hahn-air", reference).await.unwrap().status
    };
    assert_eq!(status("HC0003").await, entity::BookingStatus::Cancelled);
    assert_eq!(status("HC0005").await, entity::BookingStatus::Confirmed);
    let moved = app.booking("hahn-air", "HC0001").await.unwrap();
    assert_eq!(moved.destination_code.as_deref(), Some("BCN"));
}

/// Every combination of a few values per field, with `null` for "not given".
fn combinations(fields: &[(&str, Vec<Value>)]) -> Vec<Value> {
    let mut filters = vec![json!({})];
    for (field, values) in fields {
        let mut next = Vec::new();
        for filter in &filters {
            for value in values {
                let mut filter = filter.clone();
                if !value.is_null() {
                    filter[*field] = value.clone();
                }
                next.push(filter);
            }
        }
        filters = next;
    }
    filters
}

fn booking_filters() -> Vec<Value> {
    let none = Value::Null;
    let mut filters = combinations(&[
        (
            "partner",
            vec![none.clone(), json!("hahn-air"), json!("traxo")],
        ),
        (
            "status",
            vec![none.clone(), json!("CONFIRMED"), json!("CANCELLED")],
        ),
        (
            "destination",
            vec![none.clone(), json!("LIS"), json!("bcn")],
        ),
        (
            "tripStartFrom",
            vec![
                none.clone(),
                json!("2024-02-09T12:00:00Z"),
                json!("2024-02-10T00:00:00+00:00"),
            ],
        ),
        (
            "tripStartTo",
            vec![
                none.clone(),
                json!("2024-02-12T09:00:00-03:00"),
                json!("2024-02-10T05:00:00Z"),
            ],
        ),
    ]);
    filters.extend(combinations(&[
        ("partner", vec![none.clone(), json!("hahn-air")]),
        ("status", vec![none.clone(), json!("CONFIRMED")]),
        ("destination", vec![none.clone(), json!("BCN")]),
        (
            "bookedFrom",
            vec![none.clone(), json!("2024-01-12T20:00:00+05:30")],
        ),
        (
            "bookedTo",
            vec![none.clone(), json!("2024-01-14T10:00:00Z")],
        ),
        ("tripStartFrom", vec![none, json!("2024-02-10T00:00:00Z")]),
    ]));
    filters
}

async fn event_filters(app: &TestApp) -> Vec<Value> {
    let none = Value::Null;
    let booking_id = app
        .booking("hahn-air", "HC0001")
        .await
        .unwrap()
        .id
        .to_string();
    // Deliveries are received now: ranges with partial edge days around today.
    let now = chrono::Utc::now();
    let at = |hours: i64| json!((now + chrono::Duration::hours(hours)).to_rfc3339());
    let today = now.date_naive().and_hms_opt(0, 0, 0).unwrap().and_utc();
    combinations(&[
        (
            "partner",
            vec![none.clone(), json!("hahn-air"), json!("traxo")],
        ),
        (
            "status",
            vec![
                none.clone(),
                json!("APPLIED"),
                json!("REJECTED"),
                json!("STALE"),
                json!("IGNORED"),
                json!("FAILED"),
            ],
        ),
        ("type", vec![none.clone(), json!("booking-create")]),
        ("bookingId", vec![none.clone(), json!(booking_id)]),
        (
            "receivedFrom",
            vec![none.clone(), at(-50), json!(today.to_rfc3339())],
        ),
        (
            "receivedTo",
            vec![
                none,
                at(30),
                json!((now + chrono::Duration::seconds(1))
                    .with_timezone(&chrono::FixedOffset::east_opt(-7 * 3600).unwrap())
                    .to_rfc3339()),
            ],
        ),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_count_equals_counting_the_rows_and_recount_repairs_tampered_counters() {
    let app = spawn_app().await;
    varied_run(&app).await;
    let problems = counter_problems(&app.db).await;
    assert!(problems.is_empty(), "{problems:#?}");

    let bookings = booking_filters();
    let events = event_filters(&app).await;
    let (problems, seen) = api_problems(&app, &bookings, &events).await;
    assert!(
        problems.is_empty(),
        "{} problems: {problems:#?}",
        problems.len()
    );
    assert!(seen > 500, "the filters match something ({seen} nodes)");

    // `partners` lists everyone with a booking or an event.
    let reply = app.graphql("analyst", "{ partners }", json!({})).await;
    assert_eq!(
        reply.json["data"]["partners"],
        json!(["airgateway", "hahn-air", "spotnana", "transfers", "traxo"])
    );

    // Tampered with: counts drift from the rows, until `ingest recount`.
    app.db
        .execute_unprepared("UPDATE tally SET n = n + 3 WHERE dimension = 'destination'")
        .await
        .unwrap();
    app.db
        .execute_unprepared(
            "DELETE FROM tally WHERE dimension IN ('type', 'received') AND status = 'applied'",
        )
        .await
        .unwrap();
    assert!(!counter_problems(&app.db).await.is_empty());
    let (problems, _) = api_problems(&app, &[json!({})], &[json!({})]).await;
    assert_eq!(problems.len(), 4, "{problems:#?}");

    use clap::Parser;
    let cli = ingest::config::Cli::try_parse_from([
        "ingest",
        "--database-url",
        &app.database_url,
        "recount",
    ])
    .unwrap();
    ingest::recount::run(&cli.config).await.unwrap();
    let problems = counter_problems(&app.db).await;
    assert!(problems.is_empty(), "{problems:#?}");
    let (problems, _) = api_problems(&app, &bookings[..20], &events[..20]).await;
    assert!(problems.is_empty(), "{problems:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_migration_fills_the_counters_from_rows_written_before_it() {
    use migration::MigratorTrait;
    let app = spawn_app().await;
    varied_run(&app).await;
    // Back to the schema before the counters (undoing every migration after them, then
    // the counters): the rows stay, the counters go.
    let steps = migration::Migrator::migrations()
        .iter()
        .rev()
        .position(|m| m.name() == "m20261202_000002_counts")
        .unwrap()
        + 1;
    migration::Migrator::down(&app.db, Some(u32::try_from(steps).unwrap()))
        .await
        .unwrap();
    let gone = app
        .db
        .execute_unprepared("SELECT count(*) FROM tally")
        .await;
    assert!(gone.is_err(), "the counters are gone before the migration");
    // And rows changed then, which nothing counted.
    for statement in [
        "UPDATE booking SET status = 'TICKETED' WHERE reference = 'HC0002'",
        "UPDATE event SET status = 'failed' WHERE status = 'stale'",
    ] {
        app.db.execute_unprepared(statement).await.unwrap();
    }

    migration::Migrator::up(&app.db, None).await.unwrap();
    let problems = counter_problems(&app.db).await;
    assert!(problems.is_empty(), "{problems:#?}");
    let (problems, seen) = api_problems(
        &app,
        &booking_filters()[..60],
        &event_filters(&app).await[..60],
    )
    .await;
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(seen > 100, "{seen} nodes");
}

/// A destination with a trip-start or booking-date range is counted from counters per
/// destination and day (`m20261204_000001_destination_days`), not from its rows: with
/// those counters undone the counts are wrong, and the migration fills them again from
/// the rows already stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_destination_with_a_date_range_is_counted_from_day_counters_the_migration_fills() {
    use migration::MigratorTrait;
    let app = spawn_app().await;
    varied_run(&app).await;
    let ranged: Vec<Value> = booking_filters()
        .into_iter()
        .filter(|filter| {
            let has = |field: &str| filter.get(field).is_some_and(|v| !v.is_null());
            has("destination")
                && (has("tripStartFrom") || has("tripStartTo"))
                    != (has("bookedFrom") || has("bookedTo"))
        })
        .collect();
    assert!(ranged.len() > 20, "{} filters", ranged.len());
    let (problems, seen) = api_problems(&app, &ranged, &[]).await;
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(seen > 20, "the filters match something ({seen} nodes)");

    migration::Migrator::down(&app.db, Some(1)).await.unwrap();
    let (problems, _) = api_problems(&app, &ranged, &[]).await;
    assert!(
        !problems.is_empty(),
        "without the destination day counters the counts are wrong: they are read"
    );

    migration::Migrator::up(&app.db, None).await.unwrap();
    let problems = counter_problems(&app.db).await;
    assert!(problems.is_empty(), "{problems:#?}");
    let (problems, _) = api_problems(&app, &ranged, &[]).await;
    assert!(problems.is_empty(), "{problems:#?}");
}
