use serde_json::json;

use crate::helpers::spawn_app;

const SIGN_UP: &str = "mutation($input: SignUpInput!) { signUp(input: $input) { token user { id email displayName } } }";
const LOG_IN: &str =
    "mutation($input: LogInInput!) { logIn(input: $input) { token user { email } } }";
const VIEWER: &str = "{ viewer { email displayName } }";

fn sign_up_input(email: &str, password: &str) -> serde_json::Value {
    json!({ "input": { "email": email, "password": password, "displayName": "Ada" } })
}

#[tokio::test]
async fn sign_up_returns_a_token_that_identifies_the_viewer() {
    let app = spawn_app().await;
    let response = app
        .gql(
            SIGN_UP,
            sign_up_input("  Ada@Example.com ", "correct horse battery"),
            None,
        )
        .await;
    let payload = &response.data()["signUp"];
    assert_eq!(payload["user"]["email"], "ada@example.com");
    let token = payload["token"].as_str().unwrap();

    let viewer = app.gql(VIEWER, json!({}), Some(token)).await;
    assert_eq!(viewer.data()["viewer"]["email"], "ada@example.com");
    assert_eq!(viewer.data()["viewer"]["displayName"], "Ada");
}

#[tokio::test]
async fn the_viewer_is_null_for_an_anonymous_caller() {
    let app = spawn_app().await;
    let response = app.gql(VIEWER, json!({}), None).await;
    assert!(response.data()["viewer"].is_null());
}

#[tokio::test]
async fn log_in_works_with_the_right_password_only() {
    let app = spawn_app().await;
    app.sign_up("grace@example.com").await;

    let ok = app
        .gql(LOG_IN, json!({ "input": { "email": "GRACE@example.com", "password": "correct horse battery" } }), None)
        .await;
    let token = ok.data()["logIn"]["token"].as_str().unwrap();
    assert_eq!(
        app.gql(VIEWER, json!({}), Some(token)).await.data()["viewer"]["email"],
        "grace@example.com"
    );

    let wrong = app
        .gql(
            LOG_IN,
            json!({ "input": { "email": "grace@example.com", "password": "wrong horse battery" } }),
            None,
        )
        .await;
    assert_eq!(wrong.error_code(), "UNAUTHENTICATED");
    assert!(wrong.body["data"].is_null());
    let unknown = app
        .gql(LOG_IN, json!({ "input": { "email": "nobody@example.com", "password": "correct horse battery" } }), None)
        .await;
    assert_eq!(unknown.error_code(), "UNAUTHENTICATED");
    assert_eq!(
        unknown.error_message(),
        wrong.error_message(),
        "must not reveal which accounts exist"
    );
}

#[tokio::test]
async fn a_duplicate_email_is_a_field_error_not_an_internal_one() {
    let app = spawn_app().await;
    app.sign_up("linus@example.com").await;
    let response = app
        .gql(
            SIGN_UP,
            sign_up_input("Linus@Example.com", "another password"),
            None,
        )
        .await;
    assert_eq!(response.error_code(), "BAD_USER_INPUT");
    assert_eq!(response.error_field(), "email");
    assert!(response.error_message().contains("already exists"));
    assert!(
        !response
            .body
            .to_string()
            .to_lowercase()
            .contains("constraint")
    );
}

#[tokio::test]
async fn malformed_emails_and_short_passwords_are_refused_and_nothing_is_written() {
    let app = spawn_app().await;
    let bad_email = app
        .gql(
            SIGN_UP,
            sign_up_input("not-an-email", "correct horse battery"),
            None,
        )
        .await;
    assert_eq!(bad_email.error_code(), "BAD_USER_INPUT");
    assert_eq!(bad_email.error_field(), "email");

    let short = app
        .gql(SIGN_UP, sign_up_input("ok@example.com", "short"), None)
        .await;
    assert_eq!(short.error_code(), "BAD_USER_INPUT");
    assert_eq!(short.error_field(), "password");
    assert!(short.error_message().contains("10"));

    // The refused sign-up left no account behind: the same email can still sign up.
    let retry = app
        .gql(
            SIGN_UP,
            sign_up_input("ok@example.com", "a long enough password"),
            None,
        )
        .await;
    assert_eq!(retry.data()["signUp"]["user"]["email"], "ok@example.com");
}

#[tokio::test]
async fn forged_and_expired_tokens_are_refused() {
    let app = spawn_app().await;
    let token = app.sign_up("eve@example.com").await;

    // A valid token with its signature tampered with.
    let forged = format!("{}x", &token[..token.len() - 1]);
    let response = app.gql(VIEWER, json!({}), Some(&forged)).await;
    assert_eq!(response.status, 401);
    assert_eq!(response.error_code(), "UNAUTHENTICATED");

    // A token signed with the server's own secret but expired an hour ago.
    let claims = json!({ "sub": uuid::Uuid::now_v7(), "iat": 0, "exp": chrono::Utc::now().timestamp() - 3600 });
    let expired = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(app.jwt_secret().as_bytes()),
    )
    .unwrap();
    let response = app.gql(VIEWER, json!({}), Some(&expired)).await;
    assert_eq!(response.status, 401);
    assert_eq!(response.error_code(), "UNAUTHENTICATED");
    assert!(response.error_message().contains("expired"));
}

#[tokio::test]
async fn api_keys_work_as_bearer_tokens_until_revoked() {
    let app = spawn_app().await;
    let token = app.sign_up("bot-owner@example.com").await;

    let created = app
        .gql(
            "mutation { createApiKey(name: \"ci\") { secret apiKey { id name prefix lastUsedAt } } }",
            json!({}),
            Some(&token),
        )
        .await;
    let payload = &created.data()["createApiKey"];
    let secret = payload["secret"].as_str().unwrap().to_owned();
    let key_id = payload["apiKey"]["id"].as_str().unwrap().to_owned();
    assert!(secret.starts_with(payload["apiKey"]["prefix"].as_str().unwrap()));
    assert!(payload["apiKey"]["lastUsedAt"].is_null());

    let viewer = app.gql(VIEWER, json!({}), Some(&secret)).await;
    assert_eq!(viewer.data()["viewer"]["email"], "bot-owner@example.com");

    let keys = app
        .gql(
            "{ viewer { apiKeys { id name lastUsedAt } } }",
            json!({}),
            Some(&token),
        )
        .await;
    let listed = &keys.data()["viewer"]["apiKeys"][0];
    assert_eq!(listed["id"], key_id.as_str());
    assert!(
        listed["lastUsedAt"].is_string(),
        "using the key records lastUsedAt"
    );
    assert!(
        !keys.body.to_string().contains(&secret),
        "the secret is shown once only"
    );

    let revoked = app
        .gql(
            "mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }",
            json!({ "id": key_id }),
            Some(&token),
        )
        .await;
    assert!(revoked.data()["revokeApiKey"]["revokedAt"].is_string());
    let refused = app.gql(VIEWER, json!({}), Some(&secret)).await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.error_code(), "UNAUTHENTICATED");
}

#[tokio::test]
async fn another_users_key_cannot_be_revoked() {
    let app = spawn_app().await;
    let owner = app.sign_up("owner@example.com").await;
    let other = app.sign_up("other@example.com").await;
    let created = app
        .gql(
            "mutation { createApiKey(name: \"k\") { apiKey { id } } }",
            json!({}),
            Some(&owner),
        )
        .await;
    let key_id = created.data()["createApiKey"]["apiKey"]["id"].clone();
    let response = app
        .gql(
            "mutation($id: ID!) { revokeApiKey(id: $id) { id } }",
            json!({ "id": key_id }),
            Some(&other),
        )
        .await;
    assert_eq!(response.error_code(), "NOT_FOUND");
}

#[tokio::test]
async fn passwords_and_key_secrets_are_stored_only_as_hashes() {
    use entity::{api_key, user};
    use sea_orm::EntityTrait;

    let app = spawn_app().await;
    let token = app.sign_up("hash@example.com").await;
    let created = app
        .gql(
            "mutation { createApiKey(name: \"k\") { secret } }",
            json!({}),
            Some(&token),
        )
        .await;
    let secret = created.data()["createApiKey"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();

    let users = user::Entity::find().all(&app.state.db).await.unwrap();
    let keys = api_key::Entity::find().all(&app.state.db).await.unwrap();
    let stored = format!("{users:?}{keys:?}");
    assert!(!stored.contains("correct horse battery"));
    assert!(!stored.contains(&secret));
    assert!(users[0].password_hash.starts_with("$argon2id$"));
}

#[tokio::test]
async fn preferences_are_saved_and_unknown_models_refused() {
    let app = spawn_app().await;
    let token = app.sign_up("prefs@example.com").await;
    let update = "mutation($input: UpdatePreferencesInput!) { updatePreferences(input: $input) { preferences { defaultModel width height count stylePreset negativePrompt } } }";
    let response = app
        .gql(
            update,
            json!({ "input": { "defaultModel": "offline", "width": 640, "height": 384, "count": 2, "stylePreset": "pastel", "negativePrompt": "blur" } }),
            Some(&token),
        )
        .await;
    assert_eq!(
        response.data()["updatePreferences"]["preferences"],
        json!({ "defaultModel": "offline", "width": 640, "height": 384, "count": 2, "stylePreset": "pastel", "negativePrompt": "blur" })
    );
    // Leaving a field out keeps it; an empty string clears it.
    let response = app
        .gql(
            update,
            json!({ "input": { "negativePrompt": "" } }),
            Some(&token),
        )
        .await;
    let prefs = &response.data()["updatePreferences"]["preferences"];
    assert!(prefs["negativePrompt"].is_null());
    assert_eq!(prefs["width"], 640);

    // null clears a number, so "back to the model's default" is possible.
    let response = app
        .gql(
            update,
            json!({ "input": { "width": null, "height": null } }),
            Some(&token),
        )
        .await;
    let prefs = &response.data()["updatePreferences"]["preferences"];
    assert!(prefs["width"].is_null() && prefs["height"].is_null());
    assert_eq!(prefs["count"], 2);

    let unknown = app
        .gql(
            update,
            json!({ "input": { "defaultModel": "dall-e" } }),
            Some(&token),
        )
        .await;
    assert_eq!(unknown.error_code(), "BAD_USER_INPUT");
    assert_eq!(unknown.error_field(), "defaultModel");

    let anonymous = app
        .gql(update, json!({ "input": { "width": 64 } }), None)
        .await;
    assert_eq!(anonymous.error_code(), "UNAUTHENTICATED");
}

#[tokio::test]
async fn another_users_email_is_not_visible_through_node() {
    let app = spawn_app().await;
    let ada = app
        .gql(
            SIGN_UP,
            sign_up_input("ada@example.com", "correct horse battery"),
            None,
        )
        .await;
    let ada_id = ada.data()["signUp"]["user"]["id"].clone();
    let bob = app.sign_up("bob@example.com").await;
    let response = app
        .gql(
            "query($id: ID!) { node(id: $id) { id ... on User { email displayName } } }",
            json!({ "id": ada_id }),
            Some(&bob),
        )
        .await;
    let node = &response.data()["node"];
    assert_eq!(node["displayName"], "Ada");
    assert!(node["email"].is_null());
}
