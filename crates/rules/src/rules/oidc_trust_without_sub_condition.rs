//! `oidc-trust-without-sub-condition`: web identity federation that does not say which workload.

use access::trust::{EntityKind, GuardKind};

use super::{finding, role_subject, trust_evidence};
use crate::finding::{Finding, Severity};
use crate::rule::Rule;
use crate::{RuleContext, declare_rule};

declare_rule! {
    /// ## What it finds
    /// A role trusted by an OIDC provider (GitHub Actions, EKS, GitLab, Terraform Cloud, ...)
    /// whose trust statement does not require the token's `sub` claim, or requires it only as
    /// `*`. For Amazon Cognito identity pools the guard is the `aud` claim (the pool id) instead.
    ///
    /// ## Why it matters
    /// The provider issues tokens to every one of its users: without `sub`, any repository on
    /// GitHub, any service account of the cluster, any project on the platform can assume the
    /// role. An `aud` condition alone does not help, since every token of the provider carries
    /// the same audience.
    ///
    /// ## Example
    /// `"Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}`
    /// and nothing on `token.actions.githubusercontent.com:sub`.
    ///
    /// ## Remediation
    /// Require the exact subject, e.g. `"StringEquals": {"token.actions.githubusercontent.com:sub":
    /// "repo:ORG/REPO:ref:refs/heads/main"}`.
    ///
    /// ## False positives
    /// A GitHub Enterprise organization with a customized issuer already scoped to it. A `sub`
    /// with a wildcard on a part (`repo:org/*`) is accepted here.
    ///
    /// ## References
    /// - https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
    pub struct OidcTrustWithoutSubCondition {
        id: "oidc-trust-without-sub-condition", name: "OIDC provider trusted without a subject condition",
        category: Trust, severity: High,
    }
}

impl Rule for OidcTrustWithoutSubCondition {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for v in cx.roles() {
            for e in v.trust().entities.iter().filter(|e| e.kind == EntityKind::OidcProvider) {
                let platform = e.provider.as_ref().and_then(|p| p.platform);
                let guard = if platform == Some("cognito") { GuardKind::OidcAud } else { GuardKind::OidcSub };
                if e.requires(guard) {
                    continue;
                }
                let claim = if guard == GuardKind::OidcAud { "aud" } else { "sub" };
                let name = e.provider.as_ref().map_or(e.principal.as_str(), |p| p.name.as_str());
                out.push(finding(
                    &Self::META,
                    Severity::High,
                    role_subject(v.account, v.role),
                    &e.principal,
                    format!("role `{}` trusts OIDC provider {name} without requiring its `{claim}` claim: any of its users can assume it", v.role.name),
                    vec![trust_evidence(v.role, e)],
                ));
            }
        }
    }
}
