//! The marketplace's incident notifications (connect.taxi.booking.com, *Incident
//! Webhook → References*): `{bookingReference, incidentType, incidentStatus,
//! responsibleParty, createdDateTimeUTC, pickupDateTimeUTC}`, sent for a new incident and
//! again when it changes. Booking.com sends them to its own fixed path (`/v2/incidents`);
//! should one reach the partner's endpoint here, it is understood and archived as
//! ignored: an incident (a no-show, a late driver) changes nothing the booking holds.

use serde_json::Value;

use crate::canonical::{Action, Delivery};

/// Archived event type of an incident.
pub(super) const INCIDENT: &str = "incident";

/// Whether `body` is an incident rather than a booking: it names an `incidentType` and
/// carries neither a lead passenger nor an update `action`.
pub(super) fn is_incident(body: &Value) -> bool {
    let has = |key: &str| body.get(key).is_some_and(|v| !v.is_null());
    has("incidentType") && !has("leadPassenger") && !has("action")
}

/// The incident, archived as ignored with what it says.
pub(super) fn ignored(body: &Value) -> Delivery {
    let text = |key: &str| -> String {
        match body.get(key) {
            Some(Value::String(s)) => crate::validate::clip(s),
            Some(Value::Number(n)) => n.to_string(),
            _ => "?".to_owned(),
        }
    };
    Delivery {
        event_type: INCIDENT.to_owned(),
        idempotency_key: None,
        occurred_at: None,
        action: Action::Ignore {
            reason: format!(
                "incident {} ({}) on booking {} changes no booking field",
                text("incidentType"),
                text("incidentStatus"),
                text("bookingReference")
            ),
        },
        detail: None,
    }
}
