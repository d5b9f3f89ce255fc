//! `rolegraph snapshot` and `rolegraph diff` end to end, each test with its own database in a
//! temporary folder: the demo organization, and a copy of it with one trust policy, one role's
//! policies and one function changed.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a test stops at the first unexpected value"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo");
const EXTERNAL: &str = "arn:aws:iam::999988887777:root";
const DEV: &str = "arn:aws:iam::222222222222:role/";

fn rolegraph(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rolegraph")).args(args).output().unwrap_or_else(|e| panic!("cannot run rolegraph: {e}"))
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// A copy of the demo where `build-agent-ec2` also trusts an outside account,
/// `tmp-migration-2019` gets AdministratorAccess, and `dev-api-handler` runs as
/// `build-agent-ec2`.
fn modified_demo(root: &Path) -> PathBuf {
    let dir = root.join("changed");
    copy_dir(Path::new(DEMO), &dir);
    let auth = dir.join("development/iam-get-account-authorization-details.json");
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&auth).unwrap()).unwrap();
    for r in doc["RoleDetailList"].as_array_mut().unwrap() {
        match r["RoleName"].as_str().unwrap() {
            "build-agent-ec2" => r["AssumeRolePolicyDocument"]["Statement"].as_array_mut().unwrap().push(serde_json::json!({
                "Effect": "Allow", "Principal": { "AWS": EXTERNAL }, "Action": "sts:AssumeRole"
            })),
            "tmp-migration-2019" => r["AttachedManagedPolicies"].as_array_mut().unwrap().push(serde_json::json!({
                "PolicyName": "AdministratorAccess", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"
            })),
            _ => {}
        }
    }
    std::fs::write(&auth, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let fns = dir.join("development/lambda-list-functions.json");
    let text = std::fs::read_to_string(&fns).unwrap().replacen(
        "\"Role\": \"arn:aws:iam::222222222222:role/service-role/dev-lambda-shared\"",
        "\"Role\": \"arn:aws:iam::222222222222:role/build-agent-ec2\"",
        1,
    );
    assert!(text.contains("role/build-agent-ec2"), "the demo's function changed shape");
    std::fs::write(&fns, text).unwrap();
    dir
}

fn db_of(root: &Path) -> String {
    root.join("history.db").display().to_string()
}

fn changes_of<'a>(d: &'a Value, kind: &str) -> Vec<&'a Value> {
    d["changes"].as_array().unwrap().iter().filter(|c| c["kind"] == kind).collect()
}

#[test]
fn add_list_show_and_diff_two_snapshots() {
    let tmp = tempfile::tempdir().unwrap();
    let db = db_of(tmp.path());
    let changed = modified_demo(tmp.path());
    let changed = changed.to_str().unwrap();

    let o = rolegraph(&["snapshot", "add", DEMO, "--label", "base", "--db", &db]);
    assert!(o.status.success(), "{o:?}");
    assert!(stdout(&o).starts_with("stored snapshot #1 \"base\""), "{}", stdout(&o));
    let o = rolegraph(&["snapshot", "add", changed, "--label", "changed", "--db", &db, "--json"]);
    assert!(o.status.success(), "{o:?}");
    let info = json(&o);
    assert_eq!(info["id"], 2);
    assert_eq!(info["roles"], 32);

    let list = json(&rolegraph(&["snapshot", "list", "--db", &db, "--json"]));
    assert_eq!(list["schema_version"], 1);
    let labels: Vec<&str> = list["snapshots"].as_array().unwrap().iter().map(|s| s["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["base", "changed"]);
    let text = stdout(&rolegraph(&["snapshot", "list", "--db", &db]));
    assert!(text.contains("base") && text.contains("changed"), "{text}");

    let show = json(&rolegraph(&["snapshot", "show", "base", "--db", &db, "--json"]));
    assert_eq!(show["id"], 1);
    assert_eq!(show["accounts"].as_array().unwrap().len(), 3);
    let content = json(&rolegraph(&["snapshot", "show", "1", "--db", &db, "--content"]));
    assert_eq!(content["accounts"].as_array().unwrap().len(), 3);

    // The two newest, by default.
    let o = rolegraph(&["diff", "--db", &db, "--json"]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let d = json(&o);
    assert_eq!(d["schema_version"], 1);
    assert_eq!(d["old"]["label"], "base");
    let trust = changes_of(&d, "trust-added");
    assert_eq!(trust.len(), 1, "{trust:?}");
    assert_eq!(trust[0]["role"], format!("{DEV}build-agent-ec2"));
    assert_eq!(trust[0]["entity"]["principal"], EXTERNAL);
    assert_eq!(trust[0]["entity"]["category"], "external");
    let gained = changes_of(&d, "privilege-gained");
    assert!(gained.iter().any(|c| c["role"] == format!("{DEV}tmp-migration-2019") && c["new_level"] == "admin"), "{gained:?}");
    let added = changes_of(&d, "resource-added");
    assert!(
        added.iter().any(|c| c["role"] == format!("{DEV}build-agent-ec2") && c["resource"]["name"] == "dev-api-handler"),
        "{added:?}"
    );
    let removed = changes_of(&d, "resource-removed");
    assert!(removed.iter().any(|c| c["role"] == format!("{DEV}service-role/dev-lambda-shared")), "{removed:?}");
    assert!(!changes_of(&d, "finding-opened").is_empty());
    assert!(changes_of(&d, "role-added").is_empty() && changes_of(&d, "role-removed").is_empty());

    // The text form groups by role and marks the outside trust.
    let o = rolegraph(&["diff", "base", "changed", "--db", &db]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(text.contains(&format!("! + trusts {EXTERNAL} (external)")), "{text}");
    assert!(text.contains("change(s):"), "{text}");

    // Nothing changed between a snapshot and itself.
    let o = rolegraph(&["diff", "1", "1", "--db", &db]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert!(stdout(&o).contains("no changes"));

    // The history of one role.
    let h = json(&rolegraph(&["snapshot", "history", &format!("{DEV}build-agent-ec2"), "--db", &db, "--json"]));
    assert_eq!(h["versions"].as_array().unwrap().len(), 2);
    assert!(h["versions"][1]["changes"].as_array().unwrap().iter().any(|c| c["kind"] == "trust-added"));
}

#[test]
fn diff_a_fresh_folder_against_a_stored_baseline() {
    let tmp = tempfile::tempdir().unwrap();
    let db = db_of(tmp.path());
    let changed = modified_demo(tmp.path());
    let changed = changed.to_str().unwrap();
    assert!(rolegraph(&["snapshot", "add", DEMO, "--label", "baseline", "--db", &db]).status.success());

    let o = rolegraph(&["diff", "baseline", changed, "--db", &db, "--json", "--fail-on-change", "trust-added"]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let d = json(&o);
    assert_eq!(d["new"]["id"], Value::Null);
    assert_eq!(d["new"]["source"], changed);
    // Only the kinds named fail the run.
    let o = rolegraph(&["diff", "baseline", changed, "--db", &db, "--fail-on-change", "role-removed,role-added"]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    // One argument: a folder is compared with the newest stored snapshot.
    let o = rolegraph(&["diff", changed, "--db", &db, "--json", "--fail-on-change", "never"]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert_eq!(json(&o)["old"]["label"], "baseline");
    // The unchanged demo against the baseline.
    let o = rolegraph(&["diff", "baseline", DEMO, "--db", &db]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
}

#[test]
fn errors_exit_2_and_name_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let junk = tmp.path().join("junk.db");
    std::fs::write(&junk, vec![b'x'; 4096]).unwrap();
    let junk = junk.to_str().unwrap();
    let o = rolegraph(&["snapshot", "list", "--db", junk]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(junk) && err.contains("not a rolegraph database"), "{err}");

    let db = db_of(tmp.path());
    let o = rolegraph(&["diff", "--db", &db]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("a diff needs two"));
    let o = rolegraph(&["diff", "nope", "other", "--db", &db]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no snapshot `nope`"));
    let o = rolegraph(&["diff", "--db", &db, "--fail-on-change", "role-renamed"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("`--fail-on-change role-renamed`"));
}
