//! `ingest serve` as a child process, configured as operators configure it: through the
//! environment (`DATABASE_URL`, `INGEST_ADDR`, `PARTNERS_CONFIG`, `INGEST_TOKEN_SECRET`).
//!
//! The child is the running test executable itself, started again with
//! [`CHILD_ENV`] set and told to run only the suite's [`ingest_entry_point!`] test,
//! which then calls `ingest::serve` exactly as `ingest/src/main.rs` does and never
//! returns. So the process always runs the code this test binary was built from: no
//! stale `target/*/ingest`, no cargo invocation from inside a test, nothing to build
//! first on a fresh clone. Set [`BIN_ENV`] to a built `ingest` binary to test that
//! binary instead (e.g. a release build).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::{free_port, kill_with_parent, show_logs, tail, work_dir};

/// Set on a child process: run the ingest instead of the suite's tests.
pub const CHILD_ENV: &str = "TRIPGRAPH_TEST_INGEST_CHILD";
/// Optional: a built `ingest` binary to start instead of re-running the test executable.
pub const BIN_ENV: &str = "TRIPGRAPH_INGEST_BIN";
/// The name of the test [`ingest_entry_point!`] defines, at the root of a suite.
pub const ENTRY_POINT: &str = "ingest_process_entry_point";

/// How long a starting ingest may take to answer `/readyz` 200 (connect, migrate, warm
/// the airport table; a debug build on a loaded 2-core machine).
const READY_WITHIN: Duration = Duration::from_secs(60);

/// Defines the test through which a suite's executable becomes an `ingest` child
/// process. Invoke it once at the root of every suite that starts [`IngestProcess`]es:
/// in a normal run the test returns at once.
#[macro_export]
macro_rules! ingest_entry_point {
    () => {
        /// Not a specification: the entry point of the `ingest` child processes this
        /// suite starts (it does nothing unless started as one).
        #[test]
        fn ingest_process_entry_point() {
            $crate::live::ingest::run_if_child();
        }
    };
}

/// In a child started by [`IngestProcess`], serves the ingest until it is stopped and
/// exits the process; otherwise returns at once.
pub fn run_if_child() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    use clap::Parser;
    common::logging::init();
    let code = match ingest::config::Cli::try_parse_from(["ingest", "serve"]) {
        Err(err) => {
            eprintln!("{err}");
            2
        }
        Ok(cli) => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .expect("tokio runtime");
            match runtime.block_on(ingest::serve(cli.config)) {
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

/// A running `ingest serve` child process. Dropping it kills the process (SIGKILL); if
/// the test is panicking, the path of its log (and with `TEST_LOG` its last lines) is
/// printed and its folder kept.
pub struct IngestProcess {
    name: String,
    child: Child,
    dir: PathBuf,
    log: PathBuf,
    pub addr: SocketAddr,
    /// Base URL, e.g. `http://127.0.0.1:40123`.
    pub url: String,
}

/// Why a child did not become ready.
#[derive(Debug)]
pub enum NotReady {
    /// It stopped: its exit status and the end of its log.
    Exited(ExitStatus, String),
    /// It kept running without answering `/readyz` 200 in time.
    Timeout(String),
}

impl IngestProcess {
    /// Starts an ingest on `database_url` with the test registry and waits until
    /// `/readyz` answers 200; another port is tried if the chosen one was taken meanwhile.
    /// Panics, with the child's log, if it does not become ready.
    pub async fn start(name: &str, database_url: &str) -> Self {
        let mut attempt = 1;
        loop {
            let mut process = Self::spawn(name, database_url);
            match process.wait_ready().await {
                Ok(()) => return process,
                Err(NotReady::Exited(_, log))
                    if attempt < 3 && log.contains("Address already in use") =>
                {
                    attempt += 1;
                }
                Err(err) => panic!("ingest {name} did not become ready: {err:?}"),
            }
        }
    }

    /// Spawns an ingest on a free port without waiting for it.
    pub fn spawn(name: &str, database_url: &str) -> Self {
        let dir = work_dir(&format!("ingest-{name}"));
        let registry = dir.join("partners.toml");
        std::fs::write(&registry, crate::partners::REGISTRY).expect("write the test registry");
        let log = dir.join("ingest.log");
        let stdout = std::fs::File::create(&log).expect("create the ingest log");
        let stderr = stdout.try_clone().expect("clone the log handle");
        let addr: SocketAddr = ([127, 0, 0, 1], free_port()).into();

        let mut command = match std::env::var_os(BIN_ENV) {
            Some(binary) => {
                let mut command = Command::new(binary);
                command.arg("serve");
                command
            }
            None => {
                let mut command =
                    Command::new(std::env::current_exe().expect("the test executable"));
                command
                    .args([ENTRY_POINT, "--exact", "--nocapture", "--test-threads=1"])
                    .env(CHILD_ENV, "1");
                command
            }
        };
        command
            .env("DATABASE_URL", database_url)
            .env("INGEST_ADDR", addr.to_string())
            .env("PARTNERS_CONFIG", &registry)
            .env("INGEST_TOKEN_SECRET", crate::TOKEN_SECRET)
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr);
        kill_with_parent(&mut command);
        let child = command.spawn().expect("spawn the ingest");
        Self {
            name: name.to_owned(),
            child,
            dir,
            log,
            addr,
            url: format!("http://{addr}"),
        }
    }

    /// Waits until `/readyz` answers 200.
    ///
    /// # Errors
    /// When the child stops, or does not get ready within a minute.
    pub async fn wait_ready(&mut self) -> Result<(), NotReady> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .expect("client");
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            if let Ok(response) = client.get(format!("{}/readyz", self.url)).send().await {
                if response.status().as_u16() == 200 {
                    return Ok(());
                }
            }
            if let Some(status) = self.exit_status() {
                return Err(NotReady::Exited(status, tail(&self.log, 40)));
            }
            if Instant::now() > deadline {
                return Err(NotReady::Timeout(tail(&self.log, 40)));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// `kill -9`: the process gets no chance to finish anything. Returns once it is gone.
    pub fn kill(&mut self) {
        // `Child::kill` is SIGKILL on Unix.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The registry file the process reads (`PARTNERS_CONFIG`): rewrite it, then
    /// [`IngestProcess::hangup`].
    pub fn registry_path(&self) -> PathBuf {
        self.dir.join("partners.toml")
    }

    /// `kill -HUP`: the ingest re-reads its registry.
    pub fn hangup(&self) {
        let pid = libc::pid_t::try_from(self.child.id()).expect("a pid");
        // SAFETY: sending a signal to our own child process.
        let sent = unsafe { libc::kill(pid, libc::SIGHUP) };
        assert_eq!(sent, 0, "SIGHUP to ingest {}", self.name);
    }

    /// The exit status once the process has stopped; `None` while it runs.
    pub fn exit_status(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// The last lines of the process's log.
    pub fn log_tail(&self, lines: usize) -> String {
        tail(&self.log, lines)
    }
}

impl Drop for IngestProcess {
    fn drop(&mut self) {
        self.kill();
        if std::thread::panicking() {
            eprintln!(
                "ingest {} (pid {}, {}): log kept at {}",
                self.name,
                self.child.id(),
                self.url,
                self.log.display()
            );
            if show_logs() {
                eprintln!("--- last lines ---\n{}\n---", tail(&self.log, 60));
            }
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
