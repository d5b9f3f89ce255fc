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
    // Escalation is the graph's: a role's own permissions never rank it so.
    assert_eq!(classify_policy(&stmt(r#""iam:PassRole""#, r#""*""#)).level, PrivilegeLevel::PermissionsManagement);
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
    assert_eq!(other.level, PrivilegeLevel::PermissionsManagement);

    // Admin under a condition is admin, marked conditional.
    let mfa = classify_policy(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}"#,
    );
    assert_eq!(mfa.level, PrivilegeLevel::Admin);
    assert!(mfa.level_conditional);
    // Everything but IAM is not admin-equivalent; whether it escalates is the graph's to say.
    let no_iam =
        classify_policy(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}"#);
    assert_eq!(no_iam.level, PrivilegeLevel::PermissionsManagement);
    assert!(!no_iam.settled);
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
    assert_eq!(kinds.iter().filter(|k| k.as_str() == "privilege-escalation").count(), 0, "escalation is the graph's");
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

fn escalation(uncertain: bool) -> GraphVerdict {
    GraphVerdict {
        admin: false,
        escalation: Some(EscalationVerdict {
            admin_of: "administrator of production (111111111111)".into(),
            steps: vec!["app -privesc (lambda-001)-> admin-role".into(), "admin-role -admin-equivalent-> administrator".into()],
            notes: if uncertain { vec!["to admin-role, if aws:PrincipalTag/team StringEquals `x`".into()] } else { Vec::new() },
            uncertain,
        }),
    }
}

/// The graph settles administrator and escalation: a path to an administrator makes
/// `privilege-escalation` (with the path, conditional when the path is), an administrator
/// verdict makes `admin`, and a role whose policies name every action but that the graph does
/// not make an administrator falls to the level of what it is allowed.
#[test]
fn the_graph_settles_administrator_and_escalation() {
    let r = role(PROD, "app", &trust_service("lambda.amazonaws.com"));
    let mut p = classify_policy(&stmt(r#""iam:PassRole""#, r#""*""#));
    assert!(!p.settled);
    p.settle(&r, &GraphVerdict::default());
    assert_eq!((p.level, p.settled), (PrivilegeLevel::PermissionsManagement, true));
    p.settle(&r, &escalation(false));
    assert_eq!(p.level, PrivilegeLevel::PrivilegeEscalation);
    assert!(!p.level_conditional);
    assert_eq!(p.why, "can become administrator of production (111111111111) in 2 steps");
    assert_eq!(p.path.len(), 2);
    p.settle(&r, &escalation(true));
    assert!(p.level_conditional && p.why.ends_with("(under conditions or assumptions)"), "{}", p.why);
    assert_eq!(p.path_needs.len(), 1);
    let json = serde_json::to_value(&p).unwrap();
    assert_eq!(json["level"], "privilege-escalation");
    assert_eq!(json["path"][0], "app -privesc (lambda-001)-> admin-role");

    let mut admin = classify_policy(&stmt(r#""iam:PassRole""#, r#""*""#));
    admin.settle(&r, &GraphVerdict { admin: true, escalation: None });
    assert_eq!(admin.level, PrivilegeLevel::Admin);
    assert!(admin.why.starts_with("administrator"), "{}", admin.why);

    // `*` with a deny of `iam:PassRole`: its policies name every action, the graph's probe
    // fails; what is left is permissions management.
    let mut denied = classify_policy(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"iam:PassRole","Resource":"*"}]}"#,
    );
    assert_eq!(denied.level, PrivilegeLevel::Admin);
    denied.settle(&r, &GraphVerdict::default());
    assert_eq!(denied.level, PrivilegeLevel::PermissionsManagement);
    assert!(denied.why.contains("not an administrator"), "{}", denied.why);
}

/// A service-linked role is managed by AWS: only its service can act as it, so a path from it
/// to an administrator does not rank it `privilege-escalation`.
#[test]
fn service_linked_roles_are_not_ranked_as_escalation() {
    let mut r = role(PROD, "AWSServiceRoleForAutoScaling", &trust_service("autoscaling.amazonaws.com"));
    r.path = "/aws-service-role/autoscaling.amazonaws.com/".into();
    r.arn = format!("arn:aws:iam::{PROD}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling");
    assert!(r.is_service_linked());
    let mut p = classify_policy(&stmt(r#""iam:PassRole""#, r#""*""#));
    p.settle(&r, &escalation(false));
    assert_eq!(p.level, PrivilegeLevel::PermissionsManagement);
    assert!(p.managed_by_aws);
    assert!(p.why.contains("service-linked"), "{}", p.why);
    assert_eq!(serde_json::to_value(&p).unwrap()["managed_by_aws"], true);
}

/// Actions that the Service Authorization Reference labels Permissions management or Write but
/// that only read do not raise the level (`catalog::build::READ_ONLY`): `SecurityAudit`'s
/// `quicksight:Describe*Permissions` is a read, `ViewOnlyAccess`'s `iot:ListSubscriptions` a list.
#[test]
fn reads_that_aws_labels_as_writes_stay_reads() {
    assert_eq!(classify_policy(&stmt(r#""quicksight:Describe*Permissions""#, r#""*""#)).level, PrivilegeLevel::Read);
    assert_eq!(classify_policy(&stmt(r#""iot:ListSubscriptions""#, r#""*""#)).level, PrivilegeLevel::List);
}
