//! The real-payload corpus (issue "Real partner formats"): the partners' published
//! payloads kept in `../shared/real-payloads/` beside the repository (read from there,
//! never copied), and the ones collected in `tests/fixtures/real/` (sources in its
//! `SOURCES.md`).

use std::path::PathBuf;

/// `../shared/real-payloads/` beside the repository root.
pub fn shared_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/real-payloads")
}

/// A file of the shared set, e.g. `spotnana/pnrdata_air_from_openapi_examples.json`.
pub fn shared(path: &str) -> String {
    let full = shared_dir().join(path);
    std::fs::read_to_string(&full)
        .unwrap_or_else(|e| panic!("shared real payload {}: {e}", full.display()))
}

/// A file of the repository's own corpus, e.g. `traxo/01_air_segment_updated_no_trip_no_iata.json`.
pub fn real(path: &str) -> String {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/real")
        .join(path);
    std::fs::read_to_string(&full)
        .unwrap_or_else(|e| panic!("real payload {}: {e}", full.display()))
}
