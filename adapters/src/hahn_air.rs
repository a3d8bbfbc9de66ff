//! Adapter `hahn_air`: Hahn Air booking webhooks (partner document 000, CONTRACT §4).
//!
//! One endpoint per event — `booking-create`, `booking-update`, `booking-cancel` — each
//! with a flat camelCase body. Multi-destination trips arrive as one booking per leg, told
//! apart by `consumerTripPartnerExternalReference` (`1234-2` is leg 2 of booking `1234`).
//! Such a delivery is a *leg*: it becomes one segment of booking `1234` and leaves the
//! trip summary to the legs. Without a leg reference the body describes the whole trip.
//!
//! The data plan is the platform's (Holibob's *ConsumerTrip Event Listener*), and bodies
//! come in its field names too (CONTRACT §4 *Real formats*): `body` reads both, also
//! mixed; `reference` tells a booking from one of its legs; `time` reads its dates;
//! `countries` turns its country names into codes. The platform's `create`, `update` and
//! `delete` are our three topics; its update carries the full payload and is applied as an
//! update; its delete (a form or JSON with only the reference) cancels.

mod body;
mod countries;
mod reference;
mod time;

use crate::{BookingStatus, PassengerType, SegmentKind, SegmentStatus};

use self::body::{read, Body};
use crate::cancellation;
use crate::validate::ServiceNumber;
use crate::adapter::{Adapter, BodyFormat, Topics};
use crate::canonical::{
    Action, AdapterError, BookingChange, ChangeKind, Delivery, Lead, Request,
    SegmentChange,
};

/// The partner's three endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Topic {
    Create,
    Update,
    Cancel,
}

/// Event-name table: the `{topic}` URL segment of each endpoint. The name is also the
/// archived event type.
const TOPICS: [(&str, Topic); 3] = [
    ("booking-create", Topic::Create),
    ("booking-update", Topic::Update),
    ("booking-cancel", Topic::Cancel),
];

/// The topics served: the names of [`TOPICS`].
const TOPIC_NAMES: [&str; 3] = [TOPICS[0].0, TOPICS[1].0, TOPICS[2].0];

/// The event type a delivery names (its topic), also when it is refused.
pub fn event_type(request: Request<'_>) -> Option<String> {
    request.topic.map(str::to_owned)
}

/// Understands one Hahn Air delivery.
///
/// # Errors
/// [`AdapterError::UnknownTopic`] for a missing or unknown topic;
/// [`AdapterError::Invalid`] with every failing field.
pub fn normalize(request: Request<'_>) -> Result<Delivery, AdapterError> {
    let name = request.topic.unwrap_or_default();
    let topic = TOPICS
        .iter()
        .find(|(known, _)| *known == name)
        .map(|(_, topic)| *topic)
        .ok_or_else(|| AdapterError::UnknownTopic(name.to_owned()))?;
    let create = topic == Topic::Create;
    let body = read(request.body, create)?;
    // The partner's source time is optional; a create is at least as new as its booking.
    let occurred_at = body
        .updated_at
        .or(if create { body.booked_at } else { None });
    Ok(Delivery {
        event_type: name.to_owned(),
        idempotency_key: None,
        occurred_at,
        action: Action::Apply(change(topic, body)),
        detail: None,
    })
}

/// The booking change a validated body describes.
fn change(topic: Topic, body: Body) -> BookingChange {
    let create = topic == Topic::Create;
    let (customer, lead) = Lead {
        customer_id: body.customer_id.clone(),
        first_name: body.first_name.clone(),
        last_name: None,
        email: body.email.clone(),
        phone: body.phone.clone(),
        passenger_type: Some(PassengerType::Adult),
    }
    .into_parts();
    let passengers = lead.into_iter().collect();
    // `pax` counts everyone on the booking; adults are what the children and infants leave.
    let adults = body.pax.map(|pax| {
        pax.saturating_sub(body.children.unwrap_or(0))
            .saturating_sub(body.infants.unwrap_or(0))
            .max(0)
    });
    let (carrier, flight_number) = match &body.flight {
        Some(flight) => (
            Some(flight.carrier().to_owned()),
            Some(ServiceNumber::from(flight.clone())),
        ),
        None => (None, None),
    };
    let segment = SegmentChange {
        reference: body.reference.clone(),
        sequence: Some(1),
        kind: Some(SegmentKind::Air),
        status: create.then_some(SegmentStatus::Active),
        origin: body.origin.clone(),
        destination: body.destination.clone(),
        departure_at: body.departure,
        // The platform's arrival date: when the outbound flight lands.
        arrival_at: body.arrival,
        carrier,
        flight_number,
        cabin_class: body.cabin_class.clone(),
    };
    let mut change = BookingChange {
        reference: body.reference.clone(),
        kind: Some(if create {
            ChangeKind::Create
        } else {
            ChangeKind::Update
        }),
        status: (topic == Topic::Create).then_some(BookingStatus::Confirmed),
        booked_at: body.booked_at,
        adults,
        children: body.children,
        infants: body.infants,
        bag_count: body.bag_count,
        cabin_class: body.cabin_class.clone(),
        customer,
        passengers,
        extras: body.extras,
        ..BookingChange::default()
    };
    // Cancelling one leg cancels only its segment (below), not the booking.
    if topic == Topic::Cancel && body.leg.is_none() {
        cancellation::cancel_booking(&mut change);
    }
    match body.leg {
        // A leg is one segment; the legs together decide the trip summary, and a booking
        // whose every leg is cancelled is cancelled. Two things only the platform's legs
        // say for the whole trip: when the first leg has no departure time, its arrival date
        // is when the trip starts; a return date is when the trip ends.
        Some(leg) => {
            if leg.sequence == 1 && body.departure.is_none() && body.platform_arrival {
                change.trip_start = body.arrival;
            }
            change.trip_end = body.trip_end;
            change.segments.push(SegmentChange {
                reference: leg.reference,
                sequence: Some(leg.sequence),
                status: match topic {
                    Topic::Create => Some(SegmentStatus::Active),
                    Topic::Update => None,
                    Topic::Cancel => Some(SegmentStatus::Cancelled),
                },
                ..segment
            });
            cancellation::ends_with_its_segments(&mut change);
        }
        // A single-leg booking states its trip summary itself (CONTRACT §5: it wins). The
        // trip starts when the outbound flight leaves or, when only its arrival is known
        // (the platform's `consumerTripArrivalDate`), when it lands.
        None => {
            let says_something = segment.origin.is_some()
                || segment.destination.is_some()
                || segment.departure_at.is_some()
                || segment.arrival_at.is_some()
                || segment.flight_number.is_some()
                || segment.cabin_class.is_some();
            change.trip_start = body.departure.or(body.arrival);
            change.trip_end = body.trip_end;
            change.origin = body.origin;
            change.destination = body.destination;
            if create || says_something {
                change.segments.push(segment);
            }
        }
    }
    change
}

/// Adapter `hahn_air`: one endpoint per topic; the platform behind Hahn Air sends
/// deletes as forms.
#[derive(Debug)]
pub struct HahnAir;

impl Adapter for HahnAir {
    fn name(&self) -> &'static str {
        "hahn_air"
    }

    fn topics(&self) -> Topics {
        Topics::Listed(&TOPIC_NAMES)
    }

    fn formats(&self) -> &'static [BodyFormat] {
        &[BodyFormat::Json, BodyFormat::Form]
    }

    fn event_type(&self, request: Request<'_>) -> Option<String> {
        event_type(request)
    }

    fn normalize(&self, request: Request<'_>) -> Result<Delivery, AdapterError> {
        normalize(request)
    }
}

#[cfg(test)]
mod platform_tests;
#[cfg(test)]
mod tests;
