//! Checks of the analysts' counts: the counters ingest keeps against the rows they
//! count, and the api's counts against paging through the nodes they count.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, QuerySelect, Statement};
use serde_json::{json, Value};

use crate::TestApp;

/// A counter key: dimension, partner, status, value, name, country.
type Key = (String, String, String, String, String, String);

fn day(at: Option<DateTime<Utc>>) -> String {
    at.map(|at| at.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// What the counters should hold, counted from the rows here.
async fn expected(db: &DatabaseConnection) -> BTreeMap<Key, i64> {
    use entity::{booking, event};
    let mut counts = BTreeMap::<Key, i64>::new();
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let bookings = booking::Entity::find().all(db).await.expect("bookings");
    for b in &bookings {
        let status = sea_orm::ActiveEnum::to_value(&b.status);
        let code = text(&b.destination_code);
        let mut keys = vec![
            (
                "destination",
                code.clone(),
                text(&b.destination_name),
                text(&b.destination_country),
            ),
            (
                "trip_start",
                day(b.trip_start),
                String::new(),
                String::new(),
            ),
            ("booked", day(b.booked_at), String::new(), String::new()),
        ];
        // Per destination and day, for bookings with a destination.
        if !code.is_empty() {
            keys.push(("trip_dest", day(b.trip_start), code.clone(), String::new()));
            keys.push(("booked_dest", day(b.booked_at), code, String::new()));
        }
        for (dimension, value, name, country) in keys {
            let key = (
                dimension.to_owned(),
                b.partner.clone(),
                status.clone(),
                value,
                name,
                country,
            );
            *counts.entry(key).or_default() += 1;
        }
    }
    let events: Vec<(String, entity::EventStatus, String, DateTime<Utc>)> = event::Entity::find()
        .select_only()
        .column(event::Column::Partner)
        .column(event::Column::Status)
        .column(event::Column::EventType)
        .column(event::Column::ReceivedAt)
        .into_tuple()
        .all(db)
        .await
        .expect("events");
    for (partner, status, event_type, received_at) in events {
        let status = sea_orm::ActiveEnum::to_value(&status);
        for (dimension, value) in [
            ("type", event_type.clone()),
            ("received", day(Some(received_at))),
        ] {
            let key = (
                dimension.to_owned(),
                partner.clone(),
                status.clone(),
                value,
                String::new(),
                String::new(),
            );
            *counts.entry(key).or_default() += 1;
        }
    }
    counts
}

/// What the counters hold, summed over their slots; keys that sum to 0 left out.
pub async fn counters(db: &DatabaseConnection) -> BTreeMap<Key, i64> {
    let sql = "SELECT dimension, partner, status, value, name, country, \
         CAST(SUM(n) AS BIGINT) AS n FROM tally \
         GROUP BY dimension, partner, status, value, name, country";
    let mut counts = BTreeMap::new();
    for row in db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("counters")
    {
        let get = |column: &str| row.try_get::<String>("", column).expect(column);
        let n: i64 = row.try_get("", "n").expect("n");
        if n != 0 {
            let key = (
                get("dimension"),
                get("partner"),
                get("status"),
                get("value"),
                get("name"),
                get("country"),
            );
            counts.insert(key, n);
        }
    }
    counts
}

/// Every counter that differs from counting the rows, described.
pub async fn counter_problems(db: &DatabaseConnection) -> Vec<String> {
    let want = expected(db).await;
    let got = counters(db).await;
    let mut problems = Vec::new();
    for key in want
        .keys()
        .chain(got.keys())
        .collect::<std::collections::BTreeSet<_>>()
    {
        let (w, g) = (
            want.get(key).copied().unwrap_or(0),
            got.get(key).copied().unwrap_or(0),
        );
        if w != g {
            problems.push(format!(
                "counter {key:?}: the rows count {w}, the counter says {g}"
            ));
        }
    }
    problems
}

/// Every node of `field` (`bookings` or `events`) matching `filter`, walking the
/// pages, and the `totalCount` of the first page.
async fn walk(app: &TestApp, field: &str, node: &str, filter: &Value) -> (Vec<Value>, u64) {
    let filter_type = if field == "bookings" {
        "BookingFilter"
    } else {
        "EventFilter"
    };
    let query = format!(
        "query ($filter: {filter_type}, $after: String) {{ {field}(filter: $filter, first: 100, \
         after: $after) {{ totalCount pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {node} }} }} }} }}"
    );
    let mut nodes = Vec::new();
    let mut total = None;
    let mut after = Value::Null;
    loop {
        let reply = app
            .graphql("analyst", &query, json!({"filter": filter, "after": after}))
            .await;
        let data = &reply.json["data"][field];
        assert!(
            reply.json.get("errors").is_none() && data.is_object(),
            "{field}({filter}): {}",
            reply.json
        );
        total.get_or_insert_with(|| data["totalCount"].as_u64().expect("totalCount"));
        nodes.extend(
            data["edges"]
                .as_array()
                .expect("edges")
                .iter()
                .map(|edge| edge["node"].clone()),
        );
        if data["pageInfo"]["hasNextPage"] != json!(true) {
            break;
        }
        after = data["pageInfo"]["endCursor"].clone();
    }
    (nodes, total.unwrap_or_default())
}

/// A `Place` (or null) as code, name, country.
fn place(value: &Value) -> (Option<String>, Option<String>, Option<String>) {
    let text = |field: &str| value[field].as_str().map(str::to_owned);
    (text("code"), text("name"), text("country"))
}

/// For each bookings filter: `totalCount`, `bookingCountsByStatus` and
/// `bookingCountsByDestination` against the nodes of all pages; for each events filter,
/// `totalCount` against the nodes. Returns what differs and how many nodes were seen.
pub async fn api_problems(
    app: &TestApp,
    booking_filters: &[Value],
    event_filters: &[Value],
) -> (Vec<String>, usize) {
    let mut problems = Vec::new();
    let mut seen = 0;
    for filter in booking_filters {
        let (nodes, total) = walk(
            app,
            "bookings",
            "status destination { code name country }",
            filter,
        )
        .await;
        seen += nodes.len();
        if total != nodes.len() as u64 {
            problems.push(format!(
                "bookings({filter}): totalCount {total}, {} nodes",
                nodes.len()
            ));
        }
        let reply = app
            .graphql(
                "analyst",
                "query ($filter: BookingFilter) { bookingCountsByStatus(filter: $filter) { status count } \
                 bookingCountsByDestination(filter: $filter, first: 100) { destination { code name country } count } }",
                json!({"filter": filter}),
            )
            .await;
        assert!(reply.json.get("errors").is_none(), "{}", reply.json);
        let mut by_status = BTreeMap::<String, i64>::new();
        // Per code: the greatest name and country among its bookings, and how many.
        type Place = (Option<String>, Option<String>);
        let mut by_destination = BTreeMap::<Option<String>, (Place, i64)>::new();
        for node in &nodes {
            *by_status
                .entry(node["status"].as_str().unwrap_or_default().to_owned())
                .or_default() += 1;
            let (code, name, country) = place(&node["destination"]);
            let entry = by_destination.entry(code).or_default();
            entry.0 .0 = entry.0 .0.clone().max(name);
            entry.0 .1 = entry.0 .1.clone().max(country);
            entry.1 += 1;
        }
        let got_status: BTreeMap<String, i64> = reply.json["data"]["bookingCountsByStatus"]
            .as_array()
            .expect("counts by status")
            .iter()
            .map(|c| {
                (
                    c["status"].as_str().unwrap_or_default().to_owned(),
                    c["count"].as_i64().unwrap_or(-1),
                )
            })
            .collect();
        if got_status != by_status {
            problems.push(format!(
                "bookingCountsByStatus({filter}): {got_status:?}, the nodes: {by_status:?}"
            ));
        }
        let got_destination: BTreeMap<Option<String>, (Place, i64)> = reply.json["data"]
            ["bookingCountsByDestination"]
            .as_array()
            .expect("counts by destination")
            .iter()
            .map(|c| {
                let (code, name, country) = place(&c["destination"]);
                (code, ((name, country), c["count"].as_i64().unwrap_or(-1)))
            })
            .collect();
        if got_destination != by_destination {
            problems.push(format!(
                "bookingCountsByDestination({filter}): {got_destination:?}, the nodes: {by_destination:?}"
            ));
        }
    }
    for filter in event_filters {
        let (nodes, total) = walk(app, "events", "id", filter).await;
        seen += nodes.len();
        if total != nodes.len() as u64 {
            problems.push(format!(
                "events({filter}): totalCount {total}, {} nodes",
                nodes.len()
            ));
        }
    }
    (problems, seen)
}
