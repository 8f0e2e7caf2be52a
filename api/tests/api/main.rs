//! End-to-end tests: the real server on a random port, real HTTP and WebSocket clients, a real
//! database (SQLite by default; PostgreSQL, one fresh database per test, when
//! TEST_DATABASE_URL is set).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod aws_fakes;
mod bedrock;
mod bedrock_editing;
mod browser;
mod editing;
mod generations;
mod helpers;
mod http;
mod quota;
mod rate_limits;
mod replicas;
mod request_pipeline;
mod schema;
mod schema_fuzz;
mod server;
mod sessions;
mod statements;
mod storage;
mod webhooks;
mod websocket;
mod websocket_limits;
mod ws_client;
