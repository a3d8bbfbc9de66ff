//! `events` (analyst): the raw archive.

use async_graphql::{connection::Connection, Context, ErrorExtensions, Object, Result};
use sea_orm::DatabaseConnection;

use crate::{
    error::ApiError,
    schema::{
        connection::{connection, EventTotals, PageArgs},
        event::Event,
        filters::EventFilter,
        guard::AnalystOnly,
        limits::connection_complexity,
    },
    store::{self, Position},
};

/// A page of events.
pub type EventConnection = Connection<Position, Event, EventTotals>;

#[derive(Default)]
pub struct EventQuery;

#[Object]
impl EventQuery {
    /// Archived deliveries matching the filter, newest first (analyst tokens only).
    /// `first` defaults to 20; over 100 is refused.
    #[graphql(
        guard = "AnalystOnly",
        complexity = "connection_complexity(first, child_complexity)"
    )]
    async fn events(
        &self,
        ctx: &Context<'_>,
        filter: Option<EventFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<EventConnection> {
        let args = PageArgs::parse(first, after.as_deref()).map_err(|e| e.extend())?;
        let criteria = filter
            .unwrap_or_default()
            .criteria()
            .map_err(|e| e.extend())?;
        let db = ctx.data::<DatabaseConnection>()?;
        let page = store::events::page(db, criteria.condition(), args.after, args.first)
            .await
            .map_err(|e| ApiError::from(e).extend())?;
        Ok(connection(
            page,
            args,
            store::events::position,
            Event,
            EventTotals(criteria),
        ))
    }
}
