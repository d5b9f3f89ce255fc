//! Timings of the snapshot history on a large snapshot: computing the facts, importing into a
//! fresh database, reading the facts back and diffing. Each step runs once (they take seconds;
//! criterion's repetitions would add nothing but minutes).
//!
//! ```text
//! rolegraph-synth --accounts 10 --roles-per-account 1000 --seed 1 --out /tmp/store-synth-a
//! cargo bench -p rolegraph-diff --bench store -- /tmp/store-synth-a
//! ```
//!
//! The second snapshot is the first with, in memory, one role in 100 trusting an outside
//! account, one in 97 removed and one in 89 given an inline `*` policy.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use std::path::PathBuf;
use std::time::Instant;

use model::{InlinePolicy, PolicyDoc, Snapshot, Timestamp};
use store::{NewSnapshot, Store};

fn time<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    eprintln!("{what:<48} {:>8.2} s", start.elapsed().as_secs_f64());
    out
}

fn modified(s: &Snapshot) -> Snapshot {
    let mut new = s.clone();
    let mut i = 0usize;
    for a in &mut new.accounts {
        let mut keep = Vec::new();
        for mut r in std::mem::take(&mut a.roles) {
            i += 1;
            if i.is_multiple_of(97) {
                continue;
            }
            if i.is_multiple_of(100) {
                r.trust_policy = Some(PolicyDoc::from_json_text(
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"sts:AssumeRole"}]}"#,
                ));
            }
            if i.is_multiple_of(89) {
                r.inline_policies.push(InlinePolicy {
                    name: "zz-bench-admin".into(),
                    document: PolicyDoc::from_json_text(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#),
                });
            }
            keep.push(r);
        }
        a.roles = keep;
    }
    new
}

fn main() {
    let dir: PathBuf = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .expect("give a folder of exports (see the doc comment)");
    let reach = std::env::var("ROLEGRAPH_BENCH_NO_REACH").is_err();
    let options = rolegraph_diff::FactOptions { reach, threads: 0 };
    let now = Timestamp::parse("2026-11-25T00:00:00Z").expect("time");

    let old = time("load (ingest)", || ingest::load(&dir).expect("load").snapshot);
    let new = modified(&old);
    eprintln!("roles: {} and {}; reach: {reach}", old.roles().count(), new.roles().count());
    let of_old = time("findings (rules)", || rolegraph_diff::findings(&old, now));
    let of_new = rolegraph_diff::findings(&new, now);
    let no_reach = rolegraph_diff::FactOptions { reach: false, ..options };
    let mut fo = time("facts (trust, privilege, uses)", || rolegraph_diff::facts(&old, &of_old, no_reach));
    let mut fnew = time("facts of the second snapshot", || rolegraph_diff::facts(&new, &of_new, no_reach));
    if reach {
        time("reach (graph build + reachability)", || rolegraph_diff::add_reach(&old, &mut fo));
        time("reach of the second snapshot", || rolegraph_diff::add_reach(&new, &mut fnew));
        let rows: usize = fo.roles.iter().map(|r| r.reached_by.len()).sum::<usize>()
            + fo.admins.iter().map(|a| a.reached_by.len()).sum::<usize>();
        eprintln!("reach rows: {rows}");
    }

    let tmp = tempfile::tempdir().expect("tmp");
    let mut db = Store::open(&tmp.path().join("bench.db")).expect("open");
    let import = |db: &mut Store, s: &Snapshot, f: &store::Facts, label: &str| {
        db.import(&NewSnapshot { snapshot: s, facts: f, label: Some(label), source: None, imported_at: now })
            .expect("import")
    };
    let a = time("import (one transaction)", || import(&mut db, &old, &fo, "a"));
    let b = time("import the second", || import(&mut db, &new, &fnew, "b"));
    eprintln!(
        "content: {:.1} MB compressed; database file: {:.1} MB",
        a.content_bytes as f64 / 1e6,
        std::fs::metadata(db.path()).map(|m| m.len()).unwrap_or(0) as f64 / 1e6
    );
    let d = time("diff from the database (read facts + compare)", || store::diff(&db, a.id, b.id).expect("diff"));
    let counts: Vec<String> = d.counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
    eprintln!("changes: {}", counts.join(", "));
    time("read one snapshot's content back", || db.snapshot(a.id).expect("content"));
    let arn = old.roles().nth(100).map(|r| r.arn.clone()).expect("a role");
    let h = time("history of one role", || store::role_history(&db, &arn).expect("history"));
    assert_eq!(h.versions.len(), 2);
}
