//! `POST /webhooks/{partner}[/{topic}]`: find the partner, authenticate, limit the rate,
//! then hand the delivery to the intake pipeline (`crate::intake`) and answer its verdict.

use std::collections::HashMap;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use serde_json::json;

use super::{AppState, IngestError};
use crate::adapters::Reply;
use crate::auth::{authenticate, Credentials};
use crate::intake::{self, event_id, Verdict};
use crate::process::{Outcome, Receipt};
use crate::registry::Auth;

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
    let receipt = Receipt {
        partner: &partner.name,
        adapter: partner.adapter.name(),
        topic,
        content_type: header("content-type"),
        raw_body: &body,
        received_at: Utc::now(),
        fallback_key: intake::fallback_key(header(&id_header), header("idempotency-key"), &body),
        replay_of: None,
    };
    let verdict = intake::run(&state.processor, &*partner.adapter, &receipt).await;
    answer(&partner.name, verdict)
}

/// The reply to a verdict, counted and logged.
fn answer(partner: &str, verdict: Verdict) -> Result<Response, IngestError> {
    match verdict {
        Verdict::Processed {
            outcome,
            reply,
            event_type,
        } => {
            count(partner, &event_type, outcome_name(&outcome));
            Ok(respond(reply, outcome))
        }
        Verdict::Refused { refusal, event_id } => {
            count(partner, UNKNOWN_TYPE, "rejected");
            let error = IngestError::from(refusal);
            tracing::info!(outcome = "rejected", code = error.code(), event_id = ?event_id, "delivery rejected");
            Err(error)
        }
        Verdict::Failed { event_id } => {
            count(partner, UNKNOWN_TYPE, "failed");
            tracing::warn!(outcome = "failed", event_id = ?event_id, "delivery archived as failed");
            Err(IngestError::Failed { event_id })
        }
        Verdict::Unavailable => Err(IngestError::Unavailable),
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
    use super::{bounded_label, MAX_EVENT_TYPES_PER_PARTNER};

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
}
