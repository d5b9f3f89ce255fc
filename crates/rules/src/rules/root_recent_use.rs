use crate::finding::{Evidence, Finding, fingerprint};
use crate::rule::Rule;
use crate::{RuleContext, declare_rule};

declare_rule! {
    /// ## What it finds
    /// The root user signed in (password) or used an access key within the last days
    /// (`root_use_days`, 30 by default).
    ///
    /// ## Why it matters
    /// Daily work as root bypasses every IAM control of the account and leaves the most powerful
    /// credential exposed. Recent root use is either a task that needs root (rare) or a habit to
    /// break, or a compromise.
    ///
    /// ## Example
    /// The credential report row `<root_account>` has `password_last_used` ten days ago.
    ///
    /// ## Remediation
    /// Find out who used the root user and why (CloudTrail `userIdentity.type` = `Root`). Use
    /// IAM Identity Center or roles for daily work; enable MFA on the root user; in an
    /// organization, centralize root access and remove root credentials of member accounts.
    ///
    /// ## False positives
    /// The few tasks that require the root user (closing the account, changing its support
    /// plan): suppress the finding with the reason.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-tasks.html
    /// - CIS AWS Foundations Benchmark 1.7
    pub struct RootRecentUse {
        id: "root-recent-use", name: "Root user used recently", category: Credentials, severity: High,
    }
}

impl Rule for RootRecentUse {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for (account, row) in super::credential_rows(cx).filter(|(_, r)| r.is_root()) {
            let mut uses = Vec::new();
            if let Some(t) = row.password_last_used {
                uses.push(("password_last_used".to_owned(), t));
            }
            for k in &row.access_keys {
                if let Some(t) = k.last_used_date {
                    uses.push((format!("access_key_{}_last_used_date", k.slot), t));
                }
            }
            let Some((field, last)) = uses.into_iter().max_by_key(|(_, t)| *t) else { continue };
            let days = cx.days_since(last);
            if days > cx.thresholds.root_use_days {
                continue;
            }
            let subject = super::row_subject(account, row);
            out.push(Finding {
                rule: Self::META.id.into(),
                severity: Self::META.severity,
                message: format!("the root user of account {} was used {days} days ago", account.display_name()),
                evidence: vec![Evidence::Field { source: "credential report".into(), field, value: last.to_string() }],
                remediation: Self::META.section("Remediation"),
                fingerprint: fingerprint(Self::META.id, &subject.arn, ""),
                subject,
                suppressed: None,
            });
        }
    }
}
