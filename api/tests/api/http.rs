//! The rest of the HTTP surface: GraphiQL served offline, CORS for the landing site, probes.

use crate::support::{cors_options, spawn_app, spawn_app_with};

#[tokio::test]
async fn graphiql_and_its_assets_are_served_without_a_token_or_internet() {
    let app = spawn_app().await;
    let page = app.client.get(app.url("/graphql")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(!html.contains("https://"), "no external resources");

    let mut assets = Vec::new();
    for part in html.split("=\"/graphql/assets/").skip(1) {
        assets.push(part.split('"').next().unwrap().to_owned());
    }
    assert_eq!(assets.len(), 5, "{assets:?}");
    for asset in assets {
        let response = app
            .client
            .get(app.url(&format!("/graphql/assets/{asset}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{asset}");
        let kind = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            kind.starts_with("text/javascript") || kind.starts_with("text/css"),
            "{asset}: {kind}"
        );
        assert!(!response.bytes().await.unwrap().is_empty());
    }

    let init = app
        .client
        .get(app.url("/graphql/assets/graphiql-init.js"))
        .send()
        .await
        .unwrap();
    let init = init.text().await.unwrap();
    assert!(init.contains("isHeadersEditorEnabled: true") && init.contains("Authorization"));
    let missing = app
        .client
        .get(app.url("/graphql/assets/nope.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn cors_allows_only_the_configured_origins() {
    let app = spawn_app_with(cors_options("https://www.example.com")).await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/graphql"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization,content-type",
            )
            .send()
    };
    let allowed = preflight("https://www.example.com").await.unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://www.example.com"
    );
    let refused = preflight("https://evil.example").await.unwrap();
    assert!(refused
        .headers()
        .get("access-control-allow-origin")
        .is_none());
}

#[tokio::test]
async fn without_configured_origins_there_are_no_cors_headers() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/graphql"))
        .header("origin", "https://www.example.com")
        .send()
        .await
        .unwrap();
    assert!(response
        .headers()
        .get("access-control-allow-origin")
        .is_none());
}

#[tokio::test]
async fn health_probes_answer_without_a_token() {
    let app = spawn_app().await;
    for path in ["/healthz", "/readyz"] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
    }
}
