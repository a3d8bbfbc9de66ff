//! `Booking` and its small value types. The trip summary (dates, origin, destinations)
//! is read as ingest stored it; nothing is re-derived here. The partner's own
//! statements (`stated_*` columns) are deliberately not exposed.

use async_graphql::{ComplexObject, Context, ErrorExtensions, Object, Result, SimpleObject, ID};
use entity::booking;

use super::{
    enums::BookingStatus,
    event::Event,
    guard::AnalystOnly,
    scalars::DateTime,
    trip::{Passenger, Segment},
};
use crate::{error::ApiError, loaders::Loaders};

/// One trip as a partner knows it, unique per (partner, reference).
pub struct Booking(pub booking::Model);

/// A stored place ([`entity::Place`], the one place shape) as the api serves it.
pub struct Place(pub entity::Place);

/// An airport or place: IATA code, name and country as the partner gave them.
#[Object]
impl Place {
    async fn code(&self) -> Option<&str> {
        self.0.code.as_deref()
    }

    async fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }

    async fn country(&self) -> Option<&str> {
        self.0.country.as_deref()
    }
}

/// Who travels, by age band, as far as the partner said.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct TravellerCounts {
    pub adults: Option<i32>,
    pub children: Option<i32>,
    pub infants: Option<i32>,
}

#[ComplexObject]
impl TravellerCounts {
    /// The sum of the known counts; null when none is known.
    async fn total(&self) -> Option<i32> {
        let known: Vec<i32> = [self.adults, self.children, self.infants]
            .into_iter()
            .flatten()
            .collect();
        (!known.is_empty()).then(|| known.iter().sum())
    }
}

/// The customer the partner named on the booking.
pub struct Customer {
    id: Option<String>,
    first_name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
}

// An `Object` rather than a `SimpleObject`: a guarded `SimpleObject` field that is refused
// is left out of the response instead of being null as GraphQL requires.
/// The customer the partner named on the booking. `email` and `phone` need an analyst token.
#[Object]
impl Customer {
    /// The partner's customer id.
    async fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    async fn first_name(&self) -> Option<&str> {
        self.first_name.as_deref()
    }

    /// Analyst tokens only.
    #[graphql(guard = "AnalystOnly")]
    async fn email(&self) -> Option<&str> {
        self.email.as_deref()
    }

    /// E.164. Analyst tokens only.
    #[graphql(guard = "AnalystOnly")]
    async fn phone(&self) -> Option<&str> {
        self.phone.as_deref()
    }
}

/// One trip as a partner knows it, unique per (partner, reference), with the trip
/// summary ingest derived from its segments.
#[Object]
impl Booking {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Registry name of the partner, e.g. `hahn-air`.
    async fn partner(&self) -> &str {
        &self.0.partner
    }

    /// The partner's booking reference.
    async fn reference(&self) -> &str {
        &self.0.reference
    }

    async fn status(&self) -> BookingStatus {
        self.0.status.into()
    }

    /// False once cancelled: do not market this trip.
    async fn marketing_allowed(&self) -> bool {
        self.0.marketing_allowed
    }

    async fn booked_at(&self) -> Option<DateTime> {
        self.0.booked_at.map(DateTime)
    }

    /// Start of the trip: the partner's stated start, else the first active segment's departure.
    async fn trip_start(&self) -> Option<DateTime> {
        self.0.trip_start.map(DateTime)
    }

    /// End of the trip: the partner's stated end, else the last active segment's end.
    async fn trip_end(&self) -> Option<DateTime> {
        self.0.trip_end.map(DateTime)
    }

    async fn origin(&self) -> Option<Place> {
        self.0.origin().map(Place)
    }

    /// The main destination: the partner's final destination, else the first of `destinations`.
    async fn destination(&self) -> Option<Place> {
        self.0.destination().map(Place)
    }

    /// The active segments' destinations in sequence order.
    async fn destinations(&self) -> Vec<Place> {
        let places = self.0.destinations().unwrap_or_else(|err| {
            tracing::warn!(booking = %self.0.id, error = %err, "destinations column is not a list of places");
            Vec::new()
        });
        places.into_iter().map(Place).collect()
    }

    async fn travellers(&self) -> TravellerCounts {
        TravellerCounts {
            adults: self.0.adults,
            children: self.0.children,
            infants: self.0.infants,
        }
    }

    async fn bag_count(&self) -> Option<i32> {
        self.0.bag_count
    }

    async fn cabin_class(&self) -> Option<&str> {
        self.0.cabin_class.as_deref()
    }

    /// Null when the partner sent no customer data.
    async fn customer(&self) -> Option<Customer> {
        let b = &self.0;
        let customer = Customer {
            id: b.customer_id.clone(),
            first_name: b.customer_first_name.clone(),
            email: b.customer_email.clone(),
            phone: b.customer_phone.clone(),
        };
        let known = customer.id.is_some()
            || customer.first_name.is_some()
            || customer.email.is_some()
            || customer.phone.is_some();
        known.then_some(customer)
    }

    /// Lead passenger first.
    async fn passengers(&self, ctx: &Context<'_>) -> Result<Vec<Passenger>> {
        let loaded = ctx
            .data::<Loaders>()?
            .passengers
            .load_one(self.0.id)
            .await
            .map_err(|e| e.extend())?;
        Ok(loaded
            .unwrap_or_default()
            .into_iter()
            .map(Passenger)
            .collect())
    }

    /// In sequence order, cancelled ones included.
    async fn segments(&self, ctx: &Context<'_>) -> Result<Vec<Segment>> {
        let loaded = ctx
            .data::<Loaders>()?
            .segments
            .load_one(self.0.id)
            .await
            .map_err(|e| e.extend())?;
        Ok(loaded
            .unwrap_or_default()
            .into_iter()
            .map(Segment)
            .collect())
    }

    /// The archived deliveries about this booking, newest first. Analyst tokens only;
    /// nullable so that a landing token asking for it still gets the rest of the booking.
    #[graphql(guard = "AnalystOnly")]
    async fn events(&self, ctx: &Context<'_>) -> Result<Option<Vec<Event>>> {
        let loaded = ctx
            .data::<Loaders>()?
            .events
            .load_one(self.0.id)
            .await
            .map_err(|e: ApiError| e.extend())?;
        Ok(Some(
            loaded.unwrap_or_default().into_iter().map(Event).collect(),
        ))
    }

    /// When the booking was first recorded here.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }

    /// When the booking last changed here.
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
}
