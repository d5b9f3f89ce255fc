//! `allow-with-not-action`: an allow of everything except a list.

use policy::Effect;

use super::{customer_policies, finding, policy_statement_evidence};
use crate::finding::{Finding, Severity};
use crate::rule::Rule;
use crate::{RuleContext, declare_rule};

declare_rule! {
    /// ## What it finds
    /// A statement of a customer-written policy (inline, or customer-managed) with
    /// `"Effect": "Allow"` and `NotAction`.
    ///
    /// ## Why it matters
    /// `NotAction` with `Allow` grants every action of every service except those listed,
    /// including the services and actions AWS adds later. It is almost always far wider than
    /// meant: `"NotAction": "iam:*"` still allows `organizations:*`, `sts:*` and every data
    /// action.
    ///
    /// ## Example
    /// `{"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}`.
    ///
    /// ## Remediation
    /// List the actions to allow; to exclude actions from a broad grant, use a separate `Deny`
    /// statement (or a permissions boundary) instead.
    ///
    /// ## False positives
    /// `NotAction` on a narrow `Resource` (one bucket) is less wide: the finding is then medium
    /// rather than high. AWS-managed policies (such as `PowerUserAccess`) are not reported here.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
    pub struct AllowWithNotAction {
        id: "allow-with-not-action", name: "Allow with NotAction",
        category: Privilege, severity: High,
    }
}

impl Rule for AllowWithNotAction {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for (subject, label, policy) in customer_policies(cx.snapshot) {
            for s in policy.statements.iter().filter(|s| s.effect == Effect::Allow && s.action.is_not()) {
                let any_resource = s.resource.as_ref().is_none_or(|r| r.is_not() || r.items().iter().any(|p| p.raw == "*"));
                let severity = if any_resource { Severity::High } else { Severity::Medium };
                let except: Vec<&str> = s.action.items().iter().map(|a| a.raw.as_str()).collect();
                out.push(finding(
                    &Self::META,
                    severity,
                    subject.clone(),
                    &format!("{label}{}", s.pointer),
                    format!("`{label}` allows every action except {} (`NotAction` with `Allow`)", except.join(", ")),
                    vec![policy_statement_evidence(&label, s)],
                ));
            }
        }
    }
}
