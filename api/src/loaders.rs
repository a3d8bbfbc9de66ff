//! DataLoaders for every list nested under a booking (CONTRACT §6): the resolvers of a
//! page of N bookings ask for their segments one by one, and the loader turns those N
//! asks into one `WHERE booking_id IN (…)` statement.
//!
//! Batching alone depends on timing: a loader sends its batch 1 ms after the first key,
//! and resolving a page of 100 bookings can take longer than that, which splits the
//! batch. So the root resolvers also *prime* the loaders with the booking ids they found
//! ([`Loaders::prime`]): one statement per list the query selects, put in the request's
//! cache with no delay, and the per-booking resolvers then read the cache. Loaders are
//! created per request ([`PerRequestLoaders`]), so the cache never outlives the request.

use std::{collections::HashMap, sync::Arc};

use async_graphql::{
    async_trait::async_trait,
    dataloader::{DataLoader, HashMapCache, Loader},
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest},
    Request, ServerResult,
};
use entity::{event, passenger, segment};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::{error::ApiError, store};

/// A booking's segments in sequence order.
pub struct SegmentsByBooking(DatabaseConnection);

/// A booking's passengers, lead first.
pub struct PassengersByBooking(DatabaseConnection);

/// A booking's archived events, newest first.
pub struct EventsByBooking(DatabaseConnection);

impl Loader<Uuid> for SegmentsByBooking {
    type Value = Vec<segment::Model>;
    type Error = ApiError;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = store::bookings::segments_of(&self.0, ids).await?;
        Ok(group_by_booking(ids, rows, |row| row.booking_id))
    }
}

impl Loader<Uuid> for PassengersByBooking {
    type Value = Vec<passenger::Model>;
    type Error = ApiError;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = store::bookings::passengers_of(&self.0, ids).await?;
        Ok(group_by_booking(ids, rows, |row| row.booking_id))
    }
}

impl Loader<Uuid> for EventsByBooking {
    type Value = Vec<event::Model>;
    type Error = ApiError;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = store::events::events_of(&self.0, ids).await?;
        Ok(group_by_booking(ids, rows, |row| {
            row.booking_id.unwrap_or_default()
        }))
    }
}

/// Splits rows by booking, keeping the order the statement returned them in. Every
/// asked-for booking gets an entry, empty if need be, so that it is cached as "none".
fn group_by_booking<T>(
    ids: &[Uuid],
    rows: Vec<T>,
    booking_id: impl Fn(&T) -> Uuid,
) -> HashMap<Uuid, Vec<T>> {
    let mut groups: HashMap<Uuid, Vec<T>> = ids.iter().map(|id| (*id, Vec::new())).collect();
    for row in rows {
        groups.entry(booking_id(&row)).or_default().push(row);
    }
    groups
}

/// The loaders of one request.
pub struct Loaders {
    pub segments: DataLoader<SegmentsByBooking, HashMapCache>,
    pub passengers: DataLoader<PassengersByBooking, HashMapCache>,
    pub events: DataLoader<EventsByBooking, HashMapCache>,
}

/// Which nested lists a query selects under the bookings of a page.
#[derive(Clone, Copy, Debug, Default)]
pub struct Selected {
    pub segments: bool,
    pub passengers: bool,
    pub events: bool,
}

impl Loaders {
    pub fn new(db: &DatabaseConnection) -> Self {
        Self {
            segments: DataLoader::with_cache(
                SegmentsByBooking(db.clone()),
                tokio::spawn,
                HashMapCache::default(),
            ),
            passengers: DataLoader::with_cache(
                PassengersByBooking(db.clone()),
                tokio::spawn,
                HashMapCache::default(),
            ),
            events: DataLoader::with_cache(
                EventsByBooking(db.clone()),
                tokio::spawn,
                HashMapCache::default(),
            ),
        }
    }

    /// Loads the selected lists of all `ids` at once (one statement each, concurrently)
    /// straight into the request's cache, without the batching delay.
    ///
    /// # Errors
    /// The first database error.
    pub async fn prime(&self, selected: Selected, ids: &[Uuid]) -> Result<(), ApiError> {
        tokio::try_join!(
            prime_one(&self.segments, selected.segments, ids),
            prime_one(&self.passengers, selected.passengers, ids),
            prime_one(&self.events, selected.events, ids),
        )?;
        Ok(())
    }

    /// Puts lists read along with a booking into the request's cache (`None`: not read).
    pub async fn feed(
        &self,
        booking_id: Uuid,
        segments: Option<Vec<segment::Model>>,
        passengers: Option<Vec<passenger::Model>>,
    ) {
        if let Some(rows) = segments {
            self.segments.feed_one(booking_id, rows).await;
        }
        if let Some(rows) = passengers {
            self.passengers.feed_one(booking_id, rows).await;
        }
    }
}

async fn prime_one<T>(
    loader: &DataLoader<T, HashMapCache>,
    wanted: bool,
    ids: &[Uuid],
) -> Result<(), ApiError>
where
    T: Loader<Uuid, Error = ApiError>,
{
    if wanted && !ids.is_empty() {
        let values = loader.loader().load(ids).await?;
        loader.feed_many(values).await;
    }
    Ok(())
}

/// Gives every request its own [`Loaders`], so cached rows live no longer than the request.
pub struct PerRequestLoaders(pub DatabaseConnection);

impl ExtensionFactory for PerRequestLoaders {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(PerRequestLoaders(self.0.clone()))
    }
}

#[async_trait]
impl Extension for PerRequestLoaders {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        next.run(ctx, request.data(Loaders::new(&self.0))).await
    }
}
