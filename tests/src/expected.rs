//! Expected-value plumbing the real-format suites (`tests/tests/real_*.rs`) share:
//! timestamps, stored places as `(code, name, country)` tuples read straight from their
//! columns, the airport dataset's names, and the ids an applied delivery answers with.

use chrono::{DateTime, Utc};
use entity::{booking, segment};
use serde_json::Value;
use uuid::Uuid;

use crate::Reply;

/// A timestamp written in a test.
pub fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("a test timestamp")
}

/// An optional timestamp written in a test.
pub fn time(s: Option<&str>) -> Option<DateTime<Utc>> {
    s.map(at)
}

pub fn some(s: &str) -> Option<String> {
    Some(s.to_owned())
}

/// A place as stored: (code, name, country).
pub type Place = (Option<String>, Option<String>, Option<String>);

/// No place at all.
pub fn nowhere() -> Place {
    (None, None, None)
}

/// A place as the partner names it.
pub fn named(code: Option<&str>, name: &str, country: &str) -> Place {
    (code.map(str::to_owned), some(name), some(country))
}

/// An airport: its code, the dataset's name for it, and `country`.
pub fn airport(code: &str, country: &str) -> Place {
    let name = ingest::airports::lookup(code).map(|a| a.name.clone());
    assert!(name.is_some(), "{code} is in the airport dataset");
    (some(code), name, some(country))
}

/// The stored origin and destination of a booking or a segment, from their columns.
pub trait Ends {
    fn origin_place(&self) -> Place;
    fn destination_place(&self) -> Place;
}

macro_rules! ends {
    ($($model:ty),+) => {$(
        impl Ends for $model {
            fn origin_place(&self) -> Place {
                (
                    self.origin_code.clone(),
                    self.origin_name.clone(),
                    self.origin_country.clone(),
                )
            }

            fn destination_place(&self) -> Place {
                (
                    self.destination_code.clone(),
                    self.destination_name.clone(),
                    self.destination_country.clone(),
                )
            }
        }
    )+};
}

ends!(booking::Model, segment::Model);

/// The booking's `destinations` column, each place as a tuple.
pub fn destinations(b: &booking::Model) -> Vec<Place> {
    b.destinations
        .as_array()
        .expect("destinations is a list")
        .iter()
        .map(|p| {
            let text = |key: &str| p[key].as_str().map(str::to_owned);
            (text("code"), text("name"), text("country"))
        })
        .collect()
}

/// An applied delivery's reply: 200, `"status": "applied"`; returns (event id, booking
/// id).
pub fn applied(reply: &Reply) -> (Uuid, Uuid) {
    assert_eq!(reply.status, 200, "{:?}", reply.json);
    assert_eq!(reply.json["status"], "applied", "{:?}", reply.json);
    (
        uuid(&reply.json["eventId"], reply),
        uuid(&reply.json["bookingId"], reply),
    )
}

/// The id a reply field holds.
pub fn uuid(value: &Value, reply: &Reply) -> Uuid {
    value
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not a uuid: {value} in {:?}", reply.json))
}
