//! A property of the whole GraphQL request path, through real HTTP: whatever a client
//! sends — garbled documents, deep nesting, variables of the wrong type, huge numbers,
//! odd unicode, bodies that are not JSON — the api answers without a 5xx and without a
//! panic, and every refusal is a clear error (JSON, a message without internals, never
//! an internal error for the client's own input).
//!
//! 256 cases from a fixed seed, so a CI run is reproducible; `PROPTEST_RNG_SEED` and
//! `PROPTEST_CASES` explore further.

use std::time::Duration;

use api::auth::Role;
use proptest::{
    collection::{btree_map, vec},
    prelude::*,
    sample::Index,
    test_runner::{Config, RngSeed, TestCaseError, TestRunner},
};
use serde_json::{json, Value};

use crate::support::{spawn_app, TestApp};

/// Names of the schema, so that generated documents often get past parsing into
/// validation and execution, and names of nothing.
const FIELDS: &[&str] = &[
    "booking",
    "bookingByReference",
    "bookings",
    "events",
    "partners",
    "bookingCountsByStatus",
    "bookingCountsByDestination",
    "edges",
    "node",
    "nodes",
    "cursor",
    "pageInfo",
    "hasNextPage",
    "endCursor",
    "totalCount",
    "id",
    "reference",
    "status",
    "tripStart",
    "origin",
    "destination",
    "code",
    "segments",
    "passengers",
    "customer",
    "email",
    "phone",
    "payload",
    "count",
    "__typename",
    "__schema",
    "__type",
    "types",
    "name",
    "fields",
    "ofType",
    "kind",
];
const ARGUMENTS: &[&str] = &[
    "id",
    "first",
    "after",
    "filter",
    "partner",
    "reference",
    "status",
    "name",
    "includeDeprecated",
    "destination",
    "tripStartFrom",
    "receivedTo",
];
const VARIABLES: &[&str] = &[
    "id",
    "first",
    "after",
    "filter",
    "v",
    "partner",
    "reference",
];

fn one_of(names: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(names).prop_map(str::to_owned),
        1 => "[_a-zA-Z][_a-zA-Z0-9]{0,8}",
    ]
}

/// Text with the characters that break things: quotes, backslashes, NUL and other
/// controls, combining marks, right-to-left overrides, astral planes, the BOM.
fn odd_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9_ -]{0,12}",
        "\\PC{0,12}",
        "[\u{0}-\u{1f}\"\\\\\u{7f}\u{85}\u{2028}\u{202e}\u{feff}\u{fffd}]{1,6}",
        proptest::sample::select(
            &[
                "é\u{301}😀\u{10ffff}",
                "0190b0b0-0000-7000-8000-000000000000",
                "hahn-air",
                "1234",
                "LIS",
                "CONFIRMED",
                "2024-03-01T10:00:00Z",
                "2024-13-45T99:00:00+25:00",
                "-999999-01-01T00:00:00Z",
                "djF8MjAyNC0wMi0wMVQwMDowMDowMVp8eA",
            ][..]
        )
        .prop_map(str::to_owned),
    ]
}

/// A GraphQL string literal with `text` escaped as the grammar allows.
fn string_literal(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

/// An argument value as GraphQL text: numbers of every size, strings, enums,
/// variables, nested lists and objects.
fn literal() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        2 => any::<i64>().prop_map(|n| n.to_string()),
        1 => any::<f64>().prop_map(|f| format!("{f:?}")),
        1 => proptest::sample::select(
            &["123456789012345678901234567890", "-1e400", "2147483648", "-0", "101"][..]
        )
        .prop_map(str::to_owned),
        4 => odd_text().prop_map(|text| string_literal(&text)),
        1 => odd_text().prop_map(|text| format!("\"\"\"{text}\"\"\"")),
        2 => proptest::sample::select(&["true", "null", "CANCELLED", "AIR", "$id", "$v", "$nope"][..])
            .prop_map(str::to_owned),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(|items| format!("[{}]", items.join(", "))),
            vec((one_of(ARGUMENTS), inner), 0..4).prop_map(|fields| {
                let fields: Vec<String> = fields.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                format!("{{{}}}", fields.join(", "))
            }),
        ]
    })
}

fn arguments() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => Just(String::new()),
        3 => vec((one_of(ARGUMENTS), literal()), 1..3).prop_map(|args| {
            let args: Vec<String> = args.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            format!("({})", args.join(", "))
        }),
    ]
}

/// A selection: fields with aliases, arguments and directives, spreads and inline
/// fragments, nested.
fn selection() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        6 => one_of(FIELDS),
        1 => proptest::sample::select(&["...A", "...B", "...Missing"][..]).prop_map(str::to_owned),
        1 => Just("name @skip(if: $v)".to_owned()),
    ];
    leaf.prop_recursive(6, 48, 5, |inner| {
        (
            prop::option::weighted(0.2, one_of(FIELDS)),
            one_of(FIELDS),
            arguments(),
            vec(inner, 1..5),
            0..8u8,
        )
            .prop_map(|(alias, name, args, items, shape)| {
                let body = items.join(" ");
                match shape {
                    0 => format!("... on {name} {{ {body} }}"),
                    1 => format!("{name}{args} @include(if: true) {{ {body} }}"),
                    _ => match alias {
                        Some(alias) => format!("{alias}: {name}{args} {{ {body} }}"),
                        None => format!("{name}{args} {{ {body} }}"),
                    },
                }
            })
    })
}

fn document() -> impl Strategy<Value = String> {
    let head = proptest::sample::select(
        &[
            "",
            "query ",
            "query Q ",
            "mutation ",
            "subscription ",
            "query ($id: ID!, $v: Boolean = false, $first: Int) ",
            "query Q($filter: BookingFilter, $after: String) ",
        ][..],
    );
    let fragments = prop_oneof![
        Just(String::new()),
        (one_of(FIELDS), vec(selection(), 1..3))
            .prop_map(|(on, items)| format!(" fragment A on {on} {{ {} }}", items.join(" "))),
        Just(" fragment A on Booking { ...B } fragment B on Booking { id ...A }".to_owned()),
    ];
    (head, vec(selection(), 1..4), fragments)
        .prop_map(|(head, items, fragments)| format!("{head}{{ {} }}{fragments}", items.join(" ")))
}

/// Operations the schema accepts, to be run with variables of any shape.
const OPERATIONS: &[&str] = &[
    "query ($id: ID!) { booking(id: $id) { id status tripStart customer { email } \
     segments { sequence origin { code } } passengers { lastName } events { id payload } } }",
    "query ($first: Int, $after: String, $filter: BookingFilter) { \
     bookings(first: $first, after: $after, filter: $filter) { totalCount \
     edges { cursor node { id reference segments { id } } } pageInfo { hasNextPage endCursor } } }",
    "query ($filter: EventFilter, $first: Int, $after: String) { \
     events(filter: $filter, first: $first, after: $after) { totalCount nodes { id type payload } } }",
    "query ($partner: String!, $reference: String!) { \
     bookingByReference(partner: $partner, reference: $reference) { id reference status } }",
    "query ($first: Int!, $filter: BookingFilter) { \
     bookingCountsByDestination(first: $first, filter: $filter) { count destination { code } } \
     bookingCountsByStatus(filter: $filter) { status count } partners }",
];

/// The same fields with literal arguments of any shape.
fn literal_operation() -> impl Strategy<Value = String> {
    (literal(), literal(), literal(), 0..4u8).prop_map(|(a, b, c, which)| match which {
        0 => format!("{{ booking(id: {a}) {{ id }} bookingByReference(partner: {b}, reference: {c}) {{ id }} }}"),
        1 => format!("{{ bookings(first: {a}, after: {b}, filter: {c}) {{ totalCount nodes {{ id }} }} }}"),
        2 => format!("{{ events(first: {a}, after: {b}, filter: {c}) {{ totalCount nodes {{ id }} }} }}"),
        _ => format!("{{ bookingCountsByDestination(first: {a}, filter: {c}) {{ count }} }}"),
    })
}

/// Variables shaped like the schema's inputs, with values of any type.
fn filter_like() -> impl Strategy<Value = Value> {
    let keys = &[
        "partner",
        "status",
        "destination",
        "tripStartFrom",
        "tripStartTo",
        "bookedFrom",
        "type",
        "bookingId",
        "receivedFrom",
        "receivedTo",
        "nope",
    ][..];
    let value = prop_oneof![
        3 => odd_text().prop_map(Value::from),
        1 => json_value(),
    ];
    btree_map(
        proptest::sample::select(keys).prop_map(str::to_owned),
        value,
        0..4,
    )
    .prop_map(|map| Value::Object(map.into_iter().collect()))
}

/// A variable value of the right type as often as not: small and huge numbers, odd
/// strings, filter objects.
fn plausible() -> impl Strategy<Value = Value> {
    prop_oneof![
        2 => (-5i64..150).prop_map(Value::from),
        3 => odd_text().prop_map(Value::from),
        2 => filter_like(),
        1 => json_value(),
    ]
}

/// Edits that garble a document: cut a piece, insert odd text, repeat a piece, truncate.
fn garbled(document: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    let edit = (0..4u8, any::<Index>(), any::<Index>(), odd_text());
    let edits = prop_oneof![Just(Vec::new()), vec(edit, 1..4)];
    (document, edits).prop_map(|(document, edits)| {
        let mut chars: Vec<char> = document.chars().collect();
        for (kind, at, len, text) in edits {
            let at = at.index(chars.len() + 1);
            let len = len.index(chars.len() - at + 1);
            match kind {
                0 => {
                    chars.drain(at..at + len);
                }
                1 => {
                    chars.splice(at..at, text.chars());
                }
                2 => {
                    let piece: Vec<char> = chars[at..at + len].to_vec();
                    for _ in 0..3 {
                        chars.splice(at..at, piece.iter().copied());
                    }
                }
                _ => chars.truncate(at),
            }
        }
        chars.into_iter().collect()
    })
}

/// Brackets nested far past any limit, closed or not.
fn deep() -> impl Strategy<Value = String> {
    let open =
        proptest::sample::select(&["{", "[", "(", "{ a ", "{ booking(id: [", "... on B {"][..]);
    (open, 1..3000usize, any::<bool>()).prop_map(|(open, depth, closed)| {
        let mut text = open.repeat(depth);
        if closed {
            text.push_str(&"}".repeat(depth));
        }
        text
    })
}

/// Variables of any JSON shape, keyed mostly by the names the documents use.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        odd_text().prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 32, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::from),
            btree_map(one_of(ARGUMENTS), inner, 0..4)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// One request body, as bytes.
fn body() -> impl Strategy<Value = Vec<u8>> {
    let query = prop_oneof![
        4 => garbled(document()),
        6 => garbled(proptest::sample::select(OPERATIONS).prop_map(str::to_owned)),
        3 => garbled(literal_operation()),
        1 => deep(),
        1 => "\\PC{0,64}",
    ];
    let variables = prop_oneof![
        1 => Just(Value::Null),
        3 => btree_map(one_of(VARIABLES), plausible(), 0..5)
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        // Every variable the operations declare, each of any type.
        3 => vec(plausible(), VARIABLES.len()).prop_map(|values| {
            Value::Object(VARIABLES.iter().map(|name| (*name).to_owned()).zip(values).collect())
        }),
        1 => json_value(),
    ];
    let operation = prop::option::weighted(0.1, one_of(&["Q", "IntrospectionQuery"]));
    let request = (query, variables, operation).prop_map(|(query, variables, operation)| {
        json!({"query": query, "variables": variables, "operationName": operation})
            .to_string()
            .into_bytes()
    });
    prop_oneof![
        8 => request,
        // Numbers JSON cannot hold, in the variables.
        1 => (garbled(document()), proptest::sample::select(&["1e999", "-1e999", "123456789012345678901234567890123456789", "0.000000000000000000000000000000000001"][..]))
            .prop_map(|(query, number)| {
                format!(r#"{{"query": {}, "variables": {{"id": {number}, "first": {number}}}}}"#, string_literal(&query))
                    .into_bytes()
            }),
        1 => vec(any::<u8>(), 0..256),
    ]
}

/// Signs of internal detail that must never reach a client.
const INTERNALS: &[&str] = &[
    "Custom {",
    "kind: Other",
    "Os {",
    "panicked at",
    "ParseRequestError",
    "DbErr",
];

fn fail(message: String) -> TestCaseError {
    TestCaseError::fail(message)
}

fn check_message(message: Option<&str>, context: &str) -> Result<(), TestCaseError> {
    let message = message.ok_or_else(|| fail(format!("an error without a message: {context}")))?;
    prop_assert!(!message.trim().is_empty(), "an empty message: {context}");
    for internal in INTERNALS {
        prop_assert!(
            !message.contains(internal),
            "internal detail {internal:?}: {context}"
        );
    }
    Ok(())
}

async fn check(
    app: &TestApp,
    tokens: &[String; 2],
    body: Vec<u8>,
    landing: bool,
) -> Result<(), TestCaseError> {
    let token = &tokens[usize::from(landing)];
    let sent = String::from_utf8_lossy(&body)
        .chars()
        .take(300)
        .collect::<String>();
    let response = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .map_err(|err| {
            fail(format!(
                "no answer (did the handler panic?): {err} for {sent:?}"
            ))
        })?;
    let status = response.status().as_u16();
    let text = response
        .text()
        .await
        .map_err(|err| fail(format!("answer cut off: {err} for {sent:?}")))?;
    let context = format!(
        "{status} {} for {sent:?}",
        text.chars().take(600).collect::<String>()
    );
    if std::env::var_os("FUZZ_SHOW").is_some() {
        eprintln!("CASE {}", context.chars().take(250).collect::<String>());
    }
    prop_assert!(status < 500, "a server error: {context}");
    let reply: Value =
        serde_json::from_str(&text).map_err(|_| fail(format!("not JSON: {context}")))?;
    match status {
        200 => {
            prop_assert!(
                reply.get("data").is_some() || reply.get("errors").is_some(),
                "{context}"
            );
            for error in reply["errors"].as_array().into_iter().flatten() {
                check_message(error["message"].as_str(), &context)?;
                prop_assert_ne!(
                    error["extensions"]["code"].as_str(),
                    Some("INTERNAL_SERVER_ERROR"),
                    "the client's input made an internal error: {}",
                    context
                );
            }
        }
        400 | 413 => {
            prop_assert!(reply["error"]["code"].is_string(), "{context}");
            check_message(reply["error"]["message"].as_str(), &context)?;
        }
        _ => prop_assert!(false, "an unexpected status: {context}"),
    }
    Ok(())
}

#[test]
fn whatever_a_client_sends_the_answer_is_a_clear_error_or_data_never_a_5xx() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let app = runtime.block_on(async {
        let app = spawn_app().await;
        crate::support::seed::full_booking(&app.db, "1234", crate::support::seed::at(1)).await;
        app
    });
    let tokens = [app.token(Role::Analyst), app.token(Role::Landing)];

    let mut config = Config {
        cases: 256,
        failure_persistence: None,
        max_shrink_time: 60_000,
        ..Config::default()
    };
    if std::env::var_os("PROPTEST_CASES").is_some() {
        config.cases = Config::default().cases;
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = RngSeed::Fixed(0x7219_6a9e);
    }
    let mut runner = TestRunner::new(config);
    let started = std::time::Instant::now();
    let result = runner.run(&(body(), any::<bool>()), |(body, landing)| {
        runtime.block_on(check(&app, &tokens, body, landing))
    });
    // The pool is closed inside the runtime that runs it.
    runtime.block_on(async move { drop(app) });
    if let Err(failure) = result {
        panic!("{failure}");
    }
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "256 requests took {:?}",
        started.elapsed()
    );
}

/// Found by the property above on PostgreSQL, whose text cannot hold U+0000: such an
/// argument failed the whole statement and was answered as an internal error.
#[tokio::test]
async fn text_with_a_nul_character_is_the_clients_error_on_every_database() {
    let app = spawn_app().await;
    for (query, argument) in [
        (
            r#"{ bookingByReference(partner: "a\u0000b", reference: "x") { id } }"#,
            "`partner`",
        ),
        (
            r#"{ bookingByReference(partner: "a", reference: "\u0000") { id } }"#,
            "`reference`",
        ),
        (
            r#"{ bookings(filter: {partner: "a\u0000"}) { totalCount } }"#,
            "`filter.partner`",
        ),
        (
            r#"{ events(filter: {type: "\u0000"}) { totalCount } }"#,
            "`filter.type`",
        ),
        (
            r#"{ bookingCountsByDestination(filter: {destination: "L\u0000S"}) { count } }"#,
            "`filter.destination`",
        ),
    ] {
        let body = app.query(Role::Analyst, query, json!({})).await;
        assert_eq!(
            crate::support::error_codes(&body),
            ["BAD_USER_INPUT"],
            "{query}: {body}"
        );
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains(argument) && message.contains("U+0000"),
            "{message}"
        );
    }
    // The same through a variable.
    let body = app
        .query(
            Role::Analyst,
            "query ($filter: EventFilter) { events(filter: $filter) { totalCount } }",
            json!({"filter": {"partner": "hahn\u{0}air"}}),
        )
        .await;
    assert_eq!(
        crate::support::error_codes(&body),
        ["BAD_USER_INPUT"],
        "{body}"
    );
}
