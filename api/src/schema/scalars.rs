//! The `DateTime` scalar: RFC 3339 in UTC with a `Z`, e.g. `2024-02-09T08:21:41Z`.
//!
//! async-graphql's own chrono scalar writes `+00:00`; the contract shows `Z`, so the
//! API uses this one instead and never exposes chrono types directly.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{SecondsFormat, Utc};

/// An instant in UTC. Output has fractional seconds only when they are not zero; input
/// accepts any RFC 3339 offset and converts it to UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DateTime(pub chrono::DateTime<Utc>);

/// An instant as RFC 3339 in UTC, e.g. "2024-02-09T08:21:41Z".
#[Scalar(
    name = "DateTime",
    specified_by_url = "https://datatracker.ietf.org/doc/html/rfc3339"
)]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => chrono::DateTime::parse_from_rfc3339(text)
                .map(|instant| Self(instant.with_timezone(&Utc)))
                .map_err(|_| {
                    InputValueError::custom(format!(
                        "`{text}` is not an RFC 3339 date-time like 2024-02-09T08:21:41Z"
                    ))
                }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }
}

impl From<chrono::DateTime<Utc>> for DateTime {
    fn from(instant: chrono::DateTime<Utc>) -> Self {
        Self(instant)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn instants_are_written_in_utc_with_z() {
        let instant = Utc.with_ymd_and_hms(2024, 2, 9, 8, 21, 41).unwrap();
        assert_eq!(
            DateTime(instant).to_value(),
            Value::String("2024-02-09T08:21:41Z".into())
        );
    }

    #[test]
    fn offsets_are_converted_to_utc_on_input() {
        let parsed = DateTime::parse(Value::String("2024-02-09T09:21:41+01:00".into())).unwrap();
        assert_eq!(
            parsed.0,
            Utc.with_ymd_and_hms(2024, 2, 9, 8, 21, 41).unwrap()
        );
        assert!(DateTime::parse(Value::String("9 Feb 2024".into())).is_err());
    }
}
