//! `api`: serves the GraphQL API, prints tokens and the schema. See [`api::config::Config`].

use clap::Parser;

/// See the workspace `Cargo.toml` (mimalloc) for why the allocator is not the system's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    common::logging::init();
    api::commands::run(api::config::Config::parse()).await
}
