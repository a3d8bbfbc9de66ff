//! The webhook receiver: partner registry and authentication, the five partner
//! adapters, and the processing rules that turn deliveries into bookings.

pub mod adapters;
pub mod airports;
pub mod canonical;
pub mod validate;
