//! Probes.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::json;

use super::HttpContext;

/// Alive: the process answers.
pub async fn healthz() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

/// Ready: the database answers too.
pub async fn readyz(State(ctx): State<HttpContext>) -> impl IntoResponse {
    match ctx.state.db.ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ready" }))),
        Err(error) => {
            tracing::warn!(%error, "readiness check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "database unreachable" })),
            )
        }
    }
}

/// Unknown paths under `/api/` are a JSON 404, never the frontend's index.html.
pub async fn api_not_found() -> impl IntoResponse {
    (
        StatusCode::NOT_FOUND,
        Json(
            json!({ "errors": [{ "message": "No such API path; the GraphQL endpoint is /api/graphql", "extensions": { "code": "NOT_FOUND" } }] }),
        ),
    )
}
