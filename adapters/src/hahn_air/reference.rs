//! Which booking, and which leg of it, a delivery is about.
//!
//! CONTRACT §4: `bookingId` names the booking and `consumerTripPartnerExternalReference`
//! one leg of a multi-destination trip (`1234-2`: leg 2 of booking `1234`, partners/000
//! *Multi-Destinations*). The platform behind the data plan sends no `bookingId`: its
//! external reference is the booking's own ("the partner's unique reference of the
//! consumer's trip and or booking", Holibob *BookingInput*), a whole trip
//! (`y8c6OBIEZmKXeD6Vbg78`) or, for a multi-destination trip, `<reference>-<n>`.

use crate::validate::Reader;

/// The field that names the platform's booking, or one leg of ours.
pub(super) const EXTERNAL_REFERENCE: &str = "consumerTripPartnerExternalReference";

/// The highest leg number read from a reference alone. Without a `bookingId` to compare
/// with, `PMI-558201` or `HB-ATH-20200101` are whole-trip references, not leg 558201:
/// a multi-destination trip has a handful of legs.
const MAX_GUESSED_LEG: i32 = 99;

/// One leg of a multi-destination trip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Leg {
    /// The whole external reference (`1234-2`): the segment's key.
    pub reference: String,
    /// The booking it belongs to (`1234`).
    pub booking: String,
    /// The leg number (`2`): the segment's position in the trip.
    pub sequence: i32,
}

impl Leg {
    /// Splits `1234-2` at its last dash (booking ids may themselves contain dashes): the
    /// form CONTRACT gives the external reference beside a `bookingId`.
    fn parse(s: &str) -> Result<Self, String> {
        let expected = || {
            let got = crate::validate::clip(s);
            format!(
                "must be the bookingId (the whole trip) or <bookingId>-<leg number> with a leg \
                 number of 1 or more, e.g. 1234-2 (got {got:?})"
            )
        };
        let (booking, number) = s.rsplit_once('-').ok_or_else(expected)?;
        let digits = !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit());
        let sequence = number.parse::<i32>().ok().filter(|n| digits && *n > 0);
        match sequence {
            Some(sequence) if !booking.trim().is_empty() => Ok(Self {
                reference: s.to_owned(),
                booking: booking.trim().to_owned(),
                sequence,
            }),
            _ => Err(expected()),
        }
    }

    /// A reference sent alone is a leg when it ends in `-<n>`, n from 1 to
    /// [`MAX_GUESSED_LEG`] written without leading zeros; otherwise it is a whole trip.
    fn guess(s: &str) -> Option<Self> {
        let (_, number) = s.rsplit_once('-')?;
        let plain = (1..=2).contains(&number.len())
            && number.bytes().all(|b| b.is_ascii_digit())
            && !number.starts_with('0');
        let leg = Self::parse(s).ok()?;
        (plain && leg.sequence <= MAX_GUESSED_LEG).then_some(leg)
    }
}

/// Reads the booking reference and the leg, if any, recording what is wrong.
///
/// With a `bookingId`, the external reference must be that id (the whole trip) or a leg
/// of it, as CONTRACT §4 has it. Without one, the external reference alone names the
/// booking (the platform's way). In our own field names a create needs its `bookingId`
/// (CONTRACT §4); in the platform's (`platform`), only some reference is needed.
pub(super) fn read(
    r: &mut Reader<'_>,
    platform: bool,
    create: bool,
) -> (Option<String>, Option<Leg>) {
    let booking_id = r.string("bookingId");
    let external = r.string(EXTERNAL_REFERENCE);
    let sent = |r: &Reader<'_>, field: &str| {
        r.get(field)
            .is_some_and(|v| !v.as_str().is_some_and(|s| s.trim().is_empty()))
    };
    let id_sent = sent(r, "bookingId");
    if !id_sent && !platform && (create || external.is_none()) {
        r.fail("bookingId", "is required");
    } else if !id_sent && platform && !sent(r, EXTERNAL_REFERENCE) {
        r.fail(
            EXTERNAL_REFERENCE,
            "is required: the booking reference (or send bookingId)",
        );
    }
    let leg = match (&booking_id, &external) {
        (_, None) => None,
        (Some(id), Some(external)) if id == external => Leg::guess(external),
        (None, Some(external)) if !id_sent => Leg::guess(external),
        (_, Some(external)) => match Leg::parse(external) {
            Ok(leg) => Some(leg),
            Err(message) => {
                r.fail(EXTERNAL_REFERENCE, message);
                None
            }
        },
    };
    let reference = match (booking_id, &leg) {
        // A booking id that is itself the leg reference (`1234-2`) names booking `1234`.
        (Some(id), Some(leg)) if id == leg.reference => Some(leg.booking.clone()),
        (Some(id), _) => Some(id),
        (None, Some(leg)) => Some(leg.booking.clone()),
        (None, None) => external.filter(|_| !id_sent),
    };
    (reference, leg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn read_body(body: Value, platform: bool, create: bool) -> (Option<String>, Option<Leg>) {
        let mut r = Reader::new(&body);
        let read = read(&mut r, platform, create);
        assert!(r.finish().is_ok(), "{body}");
        read
    }

    fn leg(reference: &str, booking: &str, sequence: i32) -> Option<Leg> {
        Some(Leg {
            reference: reference.into(),
            booking: booking.into(),
            sequence,
        })
    }

    #[test]
    fn a_reference_alone_is_a_whole_trip_unless_it_ends_in_a_leg_number() {
        for (reference, expected) in [
            ("y8c6OBIEZmKXeD6Vbg78", None),
            ("PMI-558201", None),
            ("HB-ATH-20200101", None),
            ("EI-BCN-7731", None),
            ("1234-0", None),
            ("1234-05", None),
            ("1234-", None),
            ("-2", None),
            ("AB-CD", None),
            ("5678-2", leg("5678-2", "5678", 2)),
            ("AB-12-3", leg("AB-12-3", "AB-12", 3)),
            ("1234-99", leg("1234-99", "1234", 99)),
        ] {
            let body = json!({EXTERNAL_REFERENCE: reference});
            let (booking, found) = read_body(body, true, true);
            assert_eq!(found, expected, "{reference}");
            let booking_ref = expected.map_or(reference.to_owned(), |leg| leg.booking);
            assert_eq!(
                booking.as_deref(),
                Some(booking_ref.as_str()),
                "{reference}"
            );
        }
    }

    #[test]
    fn beside_a_booking_id_the_reference_is_that_id_or_one_of_its_legs() {
        let (booking, found) = read_body(
            json!({"bookingId": "1234", EXTERNAL_REFERENCE: "1234"}),
            false,
            true,
        );
        assert_eq!((booking.as_deref(), found), (Some("1234"), None));
        let (booking, found) = read_body(
            json!({"bookingId": "1234", EXTERNAL_REFERENCE: "1234-150"}),
            false,
            true,
        );
        assert_eq!(
            (booking.as_deref(), found),
            (Some("1234"), leg("1234-150", "1234", 150))
        );
        let (booking, found) = read_body(
            json!({"bookingId": "PMI-558201", EXTERNAL_REFERENCE: "PMI-558201"}),
            true,
            true,
        );
        assert_eq!((booking.as_deref(), found), (Some("PMI-558201"), None));
    }

    #[test]
    fn the_platform_needs_only_some_reference() {
        let body = json!({"consumerGivenName": "Ana"});
        let mut r = Reader::new(&body);
        assert_eq!(read(&mut r, true, true), (None, None));
        let fields: Vec<_> = match r.finish() {
            Err(crate::canonical::AdapterError::Invalid(errors)) => {
                errors.into_iter().map(|e| e.field).collect()
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(fields, [EXTERNAL_REFERENCE]);
        let (booking, _) = read_body(json!({"bookingId": "HX1"}), true, true);
        assert_eq!(booking.as_deref(), Some("HX1"));
    }
}
