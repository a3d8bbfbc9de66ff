//! `ingest mapping check FILE --sample BODY.json [--topic T]`: what a mapping makes of
//! a partner's sample, without a database (CONTRACT §4.6) — the canonical change as JSON,
//! or every failing field.

use std::path::Path;

use serde_json::Value;

use crate::adapters::mapping::{delivery_json, Mapping};
use crate::canonical::{AdapterError, Request};

/// Runs the check and returns what it prints and the exit code: 0 when the sample
/// becomes a canonical change, 1 when the mapping or the sample is refused.
pub fn run(file: &Path, sample: &Path, topic: Option<&str>) -> (String, i32) {
    let mapping = match Mapping::load(file) {
        Ok(mapping) => mapping,
        Err(err) => return (err.to_string(), 1),
    };
    let body = match read_sample(sample) {
        Ok(body) => body,
        Err(err) => return (format!("{}: {err}", sample.display()), 1),
    };
    let request = Request { topic, body: &body };
    match mapping.normalize(request) {
        Ok(delivery) => {
            let json = serde_json::to_string_pretty(&delivery_json(&delivery)).unwrap_or_default();
            (json, 0)
        }
        Err(AdapterError::Invalid(fields)) => {
            let mut out = format!(
                "{}: {} failing field{} (answered 422):",
                sample.display(),
                fields.len(),
                if fields.len() == 1 { "" } else { "s" }
            );
            for field in fields {
                out.push_str(&format!("\n  {}: {}", field.field, field.message));
            }
            (out, 1)
        }
        Err(AdapterError::UnknownTopic(t)) => (
            format!("topic {t:?} names no event of {} (answered 404): pass --topic with one of its [events]", file.display()),
            1,
        ),
    }
}

/// A sample as the HTTP layer reads it: a `.form` file is a form (an object of strings).
fn read_sample(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot be read: {e}"))?;
    if path.extension().is_some_and(|e| e == "form") {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(&text).map_err(|e| format!("is not a form: {e}"))?;
        return Ok(Value::Object(
            pairs
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect(),
        ));
    }
    serde_json::from_str(&text).map_err(|e| format!("is not JSON: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

    fn check(mapping: &str, sample: &str, topic: Option<&str>) -> (String, i32) {
        run(
            &Path::new(ROOT).join(mapping),
            &Path::new(ROOT).join(sample),
            topic,
        )
    }

    #[test]
    fn a_good_sample_prints_the_canonical_change() {
        let (out, code) = check(
            "mappings/ground_transfer.toml",
            "tests/fixtures/ground_transfer/booking-new.json",
            None,
        );
        assert_eq!(code, 0, "{out}");
        let json: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(json["action"]["apply"]["reference"], "44225562");
        assert_eq!(json["action"]["apply"]["status"], "CONFIRMED");
        assert_eq!(
            json["action"]["apply"]["segments"][0]["flight_number"],
            "BA123"
        );
    }

    #[test]
    fn a_bad_sample_prints_every_failing_field() {
        let (out, code) = check(
            "mappings/ground_transfer.toml",
            "tests/fixtures/ground_transfer/booking-new-invalid.json",
            None,
        );
        assert_eq!(code, 1);
        for field in [
            "leadPassenger.lastName",
            "leadPassenger.phoneNumber",
            "flightNumber",
            "services",
        ] {
            assert!(out.contains(&format!("\n  {field}: ")), "{out}");
        }
        let (out, code) = check(
            "mappings/hahn_air.toml",
            "tests/fixtures/real/hahn_air/03_holibob_delete.form",
            Some("booking-delete"),
        );
        assert_eq!(code, 1);
        assert!(
            out.contains("booking-delete") && out.contains("404"),
            "{out}"
        );
    }
}
