//! A small `graphql-transport-ws` client for the live-update suites: connect to
//! `/graphql/ws`, send `connection_init` with a token, subscribe, and read what the api
//! pushes, each read bounded in time.

use std::time::Duration;

use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::{
    tungstenite::{client::IntoClientRequest, http::HeaderValue, Message},
    MaybeTlsStream, WebSocketStream,
};

/// One thing the server sent, or that it sent nothing in time.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// A protocol message (`connection_ack`, `next`, `error`, `complete`, `pong`, …).
    Json(Value),
    /// The server closed the connection, with its close code if it sent one.
    Closed(Option<u16>, String),
    /// Nothing arrived within the time allowed.
    Silent,
}

/// A WebSocket connection speaking `graphql-transport-ws`.
pub struct WsClient {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// `ws://host:port/graphql/ws` for an api base URL `http://host:port`.
pub fn ws_url(api: &str) -> String {
    format!("{}/graphql/ws", api.replacen("http", "ws", 1))
}

impl WsClient {
    /// Opens the WebSocket and sends `connection_init` with `payload`, without waiting
    /// for the answer.
    pub async fn open(api: &str, payload: Value) -> Self {
        let mut request = ws_url(api).into_client_request().expect("a ws URL");
        request.headers_mut().insert(
            "sec-websocket-protocol",
            HeaderValue::from_static("graphql-transport-ws"),
        );
        let (socket, response) = tokio_tungstenite::connect_async(request)
            .await
            .expect("WebSocket handshake with /graphql/ws");
        assert_eq!(
            response
                .headers()
                .get("sec-websocket-protocol")
                .map(|v| v.to_str().unwrap_or_default().to_owned()),
            Some("graphql-transport-ws".to_owned())
        );
        let mut client = Self { socket };
        client
            .send(json!({"type": "connection_init", "payload": payload}))
            .await;
        client
    }

    /// Opens the WebSocket with `{"Authorization": "Bearer <token>"}` and waits for
    /// `connection_ack` (panics otherwise).
    pub async fn connect(api: &str, token: &str) -> Self {
        let mut client = Self::open(api, json!({"Authorization": format!("Bearer {token}")})).await;
        match client.next_frame(Duration::from_secs(5)).await {
            Frame::Json(message) if message["type"] == "connection_ack" => client,
            other => panic!("expected connection_ack, got {other:?}"),
        }
    }

    pub async fn send(&mut self, message: Value) {
        use futures_util::SinkExt;
        self.socket
            .send(Message::text(message.to_string()))
            .await
            .expect("send a ws message");
    }

    /// Sends `subscribe` with operation id `id`.
    pub async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        self.send(json!({"type": "subscribe", "id": id, "payload": {"query": query, "variables": variables}}))
            .await;
    }

    /// Sends `complete` for operation `id` (the client ends a subscription).
    pub async fn complete(&mut self, id: &str) {
        self.send(json!({"type": "complete", "id": id})).await;
    }

    /// The next protocol message, a close, or [`Frame::Silent`] after `within`.
    pub async fn next_frame(&mut self, within: Duration) -> Frame {
        use futures_util::StreamExt;
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let read = tokio::time::timeout_at(deadline, self.socket.next()).await;
            match read {
                Err(_) => return Frame::Silent,
                Ok(None) => return Frame::Closed(None, String::new()),
                Ok(Some(Err(err))) => return Frame::Closed(None, err.to_string()),
                Ok(Some(Ok(Message::Text(text)))) => {
                    return Frame::Json(serde_json::from_str(&text).expect("a JSON message"))
                }
                Ok(Some(Ok(Message::Close(frame)))) => {
                    return Frame::Closed(
                        frame.as_ref().map(|f| u16::from(f.code)),
                        frame.map(|f| f.reason.to_string()).unwrap_or_default(),
                    )
                }
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    /// The errors of a refused operation `id`: its one `next` and then its `complete`.
    pub async fn refused(&mut self, id: &str, within: Duration) -> Value {
        let payload = self.next_payload(id, within).await;
        match self.next_frame(within).await {
            Frame::Json(message) if message["type"] == "complete" && message["id"] == id => payload,
            other => panic!("expected `complete` for {id} after {payload}, got {other:?}"),
        }
    }

    /// The payload of the next `next` message of operation `id` within `within`;
    /// panics on anything else.
    pub async fn next_payload(&mut self, id: &str, within: Duration) -> Value {
        match self.next_frame(within).await {
            Frame::Json(message) if message["type"] == "next" && message["id"] == id => {
                message["payload"].clone()
            }
            other => panic!("expected `next` for {id} within {within:?}, got {other:?}"),
        }
    }
}
