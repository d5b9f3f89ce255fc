//! The registry's own checks: unique ids in order, documentation with every heading, and a
//! positive and a negative fixture for every rule, whose findings are snapshot-tested.

use std::path::PathBuf;

use model::{Snapshot, Timestamp};

use super::*;

fn fixtures() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"))
}

/// The fixed "now" of every fixture.
pub fn fixture_now() -> Timestamp {
    Timestamp::parse("2026-11-01T00:00:00Z").unwrap_or_else(|| panic!())
}

/// The CloudTrail beside a fixture (`positive.trail.json` beside `positive.json`), if any, read
/// with an open window.
fn trail(path: &std::path::Path) -> Option<usage::Usage> {
    let p = path.with_extension("trail.json");
    let bytes = std::fs::read(&p).ok()?;
    let u = usage::scan_bytes(&p.display().to_string(), &bytes, usage::Window::default());
    assert_eq!(u.read.malformed_records + u.read.malformed_files, 0, "{}: {:?}", p.display(), u.read.examples);
    Some(u)
}

/// The findings of one rule on a fixture, with its trail when it has one.
fn check_fixture(r: &dyn Rule, path: &std::path::Path) -> Vec<Finding> {
    let snap = load(path);
    let used = trail(path);
    let mut cx = RuleContext::new(&snap, fixture_now());
    if let Some(u) = &used {
        cx = cx.with_usage(u);
    }
    let mut found = Vec::new();
    r.check(&cx, &mut found);
    found
}

fn load(path: &std::path::Path) -> Snapshot {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut s: Snapshot = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    s.sort();
    s
}

#[test]
fn ids_are_unique_sorted_and_kebab_case() {
    let ids: Vec<&str> = RULES.iter().map(|r| r.meta().id).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(ids, sorted, "rule ids must be unique and registered in order");
    for id in ids {
        assert!(id.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "`{id}` is not kebab-case");
    }
}

#[test]
fn every_rule_documents_every_heading() {
    for r in RULES {
        let m = r.meta();
        let mut at = 0;
        for h in REQUIRED_HEADINGS {
            let pos = m.doc.get(at..).and_then(|d| d.find(h)).unwrap_or_else(|| panic!("`{}` lacks `{h}` (in order)", m.id));
            at += pos + h.len();
            let heading = h.trim_start_matches("## ");
            assert!(!m.section(heading).is_empty(), "`{}`: `{h}` is empty", m.id);
        }
    }
}

#[test]
fn every_rule_has_fixtures_that_fire_and_do_not() {
    for r in RULES {
        let id = r.meta().id;
        let dir = fixtures().join(id);
        let found = check_fixture(*r, &dir.join("positive.json"));
        assert!(!found.is_empty(), "`{id}`: the positive fixture gives no finding");
        assert!(found.iter().all(|f| f.rule == id));
        let none = check_fixture(*r, &dir.join("negative.json"));
        assert!(none.is_empty(), "`{id}`: the negative fixture gives findings: {none:#?}");
        insta::assert_json_snapshot!(format!("{id}-positive"), found);
    }
}

#[test]
fn suppressions_by_fingerprint_and_by_rule_and_subject() {
    let snap = load(&fixtures().join("root-access-keys/positive.json"));
    let findings = run(&RuleContext::new(&snap, fixture_now()), &Suppressions::default());
    let f = findings.iter().find(|f| f.rule == "root-access-keys").unwrap_or_else(|| panic!("no finding"));
    let text = format!("[[suppress]]\nfingerprint = \"{}\"\nreason = \"accepted\"\n", f.fingerprint);
    let s = Suppressions::parse(&text, "s.toml").unwrap_or_else(|e| panic!("{e}"));
    let marked = run(&RuleContext::new(&snap, fixture_now()), &s);
    assert_eq!(marked.iter().find(|g| g.fingerprint == f.fingerprint).and_then(|g| g.suppressed.as_deref()), Some("accepted"));
    let by_subject = format!("[[suppress]]\nrule = \"root-access-keys\"\nsubject = \"{}\"\nreason = \"r\"\n", f.subject.arn);
    let s = Suppressions::parse(&by_subject, "s.toml").unwrap_or_else(|e| panic!("{e}"));
    assert!(s.reason_for(f).is_some());
    let bad = Suppressions::parse("[[suppress]]\nrule = \"x\"\nreason = \"r\"\n", "bad.toml")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(bad.contains("bad.toml") && bad.contains("suppress[0]"), "{bad}");
    let unknown = Suppressions::parse("[[suppress]]\nfingerprint = \"x\"\nreason = \"r\"\nwhy = 1\n", "u.toml")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(unknown.contains("u.toml"), "{unknown}");
}

#[test]
fn unused_role_from_the_trail() {
    // `with-trail.json`: `idle` was created in 2025 and made no call in the trail of its
    // account; `busy` did; `fresh` was created inside the window; `elsewhere` is in an account
    // the trail does not cover. `stale` has an old `RoleLastUsed` but the trail shows it in use.
    let r = rule("unused-role").unwrap_or_else(|| panic!());
    let dir = fixtures().join("unused-role");
    let found = check_fixture(r, &dir.join("with-trail.json"));
    let names: Vec<&str> = found.iter().map(|f| f.subject.name.as_str()).collect();
    assert_eq!(names, ["idle"], "{found:#?}");
    insta::assert_json_snapshot!("unused-role-with-trail", found);
    // Without the trail only `RoleLastUsed` counts: `stale` is unused again.
    let snap = load(&dir.join("with-trail.json"));
    let mut plain = Vec::new();
    r.check(&RuleContext::new(&snap, fixture_now()), &mut plain);
    let names: Vec<&str> = plain.iter().map(|f| f.subject.name.as_str()).collect();
    assert_eq!(names, ["stale"]);
}

#[test]
fn usage_rules_are_silent_without_a_trail() {
    let r = rule("unused-permissions").unwrap_or_else(|| panic!());
    let snap = load(&fixtures().join("unused-permissions/positive.json"));
    let mut found = Vec::new();
    r.check(&RuleContext::new(&snap, fixture_now()), &mut found);
    assert!(found.is_empty());
}
