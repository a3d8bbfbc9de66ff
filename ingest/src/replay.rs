//! `ingest replay`: re-applies archived events through the same adapter and rules.
//!
//! By default the `failed` ones; with `--partner` every event of that partner. Each
//! event's partner is looked up in the registry, as the webhook does, so a partner's
//! adapter — built in or a mapping — is the one in force. The event rows are updated in
//! place, so replaying twice gives the same result as once.

use anyhow::Context;
use entity::{event, EventStatus};
use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::config::Config;
use crate::intake::{self, Verdict};
use crate::process::{Processor, Receipt};
use crate::registry::Registry;

/// Counts of what the replay did, by resulting event status.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    pub applied: usize,
    pub stale: usize,
    pub ignored: usize,
    pub rejected: usize,
    pub failed: usize,
}

/// Which events to replay.
#[derive(Debug, Clone)]
pub enum Selection {
    Failed,
    Partner(String),
}

/// The command: connects, replays with a progress bar, prints a summary.
///
/// # Errors
/// When the partner registry does not load or the database cannot be reached.
pub async fn run(config: &Config, partner: Option<&str>) -> anyhow::Result<()> {
    let registry = Registry::load(&config.partners_config)?;
    let db = common::db::connect(
        &config.database_url,
        crate::pool_size(&config.database_url, 2),
    )
    .await?;
    let processor = Processor::new(db);
    let selection = partner.map_or(Selection::Failed, |p| Selection::Partner(p.to_owned()));
    let summary = replay(&processor, &registry, &selection, true).await?;
    println!(
        "replayed: {} applied, {} stale, {} ignored, {} rejected, {} still failed",
        summary.applied, summary.stale, summary.ignored, summary.rejected, summary.failed
    );
    Ok(())
}

/// Replays the selected events, oldest first.
///
/// # Errors
/// Database errors while listing or loading events.
pub async fn replay(
    processor: &Processor,
    registry: &Registry,
    selection: &Selection,
    show_progress: bool,
) -> anyhow::Result<Summary> {
    let mut query = event::Entity::find()
        .select_only()
        .column(event::Column::Id);
    query = match selection {
        Selection::Failed => query.filter(event::Column::Status.eq(EventStatus::Failed)),
        Selection::Partner(partner) => query.filter(event::Column::Partner.eq(partner.as_str())),
    };
    let ids: Vec<Uuid> = query
        .order_by_asc(event::Column::ReceivedAt)
        .order_by_asc(event::Column::Id)
        .into_tuple()
        .all(processor.db())
        .await
        .context("listing events")?;
    let bar = if show_progress {
        ProgressBar::new(ids.len() as u64)
    } else {
        ProgressBar::hidden()
    };
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} events ({per_sec}, eta {eta})")
    {
        bar.set_style(style);
    }
    let mut summary = Summary::default();
    for id in ids {
        let Some(row) = event::Entity::find_by_id(id)
            .all(processor.db())
            .await
            .map(common::db::first)
            .context("loading an event")?
        else {
            continue;
        };
        let status = replay_one(processor, registry, &row).await;
        match status {
            EventStatus::Applied => summary.applied += 1,
            EventStatus::Stale => summary.stale += 1,
            EventStatus::Ignored => summary.ignored += 1,
            EventStatus::Rejected => summary.rejected += 1,
            EventStatus::Failed => summary.failed += 1,
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(summary)
}

/// Re-applies one archived event through the webhook's intake pipeline, with the
/// adapter the registry gives its partner; returns the status it ends with. An event of a
/// partner the registry no longer has is left as it is, and counts as failed.
pub async fn replay_one(
    processor: &Processor,
    registry: &Registry,
    row: &event::Model,
) -> EventStatus {
    let Some(partner) = registry.get(&row.partner) else {
        tracing::warn!(event_id = %row.id, partner = %row.partner, "replay: the partner is not in the registry");
        return EventStatus::Failed;
    };
    let adapter = &partner.adapter;
    let receipt = Receipt {
        partner: &row.partner,
        adapter: adapter.name(),
        topic: row.topic.as_deref(),
        content_type: row.content_type.as_deref(),
        raw_body: &row.raw_body,
        received_at: row.received_at,
        fallback_key: row.idempotency_key.clone(),
        replay_of: Some(row.id),
    };
    let verdict = intake::run(processor, &**adapter, &receipt).await;
    if let Verdict::Failed { .. } | Verdict::Unavailable = verdict {
        tracing::warn!(event_id = %row.id, "replay failed");
    }
    verdict.status()
}
