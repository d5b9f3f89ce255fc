//! `role-trusted-by-everyone`: a trust policy whose principal is `*`.

use access::trust::{EntityKind, GuardKind};

use super::{finding, role_subject, trust_evidence};
use crate::finding::{Finding, Severity};
use crate::rule::Rule;
use crate::{RuleContext, declare_rule};

/// Conditions that narrow `*` to known callers.
const NARROWING: [GuardKind; 5] =
    [GuardKind::PrincipalOrg, GuardKind::PrincipalArn, GuardKind::SourceOrg, GuardKind::SourceAccount, GuardKind::SourceArn];

declare_rule! {
    /// ## What it finds
    /// A role whose trust policy allows `"Principal": "*"` (or `{"AWS": "*"}`, or an allow with
    /// `NotPrincipal`) without a condition that narrows the callers to known ones
    /// (`aws:PrincipalOrgID`/`OrgPaths`, `aws:PrincipalArn`, `aws:SourceAccount`/`Arn`/`OrgID`).
    ///
    /// ## Why it matters
    /// Any AWS principal in any account can assume the role. An external id or an MFA condition
    /// alone is weak: the first is a shared secret, the second is met by any attacker's own user.
    ///
    /// ## Example
    /// `{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}`.
    ///
    /// ## Remediation
    /// Name the principals that need the role, or add
    /// `"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-..."}}`.
    ///
    /// ## False positives
    /// None known: a trust of `*` narrowed by a condition of the list above is not reported,
    /// nor one that the policy engine finds closed to a caller from an account the trust policy
    /// does not name (a `Deny` with `NotPrincipal` that spares only some accounts, or an RCP
    /// that denies callers from outside the organization). With no condition at all the
    /// finding is critical, with only weak ones it is high.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-anonymous
    pub struct RoleTrustedByEveryone {
        id: "role-trusted-by-everyone", name: "Role trusted by everyone",
        category: Trust, severity: Critical,
    }
}

impl Rule for RoleTrustedByEveryone {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for v in cx.roles() {
            for e in v.trust().entities.iter().filter(|e| e.kind == EntityKind::Everyone) {
                if NARROWING.iter().any(|k| e.requires(*k)) {
                    continue;
                }
                // The `Allow` of `*` is half of it: whether a stranger really may assume the
                // role is the engine's decision (issue 14: a `Deny` with `NotPrincipal` can
                // leave one account only).
                if access::trust::stranger_may_assume(cx.snapshot, v.role, &e.actions) == Some(false) {
                    continue;
                }
                let (severity, how) = if e.conditions.is_empty() {
                    (Severity::Critical, "with no condition".to_owned())
                } else {
                    let keys: Vec<&str> = e.conditions.iter().map(|c| c.key.as_str()).collect();
                    (Severity::High, format!("with only weak conditions ({})", keys.join(", ")))
                };
                out.push(finding(
                    &Self::META,
                    severity,
                    role_subject(v.account, v.role),
                    &e.evidence.pointer,
                    format!("role `{}` can be assumed by any AWS principal {how}", v.role.name),
                    vec![trust_evidence(v.role, e)],
                ));
            }
        }
    }
}
