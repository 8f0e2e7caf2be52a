//! The per-client request rate on `/api/graphql`, before anything is parsed, and the 429
//! answer for a request refused as a whole.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::client_ip;
use crate::error::{AppError, ErrorCode};
use crate::http::client_ip::ClientIp;
use crate::state::AppState;

/// Works out the client's address once (behind trusted proxies, from X-Forwarded-For), leaves
/// it in the request's extensions as `ClientIp` for the GraphQL handlers, and refuses the
/// request with 429 when that client is over `requests_per_ip_per_minute`.
pub async fn requests_per_ip(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let ip = client_ip::of_request(
        request.extensions(),
        request.headers(),
        &state.config.limits.trusted_proxies,
    );
    if let Err(refusal) = state.limiter.request(ip) {
        state
            .metrics
            .graphql_errors
            .with_label_values(&[refusal.code().as_str()])
            .inc();
        return too_many_requests(&refusal);
    }
    request.extensions_mut().insert(ClientIp(ip));
    next.run(request).await
}

/// HTTP 429 with `Retry-After` and a GraphQL-shaped body carrying the same code and wait.
pub fn too_many_requests(refusal: &AppError) -> Response {
    let seconds = refusal.retry_after_seconds().unwrap_or(1);
    let body = json!({ "errors": [{
        "message": refusal.message(),
        "extensions": { "code": refusal.code().as_str(), "retryAfter": seconds },
    }] });
    let mut response = (StatusCode::TOO_MANY_REQUESTS, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

/// The rule for GraphQL answers: when nothing but RATE_LIMITED errors came back and no data
/// was produced (a lone `logIn` over its limit, say), the request was refused as a whole, so
/// it is a 429 with `Retry-After` (the longest wait of its errors), like the per-IP request
/// limit, and HTTP clients and proxies back off without reading the body. A response with
/// some data, or with any other error, keeps its status.
pub fn answer_refusal_with_429(graphql: &async_graphql::Response, http: &mut Response) {
    if graphql.data != async_graphql::Value::Null || graphql.errors.is_empty() {
        return;
    }
    let mut longest = 1;
    for error in &graphql.errors {
        let extension = |name: &str| error.extensions.as_ref().and_then(|e| e.get(name));
        if extension("code") != Some(&async_graphql::Value::from(ErrorCode::RateLimited.as_str())) {
            return;
        }
        if let Some(async_graphql::Value::Number(seconds)) = extension("retryAfter") {
            longest = longest.max(seconds.as_u64().unwrap_or(1));
        }
    }
    *http.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    http.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(longest));
}
