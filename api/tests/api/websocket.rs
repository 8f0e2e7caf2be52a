//! The WebSocket protocols, message by message: graphql-transport-ws as its PROTOCOL.md says,
//! and the legacy graphql-ws.

use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_with};
use crate::ws_client::{LEGACY, TRANSPORT, WsClient};

#[tokio::test]
async fn an_invalid_message_closes_with_4400() {
    let app = spawn_app().await;
    let mut ws = WsClient::connect(&app.url, TRANSPORT).await;
    ws.send_text("this is not json").await;
    assert_eq!(ws.expect_close().await.0, 4400);

    let mut ws = WsClient::connected(&app.url, TRANSPORT, None).await;
    ws.send(json!({ "type": "subscribe", "id": "1" })).await;
    assert_eq!(
        ws.expect_close().await.0,
        4400,
        "a subscribe without payload is invalid"
    );
}

#[tokio::test]
async fn a_subscribe_before_the_ack_closes_with_4401() {
    let app = spawn_app().await;
    let mut ws = WsClient::connect(&app.url, TRANSPORT).await;
    ws.subscribe("1", "{ models { id } }", json!({})).await;
    assert_eq!(ws.expect_close().await, (4401, "Unauthorized".to_owned()));
}

#[tokio::test]
async fn a_forbidden_init_closes_with_4403() {
    let app = spawn_app().await;
    let mut ws = WsClient::connect(&app.url, TRANSPORT).await;
    ws.send(json!({ "type": "connection_init", "payload": { "Authorization": "Bearer forged.token.value" } })).await;
    assert_eq!(ws.expect_close().await, (4403, "Forbidden".to_owned()));
}

#[tokio::test]
async fn no_init_within_three_seconds_closes_with_4408() {
    let app = spawn_app().await;
    let mut ws = WsClient::connect(&app.url, TRANSPORT).await;
    assert_eq!(
        ws.expect_close().await,
        (4408, "Connection initialisation timeout".to_owned())
    );
}

#[tokio::test]
async fn a_duplicate_subscription_id_closes_with_4409() {
    let app = spawn_app().await;
    let token = app.sign_up("dup@example.com").await;
    let mut ws = WsClient::connected(&app.url, TRANSPORT, Some(&token)).await;
    ws.subscribe(
        "same",
        "subscription { myGenerationUpdates { id } }",
        json!({}),
    )
    .await;
    ws.subscribe(
        "same",
        "subscription { myGenerationUpdates { id } }",
        json!({}),
    )
    .await;
    assert_eq!(
        ws.expect_close().await,
        (4409, "Subscriber for same already exists".to_owned())
    );
}

#[tokio::test]
async fn a_second_init_closes_with_4429() {
    let app = spawn_app().await;
    let mut ws = WsClient::connected(&app.url, TRANSPORT, None).await;
    ws.send(json!({ "type": "connection_init" })).await;
    assert_eq!(
        ws.expect_close().await,
        (4429, "Too many initialisation requests".to_owned())
    );
}

#[tokio::test]
async fn an_operation_that_cannot_run_gets_an_error_message_and_the_connection_stays() {
    let app = spawn_app().await;
    let mut ws = WsClient::connected(&app.url, TRANSPORT, None).await;
    ws.subscribe("bad", "{ noSuchField }", json!({})).await;
    let message = ws.next_json().await;
    assert_eq!(message["type"], "error");
    assert_eq!(message["id"], "bad");
    assert!(
        message["payload"][0]["message"]
            .as_str()
            .unwrap()
            .contains("noSuchField")
    );

    ws.send(json!({ "type": "ping" })).await;
    assert_eq!(ws.next_json().await["type"], "pong");
    ws.subscribe("good", "{ models { id } }", json!({})).await;
    let payloads = ws.collect_until_complete("good").await;
    assert_eq!(payloads[0]["data"]["models"][0]["id"], "offline");
}

#[tokio::test]
async fn subscriptions_need_a_login_and_say_so() {
    let app = spawn_app().await;
    let mut ws = WsClient::connected(&app.url, TRANSPORT, None).await;
    ws.subscribe(
        "s",
        "subscription { myGenerationUpdates { id } }",
        json!({}),
    )
    .await;
    let payloads = ws.collect_until_complete("s").await;
    assert_eq!(
        payloads[0]["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED"
    );
}

#[tokio::test]
async fn the_legacy_protocol_answers_queries_subscriptions_and_errors() {
    // Steps slow enough that the subscription is in place before the job ends.
    let app = spawn_app_with(|s| s.offline_step_ms = Some(20)).await;
    let token = app.sign_up("legacy@example.com").await;
    let mut ws = WsClient::connected(&app.url, LEGACY, Some(&token)).await;

    ws.send(json!({ "type": "start", "id": "q", "payload": { "query": "{ viewer { email } }" } }))
        .await;
    let data = ws.collect_until_complete("q").await;
    assert_eq!(data[0]["data"]["viewer"]["email"], "legacy@example.com");

    ws.send(json!({ "type": "start", "id": "e", "payload": { "query": "{ nope }" } }))
        .await;
    let error = ws.next_json().await;
    assert_eq!(
        (error["type"].as_str(), error["id"].as_str()),
        (Some("error"), Some("e"))
    );

    ws.send(json!({ "type": "start", "id": "s", "payload": { "query": "subscription { myGenerationUpdates { status } }" } })).await;
    app.generate(
        &token,
        json!({ "prompt": "legacy clients still work", "width": 64, "height": 64 }),
    )
    .await;
    let mut statuses = Vec::new();
    while statuses.last().map(String::as_str) != Some("SUCCEEDED") {
        let message = ws.next_json().await;
        assert_eq!(message["type"], "data", "{message}");
        statuses.push(
            message["payload"]["data"]["myGenerationUpdates"]["status"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    // The subscription starts while the job is queued or already running, never later.
    assert!(
        matches!(statuses[0].as_str(), "QUEUED" | "RUNNING"),
        "{statuses:?}"
    );
    ws.send(json!({ "type": "stop", "id": "s" })).await;
    ws.send(json!({ "type": "connection_terminate" })).await;
    assert_eq!(ws.expect_close().await.0, 1000);
}

#[tokio::test]
async fn a_bad_token_on_the_legacy_protocol_gets_a_connection_error() {
    let app = spawn_app().await;
    let mut ws = WsClient::connect(&app.url, LEGACY).await;
    ws.send(json!({ "type": "connection_init", "payload": { "authorization": "Bearer nope" } }))
        .await;
    let message = ws.next_json().await;
    assert_eq!(message["type"], "connection_error");
    assert!(
        message["payload"]["message"]
            .as_str()
            .unwrap()
            .contains("log in")
    );
}

#[tokio::test]
async fn a_client_close_is_answered_so_the_handshake_completes() {
    let app = spawn_app().await;
    let mut ws = WsClient::connected(&app.url, TRANSPORT, None).await;
    ws.close().await;
    // The server's answering close frame arrives; without it the client would see 1006.
    assert_eq!(ws.expect_close().await.0, 1000);
}
