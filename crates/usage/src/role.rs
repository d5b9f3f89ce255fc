//! Granted against used, per role: the actions a role's identity policies grant (expanded with
//! the catalog and each checked with the engine for a session of the role), the ones it used in
//! the window, the ones granted but never used, the services the last-accessed data says it
//! never used, who assumed it, and the roles of the snapshot not used at all.

use catalog::{ActionSet, Catalog};
use eval::{Context, Outcome, Request, Unknowns, evaluate};
use model::{Role, Snapshot, Timestamp};
use policy::{Block, Effect};
use serde::Serialize;

use crate::aggregate::{ActionUsage, AssumeEdge, SCHEMA_VERSION, Usage};

/// A session ARN of the role, the principal that makes calls.
pub fn session_arn(role: &Role) -> String {
    let partition = policy::Arn::parse(&role.arn).map_or("aws", |a| a.partition);
    format!("arn:{partition}:sts::{}:assumed-role/{}/rolegraph-usage", role.account_id, role.name)
}

/// The outcome of a decision for the identity side alone: a request that only lacks a
/// resource-based policy (a role of another account, whose trust policy is that account's
/// business; a KMS key whose key policy is not in the set) counts as `Allowed` when nothing
/// else (a Deny, an SCP, a boundary) stands in its way.
pub(crate) fn identity_outcome(d: &eval::Decision) -> Outcome {
    match d.outcome {
        Outcome::ImplicitlyDenied if d.blocked_by.iter().all(|k| *k == eval::PolicyKind::Resource) => Outcome::Allowed,
        o => o,
    }
}

/// What a role's identity side grants.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Granted {
    /// Actions allowed on some resource, sorted.
    pub actions: Vec<String>,
    /// Of those, the ones allowed only under conditions.
    pub conditional: Vec<String>,
    /// What the snapshot lacks for this role's policies.
    pub gaps: Vec<String>,
}

/// The actions a role is granted: every action of an `Allow` statement of its identity policies
/// (expanded with the catalog), checked with the engine on the statement's resources for a
/// session of the role, with unknown condition keys (so `Conditional` counts as granted, and is
/// listed as conditional).
pub fn granted_actions(snapshot: &Snapshot, role: &Role) -> Granted {
    let catalog = Catalog::get();
    let assembled = access::role_identity(snapshot, role);
    let principal = session_arn(role);
    let context = Context::new().with_unknowns(Unknowns::All);
    let mut granted = catalog.empty_set();
    let mut conditional = catalog.empty_set();
    for entry in assembled.set.entries() {
        if entry.kind != eval::PolicyKind::Identity {
            continue;
        }
        for s in &entry.policy.statements {
            if s.effect != Effect::Allow {
                continue;
            }
            let resources: Vec<&str> = match &s.resource {
                Some(Block::Only(items)) => items.iter().map(|r| r.raw.as_str()).collect(),
                _ => vec!["*"],
            };
            let candidates = catalog.expand_block(&s.action);
            for id in candidates.iter() {
                if granted.contains(id) && !conditional.contains(id) {
                    continue;
                }
                let Some(name) = catalog.name(id) else { continue };
                for r in &resources {
                    let req =
                        Request { principal: &principal, action: name, resource: r, resource_account: None, context: &context };
                    match identity_outcome(&evaluate(&req, &assembled.set)) {
                        Outcome::Allowed => {
                            granted.insert(id);
                            conditional.remove(id);
                            break;
                        }
                        Outcome::Conditional if !granted.contains(id) => {
                            granted.insert(id);
                            conditional.insert(id);
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    Granted { actions: names(catalog, &granted), conditional: names(catalog, &conditional), gaps: assembled.gaps }
}

fn names(catalog: &Catalog, set: &ActionSet) -> Vec<String> {
    let mut v: Vec<String> = set.iter().filter_map(|id| catalog.name(id).map(str::to_owned)).collect();
    v.sort();
    v
}

/// A service the last-accessed data says the role did not use (in the window, when one is set).
#[derive(Clone, Debug, Serialize)]
pub struct UnusedService {
    pub namespace: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `None`: never, as far as the report goes.
    pub last_authenticated: Option<Timestamp>,
}

/// Everything known about one role's use.
#[derive(Clone, Debug, Serialize)]
pub struct RoleUsage {
    pub schema_version: u32,
    pub role: String,
    /// Whether the role is in the snapshot (its grants are known).
    pub in_snapshot: bool,
    /// The window the trail was read in (absent: unbounded on that side).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_from: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_to: Option<Timestamp>,
    /// Whether the role made any call that passed authorization in the window.
    pub active: bool,
    pub events: u64,
    pub denied: u64,
    pub first_seen: Option<Timestamp>,
    pub last_seen: Option<Timestamp>,
    pub used: Vec<ActionUsage>,
    pub granted_count: usize,
    /// Granted actions not used in the window, sorted.
    pub granted_unused: Vec<String>,
    /// Services (action prefixes) of which the role is granted some action but used none in
    /// the window, sorted.
    pub granted_services_unused: Vec<String>,
    /// Used actions that the current identity policies do not grant (granted by a resource
    /// policy, or policies changed since).
    pub used_not_granted: Vec<String>,
    pub unused_services: Vec<UnusedService>,
    /// Whether a last-accessed report for the role was in the exports.
    pub last_accessed_known: bool,
    pub assumers: Vec<AssumeEdge>,
    pub gaps: Vec<String>,
    /// When the role was last used, from one source: the newest of the trail's last call and
    /// IAM's `RoleLastUsed` (which sees every region and data events the trail may not log).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_used: Option<LastUse>,
}

/// When a role was last used, and which record says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LastUse {
    pub at: Timestamp,
    /// `trail` or `role-last-used`.
    pub source: &'static str,
}

/// The newest of the trail's last call and `RoleLastUsed` (the trail wins a tie).
pub fn last_use(trail: Option<Timestamp>, role_last_used: Option<Timestamp>) -> Option<LastUse> {
    match (trail, role_last_used) {
        (Some(t), Some(r)) if r > t => Some(LastUse { at: r, source: "role-last-used" }),
        (Some(t), _) => Some(LastUse { at: t, source: "trail" }),
        (None, Some(r)) => Some(LastUse { at: r, source: "role-last-used" }),
        (None, None) => None,
    }
}

/// The usage report of one role (of the snapshot, or seen only in the trail): what `rolegraph
/// role --trail`, `rolegraph usage --role` and the findings show, serialisable as is.
pub fn role_usage(snapshot: &Snapshot, usage: &Usage, role_arn: &str) -> RoleUsage {
    let role = snapshot.role(role_arn);
    let p = usage.principal(role_arn);
    let used: Vec<ActionUsage> =
        p.map(|p| p.actions.iter().filter(|a| a.count > 0 || a.denied > 0).cloned().collect()).unwrap_or_default();
    let granted = role.map(|r| granted_actions(snapshot, r)).unwrap_or_default();
    let used_names: std::collections::BTreeSet<&str> = used.iter().filter(|a| a.count > 0).map(|a| a.action.as_str()).collect();
    let granted_unused: Vec<String> = granted.actions.iter().filter(|a| !used_names.contains(a.as_str())).cloned().collect();
    let prefix = |a: &str| a.split_once(':').map_or(a, |(p, _)| p).to_owned();
    let used_services: std::collections::BTreeSet<String> = used_names.iter().map(|a| prefix(a)).collect();
    let granted_services_unused: Vec<String> = granted
        .actions
        .iter()
        .map(|a| prefix(a))
        .collect::<std::collections::BTreeSet<String>>()
        .into_iter()
        .filter(|s| !used_services.contains(s))
        .collect();
    let used_not_granted: Vec<String> = if role.is_some() {
        used_names
            .iter()
            .filter(|a| granted.actions.binary_search_by(|g| g.as_str().cmp(a)).is_err())
            .map(|a| (*a).to_owned())
            .collect()
    } else {
        Vec::new()
    };
    let (unused_services, last_accessed_known) = match role {
        Some(r) => unused_services(snapshot, r, usage.window_from),
        None => (Vec::new(), false),
    };
    RoleUsage {
        schema_version: SCHEMA_VERSION,
        role: role.map_or_else(|| p.map_or_else(|| role_arn.to_owned(), |p| p.arn.clone()), |r| r.arn.clone()),
        in_snapshot: role.is_some(),
        window_from: usage.window_from,
        window_to: usage.window_to,
        active: p.is_some_and(|p| p.events > 0),
        events: p.map_or(0, |p| p.events),
        denied: p.map_or(0, |p| p.denied),
        first_seen: p.and_then(|p| p.first_seen),
        last_seen: p.and_then(|p| p.last_seen),
        used,
        granted_count: granted.actions.len(),
        granted_unused,
        granted_services_unused,
        used_not_granted,
        unused_services,
        last_accessed_known,
        assumers: usage.assumers_of(role_arn).cloned().collect(),
        gaps: granted.gaps,
        last_used: last_use(
            p.filter(|p| p.events > 0).and_then(|p| p.last_seen),
            role.and_then(|r| r.role_last_used.as_ref()).and_then(|u| u.date),
        ),
    }
}

/// Services of the role's last-accessed report never used, or not since `since`.
pub fn unused_services(snapshot: &Snapshot, role: &Role, since: Option<Timestamp>) -> (Vec<UnusedService>, bool) {
    let Some(account) = snapshot.account(&role.account_id) else { return (Vec::new(), false) };
    let Some(report) = account.service_last_accessed.iter().find(|r| r.entity_arn.as_deref() == Some(role.arn.as_str())) else {
        return (Vec::new(), false);
    };
    let out = report
        .services
        .iter()
        .filter(|s| match (s.last_authenticated, since) {
            (None, _) => true,
            (Some(t), Some(since)) => t < since,
            (Some(_), None) => false,
        })
        .map(|s| UnusedService {
            namespace: s.service_namespace.clone(),
            name: s.service_name.clone(),
            last_authenticated: s.last_authenticated,
        })
        .collect();
    (out, true)
}

/// One line of the roles table.
#[derive(Clone, Debug, Serialize)]
pub struct RoleSummary {
    pub role: String,
    pub in_snapshot: bool,
    pub used_actions: usize,
    pub granted_unused: usize,
    /// The one "last used" ([`RoleUsage::last_used`]): the newest of the trail and
    /// `RoleLastUsed`.
    pub last_activity: Option<Timestamp>,
    /// Which record `last_activity` comes from: `trail` or `role-last-used`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_activity_source: Option<&'static str>,
    /// Observed assumers (callers of `AssumeRole*`).
    pub assumers: Vec<String>,
}

/// The roles table: every role of the snapshot and every role seen in the trail.
#[derive(Clone, Debug, Serialize)]
pub struct Overview {
    pub schema_version: u32,
    pub roles: Vec<RoleSummary>,
    /// Roles of the snapshot with no event in the window, and no use in it per `RoleLastUsed`
    /// either.
    pub unused_roles: Vec<String>,
    /// Roles with no event in the trail's window that `RoleLastUsed` shows used in it: the
    /// trail misses their calls (a region, an account or data events it does not log). Not
    /// unused.
    pub used_beyond_the_trail: Vec<String>,
}

pub fn overview(snapshot: &Snapshot, usage: &Usage) -> Overview {
    let mut arns: Vec<String> = snapshot.roles().map(|r| r.arn.clone()).collect();
    for p in &usage.principals {
        if p.kind == crate::PrincipalKind::Role
            && snapshot.role(&p.arn).is_none()
            && !snapshot.roles().any(|r| usage.principal(&r.arn).is_some_and(|q| q.arn == p.arn))
        {
            arns.push(p.arn.clone());
        }
    }
    arns.sort();
    arns.dedup();
    let mut roles = Vec::new();
    let mut unused_roles = Vec::new();
    let mut used_beyond_the_trail = Vec::new();
    // The window's start: given, else the trail's first event.
    let since = usage.window_from.or_else(|| usage.principals.iter().filter_map(|p| p.first_seen).min());
    for arn in arns {
        let r = role_usage(snapshot, usage, &arn);
        if r.in_snapshot && r.events == 0 && r.denied == 0 {
            let seen_by_iam = r.last_used.is_some_and(|u| u.source == "role-last-used" && since.is_none_or(|s| u.at >= s));
            if seen_by_iam {
                used_beyond_the_trail.push(arn.clone());
            } else {
                unused_roles.push(arn.clone());
            }
        }
        // A known vendor's role is only `AROA…:session` in the trail: named by its vendor.
        let mut assumers: Vec<String> = r
            .assumers
            .iter()
            .map(|e| match (&e.caller_vendor, &e.caller_account) {
                (Some(v), Some(a)) => format!("{v} ({a}): {}", e.caller),
                _ => e.caller.clone(),
            })
            .collect();
        assumers.dedup();
        roles.push(RoleSummary {
            role: r.role,
            in_snapshot: r.in_snapshot,
            used_actions: r.used.iter().filter(|a| a.count > 0).count(),
            granted_unused: r.granted_unused.len(),
            last_activity: r.last_used.map(|u| u.at),
            last_activity_source: r.last_used.map(|u| u.source),
            assumers,
        });
    }
    Overview { schema_version: SCHEMA_VERSION, roles, unused_roles, used_beyond_the_trail }
}
