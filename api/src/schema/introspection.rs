//! Introspection (`__schema`, `__type`) is for analysts only: the landing site needs
//! none, and it is the one part of the schema that nests without bound.
//!
//! The HTTP layer also disables introspection for landing tokens, with which
//! async-graphql answers those fields with a bare `null`; this extension refuses them
//! with a `FORBIDDEN` error instead, as every other field a landing token may not read
//! is refused. `__typename` stays open to everyone (clients such as Apollo add it).

use std::sync::Arc;

use async_graphql::{
    async_trait::async_trait,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo},
    ErrorExtensions, PathSegment, ServerError, ServerResult, Value,
};

use crate::{
    auth::{Principal, Role},
    error::ApiError,
};

/// Installs the refusal on a schema.
pub struct LandingIntrospection;

impl ExtensionFactory for LandingIntrospection {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(LandingIntrospection)
    }
}

#[async_trait]
impl Extension for LandingIntrospection {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let at_root = info.path_node.parent.is_none();
        if at_root && matches!(info.name, "__schema" | "__type") && !is_analyst(ctx) {
            return Err(forbidden(&info));
        }
        next.run(ctx, info).await
    }
}

fn is_analyst(ctx: &ExtensionContext<'_>) -> bool {
    ctx.data_opt::<Principal>()
        .is_some_and(|principal| principal.role == Role::Analyst)
}

fn forbidden(info: &ResolveInfo<'_>) -> ServerError {
    let error = ApiError::Forbidden(format!(
        "`{}` needs an analyst token: introspection is not available to landing tokens",
        info.name
    ))
    .extend();
    let mut refusal = ServerError::new(error.message, None);
    refusal.extensions = error.extensions;
    refusal.path = vec![PathSegment::Field(
        info.alias.unwrap_or(info.name).to_owned(),
    )];
    refusal
}
