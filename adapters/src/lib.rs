//! The adapter kit: the canonical change ([`canonical`]), the validated values
//! ([`validate`]), airport enrichment ([`airports`]) and every built-in adapter.
//!
//! One partner format, one file. Each adapter is a pure function from the request
//! (topic and JSON body) to a [`Delivery`]; no database, no HTTP — this crate depends
//! on neither, which its `Cargo.toml` shows.

pub mod adapter;
pub mod airports;
pub mod cancellation;
pub mod canonical;
mod kinds;
pub mod validate;

pub use adapter::{
    built_in, understand, unknown_adapter, Adapter, BodyFormat, Reply, SharedAdapter, Topics,
};
pub use kinds::{BookingStatus, PassengerType, SegmentKind, SegmentStatus};

#[cfg(test)]
mod fuzz;
pub mod mapping;

/// Declares each built-in adapter's module and lists it in [`BUILT_IN`]: a new adapter is
/// its file plus one line here.
macro_rules! built_in_adapters {
    ($($module:ident::$adapter:ident),+ $(,)?) => {
        $(pub mod $module;)+

        /// Every built-in adapter. The registry accepts their names (`adapter = "…"`),
        /// and its "unknown adapter" message lists them.
        pub static BUILT_IN: &[&dyn Adapter] = &[$(&$module::$adapter),+];
    };
}

built_in_adapters! {
    hahn_air::HahnAir,
    airgateway::Airgateway,
    spotnana::Spotnana,
    traxo::Traxo,
    ground_transfer::GroundTransfer,
}
