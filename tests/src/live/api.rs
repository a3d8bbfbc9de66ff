//! `api serve` as a child process, configured through the environment (`DATABASE_URL`,
//! `API_ADDR`, `API_JWT_SECRET`), exactly as [`super::ingest`] runs the ingest: the
//! test executable started again with [`CHILD_ENV`] set, running only the suite's
//! [`api_entry_point!`] test, which calls `api::commands::run` as `api/src/main.rs` does.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{free_port, kill_with_parent, show_logs, tail, work_dir};

/// Set on a child process: run the api instead of the suite's tests.
pub const CHILD_ENV: &str = "TRIPGRAPH_TEST_API_CHILD";
/// The name of the test [`api_entry_point!`] defines, at the root of a suite.
pub const ENTRY_POINT: &str = "api_process_entry_point";

const READY_WITHIN: Duration = Duration::from_secs(60);

/// Defines the test through which a suite's executable becomes an `api` child process.
#[macro_export]
macro_rules! api_entry_point {
    () => {
        /// Not a specification: the entry point of the `api` child processes this
        /// suite starts (it does nothing unless started as one).
        #[test]
        fn api_process_entry_point() {
            $crate::live::api::run_if_child();
        }
    };
}

/// In a child started by [`ApiProcess`], serves the api until it is stopped and exits
/// the process; otherwise returns at once.
pub fn run_if_child() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    use clap::Parser;
    common::logging::init();
    let code = match api::config::Config::try_parse_from(["api", "serve"]) {
        Err(err) => {
            eprintln!("{err}");
            2
        }
        Ok(config) => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .expect("tokio runtime");
            match runtime.block_on(api::commands::run(config)) {
                Ok(()) => 0,
                Err(err) => {
                    eprintln!("Error: {err:?}");
                    1
                }
            }
        }
    };
    std::process::exit(code);
}

/// A running `api serve` child process; dropping it kills the process.
pub struct ApiProcess {
    child: Child,
    dir: PathBuf,
    log: PathBuf,
    /// Base URL, e.g. `http://127.0.0.1:40123`.
    pub url: String,
}

impl ApiProcess {
    /// Starts an api on `database_url` (tokens signed with [`crate::JWT_SECRET`]) and
    /// waits until `/readyz` answers 200. Panics, with its log, if it does not.
    pub async fn start(database_url: &str) -> Self {
        Self::start_with(database_url, &[]).await
    }

    /// As [`ApiProcess::start`], with more environment variables (e.g. `API_DATABASE_URL`).
    pub async fn start_with(database_url: &str, env: &[(&str, &str)]) -> Self {
        let dir = work_dir("api");
        let log = dir.join("api.log");
        let stdout = std::fs::File::create(&log).expect("create the api log");
        let stderr = stdout.try_clone().expect("clone the log handle");
        let addr: SocketAddr = ([127, 0, 0, 1], free_port()).into();
        let mut command = Command::new(std::env::current_exe().expect("the test executable"));
        command
            .args([ENTRY_POINT, "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, "1")
            .env("DATABASE_URL", database_url)
            .env("API_ADDR", addr.to_string())
            .env("API_JWT_SECRET", crate::JWT_SECRET)
            .envs(env.iter().copied())
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr);
        kill_with_parent(&mut command);
        let child = command.spawn().expect("spawn the api");
        let mut process = Self {
            child,
            dir,
            log,
            url: format!("http://{addr}"),
        };
        process.wait_ready().await;
        process
    }

    async fn wait_ready(&mut self) {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .expect("client");
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            if let Ok(response) = client.get(format!("{}/readyz", self.url)).send().await {
                if response.status().as_u16() == 200 {
                    return;
                }
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the api stopped ({status}):\n{}", tail(&self.log, 40));
            }
            assert!(
                Instant::now() < deadline,
                "the api did not become ready:\n{}",
                tail(&self.log, 40)
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for ApiProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("api ({}): log kept at {}", self.url, self.log.display());
            if show_logs() {
                eprintln!("--- last lines ---\n{}\n---", tail(&self.log, 60));
            }
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
