//! The `rolegraph` binary, end to end: what users type in the README and the docs.

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

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn eval_explains_an_allow() {
    let o = rolegraph(&[
        "eval",
        "--policy",
        "examples/eval/app-role.json",
        "--principal",
        "arn:aws:sts::111122223333:assumed-role/app/s1",
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::app-data/report.csv",
        "--resource-account",
        "111122223333",
    ]);
    assert!(o.status.success(), "{o:?}");
    let out = stdout(&o);
    assert!(out.starts_with("Allowed\n"), "{out}");
    assert!(out.contains("statement 0 (ReadData)"), "{out}");
}

#[test]
fn eval_explains_an_explicit_deny_as_json() {
    let o = rolegraph(&[
        "eval",
        "--policy",
        "examples/eval/app-role.json",
        "--principal",
        "arn:aws:sts::111122223333:assumed-role/app/s1",
        "--action",
        "s3:DeleteObject",
        "--resource",
        "arn:aws:s3:::app-data/report.csv",
        "--json",
    ]);
    assert!(o.status.success(), "{o:?}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["decision"], "ExplicitlyDenied");
    assert_eq!(v["decided_by"][0]["sid"], "NoDeletes");
    assert_eq!(v["decided_by"][0]["pointer"], "/Statement/1");
    assert_eq!(v["blocked_by"][0], "identity");
    assert_eq!(v["schema_version"], 1);
}

#[test]
fn eval_partial_names_the_condition() {
    let o = rolegraph(&[
        "eval",
        "--resource-policy",
        "examples/eval/vendor-trust.json",
        "--principal",
        "arn:aws:iam::464622532012:role/datadog-integration",
        "--action",
        "sts:AssumeRole",
        "--resource",
        "arn:aws:iam::111122223333:role/DatadogIntegration",
        "--policy",
        "examples/eval/app-role.json",
        "--unknown",
        "sts:ExternalId",
    ]);
    let out = stdout(&o);
    // The vendor's own policy (app-role.json) does not allow sts:AssumeRole: denied whatever the id.
    assert!(out.starts_with("ImplicitlyDenied"), "{out}");
    let o = rolegraph(&["eval", "--batch", "examples/eval/cases.jsonl"]);
    assert_eq!(o.status.code(), Some(2), "a bad line makes the exit code 2");
    let lines: Vec<serde_json::Value> =
        stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["decision"], "Allowed");
    assert_eq!(lines[1]["decision"], "Conditional");
    assert_eq!(lines[1]["allowed_if"], "sts:ExternalId StringEquals `a1b2c3d4`");
    assert!(lines[2]["error"].as_str().is_some_and(|e| e.contains("line 3") && e.contains("principal")), "{}", lines[2]);
}

#[test]
fn eval_reports_bad_policies_with_file_and_pointer() {
    let dir = std::env::temp_dir().join(format!("rolegraph-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let bad = dir.join("bad.json");
    std::fs::write(&bad, r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*"}, {"Effect": "Perhaps", "Action": "*"}]}"#)
        .unwrap_or_else(|e| panic!("{e}"));
    let bad_path = bad.display().to_string();
    let o = rolegraph(&["eval", "--policy", &bad_path, "--principal", "arn:aws:iam::1:user/a", "--action", "s3:GetObject"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad.json") && err.contains("/Statement/1/Effect"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn actions_counts_by_access_level() {
    let o = rolegraph(&["actions", "iam:PassRole", "--json"]);
    assert!(o.status.success(), "{o:?}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["total"], 1);
    assert_eq!(v["levels"][0]["level"], "Permissions management");
    let o = rolegraph(&["actions", "nosuchservice:*"]);
    assert!(stdout(&o).contains("matches no action"), "{}", stdout(&o));
}

#[test]
fn conformance_has_no_unexplained_divergence() {
    let o = rolegraph(&["conformance"]);
    let out = stdout(&o);
    assert!(o.status.success(), "unexplained disagreements:\n{out}");
    let total = out.lines().last().unwrap_or_default();
    let agreed: usize = total.split_whitespace().skip_while(|w| *w != "agreed").nth(1).and_then(|n| n.parse().ok()).unwrap_or(0);
    assert!(agreed >= 250, "{total}");
}
