//! `hotelPnr`, `carPnr` and `limoPnr` as segments (PnrData `Hotel`, `Car`, `LimoInfo`).
//!
//! Their times are `DateTimeLocal` at a `PostalAddress`: the hotel's, the pickup or
//! drop-off location's. The zone is the address's `timezone`, else the zone of the airport
//! its `locationCode` names; a local time with neither is refused (CONTRACT §4).
//! A PNR holds one hotel stay or one rental, so their segment references are fixed per
//! PNR (`<pnrId>:hotel`, `<pnrId>:car`); a limo booking has legs (`<pnrId>:limo:<n>`).

use crate::SegmentKind;

use super::fields::{address_place, address_zone, date_time, section_status, text};
use super::{list_len, object_at};
use crate::canonical::SegmentChange;
use crate::validate::Reader;

/// The stay: check-in to check-out where the hotel is; its chain as the carrier.
pub(super) fn hotel(
    reader: &mut Reader<'_>,
    pnr_id: &str,
    sequence: Option<i32>,
) -> Option<SegmentChange> {
    let base = "payload.hotelPnr";
    object_at(reader, base, "must be an object (the hotel booking)")?;
    let address = format!("{base}.hotelInfo.address");
    let zone = address_zone(reader, &address);
    let departure_at = date_time(reader, &format!("{base}.checkInDateTime"), zone);
    let arrival_at = date_time(reader, &format!("{base}.checkOutDateTime"), zone);
    Some(SegmentChange {
        reference: format!("{pnr_id}:hotel"),
        sequence,
        kind: Some(SegmentKind::Hotel),
        status: section_status(reader, &format!("{base}.pnrStatus")),
        origin: None,
        destination: address_place(reader, &address),
        departure_at,
        arrival_at,
        carrier: text(reader, &format!("{base}.hotelInfo.chainName"))
            .or_else(|| text(reader, &format!("{base}.hotelInfo.chainCode"))),
        flight_number: None,
        cabin_class: None,
    })
}

/// The rental: pickup to drop-off; the rental company as the carrier.
pub(super) fn car(
    reader: &mut Reader<'_>,
    pnr_id: &str,
    sequence: Option<i32>,
) -> Option<SegmentChange> {
    let base = "payload.carPnr";
    object_at(reader, base, "must be an object (the car rental)")?;
    let info = format!("{base}.carInfo");
    let vendor = text(reader, &format!("{info}.vendor.name"))
        .or_else(|| text(reader, &format!("{info}.vendor.code")));
    Some(ride(
        reader,
        Ride {
            reference: format!("{pnr_id}:car"),
            sequence,
            kind: SegmentKind::Car,
            pickup: format!("{info}.pickupLocation.address"),
            pickup_at: format!("{base}.pickupDateTime"),
            dropoff: format!("{info}.dropOffLocation.address"),
            dropoff_at: format!("{base}.dropOffDateTime"),
            status: format!("{base}.pnrStatus"),
            carrier: vendor,
        },
    ))
}

/// Each leg of a chauffeured transfer, numbered from `first_sequence`; the limo company
/// as the carrier. The leg's `flightNumbers` are the traveller's flights, not the limo's,
/// so they are not the segment's flight number.
pub(super) fn limo(
    reader: &mut Reader<'_>,
    pnr_id: &str,
    first_sequence: usize,
) -> Vec<SegmentChange> {
    let base = "payload.limoPnr";
    if object_at(reader, base, "must be an object (the limo booking)").is_none() {
        return Vec::new();
    }
    let vendor = text(reader, &format!("{base}.limoDetails.vendorName"))
        .or_else(|| text(reader, &format!("{base}.limoDetails.limoVendorInfo.name")));
    let legs = list_len(reader, &format!("{base}.legs")).unwrap_or(0);
    (0..legs)
        .map(|leg| {
            let at = |field: &str| format!("{base}.legs.{leg}.{field}");
            ride(
                reader,
                Ride {
                    reference: format!("{pnr_id}:limo:{leg}"),
                    sequence: i32::try_from(first_sequence + leg).ok(),
                    kind: SegmentKind::Transfer,
                    pickup: at("pickupLocation.address"),
                    pickup_at: at("pickupDateTime"),
                    dropoff: at("dropOffLocation.address"),
                    dropoff_at: at("dropOffDateTime"),
                    status: format!("{base}.pnrStatus"),
                    carrier: vendor.clone(),
                },
            )
        })
        .collect()
}

/// A car or limo ride: where and when it picks up and drops off.
struct Ride {
    reference: String,
    sequence: Option<i32>,
    kind: SegmentKind,
    pickup: String,
    pickup_at: String,
    dropoff: String,
    dropoff_at: String,
    status: String,
    carrier: Option<String>,
}

fn ride(reader: &mut Reader<'_>, ride: Ride) -> SegmentChange {
    let pickup_zone = address_zone(reader, &ride.pickup);
    let dropoff_zone = address_zone(reader, &ride.dropoff);
    let departure_at = date_time(reader, &ride.pickup_at, pickup_zone);
    let arrival_at = date_time(reader, &ride.dropoff_at, dropoff_zone);
    SegmentChange {
        reference: ride.reference,
        sequence: ride.sequence,
        kind: Some(ride.kind),
        status: section_status(reader, &ride.status),
        origin: address_place(reader, &ride.pickup),
        destination: address_place(reader, &ride.dropoff),
        departure_at,
        arrival_at,
        carrier: ride.carrier,
        flight_number: None,
        cabin_class: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SegmentStatus;
    use chrono::{DateTime, Utc};
    use serde_json::{json, Value};

    use crate::canonical::{AdapterError, Place};

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().expect("test timestamp")
    }

    fn place(code: Option<&str>, name: &str, country: &str) -> Option<Place> {
        Some(Place {
            code: code.map(Into::into),
            name: Some(name.to_owned()),
            country: Some(country.to_owned()),
        })
    }

    fn chicago(location_code: &str) -> Value {
        json!({"addressLines": ["1 Main St"], "locality": "Chicago", "regionCode": "US",
            "locationCode": location_code, "timezone": "America/Chicago"})
    }

    #[test]
    fn a_hotel_stay_runs_from_check_in_to_check_out_in_the_hotels_zone() {
        let body = json!({"payload": {"hotelPnr": {
            "checkInDateTime": {"iso8601": "2025-12-08T15:00"}, "checkOutDateTime": {"iso8601": "2025-12-11T11:00"},
            "hotelInfo": {"name": "Red Roof", "chainName": "Red Roof Inns", "chainCode": "RF",
                "address": {"addressLines": ["777 Airport Blvd"], "locality": "Burlingame", "regionCode": "US", "timezone": "America/Los_Angeles"}},
            "pnrStatus": "CONFIRMED"}}});
        let mut reader = Reader::new(&body);
        let stay = hotel(&mut reader, "P", Some(1)).expect("a hotel");
        reader.finish().expect("valid");
        assert_eq!(
            stay,
            SegmentChange {
                reference: "P:hotel".into(),
                sequence: Some(1),
                kind: Some(SegmentKind::Hotel),
                status: Some(SegmentStatus::Active),
                origin: None,
                destination: place(None, "Burlingame", "US"),
                departure_at: Some(at("2025-12-08T23:00:00Z")),
                arrival_at: Some(at("2025-12-11T19:00:00Z")),
                carrier: Some("Red Roof Inns".into()),
                flight_number: None,
                cabin_class: None,
            }
        );
    }

    /// New York leaves summer time on 2025-11-02 at 02:00 EDT: check-in the day before is
    /// UTC-4, check-out after the change UTC-5.
    #[test]
    fn a_stay_across_the_autumn_clock_change_reads_each_time_with_its_own_offset() {
        let body = json!({"payload": {"hotelPnr": {
            "checkInDateTime": {"iso8601": "2025-11-01T15:00"}, "checkOutDateTime": {"iso8601": "2025-11-02T11:00"},
            "hotelInfo": {"name": "H", "address": {"addressLines": [], "regionCode": "US", "locationCode": "JFK"}}}}});
        let mut reader = Reader::new(&body);
        let stay = hotel(&mut reader, "P", None).expect("a hotel");
        reader.finish().expect("valid");
        assert_eq!(stay.departure_at, Some(at("2025-11-01T19:00:00Z")));
        assert_eq!(stay.arrival_at, Some(at("2025-11-02T16:00:00Z")));
        assert_eq!(
            stay.destination.and_then(|p| p.code).as_deref(),
            Some("JFK"),
            "the zone came from the location code"
        );
    }

    /// Chicago enters summer time on 2026-03-08 at 02:00 CST: a pickup at 01:30 is UTC-6,
    /// a drop-off at 03:30 UTC-5 — one hour later, not two.
    #[test]
    fn a_rental_across_the_spring_clock_change_lasts_its_real_time() {
        let body = json!({"payload": {"carPnr": {
            "pickupDateTime": {"iso8601": "2026-03-08T01:30"}, "dropOffDateTime": {"iso8601": "2026-03-08T03:30"},
            "carInfo": {"vendor": {"code": "ZE", "name": "HERTZ"},
                "pickupLocation": {"address": chicago("ORD")}, "dropOffLocation": {"address": chicago("MDW")}},
            "pnrStatus": "CANCELLED"}}});
        let mut reader = Reader::new(&body);
        let rental = car(&mut reader, "P", Some(1)).expect("a car");
        reader.finish().expect("valid");
        assert_eq!(rental.reference, "P:car");
        assert_eq!(rental.kind, Some(SegmentKind::Car));
        assert_eq!(rental.status, Some(SegmentStatus::Cancelled));
        assert_eq!(rental.departure_at, Some(at("2026-03-08T07:30:00Z")));
        assert_eq!(rental.arrival_at, Some(at("2026-03-08T08:30:00Z")));
        assert_eq!(rental.origin, place(Some("ORD"), "Chicago", "US"));
        assert_eq!(rental.destination, place(Some("MDW"), "Chicago", "US"));
        assert_eq!(rental.carrier.as_deref(), Some("HERTZ"));
    }

    #[test]
    fn a_local_time_that_the_clock_change_skips_is_refused() {
        let body = json!({"payload": {"carPnr": {
            "pickupDateTime": {"iso8601": "2026-03-08T02:30"}, "dropOffDateTime": {"iso8601": "2026-03-09T10:00"},
            "carInfo": {"pickupLocation": {"address": chicago("ORD")}, "dropOffLocation": {"address": chicago("ORD")}}}}});
        let mut reader = Reader::new(&body);
        car(&mut reader, "P", Some(1));
        let Err(AdapterError::Invalid(errors)) = reader.finish() else {
            panic!("expected a refusal")
        };
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "payload.carPnr.pickupDateTime.iso8601");
        assert!(errors[0].message.contains("does not exist"), "{errors:?}");
    }

    #[test]
    fn a_local_time_with_no_zone_anywhere_is_refused_on_its_path() {
        let body = json!({"payload": {"hotelPnr": {"checkInDateTime": {"iso8601": "2025-12-08T15:00"},
            "hotelInfo": {"name": "H", "address": {"addressLines": [], "regionCode": "US", "timezone": "string"}}}}});
        let mut reader = Reader::new(&body);
        hotel(&mut reader, "P", None);
        let Err(AdapterError::Invalid(errors)) = reader.finish() else {
            panic!("expected a refusal")
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["payload.hotelPnr.checkInDateTime.iso8601"]);
    }

    #[test]
    fn limo_legs_become_transfers_with_the_limo_company() {
        let body = json!({"payload": {"limoPnr": {
        "limoDetails": {"vendorName": "NATIONAL", "limoVendorInfo": {"code": "ZE", "name": "HERTZ"}},
        "legs": [
            {"pickupDateTime": {"iso8601": "2025-07-01T09:00"}, "dropOffDateTime": {"iso8601": "2025-07-01T10:00"},
             "pickupLocation": {"address": chicago("ORD")}, "dropOffLocation": {"address": chicago("MDW")},
             "flightNumbers": [{"airlineCode": "AA", "num": "321"}]},
            {"pickupDateTime": {"iso8601": "2025-07-03T18:00Z"},
             "pickupLocation": {"address": chicago("MDW")}}
        ]}}});
        let mut reader = Reader::new(&body);
        let legs = limo(&mut reader, "P", 1);
        reader.finish().expect("valid");
        assert_eq!(legs.len(), 2);
        assert_eq!(
            (legs[0].reference.as_str(), legs[0].sequence),
            ("P:limo:0", Some(1))
        );
        assert_eq!(
            (legs[1].reference.as_str(), legs[1].sequence),
            ("P:limo:1", Some(2))
        );
        assert_eq!(legs[0].kind, Some(SegmentKind::Transfer));
        assert_eq!(legs[0].departure_at, Some(at("2025-07-01T14:00:00Z")));
        assert_eq!(legs[0].arrival_at, Some(at("2025-07-01T15:00:00Z")));
        assert_eq!(legs[0].carrier.as_deref(), Some("NATIONAL"));
        assert_eq!(legs[0].flight_number, None);
        assert_eq!(legs[1].departure_at, Some(at("2025-07-03T18:00:00Z")));
        assert_eq!(
            (legs[1].arrival_at, legs[1].destination.clone()),
            (None, None)
        );
    }
}
