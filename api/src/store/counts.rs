//! The filters of the analyst lists as criteria, and their counts: `totalCount`, the
//! counts by status and by destination, the partners.
//!
//! Counts read the counters ingest keeps in each delivery's transaction (`tally`,
//! described by the migration that creates it)
//! wherever a filter is made of what they are keyed by; the other combinations count
//! the rows through an index that bounds the scan. Which is which:
//!
//! | filter                                              | counted from                      |
//! |-----------------------------------------------------|-----------------------------------|
//! | bookings: partner, status, destination (any of)     | `destination` counters            |
//! | bookings: one date range (+ partner, status)        | day counters for the whole days,  |
//! |                                                     | the rows of the two edge days     |
//! | bookings: a date range with a destination           | destination × day counters for    |
//! |                                                     | the whole days, edge days' rows   |
//! | bookings: both ranges                               | the rows (index on a date)        |
//! | events: partner, status, type (any of)              | `type` counters                   |
//! | events: received range (+ partner, status)          | day counters + the edge days      |
//! | events: bookingId, or type with a received range    | the rows (index on booking or type)|
//!
//! Every answer equals counting the rows: a counter moves in the same transaction as
//! the row it counts.

use std::collections::BTreeMap;

use chrono::{DateTime, Days, NaiveTime, Utc};
use entity::{booking, event, BookingStatus, EventStatus};
use sea_orm::{
    ActiveEnum, ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QuerySelect, Statement, Value,
};
use uuid::Uuid;

use super::stats::DestinationCount;

/// A time range, both ends included; an absent end is open.
#[derive(Debug, Clone, Copy, Default)]
pub struct Span {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

impl Span {
    pub(crate) fn is_set(&self) -> bool {
        self.from.is_some() || self.to.is_some()
    }

    fn condition<C: ColumnTrait>(&self, column: C) -> Condition {
        Condition::all()
            .add_option(self.from.map(|from| column.gte(from)))
            .add_option(self.to.map(|to| column.lte(to)))
    }
}

/// What a bookings filter asks for; absent fields match everything.
#[derive(Debug, Clone, Default)]
pub struct BookingCriteria {
    pub partner: Option<String>,
    pub status: Option<BookingStatus>,
    /// A destination code as stored (upper case).
    pub destination: Option<String>,
    pub trip_start: Span,
    pub booked: Span,
}

/// What an events filter asks for; absent fields match everything.
#[derive(Debug, Clone, Default)]
pub struct EventCriteria {
    pub partner: Option<String>,
    pub status: Option<EventStatus>,
    pub event_type: Option<String>,
    pub booking_id: Option<Uuid>,
    pub received: Span,
}

impl BookingCriteria {
    /// The SQL condition on `booking`.
    pub fn condition(&self) -> Condition {
        use booking::Column;
        Condition::all()
            .add_option(self.partner.clone().map(|p| Column::Partner.eq(p)))
            .add_option(self.status.map(|s| Column::Status.eq(s)))
            .add_option(
                self.destination
                    .clone()
                    .map(|d| Column::DestinationCode.eq(d)),
            )
            .add(self.trip_start.condition(Column::TripStart))
            .add(self.booked.condition(Column::BookedAt))
    }

    /// How this filter is counted (see the table at the top).
    fn plan(&self) -> Plan {
        // An empty code would read the counter of bookings without a destination.
        let destination = self.destination.is_some();
        if self.destination.as_deref() == Some("") {
            return Plan::Rows;
        }
        match (destination, self.trip_start.is_set(), self.booked.is_set()) {
            (_, false, false) => Plan::Totals,
            (false, true, false) => Plan::Days("trip_start", "trip_start", self.trip_start),
            (false, false, true) => Plan::Days("booked", "booked_at", self.booked),
            // The code is in `name` there (`m20261204_000001_destination_days`).
            (true, true, false) => Plan::Days("trip_dest", "trip_start", self.trip_start),
            (true, false, true) => Plan::Days("booked_dest", "booked_at", self.booked),
            _ => Plan::Rows,
        }
    }
}

impl EventCriteria {
    /// The SQL condition on `event`.
    pub fn condition(&self) -> Condition {
        use event::Column;
        Condition::all()
            .add_option(self.partner.clone().map(|p| Column::Partner.eq(p)))
            .add_option(self.status.map(|s| Column::Status.eq(s)))
            .add_option(self.event_type.clone().map(|t| Column::EventType.eq(t)))
            .add_option(self.booking_id.map(|id| Column::BookingId.eq(id)))
            .add(self.received.condition(Column::ReceivedAt))
    }

    fn plan(&self) -> Plan {
        match (
            self.booking_id.is_some(),
            self.event_type.is_some(),
            self.received.is_set(),
        ) {
            (true, _, _) | (false, true, true) => Plan::Rows,
            (false, false, true) => Plan::Days("received", "received_at", self.received),
            (false, _, false) => Plan::Totals,
        }
    }
}

/// How a count is answered.
#[derive(Debug, Clone, Copy)]
enum Plan {
    /// From the counters keyed without days.
    Totals,
    /// From the day counters of a dimension (and its date column) over a range.
    Days(&'static str, &'static str, Span),
    /// From the rows.
    Rows,
}

/// A statement being written, with its parameters in the backend's placeholder style.
struct Sql {
    backend: DatabaseBackend,
    text: String,
    values: Vec<Value>,
}

impl Sql {
    fn new(backend: DatabaseBackend) -> Self {
        Self {
            backend,
            text: String::new(),
            values: Vec::new(),
        }
    }

    /// The placeholder of a new parameter.
    fn param(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        match self.backend {
            DatabaseBackend::Postgres => format!("${}", self.values.len()),
            _ => "?".to_owned(),
        }
    }

    /// ` AND column = ?` for each given equality.
    fn equalities(&mut self, pairs: &[(&str, Option<String>)]) -> String {
        let mut text = String::new();
        for (column, value) in pairs {
            if let Some(value) = value {
                let p = self.param(value.clone());
                text.push_str(&format!(" AND {column} = {p}"));
            }
        }
        text
    }

    fn statement(self) -> Statement {
        Statement::from_sql_and_values(self.backend, self.text, self.values)
    }
}

/// Midnight (UTC) starting `day`.
fn midnight(day: chrono::NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc()
}

/// A range cut into whole UTC days (read from the day counters) and the parts of the
/// edge days (counted from the rows).
pub(crate) struct DaySplit {
    /// The first and last whole day, `YYYY-MM-DD`; `None` for an open end.
    pub(crate) whole: Option<(Option<String>, Option<String>)>,
    pub(crate) edges: Vec<Edge>,
}

/// Rows to count, from `from` (included) to `to`, included or not.
#[derive(Debug, PartialEq)]
pub(crate) struct Edge {
    pub(crate) from: Option<DateTime<Utc>>,
    pub(crate) to: Option<DateTime<Utc>>,
    pub(crate) to_included: bool,
}

impl Edge {
    /// `column` within the edge.
    pub(crate) fn condition(&self, column: impl ColumnTrait) -> Condition {
        Condition::all()
            .add_option(self.from.map(|from| column.gte(from)))
            .add_option(self.to.map(|to| {
                if self.to_included {
                    column.lte(to)
                } else {
                    column.lt(to)
                }
            }))
    }
}

pub(crate) fn split(span: Span) -> DaySplit {
    let first = span.from.map(|from| {
        let day = from.date_naive();
        if midnight(day) == from {
            day
        } else {
            day + Days::new(1)
        }
    });
    // The day of `to` is an edge day unless `to` ends it, which an instant cannot
    // quite: it is always counted from its rows.
    let last = span.to.map(|to| to.date_naive() - Days::new(1));
    if let (Some(first), Some(last)) = (first, last) {
        if first > last {
            // Under two days: the rows alone.
            return DaySplit {
                whole: None,
                edges: vec![Edge {
                    from: span.from,
                    to: span.to,
                    to_included: true,
                }],
            };
        }
    }
    let mut edges = Vec::new();
    if let (Some(from), Some(first)) = (span.from, first) {
        if from < midnight(first) {
            edges.push(Edge {
                from: Some(from),
                to: Some(midnight(first)),
                to_included: false,
            });
        }
    }
    if let (Some(to), Some(last)) = (span.to, last) {
        edges.push(Edge {
            from: Some(midnight(last + Days::new(1))),
            to: Some(to),
            to_included: true,
        });
    }
    let text = |day: chrono::NaiveDate| day.format("%Y-%m-%d").to_string();
    DaySplit {
        whole: Some((first.map(text), last.map(text))),
        edges,
    }
}

/// The statement summing counters of `table` and counting rows of `rows_table`, per
/// status: `SELECT status, n` parts joined by `UNION ALL`, to add up per status.
fn status_counts_sql(
    backend: DatabaseBackend,
    (table, dimension, equalities): (&str, &str, &[(&str, Option<String>)]),
    (rows_table, rows_equalities): (&str, &[(&str, Option<String>)]),
    plan: Plan,
) -> Statement {
    let mut sql = Sql::new(backend);
    let mut parts = Vec::new();
    let (dimension, days) = match plan {
        Plan::Days(dimension, column, span) => (dimension, Some((column, split(span)))),
        _ => (dimension, None),
    };
    let whole = days
        .as_ref()
        .map_or(Some((None, None)), |(_, s)| s.whole.clone());
    if let Some((first, last)) = whole {
        let d = sql.param(dimension);
        let mut text = format!(
            "SELECT status, CAST(SUM(n) AS BIGINT) AS n FROM {table} WHERE dimension = {d}"
        );
        text.push_str(&sql.equalities(equalities));
        if days.is_some() {
            // The day counters of rows without the date never match a range.
            text.push_str(" AND value <> ''");
            if let Some(first) = first {
                text.push_str(&format!(" AND value >= {}", sql.param(first)));
            }
            if let Some(last) = last {
                text.push_str(&format!(" AND value <= {}", sql.param(last)));
            }
        }
        text.push_str(" GROUP BY status");
        parts.push(text);
    }
    if let Some((column, split)) = &days {
        for Edge {
            from,
            to,
            to_included,
        } in &split.edges
        {
            let mut text = format!("SELECT status, COUNT(*) AS n FROM {rows_table} WHERE 1 = 1");
            text.push_str(&sql.equalities(rows_equalities));
            if let Some(from) = from {
                text.push_str(&format!(" AND {column} >= {}", sql.param(*from)));
            }
            if let Some(to) = to {
                let op = if *to_included { "<=" } else { "<" };
                text.push_str(&format!(" AND {column} {op} {}", sql.param(*to)));
            }
            text.push_str(" GROUP BY status");
            parts.push(text);
        }
    }
    sql.text = parts.join(" UNION ALL ");
    sql.statement()
}

/// Runs [`status_counts_sql`] and adds up the parts per status; statuses with no
/// rows are left out.
async fn status_counts(
    db: &impl ConnectionTrait,
    statement: Statement,
) -> Result<BTreeMap<String, i64>, DbErr> {
    let mut counts = BTreeMap::<String, i64>::new();
    for row in db.query_all_raw(statement).await? {
        let status: String = row.try_get("", "status")?;
        let n: i64 = row.try_get("", "n")?;
        *counts.entry(status).or_default() += n;
    }
    counts.retain(|_, n| *n != 0);
    Ok(counts)
}

fn booking_equalities(criteria: &BookingCriteria) -> [(&'static str, Option<String>); 3] {
    [
        ("partner", criteria.partner.clone()),
        ("status", criteria.status.as_ref().map(ActiveEnum::to_value)),
        ("value", criteria.destination.clone()),
    ]
}

/// How many bookings match, per status (statuses with none left out), as stored.
async fn bookings_per_status(
    db: &impl ConnectionTrait,
    criteria: &BookingCriteria,
) -> Result<BTreeMap<String, i64>, DbErr> {
    let plan = criteria.plan();
    if let Plan::Rows = plan {
        let rows: Vec<(String, i64)> = booking::Entity::find()
            .select_only()
            .column(booking::Column::Status)
            .column_as(booking::Column::Id.count(), "count")
            .filter(criteria.condition())
            .group_by(booking::Column::Status)
            .into_tuple()
            .all(db)
            .await?;
        return Ok(rows.into_iter().collect());
    }
    let [partner, status, destination] = booking_equalities(criteria);
    // The destination is the `value` of the destination counters and the `name` of the
    // destination day counters; the rows of the edge days have it in `destination_code`.
    let code = destination.1;
    let (counters, rows) = match plan {
        Plan::Days(..) => (
            vec![partner.clone(), status.clone(), ("name", code.clone())],
            vec![partner, status, ("destination_code", code)],
        ),
        _ => (vec![partner, status, ("value", code)], Vec::new()),
    };
    let statement = status_counts_sql(
        db.get_database_backend(),
        ("tally", "destination", &counters),
        ("booking", &rows),
        plan,
    );
    status_counts(db, statement).await
}

/// How many bookings match.
///
/// # Errors
/// When the database fails.
pub async fn bookings(db: &impl ConnectionTrait, criteria: &BookingCriteria) -> Result<u64, DbErr> {
    if let Plan::Rows = criteria.plan() {
        return booking::Entity::find()
            .filter(criteria.condition())
            .count(db)
            .await;
    }
    let counts = bookings_per_status(db, criteria).await?;
    Ok(counts
        .values()
        .map(|n| u64::try_from(*n).unwrap_or(0))
        .sum())
}

/// How many bookings match in each status, largest first.
///
/// # Errors
/// When the database fails or holds a status this build does not know.
pub async fn bookings_by_status(
    db: &impl ConnectionTrait,
    criteria: &BookingCriteria,
) -> Result<Vec<(BookingStatus, i64)>, DbErr> {
    let mut counts = bookings_per_status(db, criteria)
        .await?
        .into_iter()
        .map(|(status, n)| {
            BookingStatus::try_from_value(&status)
                .map(|status| (status, n))
                .map_err(|_| DbErr::Type(format!("unknown booking status {status:?}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    counts.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
    Ok(counts)
}

/// How many bookings match per destination airport, largest first, at most `first`.
///
/// # Errors
/// When the database fails.
pub async fn bookings_by_destination(
    db: &impl ConnectionTrait,
    criteria: &BookingCriteria,
    first: usize,
) -> Result<Vec<DestinationCount>, DbErr> {
    let mut counts = match criteria.plan() {
        Plan::Totals => destination_counters(db, criteria).await?,
        _ => super::stats::bookings_by_destination(db, criteria.condition()).await?,
    };
    counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.code.cmp(&b.code)));
    counts.truncate(first);
    Ok(counts)
}

/// The destination counters, per code: a code's name and country are the greatest
/// among its bookings, as `max` over the rows would have them.
async fn destination_counters(
    db: &impl ConnectionTrait,
    criteria: &BookingCriteria,
) -> Result<Vec<DestinationCount>, DbErr> {
    let mut sql = Sql::new(db.get_database_backend());
    let equalities = sql.equalities(&booking_equalities(criteria));
    sql.text = format!(
        "SELECT value, MAX(name) AS name, MAX(country) AS country, \
           CAST(SUM(n) AS BIGINT) AS n FROM (\
           SELECT value, name, country, SUM(n) AS n FROM tally \
           WHERE dimension = 'destination'{equalities} \
           GROUP BY value, name, country HAVING SUM(n) <> 0) AS places \
         GROUP BY value"
    );
    let present = |text: String| (!text.is_empty()).then_some(text);
    db.query_all_raw(sql.statement())
        .await?
        .into_iter()
        .map(|row| {
            Ok(DestinationCount {
                code: present(row.try_get("", "value")?),
                name: present(row.try_get("", "name")?),
                country: present(row.try_get("", "country")?),
                count: row.try_get("", "n")?,
            })
        })
        .collect()
}

/// How many events match.
///
/// # Errors
/// When the database fails.
pub async fn events(db: &impl ConnectionTrait, criteria: &EventCriteria) -> Result<u64, DbErr> {
    let plan = criteria.plan();
    if let Plan::Rows = plan {
        return event::Entity::find()
            .filter(criteria.condition())
            .count(db)
            .await;
    }
    let mut equalities = vec![
        ("partner", criteria.partner.clone()),
        ("status", criteria.status.map(|s| s.to_value())),
    ];
    if let Plan::Totals = plan {
        equalities.push(("value", criteria.event_type.clone()));
    }
    let statement = status_counts_sql(
        db.get_database_backend(),
        ("tally", "type", &equalities),
        ("event", &equalities[..2]),
        plan,
    );
    let counts = status_counts(db, statement).await?;
    Ok(counts
        .values()
        .map(|n| u64::try_from(*n).unwrap_or(0))
        .sum())
}

/// Every partner with a booking or an archived event, sorted.
///
/// # Errors
/// When the database fails.
pub async fn partners(db: &impl ConnectionTrait) -> Result<Vec<String>, DbErr> {
    let statement = Statement::from_string(
        db.get_database_backend(),
        "SELECT DISTINCT partner FROM (SELECT partner FROM tally \
           WHERE dimension IN ('destination', 'type') \
           GROUP BY dimension, partner HAVING SUM(n) <> 0) AS counted \
         ORDER BY partner",
    );
    db.query_all_raw(statement)
        .await?
        .into_iter()
        .map(|row| row.try_get("", "partner"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
    }

    #[test]
    fn a_range_is_whole_days_between_two_partial_edge_days() {
        let s = split(Span {
            from: Some(at(2026, 3, 5, 10)),
            to: Some(at(2026, 3, 10, 12)),
        });
        assert_eq!(
            s.whole,
            Some((Some("2026-03-06".into()), Some("2026-03-09".into())))
        );
        assert_eq!(
            s.edges,
            vec![
                Edge {
                    from: Some(at(2026, 3, 5, 10)),
                    to: Some(at(2026, 3, 6, 0)),
                    to_included: false,
                },
                Edge {
                    from: Some(at(2026, 3, 10, 0)),
                    to: Some(at(2026, 3, 10, 12)),
                    to_included: true,
                },
            ]
        );
        // From midnight: the first day is whole.
        let s = split(Span {
            from: Some(at(2026, 3, 5, 0)),
            to: None,
        });
        assert_eq!(s.whole, Some((Some("2026-03-05".into()), None)));
        assert!(s.edges.is_empty());
        // Within a day or across one midnight: rows only.
        let s = split(Span {
            from: Some(at(2026, 3, 5, 10)),
            to: Some(at(2026, 3, 6, 9)),
        });
        assert_eq!(s.whole, None);
        assert_eq!(s.edges.len(), 1);
    }
}
