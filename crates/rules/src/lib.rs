//! Finding rules: one module per rule (`rules/`), one registry ([`RULES`]), the [`Finding`]
//! type with its evidence and fingerprint, and suppressions. Rules read the snapshot (and, for
//! those that need them, the evaluator's and the graph's answers); they never do I/O.

pub mod context;
pub mod finding;
pub mod rule;
pub mod rules;
pub mod suppress;

pub use context::{RoleView, RuleContext, Thresholds, TrailCoverage, observations};
pub use finding::{Evidence, Finding, Severity, Subject, SubjectKind, fingerprint};
pub use rule::{Category, REQUIRED_HEADINGS, Rule, RuleMeta};
pub use suppress::{SuppressError, Suppression, Suppressions};

use rules::*;

/// Every rule, in the order of their ids. Registering a rule is one line here.
pub static RULES: &[&dyn Rule] = &[
    &allow_with_not_action::AllowWithNotAction,
    &aws_managed_policy_on_execution_role::AwsManagedPolicyOnExecutionRole,
    &console_user_without_mfa::ConsoleUserWithoutMfa,
    &execution_role_with_wildcard_permissions::ExecutionRoleWithWildcardPermissions,
    &external_account_trust_without_external_id::ExternalAccountTrustWithoutExternalId,
    &lambda_function_invokable_by_anyone::LambdaFunctionInvokableByAnyone,
    &long_max_session_duration::LongMaxSessionDuration,
    &observed_assumption_not_allowed::ObservedAssumptionNotAllowed,
    &oidc_trust_without_sub_condition::OidcTrustWithoutSubCondition,
    &old_access_key::OldAccessKey,
    &passrole_on_any_role::PassroleOnAnyRole,
    &principal_can_escalate_to_admin::PrincipalCanEscalateToAdmin,
    &privileged_role_assumable_from_outside::PrivilegedRoleAssumableFromOutside,
    &privileged_role_assumable_without_mfa::PrivilegedRoleAssumableWithoutMfa,
    &resource_policy_service_without_source::ResourcePolicyServiceWithoutSource,
    &resource_reachable_from_outside::ResourceReachableFromOutside,
    &role_assumable_by_several_services::RoleAssumableBySeveralServices,
    &role_trusted_by_everyone::RoleTrustedByEveryone,
    &role_used_by_many_resources::RoleUsedByManyResources,
    &root_access_keys::RootAccessKeys,
    &root_recent_use::RootRecentUse,
    &secret_readable_by_exposed_compute::SecretReadableByExposedCompute,
    &service_trust_without_source_condition::ServiceTrustWithoutSourceCondition,
    &unused_access_key::UnusedAccessKey,
    &unused_permissions::UnusedPermissions,
    &unused_role::UnusedRole,
    &unused_service_permissions::UnusedServicePermissions,
    &user_access_key_where_role_would_do::UserAccessKeyWhereRoleWouldDo,
];

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| r.meta().id == id)
}

/// Runs every rule and returns the findings, sorted (highest severity first) and with
/// suppressions marked.
pub fn run(cx: &RuleContext<'_>, suppressions: &Suppressions) -> Vec<Finding> {
    // The graph (the escalation rule reads it), then the engine's answers for every role (the
    // privilege rules ask about them), each on every core. One after the other: building them
    // side by side was no faster once the graph's serial phases had shrunk (2.9-3.0 s either
    // way on 10,000 roles, 40-43 s on 100,000) and held both at their peaks together
    // (3.98 GB against 3.33 GB on 100,000 roles; the graph's peak is passed before the
    // privilege grows).
    let _ = cx.graph();
    cx.precompute_privilege(|v| !v.role.is_service_linked());
    let mut out = Vec::new();
    for r in RULES {
        r.check(cx, &mut out);
    }
    out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    out.dedup_by(|a, b| a.fingerprint == b.fingerprint && a.rule == b.rule);
    suppressions.apply(&mut out);
    out
}

#[cfg(test)]
mod tests;
