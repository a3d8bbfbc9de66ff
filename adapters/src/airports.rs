//! Airport enrichment from the embedded `airport-data` dataset (CC-BY-4.0): IATA code →
//! airport name, country and time zone.
//!
//! The dataset has no city names, so a place enriched from a bare code is named after
//! its airport ("London Heathrow Airport"); names a partner sends always win.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono_tz::Tz;

use crate::canonical::Place;
use crate::validate::{IataCode, PlaceCode};

/// What the dataset knows about one airport.
#[derive(Debug, Clone)]
pub struct Airport {
    pub name: String,
    pub country: String,
    pub time_zone: Option<Tz>,
}

/// Index by IATA code, built once on first use. Where a code occurs twice the airport
/// with scheduled service is preferred.
static INDEX: LazyLock<HashMap<String, Airport>> = LazyLock::new(|| {
    let data = airport_data::AirportData::new();
    let mut index: HashMap<String, (bool, Airport)> = HashMap::new();
    for airport in data.all_airports() {
        if airport.iata.len() != 3 {
            continue;
        }
        let entry = Airport {
            name: airport.airport.clone(),
            country: airport.country_code.clone(),
            time_zone: airport.timezone.parse().ok(),
        };
        let scheduled = airport.scheduled_service;
        match index.get(&airport.iata) {
            Some((true, _)) => {}
            Some((false, _)) if !scheduled => {}
            _ => {
                index.insert(airport.iata.to_ascii_uppercase(), (scheduled, entry));
            }
        }
    }
    index
        .into_iter()
        .map(|(code, (_, airport))| (code, airport))
        .collect()
});

/// Loads the dataset now rather than during the first delivery.
pub fn warm_up() {
    LazyLock::force(&INDEX);
}

/// The airport with this IATA code, if the dataset has it.
pub fn lookup(code: &str) -> Option<&'static Airport> {
    INDEX.get(&code.trim().to_ascii_uppercase())
}

/// The time zone of an airport, for timestamps sent without an offset.
pub fn time_zone(code: &str) -> Option<Tz> {
    lookup(code).and_then(|a| a.time_zone)
}

/// A place for `code`, filling name and country from the dataset where the partner
/// sent none.
pub fn place(
    code: Option<IataCode>,
    name: Option<String>,
    country: Option<String>,
) -> Option<Place> {
    if code.is_none() && name.is_none() && country.is_none() {
        return None;
    }
    let known = code.as_deref().and_then(lookup);
    Some(Place {
        name: name.or_else(|| known.map(|a| a.name.clone())),
        country: country.or_else(|| known.map(|a| a.country.clone())),
        code: code.map(PlaceCode::from),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_airports_have_country_and_zone() {
        let lhr = lookup("lhr").expect("LHR is in the dataset");
        assert_eq!(lhr.country, "GB");
        assert_eq!(lhr.time_zone, Some(chrono_tz::Europe::London));
        assert_eq!(time_zone("MAD"), Some(chrono_tz::Europe::Madrid));
        assert!(lookup("Q1Z").is_none());
    }

    #[test]
    fn partner_names_win_over_the_dataset() {
        let p = place(Some("LIS".into()), Some("Lisbon".into()), None).unwrap();
        assert_eq!(p.name.as_deref(), Some("Lisbon"));
        assert_eq!(p.country.as_deref(), Some("PT"));
    }
}
