//! `Segment` and `Passenger`, the lists under a booking (loaded through DataLoaders).

use async_graphql::{Object, ID};
use entity::{passenger, segment};

use super::{
    booking::Place,
    enums::{PassengerType, SegmentKind, SegmentStatus},
    guard::AnalystOnly,
    scalars::DateTime,
};

/// One leg of a trip: a flight, a hotel stay, a transfer…
pub struct Segment(pub segment::Model);

/// A person travelling on a booking. Contact data and last name need an analyst token.
pub struct Passenger(pub passenger::Model);

/// One leg of a trip: a flight, a hotel stay, a transfer…
#[Object]
impl Segment {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The partner's own key for this segment.
    async fn reference(&self) -> &str {
        &self.0.reference
    }

    /// Position in the trip, from 1.
    async fn sequence(&self) -> i32 {
        self.0.sequence
    }

    async fn kind(&self) -> SegmentKind {
        self.0.kind.into()
    }

    async fn status(&self) -> SegmentStatus {
        self.0.status.into()
    }

    async fn origin(&self) -> Option<Place> {
        self.0.origin().map(Place)
    }

    async fn destination(&self) -> Option<Place> {
        self.0.destination().map(Place)
    }

    async fn departure_at(&self) -> Option<DateTime> {
        self.0.departure_at.map(DateTime)
    }

    async fn arrival_at(&self) -> Option<DateTime> {
        self.0.arrival_at.map(DateTime)
    }

    /// Airline designator or supplier.
    async fn carrier(&self) -> Option<&str> {
        self.0.carrier.as_deref()
    }

    /// e.g. `BA123`.
    async fn flight_number(&self) -> Option<&str> {
        self.0.flight_number.as_deref()
    }

    async fn cabin_class(&self) -> Option<&str> {
        self.0.cabin_class.as_deref()
    }
}

/// A person travelling on a booking. `lastName`, `email` and `phone` need an analyst token.
#[Object]
impl Passenger {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn first_name(&self) -> Option<&str> {
        self.0.first_name.as_deref()
    }

    /// Analyst tokens only.
    #[graphql(guard = "AnalystOnly")]
    async fn last_name(&self) -> Option<&str> {
        self.0.last_name.as_deref()
    }

    #[graphql(name = "type")]
    async fn passenger_type(&self) -> PassengerType {
        self.0.passenger_type.into()
    }

    /// The lead passenger (the one the partner names as the contact).
    async fn lead(&self) -> bool {
        self.0.lead
    }

    /// Analyst tokens only.
    #[graphql(guard = "AnalystOnly")]
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }

    /// E.164. Analyst tokens only.
    #[graphql(guard = "AnalystOnly")]
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
}
