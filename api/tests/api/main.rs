//! Black-box tests of the api, written as specifications: the real router on an
//! ephemeral port over a fresh, migrated database (SQLite, or PostgreSQL when
//! `TEST_DATABASE_URL` is set), one module per feature.

mod auth;
mod body;
mod documents;
mod fuzz;
mod http;
mod limits;
mod loaders;
mod outage;
mod pagination;
mod roles;
mod schema_file;
mod support;
