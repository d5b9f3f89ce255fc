//! `resource-reachable-from-outside`: a resource whose policy lets anyone, or an account or
//! principal outside the organization, act on it.

use graph::resources::{Access, GranteeKind};
use model::ResourceKind;

use super::{finding, grantee_words, level_evidence, resource_subject};
use crate::finding::{Evidence, Finding, Severity};
use crate::rule::Rule;
use crate::{RuleContext, declare_rule};

/// Invoking a function: the `lambda-function-invokable-by-anyone` rule's, when `*` may do it.
pub(crate) const INVOKE: [&str; 3] = ["lambda:InvokeFunction", "lambda:InvokeFunctionUrl", "lambda:InvokeAsync"];

declare_rule! {
    /// ## What it finds
    /// A bucket, KMS key, Lambda function or layer, queue, topic, secret, ECR repository or
    /// DynamoDB table whose resource-based policy lets anyone (`*`) or an account or principal
    /// outside the organization act on it: the external-access question of IAM Access Analyzer,
    /// decided by the policy engine with every policy that applies (the resource policy, the
    /// organization's RCPs, a KMS key policy's rules, S3 Block Public Access), at each access
    /// level. A condition that only members of the organization can meet (`aws:PrincipalOrgID`
    /// of the organization, as in a data-perimeter RCP) refuses the outsider, and is not
    /// reported. A `*` that may only invoke a Lambda function is left to
    /// `lambda-function-invokable-by-anyone`.
    ///
    /// ## Why it matters
    /// Data is half of what an attacker wants from an account, and a resource policy grants it
    /// without any IAM policy of the account: no role, no user, nothing to see in IAM.
    ///
    /// ## Severity
    /// By the highest level and by who: write or permissions management is high; reading a
    /// bucket, key, secret or table is high, other reads medium; list or tagging alone low.
    /// One step up when anyone (`*`) may do it; one step down when it holds only under a
    /// condition on the caller, or only from some networks (`aws:SourceIp`, `aws:SourceVpce`).
    ///
    /// ## Example
    /// A bucket policy with `"Principal": "*"` and `s3:GetObject` (public read), or a table's
    /// policy naming a vendor's account.
    ///
    /// ## Remediation
    /// Remove the statement, or name the exact principals that need it and add
    /// `aws:PrincipalOrgID` (or `aws:SourceVpce`) conditions; for S3, turn on Block Public
    /// Access (`RestrictPublicBuckets`); an organization can add a data-perimeter RCP.
    ///
    /// ## False positives
    /// Access meant to be public (a website's assets) or given to a vendor on purpose: suppress
    /// the finding with the reason. The outsider's own policies are not known: they are assumed
    /// to allow it, as the finding says.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-resources.html
    /// - https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
    pub struct ResourceReachableFromOutside {
        id: "resource-reachable-from-outside", name: "Resource reachable from outside the organization",
        category: Resources, severity: High,
    }
}

fn step(s: Severity, up: bool) -> Severity {
    let all = Severity::ALL;
    let i = all.iter().position(|x| *x == s).unwrap_or(0);
    let j = if up { (i + 1).min(all.len() - 1) } else { i.saturating_sub(1).max(1) };
    all.get(j).copied().unwrap_or(s)
}

/// The severity of one grantee's access, and why.
fn severity(kind: ResourceKind, a: &Access) -> (Severity, String) {
    let data = matches!(kind, ResourceKind::S3Bucket | ResourceKind::KmsKey | ResourceKind::Secret | ResourceKind::DynamoDbTable);
    let top = a.top_level().unwrap_or("List");
    let mut s = match top {
        "Permissions management" | "Write" => Severity::High,
        "Read" if data => Severity::High,
        "Read" => Severity::Medium,
        _ => Severity::Low,
    };
    let mut why = vec![format!("{} access", top.to_ascii_lowercase())];
    if a.who.kind == GranteeKind::Anyone {
        s = step(s, true);
        why.push("open to anyone".to_owned());
    }
    if a.levels.iter().all(|l| !l.unconditional) {
        s = step(s, false);
        why.push("only under a condition on the caller".to_owned());
    } else if a.levels.iter().filter(|l| l.unconditional).all(|l| l.check.scope().is_some()) {
        s = step(s, false);
        why.push("only from some networks or regions".to_owned());
    }
    (s, why.join(", "))
}

impl Rule for ResourceReachableFromOutside {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for r in cx.analysis().external_access() {
            for a in r.access.iter().filter(|a| a.who.outside && !a.levels.is_empty()) {
                let invoke_only = r.kind == ResourceKind::LambdaFunction
                    && a.who.kind == GranteeKind::Anyone
                    && a.levels.iter().all(|l| l.actions.iter().chain(&l.conditional_actions).all(|x| INVOKE.contains(x)));
                if invoke_only {
                    continue;
                }
                let (severity, why) = severity(r.kind, a);
                let mut evidence: Vec<Evidence> = a.levels.iter().flat_map(level_evidence).collect();
                evidence.sort();
                evidence.dedup();
                for l in &a.levels {
                    let mut text = format!(
                        "{}: {}",
                        l.level,
                        l.actions.iter().chain(&l.conditional_actions).take(6).copied().collect::<Vec<_>>().join(", ")
                    );
                    if let Some(c) = &l.check.condition {
                        text.push_str(&format!(" (when {})", c.text()));
                    }
                    if !l.objects.is_empty() {
                        text.push_str(&format!(" on {}", l.objects.join(", ")));
                    }
                    evidence.push(Evidence::Note { text });
                }
                for x in &a.assumptions {
                    evidence.push(Evidence::Note { text: format!("assumed: {x}") });
                }
                out.push(finding(
                    &Self::META,
                    severity,
                    resource_subject(r),
                    &a.who.id,
                    format!("{} `{}` is open to {}: {} ({why})", r.kind_label, r.name, grantee_words(&a.who), a.level_words()),
                    evidence,
                ));
            }
        }
    }
}
