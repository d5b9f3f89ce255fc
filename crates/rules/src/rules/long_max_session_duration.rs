use crate::finding::{Evidence, Finding, Subject, SubjectKind, fingerprint};
use crate::rule::Rule;
use crate::{RuleContext, declare_rule};

declare_rule! {
    /// ## What it finds
    /// A role whose maximum session duration is above `max_session_seconds` (one hour, the
    /// default of IAM).
    ///
    /// ## Why it matters
    /// Role credentials cannot be revoked one by one; the session duration bounds how long stolen
    /// credentials work. Up to 12 hours is allowed, and long sessions on privileged roles widen
    /// that window.
    ///
    /// ## Example
    /// `MaxSessionDuration` = `43200` (12 hours).
    ///
    /// ## Remediation
    /// Lower the role's maximum session duration to what its users need (one hour is the
    /// default); for people, prefer re-authentication over long sessions.
    ///
    /// ## False positives
    /// Long batch jobs that cannot refresh credentials: suppress with the reason.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use.html#id_roles_use_view-role-max-session
    pub struct LongMaxSessionDuration {
        id: "long-max-session-duration", name: "Role allows long sessions", category: Trust, severity: Low,
    }
}

impl Rule for LongMaxSessionDuration {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for account in &cx.snapshot.accounts {
            for role in account.roles.iter().filter(|r| !r.is_service_linked()) {
                let Some(secs) = role.max_session_duration else { continue };
                if secs <= cx.thresholds.max_session_seconds {
                    continue;
                }
                let subject = Subject {
                    kind: SubjectKind::Role,
                    arn: role.arn.clone(),
                    name: role.name.clone(),
                    account: account.id.clone(),
                };
                out.push(Finding {
                    rule: Self::META.id.into(),
                    severity: Self::META.severity,
                    message: format!("role `{}` allows sessions of up to {} hours", role.name, f64::from(secs) / 3600.0),
                    evidence: vec![Evidence::Field {
                        source: "iam list-roles".into(),
                        field: "MaxSessionDuration".into(),
                        value: secs.to_string(),
                    }],
                    remediation: Self::META.section("Remediation"),
                    fingerprint: fingerprint(Self::META.id, &subject.arn, ""),
                    subject,
                    suppressed: None,
                });
            }
        }
    }
}
