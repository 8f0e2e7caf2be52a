//! What a browser gets: security headers on the frontend and the API, GraphiQL through the
//! frontend's own build, and `/api/metrics` kept off the main port when it has its own.

use api::config::Config;
use api::startup::Application;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::json;

use crate::helpers::{fresh_database_url, spawn_app_with, test_settings};

/// A stand-in for `frontend/dist`: an index page and one hashed asset.
fn built_frontend() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><div id=\"root\"></div><!-- rendermart-index -->",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("assets")).unwrap();
    std::fs::write(dir.path().join("assets/index-3f2a1c.js"), "console.log(1);").unwrap();
    dir
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header in {headers:?}"))
        .to_str()
        .unwrap()
}

/// The frontend's policy, one directive at a time.
fn directive<'a>(policy: &'a str, name: &str) -> &'a str {
    policy
        .split(';')
        .map(str::trim)
        .find(|d| d.split_whitespace().next() == Some(name))
        .unwrap_or_else(|| panic!("no {name} in {policy}"))
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn every_frontend_path_carries_the_content_security_policy_and_the_usual_headers() {
    let dist = built_frontend();
    let dist_path = dist.path().to_path_buf();
    let app = spawn_app_with(|s| s.frontend_dir = Some(dist_path)).await;
    for path in ["/", "/gallery", "/graphiql", "/assets/index-3f2a1c.js"] {
        let response = app
            .client
            .get(format!("{}{path}", app.url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let headers = response.headers();
        let policy = header(headers, "content-security-policy");
        assert_eq!(
            directive(policy, "script-src"),
            "script-src 'self'",
            "{path}"
        );
        assert_eq!(
            directive(policy, "connect-src"),
            "connect-src 'self' https:",
            "{path}"
        );
        assert_eq!(
            directive(policy, "object-src"),
            "object-src 'none'",
            "{path}"
        );
        assert_eq!(
            directive(policy, "frame-ancestors"),
            "frame-ancestors 'none'",
            "{path}"
        );
        // Signed /api/files/ URLs, data: previews and S3 presigned URLs on another origin.
        let images = directive(policy, "img-src");
        for source in ["'self'", "data:", "https:"] {
            assert!(images.split_whitespace().any(|s| s == source), "{images}");
        }
        assert_eq!(header(headers, "x-content-type-options"), "nosniff");
        assert_eq!(header(headers, "x-frame-options"), "DENY");
        assert_eq!(
            header(headers, "referrer-policy"),
            "strict-origin-when-cross-origin"
        );
        assert!(header(headers, "permissions-policy").contains("camera=()"));
        // Plain HTTP: HSTS would mean nothing, and must not pin a laptop to HTTPS.
        assert!(headers.get("strict-transport-security").is_none(), "{path}");
    }

    let through_tls = app
        .client
        .get(format!("{}/explore", app.url))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert_eq!(
        header(through_tls.headers(), "strict-transport-security"),
        "max-age=31536000"
    );
}

#[tokio::test]
async fn api_responses_are_never_sniffed_or_rendered_as_pages() {
    let app = spawn_app_with(|_| {}).await;
    let graphql = app
        .client
        .post(format!("{}/api/graphql", app.url))
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    let health = app
        .client
        .get(format!("{}/api/healthz", app.url))
        .send()
        .await
        .unwrap();
    let unknown = app
        .client
        .get(format!("{}/api/no-such-thing", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(graphql.status(), StatusCode::OK);
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    for response in [&graphql, &health, &unknown] {
        let headers = response.headers();
        assert_eq!(header(headers, "x-content-type-options"), "nosniff");
        assert_eq!(
            header(headers, "content-security-policy"),
            "default-src 'none'; frame-ancestors 'none'"
        );
    }
}

#[tokio::test]
async fn a_browser_asking_the_endpoint_for_html_is_sent_to_the_bundled_graphiql() {
    let dist = built_frontend();
    let dist_path = dist.path().to_path_buf();
    let app = spawn_app_with(|s| s.frontend_dir = Some(dist_path)).await;
    let client = no_redirects();
    let response = client
        .get(format!("{}/api/graphql", app.url))
        .header(
            "accept",
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(header(response.headers(), "location"), "/graphiql");
    // No page from the API itself, so nothing there loads scripts from a CDN.
    let body = response.text().await.unwrap();
    assert!(!body.contains("<script"), "{body}");

    let page = client
        .get(format!("{}/graphiql", app.url))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("rendermart-index"));

    // Clients that ask for JSON still get GraphQL over GET.
    let query = client
        .get(format!("{}/api/graphql", app.url))
        .query(&[("query", "{ __typename }")])
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(query.status(), StatusCode::OK);
    assert_eq!(
        query.json::<serde_json::Value>().await.unwrap()["data"]["__typename"],
        "Query"
    );
}

#[tokio::test]
async fn with_a_metrics_port_metrics_are_served_there_and_not_on_the_main_port() {
    let data_dir = tempfile::tempdir().unwrap();
    let database_url = fresh_database_url(data_dir.path()).await;
    let mut settings = test_settings(data_dir.path().to_path_buf(), database_url);
    settings.metrics_port = Some(0);
    let app = Application::build(Config::resolve(settings).unwrap())
        .await
        .unwrap();
    let url = app.url();
    let metrics_url = app.metrics_url().expect("a metrics URL");
    assert_ne!(
        metrics_url.trim_end_matches("/api/metrics"),
        url,
        "metrics and the API share a port"
    );
    tokio::spawn(app.run_until(std::future::pending()));
    let client = reqwest::Client::new();

    let response = client
        .post(format!("{url}/api/graphql"))
        .json(&json!({ "query": "query Counted { __typename }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let on_main = client
        .get(format!("{url}/api/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(on_main.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = on_main.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND");

    let scraped = client.get(&metrics_url).send().await.unwrap();
    assert_eq!(scraped.status(), StatusCode::OK);
    let text = scraped.text().await.unwrap();
    assert!(
        text.contains("rendermart_graphql_requests_total{operation="),
        "{text}"
    );
    // The metrics port serves metrics only.
    let metrics_base = metrics_url.trim_end_matches("/api/metrics");
    let graphql_there = client
        .post(format!("{metrics_base}/api/graphql"))
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(graphql_there.status(), StatusCode::NOT_FOUND);
}
