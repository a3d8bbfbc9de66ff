//! Automatic Persisted Queries, Apollo's protocol: a request's
//! `extensions.persistedQuery = {"version": 1, "sha256Hash": "<hex>"}` names its query
//! by the SHA-256 of its text. The hash alone runs a query registered before (or a
//! trusted document); an unknown one answers `PERSISTED_QUERY_NOT_FOUND`, upon which the
//! client sends hash and query together, which registers it (the hash checked).
//!
//! Not async-graphql's `ApolloPersistedQueries` extension: it parses a registered query
//! with the bare parser, outside the limits of [`super::limits`] (a document whose
//! fragments expand exponentially would pass), answers "not found" without the
//! `extensions.code` Apollo clients look for, and hands on a parsed document with no
//! text, so neither the document cache nor the trusted-document check could see it.
//! Here the hash is resolved to the query *text*, and everything after runs as for a
//! query sent in full.

use std::{
    num::NonZeroUsize,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
};

use async_graphql::{Request, ServerError, ServerResult, Value};
use lru::LruCache;
use sha2::{Digest, Sha256};

use super::limits::refusal;

/// Queries registered by hash (least recently used dropped first). With
/// [`MAX_PERSISTED_LEN`], the store holds at most 8 MiB of text.
const CAPACITY: NonZeroUsize = NonZeroUsize::new(1024).unwrap();

/// Longest query registered, in bytes. A longer one still runs when sent in full; its
/// hash alone is not found, so an Apollo client keeps sending it whole.
pub const MAX_PERSISTED_LEN: usize = 8 * 1024;

/// What a request's `persistedQuery` extension asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Persisted {
    /// Run the query registered under this hash.
    Lookup(String),
    /// Register the request's query under this hash (already checked), and run it.
    Register(String),
}

/// Takes the `persistedQuery` extension off `request`, checking it.
///
/// # Errors
/// `PERSISTED_QUERY_NOT_SUPPORTED` for another version than 1; `BAD_USER_INPUT` for an
/// extension that is not `{version, sha256Hash}` or a hash that is not the query's.
pub fn take(request: &mut Request) -> ServerResult<Option<Persisted>> {
    let Some(extension) = request.extensions.remove("persistedQuery") else {
        return Ok(None);
    };
    let invalid = || {
        refusal(
            "BAD_USER_INPUT",
            "extensions.persistedQuery must be {\"version\": 1, \"sha256Hash\": \"<hex>\"}"
                .to_owned(),
        )
    };
    let Value::Object(fields) = extension else {
        return Err(invalid());
    };
    match fields.get("version") {
        Some(Value::Number(version)) if version.as_u64() == Some(1) => {}
        Some(Value::Number(_)) => {
            return Err(refusal(
                "PERSISTED_QUERY_NOT_SUPPORTED",
                "PersistedQueryNotSupported: only version 1 of persisted queries is supported"
                    .to_owned(),
            ))
        }
        _ => return Err(invalid()),
    }
    let Some(Value::String(hash)) = fields.get("sha256Hash") else {
        return Err(invalid());
    };
    let hash = hash.to_ascii_lowercase();
    if request.query.is_empty() {
        return Ok(Some(Persisted::Lookup(hash)));
    }
    if sha256_hex(&request.query) != hash {
        return Err(refusal(
            "BAD_USER_INPUT",
            "provided sha does not match query: sha256Hash must be the SHA-256 (hex) of the \
             query text exactly as sent"
                .to_owned(),
        ));
    }
    Ok(Some(Persisted::Register(hash)))
}

/// The error for a hash that names no known query (Apollo clients match the message
/// and the code, then resend with the query).
pub fn not_found() -> ServerError {
    refusal(
        "PERSISTED_QUERY_NOT_FOUND",
        "PersistedQueryNotFound".to_owned(),
    )
}

/// The SHA-256 of `text`, lower-case hex, as Apollo clients compute it.
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Registered queries by hash, bounded. Clones share one store.
#[derive(Clone)]
pub struct PersistedQueries(Arc<Mutex<LruCache<String, Arc<str>>>>);

impl PersistedQueries {
    pub fn new() -> Self {
        Self(Arc::new(Mutex::new(LruCache::new(CAPACITY))))
    }

    /// The query registered under `hash`.
    pub fn get(&self, hash: &str) -> Option<Arc<str>> {
        self.lock().get(hash).cloned()
    }

    /// Registers `query` under `hash` (checked by [`take`]) unless it is too long.
    pub fn put(&self, hash: String, query: &str) {
        if query.len() <= MAX_PERSISTED_LEN {
            self.lock().put(hash, Arc::from(query));
        }
    }

    /// How many queries are registered.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A panic while the lock was held cannot have left a half-updated entry.
    fn lock(&self) -> MutexGuard<'_, LruCache<String, Arc<str>>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Default for PersistedQueries {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(query: &str, extension: serde_json::Value) -> Request {
        let mut request = Request::new(query);
        request.extensions.insert(
            "persistedQuery".to_owned(),
            Value::from_json(extension).unwrap(),
        );
        request
    }

    #[test]
    fn the_extension_is_read_and_its_hash_checked() {
        let query = "{ partners }";
        let hash = sha256_hex(query);
        let mut request = with(query, serde_json::json!({"version": 1, "sha256Hash": hash}));
        assert_eq!(
            take(&mut request).unwrap(),
            Some(Persisted::Register(hash.clone()))
        );
        assert!(request.extensions.is_empty());

        let mut request = with("", serde_json::json!({"version": 1, "sha256Hash": hash}));
        assert_eq!(take(&mut request).unwrap(), Some(Persisted::Lookup(hash)));

        let mut wrong = with(query, serde_json::json!({"version": 1, "sha256Hash": "ab"}));
        assert!(take(&mut wrong)
            .unwrap_err()
            .message
            .contains("does not match"));
        let mut v2 = with(query, serde_json::json!({"version": 2, "sha256Hash": "ab"}));
        assert!(take(&mut v2).is_err());
        assert_eq!(take(&mut Request::new(query)).unwrap(), None);
    }
}
