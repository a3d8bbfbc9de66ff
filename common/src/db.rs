//! Opening the database and bringing its schema up to date.

use std::time::Duration;

use anyhow::Context;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection};

/// Largest SQLite pool (see [`connect`]).
const SQLITE_MAX_CONNECTIONS: u32 = 4;

/// How long a statement waits for a pooled connection (or a new one) before the
/// database counts as unavailable.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_millis(500);

/// How long `/readyz` waits for the database before answering 503.
pub const PING_TIMEOUT: Duration = Duration::from_millis(750);

/// WAL size, in pages, at which a committing SQLite connection checkpoints.
pub const WAL_AUTOCHECKPOINT_PAGES: u32 = 10_000;

/// Connects to `url` (SQLite or PostgreSQL) and applies pending migrations.
///
/// For SQLite the parent folder of the file is created, and the connection runs in WAL
/// mode with a busy timeout and foreign keys on, so that `ingest`, `api` and
/// `ingest replay` can share one file.
///
/// # Errors
/// When the folder cannot be created, the database cannot be reached, or a migration fails.
pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<DatabaseConnection> {
    migrated(open(url, max_connections, Access::ReadWrite).await?).await
}

async fn migrated(db: DatabaseConnection) -> anyhow::Result<DatabaseConnection> {
    migration::migrate(&db)
        .await
        .context("applying database migrations")?;
    Ok(db)
}

/// How long [`connect_read_only`] waits for a replica to receive the primary's schema.
pub const SCHEMA_WAIT: Duration = Duration::from_secs(60);

/// Connects to `url` — a read replica, or a role that may only read — without applying
/// migrations (a replica refuses writes): the primary is migrated by whoever connects to
/// it with [`connect`]. Waits up to [`SCHEMA_WAIT`] until every migration this build
/// knows is recorded there (a replica that lags receives them a little later).
///
/// # Errors
/// When the database cannot be reached, or its schema is still behind after the wait.
pub async fn connect_read_only(
    url: &str,
    max_connections: u32,
) -> anyhow::Result<DatabaseConnection> {
    use migration::MigratorTrait as _;
    let db = open(url, max_connections, Access::ReadOnly).await?;
    let deadline = std::time::Instant::now() + SCHEMA_WAIT;
    loop {
        let pending = match migration::Migrator::get_pending_migrations_read_only(&db).await {
            Ok(pending) => pending.len(),
            // No migration table yet: nothing has been replicated.
            Err(_) => migration::Migrator::migrations().len(),
        };
        if pending == 0 {
            return Ok(db);
        }
        if std::time::Instant::now() >= deadline {
            anyhow::bail!(
                "the read database ({}) is {pending} migration(s) behind this build after                  waiting {}s: is it a replica of the primary (DATABASE_URL), and has the                  primary been migrated (start `ingest` or `api` on it first)?",
                redact(url),
                SCHEMA_WAIT.as_secs()
            );
        }
        tracing::info!(
            pending,
            "read database: waiting for the primary's schema to arrive"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    ReadWrite,
    /// Nothing is written, not even a pragma that changes the file (SQLite's WAL mode):
    /// a read-only copy may be in any journal mode.
    ReadOnly,
}

/// Opens a pool on `url` with the product's connection settings; no migration.
async fn open(
    url: &str,
    max_connections: u32,
    access: Access,
) -> anyhow::Result<DatabaseConnection> {
    if url.starts_with("sqlite:") && access != Access::ReadOnly {
        create_sqlite_folder(url)?;
    }
    let sqlite = url.starts_with("sqlite:");
    // SQLite has one writer: more connections would not write faster, and each holds
    // its own page cache, so the pool stays small there.
    let max_connections = if sqlite {
        max_connections.min(SQLITE_MAX_CONNECTIONS)
    } else {
        max_connections
    };
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections)
        .min_connections(1)
        // A request waits at most this long for a connection: an unreachable database
        // is answered 503 within a second (CONTRACT §3, §6), not after a long stall.
        // On SQLite a connection is never far away (the ingest serialises its writes
        // before asking for one), so the same bound holds there.
        .connect_timeout(ACQUIRE_TIMEOUT)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        // Pinging every connection on every checkout costs a round trip per statement;
        // only connections idle long enough to have been dropped are checked. A dead
        // one is still found by the first statement on it, which callers retry.
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        .sqlx_logging(false);
    if url.starts_with("postgres") {
        // One function: sea-orm keeps only the last one given.
        let ssl_as_asked = names_ssl_mode(url) || std::env::var_os("PGSSLMODE").is_some();
        options.map_sqlx_postgres_opts(move |opts| {
            // No JIT compilation: the product's statements read a bounded number of
            // rows, and compiling one costs 100–200 ms, which PostgreSQL starts whenever
            // a plan's estimate passes `jit_above_cost` (a bookings page over the days
            // of a year did).
            let mut opts = opts.options([("jit", "off")]);
            // libpq's default (`prefer`) encrypts even on a loopback address, where the
            // traffic never leaves the kernel: TLS there protects nothing and costs both
            // sides CPU on every statement (about a fifth of PostgreSQL's work per
            // `booking(id)`). Asked for with `sslmode` (or `PGSSLMODE`), it is used as
            // said.
            if !ssl_as_asked && is_loopback(opts.get_host()) {
                opts = opts.ssl_mode(sea_orm::sqlx::postgres::PgSslMode::Disable);
            }
            opts
        });
    }
    if url.starts_with("sqlite:") {
        options.map_sqlx_sqlite_opts(move |opts| {
            // `synchronous=FULL`: every commit is fsynced before it returns, so an
            // acknowledged delivery survives a power loss too (NORMAL may lose the
            // last commits in WAL mode).
            let opts = match access {
                Access::ReadWrite => {
                    opts.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                }
                Access::ReadOnly => opts.read_only(true),
            };
            opts.synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                // 8 MiB of page cache per connection (the default is 2 MiB): the
                // booking and event indexes stay in memory instead of being re-read.
                // Prepared statements kept per connection (sqlx's default is 100). A
                // group's writes reach SQLite as one multi-statement string whose text
                // differs from group to group; each is kept like any other, and 100 of
                // them (a few dozen prepared inserts each) held ~17 MiB. The statements
                // that repeat are used by every group, so they stay among the 32.
                .statement_cache_capacity(32)
                .pragma("cache_size", "-8192")
                .pragma("temp_store", "memory")
                // A commit copies the WAL back into the database file (a checkpoint,
                // with an fsync) once the WAL holds this many pages, while it holds the
                // single write lock. 10,000 pages (about 40 MiB of WAL) instead of 1,000:
                // ten times fewer checkpoints, and a hot index page rewritten by many
                // deliveries is copied once per checkpoint, not once per 1,000 pages.
                .pragma("wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES.to_string())
        });
    }
    connect_with_retry(options)
        .await
        .with_context(|| format!("connecting to the database ({})", redact(url)))
}

/// Two processes opening a fresh SQLite file at once race to switch it to WAL, and
/// the loser is refused at once ("database is locked"); a database that is still
/// starting refuses too. A few attempts with a growing pause settle both.
async fn connect_with_retry(options: ConnectOptions) -> Result<DatabaseConnection, sea_orm::DbErr> {
    const ATTEMPTS: u64 = 6;
    let mut attempt = 1;
    loop {
        match Database::connect(options.clone()).await {
            Ok(db) => return Ok(db),
            Err(err) if attempt < ATTEMPTS => {
                tracing::warn!(attempt, error = %err, "connecting to the database failed, retrying");
                tokio::time::sleep(Duration::from_millis(100 * attempt)).await;
                attempt += 1;
            }
            Err(err) => return Err(err),
        }
    }
}

/// Whether the database answers a trivial query within [`PING_TIMEOUT`]. Tried twice:
/// the first attempt may land on a pooled connection the server has since closed.
pub async fn ping(db: &DatabaseConnection) -> bool {
    let attempts = async {
        for _ in 0..2 {
            if db.execute_unprepared("SELECT 1").await.is_ok() {
                return true;
            }
        }
        false
    };
    tokio::time::timeout(PING_TIMEOUT, attempts)
        .await
        .unwrap_or(false)
}

/// The row of a lookup by a unique key. Such lookups use `all()` rather than `one()`:
/// `one()` adds `LIMIT ?`, and SQLite compiles a statement anew each time a parameter
/// its planner looked at (the limit) is bound again, so the cached statement would be
/// re-prepared on every call.
pub fn first<T>(rows: Vec<T>) -> Option<T> {
    rows.into_iter().next()
}

/// How long a delivery may wait in all for a connection of a pool that is busy (other
/// deliveries commit meanwhile) before it is answered 503.
pub const BUSY_WAIT: Duration = Duration::from_secs(5);

/// The most connections the pool opens.
pub fn max_connections(db: &DatabaseConnection) -> u32 {
    match db.get_database_backend() {
        DatabaseBackend::Postgres => db
            .get_postgres_connection_pool()
            .options()
            .get_max_connections(),
        DatabaseBackend::Sqlite => db
            .get_sqlite_connection_pool()
            .options()
            .get_max_connections(),
        _ => 1,
    }
}

/// Whether every connection the pool may open is open and checked out: a wait for a
/// connection that timed out then met a busy (or briefly stalled) database, not an
/// unreachable one, whose connections fail at their first statement and leave the pool.
pub fn pool_saturated(db: &DatabaseConnection) -> bool {
    fn full<D: sea_orm::sqlx::Database>(pool: &sea_orm::sqlx::Pool<D>) -> bool {
        pool.size() >= pool.options().get_max_connections() && pool.num_idle() == 0
    }
    match db.get_database_backend() {
        DatabaseBackend::Postgres => full(db.get_postgres_connection_pool()),
        DatabaseBackend::Sqlite => full(db.get_sqlite_connection_pool()),
        _ => false,
    }
}

/// Whether the server is not there: a connection opened outside the pool is refused,
/// or opens but fails a ping. Asked when a wait for a pooled connection timed out with
/// no other sign of life. A stopped server refuses the probe at once (a 503 follows);
/// a busy one — the pool growing slowly because the server is slow to start backends,
/// or its connections all waiting on locks — answers, or is still accepting when
/// [`PING_TIMEOUT`] ends, and both count as there: the delivery waits again, bounded by
/// [`BUSY_WAIT`]. (Seen in CI on two cores: probes of a healthy, loaded server took
/// longer than the ping timeout; counting that as an outage answered 503s.) SQLite's
/// file is always there: false.
pub async fn refuses_connections(db: &DatabaseConnection) -> bool {
    use sea_orm::sqlx::{ConnectOptions as _, Connection as _};
    if db.get_database_backend() != DatabaseBackend::Postgres {
        return false;
    }
    let options = db.get_postgres_connection_pool().connect_options();
    let probe = async {
        let mut connection = options.connect().await.ok()?;
        let answered = connection.ping().await.is_ok();
        connection.close_hard().await.ok();
        Some(answered)
    };
    match tokio::time::timeout(PING_TIMEOUT, probe).await {
        Ok(Some(answered)) => !answered,
        Ok(None) => true,
        Err(_still_connecting) => false,
    }
}

/// True for SQLite, whose single writer the ingest serialises in-process.
pub fn is_sqlite(db: &DatabaseConnection) -> bool {
    db.get_database_backend() == DatabaseBackend::Sqlite
}

/// Whether a PostgreSQL URL says how to use TLS (`sslmode`, or sqlx's `ssl-mode`).
fn names_ssl_mode(url: &str) -> bool {
    let Some((_, query)) = url.split_once('?') else {
        return false;
    };
    query.split('&').any(|pair| {
        let key = pair.split('=').next().unwrap_or_default();
        key.eq_ignore_ascii_case("sslmode") || key.eq_ignore_ascii_case("ssl-mode")
    })
}

/// Whether a PostgreSQL host is this machine: a loopback address, `localhost`, or a
/// Unix socket folder.
fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.starts_with('/')
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The URL with any password replaced, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}://{}:***@{}", &url[..scheme_end], user, &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

fn create_sqlite_folder(url: &str) -> anyhow::Result<()> {
    let path = url
        .trim_start_matches("sqlite:")
        .trim_start_matches("//")
        .split('?')
        .next()
        .unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    if let Some(parent) = std::path::Path::new(path).parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating the database folder {}", parent.display()))?;
        }
    }
    Ok(())
}

/// Every `column = value` of a unique key (all must hold), each compared as
/// [`key_eq`] compares it: the lookup only that key's index can answer.
pub fn key_is<C: sea_orm::ColumnTrait>(
    backend: DatabaseBackend,
    key: impl IntoIterator<Item = (C, impl AsRef<str>)>,
) -> sea_orm::Condition {
    key.into_iter()
        .fold(sea_orm::Condition::all(), |all, (column, value)| {
            all.add(key_eq(backend, column, value.as_ref()))
        })
}

/// `column = value` compared as a unique key's index compares it: byte for byte
/// (collation `"C"`) on PostgreSQL, where the booking key's unique index is built in
/// that collation (migration `m20261203_000001_booking_key_bytewise`) so that no other
/// index can answer the lookup. SQLite compares text byte for byte anyway.
pub fn key_eq(
    backend: DatabaseBackend,
    column: impl sea_orm::ColumnTrait,
    value: &str,
) -> sea_orm::sea_query::Expr {
    use sea_orm::sea_query::Expr;
    if backend == DatabaseBackend::Postgres {
        Expr::cust_with_exprs(
            "$1 COLLATE \"C\" = $2",
            [column.into_expr(), Expr::val(value)],
        )
    } else {
        column.eq(value)
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, Statement};

    use super::{connect, is_loopback, names_ssl_mode, redact, WAL_AUTOCHECKPOINT_PAGES};

    #[test]
    fn tls_is_left_off_only_for_this_machine_when_the_url_does_not_say() {
        assert!(is_loopback("127.0.0.1") && is_loopback("::1") && is_loopback("[::1]"));
        assert!(is_loopback("localhost") && is_loopback("/var/run/postgresql"));
        assert!(!is_loopback("db.internal") && !is_loopback("10.0.0.5"));
        assert!(names_ssl_mode("postgres://u@h/db?sslmode=require"));
        assert!(names_ssl_mode(
            "postgres://u@h/db?application_name=x&ssl-mode=prefer"
        ));
        assert!(!names_ssl_mode(
            "postgres://u@h/db?application_name=sslmode"
        ));
        assert!(!names_ssl_mode("postgres://u@127.0.0.1:5432/db"));
    }

    async fn pragma(db: &sea_orm::DatabaseConnection, name: &str) -> String {
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                format!("PRAGMA {name}"),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<i64>(0)
            .map(|n| n.to_string())
            .or_else(|_| row.try_get_by_index::<String>(0))
            .unwrap()
    }

    #[tokio::test]
    async fn sqlite_connections_get_the_documented_settings() {
        let dir = std::env::temp_dir().join(format!("tripgraph-db-{}", std::process::id()));
        let url = format!("sqlite://{}/settings.db?mode=rwc", dir.display());
        let db = connect(&url, 2).await.unwrap();
        assert_eq!(pragma(&db, "journal_mode").await, "wal");
        assert_eq!(pragma(&db, "synchronous").await, "2", "FULL");
        assert_eq!(pragma(&db, "busy_timeout").await, "10000");
        assert_eq!(pragma(&db, "foreign_keys").await, "1");
        assert_eq!(pragma(&db, "cache_size").await, "-8192");
        assert_eq!(
            pragma(&db, "wal_autocheckpoint").await,
            WAL_AUTOCHECKPOINT_PAGES.to_string()
        );
        db.close().await.unwrap();
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn redact_hides_the_password_only() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(
            redact("sqlite://data/x.db?mode=rwc"),
            "sqlite://data/x.db?mode=rwc"
        );
    }
}
