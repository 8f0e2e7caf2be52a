//! Local stand-ins for AWS that the real SDK clients talk to over HTTP:
//! - an S3-compatible server (s3s-fs over a temporary folder, checking SigV4 signatures of
//!   requests and of presigned URLs with s3s's own verifier);
//! - a Bedrock runtime that speaks InvokeModel's wire format: `POST /model/{modelId}/invoke`,
//!   SigV4-signed JSON requests, JSON answers, and errors as a status, an `x-amzn-ErrorType`
//!   header and a `{"message"}` body; and, on the same port, the Bedrock control plane's
//!   ListFoundationModels (`GET /foundation-models`) with each model's lifecycle.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use api::config::StaticAws;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use hyper::body::Incoming;
use serde_json::{Value, json};

pub const ACCESS_KEY: &str = "AKIDRENDERMARTTEST";
pub const SECRET_KEY: &str = "rendermart-test-secret-key-0123456789";
pub const REGION: &str = "us-west-2";
pub const BUCKET: &str = "rendermart-test";

pub fn credentials() -> StaticAws {
    StaticAws {
        region: REGION.to_owned(),
        access_key_id: ACCESS_KEY.to_owned(),
        secret_access_key: SECRET_KEY.to_owned().into(),
    }
}

/// The AWS SDK configuration of the fakes' region and key, for building clients by hand.
pub async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(REGION))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            ACCESS_KEY, SECRET_KEY, None, None, "test",
        ))
        .load()
        .await
}

/// Serves `make_service()` on a loopback port with hyper; returns the base URL.
async fn serve_hyper<S>(service: S) -> String
where
    S: hyper::service::Service<
            hyper::Request<hyper::body::Incoming>,
            Response = hyper::Response<s3s::Body>,
            Error = s3s::HttpError,
        > + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let service = service.clone();
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    url
}

/// An S3-compatible server on a temporary folder, with one bucket.
pub struct FakeS3 {
    pub url: String,
    pub root: tempfile::TempDir,
    pub faults: Arc<S3Faults>,
}

/// Faults a test injects into the fake's object writes (PutObject).
#[derive(Default)]
pub struct S3Faults {
    /// How long each write waits before it is handled, in milliseconds.
    pub put_delay_ms: AtomicU64,
    /// Writes from this one on (counting from 1) are refused with AccessDenied; 0: none.
    pub fail_puts_from: AtomicUsize,
    puts: AtomicUsize,
}

impl FakeS3 {
    pub async fn start() -> FakeS3 {
        let root = tempfile::tempdir().unwrap();
        // s3s-fs keeps each bucket as a folder.
        std::fs::create_dir(root.path().join(BUCKET)).unwrap();
        let fs = s3s_fs::FileSystem::new(root.path()).unwrap();
        let mut builder = s3s::service::S3ServiceBuilder::new(fs);
        builder.set_auth(s3s::auth::SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
        let s3 = builder.build();
        let faults = Arc::new(S3Faults::default());
        let injected = faults.clone();
        let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let (s3, faults) = (s3.clone(), injected.clone());
            async move {
                if request.method() == hyper::Method::PUT {
                    let n = faults.puts.fetch_add(1, Ordering::SeqCst) + 1;
                    let delay = faults.put_delay_ms.load(Ordering::SeqCst);
                    tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
                    let from = faults.fail_puts_from.load(Ordering::SeqCst);
                    if from != 0 && n >= from {
                        return Ok(hyper::Response::builder()
                            .status(403)
                            .header("content-type", "application/xml")
                            .body(s3s::Body::from(
                                "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
                                    .to_owned(),
                            ))
                            .unwrap());
                    }
                }
                hyper::service::Service::call(&s3, request).await
            }
        });
        let url = serve_hyper(service).await;
        FakeS3 { url, root, faults }
    }

    /// The object's bytes as stored on disk, when it exists.
    pub fn object(&self, key: &str) -> Option<Vec<u8>> {
        std::fs::read(self.root.path().join(BUCKET).join(key)).ok()
    }

    /// Every object's key, sorted.
    pub fn keys(&self) -> Vec<String> {
        fn walk(dir: &std::path::Path, base: &std::path::Path, keys: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, base, keys);
                } else {
                    keys.push(
                        path.strip_prefix(base)
                            .unwrap()
                            .to_str()
                            .unwrap()
                            .to_owned(),
                    );
                }
            }
        }
        let bucket = self.root.path().join(BUCKET);
        let mut keys = Vec::new();
        walk(&bucket, &bucket, &mut keys);
        keys.sort();
        keys
    }

    /// Stores an object by writing its file, with this modification time.
    pub fn put_file(&self, key: &str, modified: std::time::SystemTime) {
        let path = self.root.path().join(BUCKET).join(key);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, b"orphan").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(modified)
            .unwrap();
    }
}

/// An endpoint that accepts connections and never answers, as a stalled S3 does.
pub async fn stalled_endpoint() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    url
}

/// One scripted answer of the fake Bedrock.
#[derive(Clone, Debug)]
pub enum Scripted {
    /// An error: status, `x-amzn-ErrorType`, message.
    Error(u16, &'static str, String),
    /// A 200 with this JSON body.
    Json(Value),
}

/// A request the fake received.
#[derive(Clone, Debug)]
pub struct Call {
    pub model: String,
    pub body: Value,
    pub authorization: String,
}

#[derive(Default)]
struct BedrockState {
    script: VecDeque<Scripted>,
    calls: Vec<Call>,
    /// Lifecycle status per model id, `None` for a model the region does not list; every
    /// supported model is ACTIVE unless set here.
    lifecycles: HashMap<String, Option<&'static str>>,
    /// ListFoundationModels calls answered.
    listings: usize,
}

/// A Bedrock runtime: answers from its script first, then like the real model would (the
/// asked-for number of PNGs at the asked-for size or ratio).
#[derive(Clone)]
pub struct FakeBedrock {
    pub url: String,
    state: Arc<Mutex<BedrockState>>,
}

impl FakeBedrock {
    pub async fn start() -> FakeBedrock {
        let state = Arc::new(Mutex::new(BedrockState::default()));
        let router = axum::Router::new()
            .route("/model/{model_id}/invoke", axum::routing::post(invoke))
            .route(
                "/foundation-models",
                axum::routing::get(list_foundation_models),
            )
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });
        FakeBedrock { url, state }
    }

    /// Queues answers for the next calls, in order.
    pub fn script(&self, answers: impl IntoIterator<Item = Scripted>) {
        self.state.lock().unwrap().script.extend(answers);
    }

    pub fn calls(&self) -> Vec<Call> {
        self.state.lock().unwrap().calls.clone()
    }

    /// Lists `model` with this lifecycle status ("ACTIVE", "LEGACY"), or not at all (`None`).
    pub fn set_lifecycle(&self, model: &str, status: Option<&'static str>) {
        self.state
            .lock()
            .unwrap()
            .lifecycles
            .insert(model.to_owned(), status);
    }

    /// ListFoundationModels calls answered so far.
    pub fn listings(&self) -> usize {
        self.state.lock().unwrap().listings
    }
}

/// Whether a request is SigV4-signed by the fakes' key for `bedrock` in their region.
fn signed_for_bedrock(headers: &HeaderMap) -> bool {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    };
    let authorization = header("authorization");
    authorization.starts_with(&format!("AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/"))
        && authorization.contains(&format!("/{REGION}/bedrock/aws4_request"))
        && !header("x-amz-date").is_empty()
}

async fn list_foundation_models(
    State(state): State<Arc<Mutex<BedrockState>>>,
    headers: HeaderMap,
) -> Response {
    if !signed_for_bedrock(&headers) {
        return error(
            403,
            "UnrecognizedClientException",
            "The request is not signed for bedrock in us-west-2",
        );
    }
    let mut state = state.lock().unwrap();
    state.listings += 1;
    let summaries: Vec<Value> = api::config::BEDROCK_MODELS
        .iter()
        .filter_map(|id| {
            let status = state
                .lifecycles
                .get(*id)
                .copied()
                .unwrap_or(Some("ACTIVE"))?;
            let mut lifecycle = json!({ "status": status });
            if status == "LEGACY" {
                lifecycle["endOfLifeTime"] = json!("2026-09-30T00:00:00Z");
            }
            Some(json!({
                "modelArn": format!("arn:aws:bedrock:{REGION}::foundation-model/{id}"),
                "modelId": id,
                "modelName": id,
                "providerName": if id.starts_with("amazon.") { "Amazon" } else { "Stability AI" },
                "inputModalities": ["TEXT", "IMAGE"],
                "outputModalities": ["IMAGE"],
                "inferenceTypesSupported": ["ON_DEMAND"],
                "modelLifecycle": lifecycle,
            }))
        })
        .collect();
    axum::Json(json!({ "modelSummaries": summaries })).into_response()
}

fn error(status: u16, error_type: &str, message: &str) -> Response {
    (
        StatusCode::from_u16(status).unwrap(),
        [
            (
                "x-amzn-ErrorType",
                format!("{error_type}:http://internal.amazon.com/coral/com.amazon.bedrock/"),
            ),
            ("content-type", "application/json".to_owned()),
        ],
        json!({ "message": message }).to_string(),
    )
        .into_response()
}

/// A PNG of one colour, base64 as Bedrock returns it.
pub fn png_b64(width: u32, height: u32, colour: [u8; 3]) -> String {
    encode_b64(image::RgbImage::from_pixel(width, height, image::Rgb(colour)).into())
}

/// A picture as Bedrock returns it: a base64 PNG.
fn encode_b64(img: image::DynamicImage) -> String {
    let mut bytes = Vec::new();
    img.write_to(
        &mut std::io::Cursor::new(&mut bytes),
        image::ImageFormat::Png,
    )
    .unwrap();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Stability's output size for a ratio (about one megapixel).
fn stability_size(ratio: &str) -> (u32, u32) {
    match ratio {
        "16:9" => (1344, 768),
        "9:16" => (768, 1344),
        "21:9" => (1536, 640),
        "9:21" => (640, 1536),
        "3:2" => (1216, 832),
        "2:3" => (832, 1216),
        "5:4" => (1152, 896),
        "4:5" => (896, 1152),
        _ => (1024, 1024),
    }
}

async fn invoke(
    State(state): State<Arc<Mutex<BedrockState>>>,
    Path(model): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let authorization = header("authorization");
    // The SDK signs with SigV4 for the `bedrock` service in the configured region.
    if !signed_for_bedrock(&headers)
        || header("content-type") != "application/json"
        || header("accept") != "application/json"
    {
        return error(
            403,
            "UnrecognizedClientException",
            "The request is not signed for bedrock in us-west-2 or is not JSON",
        );
    }
    let Ok(body): Result<Value, _> = serde_json::from_slice(&body) else {
        return error(400, "ValidationException", "Malformed input request");
    };
    let scripted = {
        let mut state = state.lock().unwrap();
        state.calls.push(Call {
            model: model.clone(),
            body: body.clone(),
            authorization,
        });
        state.script.pop_front()
    };
    match scripted {
        Some(Scripted::Error(status, kind, message)) => return error(status, kind, &message),
        Some(Scripted::Json(json)) => return axum::Json(json).into_response(),
        None => {}
    }
    axum::Json(answer(&model, &body)).into_response()
}

/// The size of a base64 picture in a request.
fn size_of(b64: &Value) -> (u32, u32) {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.as_str().expect("a base64 picture"))
        .expect("valid base64");
    let image = image::load_from_memory(&bytes).expect("a picture the model can read");
    (image.width(), image.height())
}

/// What the real model would make: Titan and Nova edits keep their input's size, a removed
/// background is transparent around the middle, Stability edits follow their source
/// (outpaint adds its margins, the fast upscaler makes it four times larger, the other
/// upscalers twice).
fn answer(model: &str, body: &Value) -> Value {
    if let Some(task_type) = body["taskType"].as_str() {
        let config = &body["imageGenerationConfig"];
        let n = config["numberOfImages"].as_u64().unwrap_or(1);
        let (w, h) = match task_type {
            "INPAINTING" => size_of(&body["inPaintingParams"]["image"]),
            "OUTPAINTING" => size_of(&body["outPaintingParams"]["image"]),
            "BACKGROUND_REMOVAL" => {
                let (w, h) = size_of(&body["backgroundRemovalParams"]["image"]);
                return json!({ "images": [cut_out_b64(w, h)], "error": null });
            }
            _ => (
                config["width"].as_u64().unwrap_or(1024) as u32,
                config["height"].as_u64().unwrap_or(1024) as u32,
            ),
        };
        let images: Vec<String> = (0..n)
            .map(|i| png_b64(w, h, [40 * i as u8, 120, 200]))
            .collect();
        return json!({ "images": images, "error": null });
    }
    let seed = body["seed"].as_i64().unwrap_or(0);
    let image = if body.get("image").is_some() {
        let (w, h) = size_of(&body["image"]);
        let margin = |a: &str, b: &str| {
            (body[a].as_u64().unwrap_or(0) + body[b].as_u64().unwrap_or(0)) as u32
        };
        if model.contains("remove-background") {
            cut_out_b64(w, h)
        } else if model.contains("fast-upscale") {
            png_b64(w * 4, h * 4, [200, 80, 40])
        } else if model.contains("upscale") {
            png_b64(w * 2, h * 2, [200, 80, 40])
        } else {
            png_b64(
                w + margin("left", "right"),
                h + margin("up", "down"),
                [200, 80, 40],
            )
        }
    } else {
        let (w, h) = stability_size(body["aspect_ratio"].as_str().unwrap_or("1:1"));
        png_b64(w, h, [200, 80, 40])
    };
    json!({ "seeds": [seed], "finish_reasons": [null], "images": [image] })
}

/// A PNG with a transparent border and an opaque middle, as a removed background gives.
fn cut_out_b64(width: u32, height: u32) -> String {
    let img = image::RgbaImage::from_fn(width, height, |x, y| {
        let inside =
            (width / 4..3 * width / 4).contains(&x) && (height / 4..3 * height / 4).contains(&y);
        image::Rgba([90, 60, 30, if inside { 255 } else { 0 }])
    });
    encode_b64(img.into())
}
