//! Adapter `traxo`: Traxo webhooks (partner document `003_f0532d3b4166361a.txt`).
//!
//! One endpoint, no topic. Every delivery is an envelope `{id, type, created, data}`:
//! `id` is the idempotency key, `type` the `{resource}.{event}` name, `created` the source
//! time. The booking is the member's Traxo trip (reference = trip id):
//! - `trip.created|updated` carry the trip in `data.object`;
//! - `trip_segment.created|updated|added|removed` carry `data.object.trip` and one
//!   `data.object.segment` (removed → that segment cancelled);
//! - `<mode>_segment.created|updated` carry one segment in `data.object` (a delete is
//!   `.updated` with `status: "Deleted"`); without a `trip_id` the segment is its own
//!   reservation, filed under its `confirmation_no` (else its `id`);
//! - `email.*` and payloads trimmed to `data.id` by the `?data=id` modifier are ignored.
//!
//! The trip object is read in `trip`, segments in `segment` and each mode's own fields
//! in `modes`; times in `time`, the zone of a place in `zone`; shared field readers
//! live in `fields`.

mod fields;
mod modes;
mod segment;
mod time;
mod trip;
mod zone;

#[cfg(test)]
mod tests;

use crate::SegmentKind;
use serde_json::Value;

use self::fields::{object_at, read_id, traveller};
use self::trip::{trip, with_owner};
use crate::adapter::{Adapter, Topics};
use crate::canonical::{
    Action, AdapterError, BookingChange, ChangeKind, Delivery, Request,
};
use crate::validate::{clip, Reader};

/// What a Traxo event type asks of us.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    /// `trip.created` / `trip.updated`: `data.object` is the trip.
    Trip(ChangeKind),
    /// `trip_segment.*`: the trip plus one segment; `removed` cancels that segment.
    TripSegment { removed: bool },
    /// `<mode>_segment.created|updated`: one segment of that mode (`Other` for a mode
    /// this product has no kind for).
    ModeSegment(SegmentKind),
    /// `email.*`: progress of Traxo's e-mail parsing, not about a booking.
    Email,
}

/// The modes of the `<mode>_segment.*` events (document, "Segment Events").
const MODES: [(&str, SegmentKind); 6] = [
    ("air", SegmentKind::Air),
    ("car", SegmentKind::Car),
    ("hotel", SegmentKind::Hotel),
    ("rail", SegmentKind::Rail),
    ("cruise", SegmentKind::Cruise),
    ("activity", SegmentKind::Activity),
];

/// The event table. A segment mode Traxo adds later (`ferry_segment.created`) is a
/// segment of kind `Other`, as CONTRACT §4 has every `<mode>_segment.*` become one;
/// unknown resources and actions are refused (422) rather than guessed at: the rejected
/// delivery is still archived with its raw body, so nothing is lost and a new Traxo
/// event type shows up among rejected events.
fn classify(event_type: &str) -> Result<Event, String> {
    let unknown = || {
        format!(
            "must be a Traxo event type: trip.created|updated, trip_segment.created|updated|added|removed, \
             <mode>_segment.created|updated (air, car, hotel, rail, cruise, activity, …) or email.* \
             (got {:?})",
            clip(event_type)
        )
    };
    let (resource, action) = event_type.split_once('.').ok_or_else(unknown)?;
    let event = match (resource, action) {
        ("trip", "created") => Event::Trip(ChangeKind::Create),
        ("trip", "updated") => Event::Trip(ChangeKind::Update),
        ("trip_segment", "created" | "updated" | "added") => Event::TripSegment { removed: false },
        ("trip_segment", "removed") => Event::TripSegment { removed: true },
        ("email", action) if !action.is_empty() => Event::Email,
        (resource, "created" | "updated") => {
            let mode = resource
                .strip_suffix("_segment")
                .filter(|mode| !mode.is_empty())
                .ok_or_else(unknown)?;
            let kind = MODES
                .iter()
                .find(|(name, _)| *name == mode)
                .map_or(SegmentKind::Other, |(_, kind)| *kind);
            Event::ModeSegment(kind)
        }
        _ => return Err(unknown()),
    };
    Ok(event)
}

/// The event type a delivery names (its `type`), also when it is refused.
pub fn event_type(request: Request<'_>) -> Option<String> {
    request
        .body
        .get("type")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// Understands one Traxo delivery.
///
/// # Errors
/// [`AdapterError::Invalid`] with every failing field. (Traxo has a single endpoint: a
/// topic is refused before, by [`crate::understand`].)
pub fn normalize(request: Request<'_>) -> Result<Delivery, AdapterError> {
    let mut reader = Reader::new(request.body);
    let idempotency_key = read_id(&mut reader, "id", true);
    let event_type = reader.required_string("type");
    let occurred_at = reader.utc("created", true);
    let event = event_type.as_deref().and_then(|name| match classify(name) {
        Ok(event) => Some(event),
        Err(message) => {
            reader.fail("type", message);
            None
        }
    });
    let action = match event {
        Some(event) => read_action(&mut reader, event),
        // Never returned: `type` failed, so `finish` reports it.
        None => Action::Ignore {
            reason: String::new(),
        },
    };
    reader.finish()?;
    Ok(Delivery {
        event_type: event_type.unwrap_or_default(),
        idempotency_key,
        occurred_at,
        action,
        detail: None,
    })
}

/// The action for a classified event; failures are recorded on `reader`.
fn read_action(reader: &mut Reader<'_>, event: Event) -> Action {
    if event == Event::Email {
        return Action::Ignore {
            reason: "Traxo e-mail parsing event: not about a booking".to_owned(),
        };
    }
    match data(reader) {
        Data::Object => {}
        Data::IdOnly => {
            return Action::Ignore {
                reason: "Traxo sent only the object id (`?data=id` modifier): nothing to apply; \
                         register the webhook URL with `data=object` to receive the trip"
                    .to_owned(),
            };
        }
        // The failure is recorded, so this placeholder is never returned.
        Data::Invalid => return Action::Apply(BookingChange::default()),
    }
    let mut change = match event {
        Event::Trip(kind) => BookingChange {
            kind: Some(kind),
            ..trip(reader, "data.object")
        },
        Event::TripSegment { removed } => {
            let mut change = if object_at(reader, "data.object.trip", true) {
                trip(reader, "data.object.trip")
            } else {
                BookingChange::default()
            };
            change.kind = Some(ChangeKind::Update);
            if object_at(reader, "data.object.segment", true) {
                change
                    .segments
                    .push(segment::read(reader, "data.object.segment", None, removed));
            }
            change
        }
        Event::ModeSegment(mode) => {
            let (reference, under_trip) = segment::booking_reference(reader, "data.object");
            let segment = segment::read(reader, "data.object", Some(mode), false);
            // The traveller the segment names (its member and lead passenger), so that a
            // reservation Traxo sends without its trip still says who travels.
            let (customer, passengers) = traveller(reader, "data.object");
            let mut change = BookingChange {
                reference,
                kind: Some(ChangeKind::Update),
                segments: vec![segment],
                customer,
                passengers,
                ..BookingChange::default()
            };
            // A reservation filed under itself ends when its last segment is deleted;
            // a trip ends only by its own status.
            if !under_trip {
                crate::cancellation::ends_with_its_segments(&mut change);
            }
            change
        }
        // Handled above; kept so that the match stays exhaustive without a wildcard.
        Event::Email => BookingChange::default(),
    };
    change.customer = with_owner(reader, change.customer.take());
    Action::Apply(change)
}

/// What `data` holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Data {
    /// `data.object`, the resource itself.
    Object,
    /// Only `data.id` (the `?data=id` modifier, possibly with `owner`).
    IdOnly,
    /// Missing or malformed: recorded as a failure.
    Invalid,
}

/// Classifies `data`, recording what is missing or malformed.
fn data(reader: &mut Reader<'_>) -> Data {
    match reader.get("data") {
        None => reader.fail("data", "is required"),
        Some(Value::Object(_))
            if reader.get("data.object").is_none() && reader.get("data.id").is_some() =>
        {
            return Data::IdOnly;
        }
        Some(Value::Object(_)) => {
            if object_at(reader, "data.object", true) {
                return Data::Object;
            }
        }
        Some(_) => reader.fail("data", "must be an object"),
    }
    Data::Invalid
}

/// Adapter `traxo`: one endpoint, no topic.
#[derive(Debug)]
pub struct Traxo;

impl Adapter for Traxo {
    fn name(&self) -> &'static str {
        "traxo"
    }

    fn topics(&self) -> Topics {
        Topics::None
    }

    fn event_type(&self, request: Request<'_>) -> Option<String> {
        event_type(request)
    }

    fn normalize(&self, request: Request<'_>) -> Result<Delivery, AdapterError> {
        normalize(request)
    }
}
