//! The history endpoints against the router: a database with two snapshots of the demo (the
//! second with an outside account trusted, a role made administrator and a role removed), the stored snapshots, a role's history, the diff by default
//! and by id or label, the errors, and a server without a database.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a test stops at the first unexpected value"
)]

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use model::{InlinePolicy, PolicyDoc, Snapshot, Timestamp};
use rolegraph_server::{AppState, router};
use serde_json::Value;
use store::{NewSnapshot, Store};
use tower::ServiceExt;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo");
const DEV: &str = "arn:aws:iam::222222222222:role/";
const EXTERNAL: &str = "arn:aws:iam::999988887777:root";

fn now() -> Timestamp {
    Timestamp::parse("2026-11-20T08:00:00Z").unwrap()
}

fn role_mut<'a>(s: &'a mut Snapshot, name: &str) -> &'a mut model::Role {
    s.accounts.iter_mut().flat_map(|a| a.roles.iter_mut()).find(|r| r.arn == format!("{DEV}{name}")).unwrap()
}

/// The demo changed: `build-agent-ec2` trusts an outside account, `tmp-migration-2019` gets
/// an inline `*` policy, `snyk-scanner` is gone.
fn changed(base: &Snapshot) -> Snapshot {
    let mut s = base.clone();
    role_mut(&mut s, "build-agent-ec2").trust_policy = Some(PolicyDoc::from_json_text(&format!(
        r#"{{"Version":"2012-10-17","Statement":[
            {{"Effect":"Allow","Principal":{{"Service":"ec2.amazonaws.com"}},"Action":"sts:AssumeRole"}},
            {{"Effect":"Allow","Principal":{{"AWS":"{EXTERNAL}"}},"Action":"sts:AssumeRole"}}]}}"#
    )));
    role_mut(&mut s, "tmp-migration-2019").inline_policies.push(InlinePolicy {
        name: "everything".into(),
        document: PolicyDoc::from_json_text(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        ),
    });
    for a in &mut s.accounts {
        a.roles.retain(|r| !r.arn.ends_with("/snyk-scanner"));
    }
    s
}

struct Fixture {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    base: Snapshot,
    new: Snapshot,
}

/// One database for every test (the facts take seconds in a debug build).
fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.db");
        let base = ingest::load(DEMO).unwrap().snapshot;
        let new = changed(&base);
        let mut db = Store::open(&path).unwrap();
        for (s, label, at) in [(&base, "monday", "2026-11-23T09:00:00Z"), (&new, "tuesday", "2026-11-24T09:00:00Z")] {
            let facts = diff::analyse(s, now(), diff::FactOptions::default());
            db.import(&NewSnapshot {
                snapshot: s,
                facts: &facts,
                label: Some(label),
                source: Some("demo"),
                imported_at: Timestamp::parse(at).unwrap(),
            })
            .unwrap();
        }
        Fixture { _dir: dir, path, base, new }
    })
}

fn with_db() -> Arc<AppState> {
    static STATE: OnceLock<Arc<AppState>> = OnceLock::new();
    STATE
        .get_or_init(|| {
            let f = fixture();
            let db = Store::open_existing(&f.path).unwrap();
            let served = db.latest().unwrap();
            Arc::new(AppState::new(f.new.clone(), now()).with_history(db, Some(served)))
        })
        .clone()
}

async fn get(state: Arc<AppState>, uri: &str) -> (StatusCode, Value) {
    let resp = router(state, None).oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    let status = resp.status();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&body))))
}

fn enc(arn: &str) -> String {
    arn.replace(':', "%3A").replace('/', "%2F")
}

fn of_kind<'a>(d: &'a Value, kind: &str) -> Vec<&'a Value> {
    d["changes"].as_array().unwrap().iter().filter(|c| c["kind"] == kind).collect()
}

#[tokio::test]
async fn lists_the_stored_snapshots() {
    let (status, v) = get(with_db(), "/api/snapshots").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["history"], true);
    assert_eq!(v["served"], 2);
    let labels: Vec<&str> = v["snapshots"].as_array().unwrap().iter().map(|s| s["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["monday", "tuesday"]);
    assert_eq!(v["snapshots"][0]["roles"], 32);
    assert_eq!(v["snapshots"][1]["roles"], 31);
    assert_eq!(v["snapshots"][1]["imported_at"], "2026-11-24T09:00:00Z");
}

#[tokio::test]
async fn the_diff_of_the_two_newest_is_the_diff_of_the_cli() {
    let f = fixture();
    let (status, d) = get(with_db(), "/api/diff").await;
    assert_eq!(status, StatusCode::OK);
    // The same content as `rolegraph diff --json`: store::diff over the stored facts.
    let db = Store::open_existing(&f.path).unwrap();
    assert_eq!(d, serde_json::to_value(store::diff(&db, 1, 2).unwrap()).unwrap());
    assert_eq!((d["old"]["label"].as_str(), d["new"]["label"].as_str()), (Some("monday"), Some("tuesday")));
    let trust = of_kind(&d, "trust-added");
    assert_eq!(trust.len(), 1, "{trust:?}");
    assert_eq!(trust[0]["role"], format!("{DEV}build-agent-ec2"));
    assert_eq!(trust[0]["entity"]["principal"], EXTERNAL);
    assert_eq!(trust[0]["entity"]["category"], "external");
    let gained = of_kind(&d, "privilege-gained");
    assert!(gained.iter().any(|c| c["role"] == format!("{DEV}tmp-migration-2019") && c["new_level"] == "admin"), "{gained:?}");
    let removed = of_kind(&d, "role-removed");
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0]["role"], format!("{DEV}snyk-scanner"));
    // The outside account can now reach the (privileged) role that trusts it, without
    // conditions; the role made administrator can now become administrator of its account.
    let reach = of_kind(&d, "reach-gained");
    assert!(
        reach.iter().any(|c| c["role"] == format!("{DEV}build-agent-ec2")
            && c["principal"] == "external-account:999988887777"
            && c["conditional"] == false),
        "{reach:?}"
    );
    assert!(
        reach.iter().any(|c| c["role"] == "admin:222222222222" && c["principal"] == format!("{DEV}tmp-migration-2019")),
        "{reach:?}"
    );
    assert!(!of_kind(&d, "finding-opened").is_empty() && !of_kind(&d, "finding-closed").is_empty());
    assert_eq!(d["counts"]["role-removed"], 1);
}

#[tokio::test]
async fn the_diff_by_id_or_label_and_its_errors() {
    let st = with_db();
    let (_, by_label) = get(st.clone(), "/api/diff?old=monday&new=tuesday").await;
    let (_, by_id) = get(st.clone(), "/api/diff?old=1&new=2").await;
    assert_eq!(by_label, by_id);
    // Backwards: the removed role comes back.
    let (status, back) = get(st.clone(), "/api/diff?old=2&new=1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(of_kind(&back, "role-added").len(), 1);
    // A snapshot against itself: nothing.
    let (_, same) = get(st.clone(), "/api/diff?old=tuesday&new=tuesday").await;
    assert_eq!(same["changes"].as_array().unwrap().len(), 0);
    // One side: against the newest, or the one before.
    let (_, old_only) = get(st.clone(), "/api/diff?old=1").await;
    assert_eq!(old_only["new"]["id"], 2);
    let (_, new_only) = get(st.clone(), "/api/diff?new=2").await;
    assert_eq!(new_only["old"]["id"], 1);
    let (status, v) = get(st.clone(), "/api/diff?new=1").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{v}");
    let (status, v) = get(st, "/api/diff?old=friday").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(v["error"], "no snapshot `friday` in the database");
}

#[tokio::test]
async fn a_role_across_the_snapshots() {
    let st = with_db();
    let (status, h) = get(st.clone(), &format!("/api/role/{}/history", enc(&format!("{DEV}build-agent-ec2")))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h["arn"], format!("{DEV}build-agent-ec2"));
    let versions = h["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["snapshot"]["label"], "monday");
    assert!(versions[0]["changes"].as_array().unwrap().is_empty());
    let changes = versions[1]["changes"].as_array().unwrap();
    assert!(changes.iter().any(|c| c["kind"] == "trust-added" && c["entity"]["principal"] == EXTERNAL), "{changes:?}");
    assert!(versions[1]["role"]["trusted"].as_array().unwrap().iter().any(|t| t["category"] == "external"));
    // The findings opened and closed on the role are those of the diff.
    let (_, d) = get(st.clone(), "/api/diff").await;
    for kind in ["finding-opened", "finding-closed"] {
        let in_diff: Vec<&Value> =
            of_kind(&d, kind).into_iter().filter(|c| c["finding"]["subject"] == format!("{DEV}build-agent-ec2")).collect();
        let in_history: Vec<&Value> = changes.iter().filter(|c| c["kind"] == kind).collect();
        assert_eq!(in_diff, in_history, "{kind}");
    }
    let open = |i: usize| versions[i]["findings"].as_array().unwrap().len();
    let count = |kind: &str| changes.iter().filter(|c| c["kind"] == kind).count();
    assert_eq!(open(1), open(0) + count("finding-opened") - count("finding-closed"));
    assert!(count("finding-opened") > 0, "{changes:?}");
    // By name, as the other role endpoints accept.
    let (_, by_name) = get(st.clone(), "/api/role/build-agent-ec2/history").await;
    assert_eq!(by_name, h);
    // A role that is only in the older snapshot, by its ARN.
    let (status, gone) = get(st.clone(), &format!("/api/role/{}/history", enc(&format!("{DEV}snyk-scanner")))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(gone["versions"][1]["role"].is_null());
    assert_eq!(gone["versions"][1]["changes"][0]["kind"], "role-removed");
    let (status, v) = get(st, "/api/role/no-such-role/history").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(v["error"], "no role `no-such-role`");
}

#[tokio::test]
async fn without_a_database() {
    let st = Arc::new(AppState::new(fixture().base.clone(), now()));
    let (status, v) = get(st.clone(), "/api/snapshots").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((v["history"].as_bool(), v["snapshots"].as_array().map(Vec::len)), (Some(false), Some(0)));
    for uri in ["/api/diff", "/api/role/build-agent-ec2/history"] {
        let (status, v) = get(st.clone(), uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert!(v["error"].as_str().unwrap().contains("--db PATH"), "{v}");
    }
}

#[tokio::test]
async fn the_diff_page_is_served() {
    let resp = router(with_db(), None).oneshot(Request::get("/diff").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    assert!(String::from_utf8_lossy(&body).contains("nav-diff"));
}
