//! Applying a checked mapping to one request: reading each value where the mapping
//! says, validating it as the built-in adapters do, and collecting every failure.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::Value;

use super::spec::*;
use crate::airports;
use crate::canonical::{FieldError, Place, Request};
use crate::validate::{
    check_year, clip, parse_timestamp, text_of, E164Phone, Email, FlightNumber, IataCode,
};
use crate::{BookingStatus, PassengerType, SegmentKind, SegmentStatus};

/// A value read and validated for its field.
#[derive(Debug, Clone, PartialEq)]
enum Out {
    Text(String),
    Count(i32),
    Time(DateTime<Utc>),
    Code(IataCode),
    Phone(E164Phone),
    Email(Email),
    Flight(FlightNumber),
    Status(BookingStatus),
    SegmentStatus(SegmentStatus),
    SegmentKind(SegmentKind),
    PassengerType(PassengerType),
    Bool(bool),
}

impl Out {
    fn same(&self, other: &Out) -> bool {
        match (self, other) {
            (Out::Text(a), Out::Text(b)) => a.eq_ignore_ascii_case(b),
            (Out::Email(a), Out::Email(b)) => a.eq_ignore_ascii_case(b),
            _ => self == other,
        }
    }
}

/// Where pointers are read: the body, or one element of an `each` array.
#[derive(Clone, Copy)]
struct Here<'a, 'p> {
    value: &'a Value,
    /// The element's dotted path (`legs.0.`), empty at the body.
    path: &'p str,
}

struct Ctx<'a> {
    m: &'a Mapping,
    root: &'a Value,
    topic: Option<&'a str>,
    event_name: Option<String>,
    event: Option<&'a EventDef>,
    errors: Vec<FieldError>,
}

/// `/a/b~1c` as the dotted field name of a 422 (`a.b/c`).
fn dotted(pointer: &str) -> String {
    pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect::<Vec<_>>()
        .join(".")
}

fn present(v: Option<&Value>) -> Option<&Value> {
    v.filter(|v| !v.is_null() && !v.as_str().is_some_and(|s| s.trim().is_empty()))
}

fn topic_of<'a>(request: &Request<'a>) -> Option<&'a str> {
    request.topic.map(str::trim).filter(|t| !t.is_empty())
}

impl<'a> Ctx<'a> {
    fn new(m: &'a Mapping, request: &Request<'a>) -> Self {
        Self {
            m,
            root: request.body,
            topic: topic_of(request),
            event_name: None,
            event: None,
            errors: Vec::new(),
        }
    }

    fn fail(&mut self, field: impl Into<String>, message: impl Into<String>) {
        let field = field.into();
        if !self.errors.iter().any(|e| e.field == field) {
            self.errors.push(FieldError::new(field, message));
        }
    }

    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    fn name(&self, ptr: &Ptr, here: Here<'_, '_>) -> String {
        match ptr {
            Ptr::Topic => "topic".to_owned(),
            Ptr::Root(p) => dotted(p),
            Ptr::Here(p) if p.is_empty() => here.path.trim_end_matches('.').to_owned(),
            Ptr::Here(p) => format!("{}{}", here.path, dotted(p)),
        }
    }

    fn lookup(&self, ptr: &Ptr, here: Here<'a, '_>) -> Option<&'a Value> {
        match ptr {
            Ptr::Topic => None,
            Ptr::Root(p) => self.root.pointer(p),
            Ptr::Here(p) => here.value.pointer(p),
        }
        .filter(|v| !v.is_null())
    }

    /// A text value as `Reader::string` reads it ([`text_of`]): trimmed, blank is absent,
    /// numbers as text.
    fn text(&mut self, ptr: &Ptr, here: Here<'a, '_>, ty: Ty) -> Option<String> {
        if let Ptr::Topic = ptr {
            return self.topic.map(str::to_owned);
        }
        let name = self.name(ptr, here);
        let value = self.lookup(ptr, here)?;
        match (value, text_of(value)) {
            (Value::Bool(b), _) if ty == Ty::Bool => Some(b.to_string()),
            (_, Ok(text)) => text,
            (Value::String(_), Err(message)) => {
                self.fail(name, message);
                None
            }
            (_, Err(_)) if ty == Ty::Count => {
                self.fail(name, "must be a non-negative whole number");
                None
            }
            (_, Err(message)) => {
                self.fail(name, message);
                None
            }
        }
    }

    fn condition(&self, name: &str, here: Here<'a, '_>) -> bool {
        let change = self.event.map(|e| e.change);
        match name {
            "create" => return change == Some(Change::Create),
            "update" => return change == Some(Change::Update),
            "cancel" => return change == Some(Change::Cancel),
            "has_topic" => return self.topic.is_some(),
            _ => {}
        }
        let Some(c) = self.m.conditions.get(name) else {
            return false;
        };
        let is_present = |p: &Ptr| match p {
            Ptr::Topic => self.topic.is_some(),
            _ => present(self.lookup(p, here)).is_some(),
        };
        c.present.iter().all(is_present)
            && !c.absent.iter().any(is_present)
            && c.topic.is_none_or(|t| t == self.topic.is_some())
            && c.key_prefix.as_ref().is_none_or(|prefix| {
                self.root.as_object().is_some_and(|o| {
                    o.keys()
                        .any(|k| k.starts_with(prefix.as_str()) && !c.except.contains(k))
                })
            })
            && c.matches.iter().all(|(p, re)| {
                let text = match p {
                    Ptr::Topic => self.topic.map(str::to_owned),
                    _ => present(self.lookup(p, here)).and_then(|v| match v {
                        Value::String(s) => Some(s.trim().to_owned()),
                        Value::Number(n) => Some(n.to_string()),
                        _ => None,
                    }),
                };
                text.is_some_and(|t| re.is_match(&t))
            })
            && (c.event.is_empty()
                || self
                    .event_name
                    .as_ref()
                    .is_some_and(|e| c.event.contains(e)))
    }

    fn holds(&self, when: &When, here: Here<'a, '_>) -> bool {
        when.iter()
            .all(|c| self.condition(&c.name, here) != c.negate)
    }

    fn zone(&mut self, zone: &Zone, here: Here<'a, '_>) -> Option<Tz> {
        match zone {
            Zone::None => None,
            Zone::Named(tz) => Some(*tz),
            Zone::Field(ptrs) => {
                let ptr = ptrs
                    .iter()
                    .find(|p| present(self.lookup(p, here)).is_some())?;
                let name = self.name(ptr, here);
                let text = self.text(ptr, here, Ty::Text)?;
                match text.parse::<Tz>() {
                    Ok(tz) => Some(tz),
                    Err(_) => {
                        self.fail(name, "must be an IANA time zone, e.g. Europe/London");
                        None
                    }
                }
            }
            Zone::Airport(ptrs) => ptrs
                .iter()
                .find_map(|p| self.text(p, here, Ty::Code))
                .and_then(|code| airports::time_zone(&code)),
        }
    }

    /// Pattern, translation and type of one text value read from `name`.
    fn convert(
        &mut self,
        s: &Source,
        ty: Ty,
        text: String,
        name: &str,
        here: Here<'a, '_>,
    ) -> Option<Out> {
        let mut text = text;
        if let Some(re) = &s.pattern {
            let caps = re.captures(&text)?;
            let m = caps.get(1).or_else(|| caps.get(0))?;
            text = m.as_str().trim().to_owned();
        }
        if let Some((_, to)) = s.values.iter().find(|(k, _)| *k == text.to_uppercase()) {
            text = to.clone();
        } else if !s.values.is_empty() && is_enum(ty) {
            return None;
        }
        let zone = if ty == Ty::Time {
            self.zone(&s.zone, here)
        } else {
            None
        };
        match parse(ty, &text, zone, s.dates, s.lenient) {
            Ok(out) => Some(out),
            Err(message) => {
                self.fail(name, message);
                None
            }
        }
    }

    fn source(&mut self, s: &Source, ty: Ty, here: Here<'a, '_>) -> Option<Out> {
        if !self.holds(&s.when, here) {
            return None;
        }
        let out = if let Some(value) = &s.value {
            let text = match value {
                Value::String(t) => t.clone(),
                other => other.to_string(),
            };
            parse(ty, &text, None, false, false).ok()
        } else if !s.from.is_empty() {
            let mut first: Option<(String, Out)> = None;
            for ptr in &s.from {
                let name = self.name(ptr, here);
                let Some(text) = self.text(ptr, here, ty) else {
                    continue;
                };
                let Some(out) = self.convert(s, ty, text, &name, here) else {
                    continue;
                };
                match &first {
                    None => first = Some((name, out)),
                    Some((first_name, value)) if !value.same(&out) => {
                        let message = format!(
                            "says something else than {first_name}: send one of them, or the same value"
                        );
                        self.fail(name, message);
                    }
                    Some(_) => {}
                }
            }
            first.map(|(_, out)| out)
        } else if !s.join.is_empty() {
            let name = self.name(&s.join[0], here);
            let parts: Option<Vec<String>> = s
                .join
                .iter()
                .map(|p| self.text(p, here, Ty::Text))
                .collect::<Vec<_>>()
                .into_iter()
                .collect();
            let joined = parts?.join(&s.separator);
            self.convert(s, ty, joined, &name, here)
        } else if let Some(ptr) = &s.length_of {
            let name = self.name(ptr, here);
            match self.lookup(ptr, here)? {
                Value::Array(items) => i32::try_from(items.len()).ok().map(Out::Count),
                _ => {
                    self.fail(name, "must be an array (its length is counted)");
                    None
                }
            }
        } else if let Some((date, time)) = &s.date_time {
            let name = self.name(date, here);
            let d = self.text(date, here, Ty::Text);
            let t = self.text(time, here, Ty::Text);
            let combined = format!("{}T{}", d?, t?);
            self.convert(s, ty, combined, &name, here)
        } else {
            None
        };
        match (out, s.minus.is_empty()) {
            (Some(Out::Count(n)), false) => {
                let less: i32 = s
                    .minus
                    .iter()
                    .filter_map(|p| match self.text(p, here, Ty::Count) {
                        Some(t) => t.parse::<i32>().ok(),
                        None => None,
                    })
                    .filter(|n| *n >= 0)
                    .fold(0, i32::saturating_add);
                Some(Out::Count(n.saturating_sub(less).max(0)))
            }
            (out, _) => out,
        }
    }

    fn field(&mut self, f: &Field, here: Here<'a, '_>) -> Option<Out> {
        let ty = f.ty?;
        for s in &f.sources {
            if let Some(out) = self.source(s, ty, here) {
                return Some(out);
            }
        }
        let required = f.sources.iter().find(|s| {
            s.required
                .as_ref()
                .is_some_and(|when| self.holds(when, here))
        })?;
        let ptr = required
            .from
            .first()
            .or(required.join.first())
            .or(required.length_of.as_ref())
            .or(required.date_time.as_ref().map(|(d, _)| d))?;
        let name = self.name(ptr, here);
        if !self.has_error(&name) {
            self.fail(name, "is required");
        }
        None
    }

    fn text_field(&mut self, f: &Field, here: Here<'a, '_>) -> Option<String> {
        match self.field(f, here)? {
            Out::Text(s) => Some(s),
            _ => None,
        }
    }

    fn email(&mut self, f: &Field, here: Here<'a, '_>) -> Option<Email> {
        match self.field(f, here)? {
            Out::Email(email) => Some(email),
            _ => None,
        }
    }

    fn phone(&mut self, f: &Field, here: Here<'a, '_>) -> Option<E164Phone> {
        match self.field(f, here)? {
            Out::Phone(phone) => Some(phone),
            _ => None,
        }
    }

    fn flight(&mut self, f: &Field, here: Here<'a, '_>) -> Option<FlightNumber> {
        match self.field(f, here)? {
            Out::Flight(flight) => Some(flight),
            _ => None,
        }
    }

    fn count(&mut self, f: &Field, here: Here<'a, '_>) -> Option<i32> {
        match self.field(f, here)? {
            Out::Count(n) => Some(n),
            _ => None,
        }
    }

    fn time(&mut self, f: &Field, here: Here<'a, '_>) -> Option<DateTime<Utc>> {
        match self.field(f, here)? {
            Out::Time(t) => Some(t),
            _ => None,
        }
    }

    fn place(&mut self, p: &PlaceSpec, here: Here<'a, '_>) -> Option<Place> {
        if !self.holds(&p.when, here) {
            return None;
        }
        let code = match self.field(&p.code, here) {
            Some(Out::Code(code)) => Some(code),
            _ => None,
        };
        let name = self.text_field(&p.name, here);
        let country = self.text_field(&p.country, here);
        airports::place(code, name, country)
    }
}

mod build;
pub use self::build::delivery_json;
pub(super) use self::build::{event_type, normalize};

fn is_enum(ty: Ty) -> bool {
    matches!(
        ty,
        Ty::Status | Ty::SegmentStatus | Ty::SegmentKind | Ty::PassengerType
    )
}

/// Whether a constant of the mapping can fill a field of type `ty` (checked on load).
///
/// # Errors
/// What the field expects.
pub(super) fn check_constant(ty: Ty, value: &Value) -> Result<(), String> {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) if ty == Ty::Bool => b.to_string(),
        other => return Err(format!("{other} is not a value for this field")),
    };
    parse(ty, &text, Some(chrono_tz::UTC), true, true).map(|_| ())
}

fn enum_value<T: serde::de::DeserializeOwned>(text: &str, all: &str) -> Result<T, String> {
    serde_json::from_value(Value::String(text.trim().to_ascii_uppercase()))
        .map_err(|_| format!("must be one of {all} (got {:?})", clip(text)))
}

/// One text as a value of type `ty`, with the built-in adapters' validation.
fn parse(ty: Ty, text: &str, zone: Option<Tz>, dates: bool, lenient: bool) -> Result<Out, String> {
    Ok(match ty {
        Ty::Text => Out::Text(text.to_owned()),
        Ty::Code => Out::Code(IataCode::parse(text)?),
        Ty::Phone if lenient => Out::Phone(E164Phone::parse_formatted(&text.replace("(0)", ""))?),
        Ty::Phone => Out::Phone(E164Phone::parse(text)?),
        Ty::Email => Out::Email(Email::parse(text)?),
        Ty::Count => Out::Count(
            text.trim()
                .parse::<i64>()
                .ok()
                .and_then(|n| i32::try_from(n).ok())
                .filter(|n| *n >= 0)
                .ok_or("must be a non-negative whole number")?,
        ),
        Ty::Time => Out::Time(time(text, zone, dates)?),
        Ty::Flight => Out::Flight(FlightNumber::parse(text)?),
        Ty::Status => Out::Status(enum_value(
            text,
            "CONFIRMED, TICKETED, ON_HOLD, IN_PROGRESS, COMPLETED, DISRUPTED, CANCELLED",
        )?),
        Ty::SegmentStatus => Out::SegmentStatus(enum_value(text, "ACTIVE, CANCELLED")?),
        Ty::SegmentKind => Out::SegmentKind(enum_value(
            text,
            "AIR, HOTEL, CAR, RAIL, CRUISE, ACTIVITY, TRANSFER, OTHER",
        )?),
        Ty::PassengerType => Out::PassengerType(enum_value(text, "ADULT, CHILD, INFANT")?),
        Ty::Bool => Out::Bool(match text.trim() {
            "true" => true,
            "false" => false,
            _ => return Err("must be true or false".to_owned()),
        }),
    })
}

/// A timestamp: RFC 3339 / ISO 8601 with an offset (also `+0200` and `+02`), or local
/// time in `zone`; with `dates`, a date alone is local midnight in `zone`.
fn time(text: &str, zone: Option<Tz>, dates: bool) -> Result<DateTime<Utc>, String> {
    let s = text.trim();
    if dates {
        if let Ok(date) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            let zone = zone.ok_or(
                "is a date without a time, and no time zone is known for it: send the zone or airport too, or a timestamp such as 2024-06-14T07:27:17Z",
            )?;
            let at = (0..3)
                .filter_map(|hour| date.and_hms_opt(hour, 0, 0))
                .find_map(|local| zone.from_local_datetime(&local).earliest())
                .map(|at| at.with_timezone(&Utc))
                .ok_or_else(|| format!("has no midnight in time zone {zone}"))?;
            check_year(at)?;
            return Ok(at);
        }
    }
    parse_timestamp(s, zone).or_else(|message| {
        ["%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%dT%H:%M%#z"]
            .iter()
            .find_map(|format| DateTime::<FixedOffset>::parse_from_str(s, format).ok())
            .map(|at| at.with_timezone(&Utc))
            .filter(|at| check_year(*at).is_ok())
            .ok_or(message)
    })
}
