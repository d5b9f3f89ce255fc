//! HTTP API and the embedded UI of `rolegraph serve`: a read-only axum server over one loaded
//! snapshot and, optionally, the snapshot history database ([`history`]) and what a CloudTrail
//! trail recorded ([`trail`]). Everything expensive (the role summaries, the findings, the authorization graph)
//! is computed once by [`AppState::new`]; a role's record is computed when asked. The pages are
//! static HTML and vanilla JS embedded in the binary ([`assets`]) that call the JSON API ([`api`]).
//!
//! Security: loopback by default, a bearer token required on any other address
//! ([`check_bind`]), GET only, and security headers (a Content-Security-Policy without inline
//! scripts, `nosniff`, `no-referrer`, `DENY` framing) on every response.

pub mod api;
pub mod assets;
pub mod graph_view;
pub mod history;
pub mod state;
pub mod trail;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};

pub use state::{AppState, History};

/// The version of every JSON response of the API.
pub const SCHEMA_VERSION: u32 = 1;

/// The Content-Security-Policy of every response: only the server's own scripts and styles.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Errors of starting the server.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("binding to `{0}` (not a loopback address) requires `--token`")]
    TokenRequired(IpAddr),
    #[error("the token must not be empty")]
    EmptyToken,
    #[error("cannot listen on `{addr}`: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("the server stopped: {0}")]
    Io(#[from] std::io::Error),
}

/// Checks that a token is given when the address is not loopback; returns the token to require
/// (none on loopback without one).
pub fn check_bind(addr: IpAddr, token: Option<&str>) -> Result<Option<String>, ServeError> {
    match token {
        Some("") => Err(ServeError::EmptyToken),
        Some(t) => Ok(Some(t.to_owned())),
        None if addr.is_loopback() => Ok(None),
        None => Err(ServeError::TokenRequired(addr)),
    }
}

#[derive(Clone)]
struct Guard {
    token: Option<Arc<str>>,
}

/// The router: the API under `/api/`, the pages and assets, security headers, GET only, and the
/// token check when `token` is set. The token guards the API, where all the data is; the page
/// shells, scripts and styles hold no data and load without it (a `<script src>` cannot send a
/// header), and the pages pass the token of their own URL on to the API.
pub fn router(state: Arc<AppState>, token: Option<String>) -> Router {
    let guard = Guard { token: token.map(Arc::from) };
    Router::new()
        .merge(api::routes())
        .merge(history::routes())
        .merge(trail::routes())
        .merge(assets::routes())
        .with_state(state)
        .layer(middleware::from_fn_with_state(guard, protect))
}

/// Whether the request carries the token, as `Authorization: Bearer T` or `?token=T`.
fn has_token(req: &Request, token: &str) -> bool {
    let header_ok = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| constant_time_eq(t.as_bytes(), token.as_bytes()));
    let query_ok = req.uri().query().is_some_and(|q| {
        q.split('&').filter_map(|kv| kv.split_once('=')).any(|(k, v)| k == "token" && constant_time_eq(v.as_bytes(), token.as_bytes()))
    });
    header_ok || query_ok
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn protect(State(guard): State<Guard>, req: Request, next: Next) -> Response {
    let mut resp = if req.method() != Method::GET && req.method() != Method::HEAD {
        (StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, "GET, HEAD")], "read-only: GET only\n").into_response()
    } else if let Some(t) = &guard.token
        && req.uri().path().starts_with("/api/")
        && !has_token(&req, t)
    {
        (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")], "a token is required\n").into_response()
    } else {
        next.run(req).await
    };
    let h = resp.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// Binds `addr` (port 0: any free port) and returns the listener and its actual address.
pub async fn bind(addr: SocketAddr) -> Result<(tokio::net::TcpListener, SocketAddr), ServeError> {
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| ServeError::Bind { addr, source })?;
    let local = listener.local_addr()?;
    Ok((listener, local))
}

/// Serves `router` on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, router: Router) -> Result<(), ServeError> {
    axum::serve(listener, router).await?;
    Ok(())
}

/// Checks the address and token, binds, calls `on_listen` with the actual address, and serves
/// until the process ends, on a runtime of its own (for callers without one, like the CLI).
pub fn run_blocking(
    state: AppState,
    addr: SocketAddr,
    token: Option<&str>,
    on_listen: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let token = check_bind(addr.ip(), token)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let (listener, local) = bind(addr).await?;
        on_listen(local);
        serve(listener, router(Arc::new(state), token)).await
    })
}

/// As [`run_blocking`], but listens at once and computes the state (the analysis) in the
/// background: the UI's files are answered at once, every other request waits until the state
/// is ready. `progress` is told when the work starts and when it is done.
pub fn run_blocking_lazy(
    build: impl FnOnce() -> AppState + Send + 'static,
    addr: SocketAddr,
    token: Option<&str>,
    on_listen: impl FnOnce(SocketAddr),
    progress: impl Fn(Warmup) + Send + 'static,
) -> Result<(), ServeError> {
    let token = check_bind(addr.ip(), token)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let (listener, local) = bind(addr).await?;
        serve(listener, warming_router(build, token, progress, on_listen, local)).await
    })
}

/// What the background analysis of [`run_blocking_lazy`] reports.
#[derive(Clone, Copy, Debug)]
pub enum Warmup {
    Started,
    Ready(std::time::Duration),
}

/// The router of a server whose state is still being computed: the UI's files at once, the
/// rest once the state is ready (see [`run_blocking_lazy`]).
pub fn warming_router(
    build: impl FnOnce() -> AppState + Send + 'static,
    token: Option<String>,
    progress: impl Fn(Warmup) + Send + 'static,
    on_listen: impl FnOnce(SocketAddr),
    local: SocketAddr,
) -> Router {
    let (tx, rx) = tokio::sync::watch::channel::<Option<Router>>(None);
    let inner_token = token.clone();
    tokio::task::spawn_blocking(move || {
        let start = std::time::Instant::now();
        progress(Warmup::Started);
        let state = build();
        let _ = tx.send(Some(router(Arc::new(state), inner_token)));
        progress(Warmup::Ready(start.elapsed()));
    });
    on_listen(local);
    let guard = Guard { token: token.map(Arc::from) };
    Router::new()
        .merge(assets::routes())
        .route("/{*rest}", axum::routing::any(forward))
        .with_state(rx)
        .layer(middleware::from_fn_with_state(guard, protect))
}

/// Waits for the state, then answers as the full router does.
async fn forward(State(mut rx): State<tokio::sync::watch::Receiver<Option<Router>>>, req: Request) -> Response {
    use tower::ServiceExt;
    let ready = rx.wait_for(Option::is_some).await.ok().and_then(|r| r.clone());
    match ready {
        Some(r) => match r.oneshot(req).await {
            Ok(resp) => resp,
            Err(never) => match never {},
        },
        None => (StatusCode::SERVICE_UNAVAILABLE, "the analysis did not finish\n").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_required_off_loopback() {
        let any: IpAddr = "0.0.0.0".parse().unwrap();
        let lan: IpAddr = "192.168.1.5".parse().unwrap();
        let lo4: IpAddr = "127.0.0.1".parse().unwrap();
        let lo6: IpAddr = "::1".parse().unwrap();
        assert!(matches!(check_bind(any, None), Err(ServeError::TokenRequired(_))));
        assert!(matches!(check_bind(lan, None), Err(ServeError::TokenRequired(_))));
        assert!(matches!(check_bind(lan, Some("")), Err(ServeError::EmptyToken)));
        assert_eq!(check_bind(lan, Some("s3cret")).unwrap().as_deref(), Some("s3cret"));
        assert_eq!(check_bind(lo4, None).unwrap(), None);
        assert_eq!(check_bind(lo6, None).unwrap(), None);
        assert_eq!(check_bind(lo4, Some("t")).unwrap().as_deref(), Some("t"));
        assert!(check_bind(any, None).unwrap_err().to_string().contains("requires `--token`"));
    }

    #[test]
    fn constant_time_compare() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
