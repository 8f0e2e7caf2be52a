use std::time::Duration;

use entity::generation;
use sea_orm::{EntityTrait, QueryOrder};
use serde_json::{Value, json};

use crate::helpers::{GENERATION_FIELDS, generation_key, spawn_app, spawn_app_with};
use crate::ws_client::{TRANSPORT, WsClient};

fn no_workers(settings: &mut api::config::Settings) {
    settings.workers = Some(0);
}

#[tokio::test]
async fn an_offline_job_streams_progress_and_ends_with_images_that_remember_their_prompt() {
    // Steps slow enough that the subscription is in place before the job starts.
    let app = spawn_app_with(|s| s.offline_step_ms = Some(20)).await;
    let token = app.sign_up("fox@example.com").await;
    // Subscribe before queuing, so every change of the job is seen.
    let mut ws = WsClient::connected(&app.url, TRANSPORT, Some(&token)).await;
    ws.subscribe(
        "all",
        &format!("subscription {{ myGenerationUpdates {{ {GENERATION_FIELDS} }} }}"),
        json!({}),
    )
    .await;
    let id = app
        .generate(&token, json!({ "prompt": "a red fox under a blue moon", "width": 320, "height": 200, "count": 2, "seed": 1234 }))
        .await;

    let mut updates: Vec<Value> = Vec::new();
    loop {
        let message = ws.next_json().await;
        let update = message["payload"]["data"]["myGenerationUpdates"].clone();
        if update["id"] != id.as_str() {
            continue;
        }
        let status = update["status"].as_str().unwrap().to_owned();
        updates.push(update);
        if status != "QUEUED" && status != "RUNNING" {
            break;
        }
    }
    let progress: Vec<f64> = updates
        .iter()
        .map(|u| u["progress"].as_f64().unwrap())
        .collect();
    let running_with_progress = updates
        .iter()
        .filter(|u| u["status"] == "RUNNING" && u["progress"].as_f64().unwrap() > 0.0)
        .count();
    assert!(
        running_with_progress >= 3,
        "only {running_with_progress} progress updates: {progress:?}"
    );
    assert!(
        progress.windows(2).all(|w| w[0] <= w[1]),
        "progress went backwards: {progress:?}"
    );
    assert!(updates.iter().any(|u| {
        u["preview"]
            .as_str()
            .is_some_and(|p| p.starts_with("data:image/png;base64,"))
    }));

    // The terminal event is sent before the images are loaded by a query: read them back.
    let done = app.finished(&token, &id).await;
    assert_eq!(done["status"], "SUCCEEDED", "{done}");
    assert_eq!(done["progress"], 1.0);
    let images = done["images"].as_array().unwrap();
    assert_eq!(images.len(), 2);
    assert_eq!(
        images
            .iter()
            .map(|i| i["seed"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        vec![1234, 1235]
    );

    let response = app.get(images[0]["url"].as_str().unwrap()).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/png");
    let bytes = response.bytes().await.unwrap();
    let picture = image::load_from_memory(&bytes).unwrap();
    assert_eq!((picture.width(), picture.height()), (320, 200));
    let chunks = api::imaging::read_text_chunks(&bytes).unwrap();
    let chunk = |key: &str| {
        chunks
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(
        chunk("prompt").as_deref(),
        Some("a red fox under a blue moon")
    );
    assert_eq!(chunk("seed").as_deref(), Some("1234"));
    assert_eq!(chunk("model").as_deref(), Some("offline"));

    let thumbnail = app
        .get(images[0]["thumbnailUrl"].as_str().unwrap())
        .await
        .bytes()
        .await
        .unwrap();
    let thumbnail = image::load_from_memory(&thumbnail).unwrap();
    assert_eq!((thumbnail.width(), thumbnail.height()), (256, 160));
}

async fn pixels_of(app: &crate::helpers::TestApp, token: &str, seed: i64) -> Vec<u8> {
    let id = app.generate(token, json!({ "prompt": "castle by the sea at sunset", "width": 128, "height": 96, "seed": seed })).await;
    let done = app.finished(token, &id).await;
    let url = done["images"][0]["url"].as_str().unwrap().to_owned();
    let bytes = app.get(&url).await.bytes().await.unwrap();
    image::load_from_memory(&bytes)
        .unwrap()
        .to_rgb8()
        .into_raw()
}

#[tokio::test]
async fn the_same_seed_gives_the_same_picture_and_another_seed_another() {
    let app = spawn_app().await;
    let token = app.sign_up("seed@example.com").await;
    let first = pixels_of(&app, &token, 77).await;
    let again = pixels_of(&app, &token, 77).await;
    let other = pixels_of(&app, &token, 78).await;
    assert_eq!(first, again);
    assert_ne!(first, other);
}

#[tokio::test]
async fn a_late_subscriber_gets_the_final_state_at_once() {
    let app = spawn_app().await;
    let token = app.sign_up("late@example.com").await;
    let id = app
        .generate(
            &token,
            json!({ "prompt": "a quiet lake", "width": 64, "height": 64 }),
        )
        .await;
    app.finished(&token, &id).await;
    let updates = app.follow(&token, &id).await;
    assert_eq!(updates.len(), 1, "{updates:?}");
    assert_eq!(updates[0]["status"], "SUCCEEDED");
    assert_eq!(updates[0]["images"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn another_user_can_neither_see_nor_change_the_job_or_its_images() {
    let app = spawn_app().await;
    let owner = app.sign_up("owner@example.com").await;
    let other = app.sign_up("other@example.com").await;
    let id = app
        .generate(
            &owner,
            json!({ "prompt": "my private sketch", "width": 64, "height": 64 }),
        )
        .await;
    let done = app.finished(&owner, &id).await;
    let image_id = done["images"][0]["id"].as_str().unwrap().to_owned();
    let url = done["images"][0]["url"].as_str().unwrap().to_owned();

    let vars = json!({ "id": id });
    for query in [
        "query($id: ID!) { generation(id: $id) { id } }",
        "mutation($id: ID!) { cancelGeneration(id: $id) { id } }",
        "mutation($id: ID!) { retryGeneration(id: $id) { id } }",
    ] {
        assert_eq!(
            app.gql(query, vars.clone(), Some(&other))
                .await
                .error_code(),
            "NOT_FOUND",
            "{query}"
        );
    }
    let image_vars = json!({ "id": image_id });
    for query in [
        "mutation($id: ID!) { setImageFavorite(id: $id, favorite: true) { id } }",
        "mutation($id: ID!) { setImageVisibility(id: $id, visibility: PUBLIC) { id } }",
        "mutation($id: ID!) { deleteImage(id: $id) }",
    ] {
        assert_eq!(
            app.gql(query, image_vars.clone(), Some(&other))
                .await
                .error_code(),
            "NOT_FOUND",
            "{query}"
        );
    }
    let node = "query($id: ID!) { node(id: $id) { id } }";
    assert!(app.gql(node, vars.clone(), Some(&other)).await.data()["node"].is_null());
    assert!(app.gql(node, image_vars.clone(), Some(&other)).await.data()["node"].is_null());
    assert!(app.gql(node, image_vars.clone(), None).await.data()["node"].is_null());
    assert_eq!(
        app.gql(
            "{ images { edges { node { id } } } }",
            json!({}),
            Some(&other)
        )
        .await
        .data()["images"]["edges"],
        json!([])
    );

    let mut ws = WsClient::connected(&app.url, TRANSPORT, Some(&other)).await;
    ws.subscribe(
        "s",
        "subscription($id: ID!) { generationUpdates(id: $id) { id status } }",
        vars.clone(),
    )
    .await;
    let payloads = ws.collect_until_complete("s").await;
    assert_eq!(payloads.len(), 1);
    assert_eq!(payloads[0]["errors"][0]["extensions"]["code"], "NOT_FOUND");

    // The file itself: without a signature, with a forged one, or another file's signature.
    let (path, query) = url.split_once('?').unwrap();
    assert_eq!(app.get(path).await.status(), 403);
    assert_eq!(
        app.get(&format!("{path}?{}", query.replace("sig=", "sig=00")))
            .await
            .status(),
        403
    );
    let thumb_path = done["images"][0]["thumbnailUrl"]
        .as_str()
        .unwrap()
        .split_once('?')
        .unwrap()
        .0
        .to_owned();
    assert_eq!(
        app.get(&format!("{thumb_path}?{query}")).await.status(),
        403
    );
    assert_eq!(app.get(&url).await.status(), 200);

    // Published, the image is visible to everyone, but its job stays private.
    app.gql(
        "mutation($id: ID!) { setImageVisibility(id: $id, visibility: PUBLIC) { id } }",
        image_vars.clone(),
        Some(&owner),
    )
    .await
    .data();
    let seen = app.gql("query($id: ID!) { node(id: $id) { ... on Image { id generation { id } prompt { text } } } }", image_vars, Some(&other)).await;
    assert_eq!(seen.data()["node"]["prompt"]["text"], "my private sketch");
    assert!(seen.data()["node"]["generation"].is_null());
}

#[tokio::test]
async fn a_queued_job_can_be_cancelled_and_retried_as_a_new_job() {
    let app = spawn_app_with(no_workers).await;
    let token = app.sign_up("cancel@example.com").await;
    let id = app
        .generate(
            &token,
            json!({ "prompt": "a cancelled idea", "width": 64, "height": 64, "seed": 5 }),
        )
        .await;
    let cancel = "mutation($id: ID!) { cancelGeneration(id: $id) { status finishedAt } }";
    let cancelled = app.gql(cancel, json!({ "id": id }), Some(&token)).await;
    assert_eq!(cancelled.data()["cancelGeneration"]["status"], "CANCELLED");
    assert_eq!(
        app.run_queued_jobs("test").await,
        0,
        "a cancelled job must not run"
    );
    assert_eq!(
        app.gql(cancel, json!({ "id": id }), Some(&token))
            .await
            .error_code(),
        "CONFLICT"
    );

    let retry =
        "mutation($id: ID!) { retryGeneration(id: $id) { id status params prompt { text } } }";
    let retried = app.gql(retry, json!({ "id": id }), Some(&token)).await;
    let new_job = &retried.data()["retryGeneration"];
    assert_ne!(new_job["id"], id.as_str());
    assert_eq!(new_job["status"], "QUEUED");
    assert_eq!(new_job["params"]["seed"], 5);
    assert_eq!(new_job["prompt"]["text"], "a cancelled idea");
    assert_eq!(
        app.gql(retry, json!({ "id": new_job["id"] }), Some(&token))
            .await
            .error_code(),
        "CONFLICT"
    );
    assert_eq!(app.run_queued_jobs("test").await, 1);
}

#[tokio::test]
async fn a_running_job_can_be_cancelled_and_records_no_images() {
    let app = spawn_app_with(|s| {
        s.workers = Some(1);
        s.offline_step_ms = Some(100);
    })
    .await;
    let token = app.sign_up("stop@example.com").await;
    let id = app.generate(&token, json!({ "prompt": "a long painting of many towers and trees", "width": 64, "height": 64 })).await;
    let mut ws = WsClient::connected(&app.url, TRANSPORT, Some(&token)).await;
    ws.subscribe(
        "s",
        "subscription($id: ID!) { generationUpdates(id: $id) { status progress } }",
        json!({ "id": id }),
    )
    .await;
    loop {
        let message = ws.next_json().await;
        if message["payload"]["data"]["generationUpdates"]["status"] == "RUNNING" {
            break;
        }
    }
    let cancelled = app
        .gql(
            "mutation($id: ID!) { cancelGeneration(id: $id) { status } }",
            json!({ "id": id }),
            Some(&token),
        )
        .await;
    assert_eq!(cancelled.data()["cancelGeneration"]["status"], "CANCELLED");
    let rest = ws.collect_until_complete("s").await;
    assert_eq!(
        rest.last().unwrap()["data"]["generationUpdates"]["status"],
        "CANCELLED"
    );

    // The single worker is free again only after it gave the cancelled job up.
    let next = app
        .generate(
            &token,
            json!({ "prompt": "after", "width": 64, "height": 64 }),
        )
        .await;
    assert_eq!(app.finished(&token, &next).await["status"], "SUCCEEDED");
    let job = app
        .gql(
            &format!("query($id: ID!) {{ generation(id: $id) {{ {GENERATION_FIELDS} }} }}"),
            json!({ "id": id }),
            Some(&token),
        )
        .await;
    assert_eq!(job.data()["generation"]["status"], "CANCELLED");
    assert_eq!(job.data()["generation"]["images"], json!([]));
}

#[tokio::test]
async fn the_same_idempotency_key_returns_the_same_job() {
    let app = spawn_app_with(no_workers).await;
    let ada = app.sign_up("ada@example.com").await;
    let bob = app.sign_up("bob@example.com").await;
    let input = json!({ "prompt": "once only", "idempotencyKey": "req-42" });
    let first = app.generate(&ada, input.clone()).await;
    let second = app.generate(&ada, input.clone()).await;
    assert_eq!(first, second);
    let bobs = app.generate(&bob, input).await;
    assert_ne!(first, bobs);
    let list = app
        .gql(
            "{ generations { edges { node { id } } } }",
            json!({}),
            Some(&ada),
        )
        .await;
    assert_eq!(
        list.data()["generations"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn bad_input_is_refused_on_its_field_and_nothing_is_queued() {
    let app = spawn_app_with(no_workers).await;
    let token = app.sign_up("bad@example.com").await;
    let cases = [
        (json!({ "prompt": "x", "width": 1001 }), "width"),
        (json!({ "prompt": "x", "height": 4096 }), "height"),
        (json!({ "prompt": "x", "count": 5 }), "count"),
        (json!({ "prompt": "x", "count": 0 }), "count"),
        (json!({ "prompt": "   " }), "prompt"),
        (json!({ "prompt": "y".repeat(2001) }), "prompt"),
        (json!({ "prompt": "x", "model": "dall-e-3" }), "model"),
        (
            json!({ "prompt": "x", "stylePreset": "anime" }),
            "stylePreset",
        ),
        (json!({ "prompt": "x", "seed": -1 }), "seed"),
        (json!({ "prompt": "x", "cfgScale": 7.0 }), "cfgScale"),
    ];
    for (input, field) in cases {
        let response = app
            .gql(
                crate::helpers::GENERATE,
                json!({ "input": input }),
                Some(&token),
            )
            .await;
        assert_eq!(response.error_code(), "BAD_USER_INPUT", "{input}");
        assert_eq!(response.error_field(), field, "{input}");
    }
    let anonymous = app
        .gql(
            crate::helpers::GENERATE,
            json!({ "input": { "prompt": "x" } }),
            None,
        )
        .await;
    assert_eq!(anonymous.error_code(), "UNAUTHENTICATED");
    assert_eq!(
        generation::Entity::find()
            .all(&app.state.db)
            .await
            .unwrap()
            .len(),
        0
    );
    let prompts = app
        .gql(
            "{ prompts { edges { node { id } } } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(prompts.data()["prompts"]["edges"], json!([]));
}

#[tokio::test]
async fn queued_jobs_know_their_place_in_the_queue() {
    let app = spawn_app_with(no_workers).await;
    let token = app.sign_up("queue@example.com").await;
    let mut positions = Vec::new();
    for n in 0..3 {
        let response = app
            .gql(
                crate::helpers::GENERATE,
                json!({ "input": { "prompt": format!("job {n}") } }),
                Some(&token),
            )
            .await;
        positions.push(
            response.data()["generateImages"]["queuePosition"]
                .as_i64()
                .unwrap(),
        );
    }
    assert_eq!(positions, vec![1, 2, 3]);
}

#[tokio::test]
async fn one_users_long_queue_does_not_starve_another_user() {
    let app = spawn_app_with(no_workers).await;
    let a = app.sign_up("a@example.com").await;
    let b = app.sign_up("b@example.com").await;
    for n in 0..20 {
        app.generate(
            &a,
            json!({ "prompt": format!("a's job {n}"), "width": 64, "height": 64 }),
        )
        .await;
    }
    let bs_job = app
        .generate(
            &b,
            json!({ "prompt": "b's only job", "width": 64, "height": 64 }),
        )
        .await;
    assert_eq!(app.run_queued_jobs("fair").await, 21);

    let order: Vec<generation::Model> = generation::Entity::find()
        .order_by_asc(generation::Column::StartedAt)
        .all(&app.state.db)
        .await
        .unwrap();
    let bs_id = generation_key(&bs_job);
    let place = order.iter().position(|g| g.id == bs_id).unwrap();
    assert!(place <= 1, "B's job started in place {place} of 21");
}

#[tokio::test]
async fn a_job_whose_worker_died_runs_again_and_records_each_image_once() {
    use api::jobs::queue;
    let app = spawn_app_with(no_workers).await;
    let token = app.sign_up("crash@example.com").await;
    let id = app
        .generate(
            &token,
            json!({ "prompt": "survives a crash", "width": 64, "height": 64, "count": 2 }),
        )
        .await;

    // A worker claims the job and dies at once: its lease runs out immediately.
    let claimed = queue::claim(&app.state.db, "dead-worker", Duration::ZERO, 3)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.attempts, 1);
    // Another worker takes it over and makes both images.
    assert_eq!(app.run_queued_jobs("live-worker").await, 1);
    let done = app.finished(&token, &id).await;
    assert_eq!(done["status"], "SUCCEEDED");
    assert_eq!(done["images"].as_array().unwrap().len(), 2);
    let row = generation::Entity::find_by_id(claimed.id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.attempts, 2);

    // The first worker wakes up: nothing it writes counts any more.
    let lease = Duration::from_secs(30);
    assert!(
        !queue::renew(&app.state.db, claimed.id, "dead-worker", lease)
            .await
            .unwrap()
    );
    let outcome = queue::Outcome::Failed {
        code: generation::ErrorCode::Internal,
        message: "late".into(),
        engine_calls: 0,
    };
    assert!(
        !queue::finish(&app.state.db, claimed.id, "dead-worker", outcome)
            .await
            .unwrap()
    );
    let mut late_image = entity::image::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    late_image.id = uuid::Uuid::now_v7();
    assert!(
        !api::service::images::record(&app.state.db, "dead-worker", lease, late_image)
            .await
            .unwrap()
    );
    assert_eq!(
        app.finished(&token, &id).await["images"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn a_job_that_keeps_dying_fails_after_the_last_attempt() {
    use api::jobs::queue;
    let app = spawn_app_with(|s| {
        s.workers = Some(0);
        s.max_attempts = Some(2);
    })
    .await;
    let token = app.sign_up("doomed@example.com").await;
    let id = app
        .generate(
            &token,
            json!({ "prompt": "never finishes", "width": 64, "height": 64 }),
        )
        .await;
    for worker in ["dead-1", "dead-2"] {
        assert!(
            queue::claim(&app.state.db, worker, Duration::ZERO, 2)
                .await
                .unwrap()
                .is_some()
        );
    }
    assert_eq!(app.run_queued_jobs("reaper").await, 0);
    let job = app
        .gql(
            "query($id: ID!) { generation(id: $id) { status attempts error { code message } } }",
            json!({ "id": id }),
            Some(&token),
        )
        .await;
    let job = &job.data()["generation"];
    assert_eq!(job["status"], "FAILED");
    assert_eq!(job["attempts"], 2);
    assert_eq!(job["error"]["code"], "INTERNAL");
}

#[tokio::test]
async fn deleting_an_image_removes_its_files() {
    let app = spawn_app().await;
    let token = app.sign_up("delete@example.com").await;
    let id = app
        .generate(
            &token,
            json!({ "prompt": "temporary", "width": 64, "height": 64 }),
        )
        .await;
    let done = app.finished(&token, &id).await;
    let image = &done["images"][0];
    assert!(image["id"].is_string(), "{done}");
    let stored = walk(app.data_dir.path().join("images"));
    assert_eq!(stored.len(), 2, "the image and its thumbnail: {stored:?}");

    let deleted = app
        .gql(
            "mutation($id: ID!) { deleteImage(id: $id) }",
            json!({ "id": image["id"] }),
            Some(&token),
        )
        .await;
    assert_eq!(deleted.data()["deleteImage"], image["id"]);
    assert!(walk(app.data_dir.path().join("images")).is_empty());
    assert_eq!(app.get(image["url"].as_str().unwrap()).await.status(), 404);
    let gallery = app
        .gql(
            "{ images { edges { node { id } } } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(gallery.data()["images"]["edges"], json!([]));
}

fn walk(dir: std::path::PathBuf) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return files;
    };
    for entry in entries.flatten() {
        if entry.path().is_dir() {
            files.extend(walk(entry.path()));
        } else {
            files.push(entry.path());
        }
    }
    files
}

#[tokio::test]
async fn the_gallery_pages_filters_favourites_and_publishes_to_the_feed() {
    let app = spawn_app().await;
    let token = app.sign_up("gallery@example.com").await;
    let mut image_ids = Vec::new();
    for prompt in ["a FOX in snow", "a whale in the sea"] {
        let id = app
            .generate(
                &token,
                json!({ "prompt": prompt, "width": 64, "height": 64 }),
            )
            .await;
        image_ids.push(
            app.finished(&token, &id).await["images"][0]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }

    let page = "query($after: String) { images(first: 1, after: $after) { edges { node { id prompt { text } } } pageInfo { hasNextPage endCursor } } }";
    let first = app.gql(page, json!({}), Some(&token)).await;
    let first = &first.data()["images"];
    assert_eq!(
        first["edges"][0]["node"]["prompt"]["text"], "a whale in the sea",
        "newest first"
    );
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    let second = app
        .gql(
            page,
            json!({ "after": first["pageInfo"]["endCursor"] }),
            Some(&token),
        )
        .await;
    let second = &second.data()["images"];
    assert_eq!(second["edges"][0]["node"]["id"], image_ids[0].as_str());
    assert_eq!(second["pageInfo"]["hasNextPage"], false);

    app.gql(
        "mutation($id: ID!) { setImageFavorite(id: $id, favorite: true) { favorite } }",
        json!({ "id": image_ids[0] }),
        Some(&token),
    )
    .await
    .data();
    let favourites = app
        .gql(
            "{ images(filter: {favorite: true}) { edges { node { id } } } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(
        favourites.data()["images"]["edges"],
        json!([{ "node": { "id": image_ids[0] } }])
    );

    let feed = "{ publicImages { edges { node { id owner { displayName email } } } } }";
    assert_eq!(
        app.gql(feed, json!({}), None).await.data()["publicImages"]["edges"],
        json!([])
    );
    let publish = "mutation($id: ID!, $v: Visibility!) { setImageVisibility(id: $id, visibility: $v) { visibility } }";
    app.gql(
        publish,
        json!({ "id": image_ids[1], "v": "PUBLIC" }),
        Some(&token),
    )
    .await
    .data();
    let public = app.gql(feed, json!({}), None).await;
    let edges = public.data()["publicImages"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(edges.len(), 1);
    assert_eq!(edges[0]["node"]["id"], image_ids[1].as_str());
    assert!(
        edges[0]["node"]["owner"]["email"].is_null(),
        "the feed never shows emails"
    );
    app.gql(
        publish,
        json!({ "id": image_ids[1], "v": "PRIVATE" }),
        Some(&token),
    )
    .await
    .data();
    assert_eq!(
        app.gql(feed, json!({}), None).await.data()["publicImages"]["edges"],
        json!([])
    );

    let search = app
        .gql(
            "{ prompts(search: \"fox\") { edges { node { text } } } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(
        search.data()["prompts"]["edges"],
        json!([{ "node": { "text": "a FOX in snow" } }])
    );
}

#[tokio::test]
async fn left_out_settings_come_from_the_users_preferences() {
    let app = spawn_app_with(no_workers).await;
    let token = app.sign_up("prefs-gen@example.com").await;
    app.gql(
        "mutation { updatePreferences(input: {width: 96, height: 64, count: 2, stylePreset: \"pastel\", negativePrompt: \"blur\"}) { id } }",
        json!({}),
        Some(&token),
    )
    .await
    .data();
    let response = app
        .gql("mutation { generateImages(input: {prompt: \"a garden\"}) { model params prompt { negativeText } } }", json!({}), Some(&token))
        .await;
    let job = &response.data()["generateImages"];
    assert_eq!(job["model"], "offline");
    assert_eq!(
        (
            job["params"]["width"].as_i64(),
            job["params"]["height"].as_i64(),
            job["params"]["count"].as_i64()
        ),
        (Some(96), Some(64), Some(2))
    );
    assert_eq!(job["params"]["stylePreset"], "pastel");
    assert_eq!(job["prompt"]["negativeText"], "blur");
}
