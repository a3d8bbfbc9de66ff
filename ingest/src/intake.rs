//! The one intake pipeline of `POST /webhooks/…` and `ingest replay`: read the body
//! (JSON, or a form where the adapter takes one), understand it with the partner's
//! adapter (a panic is caught), apply it, and turn what happened into the archive row
//! and a [`Verdict`] — in one place, so that a replayed event ends as the webhook's did.

use adapters::canonical::{AdapterError, FieldError, Request};
use adapters::{understand, Adapter, BodyFormat, Reply};
use entity::EventStatus;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::http::field_list;
use crate::process::{is_unavailable, Outcome, Processor, Receipt};

/// The idempotency key of a delivery whose adapter finds none in the body: the
/// partner's delivery id header, else its `Idempotency-Key`, else the body's SHA-256.
pub fn fallback_key(
    delivery_id: Option<&str>,
    idempotency_key: Option<&str>,
    body: &[u8],
) -> String {
    delivery_id
        .or(idempotency_key)
        .map_or_else(|| hex::encode(Sha256::digest(body)), str::to_owned)
}

/// Why a delivery was refused before the processing rules saw it. Its message is the
/// archived error and the reply's.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    #[error("content type {0:?} is not JSON: send application/json")]
    UnsupportedMediaType(String),
    #[error("the body is not valid JSON: {0}")]
    InvalidJson(String),
    #[error("the payload failed validation: {}", field_list(.0))]
    InvalidPayload(Vec<FieldError>),
    #[error("partner {partner:?} has no topic {topic:?}")]
    UnknownTopic { partner: String, topic: String },
}

/// What became of one delivery, archived.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The processing rules decided: applied, duplicate, stale, ignored or rejected.
    Processed {
        outcome: Outcome,
        /// How the partner wants an applied delivery answered.
        reply: Reply,
        /// The adapter event type (a bounded metric label once counted).
        event_type: String,
    },
    /// Refused and archived as `rejected` (`event_id` is `None` when archiving failed).
    Refused {
        refusal: Refusal,
        event_id: Option<Uuid>,
    },
    /// Not applied and archived as `failed`, for `ingest replay`.
    Failed { event_id: Option<Uuid> },
    /// The database is unavailable: nothing was archived; the partner should retry.
    Unavailable,
}

impl Verdict {
    /// The status the archived event ends with (a duplicate's is the first delivery's).
    pub fn status(&self) -> EventStatus {
        match self {
            Self::Processed { outcome, .. } => match outcome {
                Outcome::Applied { .. } => EventStatus::Applied,
                Outcome::Stale { .. } => EventStatus::Stale,
                Outcome::Ignored { .. } => EventStatus::Ignored,
                Outcome::Rejected { .. } => EventStatus::Rejected,
                Outcome::Duplicate { first_status, .. } => *first_status,
            },
            Self::Refused { .. } => EventStatus::Rejected,
            Self::Failed { .. } | Self::Unavailable => EventStatus::Failed,
        }
    }
}

/// Takes one delivery in: from the webhook, or from the archive (`receipt.replay_of`).
pub async fn run(processor: &Processor, adapter: &dyn Adapter, receipt: &Receipt<'_>) -> Verdict {
    let topic_type = receipt.topic.unwrap_or("unknown");
    let body = match read(adapter, receipt) {
        Ok(body) => body,
        Err(refusal) => return refuse(processor, receipt, topic_type, refusal).await,
    };
    let request = Request {
        topic: receipt.topic,
        body: &body,
    };
    // A refusal is archived under the event type the delivery names, where it names one.
    let named_type = adapter.event_type(request);
    let event_type = named_type.as_deref().unwrap_or(topic_type);
    let delivery = match std::panic::catch_unwind(|| understand(adapter, request)) {
        Ok(Ok(delivery)) => delivery,
        Ok(Err(AdapterError::Invalid(fields))) => {
            let refusal = Refusal::InvalidPayload(fields);
            return refuse(processor, receipt, event_type, refusal).await;
        }
        Ok(Err(AdapterError::UnknownTopic(topic))) => {
            let partner = receipt.partner.to_owned();
            let refusal = Refusal::UnknownTopic { partner, topic };
            return refuse(processor, receipt, event_type, refusal).await;
        }
        Err(_) => {
            let reason = "the adapter failed on this payload";
            return fail(processor, receipt, None, event_type, reason).await;
        }
    };
    match processor.apply(receipt, &delivery).await {
        Ok(outcome) => Verdict::Processed {
            outcome,
            reply: adapter.reply(receipt.topic),
            event_type: delivery.event_type,
        },
        Err(err) if is_unavailable(&err) => {
            tracing::warn!(error = %err, "database unavailable");
            Verdict::Unavailable
        }
        Err(err) => {
            tracing::error!(error = %err, "applying a delivery failed");
            let key = delivery.idempotency_key.as_deref();
            let reason = "applying the delivery failed";
            fail(processor, receipt, key, &delivery.event_type, reason).await
        }
    }
}

/// The body as JSON: parsed, or a form read as an object of strings where the adapter
/// takes forms. No content type is read as JSON.
fn read(adapter: &dyn Adapter, receipt: &Receipt<'_>) -> Result<Value, Refusal> {
    let format = match receipt.content_type {
        None => BodyFormat::Json,
        Some(content_type) => BodyFormat::of(content_type)
            .filter(|format| adapter.accepts(*format))
            .ok_or_else(|| Refusal::UnsupportedMediaType(content_type.to_owned()))?,
    };
    match format {
        BodyFormat::Json => serde_json::from_slice(receipt.raw_body)
            .map_err(|err| Refusal::InvalidJson(err.to_string())),
        BodyFormat::Form => read_form(receipt.raw_body).map_err(Refusal::InvalidJson),
    }
}

/// A form body as a JSON object of strings (a repeated name keeps its last value).
fn read_form(body: &[u8]) -> Result<Value, String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
        .map_err(|err| format!("the form body is malformed: {err}"))?;
    Ok(Value::Object(
        pairs
            .into_iter()
            .map(|(name, value)| (name, Value::String(value)))
            .collect(),
    ))
}

/// The archived event an outcome is about.
pub fn event_id(outcome: &Outcome) -> Uuid {
    match outcome {
        Outcome::Applied { event_id, .. }
        | Outcome::Stale { event_id, .. }
        | Outcome::Ignored { event_id }
        | Outcome::Rejected { event_id }
        | Outcome::Duplicate { event_id, .. } => *event_id,
    }
}

/// Archives a refused delivery as `rejected` (a repeat gets the same answer).
async fn refuse(
    processor: &Processor,
    receipt: &Receipt<'_>,
    event_type: &str,
    refusal: Refusal,
) -> Verdict {
    let detail = match &refusal {
        Refusal::InvalidPayload(fields) => Some(json!({ "fields": fields })),
        _ => None,
    };
    let message = refusal.to_string();
    let archived = processor
        .archive(
            receipt,
            None,
            event_type,
            EventStatus::Rejected,
            &message,
            detail,
        )
        .await;
    match archived {
        Ok(outcome) => Verdict::Refused {
            refusal,
            event_id: Some(event_id(&outcome)),
        },
        Err(err) if is_unavailable(&err) => Verdict::Unavailable,
        Err(err) => {
            tracing::error!(error = %err, "archiving a rejected delivery failed");
            Verdict::Refused {
                refusal,
                event_id: None,
            }
        }
    }
}

/// Archives a delivery that could not be applied as `failed`.
async fn fail(
    processor: &Processor,
    receipt: &Receipt<'_>,
    key: Option<&str>,
    event_type: &str,
    reason: &str,
) -> Verdict {
    let archived = processor
        .archive(receipt, key, event_type, EventStatus::Failed, reason, None)
        .await;
    match archived {
        Ok(outcome) => Verdict::Failed {
            event_id: Some(event_id(&outcome)),
        },
        Err(err) if is_unavailable(&err) => Verdict::Unavailable,
        Err(err) => {
            tracing::error!(error = %err, "archiving a failed delivery failed");
            Verdict::Failed { event_id: None }
        }
    }
}
