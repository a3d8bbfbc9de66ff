//! The limits on what one GraphQL request may ask for, each enforced before the work it
//! limits (CONTRACT §6, *Bounded work*):
//!
//! 1. before parsing, a lexical scan bounds the tokens and the bracket nesting
//!    ([`tokens`]): the parser's work grows with the first, its recursion with the second;
//! 2. after parsing and before validation, a linear measure of the document
//!    ([`document`]) bounds the fragments, the aliases, and what every operation and
//!    fragment expands to (fields, field depth, selection nesting) with its spreads
//!    expanded: validation and execution walk the expanded document, which fragments can
//!    make exponentially larger than the text;
//! 3. after validation, the complexity (which needs the schema's per-field costs).
//!
//! Refusals are GraphQL errors (HTTP 200, like every GraphQL answer) with an
//! `extensions.code` and a message that names the limit and its value (async-graphql's
//! own limits answer a bare "Query is too complex.").
//!
//! Complexity: every field costs 1, and a connection costs its selection times `first`
//! (see the `complexity` attributes in `query/`), so a page of 100 fully expanded
//! bookings stays inside the limit while a hundred aliased pages do not.

pub mod document;
pub mod tokens;

use async_graphql::{
    parser::types::ExecutableDocument, ServerError, ServerResult, ValidationResult,
};

use self::{document::Cycle, tokens::Exceeded};

/// Deepest field nesting allowed. The data schema has no cycles, so real queries are at
/// most 7 levels deep; 15 is what GraphiQL's introspection query needs (9 nested `ofType`).
pub const MAX_DEPTH: usize = 15;

/// Deepest nesting of brackets in the text, and of selection sets through fragments
/// (async-graphql's own recursion bound, which it checks without memoising fragments).
/// GraphiQL's introspection query nests its brackets 10 deep, its selections 17.
pub const MAX_NESTING: usize = 32;

/// Most tokens a document may have: GraphiQL's introspection query has 178, the
/// landing site's booking query about 90.
pub const MAX_TOKENS: usize = 5_000;

/// Most aliased fields a document may have. Aliases are how one request asks for the
/// same field many times (`a1: booking(…) a2: booking(…) …`); a dashboard needs a few.
pub const MAX_ALIASES: usize = 50;

/// Most fragment definitions a document may have (GraphiQL's introspection has 3).
/// Expansion is bounded separately ([`MAX_FIELDS`]); this bounds the fragment graph.
pub const MAX_FRAGMENTS: usize = 50;

/// Most fields an operation or a fragment may expand to. The same number as the
/// complexity limit: every field costs at least 1 there, so a document refused here
/// would be refused there too, only after validation had walked the whole expansion.
pub const MAX_FIELDS: u64 = 12_000;

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

/// Parses `query` within the limits above: the token scan, the parse, then the measure
/// of the parsed document.
///
/// # Errors
/// The parse error, or the refusal naming the limit passed.
pub fn parse_within_limits(query: &str) -> ServerResult<ExecutableDocument> {
    match tokens::scan(query, MAX_TOKENS, MAX_NESTING) {
        Ok(_) => {}
        Err(Exceeded::Tokens) => {
            return Err(refusal(
                "QUERY_TOO_MANY_TOKENS",
                format!(
                    "Query is too long: it has more than {MAX_TOKENS} tokens (the limit); \
                     ask for fewer fields or split it"
                ),
            ))
        }
        Err(Exceeded::Nesting) => {
            return Err(refusal(
                "QUERY_TOO_DEEP",
                format!(
                    "Query is nested too deep: its brackets nest more than {MAX_NESTING} \
                     levels (the limit)"
                ),
            ))
        }
    }
    let document = async_graphql::parser::parse_query(query)?;
    check_document(&document)?;
    Ok(document)
}

/// The limits on a parsed document, checked in time linear in its size.
///
/// # Errors
/// The refusal naming the first limit passed.
pub fn check_document(document: &ExecutableDocument) -> ServerResult<()> {
    if document.fragments.len() > MAX_FRAGMENTS {
        return Err(refusal(
            "QUERY_TOO_MANY_FRAGMENTS",
            format!(
                "Query has too many fragments: {} exceed the limit of {MAX_FRAGMENTS}",
                document.fragments.len()
            ),
        ));
    }
    let measure = document::measure(document).map_err(|Cycle(path)| {
        refusal(
            "GRAPHQL_VALIDATION_FAILED",
            format!(
                "Fragment `{}` spreads itself ({}): fragments may not form a cycle",
                path[0],
                path.join(" → ")
            ),
        )
    })?;
    if measure.aliases > MAX_ALIASES {
        return Err(refusal(
            "QUERY_TOO_MANY_ALIASES",
            format!(
                "Query has too many aliases: {} exceed the limit of {MAX_ALIASES}",
                measure.aliases
            ),
        ));
    }
    // Operations first (what the client ran), then fragments in the order written, so
    // that the refusal names the same definition every time.
    let operations = measure.operations.iter().map(|(name, cost)| {
        let what = name.map_or_else(|| "the query".to_owned(), |n| format!("operation `{n}`"));
        (what, *cost)
    });
    let mut fragments: Vec<_> = document.fragments.iter().collect();
    fragments.sort_by_key(|(_, fragment)| (fragment.pos.line, fragment.pos.column));
    let fragments = fragments.into_iter().filter_map(|(name, _)| {
        let cost = measure.fragments.get(name.as_str())?;
        Some((format!("fragment `{name}`"), *cost))
    });
    for (what, cost) in operations.chain(fragments) {
        if cost.fields > MAX_FIELDS {
            return Err(refusal(
                "QUERY_TOO_LARGE",
                format!(
                    "Query is too large: {what} expands to {} fields with its fragments \
                     spread, over the limit of {MAX_FIELDS}",
                    cost.fields
                ),
            ));
        }
        if cost.nesting > MAX_NESTING {
            return Err(refusal(
                "QUERY_TOO_DEEP",
                format!(
                    "Query is nested too deep: {what} nests {} levels of selections and \
                     fragments, over the limit of {MAX_NESTING}",
                    cost.nesting
                ),
            ));
        }
    }
    let depth = measure
        .operations
        .iter()
        .map(|(_, cost)| cost.depth)
        .max()
        .unwrap_or_default();
    if depth > MAX_DEPTH {
        return Err(too_deep(depth));
    }
    Ok(())
}

/// The checks of a validation result: the complexity, which needs the schema; the
/// depth again, as async-graphql counts it, as a backstop. The document extension
/// ([`super::documents`]) runs them after every validation it does not skip.
///
/// # Errors
/// The refusal naming the limit passed.
pub fn check_validated(result: &ValidationResult) -> Result<(), Vec<ServerError>> {
    if result.depth > MAX_DEPTH {
        return Err(vec![too_deep(result.depth)]);
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
    Ok(())
}

fn too_deep(depth: usize) -> ServerError {
    refusal(
        "QUERY_TOO_DEEP",
        format!("Query is nested too deep: depth {depth} exceeds the limit of {MAX_DEPTH}"),
    )
}

pub(crate) fn refusal(code: &str, message: String) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", code);
    error.extensions = Some(extensions);
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRAPHIQL: &str =
        include_str!("../../../tests/api/fixtures/graphiql_introspection.graphql");

    #[test]
    fn graphiqls_introspection_query_is_within_every_limit() {
        let tokens = tokens::scan(GRAPHIQL, usize::MAX, usize::MAX).unwrap();
        let brackets = (1..)
            .find(|&max| tokens::scan(GRAPHIQL, usize::MAX, max).is_ok())
            .unwrap();
        let document = parse_within_limits(GRAPHIQL).unwrap();
        let measure = document::measure(&document).unwrap();
        let (_, cost) = measure.operations[0];
        assert_eq!((tokens, brackets), (178, 10));
        assert_eq!((document.fragments.len(), measure.aliases), (3, 0));
        assert_eq!(
            cost,
            document::Cost {
                fields: 224,
                depth: 15,
                nesting: 17
            }
        );
        assert!(tokens * 10 < MAX_TOKENS && brackets < MAX_NESTING && cost.nesting < MAX_NESTING);
        assert!(cost.fields * 10 < MAX_FIELDS && cost.depth <= MAX_DEPTH);
    }

    #[test]
    fn refusals_name_the_limit_and_its_value() {
        let refused = |query: &str| {
            let error = parse_within_limits(query).unwrap_err();
            let code = error
                .extensions
                .as_ref()
                .and_then(|e| e.get("code"))
                .cloned();
            (code.map(|c| c.to_string()), error.message)
        };
        let (code, message) = refused(&"a ".repeat(MAX_TOKENS + 1));
        assert_eq!(code.as_deref(), Some("\"QUERY_TOO_MANY_TOKENS\""));
        assert!(message.contains("5000 tokens"), "{message}");
        let (code, message) = refused(&"{".repeat(MAX_NESTING + 1));
        assert_eq!(code.as_deref(), Some("\"QUERY_TOO_DEEP\""));
        assert!(message.contains("32 levels"), "{message}");
        let mut deep = "name".to_owned();
        for _ in 0..MAX_DEPTH {
            deep = format!("a {{ {deep} }}");
        }
        let (code, message) = refused(&format!("{{ {deep} }}"));
        assert_eq!(code.as_deref(), Some("\"QUERY_TOO_DEEP\""));
        assert!(
            message.contains("depth 16 exceeds the limit of 15"),
            "{message}"
        );
    }
}
