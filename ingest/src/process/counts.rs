//! Upkeep of the counters the api's counts read (`booking_tally`, `event_tally`; the
//! migration `m20261202_000002_counts` describes them), in the delivery's own
//! transaction: a delivery collects what it changes in [`Counts`] and writes it just
//! before commit, so the counters move exactly when the rows do.
//!
//! At most one statement per table, and only for a table whose counters change: a new
//! event row is one upsert into `event_tally`; a new booking, or a booking whose
//! status, destination, trip start day or booked day changed, adds one into
//! `booking_tally`. Rows are written in one fixed order (booking counters before event
//! counters, each sorted by key), so concurrent deliveries on PostgreSQL lock counter
//! rows in the same order and never deadlock on them.

use std::collections::BTreeMap;

use chrono::{DateTime, SubsecRound, Utc};
use entity::{booking, EventStatus};
use sea_orm::{ActiveEnum, ConnectionTrait, DatabaseBackend, DbErr, Statement, Value};

/// How many rows one PostgreSQL counter key is spread over. A delivery writes the slot
/// of its connection (backend pid modulo this), so deliveries on different connections
/// rarely wait for each other's commit on a hot key (today's applied events of a busy
/// partner); a count sums at most this many rows per key.
const SLOTS: i32 = 8;

/// One `booking_tally` key: dimension, partner, status, value, name, country.
type BookingKey = (&'static str, String, String, String, String, String);
/// One `event_tally` key: dimension, partner, status, value.
type EventKey = (&'static str, String, String, String);

/// The counter changes of one delivery.
#[derive(Debug)]
pub struct Counts {
    backend: DatabaseBackend,
    bookings: BTreeMap<BookingKey, i64>,
    events: BTreeMap<EventKey, i64>,
}

impl Counts {
    pub fn new(backend: DatabaseBackend) -> Self {
        Self {
            backend,
            bookings: BTreeMap::new(),
            events: BTreeMap::new(),
        }
    }

    /// The UTC day of a timestamp as stored, `YYYY-MM-DD`, `''` when absent; the
    /// migration computes the same in SQL when it rebuilds the counters. PostgreSQL
    /// stores microseconds, rounding: an instant a hair before midnight is stored as
    /// midnight, on the next day.
    fn day(&self, at: Option<DateTime<Utc>>) -> String {
        let stored = |at: DateTime<Utc>| match self.backend {
            DatabaseBackend::Postgres => at.round_subsecs(6),
            _ => at,
        };
        at.map(|at| stored(at).format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    }

    /// Counts `booking` in (`delta` = 1) or out (-1) of every booking counter.
    pub fn booking(&mut self, booking: &booking::Model, delta: i64) {
        let status = booking.status.to_value();
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        let keys = [
            (
                "destination",
                text(&booking.destination_code),
                text(&booking.destination_name),
                text(&booking.destination_country),
            ),
            (
                "trip_start",
                self.day(booking.trip_start),
                String::new(),
                String::new(),
            ),
            (
                "booked",
                self.day(booking.booked_at),
                String::new(),
                String::new(),
            ),
        ];
        for (dimension, value, name, country) in keys {
            let key = (
                dimension,
                booking.partner.clone(),
                status.clone(),
                value,
                name,
                country,
            );
            *self.bookings.entry(key).or_default() += delta;
        }
    }

    /// A stored booking that changed from `before` to `after`.
    pub fn booking_changed(&mut self, before: &booking::Model, after: &booking::Model) {
        self.booking(before, -1);
        self.booking(after, 1);
    }

    /// Counts an event row in (`delta` = 1) or out (-1) of every event counter.
    pub fn event(
        &mut self,
        partner: &str,
        status: EventStatus,
        event_type: &str,
        received_at: DateTime<Utc>,
        delta: i64,
    ) {
        let status = status.to_value();
        for (dimension, value) in [
            ("type", event_type.to_owned()),
            ("received", self.day(Some(received_at))),
        ] {
            let key = (dimension, partner.to_owned(), status.clone(), value);
            *self.events.entry(key).or_default() += delta;
        }
    }

    /// Writes the changes: one upsert per table that has any.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn write<C: ConnectionTrait>(self, txn: &C) -> Result<(), DbErr> {
        let backend = self.backend;
        let bookings = self.bookings.into_iter().filter(|(_, n)| *n != 0).map(
            |((dimension, partner, status, value, name, country), n)| {
                (
                    vec![
                        dimension.into(),
                        partner.into(),
                        status.into(),
                        value.into(),
                        name.into(),
                        country.into(),
                    ],
                    n,
                )
            },
        );
        let bookings = upsert(
            backend,
            "booking_tally",
            &["dimension", "partner", "status", "value", "name", "country"],
            bookings,
        );
        let events = self.events.into_iter().filter(|(_, n)| *n != 0).map(
            |((dimension, partner, status, value), n)| {
                (
                    vec![
                        dimension.into(),
                        partner.into(),
                        status.into(),
                        value.into(),
                    ],
                    n,
                )
            },
        );
        let events = upsert(
            backend,
            "event_tally",
            &["dimension", "partner", "status", "value"],
            events,
        );
        for statement in [bookings, events].into_iter().flatten() {
            txn.execute_raw(statement).await?;
        }
        Ok(())
    }
}

/// `INSERT … ON CONFLICT … DO UPDATE SET n = n + excluded.n` of `rows` (key values and
/// the change), in the order given; `None` when there are none.
fn upsert(
    backend: DatabaseBackend,
    table: &str,
    key: &[&str],
    rows: impl Iterator<Item = (Vec<Value>, i64)>,
) -> Option<Statement> {
    let slot = match backend {
        DatabaseBackend::Postgres => format!("pg_backend_pid() % {SLOTS}"),
        // One writer at a time: nothing to spread.
        _ => "0".to_owned(),
    };
    let mut values: Vec<Value> = Vec::new();
    let mut tuples = Vec::new();
    for (key_values, n) in rows {
        let mut tuple = Vec::with_capacity(key.len() + 2);
        for value in key_values.into_iter().chain([n.into()]) {
            values.push(value);
            tuple.push(match backend {
                DatabaseBackend::Postgres => format!("${}", values.len()),
                _ => "?".to_owned(),
            });
        }
        tuple.insert(key.len(), slot.clone());
        tuples.push(format!("({})", tuple.join(", ")));
    }
    if tuples.is_empty() {
        return None;
    }
    let columns = key.join(", ");
    let sql = format!(
        "INSERT INTO {table} ({columns}, slot, n) VALUES {} \
         ON CONFLICT ({columns}, slot) DO UPDATE SET n = {table}.n + excluded.n",
        tuples.join(", ")
    );
    Some(Statement::from_sql_and_values(backend, sql, values))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_that_moves_no_key_writes_nothing_and_keys_come_sorted() {
        let mut counts = Counts::new(DatabaseBackend::Sqlite);
        let at = Utc::now();
        counts.event("b", EventStatus::Failed, "x", at, -1);
        counts.event("b", EventStatus::Failed, "x", at, 1);
        counts.event("b", EventStatus::Applied, "x", at, 1);
        counts.event("a", EventStatus::Applied, "x", at, 1);
        let keys: Vec<_> = counts
            .events
            .iter()
            .filter(|(_, n)| **n != 0)
            .map(|((dimension, partner, status, _), _)| {
                (*dimension, partner.as_str(), status.as_str())
            })
            .collect();
        assert_eq!(
            keys,
            [
                ("received", "a", "applied"),
                ("received", "b", "applied"),
                ("type", "a", "applied"),
                ("type", "b", "applied"),
            ]
        );
    }
}
