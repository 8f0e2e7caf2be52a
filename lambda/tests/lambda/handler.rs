//! Events decoded by `lambda_http` exactly as the runtime decodes them, then answered by the
//! function's router.

use axum::http::StatusCode;
use lambda_http::tower::ServiceExt;
use serde_json::Value;

use crate::helpers::{TestFunction, fixture, json_body, model_ids, spawn_function, with_token};

/// Decodes `event` as `lambda_http` does and returns the router's status and JSON body.
async fn invoke(function: &TestFunction, event: &Value) -> (StatusCode, Value) {
    let request = lambda_http::request::from_str(&event.to_string())
        .unwrap_or_else(|e| panic!("lambda_http rejected the event ({e}): {event}"));
    let response = function.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, json_body(&body))
}

#[tokio::test]
async fn a_models_query_posted_through_the_gateway_answers_200_with_data() {
    let function = spawn_function().await;
    let (status, body) = invoke(&function, &fixture("models-query.json")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    assert!(
        model_ids(&body).contains(&"offline".to_owned()),
        "the offline model is always offered: {body}"
    );
}

#[tokio::test]
async fn a_sign_up_mutation_creates_an_account_whose_token_works_on_the_next_event() {
    let function = spawn_function().await;
    let (status, body) = invoke(&function, &fixture("sign-up-mutation.json")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    let sign_up = &body["data"]["signUp"];
    assert_eq!(sign_up["user"]["email"], "ada@example.com");
    let token = sign_up["token"].as_str().unwrap();

    // A separate event, as a separate invocation would be: the account is in the database.
    let viewer = with_token(fixture("viewer-query.json"), token);
    let (status, body) = invoke(&function, &viewer).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["viewer"]["email"], "ada@example.com", "{body}");
    assert_eq!(body["data"]["viewer"]["displayName"], "Ada", "{body}");
    assert!(function.data_dir.path().join("lambda.db").is_file());
}

#[tokio::test]
async fn a_malformed_body_is_answered_with_400_and_a_bad_user_input_error() {
    let function = spawn_function().await;
    let (status, body) = invoke(&function, &fixture("malformed-body.json")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    assert!(body.get("data").is_none(), "nothing was executed: {body}");
}

#[tokio::test]
async fn a_base64_encoded_body_is_decoded_before_graphql_reads_it() {
    let function = spawn_function().await;
    let event = fixture("base64-body.json");
    assert_eq!(event["isBase64Encoded"], true);
    // The fixture really is base64, not JSON that happens to parse.
    assert!(serde_json::from_str::<Value>(event["body"].as_str().unwrap()).is_err());
    let (status, body) = invoke(&function, &event).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(model_ids(&body).contains(&"offline".to_owned()), "{body}");
}

#[tokio::test]
async fn a_query_in_the_query_string_of_a_get_reaches_graphql() {
    let function = spawn_function().await;
    let (status, body) = invoke(&function, &fixture("get-query-string.json")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(model_ids(&body).contains(&"offline".to_owned()), "{body}");
}

#[tokio::test]
async fn a_request_with_an_invalid_token_is_refused_as_unauthenticated() {
    let function = spawn_function().await;
    let event = with_token(fixture("viewer-query.json"), "not-a-token");
    let (status, body) = invoke(&function, &event).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
}

#[tokio::test]
async fn the_health_check_answers_through_the_gateway() {
    let function = spawn_function().await;
    let request = lambda_http::request::from_str(&fixture("healthz.json").to_string()).unwrap();
    let response = function.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn metrics_are_not_served_through_the_gateway() {
    let function = spawn_function().await;
    let mut event = fixture("healthz.json");
    event["rawPath"] = Value::from("/api/metrics");
    event["requestContext"]["http"]["path"] = Value::from("/api/metrics");
    event["pathParameters"]["proxy"] = Value::from("metrics");
    let (status, body) = invoke(&function, &event).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND");
}
