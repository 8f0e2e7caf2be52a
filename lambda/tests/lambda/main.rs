//! The Lambda function fed API Gateway HTTP API events (payload format 2.0) from the JSON
//! files in `tests/fixtures/`, on a real SQLite database in a temporary data dir.
//!
//! `handler` drives the router in-process, as `lambda_http` does after decoding an event;
//! `runtime` runs the `bootstrap` binary itself against a stand-in for the Lambda Runtime API,
//! so configuration from the environment and the gateway's response format are covered too.
// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod handler;
mod helpers;
mod runtime;
