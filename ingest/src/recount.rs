//! `ingest recount`: rebuilds the counters behind the analysts' counts from the rows
//! (see `migration::recount`). Deliveries keep the counters exact in their own
//! transactions; this repairs them after rows were written around the product (a bulk
//! load, a manual fix). Deliveries may continue meanwhile: on PostgreSQL they wait for
//! the rebuild's commit on the counter rows, and SQLite has one writer at a time.

use crate::config::Config;

/// # Errors
/// When the database is unreachable or the rebuild fails (nothing is changed then).
pub async fn run(config: &Config) -> anyhow::Result<()> {
    let db = common::db::connect(&config.database_url, 1).await?;
    let started = std::time::Instant::now();
    migration::recount(&db).await?;
    println!(
        "counters rebuilt from the rows in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
