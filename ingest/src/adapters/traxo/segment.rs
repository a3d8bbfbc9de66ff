//! One Traxo segment (air, hotel, car, rail, cruise, activity) as a canonical segment,
//! and the booking a lone segment belongs to.
//!
//! Air segments name airports (`origin: "DFW"`) and times local to them; other modes name
//! places freely and may use `start_*`/`end_*` or `checkin_*`/`checkout_*` times. The
//! segment's `phone` is the carrier's or hotel's, not the traveller's: it is not contact
//! data and is not kept.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use entity::{SegmentKind, SegmentStatus};

use super::fields::{local_time, plain_place, present, read_id};
use crate::airports;
use crate::canonical::{Place, SegmentChange};
use crate::validate::{FlightNumber, Reader};

/// The segment at `prefix`. `mode` is the kind named by a `<mode>_segment.*` event type,
/// used when the segment has no `type`; `removed` (`trip_segment.removed`) cancels it.
pub(super) fn read(
    reader: &mut Reader<'_>,
    prefix: &str,
    mode: Option<SegmentKind>,
    removed: bool,
) -> SegmentChange {
    let at = |field: &str| format!("{prefix}.{field}");
    let kind = reader
        .string(&at("type"))
        .map(|kind| kind_of(&kind))
        .or(mode);
    // Airport rules (IATA codes, airport time zones, flight numbers) also apply when the
    // kind is unknown: a segment without `type` in a trip_segment event.
    let air = matches!(kind, None | Some(SegmentKind::Air));
    let cancelled = reader.string(&at("status")).is_some_and(|s| {
        matches!(
            s.to_ascii_lowercase().as_str(),
            "cancelled" | "canceled" | "deleted"
        )
    });
    let status = if removed || cancelled {
        SegmentStatus::Cancelled
    } else {
        SegmentStatus::Active
    };

    let origin_code = code(reader, &at("origin"), air);
    let destination_code = code(reader, &at("destination"), air);
    let departure_zone = origin_code
        .as_deref()
        .filter(|_| air)
        .and_then(airports::time_zone);
    let arrival_zone = destination_code
        .as_deref()
        .filter(|_| air)
        .and_then(airports::time_zone);
    let origin = place(reader, prefix, "origin", origin_code, air);
    let mut destination = place(reader, prefix, "destination", destination_code, air);
    if destination.is_none() && !air {
        // A hotel, car or activity names one place: where it is.
        destination = plain_place(
            None,
            reader.string(&at("city_name")),
            reader.string(&at("country")),
        );
    }

    let mut departure_fields = vec![("departure_datetime", "departure_time_zone_id")];
    let mut arrival_fields = vec![("arrival_datetime", "arrival_time_zone_id")];
    if kind != Some(SegmentKind::Air) {
        departure_fields.extend([
            ("start_datetime", "start_time_zone_id"),
            ("checkin_datetime", "start_time_zone_id"),
        ]);
        arrival_fields.extend([
            ("end_datetime", "end_time_zone_id"),
            ("checkout_datetime", "end_time_zone_id"),
        ]);
    }
    let departure_at = first_time(reader, prefix, &departure_fields, departure_zone);
    let arrival_at = first_time(reader, prefix, &arrival_fields, arrival_zone);

    let carrier = reader
        .string(&at("iata_code"))
        .map(|c| c.to_ascii_uppercase());
    let number = reader.string(&at("flight_num"));
    let flight_number = match (&carrier, number) {
        (Some(carrier), Some(number)) => match FlightNumber::parse(&format!("{carrier}{number}")) {
            Ok(flight) => Some(flight.into_inner()),
            // Train and ship numbers need not look like flight numbers: dropped, not refused.
            Err(_) if !air => None,
            Err(message) => {
                reader.fail(
                    at("flight_num"),
                    format!("with iata_code {carrier:?}: {message}"),
                );
                None
            }
        },
        _ => None,
    };

    SegmentChange {
        reference: read_id(reader, &at("id"), true).unwrap_or_default(),
        sequence: None,
        kind,
        status: Some(status),
        origin,
        destination,
        departure_at,
        arrival_at,
        carrier,
        flight_number,
        cabin_class: reader.string(&at("class_of_service")),
    }
}

/// The trip a lone segment (`<mode>_segment.*`) belongs to: its `trip_id`, else the id of
/// a nested `trip`, else its `confirmation_no`. The first field present decides.
pub(super) fn booking_reference(reader: &mut Reader<'_>, prefix: &str) -> String {
    for field in ["trip_id", "trip.id", "confirmation_no"] {
        let path = format!("{prefix}.{field}");
        if present(reader, &path) {
            if let Some(reference) = read_id(reader, &path, true) {
                return reference;
            }
            return String::new();
        }
    }
    reader.fail(
        format!("{prefix}.trip_id"),
        format!("is required to tie the segment to its trip (or {prefix}.trip.id, or {prefix}.confirmation_no)"),
    );
    String::new()
}

/// Traxo segment `type` → kind; types this product has no kind for are `Other`.
fn kind_of(kind: &str) -> SegmentKind {
    match kind.to_ascii_lowercase().as_str() {
        "air" => SegmentKind::Air,
        "hotel" => SegmentKind::Hotel,
        "car" => SegmentKind::Car,
        "rail" => SegmentKind::Rail,
        "cruise" => SegmentKind::Cruise,
        "activity" => SegmentKind::Activity,
        _ => SegmentKind::Other,
    }
}

/// An origin/destination code: an IATA airport code for air segments, free text (a
/// station, port or city code) for the others.
fn code(reader: &mut Reader<'_>, path: &str, air: bool) -> Option<String> {
    if air {
        reader.iata(path, false)
    } else {
        reader.string(path)
    }
}

/// `origin`/`destination` with its `*_city_name` and `*_country`; air segments fill the
/// gaps from the airport dataset (Traxo's city name wins over the airport's name).
fn place(
    reader: &mut Reader<'_>,
    prefix: &str,
    side: &str,
    code: Option<String>,
    air: bool,
) -> Option<Place> {
    let name = reader.string(&format!("{prefix}.{side}_city_name"));
    let country = reader.string(&format!("{prefix}.{side}_country"));
    if air {
        airports::place(code, name, country)
    } else {
        plain_place(code, name, country)
    }
}

/// The first of `fields` (datetime, zone id) whose datetime is present, read with its
/// zone id or `fallback`.
fn first_time(
    reader: &mut Reader<'_>,
    prefix: &str,
    fields: &[(&str, &str)],
    fallback: Option<Tz>,
) -> Option<DateTime<Utc>> {
    let (time, zone) = fields
        .iter()
        .find(|(time, _)| present(reader, &format!("{prefix}.{time}")))?;
    local_time(
        reader,
        &format!("{prefix}.{time}"),
        &format!("{prefix}.{zone}"),
        fallback,
    )
}
