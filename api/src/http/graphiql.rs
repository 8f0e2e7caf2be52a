//! GraphiQL for browsers. A browser's `GET /api/graphql` is sent to the frontend's
//! `/graphiql` page, which bundles the playground in our own build (no CDN, works offline)
//! and runs under the frontend's Content-Security-Policy.

use axum::response::{IntoResponse, Redirect, Response};

/// The frontend route that renders GraphiQL.
pub const PAGE: &str = "/graphiql";

/// 303 See Other to the playground page.
pub fn redirect() -> Response {
    Redirect::to(PAGE).into_response()
}
