//! Adapter `mapping`: a partner format written as data (CONTRACT §4.6), for partners
//! whose format has no adapter of its own.
//!
//! A mapping file (TOML, `mappings/<name>.toml`) says with JSON Pointers where each part
//! of the canonical change is in the body; [`load`] reads and checks it completely at
//! start-up (and at a `SIGHUP` reload), so a mistake is reported with file, line and key
//! before any delivery; [`eval`] applies a checked [`Mapping`] to one request, with the
//! same validated values as the built-in adapters. The format is documented in README
//! ("Onboarding a partner") and by the shipped `mappings/*.toml`.

mod eval;
mod load;
mod spec;
#[cfg(test)]
mod tests;

use std::path::Path;

pub use self::load::MappingError;
pub use self::spec::Mapping;
use crate::canonical::{AdapterError, Delivery, Request};
use crate::Reply;

impl Mapping {
    /// Reads and checks the mapping file at `path`.
    ///
    /// # Errors
    /// [`MappingError`] listing every mistake with file, line and key.
    pub fn load(path: &Path) -> Result<Self, MappingError> {
        let text = std::fs::read_to_string(path).map_err(|e| MappingError {
            file: path.display().to_string(),
            problems: vec![format!("{}: cannot be read: {e}", path.display())],
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Checks mapping text; `file` names it in messages.
    ///
    /// # Errors
    /// As [`Mapping::load`].
    pub fn parse(text: &str, file: &str) -> Result<Self, MappingError> {
        load::parse(text, file)
    }

    /// Understands one delivery through [`crate::understand`], with the checks every
    /// adapter passes (what `ingest mapping check` prints).
    ///
    /// # Errors
    /// [`AdapterError::Invalid`] with every failing field, or
    /// [`AdapterError::UnknownTopic`] for a topic the mapping does not name.
    pub fn normalize(&self, request: Request<'_>) -> Result<Delivery, AdapterError> {
        crate::understand(self, request)
    }

    /// The event type a delivery names, also when it is refused.
    pub fn event_type(&self, request: Request<'_>) -> Option<String> {
        eval::event_type(self, request)
    }

    /// Whether form bodies (`application/x-www-form-urlencoded`) are taken too.
    pub fn accepts_form(&self) -> bool {
        self.form
    }

    /// How an applied delivery on `topic` is answered.
    pub fn reply(&self, topic: Option<&str>) -> Reply {
        match topic.map(str::trim).filter(|t| !t.is_empty()) {
            Some(_) => self.reply_with_topic,
            None => self.reply_without_topic,
        }
    }
}

pub use self::eval::delivery_json;

/// A loaded mapping as the partner registry holds it: `Copy` like the rest of
/// [`crate::SharedAdapter`] (the HTTP layer copies the adapter of a partner), compared by
/// identity.
///
/// Until adapters are trait objects, a loaded mapping lives as long as the process: each
/// file is loaded once per distinct content ([`Mapping::load_shared`]), so reloading an
/// unchanged registry keeps no new copy, and an edited file keeps one more (a few KB).
#[derive(Clone, Copy)]
pub struct MappingRef(&'static Mapping);

impl std::ops::Deref for MappingRef {
    type Target = Mapping;
    fn deref(&self) -> &Mapping {
        self.0
    }
}

impl PartialEq for MappingRef {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.0, other.0)
    }
}

impl Eq for MappingRef {}

impl std::hash::Hash for MappingRef {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        std::ptr::hash(self.0, state);
    }
}

impl std::fmt::Debug for MappingRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Mapping({})", self.0.file)
    }
}

impl Mapping {
    /// Reads and checks the mapping at `path` for the partner registry (see
    /// [`MappingRef`]).
    ///
    /// # Errors
    /// As [`Mapping::load`].
    pub fn load_shared(path: &Path) -> Result<MappingRef, MappingError> {
        use std::collections::HashMap;
        use std::sync::{Mutex, PoisonError};
        type Loaded = Mutex<HashMap<(String, String), &'static Mapping>>;
        static LOADED: std::sync::LazyLock<Loaded> = std::sync::LazyLock::new(Loaded::default);
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| MappingError {
            file: file.clone(),
            problems: vec![format!("{file}: cannot be read: {e}")],
        })?;
        let key = (file, text);
        let mut loaded = LOADED.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(mapping) = loaded.get(&key) {
            return Ok(MappingRef(mapping));
        }
        let mapping: &'static Mapping = Box::leak(Box::new(Self::parse(&key.1, &key.0)?));
        loaded.insert(key, mapping);
        Ok(MappingRef(mapping))
    }
}

/// The registry name of the mapping adapter (`adapter = "mapping"`).
pub const NAME: &str = "mapping";

/// A checked mapping is an adapter like the built-in ones; its file states the topics it
/// serves and checks them itself, so every topic is passed on.
impl crate::Adapter for Mapping {
    fn name(&self) -> &'static str {
        NAME
    }

    fn topics(&self) -> crate::Topics {
        crate::Topics::Any
    }

    fn formats(&self) -> &'static [crate::BodyFormat] {
        if self.accepts_form() {
            &[crate::BodyFormat::Json, crate::BodyFormat::Form]
        } else {
            &[crate::BodyFormat::Json]
        }
    }

    fn event_type(&self, request: Request<'_>) -> Option<String> {
        Mapping::event_type(self, request)
    }

    fn normalize(&self, request: Request<'_>) -> Result<Delivery, AdapterError> {
        eval::normalize(self, request)
    }

    fn reply(&self, topic: Option<&str>) -> Reply {
        Mapping::reply(self, topic)
    }
}

/// The registry's entry for a mapping is the loaded mapping itself.
impl crate::Adapter for MappingRef {
    fn name(&self) -> &'static str {
        NAME
    }

    fn topics(&self) -> crate::Topics {
        crate::Adapter::topics(self.0)
    }

    fn formats(&self) -> &'static [crate::BodyFormat] {
        crate::Adapter::formats(self.0)
    }

    fn event_type(&self, request: Request<'_>) -> Option<String> {
        crate::Adapter::event_type(self.0, request)
    }

    fn normalize(&self, request: Request<'_>) -> Result<Delivery, AdapterError> {
        crate::Adapter::normalize(self.0, request)
    }

    fn reply(&self, topic: Option<&str>) -> Reply {
        crate::Adapter::reply(self.0, topic)
    }
}
