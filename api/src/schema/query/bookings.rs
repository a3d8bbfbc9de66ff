//! `booking`, `bookingByReference` (landing and analyst) and `bookings` (analyst).

use async_graphql::{connection::Connection, Context, ErrorExtensions, Object, Result, ID};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::{
    error::ApiError,
    loaders::{Loaders, Selected},
    schema::{
        booking::Booking,
        connection::{connection, BookingTotals, PageArgs},
        filters::BookingFilter,
        guard::{AnalystOnly, SignedIn},
        limits::connection_complexity,
    },
    store::{self, Position},
};

/// A page of bookings.
pub type BookingConnection = Connection<Position, Booking, BookingTotals>;

#[derive(Default)]
pub struct BookingQuery;

#[Object]
impl BookingQuery {
    /// One booking by id; null when there is none (an id that is not a UUID included).
    #[graphql(guard = "SignedIn")]
    async fn booking(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Booking>> {
        let Ok(id) = Uuid::parse_str(id.as_str()) else {
            return Ok(None);
        };
        let db = ctx.data::<DatabaseConnection>()?;
        let found = store::bookings::find(db, id)
            .await
            .map_err(|e| ApiError::from(e).extend())?;
        Ok(found.map(Booking))
    }

    /// One booking by the partner's name and its own booking reference; null when unknown.
    #[graphql(guard = "SignedIn")]
    async fn booking_by_reference(
        &self,
        ctx: &Context<'_>,
        partner: String,
        reference: String,
    ) -> Result<Option<Booking>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let found = store::bookings::find_by_reference(db, &partner, &reference)
            .await
            .map_err(|e| ApiError::from(e).extend())?;
        Ok(found.map(Booking))
    }

    /// Bookings matching the filter, newest first (analyst tokens only).
    /// `first` defaults to 20; over 100 is refused.
    #[graphql(
        guard = "AnalystOnly",
        complexity = "connection_complexity(first, child_complexity)"
    )]
    async fn bookings(
        &self,
        ctx: &Context<'_>,
        filter: Option<BookingFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<BookingConnection> {
        let args = PageArgs::parse(first, after.as_deref()).map_err(|e| e.extend())?;
        let condition = filter.unwrap_or_default().condition();
        let db = ctx.data::<DatabaseConnection>()?;
        let page = store::bookings::page(db, condition.clone(), args.after, args.first)
            .await
            .map_err(|e| ApiError::from(e).extend())?;
        Ok(connection(
            page,
            args,
            store::bookings::position,
            Booking,
            BookingTotals(condition),
        ))
    }
}
