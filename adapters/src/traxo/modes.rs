//! Each Traxo segment mode's own place and time fields (API v2 segment objects).
//!
//! - **air** (developer.traxo.com webhooks example; wilchandler/traxo_api fixtures):
//!   `origin`/`destination` IATA codes with `*_city_name`, `*_country`, `*_lat`/`*_lon`;
//!   `departure_datetime`/`arrival_datetime` with `*_time_zone_id`; `iata_code` +
//!   `flight_num`, or only `airline` (a name) + `flight_num` (digits).
//! - **hotel** (teamvancouver/TravelPrototype's Traxo segment model): `hotel_name`,
//!   `city_name`, `country`, `lat`/`lon`, `checkin_date`/`checkout_date` (local dates)
//!   with one `time_zone_id`.
//! - **car** (wilchandler/traxo_api fixtures): `pickup_*`/`dropoff_*` places and
//!   datetimes with `pickup_time_zone_id`/`dropoff_time_zone_id`; `car_company`.
//! - **activity** (TravelPrototype): `city_name`/`country`/`lat`/`lon` where it starts,
//!   `end_city_name`/`end_country`/`end_lat`/`end_lon` where it ends;
//!   `start_datetime`/`end_datetime` with `start_time_zone_id`/`end_time_zone_id`.
//! - **rail, cruise** and unknown types: Traxo publishes no field list, so they are
//!   read with the field names every other mode shares (`origin`/`destination` as free
//!   text — station and port codes are no airport codes — and `departure_*`/`arrival_*`
//!   or `start_*`/`end_*` times).
//!
//! Field names older senders used (`checkin_datetime`, `start_datetime` on a car,
//! `city_name` for any mode) are still read after the published ones.

use chrono::{DateTime, Utc};

use super::fields::plain_place;
use super::time::local_time;
use super::zone::{coordinates, Whereabouts};
use crate::airports;
use crate::canonical::{Place, SegmentChange};
use crate::validate::{FlightNumber, PlaceCode, Reader, ServiceNumber};

/// One end of a segment: the place as stored, and what locates it for a time zone.
struct End {
    place: Option<Place>,
    whereabouts: Whereabouts,
}

/// An end named by its code field, `{side}_city_name`, `{side}_country` and
/// `{side}_lat`/`{side}_lon`. `airport` reads the code as an IATA airport code (checked,
/// completed from the airport dataset, and used for the zone).
fn end(
    reader: &mut Reader<'_>,
    prefix: &str,
    side: &str,
    code_field: Option<&str>,
    airport: bool,
) -> End {
    let at = |field: &str| format!("{prefix}.{field}");
    let (iata, code) = match code_field {
        Some(field) if airport => (reader.iata(&at(field), false), None),
        Some(field) => (
            None,
            reader
                .string(&at(field))
                .and_then(|code| PlaceCode::parse(&code).ok()),
        ),
        None => (None, None),
    };
    let name = reader.string(&at(&format!("{side}_city_name")));
    let country = reader.string(&at(&format!("{side}_country")));
    let whereabouts = Whereabouts {
        airport: iata.as_deref().map(str::to_owned),
        coordinates: coordinates(
            reader,
            &at(&format!("{side}_lat")),
            &at(&format!("{side}_lon")),
        ),
        country: country.clone(),
    };
    let place = if airport {
        airports::place(iata, name, country)
    } else {
        plain_place(code, name, country)
    };
    End { place, whereabouts }
}

/// The place a single-place segment (hotel, activity start) names by `city_name`,
/// `country`, `lat`/`lon`; `fallback_name` when no city is given.
fn site(reader: &mut Reader<'_>, prefix: &str, fallback_name: Option<&str>) -> End {
    let at = |field: &str| format!("{prefix}.{field}");
    let country = reader.string(&at("country"));
    let name = match reader.string(&at("city_name")) {
        Some(city) => Some(city),
        None => fallback_name.and_then(|field| reader.string(&at(field))),
    };
    End {
        whereabouts: Whereabouts {
            airport: None,
            coordinates: coordinates(reader, &at("lat"), &at("lon")),
            country: country.clone(),
        },
        place: plain_place(None, name, country),
    }
}

/// The first of `fields` (datetime, zone ids) whose datetime is present, read with the
/// first zone id present or else where `place` is.
fn time(
    reader: &mut Reader<'_>,
    prefix: &str,
    fields: &[(&str, &[&str])],
    place: &Whereabouts,
) -> Option<DateTime<Utc>> {
    let (field, zones) = fields
        .iter()
        .find(|(field, _)| super::fields::present(reader, &format!("{prefix}.{field}")))?;
    let zones: Vec<String> = zones.iter().map(|z| format!("{prefix}.{z}")).collect();
    local_time(reader, &format!("{prefix}.{field}"), &zones, place)
}

/// Carrier and flight (or train) number. With `iata_code` the number must make a
/// flight number with it (refused on an air segment, dropped on others); without one
/// a `flight_num` that carries its own designator (`DL1460`) gives the carrier, and a
/// bare number is kept as sent with the `airline` name as carrier.
fn carrier_and_number(
    reader: &mut Reader<'_>,
    prefix: &str,
    air: bool,
) -> (Option<String>, Option<ServiceNumber>) {
    let at = |field: &str| format!("{prefix}.{field}");
    let code = reader
        .string(&at("iata_code"))
        .map(|c| c.to_ascii_uppercase());
    let number = reader.string(&at("flight_num"));
    match (code, number) {
        (Some(code), Some(number)) => match FlightNumber::parse(&format!("{code}{number}")) {
            Ok(flight) => (Some(code), Some(flight.into())),
            // Train and ship numbers need not look like flight numbers: dropped, not refused.
            Err(_) if !air => (Some(code), None),
            Err(message) => {
                reader.fail(
                    at("flight_num"),
                    format!("with iata_code {code:?}: {message}"),
                );
                (Some(code), None)
            }
        },
        (Some(code), None) => (Some(code), None),
        (None, number) => {
            let name = if air {
                reader.string(&at("airline"))
            } else {
                None
            };
            match number.as_deref().map(FlightNumber::parse) {
                Some(Ok(flight)) => (Some(flight.carrier().to_owned()), Some(flight.into())),
                _ => (
                    name,
                    number.and_then(|number| ServiceNumber::parse(&number).ok()),
                ),
            }
        }
    }
}

/// A flight between two airports.
pub(super) fn air(reader: &mut Reader<'_>, prefix: &str) -> SegmentChange {
    let origin = end(reader, prefix, "origin", Some("origin"), true);
    let destination = end(reader, prefix, "destination", Some("destination"), true);
    let departure_at = time(
        reader,
        prefix,
        &[("departure_datetime", &["departure_time_zone_id"])],
        &origin.whereabouts,
    );
    let arrival_at = time(
        reader,
        prefix,
        &[("arrival_datetime", &["arrival_time_zone_id"])],
        &destination.whereabouts,
    );
    let (carrier, flight_number) = carrier_and_number(reader, prefix, true);
    SegmentChange {
        origin: origin.place,
        destination: destination.place,
        departure_at,
        arrival_at,
        carrier,
        flight_number,
        cabin_class: reader.string(&format!("{prefix}.class_of_service")),
        ..SegmentChange::default()
    }
}

/// A hotel stay, from check-in to check-out where the hotel is.
pub(super) fn hotel(reader: &mut Reader<'_>, prefix: &str) -> SegmentChange {
    let hotel = site(reader, prefix, Some("hotel_name"));
    let departure_at = time(
        reader,
        prefix,
        &[
            ("checkin_date", &["time_zone_id"]),
            ("checkin_datetime", &["start_time_zone_id", "time_zone_id"]),
        ],
        &hotel.whereabouts,
    );
    let arrival_at = time(
        reader,
        prefix,
        &[
            ("checkout_date", &["time_zone_id"]),
            ("checkout_datetime", &["end_time_zone_id", "time_zone_id"]),
        ],
        &hotel.whereabouts,
    );
    SegmentChange {
        destination: hotel.place,
        departure_at,
        arrival_at,
        ..SegmentChange::default()
    }
}

/// A car rental, from pickup to drop-off. A `pickup_city_code` that is an airport's
/// code gives the zone when no zone id is sent.
pub(super) fn car(reader: &mut Reader<'_>, prefix: &str) -> SegmentChange {
    let mut pickup = end(reader, prefix, "pickup", Some("pickup_city_code"), false);
    let mut dropoff = end(reader, prefix, "dropoff", Some("dropoff_city_code"), false);
    let legacy = site(reader, prefix, None);
    for side in [&mut pickup, &mut dropoff] {
        side.whereabouts.airport = side
            .place
            .as_ref()
            .and_then(|p| p.code.as_deref())
            .filter(|code| airports::lookup(code).is_some())
            .map(str::to_owned);
        if side.place.is_none() {
            side.whereabouts = legacy.whereabouts.clone();
        }
    }
    let departure_at = time(
        reader,
        prefix,
        &[
            ("pickup_datetime", &["pickup_time_zone_id"]),
            ("start_datetime", &["start_time_zone_id"]),
        ],
        &pickup.whereabouts,
    );
    let arrival_at = time(
        reader,
        prefix,
        &[
            ("dropoff_datetime", &["dropoff_time_zone_id"]),
            ("end_datetime", &["end_time_zone_id"]),
        ],
        &dropoff.whereabouts,
    );
    let at = |field: &str| format!("{prefix}.{field}");
    let carrier = reader
        .string(&at("car_company"))
        .or_else(|| reader.string(&at("normalized_car_company")));
    SegmentChange {
        origin: pickup.place,
        destination: dropoff.place.or(legacy.place),
        departure_at,
        arrival_at,
        carrier,
        ..SegmentChange::default()
    }
}

/// An activity, from where it starts to where it ends (the same place when no end
/// place is given).
pub(super) fn activity(reader: &mut Reader<'_>, prefix: &str) -> SegmentChange {
    let start = site(reader, prefix, None);
    let finish = end(reader, prefix, "end", None, false);
    let (finish_whereabouts, end_zones): (_, &[&str]) = if finish.place.is_some() {
        (finish.whereabouts.clone(), &["end_time_zone_id"])
    } else {
        (
            start.whereabouts.clone(),
            &["end_time_zone_id", "start_time_zone_id"],
        )
    };
    let departure_at = time(
        reader,
        prefix,
        &[("start_datetime", &["start_time_zone_id"])],
        &start.whereabouts,
    );
    let arrival_at = time(
        reader,
        prefix,
        &[("end_datetime", end_zones)],
        &finish_whereabouts,
    );
    let (origin, destination) = match finish.place {
        Some(finish) => (start.place, Some(finish)),
        None => (None, start.place),
    };
    SegmentChange {
        origin,
        destination,
        departure_at,
        arrival_at,
        ..SegmentChange::default()
    }
}

/// Rail, cruise and types without a kind of their own: origin and destination as sent
/// (station, port or city codes), `departure_*`/`arrival_*` or `start_*`/`end_*` times.
pub(super) fn surface(reader: &mut Reader<'_>, prefix: &str) -> SegmentChange {
    let origin = end(reader, prefix, "origin", Some("origin"), false);
    let destination = end(reader, prefix, "destination", Some("destination"), false);
    let place = site(reader, prefix, None);
    let whereabouts = |end: &End| {
        if end.place.is_some() {
            end.whereabouts.clone()
        } else {
            place.whereabouts.clone()
        }
    };
    let (from, to) = (whereabouts(&origin), whereabouts(&destination));
    let departure_at = time(
        reader,
        prefix,
        &[
            ("departure_datetime", &["departure_time_zone_id"]),
            ("start_datetime", &["start_time_zone_id"]),
        ],
        &from,
    );
    let arrival_at = time(
        reader,
        prefix,
        &[
            ("arrival_datetime", &["arrival_time_zone_id"]),
            ("end_datetime", &["end_time_zone_id"]),
        ],
        &to,
    );
    let (carrier, flight_number) = carrier_and_number(reader, prefix, false);
    SegmentChange {
        origin: origin.place,
        destination: destination.place.or(place.place),
        departure_at,
        arrival_at,
        carrier,
        flight_number,
        cabin_class: reader.string(&format!("{prefix}.class_of_service")),
        ..SegmentChange::default()
    }
}
