//! Field guards: authorisation sits next to the fields it protects (STYLE rule 6).
//!
//! The HTTP layer adds the verified [`Principal`] to every request; a request without
//! one (a schema executed directly) is treated as having no rights at all.

use async_graphql::{Context, ErrorExtensions, Guard, Result};

use crate::{
    auth::{Principal, Role},
    error::ApiError,
};

/// Analyst tokens only: contact data, the event archive, lists and aggregates.
pub struct AnalystOnly;

/// Any verified token, landing or analyst.
pub struct SignedIn;

/// Whether the request carries an analyst token.
pub fn is_analyst(ctx: &Context<'_>) -> bool {
    ctx.data_opt::<Principal>()
        .is_some_and(|principal| principal.role == Role::Analyst)
}

impl Guard for AnalystOnly {
    async fn check(&self, ctx: &Context<'_>) -> Result<()> {
        if is_analyst(ctx) {
            return Ok(());
        }
        Err(ApiError::Forbidden(format!(
            "`{}` needs an analyst token (a landing token may not read contact data, events or lists)",
            ctx.item.node.name.node
        ))
        .extend())
    }
}

impl Guard for SignedIn {
    async fn check(&self, ctx: &Context<'_>) -> Result<()> {
        match ctx.data_opt::<Principal>() {
            Some(_) => Ok(()),
            None => {
                Err(ApiError::Forbidden("a verified API token is required".to_owned()).extend())
            }
        }
    }
}
