//! The request pipeline's limits, codes and metrics, on the real server over HTTP and both
//! WebSocket sub-protocols.

use serde_json::{Value, json};

use crate::helpers::{GqlResponse, TestApp, spawn_app};
use crate::ws_client::{LEGACY, TRANSPORT, WsClient};

/// graphql-js's `getIntrospectionQuery()` with every option on: what GraphiQL sends.
const GRAPHIQL_INTROSPECTION: &str = r#"
query IntrospectionQuery {
  __schema {
    description
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives {
      name
      description
      isRepeatable
      locations
      args(includeDeprecated: true) { ...InputValue }
    }
  }
}
fragment FullType on __Type {
  kind
  name
  description
  specifiedByURL
  fields(includeDeprecated: true) {
    name
    description
    args(includeDeprecated: true) { ...InputValue }
    type { ...TypeRef }
    isDeprecated
    deprecationReason
  }
  inputFields(includeDeprecated: true) { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue {
  name
  description
  type { ...TypeRef }
  defaultValue
  isDeprecated
  deprecationReason
}
fragment TypeRef on __Type {
  kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name
  ofType { kind name } } } } } } } } } }
}
"#;

async fn post_with_accept(app: &TestApp, accept: &str, body: Value) -> GqlResponse {
    let response = app
        .client
        .post(format!("{}/api/graphql", app.url))
        .header("accept", accept)
        .json(&body)
        .send()
        .await
        .unwrap();
    GqlResponse {
        status: response.status().as_u16(),
        body: response.json().await.unwrap(),
    }
}

/// Asserts a refusal by `limit`: 400, BAD_USER_INPUT, nothing executed.
fn assert_refused(response: &GqlResponse, limit: &str) {
    assert_eq!(response.status, 400, "{}", response.body);
    assert_eq!(response.error_code(), "BAD_USER_INPUT");
    assert_eq!(
        response.body["errors"][0]["extensions"]["limit"], limit,
        "{}",
        response.body
    );
    assert!(response.body["data"].is_null(), "{}", response.body);
}

/// Sends `query` as a subscription over a new socket and returns the `error` message's
/// errors (both protocols answer an operation that cannot run with `error`).
async fn ws_errors(app: &TestApp, protocol: &str, query: &str, variables: Value) -> Vec<Value> {
    let mut ws = WsClient::connected(&app.url, protocol, None).await;
    let start = if protocol == TRANSPORT {
        "subscribe"
    } else {
        "start"
    };
    ws.send(
        json!({ "type": start, "id": "1", "payload": { "query": query, "variables": variables } }),
    )
    .await;
    let message = ws.next_json().await;
    assert_eq!(message["type"], "error", "{message}");
    assert_eq!(message["id"], "1");
    message["payload"].as_array().cloned().unwrap_or_default()
}

async fn assert_ws_refused(app: &TestApp, query: &str, variables: Value, limit: &str) {
    for protocol in [TRANSPORT, LEGACY] {
        let errors = ws_errors(app, protocol, query, variables.clone()).await;
        assert_eq!(
            errors[0]["extensions"]["code"], "BAD_USER_INPUT",
            "{errors:?}"
        );
        assert_eq!(errors[0]["extensions"]["limit"], limit, "{errors:?}");
    }
}

fn aliased(field: &str, times: usize) -> String {
    (0..times)
        .map(|i| format!("a{i}: {field}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[tokio::test]
async fn cost_multiplies_page_sizes_so_an_aliased_page_bomb_is_refused() {
    let app = spawn_app().await;
    let token = app.sign_up("bomb@example.com").await;
    // 100 generations × 15 × 5 images × 3 generations × 3 × 5 images: 67,500 images, in a
    // document of a few kilobytes.
    let inner = aliased("images { id }", 3);
    let middle = aliased(&format!("generation {{ {inner} }}"), 3);
    let bomb = format!(
        "{{ generations(first: 100) {{ edges {{ node {{ {} }} }} }} }}",
        aliased(&format!("images {{ {middle} }}"), 15)
    );
    let response = app.gql(&bomb, json!({}), Some(&token)).await;
    assert_refused(&response, "max_query_complexity");
    assert!(
        response.error_message().contains("first"),
        "{}",
        response.body
    );
    assert_ws_refused(&app, &bomb, json!({}), "max_query_complexity").await;

    // The same shape without aliases is an ordinary query.
    let plain = "{ generations(first: 100) { edges { node { images { generation { images { id } } } } } } }";
    let response = app.gql(plain, json!({}), Some(&token)).await;
    response.data();

    // A page asked for through a variable costs the same as one written inline.
    let limit = app.state.config.limits.max_query_complexity;
    let wide = format!(
        "query($n: Int) {{ generations(first: $n) {{ edges {{ node {{ {} }} }} }} }}",
        aliased("images { id width height url thumbnailUrl seed }", 15)
    );
    let small = app.gql(&wide, json!({ "n": 1 }), Some(&token)).await;
    small.data();
    let large = app.gql(&wide, json!({ "n": 100 }), Some(&token)).await;
    assert_refused(&large, "max_query_complexity");
    assert!(
        large.error_message().contains(&limit.to_string()),
        "{}",
        large.body
    );
}

#[tokio::test]
async fn graphiql_introspection_and_every_frontend_operation_pass_the_limits() {
    let app = spawn_app().await;
    let introspection = app.gql(GRAPHIQL_INTROSPECTION, json!({}), None).await;
    assert!(
        introspection.data()["__schema"]["types"]
            .as_array()
            .unwrap()
            .len()
            > 10
    );

    let token = app.sign_up("frontend@example.com").await;
    let generation = app.generate(&token, json!({ "prompt": "a fox" })).await;
    let finished = app.finished(&token, &generation).await;
    let image = finished["images"][0]["id"].as_str().unwrap().to_owned();
    let operations = frontend_operations();
    assert!(operations.len() >= 20, "{operations:?}");
    for (name, document) in operations {
        let variables = json!({
            "first": 100,
            "id": if name.contains("Generation") { &generation } else { &image },
            "input": match name.as_str() {
                "SignUp" => json!({ "email": "new@example.com", "password": "long enough password", "displayName": "N" }),
                "LogIn" => json!({ "email": "frontend@example.com", "password": "correct horse battery" }),
                "GenerateImages" => json!({ "prompt": "a heron" }),
                _ => json!({}),
            },
            "name": "key",
            "visibility": "PUBLIC",
            "favorite": true,
        });
        let response = app
            .gql(
                &document,
                variables
                    .as_object()
                    .map(|v| {
                        // Only the variables the operation declares.
                        Value::Object(
                            v.iter()
                                .filter(|(k, _)| document.contains(&format!("${k}:")))
                                .map(|(k, v)| (k.clone(), v.clone()))
                                .collect(),
                        )
                    })
                    .unwrap(),
                Some(&token),
            )
            .await;
        for error in response.body["errors"].as_array().into_iter().flatten() {
            assert!(
                error["extensions"]["limit"].is_null(),
                "{name} was refused: {error}"
            );
            assert_ne!(error["extensions"]["code"], "INTERNAL", "{name}: {error}");
        }
    }
}

/// The frontend's operations as sent: every `graphql(`…`)` document of `frontend/src` that
/// is an operation, with the fragments it spreads (which live beside their components).
fn frontend_operations() -> Vec<(String, String)> {
    fn sources(dir: &std::path::Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
            if path.is_dir() {
                if name != "generated" {
                    sources(&path, found);
                }
            } else if (name.ends_with(".ts") || name.ends_with(".tsx")) && !name.contains(".test.")
            {
                found.push(std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    let mut files = Vec::new();
    sources(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../frontend/src"),
        &mut files,
    );
    let documents: Vec<String> = files
        .iter()
        .flat_map(|source| source.split("graphql(`").skip(1))
        .map(|part| part.split('`').next().unwrap().trim().to_owned())
        .collect();
    let name_after = |document: &str, keyword: &str| -> Option<String> {
        let rest = document.strip_prefix(keyword)?.trim_start();
        let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_'))?;
        Some(rest[..end].to_owned())
    };
    let fragments: std::collections::HashMap<String, String> = documents
        .iter()
        .filter_map(|d| Some((name_after(d, "fragment")?, d.clone())))
        .collect();
    fn with_fragments(
        text: &str,
        fragments: &std::collections::HashMap<String, String>,
        seen: &mut Vec<String>,
        out: &mut String,
    ) {
        out.push_str(text);
        out.push('\n');
        for spread in text.split("...").skip(1) {
            let name: String = spread
                .trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if let Some(fragment) = fragments.get(&name)
                && !seen.contains(&name)
            {
                seen.push(name);
                with_fragments(fragment, fragments, seen, out);
            }
        }
    }
    documents
        .iter()
        .filter_map(|document| {
            let name = ["query", "mutation", "subscription"]
                .iter()
                .find_map(|keyword| name_after(document, keyword))?;
            let mut text = String::new();
            with_fragments(document, &fragments, &mut Vec::new(), &mut text);
            Some((name, text))
        })
        .collect()
}

#[tokio::test]
async fn more_aliases_of_one_field_than_allowed_are_refused() {
    let app = spawn_app().await;
    let max = app.state.config.limits.max_aliases_per_field;
    let allowed = format!("{{ {} }}", aliased("__typename", max));
    app.gql(&allowed, json!({}), None).await.data();

    let refused = format!("{{ {} }}", aliased("__typename", max + 1));
    let response = app.gql(&refused, json!({}), None).await;
    assert_refused(&response, "max_aliases_per_field");
    assert_eq!(response.error_field(), "__typename");
    assert_ws_refused(&app, &refused, json!({}), "max_aliases_per_field").await;

    // Nested selection sets are counted too.
    let nested = format!(
        "{{ publicImages(first: 1) {{ edges {{ node {{ {} }} }} }} }}",
        aliased("url", max + 1)
    );
    assert_refused(
        &app.gql(&nested, json!({}), None).await,
        "max_aliases_per_field",
    );
}

#[tokio::test]
async fn more_directives_than_allowed_are_refused() {
    let app = spawn_app().await;
    let max = app.state.config.limits.max_directives;
    let fragments = |n: usize| {
        format!(
            "{{ {} }}",
            (0..n)
                .map(|_| "... @include(if: true) { __typename }")
                .collect::<Vec<_>>()
                .join(" ")
        )
    };
    app.gql(&fragments(max), json!({}), None).await.data();
    let response = app.gql(&fragments(max + 1), json!({}), None).await;
    assert_refused(&response, "max_directives");
    assert_ws_refused(&app, &fragments(max + 1), json!({}), "max_directives").await;
}

#[tokio::test]
async fn a_200_kb_query_is_refused_before_it_is_parsed() {
    let app = spawn_app().await;
    let max = app.state.config.limits.max_query_bytes;
    let huge = format!("{{ {} }}", "__typename ".repeat(200 * 1024 / 11));
    let response = app.gql(&huge, json!({}), None).await;
    assert_refused(&response, "max_query_bytes");
    assert!(response.error_message().contains(&max.to_string()));

    // Not parsed: a long document that is not even GraphQL gets the same answer.
    let garbage = "{".repeat(max + 1);
    assert_refused(&app.gql(&garbage, json!({}), None).await, "max_query_bytes");

    // GET, where the server would otherwise parse the document to refuse mutations.
    let long_get = format!("{{ {} }}", "__typename ".repeat(max / 10));
    let response = app
        .client
        .get(format!("{}/api/graphql", app.url))
        .query(&[("query", long_get.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["limit"], "max_query_bytes");

    // Over WebSocket, a message small enough for the socket but too long a document.
    let over = format!("{{ {} }}", "__typename ".repeat(max / 10 + 10));
    assert_ws_refused(&app, &over, json!({}), "max_query_bytes").await;

    // Deep nesting within the size limit never crashes the parser.
    let deep = format!("{}{}", "{a".repeat(max / 3), "}".repeat(max / 3));
    let response = app.gql(&deep, json!({}), None).await;
    assert_eq!(response.error_code(), "BAD_USER_INPUT");
    let deep_value = format!(
        "{{ publicImages(after: {}{}) {{ edges {{ cursor }} }} }}",
        "[".repeat(max / 3),
        "]".repeat(max / 3)
    );
    let response = app.gql(&deep_value, json!({}), None).await;
    assert_eq!(response.error_code(), "BAD_USER_INPUT");
}

#[tokio::test]
async fn a_fragment_bomb_is_refused_before_validation() {
    let app = spawn_app().await;
    // Each fragment spreads the next twice: 2^30 fields once spread, within async-graphql's
    // recursion limit of 32.
    let mut document = String::from("query { ...F0 }\n");
    for i in 0..30 {
        document.push_str(&format!(
            "fragment F{i} on Query {{ ...F{n} ...F{n} }}\n",
            n = i + 1
        ));
    }
    document.push_str("fragment F30 on Query { __typename }\n");
    let started = std::time::Instant::now();
    let response = app.gql(&document, json!({}), None).await;
    assert_refused(&response, "max_query_complexity");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[tokio::test]
async fn queries_nested_deeper_than_allowed_are_refused() {
    let app = spawn_app().await;
    let max = app.state.config.limits.max_query_depth;
    // Generation.images → Image.generation → … nests as deep as one likes.
    let mut open = String::from("{ generation(id: \"x\") {");
    let mut close = String::from("} }");
    for level in 0..max {
        open.push_str(if level % 2 == 0 {
            " images {"
        } else {
            " generation {"
        });
        close.insert(0, '}');
    }
    let query = format!("{open} id {close}");
    let response = app.gql(&query, json!({}), None).await;
    assert_refused(&response, "max_query_depth");
}

#[tokio::test]
async fn password_checking_mutations_run_at_most_once_per_request() {
    let app = spawn_app().await;
    let sign_up = |alias: &str, email: &str| {
        format!(
            "{alias}: signUp(input: {{ email: \"{email}\", password: \"long enough password\", displayName: \"D\" }}) {{ token }}"
        )
    };
    let two = format!(
        "mutation {{ {} {} }}",
        sign_up("a", "one@example.com"),
        sign_up("b", "two@example.com")
    );
    let response = app.gql(&two, json!({}), None).await;
    assert_refused(&response, "password_fields");
    assert!(response.error_message().contains("logIn"));

    // Nothing ran: neither account exists.
    for email in ["one@example.com", "two@example.com"] {
        let login = app
            .gql(
                "mutation($e: String!) { logIn(input: { email: $e, password: \"long enough password\" }) { token } }",
                json!({ "e": email }),
                None,
            )
            .await;
        assert_eq!(login.error_code(), "UNAUTHENTICATED", "{}", login.body);
    }

    // Hidden in fragments, or mixed with logIn, they count the same.
    let hidden = format!(
        "mutation {{ ...A ... on Mutation {{ logIn(input: {{ email: \"x@example.com\", password: \"p\" }}) {{ token }} }} }} fragment A on Mutation {{ {} }}",
        sign_up("c", "three@example.com")
    );
    assert_refused(&app.gql(&hidden, json!({}), None).await, "password_fields");
    assert_ws_refused(&app, &two, json!({}), "password_fields").await;

    // One per request is fine, next to other fields.
    let one = format!("mutation {{ {} }}", sign_up("only", "three@example.com"));
    app.gql(&one, json!({}), None).await.data();
}

#[tokio::test]
async fn out_of_range_numbers_are_bad_user_input_before_execution() {
    let app = spawn_app().await;
    let token = app.sign_up("numbers@example.com").await;
    for field in ["publicImages", "images", "generations", "prompts"] {
        let inline = format!("{{ {field}(first: 2147483648) {{ edges {{ cursor }} }} }}");
        let response = app.gql(&inline, json!({}), Some(&token)).await;
        assert_refused(&response, "int_range");
        assert_eq!(response.error_field(), "first");
        assert!(response.error_message().contains("2147483647"));

        let variable = format!("query($n: Int) {{ {field}(first: $n) {{ edges {{ cursor }} }} }}");
        for n in [json!(2147483648i64), json!(-2147483649i64), json!(u64::MAX)] {
            let response = app.gql(&variable, json!({ "n": n }), Some(&token)).await;
            assert_refused(&response, "int_range");
        }
        assert_ws_refused(&app, &inline, json!({}), "int_range").await;
    }

    // Inside an input object, named by its field.
    let response = app
        .gql(
            "mutation($input: GenerateImagesInput!) { generateImages(input: $input) { id } }",
            json!({ "input": { "prompt": "x", "width": 99999999999i64 } }),
            Some(&token),
        )
        .await;
    assert_refused(&response, "int_range");
    assert_eq!(response.error_field(), "width");
    let jobs = app
        .gql(
            "{ generations { edges { cursor } } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(jobs.data()["generations"]["edges"], json!([]));
}

#[tokio::test]
async fn every_coercion_and_validation_failure_is_bad_user_input() {
    let app = spawn_app().await;
    let cases = [
        (
            "{ generations(status: NOT_A_STATUS) { edges { cursor } } }",
            json!({}),
        ),
        (
            "query($s: GenerationStatus) { generations(status: $s) { edges { cursor } } }",
            json!({ "s": "NOPE" }),
        ),
        (
            "query($n: Int) { publicImages(first: $n) { edges { cursor } } }",
            json!({ "n": "ten" }),
        ),
        (
            "query($n: Int) { publicImages(first: $n) { edges { cursor } } }",
            json!({ "n": 1.5 }),
        ),
        (
            "{ publicImages(first: \"ten\") { edges { cursor } } }",
            json!({}),
        ),
        ("query($id: ID!) { generation(id: $id) { id } }", json!({})),
        // PostgreSQL text cannot hold U+0000: refused on every database before anything runs.
        (
            "mutation($name: String!) { createApiKey(name: $name) { secret } }",
            json!({ "name": "nul\u{0}key" }),
        ),
        ("{ nope }", json!({})),
        ("{", json!({})),
    ];
    for (query, variables) in cases {
        for accept in ["application/json", "application/graphql-response+json"] {
            let response = post_with_accept(
                &app,
                accept,
                json!({ "query": query, "variables": variables }),
            )
            .await;
            assert_eq!(
                response.error_code(),
                "BAD_USER_INPUT",
                "{query}: {}",
                response.body
            );
            if accept == "application/graphql-response+json" {
                assert_eq!(response.status, 400, "{query}");
                assert!(response.body.get("data").is_none(), "{query}");
            }
        }
        for protocol in [TRANSPORT, LEGACY] {
            let errors = ws_errors(&app, protocol, query, variables.clone()).await;
            assert_eq!(
                errors[0]["extensions"]["code"], "BAD_USER_INPUT",
                "{query}: {errors:?}"
            );
        }
    }
}

async fn metrics_text(app: &TestApp) -> String {
    app.get("/api/metrics").await.text().await.unwrap()
}

fn counter(text: &str, series: &str) -> u64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series))
        .and_then(|rest| rest.trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn both_transports_give_the_same_codes_and_count_in_the_metrics() {
    let app = spawn_app().await;
    let before = metrics_text(&app).await;
    let requests = r#"rendermart_graphql_requests_total{operation="Models"}"#;
    let other = r#"rendermart_graphql_requests_total{operation="other"}"#;
    let bad_input = r#"rendermart_graphql_errors_total{code="BAD_USER_INPUT"}"#;
    let unauthenticated = r#"rendermart_graphql_errors_total{code="UNAUTHENTICATED"}"#;

    // A validation error over HTTP and over WebSocket: the same code.
    let http = app.gql("query Invented { nope }", json!({}), None).await;
    assert_eq!(http.error_code(), "BAD_USER_INPUT");
    let ws = ws_errors(&app, TRANSPORT, "query Invented { nope }", json!({})).await;
    assert_eq!(ws[0]["extensions"]["code"], "BAD_USER_INPUT");
    assert_eq!(ws[0]["message"], http.body["errors"][0]["message"]);

    // A resolver error over WebSocket, inside a result.
    let mut socket = WsClient::connected(&app.url, TRANSPORT, None).await;
    socket
        .subscribe("v", "query Models { models { id } } ", json!({}))
        .await;
    let results = socket.collect_until_complete("v").await;
    assert!(results[0]["data"]["models"].is_array());
    socket
        .subscribe(
            "g",
            "subscription { myGenerationUpdates { id } }",
            json!({}),
        )
        .await;
    let message = socket.next_json().await;
    let errors = if message["type"] == "error" {
        message["payload"].clone()
    } else {
        message["payload"]["errors"].clone()
    };
    assert_eq!(
        errors[0]["extensions"]["code"], "UNAUTHENTICATED",
        "{message}"
    );

    let after = metrics_text(&app).await;
    assert_eq!(
        counter(&after, requests),
        counter(&before, requests) + 1,
        "{after}"
    );
    assert_eq!(
        counter(&after, other),
        counter(&before, other) + 2,
        "{after}"
    );
    assert_eq!(
        counter(&after, bad_input),
        counter(&before, bad_input) + 2,
        "{after}"
    );
    assert_eq!(
        counter(&after, unauthenticated),
        counter(&before, unauthenticated) + 1,
        "{after}"
    );
    // Client-chosen names never become labels.
    assert!(!after.contains("Invented"), "{after}");
}
