//! The root `Subscription` (CONTRACT §6 rev. 2, *Live updates*): `bookingChanged(id)`
//! pushes the booking again after every committed change, read anew from the database.
//!
//! Served only over the WebSocket at `GET /graphql/ws` ([`crate::ws`]), whose
//! connection data carries the verified [`Principal`] and the subscription limits
//! ([`live::limits`]); the field guards are the queries' own.

use async_graphql::{futures_util::Stream, Context, ErrorExtensions, Result, ID};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::{
    booking::Booking,
    guard::{is_analyst, SignedIn},
};
use crate::{
    auth::Principal,
    error::ApiError,
    live::{self, limits},
    loaders::{Loaders, Selected},
    store::{self, bookings::Lookup},
};

/// Every root subscription field.
#[derive(Default)]
pub struct Subscription;

#[async_graphql::Subscription]
impl Subscription {
    /// The booking after each committed change to it (any applied delivery, from any
    /// ingest process), within a second of the commit. Nothing is sent on subscribing:
    /// query `booking(id)` for the current state. A booking-scoped token may subscribe
    /// to its own booking only; an id that is not a booking id is refused.
    #[graphql(guard = "SignedIn")]
    async fn booking_changed<'ctx>(
        &self,
        ctx: &Context<'ctx>,
        id: ID,
    ) -> Result<impl Stream<Item = Result<Booking>> + 'ctx> {
        let id = Uuid::parse_str(id.as_str()).map_err(|_| {
            ApiError::BadInput(format!("`{}` is not a booking id", id.as_str())).extend()
        })?;
        let principal = ctx.data::<Principal>()?;
        if principal.booking.is_some_and(|own| own != id) {
            return Err(ApiError::Forbidden(
                "this token is scoped to one booking and may not subscribe to another".into(),
            )
            .extend());
        }
        let connection = ctx.data::<limits::Connection>().map_err(|_| {
            ApiError::BadInput("subscriptions are served over the WebSocket at /graphql/ws".into())
                .extend()
        })?;
        let permit = connection
            .admit(principal.subject.as_deref())
            .map_err(|refused| refused.extend())?;
        let changes = ctx.data::<live::Hub>()?.watch(id);
        let pushes = Pushes {
            db: &ctx.data::<super::Primary>()?.0,
            loaders: ctx.data::<Loaders>()?,
            selected: selected(ctx),
            id,
        };
        Ok(async_graphql::futures_util::stream::unfold(
            (changes, permit),
            move |(mut changes, permit)| async move {
                loop {
                    changes.next().await?;
                    if let Some(pushed) = pushes.read().await {
                        return Some((pushed, (changes, permit)));
                    }
                }
            },
        ))
    }
}

/// What one subscription reads on every change.
#[derive(Clone, Copy)]
struct Pushes<'ctx> {
    db: &'ctx DatabaseConnection,
    loaders: &'ctx Loaders,
    selected: Selected,
    id: Uuid,
}

impl Pushes<'_> {
    /// The booking as it is now, with the lists the subscription selects put in its
    /// loaders (which live as long as the subscription, so the previous push's rows are
    /// dropped first). `None` when it does not exist (yet).
    async fn read(&self) -> Option<Result<Booking>> {
        let found = store::bookings::find_with_lists(
            self.db,
            Lookup::Id(self.id),
            self.selected.segments,
            self.selected.passengers,
        )
        .await;
        let found = match found {
            Ok(found) => found?,
            Err(err) => return Some(Err(ApiError::from(err).extend())),
        };
        self.loaders.segments.clear::<Uuid>();
        self.loaders.passengers.clear::<Uuid>();
        self.loaders.events.clear::<Uuid>();
        self.loaders
            .feed(found.booking.id, found.segments, found.passengers)
            .await;
        if self.selected.events {
            let events = Selected {
                events: true,
                ..Selected::default()
            };
            if let Err(err) = self.loaders.prime(events, &[self.id]).await {
                return Some(Err(err.extend()));
            }
        }
        Some(Ok(Booking(found.booking)))
    }
}

/// Which lists the subscription selects under the booking; events only for analysts
/// (the field is refused to anyone else).
fn selected(ctx: &Context<'_>) -> Selected {
    let look = ctx.look_ahead();
    Selected {
        segments: look.field("segments").exists(),
        passengers: look.field("passengers").exists(),
        events: look.field("events").exists() && is_analyst(ctx),
    }
}
