//! `external-account-trust-without-external-id`: the confused-deputy guard of third-party access.

use access::trust::{AccountRelation, EntityKind, GuardKind};

use super::privileged_role_assumable_from_outside::who;
use super::{finding, role_subject, trust_evidence};
use crate::finding::{Finding, Severity};
use crate::rule::Rule;
use crate::{RuleContext, declare_rule};

declare_rule! {
    /// ## What it finds
    /// A role whose trust policy lets an account outside the organization (a known vendor, or an
    /// unknown external account), or a principal in one, assume it without requiring
    /// `sts:ExternalId`.
    ///
    /// ## Why it matters
    /// A vendor assumes roles in many customers' accounts. Without an external id, another
    /// customer of the vendor who learns the role's ARN can make the vendor assume it for them
    /// (the confused deputy).
    ///
    /// ## Example
    /// `"Principal": {"AWS": "arn:aws:iam::999988887777:root"}` with no `Condition`.
    ///
    /// ## Remediation
    /// Require the external id the vendor gives you:
    /// `"Condition": {"StringEquals": {"sts:ExternalId": "..."}}`.
    ///
    /// ## False positives
    /// An external account that is yours but outside the organization, used only by your own
    /// people: suppress with the reason. A condition that requires the key under a negated
    /// operator or `IfExists` does not count as requiring it.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html
    pub struct ExternalAccountTrustWithoutExternalId {
        id: "external-account-trust-without-external-id", name: "External account trusted without an external id",
        category: Trust, severity: High,
    }
}

impl Rule for ExternalAccountTrustWithoutExternalId {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for v in cx.roles() {
            for e in &v.trust().entities {
                let kinds =
                    matches!(e.kind, EntityKind::Account | EntityKind::IamUser | EntityKind::IamRole | EntityKind::RoleSession);
                let Some(rel) = e.relation() else { continue };
                if !kinds
                    || !matches!(rel, AccountRelation::Vendor | AccountRelation::External)
                    || e.requires(GuardKind::ExternalId)
                {
                    continue;
                }
                let severity = if rel == AccountRelation::Vendor { Severity::High } else { Severity::Medium };
                out.push(finding(
                    &Self::META,
                    severity,
                    role_subject(v.account, v.role),
                    &e.principal,
                    format!("role `{}` trusts {} without requiring `sts:ExternalId`", v.role.name, who(e)),
                    vec![trust_evidence(v.role, e)],
                ));
            }
        }
    }
}
