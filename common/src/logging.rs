//! Tracing set-up: readable text by default, JSON lines with `LOG_FORMAT=json`.

use std::io::IsTerminal;

use tracing::Subscriber;
use tracing_subscriber::{
    filter::Targets, fmt, layer::SubscriberExt, registry::LookupSpan, util::SubscriberInitExt,
    EnvFilter,
};

/// The filter when `RUST_LOG` is unset: the SQL driver's per-statement logging is off.
const DEFAULT_FILTER: &str = "info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn";

/// Installs the global subscriber. `RUST_LOG` overrides the default filter.
///
/// Directives that only name targets and levels (the usual case) are applied with a
/// [`Targets`] filter; anything else (span or field directives) with an [`EnvFilter`].
/// Both select the same lines, but `EnvFilter` takes a lock every time a span is entered
/// or left, and every request enters its spans at each await point.
pub fn init() {
    let directives = std::env::var("RUST_LOG")
        .ok()
        .filter(|value| !value.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_FILTER.to_owned());
    let json = std::env::var("LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    match directives.parse::<Targets>() {
        Ok(targets) => install(tracing_subscriber::registry().with(targets), json),
        Err(_) => {
            let filter = EnvFilter::try_new(&directives).unwrap_or_else(|err| {
                eprintln!("RUST_LOG={directives:?} is not a valid filter ({err}); using {DEFAULT_FILTER:?}");
                EnvFilter::new(DEFAULT_FILTER)
            });
            install(tracing_subscriber::registry().with(filter), json);
        }
    }
}

/// Adds the output format to `subscriber` and installs it. A subscriber may already be
/// installed (tests start several apps in one process): that one stays.
fn install<S>(subscriber: S, json: bool)
where
    S: Subscriber + for<'span> LookupSpan<'span> + Send + Sync,
{
    let _ = if json {
        subscriber
            .with(fmt::layer().json().flatten_event(true).with_target(false))
            .try_init()
    } else {
        // Colours only on a terminal: a log file gets no escape codes.
        subscriber
            .with(
                fmt::layer()
                    .with_target(false)
                    .with_ansi(std::io::stdout().is_terminal()),
            )
            .try_init()
    };
}
