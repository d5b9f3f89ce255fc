//! Administrator-equivalent access: what the engine allows a principal on its own account.
//!
//! A principal is an administrator when the engine allows, unconditionally, every one of a set
//! of IAM writes on resources of its account that no policy names ([`PROBE_ACTIONS`] on
//! `role/rolegraph-probe`, `user/rolegraph-probe`, `policy/rolegraph-probe`, attaching
//! `AdministratorAccess`): whoever can do all of these can give itself any permission, which is
//! what `*` on `*` or `iam:*` on `*` grant. Boundaries, SCPs and denies take part as in every
//! decision; a `Deny` on a few named resources does not stop a principal from being an
//! administrator of the rest.
//!
//! A principal whose policies someone can change becomes an administrator only if its
//! permission boundary, the SCPs and its own denies leave room: [`capped_admin`] asks the same
//! questions of its set with an allow-everything policy added.

use std::sync::Arc;

use eval::Context;

use crate::condition::NamedSet;
use crate::engine::{allow_all, check};
use crate::types::Check;

/// The IAM writes an administrator must be allowed.
pub(crate) const PROBE_ACTIONS: &[&str] = &[
    "iam:AttachRolePolicy",
    "iam:AttachUserPolicy",
    "iam:CreateAccessKey",
    "iam:CreatePolicyVersion",
    "iam:PassRole",
    "iam:PutRolePolicy",
    "iam:PutUserPolicy",
    "iam:UpdateAssumeRolePolicy",
];

/// The ARN of the managed policy an attacker would attach.
pub(crate) fn admin_policy_arn(partition: &str) -> String {
    format!("arn:{partition}:iam::aws:policy/AdministratorAccess")
}

fn probe_resource(action: &str, partition: &str, account: &str) -> String {
    let ty = match action {
        "iam:AttachUserPolicy" | "iam:CreateAccessKey" | "iam:PutUserPolicy" => "user",
        "iam:CreatePolicyVersion" => "policy",
        _ => "role",
    };
    format!("arn:{partition}:iam::{account}:{ty}/rolegraph-probe")
}

/// The probe checks when every one is allowed unconditionally; `None` otherwise.
pub(crate) fn admin_checks(set: &NamedSet, principal: &Arc<str>, account: &str, base: &Context) -> Option<Vec<Check>> {
    let partition = policy::Arn::parse(principal).map_or("aws", |a| a.partition).to_owned();
    let attach = crate::context::with_key(base, "iam:PolicyARN", &admin_policy_arn(&partition));
    let mut out = Vec::with_capacity(PROBE_ACTIONS.len());
    for a in PROBE_ACTIONS {
        let ctx = if a.starts_with("iam:Attach") { &attach } else { base };
        let resource: Arc<str> = Arc::from(probe_resource(a, &partition, account));
        let c = check(set, principal, a, &resource, ctx).ok()?;
        if c.is_conditional() {
            return None;
        }
        out.push(c);
    }
    Some(out)
}

/// Whether the principal would be an administrator if any policy were attached to it.
pub(crate) fn capped_admin(set: &NamedSet, principal: &Arc<str>, account: &str, ctx: &Context) -> bool {
    let mut s = set.set.clone();
    s.identity("any policy written by whoever changes this principal's permissions", allow_all());
    admin_checks(&NamedSet::of(s), principal, account, ctx).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    fn set(json: &str) -> NamedSet {
        let mut s = eval::PolicySet::new();
        s.identity("p", Arc::new(policy::Policy::parse_str(json).unwrap()));
        NamedSet::of(s)
    }

    fn p() -> Arc<str> {
        Arc::from("arn:aws:iam::111111111111:user/u")
    }

    #[test]
    fn star_and_iam_star_are_admin_and_less_is_not() {
        let k = crate::context::Known::new().build();
        let star = set(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#);
        assert!(admin_checks(&star, &p(), "111111111111", &k).is_some());
        let iam = set(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}"#);
        assert!(admin_checks(&iam, &p(), "111111111111", &k).is_some());
        let some = set(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}]}"#);
        assert!(admin_checks(&some, &p(), "111111111111", &k).is_none());
        let denied = set(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
            {"Effect":"Deny","Action":"iam:PassRole","Resource":"*"}]}"#);
        assert!(admin_checks(&denied, &p(), "111111111111", &k).is_none());
        assert!(!capped_admin(&denied, &p(), "111111111111", &k));
        assert!(capped_admin(&some, &p(), "111111111111", &k));
    }

    #[test]
    fn a_boundary_caps_what_a_change_of_policies_gives() {
        let k = crate::context::Known::new().build();
        let mut s = set(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#).set;
        s.boundary(
            "b",
            Arc::new(
                policy::Policy::parse_str(
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
                )
                .unwrap(),
            ),
        );
        let s = NamedSet::of(s);
        assert!(!capped_admin(&s, &p(), "111111111111", &k));
    }
}
