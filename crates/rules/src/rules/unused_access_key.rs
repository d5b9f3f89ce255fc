use crate::finding::{Evidence, Finding, fingerprint};
use crate::rule::Rule;
use crate::{RuleContext, declare_rule};

declare_rule! {
    /// ## What it finds
    /// An active access key of an IAM user that was never used, or not used for more than
    /// `unused_days` (90 by default), and is older than that.
    ///
    /// ## Why it matters
    /// An unused credential gives nothing and risks everything: nobody notices when a forgotten
    /// key starts being used by someone else.
    ///
    /// ## Example
    /// `access_key_2_active` = `true`, `access_key_2_last_used_date` = `N/A`, rotated a year ago.
    ///
    /// ## Remediation
    /// Deactivate the key, wait for complaints, then delete it.
    ///
    /// ## False positives
    /// Keys of rarely run jobs (yearly reports): suppress with the reason, or move the job to a
    /// role.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_finding-unused.html
    /// - CIS AWS Foundations Benchmark 1.12
    pub struct UnusedAccessKey {
        id: "unused-access-key", name: "Access key unused", category: Unused, severity: Medium,
    }
}

impl Rule for UnusedAccessKey {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let limit = cx.thresholds.unused_days;
        for (account, row) in super::credential_rows(cx).filter(|(_, r)| !r.is_root()) {
            for key in row.active_access_keys() {
                // A key younger than the window cannot be "unused for the window".
                if key.last_rotated.is_none_or(|t| cx.days_since(t) <= limit) {
                    continue;
                }
                let (what, value) = match key.last_used_date {
                    None => ("never used".to_owned(), "N/A".to_owned()),
                    Some(t) if cx.days_since(t) > limit => (format!("last used {} days ago", cx.days_since(t)), t.to_string()),
                    Some(_) => continue,
                };
                let subject = super::row_subject(account, row);
                out.push(Finding {
                    rule: Self::META.id.into(),
                    severity: Self::META.severity,
                    message: format!("access key {} of `{}` is active but {what}", key.slot, row.user),
                    evidence: vec![Evidence::Field {
                        source: "credential report".into(),
                        field: format!("access_key_{}_last_used_date", key.slot),
                        value,
                    }],
                    remediation: Self::META.section("Remediation"),
                    fingerprint: fingerprint(Self::META.id, &subject.arn, &key.slot.to_string()),
                    subject,
                    suppressed: None,
                });
            }
        }
    }
}
