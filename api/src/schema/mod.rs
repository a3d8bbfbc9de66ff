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

use crate::loaders::{Loaders, PerRequestLoaders};
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
pub fn build_schema_with(db: DatabaseConnection, documents: documents::DocumentCache) -> ApiSchema {
    build_schema_over(db.clone(), db, documents)
}

/// The primary database, where live updates listen and re-read (a read replica may not
/// hold an announced change yet). Queries read from the plain `DatabaseConnection`.
#[derive(Clone)]
pub struct Primary(pub DatabaseConnection);

/// As [`build_schema_with`], queries reading from `reads` and live updates from
/// `primary` (the same connection unless the api reads from a replica). Complete: any
/// request may run on it as it is (the WebSocket's do).
pub fn build_schema_over(
    reads: DatabaseConnection,
    primary: DatabaseConnection,
    documents: documents::DocumentCache,
) -> ApiSchema {
    core(reads.clone(), primary, documents)
        .extension(nulls::NullOnError)
        .extension(PerRequestLoaders(reads))
        .finish()
}

/// The schema as `POST` and `GET /graphql` run it: requests go through
/// [`HttpSchema::execute`], which gives each its loaders and repairs its response, so
/// that the schema needs two extensions fewer. Every extension of a schema is called
/// around the resolution of every field of every response (async-graphql resolves a
/// field directly only when a schema has none): two fewer made `booking(id)` 5–9 %
/// faster side by side.
#[derive(Clone)]
pub struct HttpSchema {
    schema: ApiSchema,
    reads: DatabaseConnection,
}

impl HttpSchema {
    /// As [`build_schema_over`].
    pub fn over(
        reads: DatabaseConnection,
        primary: DatabaseConnection,
        documents: documents::DocumentCache,
    ) -> Self {
        Self {
            schema: core(reads.clone(), primary, documents).finish(),
            reads,
        }
    }

    /// Runs one request, with its own [`Loaders`] (their cache lives no longer than
    /// the request) and refused fields `null` ([`nulls`]), as the extensions of
    /// [`build_schema_over`] do.
    pub async fn execute(&self, request: async_graphql::Request) -> async_graphql::Response {
        let request = request.data(Loaders::new(&self.reads));
        nulls::repair(self.schema.execute(request).await)
    }
}

/// What every schema has: the document extension (the cache of parsed documents, the
/// limits, the rules on which documents may run).
fn core(
    reads: DatabaseConnection,
    primary: DatabaseConnection,
    documents: documents::DocumentCache,
) -> SchemaBuilder<Query, EmptyMutation, Subscription> {
    builder()
        .extension(documents)
        .data(crate::live::Hub::new(primary.clone()))
        .data(Primary(primary))
        .data(reads)
}

/// The schema as SDL: what `api print-schema` prints and `schema.graphql` holds.
pub fn sdl() -> String {
    builder().finish().sdl()
}

fn builder() -> SchemaBuilder<Query, EmptyMutation, Subscription> {
    Schema::build(Query::default(), EmptyMutation, Subscription)
}
