//! Field guards: authorisation sits next to the fields it protects (STYLE rule 6).
//!
//! The HTTP layer adds the verified [`Principal`] to every request; a request without
//! one (a schema executed directly) is treated as having no rights at all.
//!
//! A booking-scoped landing token ([`Principal::booking`]) is checked by
//! [`check_scope`] in every root field that returns a booking: a guard runs before the
//! resolver and cannot see which booking a reference names.

use async_graphql::{Context, ErrorExtensions, Guard, Result};
use uuid::Uuid;

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

/// The booking a scoped token is limited to, if the request's token is scoped.
pub fn booking_scope(ctx: &Context<'_>) -> Option<Uuid> {
    ctx.data_opt::<Principal>()
        .and_then(|principal| principal.booking)
}

/// Refuses (`FORBIDDEN`) a booking outside the token's scope. `found` is the booking a
/// root field would answer with, `None` when there is none: a scoped token is refused
/// then too, so that it cannot learn which other ids or references exist.
///
/// # Errors
/// The `FORBIDDEN` error for a scoped token and any other booking (or none).
pub fn check_scope(ctx: &Context<'_>, found: Option<Uuid>) -> Result<()> {
    match booking_scope(ctx) {
        Some(own) if found != Some(own) => Err(ApiError::Forbidden(format!(
            "this token is scoped to one booking and may not read another (`{}`)",
            ctx.item.node.name.node
        ))
        .extend()),
        _ => Ok(()),
    }
}
