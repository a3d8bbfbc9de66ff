//! The webhook receiver: partner registry and authentication, the five partner
//! adapters, and the processing rules that turn deliveries into bookings.

pub mod adapters;
pub mod airports;
pub mod auth;
pub mod canonical;
pub mod config;
pub mod http;
pub mod process;
pub mod registry;
pub mod replay;
pub mod samples;
pub mod tokens;
pub mod validate;

use std::sync::Arc;

use anyhow::Context;
use sea_orm::DatabaseConnection;

use crate::config::Config;
use crate::http::AppState;
use crate::process::Processor;
use crate::registry::Registry;
use crate::tokens::TokenIssuer;

/// Builds the application state from a loaded registry and an open database.
///
/// # Errors
/// When an `oauth2` partner is registered but no token-signing key is configured.
pub fn state(
    db: DatabaseConnection,
    registry: Registry,
    token_secret: Option<&common::Secret>,
    body_limit: usize,
) -> anyhow::Result<AppState> {
    require_token_secret(&registry, token_secret)?;
    Ok(AppState {
        processor: Processor::new(db),
        registry: Arc::new(registry),
        tokens: token_secret.map(|secret| TokenIssuer::new(secret.expose().as_bytes())),
        body_limit,
    })
}

/// Loads the registry, connects, migrates, and serves until SIGTERM/SIGINT.
///
/// # Errors
/// A bad registry or configuration, an unreachable database, or a port in use.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let registry = Registry::load(&config.partners_config).with_context(|| {
        format!(
            "loading the partner registry {}",
            config.partners_config.display()
        )
    })?;
    // Checked before connecting too, so that the mistake is reported at once.
    require_token_secret(&registry, config.token_secret.as_ref())?;
    let connections = pool_size(&config.database_url, config.db_connections);
    let db = common::db::connect(&config.database_url, connections).await?;
    airports::warm_up();
    let state = state(
        db,
        registry,
        config.token_secret.as_ref(),
        config.body_limit,
    )?;
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("listening on {}", config.addr))?;
    tracing::info!(addr = %config.addr, partners = state.registry.iter().count(), "ingest listening");
    common::serve::run(
        listener,
        http::router(state),
        common::serve::Options::default(),
        common::shutdown::signal(),
    )
    .await;
    tracing::info!("ingest stopped");
    Ok(())
}

/// The size of the ingest's database pool: `configured`, except on SQLite, where it is one
/// connection. The ingest only writes and SQLite has a single writer, so more connections
/// would only wait; and with several, each commit on one empties the page cache of the
/// others (WAL change detection), so most transactions would start by re-reading pages.
pub fn pool_size(database_url: &str, configured: u32) -> u32 {
    if database_url.starts_with("sqlite:") {
        1
    } else {
        configured
    }
}

/// An `oauth2` partner needs a key to sign its access tokens.
fn require_token_secret(
    registry: &Registry,
    token_secret: Option<&common::Secret>,
) -> anyhow::Result<()> {
    match registry.iter().find(|p| matches!(p.auth, registry::Auth::OAuth2 { .. })) {
        Some(partner) if token_secret.is_none() => anyhow::bail!(
            "partner {:?} uses auth = \"oauth2\", so INGEST_TOKEN_SECRET (or --token-secret) must be set to sign its access tokens",
            partner.name
        ),
        _ => Ok(()),
    }
}
