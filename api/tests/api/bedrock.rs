//! Bedrock engines and S3 storage through the real AWS SDK clients, against local endpoints
//! (see `aws_fakes`): jobs end in the bucket, presigned URLs download, and Bedrock's errors
//! become the documented job outcomes.

use std::time::{Duration, Instant};

use api::config::Settings;
use api::storage::S3Storage;
use api::storage::s3::S3Endpoints;
use entity::generation;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use serde_json::{Value, json};

use crate::aws_fakes::{self, FakeBedrock, FakeS3, Scripted};
use crate::helpers::{TestApp, spawn_app, spawn_app_with, user_key};

const TITAN_V2: &str = "amazon.titan-image-generator-v2:0";
const NOVA: &str = "amazon.nova-canvas-v1:0";
const CORE: &str = "stability.stable-image-core-v1:1";

const GENERATE: &str = r#"
mutation($input: GenerateImagesInput!) {
  generateImages(input: $input) { id status model params }
}"#;

const GENERATION: &str = r#"
query($id: ID!) {
  generation(id: $id) {
    id status stage progress model params
    error { code message }
    images { id url thumbnailUrl width height seed contentType byteSize }
  }
}"#;

struct Aws {
    app: TestApp,
    bedrock: FakeBedrock,
    s3: FakeS3,
}

/// A server with S3 storage and the Bedrock models, both on local fakes, with fast retries.
async fn aws_app(customise: impl FnOnce(&mut Settings)) -> Aws {
    let bedrock = FakeBedrock::start().await;
    let s3 = FakeS3::start().await;
    let (bedrock_url, s3_url) = (bedrock.url.clone(), s3.url.clone());
    let app = spawn_app_with(move |s| {
        s.aws_static = Some(aws_fakes::credentials());
        s.storage = Some(format!("s3://{}/images", aws_fakes::BUCKET));
        s.s3_endpoint_url = Some(s3_url);
        s.bedrock_control_endpoint_url = Some(bedrock_url.clone());
        s.bedrock_endpoint_url = Some(bedrock_url);
        s.bedrock_retry_base_ms = Some(5);
        customise(s);
    })
    .await;
    Aws { app, bedrock, s3 }
}

async fn generate(app: &TestApp, token: &str, input: Value) -> crate::helpers::GqlResponse {
    app.gql(GENERATE, json!({ "input": input }), Some(token))
        .await
}

/// Waits (at most 30 s) for the job to end, following the event bus rather than polling,
/// and returns its final state as the API shows it. Every (status, stage) the job went
/// through is added to `stages`.
async fn finished(
    app: &TestApp,
    token: &str,
    id: &str,
    events: &mut tokio::sync::broadcast::Receiver<api::jobs::events::GenerationEvent>,
    stages: &mut Vec<(generation::Status, String)>,
) -> Value {
    let (_, uuid) =
        api::graphql::relay::decode_global_id(&async_graphql::ID(id.to_owned()), "id").unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let event = match tokio::time::timeout(left, events.recv()).await {
            Ok(Ok(event)) => event,
            Ok(Err(error)) => panic!("event bus: {error}"),
            Err(_) => panic!("job did not finish in time; went through {stages:?}"),
        };
        if event.id != uuid {
            continue;
        }
        stages.push((event.status, event.stage.clone().unwrap_or_default()));
        if event.status.is_terminal() {
            let job = app.gql(GENERATION, json!({ "id": id }), Some(token)).await;
            return job.data()["generation"].clone();
        }
    }
}

/// Queues a job and waits for it to end; returns its final state and the (status, stage)
/// pairs it went through.
async fn run_job(
    app: &TestApp,
    token: &str,
    input: Value,
) -> (Value, Vec<(generation::Status, String)>) {
    let viewer = app.gql("{ viewer { id } }", json!({}), Some(token)).await;
    let owner = user_key(viewer.data()["viewer"]["id"].as_str().unwrap());
    let mut events = app.state.events.subscribe(owner);
    let response = generate(app, token, input).await;
    let id = response.data()["generateImages"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut stages = Vec::new();
    let job = finished(app, token, &id, &mut events, &mut stages).await;
    (job, stages)
}

/// The engine calls this month of the viewer's one model, from `viewer.usage`.
async fn engine_calls(app: &TestApp, token: &str) -> Value {
    let usage = app
        .gql(
            "{ viewer { usage { models { engineCalls } } } }",
            json!({}),
            Some(token),
        )
        .await;
    usage.data()["viewer"]["usage"]["models"][0]["engineCalls"].clone()
}

async fn submit_and_wait(app: &TestApp, token: &str, input: Value) -> Value {
    run_job(app, token, input).await.0
}

/// Downloads an image URL as a browser would and checks it is the PNG described.
async fn download_png(image: &Value) -> image::RgbImage {
    let url = image["url"].as_str().unwrap();
    assert!(
        url.contains("X-Amz-Signature=") && url.contains("X-Amz-Expires="),
        "not a presigned URL: {url}"
    );
    let response = reqwest::get(url).await.unwrap();
    assert_eq!(response.status(), 200, "{url}");
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(
        headers["cache-control"],
        api::storage::s3::CACHE_CONTROL,
        "objects carry cache headers"
    );
    let bytes = response.bytes().await.unwrap();
    assert_eq!(bytes.len() as i64, image["byteSize"].as_i64().unwrap());
    image::load_from_memory_with_format(&bytes, image::ImageFormat::Png)
        .unwrap()
        .to_rgb8()
}

#[tokio::test]
async fn a_titan_v2_job_of_two_images_ends_in_the_bucket_and_its_presigned_url_downloads_the_png() {
    let aws = aws_app(|_| {}).await;
    let token = aws.app.sign_up("titan@example.com").await;
    let job = submit_and_wait(
        &aws.app,
        &token,
        json!({ "prompt": "a lighthouse at dawn", "negativePrompt": "fog", "model": TITAN_V2,
                "width": 1152, "height": 768, "count": 2, "seed": 42, "quality": "premium" }),
    )
    .await;
    assert_eq!(job["status"], "SUCCEEDED", "{job}");
    assert!(job["error"].is_null(), "{job}");

    let calls = aws.bedrock.calls();
    assert_eq!(calls.len(), 1, "one call makes both images");
    assert_eq!(calls[0].model, TITAN_V2);
    // Signed with SigV4 by the key given to the server, for Bedrock in its region.
    assert!(
        calls[0].authorization.starts_with(&format!(
            "AWS4-HMAC-SHA256 Credential={}/",
            aws_fakes::ACCESS_KEY
        )) && calls[0]
            .authorization
            .contains("/us-west-2/bedrock/aws4_request"),
        "{}",
        calls[0].authorization
    );
    assert_eq!(
        calls[0].body,
        json!({
            "taskType": "TEXT_IMAGE",
            "textToImageParams": { "text": "a lighthouse at dawn", "negativeText": "fog" },
            "imageGenerationConfig": { "numberOfImages": 2, "width": 1152, "height": 768,
                                       "cfgScale": 8.0, "seed": 42, "quality": "premium" }
        })
    );

    let images = job["images"].as_array().unwrap();
    assert_eq!(images.len(), 2);
    for image in images {
        assert_eq!(
            (image["width"].as_i64(), image["height"].as_i64()),
            (Some(1152), Some(768))
        );
        assert_eq!(image["seed"], 42);
        let pixels = download_png(image).await;
        assert_eq!(pixels.dimensions(), (1152, 768));
        // The object is in the bucket under the configured prefix.
        let url = image["url"].as_str().unwrap();
        assert!(
            url.starts_with(&format!("{}/{}/images/", aws.s3.url, aws_fakes::BUCKET)),
            "{url}"
        );
        let key = url
            .split_once(&format!("/{}/", aws_fakes::BUCKET))
            .unwrap()
            .1
            .split('?')
            .next()
            .unwrap();
        assert!(aws.s3.object(key).is_some(), "{key} is not in the bucket");
        let thumbnail = reqwest::get(image["thumbnailUrl"].as_str().unwrap())
            .await
            .unwrap();
        assert_eq!(thumbnail.status(), 200);
    }
    // Deleting an image removes its objects from the bucket.
    let first_url = images[0]["url"].as_str().unwrap().to_owned();
    let first_key = first_url
        .split_once(&format!("/{}/", aws_fakes::BUCKET))
        .unwrap()
        .1
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let deleted = aws
        .app
        .gql(
            "mutation($id: ID!) { deleteImage(id: $id) }",
            json!({ "id": images[0]["id"] }),
            Some(&token),
        )
        .await;
    deleted.data();
    assert!(
        aws.s3.object(&first_key).is_none(),
        "{first_key} is still in the bucket"
    );
    assert!(
        aws.s3
            .object(&first_key.replace(".png", ".thumb.png"))
            .is_none()
    );
    assert_eq!(reqwest::get(&first_url).await.unwrap().status(), 404);

    // With S3, the server's own file route serves nothing.
    let local = aws
        .app
        .client
        .get(format!(
            "{}/api/files/x/y.png?expires=1&sig=00",
            aws.app.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(local.status(), 404);

    // Usage records the images and the one call.
    let usage = aws
        .app
        .gql(
            "{ viewer { usage { images pendingImages quota models { model images generations engineCalls } } } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(
        usage.data()["viewer"]["usage"],
        json!({ "images": 2, "pendingImages": 0, "quota": null,
                "models": [{ "model": TITAN_V2, "images": 2, "generations": 1, "engineCalls": 1 }] })
    );
}

#[tokio::test]
async fn nova_canvas_sends_its_style_and_its_image_downloads_from_the_bucket() {
    let aws = aws_app(|_| {}).await;
    let token = aws.app.sign_up("nova@example.com").await;
    let job = submit_and_wait(
        &aws.app,
        &token,
        json!({ "prompt": "a fox in the snow", "model": NOVA, "width": 1280, "height": 720,
                "seed": 858993459, "stylePreset": "PHOTOREALISM", "cfgScale": 6.5 }),
    )
    .await;
    assert_eq!(job["status"], "SUCCEEDED", "{job}");
    let calls = aws.bedrock.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].model, NOVA);
    assert_eq!(
        calls[0].body,
        json!({
            "taskType": "TEXT_IMAGE",
            "textToImageParams": { "text": "a fox in the snow", "style": "PHOTOREALISM" },
            "imageGenerationConfig": { "numberOfImages": 1, "width": 1280, "height": 720,
                                       "cfgScale": 6.5, "seed": 858993459 }
        })
    );
    let image = &job["images"][0];
    assert_eq!(download_png(image).await.dimensions(), (1280, 720));
}

#[tokio::test]
async fn a_stability_model_makes_one_call_per_image_at_the_nearest_aspect_ratio() {
    let aws = aws_app(|_| {}).await;
    let token = aws.app.sign_up("core@example.com").await;
    let job = submit_and_wait(
        &aws.app,
        &token,
        json!({ "prompt": "a koi pond in autumn", "negativePrompt": "people", "model": CORE,
                "width": 1920, "height": 1080, "count": 2, "seed": 1000, "stylePreset": "origami" }),
    )
    .await;
    assert_eq!(job["status"], "SUCCEEDED", "{job}");
    // The job says which ratio the size was mapped to.
    assert_eq!(job["params"]["aspectRatio"], "16:9");
    let calls = aws.bedrock.calls();
    assert_eq!(calls.len(), 2, "one image per call");
    let mut seeds: Vec<i64> = calls
        .iter()
        .map(|c| c.body["seed"].as_i64().unwrap())
        .collect();
    seeds.sort_unstable();
    assert_eq!(seeds, vec![1000, 1001]);
    assert_eq!(
        calls[0].body,
        json!({ "prompt": "a koi pond in autumn", "negative_prompt": "people",
                "aspect_ratio": "16:9", "seed": calls[0].body["seed"], "output_format": "png",
                "style_preset": "origami" })
    );
    let images = job["images"].as_array().unwrap();
    assert_eq!(images.len(), 2);
    for image in images {
        assert_eq!(download_png(image).await.dimensions(), (1344, 768));
    }
}

#[tokio::test]
async fn a_content_filter_refusal_fails_the_job_without_a_retry() {
    let aws = aws_app(|_| {}).await;
    let token = aws.app.sign_up("filter@example.com").await;
    aws.bedrock.script([Scripted::Error(
        400,
        "ValidationException",
        "This request has been blocked by our content filters. Please adjust your text prompt to submit a new request.".into(),
    )]);
    let job = submit_and_wait(
        &aws.app,
        &token,
        json!({ "prompt": "something the filter refuses", "model": NOVA, "count": 2 }),
    )
    .await;
    assert_eq!(job["status"], "FAILED", "{job}");
    assert_eq!(job["error"]["code"], "CONTENT_FILTERED");
    let message = job["error"]["message"].as_str().unwrap();
    assert!(message.contains("Rephrase the prompt"), "{message}");
    assert_eq!(aws.bedrock.calls().len(), 1, "a refusal is never retried");
}

#[tokio::test]
async fn a_stability_prompt_filter_stops_the_remaining_calls() {
    let aws = aws_app(|_| {}).await;
    let token = aws.app.sign_up("filter2@example.com").await;
    aws.bedrock.script([Scripted::Json(
        json!({ "seeds": [7], "finish_reasons": ["Filter reason: prompt"] }),
    )]);
    let job = submit_and_wait(
        &aws.app,
        &token,
        json!({ "prompt": "something the filter refuses", "model": CORE, "count": 3 }),
    )
    .await;
    assert_eq!(job["status"], "FAILED", "{job}");
    assert_eq!(job["error"]["code"], "CONTENT_FILTERED");
    assert!(
        job["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Filter reason: prompt")
    );
    assert_eq!(
        aws.bedrock.calls().len(),
        1,
        "the same prompt would be refused again"
    );
}

#[tokio::test]
async fn a_partly_filtered_response_keeps_the_other_images_and_says_how_many_were_blocked() {
    let aws = aws_app(|_| {}).await;
    let token = aws.app.sign_up("partial@example.com").await;
    aws.bedrock.script([Scripted::Json(json!({
        "images": [aws_fakes::png_b64(1024, 1024, [1, 2, 3])],
        "error": "Some of the generated images were blocked by our content filters."
    }))]);
    let job = submit_and_wait(
        &aws.app,
        &token,
        json!({ "prompt": "a crowded beach", "model": TITAN_V2, "count": 3 }),
    )
    .await;
    assert_eq!(job["status"], "SUCCEEDED", "{job}");
    assert_eq!(job["images"].as_array().unwrap().len(), 1);
    assert_eq!(job["error"]["code"], "CONTENT_FILTERED");
    assert!(
        job["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("2 image"),
        "{job}"
    );
    download_png(&job["images"][0]).await;
}

#[tokio::test]
async fn throttling_four_times_in_a_row_is_retried_while_running_and_then_succeeds() {
    // SDK retries are off (RenderMart owns the policy), so every throttle reaches the fake.
    let aws = aws_app(|s| s.bedrock_retry_base_ms = Some(60)).await;
    let token = aws.app.sign_up("throttle@example.com").await;
    aws.bedrock.script((0..4).map(|_| {
        Scripted::Error(
            429,
            "ThrottlingException",
            "Too many requests, please wait before trying again.".into(),
        )
    }));
    let (job, stages) = run_job(
        &aws.app,
        &token,
        json!({ "prompt": "a busy harbour", "model": TITAN_V2, "count": 1 }),
    )
    .await;
    // While it backs off, the job stays RUNNING at the "retrying" stage.
    let retrying = stages
        .iter()
        .filter(|(status, stage)| *status == generation::Status::Running && stage == "retrying")
        .count();
    assert_eq!(retrying, 4, "{stages:?}");
    assert!(
        stages.iter().any(|(_, stage)| stage == "generating"),
        "{stages:?}"
    );
    assert_eq!(job["status"], "SUCCEEDED", "{job}");
    assert_eq!(job["images"].as_array().unwrap().len(), 1);
    assert_eq!(
        aws.bedrock.calls().len(),
        5,
        "four throttled calls and one that worked"
    );
    assert_eq!(engine_calls(&aws.app, &token).await, 5);
}

#[tokio::test]
async fn throttling_beyond_the_attempt_limit_fails_the_job_as_throttled() {
    let aws = aws_app(|s| s.bedrock_max_attempts = Some(3)).await;
    let token = aws.app.sign_up("throttle2@example.com").await;
    aws.bedrock.script(
        (0..3).map(|_| Scripted::Error(429, "ThrottlingException", "Too many requests".into())),
    );
    let job = submit_and_wait(
        &aws.app,
        &token,
        json!({ "prompt": "a harbour", "model": NOVA }),
    )
    .await;
    assert_eq!(job["status"], "FAILED", "{job}");
    assert_eq!(job["error"]["code"], "THROTTLED");
    assert_eq!(aws.bedrock.calls().len(), 3);
    // A failed job's calls are counted too: each may be billed.
    assert_eq!(engine_calls(&aws.app, &token).await, 3);
}

#[tokio::test]
async fn service_errors_are_retried_and_access_denied_asks_for_model_access() {
    let aws = aws_app(|_| {}).await;
    let token = aws.app.sign_up("denied@example.com").await;
    aws.bedrock.script([
        Scripted::Error(
            503,
            "ServiceUnavailableException",
            "Service unavailable".into(),
        ),
        Scripted::Error(408, "ModelTimeoutException", "Model timed out".into()),
        Scripted::Error(500, "InternalServerException", "Internal error".into()),
    ]);
    let job = submit_and_wait(
        &aws.app,
        &token,
        json!({ "prompt": "a harbour", "model": CORE }),
    )
    .await;
    assert_eq!(job["status"], "SUCCEEDED", "{job}");
    assert_eq!(aws.bedrock.calls().len(), 4);

    aws.bedrock.script([Scripted::Error(
        403,
        "AccessDeniedException",
        "You don't have access to the model with the specified model ID.".into(),
    )]);
    let job = submit_and_wait(
        &aws.app,
        &token,
        json!({ "prompt": "a harbour", "model": TITAN_V2 }),
    )
    .await;
    assert_eq!(job["status"], "FAILED", "{job}");
    assert_eq!(job["error"]["code"], "MODEL_UNAVAILABLE");
    let message = job["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("enable model access") && message.contains("Bedrock console"),
        "{message}"
    );
    assert_eq!(aws.bedrock.calls().len(), 5, "access denied is not retried");

    aws.bedrock.script([Scripted::Error(
        404,
        "ResourceNotFoundException",
        "Model not found".into(),
    )]);
    let job = submit_and_wait(
        &aws.app,
        &token,
        json!({ "prompt": "a harbour", "model": NOVA }),
    )
    .await;
    assert_eq!(job["error"]["code"], "MODEL_UNAVAILABLE");
    assert!(
        job["error"]["message"]
            .as_str()
            .unwrap()
            .contains("us-west-2")
    );
}

#[tokio::test]
async fn a_size_the_model_cannot_make_is_refused_before_any_call() {
    let aws = aws_app(|_| {}).await;
    let token = aws.app.sign_up("size@example.com").await;
    let titan = generate(
        &aws.app,
        &token,
        json!({ "prompt": "a cat", "model": TITAN_V2, "width": 1000, "height": 1000 }),
    )
    .await;
    assert_eq!(titan.error_code(), "BAD_USER_INPUT");
    assert_eq!(titan.error_field(), "width");
    assert!(
        titan.error_message().contains("1173×640"),
        "{}",
        titan.error_message()
    );
    let nova = generate(
        &aws.app,
        &token,
        json!({ "prompt": "a cat", "model": NOVA, "width": 2048, "height": 2048 }),
    )
    .await;
    assert_eq!(nova.error_code(), "BAD_USER_INPUT");
    let seed = generate(
        &aws.app,
        &token,
        json!({ "prompt": "a cat", "model": NOVA, "seed": 858993460 }),
    )
    .await;
    assert_eq!(seed.error_field(), "seed");
    let long = generate(
        &aws.app,
        &token,
        json!({ "prompt": "x".repeat(513), "model": TITAN_V2 }),
    )
    .await;
    assert_eq!(long.error_field(), "prompt");
    // Nothing was queued, so nothing was called.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(aws.bedrock.calls().is_empty());
    let jobs = aws
        .app
        .gql(
            "{ generations(first: 5) { edges { node { id } } } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(jobs.data()["generations"]["edges"], json!([]));
}

#[tokio::test]
async fn the_monthly_quota_refuses_more_ai_images_before_anything_is_queued() {
    let aws = aws_app(|s| s.monthly_image_quota = Some(3)).await;
    let token = aws.app.sign_up("quota@example.com").await;
    let job = submit_and_wait(
        &aws.app,
        &token,
        json!({ "prompt": "a cat", "model": TITAN_V2, "count": 2 }),
    )
    .await;
    assert_eq!(job["status"], "SUCCEEDED", "{job}");

    let refused = generate(
        &aws.app,
        &token,
        json!({ "prompt": "a dog", "model": NOVA, "count": 2 }),
    )
    .await;
    assert_eq!(refused.error_code(), "QUOTA_EXCEEDED");
    assert!(
        refused.error_message().contains("1 remain"),
        "{}",
        refused.error_message()
    );
    assert_eq!(
        aws.bedrock.calls().len(),
        1,
        "the refused job was never sent"
    );

    // The offline model is free and not counted.
    let offline = generate(
        &aws.app,
        &token,
        json!({ "prompt": "a dog", "model": "offline", "count": 2 }),
    )
    .await;
    assert_eq!(offline.data()["generateImages"]["status"], "QUEUED");
    let usage = aws
        .app
        .gql(
            "{ viewer { usage { quota quotaRemaining } } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(
        usage.data()["viewer"]["usage"],
        json!({ "quota": 3, "quotaRemaining": 1 })
    );

    // A user's own quota wins over the server's.
    let user = entity::user::Entity::find()
        .one(&aws.app.state.db)
        .await
        .unwrap()
        .unwrap();
    let mut user: entity::user::ActiveModel = user.into();
    user.monthly_image_quota = Set(Some(10));
    user.update(&aws.app.state.db).await.unwrap();
    let allowed = generate(
        &aws.app,
        &token,
        json!({ "prompt": "a dog", "model": NOVA, "count": 2 }),
    )
    .await;
    assert_eq!(allowed.data()["generateImages"]["model"], NOVA);
}

const MODELS: &str = r#"{ models { id provider offline capabilities {
    fixedSizes maxImages maxPromptLength maxSeed stylePresets qualities aspectRatios
    cfgScale { min max default } } } }"#;

#[tokio::test]
async fn models_lists_the_bedrock_models_only_with_aws_credentials() {
    let plain = spawn_app().await;
    let models = plain.gql(MODELS, json!({}), None).await;
    let ids: Vec<&str> = models.data()["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["offline"]);

    let aws = aws_app(|_| {}).await;
    let models = aws.app.gql(MODELS, json!({}), None).await;
    let list = models.data()["models"].as_array().unwrap().clone();
    let ids: Vec<&str> = list.iter().map(|m| m["id"].as_str().unwrap()).collect();
    let every: Vec<&str> = api::config::BEDROCK_MODELS
        .into_iter()
        .chain(["offline"])
        .collect();
    assert_eq!(ids, every);
    let caps = |id: &str| list.iter().find(|m| m["id"] == id).unwrap()["capabilities"].clone();
    let titan = caps(TITAN_V2);
    assert_eq!(titan["fixedSizes"], true);
    assert_eq!(titan["maxImages"], 5);
    assert_eq!(titan["maxPromptLength"], 512);
    assert_eq!(titan["maxSeed"], 2147483646);
    assert_eq!(
        titan["cfgScale"],
        json!({ "min": 1.1, "max": 10.0, "default": 8.0 })
    );
    assert_eq!(titan["qualities"], json!(["standard", "premium"]));
    let nova = caps(NOVA);
    assert_eq!(nova["maxSeed"], 858993459);
    assert_eq!(nova["stylePresets"].as_array().unwrap().len(), 8);
    let core = caps(CORE);
    assert_eq!(core["aspectRatios"].as_array().unwrap().len(), 9);
    assert_eq!(core["stylePresets"].as_array().unwrap().len(), 17);
    assert_eq!(core["maxPromptLength"], 10000);
    assert!(
        caps("stability.sd3-5-large-v1:0")["stylePresets"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // A chosen subset, in the chosen order.
    let some = aws_app(|s| s.bedrock_models = Some(format!("{NOVA},{CORE}"))).await;
    let models = some.app.gql("{ models { id } }", json!({}), None).await;
    assert_eq!(
        models.data()["models"],
        json!([{ "id": NOVA }, { "id": CORE }, { "id": "offline" }])
    );
}

#[tokio::test]
async fn s3_storage_refuses_to_overwrite_deletes_and_rejects_tampered_urls() {
    let s3 = FakeS3::start().await;
    let sdk = aws_fakes::sdk_config().await;
    let store = S3Storage::new(
        &sdk,
        aws_fakes::BUCKET.into(),
        "/p/".into(),
        &S3Endpoints {
            endpoint_url: Some(s3.url.clone()),
            public_endpoint_url: None,
        },
        Duration::from_secs(30),
    );
    store
        .put("u/a.png", vec![1, 2, 3], "image/png")
        .await
        .unwrap();
    assert_eq!(s3.object("p/u/a.png"), Some(vec![1, 2, 3]));
    let again = store
        .put("u/a.png", vec![9], "image/png")
        .await
        .unwrap_err();
    assert!(
        again.to_string().contains("refusing to overwrite"),
        "{again}"
    );
    assert_eq!(s3.object("p/u/a.png"), Some(vec![1, 2, 3]));

    let url = store
        .presigned_url("u/a.png", Duration::from_secs(60))
        .await
        .unwrap();
    // Listed twice, the same image gets the same URL, so browsers can cache it.
    assert_eq!(
        url,
        store
            .presigned_url("u/a.png", Duration::from_secs(60))
            .await
            .unwrap()
    );
    let ok = reqwest::get(&url).await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.bytes().await.unwrap().as_ref(), &[1, 2, 3]);
    let tampered = url.replace("u/a.png", "u/b.png");
    assert_eq!(reqwest::get(&tampered).await.unwrap().status(), 403);

    store.delete("u/a.png").await.unwrap();
    assert_eq!(s3.object("p/u/a.png"), None);
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 404);

    // Presigned URLs carry the public endpoint when one is configured.
    let public = S3Storage::new(
        &sdk,
        aws_fakes::BUCKET.into(),
        String::new(),
        &S3Endpoints {
            endpoint_url: Some(s3.url.clone()),
            public_endpoint_url: Some("https://images.example.com".into()),
        },
        Duration::from_secs(30),
    );
    let url = public
        .presigned_url("u/a.png", Duration::from_secs(60))
        .await
        .unwrap();
    assert!(
        url.starts_with("https://images.example.com/rendermart-test/u/a.png?"),
        "{url}"
    );
}

#[tokio::test]
async fn s3_storage_without_aws_settings_refuses_to_start_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let url = crate::helpers::fresh_database_url(dir.path()).await;
    let mut settings = crate::helpers::test_settings(dir.path().to_path_buf(), url);
    settings.storage = Some("s3://bucket/images".into());
    let config = api::config::Config::resolve(settings).unwrap();
    let error = match api::startup::Application::build(config).await {
        Ok(_) => panic!("started without AWS settings"),
        Err(e) => e.to_string(),
    };
    assert!(
        error.contains("AWS_REGION") && error.contains("file://DIR"),
        "{error}"
    );
}
