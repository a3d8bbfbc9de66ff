//! The HTTP surface: `POST /graphql` behind bearer-token authentication, `GET /graphql`
//! (GraphiQL) with its assets, and the health probes, wrapped in tracing, CORS, request
//! timeout and body-size layers.

use std::{sync::Arc, time::Duration};

use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::{
    extract::{FromRequestParts, State},
    http::{
        header::{AUTHORIZATION, CONTENT_TYPE},
        request::Parts,
        HeaderValue, Method, StatusCode,
    },
    routing::get,
    Router,
};
use common::Secret;
use sea_orm::DatabaseConnection;
use tower_http::{
    cors::{AllowOrigin, CorsLayer},
    limit::RequestBodyLimitLayer,
    timeout::TimeoutLayer,
};

use crate::{
    assets,
    auth::{self, Principal, Role, TokenKeys},
    error::ApiError,
    schema::{build_schema, ApiSchema},
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
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            cors_origins: Vec::new(),
            request_timeout: Duration::from_secs(10),
            body_limit: 256 * 1024,
        }
    }
}

/// Everything the handlers share.
#[derive(Clone)]
pub struct AppState {
    schema: ApiSchema,
    keys: Arc<TokenKeys>,
    db: DatabaseConnection,
    options: HttpOptions,
}

impl AppState {
    /// The state over `db`, verifying tokens with `jwt_secret`, with default options.
    pub fn new(db: DatabaseConnection, jwt_secret: &Secret) -> Self {
        Self {
            schema: build_schema(db.clone()),
            keys: Arc::new(TokenKeys::new(jwt_secret)),
            db,
            options: HttpOptions::default(),
        }
    }

    /// Replaces the HTTP options.
    #[must_use]
    pub fn with_options(mut self, options: HttpOptions) -> Self {
        self.options = options;
        self
    }
}

/// The whole application as one router.
pub fn router(state: AppState) -> Router {
    let options = state.options.clone();
    let mut router = Router::new()
        .route("/graphql", get(assets::graphiql_page).post(graphql))
        .route("/graphql/assets/{name}", get(assets::asset))
        .with_state(state.clone())
        .merge(common::health::router(state.db.clone()))
        .merge(common::metrics::router("api", state.db))
        .layer(RequestBodyLimitLayer::new(options.body_limit))
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

/// `POST /graphql`. Landing tokens get no introspection: the website needs none, and it
/// is the one part of the schema that nests without bound.
#[tracing::instrument(skip_all, fields(role = ?principal.role, sub = principal.subject.as_deref()))]
async fn graphql(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    request: GraphQLRequest,
) -> GraphQLResponse {
    let mut request = request.into_inner();
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
    let outcome = match response.errors.first() {
        None => "ok",
        Some(error)
            if error
                .extensions
                .as_ref()
                .and_then(|e| e.get("code"))
                .is_some_and(|c| c.to_string().contains("FORBIDDEN")) =>
        {
            "forbidden"
        }
        Some(_) => "error",
    };
    metrics::counter!("tripgraph_graphql_operations_total", "operation" => operation.clone(), "outcome" => outcome).increment(1);
    metrics::histogram!("tripgraph_graphql_operation_duration_seconds", "operation" => operation, "outcome" => outcome)
        .record(started.elapsed().as_secs_f64());
    response.into()
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
