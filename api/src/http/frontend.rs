//! The built frontend at `/`, with client-side routes falling back to `index.html`. Before the
//! frontend is built, a small page says how to build it.

use std::path::Path;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use axum::routing::{MethodRouter, get};
use tower_http::services::{ServeDir, ServeFile};

const NOT_BUILT: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>RenderMart</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem">
<h1>RenderMart is running</h1>
<p>The API is up, but the web frontend has not been built yet. Build it with</p>
<pre>npm --prefix frontend ci &amp;&amp; npm --prefix frontend run build</pre>
<p>and reload this page. GraphiQL, the API playground, is part of that build; meanwhile the
GraphQL endpoint answers at <code>/api/graphql</code>.</p>
</body></html>"#;

pub fn service(dir: &Path) -> MethodRouter {
    let index = dir.join("index.html");
    if index.is_file() {
        let files = ServeDir::new(dir).fallback(ServeFile::new(index));
        axum::routing::get_service(files)
    } else {
        get(|| async { (StatusCode::OK, Html(NOT_BUILT)).into_response() })
    }
}
