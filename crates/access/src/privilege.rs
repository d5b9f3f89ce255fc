//! Privilege classification of what a role can do (as [`crate::permissions`] computed it):
//! admin-equivalent, permissions management, credential exposure, data access and resource
//! exposure, each with the grants and statements behind it, and one highest level per role for
//! tables, with the reason for it in words.
//!
//! The levels, from highest: `admin` > `privilege-escalation` = `permissions-management` >
//! `write` > `read` > `list` > `none`. `privilege-escalation` and `permissions-management` share a
//! rank (filters treat them alike). Tagging actions count as `write`.
//!
//! **One definition.** Administrator and privilege escalation are the authorization graph's
//! (`rolegraph-graph`: the engine's decisions on IAM writes, and the documented escalation
//! paths followed through roles and accounts to an administrator). [`classify`] decides what a
//! role's own permissions give; [`Privilege::settle`] then takes the graph's verdict
//! ([`GraphVerdict`]): `admin` when the graph makes the role an administrator,
//! `privilege-escalation` only when the graph finds a path from it to an administrator (so a role
//! that may assume read-only roles, or holds `rds:AddRoleToDBInstance` without `iam:PassRole`,
//! is not), and never for a service-linked role (only its service can act as it, and only AWS
//! can change its policies). Until it is settled, a privilege is that of the role's own
//! permissions: a lower bound, marked `settled: false`.
//!
//! A role's own permissions make it admin-equivalent when, on every resource (`*`):
//! - it may do every action, except those an explicit `Deny` refuses (`all-actions`); or
//! - it may do every IAM action of access level Write and Permissions management (`iam-full`):
//!   with those it can create a user or role with any policy; or
//! - it may attach or put any policy on itself (`self-modify`): `iam:AttachRolePolicy` or
//!   `iam:PutRolePolicy` on a pattern that covers its own ARN, or `iam:CreatePolicyVersion` on a
//!   customer-managed policy attached to it.
//!
//! A classification that holds only under conditions of the granting statements (MFA, a source
//! IP, a tag) is marked `conditional`; conditions that come only from guardrails (`Deny`
//! statements, such as an SCP's allowed regions) do not make it so.

use std::sync::Arc;

use catalog::{AccessLevel, ActionId, ActionSet, Catalog};
use model::Role;
use policy::{Pattern, ResourceMatcher};
use serde::Serialize;

use crate::lists::{ListKind, Lists};
use crate::permissions::{Grant, GrantOutcome, Permissions, StatementEvidence};

/// The highest privilege of a role, for tables and filters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PrivilegeLevel {
    None,
    List,
    Read,
    Write,
    PermissionsManagement,
    PrivilegeEscalation,
    Admin,
}

impl PrivilegeLevel {
    pub const ALL: [PrivilegeLevel; 7] = [
        PrivilegeLevel::None,
        PrivilegeLevel::List,
        PrivilegeLevel::Read,
        PrivilegeLevel::Write,
        PrivilegeLevel::PermissionsManagement,
        PrivilegeLevel::PrivilegeEscalation,
        PrivilegeLevel::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PrivilegeLevel::None => "none",
            PrivilegeLevel::List => "list",
            PrivilegeLevel::Read => "read",
            PrivilegeLevel::Write => "write",
            PrivilegeLevel::PermissionsManagement => "permissions-management",
            PrivilegeLevel::PrivilegeEscalation => "privilege-escalation",
            PrivilegeLevel::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<PrivilegeLevel> {
        PrivilegeLevel::ALL.into_iter().find(|l| l.as_str() == text)
    }

    /// The rank used to compare levels: privilege escalation and permissions management share one.
    pub fn rank(self) -> u8 {
        match self {
            PrivilegeLevel::None => 0,
            PrivilegeLevel::List => 1,
            PrivilegeLevel::Read => 2,
            PrivilegeLevel::Write => 3,
            PrivilegeLevel::PermissionsManagement | PrivilegeLevel::PrivilegeEscalation => 4,
            PrivilegeLevel::Admin => 5,
        }
    }

    /// Whether `self` is at least `other` (by rank).
    pub fn at_least(self, other: PrivilegeLevel) -> bool {
        self.rank() >= other.rank()
    }
}

impl std::fmt::Display for PrivilegeLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A category of privileged permissions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PrivilegeKind {
    AdminEquivalent,
    PermissionsManagement,
    CredentialExposure,
    DataAccess,
    ResourceExposure,
}

impl PrivilegeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PrivilegeKind::AdminEquivalent => "admin-equivalent",
            PrivilegeKind::PermissionsManagement => "permissions-management",
            PrivilegeKind::CredentialExposure => "credential-exposure",
            PrivilegeKind::DataAccess => "data-access",
            PrivilegeKind::ResourceExposure => "resource-exposure",
        }
    }

    /// The category of a list of sensitive actions. The privilege-escalation list is not one:
    /// escalation is the graph's (a path to an administrator), not a list of actions.
    fn of_list(k: ListKind) -> Option<PrivilegeKind> {
        match k {
            ListKind::PrivilegeEscalation => None,
            ListKind::CredentialExposure => Some(PrivilegeKind::CredentialExposure),
            ListKind::DataAccess => Some(PrivilegeKind::DataAccess),
            ListKind::ResourceExposure => Some(PrivilegeKind::ResourceExposure),
        }
    }
}

/// Why a role is admin-equivalent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AdminReason {
    AllActions,
    IamFull,
    SelfModify,
}

impl AdminReason {
    pub fn describe(self) -> &'static str {
        match self {
            AdminReason::AllActions => "every action on every resource (except what an explicit Deny refuses)",
            AdminReason::IamFull => "every IAM write and permissions-management action on every resource",
            AdminReason::SelfModify => "can attach or put any policy on itself",
        }
    }
}

/// Actions of a category that share the same grants.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PrivilegedGroup {
    pub actions: ActionList,
    /// Shared with the role's permissions when none of them is a denial (a role's categories
    /// often name the same list).
    pub grants: Arc<[Grant]>,
}

/// Action names kept as catalog ids (4 bytes each instead of a 16-byte reference: the
/// privilege of every role of a large organization names millions), serialised as names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ActionList(Vec<ActionId>);

impl ActionList {
    /// The names, in the catalog's order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &'static str> + Clone + '_ {
        let cat = Catalog::get();
        self.0.iter().map(move |a| cat.name(*a).unwrap_or(""))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the list names `action` (exactly as the catalog spells it).
    pub fn contains(&self, action: &str) -> bool {
        self.iter().any(|a| a == action)
    }
}

impl Serialize for ActionList {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

/// One category of privileged permissions the role has.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PrivilegedPermissions {
    pub kind: PrivilegeKind,
    /// For admin-equivalent: why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<AdminReason>,
    /// Whether every grant of the category is conditional.
    pub conditional: bool,
    /// How many actions.
    pub count: usize,
    pub groups: Vec<PrivilegedGroup>,
    /// Every statement behind the category, once.
    pub statements: Vec<StatementEvidence>,
}

/// The privilege of a role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Privilege {
    pub level: PrivilegeLevel,
    /// Whether the level holds only under conditions (or, for `privilege-escalation`, only
    /// under conditions or assumptions of the path).
    pub level_conditional: bool,
    /// Why the role has this level, in words.
    pub why: String,
    /// For `privilege-escalation`: the path to an administrator, one hop per entry
    /// (`FROM -KIND (pathfinding ids)-> TO`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<String>,
    /// What the path needs: the conditions and assumptions of its hops.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub path_needs: Vec<String>,
    /// Whether the graph's verdicts (administrator, escalation) are in the level; until they
    /// are, the level is that of the role's own permissions, a lower bound.
    pub settled: bool,
    /// A service-linked role: only its service can assume it and only AWS can change its
    /// policies, so it is never ranked `privilege-escalation`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub managed_by_aws: bool,
    pub categories: Vec<PrivilegedPermissions>,
    /// The level of the role's own permissions below administrator (`level`, conditional,
    /// why), for a verdict that the graph does not confirm.
    #[serde(skip)]
    below_admin: (PrivilegeLevel, bool, String),
}

/// What the authorization graph decides of a principal: the one definition of administrator
/// and of privilege escalation (see the module's documentation).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GraphVerdict {
    /// The engine allows the principal, unconditionally, every IAM write that gives any
    /// permission on its account (attach and put policies, pass roles, create keys, ...).
    pub admin: bool,
    /// A path from the principal to an administrator, when the graph has one.
    pub escalation: Option<EscalationVerdict>,
}

/// A path to an administrator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EscalationVerdict {
    /// The administrator reached (`administrator of production (111111111111)`).
    pub admin_of: String,
    /// One entry per hop: `FROM -KIND (pathfinding ids)-> TO`.
    pub steps: Vec<String>,
    /// What the path needs: the conditions and assumptions of its hops.
    pub notes: Vec<String>,
    /// Whether the path holds only under a condition or rests on an assumption.
    pub uncertain: bool,
}

impl Privilege {
    /// Takes the graph's verdict on the role (see the module's documentation).
    pub fn settle(&mut self, role: &Role, verdict: &GraphVerdict) {
        self.settled = true;
        self.managed_by_aws = role.is_service_linked();
        self.path.clear();
        self.path_needs.clear();
        if verdict.admin {
            if self.level != PrivilegeLevel::Admin || self.level_conditional {
                self.why = "administrator: the engine allows it every IAM write that gives any permission on its account \
                            (attach and put policies, pass roles, create access keys, change trust)"
                    .to_owned();
            }
            self.level = PrivilegeLevel::Admin;
            self.level_conditional = false;
            return;
        }
        if self.level == PrivilegeLevel::Admin && !self.level_conditional {
            // Its policies name every action, but a deny, a boundary or an SCP refuses an IAM
            // write an administrator needs.
            let (level, conditional, why) = self.below_admin.clone();
            self.level = level;
            self.level_conditional = conditional;
            self.why = format!(
                "{why}; not an administrator: its policies allow {}, but the engine refuses at least one IAM write an \
                 administrator needs",
                self.categories
                    .iter()
                    .find(|c| c.kind == PrivilegeKind::AdminEquivalent)
                    .map_or_else(|| "every action".to_owned(), |c| reasons_text(&c.reasons))
            );
        }
        if self.level == PrivilegeLevel::Admin {
            return;
        }
        if let Some(e) = &verdict.escalation {
            if self.managed_by_aws {
                self.why = format!(
                    "{}; service-linked (managed by AWS): the graph finds a path from it to {}, but only its service can act \
                     as it",
                    self.why, e.admin_of
                );
                return;
            }
            self.level = PrivilegeLevel::PrivilegeEscalation;
            self.level_conditional = e.uncertain;
            self.why = format!(
                "can become {} in {} step{}{}",
                e.admin_of,
                e.steps.len(),
                if e.steps.len() == 1 { "" } else { "s" },
                if e.uncertain { " (under conditions or assumptions)" } else { "" }
            );
            self.path = e.steps.clone();
            self.path_needs = e.notes.clone();
        }
    }
}

fn reasons_text(reasons: &[AdminReason]) -> String {
    reasons.iter().map(|r| r.describe()).collect::<Vec<_>>().join("; ")
}

/// Groups a set of granted actions by identical grants.
fn category(
    kind: PrivilegeKind,
    perms: &Permissions,
    actions: &ActionSet,
    reasons: Vec<AdminReason>,
) -> Option<PrivilegedPermissions> {
    let cat = Catalog::get();
    // Actions share their grant lists (one list per group of actions that the same statements
    // name): each list is filtered, and compared with the groups found, once.
    let mut groups: Vec<(Arc<[Grant]>, bool, Vec<ActionId>)> = Vec::new();
    let mut of_list: rustc_hash::FxHashMap<usize, Option<usize>> = rustc_hash::FxHashMap::default();
    let mut count = 0;
    let mut conditional = true;
    for (a, list, shared) in perms.iter_shared_lists() {
        if !actions.contains(a) {
            continue;
        }
        let pos = *of_list.entry(list).or_insert_with(|| {
            let grants: Arc<[Grant]> = if shared.iter().any(|g| g.outcome == GrantOutcome::Denied) {
                shared.iter().filter(|g| g.outcome != GrantOutcome::Denied).cloned().collect()
            } else {
                shared.clone()
            };
            if grants.is_empty() {
                return None;
            }
            Some(match groups.iter().position(|(g, _, _)| *g == grants) {
                Some(p) => p,
                None => {
                    let any_unconditional = grants.iter().any(unconditional);
                    groups.push((grants, any_unconditional, Vec::new()));
                    groups.len() - 1
                }
            })
        });
        let Some((_, any_unconditional, ids)) = pos.and_then(|p| groups.get_mut(p)) else { continue };
        count += 1;
        if *any_unconditional {
            conditional = false;
        }
        ids.push(a);
    }
    if count == 0 {
        return None;
    }
    let mut statements: Vec<StatementEvidence> =
        groups.iter().flat_map(|(g, _, _)| g.iter().flat_map(|g| g.statements.iter().cloned())).collect();
    statements.sort();
    statements.dedup();
    let mut groups: Vec<PrivilegedGroup> = groups
        .into_iter()
        .map(|(grants, _, ids)| PrivilegedGroup {
            actions: ActionList(ids.into_iter().filter(|a| cat.name(*a).is_some()).collect()),
            grants,
        })
        .collect();
    groups.sort_by(|a, b| b.actions.len().cmp(&a.actions.len()).then_with(|| a.actions.iter().cmp(b.actions.iter())));
    Some(PrivilegedPermissions { kind, reasons, conditional, count, groups, statements })
}

/// Whether a grant holds without a condition of its own: allowed, or conditional only on
/// guardrails (`Deny` statements that apply in some contexts, such as an SCP's region list).
pub fn unconditional(g: &Grant) -> bool {
    g.outcome == GrantOutcome::Allowed || (g.outcome == GrantOutcome::Conditional && g.guardrail_only)
}

/// Whether a grant (unconditional, or conditional when `conditional`) covers `arn`.
fn grant_covers(g: &Grant, arn: &str, conditional: bool) -> bool {
    let ok = unconditional(g) || (conditional && g.outcome == GrantOutcome::Conditional);
    ok && (&*g.resource == "*" || ResourceMatcher::new(&Pattern::new(&g.resource)).matches(arn))
}

/// The admin reasons that hold, allowing conditional grants or not.
fn admin_reasons(perms: &Permissions, role: &Role, conditional: bool) -> Vec<AdminReason> {
    let cat = Catalog::get();
    let mut out = Vec::new();
    let on_any = perms.allowed_set(conditional, true);
    // Every action allowed on `*`, or refused by an explicit Deny.
    let mut covered = on_any.clone();
    for (a, grants) in perms.iter() {
        if grants.iter().any(|g| g.outcome == GrantOutcome::Denied) {
            covered.insert(a);
        }
    }
    // ... and most of them allowed: `Allow *` with `Deny *` (or with denies of most services)
    // is not admin-equivalent.
    let mostly_allowed = on_any.len().saturating_mul(10) >= cat.action_count().saturating_mul(9);
    if covered.len() == cat.action_count() && cat.action_count() > 0 && mostly_allowed {
        out.push(AdminReason::AllActions);
    }
    let iam_write = cat.service("iam").map(|s| {
        let mut set = cat.service_actions(s);
        let mut keep = cat.empty_set();
        for a in set.iter() {
            if cat.access_level(a).is_some_and(|l| matches!(l, AccessLevel::Write | AccessLevel::PermissionsManagement)) {
                keep.insert(a);
            }
        }
        set.intersect_with(&keep);
        set
    });
    if let Some(iam) = iam_write
        && !iam.is_empty()
        && iam.is_subset(&on_any)
    {
        out.push(AdminReason::IamFull);
    }
    let self_policy = ["iam:AttachRolePolicy", "iam:PutRolePolicy"]
        .iter()
        .any(|name| cat.action(name).is_some_and(|a| perms.grants(a).iter().any(|g| grant_covers(g, &role.arn, conditional))));
    let own_version = cat.action("iam:CreatePolicyVersion").is_some_and(|a| {
        role.attached_managed_policies
            .iter()
            .filter(|p| !model::is_aws_managed_policy_arn(p))
            .any(|p| perms.grants(a).iter().any(|g| grant_covers(g, p, conditional)))
    });
    if self_policy || own_version {
        out.push(AdminReason::SelfModify);
    }
    out
}

/// Classifies what a role can do.
pub fn classify(perms: &Permissions, role: &Role) -> Privilege {
    let cat = Catalog::get();
    let mut categories = Vec::new();

    let (reasons, admin_conditional) = match admin_reasons(perms, role, false) {
        r if !r.is_empty() => (r, false),
        _ => (admin_reasons(perms, role, true), true),
    };
    if !reasons.is_empty() {
        // The evidence of admin-equivalence: the grants of IAM's write and permissions actions
        // (or of everything, for `all-actions`).
        let mut evidence = cat.empty_set();
        for name in [
            "iam:AttachRolePolicy",
            "iam:PutRolePolicy",
            "iam:CreatePolicyVersion",
            "iam:CreateUser",
            "iam:AttachUserPolicy",
            "iam:PassRole",
        ] {
            if let Some(a) = cat.action(name) {
                evidence.insert(a);
            }
        }
        let mut c = category(PrivilegeKind::AdminEquivalent, perms, &evidence, reasons.clone());
        if c.is_none() {
            c = category(PrivilegeKind::AdminEquivalent, perms, &perms.allowed_set(true, false), reasons);
        }
        if let Some(mut c) = c {
            c.conditional = admin_conditional;
            categories.push(c);
        }
    }

    let mut pm = cat.empty_set();
    let mut max_level: Option<(AccessLevel, bool)> = None;
    let mut allowed = 0usize;
    for (a, grants) in perms.iter() {
        if grants.iter().all(|g| g.outcome == GrantOutcome::Denied) {
            continue;
        }
        allowed += 1;
        let Some(level) = cat.access_level(a) else { continue };
        let level = match level {
            AccessLevel::Tagging => AccessLevel::Write,
            l => l,
        };
        if level == AccessLevel::PermissionsManagement {
            pm.insert(a);
        }
        let cond = !grants.iter().any(unconditional);
        max_level = Some(match max_level {
            Some((l, c)) if level == l => (l, c && cond),
            Some((l, c)) if level < l => (l, c),
            _ => (level, cond),
        });
    }
    if let Some(c) = category(PrivilegeKind::PermissionsManagement, perms, &pm, Vec::new()) {
        categories.push(c);
    }
    let lists = Lists::get();
    for k in ListKind::ALL {
        if let Some(kind) = PrivilegeKind::of_list(k)
            && let Some(set) = lists.set(k)
            && let Some(c) = category(kind, perms, set, Vec::new())
        {
            categories.push(c);
        }
    }
    categories.sort_by_key(|c| c.kind);

    let find = |k: PrivilegeKind| categories.iter().find(|c| c.kind == k);
    let some = |c: &PrivilegedPermissions| {
        let first: Vec<&str> = c.groups.iter().flat_map(|g| g.actions.iter()).take(3).collect();
        let more = if c.count > first.len() { ", ..." } else { "" };
        format!("{} action{} ({}{more})", c.count, if c.count == 1 { "" } else { "s" }, first.join(", "))
    };
    let below_admin = if let Some(c) = find(PrivilegeKind::PermissionsManagement) {
        (PrivilegeLevel::PermissionsManagement, c.conditional, format!("may manage permissions: {}", some(c)))
    } else {
        let (level, conditional) = match max_level {
            None => (PrivilegeLevel::None, false),
            Some((AccessLevel::List, c)) => (PrivilegeLevel::List, c),
            Some((AccessLevel::Read, c)) => (PrivilegeLevel::Read, c),
            Some((_, c)) => (PrivilegeLevel::Write, c),
        };
        let why = match level {
            PrivilegeLevel::None => "no action is allowed".to_owned(),
            l => format!("the highest access level among its {} allowed actions is {l}", allowed),
        };
        (level, conditional, why)
    };
    let (level, level_conditional, why) = match find(PrivilegeKind::AdminEquivalent) {
        Some(c) => (PrivilegeLevel::Admin, c.conditional, format!("admin-equivalent: {}", reasons_text(&c.reasons))),
        None => below_admin.clone(),
    };
    Privilege {
        level,
        level_conditional,
        why,
        path: Vec::new(),
        path_needs: Vec::new(),
        settled: false,
        managed_by_aws: role.is_service_linked(),
        categories,
        below_admin,
    }
}

#[cfg(test)]
mod tests;
