//! The [`Adapter`] trait and the registration table of the built-in adapters.
//!
//! An adapter owns everything about its format: its registry name, the topics it
//! serves, the body formats it takes, its normalisation and the reply its partner
//! expects. Adding a built-in adapter is its file plus one line in the table
//! ([`BUILT_IN`], in the crate root).

use std::fmt;
use std::panic::RefUnwindSafe;
use std::sync::Arc;

use crate::canonical::{AdapterError, Delivery, FieldError, Request};
use crate::{validate, BUILT_IN};

/// The built-in adapter registered under `name`, as a registry entry.
pub fn built_in(name: &str) -> Option<SharedAdapter> {
    let adapter = BUILT_IN
        .iter()
        .copied()
        .find(|adapter| adapter.name() == name)?;
    Some(Arc::new(adapter))
}

/// What the registry says of an `adapter = "…"` it does not know: the value and the
/// names it could have been, from [`BUILT_IN`].
pub fn unknown_adapter(name: &str) -> String {
    let mut names: Vec<&str> = BUILT_IN.iter().map(|adapter| adapter.name()).collect();
    // Not in the table: each partner's mapping file makes its own (CONTRACT §4.6).
    names.push(crate::mapping::NAME);
    format!("is {name:?}; expected one of {}", names.join(", "))
}

/// A partner format: a pure function from the request to a [`Delivery`], plus what the
/// receiver needs to know around it. No database, no HTTP. `RefUnwindSafe`: an adapter
/// holds no state a panic could leave half-changed, so the receiver may catch one.
pub trait Adapter: fmt::Debug + Send + Sync + RefUnwindSafe {
    /// The registry name (`adapter = "…"`), also archived on every event.
    fn name(&self) -> &'static str;

    /// Which `{topic}` URL segments the adapter serves.
    fn topics(&self) -> Topics;

    /// The body formats the adapter takes; JSON always.
    fn formats(&self) -> &'static [BodyFormat] {
        &[BodyFormat::Json]
    }

    /// The adapter event type the delivery names in its URL or body, if any: a refused
    /// delivery is archived under it (CONTRACT §5 rev. 2).
    fn event_type(&self, request: Request<'_>) -> Option<String>;

    /// Understands one delivery whose topic is served and whose body is an object. Call
    /// [`understand`], which checks the topic, the body and the bounds every adapter keeps.
    ///
    /// # Errors
    /// [`AdapterError::Invalid`] with every failing field.
    fn normalize(&self, request: Request<'_>) -> Result<Delivery, AdapterError>;

    /// The reply the partner expects for an applied delivery on `topic`.
    fn reply(&self, _topic: Option<&str>) -> Reply {
        Reply::Standard
    }

    /// Whether the adapter takes bodies of `format`.
    fn accepts(&self, format: BodyFormat) -> bool {
        self.formats().contains(&format)
    }
}

/// A registry entry may hold a built-in adapter or one built at load time (a mapping).
impl<A: Adapter + ?Sized> Adapter for &'static A {
    fn name(&self) -> &'static str {
        (**self).name()
    }
    fn topics(&self) -> Topics {
        (**self).topics()
    }
    fn formats(&self) -> &'static [BodyFormat] {
        (**self).formats()
    }
    fn event_type(&self, request: Request<'_>) -> Option<String> {
        (**self).event_type(request)
    }
    fn normalize(&self, request: Request<'_>) -> Result<Delivery, AdapterError> {
        (**self).normalize(request)
    }
    fn reply(&self, topic: Option<&str>) -> Reply {
        (**self).reply(topic)
    }
}

/// An adapter as the partner registry holds it: a built-in one, or one built when the
/// registry is loaded.
pub type SharedAdapter = Arc<dyn Adapter>;

/// Understands one delivery with `adapter`: the checks every adapter shares, once.
/// The topic must be one the adapter serves, the body must be a JSON object holding
/// only values the database can store, and the result must keep the bounds of
/// [`validate::check_bounds`]. Adapters read an object and need not check it again.
///
/// # Errors
/// [`AdapterError::UnknownTopic`] for a topic the adapter does not serve,
/// [`AdapterError::Invalid`] with every failing field.
pub fn understand(adapter: &dyn Adapter, request: Request<'_>) -> Result<Delivery, AdapterError> {
    if !adapter.topics().serves(request.topic) {
        return Err(AdapterError::UnknownTopic(
            request.topic.unwrap_or_default().to_owned(),
        ));
    }
    if !request.body.is_object() {
        return Err(AdapterError::Invalid(vec![FieldError::new(
            "$",
            format!(
                "must be a JSON object (got {})",
                validate::json_kind(request.body)
            ),
        )]));
    }
    validate::check_storable_json(request.body)?;
    let delivery = adapter.normalize(request)?;
    validate::check_bounds(&delivery)?;
    Ok(delivery)
}

/// The `{topic}` URL segments an adapter serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topics {
    /// One endpoint without a topic (Traxo).
    None,
    /// Exactly these topics, one endpoint each (Hahn Air).
    Listed(&'static [&'static str]),
    /// Any topic or none: the adapter reads it (AirGateway event names, ground-transfer
    /// booking references).
    Any,
}

impl Topics {
    /// Whether a delivery on `topic` is served.
    pub fn serves(self, topic: Option<&str>) -> bool {
        match (self, topic) {
            (Self::Any, _) | (Self::None, None) => true,
            (Self::None, Some(_)) | (Self::Listed(_), None) => false,
            (Self::Listed(names), Some(topic)) => names.contains(&topic),
        }
    }
}

/// A body format an adapter may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFormat {
    /// `application/json` or `application/…+json`.
    Json,
    /// `application/x-www-form-urlencoded`, read as a JSON object of strings.
    Form,
}

impl BodyFormat {
    /// The format a `Content-Type` names, with or without parameters; `None` for one no
    /// adapter takes.
    pub fn of(content_type: &str) -> Option<Self> {
        let essence = content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if essence == "application/json"
            || (essence.starts_with("application/") && essence.ends_with("+json"))
        {
            Some(Self::Json)
        } else if essence == "application/x-www-form-urlencoded" {
            Some(Self::Form)
        } else {
            None
        }
    }
}

/// How a successful delivery is answered, where a partner's document asks for
/// something particular.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// `{"status":"applied","eventId","bookingId"}`.
    Standard,
    /// The standard body plus `supplierBookingId` (ground-transfer new booking).
    WithSupplierBookingId,
    /// `204 No Content` (ground-transfer booking update).
    NoContent,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_content_types_are_recognised() {
        assert_eq!(BodyFormat::of("application/json"), Some(BodyFormat::Json));
        assert_eq!(
            BodyFormat::of("application/json; charset=utf-8"),
            Some(BodyFormat::Json)
        );
        assert_eq!(
            BodyFormat::of("application/vnd.partner+json"),
            Some(BodyFormat::Json)
        );
        assert_eq!(BodyFormat::of("text/plain"), None);
        assert_eq!(
            BodyFormat::of("Application/X-WWW-Form-Urlencoded; charset=utf-8"),
            Some(BodyFormat::Form)
        );
    }

    #[test]
    fn every_built_in_adapter_is_found_by_its_name_and_named_once() {
        for adapter in BUILT_IN {
            assert_eq!(
                built_in(adapter.name()).map(|a| a.name()),
                Some(adapter.name())
            );
        }
        let mut names: Vec<_> = BUILT_IN.iter().map(|a| a.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), BUILT_IN.len());
    }

    #[test]
    fn the_unknown_adapter_message_lists_the_table() {
        let message = unknown_adapter("sabre");
        assert!(message.contains("\"sabre\""));
        for adapter in BUILT_IN {
            assert!(message.contains(adapter.name()), "{message}");
        }
    }

    #[test]
    fn topics_served() {
        assert!(Topics::None.serves(None));
        assert!(!Topics::None.serves(Some("x")));
        assert!(Topics::Any.serves(Some("x")) && Topics::Any.serves(None));
        let listed = Topics::Listed(&["a", "b"]);
        assert!(listed.serves(Some("b")) && !listed.serves(Some("c")) && !listed.serves(None));
    }
}
