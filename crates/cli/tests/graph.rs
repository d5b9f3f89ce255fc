//! The graph commands end to end: `who-can-assume`, `reach`, `path`, `escalations` and
//! `graph`, on the Cloudsplaining sample account and on the demo organization.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a test stops at the first unexpected value"
)]

use std::process::Output;

mod common;
use common::rolegraph;

use serde_json::Value;

const CLOUDSPLAINING: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/samples/cloudsplaining");
const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo");

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json(args: &[&str]) -> Value {
    let o = rolegraph(args);
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{args:?}: not JSON: {e}"))
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(|r| r["node"]["id"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn cloudsplaining_escalation_through_an_access_key() {
    let v = json(&["escalations", CLOUDSPLAINING, "--json"]);
    assert_eq!(v["schema_version"], 1);
    let esc = v["escalations"].as_array().unwrap();
    let e = esc.iter().find(|e| e["node"]["label"] == "OverprivilegedEC2").expect("OverprivilegedEC2 escalates");
    assert_eq!(e["admin"]["kind"], "account-admin");
    let first = &e["path"][0];
    assert_eq!(first["kind"], "privesc");
    assert!(first["paths"].as_array().unwrap().iter().any(|p| p == "iam-002"), "{first}");
    // No credential report: the key count is an assumption, said so.
    assert!(first["ways"][0]["assumptions"][0].as_str().unwrap().contains("access keys"));
}

#[test]
fn cloudsplaining_who_can_assume_lists_administrators() {
    let v = json(&["who-can-assume", CLOUDSPLAINING, "MyRole", "--json"]);
    assert_eq!(v["target"]["label"], "MyRole");
    // The list is written entry by entry; the keys keep their documented order.
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["schema_version", "target", "reached_by", "notes"]);
    let keys = |args: &[&str]| json(args).as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&["escalations", CLOUDSPLAINING, "--json"]), ["schema_version", "escalations", "notes"]);
    assert_eq!(keys(&["reach", CLOUDSPLAINING, "obama", "--json"]), ["schema_version", "from", "reaches", "notes"]);
    assert_eq!(keys(&["path", CLOUDSPLAINING, "obama", "MyRole", "--json"]), ["schema_version", "from", "to", "paths"]);
    let who = ids(&v["reached_by"]);
    assert!(who.contains(&"arn:aws:iam::012345678901:user/obama".to_owned()), "{who:?}");
    let text = stdout(&rolegraph(&["who-can-assume", CLOUDSPLAINING, "MyRole"]));
    assert!(text.starts_with("role MyRole (012345678901) can be reached by "), "{text}");
    assert!(text.contains("obama -admin-equivalent-> administrator of 012345678901 -admin-control-> MyRole"), "{text}");
}

#[test]
fn cloudsplaining_exports_every_format() {
    let v = json(&["graph", CLOUDSPLAINING, "--format", "json"]);
    assert_eq!(v["schema_version"], 1);
    let nodes = v["nodes"].as_array().unwrap().len();
    let edges = v["edges"].as_array().unwrap().len();
    assert!(nodes > 5 && edges > 5, "{nodes} nodes, {edges} edges");
    let dot = stdout(&rolegraph(&["graph", CLOUDSPLAINING, "--format", "dot"]));
    assert!(dot.starts_with("digraph rolegraph {") && dot.trim_end().ends_with('}'));
    assert_eq!(dot.matches(" -> ").count(), edges);
    let xml = stdout(&rolegraph(&["graph", CLOUDSPLAINING, "--format", "graphml"]));
    assert_eq!(xml.matches("<node ").count(), nodes);
    assert_eq!(xml.matches("<edge ").count(), edges);
    let cypher = stdout(&rolegraph(&["graph", CLOUDSPLAINING, "--format", "cypher"]));
    assert_eq!(cypher.lines().count(), 1 + nodes + edges);
    let o = rolegraph(&["graph", CLOUDSPLAINING, "--format", "svg"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown format `svg`"));
}

#[test]
fn demo_chain_from_github_to_an_administrator_role() {
    let v = json(&["escalations", DEMO, "--json"]);
    let esc = v["escalations"].as_array().unwrap();
    let e = esc.iter().find(|e| e["node"]["id"] == "arn:aws:iam::222222222222:role/ci-deployer").expect("ci-deployer escalates");
    let kinds: Vec<&str> = e["path"].as_array().unwrap().iter().map(|x| x["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["can-assume", "privesc", "admin-equivalent"]);
    assert_eq!(e["path"][1]["paths"][0], "ec2-001");
    assert_eq!(e["admin"]["id"], "admin:111111111111");
}

#[test]
fn demo_path_is_explained_with_statements_and_conditions() {
    let v = json(&["path", DEMO, "ci-deployer", "legacy-batch-ec2", "--json"]);
    let p = &v["paths"][0];
    assert_eq!(p["hops"], 2);
    // The region SCP is a scope, not a condition: the path holds (docs/findings.md).
    assert_eq!(p["conditional"], false);
    let pass = &p["edges"][1]["ways"][0]["checks"][0];
    assert_eq!(pass["action"], "iam:PassRole");
    assert_eq!(pass["evidence"][0]["sid"], "PassAnyRole");
    // The region SCP scopes RunInstances: its condition is kept, marked as a scope.
    let run = p["edges"][1]["ways"][0]["checks"].as_array().unwrap().iter().find(|c| c["action"] == "ec2:RunInstances").unwrap();
    assert!(run["condition"]["text"].as_str().unwrap().contains("aws:RequestedRegion"), "{run}");
    assert_eq!(run["condition"]["scope"], true, "{run}");
    let text = stdout(&rolegraph(&["path", DEMO, "ci-deployer", "legacy-batch-ec2"]));
    assert!(text.contains("ec2-001: iam:PassRole + ec2:RunInstances"), "{text}");
    assert!(text.contains("scp policy `AllowedRegionsOnly`"), "{text}");
    assert!(text.contains("within not (aws:RequestedRegion StringNotEquals"), "{text}");
}

#[test]
fn demo_reach_shows_privilege_levels() {
    let v = json(&["reach", DEMO, "ci-deployer", "--json"]);
    let r = v["reaches"].as_array().unwrap();
    let legacy = r.iter().find(|x| x["node"]["label"] == "legacy-batch-ec2").unwrap();
    assert_eq!(legacy["privilege"], "admin");
    assert_eq!(legacy["hops"], 2);
    let deploy = r.iter().find(|x| x["node"]["label"] == "prod-deploy").unwrap();
    assert_eq!(deploy["hops"], 1);
    assert_ne!(deploy["privilege"], "unknown");
}

#[test]
fn demo_vendor_and_github_trust() {
    let v = json(&["who-can-assume", DEMO, "datadog-integration", "--json"]);
    let dd = v["reached_by"].as_array().unwrap().iter().find(|r| r["node"]["kind"] == "external-account").unwrap();
    assert_eq!(dd["node"]["vendor"], "Datadog");
    assert_eq!(dd["conditional"], true);
    let atoms = &dd["path"][0]["ways"][0]["checks"][0]["condition"]["atoms"];
    assert!(atoms.as_array().unwrap().iter().any(|a| a["key"] == "sts:ExternalId"), "{atoms}");

    let v = json(&["who-can-assume", DEMO, "github-actions-terraform", "--json"]);
    let gh = v["reached_by"].as_array().unwrap().iter().find(|r| r["node"]["kind"] == "oidc-provider").unwrap();
    let keys: Vec<&str> = gh["path"][0]["ways"][0]["checks"][0]["condition"]["atoms"]
        .as_array()
        .map_or(Vec::new(), |a| a.iter().filter_map(|x| x["key"].as_str()).collect());
    assert!(!keys.iter().any(|k| k.ends_with(":sub")), "no sub condition: {keys:?}");
}

#[test]
fn demo_graph_around_a_role_is_smaller() {
    let all = json(&["graph", DEMO, "--format", "json"]);
    let around = json(&["graph", DEMO, "--format", "json", "--role", "datadog-integration"]);
    let n = |v: &Value| v["nodes"].as_array().unwrap().len();
    assert!(n(&around) < n(&all));
    assert!(around["nodes"].as_array().unwrap().iter().any(|x| x["id"] == "external-account:464622532012"));
}

#[test]
fn unknown_names_are_errors() {
    let o = rolegraph(&["who-can-assume", DEMO, "no-such-role"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nothing named `no-such-role`"));
}

#[test]
fn who_can_access_a_resource_on_the_demo() {
    // The partner's grant on acme-orders-data: refused by the data-perimeter RCP, and said so.
    let o = rolegraph(&["who-can-access", DEMO, "acme-orders-data", "--outside"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = stdout(&o);
    assert!(text.contains("0 can act on it"), "{text}");
    assert!(text.contains("Named by the policy but refused: 210987654321: denied by rcp policy `DataPerimeter`"), "{text}");
    // The public development bucket: anyone may read and write objects under exports/.
    let v = json(&["who-can-access", DEMO, "arn:aws:s3:::acme-dev-share", "--outside", "--json"]);
    assert_eq!(v["schema_version"], 1);
    let access = v["resource"]["access"].as_array().unwrap();
    assert_eq!(access.len(), 1, "{access:?}");
    assert_eq!(access[0]["who"]["kind"], "anyone");
    let levels: Vec<&str> = access[0]["levels"].as_array().unwrap().iter().map(|l| l["level"].as_str().unwrap()).collect();
    assert_eq!(levels, ["Read", "Write"]);
    assert_eq!(access[0]["levels"][0]["objects"][0], "arn:aws:s3:::acme-dev-share/exports/*");
    // A filter by action; the secret read by the public instance's role, and who acts as it.
    let v = json(&["who-can-access", DEMO, "prod/payments/db", "--action", "secretsmanager:GetSecretValue", "--json"]);
    let who: Vec<&str> = v["resource"]["access"].as_array().unwrap().iter().map(|a| a["who"]["id"].as_str().unwrap()).collect();
    assert!(who.contains(&"arn:aws:iam::111111111111:role/legacy-batch-ec2"), "{who:?}");
    assert!(v["acting_as"]["arn:aws:iam::111111111111:role/legacy-batch-ec2"].as_array().is_some_and(|a| !a.is_empty()));
    // The cross-account escalation through orders-ingest's policy.
    let v = json(&["who-can-assume", DEMO, "orders-processor-lambda", "--json"]);
    let from = ids(&v["reached_by"]);
    assert!(from.contains(&"arn:aws:iam::222222222222:role/developer".to_owned()), "{from:?}");
    // An unknown resource is an error that says where resources come from.
    let o = rolegraph(&["who-can-access", DEMO, "no-such-bucket"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("resource-based policy exports"));
}
