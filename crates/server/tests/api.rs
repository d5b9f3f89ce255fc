//! The JSON API and the pages against the router (tower `oneshot`), on the demo organization:
//! every endpoint, paging, filters, 404s, the security headers, read-only methods, the token,
//! and a role with a hostile name.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a test stops at the first unexpected value"
)]

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use model::Timestamp;
use rolegraph_server::{AppState, CSP, router};
use serde_json::Value;
use tower::ServiceExt;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo");
const HOSTILE: &str = "<script>alert(1)</script>";

fn now() -> Timestamp {
    Timestamp::parse("2026-11-20T08:00:00Z").unwrap()
}

fn demo() -> Arc<AppState> {
    static STATE: OnceLock<Arc<AppState>> = OnceLock::new();
    STATE.get_or_init(|| Arc::new(AppState::new(ingest::load(DEMO).unwrap().snapshot, now()))).clone()
}

struct Resp {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Resp {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

async fn send(state: Arc<AppState>, token: Option<&str>, req: Request<Body>) -> Resp {
    let resp = router(state, token.map(str::to_owned)).oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.unwrap().to_bytes().to_vec();
    Resp { status, headers, body }
}

async fn get(uri: &str) -> Resp {
    send(demo(), None, Request::get(uri).body(Body::empty()).unwrap()).await
}

fn enc(arn: &str) -> String {
    arn.replace(':', "%3A").replace('/', "%2F")
}

#[tokio::test]
async fn overview_counts_the_demo() {
    let r = get("/api/overview").await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["roles"], 32);
    assert_eq!(v["accounts"].as_array().unwrap().len(), 3);
    assert_eq!(v["accounts"][0]["name"], "production");
    assert_eq!(v["roles_by_kind"]["lambda"], 5);
    assert_eq!(v["riskiest_roles"].as_array().unwrap().len(), 10);
    let top = v["top_findings"].as_array().unwrap();
    assert!(!top.is_empty() && top.len() <= 10);
    // Highest severity first.
    assert_eq!(
        top[0]["severity"],
        v["findings_by_severity"]
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .min_by_key(|k| ["critical", "high", "medium", "low", "info"].iter().position(|s| s == k))
            .unwrap()
    );
}

#[tokio::test]
async fn roles_are_paged_filtered_and_sorted() {
    let all = get("/api/roles?limit=1000").await.json();
    assert_eq!(all["total"], 32);
    assert_eq!(all["roles"].as_array().unwrap().len(), 32);
    let p1 = get("/api/roles?offset=0&limit=10").await.json();
    let p2 = get("/api/roles?offset=10&limit=10").await.json();
    let p4 = get("/api/roles?offset=30&limit=10").await.json();
    assert_eq!(p1["roles"].as_array().unwrap().len(), 10);
    assert_eq!(p4["roles"].as_array().unwrap().len(), 2);
    assert_eq!(p2["roles"][0]["arn"], all["roles"][10]["arn"]);
    assert_eq!(get("/api/roles").await.json()["limit"], 50);
    assert_eq!(get("/api/roles?offset=99").await.json()["roles"].as_array().unwrap().len(), 0);

    let lambda = get("/api/roles?kind=lambda").await.json();
    assert_eq!(lambda["total"], 5);
    assert!(lambda["roles"].as_array().unwrap().iter().all(|r| r["kinds"].as_array().unwrap().contains(&"lambda".into())));
    let dev = get("/api/roles?account=development").await.json();
    assert_eq!(dev["total"], 9);
    assert_eq!(get("/api/roles?account=222222222222").await.json()["total"], 9);
    let q = get("/api/roles?q=GITHUB-actions-terraform").await.json();
    assert_eq!(q["total"], 1);
    assert_eq!(q["roles"][0]["name"], "github-actions-terraform");
    let admin = get("/api/roles?privilege=admin").await.json();
    assert_eq!(admin["total"], 6);
    let never = get("/api/roles?used=never").await.json();
    assert!(never["roles"].as_array().unwrap().iter().all(|r| r["last_used"]["status"] == "never"));
    let oidc = get("/api/roles?trusted_by=oidc").await.json();
    assert!(oidc["total"].as_u64().unwrap() >= 1);
    assert!(oidc["roles"].as_array().unwrap().iter().all(|r| r["trusted_by"].as_array().unwrap().contains(&"oidc".into())));

    let by_priv = get("/api/roles?sort=privilege&order=desc&limit=6").await.json();
    assert!(by_priv["roles"].as_array().unwrap().iter().all(|r| r["privilege"] == "admin"));
    let by_name = get("/api/roles?sort=name&limit=1000").await.json();
    let names: Vec<String> =
        by_name["roles"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap().to_lowercase()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert_eq!(get("/api/roles?sort=colour").await.status, StatusCode::BAD_REQUEST);
    assert_eq!(get("/api/roles?order=sideways").await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn one_role_by_arn_or_name() {
    let arn = "arn:aws:iam::111111111111:role/github-actions-terraform";
    let r = get(&format!("/api/role/{}", enc(arn))).await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["details"]["arn"], arn);
    assert_eq!(v["trust"]["entities"][0]["kind"], "oidc-provider");
    assert!(v["findings"].as_array().unwrap().iter().any(|f| f["rule"] == "oidc-trust-without-sub-condition"));
    assert!(!v["permissions"]["services"].as_array().unwrap().is_empty());
    let by_name = get("/api/role/github-actions-terraform").await.json();
    assert_eq!(by_name["details"]["arn"], arn);
}

#[tokio::test]
async fn unknown_things_are_404() {
    let r = get("/api/role/no-such-role").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["error"], "no role `no-such-role`");
    assert_eq!(get("/api/role/no-such-role/graph").await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&format!("/api/role/{}", enc("arn:aws:iam::111111111111:role/nope"))).await.status, StatusCode::NOT_FOUND);
    assert_eq!(get("/api/nothing").await.status, StatusCode::NOT_FOUND);
    assert_eq!(get("/nothing").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn role_graph_has_edges_with_conditions_and_evidence() {
    let v = get("/api/role/github-actions-terraform/graph").await.json();
    assert_eq!(v["schema_version"], 1);
    let nodes = v["nodes"].as_array().unwrap();
    let ids: Vec<&str> = nodes.iter().map(|n| n["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "arn:aws:iam::111111111111:role/github-actions-terraform",
            "admin:111111111111",
            "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"
        ]
    );
    assert_eq!(nodes[0]["center"], true);
    let edge = v["edges"].as_array().unwrap().iter().find(|e| e["kind"] == "can-assume").unwrap();
    assert_eq!(edge["target"], "arn:aws:iam::111111111111:role/github-actions-terraform");
    assert_eq!(edge["conditional"], true);
    assert_eq!(edge["conditions"][0]["key"], "token.actions.githubusercontent.com:aud");
    assert_eq!(edge["conditions"][0]["operator"], "StringEquals");
    assert_eq!(edge["conditions"][0]["pointer"], "/Statement/0/Condition/StringEquals/token.actions.githubusercontent.com:aud");
    assert!(edge["condition_text"].as_str().unwrap().contains("token.actions.githubusercontent.com:aud StringEquals"));
    assert_eq!(edge["evidence"]["pointer"], "/Statement/0");

    // A role trusted by another role of the snapshot can be expanded.
    let v = get("/api/role/prod-deploy/graph").await.json();
    let ci = v["nodes"].as_array().unwrap().iter().find(|n| n["label"] == "ci-deployer").unwrap();
    assert_eq!(ci["expand"], "arn:aws:iam::222222222222:role/ci-deployer");

    // Resources that run as a role point at it; `limit` bounds the nodes.
    // (Not a role only ECS uses, such as a task execution role: the graph does not follow those.)
    let all = get("/api/roles?limit=1000").await.json();
    let used = all["roles"].as_array().unwrap().iter().find(|r| r["name"] == "orders-processor-lambda").unwrap();
    assert!(used["resources"].as_u64().unwrap() > 1);
    let g = get(&format!("/api/role/{}/graph", enc(used["arn"].as_str().unwrap()))).await.json();
    assert!(g["edges"].as_array().unwrap().iter().any(|e| e["kind"] == "runs-as"));
    let small = get(&format!("/api/role/{}/graph?limit=1", enc(used["arn"].as_str().unwrap()))).await.json();
    assert!(small["nodes"].as_array().unwrap().len() <= 2);
    assert_eq!(small["truncated"], g["nodes"].as_array().unwrap().len() > 2);
}

#[tokio::test]
async fn role_graph_edges_are_checked_by_the_engine() {
    // A cross-account can-assume: the trust of prod-deploy and ci-deployer's own policy allow it.
    let v = get("/api/role/prod-deploy/graph").await.json();
    let e = v["edges"].as_array().unwrap().iter().find(|e| e["source"] == "arn:aws:iam::222222222222:role/ci-deployer").unwrap();
    assert_eq!(e["kind"], "can-assume");
    assert_eq!(e["paths"][0], "sts-001");
    let kinds: Vec<&str> = e["statements"].as_array().unwrap().iter().map(|s| s["policy_kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"identity") && kinds.contains(&"resource"), "{kinds:?}");
    // The account's administrators reach it through the account's administrator node (as
    // `who-can-assume` says), drawn once.
    let admin = v["edges"].as_array().unwrap().iter().find(|e| e["kind"] == "admin-control").unwrap();
    assert_eq!(admin["source"], "admin:111111111111");
    assert!(v["nodes"].as_array().unwrap().iter().filter(|n| n["id"] == "admin:111111111111").count() == 1);

    // A privilege escalation: passing legacy-batch-ec2 to a new instance.
    let v = get("/api/role/legacy-batch-ec2/graph").await.json();
    let esc = v["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "privesc" && e["source"] == "arn:aws:iam::111111111111:role/github-actions-terraform")
        .unwrap_or_else(|| panic!("no privesc edge: {v}"));
    assert!(!esc["paths"].as_array().unwrap().is_empty(), "{esc}");
    // It holds in the regions the SCP leaves: the SCP's deny, negated, is kept as its scope,
    // which does not make it conditional (docs/findings.md).
    assert_eq!(esc["conditional"], false);
    let c = &esc["conditions"][0];
    assert_eq!(
        (&c["key"], &c["operator"], &c["negated"]),
        (&"aws:RequestedRegion".into(), &"StringNotEquals".into(), &true.into())
    );
    assert_eq!(c["scope"], true);
    assert!(esc["statements"].as_array().unwrap().iter().any(|s| s["policy_kind"] == "scp"), "{esc}");

    // Reach: what the role itself can act as, one hop forward (its escalation to the instance
    // that runs as the administrator role), beside who reaches it.
    let v = get("/api/role/github-actions-terraform/graph?reach=true").await.json();
    let center = "arn:aws:iam::111111111111:role/github-actions-terraform";
    let out: Vec<&serde_json::Value> = v["edges"].as_array().unwrap().iter().filter(|e| e["source"] == center).collect();
    assert!(out.iter().any(|e| e["kind"] == "privesc" && e["target"].as_str().unwrap().contains(":instance/")), "{v}");
    assert!(v["edges"].as_array().unwrap().iter().any(|e| e["target"] == center && e["kind"] == "can-assume"));
    assert!(out.iter().all(|e| e["kind"] != "admin-control"));

    // Depth: two hops back from prod-deploy reach the provider that can assume ci-deployer.
    let one = get("/api/role/prod-deploy/graph").await.json();
    let two = get("/api/role/prod-deploy/graph?depth=2").await.json();
    assert!(two["nodes"].as_array().unwrap().len() > one["nodes"].as_array().unwrap().len());
    assert!(two["nodes"].as_array().unwrap().iter().any(|n| n["kind"] == "oidc-provider" && n["account"] == "222222222222"));
}

#[tokio::test]
async fn findings_rules_accounts_gaps() {
    let all = get("/api/findings?limit=1000").await.json();
    let total = all["total"].as_u64().unwrap();
    assert!(total > 0);
    // Reachable from outside: the GitHub Actions role is (an OIDC provider reaches it), and the
    // two filters split the findings.
    let outside = get("/api/findings?outside=true&limit=1000").await.json();
    let inside = get("/api/findings?outside=false&limit=1000").await.json();
    assert_eq!(outside["total"].as_u64().unwrap() + inside["total"].as_u64().unwrap(), total);
    let found = outside["findings"].as_array().unwrap();
    assert!(found.iter().all(|f| f["reachable_from_outside"] == true));
    assert!(found.iter().any(|f| f["subject"]["name"] == "github-actions-terraform"), "{outside}");
    assert!(inside["findings"].as_array().unwrap().iter().all(|f| f["reachable_from_outside"] == false));
    assert!(inside["total"].as_u64().unwrap() > 0);
    let high = get("/api/findings?severity=high&limit=1000").await.json();
    assert!(high["findings"].as_array().unwrap().iter().all(|f| f["severity"] == "high"));
    let two = get("/api/findings?severity=high,low&limit=1000").await.json();
    assert!(two["total"].as_u64().unwrap() >= high["total"].as_u64().unwrap());
    assert_eq!(get("/api/findings?severity=dire").await.status, StatusCode::BAD_REQUEST);
    let acct = get("/api/findings?account=333333333333&limit=1000").await.json();
    assert!(acct["findings"].as_array().unwrap().iter().all(|f| f["subject"]["account"] == "333333333333"));
    let rule = get("/api/findings?rule=unused-role&limit=1000").await.json();
    assert!(rule["findings"].as_array().unwrap().iter().all(|f| f["rule"] == "unused-role"));
    let paged = get("/api/findings?offset=1&limit=2").await.json();
    assert_eq!(paged["findings"][0], all["findings"][1]);

    let rules = get("/api/rules").await.json();
    assert_eq!(rules["rules"].as_array().unwrap().len(), rules::RULES.len());
    assert!(rules["rules"][0]["doc"].as_str().unwrap().contains("## What it finds"));
    let counted: u64 = rules["rules"].as_array().unwrap().iter().map(|r| r["findings"].as_u64().unwrap()).sum();
    assert_eq!(counted, total);

    let accounts = get("/api/accounts").await.json();
    assert_eq!(accounts["schema_version"], 1);
    assert_eq!(accounts["accounts"].as_array().unwrap().len(), 3);
    let gaps = get("/api/gaps").await.json();
    assert_eq!(gaps["gaps"].as_array().unwrap().len(), 8, "{gaps}");
}

#[tokio::test]
async fn security_headers_on_every_response() {
    for uri in [
        "/",
        "/roles",
        "/role?arn=x",
        "/findings",
        "/api/overview",
        "/api/role/nope",
        "/static/app.js",
        "/static/style.css",
        "/nothing",
    ] {
        let r = get(uri).await;
        let h = |name: header::HeaderName| r.headers.get(name).map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(h(header::CONTENT_SECURITY_POLICY).as_deref(), Some(CSP), "{uri}");
        assert_eq!(h(header::X_CONTENT_TYPE_OPTIONS).as_deref(), Some("nosniff"), "{uri}");
        assert_eq!(h(header::REFERRER_POLICY).as_deref(), Some("no-referrer"), "{uri}");
        assert_eq!(h(header::X_FRAME_OPTIONS).as_deref(), Some("DENY"), "{uri}");
    }
    assert!(!CSP.contains("unsafe-inline") && !CSP.contains("unsafe-eval"));
    // The page shell has no inline script: every script comes from the server.
    let page = get("/").await.text();
    assert_eq!(page.matches("<script").count(), page.matches("<script src=\"/static/").count());
    assert!(get("/static/app.js").await.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/javascript"));
}

#[tokio::test]
async fn read_only() {
    for m in [Method::POST, Method::PUT, Method::DELETE, Method::PATCH] {
        let r = send(demo(), None, Request::builder().method(m.clone()).uri("/api/roles").body(Body::empty()).unwrap()).await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{m}");
    }
}

#[tokio::test]
async fn token_guards_the_api() {
    let req = |uri: &str, auth: Option<&str>| {
        let mut b = Request::get(uri);
        if let Some(a) = auth {
            b = b.header(header::AUTHORIZATION, a);
        }
        b.body(Body::empty()).unwrap()
    };
    let t = Some("s3cret");
    assert_eq!(send(demo(), t, req("/api/overview", None)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(send(demo(), t, req("/api/overview", Some("Bearer wrong"))).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(send(demo(), t, req("/api/overview?token=wrong", None)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(send(demo(), t, req("/api/overview", Some("Bearer s3cret"))).await.status, StatusCode::OK);
    assert_eq!(send(demo(), t, req("/api/roles?limit=1&token=s3cret", None)).await.status, StatusCode::OK);
    // The page shells and assets hold no data.
    assert_eq!(send(demo(), t, req("/static/app.js", None)).await.status, StatusCode::OK);
    // Without a token configured, nothing is asked.
    assert_eq!(send(demo(), None, req("/api/overview", None)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn hostile_role_name_is_data_not_markup() {
    let mut snapshot = ingest::load(DEMO).unwrap().snapshot;
    let role = snapshot.accounts[0].roles.iter_mut().find(|r| r.name == "prod-deploy").unwrap();
    role.name = HOSTILE.to_owned();
    role.tags.push(model::Tag { key: "owner".into(), value: "<img src=x onerror=alert(2)>".into() });
    let arn = role.arn.clone();
    let state = Arc::new(AppState::new(snapshot, now()));
    let get = |uri: String| {
        let state = state.clone();
        async move { send(state, None, Request::get(uri).body(Body::empty()).unwrap()).await }
    };
    let r = get("/api/roles?q=%3Cscript".into()).await;
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(r.json()["roles"][0]["name"], HOSTILE);
    let rec = get(format!("/api/role/{}", enc(&arn))).await.json();
    assert_eq!(rec["details"]["name"], HOSTILE);
    assert!(rec["details"]["tags"].as_array().unwrap().iter().any(|t| t["value"] == "<img src=x onerror=alert(2)>"));
    let g = get(format!("/api/role/{}/graph", enc(&arn))).await.json();
    assert_eq!(g["nodes"][0]["label"], HOSTILE);
    // No page is rendered from data on the server, and the script inserts data as text only.
    let page = get("/role".into()).await.text();
    assert!(!page.contains("alert"));
    for script in ["/static/app.js", "/static/graph.js"] {
        let js = get(script.into()).await.text();
        assert!(!js.contains("innerHTML") && !js.contains("insertAdjacentHTML") && !js.contains("document.write"), "{script}");
    }
}

/// Issue 12: the server listens before the analysis is done. The UI's files answer at once;
/// an API request waits for the analysis and then answers as the full router does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_answer_while_the_analysis_warms_up() {
    let (release, wait) = std::sync::mpsc::channel::<()>();
    let events = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = events.clone();
    let build = move |phase: &rolegraph_server::Phase| {
        // The snapshot is read; the analysis cannot finish until the test lets it.
        let snapshot = Arc::new(ingest::load(DEMO).unwrap().snapshot);
        phase.read(snapshot.clone());
        phase.set("waiting for the test");
        let _ = wait.recv();
        AppState::analysed(snapshot, now(), None, phase)
    };
    let progress = move |w: rolegraph_server::Warmup| seen.lock().unwrap().push(format!("{w:?}"));
    let app = rolegraph_server::warming_router(build, None, None, progress);

    // The shell answers while the analysis has not finished.
    let shell = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        app.clone().oneshot(Request::get("/").body(Body::empty()).unwrap()),
    )
    .await
    .expect("the page answers before the analysis is done")
    .unwrap();
    assert_eq!(shell.status(), StatusCode::OK);
    assert_eq!(shell.headers()[header::CONTENT_SECURITY_POLICY], CSP);

    // The status answers at once, with the phase the analysis is in.
    let status_of = |app: axum::Router, uri: &'static str| async move {
        let resp =
            tokio::time::timeout(std::time::Duration::from_secs(5), app.oneshot(Request::get(uri).body(Body::empty()).unwrap()))
                .await
                .unwrap_or_else(|_| panic!("{uri} answers at once"))
                .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{uri}");
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        serde_json::from_slice::<Value>(&body).unwrap()
    };
    let status = |app: axum::Router| status_of(app, "/api/status");
    let mut warming = status(app.clone()).await;
    for _ in 0..50 {
        if warming["phase"] == "waiting for the test" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        warming = status(app.clone()).await;
    }
    assert_eq!(warming["ready"], false, "{warming}");
    assert_eq!(warming["phase"], "waiting for the test", "{warming}");
    assert!(warming["elapsed_s"].as_f64().is_some(), "{warming}");

    // A role's own record answers early, without what the analysis adds.
    let early = status_of(app.clone(), "/api/role/prod-deploy").await;
    assert_eq!(early["details"]["name"], "prod-deploy", "{early}");
    assert_eq!(early["warming"]["phase"], "waiting for the test", "{early}");
    assert!(early["findings"].is_null() && early["trusted"].is_null(), "{early}");
    assert!(early["privilege"]["level"].is_string() && early["trust"]["entities"].is_array(), "{early}");
    // Its graph waits for the analysis.
    let graph = tokio::spawn(app.clone().oneshot(Request::get("/api/role/prod-deploy/graph").body(Body::empty()).unwrap()));

    // An API request waits: it has not answered after a moment.
    let pending = tokio::spawn(app.clone().oneshot(Request::get("/api/roles?limit=1").body(Body::empty()).unwrap()));
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(!pending.is_finished(), "an API request answered before the analysis was ready");
    assert!(!graph.is_finished(), "a role's graph answered before the analysis was ready");
    release.send(()).unwrap();
    let resp = tokio::time::timeout(std::time::Duration::from_secs(60), pending).await.unwrap().unwrap().unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert!(v["total"].as_u64().unwrap() > 10, "{v}");
    // A route with a path parameter answers as the full router does, and so does a 404.
    let role = app.clone().oneshot(Request::get("/api/role/prod-deploy").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(role.status(), StatusCode::OK);
    let missing = app.clone().oneshot(Request::get("/api/role/no-such-role").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let done = status(app.clone()).await;
    assert_eq!(done["ready"], true, "{done}");
    let graph = graph.await.unwrap().unwrap();
    assert_eq!(graph.status(), StatusCode::OK);
    // Once ready, the record is the full one.
    let full = status_of(app.clone(), "/api/role/prod-deploy").await;
    assert!(full["findings"].is_array() && full.get("warming").is_none(), "{full}");
    let events = events.lock().unwrap().clone();
    assert_eq!(events.first().map(String::as_str), Some("Started"));
    // The phases of the analysis, in order, then ready.
    let phases: Vec<&str> = events.iter().filter(|e| e.starts_with("Phase")).map(String::as_str).collect();
    assert_eq!(
        phases,
        [
            r#"Phase("waiting for the test")"#,
            r#"Phase("building the authorization graph")"#,
            r#"Phase("deciding each role's privilege")"#,
            r#"Phase("running the rules")"#,
            r#"Phase("summarising the roles")"#
        ],
        "{events:?}"
    );
    assert!(events.last().is_some_and(|e| e.starts_with("Ready")), "{events:?}");
    // Writes are refused while warming too.
    let post = app.oneshot(Request::post("/api/roles").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn resources_who_can_act_on_them_and_a_roles_resources() {
    let list = get("/api/resources").await.json();
    let resources = list["resources"].as_array().unwrap();
    assert_eq!(resources.len(), 12);
    let by = |name: &str| resources.iter().find(|r| r["name"] == name).unwrap_or_else(|| panic!("{name}"));
    let share = by("acme-dev-share");
    assert_eq!(share["outside"][0]["who"]["kind"], "anyone");
    assert_eq!(share["worst_severity"], "critical");
    // The partner's grant is refused by the data-perimeter RCP: no outsider, one refused.
    let orders = by("acme-orders-data");
    assert!(orders["outside"].as_array().unwrap().is_empty());
    assert!(orders["refused"][0]["why"].as_str().unwrap().contains("DataPerimeter"), "{orders}");

    let one = get(&format!("/api/resource/{}", enc("arn:aws:s3:::acme-orders-data"))).await.json();
    assert_eq!(one["resource"]["refused"][0]["who"]["id"], "210987654321");
    assert!(
        one["resource"]["access"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["who"]["id"] == "arn:aws:iam::111111111111:role/legacy-batch-ec2")
    );
    assert_eq!(get(&format!("/api/resource/{}", enc("arn:aws:s3:::nope"))).await.status, StatusCode::NOT_FOUND);

    let mine = get(&format!("/api/role/{}/resources", enc("arn:aws:iam::111111111111:role/legacy-batch-ec2"))).await.json();
    let names: Vec<&str> =
        mine["resources"].as_array().unwrap().iter().map(|r| r["resource"]["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"prod/payments/db") && names.contains(&"acme-dev-share"), "{names:?}");
}
