//! Sessions: changePassword ends earlier login tokens, and WebSockets close when the
//! credential they opened with ends (password changed, API key revoked, token expired).

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};
use crate::ws_client::{LEGACY, TRANSPORT, WsClient};

const VIEWER: &str = "{ viewer { email } }";
const CHANGE_PASSWORD: &str = "mutation($input: ChangePasswordInput!) { changePassword(input: $input) { token user { email } } }";
const LOG_IN: &str = "mutation($input: LogInInput!) { logIn(input: $input) { token } }";
/// The password `TestApp::sign_up` uses.
const PASSWORD: &str = "correct horse battery";

fn change(current: &str, new: &str) -> Value {
    json!({ "input": { "currentPassword": current, "newPassword": new } })
}

async fn log_in(app: &TestApp, email: &str, password: &str) -> crate::helpers::GqlResponse {
    app.gql(
        LOG_IN,
        json!({ "input": { "email": email, "password": password } }),
        None,
    )
    .await
}

async fn create_api_key(app: &TestApp, token: &str) -> (String, String) {
    let created = app
        .gql(
            "mutation { createApiKey(name: \"socket\") { secret apiKey { id } } }",
            json!({}),
            Some(token),
        )
        .await;
    let payload = &created.data()["createApiKey"];
    (
        payload["secret"].as_str().unwrap().to_owned(),
        payload["apiKey"]["id"].as_str().unwrap().to_owned(),
    )
}

/// Waits for the server to close the socket; fails after 20 s (checks run every few seconds).
async fn closed_within_seconds(ws: &mut WsClient) -> (u16, String) {
    tokio::time::timeout(Duration::from_secs(20), ws.expect_close())
        .await
        .expect("the socket was still open after 20 s")
}

#[tokio::test]
async fn change_password_ends_every_earlier_token_and_returns_a_fresh_one() {
    let app = spawn_app().await;
    let first = app.sign_up("mover@example.com").await;
    let second = log_in(&app, "mover@example.com", PASSWORD).await.data()["logIn"]["token"]
        .as_str()
        .unwrap()
        .to_owned();

    let wrong = app
        .gql(
            CHANGE_PASSWORD,
            change("not my password", "a brand new password"),
            Some(&first),
        )
        .await;
    assert_eq!(wrong.error_code(), "BAD_USER_INPUT");
    assert_eq!(wrong.error_field(), "currentPassword");
    let short = app
        .gql(CHANGE_PASSWORD, change(PASSWORD, "short"), Some(&first))
        .await;
    assert_eq!(short.error_field(), "newPassword");
    assert!(
        short.error_message().contains("at least 10"),
        "{}",
        short.body
    );
    let same = app
        .gql(CHANGE_PASSWORD, change(PASSWORD, PASSWORD), Some(&first))
        .await;
    assert_eq!(same.error_field(), "newPassword");
    let anonymous = app
        .gql(
            CHANGE_PASSWORD,
            change(PASSWORD, "a brand new password"),
            None,
        )
        .await;
    assert_eq!(anonymous.error_code(), "UNAUTHENTICATED");
    // Refused attempts changed nothing.
    assert_eq!(
        app.gql(VIEWER, json!({}), Some(&second)).await.data()["viewer"]["email"],
        "mover@example.com"
    );

    let changed = app
        .gql(
            CHANGE_PASSWORD,
            change(PASSWORD, "a brand new password"),
            Some(&first),
        )
        .await;
    let payload = &changed.data()["changePassword"];
    assert_eq!(payload["user"]["email"], "mover@example.com");
    let fresh = payload["token"].as_str().unwrap();

    for old in [&first, &second] {
        let refused = app.gql(VIEWER, json!({}), Some(old)).await;
        assert_eq!(refused.status, 401);
        assert_eq!(refused.error_code(), "UNAUTHENTICATED");
        assert!(
            refused.error_message().contains("password was changed"),
            "{}",
            refused.body
        );
    }
    assert_eq!(
        app.gql(VIEWER, json!({}), Some(fresh)).await.data()["viewer"]["email"],
        "mover@example.com"
    );
    assert_eq!(
        log_in(&app, "mover@example.com", PASSWORD)
            .await
            .error_code(),
        "UNAUTHENTICATED"
    );
    let again = log_in(&app, "mover@example.com", "a brand new password").await;
    let again = again.data()["logIn"]["token"].as_str().unwrap();
    assert_eq!(
        app.gql(VIEWER, json!({}), Some(again)).await.data()["viewer"]["email"],
        "mover@example.com"
    );
}

#[tokio::test]
async fn an_api_key_cannot_change_the_password_and_outlives_a_change() {
    let app = spawn_app().await;
    let token = app.sign_up("keyholder@example.com").await;
    let (secret, _) = create_api_key(&app, &token).await;

    let refused = app
        .gql(
            CHANGE_PASSWORD,
            change(PASSWORD, "a brand new password"),
            Some(&secret),
        )
        .await;
    assert_eq!(refused.status, 200);
    assert_eq!(refused.error_code(), "FORBIDDEN");
    assert_eq!(
        log_in(&app, "keyholder@example.com", PASSWORD).await.status,
        200
    );

    app.gql(
        CHANGE_PASSWORD,
        change(PASSWORD, "a brand new password"),
        Some(&token),
    )
    .await
    .data();
    assert_eq!(
        app.gql(VIEWER, json!({}), Some(&secret)).await.data()["viewer"]["email"],
        "keyholder@example.com"
    );
}

#[tokio::test]
async fn changing_the_password_closes_websockets_opened_with_earlier_tokens() {
    let app = spawn_app().await;
    let old = app.sign_up("sockets@example.com").await;
    let mut transport = WsClient::connected(&app.url, TRANSPORT, Some(&old)).await;
    transport
        .subscribe(
            "all",
            "subscription { myGenerationUpdates { id } }",
            json!({}),
        )
        .await;
    let mut legacy = WsClient::connected(&app.url, LEGACY, Some(&old)).await;

    let changed = app
        .gql(
            CHANGE_PASSWORD,
            change(PASSWORD, "a brand new password"),
            Some(&old),
        )
        .await;
    let fresh = changed.data()["changePassword"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut current = WsClient::connected(&app.url, TRANSPORT, Some(&fresh)).await;

    for ws in [&mut transport, &mut legacy] {
        let (code, reason) = closed_within_seconds(ws).await;
        assert_eq!(code, 4403, "{reason}");
        assert!(reason.contains("password was changed"), "{reason}");
    }
    // The socket opened with the new token stays.
    current.send(json!({ "type": "ping" })).await;
    assert_eq!(current.next_json().await["type"], "pong");
}

#[tokio::test]
async fn revoking_an_api_key_closes_its_websockets() {
    let app = spawn_app().await;
    let token = app.sign_up("revoker@example.com").await;
    let (secret, key_id) = create_api_key(&app, &token).await;
    let mut keyed = WsClient::connected(&app.url, TRANSPORT, Some(&secret)).await;
    keyed
        .subscribe(
            "all",
            "subscription { myGenerationUpdates { id } }",
            json!({}),
        )
        .await;
    let mut logged_in = WsClient::connected(&app.url, TRANSPORT, Some(&token)).await;

    app.gql(
        "mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }",
        json!({ "id": key_id }),
        Some(&token),
    )
    .await
    .data();

    let (code, reason) = closed_within_seconds(&mut keyed).await;
    assert_eq!(code, 4403, "{reason}");
    assert!(reason.contains("revoked"), "{reason}");
    logged_in.send(json!({ "type": "ping" })).await;
    assert_eq!(logged_in.next_json().await["type"], "pong");
}

#[tokio::test]
async fn a_websocket_closes_with_4401_when_its_token_expires() {
    let app = spawn_app().await;
    let token = app.sign_up("short-lived@example.com").await;
    let viewer = app.gql("{ viewer { id } }", json!({}), Some(&token)).await;
    let global_id = viewer.data()["viewer"]["id"].as_str().unwrap().to_owned();
    let user_id = api::graphql::relay::expect_global_id(
        &async_graphql::ID(global_id),
        api::graphql::relay::NodeType::User,
        "id",
    )
    .unwrap();
    // The server's own kind of token, valid for two more seconds.
    let now = chrono::Utc::now().timestamp();
    let claims = json!({ "sub": user_id, "iat": now, "exp": now + 2, "ver": 0 });
    let expiring = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(app.jwt_secret().as_bytes()),
    )
    .unwrap();
    let mut ws = WsClient::connected(&app.url, TRANSPORT, Some(&expiring)).await;

    let (code, reason) = closed_within_seconds(&mut ws).await;
    assert_eq!(code, 4401, "{reason}");
    assert!(reason.contains("expired"), "{reason}");
}
