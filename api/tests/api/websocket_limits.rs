//! What one WebSocket client can hold: the outgoing queue, message size, init and idle
//! timeouts, connection caps per IP and per user, operations per socket, and
//! `myGenerationUpdates` catching up after it lags.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use entity::generation::{self, Status};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::json;

use crate::helpers::{TestApp, generation_key, spawn_app_with};
use crate::ws_client::{Incoming, LEGACY, TRANSPORT, WsClient};

/// A queued job of the user, never run (the app has no workers), as its row.
async fn queued_job(app: &TestApp, token: &str) -> generation::Model {
    let id = app
        .generate(
            token,
            json!({ "prompt": "a lighthouse", "width": 64, "height": 64 }),
        )
        .await;
    generation::Entity::find_by_id(generation_key(&id))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn a_client_that_stops_reading_is_disconnected_instead_of_buffered_for() {
    let app = spawn_app_with(|s| {
        s.workers = Some(0);
        s.limits.ws_outgoing_queue = Some(8);
    })
    .await;
    let token = app.sign_up("slow-reader@example.com").await;
    let job = queued_job(&app, &token).await;
    let mut ws = WsClient::connect_with_small_window(&app.url, TRANSPORT).await;
    ws.init(Some(&token)).await;
    ws.subscribe(
        "all",
        "subscription { myGenerationUpdates { id preview } }",
        json!({}),
    )
    .await;
    // The job's current state: the subscription is in place.
    assert_eq!(ws.next_json().await["type"], "next");

    // From here on the client reads nothing. 3,000 updates of 16 KB each are far more than
    // socket buffers hold; in small batches, so the subscription keeps up with the bus.
    let published = 3000;
    let mut update = job;
    update.preview = Some("x".repeat(16 * 1024));
    for _ in 0..published / 50 {
        for _ in 0..50 {
            app.state.events.publish(update.clone()).await;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }

    let (read, code) = ws.read_until_closed(Duration::from_secs(20)).await;
    assert!(read < published, "all {read} updates were buffered");
    assert!(
        matches!(code, None | Some(1008)),
        "closed with {code:?} instead of 1008 or a dropped connection"
    );
}

#[tokio::test]
async fn a_message_over_the_size_limit_closes_with_1009() {
    let app = spawn_app_with(|s| s.limits.ws_max_message_bytes = Some(1024)).await;
    let mut ws = WsClient::connect(&app.url, TRANSPORT).await;
    // Under the limit is fine.
    ws.send(json!({ "type": "connection_init", "payload": { "padding": "x".repeat(900) } }))
        .await;
    assert_eq!(ws.next_json().await["type"], "connection_ack");
    ws.send(json!({ "type": "ping", "payload": { "padding": "x".repeat(2000) } }))
        .await;
    let (code, reason) = ws.expect_close().await;
    assert_eq!(code, 1009, "{reason}");
    assert!(reason.contains("1024 bytes"), "{reason}");
}

#[tokio::test]
async fn a_legacy_socket_without_connection_init_is_closed_after_the_timeout() {
    let app = spawn_app_with(|_| {}).await;
    let mut ws = WsClient::connect(&app.url, LEGACY).await;
    let started = std::time::Instant::now();
    assert_eq!(
        ws.expect_close().await,
        (4408, "Connection initialisation timeout".to_owned())
    );
    assert!(started.elapsed() >= Duration::from_secs(2));
}

#[tokio::test]
async fn the_server_pings_and_closes_clients_that_send_nothing() {
    let app = spawn_app_with(|s| {
        s.limits.ws_ping_interval_seconds = Some(1);
        s.limits.ws_idle_timeout_seconds = Some(3);
    })
    .await;
    let mut answering = WsClient::connected(&app.url, TRANSPORT, None).await;
    let silent = WsClient::connected(&app.url, LEGACY, None).await;

    // A client that reads answers the pings (tungstenite does), which keeps it open past
    // the idle timeout.
    let pings = answering.pings_during(Duration::from_secs(6)).await;
    assert!(pings >= 3, "{pings} pings in 6 s at one a second");

    // The other one read nothing, so it never answered: closed after 3 s of silence.
    let (code, reason) = silent.raw_close().await;
    assert_eq!(code, 1001, "{reason}");
    assert!(reason.contains("Nothing received"), "{reason}");
}

#[tokio::test]
async fn open_sockets_per_client_ip_are_capped_before_the_upgrade() {
    let app = spawn_app_with(|s| s.limits.ws_connections_per_ip = Some(2)).await;
    let mut first = WsClient::connected(&app.url, TRANSPORT, None).await;
    let _second = WsClient::connected(&app.url, LEGACY, None).await;

    let refusal = WsClient::try_connect(&app.url, TRANSPORT)
        .await
        .err()
        .expect("a third socket from the same address is refused");
    assert_eq!(refusal.status(), 429);
    let retry_after: u64 = refusal.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after >= 1);
    let body: serde_json::Value = serde_json::from_slice(refusal.body().as_ref().unwrap()).unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");

    // Closing a socket frees its place.
    first.close().await;
    assert_eq!(first.expect_close().await.0, 1000);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while WsClient::try_connect(&app.url, TRANSPORT).await.is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "the closed socket still counts"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn connection_caps_are_off_with_rate_limits() {
    let app = spawn_app_with(|s| {
        s.limits.rate_limits = Some("off".into());
        s.limits.ws_connections_per_ip = Some(1);
        s.limits.ws_connections_per_user = Some(1);
    })
    .await;
    let token = app.sign_up("unlimited@example.com").await;
    let _first = WsClient::connected(&app.url, TRANSPORT, Some(&token)).await;
    let _second = WsClient::connected(&app.url, TRANSPORT, Some(&token)).await;
}

#[tokio::test]
async fn open_sockets_per_user_are_capped_at_connection_init() {
    let app = spawn_app_with(|s| s.limits.ws_connections_per_user = Some(2)).await;
    let token = app.sign_up("many-tabs@example.com").await;
    let mut first = WsClient::connected(&app.url, TRANSPORT, Some(&token)).await;
    let _second = WsClient::connected(&app.url, TRANSPORT, Some(&token)).await;

    let mut third = WsClient::connect(&app.url, TRANSPORT).await;
    third
        .send(json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } }))
        .await;
    let (code, reason) = third.expect_close().await;
    assert_eq!(code, 4429, "{reason}");
    assert!(reason.contains("2 WebSockets open"), "{reason}");

    let mut legacy = WsClient::connect(&app.url, LEGACY).await;
    legacy
        .send(json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } }))
        .await;
    assert_eq!(legacy.next_json().await["type"], "connection_error");
    assert_eq!(legacy.expect_close().await.0, 4429);

    // Other users and anonymous sockets do not count against this user.
    let other = app.sign_up("other@example.com").await;
    let _other = WsClient::connected(&app.url, TRANSPORT, Some(&other)).await;
    let _anonymous = WsClient::connected(&app.url, TRANSPORT, None).await;

    // Closing one of the user's sockets frees its place.
    first.close().await;
    assert_eq!(first.expect_close().await.0, 1000);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let mut again = WsClient::connect(&app.url, TRANSPORT).await;
        again
            .send(json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } }))
            .await;
        match again.next().await {
            Incoming::Json(message) if message["type"] == "connection_ack" => break,
            other => assert!(
                std::time::Instant::now() < deadline,
                "the closed socket still counts: {other:?}"
            ),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn operations_per_socket_are_capped_and_the_socket_stays_open() {
    let app = spawn_app_with(|s| s.limits.subscriptions_per_socket = Some(2)).await;
    let token = app.sign_up("subscriber@example.com").await;
    let mut ws = WsClient::connected(&app.url, TRANSPORT, Some(&token)).await;
    for id in ["1", "2", "3"] {
        ws.subscribe(id, "subscription { myGenerationUpdates { id } }", json!({}))
            .await;
    }
    let refusal = ws.next_json().await;
    assert_eq!(
        (refusal["type"].as_str(), refusal["id"].as_str()),
        (Some("error"), Some("3"))
    );
    let extensions = &refusal["payload"][0]["extensions"];
    assert_eq!(extensions["code"], "RATE_LIMITED", "{refusal}");
    assert!(extensions["retryAfter"].as_u64().unwrap() >= 1);

    ws.send(json!({ "type": "ping" })).await;
    assert_eq!(ws.next_json().await["type"], "pong");

    // Completing one makes room for another.
    ws.send(json!({ "type": "complete", "id": "1" })).await;
    ws.subscribe("4", "{ viewer { email } }", json!({})).await;
    let payloads = ws.collect_until_complete("4").await;
    assert_eq!(
        payloads[0]["data"]["viewer"]["email"],
        "subscriber@example.com"
    );
}

#[tokio::test]
async fn my_generation_updates_reloads_what_it_missed_when_it_lags() {
    let app = spawn_app_with(|s| s.workers = Some(0)).await;
    let token = app.sign_up("laggard@example.com").await;
    let mut ws = WsClient::connected(&app.url, TRANSPORT, Some(&token)).await;
    ws.subscribe(
        "all",
        "subscription { myGenerationUpdates { id status } }",
        json!({}),
    )
    .await;
    let job = queued_job(&app, &token).await;
    let queued = ws.next_json().await;
    assert_eq!(
        queued["payload"]["data"]["myGenerationUpdates"]["status"],
        "QUEUED"
    );
    let job_id = queued["payload"]["data"]["myGenerationUpdates"]["id"].clone();

    // The job ends; its final event is published, then far more events (of another user's
    // job) than the bus buffers, all before the subscription gets to run: it lags, and the
    // final event is among those it lost.
    let mut finished: generation::ActiveModel = job.into();
    finished.status = Set(Status::Succeeded);
    finished.progress = Set(1.0);
    finished.finished_at = Set(Some(chrono::Utc::now()));
    let finished = finished.update(&app.state.db).await.unwrap();
    let mut noise = finished.clone();
    noise.id = uuid::Uuid::now_v7();
    noise.owner_id = uuid::Uuid::now_v7();
    let mut publishing: Vec<Pin<Box<dyn Future<Output = ()> + '_>>> =
        vec![Box::pin(app.state.events.publish(finished))];
    for _ in 0..1500 {
        publishing.push(Box::pin(app.state.events.publish(noise.clone())));
    }
    // Each publish sends to the bus before its first await (PostgreSQL's NOTIFY comes after),
    // so one poll of each sends everything without giving the subscription a turn.
    std::future::poll_fn(|cx| {
        publishing.retain_mut(|publish| publish.as_mut().poll(cx).is_pending());
        Poll::Ready(())
    })
    .await;
    futures::future::join_all(publishing).await;

    let reloaded = tokio::time::timeout(Duration::from_secs(15), async {
        loop {
            let message = ws.next_json().await;
            let update = &message["payload"]["data"]["myGenerationUpdates"];
            if update["id"] == job_id && update["status"] == "SUCCEEDED" {
                break;
            }
        }
    })
    .await;
    assert!(reloaded.is_ok(), "the job's final state never arrived");
}
