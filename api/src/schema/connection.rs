//! Relay connections for the analyst lists: page arguments, opaque cursors, and the
//! lazily counted `totalCount`.
//!
//! A cursor is base64 of the row's (timestamp, id) — see [`store::Position`] — so
//! the next page starts right after the row it names even while new rows arrive.

use async_graphql::{
    connection::{Connection, CursorType, Edge},
    Context, ErrorExtensions, Object, ObjectType, OutputType, Result,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chrono::{SecondsFormat, Utc};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::limits::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use crate::{
    error::ApiError,
    store::{
        self,
        counts::{BookingCriteria, EventCriteria},
        Page, Position,
    },
};

/// Prefix that versions the cursor format, so a future format can refuse old cursors.
const CURSOR_PREFIX: &str = "v1|";

impl CursorType for Position {
    type Error = ApiError;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        let invalid =
            || ApiError::BadInput("`after` is not a cursor returned by this API".to_owned());
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let (at, id) = text
            .strip_prefix(CURSOR_PREFIX)
            .and_then(|rest| rest.split_once('|'))
            .ok_or_else(invalid)?;
        let at = chrono::DateTime::parse_from_rfc3339(at)
            .map_err(|_| invalid())?
            .with_timezone(&Utc);
        let id = Uuid::parse_str(id).map_err(|_| invalid())?;
        Ok(Position { at, id })
    }

    fn encode_cursor(&self) -> String {
        // Nanosecond precision: the cursor must compare equal to the stored timestamp.
        let at = self.at.to_rfc3339_opts(SecondsFormat::Nanos, true);
        URL_SAFE_NO_PAD.encode(format!("{CURSOR_PREFIX}{at}|{}", self.id))
    }
}

/// The validated `first`/`after` arguments of a connection.
#[derive(Debug, Clone, Copy)]
pub struct PageArgs {
    pub first: u64,
    pub after: Option<Position>,
}

impl PageArgs {
    /// Checks `first` (0‥=100, default 20) and decodes `after`.
    ///
    /// # Errors
    /// [`ApiError::BadInput`] for a `first` out of range or a cursor this API did not make.
    pub fn parse(first: Option<i32>, after: Option<&str>) -> Result<Self, ApiError> {
        let first = first.unwrap_or(DEFAULT_PAGE_SIZE);
        if !(0..=MAX_PAGE_SIZE).contains(&first) {
            return Err(ApiError::BadInput(format!(
                "`first` must be between 0 and {MAX_PAGE_SIZE} (got {first}); walk further with `after`"
            )));
        }
        let after = after.map(Position::decode_cursor).transpose()?;
        Ok(Self {
            first: u64::try_from(first).unwrap_or_default(),
            after,
        })
    }
}

/// Builds a connection from one page of rows.
pub fn connection<M, N, F>(
    page: Page<M>,
    args: PageArgs,
    position: fn(&M) -> Position,
    node: fn(M) -> N,
    fields: F,
) -> Connection<Position, N, F>
where
    N: OutputType,
    F: ObjectType,
{
    let mut connection =
        Connection::with_additional_fields(args.after.is_some(), page.has_next, fields);
    connection.edges.extend(
        page.rows
            .into_iter()
            .map(|row| Edge::new(position(&row), node(row))),
    );
    connection
}

/// `totalCount` of the bookings connection, counted only when asked for.
pub struct BookingTotals(pub BookingCriteria);

/// `totalCount` of the events connection, counted only when asked for.
pub struct EventTotals(pub EventCriteria);

#[Object]
impl BookingTotals {
    /// How many bookings match the filter, on all pages together.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        let db = ctx.data::<DatabaseConnection>()?;
        store::counts::bookings(db, &self.0)
            .await
            .map_err(|err| ApiError::from(err).extend())
    }
}

#[Object]
impl EventTotals {
    /// How many events match the filter, on all pages together.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        let db = ctx.data::<DatabaseConnection>()?;
        store::counts::events(db, &self.0)
            .await
            .map_err(|err| ApiError::from(err).extend())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_to_the_nanosecond() {
        let position = Position {
            at: Utc::now(),
            id: Uuid::now_v7(),
        };
        assert_eq!(
            Position::decode_cursor(&position.encode_cursor()).unwrap(),
            position
        );
        assert!(Position::decode_cursor("bm90IGEgY3Vyc29y").is_err());
    }

    #[test]
    fn first_is_refused_outside_the_range_not_clamped() {
        assert_eq!(PageArgs::parse(None, None).unwrap().first, 20);
        assert_eq!(PageArgs::parse(Some(100), None).unwrap().first, 100);
        assert!(PageArgs::parse(Some(101), None).is_err());
        assert!(PageArgs::parse(Some(-1), None).is_err());
    }
}
