#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test stops at the first unexpected value"
)]

use super::*;
use crate::permissions::{Options, compute};
use crate::testutil::{PROD, managed, role, snapshot, trust_service, with_inline};

fn classify_policy(policy: &str) -> Privilege {
    let r = with_inline(role(PROD, "app", &trust_service("lambda.amazonaws.com")), "p", policy);
    let s = snapshot(vec![r.clone()], Vec::new(), &[]);
    classify(&compute(&s, &r, &Options { include_denied: true }), &r)
}

fn stmt(action: &str, resource: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"S","Effect":"Allow","Action":{action},"Resource":{resource}}}]}}"#)
}

#[test]
fn levels() {
    assert_eq!(classify_policy(r#"{"Version":"2012-10-17","Statement":[]}"#).level, PrivilegeLevel::None);
    assert_eq!(classify_policy(&stmt(r#""s3:ListAllMyBuckets""#, r#""*""#)).level, PrivilegeLevel::List);
    assert_eq!(classify_policy(&stmt(r#""cloudwatch:GetMetricData""#, r#""*""#)).level, PrivilegeLevel::Read);
    assert_eq!(classify_policy(&stmt(r#"["logs:CreateLogStream","logs:PutLogEvents"]"#, r#""*""#)).level, PrivilegeLevel::Write);
    let pm = classify_policy(&stmt(r#""s3:PutBucketAcl""#, r#""*""#));
    assert!(pm.level.at_least(PrivilegeLevel::PermissionsManagement), "{:?}", pm.level);
    assert_eq!(classify_policy(&stmt(r#""iam:PassRole""#, r#""*""#)).level, PrivilegeLevel::PrivilegeEscalation);
    assert_eq!(classify_policy(&stmt(r#""*""#, r#""*""#)).level, PrivilegeLevel::Admin);
    assert!(PrivilegeLevel::PermissionsManagement.at_least(PrivilegeLevel::PrivilegeEscalation));
    assert!(!PrivilegeLevel::Write.at_least(PrivilegeLevel::PermissionsManagement));
    for l in PrivilegeLevel::ALL {
        assert_eq!(PrivilegeLevel::parse(l.as_str()), Some(l));
    }
}

#[test]
fn admin_reasons_with_evidence() {
    let p = classify_policy(&stmt(r#""*""#, r#""*""#));
    let admin = &p.categories[0];
    assert_eq!(admin.kind, PrivilegeKind::AdminEquivalent);
    assert_eq!(admin.reasons, [AdminReason::AllActions, AdminReason::IamFull, AdminReason::SelfModify]);
    assert!(!admin.conditional);
    assert_eq!(admin.statements.len(), 1);
    assert_eq!(admin.statements[0].sid.as_deref(), Some("S"));

    let iam = classify_policy(&stmt(r#""iam:*""#, r#""*""#));
    assert_eq!(iam.level, PrivilegeLevel::Admin);
    assert_eq!(iam.categories[0].reasons, [AdminReason::IamFull, AdminReason::SelfModify]);

    let own = classify_policy(&stmt(r#""iam:PutRolePolicy""#, &format!(r#""arn:aws:iam::{PROD}:role/app""#)));
    assert_eq!(own.level, PrivilegeLevel::Admin);
    assert_eq!(own.categories[0].reasons, [AdminReason::SelfModify]);
    let other = classify_policy(&stmt(r#""iam:PutRolePolicy""#, &format!(r#""arn:aws:iam::{PROD}:role/other""#)));
    assert_eq!(other.level, PrivilegeLevel::PrivilegeEscalation);

    // Admin under a condition is admin, marked conditional.
    let mfa = classify_policy(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}"#,
    );
    assert_eq!(mfa.level, PrivilegeLevel::Admin);
    assert!(mfa.level_conditional);
    // Everything but IAM is not admin-equivalent, yet still escalation (ec2:RunInstances, ...).
    let no_iam =
        classify_policy(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}"#);
    assert_eq!(no_iam.level, PrivilegeLevel::PrivilegeEscalation);
}

#[test]
fn admin_despite_explicit_denies() {
    let p = classify_policy(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}"#,
    );
    assert_eq!(p.level, PrivilegeLevel::Admin);
    assert!(p.categories[0].reasons.contains(&AdminReason::AllActions));
    assert!(!p.categories[0].reasons.contains(&AdminReason::IamFull));
    // Allow everything, deny everything: nothing is allowed, so not admin (a regression found
    // while writing the findings rules).
    let none = classify_policy(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*"}]}"#,
    );
    assert_ne!(none.level, PrivilegeLevel::Admin, "{:?}", none.categories);
}

#[test]
fn self_modify_through_own_customer_policy() {
    let arn = format!("arn:aws:iam::{PROD}:policy/app-policy");
    let mut r = role(PROD, "app", &trust_service("lambda.amazonaws.com"));
    r.attached_managed_policies.push(arn.clone());
    let doc = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"iam:CreatePolicyVersion","Resource":"{arn}"}}]}}"#
    );
    let s = snapshot(vec![r.clone()], vec![managed(&arn, &doc)], &[]);
    let p = classify(&compute(&s, &r, &Options::default()), &r);
    assert_eq!(p.level, PrivilegeLevel::Admin);
    assert_eq!(p.categories[0].reasons, [AdminReason::SelfModify]);
    assert_eq!(&*p.categories[0].statements[0].policy, arn);
}

#[test]
fn categories_from_the_lists() {
    let p = classify_policy(&stmt(
        r#"["secretsmanager:GetSecretValue","iam:CreateAccessKey","s3:PutBucketPolicy","s3:GetObject"]"#,
        r#""*""#,
    ));
    let kinds: Vec<PrivilegeKind> = p.categories.iter().map(|c| c.kind).collect();
    assert!(kinds.contains(&PrivilegeKind::CredentialExposure), "{kinds:?}");
    assert!(kinds.contains(&PrivilegeKind::PrivilegeEscalation), "{kinds:?}");
    assert!(kinds.contains(&PrivilegeKind::ResourceExposure), "{kinds:?}");
    assert!(kinds.contains(&PrivilegeKind::DataAccess), "{kinds:?}");
    let creds = p.categories.iter().find(|c| c.kind == PrivilegeKind::CredentialExposure).unwrap();
    assert!(creds.groups.iter().any(|g| g.actions.contains("iam:CreateAccessKey")));
    assert_eq!(creds.statements[0].sid.as_deref(), Some("S"));
    let none = classify_policy(&stmt(r#""cloudwatch:GetMetricData""#, r#""*""#));
    assert!(none.categories.is_empty());
}

/// A group's actions are kept as catalog ids and written as their names, in the catalog's
/// order; its grants are the role's grant list itself when it holds no denial, and a list
/// without the denials otherwise.
#[test]
fn groups_write_action_names_and_share_the_grant_lists() {
    let p = classify_policy(&stmt(r#"["s3:PutBucketPolicy","s3:PutBucketAcl"]"#, r#""*""#));
    let c = p.categories.iter().find(|c| c.kind == PrivilegeKind::PermissionsManagement).unwrap();
    let json = serde_json::to_value(c).unwrap();
    assert_eq!(json["groups"][0]["actions"], serde_json::json!(["s3:PutBucketAcl", "s3:PutBucketPolicy"]), "{json}");
    assert_eq!(c.groups[0].actions.len(), 2);
    assert!(c.groups[0].actions.contains("s3:PutBucketPolicy") && !c.groups[0].actions.contains("s3:GetObject"));
    assert_eq!(&*c.groups[0].grants[0].resource, "*");
    // With a deny of one resource, the group's grants drop the denial the permissions keep.
    let denied = classify_policy(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutBucketPolicy","Resource":"*"},
            {"Effect":"Deny","Action":"s3:PutBucketPolicy","Resource":"arn:aws:s3:::locked"}]}"#,
    );
    let c = denied.categories.iter().find(|c| c.kind == PrivilegeKind::PermissionsManagement).unwrap();
    assert!(c.groups.iter().all(|g| g.grants.iter().all(|g| g.outcome != GrantOutcome::Denied)), "{c:#?}");
}
