//! `privileged-role-assumable-from-outside`: what a role outside principals can assume can do,
//! decided by the engine (identity policies, boundary, SCPs, denies), not read from policy names.

use access::privilege::PrivilegeKind;
use access::trust::{AccountRelation, EntityKind, TrustedEntity};

use super::{account_words, finding, role_subject, statement_evidence, trust_evidence};
use crate::finding::{Finding, Severity};
use crate::rule::Rule;
use crate::{RuleContext, declare_rule};

declare_rule! {
    /// ## What it finds
    /// A role that principals outside its account can assume (another account, a vendor,
    /// everyone, or an OIDC provider such as GitHub Actions) and that has highly privileged
    /// permissions: admin-equivalent, permissions management, privilege escalation, credential
    /// exposure, data access or resource exposure. The permissions are what the policy engine
    /// decides for a session of the role on its whole policy set (identity policies, permissions
    /// boundary, SCPs, explicit denies), with the request's conditions left open.
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
    /// findings are one level lower. A grant that holds only under conditions of the granting
    /// statements (MFA, a source IP) lowers the severity by one level too and says so.
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
            let Some(top) = privilege.categories.first() else { continue };
            let mut severity = match top.kind {
                PrivilegeKind::AdminEquivalent => Severity::Critical,
                PrivilegeKind::PrivilegeEscalation | PrivilegeKind::PermissionsManagement | PrivilegeKind::CredentialExposure => {
                    Severity::High
                }
                PrivilegeKind::DataAccess | PrivilegeKind::ResourceExposure => Severity::Medium,
            };
            if entities.iter().all(|(_, org)| *org) {
                severity = lower(severity);
            }
            if top.conditional {
                severity = lower(severity);
            }
            let mut whos: Vec<String> = entities.iter().map(|(e, _)| who(e)).collect();
            whos.dedup();
            let cats: Vec<String> = privilege
                .categories
                .iter()
                .map(|c| format!("{}{}", c.kind.as_str(), if c.conditional { " (under conditions)" } else { "" }))
                .collect();
            let mut evidence: Vec<_> = entities.iter().map(|(e, _)| trust_evidence(v.role, e)).collect();
            evidence.extend(top.statements.iter().take(5).map(statement_evidence));
            evidence.dedup();
            out.push(finding(
                &Self::META,
                severity,
                role_subject(v.account, v.role),
                "",
                format!("role `{}` can be assumed by {} and has {} permissions", v.role.name, whos.join(", "), cats.join(", ")),
                evidence,
            ));
        }
    }
}
