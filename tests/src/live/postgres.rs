//! A private PostgreSQL server owned by one test, so that the test may stop it: its own
//! data folder under the temp folder (`initdb -A trust`), its own free port on
//! 127.0.0.1 and its own Unix-socket folder. The server runs in the foreground as a
//! child process (no `pg_ctl` daemon), so that it dies with the test.
//!
//! `initdb` and `postgres` refuse to run as root (CI runs as root): there both run as
//! the `postgres` user through `setpriv`, with the folder handed to that user.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sea_orm::{ConnectOptions, ConnectionTrait, Database};

use super::{free_port, kill_with_parent, show_logs, tail, work_dir};

/// The user the server runs as when the test runs as root.
const SERVER_USER: &str = "postgres";

/// A running (or deliberately stopped) private server.
pub struct PrivatePostgres {
    bin: PathBuf,
    dir: PathBuf,
    data: PathBuf,
    sockets: PathBuf,
    log: PathBuf,
    /// `Some(user)` when the server runs as another user (the test runs as root).
    run_as: Option<&'static str>,
    child: Option<Child>,
    pub port: u16,
}

impl PrivatePostgres {
    /// The folder holding `initdb` and `postgres`: `pg_config --bindir`, else the newest
    /// `/usr/lib/postgresql/*/bin`.
    pub fn bindir() -> Option<PathBuf> {
        let has_server =
            |dir: &Path| dir.join("initdb").is_file() && dir.join("postgres").is_file();
        let from_pg_config = Command::new("pg_config")
            .arg("--bindir")
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
        if let Some(dir) = from_pg_config.filter(|dir| has_server(dir)) {
            return Some(dir);
        }
        let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .flatten()
            .filter_map(|entry| {
                let version = entry.file_name().to_str()?.parse().ok()?;
                Some((version, entry.path().join("bin")))
            })
            .filter(|(_, dir)| has_server(dir))
            .collect();
        versions.sort();
        versions.pop().map(|(_, dir)| dir)
    }

    /// Creates and starts a server, waiting until it accepts connections.
    ///
    /// # Errors
    /// Why there can be no private server here (no binaries; root without a `postgres`
    /// user): the caller skips its test with that message.
    pub async fn start() -> Result<Self, String> {
        let bin = Self::bindir().ok_or(
            "no PostgreSQL server binaries (pg_config --bindir, /usr/lib/postgresql/*/bin)",
        )?;
        let run_as = if is_root() {
            if !user_exists(SERVER_USER) {
                return Err(format!(
                    "running as root, and there is no {SERVER_USER:?} user to run initdb as"
                ));
            }
            Some(SERVER_USER)
        } else {
            None
        };
        let dir = work_dir("postgres");
        let (data, sockets, log) = (
            dir.join("data"),
            dir.join("sockets"),
            dir.join("postgres.log"),
        );
        std::fs::create_dir_all(&sockets).expect("socket folder");
        if let Some(user) = run_as {
            let status = Command::new("chown")
                .args(["-R", &format!("{user}:"), dir.to_str().expect("utf-8 path")])
                .status()
                .expect("chown");
            assert!(status.success(), "chown {} to {user}", dir.display());
        }
        let mut server = Self {
            bin,
            dir,
            data,
            sockets,
            log,
            run_as,
            child: None,
            port: free_port(),
        };
        let initdb = server
            .command("initdb")
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
                "-D",
            ])
            .arg(&server.data)
            .output()
            .expect("run initdb");
        assert!(
            initdb.status.success(),
            "initdb failed: {}{}",
            String::from_utf8_lossy(&initdb.stdout),
            String::from_utf8_lossy(&initdb.stderr)
        );
        server.resume().await;
        Ok(server)
    }

    /// A URL for database `name` on this server (user `postgres`, trust).
    pub fn url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// Creates database `name` and returns its URL.
    pub async fn create_database(&self, name: &str) -> String {
        let admin = Database::connect(self.url("postgres"))
            .await
            .expect("connect to the private server");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create database");
        admin.close().await.ok();
        self.url(name)
    }

    /// Stops the server the way `pg_ctl stop -m immediate` does (SIGQUIT to the
    /// postmaster: every connection is cut at once, crash recovery at the next start) and
    /// returns once the postmaster is gone.
    pub fn stop_immediately(&mut self) {
        self.stop(libc::SIGQUIT, Duration::from_secs(10));
    }

    /// Starts the stopped server again on the same port and data, and waits until it
    /// accepts connections.
    pub async fn resume(&mut self) {
        assert!(self.child.is_none(), "the server is already running");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("server log");
        let port = self.port.to_string();
        let mut command = self.command("postgres");
        command
            .arg("-D")
            .arg(&self.data)
            .args(["-p", &port, "-k"])
            .arg(&self.sockets)
            // Not durable against a power cut, which no test makes: commits still reach
            // the OS before they are acknowledged, so a stopped server loses nothing.
            .args(["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"])
            .args(["-c", "max_connections=60"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log handle"))
            .stderr(log);
        self.child = Some(command.spawn().expect("start postgres"));
        self.wait_accepting().await;
    }

    async fn wait_accepting(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let mut options = ConnectOptions::new(self.url("postgres"));
            options
                .connect_timeout(Duration::from_secs(1))
                .max_connections(1)
                .sqlx_logging(false);
            if let Ok(db) = Database::connect(options).await {
                if db.execute_unprepared("SELECT 1").await.is_ok() {
                    db.close().await.ok();
                    return;
                }
            }
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                panic!("postgres exited ({status}): {}", tail(&self.log, 30));
            }
            assert!(
                Instant::now() < deadline,
                "postgres did not accept connections within 30 s: {}",
                tail(&self.log, 30)
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Signals the postmaster and reaps it, SIGKILL after `grace`.
    fn stop(&mut self, signal: libc::c_int, grace: Duration) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        // The child is the postmaster itself (`setpriv` execs it).
        let pid = child.id() as libc::pid_t;
        // SAFETY: signalling our own child process by pid.
        unsafe {
            libc::kill(pid, signal);
        }
        let deadline = Instant::now() + grace;
        while child.try_wait().ok().flatten().is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A command for one of the server binaries, as the server's user.
    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        let mut command = match self.run_as {
            Some(user) => {
                let mut command = Command::new("setpriv");
                command
                    .args(["--reuid", user, "--regid", user, "--init-groups"])
                    // setpriv sets it after changing user (a credential change clears it).
                    .args(["--pdeathsig", "KILL", "--"])
                    .arg(program);
                command
            }
            None => {
                let mut command = Command::new(program);
                kill_with_parent(&mut command);
                command
            }
        };
        command.current_dir(&self.dir).env_remove("PGDATA");
        command
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        // A fast shutdown (SIGINT) disconnects clients and exits cleanly.
        self.stop(libc::SIGINT, Duration::from_secs(5));
        if std::thread::panicking() {
            eprintln!(
                "private postgres on port {}: log kept at {}",
                self.port,
                self.log.display()
            );
            if show_logs() {
                eprintln!("--- last lines ---\n{}\n---", tail(&self.log, 40));
            }
            let _ = std::fs::remove_dir_all(&self.data);
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

fn user_exists(user: &str) -> bool {
    Command::new("id")
        .arg("-u")
        .arg(user)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
