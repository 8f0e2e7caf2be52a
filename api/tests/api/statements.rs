//! How many SQL statements a request sends, counted by the server's own
//! `rendermart_db_statement_duration_seconds` metric: relations are loaded once per page, not
//! once per row or in several batches.

use chrono::{Duration, Utc};
use entity::generation::Status;
use entity::{generation, prompt};
use sea_orm::{ActiveModelTrait, IntoActiveModel};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{TestApp, spawn_app_with};

/// Statements the server has sent so far.
async fn statements(app: &TestApp) -> u64 {
    let text = app.get("/api/metrics").await.text().await.unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix("rendermart_db_statement_duration_seconds_count "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no statement count in the metrics:\n{text}"))
}

/// `users` users, each with `per_user` queued jobs.
async fn queued_jobs(app: &TestApp, users: usize, per_user: usize) -> Vec<String> {
    let mut tokens = Vec::new();
    let start = Utc::now() - Duration::hours(1);
    for u in 0..users {
        let token = app.sign_up(&format!("seed{u}@example.com")).await;
        let viewer = app.gql("{ viewer { id } }", json!({}), Some(&token)).await;
        let owner = crate::helpers::user_key(viewer.data()["viewer"]["id"].as_str().unwrap());
        for n in 0..per_user {
            let at = start + Duration::seconds((u * per_user + n) as i64);
            let prompt = prompt::Model {
                id: Uuid::now_v7(),
                owner_id: owner,
                text: format!("scene {u}-{n}"),
                negative_text: None,
                created_at: at,
            };
            prompt
                .clone()
                .into_active_model()
                .insert(&app.state.db)
                .await
                .unwrap();
            let job = generation::Model {
                id: Uuid::now_v7(),
                owner_id: owner,
                prompt_id: prompt.id,
                model: "offline".into(),
                params: json!({ "width": 256, "height": 256, "count": 1, "seed": n }),
                status: Status::Queued,
                progress: 0.0,
                stage: None,
                preview: None,
                attempts: 0,
                lease_owner: None,
                lease_expires_at: None,
                error_code: None,
                error_message: None,
                idempotency_key: None,
                engine_calls: 0,
                batch_id: None,
                task: generation::Task::TextToImage,
                source_image_id: None,
                mask_image_id: None,
                created_at: at,
                started_at: None,
                finished_at: None,
            };
            job.clone()
                .into_active_model()
                .insert(&app.state.db)
                .await
                .unwrap();
        }
        tokens.push(token);
    }
    tokens
}

#[tokio::test]
async fn a_page_of_100_public_images_with_prompts_and_owners_is_three_statements() {
    let app = spawn_app_with(|s| s.workers = Some(0)).await;
    // The benchmark's own dataset, smaller: 5 owners, 100 prompts, 200 images (100 public).
    let sizes = api::bench_data::Sizes {
        users: 5,
        prompts: 100,
    };
    api::bench_data::load(&app.state.db, sizes).await.unwrap();
    for query in [
        "{ publicImages(first: 100) { edges { node { url prompt { text } owner { displayName } } } } }",
        "{ publicImages(first: 100) { nodes { id ...Who } } } fragment Who on Image { owner { displayName } prompt { text } }",
    ] {
        let before = statements(&app).await;
        let page = app.gql(query, json!({}), None).await;
        let sent = statements(&app).await - before;
        let body = page.data();
        let items = body["publicImages"]["edges"]
            .as_array()
            .or(body["publicImages"]["nodes"].as_array())
            .unwrap();
        assert_eq!(items.len(), 100);
        assert!(sent <= 3, "{sent} statements for: {query}");
    }
}

#[tokio::test]
async fn queue_positions_of_a_page_are_one_statement_not_one_count_per_job() {
    let app = spawn_app_with(|s| s.workers = Some(0)).await;
    let tokens = queued_jobs(&app, 2, 30).await;
    let before = statements(&app).await;
    let page = app
        .gql(
            "{ generations(first: 50) { nodes { id queuePosition } } }",
            json!({}),
            Some(&tokens[1]),
        )
        .await;
    let sent = statements(&app).await - before;
    let positions: Vec<i64> = page.data()["generations"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["queuePosition"].as_i64().unwrap())
        .collect();
    // The second user's 30 jobs come after the first user's 30, newest first.
    assert_eq!(positions, (31..=60).rev().collect::<Vec<i64>>());
    // Authentication, the page, the positions.
    assert!(sent <= 3, "{sent} statements");
}
