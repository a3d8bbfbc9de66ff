//! What `api` does for each subcommand: serve, print a token, print the schema.

use anyhow::Context;

use crate::{
    auth::TokenKeys,
    config::{Command, Config, TokenArgs},
    http::{router, AppState, HttpOptions},
    schema,
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
        ..HttpOptions::default()
    };
    let db = common::db::connect(&config.database_url, config.db_max_connections).await?;
    let app = router(AppState::new(db, secret).with_options(options));
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
    let keys = TokenKeys::new(config.jwt_secret()?);
    let token = keys.issue(args.role, args.ttl, &args.sub)?;
    println!("{token}");
    Ok(())
}
