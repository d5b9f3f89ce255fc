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
pub(crate) mod witness;

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use eval::Context;

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
}

impl Cx<'_, '_> {
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
        self.passed_to
            .entry(service)
            .or_insert_with(|| context::with_key(&self.a.known, "iam:PassedToService", service))
            .clone()
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

/// The privilege-escalation edges and change facts of one actor. Administrators have none:
/// they already reach everything of their account.
pub(crate) fn actor_edges(env: &Env<'_>, a: &Actor<'_>, out: &mut Out) {
    if a.admin {
        return;
    }
    let mut cx = Cx { env, a, witness: HashMap::new(), passed_to: HashMap::new() };
    for spec in PATHS {
        match spec.mechanism {
            Mechanism::AssumeRole | Mechanism::Change { .. } => {}
            Mechanism::NewPassRole { services, instance_profile } => service_roles(&mut cx, spec, services, instance_profile, None, out),
            Mechanism::ExistingServiceRole { services, instance_profile, resource } => {
                if env.options.assume_unlisted_resources {
                    service_roles(&mut cx, spec, services, instance_profile, Some(resource), out);
                }
            }
            Mechanism::Ec2Instance => compute(&mut cx, spec, NodeKind::Ec2Instance, None, out),
            Mechanism::LambdaFunction { needs_trigger } => {
                let assumption = needs_trigger.then_some("the function's triggers invoke it after its code changes");
                compute(&mut cx, spec, NodeKind::LambdaFunction, assumption, out);
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
                let Some(pass) = cx.decide("iam:PassRole", &cx.env.nodes.id(to), &ctx) else { continue };
                way_checks.push(Arc::new(pass));
                Vec::new()
            } else {
                let what = unlisted.unwrap_or("resource");
                vec![assumed.get_or_insert_with(|| Arc::from(format!("an existing {what} runs as this role (the snapshot does not list them)"))).clone()]
            };
            way_checks.extend(checks.iter().cloned());
            way_checks.push(trust.clone());
            cx.draft(spec, to, way_checks, assumptions, out);
        }
    }
}

/// Paths into an EC2 instance or a Lambda function of the snapshot.
fn compute(cx: &mut Cx<'_, '_>, spec: &PathSpec, kind: NodeKind, assumption: Option<&'static str>, out: &mut Out) {
    if !cx.a.may_do_all(spec.actions) {
        return;
    }
    let Some(list) = cx.env.compute.get(&cx.a.account) else { return };
    let mut done: Vec<NodeIdx> = Vec::new();
    for c in list.iter().filter(|c| c.kind == kind) {
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
            let Some(ch) = cx.decide(action, &Arc::from(resource), &cx.a.ctx) else { break };
            checks.push(Arc::new(ch));
        }
        if checks.len() != spec.actions.len() {
            continue;
        }
        cx.draft(spec, c.node, checks, assumption.iter().map(|a| Arc::from(*a)).collect(), out);
    }
}

/// Paths to a user's credentials.
fn users(cx: &mut Cx<'_, '_>, spec: &PathSpec, login_profile: Option<bool>, delete_key: bool, out: &mut Out) {
    if !cx.a.may_do_all(spec.actions) {
        return;
    }
    let Some(account) = cx.env.snapshot.account(&cx.a.account) else { return };
    for u in &account.users {
        let Some(to) = cx.env.nodes.get(&u.arn) else { continue };
        if !spec.actions.iter().all(|x| cx.a.may(x, &u.arn)) {
            continue;
        }
        let row = account.credentials(&u.arn);
        let mut assumptions = Vec::new();
        match (login_profile, row.and_then(|r| r.password_enabled)) {
            (Some(want), Some(has)) if want != has => continue,
            (Some(true), None) => assumptions.push("the user has a console password (no credential report says)".to_owned()),
            (Some(false), None) => assumptions.push("the user has no console password (no credential report says)".to_owned()),
            _ => {}
        }
        if login_profile.is_none() && !delete_key {
            match row {
                Some(r) if r.access_keys.iter().filter(|k| k.active || k.last_rotated.is_some()).count() >= 2 => continue,
                None => assumptions.push("the user has fewer than two access keys (no credential report says)".to_owned()),
                Some(_) => {}
            }
        }
        let resource = cx.env.nodes.id(to);
        let checks: Option<Vec<Arc<Check>>> = spec.actions.iter().map(|x| cx.decide(x, &resource, &cx.a.ctx).map(Arc::new)).collect();
        let Some(checks) = checks else { continue };
        cx.draft(spec, to, checks, assumptions.into_iter().map(Arc::from).collect(), out);
    }
}

/// `iam:UpdateAssumeRolePolicy`: rewrite a role's trust to name oneself, then assume it.
fn update_trust(cx: &mut Cx<'_, '_>, spec: &PathSpec, out: &mut Out) {
    let action = "iam:UpdateAssumeRolePolicy";
    if cx.a.grant(action).is_none() {
        return;
    }
    let Some(roles) = cx.env.ix.by_owner.get(&cx.a.account) else { return };
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
        rewritten.resource(format!("{} trust policy as rewritten to name the caller", role.arn), crate::engine::trust_naming(&cx.a.arn));
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

/// Facts: which principals' permissions the actor can change.
fn changes(cx: &mut Cx<'_, '_>, out: &mut Out) {
    let Some(account) = cx.env.snapshot.account(&cx.a.account) else { return };
    let partition = policy::Arn::parse(&cx.a.arn).map_or("aws", |x| x.partition).to_owned();
    let attach_ctx = context::with_key(&cx.a.known, "iam:PolicyARN", &crate::admin::admin_policy_arn(&partition));
    let nodes = &cx.env.nodes;
    for (action, changes) in CHANGES {
        if cx.a.grant(action).is_none() {
            continue;
        }
        let ctx = if action.starts_with("iam:Attach") { &attach_ctx } else { &cx.a.ctx };
        let targets: Vec<(&str, Vec<NodeIdx>)> = match changes {
            Changes::Role => account.roles.iter().filter_map(|r| nodes.get(&r.arn).map(|n| (r.arn.as_str(), vec![n]))).collect(),
            Changes::User => account.users.iter().filter_map(|u| nodes.get(&u.arn).map(|n| (u.arn.as_str(), vec![n]))).collect(),
            Changes::Group => account.groups.iter().filter_map(|g| nodes.get(&g.arn).map(|n| (g.arn.as_str(), vec![n]))).collect(),
            Changes::PolicyVersion => account
                .policies
                .iter()
                .filter_map(|p| cx.env.attachments.get(&p.arn).map(|t| (p.arn.as_str(), t.clone())))
                .collect(),
        };
        for (resource, changed) in targets {
            if !cx.a.may(action, resource) {
                continue;
            }
            let Some(c) = cx.decide(action, &Arc::from(resource), ctx) else { continue };
            let c = Arc::new(c);
            for t in changed {
                out.changes.push(ChangeFact { changer: cx.a.node, target: t, action, check: c.clone(), gaps: cx.a.gaps.clone() });
            }
        }
    }
}
