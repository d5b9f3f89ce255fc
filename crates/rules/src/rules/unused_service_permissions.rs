use crate::finding::{Evidence, Finding, Subject, SubjectKind, fingerprint};
use crate::rule::Rule;
use crate::{RuleContext, declare_rule};

declare_rule! {
    /// ## What it finds
    /// A role whose service-last-accessed report (`iam get-service-last-accessed-details`)
    /// lists services it is allowed to use but has never used, or not within `unused_days`
    /// (90 by default). One finding per role, naming the unused services.
    ///
    /// ## Why it matters
    /// Permissions a role does not use are risk without benefit: if the role is compromised,
    /// they are what the attacker gains beyond the role's job.
    ///
    /// ## Example
    /// `orders-processor-lambda` may use `s3`, `dynamodb`, `sqs` and `sns`; the report shows
    /// `sns` never authenticated.
    ///
    /// ## Remediation
    /// Remove the unused services from the role's policies (`rolegraph suggest-policy` drafts a
    /// least-privilege policy from CloudTrail and proves it with the engine).
    ///
    /// ## False positives
    /// Rarely used paths (disaster recovery, yearly jobs). IAM tracks the trailing 400 days and
    /// only for the roles an export covers: a role without a report gets no finding (the gap is
    /// reported).
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_last-accessed.html
    pub struct UnusedServicePermissions {
        id: "unused-service-permissions", name: "Role has permissions for services it does not use", category: Unused, severity: Low,
    }
}

impl Rule for UnusedServicePermissions {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let limit = cx.thresholds.unused_days;
        for account in &cx.snapshot.accounts {
            for report in &account.service_last_accessed {
                let Some(arn) = report.entity_arn.as_deref() else { continue };
                let Some(role) = account.role(arn) else { continue };
                let unused: Vec<(&str, String)> = report
                    .services
                    .iter()
                    .filter_map(|s| match s.last_authenticated {
                        None => Some((s.service_namespace.as_str(), "never".to_owned())),
                        Some(t) if cx.days_since(t) > limit => Some((s.service_namespace.as_str(), t.to_string())),
                        Some(_) => None,
                    })
                    .collect();
                if unused.is_empty() {
                    continue;
                }
                let names: Vec<&str> = unused.iter().map(|(n, _)| *n).collect();
                let subject = Subject {
                    kind: SubjectKind::Role,
                    arn: role.arn.clone(),
                    name: role.name.clone(),
                    account: account.id.clone(),
                };
                out.push(Finding {
                    rule: Self::META.id.into(),
                    severity: Self::META.severity,
                    message: format!(
                        "role `{}` may use {} service{} it has not used in {limit} days: {}",
                        role.name,
                        names.len(),
                        if names.len() == 1 { "" } else { "s" },
                        names.join(", ")
                    ),
                    evidence: unused
                        .iter()
                        .map(|(n, last)| Evidence::Field {
                            source: report.source.clone(),
                            field: format!("ServicesLastAccessed[{n}].LastAuthenticated"),
                            value: last.clone(),
                        })
                        .collect(),
                    remediation: Self::META.section("Remediation"),
                    fingerprint: fingerprint(Self::META.id, &subject.arn, ""),
                    subject,
                    suppressed: None,
                });
            }
        }
    }
}
