//! `rolegraph usage` and `rolegraph suggest-policy`, end to end on the CloudTrail samples and a
//! small export folder whose roles match them.

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
    let admin =
        out.lines().find(|l| l.starts_with("arn:aws:iam::677301038893:role/account-admin")).unwrap_or_else(|| panic!("{out}"));
    assert!(admin.contains("2022-07-20T21:06:11Z"), "{admin}");
    assert!(
        out.contains("roles not used in the window (no call in the trail, none per RoleLastUsed): 1\n  arn:aws:iam::677301038893:role/idle-worker"),
        "{out}"
    );
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
    let v = json(&rolegraph(&[
        "suggest-policy",
        EXPORT,
        "account-admin",
        "--trail",
        STRATUS,
        "--until",
        "2023-06-01T00:00:00Z",
        "--json",
    ]));
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

const DEMO_TRAIL: &str = "demo/cloudtrail";
const DEMO_UNTIL: &str = "2026-11-20T08:00:00Z";

#[test]
fn role_with_a_trail_shows_what_it_used_and_who_assumed_it() {
    let o = rolegraph(&["role", "demo", "orders-processor-lambda", "--trail", DEMO_TRAIL, "--until", DEMO_UNTIL]);
    assert!(o.status.success(), "{o:?}");
    let out = text(&o.stdout);
    let usage = out.split("\nUsage (CloudTrail)\n").nth(1).unwrap_or_else(|| panic!("{out}"));
    assert!(usage.contains("calls: 24 allowed, 0 denied; first 2026-09-04T06:01:00Z, last 2026-11-19T06:02:00Z"), "{usage}");
    assert!(usage.contains("on arn:aws:dynamodb:eu-west-1:111111111111:table/orders (6x"), "{usage}");
    assert!(usage.contains("    s3:PutObject\n"), "granted, never used: {usage}");
    assert!(usage.contains("services unused per last-accessed data: s3 (never)"), "{usage}");
    assert!(usage.contains("assumed by lambda.amazonaws.com (service) 6x via AssumeRole"), "{usage}");
    // Without --trail the report is as before.
    let plain = text(&rolegraph(&["role", "demo", "orders-processor-lambda"]).stdout);
    assert!(!plain.contains("Usage (CloudTrail)"));
    assert_eq!(plain, out.split("\nUsage (CloudTrail)\n").next().unwrap());
}

#[test]
fn role_json_has_a_usage_field_only_with_a_trail() {
    let v = json(&rolegraph(&["role", "demo", "okta-prod-readonly", "--trail", DEMO_TRAIL, "--until", DEMO_UNTIL, "--json"]));
    let u = &v["usage"];
    assert_eq!(u["active"], true);
    assert_eq!(u["used"][0]["action"], "ec2:DescribeInstances");
    let saml = &u["assumers"][0];
    assert_eq!(saml["caller"], "arn:aws:iam::111111111111:saml-provider/Okta");
    assert_eq!(saml["caller_kind"], "provider");
    assert_eq!(saml["apis"][0], "AssumeRoleWithSAML");
    assert_eq!(saml["subjects"].as_array().unwrap().len(), 2);
    assert!(v["details"]["arn"].is_string(), "the role record is still there");
    let idle = json(&rolegraph(&["role", "demo", "old-reporting-role", "--trail", DEMO_TRAIL, "--until", DEMO_UNTIL, "--json"]));
    assert_eq!(idle["usage"]["active"], false);
    assert_eq!(idle["usage"]["events"], 0);
    let plain = json(&rolegraph(&["role", "demo", "okta-prod-readonly", "--json"]));
    assert!(plain.get("usage").is_none());
}

#[test]
fn scan_with_a_trail_adds_usage_findings_and_without_it_nothing_changes() {
    let plain = rolegraph(&["scan", "demo", "--format", "json", "--fail-on", "never"]);
    let again = rolegraph(&["scan", "demo", "--format", "json", "--fail-on", "never"]);
    assert_eq!(plain.stdout, again.stdout);
    let plain = json(&plain);
    let trail = json(&rolegraph(&[
        "scan",
        "demo",
        "--format",
        "json",
        "--fail-on",
        "never",
        "--trail",
        DEMO_TRAIL,
        "--until",
        DEMO_UNTIL,
    ]));
    let of = |v: &serde_json::Value, rule: &str| -> Vec<String> {
        let mut names: Vec<String> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == rule)
            .map(|f| f["subject"]["name"].as_str().unwrap().to_owned())
            .collect();
        names.sort();
        names
    };
    assert!(of(&plain, "unused-permissions").is_empty());
    let unused = of(&trail, "unused-permissions");
    assert!(
        unused.contains(&"orders-processor-lambda".to_owned()) && unused.contains(&"legacy-batch-ec2".to_owned()),
        "{unused:?}"
    );
    // Roles IAM saw in use inside the window are not called unused for lack of trail events.
    assert_eq!(of(&trail, "unused-role"), of(&plain, "unused-role"));
    let f = trail["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "unused-role" && f["subject"]["name"] == "old-reporting-role")
        .unwrap();
    assert!(f["message"].as_str().unwrap().contains("made no call in CloudTrail"), "{f}");
}

#[test]
fn who_can_assume_and_graph_show_observed_edges() {
    let args = ["who-can-assume", "demo", "okta-prod-admin", "--trail", DEMO_TRAIL, "--until", DEMO_UNTIL];
    let o = rolegraph(&args);
    let out = text(&o.stdout);
    assert!(out.contains("Observed in CloudTrail: 1 caller, 1 not possible per the policies"), "{out}");
    assert!(out.contains("arn:aws:iam::111111111111:user/jane.doe (user, account 111111111111) 1x via AssumeRole"), "{out}");
    let v = json(&rolegraph(&["who-can-assume", "demo", "prod-deploy", "--trail", DEMO_TRAIL, "--until", DEMO_UNTIL, "--json"]));
    assert_eq!(v["observed"][0]["status"], "possible");
    assert_eq!(v["observed"][0]["from_node"], "arn:aws:iam::222222222222:role/ci-deployer");
    let plain = json(&rolegraph(&["who-can-assume", "demo", "prod-deploy", "--json"]));
    assert!(plain.get("observed").is_none());
    let g = json(&rolegraph(&["graph", "demo", "--format", "json", "--trail", DEMO_TRAIL, "--until", DEMO_UNTIL]));
    let observed = g["observed"].as_array().unwrap();
    assert!(observed.iter().any(|o| o["status"] == "not-possible" && o["caller"] == "arn:aws:iam::111111111111:user/jane.doe"));
    let edge = g["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["to"] == "arn:aws:iam::111111111111:role/datadog-integration" && e["from"] == "external-account:464622532012")
        .unwrap();
    assert_eq!(edge["observed"][0]["count"], 5);
    let plain = json(&rolegraph(&["graph", "demo", "--format", "json"]));
    assert!(plain.get("observed").is_none());
}

/// On the demo, under its region SCP (`aws:RequestedRegion`): the trail's regions decide the
/// calls, so the suggestions are not empty, each is proved and covers every observed call; the
/// Lambda role keeps the log writes of its functions (the trail cannot show them), and the
/// statements the region decided keep the region condition.
#[test]
fn suggest_policy_on_the_demo_uses_the_regions_of_the_calls_and_keeps_the_runtime() {
    for role in ["orders-processor-lambda", "web-app-ec2", "datadog-integration"] {
        let v = json(&rolegraph(&[
            "suggest-policy",
            "demo",
            role,
            "--trail",
            "demo/cloudtrail",
            "--until",
            "2026-11-20T08:00:00Z",
            "--json",
        ]));
        let statements = v["policy"]["Statement"].as_array().unwrap();
        assert!(!statements.is_empty(), "{role}: {v}");
        assert_eq!(v["proof"]["holds"], true, "{role}: {v}");
        assert_eq!(v["proof"]["covers_every_observed_call"], true, "{role}: {v}");
        assert!(v["proof"]["observed_allowed"].as_u64().unwrap() > 0, "{role}");
        let observed = statements.iter().find(|s| s["Sid"] == "Observed1").unwrap();
        assert_eq!(observed["Condition"]["StringEquals"]["aws:RequestedRegion"][0], "eu-west-1", "{role}: {observed}");
        assert!(v["notes"][0].as_str().unwrap().contains("data events"), "{role}");
    }
    let v = json(&rolegraph(&[
        "suggest-policy",
        "demo",
        "orders-processor-lambda",
        "--trail",
        "demo/cloudtrail",
        "--until",
        "2026-11-20T08:00:00Z",
        "--json",
    ]));
    let runtime: Vec<&serde_json::Value> = v["policy"]["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["Sid"].as_str().unwrap().starts_with("KeptForTheRuntime"))
        .collect();
    let actions: Vec<&str> = runtime.iter().flat_map(|s| s["Action"].as_array().unwrap()).map(|a| a.as_str().unwrap()).collect();
    assert!(actions.contains(&"logs:PutLogEvents") && actions.contains(&"logs:CreateLogStream"), "{actions:?}");
    assert!(
        v["proof"]["runtime_kept"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["resource"] == "arn:aws:logs:eu-west-1:111111111111:log-group:/aws/lambda/orders-ingest:*"),
        "{v}"
    );
}

/// One source of "last used": the newest of the trail and `RoleLastUsed`. On the demo, a role
/// with no call in the trail that `RoleLastUsed` shows used in the window is not listed as
/// unused (the trail misses its calls), and its last use says where it comes from; the
/// Datadog assumer is named by its vendor.
#[test]
fn last_used_has_one_source() {
    let args = ["usage", "demo", "--trail", "demo/cloudtrail", "--until", "2026-11-20T08:00:00Z", "--json"];
    let v = json(&rolegraph(&args));
    let unused: Vec<&str> = v["unused_roles"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    let beyond: Vec<&str> = v["used_beyond_the_trail"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    assert!(unused.contains(&"arn:aws:iam::111111111111:role/old-reporting-role"), "{unused:?}");
    assert!(!unused.iter().any(|r| r.ends_with("role/github-actions-terraform")), "{unused:?}");
    assert!(beyond.contains(&"arn:aws:iam::111111111111:role/github-actions-terraform"), "{beyond:?}");
    let row =
        |name: &str| v["roles"].as_array().unwrap().iter().find(|r| r["role"].as_str().unwrap().ends_with(name)).unwrap().clone();
    assert_eq!(row("role/github-actions-terraform")["last_activity_source"], "role-last-used");
    // Datadog's last call in the trail is 2026-11-19; RoleLastUsed says 2026-11-20: the newest.
    let dd = row("role/datadog-integration");
    assert_eq!(dd["last_activity_source"], "role-last-used", "{dd}");
    assert!(dd["last_activity"].as_str().unwrap().starts_with("2026-11-20"), "{dd}");
    let partner = row("role/analytics-partner-access");
    assert_eq!(partner["last_activity_source"], "trail", "{partner}");
    assert!(dd["assumers"][0].as_str().unwrap().starts_with("Datadog (464622532012)"), "{dd}");
    let text = String::from_utf8(
        rolegraph(&["role", "demo", "github-actions-terraform", "--trail", "demo/cloudtrail", "--until", "2026-11-20T08:00:00Z"])
            .stdout,
    )
    .unwrap();
    assert!(text.contains("last used: 2026-11-18") && text.contains("(from RoleLastUsed)"), "{text}");
}
