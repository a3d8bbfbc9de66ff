//! Bookings and what hangs off them: segments and passengers.

use entity::{booking, passenger, segment};
use sea_orm::{
    sea_query::Expr, ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QueryResult, QuerySelect,
    QueryTrait, Statement,
};
use uuid::Uuid;

use super::{
    counts::{split, BookingCriteria, Span},
    newest_first, older_than, Page, Position,
};

/// One booking by id.
///
/// # Errors
/// When the database fails.
pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<booking::Model>, DbErr> {
    // `all()`, not `one()`: see `common::db::first`.
    booking::Entity::find_by_id(id)
        .all(db)
        .await
        .map(common::db::first)
}

/// One booking by the partner's own reference (unique per partner).
///
/// # Errors
/// When the database fails.
pub async fn find_by_reference(
    db: &impl ConnectionTrait,
    partner: &str,
    reference: &str,
) -> Result<Option<booking::Model>, DbErr> {
    // Compared as the unique index compares them, so that it alone can answer.
    let backend = db.get_database_backend();
    booking::Entity::find()
        .filter(common::db::key_is(
            backend,
            [
                (booking::Column::Partner, partner),
                (booking::Column::Reference, reference),
            ],
        ))
        .all(db)
        .await
        .map(common::db::first)
}

/// A page of the bookings matching `criteria`, newest first (created_at, id).
///
/// On PostgreSQL a filter with a date range (the booking date, else the trip start)
/// reads the page by UTC day: each whole day of the range gives its newest `first + 1`
/// matching bookings through the index on (that day, created_at, id), or on
/// (destination, that day, created_at, id) with a destination (migration
/// `m20261203_000003_booking_days`); the partial days at either end give theirs from
/// their rows; the newest of all make the page. That reads at most `first + 1` matches
/// per whole day however many bookings a day holds, and at most the rows of the two
/// edge days, where one range of the date's own index read and sorted every booking of
/// the range (a month of 1 million bookings: 83,000 rows, 1.3 s). Elsewhere the list's
/// own index is walked ([`page`]).
///
/// # Errors
/// When the database fails.
pub async fn page_matching(
    db: &impl ConnectionTrait,
    criteria: &BookingCriteria,
    after: Option<Position>,
    first: u64,
) -> Result<Page<booking::Model>, DbErr> {
    let range = if criteria.booked.is_set() {
        Some((booking::Column::BookedAt, "booked_at", criteria.booked))
    } else if criteria.trip_start.is_set() {
        Some((
            booking::Column::TripStart,
            "trip_start",
            criteria.trip_start,
        ))
    } else {
        None
    };
    let Some((column, name, span)) =
        range.filter(|_| db.get_database_backend() == DatabaseBackend::Postgres)
    else {
        return page(db, criteria.condition(), after, first).await;
    };
    let limit = first.saturating_add(1);
    let newest = |select: sea_orm::Select<booking::Entity>| {
        let select = match after {
            Some(after) => select.filter(older_than(
                (booking::Column::CreatedAt, booking::Column::Id),
                after,
            )),
            None => select,
        };
        select
            .order_by_desc(booking::Column::CreatedAt)
            .order_by_desc(booking::Column::Id)
            .limit(limit)
    };
    let split = split(span);
    let mut rows = Vec::new();
    if let Some((first_day, last_day)) = split.whole {
        // Whole days are inside the range: it is left out of their condition, so that
        // a plan made for any values still sees a day's bookings in the day's index.
        let mut within = criteria.clone();
        if name == "booked_at" {
            within.booked = Span::default();
        } else {
            within.trip_start = Span::default();
        }
        let day = |table: &str| format!("({table}\"{name}\" AT TIME ZONE 'UTC')::date");
        let one_day = newest(
            booking::Entity::find()
                .filter(within.condition())
                .filter(Expr::cust(format!("{} = d.day::date", day("\"booking\".")))),
        )
        .build(DatabaseBackend::Postgres);
        let mut values = one_day.values.map(|v| v.0).unwrap_or_default();
        let n = values.len();
        values.push(first_day.into());
        values.push(last_day.into());
        // Only days some booking has: an open end, or a range wider than the bookings,
        // stops at the first or last of them.
        let sql = format!(
            "SELECT b.* FROM generate_series(\
               greatest(${from}::date, (SELECT min({d}) FROM booking)), \
               least(${to}::date, (SELECT max({d}) FROM booking)), \
               interval '1 day') AS d(day) \
             CROSS JOIN LATERAL ({inner}) b \
             ORDER BY b.created_at DESC, b.id DESC LIMIT {limit}",
            from = n + 1,
            to = n + 2,
            d = day(""),
            inner = one_day.sql,
        );
        rows = booking::Entity::find()
            .from_raw_sql(Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                sql,
                values,
            ))
            .all(db)
            .await?;
    }
    for edge in split.edges {
        let part = edge.condition(column);
        // The edge's rows first, then their newest: with a limit beside it, a plan made
        // for any values (the api keeps generic plans) may walk every booking newest
        // first looking for an edge that holds a few.
        let mut select = booking::Entity::find()
            .filter(criteria.condition())
            .filter(part);
        if let Some(after) = after {
            select = select.filter(older_than(
                (booking::Column::CreatedAt, booking::Column::Id),
                after,
            ));
        }
        let edge_rows = select.build(DatabaseBackend::Postgres);
        let sql = format!(
            "WITH e AS MATERIALIZED ({}) SELECT * FROM e \
             ORDER BY created_at DESC, id DESC LIMIT {limit}",
            edge_rows.sql
        );
        let values = edge_rows.values.map(|v| v.0).unwrap_or_default();
        rows.extend(
            booking::Entity::find()
                .from_raw_sql(Statement::from_sql_and_values(
                    DatabaseBackend::Postgres,
                    sql,
                    values,
                ))
                .all(db)
                .await?,
        );
    }
    rows.sort_by_key(|b| std::cmp::Reverse((b.created_at, b.id)));
    let has_next = rows.len() as u64 > first;
    rows.truncate(usize::try_from(first).unwrap_or(usize::MAX));
    Ok(Page { rows, has_next })
}

/// A page of the bookings matching `filter`, newest first (created_at, id).
///
/// # Errors
/// When the database fails.
pub async fn page(
    db: &impl ConnectionTrait,
    filter: Condition,
    after: Option<Position>,
    first: u64,
) -> Result<Page<booking::Model>, DbErr> {
    let select = booking::Entity::find().filter(filter);
    newest_first(
        db,
        select,
        (booking::Column::CreatedAt, booking::Column::Id),
        after,
        first,
    )
    .await
}

/// The position of a booking in the newest-first list.
pub fn position(booking: &booking::Model) -> Position {
    Position {
        at: booking.created_at,
        id: booking.id,
    }
}

/// The segments of several bookings in one statement, each booking's in sequence order.
///
/// # Errors
/// When the database fails.
pub async fn segments_of(
    db: &impl ConnectionTrait,
    booking_ids: &[Uuid],
) -> Result<Vec<segment::Model>, DbErr> {
    segment::Entity::find()
        .filter(segment::Column::BookingId.is_in(booking_ids.iter().copied()))
        .order_by_asc(segment::Column::BookingId)
        .order_by_asc(segment::Column::Sequence)
        .all(db)
        .await
}

/// The passengers of several bookings in one statement, each booking's lead first,
/// then in the order they became known.
///
/// # Errors
/// When the database fails.
pub async fn passengers_of(
    db: &impl ConnectionTrait,
    booking_ids: &[Uuid],
) -> Result<Vec<passenger::Model>, DbErr> {
    passenger::Entity::find()
        .filter(passenger::Column::BookingId.is_in(booking_ids.iter().copied()))
        .order_by_asc(passenger::Column::BookingId)
        .order_by_desc(passenger::Column::Lead)
        .order_by_asc(passenger::Column::CreatedAt)
        .order_by_asc(passenger::Column::Id)
        .all(db)
        .await
}

/// A booking with the lists read along with it; `None` for a list not asked for.
pub struct WithLists {
    pub booking: booking::Model,
    pub segments: Option<Vec<segment::Model>>,
    pub passengers: Option<Vec<passenger::Model>>,
}

/// How a single booking is looked up.
#[derive(Clone, Copy, Debug)]
pub enum Lookup<'a> {
    Id(Uuid),
    /// The partner's name and its own booking reference (unique per partner).
    Reference {
        partner: &'a str,
        reference: &'a str,
    },
}

/// One booking with its segments and/or passengers, as [`segments_of`] and
/// [`passengers_of`] order them. On PostgreSQL one statement (the lists aggregated as
/// JSON): a round trip costs the server more than the aggregation, and a landing page's
/// `booking(id)` is the hottest query there is. SQLite runs in-process, where separate
/// statements cost little: the booking, then the lists.
///
/// # Errors
/// When the database fails or a list cannot be decoded.
pub async fn find_with_lists(
    db: &DatabaseConnection,
    lookup: Lookup<'_>,
    segments: bool,
    passengers: bool,
) -> Result<Option<WithLists>, DbErr> {
    if db.get_database_backend() != DatabaseBackend::Postgres {
        let found = match lookup {
            Lookup::Id(id) => find(db, id).await?,
            Lookup::Reference { partner, reference } => {
                find_by_reference(db, partner, reference).await?
            }
        };
        let Some(booking) = found else {
            return Ok(None);
        };
        let ids = [booking.id];
        let (segments, passengers) = tokio::try_join!(
            optional(segments, segments_of(db, &ids)),
            optional(passengers, passengers_of(db, &ids)),
        )?;
        return Ok(Some(WithLists {
            booking,
            segments,
            passengers,
        }));
    }
    // As text, decoded straight into the models without a `serde_json::Value` between.
    const SEGMENTS: &str = "(SELECT coalesce(json_agg(s ORDER BY s.sequence), '[]')::text \
        FROM segment s WHERE s.booking_id = b.id)";
    const PASSENGERS: &str = "(SELECT coalesce(json_agg(p ORDER BY p.lead DESC, p.created_at, \
        p.id), '[]')::text FROM passenger p WHERE p.booking_id = b.id)";
    let (condition, values): (_, Vec<sea_orm::Value>) = match lookup {
        Lookup::Id(id) => ("b.id = $1", vec![id.into()]),
        Lookup::Reference { partner, reference } => (
            // As `find_by_reference`: compared as the unique index compares them.
            "b.partner COLLATE \"C\" = $1 AND b.reference COLLATE \"C\" = $2",
            vec![partner.into(), reference.into()],
        ),
    };
    let sql = format!(
        "SELECT b.*, {} AS segments, {} AS passengers FROM booking b WHERE {condition}",
        if segments { SEGMENTS } else { "NULL::text" },
        if passengers { PASSENGERS } else { "NULL::text" },
    );
    let statement = Statement::from_sql_and_values(DatabaseBackend::Postgres, sql, values);
    let Some(row) = db.query_one_raw(statement).await? else {
        return Ok(None);
    };
    Ok(Some(WithLists {
        booking: booking::Model::from_query_result(&row, "")?,
        segments: json_list(&row, "segments")?,
        passengers: json_list(&row, "passengers")?,
    }))
}

async fn optional<T>(
    wanted: bool,
    load: impl std::future::Future<Output = Result<T, DbErr>>,
) -> Result<Option<T>, DbErr> {
    if wanted {
        load.await.map(Some)
    } else {
        Ok(None)
    }
}

/// A JSON-aggregated list column, decoded into entity models.
fn json_list<T: serde::de::DeserializeOwned>(
    row: &QueryResult,
    column: &str,
) -> Result<Option<Vec<T>>, DbErr> {
    let Some(text) = row.try_get::<Option<String>>("", column)? else {
        return Ok(None);
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| DbErr::Type(format!("decoding the {column} of a booking: {e}")))
}
