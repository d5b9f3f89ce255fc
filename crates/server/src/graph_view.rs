//! The authorization graph of one role as the UI draws it: who can reach the role (the
//! principals its trust policy allows, each edge with its conditions and the statement that
//! allows it), the role, and the resources that run as it.
//!
//! Built from `rolegraph-access` (the decoded trust and the resources using the role). The
//! shape — nodes with an `expand` handle, edges with `conditions` and `evidence` — is what the
//! page needs and what an export of `rolegraph-graph` maps onto: switching the source to the
//! engine-decided can-assume edges of that crate changes [`role_graph`] only.

use access::record::RoleRecord;
use access::trust::{EntityKind, TrustedEntity};
use model::{RoleUse, Snapshot};
use serde::Serialize;

/// A node of the graph.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GraphNode {
    /// Unique within the graph: an ARN, a service principal, `*`.
    pub id: String,
    /// `role`, `service`, `account`, `iam-user`, `oidc-provider`, `everyone`, `resource`, ...
    pub kind: String,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The role this graph is about.
    pub center: bool,
    /// For a role of the snapshot: its ARN, whose own graph expands this node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expand: Option<String>,
}

/// A condition on an edge, as written in the policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EdgeCondition {
    pub operator: String,
    pub key: String,
    pub values: Vec<String>,
    pub pointer: String,
}

/// Where an edge comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EdgeEvidence {
    /// `trust policy of ROLE_ARN`, or the link between a resource and the role.
    pub source: String,
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
    /// `can-assume` or `runs-as`.
    pub kind: String,
    /// The trust actions allowed (`sts:AssumeRole`, ...).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    pub conditions: Vec<EdgeCondition>,
    /// Whether the edge holds only under conditions.
    pub conditional: bool,
    pub summary: String,
    pub evidence: EdgeEvidence,
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

fn entity_node(snapshot: &Snapshot, e: &TrustedEntity) -> GraphNode {
    let id = e.principal.clone();
    let expand = match e.kind {
        EntityKind::IamRole => snapshot.role(&e.principal).map(|r| r.arn.clone()),
        _ => None,
    };
    let label = match e.kind {
        EntityKind::IamRole | EntityKind::IamUser => e.principal.rsplit('/').next().unwrap_or(&e.principal).to_owned(),
        _ => e.short.clone(),
    };
    GraphNode {
        id,
        kind: e.kind.as_str().to_owned(),
        label,
        account: e.account.as_ref().map(|a| a.id.clone()),
        center: false,
        expand,
    }
}

fn trust_edge(role_arn: &str, i: usize, e: &TrustedEntity) -> GraphEdge {
    GraphEdge {
        id: format!("{role_arn}#trust/{i}"),
        source: e.principal.clone(),
        target: role_arn.to_owned(),
        kind: "can-assume".into(),
        actions: e.actions.clone(),
        conditions: e
            .conditions
            .iter()
            .map(|c| EdgeCondition {
                operator: c.operator.clone(),
                key: c.key.clone(),
                values: c.values.clone(),
                pointer: c.pointer.clone(),
            })
            .collect(),
        conditional: !e.conditions.is_empty(),
        summary: e.summary.clone(),
        evidence: EdgeEvidence {
            source: format!("trust policy of {role_arn}"),
            statement: Some(e.evidence.statement),
            sid: e.evidence.sid.clone(),
            pointer: Some(e.evidence.pointer.clone()),
        },
    }
}

fn use_edge(role_arn: &str, u: &RoleUse) -> GraphEdge {
    let kind = serde_json::to_value(u.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    GraphEdge {
        id: format!("{role_arn}#use/{}/{kind}", u.resource),
        source: u.resource.clone(),
        target: role_arn.to_owned(),
        kind: "runs-as".into(),
        actions: Vec::new(),
        conditions: Vec::new(),
        conditional: false,
        summary: format!("{} runs as the role ({kind})", u.name),
        evidence: EdgeEvidence {
            source: u.via.clone().unwrap_or_else(|| format!("{kind} of {}", u.resource)),
            statement: None,
            sid: None,
            pointer: None,
        },
    }
}

/// The graph of the role of `record`: at most `limit` nodes besides the role.
pub fn role_graph(snapshot: &Snapshot, record: &RoleRecord, limit: usize) -> RoleGraph {
    let arn = record.details.arn.clone();
    let mut nodes = vec![GraphNode {
        id: arn.clone(),
        kind: "role".into(),
        label: record.details.name.clone(),
        account: Some(record.details.account_id.clone()),
        center: true,
        expand: None,
    }];
    let mut edges = Vec::new();
    let mut truncated = false;
    let mut add_node = |nodes: &mut Vec<GraphNode>, n: GraphNode| -> bool {
        if nodes.iter().any(|m| m.id == n.id) {
            return true;
        }
        if nodes.len() > limit {
            truncated = true;
            return false;
        }
        nodes.push(n);
        true
    };
    for (i, e) in record.trust.entities.iter().enumerate() {
        if add_node(&mut nodes, entity_node(snapshot, e)) {
            edges.push(trust_edge(&arn, i, e));
        }
    }
    for u in record.used_by.iter().filter(|u| u.kind != model::UseKind::InstanceProfile) {
        let kind = serde_json::to_value(u.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        let node = GraphNode {
            id: u.resource.clone(),
            kind: format!("resource:{kind}"),
            label: u.name.clone(),
            account: Some(u.account_id.clone()),
            center: false,
            expand: None,
        };
        if add_node(&mut nodes, node) {
            let e = use_edge(&arn, u);
            if !edges.iter().any(|x: &GraphEdge| x.id == e.id) {
                edges.push(e);
            }
        }
    }
    RoleGraph { schema_version: crate::SCHEMA_VERSION, role: arn, nodes, edges, truncated }
}
