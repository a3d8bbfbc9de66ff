//! Command line and environment (CONTRACT §1): each setting is a flag, else an
//! environment variable, else the default.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use common::Secret;

#[derive(Debug, Parser)]
#[command(name = "ingest", version, about = "tripgraph webhook receiver")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub config: Config,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the webhook endpoints (the default).
    Serve,
    /// Re-apply archived events that failed, or every event of one partner.
    Replay {
        /// Re-apply every event of this partner instead of the failed ones.
        #[arg(long)]
        partner: Option<String>,
    },
    /// Rebuild the counters behind the analysts' counts from the stored rows, in one
    /// transaction (a repair: deliveries keep them exact by themselves).
    Recount,
    /// Remove archived events received longer ago than an age, except the newest
    /// applied event of each booking; the counters follow (CONTRACT §5 rev. 2).
    Prune {
        /// The age: whole days (`90d`) or hours (`12h`), at least 1h.
        #[arg(long, value_name = "AGE")]
        older_than: crate::prune::Age,
    },
    /// Check the partner registry (and everything it refers to) without serving:
    /// exit 0 when `serve` would accept it, else 1 with the partner and the field.
    CheckConfig,
    /// Partner formats written as mapping files (CONTRACT §4.6).
    Mapping {
        #[command(subcommand)]
        command: MappingCommand,
    },
    /// Send the bundled sample deliveries to a running ingest through HTTP.
    LoadSamples {
        /// Base URL of the running ingest.
        #[arg(long, default_value = "http://127.0.0.1:8081")]
        url: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum MappingCommand {
    /// Check a mapping file and show what it makes of a partner's sample, without a
    /// database: the canonical change as JSON (exit 0), or every failing field (exit 1).
    Check {
        /// The mapping file, e.g. `mappings/acme.toml`.
        file: PathBuf,
        /// A sample body (JSON; a `.form` file is read as a form).
        #[arg(long)]
        sample: PathBuf,
        /// The `{topic}` URL segment the sample is posted to, if any.
        #[arg(long)]
        topic: Option<String>,
    },
}

#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Database URL: `sqlite://…` (embedded) or `postgres://…`.
    #[arg(long, env = "DATABASE_URL", default_value = common::DEFAULT_DATABASE_URL, global = true)]
    pub database_url: String,
    /// Address the webhook endpoints listen on.
    #[arg(
        long = "addr",
        env = "INGEST_ADDR",
        default_value = "127.0.0.1:8081",
        global = true
    )]
    pub addr: SocketAddr,
    /// The partner registry (TOML).
    #[arg(
        long,
        env = "PARTNERS_CONFIG",
        default_value = "partners.toml",
        global = true
    )]
    pub partners_config: PathBuf,
    /// Key that signs access tokens issued to `oauth2` partners (required when one is
    /// configured); a comma-separated list rolls it: the first signs, any verifies.
    #[arg(
        long = "token-secret",
        env = "INGEST_TOKEN_SECRET",
        hide_env_values = true,
        global = true
    )]
    pub token_secret: Option<Secret>,
    /// Largest accepted request body, in bytes.
    #[arg(long, env = "INGEST_BODY_LIMIT", default_value_t = crate::http::DEFAULT_BODY_LIMIT, global = true)]
    pub body_limit: usize,
    /// Database connections in the pool (PostgreSQL; on SQLite the ingest uses one).
    #[arg(
        long,
        env = "INGEST_DB_CONNECTIONS",
        default_value_t = 10,
        global = true
    )]
    pub db_connections: u32,
    /// Days of archive `serve` keeps: when set, it prunes older events (but each
    /// booking's newest applied one) at start and then daily. Unset: nothing is pruned.
    #[arg(
        long,
        env = "ARCHIVE_RETENTION_DAYS",
        value_name = "DAYS",
        value_parser = retention_days,
        global = true
    )]
    pub archive_retention_days: Option<crate::prune::Age>,
}

/// `ARCHIVE_RETENTION_DAYS`: a positive whole number of days.
fn retention_days(text: &str) -> Result<crate::prune::Age, String> {
    let days: u64 = text
        .trim()
        .parse()
        .map_err(|_| format!("expected a whole number of days, e.g. 90, got {text:?}"))?;
    crate::prune::Age::days(days)
}
