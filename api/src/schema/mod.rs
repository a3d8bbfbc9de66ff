//! The GraphQL schema of CONTRACT §6, built from a database connection alone so that
//! tests and `api print-schema` use it without HTTP.
//!
//! Who may read what is decided by field guards ([`guard`]) from the [`Principal`]
//! the HTTP layer adds to each request.
//!
//! [`Principal`]: crate::auth::Principal

pub mod booking;
pub mod connection;
pub mod documents;
pub mod enums;
pub mod event;
pub mod filters;
pub mod guard;
pub mod introspection;
pub mod limits;
pub mod nulls;
pub mod persisted;
pub mod query;
pub mod scalars;
pub mod subscription;
pub mod trip;
pub mod trusted;

use async_graphql::{EmptyMutation, Schema, SchemaBuilder};
use sea_orm::DatabaseConnection;

use crate::loaders::PerRequestLoaders;
pub use query::Query;
pub use subscription::Subscription;

/// The executable schema.
pub type ApiSchema = Schema<Query, EmptyMutation, Subscription>;

/// The schema over `db`, with per-request DataLoaders, query limits and a cache of
/// parsed documents.
pub fn build_schema(db: DatabaseConnection) -> ApiSchema {
    build_schema_with(db, documents::DocumentCache::new())
}

/// As [`build_schema`], keeping parsed documents in `documents`.
///
/// The order of the extensions matters: the document cache comes first, so that a kept
/// document skips parsing, and the limits next, as they parse the query themselves
/// (within the limits) instead of handing it on.
pub fn build_schema_with(db: DatabaseConnection, documents: documents::DocumentCache) -> ApiSchema {
    build_schema_over(db.clone(), db, documents)
}

/// The primary database, where live updates listen and re-read (a read replica may not
/// hold an announced change yet). Queries read from the plain `DatabaseConnection`.
#[derive(Clone)]
pub struct Primary(pub DatabaseConnection);

/// As [`build_schema_with`], queries reading from `reads` and live updates from
/// `primary` (the same connection unless the api reads from a replica).
pub fn build_schema_over(
    reads: DatabaseConnection,
    primary: DatabaseConnection,
    documents: documents::DocumentCache,
) -> ApiSchema {
    builder()
        .extension(documents)
        .extension(limits::QueryLimits)
        .extension(introspection::LandingIntrospection)
        .extension(nulls::NullOnError)
        .extension(PerRequestLoaders(reads.clone()))
        .data(crate::live::Hub::new(primary.clone()))
        .data(Primary(primary))
        .data(reads)
        .finish()
}

/// The schema as SDL: what `api print-schema` prints and `schema.graphql` holds.
pub fn sdl() -> String {
    builder().finish().sdl()
}

fn builder() -> SchemaBuilder<Query, EmptyMutation, Subscription> {
    Schema::build(Query::default(), EmptyMutation, Subscription)
}
