//! The renderers on a small snapshot with a hostile role name: every format renders, machine
//! formats carry their version, the SARIF document has the structure code scanning needs, and
//! HTML and Markdown escape what comes from the data.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "a test stops at the first unexpected value")]

use model::{Snapshot, Timestamp};
use rules::{RuleContext, Suppressions};
use serde_json::Value;

use super::*;

const SNAPSHOT: &str = r#"{"schema_version":1,"accounts":[{"id":"111111111111","name":"production","roles":[
 {"arn":"arn:aws:iam::111111111111:role/<script>alert(1)</script>","name":"<script>alert(1)</script>","path":"/","id":"AROAX","account_id":"111111111111",
  "create_date":"2024-01-01T00:00:00Z","policies_known":true,
  "trust_policy":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"sts:AssumeRole"}]},
  "inline_policies":[{"name":"admin","document":{"Version":"2012-10-17","Statement":[{"Sid":"All","Effect":"Allow","Action":"*","Resource":"*"}]}}]},
 {"arn":"arn:aws:iam::111111111111:role/fn","name":"fn","path":"/","id":"AROAY","account_id":"111111111111","policies_known":true,
  "trust_policy":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]},
  "attached_managed_policies":["arn:aws:iam::aws:policy/AmazonS3FullAccess"]}]}]}"#;

fn with_report<T>(suppress: &str, f: impl FnOnce(&Input<'_>) -> T) -> T {
    let mut snap: Snapshot = serde_json::from_str(SNAPSHOT).unwrap();
    snap.sort();
    let now = Timestamp::parse("2026-11-01T00:00:00Z").unwrap();
    let cx = RuleContext::new(&snap, now);
    let findings = rules::run(&cx, &Suppressions::parse(suppress, "s.toml").unwrap());
    let input = Input { snapshot: &snap, findings: &findings, now, source: "exports", roles: cx.roles() };
    f(&input)
}

#[test]
fn every_format_renders_and_machine_formats_are_versioned() {
    with_report("", |input| {
        assert!(input.findings.iter().any(|f| f.rule == "privileged-role-assumable-from-outside"));
        for format in Format::ALL {
            assert!(!render_string(format, input).is_empty(), "{format:?}");
            assert_eq!(Format::parse(format.as_str()), Some(format));
        }
        let json: Value = serde_json::from_str(&render_string(Format::Json, input)).unwrap();
        assert_eq!(json["schema_version"], 1);
        assert_eq!(json["summary"]["total"].as_u64().unwrap() as usize, input.findings.len());
        let text = render_string(Format::Text, input);
        assert!(text.starts_with("1 accounts, 2 roles, 0 users\n"), "{text}");
        assert!(text.contains("CRITICAL"), "{text}");
    });
}

#[test]
fn sarif_has_what_code_scanning_needs() {
    let fp = with_report("", |input| {
        input.findings.iter().find(|f| f.rule == "aws-managed-policy-on-execution-role").unwrap().fingerprint.clone()
    });
    let suppress = format!("[[suppress]]\nfingerprint = \"{fp}\"\nreason = \"migrating in Q1\"\n");
    with_report(&suppress, |input| {
        let v: Value = serde_json::from_str(&render_string(Format::Sarif, input)).unwrap();
        assert_eq!(v["version"], "2.1.0");
        let run = &v["runs"][0];
        assert_eq!(run["properties"]["schema_version"], 1);
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), rules::RULES.len());
        for r in rules {
            assert!(r["id"].is_string() && r["shortDescription"]["text"].is_string() && r["fullDescription"]["text"].is_string());
            assert!(r["help"]["markdown"].as_str().unwrap().contains("## Remediation"));
            assert!(["error", "warning", "note"].contains(&r["defaultConfiguration"]["level"].as_str().unwrap()));
            let s: f64 = r["properties"]["security-severity"].as_str().unwrap().parse().unwrap();
            assert!((0.0..=10.0).contains(&s));
        }
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), input.findings.len());
        for (res, f) in results.iter().zip(input.findings) {
            assert_eq!(res["ruleId"], f.rule.as_str());
            assert_eq!(rules[res["ruleIndex"].as_u64().unwrap() as usize]["id"], f.rule.as_str());
            assert_eq!(res["partialFingerprints"]["rolegraph/v1"], f.fingerprint.as_str());
            assert_eq!(res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "exports");
            assert_eq!(res["locations"][0]["logicalLocations"][0]["fullyQualifiedName"], f.subject.arn.as_str());
            assert!(res["message"]["text"].is_string());
        }
        let suppressed: Vec<&Value> = results.iter().filter(|r| r.get("suppressions").is_some()).collect();
        assert_eq!(suppressed.len(), 1);
        assert_eq!(suppressed[0]["suppressions"][0]["kind"], "external");
        assert_eq!(suppressed[0]["suppressions"][0]["justification"], "migrating in Q1");
        let critical = results.iter().find(|r| r["ruleId"] == "privileged-role-assumable-from-outside").unwrap();
        assert_eq!(critical["level"], "error");
    });
}

#[test]
fn html_is_self_contained_and_escapes_the_data() {
    with_report("", |input| {
        let html = render_string(Format::Html, input);
        assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
        assert!(!html.contains("<script"), "a role name became markup");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(
            !html.contains("src=") && !html.contains("<link") && !html.contains("http://") && !html.contains("https://"),
            "external asset"
        );
        assert!(html.contains("<h2>Overview</h2>") && html.contains("<h2>Roles</h2>"));
        assert!(html.contains("lambda</td><td>1</td>"), "roles by kind");
        assert!(html.contains("Trusted entities") && html.contains("external account"));
    });
}

#[test]
fn markdown_summarizes_then_groups_by_subject_and_escapes() {
    with_report("", |input| {
        let md = render_string(Format::Markdown, input);
        let summary = md.find("| severity | findings |").unwrap();
        let by_rule = md.find("| rule | severity | findings |").unwrap();
        let subjects = md.find("## Findings by subject").unwrap();
        assert!(summary < by_rule && by_rule < subjects);
        assert!(md.contains("\\<script\\>"), "{md}");
        assert!(!md.contains("<script>"));
        assert!(md.contains("### arn:aws:iam::111111111111:role/fn (role)"));
        assert!(md.contains("evidence: arn:aws:iam::111111111111:role/\\<script\\>"));
    });
}

/// Issue 14: a role name with a terminal escape sequence and a newline reaches no format as a
/// control character, and cannot forge a line of the text report.
#[test]
fn control_characters_of_the_data_are_escaped_in_every_format() {
    let hostile = r"evil\u001b]0;pwned\u0007\u001b[31m\nCRITICAL forged-rule";
    let text = SNAPSHOT.replace("<script>alert(1)</script>", hostile);
    let mut snap: Snapshot = serde_json::from_str(&text).unwrap();
    snap.sort();
    let now = Timestamp::parse("2026-11-01T00:00:00Z").unwrap();
    let cx = RuleContext::new(&snap, now);
    let findings = rules::run(&cx, &Suppressions::default());
    let input = Input { snapshot: &snap, findings: &findings, now, source: "exports", roles: cx.roles() };
    for format in Format::ALL {
        let out = render_string(format, &input);
        assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{format:?}: a control character reached the output");
        assert!(out.contains("evil"), "{format:?}");
    }
    let text = render_string(Format::Text, &input);
    assert!(text.contains(r"evil\u{1b}]0;pwned\u{7}\u{1b}[31m\nCRITICAL forged-rule"), "{text}");
    assert!(!text.lines().any(|l| l.starts_with("CRITICAL forged-rule")), "a name forged a line: {text}");
    let md = render_string(Format::Markdown, &input);
    assert!(md.contains(r"evil\u{1b}\]0;pwned\u{7}\u{1b}\[31m CRITICAL forged-rule"), "{md}");
    let html = render_string(Format::Html, &input);
    assert!(html.contains(r"evil\u{1b}]0;pwned\u{7}\u{1b}[31m"), "{html}");
}
