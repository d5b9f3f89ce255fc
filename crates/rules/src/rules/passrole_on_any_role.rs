//! `passrole-on-any-role`: `iam:PassRole` on every role.

use policy::Effect;

use super::{customer_policies, finding, policy_statement_evidence};
use crate::finding::{Finding, Severity};
use crate::rule::Rule;
use crate::{RuleContext, declare_rule};

declare_rule! {
    /// ## What it finds
    /// A statement of a customer-written policy that allows `iam:PassRole` (named, or through a
    /// pattern such as `iam:Pass*` or `iam:*`, but not the bare `*`, which the privilege rules
    /// cover) on every role (`*`, `arn:aws:iam::*:role/*` or `arn:aws:iam::ACCOUNT:role/*`),
    /// without an `iam:PassedToService` condition.
    ///
    /// ## Why it matters
    /// Passing a role to a service (a Lambda function, an EC2 instance, a CloudFormation stack)
    /// lets the caller run code with that role's permissions: with `PassRole` on every role,
    /// the most privileged role of the account is a function away.
    ///
    /// ## Example
    /// `{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}`.
    ///
    /// ## Remediation
    /// Name the roles that may be passed, and add
    /// `"Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}`.
    ///
    /// ## False positives
    /// Deployment principals that must pass every role (CloudFormation service roles): suppress
    /// with the reason, or narrow by path (`role/app/*`).
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
    pub struct PassroleOnAnyRole {
        id: "passrole-on-any-role", name: "iam:PassRole on every role",
        category: Privilege, severity: Medium,
    }
}

fn every_role(raw: &str) -> bool {
    raw == "*"
        || raw == "arn:aws:iam::*:*"
        || (raw.starts_with("arn:aws:iam::") && (raw.ends_with(":role/*") || raw.ends_with(":*")))
}

impl Rule for PassroleOnAnyRole {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for (subject, label, policy) in customer_policies(cx.snapshot) {
            for s in policy.statements.iter().filter(|s| s.effect == Effect::Allow && !s.action.is_not()) {
                let names = s.action.items().iter().any(|a| a.raw != "*" && a.matches_lower("iam:passrole"));
                let on_all = s.resource.as_ref().is_some_and(|r| !r.is_not() && r.items().iter().any(|p| every_role(&p.raw)));
                let scoped = s.conditions.iter().any(|c| c.key_lower == "iam:passedtoservice");
                if !names || !on_all || scoped {
                    continue;
                }
                out.push(finding(
                    &Self::META,
                    Severity::Medium,
                    subject.clone(),
                    &format!("{label}{}", s.pointer),
                    format!("`{label}` allows `iam:PassRole` on every role, to any service"),
                    vec![policy_statement_evidence(&label, s)],
                ));
            }
        }
    }
}
