//! Property tests over every adapter: arbitrary JSON, and the partners' samples with
//! any field replaced by any value, under any topic. An adapter never panics, and a
//! refusal always names its fields and says why. Bounded (a few hundred cases each),
//! so they run in CI with the other unit tests.

use proptest::prelude::*;
use serde_json::{Map, Value};

use crate::canonical::{AdapterError, Request};
use crate::{understand, Adapter, BUILT_IN};

/// One sample per adapter, with the topic it comes on.
const SAMPLES: [(&str, Option<&str>, &str); 7] = [
    (
        "hahn_air",
        Some("booking-create"),
        include_str!("../../tests/fixtures/hahn_air/booking-create.json"),
    ),
    (
        "hahn_air",
        Some("booking-cancel"),
        include_str!("../../tests/fixtures/hahn_air/booking-cancel-leg-2.json"),
    ),
    (
        "airgateway",
        None,
        include_str!("../../tests/fixtures/airgateway/order-created.json"),
    ),
    (
        "spotnana",
        None,
        include_str!("../../tests/fixtures/spotnana/pnr-booking-created.json"),
    ),
    (
        "traxo",
        None,
        include_str!("../../tests/fixtures/traxo/trip_segment_added.json"),
    ),
    (
        "ground_transfer",
        None,
        include_str!("../../tests/fixtures/ground_transfer/booking-new.json"),
    ),
    (
        "ground_transfer",
        Some("44225562"),
        include_str!("../../tests/fixtures/ground_transfer/booking-cancellation.json"),
    ),
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,40}".prop_map(Value::String),
        // Shapes adapters look for: dates, codes, phones, numbers as text.
        prop_oneof![
            Just("2024-02-30T25:00:00Z"),
            Just("+10000-01-01T00:00:00Z"),
            Just("2024-03-31T02:30:00"),
            Just("2024-06-01"),
            Just("LHR"),
            Just("BA12345"),
            Just("+44 1632 960881"),
            Just("1234-0"),
            Just("-1"),
            Just("\u{0}"),
        ]
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((field_name(), inner), 0..6)
                .prop_map(|fields| Value::Object(fields.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Field names the adapters read, and others.
fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "bookingId",
            "tripStart",
            "updatedAt",
            "event",
            "agwID",
            "fullPath",
            "event_type",
            "operation",
            "timestamp",
            "payload",
            "pnrId",
            "airPnr",
            "legs",
            "flights",
            "id",
            "type",
            "created",
            "data",
            "object",
            "segments",
            "action",
            "leadPassenger",
            "bookingReference",
            "phoneNumber",
            "status",
        ])
        .prop_map(str::to_owned),
        "[a-zA-Z_]{1,12}",
    ]
}

/// The topics the adapters serve, from the table ([`BUILT_IN`]'s listed topics and
/// AirGateway's event names), a ground-transfer booking reference, or any text.
fn topic() -> impl Strategy<Value = Option<String>> {
    let mut known: Vec<&'static str> = BUILT_IN
        .iter()
        .flat_map(|adapter| match adapter.topics() {
            crate::Topics::Listed(names) => names.to_vec(),
            crate::Topics::None | crate::Topics::Any => Vec::new(),
        })
        .chain(crate::airgateway::events::names())
        .collect();
    known.push("44225562");
    prop_oneof![
        Just(None),
        prop::sample::select(known).prop_map(|t| Some(t.to_owned())),
        ".{0,20}".prop_map(Some),
    ]
}

/// Every leaf of `value` as a JSON Pointer.
fn pointers(value: &Value, at: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => map
            .iter()
            .for_each(|(k, v)| pointers(v, &format!("{at}/{k}"), out)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, v)| pointers(v, &format!("{at}/{i}"), out)),
        _ => out.push(at.to_owned()),
    }
    if !at.is_empty() {
        out.push(at.to_owned());
    }
}

/// Runs the adapter; fails the property on a panic or on a refusal without reasons.
fn check(adapter: &dyn Adapter, topic: Option<&str>, body: &Value) -> Result<(), TestCaseError> {
    let outcome = std::panic::catch_unwind(|| understand(adapter, Request { topic, body }));
    let Ok(result) = outcome else {
        return Err(TestCaseError::fail(format!(
            "{} panicked on topic {topic:?}, body {body}",
            adapter.name()
        )));
    };
    match result {
        Err(AdapterError::Invalid(fields)) => {
            prop_assert!(!fields.is_empty(), "a refusal names its fields");
            for field in fields {
                prop_assert!(!field.field.is_empty() && !field.message.is_empty());
            }
        }
        Err(AdapterError::UnknownTopic(_)) | Ok(_) => {}
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_json_never_panics_an_adapter(body in json_value(), topic in topic(), which in 0..BUILT_IN.len()) {
        check(BUILT_IN[which], topic.as_deref(), &body)?;
    }

    #[test]
    fn a_sample_with_any_field_replaced_never_panics(which in 0..SAMPLES.len(), pick in any::<prop::sample::Index>(), value in json_value()) {
        let (name, topic, sample) = SAMPLES[which];
        let adapter = crate::built_in(name).expect("a built-in adapter");
        let mut body: Value = serde_json::from_str(sample).unwrap();
        let mut at = Vec::new();
        pointers(&body, "", &mut at);
        let pointer = pick.get(&at).clone();
        *body.pointer_mut(&pointer).unwrap() = value;
        check(&*adapter, topic, &body)?;
    }
}
