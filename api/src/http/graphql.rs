//! GraphQL over HTTP on `/api/graphql`, following the GraphQL-over-HTTP spec: content
//! negotiation between `application/json` and `application/graphql-response+json`, 4xx for
//! requests that cannot be executed, GET for queries only, and GraphiQL for browsers.
//!
//! async-graphql-axum's extractor is not used: it answers `application/graphql-response+json`
//! to clients that accept only `application/json` and uses 200 where the spec wants 400, so
//! the negotiation and status codes live here.

use std::time::Instant;

use async_graphql::parser::types::OperationType;
use async_graphql::{Request, Variables};
use axum::body::Bytes;
use axum::extract::{Extension, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::HttpContext;
use crate::auth::authenticate;
use crate::error::ErrorCode;
use crate::graphql::{is_request_error, pipeline};
use crate::http::client_ip::ClientIp;

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json; charset=utf-8";
const APPLICATION_JSON: &str = "application/json; charset=utf-8";

/// The media type a response is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Media {
    Json,
    GraphQLResponse,
}

impl Media {
    fn content_type(self) -> &'static str {
        match self {
            Media::Json => APPLICATION_JSON,
            Media::GraphQLResponse => GRAPHQL_RESPONSE_JSON,
        }
    }
}

fn media_ranges(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|range| {
            range
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .filter(|range| !range.is_empty())
        .collect()
}

/// Picks the first media type the client accepts; no Accept header means JSON.
fn negotiate(headers: &HeaderMap) -> Option<Media> {
    let ranges = media_ranges(headers);
    if ranges.is_empty() {
        return Some(Media::Json);
    }
    ranges.iter().find_map(|range| match range.as_str() {
        "application/graphql-response+json" => Some(Media::GraphQLResponse),
        "application/json" | "application/*" | "*/*" => Some(Media::Json),
        _ => None,
    })
}

fn respond(status: StatusCode, media: Media, body: &impl serde::Serialize) -> Response {
    // Serialising a body of our own types cannot fail.
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut response = (status, bytes).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(media.content_type()),
    );
    response
}

/// A request-level error: nothing was executed.
fn request_error(status: StatusCode, media: Media, code: ErrorCode, message: &str) -> Response {
    respond(
        status,
        media,
        &json!({ "errors": [{ "message": message, "extensions": { "code": code.as_str() } }] }),
    )
}

/// The parameters of a GraphQL-over-HTTP request, already checked for type.
struct Params {
    query: String,
    operation_name: Option<String>,
    variables: Map<String, Value>,
    extensions: Map<String, Value>,
}

fn params_from_json(body: Value) -> Result<Params, String> {
    let Value::Object(mut body) = body else {
        return Err("The request body must be a JSON object with a `query` string".into());
    };
    let query = match body.remove("query") {
        Some(Value::String(q)) => q,
        Some(_) => return Err("`query` must be a string".into()),
        None => {
            return Err(
                "The request has no `query`; send {\"query\": \"{ viewer { id } }\"}".into(),
            );
        }
    };
    let operation_name = match body.remove("operationName") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => Some(name),
        Some(_) => return Err("`operationName` must be a string or null".into()),
    };
    let map = |name: &str, value: Option<Value>| match value {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(m)) => Ok(m),
        Some(_) => Err(format!("`{name}` must be a JSON object or null")),
    };
    Ok(Params {
        query,
        operation_name,
        variables: map("variables", body.remove("variables"))?,
        extensions: map("extensions", body.remove("extensions"))?,
    })
}

fn params_from_query_string(raw: &str) -> Result<Params, String> {
    let mut object = Map::new();
    for (key, value) in form_urlencoded::parse(raw.as_bytes()) {
        let value = match key.as_ref() {
            // In a URL, variables and extensions travel as JSON text.
            "variables" | "extensions" => serde_json::from_str(&value)
                .map_err(|_| format!("`{key}` in the URL must be URL-encoded JSON"))?,
            _ => Value::String(value.into_owned()),
        };
        object.insert(key.into_owned(), value);
    }
    params_from_json(Value::Object(object))
}

/// The name and type of the operation a request will run, when its document parses.
fn selected_operation(params: &Params) -> Option<(Option<String>, OperationType)> {
    let document = async_graphql::parser::parse_query(&params.query).ok()?;
    let (name, operation) = match &params.operation_name {
        Some(wanted) => document
            .operations
            .iter()
            .find(|(n, _)| n.map(|n| n.as_str()) == Some(wanted.as_str()))?,
        None => document.operations.iter().next()?,
    };
    Some((name.map(|n| n.to_string()), operation.node.ty))
}

pub async fn post(
    State(ctx): State<HttpContext>,
    client_ip: Option<Extension<ClientIp>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(media) = negotiate(&headers) else {
        return not_acceptable();
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.to_ascii_lowercase());
    let json_body = content_type.as_deref().is_some_and(|ct| {
        let mut parts = ct.split(';').map(str::trim);
        parts.next() == Some("application/json")
            && parts.all(|p| !p.starts_with("charset=") || p == "charset=utf-8")
    });
    if !json_body {
        return request_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            media,
            ErrorCode::BadUserInput,
            "Send the request as `Content-Type: application/json` (UTF-8)",
        );
    }
    let params = match serde_json::from_slice::<Value>(&body) {
        Err(_) => Err("The request body is not valid JSON".to_owned()),
        Ok(value) => params_from_json(value),
    };
    match params {
        Ok(params) => {
            execute(
                &ctx,
                &headers,
                client_ip.map(|Extension(ip)| ip),
                media,
                params,
            )
            .await
        }
        Err(message) => request_error(
            StatusCode::BAD_REQUEST,
            media,
            ErrorCode::BadUserInput,
            &message,
        ),
    }
}

/// GET serves WebSocket upgrades, a redirect to GraphiQL to browsers and read-only queries to everyone
/// else.
pub async fn get(
    State(ctx): State<HttpContext>,
    RawQuery(raw_query): RawQuery,
    request: axum::extract::Request,
) -> Response {
    let (parts, _) = request.into_parts();
    if parts.headers.contains_key(header::UPGRADE) {
        return super::websocket::upgrade(ctx, parts).await;
    }
    let client_ip = parts.extensions.get::<ClientIp>().copied();
    let headers = parts.headers;
    let raw_query = raw_query.unwrap_or_default();
    let wants_html = media_ranges(&headers).iter().any(|r| r == "text/html");
    if wants_html && !raw_query.contains("query=") {
        return super::graphiql::redirect();
    }
    let Some(media) = negotiate(&headers) else {
        return not_acceptable();
    };
    let params = match params_from_query_string(&raw_query) {
        Ok(params) => params,
        Err(message) => {
            return request_error(
                StatusCode::BAD_REQUEST,
                media,
                ErrorCode::BadUserInput,
                &message,
            );
        }
    };
    if let Some(refused) = oversized(&ctx, media, &params) {
        return refused;
    }
    if selected_operation(&params).is_some_and(|(_, ty)| ty == OperationType::Mutation) {
        let mut response = request_error(
            StatusCode::METHOD_NOT_ALLOWED,
            media,
            ErrorCode::BadUserInput,
            "Mutations must be sent with POST",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    execute(&ctx, &headers, client_ip, media, params).await
}

fn not_acceptable() -> Response {
    request_error(
        StatusCode::NOT_ACCEPTABLE,
        Media::Json,
        ErrorCode::BadUserInput,
        "Accept application/graphql-response+json or application/json",
    )
}

/// A document over `max_query_bytes`, refused before it is parsed (even for the GET check
/// of its operation type).
fn oversized(ctx: &HttpContext, media: Media, params: &Params) -> Option<Response> {
    let error =
        pipeline::check_query_size(&params.query, ctx.state.config.limits.max_query_bytes).err()?;
    let mut response = async_graphql::Response::from_errors(vec![error]);
    pipeline::finish(
        &ctx.state.metrics,
        params.operation_name.as_deref(),
        Instant::now(),
        &mut response,
    );
    Some(respond(
        StatusCode::BAD_REQUEST,
        media,
        &json!({ "errors": response.errors }),
    ))
}

async fn execute(
    ctx: &HttpContext,
    headers: &HeaderMap,
    client_ip: Option<ClientIp>,
    media: Media,
    params: Params,
) -> Response {
    if let Some(refused) = oversized(ctx, media, &params) {
        return refused;
    }
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let viewer = match authenticate(&ctx.state, authorization).await {
        Ok(viewer) => viewer,
        Err(error) => {
            let status = error.code().status();
            let mut response =
                async_graphql::Response::from_errors(vec![pipeline::server_error(error)]);
            pipeline::finish(
                &ctx.state.metrics,
                params.operation_name.as_deref(),
                Instant::now(),
                &mut response,
            );
            return respond(status, media, &json!({ "errors": response.errors }));
        }
    };

    let mut request =
        Request::new(params.query).variables(Variables::from_json(Value::Object(params.variables)));
    if let Some(name) = params.operation_name {
        request = request.operation_name(name);
    }
    for (key, value) in params.extensions {
        if let Ok(value) = async_graphql::Value::from_json(value) {
            request.extensions.insert(key, value);
        }
    }
    if let Some(viewer) = viewer {
        request = request.data(viewer);
    }
    if let Some(client_ip) = client_ip {
        request = request.data(client_ip);
    }
    // Codes and metrics come from the schema's request pipeline.
    let response = ctx.schema.execute(request).await;

    let request_failed = is_request_error(&response);
    let refused = response.errors.iter().any(pipeline::is_limit_refusal);
    // application/json answers validation errors with 200, as the spec asks of that legacy
    // media type; a refusal by a limit is 400 whatever the media type.
    let status = if request_failed && (media == Media::GraphQLResponse || refused) {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let mut http_response = if request_failed && media == Media::GraphQLResponse {
        // The spec's graphql-response+json: a request that never executed has no data entry.
        let mut body = serde_json::to_value(&response).unwrap_or_else(|_| json!({}));
        if let Value::Object(map) = &mut body {
            map.remove("data");
        }
        respond(status, media, &body)
    } else {
        // Written straight from the response, without a JSON tree in between.
        respond(status, media, &response)
    };
    super::rate_limit::answer_refusal_with_429(&response, &mut http_response);
    http_response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn content_negotiation_follows_the_clients_order() {
        assert_eq!(negotiate(&HeaderMap::new()), Some(Media::Json));
        assert_eq!(negotiate(&accept("*/*")), Some(Media::Json));
        assert_eq!(negotiate(&accept("application/json")), Some(Media::Json));
        assert_eq!(
            negotiate(&accept(
                "application/graphql-response+json, application/json;q=0.9"
            )),
            Some(Media::GraphQLResponse)
        );
        assert_eq!(negotiate(&accept("text/plain")), None);
    }

    #[test]
    fn parameters_of_the_wrong_type_are_refused() {
        assert!(params_from_json(json!({"query": 1})).is_err());
        assert!(params_from_json(json!({"qeury": "{ a }"})).is_err());
        assert!(params_from_json(json!({"query": "{ a }", "variables": "x"})).is_err());
        assert!(params_from_json(json!({"query": "{ a }", "operationName": 3})).is_err());
        assert!(params_from_json(json!({"query": "{ a }", "variables": null})).is_ok());
    }

    #[test]
    fn mutations_are_recognised_by_operation_name() {
        let params = params_from_json(json!({
            "query": "query A { a } mutation B { b }", "operationName": "B"
        }))
        .unwrap();
        assert_eq!(
            selected_operation(&params),
            Some((Some("B".into()), OperationType::Mutation))
        );
        let params = params_from_json(
            json!({"query": "query A { a } mutation B { b }", "operationName": "A"}),
        )
        .unwrap();
        assert_eq!(
            selected_operation(&params),
            Some((Some("A".into()), OperationType::Query))
        );
    }
}
