//! What a parsed document would cost to validate and execute, measured before either
//! runs: its aliases, and for every operation and fragment the fields it expands to,
//! how deep its fields nest and how deep its selections nest, with every fragment
//! spread expanded.
//!
//! Expanding spreads naively is exponential: 24 fragments that each spread the previous
//! one twice expand to 2^24 fields, and async-graphql's own checks (recursion depth,
//! complexity, depth) walk every one of them. Here each definition is walked once, its
//! spreads left open, and the fragments are then costed in dependency order from the
//! costs of the fragments they spread (memoised over the fragment graph, a cycle
//! refused), so the whole measure is linear in the size of the document.

use std::collections::{HashMap, HashSet};

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};

/// What a definition costs with its spreads expanded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cost {
    /// Fields once every spread is expanded (`__typename` included).
    pub fields: u64,
    /// Deepest field nesting, counted as async-graphql's depth limit counts it (fields
    /// only, `__typename` not).
    pub depth: usize,
    /// Deepest selection-set nesting, counted as async-graphql's recursion check counts
    /// it: a field's selection, a spread and an inline fragment each add a level.
    pub nesting: usize,
}

/// The measure of a whole document.
#[derive(Debug, Default)]
pub struct Measure<'a> {
    /// Aliased fields, as written (each definition counted once).
    pub aliases: usize,
    /// The cost of each fragment, by name.
    pub fragments: HashMap<&'a str, Cost>,
    /// The cost of each operation, by name (`None` for an anonymous one).
    pub operations: Vec<(Option<&'a str>, Cost)>,
}

/// A fragment that spreads itself, through the fragments named (first and last are the
/// same name).
#[derive(Debug, PartialEq, Eq)]
pub struct Cycle(pub Vec<String>);

/// Measures `document`. A spread of an unknown fragment counts as nothing (validation
/// reports it).
///
/// # Errors
/// When the fragments spread each other in a cycle.
pub fn measure(document: &ExecutableDocument) -> Result<Measure<'_>, Cycle> {
    let mut aliases = 0;
    let locals: HashMap<&str, Local<'_>> = document
        .fragments
        .iter()
        .map(|(name, fragment)| {
            let local = Local::of(&fragment.node.selection_set.node, &mut aliases);
            (name.as_str(), local)
        })
        .collect();
    let operations: Vec<(Option<&str>, Local<'_>)> = document
        .operations
        .iter()
        .map(|(name, operation)| {
            let local = Local::of(&operation.node.selection_set.node, &mut aliases);
            (name.map(|n| n.as_str()), local)
        })
        .collect();
    let fragments = fragment_costs(&locals)?;
    let operations = operations
        .into_iter()
        .map(|(name, local)| (name, local.cost(&fragments)))
        .collect();
    Ok(Measure {
        aliases,
        fragments,
        operations,
    })
}

/// One definition's own selections, with its spreads left open.
struct Local<'a> {
    own: Cost,
    spreads: Vec<Spread<'a>>,
}

/// A spread, with the field depth and selection nesting at which its fragment lands.
struct Spread<'a> {
    fragment: &'a str,
    depth: usize,
    nesting: usize,
}

impl<'a> Local<'a> {
    fn of(set: &'a SelectionSet, aliases: &mut usize) -> Self {
        let mut local = Local {
            own: Cost::default(),
            spreads: Vec::new(),
        };
        local.walk(set, 0, 0, aliases);
        local
    }

    /// Recursion here is bounded by the bracket nesting the token scan allowed.
    fn walk(&mut self, set: &'a SelectionSet, depth: usize, nesting: usize, aliases: &mut usize) {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    self.own.fields += 1;
                    *aliases += usize::from(field.alias.is_some());
                    let depth = if field.name.node == "__typename" {
                        depth
                    } else {
                        depth + 1
                    };
                    self.own.depth = self.own.depth.max(depth);
                    if !field.selection_set.node.items.is_empty() {
                        self.own.nesting = self.own.nesting.max(nesting + 1);
                        self.walk(&field.selection_set.node, depth, nesting + 1, aliases);
                    }
                }
                Selection::InlineFragment(inline) => {
                    self.own.nesting = self.own.nesting.max(nesting + 1);
                    self.walk(&inline.node.selection_set.node, depth, nesting + 1, aliases);
                }
                Selection::FragmentSpread(spread) => self.spreads.push(Spread {
                    fragment: spread.node.fragment_name.node.as_str(),
                    depth,
                    nesting: nesting + 1,
                }),
            }
        }
    }

    /// The cost with every spread expanded, from the costs of the fragments spread.
    fn cost(&self, fragments: &HashMap<&str, Cost>) -> Cost {
        let mut cost = self.own;
        for spread in &self.spreads {
            let Some(spread_cost) = fragments.get(spread.fragment) else {
                continue;
            };
            cost.fields = cost.fields.saturating_add(spread_cost.fields);
            cost.depth = cost
                .depth
                .max(spread.depth.saturating_add(spread_cost.depth));
            cost.nesting = cost
                .nesting
                .max(spread.nesting.saturating_add(spread_cost.nesting));
        }
        cost
    }
}

/// Every fragment's cost, each computed once after the fragments it spreads: a
/// depth-first walk of the spread graph with an explicit stack (a long chain of
/// fragments cannot take the thread's stack).
fn fragment_costs<'a>(
    locals: &HashMap<&'a str, Local<'a>>,
) -> Result<HashMap<&'a str, Cost>, Cycle> {
    let mut costs: HashMap<&str, Cost> = HashMap::with_capacity(locals.len());
    let mut on_path: HashSet<&str> = HashSet::new();
    // The fragments being costed, each with the index of its next spread to look at.
    let mut path: Vec<(&str, usize)> = Vec::new();
    for &start in locals.keys() {
        if costs.contains_key(start) {
            continue;
        }
        path.push((start, 0));
        on_path.insert(start);
        while let Some(top) = path.last_mut() {
            let (name, next) = *top;
            top.1 += 1;
            let local = &locals[name];
            match local.spreads.get(next) {
                Some(spread) => {
                    let target = spread.fragment;
                    if costs.contains_key(target) || !locals.contains_key(target) {
                        continue;
                    }
                    if on_path.contains(target) {
                        return Err(cycle(&path, target));
                    }
                    on_path.insert(target);
                    path.push((target, 0));
                }
                None => {
                    costs.insert(name, local.cost(&costs));
                    on_path.remove(name);
                    path.pop();
                }
            }
        }
    }
    Ok(costs)
}

fn cycle(path: &[(&str, usize)], target: &str) -> Cycle {
    let start = path
        .iter()
        .position(|(name, _)| *name == target)
        .unwrap_or_default();
    let mut names: Vec<String> = path[start..]
        .iter()
        .map(|(name, _)| (*name).to_owned())
        .collect();
    names.push(target.to_owned());
    Cycle(names)
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    fn operation_cost(query: &str) -> Cost {
        let document = parse_query(query).unwrap();
        measure(&document).unwrap().operations[0].1
    }

    /// `fragment F0 on Booking { id } fragment F1 on Booking { ...F0 ...F0 } …`.
    fn doubling_fragments(count: usize) -> String {
        let mut query = "fragment F0 on Booking { id }".to_owned();
        for i in 1..=count {
            let previous = i - 1;
            query.push_str(&format!(
                " fragment F{i} on Booking {{ ...F{previous} ...F{previous} }}"
            ));
        }
        query.push_str(&format!(
            " query {{ booking(id: \"x\") {{ ...F{count} }} }}"
        ));
        query
    }

    #[test]
    fn fields_depth_and_nesting_are_counted_as_written() {
        let cost = operation_cost("{ a { b c { d } ... on X { e } } __typename }");
        assert_eq!(
            cost,
            Cost {
                fields: 6,
                depth: 3,
                nesting: 2
            }
        );
    }

    #[test]
    fn spreads_are_expanded_where_they_land() {
        let cost = operation_cost("query { a { ...F b { ...F } } } fragment F on X { c { d } e }");
        // a, b, and c, d, e twice.
        assert_eq!(cost.fields, 8);
        // a > b > c > d.
        assert_eq!(cost.depth, 4);
        // a's set (1), b's set (2), F (3), c's set (4).
        assert_eq!(cost.nesting, 4);
    }

    #[test]
    fn exponential_fragments_are_costed_without_expanding_them() {
        let query = doubling_fragments(60);
        let document = parse_query(&query).unwrap();
        let started = std::time::Instant::now();
        let measure = measure(&document).unwrap();
        assert!(started.elapsed() < std::time::Duration::from_millis(100));
        // One `booking` field plus 2^60 `id`s.
        assert_eq!(measure.operations[0].1.fields, (1 << 60) + 1);
        assert_eq!(measure.fragments["F24"].fields, 1 << 24);
        assert_eq!(measure.fragments["F24"].nesting, 24);
    }

    #[test]
    fn a_fragment_cycle_is_refused_with_its_path() {
        let document = parse_query(
            "{ a { ...A } } fragment A on X { ...B } fragment B on X { b { ...C } } \
             fragment C on X { ...A }",
        )
        .unwrap();
        let Cycle(path) = measure(&document).unwrap_err();
        assert_eq!(path.len(), 4, "{path:?}");
        assert_eq!(path.first(), path.last());
        let self_spread = parse_query("{ a { ...A } } fragment A on X { x ...A }").unwrap();
        assert_eq!(
            measure(&self_spread).unwrap_err(),
            Cycle(vec!["A".into(), "A".into()])
        );
    }

    #[test]
    fn aliases_are_counted_once_per_definition_and_unknown_spreads_cost_nothing() {
        let document =
            parse_query("{ x: a { y: b ...F ...Missing } } fragment F on X { z: c }").unwrap();
        let measure = measure(&document).unwrap();
        assert_eq!(measure.aliases, 3);
        assert_eq!(measure.operations[0].1.fields, 3);
    }
}
