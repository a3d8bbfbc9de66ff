//! DataLoaders for every list nested under a booking (CONTRACT §6): the resolvers of a
//! page of N bookings ask for their segments one by one, and the loader turns those N
//! asks into one `WHERE booking_id IN (…)` statement.
//!
//! The loaders live in the schema, shared by all requests, without a cache: concurrent
//! requests batch together, and nothing read can go stale between requests.

use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, Loader};
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
        Ok(group_by_booking(rows, |row| row.booking_id))
    }
}

impl Loader<Uuid> for PassengersByBooking {
    type Value = Vec<passenger::Model>;
    type Error = ApiError;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = store::bookings::passengers_of(&self.0, ids).await?;
        Ok(group_by_booking(rows, |row| row.booking_id))
    }
}

impl Loader<Uuid> for EventsByBooking {
    type Value = Vec<event::Model>;
    type Error = ApiError;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = store::events::events_of(&self.0, ids).await?;
        Ok(group_by_booking(rows, |row| {
            row.booking_id.unwrap_or_default()
        }))
    }
}

/// Splits rows by booking, keeping the order the statement returned them in.
fn group_by_booking<T>(rows: Vec<T>, booking_id: impl Fn(&T) -> Uuid) -> HashMap<Uuid, Vec<T>> {
    let mut groups: HashMap<Uuid, Vec<T>> = HashMap::new();
    for row in rows {
        groups.entry(booking_id(&row)).or_default().push(row);
    }
    groups
}

/// The three loaders, ready to add to the schema's data.
pub struct Loaders {
    pub segments: DataLoader<SegmentsByBooking>,
    pub passengers: DataLoader<PassengersByBooking>,
    pub events: DataLoader<EventsByBooking>,
}

impl Loaders {
    pub fn new(db: &DatabaseConnection) -> Self {
        Self {
            segments: DataLoader::new(SegmentsByBooking(db.clone()), tokio::spawn),
            passengers: DataLoader::new(PassengersByBooking(db.clone()), tokio::spawn),
            events: DataLoader::new(EventsByBooking(db.clone()), tokio::spawn),
        }
    }
}
