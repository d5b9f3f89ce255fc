//! Capability nodes change the graph's shape, never its answers (issue 12): the same snapshot
//! built with them and without them (one edge per principal and target) gives the same edges
//! between principals and targets, with the same paths, conditions and assumptions, the same
//! principals reaching each role, and the same escalations. Run on the demo organization and on
//! a synthetic one whose policies scope, deny and condition the documented paths' permissions.

use std::collections::{BTreeMap, BTreeSet};

use super::*;
use crate::query::{escalations, who_can_reach};
use crate::{Graph, NodeKind};

fn with_and_without(s: &Snapshot) -> (Graph, Graph) {
    let with = build(s, &GraphOptions { threads: 1, ..GraphOptions::default() });
    let without = build(s, &GraphOptions { threads: 1, capabilities: false, ..GraphOptions::default() });
    (with, without)
}

/// What an edge says, as a user reads it: its paths and the condition atoms of all its ways
/// (`None` when ways were left out beyond the most an edge keeps: which ones is not an answer,
/// and the atoms are those of the ways kept), whether it needs a condition or an assumption.
fn meaning(e: &Edge) -> (Option<Vec<&'static str>>, bool, bool, Option<BTreeSet<String>>) {
    let complete = e.data.more_ways == 0 && e.ways().len() < crate::MAX_WAYS;
    let paths = complete.then(|| e.paths());
    let atoms = complete.then(|| {
        e.ways()
            .iter()
            .flat_map(|w| w.checks.iter())
            .filter_map(|c| c.condition.as_ref())
            .flat_map(|c| c.atoms.iter().map(|a| format!("{:?} {:?} {:?}", a.key(), a.operator(), a.values())))
            .collect()
    });
    (paths, e.is_conditional(), e.has_assumptions(), atoms)
}

fn same_answers(s: &Snapshot) -> usize {
    let (with, without) = with_and_without(s);
    assert_eq!(without.count_nodes(NodeKind::Capability), 0);
    let id = |g: &Graph, n: u32| g.nodes()[n as usize].id.clone();
    // Every edge of the graph without capabilities is an edge, direct or through a capability
    // node, of the graph with them, and means the same.
    let mut pairs: BTreeMap<(String, String, EdgeKind), Edge> = BTreeMap::new();
    for e in without.edges() {
        pairs.insert((id(&without, e.from), id(&without, e.to), e.kind), e.clone());
    }
    for ((from, to, kind), e) in &pairs {
        let (f, t) = (with.find_id(from).unwrap(), with.find_id(to).unwrap());
        let joined = with.link(f, t, *kind).unwrap_or_else(|| panic!("{from} -{}-> {to} is missing", kind.as_str()));
        let (a, b) = (meaning(e), meaning(&joined));
        // Paths and assumptions alike; a joined can-assume edge may hold its condition in two
        // checks rather than one, with the same atoms.
        if let (Some(pa), Some(pb)) = (&a.0, &b.0) {
            assert_eq!(pa, pb, "{from} -{}-> {to}: paths", kind.as_str());
        }
        assert_eq!(a.2, b.2, "{from} -{}-> {to}: assumptions", kind.as_str());
        if let (Some(xa), Some(xb)) = (&a.3, &b.3) {
            assert_eq!(xa, xb, "{from} -{}-> {to}: conditions", kind.as_str());
        }
        assert_eq!(a.1, b.1, "{from} -{}-> {to}: conditional", kind.as_str());
    }
    // And nothing more: every edge of the graph with capabilities, joined through them, is one
    // of those.
    let mut n = 0;
    for e in with.edges() {
        if with.is_capability(e.to) {
            continue;
        }
        let sources: Vec<u32> = if with.is_capability(e.from) {
            with.in_edges(e.from).iter().map(|i| with.edge(*i).unwrap().from).collect()
        } else {
            vec![e.from]
        };
        // A principal that reaches itself through a capability node is no edge (the graph
        // without them drops such loops too).
        for f in sources.into_iter().filter(|f| *f != e.to) {
            let key = (id(&with, f), id(&with, e.to), e.kind);
            assert!(pairs.contains_key(&key), "{} -{}-> {} is new", key.0, key.2.as_str(), key.1);
            n += 1;
        }
    }
    // The same principals reach each role, and the same principals escalate.
    for (i, node) in without.nodes().iter().enumerate() {
        if node.kind != NodeKind::Role {
            continue;
        }
        let who = |g: &Graph, n: u32| -> BTreeSet<String> { who_can_reach(g, n).iter().map(|r| id(g, r.node)).collect() };
        assert_eq!(who(&without, i as u32), who(&with, with.find_id(&node.id).unwrap()), "who can reach {}", node.id);
    }
    // The same principals escalate, each to the same administrators (which one a shortest
    // path reaches first is a tie that either graph may break its own way).
    let esc = |g: &Graph| -> BTreeMap<String, BTreeSet<String>> {
        escalations(g)
            .iter()
            .map(|e| {
                let admins = crate::query::reach(g, e.node)
                    .iter()
                    .filter(|r| g.nodes()[r.node as usize].kind == NodeKind::AccountAdmin)
                    .map(|r| id(g, r.node))
                    .collect();
                (id(g, e.node), admins)
            })
            .collect()
    };
    let (a, b) = (esc(&without), esc(&with));
    let differ: Vec<&String> = a.keys().chain(b.keys()).filter(|k| a.get(*k) != b.get(*k)).collect();
    assert!(differ.is_empty(), "escalations differ for {differ:?}");
    n
}

#[test]
fn the_demo_has_the_same_answers_with_capability_nodes() {
    let s = ingest::load(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo"))).unwrap().snapshot;
    assert!(same_answers(&s) > 50);
}

#[test]
fn a_synthetic_organization_has_the_same_answers_with_capability_nodes() {
    let dir = std::env::temp_dir().join(format!("rolegraph-capabilities-{}", std::process::id()));
    let config = synth::SynthConfig {
        accounts: 3,
        roles_per_account: 150,
        users_per_account: 15,
        seed: 11,
        only_authorization_details: false,
        url_encoded_percent: 0,
        resources_per_account: 0,
    };
    synth::generate(&config, &dir).unwrap();
    let s = ingest::load(&dir).unwrap().snapshot;
    let _ = std::fs::remove_dir_all(&dir);
    let (with, without) = with_and_without(&s);
    // The capability nodes do their work here: far fewer edges.
    assert!(with.count_nodes(NodeKind::Capability) > 0);
    assert!(with.edges().len() * 2 < without.edges().len(), "{} vs {}", with.edges().len(), without.edges().len());
    assert!(same_answers(&s) > 1000);
}
