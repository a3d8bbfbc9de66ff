//! Reading one body, in CONTRACT §4's field names, the platform's, or both mixed.
//!
//! The platform behind partners/000 (Holibob's *ConsumerTrip Event Listener*,
//! docs.holibob.tech/docs/consumer-trip-event-listener) names the same data its own way
//! (`consumerTripDepartureAirportCode` for `departureAirportCode`, …), makes every field
//! optional and nullable, sends counts as strings (`"consumerTripPersonCount": "2"`),
//! phones with spaces (`"+44 7707 373348"`), countries as names, and dates with or without
//! a time. Where a body sends a field under both names, the values must agree.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::countries::country;
use super::reference::{self, Leg, EXTERNAL_REFERENCE};
use super::time::trip_time;
use crate::airports;
use crate::canonical::{AdapterError, FieldError, Place};
use crate::validate::{E164Phone, Email, FlightNumber, Reader};

/// Platform fields with no column of their own, kept on the booking.
const PLATFORM_EXTRAS: [&str; 4] = [
    "consumerTripBookingLink",
    "consumerNationality",
    "consumerCurrency",
    "consumerLanguage",
];

/// Everything a body may say, validated.
pub(super) struct Body {
    /// The booking reference: `bookingId`, or what the external reference names.
    pub reference: String,
    pub leg: Option<Leg>,
    /// `tripStart`: when the outbound flight leaves.
    pub departure: Option<DateTime<Utc>>,
    /// When the traveller arrives (`consumerTripArrivalDate`, or a leg's `tripEnd`).
    pub arrival: Option<DateTime<Utc>>,
    /// The arrival is the platform's `consumerTripArrivalDate`, not a leg's own `tripEnd`.
    pub platform_arrival: bool,
    /// When the trip ends: `tripEnd` of a whole trip, `consumerTripReturnDate`.
    pub trip_end: Option<DateTime<Utc>>,
    pub booked_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    pub origin: Option<Place>,
    pub destination: Option<Place>,
    pub customer_id: Option<String>,
    pub first_name: Option<String>,
    pub email: Option<Email>,
    pub phone: Option<E164Phone>,
    pub bag_count: Option<i32>,
    pub pax: Option<i32>,
    pub children: Option<i32>,
    pub infants: Option<i32>,
    pub cabin_class: Option<String>,
    pub flight: Option<FlightNumber>,
    pub extras: Map<String, Value>,
}

/// A body in the platform's format: any `consumer*` field besides the external
/// reference, which CONTRACT §4 names too. Such a body follows the platform's rules.
fn in_platform_format(value: &Value) -> bool {
    value.as_object().is_some_and(|fields| {
        fields
            .keys()
            .any(|key| key.starts_with("consumer") && key != EXTERNAL_REFERENCE)
    })
}

/// One datum under its two names: either may be sent; both must then agree. (`r` comes
/// last so that the values can be read with it in the same call.)
fn either<T>(
    (ours, a): (&str, Option<T>),
    (theirs, b): (&str, Option<T>),
    same: impl Fn(&T, &T) -> bool,
    r: &mut Reader<'_>,
) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => {
            if !same(&a, &b) {
                r.fail(
                    theirs,
                    format!("says something else than {ours}: send one of them, or the same value"),
                );
            }
            Some(a)
        }
        (a, b) => a.or(b),
    }
}

/// Reads one datum under our name and the platform's with `get` (told whether the name
/// is ours, which may make it required), and checks that both agree.
fn both<T>(
    r: &mut Reader<'_>,
    (ours, theirs): (&str, &str),
    get: impl Fn(&mut Reader<'_>, &str, bool) -> Option<T>,
    same: impl Fn(&T, &T) -> bool,
) -> Option<T> {
    let a = get(r, ours, true);
    let b = get(r, theirs, false);
    either((ours, a), (theirs, b), same, r)
}

/// Text that differs only in case says the same (`ECONOMY`, `Economy`).
fn same_text<T: AsRef<str>>(a: &T, b: &T) -> bool {
    a.as_ref().eq_ignore_ascii_case(b.as_ref())
}

/// A phone number written for people (`+44 7707 373348`, `+44 (0)7707 373348`) in E.164.
fn phone(r: &mut Reader<'_>, field: &str, required: bool) -> Option<E164Phone> {
    r.parsed(field, required, |s| {
        E164Phone::parse_formatted(&s.replace("(0)", ""))
    })
}

/// Validates the body. A create in CONTRACT's field names needs every field CONTRACT §4
/// marks required; a body in the platform's format needs only a booking reference.
///
/// # Errors
/// [`AdapterError::Invalid`] with every failing field.
pub(super) fn read(value: &Value, create: bool) -> Result<Body, AdapterError> {
    let platform = in_platform_format(value);
    let required = create && !platform;
    let mut r = Reader::new(value);
    let (reference, leg) = reference::read(&mut r, platform, create);

    // How each kind of datum is read; CONTRACT's names may be required, the platform's never.
    let code = |r: &mut Reader<'_>, field: &str, ours: bool| r.iata(field, required && ours);
    let text = |r: &mut Reader<'_>, field: &str, ours: bool| {
        if required && ours {
            r.required_string(field)
        } else {
            r.string(field)
        }
    };
    let optional = |r: &mut Reader<'_>, field: &str, _: bool| r.string(field);
    let country_name =
        |r: &mut Reader<'_>, field: &str, _: bool| r.string(field).map(|c| country(&c));
    let departure_code = both(
        &mut r,
        ("departureAirportCode", "consumerTripDepartureAirportCode"),
        code,
        PartialEq::eq,
    );
    let destination_code = both(
        &mut r,
        (
            "destinationAirportCode",
            "consumerTripDestinationAirportCode",
        ),
        code,
        PartialEq::eq,
    );

    // A local time or a date is read where it happens (CONTRACT §4): the trip starts at
    // the departure airport; arrival, return and a leg's end are at the destination.
    let departure_zone = departure_code.as_deref().and_then(airports::time_zone);
    let destination_zone = destination_code.as_deref().and_then(airports::time_zone);
    let at_departure = |s: &str| trip_time(s, departure_zone);
    let at_destination = |s: &str| trip_time(s, destination_zone);
    let departure = r.parsed("tripStart", required, at_departure);
    let trip_end = r.parsed("tripEnd", false, at_destination);
    let arrival = r.parsed("consumerTripArrivalDate", false, at_destination);
    let return_date = r.parsed("consumerTripReturnDate", false, at_destination);
    let platform_arrival = arrival.is_some();
    // A leg's `tripEnd` is its arrival (CONTRACT §4); a whole trip's is its return.
    let (arrival, trip_end) = if leg.is_some() {
        let ours = ("tripEnd", trip_end);
        let theirs = ("consumerTripArrivalDate", arrival);
        (either(ours, theirs, PartialEq::eq, &mut r), return_date)
    } else {
        let ours = ("tripEnd", trip_end);
        let theirs = ("consumerTripReturnDate", return_date);
        (arrival, either(ours, theirs, PartialEq::eq, &mut r))
    };
    let booked_at = r.utc("bookingDate", required);

    // A city name; the platform may send only the airport's name.
    let departure_name = both(
        &mut r,
        ("departureName", "consumerTripDepartureCityName"),
        optional,
        same_text,
    )
    .or_else(|| r.string("consumerTripDepartureAirportName"));
    let destination_name = both(
        &mut r,
        ("destinationName", "consumerTripDestinationName"),
        text,
        same_text,
    )
    .or_else(|| r.string("consumerTripArrivalAirportName"));
    let departure_country = both(
        &mut r,
        ("departureCountry", "consumerTripDepartureCountryName"),
        country_name,
        same_text,
    );
    let destination_country = both(
        &mut r,
        ("destinationCountry", "consumerTripDestinationCountryName"),
        country_name,
        same_text,
    );

    let customer_id = both(
        &mut r,
        ("customerId", "consumerPartnerExternalReference"),
        text,
        PartialEq::eq,
    );
    let phone = both(
        &mut r,
        ("phoneNumber", "consumerPhone"),
        |r: &mut Reader<'_>, field: &str, ours: bool| phone(r, field, required && ours),
        PartialEq::eq,
    );
    let first_name = both(
        &mut r,
        ("firstName", "consumerGivenName"),
        optional,
        PartialEq::eq,
    );
    let email = both(
        &mut r,
        ("email", "consumerEmail"),
        |r: &mut Reader<'_>, field: &str, ours: bool| r.email(field, required && ours),
        same_text,
    );
    let bag_count = r.count("bagCount");
    let pax = both(
        &mut r,
        ("pax", "consumerTripPersonCount"),
        |r: &mut Reader<'_>, field: &str, _: bool| r.count(field),
        PartialEq::eq,
    );
    let children = r.count("children");
    let infants = r.count("infants");
    let cabin_class = both(
        &mut r,
        ("flightClass", "consumerTripDepartureFlightClass"),
        optional,
        same_text,
    );
    let flight = r.flight_number("departureFlightNumber", false);
    let updated_at = r.utc("updatedAt", false);
    let mut extras = Map::new();
    for field in PLATFORM_EXTRAS {
        if let Some(value) = r.string(field) {
            extras.insert(field.to_owned(), Value::String(value));
        }
    }
    r.finish()?;

    let Some(reference) = reference else {
        let field = if platform {
            EXTERNAL_REFERENCE
        } else {
            "bookingId"
        };
        return Err(AdapterError::Invalid(vec![FieldError::new(
            field,
            "is required",
        )]));
    };
    Ok(Body {
        reference,
        leg,
        departure,
        arrival,
        platform_arrival,
        trip_end,
        booked_at,
        updated_at,
        origin: airports::place(departure_code, departure_name, departure_country),
        destination: airports::place(destination_code, destination_name, destination_country),
        customer_id,
        first_name,
        email,
        phone,
        bag_count,
        pax,
        children,
        infants,
        cabin_class,
        flight,
        extras,
    })
}
