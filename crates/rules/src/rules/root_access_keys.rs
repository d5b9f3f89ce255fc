use crate::finding::{Evidence, Finding, fingerprint};
use crate::rule::Rule;
use crate::{RuleContext, declare_rule};

declare_rule! {
    /// ## What it finds
    /// The root user of an account has an active access key.
    ///
    /// ## Why it matters
    /// The root user can do anything in the account, and SCPs do not limit the root user of the
    /// management account. A long-lived key for it is the most valuable credential an attacker
    /// can find, and it cannot be restricted by any policy of the account.
    ///
    /// ## Example
    /// The credential report row `<root_account>` has `access_key_1_active` = `true`.
    ///
    /// ## Remediation
    /// Delete the root user's access keys (IAM console, signed in as root: Security credentials).
    /// Use roles for automation; keep the root user for the few tasks that need it, with MFA.
    ///
    /// ## False positives
    /// None: AWS recommends that the root user have no access keys at all.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-best-practices.html
    /// - CIS AWS Foundations Benchmark 1.4
    pub struct RootAccessKeys {
        id: "root-access-keys", name: "Root user has active access keys", category: Credentials, severity: Critical,
    }
}

impl Rule for RootAccessKeys {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for (account, row) in super::credential_rows(cx).filter(|(_, r)| r.is_root()) {
            for key in row.active_access_keys() {
                let subject = super::row_subject(account, row);
                out.push(Finding {
                    rule: Self::META.id.into(),
                    severity: Self::META.severity,
                    message: format!(
                        "the root user of account {} has an active access key (slot {})",
                        account.display_name(),
                        key.slot
                    ),
                    evidence: vec![Evidence::Field {
                        source: "credential report".into(),
                        field: format!("access_key_{}_active", key.slot),
                        value: "true".into(),
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
