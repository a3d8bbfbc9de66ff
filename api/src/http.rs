//! The HTTP surface: `POST /graphql` behind bearer-token authentication, `GET /graphql`
//! (GraphiQL) with its assets, and the health probes, wrapped in tracing, CORS, request
//! timeout and body-size layers.
//!
//! What happens before GraphQL runs is answered with HTTP statuses and the JSON error
//! body of [`ApiError`]: 401 without a valid token, 413 for a body over the limit
//! (declared or streamed), 400 for a body that is not a GraphQL request. A GraphQL
//! answer is HTTP 200, except that a database outage during a request turns the whole
//! answer into 503 with `Retry-After` (CONTRACT §6): a client should retry, not read a
//! half-empty result.
//!
//! `GET /graphql` with query parameters runs a query too, cacheably ([`get`]); without
//! them it is the GraphiQL page.

mod get;

use std::{sync::Arc, time::Duration};

use async_graphql::{ServerError, Value};
use async_graphql_axum::GraphQLResponse;
use axum::{
    body::Bytes,
    extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Request, State},
    http::{
        header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE},
        request::Parts,
        HeaderValue, Method, StatusCode,
    },
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use common::Secret;
use sea_orm::DatabaseConnection;
use tower_http::{
    cors::{AllowOrigin, CorsLayer},
    timeout::TimeoutLayer,
};

use crate::{
    assets,
    auth::{self, Principal, Role, TokenKeys},
    error::ApiError,
    schema::{build_schema_over, documents::DocumentCache, ApiSchema, HttpSchema},
};

/// Settings of the HTTP layer that tests may change.
#[derive(Clone, Debug)]
pub struct HttpOptions {
    /// Browser origins allowed by CORS; empty means no CORS headers at all.
    pub cors_origins: Vec<HeaderValue>,
    /// How long a request may take before it is answered 503.
    pub request_timeout: Duration,
    /// Largest request body accepted; a GraphQL query is small, so this is tight.
    pub body_limit: usize,
    /// Bounds on WebSocket connections and subscriptions ([`crate::ws`]).
    pub live: crate::live::limits::Limits,
    /// `max-age` of the `Cache-Control: private` header of queries answered over GET.
    pub get_max_age: Duration,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            cors_origins: Vec::new(),
            request_timeout: Duration::from_secs(10),
            body_limit: 256 * 1024,
            live: crate::live::limits::Limits::default(),
            get_max_age: Duration::from_secs(30),
        }
    }
}

/// Everything the handlers share.
#[derive(Clone)]
pub struct AppState {
    /// What `POST` and `GET /graphql` run.
    schema: HttpSchema,
    /// What the WebSocket runs: the same schema, complete ([`build_schema_over`]).
    live_schema: ApiSchema,
    keys: Arc<TokenKeys>,
    /// Where queries read (and `/readyz` looks).
    db: DatabaseConnection,
    /// Where live updates listen and re-read: the primary.
    primary: DatabaseConnection,
    documents: DocumentCache,
    options: HttpOptions,
}

impl AppState {
    /// The state over `db`, verifying tokens with `jwt_secret`, with default options.
    pub fn new(db: DatabaseConnection, jwt_secret: &Secret) -> Self {
        let documents = DocumentCache::new();
        Self {
            schema: HttpSchema::over(db.clone(), db.clone(), documents.clone()),
            live_schema: build_schema_over(db.clone(), db.clone(), documents.clone()),
            keys: Arc::new(TokenKeys::new(jwt_secret)),
            primary: db.clone(),
            db,
            documents,
            options: HttpOptions::default(),
        }
    }

    /// Queries read from `reads` (a read replica) instead of the primary given to
    /// [`AppState::new`], which live updates keep using.
    #[must_use]
    pub fn with_reads(mut self, reads: DatabaseConnection) -> Self {
        self.db = reads;
        self.rebuild();
        self
    }

    /// Replaces the HTTP options.
    #[must_use]
    pub fn with_options(mut self, options: HttpOptions) -> Self {
        self.options = options;
        self
    }

    /// Rebuilds the schema over `documents` (persisted queries, trusted documents).
    #[must_use]
    pub fn with_documents(mut self, documents: DocumentCache) -> Self {
        self.documents = documents;
        self.rebuild();
        self
    }

    /// Both schemas anew over the current reads, primary and documents.
    fn rebuild(&mut self) {
        let (reads, primary, documents) = (&self.db, &self.primary, &self.documents);
        self.schema = HttpSchema::over(reads.clone(), primary.clone(), documents.clone());
        self.live_schema = build_schema_over(reads.clone(), primary.clone(), documents.clone());
    }
}

/// The whole application as one router.
pub fn router(state: AppState) -> Router {
    let options = state.options.clone();
    let mut router = Router::new()
        .route("/graphql", get(get::graphql_get).post(graphql))
        .route("/graphql/assets/{name}", get(assets::asset))
        .with_state(state.clone())
        .merge(crate::ws::router(
            state.live_schema.clone(),
            Arc::clone(&state.keys),
            options.live.clone(),
            options.body_limit,
        ))
        .merge(common::health::router(state.db.clone()))
        .merge(common::metrics::router("api", state.db))
        // Read by the extractors (`GraphQLBody`), which answer 413 in JSON; a body
        // without a length (chunked) is cut off at the limit while it streams in.
        .layer(DefaultBodyLimit::max(options.body_limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            options.request_timeout,
        ));
    if !options.cors_origins.is_empty() {
        router = router.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(options.cors_origins))
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([AUTHORIZATION, CONTENT_TYPE])
                .max_age(Duration::from_secs(3600)),
        );
    }
    common::http::layer(router, "api")
}

/// The caller proven by the request's bearer token. Extracted from the headers before
/// the body is read, so an unauthenticated request is refused (401) whatever it sends.
pub struct Authenticated(pub Principal);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = auth::bearer_token(&parts.headers)?;
        Ok(Self(state.keys.verify(token)?))
    }
}

/// The body of `POST /graphql`: a GraphQL request as JSON (`query`, `operationName`,
/// `variables`, `extensions`), within the body limit. Read after the token is checked.
pub struct GraphQLBody(pub async_graphql::Request);

impl FromRequest<AppState> for GraphQLBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let limit = state.options.body_limit;
        let declared = request
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<u64>().ok());
        if declared.is_some_and(|length| length > u64::try_from(limit).unwrap_or(u64::MAX)) {
            return Err(ApiError::PayloadTooLarge(limit));
        }
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge(limit)
                } else {
                    tracing::debug!(error = %rejection.body_text(), "request body unreadable");
                    ApiError::BadInput("the request body could not be read".to_owned())
                }
            })?;
        serde_json::from_slice(&body).map(Self).map_err(|err| {
            ApiError::BadInput(format!(
                "the request body is not a GraphQL request (a JSON object with a `query` \
                 string): {err}"
            ))
        })
    }
}

/// `POST /graphql`.
#[tracing::instrument(skip_all, fields(role = ?principal.role, sub = principal.subject.as_deref()))]
async fn graphql(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    GraphQLBody(request): GraphQLBody,
) -> Response {
    match execute(&state, principal, request).await {
        Ok(response) => GraphQLResponse::from(response).into_response(),
        Err(error) => error.into_response(),
    }
}

/// Runs one GraphQL request for `principal`, counting it in the metrics. Landing tokens
/// get no introspection ([`crate::schema::introspection`]).
///
/// # Errors
/// [`ApiError::Unavailable`] when the database failed the request (CONTRACT §6: 503).
async fn execute(
    state: &AppState,
    principal: Principal,
    mut request: async_graphql::Request,
) -> Result<async_graphql::Response, ApiError> {
    if principal.role == Role::Landing {
        request = request.disable_introspection();
    }
    let operation = operation_label(
        request
            .operation_name
            .as_deref()
            .or_else(|| named_operation(&request.query)),
    );
    let started = std::time::Instant::now();
    let response = state.schema.execute(request.data(principal)).await;
    let unavailable = response
        .errors
        .iter()
        .filter_map(error_code)
        .any(|code| code == ApiError::Unavailable.code());
    let outcome = if unavailable {
        "unavailable"
    } else {
        match response.errors.first().map(error_code) {
            None => "ok",
            Some(Some("FORBIDDEN")) => "forbidden",
            Some(_) => "error",
        }
    };
    metrics::counter!("tripgraph_graphql_operations_total", "operation" => operation.clone(), "outcome" => outcome).increment(1);
    metrics::histogram!("tripgraph_graphql_operation_duration_seconds", "operation" => operation, "outcome" => outcome)
        .record(started.elapsed().as_secs_f64());
    if unavailable {
        return Err(ApiError::Unavailable);
    }
    Ok(response)
}

/// The `extensions.code` of a GraphQL error.
fn error_code(error: &ServerError) -> Option<&str> {
    match error.extensions.as_ref()?.get("code")? {
        Value::String(code) => Some(code),
        _ => None,
    }
}

/// The name in `query Name(…) {…}` when the client sent no `operationName`.
fn named_operation(query: &str) -> Option<&str> {
    let rest = query.trim_start();
    let rest = ["query", "mutation", "subscription"]
        .iter()
        .find_map(|keyword| rest.strip_prefix(keyword))?;
    let rest = rest.trim_start();
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// The operation name as a metric label: client input, so bounded in length and
/// alphabet (GraphQL names are `[_A-Za-z][_0-9A-Za-z]*` anyway).
fn operation_label(name: Option<&str>) -> String {
    match name {
        Some(name)
            if !name.is_empty()
                && name.len() <= 64
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
        {
            name.to_owned()
        }
        Some(_) => "invalid".to_owned(),
        None => "anonymous".to_owned(),
    }
}
