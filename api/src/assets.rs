//! GraphiQL, served by the api itself so that analysts can use it with no internet
//! access: the page and the vendored scripts and styles under `api/assets/` (their
//! origin and licences are in `api/assets/README.md`), compiled into the binary.
//!
//! These routes need no token: they hold no data. The token goes into GraphiQL's
//! headers editor, which the page opens with `{"Authorization": "Bearer "}` prefilled.

use axum::{
    extract::Path,
    http::{
        header::{CACHE_CONTROL, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS},
        StatusCode,
    },
    response::{Html, IntoResponse, Response},
};

/// One vendored file.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const JS: &str = "text/javascript; charset=utf-8";

const ASSETS: &[Asset] = &[
    Asset {
        name: "graphiql.min.js",
        content_type: JS,
        body: include_bytes!("../assets/graphiql.min.js"),
    },
    Asset {
        name: "graphiql.min.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../assets/graphiql.min.css"),
    },
    Asset {
        name: "graphiql-init.js",
        content_type: JS,
        body: include_bytes!("../assets/graphiql-init.js"),
    },
    Asset {
        name: "react.production.min.js",
        content_type: JS,
        body: include_bytes!("../assets/react.production.min.js"),
    },
    Asset {
        name: "react-dom.production.min.js",
        content_type: JS,
        body: include_bytes!("../assets/react-dom.production.min.js"),
    },
];

/// `GET /graphql`: the GraphiQL page.
pub async fn graphiql_page() -> Html<&'static str> {
    Html(include_str!("../assets/graphiql.html"))
}

/// `GET /graphql/assets/{name}`: one vendored file, or 404.
pub async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|asset| asset.name == name) {
        Some(asset) => (
            [
                (CONTENT_TYPE, asset.content_type),
                // The names carry no version, so caches re-check after an hour.
                (CACHE_CONTROL, "public, max-age=3600"),
                (X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            asset.body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
