use crate::finding::{Evidence, Finding, Subject, SubjectKind, fingerprint};
use crate::rule::Rule;
use crate::{RuleContext, declare_rule};

/// The most names an evidence field lists.
const LISTED: usize = 20;

declare_rule! {
    /// ## What it finds
    /// A role that made calls in the CloudTrail window (`rolegraph scan --trail`) but did not
    /// use actions its identity policies grant: the granted actions never called in the window,
    /// and the services of which it called nothing. Only with a trail, and only for roles that
    /// were active in it (a role with no call at all is `unused-role`). One finding per role.
    ///
    /// ## Why it matters
    /// Granted is not used. What a role holds beyond its job is what an attacker gains with its
    /// credentials; the trail shows the job.
    ///
    /// ## Example
    /// `orders-processor-lambda` is granted `s3:PutObject`, `sqs:*` and `dynamodb:*`, and in 90
    /// days called `dynamodb:PutItem`, `dynamodb:GetItem` and `sqs:ReceiveMessage` only.
    ///
    /// ## Remediation
    /// Narrow the role's policies to what it uses: `rolegraph suggest-policy DIR ROLE --trail
    /// PATH` writes a least-privilege policy from the trail, proved by the engine to allow
    /// every observed call and nothing the current policies do not.
    ///
    /// ## False positives
    /// Actions used less often than the window is long (yearly jobs, disaster recovery), and
    /// calls the trail does not record: data events (S3 objects, Lambda invokes, DynamoDB
    /// items) are logged only when the trail is set to, and a trail of some regions misses the
    /// others. Calls that CloudTrail names differently from the action are mapped as
    /// `docs/usage.md` says; the unmapped ones are listed by `rolegraph usage`.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
    /// - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html
    pub struct UnusedPermissions {
        id: "unused-permissions", name: "Role granted actions it did not use in CloudTrail", category: Unused, severity: Low,
    }
}

fn listed(names: &[String]) -> String {
    let mut s = names.iter().take(LISTED).cloned().collect::<Vec<_>>().join(", ");
    if names.len() > LISTED {
        s.push_str(&format!(", ... ({} more)", names.len() - LISTED));
    }
    s
}

impl Rule for UnusedPermissions {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        if cx.usage().is_none() {
            return;
        }
        for view in cx.roles().iter().filter(|v| !v.role.is_service_linked()) {
            let Some(u) = cx.role_usage(view) else { continue };
            if !u.active || u.granted_unused.is_empty() {
                continue;
            }
            let used: Vec<String> = u.used.iter().filter(|a| a.count > 0).map(|a| a.action.clone()).collect();
            let (role, account) = (view.role, view.account);
            let services = if u.granted_services_unused.is_empty() {
                String::new()
            } else {
                format!(
                    ", and nothing of {} service{} ({})",
                    u.granted_services_unused.len(),
                    if u.granted_services_unused.len() == 1 { "" } else { "s" },
                    listed(&u.granted_services_unused)
                )
            };
            let window = match cx.trail_coverage().map(|c| (c.from, c.to)) {
                Some((Some(f), Some(t))) => format!("from {f} to {t}"),
                _ => "in the trail".to_owned(),
            };
            let mut evidence = vec![
                Evidence::Field { source: "cloudtrail".into(), field: "used actions".into(), value: listed(&used) },
                Evidence::Field {
                    source: "identity policies".into(),
                    field: "granted but unused".into(),
                    value: listed(&u.granted_unused),
                },
            ];
            if !u.granted_services_unused.is_empty() {
                evidence.push(Evidence::Field {
                    source: "identity policies".into(),
                    field: "services granted, none called".into(),
                    value: listed(&u.granted_services_unused),
                });
            }
            if !u.gaps.is_empty() {
                evidence.push(Evidence::Note { text: format!("grants known in part: {}", u.gaps.join("; ")) });
            }
            let subject =
                Subject { kind: SubjectKind::Role, arn: role.arn.clone(), name: role.name.clone(), account: account.id.clone() };
            out.push(Finding {
                rule: Self::META.id.into(),
                severity: Self::META.severity,
                message: format!(
                    "role `{}` in account {} used {} of its {} granted actions in CloudTrail {window}{services}",
                    role.name,
                    account.display_name(),
                    u.granted_count - u.granted_unused.len(),
                    u.granted_count,
                ),
                evidence,
                remediation: Self::META.section("Remediation"),
                fingerprint: fingerprint(Self::META.id, &subject.arn, ""),
                subject,
                suppressed: None,
            });
        }
    }
}
