//! `rolegraph usage` and `rolegraph suggest-policy`, end to end on the CloudTrail samples and a
//! small export folder whose roles match them.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::process::Output;

mod common;
use common::rolegraph;

const EXPORT: &str = "crates/usage/tests/fixtures/export";
const STRATUS: &str = "../shared/data/samples/cloudtrail-stratus";
const TRAILSCRAPER: &str = "../shared/data/samples/cloudtrail-trailscraper";
const UNTIL: &str = "2022-08-01T00:00:00Z";

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "{o:?}");
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o.stdout)))
}

#[test]
fn usage_table_of_roles() {
    let o = rolegraph(&["usage", EXPORT, "--trail", STRATUS, "--trail", TRAILSCRAPER, "--until", UNTIL]);
    assert!(o.status.success(), "{o:?}");
    let out = text(&o.stdout);
    let admin = out.lines().find(|l| l.starts_with("arn:aws:iam::677301038893:role/account-admin")).unwrap_or_else(|| panic!("{out}"));
    assert!(admin.contains("2022-07-20T21:06:11Z"), "{admin}");
    assert!(out.contains("roles not used in the window: 1\n  arn:aws:iam::677301038893:role/idle-worker"), "{out}");
    let some = out.lines().find(|l| l.contains("role/someRole *")).unwrap_or_else(|| panic!("{out}"));
    assert!(some.ends_with("config.amazonaws.com"), "the observed assumer: {some}");
    let err = text(&o.stderr);
    assert!(err.contains("1 malformed files"), "{err}");
    assert!(err.contains("aws.execution.ec2-user-data.json line 112"), "{err}");
}

#[test]
fn usage_json_and_window() {
    let v = json(&rolegraph(&["usage", EXPORT, "--trail", STRATUS, "--until", UNTIL, "--json"]));
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["unused_roles"][0], "arn:aws:iam::677301038893:role/idle-worker");
    assert_eq!(v["read"]["malformed_files"], 1);
    // A window that ends before the events: every role is unused.
    let v = json(&rolegraph(&["usage", EXPORT, "--trail", STRATUS, "--until", "2022-07-01T00:00:00Z", "--days", "30", "--json"]));
    assert_eq!(v["unused_roles"].as_array().unwrap().len(), 2);
}

#[test]
fn usage_of_one_role() {
    let v = json(&rolegraph(&["usage", EXPORT, "--trail", STRATUS, "--until", UNTIL, "--role", "account-admin", "--json"]));
    assert_eq!(v["role"], "arn:aws:iam::677301038893:role/account-admin");
    let used: Vec<&str> = v["used"].as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap()).collect();
    assert!(used.contains(&"secretsmanager:GetSecretValue"), "{used:?}");
    assert!(v["granted_unused"].as_array().unwrap().iter().any(|a| a == "s3:GetObject"));
    assert_eq!(v["unused_services"][0]["namespace"], "s3");
    let o = rolegraph(&["usage", EXPORT, "--trail", STRATUS, "--until", UNTIL, "--role", "account-admin"]);
    let out = text(&o.stdout);
    assert!(out.contains("used but not granted by the current identity policies: cloudtrail:DeleteTrail"), "{out}");
}

#[test]
fn suggest_policy_prints_a_proved_policy() {
    let o = rolegraph(&["suggest-policy", EXPORT, "account-admin", "--trail", STRATUS, "--until", UNTIL]);
    assert!(o.status.success(), "{o:?}");
    let policy: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let s = policy.to_string();
    assert!(s.contains("secretsmanager:GetSecretValue") && !s.contains("cloudtrail:DeleteTrail"), "{s}");
    let err = text(&o.stderr);
    assert!(err.contains("observed calls allowed by the suggested policy: 11/11"), "{err}");
    assert!(err.contains("not suggested: cloudtrail:DeleteTrail"), "{err}");
    assert!(err.contains("the proof holds"), "{err}");
    let v = json(&rolegraph(&["suggest-policy", EXPORT, "account-admin", "--trail", STRATUS, "--until", UNTIL, "--json"]));
    assert_eq!(v["proof"]["holds"], true);
    assert_eq!(v["policy"]["Version"], "2012-10-17");
}

#[test]
fn suggest_policy_default_window_is_90_days() {
    // The samples are from 2022: 90 days before 2023-06-01 holds none of them.
    let v = json(&rolegraph(&["suggest-policy", EXPORT, "account-admin", "--trail", STRATUS, "--until", "2023-06-01T00:00:00Z", "--json"]));
    assert_eq!(v["actions"], 0);
    assert_eq!(v["policy"]["Statement"].as_array().unwrap().len(), 0);
}

#[test]
fn errors_exit_2() {
    let o = rolegraph(&["suggest-policy", EXPORT, "no-such-role", "--trail", STRATUS]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("no role `no-such-role`"));
    let o = rolegraph(&["usage", EXPORT, "--trail", "no/such/trail"]);
    assert_eq!(o.status.code(), Some(2));
    let o = rolegraph(&["usage", EXPORT, "--trail", STRATUS, "--until", "yesterday"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn usage_writes_parquet() {
    let dir = std::env::temp_dir().join(format!("rolegraph-cli-usage-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("usage.parquet");
    let o = rolegraph(&["usage", EXPORT, "--trail", STRATUS, "--until", UNTIL, "--parquet", f.to_str().unwrap()]);
    assert!(o.status.success(), "{o:?}");
    let bytes = std::fs::read(&f).unwrap();
    assert!(bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"));
    assert!(text(&o.stderr).contains("wrote 13 rows"), "{}", text(&o.stderr));
    std::fs::remove_dir_all(&dir).unwrap();
}
