//! `role-used-by-many-resources`: one role shared where each resource should have its own.

use super::{finding, role_subject};
use crate::finding::{Evidence, Finding};
use crate::rule::Rule;
use crate::{RuleContext, declare_rule};

declare_rule! {
    /// ## What it finds
    /// A role used by `shared_role_resources` (3 by default) or more resources: EC2 instances,
    /// Lambda functions, ECS task definitions.
    ///
    /// ## Why it matters
    /// A shared role carries the union of what every resource needs: each resource gets the
    /// others' permissions, a compromise of any of them reaches all their data, and CloudTrail
    /// cannot tell which resource did what.
    ///
    /// ## Example
    /// One `orders-processor` role used by five Lambda functions.
    ///
    /// ## Remediation
    /// Give each function or service its own role with what it needs (`rolegraph usage` shows
    /// what the role used).
    ///
    /// ## False positives
    /// Identical replicas (instances of one auto-scaling group, revisions of one task definition
    /// family) need the same permissions; instance profiles are not counted as resources.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html
    pub struct RoleUsedByManyResources {
        id: "role-used-by-many-resources", name: "Role shared by many resources",
        category: ExecutionRole, severity: Low,
    }
}

impl Rule for RoleUsedByManyResources {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for v in cx.roles().iter().filter(|v| !v.role.is_service_linked()) {
            let n = access::record::resource_count(&v.uses);
            if n < cx.thresholds.shared_role_resources {
                continue;
            }
            let mut names: Vec<&str> = v.uses.iter().filter(|u| u.kind.is_resource()).map(|u| u.name.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            out.push(finding(
                &Self::META,
                Self::META.severity,
                role_subject(v.account, v.role),
                "",
                format!("role `{}` is used by {n} resources: {}", v.role.name, names.join(", ")),
                vec![Evidence::Note { text: format!("used by {}", names.join(", ")) }],
            ));
        }
    }
}
