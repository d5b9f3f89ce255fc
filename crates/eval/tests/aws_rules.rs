//! Rules of AWS that the engine follows beyond the statements' own matching, each with the
//! AWS documentation it follows: a resource-based statement without `Principal`, and an
//! `sts:AssumeRole` decided without the role's trust policy. (Policy variables that cannot be
//! resolved and `alias/aws/*` KMS aliases are cases of `tests/cases/docs.jsonl`.)

#![allow(clippy::unwrap_used, reason = "a test stops at the first unexpected value")]

use std::sync::Arc;

use rolegraph_eval::{Context, Outcome, PolicyKind, PolicySet, Request, evaluate};

fn policy(json: &str) -> Arc<policy::Policy> {
    Arc::new(policy::Policy::parse_str(json).unwrap())
}

const CALLER: &str = "arn:aws:sts::111122223333:assumed-role/app/s";

/// "You must use the Principal element in resource-based policies" (IAM JSON policy elements:
/// Principal): AWS refuses to store a resource-based policy whose statement has neither
/// `Principal` nor `NotPrincipal`. Such a statement (in an export that was edited, or a policy
/// built by hand) names nobody; it is never read as naming everyone, and the decision says so.
#[test]
fn a_resource_statement_without_principal_names_nobody() {
    let mut set = PolicySet::new();
    set.resource(
        "bucket policy",
        policy(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#),
    );
    let ctx = Context::new();
    let req = Request {
        principal: "arn:aws:sts::999988887777:assumed-role/outsider/s",
        action: "s3:GetObject",
        resource: "arn:aws:s3:::bucket/key",
        resource_account: Some("111122223333"),
        context: &ctx,
    };
    let d = evaluate(&req, &set);
    assert_eq!(d.outcome, Outcome::ImplicitlyDenied);
    assert!(d.could_not_evaluate.iter().any(|w| w.contains("without `Principal` or `NotPrincipal` names nobody")), "{d:?}");
}

/// "IAM role trust policies and KMS key policies are exceptions to this logic, because they must
/// explicitly allow access for principals" (policy evaluation logic): an `sts:AssumeRole`
/// decided without the role's trust policy is refused, and `blocked_by` names the resource
/// side that did not allow it, even within one account where the identity policy allows it.
#[test]
fn assume_role_without_a_trust_policy_is_blocked_by_the_resource_side() {
    let mut set = PolicySet::new();
    set.identity(
        "id",
        policy(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}"#),
    );
    let ctx = Context::new();
    let req = Request {
        principal: CALLER,
        action: "sts:AssumeRole",
        resource: "arn:aws:iam::111122223333:role/target",
        resource_account: None,
        context: &ctx,
    };
    let d = evaluate(&req, &set);
    assert_eq!(d.outcome, Outcome::ImplicitlyDenied);
    assert_eq!(d.blocked_by, [PolicyKind::Resource], "{d:?}");
}
