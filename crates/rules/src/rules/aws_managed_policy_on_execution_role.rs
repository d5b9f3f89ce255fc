//! `aws-managed-policy-on-execution-role`: broad policies AWS writes for everyone, on a role code
//! runs with.

use super::{finding, role_subject};
use crate::finding::{Evidence, Finding, Severity};
use crate::rule::Rule;
use crate::{RuleContext, declare_rule};

/// AWS-managed policies that make an execution role an administrator or close to one.
const BROAD: [&str; 5] = ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess", "AmazonS3FullAccess", "AmazonEC2FullAccess"];

declare_rule! {
    /// ## What it finds
    /// An AWS-managed policy attached to an execution role (EC2, Lambda, ECS), other than the
    /// policies AWS writes for service roles (`arn:aws:iam::aws:policy/service-role/...`, such
    /// as `AWSLambdaBasicExecutionRole`).
    ///
    /// ## Why it matters
    /// AWS-managed policies are written for every customer: they grant whole services on every
    /// resource (`AmazonS3FullAccess`, `AdministratorAccess`), and AWS adds actions to them over
    /// time. Code that runs with the role gets all of it.
    ///
    /// ## Example
    /// `AdministratorAccess` attached to the role of an EC2 instance.
    ///
    /// ## Remediation
    /// Replace the policy with a customer-managed one listing the actions and resources the code
    /// uses (`rolegraph suggest-policy`).
    ///
    /// ## False positives
    /// Read-only AWS-managed policies on tooling roles: suppress with the reason. Broad policies
    /// (`AdministratorAccess`, `PowerUserAccess`, `IAMFullAccess`, full access to S3 or EC2) are
    /// high; the others medium.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies
    pub struct AwsManagedPolicyOnExecutionRole {
        id: "aws-managed-policy-on-execution-role", name: "AWS-managed policy on an execution role",
        category: ExecutionRole, severity: Medium,
    }
}

impl Rule for AwsManagedPolicyOnExecutionRole {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for v in cx.roles().iter().filter(|v| !v.role.is_service_linked() && v.is_execution_role()) {
            for arn in &v.role.attached_managed_policies {
                let Some(rest) = arn.split_once(":iam::aws:policy/").map(|(_, r)| r) else { continue };
                if rest.starts_with("service-role/") || rest.starts_with("aws-service-role/") {
                    continue;
                }
                let name = rest.rsplit('/').next().unwrap_or(rest);
                let severity = if BROAD.contains(&name) { Severity::High } else { Severity::Medium };
                out.push(finding(
                    &Self::META,
                    severity,
                    role_subject(v.account, v.role),
                    arn,
                    format!("execution role `{}` has the AWS-managed policy `{name}` attached", v.role.name),
                    vec![Evidence::Field {
                        source: "iam get-account-authorization-details".into(),
                        field: "AttachedManagedPolicies".into(),
                        value: arn.clone(),
                    }],
                ));
            }
        }
    }
}
