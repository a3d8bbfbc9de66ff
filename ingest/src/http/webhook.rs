//! `POST /webhooks/{partner}[/{topic}]`: authenticate, archive, understand, apply.

use std::collections::HashMap;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use entity::EventStatus;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::{AppState, IngestError};
use crate::adapters::Reply;
use crate::auth::{authenticate, Credentials};
use crate::canonical::{AdapterError, Request};
use crate::process::{is_unavailable, Outcome, Receipt};
use crate::registry::{Auth, Partner};

#[tracing::instrument(skip_all, fields(partner = %params.get("partner").map_or("", String::as_str)))]
pub async fn receive(
    State(state): State<AppState>,
    Path(params): Path<HashMap<String, String>>,
    query: Result<Query<HashMap<String, String>>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, IngestError> {
    let name = params
        .get("partner")
        .map(String::as_str)
        .unwrap_or_default();
    // This request's registry: a reload meanwhile does not change it under its feet.
    let registry = state.registry.current();
    let partner = registry
        .get(name)
        .ok_or_else(|| IngestError::NotFound(format!("no partner is registered as {name:?}")))?;
    let topic = params.get("topic").map(String::as_str);
    let body = read_body(&headers, body, state.body_limit).await?;
    let query = query.map(|q| q.0).unwrap_or_default();
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let [id_header, timestamp_header, signature_header] = match &partner.auth {
        Auth::Hmac(signing) => signing.header_names(),
        _ => ["webhook-id", "webhook-timestamp", "webhook-signature"].map(str::to_owned),
    };
    let credentials = Credentials {
        authorization: header("authorization"),
        token_header: header("x-webhook-token"),
        token_query: query.get("token").map(String::as_str),
        webhook_id: header(&id_header),
        webhook_timestamp: header(&timestamp_header),
        webhook_signature: header(&signature_header),
        body: &body,
        now: Utc::now(),
    };
    if let Err(failure) = authenticate(partner, &credentials, state.tokens.as_ref()) {
        tracing::info!(
            outcome = "unauthorized",
            reason = failure.reason,
            "delivery refused"
        );
        count(&partner.name, UNKNOWN_TYPE, "unauthorized");
        return Err(IngestError::Unauthorized {
            reason: failure.reason,
            challenge: failure.challenge,
        });
    }
    if let Some(limit) = &partner.rate_limit {
        if let Err(not_until) = limit.limiter.check() {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ));
            tracing::info!(outcome = "rate_limited", "delivery refused");
            metrics::counter!("tripgraph_rate_limited_total", "partner" => partner.name.clone())
                .increment(1);
            count(&partner.name, UNKNOWN_TYPE, "rate_limited");
            return Err(IngestError::RateLimited {
                per_second: limit.per_second.get(),
                retry_after_s: wait.as_secs_f64().ceil().max(1.0) as u64,
            });
        }
    }
    let fallback_key = header(&id_header)
        .or(header("idempotency-key"))
        .map_or_else(|| hex::encode(Sha256::digest(&body)), str::to_owned);
    let receipt = Receipt {
        partner: &partner.name,
        adapter: partner.adapter.name(),
        topic,
        content_type: header("content-type"),
        raw_body: &body,
        received_at: Utc::now(),
        fallback_key,
        replay_of: None,
    };
    handle(&state, partner, &receipt).await
}

async fn handle(
    state: &AppState,
    partner: &Partner,
    receipt: &Receipt<'_>,
) -> Result<Response, IngestError> {
    let adapter = partner.adapter;
    let topic_type = receipt.topic.unwrap_or("unknown");
    let parsed = match receipt.content_type {
        Some(ct) if is_form(ct) && adapter.accepts_form() => read_form(receipt.raw_body),
        Some(ct) if !is_json(ct) => {
            let error = IngestError::UnsupportedMediaType(ct.to_owned());
            return reject(state, receipt, topic_type, error).await;
        }
        _ => serde_json::from_slice(receipt.raw_body).map_err(|err| err.to_string()),
    };
    let value: Value = match parsed {
        Ok(value) => value,
        Err(err) => return reject(state, receipt, topic_type, IngestError::InvalidJson(err)).await,
    };
    let request = Request {
        topic: receipt.topic,
        body: &value,
    };
    // A refusal is archived under the event type the delivery names, where it names one.
    let named_type = adapter.event_type(request);
    let event_type = named_type.as_deref().unwrap_or(topic_type);
    let delivery = match std::panic::catch_unwind(|| adapter.normalize(request)) {
        Ok(Ok(delivery)) => delivery,
        Ok(Err(AdapterError::Invalid(fields))) => {
            return reject(
                state,
                receipt,
                event_type,
                IngestError::InvalidPayload(fields),
            )
            .await
        }
        Ok(Err(AdapterError::UnknownTopic(topic))) => {
            let error =
                IngestError::NotFound(format!("partner {:?} has no topic {topic:?}", partner.name));
            return reject(state, receipt, event_type, error).await;
        }
        Err(_) => {
            return fail(
                state,
                receipt,
                None,
                event_type,
                "the adapter failed on this payload",
            )
            .await
        }
    };
    match state.processor.apply(receipt, &delivery).await {
        Ok(outcome) => {
            count(
                receipt.partner,
                &delivery.event_type,
                outcome_name(&outcome),
            );
            Ok(respond(adapter.reply(receipt.topic), outcome))
        }
        Err(err) if is_unavailable(&err) => {
            tracing::warn!(error = %err, "database unavailable");
            Err(IngestError::Unavailable)
        }
        Err(err) => {
            tracing::error!(error = %err, "applying a delivery failed");
            fail(
                state,
                receipt,
                delivery.idempotency_key.as_deref(),
                &delivery.event_type,
                "applying the delivery failed",
            )
            .await
        }
    }
}

/// Archives a rejected delivery, then answers with `error` (a repeat gets the same answer).
async fn reject(
    state: &AppState,
    receipt: &Receipt<'_>,
    event_type: &str,
    error: IngestError,
) -> Result<Response, IngestError> {
    let detail = match &error {
        IngestError::InvalidPayload(fields) => Some(json!({ "fields": fields })),
        _ => None,
    };
    count(receipt.partner, UNKNOWN_TYPE, "rejected");
    match state
        .processor
        .archive(
            receipt,
            None,
            event_type,
            EventStatus::Rejected,
            &error.to_string(),
            detail,
        )
        .await
    {
        Ok(outcome) => {
            tracing::info!(outcome = "rejected", code = error.code(), event_id = %event_id(&outcome), "delivery rejected")
        }
        Err(err) if is_unavailable(&err) => return Err(IngestError::Unavailable),
        Err(err) => tracing::error!(error = %err, "archiving a rejected delivery failed"),
    }
    Err(error)
}

/// Archives a delivery that could not be applied as `failed` (for `ingest replay`).
async fn fail(
    state: &AppState,
    receipt: &Receipt<'_>,
    key: Option<&str>,
    event_type: &str,
    reason: &str,
) -> Result<Response, IngestError> {
    count(receipt.partner, UNKNOWN_TYPE, "failed");
    match state
        .processor
        .archive(receipt, key, event_type, EventStatus::Failed, reason, None)
        .await
    {
        Ok(outcome) => {
            tracing::warn!(outcome = "failed", event_id = %event_id(&outcome), "delivery archived as failed");
            Err(IngestError::Failed {
                event_id: Some(event_id(&outcome)),
            })
        }
        Err(err) if is_unavailable(&err) => Err(IngestError::Unavailable),
        Err(err) => {
            tracing::error!(error = %err, "archiving a failed delivery failed");
            Err(IngestError::Failed { event_id: None })
        }
    }
}

/// The event-type label of deliveries not understood: what they claim to be is
/// partner input, and would make the label set unbounded.
const UNKNOWN_TYPE: &str = "unknown";

/// `tripgraph_deliveries_total{partner, event_type, outcome}`.
fn count(partner: &str, event_type: &str, outcome: &'static str) {
    let event_type = bounded_label(partner, event_type);
    metrics::counter!("tripgraph_deliveries_total", "partner" => partner.to_owned(), "event_type" => event_type, "outcome" => outcome).increment(1);
}

/// Event types a partner may add to the metric labels; later new ones count as
/// `other`. Applied event types are partner input too (AirGateway's unknown event
/// names are applied under their own name), so the label set must stay bounded.
const MAX_EVENT_TYPES_PER_PARTNER: usize = 64;

fn bounded_label(partner: &str, event_type: &str) -> String {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static SEEN: OnceLock<Mutex<HashMap<String, HashSet<String>>>> = OnceLock::new();
    if event_type == UNKNOWN_TYPE {
        return UNKNOWN_TYPE.to_owned();
    }
    let mut seen = SEEN
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let types = seen.entry(partner.to_owned()).or_default();
    if types.contains(event_type) {
        return event_type.to_owned();
    }
    if types.len() < MAX_EVENT_TYPES_PER_PARTNER && event_type.len() <= 64 {
        types.insert(event_type.to_owned());
        return event_type.to_owned();
    }
    "other".to_owned()
}

fn event_id(outcome: &Outcome) -> uuid::Uuid {
    match outcome {
        Outcome::Applied { event_id, .. }
        | Outcome::Stale { event_id, .. }
        | Outcome::Ignored { event_id }
        | Outcome::Rejected { event_id }
        | Outcome::Duplicate { event_id, .. } => *event_id,
    }
}

fn respond(reply: Reply, outcome: Outcome) -> Response {
    tracing::info!(outcome = outcome_name(&outcome), event_id = %event_id(&outcome), "delivery processed");
    match outcome {
        Outcome::Applied { .. } if reply == Reply::NoContent => {
            StatusCode::NO_CONTENT.into_response()
        }
        Outcome::Applied {
            event_id,
            booking_id,
            ..
        } => {
            let mut body =
                json!({"status": "applied", "eventId": event_id, "bookingId": booking_id});
            // The marketplace stores it as "your own booking ID": ours (CONTRACT §3).
            if reply == Reply::WithSupplierBookingId {
                body["supplierBookingId"] = json!(booking_id);
            }
            Json(body).into_response()
        }
        Outcome::Stale {
            event_id,
            booking_id,
        } => Json(json!({"status": "stale", "eventId": event_id, "bookingId": booking_id}))
            .into_response(),
        Outcome::Ignored { event_id } => {
            Json(json!({"status": "ignored", "eventId": event_id})).into_response()
        }
        Outcome::Duplicate { event_id, .. } => {
            Json(json!({"status": "duplicate", "eventId": event_id})).into_response()
        }
        Outcome::Rejected { event_id } => {
            Json(json!({"status": "rejected", "eventId": event_id})).into_response()
        }
    }
}

fn outcome_name(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Applied { .. } => "applied",
        Outcome::Stale { .. } => "stale",
        Outcome::Ignored { .. } => "ignored",
        Outcome::Rejected { .. } => "rejected",
        Outcome::Duplicate { .. } => "duplicate",
    }
}

/// `application/x-www-form-urlencoded`, with or without parameters.
fn is_form(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .eq_ignore_ascii_case("application/x-www-form-urlencoded")
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

/// `application/json`, `application/…+json`, with or without parameters.
fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// The whole body, at most `limit` bytes: more is 413; a body that breaks off or is
/// malformed (e.g. a bad chunk size) is 400; one that does not arrive within the server's
/// body timeout (`common::serve::Options::body_timeout`) is 408.
async fn read_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<Bytes, IngestError> {
    use axum::body::HttpBody;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > limit) {
        return Err(IngestError::PayloadTooLarge { limit });
    }
    let mut body = body;
    let mut bytes = Vec::with_capacity(declared.unwrap_or(0));
    while let Some(frame) =
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await
    {
        let frame = frame.map_err(|error| {
            let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&error);
            while let Some(e) = cause {
                if e.is::<tower_http::timeout::TimeoutError>() {
                    return IngestError::BodyTimeout;
                }
                cause = e.source();
            }
            tracing::info!(error = %error, "reading the body failed");
            IngestError::InvalidBody
        })?;
        if let Ok(data) = frame.into_data() {
            if bytes.len() + data.len() > limit {
                return Err(IngestError::PayloadTooLarge { limit });
            }
            bytes.extend_from_slice(&data);
        }
    }
    Ok(Bytes::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::{bounded_label, is_json, MAX_EVENT_TYPES_PER_PARTNER};

    #[test]
    fn partner_input_cannot_grow_the_metric_labels_without_bound() {
        let partner = "label-test-partner";
        for n in 0..MAX_EVENT_TYPES_PER_PARTNER {
            assert_eq!(
                bounded_label(partner, &format!("Event{n}")),
                format!("Event{n}")
            );
        }
        assert_eq!(bounded_label(partner, "OneTooMany"), "other");
        assert_eq!(
            bounded_label(partner, "Event3"),
            "Event3",
            "known ones stay"
        );
        assert_eq!(bounded_label("another-partner", "OneTooMany"), "OneTooMany");
        assert_eq!(bounded_label("another-partner", &"x".repeat(65)), "other");
    }

    #[test]
    fn json_content_types_are_recognised() {
        assert!(is_json("application/json"));
        assert!(is_json("application/json; charset=utf-8"));
        assert!(is_json("application/vnd.partner+json"));
        assert!(!is_json("text/plain"));
        assert!(!is_json("application/x-www-form-urlencoded"));
    }
}
