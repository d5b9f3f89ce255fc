//! `rolegraph scan`, `rules` and `rule` on the bundled demo organization.

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

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

#[test]
fn scan_demo_finds_the_planted_credential_risks() {
    let o = rolegraph(&["scan", "demo", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "high findings make the exit code 1: {o:?}");
    let v = json(&o);
    assert_eq!(v["schema_version"], 1);
    let findings = v["findings"].as_array().unwrap();
    let has = |rule: &str, name: &str| findings.iter().any(|f| f["rule"] == rule && f["subject"]["name"] == name);
    assert!(has("console-user-without-mfa", "jane.doe"));
    assert!(has("old-access-key", "ci-legacy-deployer"));
    assert!(has("unused-role", "old-reporting-role"));
    assert!(has("user-access-key-where-role-would-do", "dev-bot"));
    // Sorted by severity, highest first; fingerprints unique.
    let sev: Vec<&str> = findings.iter().map(|f| f["severity"].as_str().unwrap()).collect();
    let rank = |s: &str| ["info", "low", "medium", "high", "critical"].iter().position(|x| *x == s).unwrap();
    assert!(sev.windows(2).all(|w| rank(w[0]) >= rank(w[1])), "{sev:?}");
    let mut fps: Vec<&str> = findings.iter().map(|f| f["fingerprint"].as_str().unwrap()).collect();
    fps.sort();
    fps.dedup();
    assert_eq!(fps.len(), findings.len());
    // The gaps of the demo are reported, not hidden.
    assert!(v["gaps"].as_array().is_some_and(|g| !g.is_empty()));
    // Deterministic: the same run gives the same bytes.
    assert_eq!(rolegraph(&["scan", "demo", "--format", "json"]).stdout, o.stdout);
}

#[test]
fn fail_on_and_suppressions_set_the_exit_code() {
    // The demo has one critical finding: a user two steps from administrator of development.
    assert_eq!(rolegraph(&["scan", "demo", "--fail-on", "critical"]).status.code(), Some(1));
    assert_eq!(rolegraph(&["scan", "demo", "--fail-on", "never"]).status.code(), Some(0));
    assert_eq!(rolegraph(&["scan", "demo", "--fail-on", "loud"]).status.code(), Some(2));
    // Suppress every high and critical finding: the exit code drops to 0 at --fail-on high.
    let v = json(&rolegraph(&["scan", "demo", "--format", "json"]));
    let mut toml = String::new();
    for f in v["findings"].as_array().unwrap().iter().filter(|f| f["severity"] == "high" || f["severity"] == "critical") {
        toml.push_str(&format!(
            "[[suppress]]\nfingerprint = \"{}\"\nreason = \"accepted in test\"\n\n",
            f["fingerprint"].as_str().unwrap()
        ));
    }
    let path = std::env::temp_dir().join(format!("rolegraph-suppress-{}.toml", std::process::id()));
    std::fs::write(&path, toml).unwrap();
    let o = rolegraph(&["scan", "demo", "--suppressions", path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v = json(&o);
    assert!(v["summary"]["suppressed"].as_u64().unwrap() >= 3);
    let _ = std::fs::remove_file(&path);
}

#[test]
fn a_missing_folder_is_an_error_that_names_it() {
    let o = rolegraph(&["scan", "no/such/folder"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no/such/folder"));
}

#[test]
fn rules_are_listed_and_documented() {
    let o = rolegraph(&["rules", "--json"]);
    let v = json(&o);
    assert!(v.as_array().unwrap().iter().any(|r| r["id"] == "root-access-keys" && r["severity"] == "critical"));
    let o = rolegraph(&["rule", "unused-role"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("## Remediation") && text.contains("## False positives"), "{text}");
    assert_eq!(rolegraph(&["rule", "no-such-rule"]).status.code(), Some(2));
}

#[test]
fn scan_demo_finds_the_planted_trust_and_execution_role_risks() {
    let v = json(&rolegraph(&["scan", "demo", "--format", "json"]));
    let findings = v["findings"].as_array().unwrap();
    let has = |rule: &str, name: &str| findings.iter().any(|f| f["rule"] == rule && f["subject"]["name"] == name);
    assert!(has("oidc-trust-without-sub-condition", "github-actions-terraform"));
    assert!(!has("oidc-trust-without-sub-condition", "github-actions-deploy"), "the role with a `sub` condition is fine");
    assert!(has("aws-managed-policy-on-execution-role", "legacy-batch-ec2"));
    assert!(has("role-used-by-many-resources", "orders-processor-lambda"));
    assert!(has("external-account-trust-without-external-id", "analytics-partner-access"));
    assert!(!has("external-account-trust-without-external-id", "datadog-integration"), "Datadog's role has an external id");
    assert!(has("allow-with-not-action", "terraform-apply"));
    assert!(has("privileged-role-assumable-from-outside", "github-actions-terraform"));
    // Evidence points into the policy: a statement with its JSON pointer.
    let f = findings.iter().find(|f| f["rule"] == "oidc-trust-without-sub-condition").unwrap();
    assert_eq!(f["evidence"][0]["type"], "statement");
    assert!(f["evidence"][0]["pointer"].as_str().unwrap().starts_with("/Statement"));
}

#[test]
fn every_format_writes_to_a_file_and_keeps_the_exit_codes() {
    let dir = std::env::temp_dir().join(format!("rolegraph-formats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (format, check) in [
        ("sarif", "\"version\": \"2.1.0\""),
        ("markdown", "## Findings by subject"),
        ("html", "<!DOCTYPE html>"),
        ("text", "findings ("),
        ("json", "\"schema_version\": 1"),
    ] {
        let path = dir.join(format!("report.{format}"));
        let o = rolegraph(&["scan", "demo", "--format", format, "--output", path.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{format}: {}", String::from_utf8_lossy(&o.stderr));
        assert!(o.stdout.is_empty(), "{format}: the report goes to the file");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(check), "{format}: {}", &text[..text.len().min(300)]);
        assert_eq!(rolegraph(&["scan", "demo", "--format", format, "--fail-on", "never"]).status.code(), Some(0));
    }
    let o = rolegraph(&["scan", "demo", "--format", "pdf"]);
    assert_eq!(o.status.code(), Some(2));
    let o = rolegraph(&["scan", "demo", "--output", "/no/such/dir/r.txt"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("/no/such/dir/r.txt"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sarif_of_the_demo_has_rules_results_and_suppressions() {
    let toml = "[[suppress]]\nrule = \"oidc-trust-without-sub-condition\"\nsubject = \"arn:aws:iam::111111111111:role/github-actions-terraform\"\nreason = \"being fixed\"\n";
    let path = std::env::temp_dir().join(format!("rolegraph-sarif-suppress-{}.toml", std::process::id()));
    std::fs::write(&path, toml).unwrap();
    let o = rolegraph(&["scan", "demo", "--format", "sarif", "--suppressions", path.to_str().unwrap()]);
    let v = json(&o);
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "rolegraph");
    let results = run["results"].as_array().unwrap();
    assert!(results.len() > 20);
    let s: Vec<&serde_json::Value> = results.iter().filter(|r| r.get("suppressions").is_some()).collect();
    assert_eq!(s.len(), 1);
    assert_eq!(s[0]["suppressions"][0]["justification"], "being fixed");
    assert_eq!(s[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "demo");
    let _ = std::fs::remove_file(&path);
}

/// Every finding of the demo with its severity, with the trail (the severity criteria of each
/// rule are in `docs/findings.md`): the GitHub → ci-deployer → prod-deploy → legacy-batch-ec2
/// chain is critical, the read-only vendor roles with an ExternalId are info, the MFA-gated
/// break-glass paths are medium, and jane.doe's assumption of okta-prod-admin, which no policy
/// allows, is a finding.
#[test]
fn demo_findings_and_their_severities() {
    let o = rolegraph(&[
        "scan",
        "demo",
        "--format",
        "json",
        "--fail-on",
        "never",
        "--now",
        "2026-12-01T00:00:00Z",
        "--trail",
        "demo/cloudtrail",
        "--until",
        "2026-11-20T08:00:00Z",
    ]);
    let v = json(&o);
    let findings = v["findings"].as_array().unwrap();
    let severity = |rule: &str, name: &str| {
        findings
            .iter()
            .find(|f| f["rule"] == rule && f["subject"]["name"] == name)
            .map(|f| f["severity"].as_str().unwrap().to_owned())
            .unwrap_or_else(|| panic!("no {rule} finding for {name}"))
    };
    assert_eq!(severity("principal-can-escalate-to-admin", "ci-deployer"), "critical");
    assert_eq!(severity("privileged-role-assumable-from-outside", "ci-deployer"), "critical");
    assert_eq!(severity("privileged-role-assumable-from-outside", "snyk-scanner"), "info");
    assert_eq!(severity("privileged-role-assumable-from-outside", "vanta-auditor"), "info");
    assert_eq!(severity("principal-can-escalate-to-admin", "jane.doe"), "medium");
    assert_eq!(severity("observed-assumption-not-allowed", "okta-prod-admin"), "high");
    assert!(
        !findings
            .iter()
            .any(|f| f["rule"] == "principal-can-escalate-to-admin" && f["subject"]["name"] == "AWSServiceRoleForAutoScaling")
    );
    let all: Vec<String> = findings
        .iter()
        .map(|f| {
            format!(
                "{} {} {}: {}",
                f["severity"].as_str().unwrap(),
                f["rule"].as_str().unwrap(),
                f["subject"]["name"].as_str().unwrap(),
                f["message"].as_str().unwrap()
            )
        })
        .collect();
    insta::assert_json_snapshot!(all);
}
