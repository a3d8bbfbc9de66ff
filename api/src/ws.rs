//! `GET /graphql/ws`: GraphQL over WebSocket, protocol `graphql-transport-ws` (and the
//! older `graphql-ws`), for subscriptions (CONTRACT §6 rev. 2, *Live updates*).
//!
//! The token comes in the `connection_init` payload as `{"Authorization": "Bearer
//! <JWT>"}` (browsers cannot set headers on a WebSocket) and is verified with the same
//! keys as `POST /graphql`; without a valid one the connection is closed before any
//! operation runs. A connection that sends no `connection_init` within
//! [`INIT_TIMEOUT`] is closed too. Messages are bounded by the body limit, connections
//! and subscriptions by [`Limits`].

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use async_graphql::{
    futures_util::{future, StreamExt},
    Data,
};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::{
    extract::{State, WebSocketUpgrade},
    http::{header::AUTHORIZATION, HeaderMap, HeaderValue},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use tokio::sync::Semaphore;

use crate::{
    auth::{self, AuthError, Principal, TokenKeys},
    error::ApiError,
    live::limits::{Admission, Limits},
    schema::ApiSchema,
};

/// How long a new connection may take to send `connection_init` (the protocol's
/// "connection initialisation timeout"); until then it holds a place and does nothing.
pub const INIT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone)]
struct Ws {
    schema: ApiSchema,
    keys: Arc<TokenKeys>,
    admission: Arc<Admission>,
    connections: Arc<Semaphore>,
    message_limit: usize,
}

/// The WebSocket route, over the same schema and token keys as `POST /graphql`.
/// `message_limit` bounds each message a client sends (the HTTP body limit).
pub fn router(
    schema: ApiSchema,
    keys: Arc<TokenKeys>,
    limits: Limits,
    message_limit: usize,
) -> Router {
    let connections = Arc::new(Semaphore::new(limits.connections.max(1)));
    let ws = Ws {
        schema,
        keys,
        admission: Admission::new(limits),
        connections,
        message_limit,
    };
    Router::new()
        .route("/graphql/ws", get(upgrade))
        .with_state(ws)
}

async fn upgrade(
    State(ws): State<Ws>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    let Ok(place) = Arc::clone(&ws.connections).try_acquire_owned() else {
        tracing::warn!(
            limit = ws.admission.limits().connections,
            "WebSocket refused: too many connections"
        );
        return ApiError::Unavailable.into_response();
    };
    upgrade
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .max_message_size(ws.message_limit)
        .max_frame_size(ws.message_limit)
        // Clients send a few small messages; pushes wait for a slow reader here, one
        // message at a time, instead of piling up.
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_write_buffer_size(ws.message_limit.max(1024 * 1024))
        .on_upgrade(move |socket| async move {
            metrics::gauge!("tripgraph_ws_connections").increment(1.0);
            let (sink, stream) = socket.split();
            let initialised = Arc::new(AtomicBool::new(false));
            let deadline = {
                let initialised = Arc::clone(&initialised);
                async move {
                    tokio::time::sleep(INIT_TIMEOUT).await;
                    if initialised.load(Ordering::Relaxed) {
                        future::pending::<()>().await;
                    }
                    tracing::debug!("WebSocket closed: no connection_init in time");
                }
            };
            let keys = Arc::clone(&ws.keys);
            let admission = Arc::clone(&ws.admission);
            GraphQLWebSocket::new_with_pair(sink, stream.take_until(deadline), ws.schema, protocol)
                .on_connection_init(move |payload| {
                    initialised.store(true, Ordering::Relaxed);
                    future::ready(connection_data(&keys, &admission, &payload))
                })
                .serve()
                .await;
            metrics::gauge!("tripgraph_ws_connections").decrement(1.0);
            drop(place);
        })
}

/// The connection's data from its `connection_init` payload: the verified principal and
/// the connection's subscription counters.
fn connection_data(
    keys: &TokenKeys,
    admission: &Arc<Admission>,
    payload: &serde_json::Value,
) -> async_graphql::Result<Data> {
    let principal = principal(keys, payload).map_err(|err| {
        tracing::debug!(error = %err, "WebSocket refused: no valid token");
        async_graphql::Error::new(err.to_string())
    })?;
    let mut data = Data::default();
    data.insert(principal);
    data.insert(admission.connection());
    Ok(data)
}

/// The principal of `{"Authorization": "Bearer <JWT>"}` (the key in any case).
fn principal(keys: &TokenKeys, payload: &serde_json::Value) -> Result<Principal, AuthError> {
    let value = payload
        .as_object()
        .and_then(|fields| {
            fields
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case("authorization"))
        })
        .ok_or(AuthError::Missing)?
        .1
        .as_str()
        .ok_or(AuthError::NotBearer)?;
    let mut headers = HeaderMap::new();
    headers.insert(
        AUTHORIZATION,
        HeaderValue::from_str(value).map_err(|_| AuthError::NotBearer)?,
    );
    keys.verify(auth::bearer_token(&headers)?)
}
