//! `api`: serves the GraphQL API, prints tokens and the schema. See [`api::config::Config`].

use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    common::logging::init();
    api::commands::run(api::config::Config::parse()).await
}
