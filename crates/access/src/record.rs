//! The per-role view: one [`RoleSummary`] per role for `rolegraph roles`, and the whole
//! [`RoleRecord`] for `rolegraph role`. Both are plain serializable data (the CLI renders them
//! as text or JSON); everything is computed here from the snapshot: the decoded trust, the
//! kinds, the resources that use the role, its permissions and its privilege.

use std::collections::BTreeMap;

use model::{Gap, Role, RoleUse, Snapshot, Tag, Timestamp};
use serde::Serialize;

use crate::kind::{RoleKind, role_kinds};
use crate::permissions::{self, Options, Permissions, PermissionsView};
use crate::privilege::{GraphVerdict, Privilege, PrivilegeLevel, classify};
use crate::trust::{Trust, TrustCategory, decode_role};

/// The version of the JSON forms of [`RolesReport`] and [`RoleRecord`].
pub const SCHEMA_VERSION: u32 = 1;

/// Whether IAM reports a role as used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UseStatus {
    /// Used on `date` (IAM tracks the last 400 days).
    Used,
    /// IAM reports no use (in its tracking period).
    Never,
    /// No export said.
    Unknown,
}

/// When a role was last used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LastUsed {
    pub status: UseStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

impl LastUsed {
    pub fn of(role: &Role) -> LastUsed {
        match &role.role_last_used {
            None => LastUsed { status: UseStatus::Unknown, date: None, region: None },
            Some(u) => match u.date {
                Some(d) => LastUsed { status: UseStatus::Used, date: Some(d), region: u.region.clone() },
                None => LastUsed { status: UseStatus::Never, date: None, region: None },
            },
        }
    }

    /// `2026-11-02`, `never` or `unknown`.
    pub fn short(&self) -> String {
        match (self.status, self.date) {
            (UseStatus::Used, Some(d)) => d.0.format("%Y-%m-%d").to_string(),
            (UseStatus::Used | UseStatus::Unknown, _) => "unknown".into(),
            (UseStatus::Never, _) => "never".into(),
        }
    }

    /// Whether the role is known to be unused for `days` before `now`: never used, or last
    /// used earlier. `None` when unknown.
    pub fn unused_for(&self, days: i64, now: Timestamp) -> Option<bool> {
        match (self.status, self.date) {
            (UseStatus::Never, _) => Some(true),
            (UseStatus::Used, Some(d)) => Some(d.days_until(now) >= days),
            _ => None,
        }
    }
}

/// One row of `rolegraph roles`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RoleSummary {
    pub name: String,
    pub arn: String,
    pub account_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_name: Option<String>,
    pub kinds: Vec<RoleKind>,
    /// Short descriptions of the trusted entities (`ec2`, `vendor:Datadog[extid]`, ...).
    pub trusted: Vec<String>,
    /// The categories of the trusted entities, sorted.
    pub trusted_by: Vec<TrustCategory>,
    /// Distinct resources that run as the role (instances, functions, task definitions,
    /// services; instance profiles are not counted).
    pub resources: usize,
    pub privilege: PrivilegeLevel,
    /// Whether the privilege level holds only under conditions.
    pub privilege_conditional: bool,
    pub last_used: LastUsed,
    /// Whether every policy of the role was known and parsed.
    pub complete: bool,
}

/// `rolegraph roles --json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RolesReport {
    pub schema_version: u32,
    pub roles: Vec<RoleSummary>,
    /// What the snapshot does not know.
    pub gaps: Vec<Gap>,
}

/// The details of a role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RoleDetails {
    pub name: String,
    pub arn: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub id: String,
    pub account_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_name: Option<String>,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<Timestamp>,
    pub last_used: LastUsed,
    /// Seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_session_duration: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<String>,
    pub tags: Vec<Tag>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub attached_policies: Vec<String>,
    pub inline_policies: Vec<String>,
    pub instance_profiles: Vec<String>,
}

/// `rolegraph role NAME`: everything about one role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RoleRecord {
    pub schema_version: u32,
    pub details: RoleDetails,
    pub kinds: Vec<RoleKind>,
    pub trust: Trust,
    /// The resources that use the role.
    pub used_by: Vec<RoleUse>,
    pub permissions: PermissionsView,
    pub privilege: Privilege,
    /// What is missing for this role: its policies, its trust, and the gaps of its account.
    pub gaps: Vec<String>,
}

/// The number of distinct resources among a role's uses (see [`model::UseKind::is_resource`]).
pub fn resource_count(uses: &[RoleUse]) -> usize {
    let mut seen: Vec<&str> = uses.iter().filter(|u| u.kind.is_resource()).map(|u| u.resource.as_str()).collect();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}

fn account_name(snapshot: &Snapshot, id: &str) -> Option<String> {
    snapshot
        .account(id)
        .and_then(|a| a.name.clone().or_else(|| a.aliases.first().cloned()))
        .or_else(|| snapshot.organization.as_ref()?.account(id)?.name.clone())
}

/// The permissions of a role, with denies kept (the privilege classification needs them).
fn permissions_of(snapshot: &Snapshot, role: &Role) -> Permissions {
    permissions::compute(snapshot, role, &Options { include_denied: true })
}

/// The summary of one role; `uses` are the resources that use it.
pub fn summarize(snapshot: &Snapshot, role: &Role, uses: &[RoleUse]) -> RoleSummary {
    let trust = decode_role(snapshot, role);
    let perms = permissions_of(snapshot, role);
    let privilege = classify(&perms, role);
    let kinds = role_kinds(role, &trust);
    summary_of(snapshot, role, uses, &trust, kinds, &privilege, perms.is_complete())
}

/// The summary of one role from what is already decided of it: its trust, kinds and
/// privilege, and whether its permissions were computed on a complete policy set.
pub fn summary_of(
    snapshot: &Snapshot,
    role: &Role,
    uses: &[RoleUse],
    trust: &Trust,
    kinds: Vec<RoleKind>,
    privilege: &Privilege,
    permissions_complete: bool,
) -> RoleSummary {
    let mut trusted_by: Vec<TrustCategory> = trust.entities.iter().filter_map(|e| e.category()).collect();
    trusted_by.sort();
    trusted_by.dedup();
    let mut trusted: Vec<String> = Vec::new();
    for e in &trust.entities {
        if !trusted.contains(&e.short) {
            trusted.push(e.short.clone());
        }
    }
    RoleSummary {
        name: role.name.clone(),
        arn: role.arn.clone(),
        account_id: role.account_id.clone(),
        account_name: account_name(snapshot, &role.account_id),
        kinds,
        trusted,
        trusted_by,
        resources: resource_count(uses),
        privilege: privilege.level,
        privilege_conditional: privilege.level_conditional,
        last_used: LastUsed::of(role),
        complete: permissions_complete && trust.problems.is_empty(),
    }
}

/// Every role of the snapshot, summarized, in snapshot order (account, then ARN). Roles are
/// summarized on every available core; the order does not depend on it.
pub fn roles_report(snapshot: &Snapshot) -> RolesReport {
    let uses: Vec<BTreeMap<String, Vec<RoleUse>>> = snapshot.accounts.iter().map(|a| a.role_uses()).collect();
    let work: Vec<(&Role, &[RoleUse])> = snapshot
        .accounts
        .iter()
        .zip(&uses)
        .flat_map(|(a, u)| a.roles.iter().map(move |r| (r, u.get(&r.arn).map_or(&[][..], Vec::as_slice))))
        .collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, work.len().max(1));
    let chunk = work.len().div_ceil(threads).max(1);
    let roles: Vec<RoleSummary> = if threads == 1 {
        work.iter().map(|(r, u)| summarize(snapshot, r, u)).collect()
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = work
                .chunks(chunk)
                .map(|part| s.spawn(move || part.iter().map(|(r, u)| summarize(snapshot, r, u)).collect::<Vec<_>>()))
                .collect();
            // A thread that panicked loses its roles rather than the whole report; summarizing
            // does not panic (the crate denies panicking constructs), so this does not happen.
            handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
        })
    };
    RolesReport { schema_version: SCHEMA_VERSION, roles, gaps: snapshot.gaps.clone() }
}

/// Everything about one role; with `include_denied`, the permissions also list what explicit
/// denies refuse. `verdict` is the graph's on the role (the analysis has it: administrator, a
/// path to one); without it the privilege is that of the role's own permissions, marked
/// `settled: false`.
pub fn role_record(snapshot: &Snapshot, role: &Role, include_denied: bool, verdict: Option<&GraphVerdict>) -> RoleRecord {
    let trust = decode_role(snapshot, role);
    let perms = permissions_of(snapshot, role);
    let mut privilege = classify(&perms, role);
    if let Some(v) = verdict {
        privilege.settle(role, v);
    }
    let used_by = snapshot.resources_using_role(role);
    let mut gaps: Vec<String> = perms.gaps.clone();
    gaps.extend(trust.problems.iter().map(|p| format!("trust: {p}")));
    gaps.extend(snapshot.gaps_for(&role.account_id).map(ToString::to_string));
    gaps.sort();
    gaps.dedup();
    RoleRecord {
        schema_version: SCHEMA_VERSION,
        details: RoleDetails {
            name: role.name.clone(),
            arn: role.arn.clone(),
            id: role.id.clone(),
            account_id: role.account_id.clone(),
            account_name: account_name(snapshot, &role.account_id),
            path: role.path.clone(),
            created: role.create_date,
            last_used: LastUsed::of(role),
            max_session_duration: role.max_session_duration,
            permissions_boundary: role.permissions_boundary.clone(),
            tags: role.tags.clone(),
            description: role.description.clone(),
            attached_policies: role.attached_managed_policies.clone(),
            inline_policies: role.inline_policies.iter().map(|p| p.name.clone()).collect(),
            instance_profiles: role.instance_profile_arns.clone(),
        },
        kinds: role_kinds(role, &trust),
        trust,
        used_by,
        permissions: perms.view(include_denied),
        privilege,
        gaps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{PROD, role, snapshot, trust_service, with_inline};

    #[test]
    fn last_used_forms() {
        let mut r = role(PROD, "r", &trust_service("ec2.amazonaws.com"));
        let now = Timestamp::parse("2026-11-20T00:00:00Z").unwrap();
        assert_eq!(LastUsed::of(&r).short(), "unknown");
        assert_eq!(LastUsed::of(&r).unused_for(90, now), None);
        r.role_last_used = Some(model::RoleLastUsed { date: None, region: None });
        assert_eq!(LastUsed::of(&r).short(), "never");
        assert_eq!(LastUsed::of(&r).unused_for(90, now), Some(true));
        r.role_last_used =
            Some(model::RoleLastUsed { date: Timestamp::parse("2026-10-01T10:00:00Z"), region: Some("eu-west-1".into()) });
        let lu = LastUsed::of(&r);
        assert_eq!(lu.short(), "2026-10-01");
        assert_eq!(lu.unused_for(30, now), Some(true));
        assert_eq!(lu.unused_for(90, now), Some(false));
    }

    #[test]
    fn summary_and_record() {
        let r = with_inline(
            role(PROD, "app", &trust_service("lambda.amazonaws.com")),
            "logs",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}"#,
        );
        let s = snapshot(vec![r.clone()], Vec::new(), &[]);
        let report = roles_report(&s);
        assert_eq!(report.roles.len(), 1);
        let row = &report.roles[0];
        assert_eq!(row.kinds, [RoleKind::Lambda]);
        assert_eq!(row.trusted, ["lambda"]);
        assert_eq!(row.trusted_by, [TrustCategory::Service]);
        assert_eq!(row.privilege, PrivilegeLevel::Write);
        assert_eq!(row.account_name.as_deref(), Some("production"));
        assert!(row.complete);
        let rec = role_record(&s, &r, false, None);
        assert_eq!(rec.details.inline_policies, ["logs"]);
        assert_eq!(rec.permissions.granted_actions, 2);
        assert_eq!(rec.trust.entities.len(), 1);
        let json = serde_json::to_value(&rec).unwrap();
        assert_eq!(json["schema_version"], 1);
        assert_eq!(json["kinds"][0], "lambda");
        assert_eq!(json["privilege"]["level"], "write");
    }
}
