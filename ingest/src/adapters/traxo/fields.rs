//! Field readers shared by the Traxo modules: ids that may arrive as numbers, datetimes
//! local to a zone sent beside them, and small helpers. Failures go to the [`Reader`].

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::Value;

use crate::canonical::Place;
use crate::validate::{parse_timestamp, Reader};

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
    code: Option<String>,
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
    let text = match reader.get(path) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Some(Value::String(_)) | None => None,
        Some(Value::Number(n)) => {
            let text = n.to_string();
            if !text.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
                reader.fail(
                    path,
                    "must be a string or a whole number; send ids this long as strings",
                );
                return None;
            }
            Some(text)
        }
        Some(_) => {
            reader.fail(path, "must be a string or a number");
            return None;
        }
    };
    if text.is_none() && required {
        reader.fail(path, "is required");
    }
    text
}

/// A Traxo datetime at `path`: either with its own offset (`2010-08-13T23:40:00.000Z`)
/// or local time in the IANA zone at `zone_path` (`2017-10-06T11:00:00` +
/// `America/Chicago`), else in `fallback` (an airport's zone). Refused when no zone is
/// known for a local time.
pub(super) fn local_time(
    reader: &mut Reader<'_>,
    path: &str,
    zone_path: &str,
    fallback: Option<Tz>,
) -> Option<DateTime<Utc>> {
    let raw = reader.string(path)?;
    if let Ok(instant) = parse_timestamp(&raw, None) {
        return Some(instant);
    }
    // Parsing in UTC tells a malformed value from a well-formed local one.
    if let Err(message) = parse_timestamp(&raw, Some(chrono_tz::UTC)) {
        reader.fail(path, message);
        return None;
    }
    let zone = match reader.string(zone_path) {
        Some(id) => match id.parse::<Tz>() {
            Ok(zone) => Some(zone),
            Err(_) => {
                let message =
                    format!("must be an IANA time-zone id, e.g. America/Chicago, as {path} is local time (got {:?})", clip(&id));
                reader.fail(zone_path, message);
                return None;
            }
        },
        None => fallback,
    };
    let Some(zone) = zone else {
        reader.fail(
            path,
            format!("has no UTC offset and no {zone_path} is given: send one of them"),
        );
        return None;
    };
    match parse_timestamp(&raw, Some(zone)) {
        Ok(instant) => Some(instant),
        Err(message) => {
            reader.fail(path, message);
            None
        }
    }
}

/// Whether `path` holds something other than `null` or a blank string.
pub(super) fn present(reader: &Reader<'_>, path: &str) -> bool {
    match reader.get(path) {
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(_) => true,
        None => false,
    }
}

/// At most 40 characters of partner text, for error messages.
pub(super) fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}
