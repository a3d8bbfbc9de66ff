//! The product as real processes: suites that kill the `ingest` with SIGKILL, run two of
//! them on one database, or take its PostgreSQL server away, need it in a child process
//! rather than on the test's own runtime.
//!
//! - [`ingest`]: starting, probing and killing `ingest serve` child processes;
//! - [`postgres`]: a private PostgreSQL server that a test owns and may stop;
//! - [`load`]: a bounded workload of partner deliveries, and the checks that every
//!   acknowledged one is archived once and every booking shows its newest delivery.
//!
//! Everything listens on and connects to 127.0.0.1 only. Every child process is killed
//! when its guard is dropped, also when a test panics, and (Linux) when the test process
//! itself dies.

pub mod api;
pub mod ingest;
pub mod load;
pub mod postgres;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A port that was free a moment ago on 127.0.0.1. Another process may take it before
/// the child binds it; [`ingest::IngestProcess::start`] then tries another.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free port on 127.0.0.1")
}

/// A new, empty folder for one child process's files (its log, its registry, a
/// database server's data), under the system temp folder.
pub fn work_dir(label: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join("tripgraph-live")
        .join(format!("{label}-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
    dir
}

/// The last `lines` lines of a log file (or why it could not be read).
pub fn tail(path: &Path, lines: usize) -> String {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let all: Vec<&str> = text.lines().collect();
            all[all.len().saturating_sub(lines)..].join("\n")
        }
        Err(err) => format!("({}: {err})", path.display()),
    }
}

/// Whether a failing test should show the product's log lines (`TEST_LOG`, as CI sets).
pub fn show_logs() -> bool {
    std::env::var_os("TEST_LOG").is_some()
}

/// Asks the kernel to SIGKILL the child when the thread that spawned it exits — so
/// that a test process killed by a timeout leaves no server behind. Spawn children from
/// the test's own thread (the `#[tokio::test]` body), not from a spawned task.
pub fn kill_with_parent(command: &mut std::process::Command) {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: prctl is async-signal-safe and touches only the calling (child) process.
        unsafe {
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = command;
}

/// A small deterministic random source (xorshift64*), seeded from `TEST_SEED` when set so
/// that a failing order can be replayed; the seed is printed.
pub struct Rng(u64);

impl Rng {
    pub fn from_env(label: &str) -> Self {
        let seed = std::env::var("TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(1, |d| d.as_nanos() as u64)
            });
        println!("{label}: TEST_SEED={seed}");
        Self(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Fisher–Yates.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next_u64() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

/// Every violated expectation of a run, grouped by kind, so that one failure reports
/// all of them at once instead of the first.
#[derive(Debug, Default)]
pub struct Problems {
    kinds: BTreeMap<String, Vec<String>>,
}

impl Problems {
    pub fn add(&mut self, kind: &str, detail: impl Into<String>) {
        self.kinds
            .entry(kind.to_owned())
            .or_default()
            .push(detail.into());
    }

    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// Panics, listing every kind with its count and first examples, unless none.
    pub fn assert_none(&self, summary: &str) {
        if self.is_empty() {
            return;
        }
        let mut report = format!("{summary}\n");
        for (kind, details) in &self.kinds {
            report.push_str(&format!("\n{kind}: {} time(s)\n", details.len()));
            for detail in details.iter().take(6) {
                report.push_str(&format!("  - {detail}\n"));
            }
        }
        panic!("{report}");
    }
}
