//! The built graph: nodes sorted by id, edges sorted by source, target and kind, and
//! compressed adjacency arrays (CSR) in both directions for the queries' breadth-first
//! searches.

use std::collections::HashMap;

use serde::Serialize;

use crate::types::{Edge, EdgeKind, Node, NodeIdx, NodeKind};

/// The authorization graph of a snapshot.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    pub(crate) nodes: Vec<Node>,
    pub(crate) edges: Vec<Edge>,
    pub(crate) index: HashMap<String, NodeIdx>,
    /// `out_start[n]..out_start[n+1]` are the positions in `out_edges` of `n`'s edges.
    out_start: Vec<u32>,
    out_edges: Vec<u32>,
    in_start: Vec<u32>,
    in_edges: Vec<u32>,
    pub(crate) notes: Vec<String>,
    pub(crate) stats: Stats,
    /// Observed assumptions as given, and as placed (see `observed.rs`).
    pub(crate) observations: Vec<crate::observed::Observation>,
    pub(crate) observed: Vec<crate::observed::ObservedEdge>,
}

/// Counts about a build, for the benchmark and the export.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Requests decided by the engine.
    pub evaluations: u64,
    /// Candidate pairs that the index made for can-assume edges.
    pub assume_candidates: u64,
    /// Edges not made because their condition could not hold.
    pub contradictions: u64,
    /// Classes of users and roles that hold the same policies (decided once each).
    pub classes: u64,
    /// Wall time of each phase of the build (not serialised: output stays deterministic).
    #[serde(skip)]
    pub phases: Vec<(&'static str, std::time::Duration)>,
}

impl Graph {
    /// Builds the graph from nodes sorted by id and edges sorted by source, target and kind
    /// (edges refer to nodes by index).
    pub(crate) fn from_sorted(nodes: Vec<Node>, edges: Vec<Edge>, mut notes: Vec<String>, stats: Stats) -> Graph {
        let index = nodes.iter().enumerate().map(|(i, n)| (n.id.clone(), i as NodeIdx)).collect();
        notes.sort();
        notes.dedup();
        let n = nodes.len();
        let (out_start, out_edges) = csr(n, edges.iter().map(|e| e.from));
        let (in_start, in_edges) = csr(n, edges.iter().map(|e| e.to));
        Graph {
            nodes,
            edges,
            index,
            out_start,
            out_edges,
            in_start,
            in_edges,
            notes,
            stats,
            observations: Vec::new(),
            observed: Vec::new(),
        }
    }

    /// Every node, sorted by id.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// Every edge, sorted by source, target and kind.
    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    pub fn node(&self, i: NodeIdx) -> Option<&Node> {
        self.nodes.get(i as usize)
    }

    pub fn edge(&self, i: u32) -> Option<&Edge> {
        self.edges.get(i as usize)
    }

    /// The node with this id.
    pub fn find_id(&self, id: &str) -> Option<NodeIdx> {
        self.index.get(id).copied()
    }

    /// Nodes matching what a user typed: an id (ARN, service, `admin:ACCOUNT`, ...), else a
    /// label (a user, role or group name; exact, then case-insensitive), else `ACCOUNT/NAME`.
    pub fn find(&self, query: &str) -> Vec<NodeIdx> {
        if let Some(i) = self.find_id(query) {
            return vec![i];
        }
        let by = |f: &dyn Fn(&Node) -> bool| -> Vec<NodeIdx> {
            self.nodes.iter().enumerate().filter(|(_, n)| f(n)).map(|(i, _)| i as NodeIdx).collect()
        };
        let exact = by(&|n| n.label == query);
        if !exact.is_empty() {
            return exact;
        }
        let ci = by(&|n| n.label.eq_ignore_ascii_case(query));
        if !ci.is_empty() {
            return ci;
        }
        if let Some((acct, name)) = query.split_once('/') {
            return by(&|n| n.account.as_deref() == Some(acct) && n.label == name);
        }
        Vec::new()
    }

    /// The positions of `n`'s outgoing edges.
    pub fn out_edges(&self, n: NodeIdx) -> &[u32] {
        slice(&self.out_start, &self.out_edges, n)
    }

    /// The positions of `n`'s incoming edges.
    pub fn in_edges(&self, n: NodeIdx) -> &[u32] {
        slice(&self.in_start, &self.in_edges, n)
    }

    /// What the build could not do, or did not know (sorted).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Number of edges of a kind.
    pub fn count(&self, kind: EdgeKind) -> usize {
        self.edges.iter().filter(|e| e.kind == kind).count()
    }

    /// Number of nodes of a kind.
    pub fn count_nodes(&self, kind: NodeKind) -> usize {
        self.nodes.iter().filter(|n| n.kind == kind).count()
    }

    /// The edges from one node to another, of any kind.
    pub fn edges_between(&self, from: NodeIdx, to: NodeIdx) -> impl Iterator<Item = &Edge> + '_ {
        self.out_edges(from).iter().filter_map(|e| self.edge(*e)).filter(move |e| e.to == to)
    }

    /// The edges from one node to another, of any kind, as a user sees them: the direct ones,
    /// and the ones through a capability node (one edge from `from` to the capability of a
    /// path, one from it to `to`), joined into one edge whose ways hold the checks of both.
    pub fn links(&self, from: NodeIdx, to: NodeIdx) -> Vec<Edge> {
        let mut out: Vec<Edge> = self.edges_between(from, to).cloned().collect();
        for e1 in self.out_edges(from).iter().filter_map(|e| self.edge(*e)).filter(|e1| self.is_capability(e1.to)) {
            for e2 in self.edges_between(e1.to, to) {
                out.push(join(e1, e2));
            }
        }
        out
    }

    /// The hops of a path (positions in [`Graph::edges`]) as a user sees them: an edge into a
    /// capability node and the edge out of it are one hop, and each hop has every way from its
    /// source to its target of its kind ([`Graph::link`]).
    pub fn hops(&self, path: &[u32]) -> Vec<std::borrow::Cow<'_, Edge>> {
        self.taken(path).iter().filter_map(|e| self.link(e.from, e.to, e.kind)).collect()
    }

    /// The hops of a path as it was taken: an edge into a capability node joined with the edge
    /// out of it that the path takes, and no other way. Whether the path holds only under a
    /// condition or an assumption is read here: another way to the same node that needs one
    /// does not make this path need it.
    pub fn taken(&self, path: &[u32]) -> Vec<Edge> {
        let mut out: Vec<Edge> = Vec::with_capacity(path.len());
        for e in path.iter().filter_map(|e| self.edge(*e)) {
            match out.last_mut() {
                Some(last) if self.is_capability(e.from) && last.to == e.from => *last = join(last, e),
                _ => out.push(e.clone()),
            }
        }
        out
    }

    /// Every way from one node to another of a kind, direct or through capability nodes, as one
    /// edge (unconditional ways first, then by path id; at most [`crate::MAX_WAYS`]).
    /// A single direct edge is the graph's own (so that what is attached to it by position,
    /// like observed assumptions, stays with it).
    pub fn link(&self, from: NodeIdx, to: NodeIdx, kind: crate::types::EdgeKind) -> Option<std::borrow::Cow<'_, Edge>> {
        let through = self
            .out_edges(from)
            .iter()
            .filter_map(|e| self.edge(*e))
            .any(|e1| self.is_capability(e1.to) && self.edges_between(e1.to, to).any(|e2| e2.kind == kind));
        if !through {
            let mut direct = self.edges_between(from, to).filter(|e| e.kind == kind);
            if let (Some(e), None) = (direct.next(), direct.next()) {
                return Some(std::borrow::Cow::Borrowed(e));
            }
        }
        let mut all = self.links(from, to).into_iter().filter(|e| e.kind == kind);
        let first = all.next()?;
        let rest: Vec<Edge> = all.collect();
        if rest.is_empty() {
            return Some(std::borrow::Cow::Owned(first));
        }
        let mut data = (*first.data).clone();
        for e in &rest {
            data.ways.extend(e.ways().iter().cloned());
            data.more_ways += e.data.more_ways;
            for g in e.gaps() {
                if !data.gaps.contains(g) {
                    data.gaps.push(g.clone());
                }
            }
        }
        data.ways.sort_by(|a, b| a.rank().cmp(&b.rank()));
        if data.ways.len() > crate::types::MAX_WAYS {
            data.more_ways += data.ways.len() - crate::types::MAX_WAYS;
            data.ways.truncate(crate::types::MAX_WAYS);
        }
        data.gaps.sort();
        Some(std::borrow::Cow::Owned(Edge { from, to, kind, data: std::sync::Arc::new(data) }))
    }

    /// Whether a node is a capability node.
    pub fn is_capability(&self, n: NodeIdx) -> bool {
        self.node(n).is_some_and(|n| n.kind == NodeKind::Capability)
    }

    /// The nodes `n` can reach (`forward`) or that can reach `n`, with `n`.
    pub fn reachable(&self, n: NodeIdx, forward: bool) -> Vec<bool> {
        let mut seen = vec![false; self.nodes.len()];
        let mut stack = vec![n];
        if let Some(s) = seen.get_mut(n as usize) {
            *s = true;
        }
        while let Some(x) = stack.pop() {
            let next = if forward { self.out_edges(x) } else { self.in_edges(x) };
            for e in next.iter().filter_map(|e| self.edge(*e)) {
                let y = if forward { e.to } else { e.from };
                if let Some(s) = seen.get_mut(y as usize)
                    && !*s
                {
                    *s = true;
                    stack.push(y);
                }
            }
        }
        seen
    }

    /// The sub-graph of the nodes that can reach `n` or that `n` can reach, and `n`.
    pub fn around(&self, n: NodeIdx) -> Graph {
        let fwd = self.reachable(n, true);
        let bwd = self.reachable(n, false);
        let mut pos = vec![u32::MAX; self.nodes.len()];
        let mut nodes = Vec::new();
        for (i, node) in self.nodes.iter().enumerate() {
            if fwd.get(i).copied().unwrap_or(false) || bwd.get(i).copied().unwrap_or(false) {
                if let Some(p) = pos.get_mut(i) {
                    *p = nodes.len() as u32;
                }
                nodes.push(node.clone());
            }
        }
        let edges = self
            .edges
            .iter()
            .filter_map(|e| {
                let (f, t) = (*pos.get(e.from as usize)?, *pos.get(e.to as usize)?);
                (f != u32::MAX && t != u32::MAX).then(|| Edge { from: f, to: t, ..e.clone() })
            })
            .collect();
        let mut g = Graph::from_sorted(nodes, edges, self.notes.clone(), self.stats.clone());
        if !self.observations.is_empty() {
            // Observations of the roles kept, placed again in the sub-graph.
            let kept: Vec<crate::observed::Observation> = self
                .observed
                .iter()
                .filter(|o| {
                    o.to.is_some_and(|t| {
                        fwd.get(t as usize).copied().unwrap_or(false) || bwd.get(t as usize).copied().unwrap_or(false)
                    })
                })
                .map(|o| o.seen.clone())
                .collect();
            g.attach_observed(&kept);
        }
        g
    }
}

/// Two edges through a capability node as one: from the first's source to the second's
/// target, with the ways of the same path joined (the checks of the first, then those of the
/// second; the assumptions of both).
pub fn join(e1: &Edge, e2: &Edge) -> Edge {
    let mut ways = Vec::new();
    for w1 in e1.ways() {
        for w2 in e2.ways().iter().filter(|w2| w2.path == w1.path) {
            let mut w = w1.clone();
            w.checks.extend(w2.checks.iter().cloned());
            for a in &w2.assumptions {
                if !w.assumptions.contains(a) {
                    w.assumptions.push(a.clone());
                }
            }
            w.via.extend(w2.via.iter().cloned());
            ways.push(w);
        }
    }
    let mut gaps = e1.gaps().to_vec();
    for g in e2.gaps() {
        if !gaps.contains(g) {
            gaps.push(g.clone());
        }
    }
    let more_ways = e1.data.more_ways + e2.data.more_ways;
    Edge { from: e1.from, to: e2.to, kind: e1.kind, data: std::sync::Arc::new(crate::types::EdgeData { ways, more_ways, gaps }) }
}

fn csr(n: usize, keys: impl Iterator<Item = NodeIdx> + Clone) -> (Vec<u32>, Vec<u32>) {
    let mut start = vec![0u32; n + 1];
    for k in keys.clone() {
        if let Some(s) = start.get_mut(k as usize + 1) {
            *s += 1;
        }
    }
    let mut acc = 0u32;
    for s in &mut start {
        acc += *s;
        *s = acc;
    }
    let mut fill = start.clone();
    let mut out = vec![0u32; start.last().copied().unwrap_or(0) as usize];
    for (e, k) in keys.enumerate() {
        if let Some(f) = fill.get_mut(k as usize)
            && let Some(slot) = out.get_mut(*f as usize)
        {
            *slot = e as u32;
            *f += 1;
        }
    }
    (start, out)
}

fn slice<'a>(start: &[u32], items: &'a [u32], n: NodeIdx) -> &'a [u32] {
    let (Some(a), Some(b)) = (start.get(n as usize), start.get(n as usize + 1)) else { return &[] };
    items.get(*a as usize..*b as usize).unwrap_or(&[])
}
