//! Read queries over the entities: plain functions on a connection returning
//! `Result<_, DbErr>`, with no GraphQL in them, so each can be tested on its own.
//!
//! Lists of the analyst connections are keyset-paginated on (timestamp, id), newest
//! first: a page starts strictly after the last row of the previous one, so rows
//! inserted while an analyst walks the pages can neither shift nor repeat them.

pub mod bookings;
pub mod counts;
pub mod events;
pub mod stats;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Select,
};
use uuid::Uuid;

/// Where a row sits in a newest-first list: its timestamp and id (UUID v7, so ties on
/// the timestamp still have one order). A connection cursor encodes one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub at: DateTime<Utc>,
    pub id: Uuid,
}

/// One page of rows and whether more follow.
#[derive(Debug)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub has_next: bool,
}

/// Up to `first` rows of `select` after `after`, ordered by `time` then `id`, newest first.
/// It fetches one row more than asked to learn whether another page follows.
async fn newest_first<E, C>(
    db: &C,
    select: Select<E>,
    (time, id): (E::Column, E::Column),
    after: Option<Position>,
    first: u64,
) -> Result<Page<E::Model>, sea_orm::DbErr>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let mut select = select.order_by_desc(time).order_by_desc(id);
    if let Some(after) = after {
        select = select.filter(older_than((time, id), after));
    }
    let mut rows = select.limit(first.saturating_add(1)).all(db).await?;
    let has_next = rows.len() as u64 > first;
    rows.truncate(usize::try_from(first).unwrap_or(usize::MAX));
    Ok(Page { rows, has_next })
}

/// The rows after `after` in a newest-first list ordered by `time` then `id`.
fn older_than<C: ColumnTrait>((time, id): (C, C), after: Position) -> Condition {
    Condition::any()
        .add(time.lt(after.at))
        .add(Condition::all().add(time.eq(after.at)).add(id.lt(after.id)))
}
