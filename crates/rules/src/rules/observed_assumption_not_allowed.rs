//! `observed-assumption-not-allowed`: CloudTrail shows a role assumed by a caller that the
//! exported policies do not allow to assume it.

use graph::ObservedStatus;

use crate::finding::{Evidence, Finding, Subject, SubjectKind, fingerprint};
use crate::rule::Rule;
use crate::{RuleContext, declare_rule};

declare_rule! {
    /// ## What it finds
    /// With CloudTrail (`rolegraph scan --trail`): a successful `AssumeRole`,
    /// `AssumeRoleWithSAML` or `AssumeRoleWithWebIdentity` call into a role of the snapshot by
    /// a caller that no can-assume edge of the authorization graph allows: the policies in the
    /// exports (the role's trust, the caller's identity policies, boundaries, SCPs and RCPs, as
    /// the engine decides them) say it cannot happen, and the trail says it did. Calls that were
    /// all refused are not findings (the trail agrees with the policies), nor are calls into
    /// roles of accounts outside the snapshot.
    ///
    /// ## Severity
    /// High: it is the strongest signal of drift or compromise the tool can give. Either a
    /// policy changed between the trail and the export (someone widened a trust, then put it
    /// back), the exports miss data (a policy, an account), or credentials were used in a way
    /// the policies do not account for.
    ///
    /// ## Why it matters
    /// Every other finding reasons from the policies; this one shows the policies are not the
    /// whole story for this role. An attacker who edited a trust policy to get in and restored it
    /// afterwards leaves exactly this trace.
    ///
    /// ## Example
    /// `jane.doe` assumed `okta-prod-admin` once from `203.0.113.77`; the role trusts only the
    /// Okta SAML provider, and no policy lets `jane.doe` call `sts:AssumeRole` on it.
    ///
    /// ## Remediation
    /// Look up the calls in CloudTrail (time, source IP, user agent), and the trust policy's
    /// version history (`UpdateAssumeRolePolicy` events) around them. If the access was
    /// legitimate, export again so the snapshot has the policy that allowed it; if not, treat it
    /// as an incident: revoke the role's sessions and the caller's credentials.
    ///
    /// ## False positives
    /// A snapshot exported before a legitimate trust change that the trail covers; a trail of
    /// another organization's events. `rolegraph who-can-assume DIR ROLE --trail PATH` shows the
    /// caller's possible paths beside the observation.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html
    pub struct ObservedAssumptionNotAllowed {
        id: "observed-assumption-not-allowed", name: "Observed assumption the policies do not allow",
        category: Trust, severity: High,
    }
}

impl Rule for ObservedAssumptionNotAllowed {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let Some(u) = cx.usage() else { return };
        if u.assumptions.is_empty() {
            return;
        }
        let g = cx.graph();
        for o in g.place_observed(&crate::observations(u)) {
            if o.status != ObservedStatus::NotPossible {
                continue;
            }
            let Some(role) = o.to.and_then(|n| g.node(n)) else { continue };
            let seen = &o.seen;
            let allowed = seen.count.saturating_sub(seen.denied);
            let when = match (seen.first_seen, seen.last_seen) {
                (Some(f), Some(l)) if f == l => format!(" on {f}"),
                (Some(f), Some(l)) => format!(" between {f} and {l}"),
                _ => String::new(),
            };
            let mut evidence = vec![Evidence::Note {
                text: format!(
                    "{} call{} ({}) by {} ({}{}){when}",
                    allowed,
                    if allowed == 1 { "" } else { "s" },
                    seen.apis.join(", "),
                    seen.caller,
                    seen.caller_kind,
                    seen.caller_account.as_deref().map(|a| format!(", account {a}")).unwrap_or_default()
                ),
            }];
            if !seen.source_ips.is_empty() {
                evidence.push(Evidence::Note { text: format!("from {}", seen.source_ips.join(", ")) });
            }
            if !seen.subjects.is_empty() {
                evidence.push(Evidence::Note { text: format!("as {}", seen.subjects.join(", ")) });
            }
            evidence.push(Evidence::Note {
                text: "no can-assume edge of the graph allows this caller: the role's trust, the caller's policies, \
                       boundaries, SCPs and RCPs in the exports refuse it"
                    .into(),
            });
            let subject = Subject {
                kind: SubjectKind::Role,
                arn: role.id.clone(),
                name: role.label.clone(),
                account: role.account.clone().unwrap_or_default(),
            };
            out.push(Finding {
                rule: Self::META.id.into(),
                severity: Self::META.severity,
                message: format!(
                    "`{}` assumed role `{}` {} time{}{when}, though the exported policies do not allow it",
                    seen.caller,
                    role.label,
                    allowed,
                    if allowed == 1 { "" } else { "s" }
                ),
                evidence,
                remediation: Self::META.section("Remediation"),
                fingerprint: fingerprint(Self::META.id, &subject.arn, &seen.caller),
                subject,
                suppressed: None,
            });
        }
    }
}
