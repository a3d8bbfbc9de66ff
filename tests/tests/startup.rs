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

/// The status `url` answers with, once its server listens; fails with the server's own
/// error if it stopped during start-up.
async fn wait_ready(
    client: &reqwest::Client,
    url: &str,
    server: &mut tokio::task::JoinHandle<anyhow::Result<()>>,
) -> u16 {
    for _ in 0..400 {
        if let Ok(response) = client.get(url).send().await {
            return response.status().as_u16();
        }
        if server.is_finished() {
            panic!("the server behind {url} stopped: {:?}", server.await);
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
    let mut first = tokio::spawn(ingest::serve(ingest_args(ingest_port).config));
    let mut second = tokio::spawn(ingest::serve(ingest_args(second_ingest_port).config));
    let mut api = tokio::spawn(api::commands::run(api_config));

    let client = reqwest::Client::new();
    for (port, server) in [
        (ingest_port, &mut first),
        (second_ingest_port, &mut second),
        (api_port, &mut api),
    ] {
        let ready = wait_ready(&client, &format!("http://127.0.0.1:{port}/readyz"), server).await;
        assert_eq!(ready, 200, "port {port}");
        let healthy =
            wait_ready(&client, &format!("http://127.0.0.1:{port}/healthz"), server).await;
        assert_eq!(healthy, 200);
    }
    for task in [&first, &second, &api] {
        assert!(!task.is_finished(), "a server stopped: {task:?}");
    }
    first.abort();
    second.abort();
    api.abort();
    std::fs::remove_file(registry).ok();
}

/// Starts the ingest on a throw-away registry that must stop it; returns the message.
async fn start_up_error(registry_text: &str) -> String {
    let registry =
        std::env::temp_dir().join(format!("tripgraph-bad-{}.toml", uuid::Uuid::new_v4()));
    std::fs::write(&registry, registry_text).unwrap();
    let cli = ingest::config::Cli::try_parse_from([
        "ingest",
        "--database-url",
        "sqlite::memory:",
        "--partners-config",
        registry.to_str().unwrap(),
    ])
    .unwrap();
    let error = format!("{:#}", ingest::serve(cli.config).await.unwrap_err());
    std::fs::remove_file(registry).ok();
    error
}

#[tokio::test]
async fn a_bad_registry_stops_the_ingest_naming_partner_and_field() {
    let error = start_up_error("[[partner]]\nname = \"hahn-air\"\nadapter = \"hahn_air\"\nauth = \"token\"\ntoken = \"env:TRIPGRAPH_UNSET_VARIABLE\"\n").await;
    assert!(
        error.contains("\"hahn-air\"")
            && error.contains("`token`")
            && error.contains("TRIPGRAPH_UNSET_VARIABLE"),
        "{error}"
    );
}

#[tokio::test]
async fn an_oauth_partner_without_a_signing_key_stops_the_ingest() {
    let error = start_up_error("[[partner]]\nname = \"spotnana\"\nadapter = \"spotnana\"\nauth = \"oauth2\"\nclient_id = \"c\"\nclient_secret = \"s\"\n").await;
    assert!(
        error.contains("INGEST_TOKEN_SECRET") && error.contains("spotnana"),
        "{error}"
    );
}
