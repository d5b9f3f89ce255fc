use crate::finding::{Evidence, Finding, Subject, SubjectKind, fingerprint};
use crate::rule::Rule;
use crate::{RuleContext, declare_rule};

declare_rule! {
    /// ## What it finds
    /// A role never used, or not used for more than `unused_days` (90 by default), that was
    /// created before that window. Service-linked roles are left out (their service manages
    /// them).
    ///
    /// With CloudTrail (`rolegraph scan --trail`), also a role that made no call that passed
    /// authorization in the trail's window (the `--days` before `--until`, else from the first
    /// to the last event), when the trail has events of the role's account and the role was
    /// created before the window, and `RoleLastUsed` does not show a use inside the window (then
    /// the trail lacks the role's calls). A role the trail shows in use gets no finding,
    /// whatever `RoleLastUsed` says.
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
    /// `get-role`): without that data no finding is made and the gap is reported. A trail that
    /// leaves out regions, or data events, can miss a role's calls: give it every region.
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
        let coverage = cx.trail_coverage();
        for view in cx.roles().iter().filter(|v| !v.role.is_service_linked()) {
            let (account, role) = (view.account, view.role);
            let mut what = Vec::new();
            let mut evidence = Vec::new();
            // RoleLastUsed; without last-used data nothing is known from it (the gap is
            // reported).
            if let Some(last) = &role.role_last_used
                && role.create_date.is_some_and(|c| cx.days_since(c) > limit)
            {
                match last.date {
                    None => {
                        what.push("has never been used".to_owned());
                        evidence.push(Evidence::Field {
                            source: "iam list-roles".into(),
                            field: "RoleLastUsed.LastUsedDate".into(),
                            value: "never".into(),
                        });
                    }
                    Some(t) if cx.days_since(t) > limit => {
                        what.push(format!("was last used {} days ago", cx.days_since(t)));
                        evidence.push(Evidence::Field {
                            source: "iam list-roles".into(),
                            field: "RoleLastUsed.LastUsedDate".into(),
                            value: t.to_string(),
                        });
                    }
                    Some(_) => {}
                }
            }
            if let (Some(c), Some(used)) = (coverage, cx.role_usage(view)) {
                if used.active {
                    // The trail shows it in use.
                    continue;
                }
                let created_before = match (role.create_date, c.from) {
                    (Some(created), Some(from)) => created < from,
                    _ => false,
                };
                // IAM saw it used inside the window: the trail lacks its calls (a region or an
                // account it does not cover), it is not evidence of disuse.
                let iam_saw_use = match (role.role_last_used.as_ref().and_then(|l| l.date), c.from) {
                    (Some(last), Some(from)) => last >= from,
                    _ => false,
                };
                if created_before && !iam_saw_use && c.accounts.contains(&account.id) {
                    let window = match (c.from, c.to) {
                        (Some(f), Some(t)) => format!("{f} to {t}"),
                        _ => "the trail".to_owned(),
                    };
                    let denied = if used.denied > 0 { format!(" ({} refused)", used.denied) } else { String::new() };
                    what.push(format!("made no call in CloudTrail from {window}{denied}"));
                    evidence.push(Evidence::Field {
                        source: "cloudtrail".into(),
                        field: "calls in the window".into(),
                        value: format!("0 allowed, {} denied ({window})", used.denied),
                    });
                }
            }
            if what.is_empty() {
                continue;
            }
            let subject =
                Subject { kind: SubjectKind::Role, arn: role.arn.clone(), name: role.name.clone(), account: account.id.clone() };
            out.push(Finding {
                rule: Self::META.id.into(),
                severity: Self::META.severity,
                message: format!("role `{}` in account {} {}", role.name, account.display_name(), what.join(" and ")),
                evidence,
                remediation: Self::META.section("Remediation"),
                fingerprint: fingerprint(Self::META.id, &subject.arn, ""),
                subject,
                suppressed: None,
            });
        }
    }
}
