use crate::finding::{Evidence, Finding, Subject, SubjectKind, fingerprint};
use crate::rule::Rule;
use crate::{RuleContext, declare_rule};

declare_rule! {
    /// ## What it finds
    /// A role never used, or not used for more than `unused_days` (90 by default), that was
    /// created before that window. Service-linked roles are left out (their service manages
    /// them).
    ///
    /// ## Why it matters
    /// Unused roles keep their trust and their permissions: a forgotten role that an external
    /// account or a CI provider can still assume is access nobody watches.
    ///
    /// ## Example
    /// `RoleLastUsed` is empty and the role was created two years ago.
    ///
    /// ## Remediation
    /// Confirm with the owner (tags, description), then delete the role, or at least remove its
    /// trust and policies.
    ///
    /// ## False positives
    /// Break-glass and disaster-recovery roles: suppress them with the reason. IAM reports last
    /// use for the trailing 400 days only, and only where exports include it (`list-roles` or
    /// `get-role`): without that data no finding is made and the gap is reported.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_manage_delete.html
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_finding-unused.html
    pub struct UnusedRole {
        id: "unused-role", name: "Role unused", category: Unused, severity: Low,
    }
}

impl Rule for UnusedRole {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let limit = cx.thresholds.unused_days;
        for account in &cx.snapshot.accounts {
            for role in account.roles.iter().filter(|r| !r.is_service_linked()) {
                // Without last-used data nothing is known: no finding (the gap is reported).
                let Some(last) = &role.role_last_used else { continue };
                if role.create_date.is_none_or(|c| cx.days_since(c) <= limit) {
                    continue;
                }
                let (what, value) = match last.date {
                    None => ("has never been used".to_owned(), "never".to_owned()),
                    Some(t) if cx.days_since(t) > limit => (format!("was last used {} days ago", cx.days_since(t)), t.to_string()),
                    Some(_) => continue,
                };
                let subject = Subject { kind: SubjectKind::Role, arn: role.arn.clone(), name: role.name.clone(), account: account.id.clone() };
                out.push(Finding {
                    rule: Self::META.id.into(),
                    severity: Self::META.severity,
                    message: format!("role `{}` in account {} {what}", role.name, account.display_name()),
                    evidence: vec![Evidence::Field { source: "iam list-roles".into(), field: "RoleLastUsed.LastUsedDate".into(), value }],
                    remediation: Self::META.section("Remediation"),
                    fingerprint: fingerprint(Self::META.id, &subject.arn, ""),
                    subject,
                    suppressed: None,
                });
            }
        }
    }
}
