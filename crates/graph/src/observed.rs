//! Observed edges: who assumed a role according to CloudTrail (`AssumeRole`,
//! `AssumeRoleWithSAML`, `AssumeRoleWithWebIdentity`), beside the edges the policies make
//! possible.
//!
//! The graph says what can happen; the trail says what did. [`Graph::attach_observed`] matches
//! each observed assumption to the can-assume edges into the role from the nodes that stand for
//! the caller (the caller itself, its account as an external account, `*`, or the account's
//! administrator for the root user) and marks those edges as observed. An assumption that
//! succeeded although no such edge exists is flagged: the policies as exported do not allow it,
//! so the snapshot lacks data (a policy, a trust, an account) or the analysis has a gap.
//! Observations never change the possible edges or the queries over them.

use model::Timestamp;
use serde::Serialize;

use crate::graph::Graph;
use crate::types::{EdgeKind, NodeIdx, NodeKind};

/// One observed assumption, as the trail reader aggregates it (input of
/// [`Graph::attach_observed`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Observation {
    /// A role ARN (with or without its path), a user or root ARN, a service principal, or a
    /// SAML or OIDC provider (ARN or name).
    pub caller: String,
    /// `role`, `user`, `root`, `service`, `provider` or `other`.
    pub caller_kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caller_account: Option<String>,
    /// The role ARN the calls named.
    pub role: String,
    /// Calls, denied ones included.
    pub count: u64,
    /// Calls refused with an access-denied error.
    pub denied: u64,
    pub first_seen: Option<Timestamp>,
    pub last_seen: Option<Timestamp>,
    /// Event names (`AssumeRole`, ...).
    pub apis: Vec<String>,
    pub source_ips: Vec<String>,
    /// Users of a federated provider (SAML name id, OIDC subject).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subjects: Vec<String>,
}

/// How an observation compares with the possible edges.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ObservedStatus {
    /// A can-assume edge of the graph allows it (it is marked as observed).
    Possible,
    /// Calls succeeded although no can-assume edge allows them: data is missing from the
    /// snapshot, or the analysis has a gap.
    NotPossible,
    /// Every call was refused: the trail agrees with the policies whatever they say.
    DeniedOnly,
    /// The role is not in the graph (an account that is not in the snapshot).
    UnknownRole,
}

impl ObservedStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ObservedStatus::Possible => "possible",
            ObservedStatus::NotPossible => "not-possible",
            ObservedStatus::DeniedOnly => "denied-only",
            ObservedStatus::UnknownRole => "unknown-role",
        }
    }
}

/// An observation placed in the graph.
#[derive(Clone, Debug, Serialize)]
pub struct ObservedEdge {
    #[serde(flatten)]
    pub seen: Observation,
    /// The node that stands for the caller: the caller's own node when the graph has one, else
    /// the node of the possible edge (its external account, `*`).
    #[serde(skip)]
    pub from: Option<NodeIdx>,
    #[serde(skip)]
    pub to: Option<NodeIdx>,
    /// Ids of those nodes (absent when the graph has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_node: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_node: Option<String>,
    pub status: ObservedStatus,
    /// Positions (in [`Graph::edges`]) of the can-assume edges it realises.
    #[serde(skip)]
    pub edges: Vec<u32>,
}

impl ObservedEdge {
    /// Whether it shows a gap: calls succeeded that no possible edge explains.
    pub fn is_flagged(&self) -> bool {
        self.status == ObservedStatus::NotPossible
    }
}

/// `account` and `name` of a role ARN (`arn:aws:iam::1:role/path/name`).
fn role_parts(arn: &str) -> Option<(&str, &str)> {
    let a = policy::Arn::parse(arn)?;
    if a.service != "iam" || !a.resource.starts_with("role/") {
        return None;
    }
    Some((a.account, arn.rsplit('/').next().unwrap_or(arn)))
}

/// Role nodes by account and name (a session ARN does not carry the role's path).
type RoleIndex<'g> = std::collections::HashMap<(&'g str, &'g str), NodeIdx>;

fn role_index(g: &Graph) -> RoleIndex<'_> {
    let mut ix = RoleIndex::new();
    for (i, n) in g.nodes.iter().enumerate() {
        if matches!(n.kind, NodeKind::Role | NodeKind::ExternalPrincipal)
            && let Some(key) = role_parts(&n.id)
        {
            ix.entry(key).or_insert(i as NodeIdx);
        }
    }
    ix
}

/// A role node by ARN, with or without its path.
fn role_node(g: &Graph, ix: &RoleIndex<'_>, arn: &str) -> Option<NodeIdx> {
    g.find_id(arn).or_else(|| ix.get(&role_parts(arn)?).copied())
}

/// The caller's own node, and the nodes that may stand for it, the most specific first.
fn caller_nodes(g: &Graph, ix: &RoleIndex<'_>, o: &Observation) -> (Option<NodeIdx>, Vec<NodeIdx>) {
    let mut out = Vec::new();
    let own = if o.caller_kind == "role" { role_node(g, ix, &o.caller) } else { g.find_id(&o.caller) };
    out.extend(own);
    if let Some(a) = o.caller_account.as_deref() {
        if o.caller_kind == "root" {
            out.extend(g.find_id(&format!("admin:{a}")));
        }
        out.extend(g.find_id(&format!("external-account:{a}")));
    }
    if matches!(o.caller_kind.as_str(), "role" | "user" | "root" | "other") {
        out.extend(g.find_id("*"));
    }
    out.dedup();
    (own, out)
}

impl Graph {
    /// Places observed assumptions in the graph (replacing any placed before): each is matched
    /// to the can-assume edges that allow it, which are then marked as observed, and one that
    /// succeeded without such an edge is flagged ([`ObservedStatus::NotPossible`]). Sorted by
    /// role, then caller.
    pub fn attach_observed(&mut self, observations: &[Observation]) {
        let out = self.place_observed(observations);
        self.observations = observations.to_vec();
        self.observed = out;
    }

    /// The observations placed as [`Graph::attach_observed`] places them, without keeping
    /// them (for a reader of a shared graph: the rules).
    pub fn place_observed(&self, observations: &[Observation]) -> Vec<ObservedEdge> {
        let mut out = Vec::with_capacity(observations.len());
        let ix = role_index(self);
        for o in observations {
            let to = role_node(self, &ix, &o.role);
            let (own, candidates) = caller_nodes(self, &ix, o);
            let mut edges = Vec::new();
            let mut via = None;
            if let Some(to) = to {
                for &c in &candidates {
                    for &e in self.in_edges(to) {
                        let Some(x) = self.edge(e).filter(|x| x.kind == EdgeKind::CanAssume) else { continue };
                        if x.from == c {
                            edges.push(e);
                            via.get_or_insert(c);
                        } else if self.is_capability(x.from)
                            && self
                                .in_edges(x.from)
                                .iter()
                                .any(|e1| self.edge(*e1).is_some_and(|y| y.from == c && y.kind == EdgeKind::CanAssume))
                        {
                            // Through a capability node that the caller reaches: its edge into
                            // the role.
                            edges.push(e);
                            via.get_or_insert(c);
                        }
                    }
                }
            }
            let status = match to {
                None => ObservedStatus::UnknownRole,
                Some(_) if !edges.is_empty() => ObservedStatus::Possible,
                Some(_) if o.count > 0 && o.denied >= o.count => ObservedStatus::DeniedOnly,
                Some(_) => ObservedStatus::NotPossible,
            };
            let from = own.or(via);
            let id = |n: Option<NodeIdx>| n.and_then(|n| self.node(n)).map(|n| n.id.clone());
            out.push(ObservedEdge { from_node: id(from), to_node: id(to), seen: o.clone(), from, to, status, edges });
        }
        out.sort_by(|a, b| (&a.seen.role, &a.seen.caller).cmp(&(&b.seen.role, &b.seen.caller)));
        out
    }

    /// The observed assumptions placed with [`Graph::attach_observed`].
    pub fn observed(&self) -> &[ObservedEdge] {
        &self.observed
    }

    /// The observations that realise the edge at position `e`.
    pub fn observed_on(&self, e: u32) -> impl Iterator<Item = &ObservedEdge> + '_ {
        self.observed.iter().filter(move |o| o.edges.contains(&e))
    }

    /// The observed assumptions of a role node.
    pub fn observed_into(&self, n: NodeIdx) -> impl Iterator<Item = &ObservedEdge> + '_ {
        self.observed.iter().filter(move |o| o.to == Some(n))
    }
}
