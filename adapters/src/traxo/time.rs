//! Traxo's dates and times (developer.traxo.com, *Introduction → Dates and Times*): a UTC
//! datetime (`2008-10-20T11:45:25+0000`), a local datetime (`2008-10-20T11:45:25`, also
//! without seconds: `2015-07-21T16:00`, *Trip Builder*) or a local date (`2008-10-20`,
//! "typical for hotel segments"). A local value is resolved in the zone the payload
//! gives beside it, else where the place is ([`Whereabouts`]).
//!
//! `validate::parse_timestamp` knows neither date-only values nor clock gaps, so these
//! readers are private to the adapter.

use chrono::{DateTime, Duration, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, Offset};
use chrono::{TimeZone, Utc};
use chrono_tz::Tz;

use super::zone::Whereabouts;
use crate::validate::{check_year, clip, Reader};

/// What a Traxo time value says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stamp {
    /// It carries its own offset.
    Instant(DateTime<Utc>),
    /// Wall-clock time somewhere (a local date is its midnight).
    Local(NaiveDateTime),
}

/// Longer than any ISO-8601 form Traxo sends: refused before parsing.
const MAX_LEN: usize = 40;

/// Parses one Traxo time value.
///
/// # Errors
/// A message saying which forms are accepted.
pub(super) fn parse(raw: &str) -> Result<Stamp, String> {
    let s = raw.trim();
    let malformed = || {
        format!(
            "must be an ISO-8601 datetime or date, e.g. 2024-02-09T08:21:41Z, 2024-02-09T08:21 \
             (local) or 2024-02-09 (got {:?})",
            clip(s)
        )
    };
    if s.len() > MAX_LEN {
        return Err(malformed());
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(Stamp::Instant(t.with_timezone(&Utc)));
    }
    // `Z` is an offset too, also after a time without seconds (`2015-07-21T16:00Z`).
    let with_offset = match s.strip_suffix(['Z', 'z']) {
        Some(rest) => format!("{rest}+0000"),
        None => s.to_owned(),
    };
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%z",
        "%Y-%m-%d %H:%M%z",
    ] {
        if let Ok(t) = DateTime::<FixedOffset>::parse_from_str(&with_offset, format) {
            return Ok(Stamp::Instant(t.with_timezone(&Utc)));
        }
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, format) {
            return Ok(Stamp::Local(t));
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(Stamp::Local)
        .ok_or_else(malformed)
}

/// The instant a wall-clock time names in `zone`.
///
/// Twice-occurring times (the hour repeated when clocks go back) are the first
/// occurrence; times skipped when clocks go forward are read with the offset in force
/// before the change, i.e. moved forward by the gap (02:30 on a spring-forward night in
/// Chicago is 03:30 CDT), as java.time and most calendars do: a pickup booked for then
/// still happens, so it is kept rather than refused.
///
/// # Errors
/// When the result falls outside the years an RFC 3339 timestamp can hold.
pub(super) fn resolve(local: NaiveDateTime, zone: Tz) -> Result<DateTime<Utc>, String> {
    let instant = match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(first, _) => Some(first.with_timezone(&Utc)),
        LocalResult::None => local
            .checked_sub_signed(Duration::days(1))
            .map(|before| zone.offset_from_utc_datetime(&before).fix())
            .and_then(|offset| {
                local.checked_sub_signed(Duration::seconds(offset.local_minus_utc().into()))
            })
            .map(|naive| naive.and_utc()),
    };
    let instant = instant.ok_or_else(|| format!("cannot be placed in time zone {zone}"))?;
    check_year(instant)?;
    Ok(instant)
}

/// The time at `path`, in UTC. A local value takes its zone from the first of
/// `zone_paths` that is present (an IANA id such as `America/Chicago`), else from
/// `place`. Failures are recorded: a malformed value on `path`, an unknown zone id on
/// its own field, and a local value with no zone known on `path`.
pub(super) fn local_time(
    reader: &mut Reader<'_>,
    path: &str,
    zone_paths: &[String],
    place: &Whereabouts,
) -> Option<DateTime<Utc>> {
    let raw = reader.string(path)?;
    let local = match parse(&raw) {
        Ok(Stamp::Instant(instant)) => {
            return match check_year(instant) {
                Ok(()) => Some(instant),
                Err(message) => {
                    reader.fail(path, message);
                    None
                }
            };
        }
        Ok(Stamp::Local(local)) => local,
        Err(message) => {
            reader.fail(path, message);
            return None;
        }
    };
    let given = zone_paths
        .iter()
        .find_map(|zone_path| reader.string(zone_path).map(|id| (zone_path, id)));
    let zone = match given {
        Some((zone_path, id)) => match id.parse::<Tz>() {
            Ok(zone) => zone,
            Err(_) => {
                reader.fail(
                    zone_path.as_str(),
                    format!(
                        "must be an IANA time-zone id, e.g. America/Chicago, as {path} is local \
                         time (got {:?})",
                        clip(&id)
                    ),
                );
                return None;
            }
        },
        None => match place.zone() {
            Some(zone) => zone,
            None => {
                let named = zone_paths.first().map_or("a time-zone id", String::as_str);
                reader.fail(
                    path,
                    format!(
                        "has no UTC offset and no {named} is given, nor a place whose zone is \
                         known: send one of them"
                    ),
                );
                return None;
            }
        },
    };
    match resolve(local, zone) {
        Ok(instant) => Some(instant),
        Err(message) => {
            reader.fail(path, message);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().expect("a UTC timestamp")
    }

    fn local(s: &str) -> NaiveDateTime {
        match parse(s) {
            Ok(Stamp::Local(t)) => t,
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn every_documented_form_is_understood() {
        for (raw, expected) in [
            ("2008-10-20T11:45:25+0000", "2008-10-20T11:45:25Z"),
            ("2008-10-20T11:45:25+00:00", "2008-10-20T11:45:25Z"),
            ("2010-08-13T23:40:00.000Z", "2010-08-13T23:40:00Z"),
            ("2015-07-21T16:00Z", "2015-07-21T16:00:00Z"),
            ("2015-07-21T18:00+0200", "2015-07-21T16:00:00Z"),
        ] {
            assert_eq!(parse(raw), Ok(Stamp::Instant(utc(expected))), "{raw}");
        }
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").unwrap();
        assert_eq!(local("2008-10-20T11:45:25"), at("2008-10-20T11:45:25"));
        assert_eq!(local("2015-07-21T16:00"), at("2015-07-21T16:00:00"));
        assert_eq!(local("2015-07-21 16:00:00"), at("2015-07-21T16:00:00"));
        assert_eq!(local("2008-10-20"), at("2008-10-20T00:00:00"));
        for bad in [
            "yesterday",
            "2008-13-01",
            "2008-10-20T25:00",
            "",
            &"9".repeat(80),
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn local_times_across_a_spring_forward_change_keep_their_wall_clock() {
        let chicago: Tz = "America/Chicago".parse().unwrap();
        // 2026-03-08 02:00 CST → 03:00 CDT.
        assert_eq!(
            resolve(local("2026-03-08T01:30"), chicago),
            Ok(utc("2026-03-08T07:30:00Z"))
        );
        assert_eq!(
            resolve(local("2026-03-08T03:30"), chicago),
            Ok(utc("2026-03-08T08:30:00Z"))
        );
        // Skipped by the change: read with the offset before it, i.e. 03:30 CDT.
        assert_eq!(
            resolve(local("2026-03-08T02:30"), chicago),
            Ok(utc("2026-03-08T08:30:00Z"))
        );
    }

    #[test]
    fn local_times_across_a_fall_back_change_take_the_first_of_a_repeated_hour() {
        let chicago: Tz = "America/Chicago".parse().unwrap();
        // 2015-11-01 02:00 CDT → 01:00 CST: 01:30 happens twice.
        assert_eq!(
            resolve(local("2015-11-01T00:00"), chicago),
            Ok(utc("2015-11-01T05:00:00Z"))
        );
        assert_eq!(
            resolve(local("2015-11-01T01:30"), chicago),
            Ok(utc("2015-11-01T06:30:00Z"))
        );
        assert_eq!(
            resolve(local("2015-11-01T03:00"), chicago),
            Ok(utc("2015-11-01T09:00:00Z"))
        );
    }

    #[test]
    fn a_local_date_is_midnight_even_where_midnight_is_skipped() {
        let lisbon: Tz = "Europe/Lisbon".parse().unwrap();
        assert_eq!(
            resolve(local("2024-06-14"), lisbon),
            Ok(utc("2024-06-13T23:00:00Z"))
        );
        // Santiago de Chile moves its clocks from 00:00 to 01:00 (2024-09-08).
        let santiago: Tz = "America/Santiago".parse().unwrap();
        assert_eq!(
            resolve(local("2024-09-08"), santiago),
            Ok(utc("2024-09-08T04:00:00Z"))
        );
    }

    #[test]
    fn years_beyond_rfc_3339_are_refused_without_panicking() {
        let zone: Tz = "Pacific/Kiritimati".parse().unwrap();
        let min = NaiveDateTime::MIN;
        assert!(resolve(min, zone).is_err());
        assert!(resolve(NaiveDateTime::MAX, chrono_tz::UTC).is_err());
    }
}
