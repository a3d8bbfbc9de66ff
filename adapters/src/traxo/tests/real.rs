//! What Traxo really sends (CONTRACT rev. 2, §4 *Real formats*): every segment mode of
//! API v2 with its own fields, on the repository's real-payload corpus
//! (`tests/fixtures/real/traxo/`, sources in its `SOURCES.md`) and on shapes cut down
//! from it.

use super::*;

const AIR_NO_TRIP_NO_IATA: &str = include_str!(
    "../../../../tests/fixtures/real/traxo/01_air_segment_updated_no_trip_no_iata.json"
);
const AIR_DELETED: &str = include_str!(
    "../../../../tests/fixtures/real/traxo/02_air_segment_updated_deleted_with_trip.json"
);
const CAR_DST: &str =
    include_str!("../../../../tests/fixtures/real/traxo/03_car_segment_created_no_trip_dst.json");
const TRIP_NULLS: &str = include_str!(
    "../../../../tests/fixtures/real/traxo/07_trip_created_nulls_and_empty_strings.json"
);
const HOTEL_FALL_BACK: &str = include_str!(
    "../../../../tests/fixtures/real/traxo/11_hotel_segment_created_local_dates_dst.json"
);
const HOTEL_SPRING_FORWARD: &str = include_str!(
    "../../../../tests/fixtures/real/traxo/12_hotel_segment_updated_no_zone_id_spring_forward.json"
);
const ACTIVITY: &str = include_str!(
    "../../../../tests/fixtures/real/traxo/13_activity_segment_created_two_places.json"
);
const AIR_RETURN: &str = include_str!(
    "../../../../tests/fixtures/real/traxo/14_air_segment_created_return_same_confirmation.json"
);
const TRIP_WITH_SEGMENTS: &str =
    include_str!("../../../../tests/fixtures/real/traxo/15_trip_updated_with_listed_segments.json");

fn plain(code: Option<&str>, name: &str, country: &str) -> Option<Place> {
    Some(Place {
        code: code.map(Into::into),
        name: Some(name.to_owned()),
        country: Some(country.to_owned()),
    })
}

fn lead(first: &str, last: &str) -> Vec<PassengerChange> {
    vec![PassengerChange {
        reference: "lead".into(),
        first_name: Some(first.into()),
        last_name: Some(last.into()),
        lead: Some(true),
        ..PassengerChange::default()
    }]
}

/// A lone segment event around `object`.
fn lone(event_type: &str, object: Value) -> Value {
    json!({"id": "1", "type": event_type, "created": "2026-01-01T00:00:00Z", "data": {"object": object}})
}

#[test]
fn a_flight_without_iata_code_keeps_the_airline_name_and_its_bare_number() {
    let delivery = deliver(AIR_NO_TRIP_NO_IATA);
    assert_eq!(delivery.occurred_at, Some(utc("2025-09-14T18:22:07Z")));
    let change = applied(&delivery);
    // No trip: the reservation is filed under its confirmation number.
    assert_eq!(change.reference, "KXQ7PL");
    assert!(change.cancel_when_all_segments_cancelled);
    assert_eq!(change.status, None);
    assert_eq!(
        change.segments,
        vec![SegmentChange {
            reference: "534619485683827958".into(),
            kind: Some(SegmentKind::Air),
            status: Some(SegmentStatus::Active),
            origin: plain(Some("SEA"), "Seattle", "US"),
            destination: plain(Some("SFO"), "San Francisco", "US"),
            // 07:15 and 09:25 in Los Angeles (PDT, UTC-7); the times have no seconds.
            departure_at: Some(utc("2025-10-02T14:15:00Z")),
            arrival_at: Some(utc("2025-10-02T16:25:00Z")),
            carrier: Some("Alaska Airlines".into()),
            flight_number: Some("1094".into()),
            ..SegmentChange::default()
        }]
    );
    assert_eq!(change.passengers, lead("Priya", "Raman"));
    assert_eq!(
        change.customer.as_ref().and_then(|c| c.id.as_deref()),
        Some("534619485683828212")
    );
}

#[test]
fn a_flight_number_is_read_in_every_form_traxo_sends() {
    let number = |flight_num: Value, iata: Value| {
        let mut body = parse(AIR_NO_TRIP_NO_IATA);
        body["data"]["object"]["flight_num"] = flight_num;
        body["data"]["object"]["iata_code"] = iata;
        let change = applied(&deliver_value(&body).expect("accepted")).clone();
        let s = &change.segments[0];
        (s.carrier.clone(), s.flight_number.as_deref().map(str::to_owned))
    };
    let some = |s: &str| Some(s.to_owned());
    // A JSON number, digits only, with the airline's name.
    assert_eq!(
        number(json!(1094), Value::Null),
        (some("Alaska Airlines"), some("1094"))
    );
    // A designator inside the number is an IATA code: it gives the carrier.
    assert_eq!(
        number(json!("AS 1094"), Value::Null),
        (some("AS"), some("AS1094"))
    );
    // With iata_code, the carrier is the code and the number must fit it.
    assert_eq!(
        number(json!("1094"), json!("as")),
        (some("AS"), some("AS1094"))
    );
    assert_eq!(number(Value::Null, json!("AS")), (some("AS"), None));
    assert_eq!(
        number(json!(""), json!("")),
        (some("Alaska Airlines"), None)
    );
}

#[test]
fn the_segments_of_one_reservation_join_one_booking() {
    let outbound = change_of(AIR_NO_TRIP_NO_IATA);
    let back = change_of(AIR_RETURN);
    assert_eq!(back.reference, outbound.reference);
    assert_ne!(back.segments[0].reference, outbound.segments[0].reference);
    // 18:40 and 20:55 in Los Angeles, still PDT on 1 November 2025.
    assert_eq!(
        back.segments[0].departure_at,
        Some(utc("2025-11-02T01:40:00Z"))
    );
    assert_eq!(
        back.segments[0].arrival_at,
        Some(utc("2025-11-02T03:55:00Z"))
    );
    // An empty class of service is none.
    assert_eq!(back.segments[0].cabin_class, None);
}

#[test]
fn a_deleted_segment_of_a_trip_is_cancelled_and_leaves_the_trip_alone() {
    let change = change_of(AIR_DELETED);
    assert_eq!(change.reference, "534619485683820100");
    assert!(!change.cancel_when_all_segments_cancelled);
    assert_eq!(change.status, None);
    let s = &change.segments[0];
    assert_eq!(s.status, Some(SegmentStatus::Cancelled));
    assert_eq!(s.departure_at, Some(utc("2025-12-05T06:10:00Z")));
    assert_eq!(s.arrival_at, Some(utc("2025-12-05T07:05:00Z")));
    assert_eq!(
        (s.carrier.as_deref(), s.flight_number.as_deref()),
        (Some("LH"), Some("LH2041"))
    );
}

#[test]
fn a_car_runs_from_pickup_to_dropoff_in_their_zones_across_spring_forward() {
    let change = change_of(CAR_DST);
    assert_eq!(change.reference, "K7719023344");
    assert_eq!(
        change.segments,
        vec![SegmentChange {
            reference: "534619485683829102".into(),
            kind: Some(SegmentKind::Car),
            status: Some(SegmentStatus::Active),
            origin: plain(Some("ORD"), "Chicago", "US"),
            destination: plain(Some("MDW"), "Chicago", "US"),
            // 09:00 on the morning clocks went forward (CDT, UTC-5), and 18:30 two days on.
            departure_at: Some(utc("2026-03-08T14:00:00Z")),
            arrival_at: Some(utc("2026-03-10T23:30:00Z")),
            carrier: Some("Hertz".into()),
            ..SegmentChange::default()
        }]
    );
    assert_eq!(change.passengers, lead("Mateo", "Fernandez"));
}

#[test]
fn a_car_without_zone_ids_takes_the_zone_of_its_pickup_airport_or_place() {
    let change = change_of(TRIP_WITH_SEGMENTS);
    let car = &change.segments[1];
    assert_eq!(car.kind, Some(SegmentKind::Car));
    // LIT is an airport in America/Chicago: 11:00 and 08:00 CDT.
    assert_eq!(car.departure_at, Some(utc("2026-04-17T16:00:00Z")));
    assert_eq!(car.arrival_at, Some(utc("2026-04-20T13:00:00Z")));
    let mut body = parse(TRIP_WITH_SEGMENTS);
    let car = &mut body["data"]["object"]["segments"][1];
    car["pickup_city_code"] = Value::Null;
    car["pickup_lat"] = json!("34.7465");
    car["pickup_lon"] = json!("-92.2896");
    car["dropoff_city_code"] = Value::Null;
    let errors = failures(&body);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].field, "data.object.segments.1.dropoff_datetime");
    assert!(
        errors[0].message.contains("dropoff_time_zone_id"),
        "{}",
        errors[0].message
    );
}

#[test]
fn a_hotel_stay_of_local_dates_is_resolved_where_the_hotel_is_across_fall_back() {
    let change = change_of(HOTEL_FALL_BACK);
    assert_eq!(change.reference, "HAP-2610-7731");
    assert_eq!(
        change.segments,
        vec![SegmentChange {
            reference: "534619485683829511".into(),
            kind: Some(SegmentKind::Hotel),
            status: Some(SegmentStatus::Active),
            destination: plain(None, "Lisbon", "PT"),
            // Midnight of each date in Lisbon: summer time (UTC+1) on the 24th, winter
            // time (UTC+0) on the 26th, after the clocks went back on the 25th.
            departure_at: Some(utc("2026-10-23T23:00:00Z")),
            arrival_at: Some(utc("2026-10-26T00:00:00Z")),
            ..SegmentChange::default()
        }]
    );
    assert_eq!(change.passengers, lead("Inês", "Carvalho"));
}

#[test]
fn a_hotel_without_a_zone_id_takes_the_zone_of_its_coordinates_across_spring_forward() {
    let change = change_of(HOTEL_SPRING_FORWARD);
    assert_eq!(change.reference, "534619485683820600");
    let s = &change.segments[0];
    assert_eq!(s.destination, plain(None, "Chicago", "US"));
    // Chicago: CST (UTC-6) on the 7th, CDT (UTC-5) on the 9th.
    assert_eq!(s.departure_at, Some(utc("2026-03-07T06:00:00Z")));
    assert_eq!(s.arrival_at, Some(utc("2026-03-09T05:00:00Z")));
    // With neither a zone id nor coordinates, a country of several zones says nothing.
    let mut body = parse(HOTEL_SPRING_FORWARD);
    body["data"]["object"]["lat"] = json!("");
    let errors = failures(&body);
    let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        ["data.object.checkin_date", "data.object.checkout_date"]
    );
    assert!(
        errors[0].message.contains("data.object.time_zone_id"),
        "{}",
        errors[0].message
    );
}

#[test]
fn an_activity_runs_from_where_it_starts_to_where_it_ends() {
    let change = change_of(ACTIVITY);
    assert_eq!(change.reference, "534619485683820700");
    assert_eq!(
        change.segments,
        vec![SegmentChange {
            reference: "534619485683829713".into(),
            kind: Some(SegmentKind::Activity),
            status: Some(SegmentStatus::Active),
            origin: plain(None, "Porto", "PT"),
            destination: plain(None, "Pinhão", "PT"),
            departure_at: Some(utc("2026-07-11T07:30:00Z")),
            arrival_at: Some(utc("2026-07-11T18:00:00Z")),
            ..SegmentChange::default()
        }]
    );
    // Without an end place it takes place where it starts.
    let mut body = parse(ACTIVITY);
    for key in [
        "end_city_name",
        "end_country",
        "end_lat",
        "end_lon",
        "end_time_zone_id",
    ] {
        body["data"]["object"][key] = Value::Null;
    }
    let s = applied(&deliver_value(&body).expect("accepted")).segments[0].clone();
    assert_eq!(
        (s.origin, s.destination),
        (None, plain(None, "Porto", "PT"))
    );
    assert_eq!(s.arrival_at, Some(utc("2026-07-11T18:00:00Z")));
}

#[test]
fn rail_and_cruise_segments_read_their_stations_and_ports_as_places_not_airports() {
    // BHM is Birmingham New Street here; the airport BHM is in Alabama.
    let rail = lone(
        "rail_segment.created",
        json!({"id": 41, "type": "Rail", "status": "Active", "origin": "BHM",
               "origin_city_name": "Birmingham", "origin_country": "GB",
               "origin_lat": "52.4778", "origin_lon": "-1.8990",
               "destination": "EUS", "destination_city_name": "London", "destination_country": "GB",
               "departure_datetime": "2026-03-29T00:30", "arrival_datetime": "2026-03-29T03:10",
               "arrival_time_zone_id": "Europe/London", "confirmation_no": "TRN123"}),
    );
    let change = applied(&deliver_value(&rail).expect("accepted")).clone();
    let s = &change.segments[0];
    assert_eq!(change.reference, "TRN123");
    assert_eq!(s.kind, Some(SegmentKind::Rail));
    assert_eq!(s.reference, "41");
    assert_eq!(s.origin, plain(Some("BHM"), "Birmingham", "GB"));
    // 00:30 GMT before the clocks go forward at 01:00; 03:10 BST after.
    assert_eq!(s.departure_at, Some(utc("2026-03-29T00:30:00Z")));
    assert_eq!(s.arrival_at, Some(utc("2026-03-29T02:10:00Z")));

    let cruise = lone(
        "cruise_segment.updated",
        json!({"id": "42", "trip_id": "7", "status": "Deleted", "city_name": "Miami", "country": "US",
               "start_datetime": "2026-11-01T16:00:00", "start_time_zone_id": "America/New_York",
               "end_datetime": "2026-11-08", "end_time_zone_id": "America/New_York"}),
    );
    let change = applied(&deliver_value(&cruise).expect("accepted")).clone();
    let s = &change.segments[0];
    assert_eq!(
        s.kind,
        Some(SegmentKind::Cruise),
        "the event names the mode"
    );
    assert_eq!(s.status, Some(SegmentStatus::Cancelled));
    assert_eq!(s.destination, plain(None, "Miami", "US"));
    // EST (UTC-5) after the 1 November change, which happened at 02:00.
    assert_eq!(s.departure_at, Some(utc("2026-11-01T21:00:00Z")));
    assert_eq!(s.arrival_at, Some(utc("2026-11-08T05:00:00Z")));
}

#[test]
fn a_segment_mode_traxo_adds_later_is_a_segment_of_kind_other() {
    let ferry = lone(
        "ferry_segment.created",
        json!({"id": "43", "type": "Ferry", "origin": "Dover", "destination": "Calais",
               "departure_datetime": "2026-05-01T10:00:00Z"}),
    );
    let change = applied(&deliver_value(&ferry).expect("accepted")).clone();
    assert_eq!(change.reference, "43");
    assert_eq!(change.segments[0].kind, Some(SegmentKind::Other));
    assert_eq!(
        change.segments[0].departure_at,
        Some(utc("2026-05-01T10:00:00Z"))
    );
}

#[test]
fn a_trip_states_its_own_dates_and_lists_its_segments() {
    let change = change_of(TRIP_WITH_SEGMENTS);
    assert_eq!(change.reference, "534619485683820800");
    assert_eq!(change.trip_start, Some(utc("2026-04-17T05:00:00Z")));
    assert_eq!(change.trip_end, Some(utc("2026-04-20T05:00:00Z")));
    assert!(
        !change.replaces_segments,
        "Traxo lists segments only when asked"
    );
    let air = &change.segments[0];
    assert_eq!(air.reference, "534619485683829815");
    assert_eq!(air.flight_number.as_deref(), Some("AA3401"));
    assert_eq!(air.departure_at, Some(utc("2026-04-17T14:05:00Z")));
    assert_eq!(air.arrival_at, Some(utc("2026-04-17T15:20:00Z")));
    assert_eq!(change.passengers, lead("Wil", "Chandler"));
}

#[test]
fn nulls_and_empty_strings_are_absent_and_a_trip_zone_can_come_from_where_it_goes() {
    let change = change_of(TRIP_NULLS);
    assert_eq!(change.trip_start, Some(utc("2026-02-13T16:00:00Z")));
    assert_eq!(change.trip_end, None);
    assert!(!change.extras.contains_key("headline"));
    assert!(change.segments.is_empty());
    // Without its zone id, the trip's coordinates (strings) place Singapore.
    let mut body = parse(TRIP_NULLS);
    body["data"]["object"]["begin_time_zone_id"] = json!("");
    body["data"]["object"]["begin_datetime"] = json!("2026-02-14T00:00");
    assert_eq!(
        applied(&deliver_value(&body).expect("accepted")).trip_start,
        Some(utc("2026-02-13T16:00:00Z"))
    );
}

#[test]
fn a_listed_segment_that_is_no_object_is_refused_on_its_path() {
    let mut body = parse(TRIP_WITH_SEGMENTS);
    body["data"]["object"]["segments"][1] = json!("car");
    assert_eq!(fields(&body), ["data.object.segments.1"]);
    body["data"]["object"]["segments"] = json!({"air": 1});
    assert_eq!(fields(&body), ["data.object.segments"]);
}
