//! The graph's vocabulary: nodes (who or what can act), edges (how one gets to act as another),
//! and the engine decisions behind each edge (checks, with the statements that decided them
//! and the conditions under which they hold).
//!
//! Everything here serialises as the JSON export documents it (`docs/graph.md`).

use std::borrow::Cow;
use std::sync::Arc;

use serde::Serialize;

use crate::condition::Condition;

/// What a node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeKind {
    User,
    Role,
    Group,
    /// An AWS service principal (`lambda.amazonaws.com`).
    Service,
    SamlProvider,
    /// An OIDC provider ARN, or a web identity provider name (`cognito-identity.amazonaws.com`).
    OidcProvider,
    /// An account that is not in the snapshot, trusted as a whole.
    ExternalAccount,
    /// A user or role of an account that is not in the snapshot, trusted by name.
    ExternalPrincipal,
    /// `*`: any AWS principal.
    Anyone,
    /// Full control of an account of the snapshot: what an administrator of it can do.
    AccountAdmin,
    Ec2Instance,
    LambdaFunction,
    EcsTaskDefinition,
    EcsService,
    /// A resource of another service that runs as a role: a CodeBuild project, a
    /// CloudFormation stack, a SageMaker notebook, a Glue development endpoint, an App Runner
    /// service, an EC2 launch template (its label says which).
    ServiceResource,
    /// What one documented path gives any principal that holds it in an account: its edges go
    /// to every target of the path there (every role a service may assume, every Lambda
    /// function, ...). Principals whose permissions for the path do not depend on the target
    /// reach the targets through it, instead of one edge per principal and target.
    Capability,
}

impl NodeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::User => "user",
            NodeKind::Role => "role",
            NodeKind::Group => "group",
            NodeKind::Service => "service",
            NodeKind::SamlProvider => "saml-provider",
            NodeKind::OidcProvider => "oidc-provider",
            NodeKind::ExternalAccount => "external-account",
            NodeKind::ExternalPrincipal => "external-principal",
            NodeKind::Anyone => "anyone",
            NodeKind::AccountAdmin => "account-admin",
            NodeKind::Ec2Instance => "ec2-instance",
            NodeKind::LambdaFunction => "lambda-function",
            NodeKind::EcsTaskDefinition => "ecs-task-definition",
            NodeKind::EcsService => "ecs-service",
            NodeKind::ServiceResource => "service-resource",
            NodeKind::Capability => "capability",
        }
    }

    /// Whether a node of this kind is a place a path can start from in the escalation report:
    /// an identity, or an outsider that can authenticate (not a group, compute or admin node).
    pub fn is_actor(self) -> bool {
        matches!(
            self,
            NodeKind::User
                | NodeKind::Role
                | NodeKind::SamlProvider
                | NodeKind::OidcProvider
                | NodeKind::ExternalAccount
                | NodeKind::ExternalPrincipal
                | NodeKind::Anyone
        )
    }
}

/// A node.
#[derive(Clone, Debug, Serialize)]
pub struct Node {
    /// The ARN for IAM principals and compute resources; the service principal; the provider
    /// ARN or name; `external-account:ID`; `admin:ID`; `*`.
    pub id: String,
    pub kind: NodeKind,
    /// A short display name.
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The vendor that owns an external account, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// Whether the engine allows this principal administrator-equivalent access
    /// (see `docs/graph.md`, "Administrators").
    pub admin: bool,
    /// What the snapshot lacks for this node's policies.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gaps: Vec<String>,
}

/// How the source of an edge gets to act as its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EdgeKind {
    /// `sts:AssumeRole` (`WithSAML`, `WithWebIdentity`): the trust policy and the caller's own
    /// policies allow it.
    CanAssume,
    /// A compute resource runs with the role's credentials.
    RunsAs,
    /// A user is in a group, and has its permissions.
    MemberOf,
    /// A documented privilege-escalation path (pathfinding.cloud id in each way).
    Privesc,
    /// The principal is an administrator of its account.
    AdminEquivalent,
    /// An administrator of an account can act as any principal of it.
    AdminControl,
}

impl EdgeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::CanAssume => "can-assume",
            EdgeKind::RunsAs => "runs-as",
            EdgeKind::MemberOf => "member-of",
            EdgeKind::Privesc => "privesc",
            EdgeKind::AdminEquivalent => "admin-equivalent",
            EdgeKind::AdminControl => "admin-control",
        }
    }
}

/// A statement that took part in a decision: the policy (shared, not copied) and the
/// statement's position; its Sid, JSON pointer and effect are read from the policy.
#[derive(Clone, Debug)]
pub struct Evidence {
    /// The policy's name as the evidence names it (an ARN, or `ARN inline policy NAME`).
    pub policy: Arc<str>,
    /// `identity`, `resource`, `permission-boundary`, `scp`, `rcp`, ...
    pub policy_kind: &'static str,
    pub(crate) doc: Arc<policy::Policy>,
    /// Index into the policy's statements.
    pub(crate) index: usize,
}

impl Evidence {
    fn stmt(&self) -> Option<&policy::Statement> {
        self.doc.statements.get(self.index)
    }

    /// The statement's position in its policy.
    pub fn statement(&self) -> usize {
        self.stmt().map_or(self.index, |s| s.index)
    }

    pub fn sid(&self) -> Option<&str> {
        self.stmt().and_then(|s| s.sid.as_deref())
    }

    /// JSON pointer of the statement in its document.
    pub fn pointer(&self) -> &str {
        self.stmt().map_or("", |s| s.pointer.as_str())
    }

    pub fn effect(&self) -> &'static str {
        self.stmt().map_or("", |s| s.effect.as_str())
    }

    /// Whether the statement (of a resource-based policy) names only whole accounts (an account
    /// id or its root): it delegates the decision to the account's IAM policies.
    pub fn names_only_accounts(&self) -> bool {
        let Some(Some(policy::Block::Only(list))) = self.stmt().map(|s| s.principal.as_ref()) else { return false };
        !list.is_empty() && list.iter().all(|p| matches!(p, policy::Principal::Aws(a) if crate::trust::account_of(a).is_some()))
    }

    fn key(&self) -> (&str, &'static str, usize) {
        (&self.policy, self.policy_kind, self.index)
    }
}

impl PartialEq for Evidence {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Evidence {}

impl PartialOrd for Evidence {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Evidence {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

impl Serialize for Evidence {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Evidence", 6)?;
        st.serialize_field("policy", &*self.policy)?;
        st.serialize_field("policy_kind", self.policy_kind)?;
        st.serialize_field("statement", &self.statement())?;
        if let Some(sid) = self.sid() {
            st.serialize_field("sid", sid)?;
        }
        st.serialize_field("pointer", self.pointer())?;
        st.serialize_field("effect", self.effect())?;
        st.end()
    }
}

fn arc_str<S: serde::Serializer>(v: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(v)
}

fn opt_arc_str<S: serde::Serializer>(v: &Option<Arc<str>>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_str(v),
        None => s.serialize_none(),
    }
}

/// One decision of the engine behind an edge.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    /// The principal the request was made as, when it is not the edge's source (a stand-in
    /// member of a group, a principal an administrator would create, an external root).
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "opt_arc_str")]
    pub principal: Option<Arc<str>>,
    pub action: &'static str,
    #[serde(serialize_with = "arc_str")]
    pub resource: Arc<str>,
    /// `Allowed` or `Conditional` (denied requests make no edge).
    pub outcome: eval::Outcome,
    /// The condition under which it is allowed; `None` when unconditional.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(serialize_with = "opt_arc_condition")]
    pub condition: Option<Arc<Condition>>,
    /// The statements that decided it (for a conditional outcome: those that the condition's
    /// atoms come from).
    #[serde(serialize_with = "arc_evidence")]
    pub evidence: Arc<[Evidence]>,
}

fn opt_arc_condition<S: serde::Serializer>(v: &Option<Arc<Condition>>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(c) => s.serialize_some(&**c),
        None => s.serialize_none(),
    }
}

fn arc_evidence<S: serde::Serializer>(v: &Arc<[Evidence]>, s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(v.iter())
}

impl Check {
    /// Whether it holds only under a condition that limits who can meet it (a condition on
    /// where the request is made alone is a scope: [`crate::condition::SCOPE_KEYS`]).
    pub fn is_conditional(&self) -> bool {
        self.condition.as_ref().is_some_and(|c| !c.is_scope())
    }

    /// Its condition when it only says where the request is made (regions, source IPs, VPCs).
    pub fn scope(&self) -> Option<&Condition> {
        self.condition.as_deref().filter(|c| c.is_scope())
    }
}

/// One way an edge holds: a documented path (or a plain assume) and its checks.
#[derive(Clone, Debug, Serialize)]
pub struct Way {
    /// The pathfinding.cloud id (`lambda-001`), or `sts-001` for a plain assume; `None` for
    /// edges that are facts of the snapshot (runs-as, member-of, admin-control).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<&'static str>,
    /// What happens, in words.
    pub description: Cow<'static, str>,
    /// The engine's decisions behind it (shared between ways that rest on the same decision).
    #[serde(serialize_with = "arc_checks")]
    pub checks: Vec<Arc<Check>>,
    /// For escalations that combine a change of permissions with a way to act as the changed
    /// principal: that way, as the edges it takes (`FROM -kind-> TO`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<String>,
    /// What is assumed rather than known (an external account's own policies, a resource the
    /// snapshot does not list).
    #[serde(skip_serializing_if = "Vec::is_empty", serialize_with = "arc_strs")]
    pub assumptions: Vec<Arc<str>>,
}

fn arc_checks<S: serde::Serializer>(v: &[Arc<Check>], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(v.iter().map(|c| &**c))
}

fn arc_strs<S: serde::Serializer>(v: &[Arc<str>], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(v.iter().map(|c| &**c))
}

impl Way {
    pub fn is_conditional(&self) -> bool {
        self.checks.iter().any(|c| c.is_conditional())
    }

    /// Whether it rests on an assumption the snapshot cannot check.
    pub fn is_assumed(&self) -> bool {
        !self.assumptions.is_empty()
    }

    /// The order of an edge's ways: those that hold without a condition first, then those
    /// that rest on no assumption, then by path id and description. The first is the best.
    pub fn rank(&self) -> (bool, bool, Option<&'static str>, &str) {
        (self.is_conditional(), self.is_assumed(), self.path, &self.description)
    }
}

/// Index of a node in [`crate::Graph::nodes`].
pub type NodeIdx = u32;

/// What an edge says: its ways, and the gaps behind them. Shared (not copied) by the edges of
/// principals that hold the same policies.
#[derive(Clone, Debug, Default, Serialize)]
pub struct EdgeData {
    /// The ways it holds; it holds if any does. At most [`MAX_WAYS`] are kept.
    pub ways: Vec<Way>,
    /// Ways not kept beyond [`MAX_WAYS`].
    #[serde(skip_serializing_if = "is_zero")]
    pub more_ways: usize,
    /// What the snapshot lacks for the policy sets behind this edge: the edge was decided on
    /// what is known.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gaps: Vec<String>,
}

/// An edge.
#[derive(Clone, Debug)]
pub struct Edge {
    pub from: NodeIdx,
    pub to: NodeIdx,
    pub kind: EdgeKind,
    pub data: Arc<EdgeData>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The most ways kept per edge.
pub const MAX_WAYS: usize = 8;

impl Edge {
    /// An edge with one way.
    pub(crate) fn new(from: NodeIdx, to: NodeIdx, kind: EdgeKind, way: Way, gaps: Vec<String>) -> Edge {
        Edge { from, to, kind, data: Arc::new(EdgeData { ways: vec![way], more_ways: 0, gaps }) }
    }

    pub fn ways(&self) -> &[Way] {
        &self.data.ways
    }

    /// The first (best) way.
    pub fn way(&self) -> Option<&Way> {
        self.data.ways.first()
    }

    pub fn gaps(&self) -> &[String] {
        &self.data.gaps
    }

    /// Whether every way needs a condition (no way holds unconditionally).
    pub fn is_conditional(&self) -> bool {
        !self.data.ways.is_empty() && self.data.ways.iter().all(|w| w.is_conditional())
    }

    /// Whether its best way ([`Way::rank`]) rests on an assumption: one way that holds exactly
    /// makes the edge exact whatever the others need (a way that holds unconditionally counts
    /// first, so an edge is certain only when one way is both unconditional and exact).
    pub fn has_assumptions(&self) -> bool {
        self.data.ways.iter().min_by_key(|w| w.rank()).is_some_and(Way::is_assumed)
    }

    /// Whether one of its ways follows this documented path.
    pub fn has_path(&self, id: &str) -> bool {
        self.data.ways.iter().any(|w| w.path == Some(id))
    }

    /// The path ids of its ways, deduplicated.
    pub fn paths(&self) -> Vec<&'static str> {
        let mut v: Vec<&'static str> = self.data.ways.iter().filter_map(|w| w.path).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// The conditions of its best way, in words (`None` when a way is unconditional).
    pub fn condition_text(&self) -> Option<String> {
        if !self.is_conditional() {
            return None;
        }
        let w = self.way()?;
        let parts: Vec<String> = w
            .checks
            .iter()
            .filter(|c| c.is_conditional())
            .filter_map(|c| c.condition.as_ref().map(|cond| format!("{}: {}", c.action, cond.text())))
            .collect();
        Some(parts.join("; "))
    }

    /// The scope of its best way, in words: the conditions on where its requests are made
    /// (regions, source IPs, VPCs), which do not make it conditional.
    pub fn scope_text(&self) -> Option<String> {
        let w = self.way()?;
        let mut parts: Vec<String> = w.checks.iter().filter_map(|c| c.scope().map(Condition::text)).collect();
        parts.sort();
        parts.dedup();
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}
