//! Start-up as operators run it: both binaries' serve paths, started at the same
//! moment on one fresh database, both migrate and both become ready; a bad registry
//! stops the ingest with a message naming the partner and the field.

use std::time::Duration;

use clap::Parser;
use tests::fresh_database_url;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn wait_ready(client: &reqwest::Client, url: &str) -> u16 {
    for _ in 0..200 {
        if let Ok(response) = client.get(url).send().await {
            return response.status().as_u16();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{url} never answered");
}

#[tokio::test]
async fn both_binaries_started_together_on_a_fresh_database_become_ready() {
    let url = fresh_database_url().await;
    let registry =
        std::env::temp_dir().join(format!("tripgraph-startup-{}.toml", uuid::Uuid::new_v4()));
    std::fs::write(&registry, tests::partners::REGISTRY).unwrap();
    let (ingest_port, api_port, second_ingest_port) = (free_port(), free_port(), free_port());
    let ingest_args = |port: u16| {
        let addr = format!("127.0.0.1:{port}");
        ingest::config::Cli::try_parse_from([
            "ingest",
            "--database-url",
            &url,
            "--addr",
            &addr,
            "--partners-config",
            registry.to_str().unwrap(),
            "--token-secret",
            "s",
        ])
        .unwrap()
    };
    let api_config = api::config::Config::try_parse_from([
        "api",
        "--database-url",
        &url,
        "--addr",
        &format!("127.0.0.1:{api_port}"),
        "--jwt-secret",
        "s",
    ])
    .unwrap();

    // Three processes' worth of start-up racing on one empty database.
    let first = tokio::spawn(ingest::serve(ingest_args(ingest_port).config));
    let second = tokio::spawn(ingest::serve(ingest_args(second_ingest_port).config));
    let api = tokio::spawn(api::commands::run(api_config));

    let client = reqwest::Client::new();
    for port in [ingest_port, second_ingest_port, api_port] {
        assert_eq!(
            wait_ready(&client, &format!("http://127.0.0.1:{port}/readyz")).await,
            200,
            "port {port}"
        );
        assert_eq!(
            wait_ready(&client, &format!("http://127.0.0.1:{port}/healthz")).await,
            200
        );
    }
    for task in [&first, &second, &api] {
        assert!(!task.is_finished(), "a server stopped: {task:?}");
    }
    first.abort();
    second.abort();
    api.abort();
    std::fs::remove_file(registry).ok();
}

#[tokio::test]
async fn a_bad_registry_stops_the_ingest_naming_partner_and_field() {
    let registry =
        std::env::temp_dir().join(format!("tripgraph-bad-{}.toml", uuid::Uuid::new_v4()));
    std::fs::write(&registry, "[[partner]]\nname = \"hahn-air\"\nadapter = \"hahn_air\"\nauth = \"token\"\ntoken = \"env:TRIPGRAPH_UNSET_VARIABLE\"\n").unwrap();
    let cli = ingest::config::Cli::try_parse_from([
        "ingest",
        "--database-url",
        "sqlite::memory:",
        "--partners-config",
        registry.to_str().unwrap(),
    ])
    .unwrap();
    let error = format!("{:#}", ingest::serve(cli.config).await.unwrap_err());
    assert!(
        error.contains("\"hahn-air\"")
            && error.contains("`token`")
            && error.contains("TRIPGRAPH_UNSET_VARIABLE"),
        "{error}"
    );
    std::fs::remove_file(registry).ok();
}

#[tokio::test]
async fn an_oauth_partner_without_a_signing_key_stops_the_ingest() {
    let registry =
        std::env::temp_dir().join(format!("tripgraph-oauth-{}.toml", uuid::Uuid::new_v4()));
    std::fs::write(&registry, "[[partner]]\nname = \"spotnana\"\nadapter = \"spotnana\"\nauth = \"oauth2\"\nclient_id = \"c\"\nclient_secret = \"s\"\n").unwrap();
    let cli = ingest::config::Cli::try_parse_from([
        "ingest",
        "--database-url",
        "sqlite::memory:",
        "--partners-config",
        registry.to_str().unwrap(),
    ])
    .unwrap();
    let error = format!("{:#}", ingest::serve(cli.config).await.unwrap_err());
    assert!(
        error.contains("INGEST_TOKEN_SECRET") && error.contains("spotnana"),
        "{error}"
    );
    std::fs::remove_file(registry).ok();
}
