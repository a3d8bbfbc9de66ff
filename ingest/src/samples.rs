//! `ingest load-samples`: sends bundled sample deliveries (being written).

use crate::config::Config;

/// Sends every sample delivery to `url`.
///
/// # Errors
/// When the registry cannot be loaded or the ingest cannot be reached.
pub async fn load(_config: &Config, _url: &str) -> anyhow::Result<()> {
    anyhow::bail!("sample loading is not available yet")
}
