//! Pure merging of a [`BookingChange`] into the stored rows, and the trip summary.
//!
//! No database here: `process` loads the rows, calls these functions, and writes back
//! what changed. That keeps the rules (fill-only for an older create, cancellation and
//! marketing, the summary) in one place and unit-testable.

use chrono::{DateTime, Utc};
use entity::{
    booking, passenger, segment, BookingStatus, PassengerType, SegmentKind, SegmentStatus,
};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::canonical::{BookingChange, PassengerChange, Place, SegmentChange};
use adapters::cancellation;

/// How much of a change may be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The change is the newest known: what it states replaces what is stored.
    Full,
    /// An older create arriving after newer changes: it only fills empty fields.
    FillOnly,
}

fn merge<T>(current: &mut Option<T>, new: Option<T>, mode: Mode) {
    if let Some(value) = new {
        if mode == Mode::Full || current.is_none() {
            *current = Some(value);
        }
    }
}

/// A validated value of the change as the text its column stores: the one place values
/// leave their types.
fn text<T: AsRef<str>>(value: Option<&T>) -> Option<String> {
    value.map(|v| v.as_ref().to_owned())
}

fn merge_place(
    code: &mut Option<String>,
    name: &mut Option<String>,
    country: &mut Option<String>,
    place: Option<&Place>,
    mode: Mode,
) {
    if let Some(place) = place {
        merge(code, text(place.code.as_ref()), mode);
        merge(name, place.name.clone(), mode);
        merge(country, place.country.clone(), mode);
    }
}

/// A fresh booking row for (partner, reference), before any change is applied.
pub fn new_booking(partner: &str, reference: &str, now: DateTime<Utc>) -> booking::Model {
    booking::Model {
        id: Uuid::now_v7(),
        partner: partner.to_owned(),
        reference: reference.to_owned(),
        status: BookingStatus::Confirmed,
        marketing_allowed: true,
        booked_at: None,
        trip_start: None,
        trip_end: None,
        origin_code: None,
        origin_name: None,
        origin_country: None,
        destination_code: None,
        destination_name: None,
        destination_country: None,
        destinations: Value::Array(Vec::new()),
        stated_trip_start: None,
        stated_trip_end: None,
        stated_origin_code: None,
        stated_origin_name: None,
        stated_origin_country: None,
        stated_destination_code: None,
        stated_destination_name: None,
        stated_destination_country: None,
        adults: None,
        children: None,
        infants: None,
        bag_count: None,
        cabin_class: None,
        customer_id: None,
        customer_first_name: None,
        customer_email: None,
        customer_phone: None,
        last_source_at: None,
        extras: Value::Object(Map::new()),
        created_at: now,
        updated_at: now,
    }
}

/// Applies the booking-level part of a change.
pub fn apply_booking(
    b: &mut booking::Model,
    change: &BookingChange,
    mode: Mode,
    occurred_at: Option<DateTime<Utc>>,
) {
    if mode == Mode::Full {
        if let Some(status) = change.status {
            set_status(b, status);
        }
        if let Some(at) = occurred_at {
            b.last_source_at = Some(b.last_source_at.map_or(at, |last| last.max(at)));
        }
    }
    merge(&mut b.booked_at, change.booked_at, mode);
    merge(&mut b.stated_trip_start, change.trip_start, mode);
    merge(&mut b.stated_trip_end, change.trip_end, mode);
    merge_place(
        &mut b.stated_origin_code,
        &mut b.stated_origin_name,
        &mut b.stated_origin_country,
        change.origin.as_ref(),
        mode,
    );
    merge_place(
        &mut b.stated_destination_code,
        &mut b.stated_destination_name,
        &mut b.stated_destination_country,
        change.destination.as_ref(),
        mode,
    );
    merge(&mut b.adults, change.adults, mode);
    merge(&mut b.children, change.children, mode);
    merge(&mut b.infants, change.infants, mode);
    merge(&mut b.bag_count, change.bag_count, mode);
    merge(&mut b.cabin_class, change.cabin_class.clone(), mode);
    if let Some(customer) = &change.customer {
        merge(&mut b.customer_id, customer.id.clone(), mode);
        merge(
            &mut b.customer_first_name,
            customer.first_name.clone(),
            mode,
        );
        merge(&mut b.customer_email, text(customer.email.as_ref()), mode);
        merge(&mut b.customer_phone, text(customer.phone.as_ref()), mode);
    }
    if !change.extras.is_empty() {
        if !b.extras.is_object() {
            b.extras = Value::Object(Map::new());
        }
        if let Value::Object(stored) = &mut b.extras {
            for (key, value) in &change.extras {
                if mode == Mode::Full || !stored.contains_key(key) {
                    stored.insert(key.clone(), value.clone());
                }
            }
        }
    }
}

/// Status and marketing move together: a cancelled trip is never marketed, and only a
/// newer event that revives the booking allows marketing again.
fn set_status(b: &mut booking::Model, status: adapters::BookingStatus) {
    b.status = status.into();
    b.marketing_allowed = cancellation::marketing_allowed(status);
}

/// Merges segment changes into `segments` (all of the booking's stored rows); returns
/// the indexes of rows that are new or changed. New rows are appended, so an index at
/// or past the stored count is a row to insert.
pub fn apply_segments(
    segments: &mut Vec<segment::Model>,
    booking_id: Uuid,
    changes: &[SegmentChange],
    mode: Mode,
    now: DateTime<Utc>,
) -> Vec<usize> {
    merge_rows(
        segments,
        changes,
        mode,
        |row, change| row.reference == change.reference,
        |rows, change| new_segment(rows, booking_id, change, now),
        merge_segment,
        |row| row.updated_at = now,
    )
}

/// An empty segment for `change`, at the sequence it states when that is free, else
/// at the next one.
fn new_segment(
    rows: &[segment::Model],
    booking_id: Uuid,
    change: &SegmentChange,
    now: DateTime<Utc>,
) -> segment::Model {
    let taken = |seq: i32| rows.iter().any(|s| s.sequence == seq);
    let next = rows.iter().map(|s| s.sequence).max().unwrap_or(0) + 1;
    let sequence = change
        .sequence
        .filter(|seq| *seq > 0 && !taken(*seq))
        .unwrap_or(next);
    segment::Model {
        id: Uuid::now_v7(),
        booking_id,
        reference: change.reference.clone(),
        sequence,
        kind: SegmentKind::Other,
        status: SegmentStatus::Active,
        origin_code: None,
        origin_name: None,
        origin_country: None,
        destination_code: None,
        destination_name: None,
        destination_country: None,
        departure_at: None,
        arrival_at: None,
        carrier: None,
        flight_number: None,
        cabin_class: None,
        created_at: now,
        updated_at: now,
    }
}

fn merge_segment(row: &mut segment::Model, change: &SegmentChange, mode: Mode) {
    if let Some(kind) = change.kind {
        if mode == Mode::Full || row.kind == SegmentKind::Other {
            row.kind = kind.into();
        }
    }
    if let Some(status) = change.status {
        if mode == Mode::Full {
            row.status = status.into();
        }
    }
    merge_place(
        &mut row.origin_code,
        &mut row.origin_name,
        &mut row.origin_country,
        change.origin.as_ref(),
        mode,
    );
    merge_place(
        &mut row.destination_code,
        &mut row.destination_name,
        &mut row.destination_country,
        change.destination.as_ref(),
        mode,
    );
    merge(&mut row.departure_at, change.departure_at, mode);
    merge(&mut row.arrival_at, change.arrival_at, mode);
    merge(&mut row.carrier, change.carrier.clone(), mode);
    merge(
        &mut row.flight_number,
        text(change.flight_number.as_ref()),
        mode,
    );
    merge(&mut row.cabin_class, change.cabin_class.clone(), mode);
}

/// The loop segments and passengers share: find each change's row by its reference
/// (or append a fresh one), merge into it — a new row takes everything the change
/// states, whatever the mode — and note the rows that changed.
fn merge_rows<T: Clone + PartialEq, C>(
    rows: &mut Vec<T>,
    changes: &[C],
    mode: Mode,
    same: impl Fn(&T, &C) -> bool,
    fresh: impl Fn(&[T], &C) -> T,
    apply: impl Fn(&mut T, &C, Mode),
    touch: impl Fn(&mut T),
) -> Vec<usize> {
    let stored = rows.len();
    let mut touched = Vec::new();
    for change in changes {
        let index = match rows.iter().position(|row| same(row, change)) {
            Some(index) => index,
            None => {
                let row = fresh(rows, change);
                rows.push(row);
                rows.len() - 1
            }
        };
        let is_new = index >= stored;
        let row = &mut rows[index];
        let before = row.clone();
        apply(row, change, if is_new { Mode::Full } else { mode });
        if *row != before || is_new {
            touch(row);
            if !touched.contains(&index) {
                touched.push(index);
            }
        }
    }
    touched
}

/// Cancels stored segments the change no longer lists, when it lists the whole
/// itinerary; returns the indexes of rows it changed.
pub fn retire_missing_segments(
    segments: &mut [segment::Model],
    change: &BookingChange,
    mode: Mode,
    now: DateTime<Utc>,
) -> Vec<usize> {
    if mode != Mode::Full || !change.replaces_segments {
        return Vec::new();
    }
    let mut touched = Vec::new();
    for (index, row) in segments.iter_mut().enumerate() {
        let listed = change.segments.iter().any(|s| s.reference == row.reference);
        if !listed && row.status != SegmentStatus::Cancelled {
            row.status = SegmentStatus::Cancelled;
            row.updated_at = now;
            touched.push(index);
        }
    }
    touched
}

/// Merges passenger changes into `passengers`; returns the indexes of new or changed rows.
pub fn apply_passengers(
    passengers: &mut Vec<passenger::Model>,
    booking_id: Uuid,
    changes: &[PassengerChange],
    mode: Mode,
    now: DateTime<Utc>,
) -> Vec<usize> {
    merge_rows(
        passengers,
        changes,
        mode,
        |row, change| row.reference == change.reference,
        |_, change| passenger::Model {
            id: Uuid::now_v7(),
            booking_id,
            reference: change.reference.clone(),
            first_name: None,
            last_name: None,
            passenger_type: PassengerType::Adult,
            lead: false,
            email: None,
            phone: None,
            created_at: now,
            updated_at: now,
        },
        merge_passenger,
        |row| row.updated_at = now,
    )
}

fn merge_passenger(row: &mut passenger::Model, change: &PassengerChange, mode: Mode) {
    merge(&mut row.first_name, change.first_name.clone(), mode);
    merge(&mut row.last_name, change.last_name.clone(), mode);
    merge(&mut row.email, text(change.email.as_ref()), mode);
    merge(&mut row.phone, text(change.phone.as_ref()), mode);
    if mode == Mode::Full {
        if let Some(kind) = change.passenger_type {
            row.passenger_type = kind.into();
        }
        if let Some(lead) = change.lead {
            row.lead = lead;
        }
    }
}

/// Cancels the booking when it ends with its segments and none is left active
/// ([`cancellation::cancelled_by_its_segments`]; Hahn Air: cancelling every leg cancels
/// the booking).
pub fn cancel_if_no_active_segment(
    b: &mut booking::Model,
    change: &BookingChange,
    segments: &[segment::Model],
    mode: Mode,
) {
    let statuses = segments.iter().map(|s| s.status.into());
    if mode == Mode::Full && cancellation::cancelled_by_its_segments(change, statuses) {
        set_status(b, adapters::BookingStatus::Cancelled);
    }
}

/// Recomputes the trip summary (CONTRACT §5): stated values win; otherwise the active
/// segments decide, in sequence order.
pub fn summarise(b: &mut booking::Model, segments: &[segment::Model]) {
    let mut active: Vec<&segment::Model> = segments
        .iter()
        .filter(|s| s.status == SegmentStatus::Active)
        .collect();
    active.sort_by_key(|s| s.sequence);

    b.trip_start = b
        .stated_trip_start
        .or_else(|| active.iter().filter_map(|s| s.departure_at).min());
    b.trip_end = b.stated_trip_end.or_else(|| {
        active
            .iter()
            .filter_map(|s| s.arrival_at.or(s.departure_at))
            .max()
    });

    let destinations: Vec<Place> = active
        .iter()
        .filter_map(|s| s.destination())
        .filter(Place::is_named)
        .collect();
    b.set_destinations(&destinations);

    let destination = b
        .stated_destination()
        .filter(Place::is_named)
        .or_else(|| destinations.first().cloned());
    b.set_destination(destination);

    let origin = b.stated_origin().filter(Place::is_named).or_else(|| {
        active
            .iter()
            .filter_map(|s| s.origin())
            .find(Place::is_named)
    });
    b.set_origin(origin);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canonical::ChangeKind;
    use crate::validate::PlaceCode;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn leg(n: i32, dest: &str, dep: &str, arr: &str) -> SegmentChange {
        SegmentChange {
            reference: format!("1234-{n}"),
            sequence: Some(n),
            kind: Some(adapters::SegmentKind::Air),
            destination: Some(Place {
                code: PlaceCode::parse(dest).ok(),
                ..Place::default()
            }),
            departure_at: Some(at(dep)),
            arrival_at: Some(at(arr)),
            ..SegmentChange::default()
        }
    }

    #[test]
    fn legs_arriving_in_any_order_are_summarised_in_sequence_order() {
        let now = at("2026-01-01T00:00:00Z");
        let mut b = new_booking("hahn-air", "1234", now);
        let mut segments = Vec::new();
        for change in [
            leg(3, "LAS", "2026-03-07T10:00:00Z", "2026-03-10T10:00:00Z"),
            leg(1, "SFO", "2026-03-01T10:00:00Z", "2026-03-04T10:00:00Z"),
            leg(2, "LAX", "2026-03-04T10:00:00Z", "2026-03-07T10:00:00Z"),
        ] {
            apply_segments(&mut segments, b.id, &[change], Mode::Full, now);
        }
        summarise(&mut b, &segments);
        let codes: Vec<_> = b
            .destinations
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["code"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(codes, ["SFO", "LAX", "LAS"]);
        assert_eq!(b.destination_code.as_deref(), Some("SFO"));
        assert_eq!(b.trip_start, Some(at("2026-03-01T10:00:00Z")));
        assert_eq!(b.trip_end, Some(at("2026-03-10T10:00:00Z")));
    }

    #[test]
    fn an_older_create_only_fills_empty_fields() {
        let now = at("2026-01-01T00:00:00Z");
        let mut b = new_booking("p", "r", now);
        let newer = BookingChange {
            reference: "r".into(),
            kind: Some(ChangeKind::Update),
            status: Some(adapters::BookingStatus::Ticketed),
            bag_count: Some(2),
            ..BookingChange::default()
        };
        apply_booking(&mut b, &newer, Mode::Full, Some(at("2026-01-02T00:00:00Z")));
        let older = BookingChange {
            reference: "r".into(),
            kind: Some(ChangeKind::Create),
            status: Some(adapters::BookingStatus::Confirmed),
            bag_count: Some(1),
            cabin_class: Some("economy".into()),
            ..BookingChange::default()
        };
        apply_booking(
            &mut b,
            &older,
            Mode::FillOnly,
            Some(at("2026-01-01T00:00:00Z")),
        );
        assert_eq!(b.status, BookingStatus::Ticketed);
        assert_eq!(b.bag_count, Some(2));
        assert_eq!(b.cabin_class.as_deref(), Some("economy"));
        assert_eq!(b.last_source_at, Some(at("2026-01-02T00:00:00Z")));
    }

    #[test]
    fn cancellation_stops_marketing_and_a_newer_status_revives_it() {
        let mut b = new_booking("p", "r", at("2026-01-01T00:00:00Z"));
        let cancel = BookingChange {
            status: Some(adapters::BookingStatus::Cancelled),
            ..BookingChange::default()
        };
        apply_booking(&mut b, &cancel, Mode::Full, None);
        assert!(!b.marketing_allowed);
        let revive = BookingChange {
            status: Some(adapters::BookingStatus::Confirmed),
            ..BookingChange::default()
        };
        apply_booking(&mut b, &revive, Mode::Full, None);
        assert!(b.marketing_allowed);
    }

    #[test]
    fn a_stated_sequence_already_taken_moves_to_the_next_free_one() {
        let now = at("2026-01-01T00:00:00Z");
        let mut segments = Vec::new();
        let id = Uuid::now_v7();
        apply_segments(
            &mut segments,
            id,
            &[SegmentChange {
                reference: "a".into(),
                sequence: Some(1),
                ..SegmentChange::default()
            }],
            Mode::Full,
            now,
        );
        apply_segments(
            &mut segments,
            id,
            &[SegmentChange {
                reference: "b".into(),
                sequence: Some(1),
                ..SegmentChange::default()
            }],
            Mode::Full,
            now,
        );
        assert_eq!(
            segments.iter().map(|s| s.sequence).collect::<Vec<_>>(),
            [1, 2]
        );
    }
}
