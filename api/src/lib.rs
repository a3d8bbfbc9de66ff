//! The GraphQL API over bookings and the event archive (CONTRACT §6).
//!
//! The schema ([`build_schema`]) needs nothing but a database connection, so tests and
//! `api print-schema` use it without HTTP. [`router`] puts it behind bearer-token
//! authentication, request limits, CORS and the offline GraphiQL page.

pub mod assets;
pub mod auth;
pub mod commands;
pub mod config;
pub mod error;
pub mod http;
pub mod live;
pub mod loaders;
pub mod schema;
pub mod store;
pub mod ws;

pub use error::ApiError;
pub use http::{router, AppState, HttpOptions};
pub use schema::{build_schema, ApiSchema};
