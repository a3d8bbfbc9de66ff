//! Query depth and complexity limits, enforced after validation so that a refusal can
//! say what the query cost and what the limit is (async-graphql's own limits answer a
//! bare "Query is too complex.").
//!
//! Complexity: every field costs 1, and a connection costs its selection times `first`
//! (see the `complexity` attributes in `query/`), so a page of 100 fully expanded
//! bookings stays inside the limit while a hundred aliased pages do not.

use std::sync::Arc;

use async_graphql::{
    async_trait::async_trait,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextValidation},
    ServerError, ValidationResult,
};

/// Deepest selection allowed. The data schema has no cycles, so real queries are at most
/// 7 levels deep; 15 is what GraphiQL's introspection query needs (9 nested `ofType`).
pub const MAX_DEPTH: usize = 15;

/// Largest complexity allowed (see the module docs for how it is counted).
pub const MAX_COMPLEXITY: usize = 12_000;

/// Page size of a connection when `first` is not given.
pub const DEFAULT_PAGE_SIZE: i32 = 20;

/// Largest `first` a connection accepts; more is refused, not clamped.
pub const MAX_PAGE_SIZE: i32 = 100;

/// The complexity of a connection field: its selection once per requested row.
/// `first` is clamped here only for the estimate; the resolver refuses values over 100.
pub fn connection_complexity(first: Option<i32>, child_complexity: usize) -> usize {
    let rows = first.unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE);
    usize::try_from(rows)
        .unwrap_or(1)
        .saturating_mul(child_complexity)
}

/// Installs the limit check on a schema.
pub struct QueryLimits;

impl ExtensionFactory for QueryLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(QueryLimitsExtension)
    }
}

struct QueryLimitsExtension;

#[async_trait]
impl Extension for QueryLimitsExtension {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        if result.depth > MAX_DEPTH {
            return Err(vec![refusal(
                "QUERY_TOO_DEEP",
                format!(
                    "Query is nested too deep: depth {} exceeds the limit of {MAX_DEPTH}",
                    result.depth
                ),
            )]);
        }
        if result.complexity > MAX_COMPLEXITY {
            return Err(vec![refusal(
                "QUERY_TOO_COMPLEX",
                format!(
                    "Query is too complex: complexity {} exceeds the limit of {MAX_COMPLEXITY} \
                     (each field costs 1, connection fields cost `first` times their selection); \
                     ask for fewer fields or a smaller `first`",
                    result.complexity
                ),
            )]);
        }
        Ok(result)
    }
}

fn refusal(code: &str, message: String) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", code);
    error.extensions = Some(extensions);
    error
}
