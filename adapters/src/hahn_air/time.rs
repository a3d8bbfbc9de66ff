//! Trip times as Hahn Air and the platform behind its data plan send them.
//!
//! CONTRACT §4 asks for ISO-8601 in UTC; Holibob's `consumerTripArrivalDate` and
//! `consumerTripReturnDate` are "string(date) | string(date-time)" with examples
//! `2024-06-14`, `2024-06-14T07:27:17.335Z` and `2020-01-01T00:00:00.123+0200`
//! (webhook.documentation.holibob.tech, *Notify about booking creation*). So a trip time
//! may be a date alone, and an offset may lack its colon or its minutes.
//!
//! `validate::parse_timestamp` knows neither date-only values nor hour-only offsets, so
//! these readers are private to the adapter.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use crate::validate::{check_year, parse_timestamp};

/// Longer than any ISO-8601 form: refused before parsing.
const MAX_LEN: usize = 40;

/// Reads a trip time. A date alone is local midnight in `zone` (the airport the time
/// belongs to); a time without an offset is local to `zone`; either is refused when no
/// zone is known.
///
/// # Errors
/// A message saying what was expected.
pub(super) fn trip_time(s: &str, zone: Option<Tz>) -> Result<DateTime<Utc>, String> {
    let s = s.trim();
    if s.len() > MAX_LEN {
        return Err(format!(
            "must be an ISO-8601 date or timestamp, e.g. 2024-06-14 or 2024-06-14T07:27:17Z (got {} characters)",
            s.chars().count()
        ));
    }
    if let Ok(date) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        let zone = zone.ok_or(
            "is a date without a time, and no airport time zone is known for it: \
             send the airport code too, or a timestamp such as 2024-06-14T07:27:17Z",
        )?;
        let at = local_midnight(date, zone)?;
        check_year(at)?;
        return Ok(at);
    }
    parse_timestamp(s, zone).or_else(|message| hour_only_offset(s).ok_or(message))
}

/// The first moment of `date` in `zone`: midnight, or the end of a clock change that
/// skips it (a few zones move their clocks at midnight).
fn local_midnight(date: NaiveDate, zone: Tz) -> Result<DateTime<Utc>, String> {
    (0..3)
        .filter_map(|hour| date.and_hms_opt(hour, 0, 0))
        .find_map(|local| zone.from_local_datetime(&local).earliest())
        .map(|at| at.with_timezone(&Utc))
        .ok_or_else(|| format!("has no midnight in time zone {zone}"))
}

/// `2024-06-14T07:27:17+02`: ISO 8601 allows an offset of hours alone.
fn hour_only_offset(s: &str) -> Option<DateTime<Utc>> {
    ["%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%dT%H:%M%#z"]
        .iter()
        .find_map(|format| DateTime::<FixedOffset>::parse_from_str(s, format).ok())
        .map(|at| at.with_timezone(&Utc))
        .filter(|at| check_year(*at).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn every_form_of_the_platforms_examples_is_read() {
        let lisbon = Some(chrono_tz::Europe::Lisbon);
        // Its three examples, and the colon form of the offset.
        assert_eq!(
            trip_time("2024-06-14", lisbon),
            Ok(at("2024-06-13T23:00:00Z"))
        );
        assert_eq!(
            trip_time("2024-06-14T07:27:17.335Z", None),
            Ok(at("2024-06-14T07:27:17.335Z"))
        );
        assert_eq!(
            trip_time("2020-01-01T00:00:00.123+0200", None),
            Ok(at("2019-12-31T22:00:00.123Z"))
        );
        assert_eq!(
            trip_time("2020-01-01T00:00:00+02:00", None),
            Ok(at("2019-12-31T22:00:00Z"))
        );
        assert_eq!(
            trip_time("2020-01-01T00:00:00+02", None),
            Ok(at("2019-12-31T22:00:00Z"))
        );
        assert_eq!(
            trip_time(" 2024-06-14T07:27 ", lisbon),
            Ok(at("2024-06-14T06:27:00Z"))
        );
    }

    #[test]
    fn a_date_is_midnight_where_the_airport_is() {
        assert_eq!(
            trip_time("2024-01-14", Some(chrono_tz::America::New_York)),
            Ok(at("2024-01-14T05:00:00Z"))
        );
        assert_eq!(
            trip_time("2024-07-14", Some(chrono_tz::Asia::Dubai)),
            Ok(at("2024-07-13T20:00:00Z"))
        );
        // Santiago's clocks went from 00:00 to 01:00 on 2024-09-08.
        assert_eq!(
            trip_time("2024-09-08", Some(chrono_tz::America::Santiago)),
            Ok(at("2024-09-08T04:00:00Z"))
        );
    }

    #[test]
    fn dates_and_local_times_need_a_zone() {
        assert!(trip_time("2024-06-14", None)
            .unwrap_err()
            .contains("airport"));
        assert!(trip_time("2024-06-14T07:27:17", None)
            .unwrap_err()
            .contains("no UTC offset"));
    }

    #[test]
    fn nonsense_is_refused_with_the_expected_form() {
        let utc = Some(chrono_tz::UTC);
        for bad in [
            "14/06/2024",
            "2024-02-30",
            "2024-06-14T25:00:00Z",
            "tomorrow",
            "",
            "2024-06-14T07:27:17+2",
        ] {
            assert!(trip_time(bad, utc).is_err(), "{bad}");
        }
        assert!(trip_time(&"2".repeat(500), utc)
            .unwrap_err()
            .contains("characters"));
        assert!(trip_time("+10000-01-01", utc).is_err());
    }
}
