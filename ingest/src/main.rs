use clap::Parser;
use ingest::config::{Cli, Command, MappingCommand};

/// See the workspace `Cargo.toml` (mimalloc) for why the allocator is not the system's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    common::logging::init();
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => ingest::serve(cli.config).await,
        Command::Replay { partner } => ingest::replay::run(&cli.config, partner.as_deref()).await,
        Command::Prune { older_than } => ingest::prune::run(&cli.config, older_than).await,
        Command::Recount => ingest::recount::run(&cli.config).await,
        Command::CheckConfig => {
            let registry = ingest::check_registry(
                &cli.config.partners_config,
                cli.config.token_secret.as_ref(),
            )?;
            println!(
                "{}: {} partners, valid",
                cli.config.partners_config.display(),
                registry.iter().count()
            );
            Ok(())
        }
        Command::Mapping {
            command:
                MappingCommand::Check {
                    file,
                    sample,
                    topic,
                },
        } => {
            let (out, code) = ingest::mapping_check::run(&file, &sample, topic.as_deref());
            println!("{out}");
            std::process::exit(code);
        }
        Command::LoadSamples { url } => ingest::samples::load(&cli.config, &url).await,
    }
}
