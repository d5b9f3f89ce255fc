//! Can-assume edges: a caller can assume a role when the role's trust policy and the caller's
//! own policies allow it (for callers of the snapshot), decided by the engine with the caller's
//! partial context, over the candidate pairs the trust index gives.
//!
//! Candidates for a user or role of account `A`: the roles whose trust names it (by ARN, or a
//! session of it), the roles whose trust names `A` and that its identity policies could allow
//! `sts:AssumeRole` on, and (within [`crate::GraphOptions::wildcard_pair_budget`]) the roles
//! whose trust names `*` (in `A`: every one, since a same-account trust that names everyone
//! needs no identity permission; elsewhere: those its policies could allow).
//!
//! Callers that are not principals of the snapshot get edges from each role's trust:
//! services, SAML and OIDC providers (`AssumeRoleWithSAML`, `AssumeRoleWithWebIdentity`),
//! accounts and principals outside the snapshot and `*` (their own policies are unknown: an
//! allow-everything identity policy stands in, marked as an assumption), and the principals an
//! administrator of another account of the snapshot could create (the account's SCPs apply).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::actor::Actor;
use crate::build::{Draft, Env, Out, Trusting};
use crate::condition::NamedSet;
use crate::context;
use crate::engine::{allow_all, check, merged};
use crate::trust::Named;
use crate::types::{Check, EdgeKind, NodeIdx, Way};

fn union(a: &[String], b: &[String]) -> Vec<String> {
    if b.is_empty() {
        return a.to_vec();
    }
    let mut v: Vec<String> = a.iter().chain(b).cloned().collect();
    v.sort();
    v.dedup();
    v
}

/// The can-assume way of a check.
fn assume_way(
    path: Option<&'static str>,
    description: impl Into<Cow<'static, str>>,
    c: impl Into<Arc<Check>>,
    assumptions: Vec<String>,
) -> Way {
    Way {
        path,
        description: description.into(),
        checks: vec![c.into()],
        via: Vec::new(),
        assumptions: assumptions.into_iter().map(Arc::from).collect(),
    }
}

/// Whether the wildcard pairs fit the budget. Same-account pairs are counted per account; the
/// others are counted actor by actor until the budget is exceeded.
pub(crate) fn wildcard_within_budget(env: &Env<'_>) -> bool {
    let budget = env.options.wildcard_pair_budget;
    if env.ix.wildcard.is_empty() {
        return true;
    }
    let mut per_account: HashMap<&str, u64> = HashMap::new();
    for r in &env.ix.wildcard {
        if let Some(role) = env.ix.role(*r) {
            *per_account.entry(role.account_id.as_str()).or_default() += 1;
        }
    }
    let total = env.ix.wildcard.len() as u64;
    let mut n: u64 = 0;
    for a in &env.actors {
        let same = per_account.get(a.account.as_str()).copied().unwrap_or(0);
        n += same;
        match a.grant("sts:AssumeRole") {
            None => {}
            Some(g) if g.any => n += total - same,
            Some(_) => {
                n += env
                    .ix
                    .wildcard
                    .iter()
                    .filter_map(|r| env.ix.role(*r))
                    .filter(|role| role.account_id != a.account && a.may("sts:AssumeRole", &role.arn))
                    .count() as u64;
            }
        }
        if n > budget {
            return false;
        }
    }
    true
}

/// The candidate roles of an actor, deduplicated: those whose trust decides alike for every
/// caller of the account (`shared`), or the others (named directly, or with conditions on who
/// the caller is).
fn candidates(env: &Env<'_>, a: &Actor<'_>, shared: bool) -> Vec<u32> {
    let mut c: Vec<u32> = Vec::new();
    let ix = &env.ix;
    let uniform = |i: &u32| env.uniform.get(*i as usize).copied().unwrap_or(false) == shared;
    let same = |i: &u32| ix.role(*i).is_some_and(|r| r.account_id == a.account);
    let may = |i: &u32| ix.role(*i).is_some_and(|r| a.may("sts:AssumeRole", &r.arn));
    if !shared {
        let direct: &[u32] = match (a.role, a.user) {
            (Some(r), _) => ix.by_role.get(&(r.account_id.clone(), r.name.clone())).map_or(&[], Vec::as_slice),
            (_, Some(u)) => ix.by_user.get(&u.arn).map_or(&[], Vec::as_slice),
            _ => &[],
        };
        c.extend(direct.iter().filter(|i| same(i) || may(i)));
    }
    if let Some(v) = ix.by_account.get(&a.account) {
        c.extend(v.iter().filter(|i| uniform(i) && may(i)));
    }
    if env.wildcard_expanded {
        c.extend(ix.wildcard.iter().filter(|i| uniform(i) && (same(i) || may(i))));
    }
    c.sort_unstable();
    c.dedup();
    c
}

/// The id of the capability node "assume any role of `to` whose trust policy allows every user
/// (or every role) of `from`".
pub(crate) fn capability_id(from: &str, to: &str, user: bool) -> String {
    format!("capability:sts-001:{from}:{to}:{}", if user { "users" } else { "roles" })
}

pub(crate) fn capability_label(from: &str, to: &str, user: bool) -> String {
    let who = if user { "users" } else { "roles" };
    format!("assumes the role (sts-001): any role of {to} whose trust policy allows every one of the {who} of {from}")
}

/// Whether a role's trust (and its account's RCPs) decide alike for every caller of an account
/// of a kind, and name no one beyond accounts: it can be a target of a can-assume capability.
pub(crate) fn capability_target(env: &Env<'_>, i: u32) -> bool {
    let (Some(names), Some(side)) = (env.ix.names.get(i as usize), env.resource_sides.get(i as usize)) else { return false };
    env.uniform.get(i as usize).copied().unwrap_or(false)
        && !names.iter().any(|n| matches!(n, crate::trust::Named::Anyone))
        && !side.set.set.entries().iter().any(|e| e.policy.statements.iter().any(crate::class::statement_is_specific))
}

/// The edges from each can-assume capability node to the roles whose trust allows its callers
/// (decided for a stand-in caller of the kind: the trust names only the account), the
/// capability nodes that have some, and their targets (ids and role positions).
pub(crate) fn capability_edges(env: &Env<'_>) -> AssumeCapabilities {
    let mut out = AssumeCapabilities::default();
    for ((from, to_account, user), &cap) in &env.assume_capabilities {
        let (caller, known) = context::any_principal(env.snapshot, from, *user, env.options.now);
        let caller: Arc<str> = Arc::from(caller);
        let ctx = known.context();
        let mut identity = eval::PolicySet::new();
        identity.identity(
            format!("the identity policies of the caller (decided on its edge into {})", env.nodes.id(cap)),
            allow_all(),
        );
        let identity = NamedSet::of(identity);
        let mut roles: Vec<u32> = Vec::new();
        let mut keys: Vec<Option<String>> = Vec::new();
        for i in env.ix.by_account.get(from).into_iter().flatten() {
            let (Some(role), Some(side), Some(&to)) =
                (env.ix.role(*i), env.resource_sides.get(*i as usize), env.role_node.get(*i as usize))
            else {
                continue;
            };
            if role.account_id != *to_account || !capability_target(env, *i) || roles.contains(i) {
                continue;
            }
            roles.push(*i);
            let r = check(&merged(&identity, &side.set), &caller, "sts:AssumeRole", &env.nodes.id(to), &ctx);
            env.count(&r);
            let Ok(mut c) = r else { continue };
            c.principal = Some(caller.clone());
            keys.extend(condition_keys(&c));
            out.edges.push(crate::types::Edge::new(
                cap,
                to,
                EdgeKind::CanAssume,
                assume_way(Some("sts-001"), "assumes the role (sts:AssumeRole)", c, Vec::new()),
                side.gaps.clone(),
            ));
        }
        if !roles.is_empty() {
            out.live.entry(((*from).clone(), *user)).or_default().push(cap);
            out.targets
                .insert(cap, roles.iter().filter_map(|i| env.role_node.get(*i as usize)).map(|n| env.nodes.id(*n)).collect());
            out.roles.insert(cap, roles);
            keys.sort();
            keys.dedup();
            out.keys.insert(cap, keys);
        }
    }
    for v in out.live.values_mut() {
        v.sort_unstable();
    }
    out
}

/// What [`capability_edges`] finds.
#[derive(Default)]
pub(crate) struct AssumeCapabilities {
    pub edges: Vec<crate::types::Edge>,
    /// `(caller account, users?)` → the capability nodes that have targets.
    pub live: HashMap<(String, bool), Vec<NodeIdx>>,
    pub targets: HashMap<NodeIdx, Vec<Arc<str>>>,
    /// The roles each capability node stands for, by trust index position.
    pub roles: HashMap<NodeIdx, Vec<u32>>,
    /// The condition keys of the trust checks on each capability node's edges (lower case;
    /// `None` for what the engine could not evaluate).
    pub keys: HashMap<NodeIdx, Vec<Option<String>>>,
}

/// The keys a check's condition depends on (lower case; `None` for an atom without a key).
fn condition_keys(c: &Check) -> Vec<Option<String>> {
    c.condition.as_ref().map_or_else(Vec::new, |cond| cond.atoms.iter().map(|a| a.key().map(str::to_ascii_lowercase)).collect())
}

/// The can-assume edges of an actor to capability nodes: one per account whose roles trust the
/// actor's account, when its own policies decide `sts:AssumeRole` alike on all of them.
/// Returns the roles so covered.
fn capability_assumes(env: &Env<'_>, a: &Actor<'_>, out: &mut Out) -> Vec<u32> {
    let mut covered: Vec<u32> = Vec::new();
    if !matches!(a.kind, crate::types::NodeKind::User | crate::types::NodeKind::Role) {
        return covered;
    }
    let Some(caps) = env.assume_live.get(&(a.account.clone(), a.kind == crate::types::NodeKind::User)) else { return covered };
    for cap in caps {
        let (Some(targets), Some(roles)) = (env.capability_targets.get(cap), env.assume_roles.get(cap)) else { continue };
        let Some(one) = targets.first() else { continue };
        if !crate::privesc::uniform::uniform(&a.set.set, &["sts:AssumeRole"], targets, *cap) {
            continue;
        }
        if !a.may("sts:AssumeRole", one) {
            covered.extend(roles.iter().copied());
            continue;
        }
        let partition = policy::Arn::parse(&a.arn).map_or("aws", |x| x.partition);
        let mut trust = eval::PolicySet::new();
        trust.resource(
            format!("the trust policy of each role of the capability (decided on its edges out of {})", env.nodes.id(*cap)),
            crate::engine::trust_naming(&format!("arn:{partition}:iam::{}:root", a.account)),
        );
        let set = merged(&a.set, &NamedSet::of(trust));
        let r = check(&set, &a.arn, "sts:AssumeRole", one, &a.ctx);
        env.count(&r);
        let Ok(mut c) = r else {
            // Refused by the caller's own policies: refused for every role.
            covered.extend(roles.iter().copied());
            continue;
        };
        // The caller's condition and a role's trust condition together could contradict each
        // other (the engine finds that only when it decides both in one request): when they
        // share a key, or either has what the engine could not evaluate, decide role by role.
        let mine = condition_keys(&c);
        let theirs = env.assume_keys.get(cap).map_or(&[][..], Vec::as_slice);
        if !mine.is_empty() && (mine.iter().any(|k| k.is_none() || theirs.contains(k)) || theirs.iter().any(Option::is_none)) {
            continue;
        }
        // The capability's trusts were decided for a caller that may carry MFA: a caller that
        // cannot meets no trust that requires it, so it decides role by role.
        if a.without_mfa() && theirs.iter().flatten().any(|k| k == "aws:multifactorauthpresent" || k == "aws:multifactorauthage")
        {
            continue;
        }
        covered.extend(roles.iter().copied());
        c.principal = a.stand_in();
        let to_account = env.nodes.nodes.get(*cap as usize).and_then(|n| n.account.clone()).unwrap_or_default();
        c.resource = crate::engine::shared_resource(&format!("arn:{partition}:iam::{to_account}:role/*"));
        out.push(Draft {
            from: a.node,
            to: *cap,
            kind: EdgeKind::CanAssume,
            way: assume_way(Some("sts-001"), "assumes the role (sts:AssumeRole)", c, Vec::new()),
            gaps: a.gaps.clone(),
        });
    }
    covered.sort_unstable();
    covered
}

/// The can-assume edges of an actor to the roles whose trust decides alike for every caller of
/// its account (`shared`, the same for every principal of its class), or to the others.
pub(crate) fn actor_edges(env: &Env<'_>, a: &Actor<'_>, shared: bool, out: &mut Out) {
    let mut cands = candidates(env, a, shared);
    if shared {
        let covered = capability_assumes(env, a, out);
        if !covered.is_empty() {
            cands.retain(|i| covered.binary_search(i).is_err());
        }
    }
    env.candidates.fetch_add(cands.len() as u64, Ordering::Relaxed);
    for i in cands {
        let (Some(side), Some(&to)) = (env.resource_sides.get(i as usize), env.role_node.get(i as usize)) else {
            continue;
        };
        let set = merged(&a.set, &side.set);
        let r = check(&set, &a.arn, "sts:AssumeRole", &env.nodes.id(to), &a.ctx);
        env.count(&r);
        let Ok(mut c) = r else { continue };
        c.principal = a.stand_in();
        out.push(Draft {
            from: a.node,
            to,
            kind: EdgeKind::CanAssume,
            way: assume_way(Some("sts-001"), "assumes the role (sts:AssumeRole)", c, Vec::new()),
            gaps: union(&a.gaps, &side.gaps),
        });
    }
}

/// Which roles trust which services: the checks, by `(account, service)`; also the edges from
/// the service nodes.
pub(crate) fn service_trust(env: &Env<'_>, out: &mut Out) -> Trusting {
    let mut map = Trusting::new();
    let ctx = context::unknown();
    for (service, roles) in &env.ix.by_service {
        let Some(from) = env.nodes.get(service) else { continue };
        let caller = env.nodes.id(from);
        for i in roles {
            let (Some(role), Some(side), Some(&to)) =
                (env.ix.role(*i), env.resource_sides.get(*i as usize), env.role_node.get(*i as usize))
            else {
                continue;
            };
            // An identity pool's role trusts Cognito as a federated principal: its users get the
            // role's credentials through sts:AssumeRoleWithWebIdentity, and that can-assume edge
            // is the provider's (`outsider_edges`); the trust is kept for the paths that pass a
            // role to Cognito.
            let web = service == crate::privesc::spec::COGNITO_IDENTITY;
            let action = if web { "sts:AssumeRoleWithWebIdentity" } else { "sts:AssumeRole" };
            let r = check(&side.set, &caller, action, &env.nodes.id(to), &ctx);
            env.count(&r);
            let Ok(mut c) = r else { continue };
            c.principal = Some(caller.clone());
            let c = Arc::new(c);
            if web {
                map.entry((role.account_id.clone(), service.clone())).or_default().push((*i, c));
                continue;
            }
            out.push(Draft {
                from,
                to,
                kind: EdgeKind::CanAssume,
                way: assume_way(None, "the service assumes the role (sts:AssumeRole)", c.clone(), Vec::new()),
                gaps: side.gaps.clone(),
            });
            map.entry((role.account_id.clone(), service.clone())).or_default().push((*i, c));
        }
    }
    map
}

fn partition(arn: &str) -> &str {
    policy::Arn::parse(arn).map_or("aws", |a| a.partition)
}

/// Edges to role `i` from what its trust names outside the snapshot's principals.
pub(crate) fn outsider_edges(env: &Env<'_>, i: u32, out: &mut Out) {
    let (Some(role), Some(side), Some(names), Some(&to)) =
        (env.ix.role(i), env.resource_sides.get(i as usize), env.ix.names.get(i as usize), env.role_node.get(i as usize))
    else {
        return;
    };
    let resource = env.nodes.id(to);
    let p = partition(&role.arn);
    let assumed = |who: &str| format!("the policies of {who} allow it to call sts:AssumeRole (they are not in the snapshot)");
    // A caller whose own policies are unknown: an allow-everything identity policy stands in.
    let external = |out: &mut Out, from: Option<NodeIdx>, caller: &str, known: context::Known, assumption: String| {
        let Some(from) = from else { return };
        let mut set = eval::PolicySet::new();
        set.identity(format!("assumed: the identity policies of {}", env.nodes.id(from)), allow_all());
        let set = merged(&NamedSet::of(set), &side.set);
        let caller: Arc<str> = Arc::from(caller);
        let r = check(&set, &caller, "sts:AssumeRole", &resource, &known.context());
        env.count(&r);
        let Ok(mut c) = r else { return };
        c.principal = Some(caller);
        out.push(Draft {
            from,
            to,
            kind: EdgeKind::CanAssume,
            way: assume_way(Some("sts-001"), "assumes the role (sts:AssumeRole)", c, vec![assumption]),
            gaps: side.gaps.clone(),
        });
    };
    let created_from = |out: &mut Out, account: &str| {
        let (Some(base), Some(from)) = (env.created.get(account), env.admin_node(account)) else { return };
        let set = merged(base, &side.set);
        let caller: Arc<str> = Arc::from(format!("arn:{p}:iam::{account}:role/rolegraph-created-by-admin"));
        let r = check(
            &set,
            &caller,
            "sts:AssumeRole",
            &resource,
            &context::created_in(env.snapshot, account, env.options.now).context(),
        );
        env.count(&r);
        let Ok(mut c) = r else { return };
        c.principal = Some(caller);
        out.push(Draft {
            from,
            to,
            kind: EdgeKind::CanAssume,
            way: assume_way(
                Some("sts-001"),
                format!("a principal that an administrator of {account} creates assumes the role"),
                c,
                vec![format!("an administrator of {account} creates a principal, or gives one the permission, to assume it")],
            ),
            gaps: side.gaps.clone(),
        });
    };
    for n in names {
        match n {
            Named::Service(_) => {} // see service_trust
            Named::Federated(f) => {
                let action =
                    if f.contains(":saml-provider/") { "sts:AssumeRoleWithSAML" } else { "sts:AssumeRoleWithWebIdentity" };
                let Some(from) = env.nodes.get(f) else { continue };
                let r = check(&side.set, &env.nodes.id(from), action, &resource, &context::unknown());
                env.count(&r);
                let Ok(c) = r else { continue };
                out.push(Draft {
                    from,
                    to,
                    kind: EdgeKind::CanAssume,
                    way: assume_way(
                        None,
                        if action.ends_with("SAML") {
                            "users of the identity provider assume the role (sts:AssumeRoleWithSAML)"
                        } else {
                            "users of the identity provider assume the role (sts:AssumeRoleWithWebIdentity)"
                        },
                        c,
                        Vec::new(),
                    ),
                    gaps: side.gaps.clone(),
                });
            }
            Named::Account(a) => {
                if env.snapshot.account(a).is_some() {
                    if *a != role.account_id {
                        created_from(out, a);
                    }
                } else {
                    let from = env.nodes.get(&format!("external-account:{a}"));
                    external(
                        out,
                        from,
                        &format!("arn:{p}:iam::{a}:root"),
                        context::external(a, None),
                        assumed(&format!("account {a}")),
                    );
                }
            }
            Named::User { arn, account } | Named::Role { arn, account, .. } => {
                if let Some(acct) = env.snapshot.account(account) {
                    let known = match n {
                        Named::Role { name, .. } => acct.role_by_name(name).is_some(),
                        _ => acct.user(arn).is_some(),
                    };
                    if !known {
                        out.notes
                            .push(format!("the trust policy of `{}` names `{arn}`, which the snapshot does not have", role.arn));
                    }
                    continue;
                }
                external(out, env.nodes.get(arn), arn, context::external(account, Some(arn)), assumed(&format!("`{arn}`")));
            }
            Named::Anyone => {
                let caller = format!("arn:{p}:iam::000000000000:role/anyone");
                external(out, env.nodes.get("*"), &caller, context::Known::new(), assumed("any AWS principal"));
                for a in &env.snapshot.accounts {
                    if a.id != role.account_id {
                        created_from(out, &a.id);
                    }
                }
            }
            Named::Other(v) => {
                out.notes.push(format!("the trust policy of `{}` names `{v}`, which names no principal the graph knows (a deleted principal's unique id?)", role.arn));
            }
        }
    }
}
