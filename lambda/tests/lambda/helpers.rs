//! Fixtures and the function under test.

use std::path::PathBuf;

use api::config::Settings;
use serde_json::Value;
use tempfile::TempDir;

/// An API Gateway event from `tests/fixtures/`, as JSON so a test can adjust it.
pub fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let event: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    assert_eq!(
        event["version"], "2.0",
        "{name} is not an HTTP API payload 2.0 event"
    );
    event
}

/// Replaces the fixtures' `Bearer TOKEN` with a real token.
pub fn with_token(mut event: Value, token: &str) -> Value {
    event["headers"]["authorization"] = Value::String(format!("Bearer {token}"));
    event
}

/// A function with its own SQLite database and data dir, configured the way the function
/// is in development: `DATABASE_URL` and `RENDERMART_DATA_DIR`, nothing else.
pub struct TestFunction {
    pub router: axum::Router,
    pub data_dir: TempDir,
}

pub async fn spawn_function() -> TestFunction {
    let data_dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        data_dir: Some(data_dir.path().to_path_buf()),
        database_url: Some(database_url(&data_dir)),
        ..Settings::default()
    };
    let config = rendermart_lambda::lambda_config(settings).unwrap();
    let router = rendermart_lambda::build_service(config).await.unwrap();
    TestFunction { router, data_dir }
}

pub fn database_url(data_dir: &TempDir) -> String {
    format!(
        "sqlite://{}?mode=rwc",
        data_dir.path().join("lambda.db").display()
    )
}

/// The response body as JSON, with a message naming what came instead.
pub fn json_body(body: &[u8]) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", String::from_utf8_lossy(body)))
}

/// The ids in a `models` answer.
pub fn model_ids(body: &Value) -> Vec<String> {
    body["data"]["models"]
        .as_array()
        .unwrap_or_else(|| panic!("no models in {body}"))
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect()
}
