use std::path::PathBuf;

use api::config::{Config, Settings};
use api::startup::Application;
use api::state::AppState;
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};

/// A running server with its own database and data dir.
pub struct TestApp {
    pub url: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub data_dir: tempfile::TempDir,
}

/// A fresh database URL: a new PostgreSQL database when TEST_DATABASE_URL names a server,
/// otherwise SQLite in the data dir.
pub async fn fresh_database_url(data_dir: &std::path::Path) -> String {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            let name = format!("rendermart_test_{}", uuid::Uuid::new_v4().simple());
            let admin = Database::connect(&admin_url)
                .await
                .expect("TEST_DATABASE_URL unreachable");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("cannot create a test database");
            admin.close().await.ok();
            let base = admin_url
                .rsplit_once('/')
                .map_or(admin_url.as_str(), |(b, _)| b);
            format!("{base}/{name}")
        }
        _ => format!(
            "sqlite://{}?mode=rwc",
            data_dir.join("rendermart.db").display()
        ),
    }
}

pub fn test_settings(data_dir: PathBuf, database_url: String) -> Settings {
    Settings {
        port: Some(0),
        data_dir: Some(data_dir),
        database_url: Some(database_url),
        offline_step_ms: Some(0),
        workers: Some(2),
        frontend_dir: Some(PathBuf::from("/nonexistent")),
        ..Settings::default()
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(customise: impl FnOnce(&mut Settings)) -> TestApp {
    let data_dir = tempfile::tempdir().unwrap();
    let database_url = fresh_database_url(data_dir.path()).await;
    let mut settings = test_settings(data_dir.path().to_path_buf(), database_url);
    customise(&mut settings);
    let app = Application::build(Config::resolve(settings).unwrap())
        .await
        .unwrap();
    let url = app.url();
    let state = app.state().clone();
    tokio::spawn(app.run_until(std::future::pending()));
    TestApp {
        url,
        client: reqwest::Client::new(),
        state,
        data_dir,
    }
}

/// The parts of a GraphQL response tests look at.
pub struct GqlResponse {
    pub status: u16,
    pub body: Value,
}

impl GqlResponse {
    pub fn data(&self) -> &Value {
        assert!(
            self.body.get("errors").is_none(),
            "unexpected errors: {}",
            self.body
        );
        &self.body["data"]
    }

    /// The first error's `extensions.code`.
    pub fn error_code(&self) -> &str {
        self.body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no error code in {}", self.body))
    }

    pub fn error_field(&self) -> &str {
        self.body["errors"][0]["extensions"]["field"]
            .as_str()
            .unwrap_or_else(|| panic!("no error field in {}", self.body))
    }

    pub fn error_message(&self) -> &str {
        self.body["errors"][0]["message"].as_str().unwrap()
    }
}

impl TestApp {
    pub async fn gql(&self, query: &str, variables: Value, token: Option<&str>) -> GqlResponse {
        let mut request = self
            .client
            .post(format!("{}/api/graphql", self.url))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        GqlResponse {
            status,
            body: response.json().await.unwrap(),
        }
    }

    /// Signs up a new user and returns their token.
    pub async fn sign_up(&self, email: &str) -> String {
        let response = self
            .gql(
                "mutation($input: SignUpInput!) { signUp(input: $input) { token } }",
                json!({ "input": { "email": email, "password": "correct horse battery", "displayName": "Test" } }),
                None,
            )
            .await;
        response.data()["signUp"]["token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub fn jwt_secret(&self) -> String {
        std::fs::read_to_string(self.data_dir.path().join("jwt-secret")).unwrap()
    }
}
