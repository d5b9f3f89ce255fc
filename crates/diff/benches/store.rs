//! Timings of the snapshot history on a large snapshot: computing the facts, importing into a
//! fresh database, reading the facts back and diffing. Each step runs once (they take seconds;
//! criterion's repetitions would add nothing but minutes).
//!
//! ```text
//! rolegraph-synth --accounts 10 --roles-per-account 1000 --seed 1 --out /tmp/store-synth-a
//! cargo bench -p rolegraph-diff --bench store -- /tmp/store-synth-a
//! ```
//!
//! `ROLEGRAPH_BENCH_NO_REACH=1` skips reach; `ROLEGRAPH_BENCH_GRAPH=1` also times one
//! `graph::build` alone (what computing the facts used to do a second time);
//! `ROLEGRAPH_BENCH_OLD_REACH=1` also times the former one-walk-per-role reach on the same graph
//! and checks it finds the same sets; `ROLEGRAPH_BENCH_FACTS_AFTER=1` times the facts again with
//! the graph allocated (why `analyse` computes them first).
//!
//! The second snapshot is the first with, in memory, one role in 100 trusting an outside
//! account, one in 97 removed and one in 89 given an inline `*` policy.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a benchmark's inputs are fixed: one that does not parse is a bug to stop on"
)]

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
                    document: PolicyDoc::from_json_text(
                        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
                    ),
                });
            }
            keep.push(r);
        }
        a.roles = keep;
    }
    new
}

/// How reach was computed before: one backward walk per privileged node (for comparison).
fn old_reach(g: &graph::Graph, facts: &mut store::Facts) {
    let index: std::collections::HashMap<&str, u32> = g.nodes().iter().zip(0u32..).map(|(n, i)| (n.id.as_str(), i)).collect();
    let mut stop: Vec<bool> = g.nodes().iter().map(|n| n.kind == graph::NodeKind::AccountAdmin).collect();
    for r in facts.roles.iter().filter(|r| store::compare::is_privileged(&r.privilege)) {
        if let Some(i) = index.get(r.arn.as_str()) {
            stop[*i as usize] = true;
        }
    }
    for r in facts.roles.iter_mut().filter(|r| store::compare::is_privileged(&r.privilege)) {
        let Some(&target) = index.get(r.arn.as_str()) else { continue };
        let mut seen = vec![false; g.nodes().len()];
        seen[target as usize] = true;
        let mut stack = vec![target];
        let mut out = Vec::new();
        while let Some(x) = stack.pop() {
            for e in g.in_edges(x).iter().filter_map(|e| g.edge(*e)) {
                let y = e.from;
                if std::mem::replace(&mut seen[y as usize], true) {
                    continue;
                }
                let node = g.node(y).expect("node");
                if stop[y as usize] {
                    out.push(node.id.clone());
                    continue;
                }
                if rolegraph_diff::reach::is_principal(node.kind) {
                    out.push(node.id.clone());
                }
                stack.push(y);
            }
        }
        out.sort();
        r.reached_by = out;
    }
}

/// What `rolegraph snapshot add` computes of a snapshot (`rolegraph_diff::analyse`), step by
/// step: the per-role facts, the rules (which build the authorization graph), and reach on the
/// rules' graph. One graph at a time.
fn analyse(what: &str, s: &Snapshot, now: Timestamp, options: rolegraph_diff::FactOptions) -> store::Facts {
    let no_reach = rolegraph_diff::FactOptions { reach: false, ..options };
    let mut facts = time(&format!("facts (trust, privilege, uses){what}"), || rolegraph_diff::facts(s, &[], no_reach));
    let (found, g) =
        time(&format!("findings (rules; they build the graph){what}"), || rolegraph_diff::findings_and_graph(s, now));
    let with_findings = rolegraph_diff::facts(&Snapshot::new(), &found, no_reach);
    facts.findings = with_findings.findings;
    if what.is_empty() && std::env::var("ROLEGRAPH_BENCH_GRAPH").is_ok() {
        time("graph::build alone (the second build, no longer done)", || graph::build(s, &graph::GraphOptions::default()));
    }
    if what.is_empty() && std::env::var("ROLEGRAPH_BENCH_FACTS_AFTER").is_ok() {
        time("facts again, with the graph allocated", || rolegraph_diff::facts(s, &found, no_reach));
    }
    if !options.reach {
        return facts;
    }
    time(&format!("reach (on the rules' graph, computed once){what}"), || rolegraph_diff::add_reach_from(&g, &mut facts));
    let rows: usize = facts.roles.iter().map(|r| r.reached_by.len()).sum::<usize>()
        + facts.admins.iter().map(|a| a.reached_by.len()).sum::<usize>();
    let conditional: usize = facts.roles.iter().map(|r| r.conditional_reach.len()).sum::<usize>()
        + facts.admins.iter().map(|a| a.conditional_reach.len()).sum::<usize>();
    eprintln!("reach rows: {rows} ({conditional} only under conditions)");
    if what.is_empty() && std::env::var("ROLEGRAPH_BENCH_OLD_REACH").is_ok() {
        let mut again = facts.clone();
        time("reach, one walk per privileged role (before)", || old_reach(&g, &mut again));
        assert_eq!(
            again.roles.iter().map(|r| &r.reached_by).collect::<Vec<_>>(),
            facts.roles.iter().map(|r| &r.reached_by).collect::<Vec<_>>()
        );
    }
    facts
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
    let total = Instant::now();
    let fo = analyse("", &old, now, options);
    eprintln!("{:<48} {:>8.2} s", "= analysis of the first snapshot", total.elapsed().as_secs_f64());
    let fnew = analyse(" of the second snapshot", &new, now, options);

    let tmp = tempfile::tempdir().expect("tmp");
    let mut db = Store::open(&tmp.path().join("bench.db")).expect("open");
    let import = |db: &mut Store, s: &Snapshot, f: &store::Facts, label: &str| {
        db.import(&NewSnapshot { snapshot: s, facts: f, label: Some(label), source: None, imported_at: now }).expect("import")
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
