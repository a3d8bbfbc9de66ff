//! Plumbing shared by `ingest` and `api`: nothing here knows about partners or GraphQL.

pub mod db;
pub mod health;
pub mod http;
pub mod logging;
pub mod metrics;
pub mod secret;
pub mod serve;
pub mod shutdown;

pub use secret::Secret;

/// The embedded default database: a SQLite file under `data/`, created on first use.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/tripgraph.db?mode=rwc";
