//! The labelled privilege-escalation corpus (`tests/corpus/escalation/`, written by
//! `scripts/escalation-corpus.py` from the documented methods of Rhino Security Labs and
//! pathfinding.cloud, and AWS's documentation for the cases that refute them): for each case,
//! whether the graph finds that the principal can become an administrator of its account,
//! against the label. Precision and recall are printed (`cargo test -p rolegraph-graph --test
//! escalation_corpus -- --nocapture`) and recorded in `docs/peers.md`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "a test stops at the first unexpected value")]

use std::path::Path;

#[derive(serde::Deserialize)]
struct Label {
    principal: String,
    escalates: bool,
    why: String,
}

#[test]
fn the_graph_labels_the_corpus_as_documented() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/escalation");
    let mut dirs: Vec<_> = std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    assert!(dirs.len() >= 20, "{}", dirs.len());
    let (mut tp, mut fp, mut fn_, mut tn) = (0, 0, 0, 0);
    let mut wrong = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let label: Label = serde_json::from_str(&std::fs::read_to_string(dir.join("label.json")).unwrap()).unwrap();
        let snapshot = ingest::load(dir).unwrap_or_else(|e| panic!("{name}: {e}")).snapshot;
        let g = rolegraph_graph::build(&snapshot, &rolegraph_graph::GraphOptions::default());
        let node = g.find_id(&label.principal).unwrap_or_else(|| panic!("{name}: no node {}", label.principal));
        assert!(!g.node(node).unwrap().admin, "{name}: the principal is an administrator already");
        let found = rolegraph_graph::escalations(&g).iter().any(|e| e.node == node);
        match (label.escalates, found) {
            (true, true) => tp += 1,
            (false, true) => fp += 1,
            (true, false) => fn_ += 1,
            (false, false) => tn += 1,
        }
        if label.escalates != found {
            wrong.push(format!("{name}: labelled {}, found {found} ({})", label.escalates, label.why));
        }
    }
    let precision = f64::from(tp) / f64::from((tp + fp).max(1));
    let recall = f64::from(tp) / f64::from((tp + fn_).max(1));
    println!(
        "escalation corpus: {} cases, tp {tp} fp {fp} fn {fn_} tn {tn}, precision {precision:.2}, recall {recall:.2}",
        dirs.len()
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}
