//! Building the graph: the phases, the shared state they read, and the assembly of what they
//! find into nodes and edges.
//!
//! 1. Index the trust policies ([`crate::trust`]) and assemble each role's resource side.
//! 2. Assemble every user and role as an actor ([`crate::actor`]), group them into classes of
//!    principals that decide alike ([`crate::class`]), and decide which classes are
//!    administrators ([`crate::admin`]).
//! 3. Register every node the edges can name, so that edges carry node indices; decide which
//!    roles trust which services (once per role and service).
//! 4. For each class, in parallel: what its shared policies give (can-assume edges to roles
//!    whose trust decides alike for every caller, privilege-escalation edges and policy-change
//!    facts; administrators skip the latter, they reach everything of their account through
//!    the account's administrator node), decided once and shared by every member; then, per
//!    member, the roles whose trust names it ([`crate::assume`], [`crate::privesc`]).
//! 5. For each role: edges from what its trust names outside the snapshot's principals
//!    (services, identity providers, external accounts and principals, `*`, and principals an
//!    administrator of another account of the snapshot could create).
//! 6. Groups that someone can join are evaluated as actors too.
//! 7. Facts: runs-as, member-of, administrators.
//! 8. Assembly: nodes sorted by id, edges sorted and merged, administrator nodes' edges.
//! 9. Policy changes that lead to administrator access ([`crate::privesc::change`]), searched
//!    on the assembled graph.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use access::Assembled;
use model::{Role, Snapshot, UseKind};

use crate::actor::{self, Actor};
use crate::condition::NamedSet;
use crate::graph::{Graph, Stats};
use crate::trust::{Named, TrustIndex};
use crate::types::{Check, Edge, EdgeKind, MAX_WAYS, Node, NodeIdx, NodeKind, Way};

/// How to build.
#[derive(Clone, Debug)]
pub struct GraphOptions {
    /// Vendor names of external accounts, by account id, in addition to those `access::known`
    /// embeds (these win).
    pub vendors: BTreeMap<String, String>,
    /// The most (principal, role) pairs evaluated for roles whose trust names `*`: beyond it,
    /// such roles get only the edge from `*` (and from the snapshot's account administrators),
    /// and a note says so.
    pub wildcard_pair_budget: u64,
    /// Make privilege-escalation edges for services whose resources the snapshot does not list
    /// (CodeBuild projects, CloudFormation stacks, ...), to every role that trusts the service,
    /// marked as an assumption. When false, those paths are not followed.
    pub assume_unlisted_resources: bool,
    /// Treat the tags of roles as unknown (sessions may carry session tags that override them).
    pub role_session_tags_unknown: bool,
    /// Worker threads; 0 means one per available core.
    pub threads: usize,
    /// Route principals that reach every target of a path (or every role of an account that
    /// trusts their account) alike through capability nodes (see `docs/graph.md`). When false,
    /// every principal gets one edge per target: the same answers, in a graph that grows with
    /// principals × targets (for tests that compare the two).
    pub capabilities: bool,
    /// The time requests are made at: `aws:CurrentTime` and `aws:EpochTime` of every IAM
    /// principal, and `aws:TokenIssueTime` of a role's sessions (issued at most a session
    /// length before, so never before the role was created). `None`: the snapshot's time
    /// ([`model::Snapshot::time`]); without one, the keys stay unknown.
    pub now: Option<model::Timestamp>,
}

impl Default for GraphOptions {
    fn default() -> Self {
        GraphOptions {
            vendors: BTreeMap::new(),
            wildcard_pair_budget: 2_000_000,
            assume_unlisted_resources: true,
            role_session_tags_unknown: false,
            threads: 0,
            capabilities: true,
            now: None,
        }
    }
}

/// An edge a phase found.
#[derive(Clone, Debug)]
pub(crate) struct Draft {
    pub from: NodeIdx,
    pub to: NodeIdx,
    pub kind: EdgeKind,
    pub way: Way,
    pub gaps: Vec<String>,
}

/// Principals whose permissions an actor can change with one action, decided by one check.
#[derive(Clone, Debug)]
pub(crate) struct ChangeFact {
    /// The actor.
    pub changer: NodeIdx,
    /// The changed principals (roles, users or groups), sorted; shared by every actor whose
    /// decision holds alike for all of them (the roles of an account, ...).
    pub targets: Arc<[NodeIdx]>,
    /// The change action (`iam:PutRolePolicy`, ...).
    pub action: &'static str,
    pub check: Arc<Check>,
    pub gaps: Vec<String>,
}

impl Draft {
    pub fn into_edge(self) -> Edge {
        Edge::new(self.from, self.to, self.kind, self.way, self.gaps)
    }
}

/// What a phase finds.
#[derive(Default)]
pub(crate) struct Out {
    pub drafts: Vec<Edge>,
    pub changes: Vec<ChangeFact>,
    pub notes: Vec<String>,
}

impl Out {
    pub fn push(&mut self, d: Draft) {
        self.drafts.push(d.into_edge());
    }

    /// Concatenates outputs, allocating once.
    pub fn concat(parts: Vec<Out>) -> Out {
        let mut out = Out::default();
        out.drafts.reserve(parts.iter().map(|p| p.drafts.len()).sum());
        out.changes.reserve(parts.iter().map(|p| p.changes.len()).sum());
        for p in parts {
            out.drafts.extend(p.drafts);
            out.changes.extend(p.changes);
            out.notes.extend(p.notes);
        }
        out
    }
}

/// Every node, registered before the phases run, so that edges name nodes by index.
#[derive(Default)]
pub(crate) struct NodeTable {
    pub nodes: Vec<Node>,
    pub ids: Vec<Arc<str>>,
    pub index: HashMap<Arc<str>, NodeIdx>,
}

impl NodeTable {
    pub fn add(&mut self, id: &str, kind: NodeKind, label: &str, account: Option<&str>) -> NodeIdx {
        if let Some(i) = self.index.get(id) {
            return *i;
        }
        let i = self.nodes.len() as NodeIdx;
        let arc: Arc<str> = Arc::from(id);
        self.index.insert(arc.clone(), i);
        self.ids.push(arc);
        self.nodes.push(Node {
            id: id.to_owned(),
            kind,
            label: label.to_owned(),
            account: account.map(str::to_owned),
            vendor: None,
            admin: false,
            gaps: Vec::new(),
        });
        i
    }

    pub fn get(&self, id: &str) -> Option<NodeIdx> {
        self.index.get(id).copied()
    }

    pub fn id(&self, i: NodeIdx) -> Arc<str> {
        self.ids.get(i as usize).cloned().unwrap_or_else(|| Arc::from(""))
    }
}

/// A compute resource that runs as a role.
#[derive(Clone, Debug)]
pub(crate) struct Compute {
    pub id: String,
    pub kind: NodeKind,
    pub label: String,
    pub account: String,
    pub role: String,
    /// For a resource of another service: which kind, and whether it is a CodeBuild project
    /// configured for batch builds.
    pub service: Option<(model::ServiceKind, bool)>,
    /// What a path into it assumes of it (a launch template that something launches, an
    /// unknown region).
    pub assumptions: Vec<Arc<str>>,
    /// Set when the nodes are registered.
    pub node: NodeIdx,
    pub role_node: NodeIdx,
}

/// `(account, service)` → the roles of the account whose trust allows the service (by trust
/// index position), with the check.
pub(crate) type Trusting = HashMap<(String, String), Vec<(u32, Arc<Check>)>>;

/// What every phase reads.
pub(crate) struct Env<'s> {
    pub snapshot: &'s Snapshot,
    pub options: &'s GraphOptions,
    pub ix: TrustIndex<'s>,
    /// Per role (trust index position): its trust policy and RCPs.
    pub resource_sides: Vec<Side>,
    /// Users and roles (users first, then roles in trust index order).
    pub actors: Vec<Actor<'s>>,
    pub nodes: NodeTable,
    /// The node of each role, by trust index position.
    pub role_node: Vec<NodeIdx>,
    /// Whether each role's trust decides alike for every caller of an account
    /// ([`crate::class::uniform_trust`]), by trust index position.
    pub uniform: Vec<bool>,
    /// `(account, service)` → the roles of the account whose trust allows the service, with
    /// the check.
    pub trusting: Trusting,
    /// Per account: the identity side of a principal its administrator could create.
    pub created: HashMap<String, NamedSet>,
    /// Per account: compute resources that run as a role.
    pub compute: HashMap<String, Vec<Compute>>,
    /// Managed policy ARN → the nodes it is attached to.
    pub attachments: HashMap<String, Vec<NodeIdx>>,
    /// `(path id, account)` → the capability node of a path that fans out to many targets
    /// ([`crate::privesc::fans_out`]); after registration, only those that have targets.
    pub capabilities: HashMap<(&'static str, String), NodeIdx>,
    /// The ids of the targets of each capability node that has some.
    pub capability_targets: HashMap<NodeIdx, Vec<Arc<str>>>,
    /// Each capability node's targets: id → position in `capability_targets`.
    pub capability_index: HashMap<NodeIdx, HashMap<Arc<str>, u32>>,
    /// `(account, what a change action changes)` → the principals of the account it can change
    /// (sorted nodes, and their ARNs): for change facts that hold alike for all of them.
    pub change_targets: crate::privesc::ChangeTargets,
    /// `(caller account, target account, users?)` → the can-assume capability node
    /// ([`crate::assume::capability_edges`]).
    pub assume_capabilities: HashMap<(String, String, bool), NodeIdx>,
    /// `(caller account, users?)` → the can-assume capability nodes that have targets.
    pub assume_live: HashMap<(String, bool), Vec<NodeIdx>>,
    /// The roles (trust index positions) each can-assume capability node stands for.
    pub assume_roles: HashMap<NodeIdx, Vec<u32>>,
    /// The condition keys of each can-assume capability node's trust checks.
    pub assume_keys: HashMap<NodeIdx, Vec<Option<String>>>,
    pub wildcard_expanded: bool,
    pub evaluations: AtomicU64,
    pub candidates: AtomicU64,
    pub contradictions: AtomicU64,
}

impl Env<'_> {
    pub fn count(&self, r: &Result<Check, crate::engine::Refusal>) {
        self.evaluations.fetch_add(1, Ordering::Relaxed);
        if let Err(crate::engine::Refusal::Contradiction(_)) = r {
            self.contradictions.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn admin_node(&self, account: &str) -> Option<NodeIdx> {
        self.nodes.get(&admin_id(account))
    }
}

fn threads(o: &GraphOptions) -> usize {
    match o.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
}

/// Maps `f` over `items` on `threads` threads, keeping order.
pub(crate) fn par_map<T: Sync, R: Send>(items: &[T], threads: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    if threads <= 1 || items.len() < 2 {
        return items.iter().map(f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    const CHUNK: usize = 32;
    let parts: Vec<Vec<(usize, R)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads.min(items.len()))
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let start = next.fetch_add(CHUNK, Ordering::Relaxed);
                        let Some(chunk) = items.get(start..(start + CHUNK).min(items.len())) else { break };
                        if chunk.is_empty() {
                            break;
                        }
                        for (k, it) in chunk.iter().enumerate() {
                            mine.push((start + k, f(it)));
                        }
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
    });
    let mut all: Vec<(usize, R)> = parts.into_iter().flatten().collect();
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, r)| r).collect()
}

/// A role's resource side: its trust policy and its account's RCPs, and the gaps.
pub(crate) struct Side {
    pub set: NamedSet,
    pub gaps: Vec<String>,
}

fn resource_side(snapshot: &Snapshot, role: &Role) -> Side {
    let mut a = Assembled::default();
    access::add_role_as_resource(snapshot, role, &mut a);
    Side { set: NamedSet::of(a.set), gaps: a.gaps }
}

/// The identity side of a principal an administrator of `account` could create: allowed
/// everything by its own policies, still under the account's SCPs.
fn created_set(snapshot: &Snapshot, account: &str) -> NamedSet {
    let role = Role {
        arn: format!("arn:aws:iam::{account}:role/rolegraph-created-by-admin"),
        name: "rolegraph-created-by-admin".into(),
        path: "/".into(),
        id: String::new(),
        account_id: account.to_owned(),
        create_date: None,
        description: None,
        max_session_duration: None,
        role_last_used: None,
        permissions_boundary: None,
        tags: Vec::new(),
        trust_policy: None,
        inline_policies: vec![model::InlinePolicy {
            name: "any policy its administrator writes".into(),
            document: model::PolicyDoc::from_json_text(crate::engine::ALLOW_ALL_JSON),
        }],
        attached_managed_policies: Vec::new(),
        instance_profile_arns: Vec::new(),
        policies_known: true,
    };
    NamedSet::of(access::role_identity(snapshot, &role).set)
}

fn compute(snapshot: &Snapshot) -> HashMap<String, Vec<Compute>> {
    let mut out: HashMap<String, Vec<Compute>> = HashMap::new();
    for a in &snapshot.accounts {
        let regions: HashMap<&str, Option<&str>> =
            a.ec2_instances.iter().map(|i| (i.instance_id.as_str(), i.region.as_deref())).collect();
        for (role, uses) in a.role_uses() {
            if a.role(&role).is_none() {
                continue;
            }
            for u in uses {
                let (id, kind) = match u.kind {
                    UseKind::Ec2Instance => {
                        let region = regions.get(u.resource.as_str()).copied().flatten().unwrap_or("");
                        (format!("arn:aws:ec2:{region}:{}:instance/{}", a.id, u.resource), NodeKind::Ec2Instance)
                    }
                    UseKind::LambdaFunction => (u.resource.clone(), NodeKind::LambdaFunction),
                    UseKind::EcsTaskRole => (u.resource.clone(), NodeKind::EcsTaskDefinition),
                    UseKind::EcsServiceTaskRole => (u.resource.clone(), NodeKind::EcsService),
                    // The execution roles and the service's own role are used by ECS itself,
                    // not by the code the task runs; instance profiles are not compute.
                    UseKind::InstanceProfile
                    | UseKind::EcsExecutionRole
                    | UseKind::EcsServiceExecutionRole
                    | UseKind::EcsServiceRole => continue,
                    // Read from the resources themselves, below.
                    UseKind::Service(_) => continue,
                };
                out.entry(a.id.clone()).or_default().push(Compute {
                    id,
                    kind,
                    label: u.name.clone(),
                    account: a.id.clone(),
                    role: role.clone(),
                    service: None,
                    assumptions: Vec::new(),
                    node: 0,
                    role_node: 0,
                });
            }
        }
        service_resources(a, &mut out);
    }
    out
}

/// The resources of other services that run as a role of the account (no trust check: AWS
/// refuses to create them with a role their service cannot assume).
fn service_resources(a: &model::Account, out: &mut HashMap<String, Vec<Compute>>) {
    use model::ServiceKind;
    for r in &a.service_resources {
        let mut roles: Vec<&str> = Vec::new();
        if let Some(role) = r.role_arn.as_deref().and_then(|x| a.resolve_role(x)) {
            roles.push(&role.arn);
        }
        for p in &r.instance_profiles {
            let Some(profile) = a.resolve_instance_profile(p) else { continue };
            roles.extend(profile.role_arns.iter().filter_map(|x| a.resolve_role(x)).map(|x| x.arn.as_str()));
        }
        let mut assumptions: Vec<Arc<str>> = Vec::new();
        if r.kind == ServiceKind::LaunchTemplate {
            assumptions.push(Arc::from("instances are launched from the template (by an Auto Scaling group or by hand)"));
        }
        if r.region.is_none() {
            assumptions.push(Arc::from(format!(
                "the {}'s region is unknown (its export does not say; put the file in a folder named for the region): \
                 policies that name regions were not matched",
                r.kind.label()
            )));
        }
        for role in roles {
            out.entry(a.id.clone()).or_default().push(Compute {
                id: r.arn.clone(),
                kind: NodeKind::ServiceResource,
                label: format!("{} {}", r.kind.label(), r.name),
                account: a.id.clone(),
                role: role.to_owned(),
                service: Some((r.kind, r.batch_builds)),
                assumptions: assumptions.clone(),
                node: 0,
                role_node: 0,
            });
        }
    }
}

fn attachments(snapshot: &Snapshot, nodes: &NodeTable) -> HashMap<String, Vec<NodeIdx>> {
    let mut out: HashMap<String, Vec<NodeIdx>> = HashMap::new();
    let mut add = |policy: &String, id: &str| {
        if let Some(n) = nodes.get(id) {
            out.entry(policy.clone()).or_default().push(n);
        }
    };
    for a in &snapshot.accounts {
        for r in &a.roles {
            for p in &r.attached_managed_policies {
                add(p, &r.arn);
            }
        }
        for u in &a.users {
            for p in &u.attached_managed_policies {
                add(p, &u.arn);
            }
        }
        for g in &a.groups {
            for p in &g.attached_managed_policies {
                add(p, &g.arn);
            }
        }
    }
    out
}

/// Registers every node the phases can name: actors, groups, account administrators, what
/// trust policies name outside the snapshot's principals, compute resources.
fn register(
    snapshot: &Snapshot,
    options: &GraphOptions,
    ix: &TrustIndex<'_>,
    actors: &mut [Actor<'_>],
    compute: &mut HashMap<String, Vec<Compute>>,
) -> NodeTable {
    let mut t = NodeTable::default();
    for a in actors.iter_mut() {
        let label = a.role.map(|r| r.name.as_str()).or(a.user.map(|u| u.name.as_str())).unwrap_or(&a.id).to_owned();
        let i = t.add(&a.id, a.kind, &label, Some(&a.account));
        if let Some(n) = t.nodes.get_mut(i as usize) {
            n.admin = a.admin;
            n.gaps = a.gaps.clone();
        }
        a.node = i;
    }
    for acct in &snapshot.accounts {
        for g in &acct.groups {
            t.add(&g.arn, NodeKind::Group, &g.name, Some(&acct.id));
        }
        t.add(&admin_id(&acct.id), NodeKind::AccountAdmin, &format!("administrator of {}", acct.display_name()), Some(&acct.id));
        for spec in crate::privesc::spec::PATHS.iter().filter(|p| crate::privesc::fans_out(p)) {
            let label = crate::privesc::capability_label(spec, acct);
            t.add(&crate::privesc::capability_id(spec, &acct.id), NodeKind::Capability, &label, Some(&acct.id));
        }
    }
    let external = |t: &mut NodeTable, id: &str, kind: NodeKind, label: &str, account: &str| {
        let i = t.add(id, kind, label, Some(account));
        if let Some(n) = t.nodes.get_mut(i as usize) {
            n.vendor = vendor(options, account);
        }
    };
    for names in &ix.names {
        for n in names {
            match n {
                Named::Anyone => {
                    t.add("*", NodeKind::Anyone, "anyone", None);
                }
                Named::Service(s) => {
                    t.add(s, NodeKind::Service, s, None);
                }
                Named::Federated(f) => {
                    let kind = if f.contains(":saml-provider/") { NodeKind::SamlProvider } else { NodeKind::OidcProvider };
                    let arn = policy::Arn::parse(f);
                    let label = arn.map(|a| a.resource_type_and_id().1.to_owned()).unwrap_or_else(|| f.clone());
                    let account = arn.map(|a| a.account).filter(|a| !a.is_empty());
                    t.add(f, kind, &label, account);
                }
                Named::Account(a) if snapshot.account(a).is_none() => {
                    external(&mut t, &format!("external-account:{a}"), NodeKind::ExternalAccount, a, a);
                }
                Named::User { arn, account } | Named::Role { arn, account, .. } if snapshot.account(account).is_none() => {
                    external(&mut t, arn, NodeKind::ExternalPrincipal, arn.rsplit('/').next().unwrap_or(arn), account);
                }
                _ => {}
            }
        }
    }
    for g in crate::resources::function_policy_outsiders(snapshot) {
        let account = g.account.clone().unwrap_or_default();
        match g.kind {
            crate::resources::GranteeKind::Anyone => {
                t.add("*", NodeKind::Anyone, "anyone", None);
            }
            crate::resources::GranteeKind::Account => {
                external(&mut t, &format!("external-account:{account}"), NodeKind::ExternalAccount, &account, &account);
            }
            _ => external(&mut t, &g.id, NodeKind::ExternalPrincipal, g.id.rsplit('/').next().unwrap_or(&g.id), &account),
        }
    }
    for list in compute.values_mut() {
        for c in list {
            c.node = t.add(&c.id, c.kind, &c.label, Some(&c.account));
            c.role_node = t.get(&c.role).unwrap_or(u32::MAX);
        }
    }
    t
}

/// Builds the authorization graph of a snapshot.
pub fn build(snapshot: &Snapshot, options: &GraphOptions) -> Graph {
    let mut phases: Vec<(&'static str, std::time::Duration)> = Vec::new();
    let mut clock = std::time::Instant::now();
    let mut lap = |name: &'static str| {
        phases.push((name, clock.elapsed()));
        clock = std::time::Instant::now();
    };
    let settled;
    let options = if options.now.is_none() {
        settled = GraphOptions { now: snapshot.time(), ..options.clone() };
        &settled
    } else {
        options
    };
    let now = options.now;
    let t = threads(options);
    crate::engine::forget_conditions();
    crate::privesc::uniform::forget();
    let ix = TrustIndex::new(snapshot);
    let resource_sides = par_map(&ix.roles, t, |r| resource_side(snapshot, r));
    let users: Vec<&model::User> = snapshot.users().collect();
    let mut actors: Vec<Actor<'_>> = par_map(&users, t, |u| actor::of_user(snapshot, u, now));
    actors.extend(par_map(&ix.roles, t, |r| actor::of_role(snapshot, r, options.role_session_tags_unknown, now)));
    let classes = crate::class::classes(&actors);
    let class_admin: Vec<Option<Vec<Check>>> = par_map(&classes, t, |members| {
        let a = members.first().and_then(|i| actors.get(*i))?;
        crate::admin::admin_checks(&a.set, &a.arn, &a.account, &a.ctx)
    });
    let mut admin: Vec<Option<Vec<Check>>> = vec![None; actors.len()];
    for (members, c) in classes.iter().zip(&class_admin) {
        for i in members {
            if let (Some(slot), Some(a)) = (admin.get_mut(*i), actors.get_mut(*i)) {
                a.admin = c.is_some();
                slot.clone_from(c);
            }
        }
    }
    lap("actors, classes and administrators");
    let mut compute = compute(snapshot);
    let mut nodes = register(snapshot, options, &ix, &mut actors, &mut compute);
    let role_node = ix.roles.iter().map(|r| nodes.get(&r.arn).unwrap_or(u32::MAX)).collect();
    let env_uniform: Vec<bool> = ix.roles.iter().map(|r| crate::class::uniform_trust(r)).collect();
    let mut assume_capabilities: HashMap<(String, String, bool), NodeIdx> = HashMap::new();
    for (i, names) in ix.names.iter().enumerate() {
        let Some(role) = ix.roles.get(i) else { continue };
        if !env_uniform.get(i).copied().unwrap_or(false) || names.iter().any(|n| matches!(n, Named::Anyone)) {
            continue;
        }
        for n in names {
            let Named::Account(from) = n else { continue };
            if snapshot.account(from).is_none() {
                continue;
            }
            for user in [true, false] {
                let key = (from.clone(), role.account_id.clone(), user);
                assume_capabilities.entry(key).or_insert_with(|| {
                    let id = crate::assume::capability_id(from, &role.account_id, user);
                    let label = crate::assume::capability_label(from, &role.account_id, user);
                    nodes.add(&id, NodeKind::Capability, &label, Some(&role.account_id))
                });
            }
        }
    }
    let created = snapshot.accounts.iter().map(|a| (a.id.clone(), created_set(snapshot, &a.id))).collect();
    let attachments = attachments(snapshot, &nodes);
    let capabilities = snapshot
        .accounts
        .iter()
        .flat_map(|a| crate::privesc::spec::PATHS.iter().filter(|p| crate::privesc::fans_out(p)).map(move |p| (p, a)))
        .filter_map(|(p, a)| nodes.get(&crate::privesc::capability_id(p, &a.id)).map(|n| ((p.id, a.id.clone()), n)))
        .collect();
    let mut env = Env {
        snapshot,
        options,
        ix,
        resource_sides,
        actors,
        nodes,
        role_node,
        uniform: env_uniform,
        trusting: HashMap::new(),
        created,
        compute,
        attachments,
        capabilities,
        capability_targets: HashMap::new(),
        capability_index: HashMap::new(),
        change_targets: HashMap::new(),
        assume_capabilities,
        assume_live: HashMap::new(),
        assume_roles: HashMap::new(),
        assume_keys: HashMap::new(),
        wildcard_expanded: true,
        evaluations: AtomicU64::new((classes.len() * crate::admin::PROBE_ACTIONS.len()) as u64),
        candidates: AtomicU64::new(0),
        contradictions: AtomicU64::new(0),
    };
    let mut first = Out::default();
    env.trusting = crate::assume::service_trust(&env, &mut first);
    if options.capabilities {
        env.change_targets = crate::privesc::change_targets(&env);
    }
    if !options.capabilities {
        env.capabilities.clear();
        env.assume_capabilities.clear();
    }
    let caps = crate::privesc::capability_edges(&env);
    let mut capability_edges = caps.edges;
    env.capabilities = caps.live;
    env.capability_targets = caps.targets;
    let assume_caps = crate::assume::capability_edges(&env);
    capability_edges.extend(assume_caps.edges);
    env.assume_live = assume_caps.live;
    env.capability_targets.extend(assume_caps.targets);
    env.assume_roles = assume_caps.roles;
    env.assume_keys = assume_caps.keys;
    env.capability_index = env
        .capability_targets
        .iter()
        .map(|(cap, targets)| (*cap, targets.iter().enumerate().map(|(i, t)| (t.clone(), i as u32)).collect()))
        .collect();
    env.wildcard_expanded = crate::assume::wildcard_within_budget(&env);
    if !env.wildcard_expanded {
        first.notes.push(format!(
            "{} roles trust `*`: more (principal, role) pairs than the budget of {}, so only their edges from `*` and from account administrators were made",
            env.ix.wildcard.len(),
            options.wildcard_pair_budget
        ));
    }
    lap("registration and trust of services");
    let mut parts = par_map(&classes, t, |members| class_edges(&env, members));
    lap("edges of users and roles");
    let roles: Vec<u32> = (0..env.ix.roles.len() as u32).collect();
    parts.extend(par_map(&roles, t, |r| {
        let mut o = Out::default();
        crate::assume::outsider_edges(&env, *r, &mut o);
        o
    }));
    parts.push(first);
    let mut policies = Out::default();
    crate::resources::function_policy_edges(&env, &mut policies);
    parts.push(policies);
    let out = Out::concat(parts);
    lap("edges from outside");

    // Groups someone can join act through a stand-in member.
    let joinable: BTreeSet<NodeIdx> = out.drafts.iter().filter(|d| d.paths().contains(&"iam-013")).map(|d| d.to).collect();
    let groups: Vec<&model::Group> = snapshot
        .accounts
        .iter()
        .flat_map(|a| a.groups.iter())
        .filter(|g| env.nodes.get(&g.arn).is_some_and(|n| joinable.contains(&n)))
        .collect();
    let mut group_actors: Vec<Actor<'_>> = par_map(&groups, t, |g| actor::of_group(snapshot, g, options.now));
    let mut group_admin: Vec<(NodeIdx, String, Vec<Check>)> = Vec::new();
    for g in &mut group_actors {
        g.node = env.nodes.get(&g.id).unwrap_or(u32::MAX);
        if let Some(c) = crate::admin::admin_checks(&g.set, &g.arn, &g.account, &g.ctx) {
            g.admin = true;
            group_admin.push((g.node, g.account.clone(), c));
        }
    }
    let group_outs = par_map(&group_actors, t, |a| {
        let mut o = Out::default();
        crate::assume::actor_edges(&env, a, true, &mut o);
        crate::assume::actor_edges(&env, a, false, &mut o);
        crate::privesc::actor_edges(&env, a, &mut o);
        o
    });
    let mut parts = vec![out];
    parts.extend(group_outs);
    let mut out = Out::concat(parts);
    // The capability nodes that some principal reaches, with their edges to the targets.
    let reached: std::collections::HashSet<NodeIdx> = out
        .drafts
        .iter()
        .map(|d| d.to)
        .filter(|t| env.nodes.nodes.get(*t as usize).is_some_and(|n| n.kind == NodeKind::Capability))
        .collect();
    out.drafts.extend(capability_edges.into_iter().filter(|e| reached.contains(&e.from)));
    facts(&env, &admin, &group_admin, &mut out);
    lap("groups and facts");
    let changes = std::mem::take(&mut out.changes);
    let (g, pos) = assemble(&env, out);
    lap("assembly");
    let mut g = crate::privesc::change::derive(&env, g, &pos, changes);
    g.stats.classes = classes.len() as u64;
    lap("policy changes");
    g.stats.phases = phases;
    crate::engine::forget_conditions();
    g
}

/// The edges of the principals of one class: what their shared policies give, decided once
/// for the first and copied for the others, and what names each of them.
fn class_edges(env: &Env<'_>, members: &[usize]) -> Out {
    let mut out = Out::default();
    let Some(first) = members.first().and_then(|i| env.actors.get(*i)) else { return out };
    let mut shared = Out::default();
    crate::assume::actor_edges(env, first, true, &mut shared);
    crate::privesc::actor_edges(env, first, &mut shared);
    // Merge the ways to one target once, so that every member shares the merged edge.
    shared.drafts.sort_by_key(|d| (d.to, d.kind));
    let templates = coalesce(std::mem::take(&mut shared.drafts));
    out.drafts.reserve(templates.len() * members.len());
    for m in members.iter().filter_map(|i| env.actors.get(*i)) {
        for d in &templates {
            if d.to != m.node {
                out.drafts.push(Edge { from: m.node, to: d.to, kind: d.kind, data: d.data.clone() });
            }
        }
        for f in &shared.changes {
            out.changes.push(ChangeFact { changer: m.node, ..f.clone() });
        }
        crate::assume::actor_edges(env, m, false, &mut out);
    }
    out.notes.extend(shared.notes);
    out
}

/// Runs-as, member-of, and administrators.
fn facts(env: &Env<'_>, admin: &[Option<Vec<Check>>], group_admin: &[(NodeIdx, String, Vec<Check>)], out: &mut Out) {
    for cs in env.compute.values() {
        for c in cs {
            if c.role_node == u32::MAX {
                continue;
            }
            out.push(Draft {
                from: c.node,
                to: c.role_node,
                kind: EdgeKind::RunsAs,
                way: fact_way("runs with the credentials of the role"),
                gaps: Vec::new(),
            });
        }
    }
    for a in &env.snapshot.accounts {
        for u in &a.users {
            let Some(from) = env.nodes.get(&u.arn) else { continue };
            for g in &u.groups {
                if let Some(to) = a.group_by_name(g).and_then(|group| env.nodes.get(&group.arn)) {
                    out.push(Draft {
                        from,
                        to,
                        kind: EdgeKind::MemberOf,
                        way: fact_way("the user is in the group and has its permissions"),
                        gaps: Vec::new(),
                    });
                }
            }
        }
    }
    let admin_way = |checks: Vec<Check>| Way {
        path: None,
        description: "the engine allows it every IAM write on its account's principals and policies".into(),
        checks: checks.into_iter().map(Arc::new).collect(),
        via: Vec::new(),
        assumptions: Vec::new(),
    };
    for (a, checks) in env.actors.iter().zip(admin) {
        let (Some(checks), Some(to)) = (checks, env.admin_node(&a.account)) else { continue };
        out.push(Draft {
            from: a.node,
            to,
            kind: EdgeKind::AdminEquivalent,
            way: admin_way(checks.clone()),
            gaps: a.gaps.clone(),
        });
    }
    for (g, account, checks) in group_admin {
        let Some(to) = env.admin_node(account) else { continue };
        out.push(Draft { from: *g, to, kind: EdgeKind::AdminEquivalent, way: admin_way(checks.clone()), gaps: Vec::new() });
    }
}

pub(crate) fn fact_way(description: impl Into<std::borrow::Cow<'static, str>>) -> Way {
    Way { path: None, description: description.into(), checks: Vec::new(), via: Vec::new(), assumptions: Vec::new() }
}

/// The id of an account's administrator node.
pub(crate) fn admin_id(account: &str) -> String {
    format!("admin:{account}")
}

/// Whether an administrator of the account can act as the actor: every user (a new access key)
/// and role (a new trust policy), except service-linked and IAM Identity Center roles, which only
/// their service can change.
pub(crate) fn controllable(a: &Actor<'_>) -> bool {
    a.kind != NodeKind::Group && a.role.is_none_or(|r| !r.is_service_linked() && !r.is_sso())
}

/// The vendor of an account: from the options, else from `access::known`.
fn vendor(options: &GraphOptions, account: &str) -> Option<String> {
    if let Some(v) = options.vendors.get(account) {
        return Some(v.clone());
    }
    let names = access::known::vendor_names(account);
    (!names.is_empty()).then(|| names.join(" / "))
}

/// Merges edges that have the same source, target and kind (sorted so that they are
/// adjacent) into one with all their ways.
pub(crate) fn coalesce(sorted: impl IntoIterator<Item = Edge>) -> Vec<Edge> {
    let mut out: Vec<Edge> = Vec::new();
    // Edges that received ways here (their data is then owned by them alone).
    let mut touched: Vec<usize> = Vec::new();
    for d in sorted {
        let last = out.len().checked_sub(1);
        match out.last_mut() {
            Some(e) if e.from == d.from && e.to == d.to && e.kind == d.kind => {
                if let Some(i) = last
                    && touched.last() != Some(&i)
                {
                    touched.push(i);
                }
                let data = Arc::make_mut(&mut e.data);
                // Every way is kept until the edge is complete, then the best are: dropping
                // ways as they come would drop an unconditional way that comes after the most
                // an edge keeps, and show the edge as conditional.
                data.ways.extend(d.data.ways.iter().cloned());
                data.more_ways += d.data.more_ways;
                for g in &d.data.gaps {
                    if !data.gaps.contains(g) {
                        data.gaps.push(g.clone());
                    }
                }
            }
            _ => out.push(d),
        }
    }
    for i in touched {
        if let Some(e) = out.get_mut(i) {
            let data = Arc::make_mut(&mut e.data);
            // Unconditional ways first, then by path id, for a deterministic order.
            data.ways.sort_by(|a, b| a.rank().cmp(&b.rank()));
            if data.ways.len() > MAX_WAYS {
                data.more_ways += data.ways.len() - MAX_WAYS;
                data.ways.truncate(MAX_WAYS);
            }
            data.gaps.sort();
        }
    }
    out
}

/// The edges from an account's administrator node to every principal of the account it can act
/// as (node indices as given by `pos`).
pub(crate) fn admin_control(env: &Env<'_>, account: &str, admin: NodeIdx, pos: &[NodeIdx], out: &mut Vec<Edge>) {
    for a in env.actors.iter().filter(|a| a.account == account && controllable(a)) {
        let Some(&to) = pos.get(a.node as usize) else { continue };
        let what = if a.kind == NodeKind::User {
            "an administrator can create an access key or a password for any user"
        } else {
            "an administrator can rewrite any role's trust policy and assume it"
        };
        out.push(Edge::new(admin, to, EdgeKind::AdminControl, fact_way(what), Vec::new()));
    }
}

/// Turns what the phases found into the graph: keeps principals, groups and administrator
/// nodes, and the other nodes an edge touches, sorted by id; adds the edges of the
/// administrator nodes that something reaches; sorts and merges the edges. Returns the graph
/// and the new position of each registered node (`u32::MAX` when dropped).
fn assemble(env: &Env<'_>, out: Out) -> (Graph, Vec<NodeIdx>) {
    let mut drafts = out.drafts;
    drafts.retain(|d| d.from != d.to && d.from != u32::MAX && d.to != u32::MAX);
    let nodes = &env.nodes.nodes;
    let mut used = vec![false; nodes.len()];
    for d in &drafts {
        for n in [d.from, d.to] {
            if let Some(u) = used.get_mut(n as usize) {
                *u = true;
            }
        }
    }
    let mut kept: Vec<(usize, Node)> = nodes
        .iter()
        .enumerate()
        .filter(|(i, n)| {
            matches!(n.kind, NodeKind::User | NodeKind::Role | NodeKind::Group | NodeKind::AccountAdmin)
                || used.get(*i).copied().unwrap_or(false)
        })
        .map(|(i, n)| (i, n.clone()))
        .collect();
    kept.sort_by(|a, b| a.1.id.cmp(&b.1.id));
    let mut pos = vec![u32::MAX; nodes.len()];
    for (new, (old, _)) in kept.iter().enumerate() {
        if let Some(p) = pos.get_mut(*old) {
            *p = new as u32;
        }
    }
    let nodes: Vec<Node> = kept.into_iter().map(|(_, n)| n).collect();
    for d in &mut drafts {
        d.from = pos.get(d.from as usize).copied().unwrap_or(u32::MAX);
        d.to = pos.get(d.to as usize).copied().unwrap_or(u32::MAX);
    }
    drafts.retain(|d| d.from != u32::MAX && d.to != u32::MAX);
    // Administrator nodes that something reaches act as every principal of their account.
    let reached: BTreeSet<NodeIdx> = drafts.iter().map(|d| d.to).collect();
    for acct in &env.snapshot.accounts {
        let Some(admin) = env.admin_node(&acct.id).and_then(|a| pos.get(a as usize).copied()) else { continue };
        if reached.contains(&admin) {
            admin_control(env, &acct.id, admin, &pos, &mut drafts);
        }
    }
    drafts.sort_by_key(|d| (d.from, d.to, d.kind));
    let edges = coalesce(drafts);
    let stats = Stats {
        evaluations: env.evaluations.load(Ordering::Relaxed),
        assume_candidates: env.candidates.load(Ordering::Relaxed),
        contradictions: env.contradictions.load(Ordering::Relaxed),
        ..Stats::default()
    };
    (Graph::from_sorted(nodes, edges, out.notes, stats), pos)
}
