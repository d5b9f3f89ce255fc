//! `service-trust-without-source-condition`: the cross-service confused deputy.

use access::trust::{EntityKind, GuardKind};

use super::{finding, role_subject, trust_evidence};
use crate::finding::Finding;
use crate::rule::Rule;
use crate::{RuleContext, declare_rule};

/// Services that run the customer's own code with the role (the role is not assumed by the
/// service on behalf of someone else).
const COMPUTE: [&str; 4] = ["ec2.amazonaws.com", "lambda.amazonaws.com", "edgelambda.amazonaws.com", "ecs-tasks.amazonaws.com"];

declare_rule! {
    /// ## What it finds
    /// A role trusted by an AWS service (other than EC2, Lambda and ECS tasks, which run your own
    /// code) whose trust statement requires neither `aws:SourceArn`, `aws:SourceAccount` nor
    /// `aws:SourceOrgID`/`OrgPaths`. Service-linked roles are left out.
    ///
    /// ## Why it matters
    /// A service that acts for many customers (SNS, CloudTrail, Config, Glue, ...) can be made by
    /// another customer to use your role if that customer learns its ARN: the cross-service
    /// confused deputy. The source keys tie the service's session to your own resources.
    ///
    /// ## Example
    /// `"Principal": {"Service": "glue.amazonaws.com"}` with no `Condition`.
    ///
    /// ## Remediation
    /// Add `"Condition": {"StringEquals": {"aws:SourceAccount": "ACCOUNT"}, "ArnLike":
    /// {"aws:SourceArn": "arn:aws:SERVICE:REGION:ACCOUNT:..."}}`.
    ///
    /// ## False positives
    /// Services that do not set the source keys when they assume the role: adding the condition
    /// would break them; check the service's documentation and suppress with the reason.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html#cross-service-confused-deputy-prevention
    pub struct ServiceTrustWithoutSourceCondition {
        id: "service-trust-without-source-condition", name: "Service trusted without a source condition",
        category: Trust, severity: Low,
    }
}

impl Rule for ServiceTrustWithoutSourceCondition {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for v in cx.roles().iter().filter(|v| !v.role.is_service_linked()) {
            for e in v.trust().entities.iter().filter(|e| e.kind == EntityKind::Service) {
                let service = e.service.as_deref().unwrap_or(&e.principal).to_ascii_lowercase();
                if COMPUTE.contains(&service.as_str())
                    || [GuardKind::SourceArn, GuardKind::SourceAccount, GuardKind::SourceOrg].iter().any(|k| e.requires(*k))
                {
                    continue;
                }
                out.push(finding(
                    &Self::META,
                    Self::META.severity,
                    role_subject(v.account, v.role),
                    &service,
                    format!(
                        "role `{}` trusts the service {service} without `aws:SourceArn` or `aws:SourceAccount` (confused deputy)",
                        v.role.name
                    ),
                    vec![trust_evidence(v.role, e)],
                ));
            }
        }
    }
}
