//! The PostgreSQL feed: one dedicated connection `LISTEN`s on [`CHANNEL`], where ingest
//! sends `NOTIFY` with the booking id inside each applied delivery's transaction — so a
//! notification arrives exactly when the change is committed, and never for one that
//! was rolled back.
//!
//! The connection is its own (a pool of one with the api pool's options), not one of the
//! api pool's: it stays open for the life of the process. When it drops, notifications
//! sent meanwhile are lost, so after every reconnection each watched booking is
//! announced once ([`super::Hub::publish_all`]) and its subscriptions re-read it.

use std::time::Duration;

use sea_orm::{
    sqlx::{
        self,
        postgres::{PgListener, PgPoolOptions},
    },
    DatabaseConnection,
};
use uuid::Uuid;

use super::{Feed, CHANNEL};

/// Longest wait between two attempts to reconnect.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

pub(super) async fn run(db: DatabaseConnection, mut feed: Feed) {
    let options = db.get_postgres_connection_pool().connect_options();
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .min_connections(0)
        .max_lifetime(None)
        .idle_timeout(None)
        .acquire_timeout(Duration::from_secs(5))
        .connect_lazy_with((*options).clone());
    let mut backoff = Duration::from_millis(100);
    let mut first = true;
    loop {
        let mut listener = tokio::select! {
            listener = listen(&pool) => match listener {
                Ok(listener) => listener,
                Err(err) => {
                    tracing::warn!(error = %err, "live updates: LISTEN failed; retrying");
                    tokio::select! {
                        () = tokio::time::sleep(backoff) => {}
                        () = feed.stopped() => return,
                    }
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    continue;
                }
            },
            () = feed.stopped() => return,
        };
        backoff = Duration::from_millis(100);
        if !first {
            tracing::info!("live updates: listening again; every watched booking is re-read");
            let Some(hub) = feed.hub() else { return };
            hub.publish_all();
        }
        first = false;
        loop {
            let received = tokio::select! {
                received = listener.try_recv() => received,
                () = feed.stopped() => return,
            };
            let Some(hub) = feed.hub() else { return };
            match received {
                Ok(Some(notification)) => match Uuid::parse_str(notification.payload()) {
                    Ok(id) => hub.publish(id),
                    Err(_) => tracing::warn!(
                        payload = notification.payload(),
                        "live updates: a notification that is not a booking id"
                    ),
                },
                // Lost and already reconnected (eagerly): start over, announcing all.
                Ok(None) => {
                    tracing::warn!("live updates: the LISTEN connection dropped");
                    break;
                }
                Err(err) => {
                    tracing::warn!(error = %err, "live updates: the LISTEN connection failed");
                    break;
                }
            }
        }
        drop(listener);
    }
}

async fn listen(pool: &sqlx::PgPool) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}
