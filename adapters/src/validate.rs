//! Domain values that cannot exist unless valid, and a reader that pulls them out of a
//! JSON body while collecting *every* failing field (a 422 lists them all).

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::Value;

use crate::canonical::{AdapterError, FieldError};

/// The text behind each validated value: read as `&str` (`Deref`), written as `Display`
/// and serialised as a plain JSON string (`ingest mapping check` prints them so). A value
/// is made only by its `parse`; ingest turns it into text where it stores it.
macro_rules! text_value {
    ($($name:ident),+) => {$(
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        /// Test literals (`Some("BA123".into())`) go through the same check.
        #[cfg(test)]
        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self::parse(s).expect("a valid test value")
            }
        }
    )+};
}

text_value!(
    IataCode,
    E164Phone,
    FlightNumber,
    Email,
    PlaceCode,
    ServiceNumber
);

/// A three-letter IATA location code, upper case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IataCode(String);

impl IataCode {
    /// # Errors
    /// When `s` is not three ASCII letters.
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.len() == 3 && s.chars().all(|c| c.is_ascii_alphabetic()) {
            Ok(Self(s.to_ascii_uppercase()))
        } else {
            Err(format!(
                "must be a three-letter IATA code, e.g. LHR (got {:?})",
                clip(s)
            ))
        }
    }
}

/// A phone number in E.164 form (`+` then country code and number, no spaces).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct E164Phone(String);

impl E164Phone {
    /// # Errors
    /// When `s` is not `+` followed by 7–15 digits forming a number with a known country code.
    pub fn parse(s: &str) -> Result<Self, String> {
        const EXPECTED: &str = "must be E.164, e.g. +441632960881";
        let digits = s.strip_prefix('+').ok_or(EXPECTED)?;
        if !(7..=15).contains(&digits.len())
            || !digits.chars().all(|c| c.is_ascii_digit())
            || digits.starts_with('0')
        {
            return Err(EXPECTED.to_owned());
        }
        // The crate knows the country calling codes and number lengths; its stricter
        // `is_valid` rejects the fictional ranges partners use in samples, so it is not used.
        phonenumber::parse(None, s).map_err(|_| EXPECTED.to_owned())?;
        Ok(Self(s.to_owned()))
    }

    /// Lenient form for partners that send human formatting (`+1 214 720 2224`): spaces,
    /// dashes, dots and brackets are removed before the E.164 check.
    ///
    /// # Errors
    /// As [`E164Phone::parse`] on the compacted text.
    pub fn parse_formatted(s: &str) -> Result<Self, String> {
        let compact: String = s
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
            .collect();
        Self::parse(&compact)
    }
}

/// A flight number: two-character airline designator then 1–4 digits, e.g. `BA123`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlightNumber(String);

impl FlightNumber {
    /// # Errors
    /// When `s` does not have that shape.
    pub fn parse(s: &str) -> Result<Self, String> {
        let compact: String = s
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        let ok = compact.len() >= 3
            && compact.is_char_boundary(2)
            && compact[..2].chars().all(|c| c.is_ascii_alphanumeric())
            && !compact[..2].chars().all(|c| c.is_ascii_digit())
            && (1..=4).contains(&compact[2..].len())
            && compact[2..].chars().all(|c| c.is_ascii_digit());
        if ok {
            Ok(Self(compact))
        } else {
            Err(format!(
                "must be a two-character airline designator and 1–4 digits, e.g. BA123 (got {:?})",
                clip(s)
            ))
        }
    }

    /// The airline designator (first two characters).
    pub fn carrier(&self) -> &str {
        &self.0[..2]
    }
}

/// An e-mail address: one `@`, something before it, a dotted domain after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// # Errors
    /// When `s` is not shaped like an address.
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let ok = match s.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !s.chars().any(char::is_whitespace)
            }
            None => false,
        };
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err("must be an e-mail address, e.g. ana@example.com".to_owned())
        }
    }
}

/// The code of a place: an IATA airport or city code, or a partner's own code for a
/// station, port or city (Traxo rail and car `origin`, `pickup_city_code`), kept as sent.
/// [`PlaceCode::is_iata`] tells which: a code is IATA when it has that form (three
/// capital letters), so the stored text reads back as the same value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceCode(String);

impl PlaceCode {
    /// A code of any form: trimmed, not blank, at most [`MAX_TEXT_BYTES`].
    ///
    /// # Errors
    /// When `s` is blank or too long.
    pub fn parse(s: &str) -> Result<Self, String> {
        non_blank(s).map(Self)
    }

    /// Whether the code has the form of an IATA code.
    pub fn is_iata(&self) -> bool {
        IataCode::parse(&self.0).is_ok_and(|code| code.0 == self.0)
    }
}

impl From<IataCode> for PlaceCode {
    fn from(code: IataCode) -> Self {
        Self(code.0)
    }
}

/// The stored place (`destinations` column) reads its code back as it was written.
impl<'de> serde::Deserialize<'de> for PlaceCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// The number of a service: a flight number, or a train, ship or transfer number that
/// need not look like one (Spotnana rail `timetableId`, Traxo rail `flight_num`).
/// [`ServiceNumber::flight`] gives the flight number when it is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceNumber(String);

impl ServiceNumber {
    /// A number of any form: trimmed, not blank, at most [`MAX_TEXT_BYTES`].
    ///
    /// # Errors
    /// When `s` is blank or too long.
    pub fn parse(s: &str) -> Result<Self, String> {
        non_blank(s).map(Self)
    }

    /// The number as a flight number, when it is one exactly as written.
    pub fn flight(&self) -> Option<FlightNumber> {
        FlightNumber::parse(&self.0)
            .ok()
            .filter(|flight| flight.0 == self.0)
    }
}

impl From<FlightNumber> for ServiceNumber {
    fn from(flight: FlightNumber) -> Self {
        Self(flight.0)
    }
}

/// `s` trimmed, when it is neither blank nor longer than [`MAX_TEXT_BYTES`].
fn non_blank(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s.is_empty() {
        Err("must not be blank".to_owned())
    } else if s.len() > MAX_TEXT_BYTES {
        Err(format!("must be at most {MAX_TEXT_BYTES} bytes long"))
    } else {
        Ok(s.to_owned())
    }
}

/// Parses an ISO-8601 timestamp into UTC.
///
/// Accepts `Z`, `+00:00` and `+0000` offsets and fractional seconds. A timestamp without
/// an offset is local time in `zone`; without a zone it is refused.
///
/// # Errors
/// A message saying what was expected.
pub fn parse_timestamp(s: &str, zone: Option<Tz>) -> Result<DateTime<Utc>, String> {
    let at = parse_any_timestamp(s.trim(), zone)?;
    check_year(at)?;
    Ok(at)
}

/// Years a timestamp may have: RFC 3339 (what the api serves) has four digits.
pub const YEARS: std::ops::RangeInclusive<i32> = 1..=9999;

/// # Errors
/// When `at` falls outside [`YEARS`].
pub fn check_year(at: DateTime<Utc>) -> Result<(), String> {
    use chrono::Datelike;
    if YEARS.contains(&at.year()) {
        Ok(())
    } else {
        Err(format!(
            "must be between the years 0001 and 9999 (got year {})",
            at.year()
        ))
    }
}

fn parse_any_timestamp(s: &str, zone: Option<Tz>) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%z",
    ] {
        if let Ok(t) = DateTime::<FixedOffset>::parse_from_str(s, format) {
            return Ok(t.with_timezone(&Utc));
        }
    }
    let naive = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(s, format).ok())
    .ok_or_else(|| {
        format!(
            "must be an ISO-8601 timestamp, e.g. 2024-02-09T08:21:41Z (got {:?})",
            clip(s)
        )
    })?;
    let zone = zone.ok_or("has no UTC offset and no time zone is known for it: send it in UTC, e.g. 2024-02-09T08:21:41Z")?;
    zone.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| format!("does not exist in time zone {zone} (skipped by a clock change)"))
}

/// Parses a timestamp that must carry its own offset (the partner documents say "UTC").
///
/// # Errors
/// As [`parse_timestamp`] without a zone.
pub fn parse_utc(s: &str) -> Result<DateTime<Utc>, String> {
    parse_timestamp(s, None)
}

/// At most 40 characters of partner text, for error messages ("… (got \"…\")").
pub fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}

/// What kind of JSON value `value` is, for a message saying what came instead.
pub fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A JSON value as text, the way every reader takes text: a string trimmed (blank is
/// absent), a number as its JSON text.
///
/// # Errors
/// What is wrong: a string over [`MAX_TEXT_BYTES`], or a value of another type.
pub fn text_of(value: &Value) -> Result<Option<String>, String> {
    match value {
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) if s.len() > MAX_TEXT_BYTES => {
            Err(format!("must be at most {MAX_TEXT_BYTES} bytes long"))
        }
        Value::String(s) => Ok(Some(s.trim().to_owned())),
        Value::Number(n) => Ok(Some(n.to_string())),
        _ => Err("must be a string".to_owned()),
    }
}

/// Longest text value a delivery may set (a name, a code, a comment): more is not a
/// booking field but an attack or a mistake, and would bloat every row that holds it.
pub const MAX_TEXT_BYTES: usize = 2_000;

/// Longest reference (of a booking, a segment or a passenger): references are indexed,
/// and PostgreSQL refuses index rows over ~2.7 KB.
pub const MAX_REFERENCE_BYTES: usize = 255;

/// Every string in the body (keys too) that the database could not store: PostgreSQL
/// refuses NUL (`\u0000`) in text and JSON. Checked before any adapter reads the body,
/// so a refusal names the field wherever it is; the raw body is archived byte-exact.
///
/// # Errors
/// [`AdapterError::Invalid`] naming each such field (the first twenty).
pub fn check_storable_json(body: &Value) -> Result<(), AdapterError> {
    const MAX_REPORTED: usize = 20;
    fn walk(value: &Value, path: &mut String, errors: &mut Vec<FieldError>) {
        if errors.len() >= MAX_REPORTED {
            return;
        }
        let message = "must not contain the NUL character (\\u0000)";
        let field = |path: &str| {
            if path.is_empty() {
                "(body)".to_owned()
            } else {
                path.to_owned()
            }
        };
        match value {
            Value::String(s) if s.contains('\0') => {
                errors.push(FieldError::new(field(path), message))
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(&index.to_string());
                    walk(item, path, errors);
                    path.truncate(len);
                }
            }
            Value::Object(map) => {
                for (key, item) in map {
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(&key.replace('\0', "\\u0000"));
                    if key.contains('\0') {
                        errors.push(FieldError::new(path.clone(), message));
                    } else {
                        walk(item, path, errors);
                    }
                    path.truncate(len);
                }
            }
            _ => {}
        }
    }
    let mut errors = Vec::new();
    walk(body, &mut String::new(), &mut errors);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AdapterError::Invalid(errors))
    }
}

/// The bounds every understood delivery must keep, whichever adapter produced it:
/// references short enough to index, text short enough to store, timestamps within
/// RFC 3339's years. Fields are named as in the canonical change (`reference`,
/// `segments.0.reference`, …) since the partner's own name is the adapter's business;
/// the adapters' readers refuse most such values earlier, under the partner's name.
///
/// # Errors
/// [`AdapterError::Invalid`] with every failing field.
pub fn check_bounds(delivery: &crate::canonical::Delivery) -> Result<(), AdapterError> {
    let crate::canonical::Action::Apply(change) = &delivery.action else {
        return Ok(());
    };
    let mut b = Bounds::default();
    b.reference("reference", &change.reference);
    b.year("occurredAt", delivery.occurred_at);
    b.year("bookedAt", change.booked_at);
    b.year("tripStart", change.trip_start);
    b.year("tripEnd", change.trip_end);
    b.place("origin", change.origin.as_ref());
    b.place("destination", change.destination.as_ref());
    b.text("cabinClass", change.cabin_class.as_deref());
    if let Some(c) = &change.customer {
        b.text("customer.id", c.id.as_deref());
        b.text("customer.firstName", c.first_name.as_deref());
        b.text("customer.email", c.email.as_deref());
        b.text("customer.phone", c.phone.as_deref());
    }
    for (n, p) in change.passengers.iter().enumerate() {
        let at = |field: &str| format!("passengers.{n}.{field}");
        b.reference(&at("reference"), &p.reference);
        b.text(&at("firstName"), p.first_name.as_deref());
        b.text(&at("lastName"), p.last_name.as_deref());
        b.text(&at("email"), p.email.as_deref());
        b.text(&at("phone"), p.phone.as_deref());
    }
    for (n, s) in change.segments.iter().enumerate() {
        let at = |field: &str| format!("segments.{n}.{field}");
        b.reference(&at("reference"), &s.reference);
        b.place(&at("origin"), s.origin.as_ref());
        b.place(&at("destination"), s.destination.as_ref());
        b.year(&at("departureAt"), s.departure_at);
        b.year(&at("arrivalAt"), s.arrival_at);
        b.text(&at("carrier"), s.carrier.as_deref());
        b.text(&at("flightNumber"), s.flight_number.as_deref());
        b.text(&at("cabinClass"), s.cabin_class.as_deref());
    }
    if b.errors.is_empty() {
        Ok(())
    } else {
        Err(AdapterError::Invalid(b.errors))
    }
}

/// The failures [`check_bounds`] collects.
#[derive(Default)]
struct Bounds {
    errors: Vec<FieldError>,
}

impl Bounds {
    fn reference(&mut self, field: &str, value: &str) {
        if value.len() > MAX_REFERENCE_BYTES {
            self.errors.push(FieldError::new(
                field,
                format!("is a reference and must be at most {MAX_REFERENCE_BYTES} bytes long"),
            ));
        }
    }

    fn text(&mut self, field: &str, value: Option<&str>) {
        if value.is_some_and(|v| v.len() > MAX_TEXT_BYTES) {
            self.errors.push(FieldError::new(
                field,
                format!("must be at most {MAX_TEXT_BYTES} bytes long"),
            ));
        }
    }

    fn place(&mut self, field: &str, place: Option<&crate::canonical::Place>) {
        if let Some(p) = place {
            self.text(&format!("{field}.code"), p.code.as_deref());
            self.text(&format!("{field}.name"), p.name.as_deref());
            self.text(&format!("{field}.country"), p.country.as_deref());
        }
    }

    fn year(&mut self, field: &str, at: Option<DateTime<Utc>>) {
        if let Some(Err(message)) = at.map(check_year) {
            self.errors.push(FieldError::new(field, message));
        }
    }
}

/// Reads typed fields out of a JSON body by dotted path, remembering each failure so
/// that one response can list them all.
pub struct Reader<'a> {
    root: &'a Value,
    errors: Vec<FieldError>,
}

impl<'a> Reader<'a> {
    pub fn new(root: &'a Value) -> Self {
        Self {
            root,
            errors: Vec::new(),
        }
    }

    /// The value at `path` (`a.b.0.c`), `None` when absent or `null`.
    pub fn get(&self, path: &str) -> Option<&'a Value> {
        lookup(self.root, path)
    }

    /// Records a failure.
    pub fn fail(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    /// A string field; empty strings count as absent. Numbers are accepted as their text
    /// (partners send ids both ways).
    pub fn string(&mut self, path: &str) -> Option<String> {
        match text_of(self.get(path)?) {
            Ok(text) => text,
            Err(message) => {
                self.fail(path, message);
                None
            }
        }
    }

    /// Text at `path` for an optional field that is dropped, not refused, when it is
    /// absent, blank, too long or of another type.
    pub fn text_or_none(&self, path: &str) -> Option<String> {
        self.get(path)
            .and_then(|value| text_of(value).ok().flatten())
    }

    /// A string field that must be present and non-empty.
    pub fn required_string(&mut self, path: &str) -> Option<String> {
        let value = self.string(path);
        if value.is_none() && !self.has_error(path) {
            self.fail(path, "is required");
        }
        value
    }

    /// A non-negative whole number (a number, or a string of digits).
    pub fn count(&mut self, path: &str) -> Option<i32> {
        let parsed = match self.get(path)? {
            Value::Number(n) => n.as_i64(),
            Value::String(s) if s.trim().is_empty() => return None,
            Value::String(s) => s.trim().parse::<i64>().ok(),
            _ => None,
        };
        match parsed.and_then(|n| i32::try_from(n).ok()) {
            Some(n) if n >= 0 => Some(n),
            _ => {
                self.fail(path, "must be a non-negative whole number");
                None
            }
        }
    }

    /// Applies `parse` to a string field, recording its message on failure.
    pub fn parsed<T>(
        &mut self,
        path: &str,
        required: bool,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let raw = if required {
            self.required_string(path)
        } else {
            self.string(path)
        }?;
        match parse(&raw) {
            Ok(value) => Some(value),
            Err(message) => {
                self.fail(path, message);
                None
            }
        }
    }

    /// A timestamp with an offset, normalised to UTC.
    pub fn utc(&mut self, path: &str, required: bool) -> Option<DateTime<Utc>> {
        self.parsed(path, required, parse_utc)
    }

    /// A timestamp, local to `zone` when it has no offset.
    pub fn timestamp(
        &mut self,
        path: &str,
        required: bool,
        zone: Option<Tz>,
    ) -> Option<DateTime<Utc>> {
        self.parsed(path, required, |s| parse_timestamp(s, zone))
    }

    pub fn iata(&mut self, path: &str, required: bool) -> Option<IataCode> {
        self.parsed(path, required, IataCode::parse)
    }

    pub fn phone(&mut self, path: &str, required: bool) -> Option<E164Phone> {
        self.parsed(path, required, E164Phone::parse)
    }

    pub fn email(&mut self, path: &str, required: bool) -> Option<Email> {
        self.parsed(path, required, Email::parse)
    }

    pub fn flight_number(&mut self, path: &str, required: bool) -> Option<FlightNumber> {
        self.parsed(path, required, FlightNumber::parse)
    }

    fn has_error(&self, path: &str) -> bool {
        self.errors.iter().any(|e| e.field == path)
    }

    /// The collected failures, if any.
    ///
    /// # Errors
    /// [`AdapterError::Invalid`] with every failing field.
    pub fn finish(self) -> Result<(), AdapterError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(AdapterError::Invalid(self.errors))
        }
    }
}

/// The value at a dotted path; array elements by index. `null` counts as absent.
pub fn lookup<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    let mut current = root;
    for part in path.split('.') {
        current = match current {
            Value::Object(map) => map.get(part)?,
            Value::Array(items) => items.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    (!current.is_null()).then_some(current)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn timestamps_accept_every_offset_style_partners_send() {
        let expected = "2017-11-01T01:00:00Z".parse::<DateTime<Utc>>().unwrap();
        for s in [
            "2017-11-01T01:00:00Z",
            "2017-11-01T01:00:00+00:00",
            "2017-11-01T01:00:00+0000",
            "2017-11-01T02:00:00.000+01:00",
        ] {
            assert_eq!(parse_utc(s).unwrap(), expected, "{s}");
        }
    }

    #[test]
    fn local_timestamps_need_a_zone() {
        assert!(parse_utc("2017-10-06T11:00:00")
            .unwrap_err()
            .contains("no UTC offset"));
        let chicago: Tz = "America/Chicago".parse().unwrap();
        assert_eq!(
            parse_timestamp("2017-10-06T11:00:00", Some(chicago))
                .unwrap()
                .to_rfc3339(),
            "2017-10-06T16:00:00+00:00"
        );
    }

    #[test]
    fn phones_must_be_e164() {
        assert!(E164Phone::parse("+441632960881").is_ok());
        assert!(E164Phone::parse("441632960881").is_err());
        assert!(E164Phone::parse("+44 1632 960881").is_err());
        assert_eq!(
            E164Phone::parse_formatted("+1 214 720 2224")
                .unwrap()
                .into_inner(),
            "+12147202224"
        );
    }

    #[test]
    fn flight_numbers_have_a_designator_and_digits() {
        assert_eq!(FlightNumber::parse("BA123").unwrap().carrier(), "BA");
        assert!(FlightNumber::parse("U21234").is_ok());
        assert!(FlightNumber::parse("BA12345").is_err());
        assert!(FlightNumber::parse("123").is_err());
    }

    #[test]
    fn reader_collects_every_failing_field() {
        let body = json!({"a": {"phone": "0044"}, "n": -1, "when": "yesterday"});
        let mut reader = Reader::new(&body);
        reader.phone("a.phone", true);
        reader.count("n");
        reader.utc("when", true);
        reader.required_string("missing");
        let Err(AdapterError::Invalid(errors)) = reader.finish() else {
            panic!("expected errors")
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["a.phone", "n", "when", "missing"]);
    }
}
