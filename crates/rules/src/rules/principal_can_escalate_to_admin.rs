use graph::NodeKind;

use crate::finding::{Evidence, Finding, Subject, SubjectKind, fingerprint};
use crate::rule::Rule;
use crate::{RuleContext, declare_rule};

declare_rule! {
    /// ## What it finds
    /// An IAM user or role that is not an administrator but can become one: the authorization
    /// graph has a path from it to an account's administrator, through roles it can assume
    /// (in any account) and the documented privilege-escalation methods (passing a role to a
    /// service, changing policies or trust, creating keys, running code as another role, ...),
    /// every step decided by the policy engine. The finding carries the shortest path, edge by
    /// edge, and the conditions along it.
    ///
    /// ## Why it matters
    /// Permissions that look harmless one by one combine into full control of an account. The
    /// path is what an attacker who compromises this principal would follow.
    ///
    /// ## Example
    /// A CI role in the development account can assume `prod-deploy` in production, which may
    /// pass `legacy-batch-ec2` (with `AdministratorAccess`) to `ec2:RunInstances`: the CI role is
    /// two steps from administrator of production.
    ///
    /// ## Remediation
    /// Break the path at its weakest edge: scope `iam:PassRole` to the roles a service needs
    /// (with `iam:PassedToService`), remove IAM write permissions from workload roles, narrow
    /// trust policies, add a permission boundary. `rolegraph path DIR FROM TO` explains each edge.
    ///
    /// ## False positives
    /// Paths marked as resting on an assumption (for example "an existing launch template runs
    /// as this role", where the snapshot does not list such resources) may not exist; paths under
    /// conditions hold only when the conditions do. Both are said in the finding, and lower its
    /// severity to high; a path whose only conditions ask for MFA (a break-glass role) is
    /// medium: it needs the person's second factor.
    ///
    /// ## References
    /// - https://pathfinding.cloud (the documented paths, `docs/privesc-coverage.md`)
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
    pub struct PrincipalCanEscalateToAdmin {
        id: "principal-can-escalate-to-admin", name: "Principal can escalate to administrator", category: Escalation, severity: Critical,
    }
}

impl Rule for PrincipalCanEscalateToAdmin {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let g = cx.graph();
        for esc in cx.analysis().escalations() {
            let Some(node) = g.node(esc.node) else { continue };
            let kind = match node.kind {
                NodeKind::User => SubjectKind::User,
                NodeKind::Role => SubjectKind::Role,
                _ => continue,
            };
            let Some(admin) = g.node(esc.admin) else { continue };
            let graph::EscalationWords { steps, notes, uncertain } = graph::escalation_words(g, &esc.path);
            let hops = steps.len();
            let subject = Subject {
                kind,
                arn: node.id.clone(),
                name: node.label.clone(),
                account: node.account.clone().unwrap_or_default(),
            };
            // The ids of every way of each hop, as the step's words name them.
            let hops_taken = g.hops(&esc.path);
            let path_ids: Vec<Vec<String>> = if hops_taken.len() == steps.len() {
                hops_taken.iter().map(|e| e.paths().into_iter().map(str::to_owned).collect()).collect()
            } else {
                Vec::new()
            };
            let taken = g.taken(&esc.path);
            let mut evidence = vec![Evidence::Path { edges: steps, path_ids }];
            evidence.extend(notes.into_iter().map(|text| Evidence::Note { text }));
            // A path whose only conditions ask for MFA (a break-glass role) needs the person's
            // second factor: medium, not high, for every user who can reach it.
            let mfa_only = uncertain && mfa_is_all_it_needs(&taken);
            let severity = match (uncertain, mfa_only) {
                (false, _) => Self::META.severity,
                (true, true) => crate::Severity::Medium,
                (true, false) => crate::Severity::High,
            };
            out.push(Finding {
                rule: Self::META.id.into(),
                severity,
                message: format!(
                    "{} `{}` can become {} in {} step{}{}",
                    node.kind.as_str(),
                    node.label,
                    admin.label,
                    hops,
                    if hops == 1 { "" } else { "s" },
                    match (uncertain, mfa_only) {
                        (false, _) => "",
                        (true, true) => " (with MFA)",
                        (true, false) => " (under conditions or assumptions)",
                    }
                ),
                evidence,
                remediation: Self::META.section("Remediation"),
                fingerprint: fingerprint(Self::META.id, &subject.arn, &admin.id),
                subject,
                suppressed: None,
            });
        }
    }
}

/// Whether the only things a path needs are MFA conditions: no assumption, and every condition
/// of its conditional checks on `aws:MultiFactorAuthPresent` or `aws:MultiFactorAuthAge`.
fn mfa_is_all_it_needs(taken: &[graph::Edge]) -> bool {
    let mfa = |k: &str| k.eq_ignore_ascii_case("aws:MultiFactorAuthPresent") || k.eq_ignore_ascii_case("aws:MultiFactorAuthAge");
    let mut any = false;
    for e in taken {
        if e.has_assumptions() {
            return false;
        }
        if !e.is_conditional() {
            continue;
        }
        let Some(w) = e.way() else { return false };
        for c in w.checks.iter().filter(|c| c.is_conditional()) {
            let Some(cond) = c.condition.as_deref() else { continue };
            if !cond.atoms.iter().all(|a| a.key().is_some_and(mfa)) {
                return false;
            }
            any = true;
        }
    }
    any
}
