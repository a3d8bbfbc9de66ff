//! Fields refused by a guard are `null` in the response, as the GraphQL spec requires
//! (§6.4.4 "Handling Field Errors").
//!
//! async-graphql 7.2 leaves a failed field out of its object instead. A landing token
//! asking for `customer { firstName email }` must get `{"firstName": "Ana", "email":
//! null}` with a FORBIDDEN error, not an object without `email`, which clients reading
//! `customer.email` would not expect. This extension puts the `null` back for FORBIDDEN
//! errors below the root: every guarded field there is nullable (contact data and
//! `Booking.events`), so the `null` is what the spec asks for. Guarded root fields are
//! non-null, and other errors may sit on non-null fields, so those are left alone.

use std::sync::Arc;

use async_graphql::{
    async_trait::async_trait,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute, NextSubscribe},
    futures_util::stream::{BoxStream, StreamExt},
    Name, PathSegment, Response, ServerError, Value,
};

/// Installs the repair on a schema.
pub struct NullOnError;

impl ExtensionFactory for NullOnError {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(NullOnError)
    }
}

#[async_trait]
impl Extension for NullOnError {
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        repair(next.run(ctx, operation_name).await)
    }

    /// The same repair on every response a subscription pushes.
    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        next.run(ctx, stream).map(repair).boxed()
    }
}

/// Puts the `null` back for each FORBIDDEN error below the root.
pub fn repair(mut response: Response) -> Response {
    let paths: Vec<Vec<PathSegment>> = response
        .errors
        .iter()
        .filter(|error| error.path.len() > 1 && is_forbidden(error))
        .map(|error| error.path.clone())
        .collect();
    for path in &paths {
        put_null_at(&mut response.data, path);
    }
    response
}

fn is_forbidden(error: &ServerError) -> bool {
    let code = error
        .extensions
        .as_ref()
        .and_then(|extensions| extensions.get("code"));
    matches!(code, Some(Value::String(code)) if code == "FORBIDDEN")
}

/// Walks `path` through `data` and sets the first missing field on it to `null`.
/// A `null` or a missing list item on the way means the error was already absorbed.
fn put_null_at(data: &mut Value, path: &[PathSegment]) {
    let mut current = data;
    for segment in path {
        current = match (segment, current) {
            (PathSegment::Field(name), Value::Object(fields)) => {
                fields.entry(Name::new(name)).or_insert(Value::Null)
            }
            (PathSegment::Index(index), Value::List(items)) => match items.get_mut(*index) {
                Some(item) => item,
                None => return,
            },
            _ => return,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::value;

    #[test]
    fn a_missing_field_becomes_null_and_present_values_stay() {
        let mut data =
            value!({"booking": {"customer": {"firstName": "Ana"}, "passengers": [{"id": "1"}]}});
        let field = |name: &str| PathSegment::Field(name.to_owned());
        put_null_at(
            &mut data,
            &[field("booking"), field("customer"), field("email")],
        );
        put_null_at(
            &mut data,
            &[
                field("booking"),
                field("passengers"),
                PathSegment::Index(0),
                field("phone"),
            ],
        );
        put_null_at(
            &mut data,
            &[
                field("booking"),
                field("passengers"),
                PathSegment::Index(5),
                field("phone"),
            ],
        );
        put_null_at(
            &mut data,
            &[field("booking"), field("customer"), field("firstName")],
        );
        assert_eq!(
            data,
            value!({"booking": {
                "customer": {"firstName": "Ana", "email": null},
                "passengers": [{"id": "1", "phone": null}]
            }})
        );
    }
}
