//! Known documents, kept between requests, and the rules on which documents may run.
//!
//! A client sends the same few query strings over and over with other variables (the
//! landing site's `booking(id)` above all). Parsing is the largest single cost of a
//! small query, so a parsed document is kept by its text and cloned instead. Validation
//! depends on the variables and the operation chosen as well as on the text (argument
//! values and complexity are checked with the variables in place), so its result is
//! kept by all three and skipped for a request that repeats them: the landing page of
//! one booking, reloaded or fetched by many tabs, is neither parsed nor validated again.
//! async-graphql lets an extension answer the validation step without running it, but
//! not run part of it, so a known document with new variables is validated in full.
//!
//! Before parsing, this extension also resolves a persisted-query hash to its text
//! ([`super::persisted`]), refuses for landing tokens any document that is not trusted
//! ([`super::trusted`]), and, after parsing, any operation other than a query sent with
//! `GET` ([`OverGet`]) and, for landing tokens, introspection ([`super::introspection`]).
//!
//! A document is parsed here within the limits on its text and its shape, and a
//! validation is followed by the limits on its result ([`super::limits`]); only
//! documents and results within them are kept, so a kept one needs no second check.
//! The limits are not an extension of their own: every extension of a schema is called
//! around the resolution of every field of every response.

use std::{
    any::TypeId,
    num::NonZeroUsize,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
};

use async_graphql::{
    async_trait::async_trait,
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery,
        NextPrepareRequest, NextValidation,
    },
    parser::types::{DocumentOperations, ExecutableDocument, OperationDefinition, OperationType},
    Positioned, Request, Response, ServerError, ServerResult, ValidationResult, Variables,
};
use lru::LruCache;
use sha2::{Digest, Sha256};

use super::{
    introspection::{self, Refused},
    limits::{self, refusal},
    persisted::{self, Persisted, PersistedQueries},
    trusted::TrustedDocuments,
};
use crate::auth::{Principal, Role};

/// Documents kept (least recently used dropped first).
const CAPACITY: NonZeroUsize = NonZeroUsize::new(128).unwrap();

/// Validation results kept: a few bytes each, one per document, operation and variables.
const VALIDATED_CAPACITY: NonZeroUsize = NonZeroUsize::new(4096).unwrap();

/// Longest query string kept, in bytes: real queries are far shorter, and the cap keeps
/// the cache small (a hand-written giant query is simply parsed every time).
const MAX_QUERY_LEN: usize = 8 * 1024;

/// Longest variables (as JSON) whose validation is kept; larger ones are validated
/// every time.
const MAX_VARIABLES_LEN: usize = 2 * 1024;

/// Request data that marks a request sent with `GET`: only a query may run then.
#[derive(Clone, Copy, Debug)]
pub struct OverGet;

/// What makes a validation result reusable: the SHA-256 of text, operation, variables.
type ValidationKey = [u8; 32];

struct Shared {
    parsed: Mutex<LruCache<String, ExecutableDocument>>,
    validated: Mutex<LruCache<ValidationKey, ValidationResult>>,
    persisted: PersistedQueries,
    trusted: Option<TrustedDocuments>,
}

/// The schema extension that keeps known documents and applies persisted queries and
/// trusted documents. Clones share one store.
#[derive(Clone)]
pub struct DocumentCache(Arc<Shared>);

impl DocumentCache {
    /// A store that trusts every document.
    pub fn new() -> Self {
        Self::with(None)
    }

    /// A store that lets landing tokens run only `trusted` documents.
    pub fn trusting(trusted: TrustedDocuments) -> Self {
        Self::with(Some(trusted))
    }

    fn with(trusted: Option<TrustedDocuments>) -> Self {
        Self(Arc::new(Shared {
            parsed: Mutex::new(LruCache::new(CAPACITY)),
            validated: Mutex::new(LruCache::new(VALIDATED_CAPACITY)),
            persisted: PersistedQueries::new(),
            trusted,
        }))
    }

    /// How many parsed documents are kept.
    pub fn len(&self) -> usize {
        lock(&self.0.parsed).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many validation results are kept.
    pub fn validated(&self) -> usize {
        lock(&self.0.validated).len()
    }

    /// The persisted queries registered so far.
    pub fn persisted(&self) -> &PersistedQueries {
        &self.0.persisted
    }
}

impl Default for DocumentCache {
    fn default() -> Self {
        Self::new()
    }
}

impl ExtensionFactory for DocumentCache {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Cached {
            shared: Arc::clone(&self.0),
            request: Mutex::default(),
        })
    }
}

/// The extension of one request: the store, and what the steps of this request tell
/// the later ones.
struct Cached {
    shared: Arc<Shared>,
    request: Mutex<ThisRequest>,
}

#[derive(Default)]
struct ThisRequest {
    /// Register the query under this hash once it has parsed within the limits.
    register: Option<String>,
    over_get: bool,
    /// The token is an analyst's (who may introspect).
    analyst: bool,
    operation_name: Option<String>,
    validation_key: Option<ValidationKey>,
    /// Introspection fields the response must refuse.
    refused: Vec<Refused>,
}

/// A panic while a lock was held cannot have left a half-updated entry that matters:
/// at worst one is missing.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[async_trait]
impl Extension for Cached {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let mut register = None;
        match persisted::take(&mut request)? {
            Some(Persisted::Lookup(hash)) => {
                let trusted = self.shared.trusted.as_ref();
                let text = trusted
                    .and_then(|trusted| trusted.by_hash(&hash))
                    .or_else(|| self.shared.persisted.get(&hash))
                    .ok_or_else(persisted::not_found)?;
                request.query = text.to_string();
            }
            Some(Persisted::Register(hash)) => register = Some(hash),
            None => {}
        }
        let analyst = is_analyst(&request, ctx);
        if let Some(trusted) = &self.shared.trusted {
            if !analyst && !trusted.allows(&request.query) {
                return Err(refusal(
                    "OPERATION_NOT_TRUSTED",
                    "this operation is not one of the trusted documents: a landing token \
                     may run only those (API_TRUSTED_DOCUMENTS)"
                        .to_owned(),
                ));
            }
        }
        *lock(&self.request) = ThisRequest {
            register,
            over_get: request.data.contains_key(&TypeId::of::<OverGet>()),
            analyst,
            operation_name: request.operation_name.clone(),
            validation_key: None,
            refused: Vec::new(),
        };
        next.run(ctx, request).await
    }

    async fn parse_query(
        &self,
        _ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        _next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        // A longer one is parsed (and validated) every time, and not registered.
        let keepable = query.len() <= MAX_QUERY_LEN;
        let kept = if keepable {
            lock(&self.shared.parsed).get(query).cloned()
        } else {
            None
        };
        let document = match kept {
            Some(document) => document,
            None => {
                // Parsed here, within the limits, instead of by `next`: async-graphql's
                // parse step also runs its recursion check, which expands every
                // fragment spread without memoising and so takes exponential time on
                // the documents the limits exist to refuse. Documents that fail to
                // parse or pass a limit are not kept: the error is reported each time.
                let document = limits::parse_within_limits(query)?;
                if keepable {
                    lock(&self.shared.parsed).put(query.to_owned(), document.clone());
                }
                document
            }
        };
        let mut this = lock(&self.request);
        if this.over_get {
            only_a_query(&document, this.operation_name.as_deref())?;
        }
        if !this.analyst {
            this.refused = introspection::root_fields(&document, this.operation_name.as_deref());
        }
        if !keepable {
            return Ok(document);
        }
        if let Some(hash) = this.register.take() {
            self.shared.persisted.put(hash, query);
        }
        this.validation_key = validation_key(query, this.operation_name.as_deref(), variables);
        Ok(document)
    }

    /// The response, with the introspection a landing token asked for refused.
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let response = next.run(ctx, operation_name).await;
        let refused = std::mem::take(&mut lock(&self.request).refused);
        if refused.is_empty() {
            response
        } else {
            introspection::refuse(response, &refused)
        }
    }

    /// A kept result for the same text, operation and variables, else a validation whose
    /// success is kept (a refusal is reported each time).
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let key = lock(&self.request).validation_key;
        if let Some(result) = key.and_then(|key| lock(&self.shared.validated).get(&key).copied()) {
            return Ok(result);
        }
        let result = next.run(ctx).await?;
        limits::check_validated(&result)?;
        if let Some(key) = key {
            lock(&self.shared.validated).put(key, result);
        }
        Ok(result)
    }
}

/// Whether the request's token is an analyst's: read from the request's own data (the
/// HTTP layer) or the connection's (a WebSocket).
fn is_analyst(request: &Request, ctx: &ExtensionContext<'_>) -> bool {
    request
        .data
        .get(&TypeId::of::<Principal>())
        .and_then(|data| data.downcast_ref::<Principal>())
        .or_else(|| ctx.data_opt::<Principal>())
        .is_some_and(|principal| principal.role == Role::Analyst)
}

/// Refuses a mutation or subscription sent with `GET` (which a browser or proxy may
/// repeat or prefetch). An unknown or ambiguous operation is left for async-graphql to
/// report.
fn only_a_query(document: &ExecutableDocument, operation_name: Option<&str>) -> ServerResult<()> {
    match operation(document, operation_name).map(|operation| operation.node.ty) {
        Some(OperationType::Mutation | OperationType::Subscription) => Err(refusal(
            "METHOD_NOT_ALLOWED",
            "only queries may be sent with GET: send mutations with POST and subscriptions \
             over /graphql/ws"
                .to_owned(),
        )),
        _ => Ok(()),
    }
}

/// The operation of `document` that runs for `operation_name`, as async-graphql
/// chooses it; `None` when it is unknown or ambiguous (async-graphql reports that).
pub(super) fn operation<'d>(
    document: &'d ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<&'d Positioned<OperationDefinition>> {
    match (&document.operations, operation_name) {
        (DocumentOperations::Single(operation), _) => Some(operation),
        (DocumentOperations::Multiple(operations), Some(name)) => operations.get(name),
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values().next()
        }
        _ => None,
    }
}

/// The key of a validation result, or `None` when the variables are too large to keep.
fn validation_key(
    query: &str,
    operation_name: Option<&str>,
    variables: &Variables,
) -> Option<ValidationKey> {
    let variables = serde_json::to_string(variables).ok()?;
    if variables.len() > MAX_VARIABLES_LEN {
        return None;
    }
    let mut hasher = Sha256::new();
    // Lengths first, so that no two different triples hash the same bytes.
    for part in [operation_name.unwrap_or_default(), &variables, query] {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    // An anonymous operation and one named "" cannot both occur; mark which it was.
    hasher.update([u8::from(operation_name.is_some())]);
    Some(hasher.finalize().into())
}
