//! `resource-policy-service-without-source`: the confused deputy, in a resource policy.

use graph::resources::GranteeKind;

use super::{finding, policy_statement_evidence, resource_subject};
use crate::finding::{Finding, Severity};
use crate::rule::Rule;
use crate::{RuleContext, declare_rule};

/// The keys that tie a service's request to the customer's own resources or accounts.
const SOURCE_KEYS: [&str; 5] = ["aws:sourcearn", "aws:sourceaccount", "aws:sourceorgid", "aws:sourceorgpaths", "aws:sourceowner"];

declare_rule! {
    /// ## What it finds
    /// A resource-based policy (of a bucket, key, function, queue, topic, secret, repository
    /// or table) whose statement lets an AWS service principal act on the resource without
    /// requiring `aws:SourceArn`, `aws:SourceAccount`, `aws:SourceOrgID`/`OrgPaths` or
    /// `aws:SourceOwner`, when the policy engine decides that the service may act on it.
    ///
    /// ## Why it matters
    /// The service acts for every customer. Without a source condition, another customer can
    /// point the service at this resource (their API Gateway at your function, their trail at
    /// your bucket, their topic at your queue): the cross-service confused deputy.
    ///
    /// ## Severity
    /// Medium when the service may write or manage permissions, low when it may only read or
    /// list.
    ///
    /// ## Example
    /// `"Principal": {"Service": "apigateway.amazonaws.com"}`, `"Action":
    /// "lambda:InvokeFunction"` with no `Condition`.
    ///
    /// ## Remediation
    /// Add `"Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:SERVICE:REGION:ACCOUNT:..."},
    /// "StringEquals": {"aws:SourceAccount": "ACCOUNT"}}`; for Lambda, `add-permission
    /// --source-arn ... --source-account ...`.
    ///
    /// ## False positives
    /// Services that do not send the source keys for this resource type: check the service's
    /// documentation and suppress with the reason.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html#cross-service-confused-deputy-prevention
    pub struct ResourcePolicyServiceWithoutSource {
        id: "resource-policy-service-without-source", name: "Service in a resource policy without a source condition",
        category: Resources, severity: Medium,
    }
}

impl Rule for ResourcePolicyServiceWithoutSource {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for r in cx.analysis().external_access() {
            let Some(resource) = cx.snapshot.account(&r.account).and_then(|a| a.resource(&r.arn)) else { continue };
            let Some(policy) = resource.policy.as_ref().and_then(|d| d.policy()) else { continue };
            for a in r.access.iter().filter(|a| a.who.kind == GranteeKind::Service && !a.levels.is_empty()) {
                // The statements that name the service, and whether any requires a source key.
                let naming: Vec<&policy::Statement> = policy
                    .statements
                    .iter()
                    .filter(|s| s.effect == policy::Effect::Allow)
                    .filter(|s| {
                        s.principal.as_ref().is_some_and(|p| {
                            p.items()
                                .iter()
                                .any(|x| matches!(x, policy::Principal::Service(svc) if svc.eq_ignore_ascii_case(&a.who.id)))
                        })
                    })
                    .collect();
                let unguarded: Vec<&&policy::Statement> =
                    naming.iter().filter(|s| !s.conditions.iter().any(|c| SOURCE_KEYS.contains(&c.key_lower.as_str()))).collect();
                let Some(first) = unguarded.first() else { continue };
                // The levels the unguarded statements give (a guarded `PutObject` beside an
                // unguarded `GetBucketAcl` is a read).
                let unguarded_levels: Vec<&str> = a
                    .levels
                    .iter()
                    .filter(|l| {
                        l.actions.iter().chain(&l.conditional_actions).any(|x| {
                            let lower = x.to_ascii_lowercase();
                            unguarded.iter().any(|s| match &s.action {
                                policy::Block::Only(list) => list.iter().any(|p| p.matches_lower(&lower)),
                                policy::Block::Not(list) => !list.iter().any(|p| p.matches_lower(&lower)),
                            })
                        })
                    })
                    .map(|l| l.level)
                    .collect();
                if unguarded_levels.is_empty() {
                    continue;
                }
                let severity = if unguarded_levels.iter().any(|l| matches!(*l, "Write" | "Permissions management")) {
                    Severity::Medium
                } else {
                    Severity::Low
                };
                out.push(finding(
                    &Self::META,
                    severity,
                    resource_subject(r),
                    &a.who.id,
                    format!(
                        "the policy of {} `{}` lets the service {} act on it ({}) without a source condition",
                        r.kind_label,
                        r.name,
                        a.who.id,
                        unguarded_levels.join(", ")
                    ),
                    vec![policy_statement_evidence(&format!("{} resource policy", r.arn), first)],
                ));
            }
        }
    }
}
