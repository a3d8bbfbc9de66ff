//! Upkeep of the counters the api's counts read (`tally`; the migration
//! `m20261202_000002_counts` describes it), in the delivery's own transaction: a
//! delivery collects what it changes in [`Counts`] and writes it just before commit,
//! so the counters move exactly when the rows do.
//!
//! One statement per delivery: an upsert of every key it moves — two for an event row
//! written, three more for a booking created (five with a destination: its trip start
//! day and booked day per destination too), twice as many for a booking whose status,
//! destination, trip start day or booked day changed (old key −1, new key +1). Keys
//! are written sorted, so concurrent deliveries on PostgreSQL lock counter rows in the
//! same order and never deadlock on them.

use std::collections::BTreeMap;

use chrono::{DateTime, SubsecRound, Utc};
use entity::{booking, EventStatus};
use sea_orm::{ActiveEnum, ConnectionTrait, DatabaseBackend, DbErr, Statement, Value};

/// How many rows one PostgreSQL counter key is spread over. A delivery writes the slot
/// of its connection (backend pid modulo this), so deliveries on different connections
/// rarely wait for each other's commit on a hot key (today's applied events of a busy
/// partner); a count sums at most this many rows per key.
const SLOTS: i32 = 8;

/// One counter key: dimension, partner, status, value, name, country (the last two
/// only for destinations).
type Key = (&'static str, String, String, String, String, String);

/// The counter changes of one delivery.
#[derive(Debug)]
pub struct Counts {
    backend: DatabaseBackend,
    keys: BTreeMap<Key, i64>,
}

impl Counts {
    pub fn new(backend: DatabaseBackend) -> Self {
        Self {
            backend,
            keys: BTreeMap::new(),
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
        let code = text(&booking.destination_code);
        let mut keys = vec![
            (
                "destination",
                code.clone(),
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
        // Per destination and day (the code where other day counters have nothing):
        // a destination with a date range is counted from these, not from its rows.
        if !code.is_empty() {
            keys.push((
                "trip_dest",
                self.day(booking.trip_start),
                code.clone(),
                String::new(),
            ));
            keys.push((
                "booked_dest",
                self.day(booking.booked_at),
                code,
                String::new(),
            ));
        }
        for (dimension, value, name, country) in keys {
            let key = (
                dimension,
                booking.partner.clone(),
                status.clone(),
                value,
                name,
                country,
            );
            *self.keys.entry(key).or_default() += delta;
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
            let key = (
                dimension,
                partner.to_owned(),
                status.clone(),
                value,
                String::new(),
                String::new(),
            );
            *self.keys.entry(key).or_default() += delta;
        }
    }

    /// Writes the changes in one upsert (none when no key moved).
    ///
    /// # Errors
    /// When the database fails.
    pub async fn write<C: ConnectionTrait>(self, txn: &C) -> Result<(), DbErr> {
        match self.statement() {
            Some(upsert) => txn.execute_raw(upsert).await.map(drop),
            None => Ok(()),
        }
    }

    /// The one upsert of the changes, `None` when no key moved:
    /// `INSERT … ON CONFLICT … DO UPDATE SET n = n + excluded.n`, keys sorted.
    pub fn statement(self) -> Option<Statement> {
        let postgres = self.backend == DatabaseBackend::Postgres;
        let slot = if postgres {
            format!("pg_backend_pid() % {SLOTS}")
        } else {
            // One writer at a time: nothing to spread.
            "0".to_owned()
        };
        let mut values: Vec<Value> = Vec::new();
        let mut tuples = Vec::new();
        for ((dimension, partner, status, value, name, country), n) in self.keys {
            if n == 0 {
                continue;
            }
            let mut tuple = Vec::with_capacity(8);
            let row: [Value; 7] = [
                dimension.into(),
                partner.into(),
                status.into(),
                value.into(),
                name.into(),
                country.into(),
                n.into(),
            ];
            for value in row {
                values.push(value);
                tuple.push(if postgres {
                    format!("${}", values.len())
                } else {
                    "?".to_owned()
                });
            }
            tuple.insert(6, slot.clone());
            tuples.push(format!("({})", tuple.join(", ")));
        }
        if tuples.is_empty() {
            return None;
        }
        let sql = format!(
            "INSERT INTO tally (dimension, partner, status, value, name, country, slot, n) \
             VALUES {} ON CONFLICT (dimension, partner, status, value, name, country, slot) \
             DO UPDATE SET n = tally.n + excluded.n",
            tuples.join(", ")
        );
        Some(Statement::from_sql_and_values(self.backend, sql, values))
    }
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
            .keys
            .iter()
            .filter(|(_, n)| **n != 0)
            .map(|((dimension, partner, status, ..), _)| {
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
