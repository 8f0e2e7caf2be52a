//! Rate limits and per-user caps on the real server: logIn and signUp per client IP and per
//! email, generateImages and retryGeneration per user, the queued-jobs cap, the per-IP request
//! rate (HTTP 429 with Retry-After), X-Forwarded-For behind trusted proxies only, and
//! `RENDERMART_RATE_LIMITS=off`.

use api::config::{LimitSettings, Settings};
use serde_json::{Value, json};

use crate::helpers::{GENERATE, TestApp, spawn_app_with};

const LOG_IN: &str = "mutation($input: LogInInput!) { logIn(input: $input) { token } }";
const SIGN_UP: &str = "mutation($input: SignUpInput!) { signUp(input: $input) { token } }";
const RETRY: &str = "mutation($id: ID!) { retryGeneration(id: $id) { id status } }";
const CANCEL: &str = "mutation($id: ID!) { cancelGeneration(id: $id) { id status } }";

async fn app_with_limits(limits: LimitSettings) -> TestApp {
    app_with(limits, |_| {}).await
}

async fn app_with(limits: LimitSettings, customise: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_app_with(move |s| {
        s.limits = limits;
        customise(s);
    })
    .await
}

/// What a test reads from one HTTP answer.
struct Answer {
    status: u16,
    retry_after: Option<u64>,
    body: Value,
}

impl Answer {
    fn code(&self) -> &str {
        self.body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or("")
    }

    /// Checks a refusal: 429, RATE_LIMITED, a wait of at least a second in the body and in
    /// Retry-After, and a message that says when to retry. Returns the wait.
    fn assert_refused(&self, says: &str) -> u64 {
        assert_eq!(self.status, 429, "{}", self.body);
        assert_eq!(self.code(), "RATE_LIMITED", "{}", self.body);
        let error = &self.body["errors"][0];
        let seconds = error["extensions"]["retryAfter"].as_u64().unwrap();
        assert!(seconds >= 1, "{}", self.body);
        assert_eq!(
            self.retry_after,
            Some(seconds),
            "Retry-After matches retryAfter"
        );
        let message = error["message"].as_str().unwrap();
        assert!(message.contains(says), "{message}");
        assert!(message.contains("try again in"), "{message}");
        seconds
    }
}

/// POSTs a GraphQL request, optionally with a token and an X-Forwarded-For header.
async fn post(
    app: &TestApp,
    query: &str,
    variables: Value,
    token: Option<&str>,
    forwarded_for: Option<&str>,
) -> Answer {
    let mut request = app
        .client
        .post(format!("{}/api/graphql", app.url))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(hops) = forwarded_for {
        request = request.header("x-forwarded-for", hops);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse().unwrap());
    Answer {
        status,
        retry_after,
        body: response.json().await.unwrap(),
    }
}

async fn log_in(app: &TestApp, email: &str, password: &str, forwarded_for: Option<&str>) -> Answer {
    post(
        app,
        LOG_IN,
        json!({ "input": { "email": email, "password": password } }),
        None,
        forwarded_for,
    )
    .await
}

async fn sign_up(app: &TestApp, email: &str, forwarded_for: Option<&str>) -> Answer {
    post(
        app,
        SIGN_UP,
        json!({ "input": { "email": email, "password": "correct horse battery", "displayName": "T" } }),
        None,
        forwarded_for,
    )
    .await
}

const PASSWORD: &str = "correct horse battery";

#[tokio::test]
async fn login_attempts_are_limited_per_client_ip() {
    let app = app_with_limits(LimitSettings {
        login_attempts_per_ip_per_minute: Some(3),
        ..LimitSettings::default()
    })
    .await;
    app.sign_up("ann@example.com").await;
    for n in 0..3 {
        let wrong = log_in(
            &app,
            &format!("guess{n}@example.com"),
            "wrong password",
            None,
        )
        .await;
        assert_eq!(wrong.code(), "UNAUTHENTICATED", "{}", wrong.body);
    }
    // The right password does not help once the address is over its limit.
    let refused = log_in(&app, "ann@example.com", PASSWORD, None).await;
    let seconds = refused.assert_refused("login attempts from your network");
    assert!(
        seconds <= 20,
        "one attempt of 3 a minute is back within 20 s: {seconds}"
    );
    assert_eq!(refused.body["data"], Value::Null);
    // Other operations from the same address are not affected.
    let viewer = post(&app, "{ viewer { id } }", json!({}), None, None).await;
    assert_eq!(viewer.status, 200, "{}", viewer.body);
}

#[tokio::test]
async fn login_attempts_are_limited_per_email_whichever_address_they_come_from() {
    let app = app_with_limits(LimitSettings {
        trusted_proxies: Some("127.0.0.0/8".into()),
        login_attempts_per_email_per_hour: Some(2),
        ..LimitSettings::default()
    })
    .await;
    app.sign_up("bob@example.com").await;
    let wrong = log_in(
        &app,
        "bob@example.com",
        "wrong password",
        Some("198.51.100.1"),
    )
    .await;
    assert_eq!(wrong.code(), "UNAUTHENTICATED");
    let right = log_in(&app, "Bob@Example.com ", PASSWORD, Some("198.51.100.2")).await;
    assert!(
        right.body["data"]["logIn"]["token"].is_string(),
        "{}",
        right.body
    );
    // The third attempt for the address, spelled differently and from a third client.
    let refused = log_in(&app, "BOB@example.com", PASSWORD, Some("198.51.100.3")).await;
    let seconds = refused.assert_refused("login attempts for this email address");
    assert!(seconds > 60, "2 an hour come back slowly: {seconds}");
    assert!(
        refused.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("minutes"),
        "{}",
        refused.body
    );
    // Another email from the same client is still checked normally.
    let other = log_in(&app, "carol@example.com", PASSWORD, Some("198.51.100.3")).await;
    assert_eq!(other.code(), "UNAUTHENTICATED", "{}", other.body);
}

#[tokio::test]
async fn sign_ups_are_limited_per_client_ip() {
    let app = app_with_limits(LimitSettings {
        trusted_proxies: Some("127.0.0.1".into()),
        signups_per_ip_per_hour: Some(2),
        ..LimitSettings::default()
    })
    .await;
    for n in 0..2 {
        let made = sign_up(&app, &format!("s{n}@example.com"), Some("203.0.113.5")).await;
        assert!(
            made.body["data"]["signUp"]["token"].is_string(),
            "{}",
            made.body
        );
    }
    let refused = sign_up(&app, "s2@example.com", Some("203.0.113.5")).await;
    refused.assert_refused("sign-ups from your network");
    // A different client behind the same proxy has its own allowance.
    let other = sign_up(&app, "s3@example.com", Some("203.0.113.6")).await;
    assert!(
        other.body["data"]["signUp"]["token"].is_string(),
        "{}",
        other.body
    );
}

#[tokio::test]
async fn forwarded_for_is_believed_only_from_trusted_proxies() {
    let limits = LimitSettings {
        login_attempts_per_ip_per_minute: Some(1),
        ..LimitSettings::default()
    };
    // No trusted proxy: the header is the client's own claim, and the peer address counts.
    let direct = app_with_limits(limits.clone()).await;
    let first = log_in(
        &direct,
        "x@example.com",
        "wrong password",
        Some("192.0.2.1"),
    )
    .await;
    assert_eq!(first.code(), "UNAUTHENTICATED");
    let spoofed = log_in(
        &direct,
        "x@example.com",
        "wrong password",
        Some("192.0.2.2"),
    )
    .await;
    spoofed.assert_refused("login attempts from your network");

    // Behind a trusted proxy (the loopback peer), each forwarded client counts apart, and a
    // client cannot hide behind an address it puts in front of the proxy's own entry.
    let proxied = app_with_limits(LimitSettings {
        trusted_proxies: Some("127.0.0.0/8".into()),
        ..limits
    })
    .await;
    for client in ["192.0.2.1", "192.0.2.2"] {
        let answer = log_in(&proxied, "x@example.com", "wrong password", Some(client)).await;
        assert_eq!(
            answer.code(),
            "UNAUTHENTICATED",
            "{client}: {}",
            answer.body
        );
    }
    let prefixed = log_in(
        &proxied,
        "x@example.com",
        "wrong password",
        Some("10.9.9.9, 192.0.2.1"),
    )
    .await;
    prefixed.assert_refused("login attempts from your network");
}

/// Queues an offline job (the app has no workers, so it stays queued) and returns the answer.
async fn generate(app: &TestApp, token: &str, prompt: &str) -> Answer {
    post(
        app,
        GENERATE,
        json!({ "input": { "prompt": prompt } }),
        Some(token),
        None,
    )
    .await
}

fn job_id(answer: &Answer) -> String {
    answer.body["data"]["generateImages"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no job in {}", answer.body))
        .to_owned()
}

#[tokio::test]
async fn generations_are_limited_per_user_and_retries_count_too() {
    let app = app_with(
        LimitSettings {
            generations_per_user_per_minute: Some(2),
            ..LimitSettings::default()
        },
        |s| s.workers = Some(0),
    )
    .await;
    let ann = app.sign_up("gen-ann@example.com").await;
    job_id(&generate(&app, &ann, "one").await);
    job_id(&generate(&app, &ann, "two").await);
    let refused = generate(&app, &ann, "three").await;
    let seconds = refused.assert_refused("starting generations too fast");
    assert!(seconds <= 30, "{seconds}");

    // Another user has their own allowance; their retries spend it like submissions.
    let bob = app.sign_up("gen-bob@example.com").await;
    let id = job_id(&generate(&app, &bob, "one").await);
    let cancelled = post(&app, CANCEL, json!({ "id": id }), Some(&bob), None).await;
    assert_eq!(
        cancelled.body["data"]["cancelGeneration"]["status"],
        "CANCELLED"
    );
    let retried = post(&app, RETRY, json!({ "id": id }), Some(&bob), None).await;
    assert_eq!(
        retried.body["data"]["retryGeneration"]["status"], "QUEUED",
        "{}",
        retried.body
    );
    let refused = post(&app, RETRY, json!({ "id": id }), Some(&bob), None).await;
    refused.assert_refused("starting generations too fast");
}

#[tokio::test]
async fn one_user_may_have_only_so_many_queued_jobs() {
    let app = app_with(
        LimitSettings {
            max_queued_jobs_per_user: Some(2),
            ..LimitSettings::default()
        },
        |s| s.workers = Some(0),
    )
    .await;
    let token = app.sign_up("queue@example.com").await;
    let first = job_id(&generate(&app, &token, "one").await);
    job_id(&generate(&app, &token, "two").await);
    let refused = generate(&app, &token, "three").await;
    refused.assert_refused("2 generations waiting in the queue");

    // A retry is a new queued job as well.
    let cancelled = post(&app, CANCEL, json!({ "id": first }), Some(&token), None).await;
    assert_eq!(
        cancelled.body["data"]["cancelGeneration"]["status"],
        "CANCELLED"
    );
    job_id(&generate(&app, &token, "three").await);
    let refused = post(&app, RETRY, json!({ "id": first }), Some(&token), None).await;
    refused.assert_refused("waiting in the queue");

    // Other users' queues are their own.
    let other = app.sign_up("queue2@example.com").await;
    job_id(&generate(&app, &other, "mine").await);

    // When the worker has taken the queued jobs, there is room again.
    assert_eq!(app.run_queued_jobs("test-worker").await, 3);
    job_id(&generate(&app, &token, "four").await);
}

#[tokio::test]
async fn concurrent_submits_fill_the_queue_exactly_to_its_cap() {
    let app = app_with(
        LimitSettings {
            max_queued_jobs_per_user: Some(3),
            ..LimitSettings::default()
        },
        |s| s.workers = Some(0),
    )
    .await;
    let token = app.sign_up("race@example.com").await;
    let answers =
        futures::future::join_all((0..10).map(|_| generate(&app, &token, "a race"))).await;
    let queued = answers
        .iter()
        .filter(|a| a.body["data"]["generateImages"]["status"] == "QUEUED")
        .count();
    let refused = answers
        .iter()
        .filter(|a| a.code() == "RATE_LIMITED")
        .count();
    assert_eq!(
        (queued, refused),
        (3, 7),
        "{:?}",
        answers.iter().map(|a| &a.body).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn too_many_requests_from_one_address_get_429_with_retry_after() {
    let app = app_with_limits(LimitSettings {
        requests_per_ip_per_minute: Some(3),
        ..LimitSettings::default()
    })
    .await;
    for _ in 0..3 {
        let ok = post(&app, "{ __typename }", json!({}), None, None).await;
        assert_eq!(ok.status, 200, "{}", ok.body);
    }
    let refused = post(&app, "{ __typename }", json!({}), None, None).await;
    let seconds = refused.assert_refused("Too many requests from your address");
    assert!(seconds <= 20, "{seconds}");
    assert!(refused.body.get("data").is_none(), "{}", refused.body);
    // GET counts as well; health checks are not limited.
    let get = app.get("/api/graphql?query=%7B__typename%7D").await;
    assert_eq!(get.status(), 429);
    assert!(get.headers().contains_key("retry-after"));
    assert_eq!(app.get("/api/healthz").await.status(), 200);
}

#[tokio::test]
async fn switched_off_no_rate_limit_or_cap_applies() {
    let one = Some(1);
    let app = app_with(
        LimitSettings {
            rate_limits: Some("off".into()),
            requests_per_ip_per_minute: one,
            login_attempts_per_ip_per_minute: one,
            login_attempts_per_email_per_hour: one,
            signups_per_ip_per_hour: one,
            generations_per_user_per_minute: one,
            max_queued_jobs_per_user: one,
            ..LimitSettings::default()
        },
        |s| s.workers = Some(0),
    )
    .await;
    let token = app.sign_up("off@example.com").await;
    app.sign_up("off2@example.com").await;
    for _ in 0..3 {
        let answer = log_in(&app, "off@example.com", PASSWORD, None).await;
        assert!(
            answer.body["data"]["logIn"]["token"].is_string(),
            "{}",
            answer.body
        );
        let job = generate(&app, &token, "again").await;
        assert_eq!(
            job.body["data"]["generateImages"]["status"], "QUEUED",
            "{}",
            job.body
        );
    }
}
