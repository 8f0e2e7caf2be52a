use serde_json::json;

use crate::helpers::{ServerProcess, fresh_database_url, spawn_app};

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = spawn_app().await;
    let health = app
        .client
        .get(format!("{}/api/healthz", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let ready = app
        .client
        .get(format!("{}/api/readyz", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    assert_eq!(
        ready.json::<serde_json::Value>().await.unwrap()["status"],
        "ready"
    );
}

#[tokio::test]
async fn metrics_count_requests_by_operation_and_errors_by_code() {
    let app = spawn_app().await;
    app.gql("query Models { models { id } }", json!({}), None)
        .await;
    // Names the frontend does not use are folded into one label.
    app.gql("query ListModels { models { id } }", json!({}), None)
        .await;
    app.gql(
        "mutation { createApiKey(name: \"x\") { secret } }",
        json!({}),
        None,
    )
    .await;
    let text = app
        .client
        .get(format!("{}/api/metrics", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(r#"rendermart_graphql_requests_total{operation="Models"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"rendermart_graphql_requests_total{operation="other"} 1"#),
        "{text}"
    );
    assert!(!text.contains("ListModels"), "{text}");
    assert!(
        text.contains(r#"rendermart_graphql_errors_total{code="UNAUTHENTICATED"} 1"#),
        "{text}"
    );
    assert!(
        text.contains("rendermart_graphql_request_duration_seconds_bucket"),
        "{text}"
    );
}

#[tokio::test]
async fn get_runs_queries_but_not_mutations() {
    let app = spawn_app().await;
    let url = format!("{}/api/graphql", app.url);
    let query = app
        .client
        .get(&url)
        .query(&[("query", "{ models { id offline } }")])
        .send()
        .await
        .unwrap();
    assert_eq!(query.status(), 200);
    let body: serde_json::Value = query.json().await.unwrap();
    assert_eq!(
        body["data"]["models"][0],
        json!({ "id": "offline", "offline": true })
    );

    let mutation = app
        .client
        .get(&url)
        .query(&[("query", "mutation { createApiKey(name: \"x\") { secret } }")])
        .send()
        .await
        .unwrap();
    assert_eq!(mutation.status(), 405);
    assert_eq!(mutation.headers()["allow"], "POST");
}

#[tokio::test]
async fn a_browser_gets_graphiql_and_the_root_page_links_it() {
    let app = spawn_app().await;
    let graphiql = app
        .client
        .get(format!("{}/api/graphql", app.url))
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(graphiql.status(), 200);
    // GraphiQL is a page of the frontend bundle: the API sends browsers there.
    assert_eq!(graphiql.url().path(), "/graphiql");

    let root = app
        .client
        .get(format!("{}/gallery", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(root.status(), 200);
    let page = root.text().await.unwrap();
    assert!(page.contains("npm --prefix frontend ci"), "{page}");
    assert!(page.contains("/api/graphql"));

    let unknown = app
        .client
        .get(format!("{}/api/nope", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn the_models_list_describes_the_offline_engine() {
    let app = spawn_app().await;
    let response = app
        .gql(
            "{ models { id provider offline capabilities { minSide maxSide sideStep maxImages seed negativePrompt stylePresets fixedSizes } defaults { width height count } } }",
            json!({}),
            None,
        )
        .await;
    let offline = &response.data()["models"][0];
    assert_eq!(offline["id"], "offline");
    assert_eq!(offline["offline"], true);
    let caps = &offline["capabilities"];
    assert_eq!(
        (
            caps["minSide"].as_i64(),
            caps["maxSide"].as_i64(),
            caps["sideStep"].as_i64()
        ),
        (Some(64), Some(2048), Some(8))
    );
    assert_eq!(caps["fixedSizes"], false);
    assert!(caps["stylePresets"].as_array().unwrap().len() >= 3);
}

#[tokio::test]
async fn invalid_ids_and_cursors_are_field_errors() {
    let app = spawn_app().await;
    let response = app
        .gql("{ node(id: \"garbage\") { id } }", json!({}), None)
        .await;
    assert_eq!(response.error_code(), "BAD_USER_INPUT");
    assert_eq!(response.error_field(), "id");
}

/// Runs the real binary: it prints its URL, and neither passwords nor API-key secrets reach
/// its logs, even at debug level.
#[tokio::test]
async fn the_binary_prints_its_url_and_never_logs_secrets() {
    let data_dir = tempfile::tempdir().unwrap();
    let database_url = fresh_database_url(data_dir.path()).await;
    let server = ServerProcess::start(
        &database_url,
        data_dir.path(),
        &[("RENDERMART_WORKERS", "1"), ("RUST_LOG", "debug")],
    );
    let remote = server.client();
    let signed_up = remote
        .gql(
            "mutation { signUp(input: {email: \"log@example.com\", password: \"secret password 1\", displayName: \"L\"}) { token } }",
            json!({}),
            None,
        )
        .await;
    let token = signed_up["data"]["signUp"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let key = remote
        .gql(
            "mutation { createApiKey(name: \"k\") { secret } }",
            json!({}),
            Some(&token),
        )
        .await;
    let secret = key["data"]["createApiKey"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let viewer = remote
        .gql("{ viewer { email } }", json!({}), Some(&secret))
        .await;
    assert_eq!(viewer["data"]["viewer"]["email"], "log@example.com");

    let logs = server.into_output();
    assert!(logs.contains("DEBUG") || logs.contains("INFO"), "{logs}");
    assert!(
        !logs.contains("secret password 1"),
        "the password reached the logs"
    );
    assert!(
        !logs.contains(&secret),
        "the API key secret reached the logs"
    );
}
