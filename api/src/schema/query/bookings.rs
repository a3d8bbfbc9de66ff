//! `booking`, `bookingByReference` (landing and analyst) and `bookings` (analyst).

use async_graphql::{
    connection::Connection, Context, ErrorExtensions, Lookahead, Object, Result, ID,
};
use entity::booking;
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::{
    error::ApiError,
    loaders::{Loaders, Selected},
    schema::{
        booking::Booking,
        connection::{connection, BookingTotals, PageArgs},
        filters::{stored_text, BookingFilter},
        guard::{check_scope, is_analyst, AnalystOnly, SignedIn},
        limits::connection_complexity,
    },
    store::{self, bookings::Lookup, Position},
};

/// A page of bookings.
pub type BookingConnection = Connection<Position, Booking, BookingTotals>;

#[derive(Default)]
pub struct BookingQuery;

#[Object]
impl BookingQuery {
    /// One booking by id; null when there is none (an id that is not a UUID included).
    /// A booking-scoped token gets null and `FORBIDDEN` for any other id, unread.
    #[graphql(guard = "SignedIn")]
    async fn booking(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Booking>> {
        let id = Uuid::parse_str(id.as_str()).ok();
        check_scope(ctx, id)?;
        let Some(id) = id else {
            return Ok(None);
        };
        find_one(ctx, Lookup::Id(id)).await
    }

    /// One booking by the partner's name and its own booking reference; null when unknown.
    /// A booking-scoped token gets null and `FORBIDDEN` for any other (or no) booking.
    #[graphql(guard = "SignedIn")]
    async fn booking_by_reference(
        &self,
        ctx: &Context<'_>,
        partner: String,
        reference: String,
    ) -> Result<Option<Booking>> {
        let partner = stored_text("partner", &partner).map_err(|e| e.extend())?;
        let reference = stored_text("reference", &reference).map_err(|e| e.extend())?;
        let found = find_one(ctx, Lookup::Reference { partner, reference }).await?;
        if found.is_none() {
            // Scoped: "no such reference" would tell which references exist.
            check_scope(ctx, None)?;
        }
        Ok(found)
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
        let criteria = filter
            .unwrap_or_default()
            .criteria()
            .map_err(|e| e.extend())?;
        let db = ctx.data::<DatabaseConnection>()?;
        let page = store::bookings::page_matching(db, &criteria, args.after, args.first)
            .await
            .map_err(|e| ApiError::from(e).extend())?;
        let look = ctx.look_ahead();
        let nodes = [look.field("edges").field("node"), look.field("nodes")];
        prime(ctx, &nodes, &page.rows).await?;
        let totals = BookingTotals(criteria);
        Ok(connection(
            page,
            args,
            store::bookings::position,
            Booking,
            totals,
        ))
    }
}

/// One booking with the lists the query selects under it, read together (one statement
/// on PostgreSQL) and put in the request's loaders for the per-booking resolvers.
async fn find_one(ctx: &Context<'_>, lookup: Lookup<'_>) -> Result<Option<Booking>> {
    let db = ctx.data::<DatabaseConnection>()?;
    let selected = selected(ctx, &[ctx.look_ahead()]);
    let found =
        store::bookings::find_with_lists(db, lookup, selected.segments, selected.passengers)
            .await
            .map_err(|e| ApiError::from(e).extend())?;
    let Some(found) = found else {
        return Ok(None);
    };
    // Before anything is fed to the loaders: a refused booking leaves no trace.
    check_scope(ctx, Some(found.booking.id))?;
    let loaders = ctx.data::<Loaders>()?;
    loaders
        .feed(found.booking.id, found.segments, found.passengers)
        .await;
    if selected.events {
        loaders
            .prime(
                Selected {
                    events: true,
                    ..Selected::default()
                },
                &[found.booking.id],
            )
            .await
            .map_err(|e| e.extend())?;
    }
    Ok(Some(Booking(found.booking)))
}

/// Which lists the query selects under the bookings found at `nodes` (the places in the
/// query where those bookings appear). Events only for analysts: for anyone else the
/// field is refused anyway.
fn selected(ctx: &Context<'_>, nodes: &[Lookahead<'_>]) -> Selected {
    let selects = |list: &str| nodes.iter().any(|node| node.field(list).exists());
    Selected {
        segments: selects("segments"),
        passengers: selects("passengers"),
        events: selects("events") && is_analyst(ctx),
    }
}

/// Loads, for all `bookings` at once, the lists the query selects under them, so that
/// the per-booking resolvers find them in the request's cache.
async fn prime(
    ctx: &Context<'_>,
    nodes: &[Lookahead<'_>],
    bookings: &[booking::Model],
) -> Result<()> {
    let ids: Vec<Uuid> = bookings.iter().map(|booking| booking.id).collect();
    let loaders = ctx.data::<Loaders>()?;
    loaders
        .prime(selected(ctx, nodes), &ids)
        .await
        .map_err(|e| e.extend())
}
