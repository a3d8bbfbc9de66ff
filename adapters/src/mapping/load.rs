//! Reading a mapping file and checking all of it: unknown keys, malformed pointers,
//! unknown statuses, conditions and event names, and values of a type that cannot fill
//! their field. Every mistake is reported, each with file, line and key.

use std::collections::BTreeMap;
use std::ops::Range;

use regex::Regex;
use serde_json::Value;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::eval::check_constant;
use super::spec::*;
use crate::Reply;

/// A mapping file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("mapping {file} is invalid:\n{}", .problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
pub struct MappingError {
    pub file: String,
    /// One line per mistake: `file:line: key `…`: what is wrong`.
    pub problems: Vec<String>,
}

type Val<'i> = Spanned<DeValue<'i>>;

/// Condition names every mapping knows.
const BUILT_IN_CONDITIONS: [&str; 4] = ["create", "update", "cancel", "has_topic"];

struct Loader<'t> {
    file: String,
    text: &'t str,
    problems: Vec<String>,
    conditions: Vec<String>,
}

pub(super) fn parse(text: &str, file: &str) -> Result<Mapping, MappingError> {
    let root = DeTable::parse(text).map_err(|e| {
        let line = e
            .span()
            .map_or(String::new(), |s| format!("{}:", line_of(text, s.start)));
        MappingError {
            file: file.to_owned(),
            problems: vec![format!(
                "{file}:{line} not valid TOML: {}",
                e.message().trim()
            )],
        }
    })?;
    let mut l = Loader {
        file: file.to_owned(),
        text,
        problems: Vec::new(),
        conditions: BUILT_IN_CONDITIONS.map(str::to_owned).to_vec(),
    };
    let mapping = l.mapping(root.get_ref(), root.span());
    if l.problems.is_empty() {
        Ok(mapping)
    } else {
        Err(MappingError {
            file: file.to_owned(),
            problems: l.problems,
        })
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

const SOURCE_KEYS: [&str; 16] = [
    "from",
    "join",
    "separator",
    "length_of",
    "date",
    "time",
    "value",
    "when",
    "required",
    "values",
    "pattern",
    "minus",
    "zone",
    "airport",
    "dates",
    "lenient",
];

impl<'t> Loader<'t> {
    fn fail(&mut self, span: Range<usize>, key: &str, problem: impl std::fmt::Display) {
        let line = line_of(self.text, span.start);
        self.problems
            .push(format!("{}:{line}: key `{key}`: {problem}", self.file));
    }

    /// The entries of a table, reporting keys not in `allowed`.
    fn entries<'a, 'i>(
        &mut self,
        table: &'a DeTable<'i>,
        path: &str,
        allowed: &[&str],
    ) -> BTreeMap<String, &'a Val<'i>> {
        let mut out = BTreeMap::new();
        for (key, value) in table {
            let name = key.get_ref().to_string();
            let full = join_key(path, &name);
            if allowed.contains(&name.as_str()) {
                out.insert(name, value);
            } else {
                self.fail(
                    key.span(),
                    &full,
                    format!("is not a known key; expected one of {}", allowed.join(", ")),
                );
            }
        }
        out
    }

    fn table<'a, 'i>(&mut self, v: &'a Val<'i>, key: &str) -> Option<&'a DeTable<'i>> {
        match v.get_ref() {
            DeValue::Table(t) => Some(t),
            other => {
                self.fail(
                    v.span(),
                    key,
                    format!("must be a table, not {}", other.type_str()),
                );
                None
            }
        }
    }

    fn string(&mut self, v: &Val<'_>, key: &str) -> Option<String> {
        match v.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            other => {
                self.fail(
                    v.span(),
                    key,
                    format!("must be a string, not {}", other.type_str()),
                );
                None
            }
        }
    }

    fn boolean(&mut self, v: &Val<'_>, key: &str) -> bool {
        match v.get_ref() {
            DeValue::Boolean(b) => *b,
            other => {
                self.fail(
                    v.span(),
                    key,
                    format!("must be true or false, not {}", other.type_str()),
                );
                false
            }
        }
    }

    /// One string or a list of strings.
    fn strings(&mut self, v: &Val<'_>, key: &str) -> Vec<(String, Range<usize>)> {
        match v.get_ref() {
            DeValue::String(s) => vec![(s.to_string(), v.span())],
            DeValue::Array(items) => items
                .iter()
                .filter_map(|item| Some((self.string(item, key)?, item.span())))
                .collect(),
            other => {
                self.fail(
                    v.span(),
                    key,
                    format!(
                        "must be a string or a list of strings, not {}",
                        other.type_str()
                    ),
                );
                Vec::new()
            }
        }
    }

    fn ptr(&mut self, s: &str, span: Range<usize>, key: &str) -> Option<Ptr> {
        if s == "topic" {
            return Some(Ptr::Topic);
        }
        let (root, pointer) = match s.strip_prefix("root:") {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let escapes_ok = pointer
            .match_indices('~')
            .all(|(i, _)| matches!(pointer.as_bytes().get(i + 1), Some(b'0' | b'1')));
        if !(pointer.is_empty() || pointer.starts_with('/')) || !escapes_ok {
            self.fail(
                span,
                key,
                format!(
                    "{s:?} is not a JSON Pointer: a pointer starts with / (e.g. /booking/id, \
                     /legs/0/origin), writes ~ as ~0 and / inside a name as ~1; \
                     \"topic\" is the URL topic, \"root:/…\" the whole body inside `each`"
                ),
            );
            return None;
        }
        Some(if root {
            Ptr::Root(pointer.to_owned())
        } else {
            Ptr::Here(pointer.to_owned())
        })
    }

    fn ptrs(&mut self, v: &Val<'_>, key: &str) -> Vec<Ptr> {
        self.strings(v, key)
            .into_iter()
            .filter_map(|(s, span)| self.ptr(&s, span, key))
            .collect()
    }

    fn when(&mut self, v: &Val<'_>, key: &str) -> When {
        self.strings(v, key)
            .into_iter()
            .filter_map(|(s, span)| {
                let (negate, name) = match s.strip_prefix('!') {
                    Some(rest) => (true, rest.trim().to_owned()),
                    None => (false, s.trim().to_owned()),
                };
                if self.conditions.contains(&name) {
                    Some(CondRef { name, negate })
                } else {
                    self.fail(
                        span,
                        key,
                        format!(
                            "names no condition {name:?}; known: {} (define more under [conditions])",
                            self.conditions.join(", ")
                        ),
                    );
                    None
                }
            })
            .collect()
    }

    fn regex(&mut self, v: &Val<'_>, key: &str) -> Option<Regex> {
        let s = self.string(v, key)?;
        match Regex::new(&s) {
            Ok(re) => Some(re),
            Err(e) => {
                self.fail(v.span(), key, format!("is not a valid pattern: {e}"));
                None
            }
        }
    }

    /// A `true`/`false` or a condition list.
    fn flag(&mut self, v: &Val<'_>, key: &str) -> Option<When> {
        match v.get_ref() {
            DeValue::Boolean(true) => Some(Vec::new()),
            DeValue::Boolean(false) => None,
            _ => Some(self.when(v, key)),
        }
    }

    fn field(&mut self, v: &Val<'_>, key: &str, ty: Ty) -> Field {
        let sources = match v.get_ref() {
            DeValue::Array(items) => items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| self.source(item, &format!("{key}[{i}]"), ty))
                .collect(),
            _ => self.source(v, key, ty).into_iter().collect(),
        };
        Field {
            sources,
            ty: Some(ty),
        }
    }

    fn source(&mut self, v: &Val<'_>, key: &str, ty: Ty) -> Option<Source> {
        let constant = |value: Value| Source {
            value: Some(value),
            ..Source::default()
        };
        let source = match v.get_ref() {
            DeValue::String(s) if is_enum(ty) && !s.starts_with('/') && s != "topic" => {
                constant(Value::String(s.to_string()))
            }
            DeValue::String(s) => Source {
                from: vec![self.ptr(s, v.span(), key)?],
                ..Source::default()
            },
            DeValue::Boolean(b) => constant(Value::Bool(*b)),
            DeValue::Integer(n) => constant(integer(n.as_str())),
            DeValue::Table(t) => self.source_table(t, key, ty)?,
            other => {
                self.fail(
                    v.span(),
                    key,
                    format!(
                        "must be a JSON Pointer string, a table or a list of them, not {}",
                        other.type_str()
                    ),
                );
                return None;
            }
        };
        if let Some(value) = &source.value {
            if let Err(problem) = check_constant(ty, value) {
                self.fail(v.span(), key, format!("cannot fill this field: {problem}"));
            }
        }
        Some(source)
    }

    fn source_table(&mut self, t: &DeTable<'_>, key: &str, ty: Ty) -> Option<Source> {
        let e = self.entries(t, key, &SOURCE_KEYS);
        let mut s = Source::default();
        let sub = |name: &str| format!("{key}.{name}");
        let only_for = |l: &mut Self, name: &str, allowed: bool, what: &str| {
            if let (Some(v), false) = (e.get(name), allowed) {
                l.fail(
                    v.span(),
                    &sub(name),
                    format!("cannot fill this field: only {what}"),
                );
            }
        };
        only_for(
            self,
            "length_of",
            ty == Ty::Count,
            "a count can be an array's length",
        );
        only_for(
            self,
            "minus",
            ty == Ty::Count,
            "a count can subtract other counts",
        );
        for name in ["zone", "airport", "dates", "date", "time"] {
            only_for(
                self,
                name,
                ty == Ty::Time,
                "a timestamp field reads time zones and dates",
            );
        }
        only_for(self, "lenient", ty == Ty::Phone, "a phone field is lenient");
        if let Some(v) = e.get("from") {
            s.from = self.ptrs(v, &sub("from"));
        }
        if let Some(v) = e.get("join") {
            s.join = self.ptrs(v, &sub("join"));
        }
        if let Some(v) = e.get("separator") {
            s.separator = self.string(v, &sub("separator")).unwrap_or_default();
        }
        if let Some(v) = e.get("length_of") {
            s.length_of = self.ptrs(v, &sub("length_of")).into_iter().next();
        }
        match (e.get("date"), e.get("time")) {
            (Some(d), Some(t)) => {
                let date = self.ptrs(d, &sub("date")).into_iter().next();
                let time = self.ptrs(t, &sub("time")).into_iter().next();
                s.date_time = date.zip(time);
            }
            (Some(v), None) | (None, Some(v)) => self.fail(
                v.span(),
                key,
                "needs both `date` and `time` (a date and a separate time combined)",
            ),
            (None, None) => {}
        }
        if let Some(v) = e.get("value") {
            s.value = Some(match v.get_ref() {
                DeValue::String(x) => Value::String(x.to_string()),
                DeValue::Integer(n) => integer(n.as_str()),
                DeValue::Boolean(b) => Value::Bool(*b),
                other => {
                    self.fail(
                        v.span(),
                        &sub("value"),
                        format!(
                            "must be a string, a number or true/false, not {}",
                            other.type_str()
                        ),
                    );
                    Value::Null
                }
            });
        }
        if let Some(v) = e.get("when") {
            s.when = self.when(v, &sub("when"));
        }
        if let Some(v) = e.get("required") {
            s.required = self.flag(v, &sub("required"));
        }
        if let Some(v) = e.get("values") {
            if let Some(table) = self.table(v, &sub("values")) {
                for (from, to) in table {
                    let k = format!("{key}.values.{}", from.get_ref());
                    let Some(target) = self.string(to, &k) else {
                        continue;
                    };
                    if let Err(problem) = check_constant(ty, &Value::String(target.clone())) {
                        self.fail(to.span(), &k, format!("cannot fill this field: {problem}"));
                    }
                    s.values
                        .push((from.get_ref().trim().to_uppercase(), target));
                }
            }
        }
        if let Some(v) = e.get("pattern") {
            s.pattern = self.regex(v, &sub("pattern"));
        }
        if let Some(v) = e.get("minus") {
            s.minus = self.ptrs(v, &sub("minus"));
        }
        if let Some(v) = e.get("zone") {
            let text = self.string(v, &sub("zone")).unwrap_or_default();
            if text.starts_with('/') || text.starts_with("root:") {
                s.zone = Zone::Field(self.ptrs(v, &sub("zone")));
            } else {
                match text.parse() {
                    Ok(tz) => s.zone = Zone::Named(tz),
                    Err(_) => self.fail(
                        v.span(),
                        &sub("zone"),
                        format!("{text:?} is neither a JSON Pointer nor an IANA time zone such as Europe/London or UTC"),
                    ),
                }
            }
        }
        if let Some(v) = e.get("airport") {
            if !matches!(s.zone, Zone::None) {
                self.fail(
                    v.span(),
                    &sub("airport"),
                    "cannot be given with `zone`: choose one",
                );
            }
            s.zone = Zone::Airport(self.ptrs(v, &sub("airport")));
        }
        if let Some(v) = e.get("dates") {
            s.dates = self.boolean(v, &sub("dates"));
        }
        if let Some(v) = e.get("lenient") {
            s.lenient = self.boolean(v, &sub("lenient"));
        }
        let readers = [
            !s.from.is_empty(),
            !s.join.is_empty(),
            s.length_of.is_some(),
            s.date_time.is_some(),
            s.value.is_some(),
        ];
        match readers.iter().filter(|r| **r).count() {
            1 => Some(s),
            0 => {
                self.fail(
                    t_span(t),
                    key,
                    "says nowhere to read the value: give one of `from`, `join`, `length_of`, `date`+`time` or `value`",
                );
                None
            }
            _ => {
                self.fail(
                    t_span(t),
                    key,
                    "gives more than one of `from`, `join`, `length_of`, `date`+`time`, `value`: use a list of sources to try several",
                );
                None
            }
        }
    }
}

/// Where a table starts (its first key), for messages about the whole table.
fn t_span(t: &DeTable<'_>) -> Range<usize> {
    t.iter().next().map_or(0..0, |(k, _)| k.span())
}

fn integer(text: &str) -> Value {
    text.replace('_', "")
        .parse::<i64>()
        .map_or(Value::Null, Value::from)
}

fn is_enum(ty: Ty) -> bool {
    matches!(
        ty,
        Ty::Status | Ty::SegmentStatus | Ty::SegmentKind | Ty::PassengerType
    )
}

fn join_key(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

fn reply_word(word: &str) -> Option<Reply> {
    match word {
        "standard" => Some(Reply::Standard),
        "supplier_booking_id" => Some(Reply::WithSupplierBookingId),
        "no_content" => Some(Reply::NoContent),
        _ => None,
    }
}

fn change_word(word: &str) -> Option<Change> {
    match word {
        "create" => Some(Change::Create),
        "update" => Some(Change::Update),
        "cancel" => Some(Change::Cancel),
        "ignore" => Some(Change::Ignore),
        _ => None,
    }
}

mod sections;
