//! Aggregates for analysts: partners, bookings per status and per destination.

use async_graphql::{Context, ErrorExtensions, Object, Result, SimpleObject};
use sea_orm::DatabaseConnection;

use crate::{
    error::ApiError,
    schema::{booking::Place, enums::BookingStatus, filters::BookingFilter, guard::AnalystOnly},
    store,
};

/// How many bookings are in one status.
#[derive(SimpleObject)]
pub struct BookingStatusCount {
    pub status: BookingStatus,
    pub count: i64,
}

/// How many bookings go to one destination airport.
#[derive(SimpleObject)]
pub struct BookingDestinationCount {
    /// Null for the bookings whose destination is not known.
    pub destination: Option<Place>,
    pub count: i64,
}

#[derive(Default)]
pub struct StatsQuery;

#[Object]
impl StatsQuery {
    /// Every partner name that has sent a delivery or owns a booking, sorted (analyst).
    #[graphql(guard = "AnalystOnly")]
    async fn partners(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        let db = ctx.data::<DatabaseConnection>()?;
        store::counts::partners(db)
            .await
            .map_err(|e| ApiError::from(e).extend())
    }

    /// Bookings matching the filter per status, largest first (analyst).
    #[graphql(guard = "AnalystOnly")]
    async fn booking_counts_by_status(
        &self,
        ctx: &Context<'_>,
        filter: Option<BookingFilter>,
    ) -> Result<Vec<BookingStatusCount>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let criteria = filter
            .unwrap_or_default()
            .criteria()
            .map_err(|e| e.extend())?;
        let counts = store::counts::bookings_by_status(db, &criteria)
            .await
            .map_err(|e| ApiError::from(e).extend())?;
        Ok(counts
            .into_iter()
            .map(|(status, count)| BookingStatusCount {
                status: status.into(),
                count,
            })
            .collect())
    }

    /// Bookings matching the filter per destination airport, largest first, at most
    /// `first` (default 20, at most 100) destinations (analyst).
    #[graphql(guard = "AnalystOnly")]
    async fn booking_counts_by_destination(
        &self,
        ctx: &Context<'_>,
        filter: Option<BookingFilter>,
        #[graphql(default = 20, validator(minimum = 0, maximum = 100))] first: i32,
    ) -> Result<Vec<BookingDestinationCount>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let criteria = filter
            .unwrap_or_default()
            .criteria()
            .map_err(|e| e.extend())?;
        let first = usize::try_from(first).unwrap_or_default();
        let counts = store::counts::bookings_by_destination(db, &criteria, first)
            .await
            .map_err(|e| ApiError::from(e).extend())?;
        Ok(counts
            .into_iter()
            .map(|c| BookingDestinationCount {
                destination: entity::Place::from_parts(
                    c.code.as_deref(),
                    c.name.as_deref(),
                    c.country.as_deref(),
                )
                .map(Place),
                count: c.count,
            })
            .collect())
    }
}
