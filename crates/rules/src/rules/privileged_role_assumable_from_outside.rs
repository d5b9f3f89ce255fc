//! `privileged-role-assumable-from-outside`: what a role outside principals can assume can do,
//! decided by the engine (identity policies, boundary, SCPs, denies), not read from policy names.

use access::PrivilegeLevel;
use access::privilege::PrivilegeKind;
use access::trust::{AccountRelation, EntityKind, GuardKind, TrustedEntity};

use super::{account_words, finding, role_subject, statement_evidence, trust_evidence};
use crate::finding::{Evidence, Finding, Severity};
use crate::rule::Rule;
use crate::{RuleContext, declare_rule};

declare_rule! {
    /// ## What it finds
    /// A role that principals outside its account can assume (another account, a vendor,
    /// everyone, or an OIDC provider such as GitHub Actions) and that has highly privileged
    /// permissions. The privilege is the analysis's one definition (`rolegraph roles`'
    /// PRIVILEGE column): administrator, or a path to one found by the graph, as the engine
    /// decides them on the role's whole policy set (identity policies, permissions boundary,
    /// SCPs, explicit denies); then permissions management, credential exposure, data access or
    /// resource exposure among its allowed actions.
    ///
    /// ## Severity
    /// - critical: administrator, or a path to one (`privilege-escalation`);
    /// - high: permissions management, or actions that hand out credentials;
    /// - medium: data access or resource exposure;
    /// - one level lower when every outside principal is an account of the role's own
    ///   organization, and one level lower when the privilege holds only under conditions of the
    ///   granting statements (or the path only under conditions or assumptions);
    /// - informational when the role can only read (level `read` or `list`) and every outside
    ///   principal is a known vendor that must give `sts:ExternalId`: the third-party
    ///   scanner designed as AWS documents it.
    ///
    /// ## Why it matters
    /// Whoever controls the outside principal controls what the role can do: a compromised
    /// vendor, a partner's administrator or a workflow in any repository becomes an
    /// administrator, or reads the data, of this account.
    ///
    /// ## Example
    /// A role trusted by account `999988887777` (not a known vendor) with
    /// `AdministratorAccess` attached; or a GitHub Actions role with a `NotAction` allow.
    ///
    /// ## Remediation
    /// Give the role only the actions and resources its outside users need; add a permissions
    /// boundary; require `sts:ExternalId` for vendors and a precise `sub` for OIDC providers.
    ///
    /// ## False positives
    /// Accounts of your own organization are outside the role's account but yours: their
    /// findings are one level lower. A read-only vendor role with `sts:ExternalId` is reported
    /// as informational, so that it is listed without asking for action.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-resources.html
    pub struct PrivilegedRoleAssumableFromOutside {
        id: "privileged-role-assumable-from-outside", name: "Privileged role assumable from outside its account",
        category: Privilege, severity: Critical,
    }
}

/// Whether an entity is outside the role's account, and whether it is only the organization's.
pub(crate) fn outside(e: &TrustedEntity) -> Option<bool> {
    match e.kind {
        EntityKind::Everyone | EntityKind::OidcProvider => Some(false),
        EntityKind::Account | EntityKind::IamUser | EntityKind::IamRole | EntityKind::RoleSession | EntityKind::FederatedUser => {
            match e.relation()? {
                AccountRelation::SameAccount => None,
                AccountRelation::Organization => Some(true),
                AccountRelation::Vendor | AccountRelation::External => Some(false),
            }
        }
        _ => None,
    }
}

/// Words for an outside entity: `vendor Datadog (464622532012)`, `everyone`, ...
pub(crate) fn who(e: &TrustedEntity) -> String {
    match (e.kind, &e.account, &e.provider) {
        (EntityKind::Everyone, _, _) => "everyone (`*`)".into(),
        (EntityKind::OidcProvider, _, Some(p)) => format!("OIDC provider {}", p.platform.unwrap_or(&p.name)),
        (_, Some(a), _) => {
            let what = match a.relation {
                AccountRelation::Vendor => "vendor",
                AccountRelation::Organization => "organization account",
                _ => "external account",
            };
            if e.kind == EntityKind::Account {
                format!("{what} {}", account_words(a))
            } else {
                format!("{} in {what} {}", e.principal, account_words(a))
            }
        }
        _ => e.principal.clone(),
    }
}

fn lower(s: Severity) -> Severity {
    match s {
        Severity::Critical => Severity::High,
        Severity::High => Severity::Medium,
        Severity::Medium => Severity::Low,
        _ => Severity::Info,
    }
}

impl Rule for PrivilegedRoleAssumableFromOutside {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for v in cx.roles() {
            if v.role.is_service_linked() {
                continue;
            }
            let entities: Vec<(&TrustedEntity, bool)> =
                v.trust().entities.iter().filter_map(|e| outside(e).map(|org| (e, org))).collect();
            if entities.is_empty() {
                continue;
            }
            let privilege = v.privilege();
            let find = |k: PrivilegeKind| privilege.categories.iter().find(|c| c.kind == k);
            let (mut severity, conditional) = match privilege.level {
                PrivilegeLevel::Admin | PrivilegeLevel::PrivilegeEscalation => (Severity::Critical, privilege.level_conditional),
                PrivilegeLevel::PermissionsManagement => (Severity::High, privilege.level_conditional),
                _ => match find(PrivilegeKind::CredentialExposure) {
                    Some(c) => (Severity::High, c.conditional),
                    None => match find(PrivilegeKind::DataAccess).or_else(|| find(PrivilegeKind::ResourceExposure)) {
                        Some(c) => (Severity::Medium, c.conditional),
                        None => continue,
                    },
                },
            };
            if entities.iter().all(|(_, org)| *org) {
                severity = lower(severity);
            }
            if conditional {
                severity = lower(severity);
            }
            let vendors_with_external_id = entities.iter().all(|(e, _)| {
                e.account.as_ref().is_some_and(|a| a.relation == AccountRelation::Vendor) && e.requires(GuardKind::ExternalId)
            });
            if vendors_with_external_id && !privilege.level.at_least(PrivilegeLevel::Write) {
                severity = Severity::Info;
            }
            let mut whos: Vec<String> = entities.iter().map(|(e, _)| who(e)).collect();
            whos.dedup();
            let mut what = vec![format!(
                "{}{} ({})",
                privilege.level.as_str(),
                if privilege.level_conditional { " under conditions" } else { "" },
                privilege.why
            )];
            what.extend(
                privilege
                    .categories
                    .iter()
                    .filter(|c| c.kind != PrivilegeKind::AdminEquivalent && c.kind != PrivilegeKind::PermissionsManagement)
                    .map(|c| format!("{}{}", c.kind.as_str(), if c.conditional { " (under conditions)" } else { "" })),
            );
            let top = privilege.categories.first();
            let mut evidence: Vec<_> = entities.iter().map(|(e, _)| trust_evidence(v.role, e)).collect();
            evidence.extend(top.into_iter().flat_map(|c| c.statements.iter().take(5)).map(statement_evidence));
            if !privilege.path.is_empty() {
                evidence.push(Evidence::Path { edges: privilege.path.clone(), path_ids: Vec::new() });
            }
            evidence.dedup();
            out.push(finding(
                &Self::META,
                severity,
                role_subject(v.account, v.role),
                "",
                format!("role `{}` can be assumed by {} and is {}", v.role.name, whos.join(", "), what.join("; ")),
                evidence,
            ));
        }
    }
}
