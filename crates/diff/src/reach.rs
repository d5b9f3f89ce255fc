//! Who can reach each privileged node of the authorization graph, computed once for all of
//! them instead of one backward walk per role.
//!
//! The sets are those of a backward walk from each target that stops at a frontier (an
//! account's administrator node, or another privileged role: see `docs/store.md`). Such a walk
//! from a target `t` goes back through non-frontier nodes only, so its result is the union,
//! over the edges `y → t`, of `y` itself when `y` is on the frontier, else of everything that
//! reaches `y` through non-frontier nodes. That last set is the same for every target, so it is
//! computed once per node: the non-frontier subgraph is condensed into its strongly connected
//! components (Kosaraju: a forward pass for the finishing order, a backward pass that yields
//! components sources first), and each component's set is its own principals and frontier
//! predecessors plus the sets of the components before it. Each edge is crossed once per pass,
//! where one walk per target crossed the shared part once per target; on 10,000 synthetic
//! roles both take a fraction of a second (see `docs/benchmarks.md`).
//!
//! The walk is done twice: over every edge, and over the edges that hold without conditions.
//! A principal found by the first and not the second reaches the target only under conditions
//! (every path has an edge that needs one). Paths are not checked for conditions that contradict
//! each other along the way, as `graph::who_can_reach` does for one target.

use graph::{Edge, Graph, NodeIdx, NodeKind};

/// The kinds of graph node that count as principals reaching a role.
pub fn is_principal(kind: NodeKind) -> bool {
    matches!(
        kind,
        NodeKind::User
            | NodeKind::Role
            | NodeKind::Service
            | NodeKind::SamlProvider
            | NodeKind::OidcProvider
            | NodeKind::ExternalAccount
            | NodeKind::ExternalPrincipal
            | NodeKind::Anyone
    )
}

/// One target's sources: every node listed, and those that get there only under conditions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sources {
    /// Sorted node indexes.
    pub all: Vec<NodeIdx>,
    /// The part of `all` with no path free of conditions, sorted.
    pub conditional: Vec<NodeIdx>,
}

/// The sources of each of `targets` (in the same order). `frontier[i]` says whether node `i`
/// stops the walk; targets are expected to be on the frontier (a target that is not is walked
/// the same way, and does not list itself).
pub fn sources_of(g: &Graph, frontier: &[bool], targets: &[NodeIdx]) -> Vec<Sources> {
    let all = Walk::new(g, frontier, |_| true).sets(targets);
    let unconditional = Walk::new(g, frontier, |e: &Edge| !e.is_conditional()).sets(targets);
    all.into_iter()
        .zip(unconditional)
        .map(|(all, free)| {
            let conditional = all.iter().copied().filter(|x| free.binary_search(x).is_err()).collect();
            Sources { all, conditional }
        })
        .collect()
}

/// The condensed non-frontier subgraph over the edges `usable` accepts.
struct Walk<'g, F> {
    g: &'g Graph,
    frontier: &'g [bool],
    usable: F,
    /// The component of each non-frontier node (`u32::MAX` for frontier nodes).
    comp: Vec<u32>,
    /// Per component, sorted: the principals in it and everything listable before it.
    sets: Vec<Vec<NodeIdx>>,
}

const NONE: u32 = u32::MAX;

impl<'g, F: Fn(&Edge) -> bool> Walk<'g, F> {
    fn new(g: &'g Graph, frontier: &'g [bool], usable: F) -> Self {
        let mut w = Walk { g, frontier, usable, comp: Vec::new(), sets: Vec::new() };
        w.condense();
        w
    }

    fn on_frontier(&self, n: NodeIdx) -> bool {
        self.frontier.get(n as usize).copied().unwrap_or(false)
    }

    fn is_principal(&self, n: NodeIdx) -> bool {
        self.g.node(n).is_some_and(|x| is_principal(x.kind))
    }

    /// The edges out of (`forward`) or into `n` that stay inside the non-frontier subgraph:
    /// the other end of each.
    fn inner_neighbours(&self, n: NodeIdx, forward: bool) -> impl Iterator<Item = NodeIdx> + '_ {
        let edges = if forward { self.g.out_edges(n) } else { self.g.in_edges(n) };
        edges.iter().filter_map(move |ei| {
            let e = self.g.edge(*ei)?;
            let other = if forward { e.to } else { e.from };
            ((self.usable)(e) && !self.on_frontier(other)).then_some(other)
        })
    }

    /// Kosaraju over the non-frontier nodes, then each component's set in topological order.
    fn condense(&mut self) {
        let n = self.g.nodes().len();
        // Forward pass: nodes in the order their depth-first search finishes.
        let mut visited = vec![false; n];
        let mut order: Vec<NodeIdx> = Vec::with_capacity(n);
        for start in 0..n as NodeIdx {
            if self.on_frontier(start) || visited.get(start as usize).copied().unwrap_or(true) {
                continue;
            }
            if let Some(v) = visited.get_mut(start as usize) {
                *v = true;
            }
            let mut stack: Vec<(NodeIdx, Vec<NodeIdx>)> = vec![(start, self.inner_neighbours(start, true).collect())];
            while let Some((node, next)) = stack.last_mut() {
                match next.pop() {
                    Some(y) => {
                        if let Some(v) = visited.get_mut(y as usize)
                            && !*v
                        {
                            *v = true;
                            let ys = self.inner_neighbours(y, true).collect();
                            stack.push((y, ys));
                        }
                    }
                    None => {
                        order.push(*node);
                        stack.pop();
                    }
                }
            }
        }
        // Backward pass in decreasing finishing order: components come out sources first, so
        // every component before a node's own is complete when it is reached.
        let mut comp = vec![NONE; n];
        let mut sets: Vec<Vec<NodeIdx>> = Vec::new();
        for &start in order.iter().rev() {
            if comp.get(start as usize).is_none_or(|c| *c != NONE) {
                continue;
            }
            let id = sets.len() as u32;
            let mut members = vec![start];
            if let Some(c) = comp.get_mut(start as usize) {
                *c = id;
            }
            let mut i = 0;
            while let Some(&x) = members.get(i) {
                i += 1;
                for y in self.inner_neighbours(x, false) {
                    if let Some(c) = comp.get_mut(y as usize)
                        && *c == NONE
                    {
                        *c = id;
                        members.push(y);
                    }
                }
            }
            // The component's set: its principals, its frontier predecessors, and the sets of
            // the components before it (all complete, as they came out earlier).
            let mut set: Vec<NodeIdx> = Vec::new();
            for &x in &members {
                if self.is_principal(x) {
                    set.push(x);
                }
                for ei in self.g.in_edges(x) {
                    let Some(e) = self.g.edge(*ei) else { continue };
                    if !(self.usable)(e) {
                        continue;
                    }
                    if self.on_frontier(e.from) {
                        set.push(e.from);
                    } else if let Some(&c) = comp.get(e.from as usize)
                        && c != id
                        && c != NONE
                        && let Some(before) = sets.get(c as usize)
                    {
                        set.extend_from_slice(before);
                    }
                }
            }
            set.sort_unstable();
            set.dedup();
            sets.push(set);
        }
        self.comp = comp;
        self.sets = sets;
    }

    /// The sources of each target, sorted.
    fn sets(&self, targets: &[NodeIdx]) -> Vec<Vec<NodeIdx>> {
        targets
            .iter()
            .map(|&t| {
                let mut out: Vec<NodeIdx> = Vec::new();
                for ei in self.g.in_edges(t) {
                    let Some(e) = self.g.edge(*ei) else { continue };
                    if !(self.usable)(e) {
                        continue;
                    }
                    let y = e.from;
                    if self.on_frontier(y) {
                        out.push(y);
                    } else if let Some(set) = self.comp.get(y as usize).and_then(|c| self.sets.get(*c as usize)) {
                        out.extend_from_slice(set);
                    }
                }
                out.sort_unstable();
                out.dedup();
                out.retain(|x| *x != t);
                out
            })
            .collect()
    }
}
