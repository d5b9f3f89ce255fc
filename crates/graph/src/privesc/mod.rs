//! Privilege-escalation edges: the documented paths of pathfinding.cloud ([`data`]), each
//! recognised by a mechanism ([`spec`]) and checked permission by permission with the engine,
//! on the target's ARN (a role passed, an instance, a function, a user, a group, a policy) or,
//! for what the caller would create, on resources its own patterns allow ([`witness`]), with
//! the caller's partial context. Coverage: `docs/privesc-coverage.md`.
//!
//! Changes of permissions (`iam:PutRolePolicy`, `iam:CreatePolicyVersion`, ...) are recorded as
//! facts here and turned into edges to the account's administrator node once the graph knows
//! how the changer can act as the changed principal ([`change`]).

pub(crate) mod change;
pub mod data;
pub mod spec;
pub(crate) mod uniform;
pub(crate) mod witness;

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use eval::Context;
use model::DataKind;

use crate::actor::Actor;
use crate::build::{ChangeFact, Draft, Env, Out};
use crate::condition::NamedSet;
use crate::context;
use crate::engine::{check, merged};
use crate::types::{Check, EdgeKind, NodeIdx, NodeKind, Way};
use spec::{Changes, Mechanism, PATHS, PathSpec};

/// Per-actor state: cached decisions shared by several paths.
struct Cx<'e, 's> {
    env: &'e Env<'s>,
    a: &'e Actor<'s>,
    witness: HashMap<&'static str, Option<Arc<Check>>>,
    passed_to: HashMap<&'static str, Context>,
    /// Per capability node: each target's signature ([`uniform::signatures`]) for this actor.
    signatures: HashMap<NodeIdx, Option<Arc<Vec<u64>>>>,
    /// Decisions made for one target of a signature, shared with the others of it.
    grouped: HashMap<GroupKey, Option<Check>>,
}

/// `(capability node, signature, action, service a role is passed to)`.
type GroupKey = (NodeIdx, u64, &'static str, &'static str);

/// The targets a decision may be shared among: those of a capability node (when the path has
/// one in the actor's account) whose statements decide `actions` alike; `service` is the
/// service a role is passed to (it is in the request's context).
struct Group<'a> {
    cap: Option<NodeIdx>,
    actions: &'a [&'a str],
    service: &'static str,
}

impl<'e> Cx<'e, '_> {
    fn decide(&self, action: &'static str, resource: &Arc<str>, ctx: &Context) -> Option<Check> {
        let r = check(&self.a.set, &self.a.arn, action, resource, ctx);
        self.env.count(&r);
        r.ok().map(|mut c| {
            c.principal = self.a.stand_in();
            c
        })
    }

    /// The action on some resource the actor chooses: the first allowed candidate, else the
    /// first conditionally allowed one.
    fn chosen(&mut self, action: &'static str) -> Option<Arc<Check>> {
        if let Some(c) = self.witness.get(action) {
            return c.clone();
        }
        let mut best: Option<Check> = None;
        if self.a.grant(action).is_some() {
            for r in witness::candidates(self.a, action) {
                if let Some(c) = self.decide(action, &Arc::from(r), &self.a.ctx) {
                    if !c.is_conditional() {
                        best = Some(c);
                        break;
                    }
                    best.get_or_insert(c);
                }
            }
        }
        let best = best.map(Arc::new);
        self.witness.insert(action, best.clone());
        best
    }

    /// Every listed action on resources the actor chooses.
    fn all_chosen(&mut self, actions: &[&'static str]) -> Option<Vec<Arc<Check>>> {
        actions.iter().map(|a| self.chosen(a)).collect()
    }

    fn pass_ctx(&mut self, service: &'static str) -> Context {
        self.passed_to.entry(service).or_insert_with(|| context::with_key(&self.a.ctx, "iam:PassedToService", service)).clone()
    }

    /// An action on one target of a capability node: decided once for all the targets whose
    /// signature is the same (the check then names the target it is about).
    fn decide_grouped(
        &mut self,
        group: &Group<'_>,
        action: &'static str,
        target: &Arc<str>,
        resource: &Arc<str>,
        ctx: &Context,
    ) -> Option<Check> {
        let (actions, service) = (group.actions, group.service);
        let sig = group.cap.and_then(|cap| {
            let targets = self.env.capability_targets.get(&cap)?;
            let index = self.env.capability_index.get(&cap)?.get(target)?;
            let sigs = self
                .signatures
                .entry(cap)
                .or_insert_with(|| uniform::signatures(&self.a.set.set, actions, targets, cap).map(Arc::new))
                .clone()?;
            Some((cap, *sigs.get(*index as usize)?))
        });
        let Some((cap, sig)) = sig else { return self.decide(action, resource, ctx) };
        let key = (cap, sig, action, service);
        if let Some(found) = self.grouped.get(&key) {
            return found.clone().map(|mut c| {
                c.resource = crate::engine::shared_resource(resource);
                c
            });
        }
        let c = self.decide(action, resource, ctx);
        self.grouped.insert(key, c.clone());
        c
    }

    /// The capability node of a path in the actor's account, when it has targets, with them.
    fn capability(&self, spec: &PathSpec) -> Option<(NodeIdx, &'e [Arc<str>])> {
        let cap = self.env.capabilities.get(&(spec.id, self.a.account.clone())).copied()?;
        let targets = self.env.capability_targets.get(&cap)?;
        Some((cap, targets.as_slice()))
    }

    /// Whether the actor's `actions` are decided alike on every target of a capability node.
    fn uniform(&self, actions: &[&str], cap: NodeIdx, targets: &[Arc<str>]) -> bool {
        uniform::uniform(&self.a.set.set, actions, targets, cap)
    }

    /// The action decided on one target for all of them: the check names the resource that
    /// stands for all.
    fn decide_for_all(&self, action: &'static str, one: &str, all: &Arc<str>, ctx: &Context) -> Option<Check> {
        let mut c = self.decide(action, &Arc::from(witness::on_target(action, one)), ctx)?;
        c.resource = crate::engine::shared_resource(&witness::on_target(action, all));
        Some(c)
    }

    /// A resource that stands for every target of a kind in the actor's account, for checks
    /// that are decided alike on all of them.
    fn any_target(&self, kind: NodeKind) -> Arc<str> {
        let p = policy::Arn::parse(&self.a.arn).map_or("aws", |x| x.partition);
        let account = &self.a.account;
        crate::engine::shared_resource(&match kind {
            NodeKind::Ec2Instance => format!("arn:{p}:ec2:*:{account}:instance/*"),
            NodeKind::LambdaFunction => format!("arn:{p}:lambda:*:{account}:function:*"),
            NodeKind::User => format!("arn:{p}:iam::{account}:user/*"),
            NodeKind::Group => format!("arn:{p}:iam::{account}:group/*"),
            _ => format!("arn:{p}:iam::{account}:role/*"),
        })
    }

    fn draft(&self, spec: &PathSpec, to: NodeIdx, checks: Vec<Arc<Check>>, assumptions: Vec<Arc<str>>, out: &mut Out) {
        let description = Cow::Borrowed(name(spec.id));
        out.push(Draft {
            from: self.a.node,
            to,
            kind: EdgeKind::Privesc,
            way: Way { path: Some(spec.id), description, checks, via: Vec::new(), assumptions },
            gaps: self.a.gaps.clone(),
        });
    }
}

fn name(id: &str) -> &'static str {
    data::path(id).map_or("", |p| p.name.as_str())
}

/// Whether a path's targets are many resources of the caller's account, reached through a
/// capability node by the callers whose permissions do not depend on the target.
pub(crate) fn fans_out(spec: &PathSpec) -> bool {
    matches!(
        spec.mechanism,
        Mechanism::NewPassRole { .. }
            | Mechanism::ExistingServiceRole { .. }
            | Mechanism::Ec2Instance
            | Mechanism::LambdaFunction { .. }
            | Mechanism::UserCredentials { .. }
            | Mechanism::UpdateTrust
    )
}

/// The id of the capability node of a path in an account.
pub(crate) fn capability_id(spec: &PathSpec, account: &str) -> String {
    format!("capability:{}:{account}", spec.id)
}

/// What the capability node of a path in an account stands for, in words.
pub(crate) fn capability_label(spec: &PathSpec, acct: &model::Account) -> String {
    let account = acct.display_name();
    let targets = match spec.mechanism {
        Mechanism::ExistingServiceRole { listed: Some(k), batch, .. } if acct.has(k.data_kind()) => {
            let batch = if batch { " configured for batch builds" } else { "" };
            format!("any {} of {account}{batch}", k.label())
        }
        Mechanism::NewPassRole { services, instance_profile }
        | Mechanism::ExistingServiceRole { services, instance_profile, .. } => {
            let profile = if instance_profile { " with an instance profile" } else { "" };
            format!("any role of {account}{profile} that {} may assume", services.join(" or "))
        }
        Mechanism::Ec2Instance => format!("any EC2 instance of {account}"),
        Mechanism::LambdaFunction { .. } => format!("any Lambda function of {account}"),
        Mechanism::UserCredentials { .. } => format!("any user of {account}"),
        Mechanism::UpdateTrust => format!("any role of {account} whose trust policy it rewrites"),
        _ => format!("targets in {account}"),
    };
    format!("{} ({}): {targets}", name(spec.id), spec.id)
}

/// The edges from each capability node to the targets of its path, and the capability nodes
/// that have targets (only those are offered to actors).
pub(crate) fn capability_edges(env: &Env<'_>) -> Capabilities {
    use crate::types::{Edge, EdgeData};
    let mut out: Vec<Edge> = Vec::new();
    let mut live: HashMap<(&'static str, String), NodeIdx> = HashMap::new();
    let mut targets: HashMap<NodeIdx, Vec<Arc<str>>> = HashMap::new();
    for ((id, account), &cap) in &env.capabilities {
        let Some(spec) = spec::spec(id) else { continue };
        let before = out.len();
        let way = |checks: Vec<Arc<Check>>, assumptions: Vec<Arc<str>>| Way {
            path: Some(spec.id),
            description: Cow::Borrowed(name(spec.id)),
            checks,
            via: Vec::new(),
            assumptions,
        };
        let shared = |assumptions: Vec<Arc<str>>| {
            Arc::new(EdgeData { ways: vec![way(Vec::new(), assumptions)], more_ways: 0, gaps: Vec::new() })
        };
        match spec.mechanism {
            Mechanism::ExistingServiceRole { listed: Some(k), batch, .. } if listed(env, account, k) => {
                let target = Target::service(k, batch);
                let mut done: Vec<NodeIdx> = Vec::new();
                for c in env.compute.get(account).into_iter().flatten().filter(|c| target.matches(c)) {
                    if !done.contains(&c.node) {
                        done.push(c.node);
                        out.push(Edge::new(cap, c.node, EdgeKind::Privesc, way(Vec::new(), c.assumptions.clone()), Vec::new()));
                    }
                }
            }
            Mechanism::NewPassRole { services, instance_profile }
            | Mechanism::ExistingServiceRole { services, instance_profile, .. } => {
                let assumptions = match spec.mechanism {
                    Mechanism::ExistingServiceRole { resource, .. } => vec![unlisted_assumption(Some(resource))],
                    _ => Vec::new(),
                };
                let mut seen: Vec<u32> = Vec::new();
                for service in services {
                    let Some(trusting) = env.trusting.get(&(account.clone(), (*service).to_owned())) else { continue };
                    for (i, trust) in trusting {
                        let (Some(role), Some(&to)) = (env.ix.role(*i), env.role_node.get(*i as usize)) else { continue };
                        // AWS refuses to pass the roles only their service may change.
                        let passed = matches!(spec.mechanism, Mechanism::NewPassRole { .. });
                        if seen.contains(i)
                            || (instance_profile && role.instance_profile_arns.is_empty())
                            || (passed && !rewritable(role))
                        {
                            continue;
                        }
                        seen.push(*i);
                        out.push(Edge::new(
                            cap,
                            to,
                            EdgeKind::Privesc,
                            way(vec![trust.clone()], assumptions.clone()),
                            Vec::new(),
                        ));
                    }
                }
            }
            Mechanism::Ec2Instance | Mechanism::LambdaFunction { .. } => {
                let (kind, assumption) = match spec.mechanism {
                    Mechanism::LambdaFunction { needs_trigger: true } => {
                        (NodeKind::LambdaFunction, vec![Arc::from("the function's triggers invoke it after its code changes")])
                    }
                    Mechanism::LambdaFunction { .. } => (NodeKind::LambdaFunction, Vec::new()),
                    _ => (NodeKind::Ec2Instance, Vec::new()),
                };
                let data = shared(assumption);
                let mut done: Vec<NodeIdx> = Vec::new();
                for c in env.compute.get(account).into_iter().flatten().filter(|c| c.kind == kind) {
                    if !done.contains(&c.node) {
                        done.push(c.node);
                        out.push(Edge { from: cap, to: c.node, kind: EdgeKind::Privesc, data: data.clone() });
                    }
                }
            }
            Mechanism::UserCredentials { login_profile, delete_key } => {
                let Some(acct) = env.snapshot.account(account) else { continue };
                for u in &acct.users {
                    let Some(to) = env.nodes.get(&u.arn) else { continue };
                    let Some(assumptions) = user_assumptions(acct, u, login_profile, delete_key) else { continue };
                    out.push(Edge::new(cap, to, EdgeKind::Privesc, way(Vec::new(), assumptions), Vec::new()));
                }
            }
            Mechanism::UpdateTrust => {
                let data = shared(Vec::new());
                for i in env.ix.by_owner.get(account).into_iter().flatten() {
                    let (Some(role), Some(&to)) = (env.ix.role(*i), env.role_node.get(*i as usize)) else { continue };
                    if rewritable(role) {
                        out.push(Edge { from: cap, to, kind: EdgeKind::Privesc, data: data.clone() });
                    }
                }
            }
            _ => {}
        }
        if out.len() > before {
            live.insert((spec.id, account.clone()), cap);
            let list = out.get(before..).unwrap_or(&[]).iter().map(|e| env.nodes.id(e.to)).collect();
            targets.insert(cap, list);
        }
    }
    Capabilities { edges: out, live, targets }
}

/// The capability nodes that have targets, their edges to them, and the targets' ids.
pub(crate) struct Capabilities {
    pub edges: Vec<crate::types::Edge>,
    pub live: HashMap<(&'static str, String), NodeIdx>,
    pub targets: HashMap<NodeIdx, Vec<Arc<str>>>,
}

/// The privilege-escalation edges and change facts of one actor. Administrators have none:
/// they already reach everything of their account.
pub(crate) fn actor_edges(env: &Env<'_>, a: &Actor<'_>, out: &mut Out) {
    if a.admin {
        return;
    }
    let mut cx =
        Cx { env, a, witness: HashMap::new(), passed_to: HashMap::new(), signatures: HashMap::new(), grouped: HashMap::new() };
    for spec in PATHS {
        match spec.mechanism {
            Mechanism::AssumeRole | Mechanism::Change { .. } => {}
            Mechanism::NewPassRole { services, instance_profile } => {
                service_roles(&mut cx, spec, services, instance_profile, None, out)
            }
            Mechanism::ExistingServiceRole { services, instance_profile, resource, listed: kind, batch } => {
                match kind.filter(|k| listed(env, &a.account, *k)) {
                    Some(k) => compute(&mut cx, spec, Target::service(k, batch), None, out),
                    None if env.options.assume_unlisted_resources => {
                        service_roles(&mut cx, spec, services, instance_profile, Some(resource), out)
                    }
                    None => {}
                }
            }
            Mechanism::Ec2Instance => {
                compute(&mut cx, spec, Target::of(NodeKind::Ec2Instance), None, out);
                // The exports list no EC2 instances of the account: an instance may run with any
                // role that has an instance profile, on that assumption.
                if env.options.assume_unlisted_resources
                    && lacks(env, &a.account, &[DataKind::Ec2Instances, DataKind::Ec2ProfileAssociations])
                {
                    service_roles(&mut cx, spec, EC2, true, Some(UNLISTED_INSTANCE), out);
                }
            }
            Mechanism::LambdaFunction { needs_trigger } => {
                let assumption = needs_trigger.then_some("the function's triggers invoke it after its code changes");
                compute(&mut cx, spec, Target::of(NodeKind::LambdaFunction), assumption, out);
                // The exports list no Lambda functions of the account: a function may run as any
                // role that trusts Lambda, on that assumption (and its triggers, when the path
                // needs them, are assumed too).
                if env.options.assume_unlisted_resources && lacks(env, &a.account, &[DataKind::LambdaFunctions]) {
                    let what = if needs_trigger { UNLISTED_TRIGGERED_FUNCTION } else { UNLISTED_FUNCTION };
                    service_roles(&mut cx, spec, LAMBDA, false, Some(what), out);
                }
            }
            Mechanism::UserCredentials { login_profile, delete_key } => users(&mut cx, spec, login_profile, delete_key, out),
            Mechanism::UpdateTrust => update_trust(&mut cx, spec, out),
            Mechanism::AddUserToGroup => add_to_group(&mut cx, spec, out),
        }
    }
    changes(&mut cx, out);
}

/// Paths through a service that runs as a role trusting it.
fn service_roles(
    cx: &mut Cx<'_, '_>,
    spec: &PathSpec,
    services: spec::Services,
    instance_profile: bool,
    unlisted: Option<&'static str>,
    out: &mut Out,
) {
    let others: Vec<&'static str> = spec.actions.iter().copied().filter(|x| *x != "iam:PassRole").collect();
    let passes = unlisted.is_none();
    if !cx.a.may_do_all(&others) || (passes && cx.a.grant("iam:PassRole").is_none()) {
        return;
    }
    let Some(checks) = cx.all_chosen(&others) else { return };
    // Through the capability node when passing the role is decided alike for every role.
    if let Some((cap, targets)) = cx.capability(spec) {
        let single = services.len() == 1;
        if !passes || (single && cx.uniform(&["iam:PassRole"], cap, targets)) {
            let mut way_checks = Vec::with_capacity(checks.len() + 1);
            if passes {
                let (Some(service), Some(one)) = (services.first(), targets.first()) else { return };
                let ctx = cx.pass_ctx(service);
                let Some(pass) = cx.decide_for_all("iam:PassRole", one, &cx.any_target(NodeKind::Role), &ctx) else { return };
                way_checks.push(Arc::new(pass));
            }
            way_checks.extend(checks.iter().cloned());
            cx.draft(spec, cap, way_checks, Vec::new(), out);
            return;
        }
    }
    let cap = cx.capability(spec).map(|(c, _)| c);
    let mut seen: Vec<u32> = Vec::new();
    let mut assumed: Option<Arc<str>> = None;
    for service in services {
        let key = (cx.a.account.clone(), (*service).to_owned());
        let Some(trusting) = cx.env.trusting.get(&key) else { continue };
        for (i, trust) in trusting {
            let (Some(role), Some(&to)) = (cx.env.ix.role(*i), cx.env.role_node.get(*i as usize)) else { continue };
            if seen.contains(i) || (instance_profile && role.instance_profile_arns.is_empty()) {
                continue;
            }
            seen.push(*i);
            let mut way_checks = Vec::with_capacity(checks.len() + 2);
            let assumptions = if passes {
                if !cx.a.may("iam:PassRole", &role.arn) {
                    continue;
                }
                let ctx = cx.pass_ctx(service);
                let id = cx.env.nodes.id(to);
                let Some(pass) =
                    cx.decide_grouped(&Group { cap, actions: &["iam:PassRole"], service }, "iam:PassRole", &id, &id, &ctx)
                else {
                    continue;
                };
                way_checks.push(Arc::new(pass));
                Vec::new()
            } else {
                vec![assumed.get_or_insert_with(|| unlisted_assumption(unlisted)).clone()]
            };
            way_checks.extend(checks.iter().cloned());
            way_checks.push(trust.clone());
            cx.draft(spec, to, way_checks, assumptions, out);
        }
    }
}

const EC2: spec::Services = &["ec2.amazonaws.com"];
const LAMBDA: spec::Services = &["lambda.amazonaws.com"];
const UNLISTED_INSTANCE: &str =
    "EC2 instance with the role's instance profile (the exports list no EC2 instances of this account)";
const UNLISTED_FUNCTION: &str = "Lambda function (the exports list no Lambda functions of this account)";
const UNLISTED_TRIGGERED_FUNCTION: &str =
    "Lambda function whose triggers invoke it after its code changes (the exports list no Lambda functions of this account)";

/// Whether the exports list the account's resources of a kind of another service.
fn listed(env: &Env<'_>, account: &str, kind: model::ServiceKind) -> bool {
    env.snapshot.account(account).is_some_and(|a| a.has(kind.data_kind()))
}

/// The compute resources a path goes into: of a node kind, and for resources of other
/// services, of a service kind (a CodeBuild project configured for batch builds when `batch`).
#[derive(Clone, Copy)]
struct Target {
    kind: NodeKind,
    service: Option<(model::ServiceKind, bool)>,
}

impl Target {
    fn of(kind: NodeKind) -> Target {
        Target { kind, service: None }
    }

    fn service(kind: model::ServiceKind, batch: bool) -> Target {
        Target { kind: NodeKind::ServiceResource, service: Some((kind, batch)) }
    }

    fn matches(self, c: &crate::build::Compute) -> bool {
        c.kind == self.kind
            && match self.service {
                None => true,
                Some((kind, batch)) => c.service.is_some_and(|(k, b)| k == kind && (b || !batch)),
            }
    }
}

/// Whether the exports lack every one of these kinds of data for the account (a gap, not an
/// account that has none).
fn lacks(env: &Env<'_>, account: &str, kinds: &[DataKind]) -> bool {
    env.snapshot.account(account).is_some_and(|a| kinds.iter().all(|k| !a.has(*k)))
}

fn unlisted_assumption(unlisted: Option<&'static str>) -> Arc<str> {
    let what = unlisted.unwrap_or("resource");
    Arc::from(format!("an existing {what} runs as this role (the snapshot does not list them)"))
}

/// Paths into an EC2 instance or a Lambda function of the snapshot.
fn compute(cx: &mut Cx<'_, '_>, spec: &PathSpec, target: Target, assumption: Option<&'static str>, out: &mut Out) {
    if !cx.a.may_do_all(spec.actions) {
        return;
    }
    let per_target: Vec<&str> = spec.actions.iter().copied().filter(|a| witness::on_target(a, "t") != "*").collect();
    if let Some((cap, targets)) = cx.capability(spec)
        && let Some(one) = targets.first()
        && cx.uniform(&per_target, cap, targets)
    {
        let any = match target.service {
            Some((k, _)) => {
                let p = policy::Arn::parse(&cx.a.arn).map_or("aws", |x| x.partition);
                crate::engine::shared_resource(&k.any_arn(p, &cx.a.account))
            }
            None => cx.any_target(target.kind),
        };
        let mut checks = Vec::with_capacity(spec.actions.len());
        for action in spec.actions {
            let Some(ch) = cx.decide_for_all(action, one, &any, &cx.a.ctx) else { return };
            checks.push(Arc::new(ch));
        }
        cx.draft(spec, cap, checks, Vec::new(), out);
        return;
    }
    let Some(list) = cx.env.compute.get(&cx.a.account) else { return };
    let cap = cx.capability(spec).map(|(c, _)| c);
    let actor = cx.a;
    let mut done: Vec<NodeIdx> = Vec::new();
    for c in list.iter().filter(|c| target.matches(c)) {
        if done.contains(&c.node) {
            continue;
        }
        done.push(c.node);
        let mut checks = Vec::with_capacity(spec.actions.len());
        for action in spec.actions {
            let resource = witness::on_target(action, &c.id);
            if !cx.a.may(action, &resource) {
                break;
            }
            let Some(ch) = cx.decide_grouped(
                &Group { cap, actions: &per_target, service: "" },
                action,
                &Arc::from(c.id.as_str()),
                &Arc::from(resource),
                &actor.ctx,
            ) else {
                break;
            };
            checks.push(Arc::new(ch));
        }
        if checks.len() != spec.actions.len() {
            continue;
        }
        let assumptions = assumption.iter().map(|a| Arc::from(*a)).chain(c.assumptions.iter().cloned()).collect();
        cx.draft(spec, c.node, checks, assumptions, out);
    }
}

/// What the credential report says of a user for a credentials path: `None` when the path
/// cannot work on the user, else what is assumed.
fn user_assumptions(
    account: &model::Account,
    u: &model::User,
    login_profile: Option<bool>,
    delete_key: bool,
) -> Option<Vec<Arc<str>>> {
    let row = account.credentials(&u.arn);
    let mut assumptions: Vec<Arc<str>> = Vec::new();
    match (login_profile, row.and_then(|r| r.password_enabled)) {
        (Some(want), Some(has)) if want != has => return None,
        (Some(true), None) => assumptions.push(Arc::from("the user has a console password (no credential report says)")),
        (Some(false), None) => assumptions.push(Arc::from("the user has no console password (no credential report says)")),
        _ => {}
    }
    if login_profile.is_none() && !delete_key {
        match row {
            Some(r) if r.access_keys.iter().filter(|k| k.active || k.last_rotated.is_some()).count() >= 2 => return None,
            None => assumptions.push(Arc::from("the user has fewer than two access keys (no credential report says)")),
            Some(_) => {}
        }
    }
    Some(assumptions)
}

/// Paths to a user's credentials.
fn users(cx: &mut Cx<'_, '_>, spec: &PathSpec, login_profile: Option<bool>, delete_key: bool, out: &mut Out) {
    if !cx.a.may_do_all(spec.actions) {
        return;
    }
    if let Some((cap, targets)) = cx.capability(spec)
        && let Some(one) = targets.first()
        && cx.uniform(spec.actions, cap, targets)
    {
        let any = cx.any_target(NodeKind::User);
        let checks: Option<Vec<Arc<Check>>> =
            spec.actions.iter().map(|x| cx.decide_for_all(x, one, &any, &cx.a.ctx).map(Arc::new)).collect();
        if let Some(checks) = checks {
            cx.draft(spec, cap, checks, Vec::new(), out);
        }
        return;
    }
    let Some(account) = cx.env.snapshot.account(&cx.a.account) else { return };
    let cap = cx.capability(spec).map(|(c, _)| c);
    let actor = cx.a;
    for u in &account.users {
        let Some(to) = cx.env.nodes.get(&u.arn) else { continue };
        if !spec.actions.iter().all(|x| cx.a.may(x, &u.arn)) {
            continue;
        }
        let Some(assumptions) = user_assumptions(account, u, login_profile, delete_key) else { continue };
        let resource = cx.env.nodes.id(to);
        let checks: Option<Vec<Arc<Check>>> = spec
            .actions
            .iter()
            .map(|x| {
                cx.decide_grouped(&Group { cap, actions: spec.actions, service: "" }, x, &resource, &resource, &actor.ctx)
                    .map(Arc::new)
            })
            .collect();
        let Some(checks) = checks else { continue };
        cx.draft(spec, to, checks, assumptions, out);
    }
}

/// The roles whose trust policy their account's principals can rewrite: all but the roles only
/// their service may change (service-linked and IAM Identity Center roles).
pub(crate) fn rewritable(role: &model::Role) -> bool {
    // As the engine decides it.
    eval::decide::protected_by_aws("iam:updateassumerolepolicy", &role.arn).is_none()
}

/// `iam:UpdateAssumeRolePolicy`: rewrite a role's trust policy to name oneself, then assume it.
fn update_trust(cx: &mut Cx<'_, '_>, spec: &PathSpec, out: &mut Out) {
    let action = "iam:UpdateAssumeRolePolicy";
    if cx.a.grant(action).is_none() {
        return;
    }
    let Some(roles) = cx.env.ix.by_owner.get(&cx.a.account) else { return };
    if let Some((cap, targets)) = cx.capability(spec)
        && let Some(one) = targets.first()
        && cx.uniform(&[action], cap, targets)
    {
        // Every rewritable role of the account has the same resource side but for its trust,
        // which the change replaces: its account's RCPs.
        let side = roles
            .iter()
            .find(|i| cx.env.ix.role(**i).is_some_and(|r| r.arn.as_str() == &**one))
            .and_then(|i| cx.env.resource_sides.get(*i as usize));
        if let Some(side) = side {
            let any = cx.any_target(NodeKind::Role);
            let mut rewritten = eval::PolicySet::new();
            rewritten
                .resource(format!("{any} trust policy as rewritten to name the caller"), crate::engine::trust_naming(&cx.a.arn));
            let mut rewritten = NamedSet::of(rewritten);
            crate::engine::add_resource_side(&mut rewritten, &side.set, false);
            let set = merged(&cx.a.set, &rewritten);
            if uniform::uniform(&set.set, &["sts:AssumeRole"], targets, cap) {
                let Some(update) = cx.decide_for_all(action, one, &any, &cx.a.ctx) else { return };
                let r = check(&set, &cx.a.arn, "sts:AssumeRole", &Arc::from(&**one), &cx.a.ctx);
                cx.env.count(&r);
                let Ok(mut assume) = r else { return };
                assume.principal = cx.a.stand_in();
                assume.resource = any.clone();
                cx.draft(spec, cap, vec![Arc::new(update), Arc::new(assume)], Vec::new(), out);
                return;
            }
        }
    }
    for i in roles {
        let (Some(role), Some(side), Some(&to)) =
            (cx.env.ix.role(*i), cx.env.resource_sides.get(*i as usize), cx.env.role_node.get(*i as usize))
        else {
            continue;
        };
        if !cx.a.may(action, &role.arn) {
            continue;
        }
        let resource = cx.env.nodes.id(to);
        let Some(update) = cx.decide(action, &resource, &cx.a.ctx) else { continue };
        let mut rewritten = eval::PolicySet::new();
        rewritten.resource(
            format!("{} trust policy as rewritten to name the caller", role.arn),
            crate::engine::trust_naming(&cx.a.arn),
        );
        let mut rewritten = NamedSet::of(rewritten);
        crate::engine::add_resource_side(&mut rewritten, &side.set, false);
        let set = merged(&cx.a.set, &rewritten);
        let r = check(&set, &cx.a.arn, "sts:AssumeRole", &resource, &cx.a.ctx);
        cx.env.count(&r);
        let Ok(mut assume) = r else { continue };
        assume.principal = cx.a.stand_in();
        cx.draft(spec, to, vec![Arc::new(update), Arc::new(assume)], Vec::new(), out);
    }
}

/// `iam:AddUserToGroup`: a user adds itself to a group.
fn add_to_group(cx: &mut Cx<'_, '_>, spec: &PathSpec, out: &mut Out) {
    let Some(user) = cx.a.user else { return };
    if cx.a.grant("iam:AddUserToGroup").is_none() {
        return;
    }
    let Some(account) = cx.env.snapshot.account(&cx.a.account) else { return };
    for g in &account.groups {
        let Some(to) = cx.env.nodes.get(&g.arn) else { continue };
        if user.groups.contains(&g.name) || !cx.a.may("iam:AddUserToGroup", &g.arn) {
            continue;
        }
        let Some(c) = cx.decide("iam:AddUserToGroup", &cx.env.nodes.id(to), &cx.a.ctx) else { continue };
        cx.draft(spec, to, vec![Arc::new(c)], Vec::new(), out);
    }
}

/// The change actions and what they change.
const CHANGES: [(&str, Changes); 7] = [
    ("iam:AttachRolePolicy", Changes::Role),
    ("iam:PutRolePolicy", Changes::Role),
    ("iam:AttachUserPolicy", Changes::User),
    ("iam:PutUserPolicy", Changes::User),
    ("iam:AttachGroupPolicy", Changes::Group),
    ("iam:PutGroupPolicy", Changes::Group),
    ("iam:CreatePolicyVersion", Changes::PolicyVersion),
];

/// `(account, what a change changes)` → the principals of the account it can change (sorted
/// nodes) and their ARNs.
pub(crate) type ChangeTargets = HashMap<(String, Changes), (Arc<[NodeIdx]>, Vec<Arc<str>>)>;

/// The principals of each account that a change action of each kind can change, with their
/// ARNs (roles only their service may change are left out: AWS refuses those changes).
pub(crate) fn change_targets(env: &Env<'_>) -> ChangeTargets {
    let mut out = HashMap::new();
    for account in &env.snapshot.accounts {
        let lists: [(Changes, Vec<&str>); 3] = [
            (Changes::Role, account.roles.iter().filter(|r| rewritable(r)).map(|r| r.arn.as_str()).collect()),
            (Changes::User, account.users.iter().map(|u| u.arn.as_str()).collect()),
            (Changes::Group, account.groups.iter().map(|g| g.arn.as_str()).collect()),
        ];
        for (kind, arns) in lists {
            let mut pairs: Vec<(NodeIdx, Arc<str>)> =
                arns.into_iter().filter_map(|a| env.nodes.get(a).map(|n| (n, env.nodes.id(n)))).collect();
            pairs.sort_by_key(|(n, _)| *n);
            let nodes: Arc<[NodeIdx]> = pairs.iter().map(|(n, _)| *n).collect();
            out.insert((account.id.clone(), kind), (nodes, pairs.into_iter().map(|(_, a)| a).collect()));
        }
    }
    out
}

/// Facts: which principals' permissions the actor can change. When the actor's permission for
/// an action holds alike for every principal of its account that the action changes
/// ([`uniform`]), one check stands for all of them; else each is decided.
fn changes(cx: &mut Cx<'_, '_>, out: &mut Out) {
    let Some(account) = cx.env.snapshot.account(&cx.a.account) else { return };
    let partition = policy::Arn::parse(&cx.a.arn).map_or("aws", |x| x.partition).to_owned();
    let attach_ctx = context::with_key(&cx.a.ctx, "iam:PolicyARN", &crate::admin::admin_policy_arn(&partition));
    let nodes = &cx.env.nodes;
    for (action, changes) in CHANGES {
        if cx.a.grant(action).is_none() {
            continue;
        }
        let ctx = if action.starts_with("iam:Attach") { &attach_ctx } else { &cx.a.ctx };
        let fact = |targets: Arc<[NodeIdx]>, check: Arc<Check>| ChangeFact {
            changer: cx.a.node,
            targets,
            action,
            check,
            gaps: cx.a.gaps.clone(),
        };
        if changes != Changes::PolicyVersion
            && let Some((all, arns)) = cx.env.change_targets.get(&(cx.a.account.clone(), changes))
            && let Some(first) = arns.first()
            && uniform::uniform(&cx.a.set.set, &[action], arns, change_set_id(all))
        {
            if cx.a.may(action, first)
                && let Some(mut c) = cx.decide(action, first, ctx)
            {
                // Decided on one, holds for all: the check names them all.
                c.resource = cx.any_target(match changes {
                    Changes::User => NodeKind::User,
                    Changes::Group => NodeKind::Group,
                    _ => NodeKind::Role,
                });
                out.changes.push(fact(all.clone(), Arc::new(c)));
            }
            continue;
        }
        let targets: Vec<(&str, Vec<NodeIdx>)> = match changes {
            Changes::Role => account.roles.iter().filter_map(|r| nodes.get(&r.arn).map(|n| (r.arn.as_str(), vec![n]))).collect(),
            Changes::User => account.users.iter().filter_map(|u| nodes.get(&u.arn).map(|n| (u.arn.as_str(), vec![n]))).collect(),
            Changes::Group => {
                account.groups.iter().filter_map(|g| nodes.get(&g.arn).map(|n| (g.arn.as_str(), vec![n]))).collect()
            }
            Changes::PolicyVersion => account
                .policies
                .iter()
                .filter_map(|p| cx.env.attachments.get(&p.arn).map(|t| (p.arn.as_str(), t.clone())))
                .collect(),
        };
        for (resource, mut changed) in targets {
            if !cx.a.may(action, resource) {
                continue;
            }
            let Some(c) = cx.decide(action, &Arc::from(resource), ctx) else { continue };
            changed.sort_unstable();
            changed.dedup();
            out.changes.push(fact(changed.into(), Arc::new(c)));
        }
    }
}

/// The key under which [`uniform`] remembers what statements select of a list of change
/// targets (the list's address: it lives as long as the build).
fn change_set_id(list: &Arc<[NodeIdx]>) -> uniform::SetId {
    uniform::SetId::List(Arc::as_ptr(list) as *const NodeIdx as usize)
}
