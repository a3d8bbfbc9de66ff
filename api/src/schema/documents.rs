//! Parsed query documents, kept between requests. A client sends the same few query
//! strings over and over with other variables (the landing site's `booking(id)` above
//! all), and parsing is the largest single cost of a small query; a cached document is
//! cloned instead. Only the parse is cached: validation, which depends on the variables,
//! runs on every request.
//!
//! A document is parsed by the next extension, which checks the limits on its text and
//! its shape ([`super::limits`]); only documents within them are kept, so a kept one
//! needs no second check.

use std::{
    num::NonZeroUsize,
    sync::{Arc, Mutex},
};

use async_graphql::{
    async_trait::async_trait,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery},
    parser::types::ExecutableDocument,
    ServerResult, Variables,
};
use lru::LruCache;

/// Documents kept (least recently used dropped first).
const CAPACITY: NonZeroUsize = NonZeroUsize::new(128).unwrap();

/// Longest query string kept, in bytes: real queries are far shorter, and the cap keeps
/// the cache small (a hand-written giant query is simply parsed every time).
const MAX_QUERY_LEN: usize = 8 * 1024;

type Cache = Arc<Mutex<LruCache<String, ExecutableDocument>>>;

/// The schema extension that caches parsed documents by their query string. Clones
/// share one cache.
#[derive(Clone)]
pub struct DocumentCache(Cache);

impl DocumentCache {
    pub fn new() -> Self {
        Self(Arc::new(Mutex::new(LruCache::new(CAPACITY))))
    }

    /// How many documents are kept.
    pub fn len(&self) -> usize {
        lock(&self.0).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for DocumentCache {
    fn default() -> Self {
        Self::new()
    }
}

impl ExtensionFactory for DocumentCache {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Cached(Arc::clone(&self.0)))
    }
}

struct Cached(Cache);

/// A panic while the lock was held cannot have left a half-updated entry that matters:
/// at worst one is missing.
fn lock(cache: &Cache) -> std::sync::MutexGuard<'_, LruCache<String, ExecutableDocument>> {
    cache
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[async_trait]
impl Extension for Cached {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        if query.len() > MAX_QUERY_LEN {
            return next.run(ctx, query, variables).await;
        }
        if let Some(document) = lock(&self.0).get(query) {
            return Ok(document.clone());
        }
        // Documents that fail to parse or pass a limit are not kept: the error is
        // reported each time.
        let document = next.run(ctx, query, variables).await?;
        lock(&self.0).put(query.to_owned(), document.clone());
        Ok(document)
    }
}
