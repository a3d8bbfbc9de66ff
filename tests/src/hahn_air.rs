//! Hahn Air deliveries the archive suites send: the partner's create sample under another
//! reference, and a small update, each stating its source time (`updatedAt`).

use serde_json::{json, Value};

use crate::fixture;

/// Topic paths under `/webhooks/`.
pub const CREATE: &str = "hahn-air/booking-create";
pub const UPDATE: &str = "hahn-air/booking-update";

/// The sample create (`tests/fixtures/hahn_air/booking-create.json`) for `reference`,
/// changed at `updated`.
pub fn create(reference: &str, updated: &str) -> String {
    let mut body: Value = serde_json::from_str(&fixture("hahn_air/booking-create.json")).unwrap();
    body["bookingId"] = json!(reference);
    body["updatedAt"] = json!(updated);
    body.to_string()
}

/// An update of `reference` to `bags` bags, changed at `updated`.
pub fn update(reference: &str, bags: u32, updated: &str) -> String {
    json!({"bookingId": reference, "bagCount": bags, "updatedAt": updated}).to_string()
}
