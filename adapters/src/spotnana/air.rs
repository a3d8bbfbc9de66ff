//! `airPnr.legs[].flights[]` as air segments (PnrData `Air` → `Leg` → `Flight`).
//!
//! A leg is a journey (outbound, return) and its flights are hops. Flight times are
//! `DateTimeLocal` at the airports, so they are read in each airport's zone.

use crate::SegmentKind;

use super::fields::{date_time, section_status};
use super::list_len;
use crate::airports;
use crate::canonical::{Place, SegmentChange};
use crate::validate::{FlightNumber, Reader, ServiceNumber};

/// The flights of every leg, numbered from `first_sequence` across legs, and the number
/// of flights in the first leg (see [`journey_destination`]).
pub(super) fn flights(
    reader: &mut Reader<'_>,
    pnr_id: &str,
    first_sequence: usize,
) -> (Vec<SegmentChange>, usize) {
    let mut segments = Vec::new();
    let Some(legs) = list_len(reader, "payload.airPnr.legs") else {
        return (segments, 0);
    };
    let mut first_leg_flights = 0;
    for leg in 0..legs {
        let path = format!("payload.airPnr.legs.{leg}.flights");
        let count = list_len(reader, &path).unwrap_or(0);
        if leg == 0 {
            first_leg_flights = count;
        }
        for flight in 0..count {
            let sequence = i32::try_from(first_sequence + segments.len()).ok();
            let fallback = format!("{pnr_id}:{leg}:{flight}");
            segments.push(segment(
                reader,
                &format!("{path}.{flight}"),
                fallback,
                sequence,
            ));
        }
    }
    (segments, first_leg_flights)
}

/// Where the trip goes: the arrival of the first leg's last flight, so that a connection
/// (FRA on LHR→FRA→SFO) is not the destination the landing page names.
pub(super) fn journey_destination(
    segments: &[SegmentChange],
    first_leg_flights: usize,
) -> Option<Place> {
    let last = first_leg_flights.checked_sub(1)?;
    segments.get(last).and_then(|s| s.destination.clone())
}

fn segment(
    reader: &mut Reader<'_>,
    path: &str,
    fallback: String,
    sequence: Option<i32>,
) -> SegmentChange {
    if reader.get(path).is_some_and(|f| !f.is_object()) {
        reader.fail(path, "must be an object (a flight)");
    }
    let reference = reader
        .string(&format!("{path}.flightId"))
        .unwrap_or(fallback);
    let origin = reader.iata(&format!("{path}.origin"), true);
    let destination = reader.iata(&format!("{path}.destination"), true);
    let departure_zone = origin.as_deref().and_then(airports::time_zone);
    let arrival_zone = destination.as_deref().and_then(airports::time_zone);
    let departure_at = date_time(reader, &format!("{path}.departureDateTime"), departure_zone);
    let arrival_at = date_time(reader, &format!("{path}.arrivalDateTime"), arrival_zone);
    let carrier = reader
        .string(&format!("{path}.marketing.airlineCode"))
        .map(|c| c.to_ascii_uppercase());
    let number = reader.string(&format!("{path}.marketing.num"));
    let flight_number = match (&carrier, number) {
        (Some(carrier), Some(number)) => reader
            .parsed(&format!("{path}.marketing.num"), true, |_| {
                FlightNumber::parse(&format!("{carrier}{number}"))
            })
            .map(ServiceNumber::from),
        _ => None,
    };
    SegmentChange {
        reference,
        sequence,
        kind: Some(SegmentKind::Air),
        status: section_status(reader, &format!("{path}.flightStatus")),
        origin: airports::place(origin, None, None),
        destination: airports::place(destination, None, None),
        departure_at,
        arrival_at,
        carrier,
        flight_number,
        cabin_class: reader.string(&format!("{path}.cabin")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SegmentStatus;
    use chrono::{DateTime, Utc};
    use serde_json::json;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().expect("test timestamp")
    }

    fn read(body: &serde_json::Value) -> (Vec<SegmentChange>, usize) {
        let mut reader = Reader::new(body);
        let result = flights(&mut reader, "P", 1);
        reader.finish().expect("valid");
        result
    }

    #[test]
    fn a_flight_status_sets_the_segment_status() {
        let flight = |status: &str| {
            json!({"origin": "JFK", "destination": "LHR", "flightStatus": status,
                "departureDateTime": {"iso8601": "2025-12-20T18:30"}, "arrivalDateTime": {"iso8601": "2025-12-21T06:40"},
                "marketing": {"airlineCode": "BA", "num": "178"}})
        };
        let body = json!({"payload": {"airPnr": {"legs": [{"flights": [flight("CANCELLED"), flight("SCHEDULE_CHANGE_PENDING_STATUS")]}]}}});
        let (segments, first_leg) = read(&body);
        assert_eq!(first_leg, 2);
        assert_eq!(segments[0].status, Some(SegmentStatus::Cancelled));
        assert_eq!(segments[1].status, Some(SegmentStatus::Active));
        assert_eq!(segments[0].departure_at, Some(at("2025-12-20T23:30:00Z")));
        assert_eq!(segments[0].arrival_at, Some(at("2025-12-21T06:40:00Z")));
    }

    /// Europe leaves summer time on 2025-10-26 at 01:00 UTC: a night flight LHR→MAD
    /// leaves at 00:30 BST (UTC+1) and lands at 03:10 CET (UTC+1 again after the change).
    #[test]
    fn a_flight_across_the_autumn_clock_change_keeps_its_real_duration() {
        let body = json!({"payload": {"airPnr": {"legs": [{"flights": [{"origin": "LHR", "destination": "MAD",
            "departureDateTime": {"iso8601": "2025-10-26T00:30"}, "arrivalDateTime": {"iso8601": "2025-10-26T03:10"}}]}]}}});
        let (segments, _) = read(&body);
        assert_eq!(segments[0].departure_at, Some(at("2025-10-25T23:30:00Z")));
        assert_eq!(segments[0].arrival_at, Some(at("2025-10-26T02:10:00Z")));
    }

    /// The US enters summer time on 2026-03-08 at 02:00: ORD 01:15 CST (UTC-6) to LGA
    /// 05:05 EDT (UTC-4).
    #[test]
    fn a_flight_across_the_spring_clock_change_keeps_its_real_duration() {
        let body = json!({"payload": {"airPnr": {"legs": [{"flights": [{"origin": "ORD", "destination": "LGA",
            "departureDateTime": {"iso8601": "2026-03-08T01:15"}, "arrivalDateTime": {"iso8601": "2026-03-08T05:05"}}]}]}}});
        let (segments, _) = read(&body);
        assert_eq!(segments[0].departure_at, Some(at("2026-03-08T07:15:00Z")));
        assert_eq!(segments[0].arrival_at, Some(at("2026-03-08T09:05:00Z")));
    }
}
