//! The root `Query`, one module per feature, merged.

mod bookings;
mod events;
mod stats;

use async_graphql::MergedObject;

/// Every root field of the API.
#[derive(MergedObject, Default)]
pub struct Query(
    bookings::BookingQuery,
    events::EventQuery,
    stats::StatsQuery,
);
