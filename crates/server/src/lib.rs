//! HTTP API and the embedded UI of `rolegraph serve`: a read-only axum server over one loaded
//! snapshot and, optionally, the snapshot history database ([`history`]) and what a CloudTrail
//! trail recorded ([`trail`]). Everything expensive (the role summaries, the findings, the authorization graph)
//! is computed once by [`AppState::new`]; a role's record is computed when asked. The pages are
//! static HTML and vanilla JS embedded in the binary ([`assets`]) that call the JSON API ([`api`]).
//!
//! Security: loopback by default, a bearer token required on any other address
//! ([`check_bind`]), only the `Host` values the server is reached by (DNS rebinding,
//! [`net::AllowedHosts`]), timeouts and a cap on connections ([`net::Limits`]), GET only, and
//! security headers (a Content-Security-Policy without inline scripts, `nosniff`,
//! `no-referrer`, `DENY` framing) on every response. See `docs/security.md`.

pub mod api;
pub mod assets;
pub mod graph_view;
pub mod history;
pub mod net;
pub mod state;
pub mod trail;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};

pub use net::{AllowedHosts, Limits};
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
    #[error("`--allowed-host {0}`: expected a host name, optionally with `:PORT`")]
    BadHost(String),
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
    hosts: Option<Arc<AllowedHosts>>,
}

/// The router: the API under `/api/`, the pages and assets, security headers, GET only, and the
/// token check when `token` is set. The token guards the API, where all the data is; the page
/// shells, scripts and styles hold no data and load without it (a `<script src>` cannot send a
/// header), and the pages pass the token of their own URL on to the API. It answers any
/// `Host`: a server on a socket adds that check with [`app`].
pub fn router(state: Arc<AppState>, token: Option<String>) -> Router {
    guarded(state, Guard { token: token.map(Arc::from), hosts: None })
}

/// The router of a server on a socket: [`router`], answering only the `Host` values of `hosts`
/// (others get `421 Misdirected Request`).
pub fn app(state: Arc<AppState>, token: Option<String>, hosts: AllowedHosts) -> Router {
    guarded(state, Guard { token: token.map(Arc::from), hosts: Some(Arc::new(hosts)) })
}

fn guarded(state: Arc<AppState>, guard: Guard) -> Router {
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
    // The value is percent-decoded, as a browser encodes it (`+` stays a plus, as
    // `encodeURIComponent` writes a space `%20`).
    let query_ok = req.uri().query().is_some_and(|q| {
        q.split('&').filter_map(|kv| kv.split_once('=')).any(|(k, v)| {
            let v: Vec<u8> = percent_encoding::percent_decode_str(v).collect();
            k == "token" && constant_time_eq(&v, token.as_bytes())
        })
    });
    header_ok || query_ok
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether the request names a host the server answers: its `Host` header, and the authority
/// of an absolute request URI if it has one.
fn host_allowed(req: &Request, hosts: &AllowedHosts) -> bool {
    let header = req.headers().get(header::HOST).and_then(|v| v.to_str().ok());
    let authority = req.uri().authority().map(|a| a.as_str());
    header.is_some_and(|h| hosts.allows(h)) && authority.is_none_or(|a| hosts.allows(a))
}

async fn protect(State(guard): State<Guard>, req: Request, next: Next) -> Response {
    let mut resp = if let Some(hosts) = &guard.hosts
        && !host_allowed(&req, hosts)
    {
        (StatusCode::MISDIRECTED_REQUEST, "this server does not answer for this host (see `rolegraph serve --allowed-host`)\n")
            .into_response()
    } else if req.method() != Method::GET && req.method() != Method::HEAD {
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

/// Serves `router` on `listener` until the process ends, with the default [`Limits`].
pub async fn serve(listener: tokio::net::TcpListener, router: Router) -> Result<(), ServeError> {
    net::serve(listener, router, Limits::default()).await
}

/// How `rolegraph serve` listens.
#[derive(Clone, Debug, Default)]
pub struct Listen {
    /// Required on the API when set (and on any address but loopback).
    pub token: Option<String>,
    /// Names the server answers besides `localhost` and its addresses (`--allowed-host`).
    pub allowed_hosts: Vec<String>,
    pub limits: Limits,
}

/// Checks the address, token and host names, binds, calls `on_listen` with the actual address,
/// and serves until the process ends, on a runtime of its own (for callers without one, like
/// the CLI).
pub fn run_blocking(
    state: AppState,
    addr: SocketAddr,
    listen: &Listen,
    on_listen: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    run_with(addr, listen, on_listen, move |token, hosts| app(Arc::new(state), token, hosts))
}

/// As [`run_blocking`], but listens at once and computes the state (the analysis) in the
/// background: the UI's files and `/api/status` (what the analysis is doing) are answered at
/// once, every other request waits until the state is ready. `build` names its phases on the
/// [`Phase`] it is given; `progress` is told when the work starts, each phase, and when it is
/// done.
pub fn run_blocking_lazy(
    build: impl FnOnce(&Phase) -> AppState + Send + 'static,
    addr: SocketAddr,
    listen: &Listen,
    on_listen: impl FnOnce(SocketAddr),
    progress: impl Fn(Warmup) + Send + Sync + 'static,
) -> Result<(), ServeError> {
    run_with(addr, listen, on_listen, move |token, hosts| warming_router(build, token, Some(hosts), progress))
}

/// Checks the address, token and host names, binds, makes the router (within the runtime),
/// calls `on_listen` with the actual address, and serves until the process ends.
fn run_with(
    addr: SocketAddr,
    listen: &Listen,
    on_listen: impl FnOnce(SocketAddr),
    make: impl FnOnce(Option<String>, AllowedHosts) -> Router,
) -> Result<(), ServeError> {
    let token = check_bind(addr.ip(), listen.token.as_deref())?;
    AllowedHosts::new(addr, &listen.allowed_hosts)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let (listener, local) = bind(addr).await?;
        let hosts = AllowedHosts::new(local, &listen.allowed_hosts)?;
        // The address first: a background analysis that starts with the router may end the
        // process (exports it cannot read) before a line printed after it.
        on_listen(local);
        let router = make(token, hosts);
        net::serve(listener, router, listen.limits).await
    })
}

/// What the background analysis of [`run_blocking_lazy`] reports.
#[derive(Clone, Copy, Debug)]
pub enum Warmup {
    Started,
    /// A phase of the analysis began (its name, as `/api/status` shows it).
    Phase(&'static str),
    Ready(std::time::Duration),
}

/// The phase the background analysis is in, shared with `/api/status`.
#[derive(Clone)]
pub struct Phase {
    state: Arc<std::sync::Mutex<WarmupState>>,
    progress: Arc<dyn Fn(Warmup) + Send + Sync>,
}

struct WarmupState {
    started: std::time::Instant,
    phase: &'static str,
    ready: bool,
    /// The snapshot, once read: a role's own record is answered from it while the rest of the
    /// analysis runs.
    snapshot: Option<Arc<model::Snapshot>>,
}

impl WarmupState {
    /// Seconds since the analysis began, to a tenth.
    fn elapsed_s(&self) -> f64 {
        (self.started.elapsed().as_secs_f64() * 10.0).round() / 10.0
    }
}

impl Phase {
    fn new(progress: Arc<dyn Fn(Warmup) + Send + Sync>) -> Phase {
        let state = WarmupState { started: std::time::Instant::now(), phase: "starting", ready: false, snapshot: None };
        Phase { state: Arc::new(std::sync::Mutex::new(state)), progress }
    }

    /// A phase begins.
    pub fn set(&self, phase: &'static str) {
        if let Ok(mut s) = self.state.lock() {
            s.phase = phase;
        }
        (self.progress)(Warmup::Phase(phase));
    }

    /// The snapshot is read (the analysis goes on).
    pub fn read(&self, snapshot: Arc<model::Snapshot>) {
        if let Ok(mut s) = self.state.lock() {
            s.snapshot = Some(snapshot);
        }
    }

    fn done(&self) {
        if let Ok(mut s) = self.state.lock() {
            s.ready = true;
            s.phase = "ready";
            s.snapshot = None;
        }
    }

    fn has_snapshot(&self) -> bool {
        self.state.lock().is_ok_and(|s| s.snapshot.is_some())
    }

    /// Whether `req` asks for what [`Phase::early_role`] answers.
    fn may_answer_early(&self, req: &Request) -> bool {
        req.method() == Method::GET
            && req.uri().path().strip_prefix("/api/role/").is_some_and(|rest| !rest.is_empty() && !rest.contains('/'))
    }

    /// While warming up, after the snapshot is read: the record of the role that
    /// `GET /api/role/ROLE` names, as the full router gives it but without what the analysis
    /// adds (`findings` and `trusted` are null) and with `warming` (the phase and time).
    /// `None` when it must wait for the full router.
    fn early_role(&self, req: &Request) -> Option<Response> {
        if !self.may_answer_early(req) {
            return None;
        }
        let rest = req.uri().path().strip_prefix("/api/role/")?;
        let (snapshot, warming) = {
            let s = self.state.lock().ok()?;
            (s.snapshot.clone()?, serde_json::json!({ "phase": s.phase, "elapsed_s": s.elapsed_s() }))
        };
        let query: String = percent_encoding::percent_decode_str(rest).decode_utf8().ok()?.into_owned();
        let roles = snapshot.find_roles(&query);
        let [role] = roles.as_slice() else { return None };
        // A query the full router would refuse is left to it.
        let axum::extract::Query(q) = axum::extract::Query::<api::RoleQuery>::try_from_uri(req.uri()).ok()?;
        let null = serde_json::Value::Null;
        let mut value = api::role_value(&snapshot, role, &q, None, null.clone(), null).ok()?;
        value.as_object_mut()?.insert("warming".into(), warming);
        Some(axum::Json(value).into_response())
    }

    /// `/api/status`: whether the analysis is done, its phase and how long it has run.
    fn status(&self) -> serde_json::Value {
        let (ready, phase, elapsed) = match self.state.lock() {
            Ok(s) => (s.ready, s.phase, s.elapsed_s()),
            Err(_) => (false, "unknown", 0.0),
        };
        serde_json::json!({
            "schema_version": SCHEMA_VERSION,
            "ready": ready,
            "phase": phase,
            "elapsed_s": elapsed,
        })
    }
}

/// A phase handle that reports nowhere (for building a state outside a warming server).
impl Default for Phase {
    fn default() -> Phase {
        Phase::new(Arc::new(|_| {}))
    }
}

/// The router of a server whose state is still being computed: the UI's files and
/// `/api/status` at once, the rest once the state is ready (see [`run_blocking_lazy`]); with
/// `hosts`, only those `Host` values are answered, as by [`app`]. Must be called within a
/// tokio runtime.
pub fn warming_router(
    build: impl FnOnce(&Phase) -> AppState + Send + 'static,
    token: Option<String>,
    hosts: Option<AllowedHosts>,
    progress: impl Fn(Warmup) + Send + Sync + 'static,
) -> Router {
    let guard = Guard { token: token.map(Arc::from), hosts: hosts.map(Arc::new) };
    let (tx, rx) = tokio::sync::watch::channel::<Option<Router>>(None);
    let inner_guard = guard.clone();
    let progress: Arc<dyn Fn(Warmup) + Send + Sync> = Arc::new(progress);
    let phase = Phase::new(progress.clone());
    let working = phase.clone();
    tokio::task::spawn_blocking(move || {
        let start = std::time::Instant::now();
        progress(Warmup::Started);
        let state = build(&working);
        working.done();
        let _ = tx.send(Some(guarded(Arc::new(state), inner_guard)));
        progress(Warmup::Ready(start.elapsed()));
    });
    let status = Router::new().route("/api/status", axum::routing::get(warming_status)).with_state(phase.clone());
    // A fallback, not a route: a route would capture the path as a parameter, which the full
    // router's handlers would then see beside their own.
    Router::new()
        .merge(assets::routes())
        .merge(status)
        .fallback(forward)
        .with_state(Warming { rx, phase })
        .layer(middleware::from_fn_with_state(guard, protect))
}

/// What the fallback of a warming server reads: the full router once it is made, and the
/// phase (with the snapshot once read).
#[derive(Clone)]
struct Warming {
    rx: tokio::sync::watch::Receiver<Option<Router>>,
    phase: Phase,
}

/// `/api/status` while the analysis warms up (and after: then it says ready).
async fn warming_status(State(phase): State<Phase>) -> Response {
    axum::Json(phase.status()).into_response()
}

/// Waits for the state, then answers as the full router does; a role's own record is
/// answered early, once the snapshot is read ([`Phase::early_role`]).
async fn forward(State(Warming { mut rx, phase }): State<Warming>, req: Request) -> Response {
    use tower::ServiceExt;
    // A role's record: as soon as the snapshot is read (checked every 50 ms until then).
    while rx.borrow().is_none() {
        if let Some(early) = phase.early_role(&req) {
            return early;
        }
        if phase.has_snapshot() || !phase.may_answer_early(&req) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
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

    /// Issue 14: `?token=` is compared percent-decoded, as a browser sends it.
    #[test]
    fn the_query_token_is_percent_decoded() {
        let req = |uri: &str| axum::http::Request::get(uri).body(axum::body::Body::empty()).unwrap();
        let token = "a b/c+d&é";
        assert!(has_token(&req("/api/x?token=a%20b%2Fc+d%26%C3%A9"), token));
        assert!(has_token(&req("/api/x?limit=1&token=a%20b/c+d%26%c3%a9"), token));
        assert!(!has_token(&req("/api/x?token=a+b/c+d%26%C3%A9"), token), "`+` is not a space");
        assert!(!has_token(&req("/api/x?token=a%20b"), token));
    }

    #[test]
    fn constant_time_compare() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
