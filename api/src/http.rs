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
    trace::TraceLayer,
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
        .merge(common::health::router(state.db))
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
    router.layer(TraceLayer::new_for_http())
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
    state.schema.execute(request.data(principal)).await.into()
}
