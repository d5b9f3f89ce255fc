use crate::finding::{Evidence, Finding, fingerprint};
use crate::rule::Rule;
use crate::{RuleContext, declare_rule};

declare_rule! {
    /// ## What it finds
    /// An IAM user used only programmatically: it has an active access key and no console
    /// password. Such users are usually machines (CI, scripts, servers, other clouds) that a
    /// role would serve with short-lived credentials.
    ///
    /// ## Why it matters
    /// Access keys do not expire; role credentials expire within hours and leave nothing to
    /// leak. AWS recommends roles for workloads and federation for people.
    ///
    /// ## Example
    /// User `ci-deployer` with `access_key_1_active` = `true` and `password_enabled` = `false`.
    ///
    /// ## Remediation
    /// Give the workload a role: an instance profile or task role on AWS, OIDC federation from
    /// CI (GitHub Actions, GitLab), IAM Roles Anywhere elsewhere; then delete the user's keys.
    ///
    /// ## False positives
    /// Third-party tools that only accept access keys: suppress with the reason and restrict the
    /// user's policy and source IPs.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-workloads-use-roles
    pub struct UserAccessKeyWhereRoleWouldDo {
        id: "user-access-key-where-role-would-do", name: "Long-lived user keys where a role would do", category: Credentials, severity: Low,
    }
}

impl Rule for UserAccessKeyWhereRoleWouldDo {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for (account, row) in super::credential_rows(cx).filter(|(_, r)| !r.is_root()) {
            let keys: Vec<String> = row.active_access_keys().map(|k| k.slot.to_string()).collect();
            if keys.is_empty() || row.password_enabled != Some(false) {
                continue;
            }
            let subject = super::row_subject(account, row);
            out.push(Finding {
                rule: Self::META.id.into(),
                severity: Self::META.severity,
                message: format!(
                    "`{}` is used with long-lived access keys only: a role with short-lived credentials would do",
                    row.user
                ),
                evidence: vec![
                    Evidence::Field {
                        source: "credential report".into(),
                        field: "password_enabled".into(),
                        value: "false".into(),
                    },
                    Evidence::Field {
                        source: "credential report".into(),
                        field: "active access keys".into(),
                        value: keys.join(", "),
                    },
                ],
                remediation: Self::META.section("Remediation"),
                fingerprint: fingerprint(Self::META.id, &subject.arn, ""),
                subject,
                suppressed: None,
            });
        }
    }
}
