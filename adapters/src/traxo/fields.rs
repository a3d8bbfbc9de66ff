//! Field readers shared by the Traxo modules: ids that may arrive as numbers, the
//! traveller an object names, and small helpers. Failures go to the [`Reader`].
//! (Times are read in `time`, zones found in `zone`.)

use serde_json::Value;

use crate::canonical::{Customer, Lead, PassengerChange, Place};
use crate::validate::{PlaceCode, Reader};

/// Whether the value at `path` is a JSON object, recording why not.
pub(super) fn object_at(reader: &mut Reader<'_>, path: &str, required: bool) -> bool {
    match reader.get(path) {
        Some(Value::Object(_)) => true,
        Some(_) => {
            reader.fail(path, "must be an object");
            false
        }
        None => {
            if required {
                reader.fail(path, "is required");
            }
            false
        }
    }
}

/// A place from whatever parts are given; `None` when there are none.
pub(super) fn plain_place(
    code: Option<PlaceCode>,
    name: Option<String>,
    country: Option<String>,
) -> Option<Place> {
    (code.is_some() || name.is_some() || country.is_some()).then_some(Place {
        code,
        name,
        country,
    })
}

/// A Traxo id. Traxo ids are 18-digit strings, but some senders emit them as JSON
/// numbers: a whole number is taken from its JSON text, digit for digit. A number that
/// `serde_json` could only keep as a float (beyond 2^64) has already lost digits, so it
/// is refused rather than rounded into someone else's id.
pub(super) fn read_id(reader: &mut Reader<'_>, path: &str, required: bool) -> Option<String> {
    let text = match reader.get(path).map(id_of) {
        None | Some(Ok(None)) => None,
        Some(Ok(Some(text))) => Some(text),
        Some(Err(message)) => {
            reader.fail(path, message);
            return None;
        }
    };
    if text.is_none() && required {
        reader.fail(path, "is required");
    }
    text
}

/// The id a JSON value holds (see [`read_id`]); `None` for a blank string.
///
/// # Errors
/// Why the value is no id.
pub(super) fn id_of(value: &Value) -> Result<Option<String>, &'static str> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Ok(Some(s.trim().to_owned())),
        Value::String(_) | Value::Null => Ok(None),
        Value::Number(n) => {
            let text = n.to_string();
            if text.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
                Ok(Some(text))
            } else {
                Err("must be a string or a whole number; send ids this long as strings")
            }
        }
        _ => Err("must be a string or a number"),
    }
}

/// The Traxo member and traveller an object at `prefix` (a trip or a segment) names:
/// `member_id` and `first_name` make the customer, `first_name`/`last_name` the lead
/// passenger. Nothing when it names nobody.
pub(super) fn traveller(
    reader: &mut Reader<'_>,
    prefix: &str,
) -> (Option<Customer>, Vec<PassengerChange>) {
    let first_name = reader.string(&format!("{prefix}.first_name"));
    let last_name = reader.string(&format!("{prefix}.last_name"));
    let member_id = read_id(reader, &format!("{prefix}.member_id"), false);
    let (customer, lead) = Lead {
        customer_id: member_id,
        first_name,
        last_name,
        ..Lead::default()
    }
    .into_parts();
    (customer, lead.into_iter().collect())
}

/// Whether `path` holds something other than `null` or a blank string.
pub(super) fn present(reader: &Reader<'_>, path: &str) -> bool {
    match reader.get(path) {
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(_) => true,
        None => false,
    }
}

