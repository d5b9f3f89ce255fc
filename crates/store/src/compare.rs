//! What changed between two snapshots, in terms people care about: roles added and removed,
//! trusted principals added and removed (above all outside accounts and `*`), privilege gained,
//! principals that can newly reach a privileged role, resources that newly run as a role,
//! findings opened and closed. Pure: it compares two [`Facts`].
//!
//! A role that appears is compared against an empty role, so its trusted principals, its
//! resources and who can reach it are reported as added too (a new role trusting `*` fails a
//! `--fail-on-change trust-added`); a role that disappears is reported once, as removed.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::facts::{AdminFacts, Facts, FindingFact, RoleFacts, TrustedFact, UseFact};

/// The version of the JSON form of [`Diff`] and [`crate::RoleHistory`].
pub const DIFF_SCHEMA_VERSION: u32 = 1;

/// The kinds of change, for `--fail-on-change` and counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    RoleAdded,
    RoleRemoved,
    TrustAdded,
    TrustRemoved,
    /// The trust policy changed but trusts the same principals (conditions, actions).
    TrustChanged,
    PrivilegeGained,
    PrivilegeLost,
    /// The policies changed without a change in privileged actions.
    PermissionsChanged,
    ReachGained,
    ReachLost,
    ResourceAdded,
    ResourceRemoved,
    FindingOpened,
    FindingClosed,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 14] = [
        ChangeKind::RoleAdded,
        ChangeKind::RoleRemoved,
        ChangeKind::TrustAdded,
        ChangeKind::TrustRemoved,
        ChangeKind::TrustChanged,
        ChangeKind::PrivilegeGained,
        ChangeKind::PrivilegeLost,
        ChangeKind::PermissionsChanged,
        ChangeKind::ReachGained,
        ChangeKind::ReachLost,
        ChangeKind::ResourceAdded,
        ChangeKind::ResourceRemoved,
        ChangeKind::FindingOpened,
        ChangeKind::FindingClosed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::RoleAdded => "role-added",
            ChangeKind::RoleRemoved => "role-removed",
            ChangeKind::TrustAdded => "trust-added",
            ChangeKind::TrustRemoved => "trust-removed",
            ChangeKind::TrustChanged => "trust-changed",
            ChangeKind::PrivilegeGained => "privilege-gained",
            ChangeKind::PrivilegeLost => "privilege-lost",
            ChangeKind::PermissionsChanged => "permissions-changed",
            ChangeKind::ReachGained => "reach-gained",
            ChangeKind::ReachLost => "reach-lost",
            ChangeKind::ResourceAdded => "resource-added",
            ChangeKind::ResourceRemoved => "resource-removed",
            ChangeKind::FindingOpened => "finding-opened",
            ChangeKind::FindingClosed => "finding-closed",
        }
    }

    pub fn parse(text: &str) -> Option<ChangeKind> {
        ChangeKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

impl std::fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One change. `role` is the role's ARN (for reach, also `admin:ACCOUNT`: administrator access
/// to an account); findings name their subject.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Change {
    RoleAdded {
        role: String,
        account: String,
        privilege: String,
    },
    RoleRemoved {
        role: String,
        account: String,
        privilege: String,
    },
    TrustAdded {
        role: String,
        entity: TrustedFact,
    },
    TrustRemoved {
        role: String,
        entity: TrustedFact,
    },
    TrustChanged {
        role: String,
    },
    PrivilegeGained {
        role: String,
        old_level: String,
        new_level: String,
        actions: Vec<String>,
    },
    PrivilegeLost {
        role: String,
        old_level: String,
        new_level: String,
        actions: Vec<String>,
    },
    PermissionsChanged {
        role: String,
    },
    /// `conditional`: the principal gets there only under conditions (every path has an edge
    /// that holds only if a condition does).
    ReachGained {
        role: String,
        principal: String,
        privilege: String,
        #[serde(default)]
        conditional: bool,
    },
    ReachLost {
        role: String,
        principal: String,
    },
    ResourceAdded {
        role: String,
        resource: UseFact,
    },
    ResourceRemoved {
        role: String,
        resource: UseFact,
    },
    FindingOpened {
        finding: FindingFact,
    },
    FindingClosed {
        finding: FindingFact,
    },
}

impl Change {
    pub fn kind(&self) -> ChangeKind {
        match self {
            Change::RoleAdded { .. } => ChangeKind::RoleAdded,
            Change::RoleRemoved { .. } => ChangeKind::RoleRemoved,
            Change::TrustAdded { .. } => ChangeKind::TrustAdded,
            Change::TrustRemoved { .. } => ChangeKind::TrustRemoved,
            Change::TrustChanged { .. } => ChangeKind::TrustChanged,
            Change::PrivilegeGained { .. } => ChangeKind::PrivilegeGained,
            Change::PrivilegeLost { .. } => ChangeKind::PrivilegeLost,
            Change::PermissionsChanged { .. } => ChangeKind::PermissionsChanged,
            Change::ReachGained { .. } => ChangeKind::ReachGained,
            Change::ReachLost { .. } => ChangeKind::ReachLost,
            Change::ResourceAdded { .. } => ChangeKind::ResourceAdded,
            Change::ResourceRemoved { .. } => ChangeKind::ResourceRemoved,
            Change::FindingOpened { .. } => ChangeKind::FindingOpened,
            Change::FindingClosed { .. } => ChangeKind::FindingClosed,
        }
    }

    /// The role the change is about, or the subject of a finding.
    pub fn subject(&self) -> &str {
        match self {
            Change::RoleAdded { role, .. }
            | Change::RoleRemoved { role, .. }
            | Change::TrustAdded { role, .. }
            | Change::TrustRemoved { role, .. }
            | Change::TrustChanged { role }
            | Change::PrivilegeGained { role, .. }
            | Change::PrivilegeLost { role, .. }
            | Change::PermissionsChanged { role }
            | Change::ReachGained { role, .. }
            | Change::ReachLost { role, .. }
            | Change::ResourceAdded { role, .. }
            | Change::ResourceRemoved { role, .. } => role,
            Change::FindingOpened { finding } | Change::FindingClosed { finding } => &finding.subject,
        }
    }

    /// The detail that orders changes of one kind on one subject.
    fn detail(&self) -> String {
        match self {
            Change::TrustAdded { entity, .. } | Change::TrustRemoved { entity, .. } => {
                format!("{}\0{}", entity.principal, entity.kind)
            }
            Change::ReachGained { principal, .. } | Change::ReachLost { principal, .. } => principal.clone(),
            Change::ResourceAdded { resource, .. } | Change::ResourceRemoved { resource, .. } => {
                format!("{}\0{}", resource.kind, resource.resource)
            }
            Change::FindingOpened { finding } | Change::FindingClosed { finding } => {
                format!("{}\0{}", finding.rule, finding.fingerprint)
            }
            _ => String::new(),
        }
    }

    /// Whether the change deserves attention first: trust of an outside principal, privilege
    /// gained, a principal newly reaching a privileged role, a finding opened.
    pub fn is_notable(&self) -> bool {
        match self {
            Change::TrustAdded { entity, .. } => entity.is_outside(),
            Change::PrivilegeGained { .. } | Change::ReachGained { .. } | Change::FindingOpened { .. } => true,
            _ => false,
        }
    }
}

/// The order of changes: by subject, then kind, then detail.
pub(crate) fn order(a: &Change, b: &Change) -> Ordering {
    a.subject().cmp(b.subject()).then(a.kind().cmp(&b.kind())).then_with(|| a.detail().cmp(&b.detail()))
}

/// The rank of a privilege level (as `rolegraph-access` names them); unknown names rank 0.
pub fn privilege_rank(level: &str) -> u8 {
    match level {
        "admin" => 5,
        "privilege-escalation" | "permissions-management" => 4,
        "write" => 3,
        "read" => 2,
        "list" => 1,
        _ => 0,
    }
}

/// Whether a level makes a role privileged: who can reach it matters.
pub fn is_privileged(level: &str) -> bool {
    privilege_rank(level) >= 4
}

/// Elements of sorted `a` not in sorted `b`, by a key.
fn missing<'a, T, K: Ord>(a: &'a [T], b: &[T], key: impl Fn(&T) -> K) -> Vec<&'a T> {
    let keys: std::collections::BTreeSet<K> = b.iter().map(&key).collect();
    a.iter().filter(|x| !keys.contains(&key(x))).collect()
}

/// The changes of one role between two snapshots; `None` for a role absent from one of them.
pub fn compare_role(old: Option<&RoleFacts>, new: Option<&RoleFacts>, out: &mut Vec<Change>) {
    let empty = RoleFacts::default();
    let (o, n) = match (old, new) {
        (None, None) => return,
        (Some(o), None) => {
            out.push(Change::RoleRemoved { role: o.arn.clone(), account: o.account_id.clone(), privilege: o.privilege.clone() });
            return;
        }
        (None, Some(n)) => {
            out.push(Change::RoleAdded { role: n.arn.clone(), account: n.account_id.clone(), privilege: n.privilege.clone() });
            (&empty, n)
        }
        (Some(o), Some(n)) => (o, n),
    };
    let role = &n.arn;
    let trust_key = |t: &TrustedFact| (t.principal.clone(), t.kind.clone());
    let added = missing(&n.trusted, &o.trusted, trust_key);
    let removed = missing(&o.trusted, &n.trusted, trust_key);
    let entities_changed = !added.is_empty() || !removed.is_empty();
    for t in added {
        out.push(Change::TrustAdded { role: role.clone(), entity: t.clone() });
    }
    for t in removed {
        out.push(Change::TrustRemoved { role: role.clone(), entity: t.clone() });
    }
    if old.is_some() && o.trust_hash != n.trust_hash && !entities_changed {
        out.push(Change::TrustChanged { role: role.clone() });
    }

    let gained: Vec<String> = missing(&n.privileged_actions, &o.privileged_actions, String::clone).into_iter().cloned().collect();
    let lost: Vec<String> = missing(&o.privileged_actions, &n.privileged_actions, String::clone).into_iter().cloned().collect();
    let (or, nr) = (privilege_rank(&o.privilege), privilege_rank(&n.privilege));
    if old.is_some() {
        if !gained.is_empty() || nr > or {
            out.push(Change::PrivilegeGained {
                role: role.clone(),
                old_level: o.privilege.clone(),
                new_level: n.privilege.clone(),
                actions: gained.clone(),
            });
        }
        if !lost.is_empty() || nr < or {
            out.push(Change::PrivilegeLost {
                role: role.clone(),
                old_level: o.privilege.clone(),
                new_level: n.privilege.clone(),
                actions: lost.clone(),
            });
        }
        if o.permissions_hash != n.permissions_hash && gained.is_empty() && lost.is_empty() && nr == or {
            out.push(Change::PermissionsChanged { role: role.clone() });
        }
    }

    if is_privileged(&n.privilege) {
        for p in missing(&n.reached_by, &o.reached_by, String::clone) {
            out.push(Change::ReachGained {
                role: role.clone(),
                principal: p.clone(),
                privilege: n.privilege.clone(),
                conditional: n.conditional_reach.binary_search(p).is_ok(),
            });
        }
    }
    for p in missing(&o.reached_by, &n.reached_by, String::clone) {
        out.push(Change::ReachLost { role: role.clone(), principal: p.clone() });
    }

    let use_key = |u: &UseFact| (u.kind.clone(), u.resource.clone());
    for u in missing(&n.uses, &o.uses, use_key) {
        out.push(Change::ResourceAdded { role: role.clone(), resource: u.clone() });
    }
    for u in missing(&o.uses, &n.uses, use_key) {
        out.push(Change::ResourceRemoved { role: role.clone(), resource: u.clone() });
    }
}

/// Principals that can newly (or no longer) become administrator of an account.
fn compare_admins(old: &Facts, new: &Facts, out: &mut Vec<Change>) {
    let none = AdminFacts::default();
    let of = |f: &'_ Facts, node: &str| -> AdminFacts {
        f.admins.iter().find(|a| a.node == node).map_or_else(|| none.clone(), Clone::clone)
    };
    let mut nodes: Vec<&str> = old.admins.iter().chain(&new.admins).map(|a| a.node.as_str()).collect();
    nodes.sort_unstable();
    nodes.dedup();
    for node in nodes {
        let (o, n) = (of(old, node), of(new, node));
        for p in missing(&n.reached_by, &o.reached_by, String::clone) {
            out.push(Change::ReachGained {
                role: node.to_owned(),
                principal: p.clone(),
                privilege: "admin".into(),
                conditional: n.conditional_reach.binary_search(p).is_ok(),
            });
        }
        for p in missing(&o.reached_by, &n.reached_by, String::clone) {
            out.push(Change::ReachLost { role: node.to_owned(), principal: p.clone() });
        }
    }
}

/// Every change from `old` to `new`, in a deterministic order (subject, kind, detail).
pub fn compare(old: &Facts, new: &Facts) -> Vec<Change> {
    let mut out = Vec::new();
    let mut oi = old.roles.iter().peekable();
    let mut ni = new.roles.iter().peekable();
    loop {
        match (oi.peek(), ni.peek()) {
            (None, None) => break,
            (Some(o), None) => {
                compare_role(Some(o), None, &mut out);
                oi.next();
            }
            (None, Some(n)) => {
                compare_role(None, Some(n), &mut out);
                ni.next();
            }
            (Some(o), Some(n)) => match o.arn.cmp(&n.arn) {
                Ordering::Less => {
                    compare_role(Some(o), None, &mut out);
                    oi.next();
                }
                Ordering::Greater => {
                    compare_role(None, Some(n), &mut out);
                    ni.next();
                }
                Ordering::Equal => {
                    compare_role(Some(o), Some(n), &mut out);
                    oi.next();
                    ni.next();
                }
            },
        }
    }
    compare_admins(old, new, &mut out);
    let fp = |f: &FindingFact| f.fingerprint.clone();
    for f in missing(&new.findings, &old.findings, fp) {
        out.push(Change::FindingOpened { finding: f.clone() });
    }
    for f in missing(&old.findings, &new.findings, fp) {
        out.push(Change::FindingClosed { finding: f.clone() });
    }
    out.sort_by(order);
    out
}

/// A snapshot as a diff names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Side {
    /// The snapshot id, or `None` for a folder loaded on the fly.
    pub id: Option<i64>,
    pub label: Option<String>,
    pub imported_at: Option<String>,
    pub source: Option<String>,
}

/// What changed between two snapshots.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diff {
    pub schema_version: u32,
    pub old: Side,
    pub new: Side,
    /// How many changes of each kind (kinds without changes are left out).
    pub counts: BTreeMap<ChangeKind, usize>,
    pub changes: Vec<Change>,
}

impl Diff {
    /// Compares two sets of facts.
    pub fn of(old: Side, old_facts: &Facts, new: Side, new_facts: &Facts) -> Diff {
        let changes = compare(old_facts, new_facts);
        let mut counts = BTreeMap::new();
        for c in &changes {
            *counts.entry(c.kind()).or_insert(0) += 1;
        }
        Diff { schema_version: DIFF_SCHEMA_VERSION, old, new, counts, changes }
    }

    /// Whether any change is of one of `kinds` (of any kind when `kinds` is empty).
    pub fn has_changes_in(&self, kinds: &[ChangeKind]) -> bool {
        if kinds.is_empty() {
            return !self.changes.is_empty();
        }
        self.changes.iter().any(|c| kinds.contains(&c.kind()))
    }
}
