//! What `api` does for each subcommand: serve, print a token, print the schema.

use anyhow::Context;

use crate::{
    auth::{Role, TokenKeys, TokenSpec},
    config::{Command, Config, TokenArgs},
    http::{router, AppState, HttpOptions},
    schema::{self, documents::DocumentCache, trusted::TrustedDocuments},
};

/// Runs the subcommand chosen on the command line (`serve` when none was).
///
/// # Errors
/// Anything that stops start-up (missing secret, bad origin, unreachable database,
/// failed migration, busy address), with a message naming it.
pub async fn run(config: Config) -> anyhow::Result<()> {
    match &config.command {
        None | Some(Command::Serve) => serve(&config).await,
        Some(Command::Token(args)) => print_token(&config, args),
        Some(Command::PrintSchema) => {
            print!("{}", schema::sdl());
            Ok(())
        }
    }
}

/// Connects (applying migrations), then serves until SIGTERM/SIGINT, finishing requests
/// in flight.
async fn serve(config: &Config) -> anyhow::Result<()> {
    let secret = config.jwt_secret()?;
    let options = HttpOptions {
        cors_origins: config.cors_origins()?,
        request_timeout: config.request_timeout(),
        live: config.live.limits(),
        get_max_age: std::time::Duration::from_secs(config.get_max_age_s),
        ..HttpOptions::default()
    };
    // Read before connecting: a bad file stops start-up at once, naming it.
    let documents = match &config.trusted_documents {
        Some(dir) => {
            let trusted = TrustedDocuments::load(dir)?;
            tracing::info!(dir = %dir.display(), documents = trusted.len(), "landing tokens run only trusted documents");
            DocumentCache::trusting(trusted)
        }
        None => DocumentCache::new(),
    };
    let primary = common::db::connect(&config.database_url, config.db_max_connections).await?;
    let reads = match &config.read_database_url {
        Some(url) => {
            let reads = common::db::connect_read_only(url, config.db_max_connections).await?;
            tracing::info!(url = %common::db::redact(url), "queries read from the read database");
            reads
        }
        None => primary.clone(),
    };
    let app = router(
        AppState::new(primary, secret)
            .with_reads(reads)
            .with_options(options)
            .with_documents(documents),
    );
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("listening on {}", config.addr))?;
    tracing::info!(addr = %config.addr, "api listening; GraphiQL at /graphql");
    common::serve::run(
        listener,
        app,
        common::serve::Options::default(),
        common::shutdown::signal(),
    )
    .await;
    tracing::info!("api stopped");
    Ok(())
}

fn print_token(config: &Config, args: &TokenArgs) -> anyhow::Result<()> {
    if args.booking.is_some() && args.role != Role::Landing {
        anyhow::bail!(
            "--booking scopes a landing token to one booking: use it with --role landing \
             (an analyst token reads every booking)"
        );
    }
    let keys = TokenKeys::new(config.jwt_secret()?);
    let spec = TokenSpec {
        role: args.role,
        subject: &args.sub,
        booking: args.booking,
    };
    let token = keys.issue_spec(&spec, args.ttl)?;
    println!("{token}");
    Ok(())
}
