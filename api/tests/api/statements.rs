//! How many SQL statements a request sends, counted by the server's own
//! `rendermart_db_statement_duration_seconds` metric: relations are loaded once per page, not
//! once per row or in several batches.

use chrono::{Duration, Utc};
use entity::generation::Status;
use entity::{generation, image, prompt};
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

/// `users` users, each with `per_user` jobs of one image; `status` for every job, and the
/// images public.
async fn seed(app: &TestApp, users: usize, per_user: usize, status: Status) -> Vec<String> {
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
                status,
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
                created_at: at,
                started_at: None,
                finished_at: None,
            };
            job.clone()
                .into_active_model()
                .insert(&app.state.db)
                .await
                .unwrap();
            image::Model {
                id: Uuid::now_v7(),
                generation_id: job.id,
                prompt_id: prompt.id,
                owner_id: owner,
                position: 0,
                storage_key: format!("{owner}/{}.png", job.id),
                thumbnail_key: format!("{owner}/{}-thumb.png", job.id),
                content_type: "image/png".into(),
                byte_size: 1,
                width: 256,
                height: 256,
                seed: n as i64,
                visibility: "PUBLIC".into(),
                favorite: false,
                created_at: at,
            }
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
    seed(&app, 5, 22, Status::Succeeded).await;
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
    let tokens = seed(&app, 2, 30, Status::Queued).await;
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
