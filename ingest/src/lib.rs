//! The webhook receiver: partner registry and authentication, the processing rules
//! that turn deliveries into bookings, and the HTTP edge. The adapters, the canonical
//! change and the validated values live in the adapter kit (crate `adapters`),
//! re-exported here under their old paths.

pub use adapters::{self, airports, canonical, validate};

pub mod auth;
pub mod config;
pub mod http;
pub mod intake;
pub mod mapping_check;
pub mod process;
pub mod prune;
pub mod recount;
pub mod registry;
pub mod replay;
pub mod samples;
pub mod tokens;

use anyhow::Context;
use sea_orm::DatabaseConnection;

use crate::config::Config;
use crate::http::AppState;
use crate::process::Processor;
use crate::registry::{Registry, SharedRegistry};
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
        registry: SharedRegistry::new(registry),
        tokens: token_secret.and_then(|secret| TokenIssuer::from_list(secret.expose())),
        body_limit,
    })
}

/// Loads the registry, connects, migrates, and serves until SIGTERM/SIGINT.
///
/// # Errors
/// A bad registry or configuration, an unreachable database, or a port in use.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    // Checked before connecting, so that a mistake is reported at once.
    let registry = check_registry(&config.partners_config, config.token_secret.as_ref())?;
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
    tracing::info!(addr = %config.addr, partners = state.registry.current().iter().count(), "ingest listening");
    let retention = config.archive_retention_days;
    if retention.is_some() || !config.database_url.starts_with("sqlite:") {
        // Its own connection: a batch never waits for the deliveries' pool, nor they
        // for more than one batch.
        let upkeep_db = common::db::connect(&config.database_url, 1).await?;
        if let Some(retention) = retention {
            let days = retention.as_duration().as_secs() / 86_400;
            tracing::info!(days, "archive retention on");
        }
        tokio::spawn(prune::daily(upkeep_db, retention));
    }
    tokio::spawn(reload_on_hangup(
        state.clone(),
        config.partners_config.clone(),
        config.token_secret.clone(),
    ));
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

/// Loads and checks a registry the way `serve` would, without serving: for
/// `ingest check-config` and for reloads.
///
/// # Errors
/// The first mistake, naming the partner and the field.
pub fn check_registry(
    path: &std::path::Path,
    token_secret: Option<&common::Secret>,
) -> anyhow::Result<Registry> {
    let registry = Registry::load(path)
        .with_context(|| format!("loading the partner registry {}", path.display()))?;
    require_token_secret(&registry, token_secret)?;
    Ok(registry)
}

/// Re-reads the registry at `path` and puts it in force; an invalid one changes
/// nothing. Requests in flight finish with the registry they started with.
///
/// # Errors
/// As [`check_registry`].
pub fn reload(
    state: &AppState,
    path: &std::path::Path,
    token_secret: Option<&common::Secret>,
) -> anyhow::Result<()> {
    let registry = check_registry(path, token_secret)?;
    let partners = registry.iter().count();
    state.registry.replace(registry);
    tracing::info!(partners, "partner registry reloaded");
    Ok(())
}

/// `SIGHUP` reloads the registry (CONTRACT §2 rev. 2).
async fn reload_on_hangup(
    state: AppState,
    path: std::path::PathBuf,
    token_secret: Option<common::Secret>,
) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let Ok(mut hangups) = signal(SignalKind::hangup()) else {
            tracing::warn!("cannot listen for SIGHUP: the registry cannot be reloaded");
            return;
        };
        while hangups.recv().await.is_some() {
            if let Err(err) = reload(&state, &path, token_secret.as_ref()) {
                tracing::error!(
                    error = format!("{err:#}"),
                    "the new partner registry is invalid; the running one stays in force"
                );
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (state, path, token_secret);
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
