//! The place shape, once: the kit's [`Place`] is what a change states, what the
//! `destinations` column holds (a JSON array of it) and what the three
//! `origin_*`/`destination_*` columns of a booking or segment spell out. Reading and
//! writing those columns happens here.

pub use adapters::canonical::Place;

use serde::Deserialize;

use crate::{booking, segment};

/// A place from its three columns.
fn read(code: &Option<String>, name: &Option<String>, country: &Option<String>) -> Option<Place> {
    Place::from_parts(code.as_deref(), name.as_deref(), country.as_deref())
}

/// A place as its three columns.
fn columns(place: Option<Place>) -> (Option<String>, Option<String>, Option<String>) {
    let place = place.unwrap_or_default();
    (
        place.code.map(|code| code.into_inner()),
        place.name,
        place.country,
    )
}

/// `origin()` and `destination()` of a row with `origin_*` and `destination_*` columns.
macro_rules! ends {
    ($($model:ty: $origin:literal, $destination:literal;)+) => {$(
        impl $model {
            #[doc = $origin]
            pub fn origin(&self) -> Option<Place> {
                read(&self.origin_code, &self.origin_name, &self.origin_country)
            }

            #[doc = $destination]
            pub fn destination(&self) -> Option<Place> {
                read(
                    &self.destination_code,
                    &self.destination_name,
                    &self.destination_country,
                )
            }
        }
    )+};
}

ends! {
    booking::Model: "Where the trip begins (the summary).", "The main destination (the summary).";
    segment::Model: "Where the segment begins.", "Where the segment ends.";
}

impl booking::Model {
    /// Where the partner said the trip begins.
    pub fn stated_origin(&self) -> Option<Place> {
        read(
            &self.stated_origin_code,
            &self.stated_origin_name,
            &self.stated_origin_country,
        )
    }

    /// The final destination the partner named.
    pub fn stated_destination(&self) -> Option<Place> {
        read(
            &self.stated_destination_code,
            &self.stated_destination_name,
            &self.stated_destination_country,
        )
    }

    /// The active segments' destinations in sequence order (the summary).
    ///
    /// # Errors
    /// When the column holds something other than a list of places.
    pub fn destinations(&self) -> Result<Vec<Place>, serde_json::Error> {
        Vec::<Place>::deserialize(&self.destinations)
    }

    pub fn set_origin(&mut self, place: Option<Place>) {
        (self.origin_code, self.origin_name, self.origin_country) = columns(place);
    }

    pub fn set_destination(&mut self, place: Option<Place>) {
        (
            self.destination_code,
            self.destination_name,
            self.destination_country,
        ) = columns(place);
    }

    pub fn set_destinations(&mut self, places: &[Place]) {
        self.destinations =
            serde_json::to_value(places).unwrap_or(serde_json::Value::Array(Vec::new()));
    }
}
