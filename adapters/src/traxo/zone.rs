//! Where a Traxo segment or trip is, for the time zone of a local time the payload
//! sends without a zone id: the airport's zone (an IATA code), else the zone of the
//! place itself — the airport nearest to its `lat`/`lon` (Traxo sends coordinates on
//! trips, hotels, car pickups and drop-offs, and both ends of a flight), else its
//! country's, when every airport of that country keeps one zone.
//!
//! Built on the embedded airport dataset; `crate::airports` has no coordinate or
//! country index, so this one is private to the adapter.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono_tz::Tz;
use serde_json::Value;

use crate::airports;
use crate::validate::Reader;

/// Farther than this from every airport, coordinates say nothing about the zone.
const NEAREST_WITHIN_KM: f64 = 250.0;

/// What is known about a place, to find its zone.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Whereabouts {
    /// An IATA airport code.
    pub airport: Option<String>,
    /// Latitude and longitude in degrees.
    pub coordinates: Option<(f64, f64)>,
    /// ISO 3166 alpha-2 country code.
    pub country: Option<String>,
}

impl Whereabouts {
    /// The zone of the place, in that order of trust: airport, coordinates, country.
    pub fn zone(&self) -> Option<Tz> {
        self.airport
            .as_deref()
            .and_then(airports::time_zone)
            .or_else(|| self.coordinates.and_then(|(lat, lon)| nearest(lat, lon)))
            .or_else(|| self.country.as_deref().and_then(country_zone))
    }
}

/// Coordinates at `lat_path`/`lon_path`: numbers or numeric strings (Traxo sends both).
/// Values that are no coordinates are ignored rather than refused: they are only ever
/// a hint for a time zone.
pub(super) fn coordinates(
    reader: &Reader<'_>,
    lat_path: &str,
    lon_path: &str,
) -> Option<(f64, f64)> {
    let number = |path: &str| match reader.get(path)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    let (lat, lon) = (number(lat_path)?, number(lon_path)?);
    let valid = lat.is_finite()
        && lon.is_finite()
        && (-90.0..=90.0).contains(&lat)
        && (-180.0..=180.0).contains(&lon)
        && (lat, lon) != (0.0, 0.0);
    valid.then_some((lat, lon))
}

/// Every airport with a zone: (latitude, longitude, zone), and per country its one zone
/// (`None` when its airports keep several).
struct Index {
    airports: Vec<(f64, f64, Tz)>,
    countries: HashMap<String, Option<Tz>>,
}

static INDEX: LazyLock<Index> = LazyLock::new(|| {
    let mut airports = Vec::new();
    let mut countries: HashMap<String, Option<Tz>> = HashMap::new();
    for airport in airport_data::AirportData::new().all_airports() {
        let Ok(zone) = airport.timezone.parse::<Tz>() else {
            continue;
        };
        if airport.latitude.is_finite() && airport.longitude.is_finite() {
            airports.push((airport.latitude, airport.longitude, zone));
        }
        let country = airport.country_code.to_ascii_uppercase();
        countries
            .entry(country)
            .and_modify(|known| {
                if *known != Some(zone) {
                    *known = None;
                }
            })
            .or_insert(Some(zone));
    }
    Index {
        airports,
        countries,
    }
});

/// The zone of the airport nearest to (`lat`, `lon`), if one is near enough.
fn nearest(lat: f64, lon: f64) -> Option<Tz> {
    INDEX
        .airports
        .iter()
        .map(|&(a_lat, a_lon, zone)| (haversine_km(lat, lon, a_lat, a_lon), zone))
        .filter(|(km, _)| *km <= NEAREST_WITHIN_KM)
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, zone)| zone)
}

/// The zone of a country whose airports all keep the same one.
fn country_zone(country: &str) -> Option<Tz> {
    INDEX
        .countries
        .get(&country.trim().to_ascii_uppercase())
        .copied()
        .flatten()
}

fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    const EARTH_RADIUS_KM: f64 = 6371.0;
    let (phi1, phi2) = (lat1.to_radians(), lat2.to_radians());
    let d_phi = (lat2 - lat1).to_radians();
    let d_lambda = (lon2 - lon1).to_radians();
    let a = (d_phi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (d_lambda / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * a.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(lat: f64, lon: f64) -> Whereabouts {
        Whereabouts {
            coordinates: Some((lat, lon)),
            ..Whereabouts::default()
        }
    }

    #[test]
    fn coordinates_give_the_zone_of_the_nearest_airport() {
        // Little Rock (the shared car segments), Chicago, Lisbon, Singapore.
        assert_eq!(
            at(34.7465, -92.2896).zone(),
            Some(chrono_tz::America::Chicago)
        );
        assert_eq!(at(41.85, -87.65).zone(), Some(chrono_tz::America::Chicago));
        assert_eq!(at(38.7223, -9.1393).zone(), Some(chrono_tz::Europe::Lisbon));
        assert_eq!(
            at(1.35208, 103.819836).zone(),
            Some(chrono_tz::Asia::Singapore)
        );
        // Mid-Pacific: no airport near enough.
        assert_eq!(at(-40.0, -130.0).zone(), None);
    }

    #[test]
    fn the_airport_wins_over_coordinates_and_country() {
        let place = Whereabouts {
            airport: Some("LIS".into()),
            coordinates: Some((41.85, -87.65)),
            country: Some("US".into()),
        };
        assert_eq!(place.zone(), Some(chrono_tz::Europe::Lisbon));
    }

    #[test]
    fn a_country_gives_a_zone_only_when_it_keeps_one() {
        let country = |cc: &str| Whereabouts {
            country: Some(cc.into()),
            ..Whereabouts::default()
        };
        assert_eq!(country("sg").zone(), Some(chrono_tz::Asia::Singapore));
        assert_eq!(country("US").zone(), None);
        assert_eq!(country("XX").zone(), None);
    }

    #[test]
    fn coordinates_are_read_from_numbers_and_strings_and_otherwise_ignored() {
        let body = json!({"a": {"lat": "41.85", "lon": -87.65}, "b": {"lat": "north", "lon": 1},
                          "c": {"lat": 91, "lon": 0}, "d": {"lat": "NaN", "lon": "inf"}});
        let reader = Reader::new(&body);
        assert_eq!(
            coordinates(&reader, "a.lat", "a.lon"),
            Some((41.85, -87.65))
        );
        for side in ["b", "c", "d", "missing"] {
            assert_eq!(
                coordinates(&reader, &format!("{side}.lat"), &format!("{side}.lon")),
                None,
                "{side}"
            );
        }
    }
}
