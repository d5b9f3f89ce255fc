use crate::finding::{Evidence, Finding, fingerprint};
use crate::rule::Rule;
use crate::{RuleContext, declare_rule};

declare_rule! {
    /// ## What it finds
    /// An active access key of an IAM user that was created or last rotated more than
    /// `key_age_days` (90 by default) ago.
    ///
    /// ## Why it matters
    /// Long-lived keys leak through laptops, CI logs and repositories; the longer a key lives,
    /// the longer a leaked copy works.
    ///
    /// ## Example
    /// `access_key_1_active` = `true` and `access_key_1_last_rotated` 400 days ago.
    ///
    /// ## Remediation
    /// Rotate the key (create a second, switch, deactivate, delete), or better, replace the user
    /// with a role: an instance profile, IAM Roles Anywhere, or OIDC federation from CI.
    ///
    /// ## False positives
    /// None for the age itself; a key that must exist may be suppressed with the reason.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html#rotating_access_keys_console
    /// - CIS AWS Foundations Benchmark 1.14
    pub struct OldAccessKey {
        id: "old-access-key", name: "Access key not rotated", category: Credentials, severity: Medium,
    }
}

impl Rule for OldAccessKey {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for (account, row) in super::credential_rows(cx).filter(|(_, r)| !r.is_root()) {
            for key in row.active_access_keys() {
                let Some(rotated) = key.last_rotated else { continue };
                let days = cx.days_since(rotated);
                if days <= cx.thresholds.key_age_days {
                    continue;
                }
                let subject = super::row_subject(account, row);
                out.push(Finding {
                    rule: Self::META.id.into(),
                    severity: Self::META.severity,
                    message: format!("access key {} of `{}` is {days} days old", key.slot, row.user),
                    evidence: vec![Evidence::Field {
                        source: "credential report".into(),
                        field: format!("access_key_{}_last_rotated", key.slot),
                        value: rotated.to_string(),
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
