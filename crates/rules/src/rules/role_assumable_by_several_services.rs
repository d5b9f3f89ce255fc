//! `role-assumable-by-several-services`: one role for several services instead of one each.

use access::trust::EntityKind;

use super::{finding, role_subject, trust_evidence};
use crate::finding::Finding;
use crate::rule::Rule;
use crate::{RuleContext, declare_rule};

declare_rule! {
    /// ## What it finds
    /// A role whose trust policy lets two or more AWS services assume it (`lambda` and
    /// `edgelambda` count as one). Service-linked roles are left out.
    ///
    /// ## Why it matters
    /// Each service needs different permissions; a role for several carries the union of them,
    /// and anyone who can pass the role to one of the services gets all of it.
    ///
    /// ## Example
    /// `"Principal": {"Service": ["ec2.amazonaws.com", "lambda.amazonaws.com", "glue.amazonaws.com"]}`.
    ///
    /// ## Remediation
    /// Create one role per service (and per resource), each with what it needs.
    ///
    /// ## False positives
    /// Services that work together on one job (Step Functions calling a state machine's own
    /// Lambda) may share a role on purpose: suppress with the reason.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-service.html
    pub struct RoleAssumableBySeveralServices {
        id: "role-assumable-by-several-services", name: "Role assumable by several services",
        category: ExecutionRole, severity: Low,
    }
}

impl Rule for RoleAssumableBySeveralServices {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for v in cx.roles().iter().filter(|v| !v.role.is_service_linked()) {
            let services: Vec<_> = v.trust().entities.iter().filter(|e| e.kind == EntityKind::Service).collect();
            let mut names: Vec<String> = services
                .iter()
                .map(|e| {
                    let s = e.principal.to_ascii_lowercase();
                    if s == "edgelambda.amazonaws.com" { "lambda.amazonaws.com".to_owned() } else { s }
                })
                .collect();
            names.sort();
            names.dedup();
            if names.len() < 2 {
                continue;
            }
            out.push(finding(
                &Self::META,
                Self::META.severity,
                role_subject(v.account, v.role),
                "",
                format!("role `{}` can be assumed by {} services: {}", v.role.name, names.len(), names.join(", ")),
                services
                    .iter()
                    .map(|e| trust_evidence(v.role, e))
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect(),
            ));
        }
    }
}
