use crate::finding::{Evidence, Finding, fingerprint};
use crate::rule::Rule;
use crate::{RuleContext, declare_rule};

declare_rule! {
    /// ## What it finds
    /// An IAM user (or the root user) who can sign in to the console with a password and has no
    /// MFA device.
    ///
    /// ## Why it matters
    /// A password alone is phished, guessed or reused; MFA is the control that stops a stolen
    /// password from becoming a session.
    ///
    /// ## Example
    /// A credential report row with `password_enabled` = `true` and `mfa_active` = `false`.
    ///
    /// ## Remediation
    /// Require MFA for the user (assign a device, and deny actions without
    /// `aws:MultiFactorAuthPresent`), or better, move people to IAM Identity Center and remove
    /// the IAM user's password.
    ///
    /// ## False positives
    /// Break-glass users whose MFA device is held offline are still findings: suppress with the
    /// reason if that is the design.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa.html
    /// - CIS AWS Foundations Benchmark 1.10
    pub struct ConsoleUserWithoutMfa {
        id: "console-user-without-mfa", name: "Console user without MFA", category: Credentials, severity: High,
    }
}

impl Rule for ConsoleUserWithoutMfa {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for (account, row) in super::credential_rows(cx) {
            // The root user always has a password: its row says `not_supported` (None).
            let console = row.password_enabled.unwrap_or(row.is_root());
            if !console || row.mfa_active {
                continue;
            }
            let subject = super::row_subject(account, row);
            out.push(Finding {
                rule: Self::META.id.into(),
                severity: Self::META.severity,
                message: format!(
                    "`{}` in account {} can sign in with a password and has no MFA",
                    subject.name,
                    account.display_name()
                ),
                evidence: vec![
                    Evidence::Field {
                        source: "credential report".into(),
                        field: "password_enabled".into(),
                        value: "true".into(),
                    },
                    Evidence::Field { source: "credential report".into(), field: "mfa_active".into(), value: "false".into() },
                ],
                remediation: Self::META.section("Remediation"),
                fingerprint: fingerprint(Self::META.id, &subject.arn, ""),
                subject,
                suppressed: None,
            });
        }
    }
}
