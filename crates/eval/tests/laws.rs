//! Evaluator laws, checked on generated policies and requests:
//! - an applicable explicit `Deny` always wins;
//! - adding a `Deny` statement never turns a deny into an allow;
//! - `NotAction` is the complement of `Action`;
//! - evaluation never panics and is deterministic.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a test stops at the first unexpected value"
)]

use std::sync::Arc;

use policy::Policy;
use proptest::prelude::*;
use rolegraph_eval::{Context, Outcome, PolicySet, Request, evaluate};
use serde_json::{Value, json};

const ACTIONS: &[&str] = &["s3:GetObject", "s3:PutObject", "s3:ListBucket", "iam:PassRole", "ec2:RunInstances", "sts:AssumeRole"];
const RESOURCES: &[&str] = &[
    "arn:aws:s3:::bucket/key",
    "arn:aws:s3:::bucket",
    "arn:aws:iam::111122223333:role/app",
    "arn:aws:ec2:us-east-1:111122223333:instance/i-1",
    "*",
];

fn action_pattern() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("*".to_owned()),
        prop::sample::select(ACTIONS).prop_map(str::to_owned),
        Just("s3:*".to_owned()),
        Just("s3:Get*".to_owned()),
        Just("iam:Pass?ole".to_owned()),
    ]
}

fn resource_pattern() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("*".to_owned()),
        prop::sample::select(RESOURCES).prop_map(str::to_owned),
        Just("arn:aws:s3:::bucket/*".to_owned()),
        Just("arn:aws:iam::*:role/*".to_owned()),
    ]
}

fn condition() -> impl Strategy<Value = Option<Value>> {
    prop::option::of(prop_oneof![
        Just(json!({"StringEquals": {"aws:PrincipalTag/team": "red"}})),
        Just(json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}})),
        Just(json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})),
        Just(json!({"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}})),
    ])
}

fn statement(effect: &'static str) -> impl Strategy<Value = Value> {
    (any::<bool>(), prop::collection::vec(action_pattern(), 1..3), prop::collection::vec(resource_pattern(), 1..3), condition())
        .prop_map(move |(not_action, actions, resources, cond)| {
            let mut s = serde_json::Map::new();
            s.insert("Effect".into(), json!(effect));
            s.insert(if not_action { "NotAction" } else { "Action" }.into(), json!(actions));
            s.insert("Resource".into(), json!(resources));
            if let Some(c) = cond {
                s.insert("Condition".into(), c);
            }
            Value::Object(s)
        })
}

fn any_statement() -> impl Strategy<Value = Value> {
    prop_oneof![statement("Allow"), statement("Deny")]
}

fn policy(stmts: Vec<Value>) -> Arc<Policy> {
    Arc::new(Policy::from_json(&json!({"Version": "2012-10-17", "Statement": stmts})).unwrap_or_else(|e| panic!("{e}")))
}

fn context(tag: bool, mfa: bool, ip: bool) -> Context {
    let mut c = Context::new();
    if tag {
        c.set("aws:PrincipalTag/team", "red");
    }
    c.set("aws:MultiFactorAuthPresent", if mfa { "true" } else { "false" });
    c.set("aws:SourceIp", if ip { "10.1.2.3" } else { "192.0.2.1" });
    c.set("aws:RequestedRegion", "eu-west-1");
    c
}

fn decide(identity: &[Value], boundary: Option<&[Value]>, action: &str, resource: &str, ctx: &Context) -> Outcome {
    let mut set = PolicySet::new();
    set.identity("p", policy(identity.to_vec()));
    if let Some(b) = boundary {
        set.boundary("b", policy(b.to_vec()));
    }
    let req = Request {
        principal: "arn:aws:iam::111122223333:user/alice",
        action,
        resource,
        resource_account: Some("111122223333"),
        context: ctx,
    };
    evaluate(&req, &set).outcome
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn explicit_deny_wins(
        stmts in prop::collection::vec(any_statement(), 0..5),
        action in prop::sample::select(ACTIONS),
        resource in prop::sample::select(RESOURCES),
        flags in (any::<bool>(), any::<bool>(), any::<bool>()),
    ) {
        let ctx = context(flags.0, flags.1, flags.2);
        let mut with_deny = stmts.clone();
        with_deny.push(json!({"Effect": "Deny", "Action": action, "Resource": resource}));
        prop_assert_eq!(decide(&with_deny, None, action, resource, &ctx), Outcome::ExplicitlyDenied);
    }

    #[test]
    fn adding_a_deny_never_widens(
        stmts in prop::collection::vec(any_statement(), 1..5),
        deny in statement("Deny"),
        boundary in prop::option::of(prop::collection::vec(any_statement(), 1..3)),
        action in prop::sample::select(ACTIONS),
        resource in prop::sample::select(RESOURCES),
        flags in (any::<bool>(), any::<bool>(), any::<bool>()),
    ) {
        let ctx = context(flags.0, flags.1, flags.2);
        let before = decide(&stmts, boundary.as_deref(), action, resource, &ctx);
        let mut more = stmts.clone();
        more.push(deny);
        let after = decide(&more, boundary.as_deref(), action, resource, &ctx);
        if before != Outcome::Allowed {
            prop_assert_ne!(after, Outcome::Allowed);
        }
        // And a fully known request never comes out conditional.
        prop_assert_ne!(after, Outcome::Conditional);
    }

    #[test]
    fn not_action_is_the_complement(
        actions in prop::collection::vec(action_pattern(), 1..3),
        action in prop::sample::select(ACTIONS),
        resource in prop::sample::select(RESOURCES),
    ) {
        // Assuming a role also needs its trust policy, so identity policies alone decide nothing.
        prop_assume!(!action.starts_with("sts:"));
        let ctx = Context::new();
        let only = decide(&[json!({"Effect": "Allow", "Action": actions, "Resource": "*"})], None, action, resource, &ctx);
        let not = decide(&[json!({"Effect": "Allow", "NotAction": actions, "Resource": "*"})], None, action, resource, &ctx);
        prop_assert_ne!(only == Outcome::Allowed, not == Outcome::Allowed);
    }
}
