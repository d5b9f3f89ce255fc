//! `rolegraph roles`, `rolegraph role` and `rolegraph users`, end to end on the bundled demo
//! organization and on the samples in `shared/data/samples`.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a test stops at the first unexpected value"
)]

use std::path::PathBuf;

mod common;
use common::rolegraph;

use serde_json::Value;

fn sample(name: &str) -> String {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/samples")).join(name);
    assert!(p.is_dir(), "`{}` is missing: the shared data must sit beside the workspace", p.display());
    p.display().to_string()
}

fn ok(args: &[&str]) -> String {
    let o = rolegraph(args);
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

fn json(args: &[&str]) -> Value {
    let out = ok(args);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

fn names(v: &Value) -> Vec<String> {
    v["roles"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap().to_owned()).collect()
}

fn row<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["roles"].as_array().unwrap().iter().find(|r| r["name"] == name).unwrap_or_else(|| panic!("no row {name}"))
}

#[test]
fn roles_on_the_demo() {
    let v = json(&["roles", "demo", "--json"]);
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["roles"].as_array().unwrap().len(), 32);
    let legacy = row(&v, "legacy-batch-ec2");
    assert_eq!(legacy["kinds"], serde_json::json!(["ec2"]));
    assert_eq!(legacy["privilege"], "admin");
    assert_eq!(legacy["resources"], 1);
    assert_eq!(row(&v, "orders-processor-lambda")["resources"], 5);
    assert_eq!(row(&v, "datadog-integration")["trusted"], serde_json::json!(["vendor:Datadog[extid]"]));
    assert_eq!(row(&v, "github-actions-terraform")["trusted"], serde_json::json!(["oidc:github-actions[no-sub]"]));
    assert_eq!(row(&v, "github-actions-deploy")["trusted"], serde_json::json!(["oidc:github-actions[sub]"]));
    assert_eq!(row(&v, "analytics-partner-access")["trusted"], serde_json::json!(["external:210987654321[no-extid]"]));
    assert_eq!(row(&v, "AWSServiceRoleForECS")["kinds"], serde_json::json!(["service-linked"]));
    assert_eq!(row(&v, "okta-prod-admin")["kinds"], serde_json::json!(["saml"]));
    assert_eq!(row(&v, "old-reporting-role")["last_used"]["status"], "never");

    let text = ok(&["roles", "demo"]);
    let header = text.lines().next().unwrap();
    for col in ["NAME", "ACCOUNT", "KIND", "TRUSTED BY", "USED BY", "PRIVILEGE", "LAST USED"] {
        assert!(header.contains(col), "{header}");
    }
    assert!(text.lines().any(|l| l.starts_with("legacy-batch-ec2 ") && l.contains("admin")), "{text}");
    assert!(text.contains("32 roles"), "{text}");
    // The same input gives the same output.
    assert_eq!(text, ok(&["roles", "demo"]));
}

#[test]
fn roles_filters_and_sorts() {
    let v = json(&["roles", "demo", "--kind", "oidc", "--json"]);
    assert_eq!(names(&v), ["github-actions-deploy", "github-actions-terraform", "ci-deployer"]);
    let v = json(&["roles", "demo", "--trusted-by", "vendor", "--sort", "name", "--json"]);
    assert_eq!(names(&v), ["datadog-integration", "snyk-scanner", "vanta-auditor"]);
    let v = json(&["roles", "demo", "--trusted-by", "external", "--json"]);
    assert_eq!(names(&v), ["analytics-partner-access"]);
    let v = json(&["roles", "demo", "--account", "development", "--kind", "lambda", "--json"]);
    assert_eq!(names(&v), ["dev-lambda-shared"]);
    let v = json(&["roles", "demo", "--account", "222222222222", "--json"]);
    assert!(v["roles"].as_array().unwrap().iter().all(|r| r["account_id"] == "222222222222"));
    let v = json(&["roles", "demo", "--privilege", "admin", "--sort", "name", "--json"]);
    assert!(names(&v).contains(&"legacy-batch-ec2".to_owned()));
    assert!(v["roles"].as_array().unwrap().iter().all(|r| r["privilege"] == "admin"));
    let v = json(&["roles", "demo", "--sort", "privilege", "--json"]);
    assert_eq!(v["roles"][0]["privilege"], "admin");
    let v = json(&["roles", "demo", "--sort", "resources", "--json"]);
    assert_eq!(v["roles"][0]["name"], "orders-processor-lambda");
    let v = json(&["roles", "demo", "--unused", "90", "--as-of", "2026-11-22", "--sort", "name", "--json"]);
    assert_eq!(names(&v), ["SecurityBreakGlass", "old-reporting-role", "prod-break-glass", "tmp-migration-2019"]);
    let v = json(&["roles", "demo", "--sort", "last-used", "--json"]);
    assert_eq!(v["roles"][0]["last_used"]["status"], "never");
}

#[test]
fn roles_rejects_bad_options_with_exit_2() {
    for (args, message) in [
        (&["roles", "demo", "--kind", "robot"][..], "unknown kind `robot`"),
        (&["roles", "demo", "--trusted-by", "aliens"][..], "`aliens`"),
        (&["roles", "demo", "--privilege", "god"][..], "unknown privilege level `god`"),
        (&["roles", "demo", "--account", "nope"][..], "no account `nope`"),
        (&["roles", "no/such/dir"][..], "no/such/dir"),
    ] {
        let o = rolegraph(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(message), "{args:?}: {err}");
        assert!(o.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn roles_on_the_samples() {
    let moto = sample("moto-synthetic");
    let v = json(&["roles", &moto, "--json"]);
    assert_eq!(names(&v), ["admin-role", "bounded-role", "ec2-app-role", "lambda-exec-role", "xacct-audit-role"]);
    assert_eq!(row(&v, "admin-role")["privilege"], "admin");
    assert_eq!(row(&v, "xacct-audit-role")["trusted"], serde_json::json!(["external:222222222222[extid]"]));
    assert_eq!(row(&v, "ec2-app-role")["resources"], 1);
    assert!(!v["gaps"].as_array().unwrap().is_empty());

    let cm = sample("cloudmapper-demo");
    let o = rolegraph(&["roles", &cm]);
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("gaps: "), "the gaps are summarized on stderr: {err}");
    let v = json(&["roles", &cm, "--json"]);
    assert_eq!(row(&v, "bad_role")["trusted"], serde_json::json!(["everyone"]));
    assert_eq!(row(&v, "bad_role")["kinds"], serde_json::json!(["cross-account"]));
    let v = json(&["roles", &sample("cloudsplaining"), "--json"]);
    assert_eq!(row(&v, "OverprivilegedEC2")["kinds"], serde_json::json!(["ec2"]));
}

#[test]
fn role_record_on_the_demo() {
    let v = json(&["role", "demo", "datadog-integration", "--json"]);
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["details"]["account_id"], "111111111111");
    let e = &v["trust"]["entities"][0];
    assert_eq!(e["kind"], "account");
    assert_eq!(e["account"]["relation"], "vendor");
    assert_eq!(e["account"]["name"], "Datadog");
    assert_eq!(e["guards"][0]["kind"], "external-id");
    assert_eq!(e["evidence"]["pointer"], "/Statement/0/Principal/AWS");

    let v = json(&["role", "demo", "legacy-batch-ec2", "--json"]);
    assert_eq!(v["privilege"]["level"], "admin");
    assert_eq!(v["privilege"]["categories"][0]["kind"], "admin-equivalent");
    let granted_by = v["privilege"]["categories"][0]["statements"][0]["policy"].as_str().unwrap();
    assert!(granted_by.ends_with("AdministratorAccess"), "{granted_by}");
    assert!(v["used_by"].as_array().unwrap().iter().any(|u| u["kind"] == "ec2_instance"));
    assert!(v["permissions"]["granted_actions"].as_u64().unwrap() > 20_000);

    let text = ok(&["role", "demo", "github-actions-terraform"]);
    assert!(text.contains("no `sub` condition"), "{text}");
    assert!(text.contains("Privilege: "), "{text}");
    let text = ok(&["role", "demo", "arn:aws:iam::111111111111:role/orders-processor-lambda"]);
    assert!(text.contains("Used by (5)"), "{text}");
}

#[test]
fn role_names_ambiguous_and_unknown_roles() {
    let o = rolegraph(&["role", "demo", "security-audit"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("names 2 roles"), "{err}");
    assert!(err.contains("arn:aws:iam::111111111111:role/security-audit"), "{err}");
    assert!(err.contains("arn:aws:iam::222222222222:role/security-audit"), "{err}");
    // ACCOUNT/NAME picks one.
    let v = json(&["role", "demo", "development/security-audit", "--json"]);
    assert_eq!(v["details"]["account_id"], "222222222222");
    let o = rolegraph(&["role", "demo", "no-such-role"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no role `no-such-role`"));
}

#[test]
fn a_bad_export_is_an_error_naming_the_file() {
    let dir = std::env::temp_dir().join(format!("rolegraph-roles-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("broken.json"), "{\"RoleDetailList\": [").unwrap();
    let d = dir.display().to_string();
    for cmd in ["roles", "users"] {
        let o = rolegraph(&[cmd, &d]);
        assert_eq!(o.status.code(), Some(2));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("broken.json"), "{err}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn users_and_credentials() {
    let v = json(&["users", "demo", "--json"]);
    assert_eq!(v["schema_version"], 1);
    let accounts = v["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 3);
    let users = |i: usize| accounts[i]["users"].as_array().unwrap().clone();
    let find = |i: usize, name: &str| users(i).into_iter().find(|u| u["name"] == name).unwrap();
    assert_eq!(find(0, "jane.doe")["flags"], serde_json::json!(["console-without-mfa"]));
    assert_eq!(find(0, "ci-legacy-deployer")["flags"], serde_json::json!(["old-access-key"]));
    let root = &users(1)[0];
    assert_eq!(root["root"], true);
    assert_eq!(root["flags"], serde_json::json!(["root-without-mfa", "root-used-recently"]));
    let text = ok(&["users", "demo"]);
    assert!(text.contains("console-without-mfa"), "{text}");
    assert!(text.contains("<root>"), "{text}");

    let v = json(&["users", &sample("cloudmapper-demo"), "--json"]);
    assert_eq!(v["accounts"][0]["has_report"], true);
    assert!(!v["accounts"][0]["users"].as_array().unwrap().is_empty());
}

#[test]
fn role_record_json_snapshot() {
    let v = json(&["role", "demo", "payments-webhook-lambda", "--json"]);
    insta::assert_json_snapshot!(v);
}

/// Every privilege level of the demo with why, from `rolegraph role` (one definition: the
/// level `roles` shows is the one `role` explains): administrators and paths to one are the
/// graph's; the service-linked roles, the roles that may only assume read-only roles
/// (`security-scanner-lambda`) or hold `rds:AddRoleToDBInstance` without `iam:PassRole`
/// (`tmp-migration-2019`) are not `privilege-escalation`; `SecurityAudit` and `ViewOnlyAccess`
/// read.
#[test]
fn demo_privilege_levels_say_why() {
    let table = json(&["roles", "demo", "--json"]);
    let mut out = Vec::new();
    for r in table["roles"].as_array().unwrap() {
        let arn = r["arn"].as_str().unwrap();
        let rec = json(&["role", "demo", arn, "--json"]);
        let p = &rec["privilege"];
        assert_eq!(p["level"], r["privilege"], "{arn}: `roles` and `role` disagree");
        assert_eq!(p["level_conditional"], r["privilege_conditional"], "{arn}");
        assert_eq!(p["settled"], true, "{arn}");
        out.push(serde_json::json!({
            "role": format!("{}/{}", r["account_id"].as_str().unwrap(), r["name"].as_str().unwrap()),
            "level": p["level"], "conditional": p["level_conditional"], "why": p["why"],
            "path": p["path"], "managed_by_aws": p["managed_by_aws"],
        }));
    }
    let level =
        |name: &str| out.iter().find(|r| r["role"].as_str().unwrap().ends_with(&format!("/{name}"))).unwrap()["level"].clone();
    assert_eq!(level("ci-deployer"), "privilege-escalation");
    assert_eq!(level("AWSServiceRoleForAutoScaling"), "permissions-management");
    assert_eq!(level("security-scanner-lambda"), "write");
    assert_eq!(level("tmp-migration-2019"), "permissions-management");
    assert_eq!(level("okta-prod-readonly"), "read");
    assert_eq!(level("vanta-auditor"), "read");
    insta::assert_json_snapshot!(out);
}
