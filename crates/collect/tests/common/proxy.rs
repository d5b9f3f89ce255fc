//! A loopback HTTP proxy in front of moto that records every API operation it sees (service
//! from the SigV4 credential scope, operation from `X-Amz-Target`, the `Action` form field, or
//! the Lambda and S3 REST paths) and injects faults: denied (403), throttled for the first N
//! attempts, or delayed. S3 operations are recorded by the IAM action they need, where the two
//! differ (`ListBuckets` is `s3:ListAllMyBuckets`, S3 Control's `GetPublicAccessBlock` is
//! `s3:GetAccountPublicAccessBlock`).

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

/// A fault for one operation (`"iam:ListRoles"`).
#[derive(Clone, Debug)]
pub enum Fault {
    Deny,
    /// Throttle the first N attempts.
    Throttle(u32),
    Delay(Duration),
}

/// One request the proxy saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    /// `iam:ListRoles`.
    pub action: String,
    pub status: u16,
}

struct State {
    upstream: u16,
    faults: HashMap<String, Fault>,
    attempts: Mutex<HashMap<String, u32>>,
    seen: Mutex<Vec<Seen>>,
}

/// The proxy; it stops with the test's runtime.
pub struct Proxy {
    pub url: String,
    state: Arc<State>,
}

impl Proxy {
    pub async fn start(upstream: u16, faults: HashMap<String, Fault>) -> Proxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(State { upstream, faults, attempts: Mutex::new(HashMap::new()), seen: Mutex::new(Vec::new()) });
        let s = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let s = s.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| handle(s.clone(), req));
                    let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
            }
        });
        Proxy { url, state }
    }

    /// Every request seen, in order.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }

    /// How many requests of `action` were seen.
    pub fn count(&self, action: &str) -> usize {
        self.seen().iter().filter(|s| s.action == action).count()
    }
}

/// The operation of a request: `service:Operation`.
fn action(req: &hyper::http::request::Parts, body: &[u8]) -> String {
    let header = |name: &str| req.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let auth = header("authorization");
    let service = auth.split("Credential=").nth(1).and_then(|c| c.split('/').nth(3)).unwrap_or("unknown").to_owned();
    let target = header("x-amz-target");
    let operation = if let Some((_, op)) = target.split_once('.') {
        op.to_owned()
    } else if let Some(op) = String::from_utf8_lossy(body).split('&').find_map(|kv| kv.strip_prefix("Action=").map(str::to_owned))
    {
        op
    } else if service == "lambda" && req.method == hyper::Method::GET && req.uri.path().starts_with("/2015-03-31/functions") {
        if req.uri.path().trim_end_matches('/').ends_with("/policy") { "GetPolicy" } else { "ListFunctions" }.to_owned()
    } else if let Some(op) = (service == "s3").then(|| s3_action(req)).flatten() {
        op.to_owned()
    } else {
        format!("{} {}", req.method, req.uri.path())
    };
    format!("{service}:{operation}")
}

/// The IAM action of an S3 or S3 Control request (path-style), for the reads collection makes.
fn s3_action(req: &hyper::http::request::Parts) -> Option<&'static str> {
    let path = req.uri.path();
    let query = req.uri.query().unwrap_or("");
    let has = |key: &str| query.split('&').any(|kv| kv.split('=').next() == Some(key));
    if req.method != hyper::Method::GET {
        return None;
    }
    Some(if path.starts_with("/v20180820/configuration/publicAccessBlock") {
        "GetAccountPublicAccessBlock"
    } else if path == "/" {
        "ListAllMyBuckets"
    } else if has("policy") {
        "GetBucketPolicy"
    } else if has("publicAccessBlock") {
        "GetBucketPublicAccessBlock"
    } else if has("ownershipControls") {
        "GetBucketOwnershipControls"
    } else {
        return None;
    })
}

fn reply(status: StatusCode, headers: &[(&str, &str)], body: String) -> Response<Full<Bytes>> {
    let mut r = Response::builder().status(status);
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    r.body(Full::new(Bytes::from(body))).unwrap()
}

/// An error in the protocol of the service: AWS query XML (IAM, STS, SNS), EC2 XML, S3's REST
/// XML, AWS JSON (`X-Amz-Target`), or REST JSON (Lambda).
fn error(action: &str, json_protocol: bool, status: StatusCode, code: &str, message: &str) -> Response<Full<Bytes>> {
    let service = action.split(':').next().unwrap_or("");
    if json_protocol {
        let body = format!(r#"{{"__type":"{code}","message":"{message}"}}"#);
        return reply(status, &[("content-type", "application/x-amz-json-1.1")], body);
    }
    match service {
        "ec2" => reply(
            status,
            &[("content-type", "text/xml")],
            format!(
                "<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>r-1</RequestID></Response>"
            ),
        ),
        "iam" | "sts" | "sns" => reply(
            status,
            &[("content-type", "text/xml")],
            format!(
                "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>"
            ),
        ),
        "s3" => reply(
            status,
            &[("content-type", "application/xml")],
            format!("<Error><Code>{code}</Code><Message>{message}</Message><RequestId>r-1</RequestId></Error>"),
        ),
        _ => reply(
            status,
            &[("content-type", "application/json"), ("x-amzn-errortype", code)],
            format!(r#"{{"Type":"User","Message":"{message}"}}"#),
        ),
    }
}

fn throttle(action: &str, json_protocol: bool) -> Response<Full<Bytes>> {
    let service = action.split(':').next().unwrap_or("");
    let (status, code) = match service {
        _ if json_protocol => (StatusCode::BAD_REQUEST, "ThrottlingException"),
        "ec2" => (StatusCode::SERVICE_UNAVAILABLE, "RequestLimitExceeded"),
        "s3" => (StatusCode::SERVICE_UNAVAILABLE, "SlowDown"),
        "iam" | "sts" | "sns" => (StatusCode::BAD_REQUEST, "Throttling"),
        _ => (StatusCode::TOO_MANY_REQUESTS, "TooManyRequestsException"),
    };
    error(action, json_protocol, status, code, "Rate exceeded")
}

async fn handle(state: Arc<State>, req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let action = action(&parts, &body);
    let json_protocol = parts.headers.contains_key("x-amz-target");
    let response = match state.faults.get(&action) {
        Some(Fault::Deny) => {
            let code = if action.starts_with("ec2:") { "UnauthorizedOperation" } else { "AccessDenied" };
            let code = if json_protocol { "AccessDeniedException" } else { code };
            error(&action, json_protocol, StatusCode::FORBIDDEN, code, "not authorized by the test proxy")
        }
        Some(Fault::Throttle(n)) => {
            let attempt = {
                let mut a = state.attempts.lock().unwrap();
                let c = a.entry(action.clone()).or_default();
                *c += 1;
                *c
            };
            if attempt <= *n { throttle(&action, json_protocol) } else { forward(&state, parts, body).await }
        }
        Some(Fault::Delay(d)) => {
            tokio::time::sleep(*d).await;
            forward(&state, parts, body).await
        }
        None => forward(&state, parts, body).await,
    };
    state.seen.lock().unwrap().push(Seen { action, status: response.status().as_u16() });
    Ok(response)
}

async fn forward(state: &State, parts: hyper::http::request::Parts, body: Bytes) -> Response<Full<Bytes>> {
    let stream = tokio::net::TcpStream::connect(("127.0.0.1", state.upstream)).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.unwrap();
    tokio::spawn(conn);
    let response = sender.send_request(Request::from_parts(parts, Full::new(body))).await.unwrap();
    let (parts, body) = response.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    Response::from_parts(parts, Full::new(body))
}
