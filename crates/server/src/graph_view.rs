//! The authorization graph of one role as the UI draws it: who can reach the role, the role,
//! and what runs as it, each edge with its kind, its conditions and the statements behind it.
//!
//! Taken from the engine-checked graph of `rolegraph-graph` (built once by
//! [`crate::AppState::new`]): an edge means the trust policy *and* the caller's own policies
//! (boundaries, SCPs, RCPs) allow it, or a documented privilege escalation, or a resource that
//! runs as the role. The neighbourhood is walked against the edges from the role, `depth` hops
//! back (the page asks for every hop, up to 8, and expands a role on click), up to `limit`
//! nodes, so it holds every path of `rolegraph who-can-assume`: the `admin-control` edges too
//! (an account's administrators can act as any of its principals), from the account's
//! administrator node, which the administrators reach through their `admin-equivalent` edges.

use std::collections::{BTreeSet, VecDeque};

use graph::{Edge, EdgeKind, Graph, NodeIdx, NodeKind};
use serde::Serialize;

/// A node of the graph.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GraphNode {
    /// Unique within the graph: an ARN, a service principal, `external-account:ID`, `*`.
    pub id: String,
    /// The node kind of `rolegraph-graph`: `role`, `user`, `service`, `oidc-provider`,
    /// `external-account`, `anyone`, `ec2-instance`, `account-admin`, ...
    pub kind: String,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Whether the engine allows this principal administrator-equivalent access.
    pub admin: bool,
    /// The role this graph is about.
    pub center: bool,
    /// For a role of the snapshot: its ARN, whose own graph expands this node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expand: Option<String>,
}

/// One condition of an edge: a condition of a statement whose key the request leaves unknown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EdgeCondition {
    /// The action of the check it belongs to (`sts:AssumeRoleWithWebIdentity`).
    pub action: String,
    pub operator: String,
    pub key: String,
    pub values: Vec<String>,
    /// Whether the edge needs the condition *not* to hold (a `Deny`'s condition).
    pub negated: bool,
    /// JSON pointer of the condition key in its policy.
    pub pointer: String,
    /// Whether it only says where the request is made (a region, a source IP, a VPC): a scope,
    /// which does not make the edge conditional.
    pub scope: bool,
}

/// A statement that decided an edge, or the fact of the snapshot behind it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EdgeEvidence {
    /// The policy (`ARN`, `ARN inline policy NAME`, `trust policy of ARN`), or the link between a
    /// resource and the role.
    pub source: String,
    /// `identity`, `resource`, `permission-boundary`, `scp`, `rcp`, ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
}

/// An edge: `source` can act as `target`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GraphEdge {
    pub id: String,
    pub source: String,
    pub target: String,
    /// `can-assume`, `runs-as`, `privesc`, `member-of`, `admin-equivalent`.
    pub kind: String,
    /// The actions the engine checked (`sts:AssumeRole`, `iam:PassRole`, ...).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    /// The documented paths of its ways (`sts-001`, `ec2-001`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
    /// The conditions of its best way, atom by atom.
    pub conditions: Vec<EdgeCondition>,
    /// The same in words, as the engine writes them; absent when a way holds unconditionally.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition_text: Option<String>,
    /// Whether the edge holds only under conditions.
    pub conditional: bool,
    pub summary: String,
    /// The first statement behind the edge (the one the page shows).
    pub evidence: EdgeEvidence,
    /// Every statement behind its best way.
    pub statements: Vec<EdgeEvidence>,
    /// What is assumed rather than known, and what the snapshot lacks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub caveats: Vec<String>,
}

/// The graph of one role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RoleGraph {
    pub schema_version: u32,
    /// The role's ARN.
    pub role: String,
    pub nodes: Vec<GraphNode>,
    pub edges: Vec<GraphEdge>,
    /// Whether `limit` cut nodes off.
    pub truncated: bool,
}

fn node_view(g: &Graph, i: NodeIdx, center: bool) -> Option<GraphNode> {
    let n = g.node(i)?;
    Some(GraphNode {
        id: n.id.clone(),
        kind: n.kind.as_str().to_owned(),
        label: n.label.clone(),
        account: n.account.clone(),
        admin: n.admin,
        center,
        expand: (n.kind == NodeKind::Role && !center).then(|| n.id.clone()),
    })
}

fn edge_view(g: &Graph, e: &Edge) -> Option<GraphEdge> {
    let (from, to) = (g.node(e.from)?, g.node(e.to)?);
    let kind = e.kind.as_str();
    let way = e.way();
    let checks = way.map_or(&[][..], |w| w.checks.as_slice());
    let mut actions: Vec<String> = checks.iter().map(|c| c.action.to_owned()).collect();
    actions.dedup();
    // The conditions of the best way: those it needs, or (when it needs none) its scope.
    let conditions = if e.is_conditional() || e.scope_text().is_some() {
        checks
            .iter()
            .filter_map(|c| c.condition.as_deref().map(|cond| (c.action, cond)))
            .flat_map(|(action, cond)| {
                let scope = cond.is_scope();
                let negated: Vec<usize> = cond.required().into_iter().filter(|(_, holds)| !holds).map(|(i, _)| i).collect();
                cond.atoms.iter().enumerate().filter_map(move |(i, a)| {
                    Some(EdgeCondition {
                        action: action.to_owned(),
                        operator: a.operator()?.to_owned(),
                        key: a.key()?.to_owned(),
                        values: a.values().into_iter().map(str::to_owned).collect(),
                        negated: negated.contains(&i),
                        pointer: a.pointer().unwrap_or_default().to_owned(),
                        scope,
                    })
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut statements: Vec<EdgeEvidence> = Vec::new();
    for ev in checks.iter().flat_map(|c| c.evidence.iter()) {
        let s = EdgeEvidence {
            source: ev.policy.to_string(),
            policy_kind: Some(ev.policy_kind.to_owned()),
            statement: Some(ev.statement()),
            sid: ev.sid().map(str::to_owned),
            pointer: Some(ev.pointer().to_owned()),
        };
        if !statements.contains(&s) {
            statements.push(s);
        }
    }
    let description = way.map_or_else(String::new, |w| w.description.to_string());
    let fact = EdgeEvidence { source: description.clone(), policy_kind: None, statement: None, sid: None, pointer: None };
    let evidence = statements.first().cloned().unwrap_or(fact);
    let mut caveats: Vec<String> = e.ways().iter().flat_map(|w| w.assumptions.iter().map(|a| a.to_string())).collect();
    caveats.extend(e.gaps().iter().cloned());
    caveats.sort();
    caveats.dedup();
    let summary = if description.is_empty() { format!("{} {kind} {}", from.label, to.label) } else { description };
    Some(GraphEdge {
        id: format!("{}|{kind}|{}", from.id, to.id),
        source: from.id.clone(),
        target: to.id.clone(),
        kind: kind.to_owned(),
        actions,
        paths: e.paths().into_iter().map(str::to_owned).collect(),
        conditions,
        condition_text: e.condition_text(),
        conditional: e.is_conditional(),
        summary,
        evidence,
        statements,
        caveats,
    })
}

/// The nodes linked to `at` in one direction (`forward`: the edges from it), an edge through a
/// capability node joined into one with the kind of the half that touches `at`: each
/// `(other end, kind)` once, sorted.
fn neighbours(g: &Graph, at: NodeIdx, forward: bool) -> Vec<(NodeIdx, EdgeKind)> {
    let edges = |n: NodeIdx| if forward { g.out_edges(n) } else { g.in_edges(n) };
    let far = |e: &Edge| if forward { e.to } else { e.from };
    let mut out: Vec<(NodeIdx, EdgeKind)> = Vec::new();
    for e in edges(at).iter().filter_map(|i| g.edge(*i)) {
        let other = far(e);
        if g.is_capability(other) {
            out.extend(edges(other).iter().filter_map(|i| g.edge(*i)).map(|e1| (far(e1), e.kind)));
        } else {
            out.push((other, e.kind));
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// What a role's graph has drawn so far.
struct Drawing {
    nodes: Vec<GraphNode>,
    seen: BTreeSet<NodeIdx>,
    edges: Vec<GraphEdge>,
    truncated: bool,
    limit: usize,
}

impl Drawing {
    /// Draws node `i` unless it is there already; false when it cannot be (the limit).
    fn admit(&mut self, g: &Graph, i: NodeIdx) -> bool {
        if self.seen.contains(&i) {
            return true;
        }
        if self.nodes.len() > self.limit {
            self.truncated = true;
            return false;
        }
        let Some(n) = node_view(g, i, false) else { return false };
        self.seen.insert(i);
        self.nodes.push(n);
        true
    }
}

/// The graph of the role `arn` in `g`: the nodes that reach it in at most `depth` hops, and
/// with `reach`, what the role itself reaches in one hop (the roles it can assume or escalate
/// to, its account's administrator when it is one); at most `limit` nodes besides the role.
/// Edges through a capability node are drawn as one edge, with the ways of both halves. `None`
/// when the graph has no such role.
pub fn role_graph(g: &Graph, arn: &str, depth: usize, limit: usize, reach: bool) -> Option<RoleGraph> {
    let center = g.find_id(arn)?;
    let mut d = Drawing {
        nodes: vec![node_view(g, center, true)?],
        seen: BTreeSet::from([center]),
        edges: Vec::new(),
        truncated: false,
        limit,
    };
    let mut queue = VecDeque::from([(center, 0usize)]);
    while let Some((at, hops)) = queue.pop_front() {
        if hops >= depth {
            continue;
        }
        for (from, kind) in neighbours(g, at, false) {
            let Some(e) = g.link(from, at, kind) else { continue };
            let new = !d.seen.contains(&from);
            if !d.admit(g, from) {
                continue;
            }
            if new {
                queue.push_back((from, hops + 1));
            }
            d.edges.extend(edge_view(g, &e));
        }
    }
    if reach {
        for (to, kind) in neighbours(g, center, true) {
            if kind == EdgeKind::AdminControl || to == center {
                continue;
            }
            let Some(e) = g.link(center, to, kind) else { continue };
            if d.admit(g, to) {
                d.edges.extend(edge_view(g, &e));
            }
        }
    }
    Some(RoleGraph {
        schema_version: crate::SCHEMA_VERSION,
        role: arn.to_owned(),
        nodes: d.nodes,
        edges: d.edges,
        truncated: d.truncated,
    })
}
