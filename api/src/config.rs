//! Command line and environment (CONTRACT §1), parsed once at start-up.
//!
//! Every setting is a flag with an environment fallback. The signing key is optional
//! here only because `api print-schema` does not need it; [`Config::jwt_secret`] is
//! where `serve` and `token` refuse to go on without it.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use anyhow::{bail, Context};
use axum::http::HeaderValue;
use clap::{Args, Parser, Subcommand};
use common::Secret;

use crate::auth::Role;
use uuid::Uuid;

/// The GraphQL API of tripgraph: bookings and the event archive.
#[derive(Debug, Parser)]
#[command(name = "api", version, about)]
pub struct Config {
    /// Database URL: `sqlite://…` (embedded, the folder is created) or `postgres://…`.
    #[arg(long, env = "DATABASE_URL", default_value = common::DEFAULT_DATABASE_URL, global = true)]
    pub database_url: String,

    /// Database the api reads from, e.g. a streaming read replica of `DATABASE_URL`;
    /// when unset, `DATABASE_URL`. The api never writes there (no migrations: it waits
    /// for the primary's schema to arrive). Live updates still listen on, and re-read
    /// from, `DATABASE_URL`: a replica neither forwards `NOTIFY` nor is guaranteed to
    /// hold the change yet when it is announced.
    #[arg(long, env = "API_DATABASE_URL", global = true)]
    pub read_database_url: Option<String>,

    /// Address the API listens on.
    #[arg(
        long,
        env = "API_ADDR",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub addr: SocketAddr,

    /// Key that verifies API tokens (HS256); `api token` signs with it. Required to serve.
    #[arg(long, env = "API_JWT_SECRET", hide_env_values = true, global = true)]
    pub jwt_secret: Option<Secret>,

    /// Browser origins allowed to call the API (the landing site), comma-separated,
    /// e.g. `https://www.example.com,https://example.com`. None: no CORS headers at all.
    #[arg(long, env = "API_CORS_ORIGINS", value_delimiter = ',', global = true)]
    pub cors_origins: Vec<String>,

    /// Seconds one request may take before it is answered 503.
    #[arg(
        long,
        env = "API_REQUEST_TIMEOUT_S",
        default_value_t = 10,
        global = true
    )]
    pub request_timeout_s: u64,

    /// Size of the database connection pool; by default twice the CPUs this process may
    /// use (at least 2). Each `booking(id)` is one short statement, so more connections
    /// than the database server can run at once only add context switches.
    #[arg(
        long,
        env = "API_DB_MAX_CONNECTIONS",
        default_value_t = default_pool_size(),
        global = true
    )]
    pub db_max_connections: u32,

    /// Folder of `.graphql` files, each one or more operations: when set, landing tokens
    /// may run only those operations (analysts are not restricted). Read at start-up; a
    /// file that does not parse stops it.
    #[arg(long, env = "API_TRUSTED_DOCUMENTS", global = true)]
    pub trusted_documents: Option<PathBuf>,

    /// `max-age` in seconds of the `Cache-Control: private` header on queries answered
    /// over `GET /graphql`.
    #[arg(long, env = "API_GET_MAX_AGE_S", default_value_t = 30, global = true)]
    pub get_max_age_s: u64,

    /// Bounds on WebSocket connections and subscriptions (`/graphql/ws`).
    #[command(flatten)]
    pub live: crate::live::limits::LimitsArgs,

    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands of `api`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the GraphQL API (the default).
    Serve,
    /// Print a signed API token, e.g. to paste into GraphiQL's headers.
    Token(TokenArgs),
    /// Print the schema as GraphQL SDL (what `schema.graphql` holds).
    PrintSchema,
}

/// Arguments of `api token`.
#[derive(Debug, Args)]
pub struct TokenArgs {
    /// Role the token grants: `landing` or `analyst`.
    #[arg(long)]
    pub role: Role,

    /// Lifetime: `8h`, `30m`, `7d`, `1h30m`, or plain seconds.
    #[arg(long, default_value = "8h", value_parser = parse_ttl)]
    pub ttl: Duration,

    /// Who the token is for (the `sub` claim); it appears in the API's logs.
    #[arg(long, default_value = "cli")]
    pub sub: String,

    /// Scope a landing token to this one booking id (the `booking` claim): it then
    /// reads that booking and no other. Only with `--role landing`.
    #[arg(long)]
    pub booking: Option<Uuid>,
}

impl Config {
    /// The token key, or a message saying how to provide it.
    ///
    /// # Errors
    /// When `API_JWT_SECRET` / `--jwt-secret` is unset or empty.
    pub fn jwt_secret(&self) -> anyhow::Result<&Secret> {
        match &self.jwt_secret {
            Some(secret) if !secret.expose().is_empty() => Ok(secret),
            _ => bail!(
                "API_JWT_SECRET is not set: the api needs the key that verifies API tokens \
                 (set API_JWT_SECRET or pass --jwt-secret)"
            ),
        }
    }

    /// The CORS origins as header values, blanks dropped.
    ///
    /// # Errors
    /// When an entry is not an `http://` or `https://` origin; the message names it.
    pub fn cors_origins(&self) -> anyhow::Result<Vec<HeaderValue>> {
        let mut origins = Vec::new();
        for origin in self
            .cors_origins
            .iter()
            .map(|o| o.trim())
            .filter(|o| !o.is_empty())
        {
            let origin = origin.trim_end_matches('/');
            if !(origin.starts_with("http://") || origin.starts_with("https://")) {
                bail!("API_CORS_ORIGINS: `{origin}` is not an origin like https://www.example.com");
            }
            let value = HeaderValue::from_str(origin).with_context(|| {
                format!("API_CORS_ORIGINS: `{origin}` is not a valid header value")
            })?;
            origins.push(value);
        }
        Ok(origins)
    }

    /// How long one request may take.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_s.max(1))
    }
}

/// Parses a lifetime such as `8h`, `30m`, `7d`, `1h30m` or `3600` (seconds).
///
/// # Errors
/// A message for clap when the text is not such a lifetime or is zero.
pub fn parse_ttl(text: &str) -> Result<Duration, String> {
    let invalid = || format!("`{text}` is not a lifetime like 8h, 30m, 7d, 1h30m or 3600");
    let text = text.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return (seconds > 0)
            .then(|| Duration::from_secs(seconds))
            .ok_or_else(invalid);
    }
    let mut total: u64 = 0;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            _ => return Err(invalid()),
        };
        let value: u64 = number.parse().map_err(|_| invalid())?;
        total = value
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(invalid)?;
        number.clear();
    }
    if !number.is_empty() || total == 0 {
        return Err(invalid());
    }
    Ok(Duration::from_secs(total))
}

/// Twice the CPUs available to this process, at least 2: the classic size for a pool
/// of short statements against a database on similar hardware.
fn default_pool_size() -> u32 {
    let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    u32::try_from(cpus.saturating_mul(2))
        .unwrap_or(u32::MAX)
        .max(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_accept_units_and_plain_seconds() {
        assert_eq!(parse_ttl("8h"), Ok(Duration::from_secs(8 * 3600)));
        assert_eq!(parse_ttl("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_ttl("7d"), Ok(Duration::from_secs(7 * 86_400)));
        assert_eq!(parse_ttl("90"), Ok(Duration::from_secs(90)));
        for bad in ["", "0", "8x", "h", "0h", "1h30"] {
            assert!(parse_ttl(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn serving_without_a_secret_is_refused_with_a_clear_message() {
        let mut config = Config::try_parse_from(["api"]).unwrap();
        config.jwt_secret = None;
        let message = config.jwt_secret().map(|_| ()).unwrap_err().to_string();
        assert!(message.contains("API_JWT_SECRET"), "{message}");
    }

    #[test]
    fn cors_origins_are_checked() {
        let mut config = Config::try_parse_from(["api"]).unwrap();
        config.cors_origins = vec!["https://a.example/".into(), " ".into()];
        assert_eq!(
            config.cors_origins().unwrap(),
            vec![HeaderValue::from_static("https://a.example")]
        );
        config.cors_origins = vec!["a.example".into()];
        assert!(config
            .cors_origins()
            .unwrap_err()
            .to_string()
            .contains("a.example"));
    }
}
