//! The shipped mappings give the same canonical change as the built-in adapters on every
//! fixture of those adapters (CONTRACT §4.6), and mapping mistakes stop the load with
//! file, line and key.

use std::collections::BTreeSet;

use serde_json::Value;

use super::Mapping;
use crate::canonical::{AdapterError, Delivery, Request};
use crate::{understand, Adapter};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

fn mapping(name: &str) -> Mapping {
    Mapping::load(format!("{ROOT}/mappings/{name}.toml").as_ref()).unwrap_or_else(|e| panic!("{e}"))
}

/// A fixture as the HTTP layer hands it on: JSON, or a form read as an object of strings.
fn body(path: &str) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    if path.ends_with(".form") {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&text).unwrap();
        Value::Object(
            pairs
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect(),
        )
    } else {
        serde_json::from_str(&text).unwrap()
    }
}

#[derive(Debug, PartialEq)]
enum Outcome {
    Ok(Box<Delivery>),
    Invalid(BTreeSet<String>),
    UnknownTopic(String),
}

fn outcome(result: Result<Delivery, AdapterError>) -> Outcome {
    match result {
        Ok(d) => Outcome::Ok(Box::new(d)),
        Err(AdapterError::Invalid(fields)) => {
            Outcome::Invalid(fields.into_iter().map(|f| f.field).collect())
        }
        Err(AdapterError::UnknownTopic(t)) => Outcome::UnknownTopic(t),
    }
}

fn fixtures(dir: &str) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(format!("{ROOT}/tests/fixtures/{dir}"))
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .filter(|p| p.ends_with(".json") || p.ends_with(".form"))
        .collect();
    files.sort();
    files
}

fn compare(kind: &dyn Adapter, mapping: &Mapping, path: &str, topic: Option<&str>) {
    let body = body(path);
    let request = Request { topic, body: &body };
    let built_in = outcome(understand(kind, request));
    let mapped = outcome(mapping.normalize(request));
    assert_eq!(mapped, built_in, "{path} (topic {topic:?})");
    assert_eq!(
        mapping.event_type(request),
        kind.event_type(request),
        "{path}: event type"
    );
    assert_eq!(mapping.reply(topic), kind.reply(topic), "{path}: reply");
}

fn hahn_air_topic(file: &str) -> &'static str {
    let name = file.rsplit('/').next().unwrap();
    if name.starts_with("booking-update") || name.starts_with("06_") {
        "booking-update"
    } else if name.starts_with("booking-cancel")
        || ["03_", "04_", "13_"].iter().any(|p| name.starts_with(p))
    {
        "booking-cancel"
    } else {
        "booking-create"
    }
}

#[test]
fn the_hahn_air_mapping_gives_the_built_in_change_on_every_fixture() {
    let mapping = mapping("hahn_air");
    assert!(mapping.accepts_form());
    let files: Vec<String> = [fixtures("hahn_air"), fixtures("real/hahn_air")].concat();
    assert_eq!(files.len(), 28);
    for file in &files {
        compare(
            &crate::hahn_air::HahnAir,
            &mapping,
            file,
            Some(hahn_air_topic(file)),
        );
    }
    // An unknown or missing topic is refused the same way.
    compare(
        &crate::hahn_air::HahnAir,
        &mapping,
        &files[0],
        Some("booking-delete"),
    );
    compare(&crate::hahn_air::HahnAir, &mapping, &files[0], None);
}

fn ground_transfer_topic(file: &str) -> Option<&'static str> {
    let name = file.rsplit('/').next().unwrap();
    match name {
        "booking-amendment.json" | "booking-cancellation.json" => Some("44225562"),
        "booking-update-invalid-action.json" => Some("44225562"),
        "booking-amendment-pickup-offset.json" => Some("51000417"),
        _ if name.starts_with("04_") || name.starts_with("06_") => Some("61882047"),
        _ if name.starts_with("05_") => Some("61882111"),
        _ if name.starts_with("08_") || name.starts_with("09_") => Some("44225562"),
        _ => None,
    }
}

#[test]
fn the_ground_transfer_mapping_gives_the_built_in_change_on_every_fixture() {
    let mapping = mapping("ground_transfer");
    let files: Vec<String> = [
        fixtures("ground_transfer"),
        fixtures("real/ground_transfer"),
    ]
    .concat();
    assert_eq!(files.len(), 17);
    for file in &files {
        compare(
            &crate::ground_transfer::GroundTransfer,
            &mapping,
            file,
            ground_transfer_topic(file),
        );
        // Every body also as an update of some booking, and as a new booking.
        compare(
            &crate::ground_transfer::GroundTransfer,
            &mapping,
            file,
            Some("99000001"),
        );
        compare(
            &crate::ground_transfer::GroundTransfer,
            &mapping,
            file,
            None,
        );
    }
}

/// A minimal valid mapping, to break one line at a time.
const SMALL: &str = r#"
[event]
from = "/type"

[events.order-created]
change = "create"
status = "CONFIRMED"

[booking]
reference = "/order/id"
adults = "/order/adults"
"#;

fn problems(text: &str) -> Vec<String> {
    match Mapping::parse(text, "mappings/acme.toml") {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.problems,
    }
}

fn one_problem(text: &str) -> String {
    let problems = problems(text);
    assert_eq!(problems.len(), 1, "{problems:?}");
    problems.into_iter().next().unwrap()
}

#[test]
fn a_small_mapping_loads() {
    assert!(Mapping::parse(SMALL, "mappings/acme.toml").is_ok());
}

#[test]
fn an_unknown_key_is_named_with_file_and_line() {
    let text = SMALL.replace("adults = ", "adultz = ");
    let p = one_problem(&text);
    assert!(
        p.starts_with("mappings/acme.toml:11: key `booking.adultz`"),
        "{p}"
    );
    assert!(p.contains("not a known key") && p.contains("adults"), "{p}");
}

#[test]
fn a_malformed_pointer_is_named_with_file_and_line() {
    let text = SMALL.replace("\"/order/id\"", "\"order.id\"");
    let p = one_problem(&text);
    assert!(
        p.starts_with("mappings/acme.toml:10: key `booking.reference`"),
        "{p}"
    );
    assert!(p.contains("not a JSON Pointer"), "{p}");
    let p = one_problem(&SMALL.replace("/order/adults", "/order/~2adults"));
    assert!(
        p.contains(":11:") && p.contains("not a JSON Pointer"),
        "{p}"
    );
}

#[test]
fn an_unknown_status_is_named_with_file_and_line() {
    let p = one_problem(&SMALL.replace("CONFIRMED", "CONFRIMED"));
    assert!(
        p.starts_with("mappings/acme.toml:7: key `events.order-created.status`"),
        "{p}"
    );
    assert!(p.contains("ON_HOLD"), "{p}");
    let p = one_problem(&SMALL.replace(
        "status = \"CONFIRMED\"",
        "status = { from = \"/state\", values = { AWAITING_PAYMENT = \"PENDING\" } }",
    ));
    assert!(p.contains("status.values.AWAITING_PAYMENT"), "{p}");
}

#[test]
fn a_type_that_cannot_fill_its_field_is_named_with_file_and_line() {
    let p = one_problem(&SMALL.replace("\"/order/adults\"", "{ value = \"two\" }"));
    assert!(
        p.starts_with("mappings/acme.toml:11: key `booking.adults`"),
        "{p}"
    );
    assert!(p.contains("cannot fill this field"), "{p}");
    let p = one_problem(&SMALL.replace(
        "reference = \"/order/id\"",
        "reference = { length_of = \"/order/lines\" }",
    ));
    assert!(
        p.contains("booking.reference.length_of") && p.contains("cannot fill"),
        "{p}"
    );
    let p = one_problem(&format!(
        "{SMALL}booked_at = {{ from = \"/at\", zone = \"Mars/Olympus\" }}\n"
    ));
    assert!(
        p.contains("booking.booked_at.zone") && p.contains("IANA"),
        "{p}"
    );
}

#[test]
fn every_mistake_is_reported_at_once_and_bad_toml_names_its_line() {
    let text = SMALL
        .replace("adults = ", "adultz = ")
        .replace("CONFIRMED", "CONFRIMED")
        .replace("\"create\"", "\"make\"");
    assert_eq!(problems(&text).len(), 3, "{:?}", problems(&text));
    let p = one_problem("[booking]\nreference = \"/id\"\nadults = \n");
    assert!(
        p.starts_with("mappings/acme.toml:3:") && p.contains("TOML"),
        "{p}"
    );
    let p = one_problem(&SMALL.replace(
        "from = \"/type\"",
        "from = \"/type\"\nrules = [{ name = \"order-created\", when = \"paid\" }]",
    ));
    assert!(
        p.contains("event.rules[0].when") && p.contains("no condition \"paid\""),
        "{p}"
    );
}

/// The real-format shapes CONTRACT §4.6 lists, in one made-up partner.
#[test]
fn statuses_from_values_nested_arrays_joins_counts_and_dates_with_times() {
    let mapping = Mapping::parse(
        r#"
[event]
from = "/event"
[events."order.created"]
change = "create"
status = [{ from = "/order/payment", values = { AWAITING = "ON_HOLD" } }, "CONFIRMED"]
[events."order.rebooked"]
change = "update"
replaces_segments = true
reference = "/order/previousId"
[booking]
reference = "/order/id"
adults = { length_of = "/order/travellers" }
[[segments]]
each = ["/journeys", "/legs"]
reference = "/id"
kind = "AIR"
flight_number = { join = ["/carrier", "/number"] }
departure_at = { date = "/date", time = "/time", airport = "/from" }
origin = { code = "/from" }
[[segments]]
kind = "HOTEL"
reference = "/hotel/id"
departure_at = { from = "/hotel/checkIn", zone = "/hotel/zone", dates = true }
"#,
        "acme.toml",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let body = serde_json::json!({
        "event": "order.created",
        "order": {"id": "A1", "payment": "awaiting", "travellers": [{}, {}]},
        "journeys": [
            {"legs": [{"id": "L1", "carrier": "BA", "number": "123", "date": "2024-05-01", "time": "10:30", "from": "LHR"}]},
            {"legs": [{"id": "L2", "carrier": "BA", "number": "124", "date": "2024-05-08", "time": "09:00", "from": "LIS"}]}
        ],
        "hotel": {"id": "H1", "checkIn": "2024-05-02", "zone": "Europe/Lisbon"}
    });
    let d = mapping
        .normalize(Request {
            topic: None,
            body: &body,
        })
        .unwrap();
    let crate::canonical::Action::Apply(c) = d.action else {
        panic!()
    };
    assert_eq!(c.status, Some(crate::BookingStatus::OnHold));
    assert_eq!(c.adults, Some(2));
    let refs: Vec<_> = c
        .segments
        .iter()
        .map(|s| (s.reference.as_str(), s.sequence))
        .collect();
    assert_eq!(refs, [("L1", Some(1)), ("L2", Some(2)), ("H1", Some(1))]);
    assert_eq!(c.segments[0].flight_number.as_deref(), Some("BA123"));
    assert_eq!(c.segments[0].carrier.as_deref(), Some("BA"));
    assert_eq!(
        c.segments[0].departure_at.map(|t| t.to_rfc3339()),
        Some("2024-05-01T09:30:00+00:00".to_owned())
    );
    assert_eq!(
        c.segments[2].departure_at.map(|t| t.to_rfc3339()),
        Some("2024-05-01T23:00:00+00:00".to_owned())
    );
    let rebooked =
        serde_json::json!({"event": "order.rebooked", "order": {"id": "A2", "previousId": "A1"}});
    let d = mapping
        .normalize(Request {
            topic: None,
            body: &rebooked,
        })
        .unwrap();
    let crate::canonical::Action::Apply(c) = d.action else {
        panic!()
    };
    assert_eq!((c.reference.as_str(), c.replaces_segments), ("A1", true));
    let bad = serde_json::json!({"event": "order.paid", "order": {"id": "A1"}});
    match mapping.normalize(Request {
        topic: None,
        body: &bad,
    }) {
        Err(AdapterError::Invalid(fields)) => {
            assert_eq!(fields[0].field, "event");
            assert!(fields[0].message.contains("order.created"), "{fields:?}");
        }
        other => panic!("{other:?}"),
    }
}
