//! Live updates (CONTRACT §6 rev. 2): which bookings changed, whichever ingest process
//! changed them, fanned out to the subscriptions of each booking.
//!
//! One *feed* per api process learns of committed changes from the database — on
//! PostgreSQL by `LISTEN` ([`postgres`]: ingest sends `NOTIFY` inside the delivery's
//! transaction), on SQLite by polling the archive ([`sqlite`]) — and calls
//! [`Hub::publish`]. Each subscribed booking has one `watch` channel holding a change
//! counter: publishing never waits for a subscriber, and a subscriber that falls behind
//! sees one change for many and re-reads the booking's latest state, so a slow client
//! slows nobody else and never the feed. Only bookings someone watches have a channel.
//!
//! The feed starts with the first subscription and stops when the hub is dropped.
//! [`limits`] bounds how many subscriptions there may be.

pub mod limits;
mod postgres;
mod sqlite;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard, Once, PoisonError, Weak},
};

use sea_orm::{DatabaseBackend, DatabaseConnection};
use tokio::sync::watch;
use uuid::Uuid;

/// The PostgreSQL channel ingest notifies with a booking id (the payload) after each
/// applied delivery.
pub const CHANNEL: &str = "tripgraph_booking_changed";

/// The fan-out of booking changes to subscriptions. Clones share one hub.
#[derive(Clone)]
pub struct Hub(Arc<Inner>);

struct Inner {
    db: DatabaseConnection,
    watched: Mutex<HashMap<Uuid, watch::Sender<u64>>>,
    feed: Once,
    /// Dropped with the hub: the feed task sees its receiver closed and ends.
    alive: watch::Sender<()>,
}

impl Hub {
    /// A hub over `db`; its feed starts with the first [`Hub::watch`].
    pub fn new(db: DatabaseConnection) -> Self {
        Self(Arc::new(Inner {
            db,
            watched: Mutex::new(HashMap::new()),
            feed: Once::new(),
            alive: watch::channel(()).0,
        }))
    }

    /// The changes of booking `id` from now on, until the returned value is dropped.
    pub fn watch(&self, id: Uuid) -> Changes {
        self.0.feed.call_once(|| self.start_feed());
        let receiver = lock(&self.0.watched)
            .entry(id)
            .or_insert_with(|| watch::channel(0).0)
            .subscribe();
        Changes {
            hub: Arc::downgrade(&self.0),
            id,
            receiver: Some(receiver),
        }
    }

    /// Announces a committed change of booking `id` to its subscriptions, if any.
    pub fn publish(&self, id: Uuid) {
        if let Some(sender) = lock(&self.0.watched).get(&id) {
            sender.send_modify(|version| *version = version.wrapping_add(1));
        }
    }

    /// Announces a change of every watched booking: after the feed lost track (a
    /// dropped connection), each subscription re-reads its booking rather than miss one.
    pub fn publish_all(&self) {
        for sender in lock(&self.0.watched).values() {
            sender.send_modify(|version| *version = version.wrapping_add(1));
        }
    }

    /// How many bookings have at least one subscription.
    pub fn watched(&self) -> usize {
        lock(&self.0.watched).len()
    }

    fn start_feed(&self) {
        let feed = Feed {
            hub: Arc::downgrade(&self.0),
            alive: self.0.alive.subscribe(),
        };
        let db = self.0.db.clone();
        match db.get_database_backend() {
            DatabaseBackend::Postgres => {
                tokio::spawn(postgres::run(db, feed));
            }
            _ => {
                tokio::spawn(sqlite::run(db, feed));
            }
        }
    }
}

/// What a feed task holds: a way to publish while the hub lives, and a signal once it
/// is gone.
struct Feed {
    hub: Weak<Inner>,
    alive: watch::Receiver<()>,
}

impl Feed {
    /// The hub, or `None` once it was dropped (the feed should end).
    fn hub(&self) -> Option<Hub> {
        self.hub.upgrade().map(Hub)
    }

    /// Resolves when the hub is dropped.
    async fn stopped(&mut self) {
        while self.alive.changed().await.is_ok() {}
    }
}

/// The changes of one booking for one subscription.
pub struct Changes {
    hub: Weak<Inner>,
    id: Uuid,
    receiver: Option<watch::Receiver<u64>>,
}

impl Changes {
    /// Waits for the next change; several changes since the last call count as one.
    /// `None` once the hub is gone.
    pub async fn next(&mut self) -> Option<()> {
        self.receiver.as_mut()?.changed().await.ok()
    }
}

impl Drop for Changes {
    /// The last subscription of a booking removes its channel.
    fn drop(&mut self) {
        drop(self.receiver.take());
        if let Some(hub) = self.hub.upgrade() {
            let mut watched = lock(&hub.watched);
            if watched
                .get(&self.id)
                .is_some_and(|sender| sender.receiver_count() == 0)
            {
                watched.remove(&self.id);
            }
        }
    }
}

/// A panic elsewhere cannot leave the map half-updated in a way that matters.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    async fn hub() -> Hub {
        Hub::new(sea_orm::Database::connect("sqlite::memory:").await.unwrap())
    }

    #[tokio::test]
    async fn a_change_reaches_the_watchers_of_that_booking_only() {
        let hub = hub().await;
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let (mut first, mut second, mut other) = (hub.watch(a), hub.watch(a), hub.watch(b));
        hub.publish(a);
        first.next().await.unwrap();
        second.next().await.unwrap();
        let waited = tokio::time::timeout(Duration::from_millis(50), other.next()).await;
        assert!(waited.is_err(), "booking b did not change");
    }

    #[tokio::test]
    async fn many_changes_for_a_slow_watcher_count_as_one_and_channels_go_with_their_watchers() {
        let hub = hub().await;
        let id = Uuid::now_v7();
        let mut slow = hub.watch(id);
        for _ in 0..1_000 {
            hub.publish(id);
        }
        slow.next().await.unwrap();
        let again = tokio::time::timeout(Duration::from_millis(50), slow.next()).await;
        assert!(again.is_err(), "one wake-up for the whole burst");
        assert_eq!(hub.watched(), 1);
        drop(slow);
        assert_eq!(hub.watched(), 0);
    }
}
