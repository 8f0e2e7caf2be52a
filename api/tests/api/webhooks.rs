//! Webhooks and batches against a real local HTTP receiver: Standard Webhooks signatures,
//! retries under one `webhook-id`, 410, private targets, rotation, a SIGKILL between a job's
//! end and its delivery, and batches (all or nothing, one BATCH_COMPLETED).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{ServerProcess, TestApp, fresh_database_url, spawn_app, spawn_app_with};
use crate::ws_client::{TRANSPORT, WsClient};

/// How the receiver answers one request.
#[derive(Clone, Copy)]
enum Answer {
    Status(u16),
    /// Never answers (the connection stays open until the test ends).
    Hang,
}

struct Received {
    headers: HeaderMap,
    body: Bytes,
}

impl Received {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// A webhook receiver on a random loopback port: answers from a script, then 204.
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    async fn start(script: &[Answer]) -> Receiver {
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let answers = Arc::new(Mutex::new(script.iter().copied().collect::<VecDeque<_>>()));
        let recorded = got.clone();
        let app = axum::Router::new().fallback(move |headers: HeaderMap, body: Bytes| {
            let (recorded, answers) = (recorded.clone(), answers.clone());
            async move {
                recorded.lock().unwrap().push(Received { headers, body });
                let answer = answers.lock().unwrap().pop_front();
                match answer.unwrap_or(Answer::Status(204)) {
                    Answer::Status(code) => StatusCode::from_u16(code).unwrap(),
                    Answer::Hang => std::future::pending().await,
                }
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { url, got }
    }

    fn count(&self) -> usize {
        self.got.lock().unwrap().len()
    }

    /// Waits until `n` requests arrived (or fails after 30 s).
    async fn wait_for(&self, n: usize) {
        for _ in 0..300 {
            if self.count() >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the receiver got {} requests, not {n}", self.count());
    }

    fn take(&self, index: usize) -> Received {
        let got = self.got.lock().unwrap();
        Received {
            headers: got[index].headers.clone(),
            body: got[index].body.clone(),
        }
    }
}

const CREATE: &str = "mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { secret webhook { id url events enabled } } }";
const DELIVERIES: &str = "query($id: ID!) { node(id: $id) { ... on Webhook { enabled disabledReason deliveries(first: 10) { nodes { id event status attempts responseStatus lastError deliveredAt } } } } }";

/// Creates a webhook; returns its id and secret.
async fn create_webhook(
    app: &TestApp,
    token: &str,
    url: &str,
    events: &[&str],
) -> (String, String) {
    let created = app
        .gql(
            CREATE,
            json!({ "input": { "url": url, "events": events } }),
            Some(token),
        )
        .await;
    let payload = &created.data()["createWebhook"];
    (
        payload["webhook"]["id"].as_str().unwrap().to_owned(),
        payload["secret"].as_str().unwrap().to_owned(),
    )
}

async fn webhook_state(app: &TestApp, token: &str, id: &str) -> Value {
    app.gql(DELIVERIES, json!({ "id": id }), Some(token))
        .await
        .data()["node"]
        .clone()
}

/// Waits until the webhook's newest delivery is no longer PENDING; returns the webhook.
async fn settled(app: &TestApp, token: &str, id: &str) -> Value {
    for _ in 0..300 {
        let hook = webhook_state(app, token, id).await;
        if hook["deliveries"]["nodes"][0]["status"] != "PENDING" {
            // The fields of one request are read one after another, not as one snapshot: the
            // webhook may have been read before the attempt was recorded. Read it again.
            return webhook_state(app, token, id).await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the delivery stayed pending");
}

/// Changes a webhook's row directly, as time or another version of the server would have.
async fn edit_webhook_row(
    app: &TestApp,
    hook: &str,
    edit: impl FnOnce(&mut entity::webhook::ActiveModel),
) {
    use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel};
    let key = crate::helpers::key_of(hook, api::graphql::relay::NodeType::Webhook);
    let mut row = entity::webhook::Entity::find_by_id(key)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .into_active_model();
    edit(&mut row);
    row.update(&app.state.db).await.unwrap();
}

fn verify(secret: &str, received: &Received) {
    standardwebhooks::Webhook::new(secret)
        .unwrap()
        .verify(&received.body, &received.headers)
        .unwrap_or_else(|e| panic!("the reference library refused the signature: {e:?}"));
}

#[tokio::test]
async fn a_succeeded_job_is_delivered_once_signed_as_standard_webhooks_says() {
    let app = spawn_app().await;
    let receiver = Receiver::start(&[]).await;
    let token = app.sign_up("hooks@example.com").await;
    let (hook, secret) =
        create_webhook(&app, &token, &receiver.url, &["GENERATION_SUCCEEDED"]).await;
    let job = app
        .generate(
            &token,
            json!({ "prompt": "a red circle", "width": 256, "height": 256 }),
        )
        .await;
    assert_eq!(app.finished(&token, &job).await["status"], "SUCCEEDED");

    receiver.wait_for(1).await;
    let received = receiver.take(0);
    verify(&secret, &received);
    assert!(received.header("webhook-id").starts_with("msg_"));
    assert_eq!(received.header("content-type"), "application/json");
    let body = received.json();
    assert_eq!(body["type"], "generation.succeeded");
    let generation = &body["data"]["generation"];
    assert_eq!(generation["id"], job.as_str());
    assert_eq!(generation["status"], "SUCCEEDED");
    assert_eq!(generation["prompt"], "a red circle");
    let image = &generation["images"][0];
    assert_eq!(
        (image["width"].as_i64(), image["height"].as_i64()),
        (Some(256), Some(256))
    );
    // Absolute, under the URL the server prints, and it serves the picture.
    let url = image["url"].as_str().unwrap();
    assert!(url.starts_with(&format!("{}/api/files/", app.url)), "{url}");
    let png = app.client.get(url).send().await.unwrap();
    assert_eq!(png.status(), 200);
    assert_eq!(&png.bytes().await.unwrap()[1..4], b"PNG");

    let hook = settled(&app, &token, &hook).await;
    let delivery = &hook["deliveries"]["nodes"][0];
    assert_eq!(delivery["status"], "DELIVERED");
    assert_eq!(delivery["event"], "generation.succeeded");
    assert_eq!(delivery["attempts"], 1);
    assert_eq!(delivery["responseStatus"], 204);
    // Only the subscribed event, and only once.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(receiver.count(), 1);
}

#[tokio::test]
async fn a_failing_receiver_gets_the_same_webhook_id_until_it_answers_2xx() {
    let app = spawn_app_with(|s| s.webhook_retry_delays = Some("50ms,50ms,50ms".into())).await;
    let receiver = Receiver::start(&[Answer::Status(500), Answer::Status(500)]).await;
    let token = app.sign_up("retry@example.com").await;
    let (hook, _) = create_webhook(&app, &token, &receiver.url, &["GENERATION_SUCCEEDED"]).await;
    let job = app
        .generate(
            &token,
            json!({ "prompt": "a square", "width": 256, "height": 256 }),
        )
        .await;
    app.finished(&token, &job).await;

    receiver.wait_for(3).await;
    let ids: Vec<String> = (0..3)
        .map(|n| receiver.take(n).header("webhook-id").to_owned())
        .collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    let hook = settled(&app, &token, &hook).await;
    let delivery = &hook["deliveries"]["nodes"][0];
    assert_eq!(delivery["status"], "DELIVERED");
    assert_eq!(delivery["attempts"], 3);
    assert_eq!(delivery["lastError"], Value::Null);
    assert_eq!(hook["enabled"], true);
}

#[tokio::test]
async fn gone_disables_the_endpoint() {
    let app = spawn_app().await;
    let receiver = Receiver::start(&[Answer::Status(410)]).await;
    let token = app.sign_up("gone@example.com").await;
    let (hook, _) = create_webhook(&app, &token, &receiver.url, &["GENERATION_SUCCEEDED"]).await;
    app.gql(
        "mutation($id: ID!) { sendTestWebhook(id: $id) { id status } }",
        json!({ "id": hook }),
        Some(&token),
    )
    .await
    .data();
    let hook = settled(&app, &token, &hook).await;
    assert_eq!(hook["deliveries"]["nodes"][0]["status"], "FAILED");
    assert_eq!(hook["deliveries"]["nodes"][0]["responseStatus"], 410);
    assert_eq!(hook["enabled"], false, "{hook}");
    assert!(
        hook["disabledReason"].as_str().unwrap().contains("410"),
        "{hook}"
    );
}

#[tokio::test]
async fn private_targets_are_refused_when_not_allowed_names_included() {
    let app = spawn_app_with(|s| s.webhook_allow_private = Some(false)).await;
    let token = app.sign_up("ssrf@example.com").await;
    for url in [
        "http://127.0.0.1:9/hooks",
        "http://localhost:9/hooks",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]:9/hooks",
        "http://10.0.0.7/hooks",
    ] {
        let refused = app
            .gql(
                CREATE,
                json!({ "input": { "url": url, "events": ["GENERATION_SUCCEEDED"] } }),
                Some(&token),
            )
            .await;
        assert_eq!(refused.error_code(), "BAD_USER_INPUT", "{url}");
        assert_eq!(refused.error_field(), "url");
        assert!(
            refused.error_message().contains("public addresses only"),
            "{}",
            refused.body
        );
    }
    let viewer = app
        .gql("{ viewer { webhooks { id } } }", json!({}), Some(&token))
        .await;
    assert_eq!(viewer.data()["viewer"]["webhooks"], json!([]));
}

#[tokio::test]
async fn a_rotated_secret_keeps_signing_beside_the_new_one() {
    let app = spawn_app().await;
    let receiver = Receiver::start(&[]).await;
    let token = app.sign_up("rotate@example.com").await;
    let (hook, old_secret) =
        create_webhook(&app, &token, &receiver.url, &["GENERATION_SUCCEEDED"]).await;
    let rotated = app
        .gql(
            "mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret previousSecretExpiresAt } }",
            json!({ "id": hook }),
            Some(&token),
        )
        .await;
    let new_secret = rotated.data()["rotateWebhookSecret"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(new_secret, old_secret);
    app.gql(
        "mutation($id: ID!) { sendTestWebhook(id: $id) { id } }",
        json!({ "id": hook }),
        Some(&token),
    )
    .await
    .data();
    receiver.wait_for(1).await;
    let received = receiver.take(0);
    assert_eq!(received.json()["type"], "webhook.test");
    assert_eq!(received.header("webhook-signature").split(' ').count(), 2);
    verify(&old_secret, &received);
    verify(&new_secret, &received);
}

#[tokio::test]
async fn starts_and_cancellations_are_delivered() {
    let app = spawn_app_with(|s| s.offline_step_ms = Some(300)).await;
    let receiver = Receiver::start(&[]).await;
    let token = app.sign_up("cancel@example.com").await;
    create_webhook(
        &app,
        &token,
        &receiver.url,
        &["GENERATION_STARTED", "GENERATION_CANCELLED"],
    )
    .await;
    let job = app
        .generate(&token, json!({ "prompt": "a slow scene" }))
        .await;
    receiver.wait_for(1).await;
    assert_eq!(receiver.take(0).json()["type"], "generation.started");
    app.gql(
        "mutation($id: ID!) { cancelGeneration(id: $id) { status } }",
        json!({ "id": job }),
        Some(&token),
    )
    .await
    .data();
    receiver.wait_for(2).await;
    let cancelled = receiver.take(1).json();
    assert_eq!(cancelled["type"], "generation.cancelled");
    assert_eq!(cancelled["data"]["generation"]["status"], "CANCELLED");
}

/// The outbox is written with the job's end: a server killed while delivering delivers after
/// a restart, under the same `webhook-id`.
#[tokio::test]
async fn a_server_killed_mid_delivery_delivers_after_restart() {
    let data_dir = tempfile::tempdir().unwrap();
    let database_url = fresh_database_url(data_dir.path()).await;
    let env = [
        ("RENDERMART_OFFLINE_STEP_MS", "0"),
        ("RENDERMART_WEBHOOK_TIMEOUT_SECONDS", "1"),
    ];
    let receiver = Receiver::start(&[Answer::Hang]).await;
    let mut first = ServerProcess::start(&database_url, data_dir.path(), &env);
    let remote = first.client();
    let token = remote
        .gql(
            "mutation { signUp(input: {email: \"kill@example.com\", password: \"correct horse battery\", displayName: \"K\"}) { token } }",
            json!({}),
            None,
        )
        .await["data"]["signUp"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let created = remote
        .gql(
            CREATE,
            json!({ "input": { "url": receiver.url, "events": ["GENERATION_SUCCEEDED"] } }),
            Some(&token),
        )
        .await;
    let hook = created["data"]["createWebhook"]["webhook"]["id"].clone();
    remote
        .gql(
            "mutation { generateImages(input: {prompt: \"a blue square\", width: 256, height: 256}) { id } }",
            json!({}),
            Some(&token),
        )
        .await;
    // The job ended and its delivery is on the wire: kill the server before it is answered.
    receiver.wait_for(1).await;
    first.child.kill().unwrap();
    first.child.wait().unwrap();

    let second = ServerProcess::start(&database_url, data_dir.path(), &env);
    receiver.wait_for(2).await;
    let (killed, delivered) = (receiver.take(0), receiver.take(1));
    assert_eq!(killed.header("webhook-id"), delivered.header("webhook-id"));
    assert_eq!(delivered.json()["type"], "generation.succeeded");
    let remote = second.client();
    for _ in 0..100 {
        let state = remote
            .gql(DELIVERIES, json!({ "id": hook }), Some(&token))
            .await;
        if state["data"]["node"]["deliveries"]["nodes"][0]["status"] == "DELIVERED" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the delivery was not recorded after the restart");
}

const BATCH: &str = "mutation($input: GenerateBatchInput!) { generateBatch(input: $input) { id status total generations(first: 50) { nodes { id params } } } }";

#[tokio::test]
async fn a_batch_of_ten_runs_ten_jobs_and_completes_once() {
    let app = spawn_app().await;
    let receiver = Receiver::start(&[]).await;
    let token = app.sign_up("batch@example.com").await;
    create_webhook(&app, &token, &receiver.url, &["BATCH_COMPLETED"]).await;
    let seeds: Vec<i64> = (1..=10).collect();
    let queued = app
        .gql(
            BATCH,
            json!({ "input": { "requests": [{ "prompt": "a green field", "width": 256, "height": 256 }], "seeds": seeds } }),
            Some(&token),
        )
        .await;
    let batch = &queued.data()["generateBatch"];
    assert_eq!(batch["total"], 10);
    let jobs = batch["generations"]["nodes"].as_array().unwrap();
    let job_seeds: Vec<i64> = jobs
        .iter()
        .map(|j| j["params"]["seed"].as_i64().unwrap())
        .collect();
    assert_eq!(job_seeds, seeds, "in the order of the request");

    let mut ws = WsClient::connected(&app.url, TRANSPORT, Some(&token)).await;
    ws.subscribe(
        "b",
        "subscription($id: ID!) { batchUpdates(id: $id) { status progress succeeded total } }",
        json!({ "id": batch["id"] }),
    )
    .await;
    let updates = ws.collect_until_complete("b").await;
    let last = &updates.last().unwrap()["data"]["batchUpdates"];
    assert_eq!(last["status"], "COMPLETED");
    assert_eq!(last["succeeded"], 10);
    assert_eq!(last["progress"], 1.0);

    receiver.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(receiver.count(), 1, "one BATCH_COMPLETED");
    let body = receiver.take(0).json();
    assert_eq!(body["type"], "batch.completed");
    assert_eq!(body["data"]["batch"]["id"], batch["id"]);
    assert_eq!(body["data"]["batch"]["succeeded"], 10);
    let batches = app
        .gql(
            "{ batches { nodes { id status } } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(batches.data()["batches"]["nodes"][0]["status"], "COMPLETED");
}

#[tokio::test]
async fn one_invalid_request_refuses_the_whole_batch_and_queues_nothing() {
    let app = spawn_app_with(|s| s.workers = Some(0)).await;
    let token = app.sign_up("all-or-nothing@example.com").await;
    let refused = app
        .gql(
            BATCH,
            json!({ "input": { "requests": [
                { "prompt": "one" }, { "prompt": "two" }, { "prompt": "three", "width": -8 }, { "prompt": "four" }
            ] } }),
            Some(&token),
        )
        .await;
    assert_eq!(refused.error_code(), "BAD_USER_INPUT");
    assert_eq!(refused.error_field(), "requests");
    assert!(
        refused.error_message().starts_with("requests[2].width:"),
        "{}",
        refused.body
    );
    let too_many = app
        .gql(
            BATCH,
            json!({ "input": { "requests": [{ "prompt": "x" }], "seeds": (0..51).collect::<Vec<i64>>() } }),
            Some(&token),
        )
        .await;
    assert_eq!(too_many.error_code(), "BAD_USER_INPUT");
    let left = app
        .gql(
            "{ generations { nodes { id } } batches { nodes { id } } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(left.data()["generations"]["nodes"], json!([]));
    assert_eq!(left.data()["batches"]["nodes"], json!([]));
}

/// GraphQL's image URLs are absolute when RENDERMART_PUBLIC_URL says where the server is.
#[tokio::test]
async fn image_urls_are_absolute_under_the_public_url() {
    let app = spawn_app_with(|s| s.public_url = Some("https://render.example.com/".into())).await;
    let token = app.sign_up("public@example.com").await;
    let job = app
        .generate(
            &token,
            json!({ "prompt": "a dot", "width": 256, "height": 256 }),
        )
        .await;
    let done = app.finished(&token, &job).await;
    let url = done["images"][0]["url"].as_str().unwrap();
    assert!(
        url.starts_with("https://render.example.com/api/files/"),
        "{url}"
    );
}

#[tokio::test]
async fn endpoints_are_changed_deleted_capped_and_private_to_their_owner() {
    let app = spawn_app_with(|s| s.workers = Some(0)).await;
    let token = app.sign_up("manage@example.com").await;
    let other = app.sign_up("other@example.com").await;
    let (hook, _) = create_webhook(
        &app,
        &token,
        "http://127.0.0.1:9/hooks",
        &["GENERATION_SUCCEEDED"],
    )
    .await;
    let updated = app
        .gql(
            "mutation($input: UpdateWebhookInput!) { updateWebhook(input: $input) { events enabled description } }",
            json!({ "input": { "id": hook, "events": ["GENERATION_FAILED", "BATCH_COMPLETED"], "enabled": false, "description": "ops" } }),
            Some(&token),
        )
        .await;
    assert_eq!(
        updated.data()["updateWebhook"],
        json!({ "events": ["GENERATION_FAILED", "BATCH_COMPLETED"], "enabled": false, "description": "ops" })
    );
    let no_events = app
        .gql(
            "mutation($input: UpdateWebhookInput!) { updateWebhook(input: $input) { id } }",
            json!({ "input": { "id": hook, "events": [] } }),
            Some(&token),
        )
        .await;
    assert_eq!(no_events.error_field(), "events");

    // Someone else sees none of it.
    for query in [
        "mutation($id: ID!) { deleteWebhook(id: $id) }",
        "mutation($id: ID!) { sendTestWebhook(id: $id) { id } }",
    ] {
        let refused = app.gql(query, json!({ "id": hook }), Some(&other)).await;
        assert_eq!(refused.error_code(), "NOT_FOUND", "{query}");
    }
    let node = app
        .gql(DELIVERIES, json!({ "id": hook }), Some(&other))
        .await;
    assert_eq!(node.data()["node"], Value::Null);

    for n in 1..10 {
        create_webhook(
            &app,
            &token,
            &format!("http://127.0.0.1:9/{n}"),
            &["GENERATION_SUCCEEDED"],
        )
        .await;
    }
    let eleventh = app
        .gql(
            CREATE,
            json!({ "input": { "url": "http://127.0.0.1:9/11", "events": ["GENERATION_SUCCEEDED"] } }),
            Some(&token),
        )
        .await;
    assert_eq!(eleventh.error_code(), "CONFLICT");
    let deleted = app
        .gql(
            "mutation($id: ID!) { deleteWebhook(id: $id) }",
            json!({ "id": hook }),
            Some(&token),
        )
        .await;
    assert_eq!(deleted.data()["deleteWebhook"], hook.as_str());
    let left = app
        .gql("{ viewer { webhooks { id } } }", json!({}), Some(&token))
        .await;
    assert_eq!(
        left.data()["viewer"]["webhooks"].as_array().unwrap().len(),
        9
    );
}

/// A row written before the rules changed (or a name that resolves elsewhere since): the
/// address is checked again at every delivery, and nothing reaches a private one.
#[tokio::test]
async fn deliveries_check_the_address_again_and_follow_no_redirect() {
    use sea_orm::Set;

    let app = spawn_app_with(|s| {
        s.webhook_allow_private = Some(false);
        s.webhook_retry_delays = Some("1h".into());
    })
    .await;
    let receiver = Receiver::start(&[]).await;
    let token = app.sign_up("rebind@example.com").await;
    let port = receiver
        .url
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap();
    let mut ids = Vec::new();
    for url in [
        format!("http://localhost:{port}/hooks"),
        format!("http://127.0.0.1:{port}/hooks"),
    ] {
        // As if it had passed the check at creation: a public address then.
        let (hook, _) = create_webhook(
            &app,
            &token,
            "http://93.184.216.34/hooks",
            &["GENERATION_SUCCEEDED"],
        )
        .await;
        edit_webhook_row(&app, &hook, |row| row.url = Set(url)).await;
        app.gql(
            "mutation($id: ID!) { sendTestWebhook(id: $id) { id } }",
            json!({ "id": hook }),
            Some(&token),
        )
        .await
        .data();
        ids.push(hook);
    }
    for hook in &ids {
        for _ in 0..100 {
            let state = webhook_state(&app, &token, hook).await;
            let delivery = &state["deliveries"]["nodes"][0];
            if delivery["attempts"] == 1 && delivery["lastError"] != Value::Null {
                let error = delivery["lastError"].as_str().unwrap();
                assert!(error.contains("public addresses only"), "{error}");
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    assert_eq!(receiver.count(), 0, "nothing reached the private address");
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_five_failing_days_disable_the_endpoint() {
    use sea_orm::Set;

    let app = spawn_app_with(|s| s.webhook_retry_delays = Some("1h".into())).await;
    let receiver = Receiver::start(&[Answer::Status(302), Answer::Status(500)]).await;
    let token = app.sign_up("streak@example.com").await;
    let (hook, _) = create_webhook(&app, &token, &receiver.url, &["GENERATION_SUCCEEDED"]).await;
    let send = "mutation($id: ID!) { sendTestWebhook(id: $id) { id } }";
    app.gql(send, json!({ "id": hook }), Some(&token))
        .await
        .data();
    receiver.wait_for(1).await;
    let first = loop {
        let state = webhook_state(&app, &token, &hook).await;
        if state["deliveries"]["nodes"][0]["responseStatus"] == 302 {
            break state;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        first["deliveries"]["nodes"][0]["status"], "PENDING",
        "retried later, not followed"
    );
    assert_eq!(first["enabled"], true);

    // The endpoint has been failing for six days; the next failure ends it.
    edit_webhook_row(&app, &hook, |row| {
        row.failing_since = Set(Some(chrono::Utc::now() - chrono::TimeDelta::days(6)));
    })
    .await;
    app.gql(send, json!({ "id": hook }), Some(&token))
        .await
        .data();
    receiver.wait_for(2).await;
    let state = settled(&app, &token, &hook).await;
    assert_eq!(state["enabled"], false, "{state}");
    assert!(
        state["disabledReason"]
            .as_str()
            .unwrap()
            .starts_with("Every delivery failed"),
        "{state}"
    );
    assert_eq!(receiver.count(), 2, "the redirect's target was never asked");
}
