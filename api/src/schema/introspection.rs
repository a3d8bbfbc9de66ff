//! Introspection (`__schema`, `__type`) is for analysts only: the landing site needs
//! none, and it is the one part of the schema that nests without bound.
//!
//! The HTTP layer also disables introspection for landing tokens, with which
//! async-graphql answers those fields with a bare `null`; the refusal here adds a
//! `FORBIDDEN` error for each of them instead, as every other field a landing token may
//! not read is refused. `__typename` stays open to everyone (clients such as Apollo add
//! it).
//!
//! The rule is read from the parsed document, once per request, by the document
//! extension ([`super::documents`]), which applies it to the response: not as an
//! extension of its own, as every extension of a schema is called around the
//! resolution of every field of every response (this one and the loaders' cost
//! `booking(id)` 5–9 % of its throughput).

use async_graphql::{
    parser::types::{ExecutableDocument, Selection, SelectionSet},
    ErrorExtensions, Name, PathSegment, Response, ServerError, Value,
};

use crate::error::ApiError;

/// The response keys of the introspection fields at the root of the operation that
/// runs (through fragments too), each once, in document order.
pub fn root_fields(document: &ExecutableDocument, operation_name: Option<&str>) -> Vec<Refused> {
    let mut found = Vec::new();
    if let Some(operation) = super::documents::operation(document, operation_name) {
        collect(document, &operation.node.selection_set.node, &mut found, 0);
    }
    found
}

/// An introspection field refused: its name and its key in the response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    name: String,
    key: String,
}

/// Fragments nest at most this deep here (async-graphql's validation refuses cycles;
/// this only bounds the walk before it runs).
const MAX_FRAGMENT_DEPTH: usize = 32;

fn collect(
    document: &ExecutableDocument,
    selections: &SelectionSet,
    found: &mut Vec<Refused>,
    depth: usize,
) {
    if depth > MAX_FRAGMENT_DEPTH {
        return;
    }
    for selection in &selections.items {
        match &selection.node {
            Selection::Field(field) => {
                let name = field.node.name.node.as_str();
                if matches!(name, "__schema" | "__type") {
                    let key = field.node.response_key().node.to_string();
                    if !found.iter().any(|refused| refused.key == key) {
                        found.push(Refused {
                            name: name.to_owned(),
                            key,
                        });
                    }
                }
            }
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = document.fragments.get(&spread.node.fragment_name.node) {
                    collect(
                        document,
                        &fragment.node.selection_set.node,
                        found,
                        depth + 1,
                    );
                }
            }
            Selection::InlineFragment(inline) => {
                collect(document, &inline.node.selection_set.node, found, depth + 1);
            }
        }
    }
}

/// The response with each refused field `null` and a `FORBIDDEN` error for it.
pub fn refuse(mut response: Response, refused: &[Refused]) -> Response {
    for Refused { name, key } in refused {
        if let Value::Object(fields) = &mut response.data {
            fields.insert(Name::new(key), Value::Null);
        }
        let error = ApiError::Forbidden(format!(
            "`{name}` needs an analyst token: introspection is not available to landing tokens"
        ))
        .extend();
        let mut refusal = ServerError::new(error.message, None);
        refusal.extensions = error.extensions;
        refusal.path = vec![PathSegment::Field(key.clone())];
        response.errors.push(refusal);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(query: &str, operation: Option<&str>) -> Vec<String> {
        let document = async_graphql::parser::parse_query(query).unwrap();
        root_fields(&document, operation)
            .into_iter()
            .map(|refused| refused.key)
            .collect()
    }

    #[test]
    fn root_introspection_is_found_through_aliases_and_fragments_only_at_the_root() {
        assert_eq!(
            keys("{ __schema { queryType { name } } }", None),
            ["__schema"]
        );
        assert_eq!(keys("{ t: __type(name: \"Query\") { name } }", None), ["t"]);
        assert_eq!(
            keys(
                "query { ...Root } fragment Root on Query { __schema { types { name } } }",
                None
            ),
            ["__schema"]
        );
        assert_eq!(
            keys(
                "{ ... on Query { __type(name: \"B\") { name } } __type(name: \"C\") { name } }",
                None
            ),
            ["__type"]
        );
        assert!(keys("{ __typename booking(id: \"x\") { __typename } }", None).is_empty());
        // Only the operation that runs.
        let two = "query A { __schema { queryType { name } } } query B { __typename }";
        assert_eq!(keys(two, Some("A")), ["__schema"]);
        assert!(keys(two, Some("B")).is_empty());
        // A fragment spreading itself is refused by validation; the walk stops.
        assert!(keys("{ ...F } fragment F on Query { ...F }", None).is_empty());
    }
}
