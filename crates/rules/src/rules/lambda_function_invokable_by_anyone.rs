//! `lambda-function-invokable-by-anyone`: a function whose policy lets `*` invoke it.

use graph::resources::GranteeKind;
use model::ResourceKind;

use super::resource_reachable_from_outside::INVOKE;
use super::{finding, level_evidence, resource_subject};
use crate::finding::{Evidence, Finding, Severity};
use crate::rule::Rule;
use crate::{RuleContext, declare_rule};

declare_rule! {
    /// ## What it finds
    /// A Lambda function whose resource-based policy lets anyone (`*`) call
    /// `lambda:InvokeFunction` or `lambda:InvokeFunctionUrl`, as the policy engine decides it
    /// with the organization's RCPs (a condition only members of the organization meet does
    /// not count).
    ///
    /// ## Why it matters
    /// Anyone on the internet can run the function with input of their choosing, as its
    /// execution role, and run up its costs: an unauthenticated entry point into the account.
    ///
    /// ## Severity
    /// High; medium when it holds only under a condition on the caller or only from some
    /// networks.
    ///
    /// ## Example
    /// `lambda add-permission --principal '*' --action lambda:InvokeFunction` without
    /// `--source-arn`, or a function URL with `AuthType` `NONE`.
    ///
    /// ## Remediation
    /// Remove the statement, or name the caller (an API, a bucket: `aws:SourceArn`,
    /// `aws:SourceAccount`); give function URLs `AuthType` `AWS_IAM`.
    ///
    /// ## False positives
    /// A public webhook on purpose: suppress with the reason, and check that the function
    /// authenticates its callers itself.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html
    /// - https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
    pub struct LambdaFunctionInvokableByAnyone {
        id: "lambda-function-invokable-by-anyone", name: "Lambda function invokable by anyone",
        category: Resources, severity: High,
    }
}

/// Whether a condition only says the request comes through a function URL without
/// authentication (`lambda:FunctionUrlAuthType` `NONE`, which AWS writes into the policy of a
/// public URL): a property of the URL, which anyone on the internet meets.
pub(crate) fn public_url_only(c: &graph::Condition) -> bool {
    !c.atoms.is_empty()
        && c.atoms.iter().all(|a| {
            a.key().is_some_and(|k| k.eq_ignore_ascii_case("lambda:FunctionUrlAuthType"))
                && a.operator().is_some_and(|o| o.eq_ignore_ascii_case("StringEquals"))
                && a.values().iter().all(|v| v.eq_ignore_ascii_case("NONE"))
        })
}

/// Whether a grantee may invoke the function without a condition on the caller, or only
/// through its unauthenticated URL ([`public_url_only`]).
pub(crate) fn invokes_freely(a: &graph::resources::Access) -> bool {
    a.levels.iter().any(|l| {
        l.actions.iter().any(|x| INVOKE.contains(x))
            || (l.conditional_actions.iter().any(|x| INVOKE.contains(x))
                && l.check.condition.as_deref().is_some_and(public_url_only))
    })
}

impl Rule for LambdaFunctionInvokableByAnyone {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for r in cx.analysis().external_access().iter().filter(|r| r.kind == ResourceKind::LambdaFunction) {
            for a in r.access.iter().filter(|a| a.who.kind == GranteeKind::Anyone) {
                let levels: Vec<_> = a
                    .levels
                    .iter()
                    .filter(|l| l.actions.iter().chain(&l.conditional_actions).any(|x| INVOKE.contains(x)))
                    .collect();
                let Some(first) = levels.first() else { continue };
                let plain = levels.iter().any(|l| l.actions.iter().any(|x| INVOKE.contains(x)));
                let unconditional = invokes_freely(a);
                let scoped = unconditional && levels.iter().all(|l| l.check.scope().is_some());
                let (severity, how) = match (unconditional, scoped) {
                    (true, false) if plain => (Severity::High, "with no condition".to_owned()),
                    (true, false) => (Severity::High, "through its function URL, without authentication".to_owned()),
                    (true, true) => (Severity::Medium, "from some networks only".to_owned()),
                    _ => (
                        Severity::Medium,
                        format!("when {}", first.check.condition.as_ref().map_or_else(String::new, |c| c.text())),
                    ),
                };
                let mut evidence = level_evidence(first);
                evidence.push(Evidence::Note {
                    text: format!(
                        "allowed to `*`: {}",
                        levels
                            .iter()
                            .flat_map(|l| l.actions.iter().chain(&l.conditional_actions))
                            .filter(|x| INVOKE.contains(x))
                            .copied()
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
                out.push(finding(
                    &Self::META,
                    severity,
                    resource_subject(r),
                    "*",
                    format!("Lambda function `{}` can be invoked by anyone {how}", r.name),
                    evidence,
                ));
            }
        }
    }
}
