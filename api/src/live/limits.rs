//! How many subscriptions the api holds (CONTRACT §6 rev. 2, *Bounded work*): per
//! WebSocket connection, per token subject (`sub`), and in total, plus how many
//! WebSocket connections are open at once. Each subscription costs a task's worth of
//! memory and a database read per change, so each bound is checked before one starts;
//! a refusal is a GraphQL error `TOO_MANY_SUBSCRIPTIONS` naming the limit and its setting.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
};

use async_graphql::ErrorExtensions;

use super::lock;

/// The bounds; [`Limits::default`] is what `api serve` uses unless configured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Subscriptions one WebSocket connection may hold (`API_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION`).
    pub per_connection: usize,
    /// Subscriptions all connections of one token subject may hold (`API_WS_MAX_SUBSCRIPTIONS_PER_SUBJECT`).
    pub per_subject: usize,
    /// Subscriptions the process holds in total (`API_WS_MAX_SUBSCRIPTIONS`).
    pub total: usize,
    /// WebSocket connections open at once; beyond, the upgrade is answered 503 (`API_WS_MAX_CONNECTIONS`).
    pub connections: usize,
}

impl Default for Limits {
    /// A landing page needs one subscription and a dashboard a handful; one token
    /// subject is usually one visitor; 20,000 subscriptions is twice the load the api
    /// is sized for (CONTRACT §7: 10,000 within 200 MiB).
    fn default() -> Self {
        Self {
            per_connection: 16,
            per_subject: 1_000,
            total: 20_000,
            connections: 20_000,
        }
    }
}

/// The settings of [`Limits`] (flags, else environment variables, else the defaults).
#[derive(Clone, Debug, clap::Args)]
pub struct LimitsArgs {
    /// Subscriptions one WebSocket connection may hold.
    #[arg(long, env = "API_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION", default_value_t = Limits::default().per_connection, global = true)]
    pub ws_max_subscriptions_per_connection: usize,

    /// Subscriptions all connections of one token subject (`sub`) may hold together.
    #[arg(long, env = "API_WS_MAX_SUBSCRIPTIONS_PER_SUBJECT", default_value_t = Limits::default().per_subject, global = true)]
    pub ws_max_subscriptions_per_subject: usize,

    /// Subscriptions the api holds in total.
    #[arg(long, env = "API_WS_MAX_SUBSCRIPTIONS", default_value_t = Limits::default().total, global = true)]
    pub ws_max_subscriptions: usize,

    /// WebSocket connections open at once; beyond, `GET /graphql/ws` answers 503.
    #[arg(long, env = "API_WS_MAX_CONNECTIONS", default_value_t = Limits::default().connections, global = true)]
    pub ws_max_connections: usize,
}

impl LimitsArgs {
    pub fn limits(&self) -> Limits {
        Limits {
            per_connection: self.ws_max_subscriptions_per_connection,
            per_subject: self.ws_max_subscriptions_per_subject,
            total: self.ws_max_subscriptions,
            connections: self.ws_max_connections,
        }
    }
}

/// The counters behind [`Limits`], shared by every connection of one api.
pub struct Admission {
    limits: Limits,
    total: AtomicUsize,
    by_subject: Mutex<HashMap<String, usize>>,
}

/// The subscriptions of one WebSocket connection, put in its connection data.
#[derive(Clone)]
pub struct Connection {
    admission: Arc<Admission>,
    open: Arc<AtomicUsize>,
}

/// One admitted subscription; dropping it (the subscription ends) frees its places.
pub struct Permit {
    admission: Arc<Admission>,
    open: Arc<AtomicUsize>,
    subject: String,
}

/// Why a subscription was refused. The messages are safe to show to clients.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Refused {
    #[error("this connection already holds {0} subscriptions (the limit, API_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION); complete one first")]
    Connection(usize),
    #[error("this token's subject already holds {0} subscriptions (the limit, API_WS_MAX_SUBSCRIPTIONS_PER_SUBJECT); complete one first")]
    Subject(usize),
    #[error("the api holds {0} subscriptions (the limit, API_WS_MAX_SUBSCRIPTIONS); retry later")]
    Total(usize),
}

impl ErrorExtensions for Refused {
    fn extend(&self) -> async_graphql::Error {
        async_graphql::Error::new(self.to_string())
            .extend_with(|_, ext| ext.set("code", "TOO_MANY_SUBSCRIPTIONS"))
    }
}

impl Admission {
    pub fn new(limits: Limits) -> Arc<Self> {
        Arc::new(Self {
            limits,
            total: AtomicUsize::new(0),
            by_subject: Mutex::new(HashMap::new()),
        })
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The counters of a new connection.
    pub fn connection(self: &Arc<Self>) -> Connection {
        Connection {
            admission: Arc::clone(self),
            open: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// Subscriptions held now.
    pub fn total(&self) -> usize {
        self.total.load(Ordering::Relaxed)
    }
}

impl Connection {
    /// A place for one more subscription of `subject` on this connection.
    ///
    /// # Errors
    /// [`Refused`] naming the first limit reached.
    pub fn admit(&self, subject: Option<&str>) -> Result<Permit, Refused> {
        let admission = &self.admission;
        let limits = &admission.limits;
        let subject = subject.unwrap_or_default().to_owned();
        // Under the subject lock, so that the three checks and increments are one step.
        let mut by_subject = lock(&admission.by_subject);
        if self.open.load(Ordering::Relaxed) >= limits.per_connection {
            return Err(Refused::Connection(limits.per_connection));
        }
        let held = by_subject.get(&subject).copied().unwrap_or_default();
        if held >= limits.per_subject {
            return Err(Refused::Subject(limits.per_subject));
        }
        if admission.total.load(Ordering::Relaxed) >= limits.total {
            return Err(Refused::Total(limits.total));
        }
        *by_subject.entry(subject.clone()).or_default() += 1;
        self.open.fetch_add(1, Ordering::Relaxed);
        let total = admission.total.fetch_add(1, Ordering::Relaxed) + 1;
        metrics::gauge!("tripgraph_subscriptions").set(total as f64);
        Ok(Permit {
            admission: Arc::clone(admission),
            open: Arc::clone(&self.open),
            subject,
        })
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut by_subject = lock(&self.admission.by_subject);
        if let Some(held) = by_subject.get_mut(&self.subject) {
            *held = held.saturating_sub(1);
            if *held == 0 {
                by_subject.remove(&self.subject);
            }
        }
        self.open.fetch_sub(1, Ordering::Relaxed);
        let total = self.admission.total.fetch_sub(1, Ordering::Relaxed) - 1;
        metrics::gauge!("tripgraph_subscriptions").set(total as f64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admission(per_connection: usize, per_subject: usize, total: usize) -> Arc<Admission> {
        Admission::new(Limits {
            per_connection,
            per_subject,
            total,
            connections: 10,
        })
    }

    #[test]
    fn each_limit_refuses_the_next_subscription_and_a_finished_one_frees_its_place() {
        let admission = admission(2, 3, 4);
        let (one, two, three) = (
            admission.connection(),
            admission.connection(),
            admission.connection(),
        );
        let a = one.admit(Some("web")).unwrap();
        let _b = one.admit(Some("web")).unwrap();
        assert_eq!(one.admit(Some("other")).err(), Some(Refused::Connection(2)));
        let _c = two.admit(Some("web")).unwrap();
        assert_eq!(two.admit(Some("web")).err(), Some(Refused::Subject(3)));
        let _d = two.admit(Some("other")).unwrap();
        assert_eq!(three.admit(None).err(), Some(Refused::Total(4)));
        drop(a);
        assert_eq!(admission.total(), 3);
        let _e = one.admit(Some("web")).unwrap();
    }
}
