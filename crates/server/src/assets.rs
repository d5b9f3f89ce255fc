//! The UI's files, embedded in the binary so that `rolegraph serve` works offline: one HTML
//! shell for every page (the script picks the page from the path), the scripts (the graph is
//! drawn as SVG by `web/graph.js`, no third-party code) and the styles.

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

const INDEX: &str = include_str!("../web/index.html");
const APP_JS: &str = include_str!("../web/app.js");
const GRAPH_JS: &str = include_str!("../web/graph.js");
const STYLE: &str = include_str!("../web/style.css");

/// The UI's files; they need no state, so the server answers them while the analysis warms up.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/", get(page))
        .route("/roles", get(page))
        .route("/role", get(page))
        .route("/findings", get(page))
        .route("/users", get(page))
        .route("/least-privilege", get(page))
        .route("/resources", get(page))
        .route("/resource", get(page))
        .route("/diff", get(page))
        .route("/static/app.js", get(|| async { js(APP_JS) }))
        .route("/static/graph.js", get(|| async { js(GRAPH_JS) }))
        .route("/static/style.css", get(|| async { ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE) }))
        .fallback(|| async { (StatusCode::NOT_FOUND, "not found\n") })
}

async fn page() -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], INDEX).into_response()
}

fn js(body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], body).into_response()
}
