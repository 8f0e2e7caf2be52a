//! The `bootstrap` binary, configured only through the environment as Lambda configures it,
//! polling a local stand-in for the Lambda Runtime API: each fixture goes out as an
//! invocation, and what comes back is the response API Gateway would receive.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;
use tempfile::TempDir;
use tokio::sync::{Mutex, mpsc};

use crate::helpers::{database_url, fixture, json_body, model_ids, with_token};

const RUNTIME_PREFIX: &str = "/2018-06-01/runtime";

/// What the function sent back to the Runtime API.
enum Outcome {
    Response { request_id: String, body: Value },
    Error { path: String, body: String },
}

struct RuntimeApi {
    /// Invocations waiting for the function's next poll.
    events: Mutex<mpsc::UnboundedReceiver<(String, Value)>>,
    outcomes: mpsc::UnboundedSender<Outcome>,
}

/// `GET …/invocation/next`: long-polls until the test queues an event.
async fn next(State(api): State<Arc<RuntimeApi>>) -> Response {
    let Some((request_id, event)) = api.events.lock().await.recv().await else {
        return StatusCode::GONE.into_response();
    };
    let deadline = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        + Duration::from_secs(30);
    let mut headers = HeaderMap::new();
    let mut set = |name: &'static str, value: String| {
        headers.insert(name, HeaderValue::from_str(&value).unwrap());
    };
    set("content-type", "application/json".into());
    set("lambda-runtime-aws-request-id", request_id);
    set(
        "lambda-runtime-deadline-ms",
        deadline.as_millis().to_string(),
    );
    set(
        "lambda-runtime-invoked-function-arn",
        "arn:aws:lambda:eu-west-1:123456789012:function:rendermart-api".into(),
    );
    set(
        "lambda-runtime-trace-id",
        "Root=1-6747a1b2-3c4d5e6f7a8b9c0d1e2f3a4b;Sampled=0".into(),
    );
    (headers, event.to_string()).into_response()
}

async fn response(
    State(api): State<Arc<RuntimeApi>>,
    Path(request_id): Path<String>,
    body: axum::body::Bytes,
) -> StatusCode {
    let body = json_body(&body);
    let _ = api.outcomes.send(Outcome::Response { request_id, body });
    StatusCode::ACCEPTED
}

/// Invocation errors, init errors and anything else the runtime API would not expect.
async fn error(State(api): State<Arc<RuntimeApi>>, uri: Uri, body: String) -> StatusCode {
    let path = uri.path().to_owned();
    let _ = api.outcomes.send(Outcome::Error { path, body });
    StatusCode::ACCEPTED
}

/// The binary under test, killed when dropped.
struct Function {
    child: Child,
    events: mpsc::UnboundedSender<(String, Value)>,
    outcomes: mpsc::UnboundedReceiver<Outcome>,
    data_dir: TempDir,
    invocations: u32,
}

impl Drop for Function {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn bootstrap() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_bootstrap"));
    // Only what Lambda would set: nothing from the developer's environment leaks in.
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_LAMBDA_LOG_LEVEL", "warn")
        .stdin(Stdio::null());
    command
}

impl Function {
    /// Starts the runtime API stand-in and the binary, with `DATABASE_URL` and
    /// `RENDERMART_DATA_DIR` pointing into a fresh temp dir.
    async fn start() -> Function {
        let data_dir = tempfile::tempdir().unwrap();
        let (events_tx, events_rx) = mpsc::unbounded_channel();
        let (outcomes_tx, outcomes_rx) = mpsc::unbounded_channel();
        let api = Arc::new(RuntimeApi {
            events: Mutex::new(events_rx),
            outcomes: outcomes_tx,
        });
        let app = Router::new()
            .route(&format!("{RUNTIME_PREFIX}/invocation/next"), get(next))
            .route(
                &format!("{RUNTIME_PREFIX}/invocation/{{id}}/response"),
                post(response),
            )
            .fallback(error)
            .with_state(api);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });

        let log = std::fs::File::create(data_dir.path().join("function.log")).unwrap();
        let child = bootstrap()
            .env("AWS_LAMBDA_RUNTIME_API", address.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", "rendermart-api")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/rendermart-api")
            .env(
                "AWS_LAMBDA_LOG_STREAM_NAME",
                "2026/11/27/[$LATEST]0123456789abcdef",
            )
            .env("DATABASE_URL", database_url(&data_dir))
            .env("RENDERMART_DATA_DIR", data_dir.path())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        Function {
            child,
            events: events_tx,
            outcomes: outcomes_rx,
            data_dir,
            invocations: 0,
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.data_dir.path().join("function.log")).unwrap_or_default()
    }

    /// Sends one event and returns the API Gateway response the function produced.
    async fn invoke(&mut self, event: Value) -> Value {
        self.invocations += 1;
        let request_id = format!("8f5e3c1a-0000-4000-8000-{:012}", self.invocations);
        self.events.send((request_id.clone(), event)).unwrap();
        // The first invocation includes the cold start: connecting and migrating.
        let outcome = tokio::time::timeout(Duration::from_secs(60), self.outcomes.recv()).await;
        match outcome {
            Ok(Some(Outcome::Response {
                request_id: answered,
                body,
            })) => {
                assert_eq!(answered, request_id, "answered another invocation");
                body
            }
            Ok(Some(Outcome::Error { path, body })) => {
                panic!(
                    "the function reported {path}: {body}\nfunction log:\n{}",
                    self.log()
                )
            }
            Ok(None) => panic!("the runtime API stopped\nfunction log:\n{}", self.log()),
            Err(_) => {
                let exited = self.child.try_wait().ok().flatten();
                panic!(
                    "no answer within 60 s (exit status: {exited:?})\nfunction log:\n{}",
                    self.log()
                )
            }
        }
    }
}

/// The status and JSON body of an API Gateway v2 response, checking it is text JSON.
fn gateway_response(response: &Value) -> (u64, Value) {
    assert_eq!(response["isBase64Encoded"], false, "{response}");
    let content_type = response["headers"]["content-type"].as_str().unwrap_or("");
    assert!(
        content_type.starts_with("application/json"),
        "content-type {content_type:?} in {response}"
    );
    let body = response["body"]
        .as_str()
        .unwrap_or_else(|| panic!("{response}"));
    (
        response["statusCode"].as_u64().unwrap(),
        json_body(body.as_bytes()),
    )
}

#[tokio::test]
async fn the_bootstrap_binary_answers_gateway_events_from_the_runtime_api() {
    let mut function = Function::start().await;

    let (status, body) = gateway_response(&function.invoke(fixture("models-query.json")).await);
    assert_eq!(status, 200, "{body}");
    assert!(model_ids(&body).contains(&"offline".to_owned()), "{body}");

    let (status, body) = gateway_response(&function.invoke(fixture("sign-up-mutation.json")).await);
    assert_eq!(status, 200, "{body}");
    let token = body["data"]["signUp"]["token"].as_str().unwrap().to_owned();
    let viewer = with_token(fixture("viewer-query.json"), &token);
    let (status, body) = gateway_response(&function.invoke(viewer).await);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["viewer"]["email"], "ada@example.com", "{body}");

    let (status, body) = gateway_response(&function.invoke(fixture("malformed-body.json")).await);
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");

    let (status, body) = gateway_response(&function.invoke(fixture("base64-body.json")).await);
    assert_eq!(status, 200, "{body}");
    assert!(model_ids(&body).contains(&"offline".to_owned()), "{body}");

    // The database and the embedded signing secret went where the environment said.
    assert!(function.data_dir.path().join("lambda.db").is_file());
    assert!(function.data_dir.path().join("jwt-secret").is_file());
}

#[tokio::test]
async fn in_production_the_function_refuses_to_start_without_its_signing_secret() {
    let output = bootstrap()
        .env("RENDERMART_ENV", "production")
        .env(
            "DATABASE_URL",
            "postgres://rendermart@db.internal.example/rendermart",
        )
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("RENDERMART_JWT_SECRET"), "{stderr}");
}
