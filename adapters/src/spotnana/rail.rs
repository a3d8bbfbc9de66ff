//! `railPnr.legInfos[]` as rail segments (PnrData `Rail` → `RailPnrLegInfo`).
//!
//! Each leg gives its times twice: `departAt`/`arriveAt` with an offset and
//! `departAtLocal`/`arriveAtLocal` at the stations, whose `timeZone` the station info
//! names. The offset form wins. Stations are named, not coded: Spotnana's station `code`
//! is its own (`GBSPX`), not an IATA code, so places carry the station name and country.
//! The journeys (`outwardJourney`, `inwardJourney`) list their legs by index and carry
//! the status.

use crate::{SegmentKind, SegmentStatus};
use serde_json::Value;

use super::fields::{date_time, section_status, text, zone};
use super::{list_len, object_at};
use crate::canonical::{Place, SegmentChange};
use crate::validate::{Reader, ServiceNumber};

/// The legs, numbered from `first_sequence`.
pub(super) fn legs(
    reader: &mut Reader<'_>,
    pnr_id: &str,
    first_sequence: usize,
) -> Vec<SegmentChange> {
    let base = "payload.railPnr";
    if object_at(reader, base, "must be an object (the rail booking)").is_none() {
        return Vec::new();
    }
    let count = list_len(reader, &format!("{base}.legInfos")).unwrap_or(0);
    (0..count)
        .map(|index| {
            let sequence = i32::try_from(first_sequence + index).ok();
            leg(reader, pnr_id, index, sequence)
        })
        .collect()
}

fn leg(
    reader: &mut Reader<'_>,
    pnr_id: &str,
    index: usize,
    sequence: Option<i32>,
) -> SegmentChange {
    let path = format!("payload.railPnr.legInfos.{index}");
    let at = |field: &str| format!("{path}.{field}");
    if reader.get(&path).is_some_and(|l| !l.is_object()) {
        reader.fail(&path, "must be an object (a rail leg)");
    }
    let origin_zone = zone(reader, &at("originInfo.timeZone"));
    let destination_zone = zone(reader, &at("destinationInfo.timeZone"));
    let departure_at = timed(reader, &at("departAt"), &at("departAtLocal"), origin_zone);
    let arrival_at = timed(
        reader,
        &at("arriveAt"),
        &at("arriveAtLocal"),
        destination_zone,
    );
    SegmentChange {
        reference: reader
            .string(&at("legId"))
            .unwrap_or_else(|| format!("{pnr_id}:rail:{index}")),
        sequence,
        kind: Some(SegmentKind::Rail),
        status: journey_status(reader, index),
        origin: station(reader, &at("origin"), &at("originInfo")),
        destination: station(reader, &at("destination"), &at("destinationInfo")),
        departure_at,
        arrival_at,
        carrier: text(reader, &at("vehicle.carrierName")),
        flight_number: text(reader, &at("vehicle.timetableId"))
            .and_then(|number| ServiceNumber::parse(&number).ok()),
        cabin_class: text(reader, &at("travelClass")),
    }
}

/// The offset time at `utc`, else the local one at `local` in `zone`.
fn timed(
    reader: &mut Reader<'_>,
    utc: &str,
    local: &str,
    zone: Option<chrono_tz::Tz>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    if reader.get(utc).is_some() {
        date_time(reader, utc, zone)
    } else {
        date_time(reader, local, zone)
    }
}

/// A station: the leg's `origin`/`destination` name (the station info's `name` when the
/// leg has none) and the station's country.
fn station(reader: &Reader<'_>, name: &str, info: &str) -> Option<Place> {
    let name = text(reader, name).or_else(|| text(reader, &format!("{info}.name")));
    let country = text(reader, &format!("{info}.countryCode")).map(|c| c.to_ascii_uppercase());
    (name.is_some() || country.is_some()).then_some(Place {
        code: None,
        name,
        country,
    })
}

/// The status of the journey that lists leg `index`.
fn journey_status(reader: &Reader<'_>, index: usize) -> Option<SegmentStatus> {
    ["outwardJourney", "inwardJourney"]
        .iter()
        .map(|journey| format!("payload.railPnr.{journey}"))
        .find(|journey| {
            reader
                .get(&format!("{journey}.legs"))
                .and_then(Value::as_array)
                .is_some_and(|legs| {
                    legs.iter()
                        .any(|l| l.as_u64().and_then(|n| usize::try_from(n).ok()) == Some(index))
                })
        })
        .and_then(|journey| section_status(reader, &format!("{journey}.journeyStatus")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use serde_json::json;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().expect("test timestamp")
    }

    fn read(body: &Value) -> Vec<SegmentChange> {
        let mut reader = Reader::new(body);
        let legs = legs(&mut reader, "P", 1);
        reader.finish().expect("valid");
        legs
    }

    #[test]
    fn offset_times_win_and_local_ones_use_the_stations_zone() {
        let body = json!({"payload": {"railPnr": {
        "outwardJourney": {"journeyStatus": "CONFIRMED", "legs": [0]},
        "inwardJourney": {"journeyStatus": "CANCELLED", "legs": [1]},
        "legInfos": [
            {"legId": "L1", "origin": "London St Pancras International", "destination": "Paris Gare du Nord",
             "originInfo": {"name": "x", "code": "GBSPX", "timeZone": "Europe/London", "countryCode": "GB"},
             "destinationInfo": {"name": "y", "code": "FRPNO", "timeZone": "Europe/Paris", "countryCode": "FR"},
             "departAt": {"iso8601": "2026-04-17T07:01Z"}, "departAtLocal": {"iso8601": "2026-04-17T09:09"},
             "arriveAtLocal": {"iso8601": "2026-04-17T11:20"},
             "vehicle": {"carrierName": "Eurostar", "timetableId": "9008", "type": "TRAIN"}, "travelClass": "FIRST"},
            {"originInfo": {"name": "Paris Gare du Nord", "countryCode": "fr"}, "destination": "London St Pancras International"}
        ]}}});
        let legs = read(&body);
        let out = &legs[0];
        assert_eq!((out.reference.as_str(), out.sequence), ("L1", Some(1)));
        assert_eq!(out.kind, Some(SegmentKind::Rail));
        assert_eq!(out.status, Some(SegmentStatus::Active));
        assert_eq!(out.departure_at, Some(at("2026-04-17T07:01:00Z")));
        assert_eq!(out.arrival_at, Some(at("2026-04-17T09:20:00Z")));
        assert_eq!(
            out.origin,
            Some(Place {
                code: None,
                name: Some("London St Pancras International".into()),
                country: Some("GB".into())
            })
        );
        assert_eq!(
            (out.carrier.as_deref(), out.flight_number.as_deref()),
            (Some("Eurostar"), Some("9008"))
        );
        assert_eq!(out.cabin_class.as_deref(), Some("FIRST"));
        let back = &legs[1];
        assert_eq!(
            (back.reference.as_str(), back.sequence),
            ("P:rail:1", Some(2))
        );
        assert_eq!(back.status, Some(SegmentStatus::Cancelled));
        assert_eq!(
            back.origin.as_ref().and_then(|p| p.name.as_deref()),
            Some("Paris Gare du Nord")
        );
        assert_eq!(
            back.origin.as_ref().and_then(|p| p.country.as_deref()),
            Some("FR")
        );
        assert_eq!((back.departure_at, back.arrival_at), (None, None));
    }
}
