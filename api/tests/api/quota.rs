//! The monthly quota of paid images: exact under concurrent submits (SQLite and PostgreSQL),
//! applied to retries, and counting failed or cancelled jobs the provider may have billed.

use std::time::Duration;

use api::config::Settings;
use serde_json::{Value, json};

use crate::aws_fakes::{self, FakeBedrock, Scripted};
use crate::helpers::{GENERATE, GqlResponse, TestApp, spawn_app_with};

const TITAN_V2: &str = "amazon.titan-image-generator-v2:0";
const RETRY: &str = "mutation($id: ID!) { retryGeneration(id: $id) { id status } }";
const CANCEL: &str = "mutation($id: ID!) { cancelGeneration(id: $id) { id status } }";
const USAGE: &str =
    "{ viewer { usage { pendingImages billedFailedImages quota quotaRemaining } } }";

/// A server offering the Bedrock models on a local fake, local storage, fast retries.
async fn paid_app(customise: impl FnOnce(&mut Settings)) -> (TestApp, FakeBedrock) {
    let bedrock = FakeBedrock::start().await;
    let url = bedrock.url.clone();
    let app = spawn_app_with(move |s| {
        s.aws_static = Some(aws_fakes::credentials());
        s.bedrock_control_endpoint_url = Some(url.clone());
        s.bedrock_endpoint_url = Some(url);
        s.bedrock_retry_base_ms = Some(5);
        customise(s);
    })
    .await;
    (app, bedrock)
}

async fn generate(app: &TestApp, token: &str, count: u32) -> GqlResponse {
    app.gql(
        GENERATE,
        json!({ "input": { "prompt": "a lighthouse", "model": TITAN_V2, "count": count } }),
        Some(token),
    )
    .await
}

async fn usage(app: &TestApp, token: &str) -> Value {
    app.gql(USAGE, json!({}), Some(token)).await.data()["viewer"]["usage"].clone()
}

#[tokio::test]
async fn concurrent_submits_never_go_over_the_quota() {
    let (app, _bedrock) = paid_app(|s| {
        s.monthly_image_quota = Some(3);
        s.workers = Some(0);
    })
    .await;
    let token = app.sign_up("rush@example.com").await;
    let answers = futures::future::join_all((0..10).map(|_| generate(&app, &token, 1))).await;
    let mut queued = 0;
    let mut refused = 0;
    for answer in &answers {
        match answer.body["errors"][0]["extensions"]["code"].as_str() {
            None => queued += 1,
            Some("QUOTA_EXCEEDED") => refused += 1,
            Some(other) => panic!("unexpected {other}: {}", answer.body),
        }
    }
    assert_eq!((queued, refused), (3, 7));
    assert_eq!(
        usage(&app, &token).await,
        json!({ "pendingImages": 3, "billedFailedImages": 0, "quota": 3, "quotaRemaining": 0 })
    );
}

#[tokio::test]
async fn retries_count_against_the_quota_and_a_started_job_stays_counted_when_cancelled() {
    let (app, _bedrock) = paid_app(|s| {
        s.monthly_image_quota = Some(4);
        s.workers = Some(0);
    })
    .await;
    let token = app.sign_up("again@example.com").await;
    let first = generate(&app, &token, 2).await.data()["generateImages"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Cancelled while queued: nothing was sent to the provider, so the images come back.
    app.gql(CANCEL, json!({ "id": first }), Some(&token))
        .await
        .data();
    assert_eq!(usage(&app, &token).await["quotaRemaining"], 4);

    let retried = app.gql(RETRY, json!({ "id": first }), Some(&token)).await;
    assert_eq!(retried.data()["retryGeneration"]["status"], "QUEUED");
    assert_eq!(usage(&app, &token).await["quotaRemaining"], 2);

    // A worker starts the retry (and may call the provider); cancelled then, it still counts.
    let started = api::jobs::queue::claim(&app.state.db, "test-worker", Duration::from_secs(30), 3)
        .await
        .unwrap()
        .unwrap();
    let started_id = retried.data()["retryGeneration"]["id"].as_str().unwrap();
    assert_eq!(started.id, crate::helpers::generation_key(started_id));
    app.gql(CANCEL, json!({ "id": started_id }), Some(&token))
        .await
        .data();
    assert_eq!(
        usage(&app, &token).await,
        json!({ "pendingImages": 0, "billedFailedImages": 2, "quota": 4, "quotaRemaining": 2 })
    );

    let again = app.gql(RETRY, json!({ "id": first }), Some(&token)).await;
    assert_eq!(again.data()["retryGeneration"]["status"], "QUEUED");
    let refused = app.gql(RETRY, json!({ "id": first }), Some(&token)).await;
    assert_eq!(refused.error_code(), "QUOTA_EXCEEDED", "{}", refused.body);
    assert!(
        refused.error_message().contains("0 remain"),
        "{}",
        refused.error_message()
    );
}

#[tokio::test]
async fn a_failed_job_whose_calls_may_have_been_billed_still_counts() {
    let (app, bedrock) = paid_app(|s| {
        s.monthly_image_quota = Some(3);
        s.bedrock_max_attempts = Some(2);
    })
    .await;
    let token = app.sign_up("billed@example.com").await;
    bedrock.script(
        (0..2).map(|_| Scripted::Error(429, "ThrottlingException", "Too many requests".into())),
    );
    let id = generate(&app, &token, 2).await.data()["generateImages"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let job = app.finished(&token, &id).await;
    assert_eq!(job["status"], "FAILED", "{job}");
    assert_eq!(bedrock.calls().len(), 2);
    assert_eq!(
        usage(&app, &token).await,
        json!({ "pendingImages": 0, "billedFailedImages": 2, "quota": 3, "quotaRemaining": 1 })
    );
    let refused = generate(&app, &token, 2).await;
    assert_eq!(refused.error_code(), "QUOTA_EXCEEDED", "{}", refused.body);
    assert!(
        refused.error_message().contains("1 remain"),
        "{}",
        refused.error_message()
    );
    // Retrying it asks for its two images again, which the quota no longer has.
    let retry = app.gql(RETRY, json!({ "id": id }), Some(&token)).await;
    assert_eq!(retry.error_code(), "QUOTA_EXCEEDED", "{}", retry.body);
    assert_eq!(
        bedrock.calls().len(),
        2,
        "nothing refused reached the provider"
    );
}

#[tokio::test]
async fn concurrent_resends_with_one_idempotency_key_get_the_one_job_even_at_the_quota() {
    let (app, _bedrock) = paid_app(|s| {
        s.monthly_image_quota = Some(1);
        s.workers = Some(0);
    })
    .await;
    let token = app.sign_up("resend@example.com").await;
    let input =
        json!({ "input": { "prompt": "once", "model": TITAN_V2, "idempotencyKey": "req-7" } });
    let answers =
        futures::future::join_all((0..6).map(|_| app.gql(GENERATE, input.clone(), Some(&token))))
            .await;
    let mut ids: Vec<&str> = answers
        .iter()
        .map(|a| a.data()["generateImages"]["id"].as_str().unwrap())
        .collect();
    ids.dedup();
    assert_eq!(ids.len(), 1, "{ids:?}");
}
