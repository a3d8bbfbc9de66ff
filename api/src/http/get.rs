//! `GET /graphql`: with no `query` and no `extensions` parameter it is the GraphiQL
//! page, as before; with them (`?query=…&variables=…&operationName=…&extensions=…`,
//! the last three JSON, persisted-query hashes included) it runs a query, so that
//! browsers and proxies can cache it.
//!
//! Only a query runs over GET: a mutation or subscription is answered HTTP 405 with
//! `Allow: POST` and the GraphQL error `METHOD_NOT_ALLOWED` (a GET may be repeated or
//! prefetched; GraphQL over HTTP asks for 405). The bearer token is required as on POST.
//!
//! An answer without errors is `Cache-Control: private, max-age=N`
//! ([`HttpOptions::get_max_age`]) with a strong `ETag` (the SHA-256 of the body), and a
//! request whose `If-None-Match` names it is answered `304` with no body. An answer
//! with errors is `no-store`: a refusal or an outage must not be replayed from a cache.
//! Every answer is `Vary: Authorization`: it depends on the token's role and scope.
//!
//! [`HttpOptions::get_max_age`]: super::HttpOptions::get_max_age

use axum::{
    extract::{rejection::QueryRejection, Query, State},
    http::{
        header::{ALLOW, CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH, VARY},
        HeaderMap, HeaderValue, StatusCode,
    },
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::{error_code, execute, AppState};
use crate::{assets, auth, error::ApiError, schema::documents::OverGet};

/// The query parameters of a GraphQL request over GET.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct GetParams {
    query: Option<String>,
    /// JSON object.
    variables: Option<String>,
    operation_name: Option<String>,
    /// JSON object, e.g. `{"persistedQuery":{"version":1,"sha256Hash":"…"}}`.
    extensions: Option<String>,
}

/// `GET /graphql`.
pub(super) async fn graphql_get(
    State(state): State<AppState>,
    params: Result<Query<GetParams>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    let params = match params {
        Ok(Query(params)) => params,
        Err(rejection) => {
            return ApiError::BadInput(format!("the query string is not valid: {rejection}"))
                .into_response()
        }
    };
    if params.query.is_none() && params.extensions.is_none() {
        return assets::graphiql_page().await.into_response();
    }
    match answer(&state, &headers, params).await {
        Ok(response) => response,
        Err(error) => with_vary(error.into_response()),
    }
}

/// Authenticates, runs the query and shapes the cacheable answer.
#[tracing::instrument(skip_all, fields(method = "GET"))]
async fn answer(
    state: &AppState,
    headers: &HeaderMap,
    params: GetParams,
) -> Result<Response, ApiError> {
    let principal = state.keys.verify(auth::bearer_token(headers)?)?;
    let request = graphql_request(params)?.data(OverGet);
    let response = execute(state, principal, request).await?;
    let refused_method = response
        .errors
        .iter()
        .any(|error| error_code(error) == Some("METHOD_NOT_ALLOWED"));
    let Ok(body) = serde_json::to_vec(&response) else {
        tracing::error!("a GraphQL response could not be serialised");
        return Err(ApiError::BadInput(
            "the answer could not be serialised".to_owned(),
        ));
    };
    let etag = HeaderValue::try_from(format!("\"{}\"", hex::encode(Sha256::digest(&body))));
    let json = HeaderValue::from_static("application/json");
    if refused_method {
        let answer = (
            StatusCode::METHOD_NOT_ALLOWED,
            [
                (CONTENT_TYPE, json),
                (ALLOW, HeaderValue::from_static("POST")),
            ],
            body,
        );
        return Ok(with_vary(no_store(answer.into_response())));
    }
    let etag = match etag {
        Ok(etag) if response.errors.is_empty() => etag,
        _ => {
            return Ok(with_vary(no_store(
                ([(CONTENT_TYPE, json)], body).into_response(),
            )))
        }
    };
    let cache_control = format!("private, max-age={}", state.options.get_max_age.as_secs());
    let cache_control = HeaderValue::from_str(&cache_control)
        .unwrap_or_else(|_| HeaderValue::from_static("private, max-age=0"));
    let mut response = if if_none_match(headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(CONTENT_TYPE, json)], body).into_response()
    };
    let answer_headers = response.headers_mut();
    answer_headers.insert(ETAG, etag);
    answer_headers.insert(CACHE_CONTROL, cache_control);
    Ok(with_vary(response))
}

/// The GraphQL request the parameters describe, read as `POST` would read a body.
///
/// # Errors
/// `BAD_USER_INPUT` (HTTP 400) when `variables` or `extensions` is not a JSON object.
fn graphql_request(params: GetParams) -> Result<async_graphql::Request, ApiError> {
    let object = |name: &str, text: Option<String>| -> Result<Value, ApiError> {
        match text.as_deref().map(serde_json::from_str::<Value>) {
            None => Ok(Value::Object(Map::new())),
            Some(Ok(value @ Value::Object(_))) => Ok(value),
            Some(Ok(Value::Null)) => Ok(Value::Object(Map::new())),
            Some(_) => Err(ApiError::BadInput(format!(
                "the `{name}` parameter must be a JSON object"
            ))),
        }
    };
    let request = json!({
        "query": params.query.unwrap_or_default(),
        "variables": object("variables", params.variables)?,
        "operationName": params.operation_name,
        "extensions": object("extensions", params.extensions)?,
    });
    serde_json::from_value(request)
        .map_err(|err| ApiError::BadInput(format!("not a GraphQL request: {err}")))
}

/// Whether `If-None-Match` names `etag` (or is `*`). RFC 9110 §13.1.2 compares weakly:
/// a `W/` prefix does not matter.
fn if_none_match(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let Ok(etag) = etag.to_str() else {
        return false;
    };
    headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|tag| tag.trim())
        .any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag)
}

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn with_vary(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(VARY, HeaderValue::from_static("Authorization"));
    response
}
