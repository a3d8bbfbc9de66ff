//! Black-box tests of the api, written as specifications: the real router on an
//! ephemeral port over a fresh, migrated database (SQLite, or PostgreSQL when
//! `TEST_DATABASE_URL` is set), one module per feature.

mod auth;
mod body;
mod documents;
mod fuzz;
mod get;
mod http;
mod limits;
mod loaders;
mod outage;
mod pagination;
mod persisted;
mod roles;
mod schema_file;
mod scoped;
mod support;
mod trusted;
