//! AirGateway's event names and what each means for the booking.
//!
//! AirGateway has published its list three times, each a little different: the support
//! article kept as partner document `001_cfcdfe95500e62ae.txt` ([`EVENTS`]); the current
//! support article (support.airgateway.com, kb article 3), which adds
//! `AirlineNotification`; and its GitHub developer guide (AirGateway/dev-guides,
//! `content/webhook(s)/_index.md`), which names `OrderChanged`, `DatesChanged`,
//! `ServicesDeletion` and `SeatsDeletion` ([`LATER_EVENTS`]). A name in none of them is
//! still applied (CONTRACT §4 rev. 2: partners add event names), as an update that
//! changes no status.

use crate::BookingStatus;

/// What an event name means for the booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Effect {
    /// The event sets this status.
    Status(BookingStatus),
    /// A disruption: status DISRUPTED, and the notice is recorded on the event.
    Disruption,
    /// The order changed (itinerary, dates, services, seats) without a status of its
    /// own; a clear `orderStatus` in the body still counts.
    Updated,
    /// A name AirGateway has not published (yet): applied as an update that changes no
    /// status, not even from `orderStatus` (CONTRACT §4 rev. 2).
    Unrecognised,
}

/// Every event partner document 001 lists, spelt exactly as the document spells it: the
/// misspellings (`PermanentWithfrawan`, `UnacceptableReacomodation`, `FlightCancelation`)
/// are AirGateway's own and are what it sends.
pub(super) const EVENTS: &[(&str, Effect)] = &[
    ("OrderCreated", Effect::Status(BookingStatus::Confirmed)),
    ("OrderCanceled", Effect::Status(BookingStatus::Cancelled)),
    ("OrderTicketed", Effect::Status(BookingStatus::Ticketed)),
    // Deprecated since November 2025 (current support article), still accepted.
    ("OrderStarted", Effect::Status(BookingStatus::InProgress)),
    ("OrderCompleted", Effect::Status(BookingStatus::Completed)),
    ("OrderDisrupted", Effect::Disruption),
    ("ItineraryChange", Effect::Updated),
    ("ServicesAddition", Effect::Updated),
    ("ServicesRemoval", Effect::Updated),
    ("SeatsAddition", Effect::Updated),
    ("SeatsRemoval", Effect::Updated),
    // OrderChangeNotification events (supported by AirGateway since 2024-03-06).
    ("FlightNumberChange", Effect::Disruption),
    ("FlightTimeChange", Effect::Disruption),
    ("FlightCancelation", Effect::Disruption),
    ("PermanentWithfrawan", Effect::Disruption),
    ("LaborDisrupt", Effect::Disruption),
    ("Strike", Effect::Disruption),
    ("Weather", Effect::Disruption),
    ("NaturalDisaster", Effect::Disruption),
    ("FlightBookingCancelledOutsideSchedule", Effect::Disruption),
    // A seat change is about seats, like SeatsAddition, not a disruption of the trip.
    ("SeatChange", Effect::Updated),
    ("Bereavement", Effect::Disruption),
    ("NoReasonGiven", Effect::Disruption),
    ("Illness", Effect::Disruption),
    ("Voluntary", Effect::Disruption),
    ("NeedDocumentation", Effect::Disruption),
    ("UnacceptableReacomodation", Effect::Disruption),
    ("PaymentTimeLimitExpired", Effect::Disruption),
    ("PassengerNoShowNotification", Effect::Disruption),
    ("ChangeByPassengerNotification", Effect::Disruption),
    ("UnknownNotification", Effect::Disruption),
];

/// Names AirGateway published after (or beside) document 001.
pub(super) const LATER_EVENTS: &[(&str, Effect)] = &[
    // Current support article: "only triggered as a PUSH starting on an Airline
    // Notification from a Provider (normally airlines)".
    ("AirlineNotification", Effect::Disruption),
    // Developer guide: an order change, a change of travel dates, and its names for
    // ServicesRemoval / SeatsRemoval.
    ("OrderChanged", Effect::Updated),
    ("DatesChanged", Effect::Updated),
    ("ServicesDeletion", Effect::Updated),
    ("SeatsDeletion", Effect::Updated),
];

/// Every published event name (the topics AirGateway's webhooks come on).
#[cfg(test)]
pub(crate) fn names() -> impl Iterator<Item = &'static str> {
    EVENTS.iter().chain(LATER_EVENTS).map(|(name, _)| *name)
}

/// The archived event type and effect of `name`: a published name (matched without
/// regard to case) is recorded under AirGateway's own spelling, any other name as sent.
pub(super) fn lookup(name: &str) -> (String, Effect) {
    EVENTS
        .iter()
        .chain(LATER_EVENTS)
        .find(|(known, _)| known.eq_ignore_ascii_case(name))
        .map_or_else(
            || (name.to_owned(), Effect::Unrecognised),
            |(known, effect)| ((*known).to_owned(), *effect),
        )
}
