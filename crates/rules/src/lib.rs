//! Finding rules: one module per rule (`rules/`), one registry ([`RULES`]), the [`Finding`]
//! type with its evidence and fingerprint, and suppressions. Rules read the snapshot (and, for
//! those that need them, the evaluator's and the graph's answers); they never do I/O.

pub mod context;
pub mod finding;
pub mod rule;
pub mod rules;
pub mod suppress;

pub use context::{RuleContext, Thresholds};
pub use finding::{Evidence, Finding, Severity, Subject, SubjectKind, fingerprint};
pub use rule::{Category, REQUIRED_HEADINGS, Rule, RuleMeta};
pub use suppress::{SuppressError, Suppression, Suppressions};

use rules::*;

/// Every rule, in the order of their ids. Registering a rule is one line here.
pub static RULES: &[&dyn Rule] = &[
    &console_user_without_mfa::ConsoleUserWithoutMfa,
    &long_max_session_duration::LongMaxSessionDuration,
    &old_access_key::OldAccessKey,
    &root_access_keys::RootAccessKeys,
    &root_recent_use::RootRecentUse,
    &unused_access_key::UnusedAccessKey,
    &unused_role::UnusedRole,
    &user_access_key_where_role_would_do::UserAccessKeyWhereRoleWouldDo,
];

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| r.meta().id == id)
}

/// Runs every rule and returns the findings, sorted (highest severity first) and with
/// suppressions marked.
pub fn run(cx: &RuleContext<'_>, suppressions: &Suppressions) -> Vec<Finding> {
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
