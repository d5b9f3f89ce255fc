#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test stops at the first unexpected value"
)]

use super::*;
use crate::testutil::{DEV, PROD, managed, role, snapshot, trust_service, with_inline};

const ADMIN: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

fn perms_of(r: Role, policies: Vec<model::ManagedPolicy>, scps: &[(&str, &[&str], &str)]) -> Permissions {
    let s = snapshot(vec![r.clone()], policies, scps);
    compute(&s, &r, &Options { include_denied: true })
}

fn app(policy: &str) -> Permissions {
    perms_of(with_inline(role(PROD, "app", &trust_service("ec2.amazonaws.com")), "p", policy), Vec::new(), &[])
}

fn grants<'a>(p: &'a Permissions, action: &str) -> &'a [Grant] {
    p.grants(Catalog::get().action(action).unwrap())
}

fn outcome(p: &Permissions, action: &str, resource: &str) -> Option<GrantOutcome> {
    grants(p, action).iter().find(|g| &*g.resource == resource).map(|g| g.outcome)
}

#[test]
fn wildcards_expand_to_catalog_actions() {
    let p = app(
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":["arn:aws:s3:::data","arn:aws:s3:::data/*"]}]}"#,
    );
    assert_eq!(outcome(&p, "s3:GetObject", "arn:aws:s3:::data/*"), Some(GrantOutcome::Allowed));
    assert_eq!(outcome(&p, "s3:ListBucket", "arn:aws:s3:::data"), Some(GrantOutcome::Allowed));
    assert!(grants(&p, "s3:PutObject").is_empty());
    assert!(grants(&p, "ec2:RunInstances").is_empty());
    let g = &grants(&p, "s3:GetObject")[0];
    assert_eq!(g.statements.len(), 1);
    assert_eq!(g.statements[0].sid.as_deref(), Some("Read"));
    assert_eq!(&*g.statements[0].policy, format!("arn:aws:iam::{PROD}:role/app inline policy p"));
    assert_eq!(&*g.statements[0].pointer, "/Statement/0");
    assert_eq!(p.principal, format!("arn:aws:sts::{PROD}:assumed-role/app/session"));
    let n = Catalog::get().expand("s3:get*").len() + Catalog::get().expand("s3:list*").len();
    assert_eq!(p.candidates, n);
}

#[test]
fn not_action_is_the_complement() {
    let p = app(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"*"}]}"#,
    );
    assert_eq!(outcome(&p, "s3:GetObject", "*"), Some(GrantOutcome::Allowed));
    assert_eq!(outcome(&p, "ec2:RunInstances", "*"), Some(GrantOutcome::Allowed));
    assert!(grants(&p, "iam:PassRole").is_empty());
    assert!(grants(&p, "organizations:LeaveOrganization").is_empty());
    let cat = Catalog::get();
    let expected = cat.action_count() - cat.expand("iam:*").len() - cat.expand("organizations:*").len();
    assert_eq!(p.allowed_set(false, true).len(), expected);
}

#[test]
fn explicit_denies_are_subtracted() {
    let p = app(r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"s3:*","Resource":"*"},
        {"Sid":"NoDelete","Effect":"Deny","Action":"s3:Delete*","Resource":"*"}]}"#);
    assert_eq!(outcome(&p, "s3:GetObject", "*"), Some(GrantOutcome::Allowed));
    let d = grants(&p, "s3:DeleteObject");
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].outcome, GrantOutcome::Denied);
    assert_eq!(d[0].statements[0].sid.as_deref(), Some("NoDelete"));
    // Without `include_denied`, the denied action is gone.
    let r = with_inline(
        role(PROD, "app", &trust_service("ec2.amazonaws.com")),
        "p",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:Delete*","Resource":"*"}]}"#,
    );
    let s = snapshot(vec![r.clone()], Vec::new(), &[]);
    let p = compute(&s, &r, &Options::default());
    assert!(grants(&p, "s3:DeleteObject").is_empty());
    let v = p.view(true);
    assert!(
        v.services.iter().all(|s| s
            .levels
            .iter()
            .all(|l| l.groups.iter().all(|g| g.grants.iter().all(|g| g.outcome != GrantOutcome::Denied))))
    );
}

#[test]
fn permission_boundary_limits() {
    let mut r = with_inline(role(PROD, "app", &trust_service("ec2.amazonaws.com")), "p", ADMIN);
    let boundary = format!("arn:aws:iam::{PROD}:policy/only-s3");
    r.permissions_boundary = Some(boundary.clone());
    let b = managed(
        &boundary,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","logs:*"],"Resource":"*"}]}"#,
    );
    let p = perms_of(r, vec![b], &[]);
    assert_eq!(outcome(&p, "s3:PutObject", "*"), Some(GrantOutcome::Allowed));
    assert!(grants(&p, "iam:CreateUser").is_empty());
    assert!(grants(&p, "ec2:RunInstances").is_empty());
    let cat = Catalog::get();
    // sts:GetCallerIdentity needs no permission: AWS allows it whatever the boundary says.
    assert_eq!(outcome(&p, "sts:GetCallerIdentity", "*"), Some(GrantOutcome::Allowed));
    assert_eq!(p.allowed_set(false, false).len(), cat.expand("s3:*").len() + cat.expand("logs:*").len() + 1);
    assert!(p.is_complete(), "{:?}", p.gaps);
}

#[test]
fn scps_deny_and_condition() {
    let scp = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Regions","Effect":"Deny","NotAction":"iam:*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1"]}}},{"Effect":"Deny","Action":"ec2:TerminateInstances","Resource":"*"}]}"#;
    let r = with_inline(role(PROD, "app", &trust_service("ec2.amazonaws.com")), "p", ADMIN);
    let p = perms_of(r, Vec::new(), &[("p-guard", &[PROD], scp)]);
    let g = &grants(&p, "s3:GetObject")[0];
    assert_eq!(g.outcome, GrantOutcome::Conditional);
    let cond = g.condition.as_deref().unwrap();
    assert!(cond.contains("aws:RequestedRegion") && cond.contains("eu-west-1"), "{cond}");
    assert_eq!(cond, "aws:RequestedRegion StringEquals `eu-west-1`");
    assert!(g.guardrail_only, "the condition is the SCP's deny only");
    assert_eq!(g.statements.len(), 1, "the identity statement is named: {:?}", g.statements);
    assert_eq!(outcome(&p, "iam:CreateRole", "*"), Some(GrantOutcome::Allowed));
    assert_eq!(outcome(&p, "ec2:TerminateInstances", "*"), Some(GrantOutcome::Denied));
    // The other account of the organization has no such SCP.
    let r = with_inline(role(DEV, "app", &trust_service("ec2.amazonaws.com")), "p", ADMIN);
    let p = perms_of(r, Vec::new(), &[("p-guard", &[PROD], scp)]);
    assert_eq!(outcome(&p, "s3:GetObject", "*"), Some(GrantOutcome::Allowed));
}

#[test]
fn conditional_grants_name_the_condition() {
    let p = app(
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"Mfa","Effect":"Allow","Action":"ec2:StopInstances","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}"#,
    );
    let g = &grants(&p, "ec2:StopInstances")[0];
    assert_eq!(g.outcome, GrantOutcome::Conditional);
    assert_eq!(g.condition.as_deref(), Some("aws:MultiFactorAuthPresent Bool `true`"));
    assert!(!g.guardrail_only);
    assert_eq!(g.statements[0].sid.as_deref(), Some("Mfa"));
}

#[test]
fn known_principal_keys_are_settled() {
    // The role's own tags and ARN are known: no condition is left on them.
    let mut r = with_inline(
        role(PROD, "app", &trust_service("ec2.amazonaws.com")),
        "p",
        r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/${aws:PrincipalTag/team}/*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}},
            {"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::home/${aws:username}/*"}]}"#,
    );
    r.tags.push(model::Tag { key: "team".into(), value: "blue".into() });
    let p = perms_of(r, Vec::new(), &[]);
    assert_eq!(outcome(&p, "s3:GetObject", "arn:aws:s3:::data/blue/*"), Some(GrantOutcome::Allowed));
    // Roles have no `aws:username`: the statement never applies.
    assert!(grants(&p, "s3:PutObject").is_empty());
}

#[test]
fn cross_account_resources_and_assume_role_are_identity_side() {
    let p = app(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::{DEV}:role/deploy"}},{{"Effect":"Allow","Action":"kms:Decrypt","Resource":"arn:aws:kms:eu-west-1:{PROD}:key/abc"}}]}}"#
    ));
    assert_eq!(outcome(&p, "sts:AssumeRole", &format!("arn:aws:iam::{DEV}:role/deploy")), Some(GrantOutcome::Allowed));
    assert_eq!(outcome(&p, "kms:Decrypt", &format!("arn:aws:kms:eu-west-1:{PROD}:key/abc")), Some(GrantOutcome::Allowed));
}

#[test]
fn narrower_grants_are_subsumed() {
    let p = app(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}"#,
    );
    let g = grants(&p, "s3:GetObject");
    assert_eq!(g.len(), 1);
    assert_eq!(&*g[0].resource, "*");
}

#[test]
fn missing_policies_are_gaps() {
    let mut r = role(PROD, "app", &trust_service("ec2.amazonaws.com"));
    r.attached_managed_policies.push(format!("arn:aws:iam::{PROD}:policy/gone"));
    let p = perms_of(r, Vec::new(), &[]);
    assert!(!p.is_complete());
    assert!(p.gaps[0].contains("policy/gone"), "{:?}", p.gaps);
    assert!(!p.view(false).complete);
}

#[test]
fn admin_is_fast_and_grouped() {
    let r = with_inline(role(PROD, "app", &trust_service("ec2.amazonaws.com")), "p", ADMIN);
    let p = perms_of(r, Vec::new(), &[]);
    let cat = Catalog::get();
    assert_eq!(p.candidates, cat.action_count());
    assert_eq!(p.allowed_set(false, true).len(), cat.action_count());
    // One evaluation for the bulk, one per IAM, STS and KMS action.
    let special = ["iam:*", "sts:*", "kms:*"].iter().map(|s| cat.expand(s).len()).sum::<usize>();
    assert!(p.evaluations <= special + 2, "{} evaluations", p.evaluations);
    let v = p.view(false);
    assert_eq!(v.granted_actions, cat.action_count());
    let s3 = v.services.iter().find(|s| s.prefix == "s3").unwrap();
    assert_eq!(s3.granted, s3.total);
    assert!(s3.levels.iter().all(|l| l.groups.len() == 1 && l.groups[0].all_of_level && l.groups[0].actions.is_empty()));
}

#[test]
fn a_narrower_boundary_grants_on_its_own_patterns() {
    let mut r = with_inline(
        role(PROD, "partner", &trust_service("ec2.amazonaws.com")),
        "p",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}]}"#,
    );
    let boundary = format!("arn:aws:iam::{PROD}:policy/one-bucket");
    r.permissions_boundary = Some(boundary.clone());
    let b = managed(
        &boundary,
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"OneBucket","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::partner-share/*"}]}"#,
    );
    let p = perms_of(r, vec![b], &[]);
    let g = grants(&p, "s3:GetObject");
    assert_eq!(g.len(), 1, "{g:?}");
    assert_eq!(&*g[0].resource, "arn:aws:s3:::partner-share/*");
    assert_eq!(g[0].outcome, GrantOutcome::Allowed);
    assert!(grants(&p, "s3:ListBucket").is_empty());
    assert!(grants(&p, "s3:PutObject").is_empty());
}

#[test]
fn a_narrower_deny_shows_as_denied() {
    let p = app(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::secrets/*"}]}"#,
    );
    let g = grants(&p, "s3:GetObject");
    assert_eq!(outcome(&p, "s3:GetObject", "*"), Some(GrantOutcome::Allowed), "{g:?}");
    assert_eq!(outcome(&p, "s3:GetObject", "arn:aws:s3:::secrets/*"), Some(GrantOutcome::Denied), "{g:?}");
}
