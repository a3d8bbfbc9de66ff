//! `Event`: one archived delivery. Only reachable through analyst-only fields.

use async_graphql::{Json, Object, ID};
use entity::event;

use super::{enums::EventStatus, scalars::DateTime};

/// One authenticated delivery from a partner, whatever became of it.
pub struct Event(pub event::Model);

/// One authenticated delivery from a partner, whatever became of it (the archive).
#[Object]
impl Event {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Registry name of the partner that sent it.
    async fn partner(&self) -> &str {
        &self.0.partner
    }

    /// Adapter event type, e.g. `booking-create`, `OrderTicketed`, `PNR_V3/BOOKING_CREATED`.
    #[graphql(name = "type")]
    async fn event_type(&self) -> &str {
        &self.0.event_type
    }

    async fn status(&self) -> EventStatus {
        self.0.status.into()
    }

    async fn received_at(&self) -> DateTime {
        DateTime(self.0.received_at)
    }

    /// Source time stated by the partner.
    async fn occurred_at(&self) -> Option<DateTime> {
        self.0.occurred_at.map(DateTime)
    }

    /// Why it was rejected or failed.
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }

    /// The body as received, parsed as JSON; a JSON string of it when it is not JSON.
    // Always present; declared nullable as CONTRACT §6 declares it.
    async fn payload(&self) -> Option<Json<serde_json::Value>> {
        let body = &self.0.raw_body;
        let value = serde_json::from_slice(body).unwrap_or_else(|_| {
            serde_json::Value::String(String::from_utf8_lossy(body).into_owned())
        });
        Some(Json(value))
    }

    /// The booking it was applied to (or is about), if any.
    async fn booking_id(&self) -> Option<ID> {
        self.0.booking_id.map(|id| ID(id.to_string()))
    }

    /// Adapter that understood it, e.g. `hahn_air`.
    async fn adapter(&self) -> &str {
        &self.0.adapter
    }

    /// URL topic segment it came on, if any.
    async fn topic(&self) -> Option<&str> {
        self.0.topic.as_deref()
    }

    /// The key that made repeats of it `duplicate`.
    async fn idempotency_key(&self) -> &str {
        &self.0.idempotency_key
    }

    /// Structured detail: failing fields of a rejection, a reported disruption, …
    async fn detail(&self) -> Option<Json<serde_json::Value>> {
        self.0.detail.clone().map(Json)
    }
}
