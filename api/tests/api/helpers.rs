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
    // Server logs (warnings and errors) show up in the output of a failing test.
    static TRACING: std::sync::Once = std::sync::Once::new();
    TRACING.call_once(|| {
        tracing_subscriber::fmt()
            .with_env_filter("warn")
            .with_test_writer()
            .init();
    });
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

/// The database key behind a generation's GraphQL id.
pub fn generation_key(id: &str) -> uuid::Uuid {
    key_of(id, api::graphql::relay::NodeType::Generation)
}

/// The database key behind a user's GraphQL id.
pub fn user_key(id: &str) -> uuid::Uuid {
    key_of(id, api::graphql::relay::NodeType::User)
}

/// The database key behind a GraphQL id of `node_type`.
pub fn key_of(id: &str, node_type: api::graphql::relay::NodeType) -> uuid::Uuid {
    api::graphql::relay::expect_global_id(&async_graphql::ID(id.to_owned()), node_type, "id")
        .unwrap()
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

/// POSTs a GraphQL request to a server at `base_url`.
async fn post_graphql(
    client: &reqwest::Client,
    base_url: &str,
    query: &str,
    variables: Value,
    token: Option<&str>,
) -> GqlResponse {
    let mut request = client
        .post(format!("{base_url}/api/graphql"))
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

impl TestApp {
    pub async fn gql(&self, query: &str, variables: Value, token: Option<&str>) -> GqlResponse {
        post_graphql(&self.client, &self.url, query, variables, token).await
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

pub const GENERATE: &str = "mutation($input: GenerateImagesInput!) { generateImages(input: $input) { id status queuePosition params } }";

/// The fields tests read from a generation.
pub const GENERATION_FIELDS: &str = "id status progress stage preview error { code message } images { id url thumbnailUrl width height seed favorite visibility }";

impl TestApp {
    /// Queues a job and returns its id.
    pub async fn generate(&self, token: &str, input: Value) -> String {
        let response = self
            .gql(GENERATE, json!({ "input": input }), Some(token))
            .await;
        response.data()["generateImages"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Follows a job over a WebSocket subscription until it ends; returns every update.
    pub async fn follow(&self, token: &str, id: &str) -> Vec<Value> {
        let mut ws = crate::ws_client::WsClient::connected(
            &self.url,
            crate::ws_client::TRANSPORT,
            Some(token),
        )
        .await;
        ws.subscribe(
            "follow",
            &format!(
                "subscription($id: ID!) {{ generationUpdates(id: $id) {{ {GENERATION_FIELDS} }} }}"
            ),
            json!({ "id": id }),
        )
        .await;
        ws.collect_until_complete("follow")
            .await
            .into_iter()
            .map(|payload| {
                assert!(payload.get("errors").is_none(), "{payload}");
                payload["data"]["generationUpdates"].clone()
            })
            .collect()
    }

    /// Waits for a job to end (through its subscription) and returns its final state.
    pub async fn finished(&self, token: &str, id: &str) -> Value {
        self.follow(token, id).await.pop().unwrap()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .unwrap()
    }

    /// Runs queued jobs in this test's task until none is left (for apps built without
    /// workers); returns how many ran.
    pub async fn run_queued_jobs(&self, worker: &str) -> usize {
        let stop = tokio_util::sync::CancellationToken::new();
        let mut ran = 0;
        while api::jobs::worker::try_run_one(
            &self.state,
            worker,
            &stop,
            std::time::Duration::from_secs(5),
        )
        .await
        .unwrap()
        {
            ran += 1;
        }
        ran
    }
}

/// The real `rendermart serve` binary, running until dropped.
pub struct ServerProcess {
    pub child: std::process::Child,
    pub url: String,
    output: Option<std::thread::JoinHandle<String>>,
}

impl ServerProcess {
    /// Starts `rendermart serve --port 0` and waits for the URL it prints.
    pub fn start(
        database_url: &str,
        data_dir: &std::path::Path,
        env: &[(&str, &str)],
    ) -> ServerProcess {
        use std::io::{BufRead, BufReader, Read};
        use std::process::{Command, Stdio};

        let mut child = Command::new(env!("CARGO_BIN_EXE_rendermart"))
            .args(["serve", "--port", "0", "--data-dir"])
            .arg(data_dir)
            .env("DATABASE_URL", database_url)
            .env("RENDERMART_FRONTEND_DIR", "/nonexistent")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        let url = loop {
            line.clear();
            assert!(
                stdout.read_line(&mut line).unwrap() > 0,
                "the server exited before printing its URL"
            );
            if let Some(at) = line.find("http://") {
                break line[at..].trim().to_owned();
            }
        };
        let mut stderr = child.stderr.take().unwrap();
        // Drain both pipes so a chatty server never blocks; the text is kept for assertions.
        let output = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stdout.read_to_string(&mut text);
            let _ = stderr.read_to_string(&mut text);
            text
        });
        ServerProcess {
            child,
            url,
            output: Some(output),
        }
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends SIGTERM and waits for the process to exit.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        self.child.wait().unwrap()
    }

    /// Everything the process printed; call after it ended.
    pub fn into_output(mut self) -> String {
        self.kill();
        self.output.take().unwrap().join().unwrap()
    }

    /// A handle for talking to it like to an in-process test app.
    pub fn client(&self) -> RemoteApp {
        RemoteApp {
            url: self.url.clone(),
            client: reqwest::Client::new(),
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A server in another process, reached over HTTP only.
pub struct RemoteApp {
    pub url: String,
    pub client: reqwest::Client,
}

impl RemoteApp {
    pub async fn gql(&self, query: &str, variables: Value, token: Option<&str>) -> Value {
        post_graphql(&self.client, &self.url, query, variables, token)
            .await
            .body
    }
}
