//! Field readers every Spotnana section shares: the `{"iso8601": …}` date-time wrappers,
//! phone and e-mail objects, postal addresses as places and time zones, and section
//! statuses.
//!
//! Two kinds of field meet here. Fields CONTRACT §4 names (`travelers[].email`,
//! `travelers[].phone`, flight `origin`, …) keep their validation: a bad one is refused.
//! Fields read from Spotnana's `PnrData` schema that the schema marks optional (phone
//! objects, `personalInfo.email`, an address's `locationCode` or `timezone`) are dropped
//! when they cannot be used, so that one unusable optional detail never refuses a booking.

use crate::SegmentStatus;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::Value;

use crate::airports;
use crate::cancellation::says_cancelled;
use crate::canonical::Place;
use crate::validate::{parse_timestamp, E164Phone, Email, IataCode, Reader};

/// A date-time sent either as an ISO-8601 string or wrapped as `{"iso8601": "…"}`
/// (Spotnana's `DateTimeOffset` / `DateTimeLocal`); local ones are read in `zone`.
pub(super) fn date_time(
    reader: &mut Reader<'_>,
    path: &str,
    zone: Option<Tz>,
) -> Option<DateTime<Utc>> {
    match reader.get(path)? {
        Value::Object(_) => {
            reader.parsed(&format!("{path}.iso8601"), true, |s| spotnana_time(s, zone))
        }
        _ => reader.parsed(path, false, |s| spotnana_time(s, zone)),
    }
}

/// Parses a Spotnana time. Its `DateTimeLocal` and `DateTimeOffset` examples omit seconds
/// (`2017-07-21T17:32`, `2017-07-21T17:32Z`), which the shared parser accepts only without
/// an offset.
pub(super) fn spotnana_time(s: &str, zone: Option<Tz>) -> Result<DateTime<Utc>, String> {
    parse_timestamp(s, zone).or_else(|first_error| {
        let s = s.trim();
        let minutes_only =
            s.len() > 16 && s.is_char_boundary(16) && s.as_bytes().get(13) == Some(&b':');
        if minutes_only && !s[16..].starts_with(':') {
            parse_timestamp(&format!("{}:00{}", &s[..16], &s[16..]), zone).map_err(|_| first_error)
        } else {
            Err(first_error)
        }
    })
}

/// Text at `path` (a string, or a number as its text) without recording anything when it
/// is absent, empty, too long or of another type: for optional schema fields.
pub(super) fn text(reader: &Reader<'_>, path: &str) -> Option<String> {
    reader.text_or_none(path)
}

/// An IANA time-zone id (`America/Los_Angeles`) at `path`; `None` when absent or unknown.
pub(super) fn zone(reader: &Reader<'_>, path: &str) -> Option<Tz> {
    text(reader, path).and_then(|id| id.parse().ok())
}

/// An IATA location code at `path`, when it is one (Spotnana's `locationCode`).
pub(super) fn location_code(reader: &Reader<'_>, path: &str) -> Option<IataCode> {
    text(reader, path).and_then(|code| IataCode::parse(&code).ok())
}

/// A `PostalAddress` as a place: its IATA `locationCode` (named from the airport dataset
/// when the address has no `locality`), city and `regionCode` (the country).
pub(super) fn address_place(reader: &Reader<'_>, address: &str) -> Option<Place> {
    reader.get(address).filter(|a| a.is_object())?;
    airports::place(
        location_code(reader, &format!("{address}.locationCode")),
        text(reader, &format!("{address}.locality")),
        text(reader, &format!("{address}.regionCode")).map(|c| c.to_ascii_uppercase()),
    )
}

/// The time zone local times at a `PostalAddress` are in: its `timezone`, else the zone of
/// the airport its `locationCode` names.
pub(super) fn address_zone(reader: &Reader<'_>, address: &str) -> Option<Tz> {
    zone(reader, &format!("{address}.timezone")).or_else(|| {
        location_code(reader, &format!("{address}.locationCode"))
            .as_deref()
            .and_then(airports::time_zone)
    })
}

/// A section's or flight's `PnrStatus` as a segment status: cancelled or voided ones are
/// cancelled, any other stated status is active, none says nothing.
pub(super) fn section_status(reader: &Reader<'_>, path: &str) -> Option<SegmentStatus> {
    let status = text(reader, path)?.to_ascii_uppercase();
    Some(
        if says_cancelled(&status) || matches!(status.as_str(), "CANCELLED_BY_VENDOR" | "VOIDED") {
            SegmentStatus::Cancelled
        } else {
            SegmentStatus::Active
        },
    )
}

/// The first entry of the `PhoneNumber` list at `path` that can be written in E.164.
pub(super) fn phone_list(reader: &Reader<'_>, path: &str) -> Option<E164Phone> {
    let len = reader.get(path)?.as_array()?.len();
    (0..len).find_map(|index| phone_object(reader, &format!("{path}.{index}")))
}

/// A phone object (Spotnana's `PhoneNumber`, libphonenumber's fields) in E.164, or `None`
/// when none of its forms is one: `e164`, then `countryCode` + `nationalNumber` (with the
/// leading zeros libphonenumber keeps apart for Italian numbers), then `rawInput`.
pub(super) fn phone_object(reader: &Reader<'_>, path: &str) -> Option<E164Phone> {
    let field = |name: &str| text(reader, &format!("{path}.{name}"));
    let composed = field("countryCode")
        .zip(field("nationalNumber"))
        .map(|(country, national)| {
            let italian = reader
                .get(&format!("{path}.italianLeadingZero"))
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let zeros = if italian {
                reader
                    .get(&format!("{path}.numberOfLeadingZeros"))
                    .and_then(Value::as_u64)
                    .unwrap_or(1)
                    .min(3)
            } else {
                0
            };
            let zeros = "0".repeat(usize::try_from(zeros).unwrap_or(0));
            format!("+{}{zeros}{national}", country.trim_start_matches('+'))
        });
    [field("e164"), composed, field("rawInput")]
        .into_iter()
        .flatten()
        .find_map(|candidate| E164Phone::parse_formatted(&candidate).ok())
}

/// An e-mail address sent as text or as an object (`address`, `email`, `emailAddress` or
/// `value`), dropped when it is not an address.
pub(super) fn email_lenient(reader: &Reader<'_>, path: &str) -> Option<Email> {
    let raw = match reader.get(path)? {
        Value::Object(_) => ["address", "email", "emailAddress", "value"]
            .iter()
            .find_map(|key| text(reader, &format!("{path}.{key}")))?,
        _ => text(reader, path)?,
    };
    Email::parse(&raw).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().expect("test timestamp")
    }

    #[test]
    fn phone_objects_compose_country_code_leading_zeros_and_national_number() {
        let body = json!({
            "plain": {"countryCode": 1, "nationalNumber": 6465550182_u64, "rawInput": "+1 646-555-0182"},
            "italian": {"countryCode": 39, "nationalNumber": 612345678, "italianLeadingZero": true},
            "raw_only": {"rawInput": "+81 90-1234-5678"},
            "unusable": {"countryCode": 91, "nationalNumber": 8150, "rawInput": "77777"},
            "list": [{"rawInput": "12"}, {"countryCode": 34, "nationalNumber": 612345678}],
        });
        let reader = Reader::new(&body);
        assert_eq!(
            phone_object(&reader, "plain").as_deref(),
            Some("+16465550182")
        );
        assert_eq!(
            phone_object(&reader, "italian").as_deref(),
            Some("+390612345678")
        );
        assert_eq!(
            phone_object(&reader, "raw_only").as_deref(),
            Some("+819012345678")
        );
        assert_eq!(
            phone_object(&reader, "unusable"),
            None,
            "+918150 is too short to be E.164"
        );
        assert_eq!(phone_list(&reader, "list").as_deref(), Some("+34612345678"));
        assert!(reader.finish().is_ok(), "nothing is refused");
    }

    #[test]
    fn emails_are_text_or_objects_and_bad_ones_are_dropped() {
        let body = json!({"a": "ana@example.com", "b": {"address": "bo@example.com"}, "c": "ana@", "d": 5});
        let reader = Reader::new(&body);
        assert_eq!(
            email_lenient(&reader, "a").as_deref(),
            Some("ana@example.com")
        );
        assert_eq!(
            email_lenient(&reader, "b").as_deref(),
            Some("bo@example.com")
        );
        assert_eq!(email_lenient(&reader, "c"), None);
        assert_eq!(email_lenient(&reader, "d"), None);
    }

    #[test]
    fn an_address_gives_a_place_and_a_zone() {
        let body = json!({
            "named": {"locality": "Chicago", "regionCode": "us", "locationCode": "ORD", "timezone": "America/Chicago"},
            "coded": {"locationCode": "lis", "regionCode": "PT"},
            "placeholder": {"locationCode": "string", "timezone": "string", "locality": "Lisbon"},
        });
        let reader = Reader::new(&body);
        let named = address_place(&reader, "named").expect("a place");
        assert_eq!(
            (
                named.code.as_deref(),
                named.name.as_deref(),
                named.country.as_deref()
            ),
            (Some("ORD"), Some("Chicago"), Some("US"))
        );
        assert_eq!(
            address_zone(&reader, "named"),
            Some(chrono_tz::America::Chicago)
        );
        let coded = address_place(&reader, "coded").expect("a place");
        assert_eq!(coded.code.as_deref(), Some("LIS"));
        assert!(coded.name.is_some(), "named after the airport");
        assert_eq!(
            address_zone(&reader, "coded"),
            Some(chrono_tz::Europe::Lisbon)
        );
        let placeholder = address_place(&reader, "placeholder").expect("a place");
        assert_eq!(placeholder.code, None, "not an IATA code");
        assert_eq!(address_zone(&reader, "placeholder"), None);
        assert_eq!(address_place(&reader, "missing"), None);
    }

    #[test]
    fn minute_precision_times_read_with_or_without_an_offset() {
        let london = Some(chrono_tz::Europe::London);
        assert_eq!(
            spotnana_time("2017-07-21T17:32Z", None),
            Ok(at("2017-07-21T17:32:00Z"))
        );
        assert_eq!(
            spotnana_time("2017-07-21T17:32", london),
            Ok(at("2017-07-21T16:32:00Z"))
        );
        assert_eq!(
            spotnana_time("2017-07-21T17:32+05:30", None),
            Ok(at("2017-07-21T12:02:00Z"))
        );
        assert!(spotnana_time("2017-07-21T17:32", None).is_err());
    }

    #[test]
    fn statuses_cancel_only_when_they_say_so() {
        let body = json!({"a": "CANCELLED", "b": "cancelled_by_vendor", "c": "SCHEDULE_CHANGE_PENDING_STATUS", "d": "VOIDED"});
        let reader = Reader::new(&body);
        assert_eq!(section_status(&reader, "a"), Some(SegmentStatus::Cancelled));
        assert_eq!(section_status(&reader, "b"), Some(SegmentStatus::Cancelled));
        assert_eq!(section_status(&reader, "c"), Some(SegmentStatus::Active));
        assert_eq!(section_status(&reader, "d"), Some(SegmentStatus::Cancelled));
        assert_eq!(section_status(&reader, "none"), None);
    }
}
