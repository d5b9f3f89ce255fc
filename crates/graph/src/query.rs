//! Questions to the graph: who can reach a node, what a node can reach, the paths between two
//! nodes, and who can become an administrator without being one.
//!
//! Shortest paths count hops first; among paths of as many hops, one whose edges hold without
//! conditions and without assumptions is preferred. A path whose hops require different values
//! of a key that persists along a role chain does not exist ([`crate::condition`]); when the
//! shortest path is such a one, other paths are tried.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use serde::Serialize;

use crate::condition::{Condition, path_contradiction};
use crate::graph::Graph;
use crate::types::{Edge, NodeIdx, NodeKind};

/// A node reached, with the edges of its path (positions in [`Graph::edges`], in order from
/// the source).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reached {
    pub node: NodeIdx,
    pub path: Vec<u32>,
}

/// A principal that can reach administrator access without having it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Escalation {
    pub node: NodeIdx,
    /// The account administrator node reached.
    pub admin: NodeIdx,
    pub path: Vec<u32>,
}

const HOP: u64 = 1_000;

/// An edge out of a capability node continues the hop into it: it costs no hop, only its
/// condition and assumption.
fn weight(g: &Graph, e: &Edge) -> u64 {
    let hop = if g.is_capability(e.from) { 0 } else { HOP };
    hop + if e.is_conditional() { 10 } else { 0 } + u64::from(e.has_assumptions())
}

/// The number of hops of a path as a user counts them: an edge into a capability node and the
/// edge out of it are one hop.
pub fn hops(g: &Graph, path: &[u32]) -> usize {
    path.iter().filter_map(|e| g.edge(*e)).filter(|e| !g.is_capability(e.from)).count()
}

/// Dijkstra from `sources`, forward along edges or backward against them. `via[n]` is the
/// edge by which `n` was reached (forward: the edge into `n`; backward: the edge out of `n`).
fn shortest(g: &Graph, sources: &[NodeIdx], forward: bool) -> (Vec<u64>, Vec<u32>) {
    shortest_over(g, sources, forward, |_| true)
}

/// [`shortest`] over the edges that `keep` accepts.
fn shortest_over(g: &Graph, sources: &[NodeIdx], forward: bool, keep: impl Fn(&Edge) -> bool) -> (Vec<u64>, Vec<u32>) {
    let n = g.nodes().len();
    let mut dist = vec![u64::MAX; n];
    let mut via = vec![u32::MAX; n];
    let mut heap = BinaryHeap::new();
    for s in sources {
        if let Some(d) = dist.get_mut(*s as usize) {
            *d = 0;
            heap.push(Reverse((0u64, *s)));
        }
    }
    while let Some(Reverse((d, x))) = heap.pop() {
        if dist.get(x as usize).is_some_and(|best| d > *best) {
            continue;
        }
        let edges = if forward { g.out_edges(x) } else { g.in_edges(x) };
        for ei in edges {
            let Some(e) = g.edge(*ei).filter(|e| keep(e)) else { continue };
            let y = if forward { e.to } else { e.from };
            let nd = d + weight(g, e);
            if let Some(dy) = dist.get_mut(y as usize)
                && nd < *dy
            {
                *dy = nd;
                if let Some(v) = via.get_mut(y as usize) {
                    *v = *ei;
                }
                heap.push(Reverse((nd, y)));
            }
        }
    }
    (dist, via)
}

fn path_forward(g: &Graph, via: &[u32], source: NodeIdx, node: NodeIdx) -> Vec<u32> {
    let mut out = Vec::new();
    let mut at = node;
    while at != source {
        let Some(e) = via.get(at as usize).and_then(|ei| g.edge(*ei).map(|e| (*ei, e))) else { break };
        out.push(e.0);
        at = e.1.from;
        if out.len() > g.nodes().len() {
            break;
        }
    }
    out.reverse();
    out
}

fn path_backward(g: &Graph, via: &[u32], node: NodeIdx, is_target: impl Fn(NodeIdx) -> bool) -> Vec<u32> {
    let mut out = Vec::new();
    let mut at = node;
    while !is_target(at) {
        let Some(e) = via.get(at as usize).and_then(|ei| g.edge(*ei).map(|e| (*ei, e))) else { break };
        out.push(e.0);
        at = e.1.to;
        if out.len() > g.nodes().len() {
            break;
        }
    }
    out
}

/// The conditions of the first way of each edge of a path.
fn conditions<'g>(g: &'g Graph, path: &[u32]) -> Vec<&'g Condition> {
    path.iter()
        .filter_map(|e| g.edge(*e))
        .filter_map(|e| e.way())
        .flat_map(|w| w.checks.iter().filter_map(|c| c.condition.as_deref()))
        .collect()
}

/// Why a path cannot be followed, if it cannot.
pub fn contradiction(g: &Graph, path: &[u32]) -> Option<String> {
    path_contradiction(&conditions(g, path))
}

/// A path without contradiction between `from` and `to`: `shortest` if it has none, else the
/// first of the other simple paths that has none.
fn consistent(g: &Graph, from: NodeIdx, to: NodeIdx, shortest: Vec<u32>) -> Option<Vec<u32>> {
    if contradiction(g, &shortest).is_none() {
        return Some(shortest);
    }
    paths(g, from, to, 64, 8).into_iter().find(|p| contradiction(g, p).is_none())
}

/// Every node that can reach `target`, with its shortest path to it, sorted by path length
/// then node id.
pub fn who_can_reach(g: &Graph, target: NodeIdx) -> Vec<Reached> {
    let (dist, via) = shortest(g, &[target], false);
    let mut out: Vec<Reached> = Vec::new();
    for (i, d) in dist.iter().enumerate() {
        let i = i as NodeIdx;
        if *d == u64::MAX || i == target || g.is_capability(i) {
            continue;
        }
        let p = path_backward(g, &via, i, |n| n == target);
        if let Some(path) = consistent(g, i, target, p) {
            out.push(Reached { node: i, path });
        }
    }
    out.sort_by_key(|r| (hops(g, &r.path), r.node));
    out
}

/// Every node that can reach one of `targets` (not a target itself), with its shortest path to
/// the nearest one (its last edge's `to` says which), sorted by path length then node id: one
/// search for many targets.
pub fn who_can_reach_any(g: &Graph, targets: &[NodeIdx]) -> Vec<Reached> {
    let (dist, via) = shortest(g, targets, false);
    let mut out: Vec<Reached> = Vec::new();
    for (i, d) in dist.iter().enumerate() {
        let i = i as NodeIdx;
        if *d == u64::MAX || targets.contains(&i) || g.is_capability(i) {
            continue;
        }
        let path = path_backward(g, &via, i, |n| targets.contains(&n));
        let Some(to) = path.last().and_then(|e| g.edge(*e)).map(|e| e.to) else { continue };
        if let Some(path) = consistent(g, i, to, path) {
            out.push(Reached { node: i, path });
        }
    }
    out.sort_by_key(|r| (hops(g, &r.path), r.node));
    out
}

/// Every node `from` can reach, with its shortest path, sorted by path length then node id.
pub fn reach(g: &Graph, from: NodeIdx) -> Vec<Reached> {
    let (dist, via) = shortest(g, &[from], true);
    let mut out: Vec<Reached> = Vec::new();
    for (i, d) in dist.iter().enumerate() {
        let i = i as NodeIdx;
        if *d == u64::MAX || i == from || g.is_capability(i) {
            continue;
        }
        let p = path_forward(g, &via, from, i);
        if let Some(path) = consistent(g, from, i, p) {
            out.push(Reached { node: i, path });
        }
    }
    out.sort_by_key(|r| (hops(g, &r.path), r.node));
    out
}

/// Up to `max` simple paths from `from` to `to` of at most `max_depth` edges, shortest first
/// (ties: fewer conditional edges, then edge positions).
pub fn paths(g: &Graph, from: NodeIdx, to: NodeIdx, max: usize, max_depth: usize) -> Vec<Vec<u32>> {
    let can_reach_to = g.reachable(to, false);
    let mut found: Vec<Vec<u32>> = Vec::new();
    let mut on_path = vec![false; g.nodes().len()];
    let mut stack: Vec<u32> = Vec::new();
    let mut budget: u64 = 200_000;
    // Iterative deepening so that shorter paths are found first.
    for depth in 1..=max_depth {
        dfs(g, from, to, depth, &can_reach_to, &mut on_path, &mut stack, &mut found, max, &mut budget);
        if found.len() >= max || budget == 0 {
            break;
        }
    }
    found.sort_by_key(|p| {
        let conditional = p.iter().filter(|e| g.edge(**e).is_some_and(Edge::is_conditional)).count();
        (hops(g, p), conditional, p.clone())
    });
    found.dedup();
    found.truncate(max);
    found
}

#[allow(clippy::too_many_arguments, reason = "the search state is passed down the recursion as is")]
fn dfs(
    g: &Graph,
    at: NodeIdx,
    to: NodeIdx,
    depth: usize,
    useful: &[bool],
    on_path: &mut [bool],
    stack: &mut Vec<u32>,
    found: &mut Vec<Vec<u32>>,
    max: usize,
    budget: &mut u64,
) {
    if found.len() >= max || *budget == 0 {
        return;
    }
    *budget -= 1;
    let len = hops(g, stack);
    if at == to {
        if len == depth {
            found.push(stack.clone());
        }
        return;
    }
    // A capability node is passed through within the hop that entered it.
    if len >= depth && !g.is_capability(at) {
        return;
    }
    if let Some(p) = on_path.get_mut(at as usize) {
        *p = true;
    }
    for ei in g.out_edges(at) {
        let Some(e) = g.edge(*ei) else { continue };
        if on_path.get(e.to as usize).copied().unwrap_or(true) || !useful.get(e.to as usize).copied().unwrap_or(false) {
            continue;
        }
        stack.push(*ei);
        dfs(g, e.to, to, depth, useful, on_path, stack, found, max, budget);
        stack.pop();
    }
    if let Some(p) = on_path.get_mut(at as usize) {
        *p = false;
    }
}

/// An escalation in words: one entry per hop (`FROM -KIND (pathfinding ids)-> TO`, with every
/// way the hop has), what the path needs as it was taken (its conditions and assumptions), and
/// whether it needs any. Another way to the same node that needs a condition or an assumption
/// does not make this one need it.
pub struct EscalationWords {
    pub steps: Vec<String>,
    pub notes: Vec<String>,
    pub uncertain: bool,
}

/// [`EscalationWords`] of a path.
pub fn escalation_words(g: &Graph, path: &[u32]) -> EscalationWords {
    let label = |n: NodeIdx| g.node(n).map_or("?", |n| n.label.as_str());
    let mut steps = Vec::with_capacity(path.len());
    for e in g.hops(path) {
        let paths = e.paths();
        let via = if paths.is_empty() { String::new() } else { format!(" ({})", paths.join(", ")) };
        steps.push(format!("{} -{}{via}-> {}", label(e.from), e.kind.as_str(), label(e.to)));
    }
    let taken = g.taken(path);
    let mut notes = Vec::new();
    for e in &taken {
        if let Some(c) = e.condition_text() {
            notes.push(format!("to {}, if {c}", label(e.to)));
        }
        if e.has_assumptions() {
            notes.push(format!("to {}: rests on an assumption the snapshot cannot check", label(e.to)));
        }
    }
    let uncertain = taken.iter().any(|e| e.is_conditional() || e.has_assumptions());
    EscalationWords { steps, notes, uncertain }
}

/// Principals (and outsiders: providers, external accounts, `*`) that can reach an account
/// administrator node without being administrators, with their shortest path, sorted by node
/// id. A path whose every edge holds without a condition and without an assumption is taken
/// when there is one, however long: the escalation is then certain, and a shorter path that
/// needs a condition or rests on an assumption does not make it uncertain.
pub fn escalations(g: &Graph) -> Vec<Escalation> {
    let admins: Vec<NodeIdx> =
        g.nodes().iter().enumerate().filter(|(_, n)| n.kind == NodeKind::AccountAdmin).map(|(i, _)| i as NodeIdx).collect();
    if admins.is_empty() {
        return Vec::new();
    }
    let (dist, via) = shortest(g, &admins, false);
    let (certain_dist, certain_via) = shortest_over(g, &admins, false, |e| !e.is_conditional() && !e.has_assumptions());
    let is_admin_node = |n: NodeIdx| g.node(n).is_some_and(|n| n.kind == NodeKind::AccountAdmin);
    let mut out = Vec::new();
    for (i, node) in g.nodes().iter().enumerate() {
        let i = i as NodeIdx;
        if !node.kind.is_actor() || node.admin || dist.get(i as usize).is_none_or(|d| *d == u64::MAX) {
            continue;
        }
        let certain = certain_dist.get(i as usize).is_some_and(|d| *d != u64::MAX);
        let p = path_backward(g, if certain { &certain_via } else { &via }, i, is_admin_node);
        let Some(admin) = p.last().and_then(|e| g.edge(*e)).map(|e| e.to) else { continue };
        if let Some(path) = consistent(g, i, admin, p) {
            out.push(Escalation { node: i, admin, path });
        }
    }
    out
}
