//! `execution-role-with-wildcard-permissions`: wildcards where code runs with the role.

use catalog::{AccessLevel, Catalog};
use policy::Effect;

use super::{finding, own_policies, policy_statement_evidence, role_subject};
use crate::finding::{Finding, Severity};
use crate::rule::Rule;
use crate::{RuleContext, declare_rule};

declare_rule! {
    /// ## What it finds
    /// A statement of a customer-written policy (inline or customer-managed) of an execution role
    /// (EC2, Lambda, ECS) that allows actions by wildcard (`s3:*`, `dynamodb:Put*`, `*`), or that
    /// allows write or permissions-management actions that support resource-level permissions
    /// on `"Resource": "*"`.
    ///
    /// ## Why it matters
    /// Execution roles run code that listens on networks and parses untrusted input: a
    /// vulnerability in the application hands its credentials (from the instance metadata or the
    /// environment) to the attacker, with everything the wildcards allow.
    ///
    /// ## Example
    /// `{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}` on a Lambda function's role.
    ///
    /// ## Remediation
    /// List the actions the code calls (`rolegraph suggest-policy` derives them from CloudTrail)
    /// and the resources it uses.
    ///
    /// ## False positives
    /// Actions that do not support resource-level permissions need `"Resource": "*"` and are not
    /// counted (the catalog says which). Read-only wildcards such as `s3:Get*` on one bucket are
    /// reported at low severity.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
    /// - https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html
    pub struct ExecutionRoleWithWildcardPermissions {
        id: "execution-role-with-wildcard-permissions", name: "Execution role with wildcard permissions",
        category: ExecutionRole, severity: Medium,
    }
}

impl Rule for ExecutionRoleWithWildcardPermissions {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let cat = Catalog::get();
        for v in cx.roles().iter().filter(|v| !v.role.is_service_linked() && v.is_execution_role()) {
            for p in own_policies(cx.snapshot, v.role) {
                for s in p.policy.statements.iter().filter(|s| s.effect == Effect::Allow && !s.action.is_not()) {
                    let wild_actions: Vec<&str> =
                        s.action.items().iter().filter(|a| a.raw.contains(['*', '?'])).map(|a| a.raw.as_str()).collect();
                    let any_resource = s.resource.as_ref().is_some_and(|r| !r.is_not() && r.items().iter().any(|x| x.raw == "*"));
                    let expanded = cat.expand_block(&s.action);
                    let writes_on_any = any_resource
                        && expanded.iter().filter_map(|a| cat.info(a)).any(|i| {
                            matches!(i.access_level, AccessLevel::Write | AccessLevel::PermissionsManagement)
                                && !i.resource_types.is_empty()
                        });
                    if wild_actions.is_empty() && !writes_on_any {
                        continue;
                    }
                    let mut what = Vec::new();
                    if !wild_actions.is_empty() {
                        what.push(format!("actions by wildcard ({})", wild_actions.join(", ")));
                    }
                    if writes_on_any {
                        what.push("write actions on every resource".to_owned());
                    }
                    let writes = expanded
                        .iter()
                        .filter_map(|a| cat.info(a))
                        .any(|i| i.access_level != AccessLevel::Read && i.access_level != AccessLevel::List);
                    let severity = if any_resource && writes { Severity::Medium } else { Severity::Low };
                    out.push(finding(
                        &Self::META,
                        severity,
                        role_subject(v.account, v.role),
                        &format!("{}{}", p.label, s.pointer),
                        format!("execution role `{}` allows {} in `{}`", v.role.name, what.join(" and "), p.label),
                        vec![policy_statement_evidence(&p.label, s)],
                    ));
                }
            }
        }
    }
}
