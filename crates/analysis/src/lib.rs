//! One analysis per snapshot: what every view of a snapshot reads, computed once, on first use,
//! with one set of options. For each role: its decoded trust, its kinds, the resources that run
//! as it, and its privilege as the policy engine decides it (permissions computed with denies
//! kept, classified, then dropped: a role's full permissions are recomputed only for the one
//! role a user asks about) and settled by the graph's verdict (administrator, a path to one:
//! the one definition of both, `access::privilege`); and the authorization graph. The rules (`rolegraph-rules`), the
//! history's facts (`rolegraph-diff`), the web UI (`rolegraph-server`) and the CLI's `roles`,
//! `scan` and graph commands read it, so that `roles`, `scan`, `serve` and `snapshot add` show
//! the same privilege for a role.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

use access::permissions::{self, Options};
use access::privilege::{EscalationVerdict, GraphVerdict, Privilege, classify};
use access::record::{RoleSummary, RolesReport};
use access::trust::{Trust, decode_role};
use access::{RoleKind, kind::role_kinds};
use model::{Account, Role, RoleUse, Snapshot};

/// The options every view shares. There is one set: a view that needs another answer asks
/// the engine itself for the one role it shows.
pub const PERMISSIONS: Options = Options { include_denied: true };

/// What the engine decides of a role's permissions, kept after the permissions are dropped.
#[derive(Clone, Debug)]
pub struct RoleFacts {
    pub privilege: Privilege,
    /// Whether the role's policy set is complete (no gap): when false, the privilege may be
    /// understated.
    pub complete: bool,
}

/// One role with what views ask about it, computed on first use.
pub struct RoleView<'a> {
    /// Position in [`Analysis::roles`].
    pub index: usize,
    pub account: &'a Account,
    pub role: &'a Role,
    /// The resources that use the role (instances, functions, tasks).
    pub uses: Vec<RoleUse>,
    trust: OnceLock<Trust>,
    kinds: OnceLock<Vec<RoleKind>>,
    facts: OnceLock<RoleFacts>,
    snapshot: &'a Snapshot,
    shared: Arc<Shared<'a>>,
}

/// What every role's view reads of the whole snapshot: the graph and its verdicts.
struct Shared<'s> {
    snapshot: &'s Snapshot,
    graph: OnceLock<graph::Graph>,
    graph_options: graph::GraphOptions,
    verdicts: OnceLock<HashMap<String, GraphVerdict>>,
    escalations: OnceLock<Vec<graph::Escalation>>,
}

impl Shared<'_> {
    fn graph(&self) -> &graph::Graph {
        self.graph.get_or_init(|| graph::build(self.snapshot, &self.graph_options))
    }

    /// The graph's escalations, computed once (the verdicts and the rules read them).
    fn escalations(&self) -> &[graph::Escalation] {
        self.escalations.get_or_init(|| graph::escalations(self.graph()))
    }

    /// The graph's verdict on a principal (none: not an administrator, no path to one).
    fn verdict(&self, arn: &str) -> Option<&GraphVerdict> {
        self.verdicts.get_or_init(|| verdicts(self.graph(), self.escalations())).get(arn)
    }
}

/// The graph's verdicts on its administrators and on the principals with a path to one.
fn verdicts(g: &graph::Graph, escalations: &[graph::Escalation]) -> HashMap<String, GraphVerdict> {
    let mut out: HashMap<String, GraphVerdict> = HashMap::new();
    for n in g.nodes().iter().filter(|n| n.admin && n.kind.is_actor()) {
        out.insert(n.id.clone(), GraphVerdict { admin: true, escalation: None });
    }
    for esc in escalations {
        let (Some(node), Some(admin)) = (g.node(esc.node), g.node(esc.admin)) else { continue };
        let graph::EscalationWords { steps, notes, uncertain } = graph::escalation_words(g, &esc.path);
        out.entry(node.id.clone()).or_default().escalation =
            Some(EscalationVerdict { admin_of: admin.label.clone(), steps, notes, uncertain });
    }
    out
}

impl<'a> RoleView<'a> {
    /// The decoded trust policy.
    pub fn trust(&self) -> &Trust {
        self.trust.get_or_init(|| decode_role(self.snapshot, self.role))
    }

    /// The role's kinds (EC2, Lambda, cross-account, ...).
    pub fn kinds(&self) -> &[RoleKind] {
        self.kinds.get_or_init(|| role_kinds(self.role, self.trust()))
    }

    /// Whether the role is an execution role (EC2, Lambda or ECS).
    pub fn is_execution_role(&self) -> bool {
        self.kinds().iter().any(|k| matches!(k, RoleKind::Ec2 | RoleKind::Lambda | RoleKind::Ecs))
    }

    /// What the engine decides of the role's permissions ([`PERMISSIONS`]).
    pub fn facts(&self) -> &RoleFacts {
        self.facts_with(&mut permissions::Expansions::default())
    }

    /// [`RoleView::facts`], with the action expansions of the other roles a thread computed.
    fn facts_with(&self, cache: &mut permissions::Expansions) -> &RoleFacts {
        self.facts.get_or_init(|| self.decide(cache))
    }

    /// What the engine decides of the role's permissions, settled by the graph's verdict (the
    /// one definition of its privilege; the graph is built if it is not yet).
    fn decide(&self, cache: &mut permissions::Expansions) -> RoleFacts {
        let perms = permissions::compute_cached(self.snapshot, self.role, &PERMISSIONS, cache);
        let mut privilege = classify(&perms, self.role);
        privilege.settle(self.role, self.shared.verdict(&self.role.arn).unwrap_or(&GraphVerdict::default()));
        RoleFacts { privilege, complete: perms.is_complete() }
    }

    /// The graph's verdict on the role (for the record of one role, which computes its own
    /// permissions): the default when the graph gives none.
    pub fn verdict(&self) -> GraphVerdict {
        self.shared.verdict(&self.role.arn).cloned().unwrap_or_default()
    }

    /// What the role can do, classified: computed with the engine over the role's whole policy
    /// set (identity policies, boundary, SCPs), denies included.
    pub fn privilege(&self) -> &Privilege {
        &self.facts().privilege
    }

    /// Whether the privilege has been computed (reports show it only then, or compute it).
    pub fn privilege_if_computed(&self) -> Option<&Privilege> {
        self.facts.get().map(|f| &f.privilege)
    }

    /// The row of `rolegraph roles`.
    pub fn summary(&self) -> RoleSummary {
        self.summary_with(&mut permissions::Expansions::default())
    }

    /// The row of `rolegraph roles`, from the facts when they are computed, else deciding them
    /// without keeping them (a table of every role need not hold every role's privilege).
    fn summary_with(&self, cache: &mut permissions::Expansions) -> RoleSummary {
        let own;
        let f = match self.facts.get() {
            Some(f) => f,
            None => {
                own = self.decide(cache);
                &own
            }
        };
        let decoded;
        let trust = match self.trust.get() {
            Some(t) => t,
            None => {
                decoded = decode_role(self.snapshot, self.role);
                &decoded
            }
        };
        let kinds = match self.kinds.get() {
            Some(k) => k.clone(),
            None => role_kinds(self.role, trust),
        };
        access::record::summary_of(self.snapshot, self.role, &self.uses, trust, kinds, &f.privilege, f.complete)
    }
}

/// The analysis of one snapshot.
pub struct Analysis<'s> {
    pub snapshot: &'s Snapshot,
    roles: Vec<RoleView<'s>>,
    by_arn: HashMap<&'s str, usize>,
    shared: Arc<Shared<'s>>,
    /// Who the resource policies let act on each resource beyond the snapshot's principals.
    external: OnceLock<Vec<graph::resources::ResourceAccess>>,
}

impl<'s> Analysis<'s> {
    pub fn new(snapshot: &'s Snapshot) -> Self {
        Analysis::with_graph_options(snapshot, graph::GraphOptions::default())
    }

    pub fn with_graph_options(snapshot: &'s Snapshot, graph_options: graph::GraphOptions) -> Self {
        let shared = Arc::new(Shared {
            snapshot,
            graph: OnceLock::new(),
            graph_options,
            verdicts: OnceLock::new(),
            escalations: OnceLock::new(),
        });
        let mut roles = Vec::new();
        for account in &snapshot.accounts {
            let mut uses: BTreeMap<String, Vec<RoleUse>> = account.role_uses();
            for role in &account.roles {
                roles.push(RoleView {
                    index: roles.len(),
                    account,
                    role,
                    uses: uses.remove(&role.arn).unwrap_or_default(),
                    trust: OnceLock::new(),
                    kinds: OnceLock::new(),
                    facts: OnceLock::new(),
                    snapshot,
                    shared: Arc::clone(&shared),
                });
            }
        }
        let by_arn = roles.iter().map(|v| (v.role.arn.as_str(), v.index)).collect();
        Analysis { snapshot, roles, by_arn, shared, external: OnceLock::new() }
    }

    /// For every resource with a resource-based policy, in snapshot order: who its policy lets
    /// act on it beyond the snapshot's users and roles (other accounts, `*`, services,
    /// providers), decided by the engine (`graph::resources`), computed once.
    pub fn external_access(&self) -> &[graph::resources::ResourceAccess] {
        self.external.get_or_init(|| {
            let all: Vec<&model::PolicyResource> = self.snapshot.accounts.iter().flat_map(|a| a.resources.iter()).collect();
            let snapshot = self.snapshot;
            on_every_core(&all, |part| {
                part.iter()
                    .map(|r| graph::resources::resource_access(snapshot, r, graph::resources::Askers::Named, None))
                    .collect()
            })
        })
    }

    /// Every role, in snapshot order (account, then ARN).
    pub fn roles(&self) -> &[RoleView<'s>] {
        &self.roles
    }

    /// The role with this ARN.
    pub fn role(&self, arn: &str) -> Option<&RoleView<'s>> {
        self.by_arn.get(arn).and_then(|i| self.roles.get(*i))
    }

    /// The authorization graph, built on first use.
    pub fn graph(&self) -> &graph::Graph {
        self.shared.graph()
    }

    /// The principals that can become an administrator without being one, with their path
    /// (`graph::escalations`), computed once for every view.
    pub fn escalations(&self) -> &[graph::Escalation] {
        self.shared.escalations()
    }

    /// Whether the graph has been built.
    pub fn graph_if_built(&self) -> Option<&graph::Graph> {
        self.shared.graph.get()
    }

    /// The graph, for callers that keep it after the analysis: the one built, or built now.
    pub fn into_graph(self) -> graph::Graph {
        let Analysis { snapshot, roles, shared, .. } = self;
        // The views share the graph: once they are gone, it is ours alone.
        drop(roles);
        match Arc::try_unwrap(shared) {
            Ok(s) => s.graph.into_inner().unwrap_or_else(|| graph::build(snapshot, &s.graph_options)),
            Err(shared) => shared.graph().clone(),
        }
    }

    /// The graph's verdict on every role that has one (administrators, roles with a path to
    /// one), by ARN: for views that keep it after the analysis (the server's role page).
    pub fn verdicts(&self) -> HashMap<String, GraphVerdict> {
        self.roles.iter().filter_map(|v| self.shared.verdict(&v.role.arn).map(|g| (v.role.arn.clone(), g.clone()))).collect()
    }

    /// Computes the facts of the roles for which `wanted` holds, on every core, so that the
    /// views that ask for them later find them ready.
    pub fn precompute(&self, wanted: impl Fn(&RoleView<'s>) -> bool + Sync) {
        let todo: Vec<&RoleView<'s>> = self.roles.iter().filter(|v| wanted(v)).collect();
        on_every_core(&todo, |part| {
            let mut cache = permissions::Expansions::default();
            for v in part {
                let _ = v.facts_with(&mut cache);
            }
            Vec::<()>::new()
        });
    }

    /// The rows of `rolegraph roles`: every role summarized, in snapshot order, on every core.
    /// Facts already computed are read; the others are decided for the row and not kept.
    pub fn summaries(&self) -> RolesReport {
        let roles = on_every_core(&self.roles, |part| {
            let mut cache = permissions::Expansions::default();
            part.iter().map(|v| v.summary_with(&mut cache)).collect()
        });
        RolesReport { schema_version: access::record::SCHEMA_VERSION, roles, gaps: self.snapshot.gaps.clone() }
    }
}

/// `f` on one part of `items` per core, the parts' results in order. The work it is given does
/// not panic (the workspace denies panicking constructs); a part whose thread did gives nothing.
fn on_every_core<T: Sync, R: Send>(items: &[T], f: impl Fn(&[T]) -> Vec<R> + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get).max(1);
    let chunk = items.len().div_ceil(threads).max(1);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = items.chunks(chunk).map(|part| s.spawn(move || f(part))).collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "a test stops at the first unexpected value")]
    use super::*;

    fn demo() -> Snapshot {
        ingest::load(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo"))).unwrap().snapshot
    }

    /// The rows the analysis gives are those each role's own summary gives, with the privilege
    /// settled by the graph: the levels the graph decides (administrator, a path to one) are
    /// its, the others are the role's own; and the graph is built once and kept.
    #[test]
    fn summaries_agree_with_the_roles_report() {
        let s = demo();
        let a = Analysis::new(&s);
        let ours = a.summaries().roles;
        let theirs = access::record::roles_report(&s).roles;
        assert_eq!(ours.len(), theirs.len());
        let mut settled = 0;
        for (o, t) in ours.iter().zip(&theirs) {
            let mut plain = serde_json::to_value(o).unwrap();
            let mut own = serde_json::to_value(t).unwrap();
            for v in [&mut plain, &mut own] {
                v.as_object_mut().unwrap().remove("privilege");
                v.as_object_mut().unwrap().remove("privilege_conditional");
            }
            assert_eq!(plain, own);
            let verdict = a.role(&o.arn).unwrap().verdict();
            if verdict == GraphVerdict::default() && t.privilege != access::PrivilegeLevel::Admin {
                assert_eq!((o.privilege, o.privilege_conditional), (t.privilege, t.privilege_conditional), "{}", o.name);
            } else {
                settled += 1;
            }
        }
        // The demo's administrators and its three roles with a path to one.
        assert!(settled >= 9, "{settled}");
        let by_name = |n: &str| ours.iter().find(|r| r.name == n).unwrap().privilege;
        assert_eq!(by_name("ci-deployer"), access::PrivilegeLevel::PrivilegeEscalation);
        assert_eq!(by_name("security-scanner-lambda"), access::PrivilegeLevel::Write);
        assert_eq!(by_name("AWSServiceRoleForAutoScaling"), access::PrivilegeLevel::PermissionsManagement);
        // The table does not keep what it decided; the rules' facts, once computed, are read.
        assert!(a.roles().iter().all(|v| v.privilege_if_computed().is_none()));
        a.precompute(|_| true);
        assert_eq!(serde_json::to_value(a.summaries().roles).unwrap(), serde_json::to_value(&ours).unwrap());
        let n = a.graph().nodes().len();
        assert!(n > 0);
        assert!(std::ptr::eq(a.graph(), a.graph_if_built().unwrap()));
        let arn = &a.roles()[0].role.arn;
        assert_eq!(a.role(arn).unwrap().index, 0);
    }
}
