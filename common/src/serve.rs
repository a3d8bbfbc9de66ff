//! Serving a router on a TCP listener with the limits a public endpoint needs, for both
//! binaries and the end-to-end tests: how long a client may take to send a request's
//! headers and its body, how long an idle connection stays open, and how many
//! connections are served at once. `axum::serve` has none of these.
//!
//! HTTP/1.1 only, through hyper's own connection builder: both binaries serve HTTP/1
//! (axum is built without `http2`), and hyper-util's `auto` builder would pull in `h2`.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower_http::timeout::RequestBodyDeadline;

/// The connection limits. [`Options::default`] is what the binaries use; tests shorten
/// the timeouts.
#[derive(Clone, Debug)]
pub struct Options {
    /// How long a client may take to send a request's headers, counted from the moment
    /// the connection waits for them: right after accept, and after each response on a
    /// kept-alive connection. It is therefore also the idle keep-alive timeout: a
    /// connection that sends nothing for this long is closed, without a response
    /// (hyper 1.12 arms it in `proto/h1/conn.rs` `poll_read_head`, which runs as soon as
    /// a connection is served and again once it is idle; `tests/tests/connections.rs`
    /// pins both cases).
    pub header_read_timeout: Duration,
    /// How long the whole request body may take to arrive, counted once the headers are
    /// in. A handler reading it after that gets an error (the ingest answers 408, the
    /// api 400), and the connection is closed after the response.
    pub body_timeout: Duration,
    /// Connections served at once. Beyond it, new connections are not accepted: they wait
    /// in the kernel's accept backlog until a served one closes (or the client gives up),
    /// so a burst is delayed rather than refused.
    pub max_connections: usize,
}

impl Default for Options {
    /// Headers within 10 s (also the idle timeout), the body within 30 s (the ingest's
    /// 1 MiB limit at ~35 KB/s), 1,024 connections: well above what the partners and the
    /// landing site open. Each connection is a file descriptor, so `ulimit -n` must leave
    /// room for them besides the database pool.
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            max_connections: 1024,
        }
    }
}

/// Serves `router` on `listener` until `shutdown` resolves, then stops accepting, lets
/// every request in flight finish (idle connections are closed at once) and returns once
/// the last connection has closed.
///
/// Accept errors are logged and never end the loop: a full file table (`EMFILE`) waits
/// a second, as `axum::serve` does, and a connection reset before accept is skipped.
pub async fn run(
    listener: TcpListener,
    router: Router,
    options: Options,
    shutdown: impl Future<Output = ()> + Send,
) {
    let service = TowerToHyperService::new(RequestBodyDeadline::new(router, options.body_timeout));
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(options.header_read_timeout)
        .keep_alive(true);
    let permits = Arc::new(Semaphore::new(options.max_connections.max(1)));
    // Graceful shutdown by hand: hyper-util's `GracefulShutdown` cannot watch a connection
    // that may be upgraded (the api's WebSocket at `/graphql/ws`). Every connection task
    // holds a receiver; `closed()` below resolves once the last one has finished.
    let (stopping, stop) = tokio::sync::watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // A permit first, then accept: over the bound, connections stay in the backlog.
        let permit = tokio::select! {
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break, // only if closed, which it never is
            },
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    accept_failed(error).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // An upgraded connection (a WebSocket) leaves hyper once upgraded: its permit is
        // released then, and the api bounds its WebSockets itself.
        let connection = builder
            .serve_connection(TokioIo::new(stream), service.clone())
            .with_upgrades();
        let mut stop = stop.clone();
        tokio::spawn(async move {
            let mut connection = std::pin::pin!(connection);
            let finished = tokio::select! {
                result = connection.as_mut() => Some(result),
                _ = stop.wait_for(|stopping| *stopping) => None,
            };
            let result = match finished {
                Some(result) => result,
                None => {
                    // Finishes the request in flight; an idle connection closes at once.
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            // Timeouts, resets and malformed requests end here; they are the client's doing.
            if let Err(error) = result {
                tracing::debug!(%error, "connection closed with an error");
            }
            drop(permit);
            drop(stop);
        });
    }
    drop(listener);
    stopping.send_replace(true);
    drop(stop);
    stopping.closed().await;
}

/// What `axum::serve` does on an accept error: skip the per-connection ones, and back
/// off a second on the rest (typically too many open files).
async fn accept_failed(error: std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(%error, "accept failed; retrying in 1 s");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
