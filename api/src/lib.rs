//! RenderMart's server: GraphQL over HTTP and WebSocket, generation workers, engines and
//! storage. `main.rs` is a thin command-line front; tests build the same `Application`.

pub mod auth;
pub mod bench_data;
pub mod config;
pub mod engines;
pub mod error;
pub mod graphql;
pub mod http;
pub mod imaging;
pub mod jobs;
pub mod limits;
pub mod memory;
pub mod metrics;
pub mod service;
pub mod startup;
pub mod state;
pub mod storage;
pub mod webhooks;
