//! The server loop's limits, seen from raw TCP clients: header-read and request timeouts, the
//! body limit, the connection cap.

use std::time::{Duration, Instant};

use entity::generation::{self, Status};
use sea_orm::EntityTrait;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{generation_key, spawn_app, spawn_app_with};
use crate::ws_client::{TRANSPORT, WsClient};

async fn connect(url: &str) -> TcpStream {
    TcpStream::connect(url.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// Everything the server sends until it closes the connection; fails after `within`.
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> String {
    let mut received = Vec::new();
    let read = tokio::time::timeout(within, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(
        read.is_ok(),
        "the server kept the connection open for {within:?}"
    );
    String::from_utf8_lossy(&received).into_owned()
}

/// The status line and headers of one response, read from a connection that stays open.
async fn read_head(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut received = Vec::new();
    tokio::time::timeout(within, async {
        let mut byte = [0u8; 1];
        while !received.ends_with(b"\r\n\r\n") {
            if stream.read(&mut byte).await.unwrap() == 0 {
                break;
            }
            received.push(byte[0]);
        }
    })
    .await
    .ok()?;
    Some(String::from_utf8_lossy(&received).into_owned())
}

const HEALTHZ: &[u8] = b"GET /api/healthz HTTP/1.1\r\nHost: test\r\n\r\n";

#[tokio::test]
async fn clients_that_never_finish_their_headers_are_disconnected() {
    let app = spawn_app_with(|s| s.limits.header_read_timeout_seconds = Some(1)).await;

    let mut half_headers = connect(&app.url).await;
    half_headers
        .write_all(b"POST /api/graphql HTTP/1.1\r\nHost: test\r\nContent-Ty")
        .await
        .unwrap();
    // One that sends nothing at all, and one that starts HTTP/2's preface and stops.
    let mut silent = connect(&app.url).await;
    let mut half_preface = connect(&app.url).await;
    half_preface.write_all(b"PRI * HTTP/2.0\r\n").await.unwrap();

    for stream in [&mut half_headers, &mut silent, &mut half_preface] {
        let answer = read_until_closed(stream, Duration::from_secs(5)).await;
        assert!(!answer.contains("200 OK"), "{answer}");
    }

    // A client that sends its request in time is served.
    let mut prompt = connect(&app.url).await;
    prompt.write_all(HEALTHZ).await.unwrap();
    let head = read_head(&mut prompt, Duration::from_secs(5))
        .await
        .unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_with_413() {
    let app = spawn_app_with(|s| s.limits.max_body_bytes = Some(2048)).await;
    let padded = format!("{{ __typename }} #{}", "x".repeat(4000));
    let response = app
        .client
        .post(format!("{}/api/graphql", app.url))
        .json(&json!({ "query": padded }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let message = response.text().await.unwrap();
    assert!(message.contains("2048 bytes"), "{message}");

    // Without a Content-Length the body is cut off while it is read.
    let mut chunked = connect(&app.url).await;
    let body = format!(r#"{{"query": "{{ __typename }} #{}"}}"#, "x".repeat(4000));
    chunked
        .write_all(
            format!(
                "POST /api/graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
                 Transfer-Encoding: chunked\r\n\r\n{:x}\r\n{body}\r\n0\r\n\r\n",
                body.len()
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let head = read_head(&mut chunked, Duration::from_secs(5))
        .await
        .unwrap();
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");

    // Under the limit all is well.
    let ok = app.gql("{ __typename }", json!({}), None).await;
    assert_eq!(ok.data()["__typename"], "Query");
}

#[tokio::test]
async fn a_request_slower_than_the_limit_gets_408() {
    let app = spawn_app_with(|s| s.limits.request_timeout_seconds = Some(1)).await;
    let mut slow = connect(&app.url).await;
    // Announces 100 bytes of body and sends 10.
    slow.write_all(
        b"POST /api/graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
          Content-Length: 100\r\n\r\n{\"query\": ",
    )
    .await
    .unwrap();
    let answer = read_head(&mut slow, Duration::from_secs(5)).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let mut body = [0u8; 200];
    let n = slow.read(&mut body).await.unwrap();
    let body = String::from_utf8_lossy(&body[..n]);
    assert!(
        body.contains("longer than this server allows (1 s)"),
        "{body}"
    );
}

#[tokio::test]
async fn websockets_outlive_the_request_timeout() {
    let app = spawn_app_with(|s| s.limits.request_timeout_seconds = Some(1)).await;
    let token = app.sign_up("long-lived@example.com").await;
    let mut ws = WsClient::connected(&app.url, TRANSPORT, Some(&token)).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let id = app
        .generate(
            &token,
            json!({ "prompt": "a sun", "width": 64, "height": 64 }),
        )
        .await;
    ws.subscribe(
        "late",
        "subscription($id: ID!) { generationUpdates(id: $id) { status } }",
        json!({ "id": id }),
    )
    .await;
    let updates = ws.collect_until_complete("late").await;
    let last = &updates.last().unwrap()["data"]["generationUpdates"];
    assert_eq!(last["status"], "SUCCEEDED", "{last}");
}

#[tokio::test]
async fn beyond_the_connection_cap_new_connections_wait_for_a_free_slot() {
    let app = spawn_app_with(|s| s.limits.max_connections = Some(2)).await;
    // A WebSocket holds its slot for as long as it is open; an idle connection holds one too.
    let ws = WsClient::connected(&app.url, TRANSPORT, None).await;
    let _idle = connect(&app.url).await;

    let mut waiting = connect(&app.url).await;
    waiting.write_all(HEALTHZ).await.unwrap();
    assert_eq!(
        read_head(&mut waiting, Duration::from_secs(1)).await,
        None,
        "a third connection was served while two were open"
    );

    drop(ws);
    let head = read_head(&mut waiting, Duration::from_secs(5))
        .await
        .expect("the waiting connection was not served after a slot freed");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
}

#[tokio::test]
async fn requests_are_answered_quickly_while_a_large_offline_job_is_painted() {
    // The test's runtime has one thread, so painting on it would stall every request.
    let app = spawn_app().await;
    let token = app.sign_up("large@example.com").await;
    let id = app
        .generate(
            &token,
            json!({ "prompt": "a castle, a tree, a tower and a sun by the sea", "width": 2048, "height": 2048, "count": 2 }),
        )
        .await;
    let key = generation_key(&id);
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut answered_while_running = 0;
    let status = loop {
        let row = generation::Entity::find_by_id(key)
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap();
        if row.status.is_terminal() {
            break row.status;
        }
        assert!(Instant::now() < deadline, "the job did not finish");
        let started = Instant::now();
        let answer = app.gql("{ __typename }", json!({}), None).await;
        let took = started.elapsed();
        assert_eq!(answer.data()["__typename"], "Query");
        assert!(took < Duration::from_secs(1), "a request took {took:?}");
        if row.status == Status::Running {
            answered_while_running += 1;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(status, Status::Succeeded);
    assert!(
        answered_while_running >= 3,
        "only {answered_while_running} requests ran during the job"
    );
}
