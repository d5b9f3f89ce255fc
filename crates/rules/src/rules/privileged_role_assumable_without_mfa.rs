//! `privileged-role-assumable-without-mfa`: people who can take a privileged role with a
//! password or an access key alone.

use access::PrivilegeLevel;
use access::trust::{AccountRelation, EntityKind, GuardKind};

use super::{finding, role_subject, statement_evidence, trust_evidence};
use crate::finding::{Finding, Severity};
use crate::rule::Rule;
use crate::{RuleContext, declare_rule};

declare_rule! {
    /// ## What it finds
    /// A role that is admin-equivalent, or has permissions-management or privilege-escalation
    /// permissions (as the engine decides them), and whose trust policy lets IAM users assume it
    /// without `aws:MultiFactorAuthPresent` or `aws:MultiFactorAuthAge`: an IAM user named in the
    /// trust policy, or the role's own account when that account has IAM users.
    ///
    /// ## Why it matters
    /// A leaked access key or password of such a user is enough to become an administrator.
    ///
    /// ## Example
    /// `"Principal": {"AWS": "arn:aws:iam::111111111111:root"}`, no condition, and the role has
    /// `AdministratorAccess`.
    ///
    /// ## Remediation
    /// Add `"Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}` to the trust
    /// statement, or move people to IAM Identity Center.
    ///
    /// ## False positives
    /// SAML and OIDC federation cannot carry the MFA keys (the identity provider enforces MFA),
    /// so they are not reported here. Trusting the account delegates to its IAM policies: users
    /// whose policies do not allow `sts:AssumeRole` on the role cannot use it (the graph's
    /// escalation findings check that).
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html
    pub struct PrivilegedRoleAssumableWithoutMfa {
        id: "privileged-role-assumable-without-mfa", name: "Privileged role assumable by users without MFA",
        category: Privilege, severity: High,
    }
}

impl Rule for PrivilegedRoleAssumableWithoutMfa {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for v in cx.roles().iter().filter(|v| !v.role.is_service_linked()) {
            let humans: Vec<_> = v
                .trust()
                .entities
                .iter()
                .filter(|e| match e.kind {
                    EntityKind::IamUser => true,
                    EntityKind::Account => e.relation() == Some(AccountRelation::SameAccount) && !v.account.users.is_empty(),
                    _ => false,
                })
                .filter(|e| !e.requires(GuardKind::Mfa))
                .collect();
            if humans.is_empty() {
                continue;
            }
            let p = v.privilege();
            if !p.level.at_least(PrivilegeLevel::PermissionsManagement) {
                continue;
            }
            for e in humans {
                let who = if e.kind == EntityKind::IamUser {
                    format!("IAM user {}", e.principal)
                } else {
                    "the IAM users of its account".to_owned()
                };
                let mut evidence = vec![trust_evidence(v.role, e)];
                evidence
                    .extend(p.categories.first().into_iter().flat_map(|c| c.statements.iter().take(3)).map(statement_evidence));
                out.push(finding(
                    &Self::META,
                    Severity::High,
                    role_subject(v.account, v.role),
                    &e.principal,
                    format!("role `{}` ({}) can be assumed by {who} without MFA", v.role.name, p.level.as_str()),
                    evidence,
                ));
            }
        }
    }
}
