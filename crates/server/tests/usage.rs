//! The CloudTrail endpoints against the router, on the demo organization and its trail (read up
//! to 2026-11-20T08:00:00Z, as the tests of `rolegraph role --trail` do): what a role used, who
//! assumed it and what the graph says of that, the findings computed with the trail, and the
//! answers of a server without a trail.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a test stops at the first unexpected value"
)]

use std::path::Path;
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use model::Timestamp;
use rolegraph_server::{AppState, router};
use serde_json::Value;
use tower::ServiceExt;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo");
const TRAIL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/cloudtrail/acme-org-trail-2026-09-to-11.jsonl");

fn now() -> Timestamp {
    Timestamp::parse("2026-11-20T08:00:00Z").unwrap()
}

fn with_trail() -> Arc<AppState> {
    static STATE: OnceLock<Arc<AppState>> = OnceLock::new();
    STATE
        .get_or_init(|| {
            let window = usage::Window { from: None, to: Some(now().0.timestamp()) };
            let used = usage::scan_with(&[Path::new(TRAIL)], window, 1).unwrap();
            Arc::new(AppState::with_usage(ingest::load(DEMO).unwrap().snapshot, now(), used))
        })
        .clone()
}

fn without_trail() -> Arc<AppState> {
    static STATE: OnceLock<Arc<AppState>> = OnceLock::new();
    STATE.get_or_init(|| Arc::new(AppState::new(ingest::load(DEMO).unwrap().snapshot, now()))).clone()
}

async fn get(state: Arc<AppState>, uri: &str) -> (StatusCode, Value) {
    let resp = router(state, None).oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    let status = resp.status();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    let v = serde_json::from_slice(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&body)));
    (status, v)
}

fn enc(arn: &str) -> String {
    arn.replace(':', "%3A").replace('/', "%2F")
}

#[tokio::test]
async fn a_role_used_actions_with_times_and_resources() {
    let arn = "arn:aws:iam::111111111111:role/service-role/orders-processor-lambda";
    let (status, v) = get(with_trail(), &format!("/api/role/{}/usage", enc(arn))).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["role"], arn);
    assert_eq!(v["in_snapshot"], true);
    assert_eq!(v["active"], true);
    assert_eq!(v["window_to"], "2026-11-20T08:00:00Z");
    assert_eq!(v["events"], 24);
    let used = v["used"].as_array().unwrap();
    let names: Vec<&str> = used.iter().map(|a| a["action"].as_str().unwrap()).collect();
    assert_eq!(names, ["dynamodb:GetItem", "dynamodb:PutItem", "sqs:DeleteMessage", "sqs:ReceiveMessage"]);
    let put = &used[1];
    assert_eq!(put["count"], 6);
    assert_eq!(put["first_seen"], "2026-09-04T06:01:00Z");
    assert_eq!(put["last_seen"], "2026-11-19T06:01:00Z");
    assert_eq!(put["resources"][0]["arn"], "arn:aws:dynamodb:eu-west-1:111111111111:table/orders");
    assert_eq!(v["granted_count"], 12);
    let unused: Vec<&str> = v["granted_unused"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    assert!(unused.contains(&"s3:PutObject") && unused.contains(&"sqs:SendMessage") && unused.len() == 8, "{unused:?}");
    assert_eq!(v["granted_services_unused"], serde_json::json!(["logs", "s3"]));
    assert_eq!(v["last_accessed_known"], true);
    assert_eq!(v["unused_services"][0]["namespace"], "s3");
    // Lambda assumed it, as its trust allows.
    let assumers = v["assumers"].as_array().unwrap();
    assert_eq!(assumers.len(), 1);
    assert_eq!(assumers[0]["caller"], "lambda.amazonaws.com");
    assert_eq!(assumers[0]["count"], 6);
    assert_eq!(assumers[0]["graph"], "possible");
}

#[tokio::test]
async fn an_assumption_the_graph_does_not_allow_is_flagged() {
    // By name: jane.doe assumed okta-prod-admin, which trusts only the SAML provider.
    let (status, v) = get(with_trail(), "/api/role/okta-prod-admin/usage").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["active"], false);
    assert!(v["used"].as_array().unwrap().is_empty());
    let a = &v["assumers"][0];
    assert_eq!(a["caller"], "arn:aws:iam::111111111111:user/jane.doe");
    assert_eq!(a["caller_kind"], "user");
    assert_eq!(a["caller_account"], "111111111111");
    assert_eq!(a["apis"], serde_json::json!(["AssumeRole"]));
    assert_eq!(a["source_ips"], serde_json::json!(["203.0.113.77"]));
    assert_eq!(a["graph"], "not-possible");
    // A cross-account assumption that a trust allows.
    let (_, v) = get(with_trail(), "/api/role/prod-deploy/usage").await;
    assert_eq!(v["assumers"][0]["caller"], "arn:aws:iam::222222222222:role/ci-deployer");
    assert_eq!(v["assumers"][0]["graph"], "possible");
    let (_, t) = get(with_trail(), "/api/trail").await;
    assert_eq!(t["trail"], true);
    assert_eq!(t["events"], 141);
    assert_eq!(t["out_of_window"], 3);
    assert_eq!(t["assumptions_not_possible"], 1);
}

#[tokio::test]
async fn findings_read_the_trail() {
    let subject = enc("arn:aws:iam::111111111111:role/service-role/orders-processor-lambda");
    let uri = format!("/api/findings?rule=unused-permissions&subject={subject}");
    let (_, with) = get(with_trail(), &uri).await;
    assert_eq!(with["total"], 1, "{with}");
    assert!(with["findings"][0]["message"].as_str().unwrap().contains("used 4 of its 12 granted actions"));
    let (_, all) = get(with_trail(), "/api/findings?rule=unused-permissions").await;
    assert_eq!(all["total"], 13);
    let (_, without) = get(without_trail(), "/api/findings?rule=unused-permissions").await;
    assert_eq!(without["total"], 0);
}

#[tokio::test]
async fn unknown_roles_and_no_trail() {
    let (status, v) = get(with_trail(), "/api/role/no-such-role/usage").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(v["error"], "no role `no-such-role`");
    let (status, v) = get(without_trail(), "/api/role/prod-deploy/usage").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(v["error"].as_str().unwrap().contains("--trail PATH"), "{v}");
    let (status, v) = get(without_trail(), "/api/trail").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v, serde_json::json!({ "schema_version": 1, "trail": false }));
}

/// The least-privilege endpoints: a role's suggested policy with the engine's proof (as
/// `rolegraph suggest-policy`), and used against granted for every role, most unused first.
#[tokio::test]
async fn suggested_policy_and_least_privilege_table() {
    let arn = "arn:aws:iam::111111111111:role/service-role/orders-processor-lambda";
    let (status, v) = get(with_trail(), &format!("/api/role/{}/suggest-policy", enc(arn))).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["role"], arn);
    assert_eq!(v["proof"]["holds"], true, "{v}");
    let statements = v["policy"]["Statement"].as_array().unwrap();
    assert!(!statements.is_empty(), "{v}");
    assert!(v["notes"].as_array().unwrap().iter().any(|n| n.as_str().unwrap().contains("data events")), "{v}");
    let (status, _) = get(without_trail(), &format!("/api/role/{}/suggest-policy", enc(arn))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get(with_trail(), "/api/role/no-such-role/suggest-policy").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, v) = get(with_trail(), "/api/least-privilege?limit=1000").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let rows = v["roles"].as_array().unwrap();
    assert_eq!(v["total"], 32);
    let unused: Vec<u64> = rows.iter().map(|r| r["unused"].as_u64().unwrap()).collect();
    assert!(unused.windows(2).all(|w| w[0] >= w[1]), "{unused:?}");
    let orders = rows.iter().find(|r| r["arn"] == arn).unwrap();
    assert_eq!(orders["active"], true);
    assert!(orders["used"].as_u64().unwrap() > 0 && orders["granted"].as_u64().unwrap() >= orders["used"].as_u64().unwrap());
    let (_, one) = get(with_trail(), "/api/least-privilege?account=333333333333").await;
    assert!(one["roles"].as_array().unwrap().iter().all(|r| r["account"] == "333333333333"));
    assert_eq!(get(without_trail(), "/api/least-privilege").await.0, StatusCode::NOT_FOUND);
}

/// Users and their credentials (`rolegraph users`), each with its findings.
#[tokio::test]
async fn users_and_credentials() {
    let (status, v) = get(without_trail(), "/api/users").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let prod = v["accounts"].as_array().unwrap().iter().find(|a| a["account_id"] == "111111111111").unwrap();
    assert_eq!(prod["has_report"], true);
    let users = prod["users"].as_array().unwrap();
    let ci = users.iter().find(|u| u["name"] == "ci-legacy-deployer").unwrap();
    assert!(ci["flags"].as_array().unwrap().iter().any(|f| f == "old-access-key"), "{ci}");
    assert_eq!(ci["access_keys"][0]["active"], true);
    assert!(ci["findings"].as_u64().unwrap() > 0, "{ci}");
    assert!(ci["worst_severity"].is_string());
    assert!(users.iter().any(|u| u["root"] == true));
}
