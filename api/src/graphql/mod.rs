//! The GraphQL schema: one file per domain, merged in `schema.rs`.

mod account;
mod batches;
mod cost;
mod generation;
mod loaders;
mod models;
mod node;
pub mod pipeline;
pub mod relay;
mod schema;
mod uploads;
mod webhooks;

pub use schema::{AppSchema, build_schema, sdl};

use async_graphql::Context;

use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::http::client_ip::ClientIp;
use crate::state::AppState;

fn app_state<'a>(ctx: &Context<'a>) -> &'a AppState {
    ctx.data_unchecked::<AppState>()
}

/// The address the request came from, put in the request data by HTTP and WebSocket; 0.0.0.0
/// (not limited per IP) when a transport does not know it.
fn client_ip(ctx: &Context<'_>) -> std::net::IpAddr {
    ctx.data_opt::<ClientIp>()
        .map_or(std::net::Ipv4Addr::UNSPECIFIED.into(), |ip| ip.0)
}

/// The logged-in caller, or UNAUTHENTICATED.
fn require_viewer(ctx: &Context<'_>) -> AppResult<Viewer> {
    ctx.data_opt::<Viewer>()
        .copied()
        .ok_or_else(AppError::login_required)
}

/// True when nothing was executed: parse, validation and variable errors carry no path and
/// leave no data. HTTP answers these with 400, WebSockets with an `error` message.
pub fn is_request_error(response: &async_graphql::Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
}
