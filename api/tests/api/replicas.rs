//! Several processes on one database behave as one service.

use entity::generation;
use sea_orm::{Database, EntityTrait};
use serde_json::{Value, json};

use crate::helpers::{ServerProcess, fresh_database_url, generation_key};
use crate::ws_client::{TRANSPORT, WsClient};

const SECRET: &str = "a shared secret of more than thirty-two characters";

fn env<'a>(workers: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut env = vec![
        ("RENDERMART_JWT_SECRET", SECRET),
        ("RENDERMART_WORKERS", workers),
        ("RENDERMART_OFFLINE_STEP_MS", "150"),
        ("RENDERMART_LEASE_SECONDS", "2"),
    ];
    env.extend_from_slice(extra);
    env
}

async fn sign_up(server: &ServerProcess, email: &str) -> String {
    let response = server
        .client()
        .gql(
            "mutation($e: String!) { signUp(input: {email: $e, password: \"correct horse battery\", displayName: \"R\"}) { token } }",
            json!({ "e": email }),
            None,
        )
        .await;
    response["data"]["signUp"]["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn generate(server: &ServerProcess, token: &str, count: i32) -> String {
    let response = server
        .client()
        .gql(
            "mutation($c: Int!) { generateImages(input: {prompt: \"a tower, a tree, a sun and a castle by the sea\", width: 64, height: 64, count: $c}) { id } }",
            json!({ "c": count }),
            Some(token),
        )
        .await;
    response["data"]["generateImages"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn update(message: &Value, field: &str) -> Value {
    message["payload"]["data"][field].clone()
}

/// Reads `generationUpdates` until the job ends; returns the final state.
async fn final_state(ws: &mut WsClient, id: &str) -> Value {
    ws.subscribe(
        "f",
        "subscription($id: ID!) { generationUpdates(id: $id) { status progress images { id } } }",
        json!({ "id": id }),
    )
    .await;
    let last = ws.collect_until_complete("f").await.pop().unwrap();
    assert!(last.get("errors").is_none(), "{last}");
    last["data"]["generationUpdates"].clone()
}

#[tokio::test]
async fn a_killed_processs_job_is_finished_by_another_with_each_image_once() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = fresh_database_url(dir.path()).await;
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // Both processes keep images in one folder, as replicas share one bucket.
    let storage = format!("file://{}", dir.path().join("images").display());
    let mut a = ServerProcess::start(
        &database_url,
        dir_a.path(),
        &env("1", &[("RENDERMART_STORAGE", &storage)]),
    );
    let token = sign_up(&a, "replica@example.com").await;
    let id = generate(&a, &token, 2).await;

    // Wait until A's only worker is drawing the job, then start B and kill A.
    let mut on_a = WsClient::connected(&a.url, TRANSPORT, Some(&token)).await;
    on_a.subscribe(
        "w",
        "subscription($id: ID!) { generationUpdates(id: $id) { status progress } }",
        json!({ "id": id }),
    )
    .await;
    loop {
        let state = update(&on_a.next_json().await, "generationUpdates");
        if state["status"] == "RUNNING" && state["progress"].as_f64().unwrap() > 0.0 {
            break;
        }
    }
    let b = ServerProcess::start(
        &database_url,
        dir_b.path(),
        &env("1", &[("RENDERMART_STORAGE", &storage)]),
    );
    a.kill();

    let mut on_b = WsClient::connected(&b.url, TRANSPORT, Some(&token)).await;
    let done = final_state(&mut on_b, &id).await;
    assert_eq!(done["status"], "SUCCEEDED", "{done}");
    assert_eq!(done["images"].as_array().unwrap().len(), 2);

    let db = Database::connect(&database_url).await.unwrap();
    let row = generation::Entity::find_by_id(generation_key(&id))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.attempts, 2, "the job ran twice: on A, then on B");
    let images = entity::image::Entity::find().all(&db).await.unwrap();
    assert_eq!(images.len(), 2, "each image recorded once");
}

#[tokio::test]
async fn a_subscriber_on_one_process_sees_a_job_that_another_process_runs() {
    if std::env::var("TEST_DATABASE_URL").is_err() {
        eprintln!("needs PostgreSQL (LISTEN/NOTIFY): set TEST_DATABASE_URL");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let database_url = fresh_database_url(dir.path()).await;
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // A has no workers: whatever is queued through A runs on B.
    let a = ServerProcess::start(&database_url, dir_a.path(), &env("0", &[]));
    let _b = ServerProcess::start(&database_url, dir_b.path(), &env("1", &[]));
    let token = sign_up(&a, "watcher@example.com").await;

    let mut on_a = WsClient::connected(&a.url, TRANSPORT, Some(&token)).await;
    on_a.subscribe(
        "mine",
        "subscription { myGenerationUpdates { id status progress images { id } } }",
        json!({}),
    )
    .await;
    let id = generate(&a, &token, 1).await;
    let mut progress_seen = 0;
    loop {
        let state = update(&on_a.next_json().await, "myGenerationUpdates");
        assert_eq!(state["id"], id.as_str());
        if state["status"] == "RUNNING" && state["progress"].as_f64().unwrap() > 0.0 {
            progress_seen += 1;
        }
        if state["status"] == "SUCCEEDED" {
            assert_eq!(state["images"].as_array().unwrap().len(), 1);
            break;
        }
        assert_ne!(state["status"], "FAILED", "{state}");
    }
    assert!(
        progress_seen >= 2,
        "only {progress_seen} progress updates crossed from B to A"
    );
}

#[tokio::test]
async fn sigterm_gives_a_running_job_back_to_the_queue() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = fresh_database_url(dir.path()).await;
    let mut server = ServerProcess::start(
        &database_url,
        dir.path(),
        &env(
            "1",
            &[
                ("RENDERMART_SHUTDOWN_GRACE_SECONDS", "0"),
                ("RENDERMART_OFFLINE_STEP_MS", "500"),
            ],
        ),
    );
    let token = sign_up(&server, "term@example.com").await;
    let id = generate(&server, &token, 2).await;
    let mut ws = WsClient::connected(&server.url, TRANSPORT, Some(&token)).await;
    ws.subscribe(
        "w",
        "subscription($id: ID!) { generationUpdates(id: $id) { status } }",
        json!({ "id": id }),
    )
    .await;
    while update(&ws.next_json().await, "generationUpdates")["status"] != "RUNNING" {}

    assert!(
        server.terminate().success(),
        "a terminated server exits cleanly"
    );
    let db = Database::connect(&database_url).await.unwrap();
    let row = generation::Entity::find_by_id(generation_key(&id))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.status, generation::Status::Queued);
    assert_eq!(
        row.attempts, 0,
        "an attempt cut short by shutdown does not count"
    );
    assert_eq!(row.lease_owner, None);
}
