//! SeaORM entities shared by `ingest` (which writes them) and `api` (which reads them).
//!
//! Status and kind columns are short strings in the database, mapped to Rust enums
//! here, so that both SQLite and PostgreSQL store them the same way.

pub mod booking;
pub mod event;
pub mod passenger;
mod place;
pub mod segment;
pub mod types;

pub use place::Place;
pub use types::{BookingStatus, EventStatus, PassengerType, SegmentKind, SegmentStatus};
