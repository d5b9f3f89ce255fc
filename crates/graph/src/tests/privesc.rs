//! One test per documented privilege-escalation path: a tiny snapshot that has the path gives
//! the edge (with the path's id on one of its ways); the same snapshot with a `Deny` of the
//! path's first permission, or with a permission boundary that leaves it out, does not.

use super::*;
use crate::privesc::spec;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Attacker {
    User,
    Role,
}

#[derive(Clone, Copy, Debug)]
enum Variant {
    Has,
    Denied,
    Bounded,
}

fn attacker_arn(a: Attacker) -> String {
    match a {
        Attacker::User => user_arn(A, "attacker"),
        Attacker::Role => role_arn(A, "attacker"),
    }
}

/// Builds the snapshot of a path in a variant, and says whether the path's edge is there.
fn has_path(id: &str, attacker: Attacker, setup: &dyn Fn(&mut Snap), to: &str, variant: Variant) -> bool {
    let spec = spec::spec(id).unwrap();
    let grant = allow(spec.actions, "*");
    let first = spec.actions[0];
    let denied = deny(&[first], "*");
    let mut policies: Vec<&str> = vec![&grant];
    if matches!(variant, Variant::Denied) {
        policies.push(&denied);
    }
    let mut s = Snap::new();
    match attacker {
        Attacker::User => {
            s.user(A, "attacker", &policies);
        }
        Attacker::Role => {
            s.role(A, "attacker", &trust_service("ec2.amazonaws.com"), &policies);
        }
    }
    if matches!(variant, Variant::Bounded) {
        let b =
            serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": first, "Resource": "*"}]});
        s.boundary(A, "attacker", &b.to_string());
    }
    setup(&mut s);
    let g = s.build();
    way_paths(&g, &attacker_arn(attacker), to).contains(&id)
}

fn check(id: &str, attacker: Attacker, setup: impl Fn(&mut Snap), to: &str) {
    assert!(has_path(id, attacker, &setup, to, Variant::Has), "{id}: the edge to {to} is missing");
    assert!(!has_path(id, attacker, &setup, to, Variant::Denied), "{id}: a Deny does not remove the edge");
    assert!(!has_path(id, attacker, &setup, to, Variant::Bounded), "{id}: a boundary does not remove the edge");
}

fn target_trusting(s: &mut Snap, service: &str) {
    s.role(A, "target", &trust_service(service), &[]);
}

fn with_profile(s: &mut Snap) {
    let a = s.account(A);
    let r = a.roles.iter_mut().find(|r| r.name == "target").unwrap();
    r.instance_profile_arns.push(format!("arn:aws:iam::{A}:instance-profile/target"));
}

fn target() -> String {
    role_arn(A, "target")
}

fn admin() -> String {
    format!("admin:{A}")
}

fn instance() -> String {
    format!("arn:aws:ec2:us-east-1:{A}:instance/i-0target")
}

fn function() -> String {
    format!("arn:aws:lambda:us-east-1:{A}:function:target-fn")
}

fn with_instance(s: &mut Snap) {
    s.role(A, "target", &trust_service("ec2.amazonaws.com"), &[]);
    s.instance(A, "i-0target", "target");
}

fn with_function(s: &mut Snap) {
    s.role(A, "target", &trust_service("lambda.amazonaws.com"), &[]);
    s.function(A, "target-fn", "target");
}

fn attach(s: &mut Snap, name: &str, policy: &str) {
    let a = s.account(A);
    if let Some(u) = a.users.iter_mut().find(|u| u.name == name) {
        u.attached_managed_policies.push(policy.into());
    } else if let Some(r) = a.roles.iter_mut().find(|r| r.name == name) {
        r.attached_managed_policies.push(policy.into());
    } else {
        panic!("no principal {name}");
    }
}

fn victim(s: &mut Snap) {
    s.user(A, "victim", &[]);
}

fn victim_arn() -> String {
    user_arn(A, "victim")
}

/// A role that the attacker can assume (its trust names the account; the path grants
/// `sts:AssumeRole`).
fn assumable_target(s: &mut Snap) {
    s.role(A, "target", &trust_aws(A), &[]);
}

fn harmless() -> String {
    allow(&["s3:GetObject"], "*")
}

macro_rules! service_path {
    ($name:ident, $id:literal, $service:literal) => {
        #[test]
        fn $name() {
            check($id, Attacker::User, |s| target_trusting(s, $service), &target());
        }
    };
    ($name:ident, $id:literal, $service:literal, profile) => {
        #[test]
        fn $name() {
            check(
                $id,
                Attacker::User,
                |s| {
                    target_trusting(s, $service);
                    with_profile(s);
                },
                &target(),
            );
        }
    };
}

service_path!(apprunner_001, "apprunner-001", "tasks.apprunner.amazonaws.com");
service_path!(apprunner_002, "apprunner-002", "tasks.apprunner.amazonaws.com");
service_path!(bedrock_001, "bedrock-001", "bedrock-agentcore.amazonaws.com");
service_path!(bedrock_002, "bedrock-002", "bedrock-agentcore.amazonaws.com");
service_path!(cloudformation_001, "cloudformation-001", "cloudformation.amazonaws.com");
service_path!(cloudformation_002, "cloudformation-002", "cloudformation.amazonaws.com");
service_path!(cloudformation_003, "cloudformation-003", "cloudformation.amazonaws.com");
service_path!(cloudformation_004, "cloudformation-004", "cloudformation.amazonaws.com");
service_path!(cloudformation_005, "cloudformation-005", "cloudformation.amazonaws.com");
service_path!(codebuild_001, "codebuild-001", "codebuild.amazonaws.com");
service_path!(codebuild_002, "codebuild-002", "codebuild.amazonaws.com");
service_path!(codebuild_003, "codebuild-003", "codebuild.amazonaws.com");
service_path!(codebuild_004, "codebuild-004", "codebuild.amazonaws.com");
service_path!(datapipeline_001, "datapipeline-001", "datapipeline.amazonaws.com");
service_path!(ec2_001, "ec2-001", "ec2.amazonaws.com", profile);
service_path!(ec2_003, "ec2-003", "ec2.amazonaws.com", profile);
service_path!(ec2_004, "ec2-004", "ec2.amazonaws.com", profile);
service_path!(ecs_001, "ecs-001", "ecs-tasks.amazonaws.com");
service_path!(ecs_002, "ecs-002", "ecs-tasks.amazonaws.com");
service_path!(ecs_003, "ecs-003", "ecs-tasks.amazonaws.com");
service_path!(ecs_004, "ecs-004", "ecs-tasks.amazonaws.com");
service_path!(ecs_005, "ecs-005", "ecs-tasks.amazonaws.com");
service_path!(glue_001, "glue-001", "glue.amazonaws.com");
service_path!(glue_002, "glue-002", "glue.amazonaws.com");
service_path!(glue_003, "glue-003", "glue.amazonaws.com");
service_path!(glue_004, "glue-004", "glue.amazonaws.com");
service_path!(glue_005, "glue-005", "glue.amazonaws.com");
service_path!(glue_006, "glue-006", "glue.amazonaws.com");
service_path!(lambda_001, "lambda-001", "lambda.amazonaws.com");
service_path!(lambda_002, "lambda-002", "lambda.amazonaws.com");
service_path!(lambda_006, "lambda-006", "lambda.amazonaws.com");
service_path!(sagemaker_001, "sagemaker-001", "sagemaker.amazonaws.com");
service_path!(sagemaker_002, "sagemaker-002", "sagemaker.amazonaws.com");
service_path!(sagemaker_003, "sagemaker-003", "sagemaker.amazonaws.com");
service_path!(sagemaker_004, "sagemaker-004", "sagemaker.amazonaws.com");
service_path!(sagemaker_005, "sagemaker-005", "sagemaker.amazonaws.com");
// The paths the current catalog (86) added to the 65.
service_path!(batch_001, "batch-001", "ecs-tasks.amazonaws.com");
service_path!(batch_002, "batch-002", "ecs-tasks.amazonaws.com");
service_path!(batch_003, "batch-003", "ecs-tasks.amazonaws.com");
service_path!(bedrock_003, "bedrock-003", "bedrock-agentcore.amazonaws.com");
service_path!(bedrock_004, "bedrock-004", "bedrock-agentcore.amazonaws.com");
service_path!(bedrock_005, "bedrock-005", "bedrock-agentcore.amazonaws.com");
service_path!(bedrock_006, "bedrock-006", "bedrock-agentcore.amazonaws.com");
service_path!(bedrock_007, "bedrock-007", "bedrock-agentcore.amazonaws.com");
service_path!(braket_001, "braket-001", "braket.amazonaws.com");
service_path!(codedeploy_001, "codedeploy-001", "ec2.amazonaws.com", profile);
service_path!(ec2_005, "ec2-005", "ec2.amazonaws.com", profile);
service_path!(ecs_006, "ecs-006", "ecs-tasks.amazonaws.com");
service_path!(ecs_007, "ecs-007", "ecs-tasks.amazonaws.com");
service_path!(ecs_008, "ecs-008", "ecs-tasks.amazonaws.com");
service_path!(ecs_009, "ecs-009", "ecs-tasks.amazonaws.com");
service_path!(emr_001, "emr-001", "ec2.amazonaws.com", profile);
service_path!(emrserverless_001, "emrserverless-001", "emr-serverless.amazonaws.com");
service_path!(gamelift_001, "gamelift-001", "gamelift.amazonaws.com");
service_path!(glue_007, "glue-007", "glue.amazonaws.com");
service_path!(imagebuilder_001, "imagebuilder-001", "ec2.amazonaws.com", profile);
service_path!(kinesisanalytics_001, "kinesisanalytics-001", "kinesisanalytics.amazonaws.com");
service_path!(omics_001, "omics-001", "omics.amazonaws.com");
service_path!(ssm_003, "ssm-003", "ssm.amazonaws.com");

/// cognitoidentity-001: an identity pool's role trusts Cognito as a federated principal; a
/// principal that may pass it to Cognito and set the pool's roles gets its credentials. A role
/// that trusts Cognito only for another pool is still a target (the attacker sets the roles of a
/// pool the condition names, or the condition is on `amr`); one that trusts a service is not.
#[test]
fn cognitoidentity_001() {
    let cognito = |s: &mut Snap| {
        let trust = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Federated": "cognito-identity.amazonaws.com"}, "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:0000-pool"}}}]});
        s.role(A, "target", &trust.to_string(), &[]);
    };
    check("cognitoidentity-001", Attacker::User, cognito, &target());
    // A role that trusts a service, not Cognito: no such path.
    assert!(!has_path(
        "cognitoidentity-001",
        Attacker::User,
        &|s| target_trusting(s, "ec2.amazonaws.com"),
        &target(),
        Variant::Has
    ));
}

/// The paths the current catalog retired are still techniques AWS allows: kept under their ids.
#[test]
fn retired_paths_are_kept_and_marked() {
    for id in ["ec2instanceconnect-003", "glue-002", "sagemaker-003"] {
        assert!(spec::spec(id).is_some(), "{id}");
        assert!(crate::privesc::data::path(id).is_some_and(|p| p.retired), "{id}");
    }
    assert_eq!(crate::privesc::data::paths().iter().filter(|p| !p.retired).count(), 86);
}

#[test]
fn ec2_002() {
    check("ec2-002", Attacker::User, with_instance, &instance());
}

#[test]
fn ec2instanceconnect_003() {
    check("ec2instanceconnect-003", Attacker::User, with_instance, &instance());
}

#[test]
fn ssm_001() {
    check("ssm-001", Attacker::User, with_instance, &instance());
}

#[test]
fn ssm_002() {
    check("ssm-002", Attacker::User, with_instance, &instance());
}

#[test]
fn lambda_003() {
    check("lambda-003", Attacker::User, with_function, &function());
}

#[test]
fn lambda_004() {
    check("lambda-004", Attacker::User, with_function, &function());
}

#[test]
fn lambda_005() {
    check("lambda-005", Attacker::User, with_function, &function());
}

#[test]
fn iam_001() {
    check(
        "iam-001",
        Attacker::User,
        |s| {
            let p = s.managed(A, "mine", &harmless());
            attach(s, "attacker", &p);
        },
        &admin(),
    );
}

#[test]
fn iam_002() {
    check("iam-002", Attacker::User, victim, &victim_arn());
}

#[test]
fn iam_003() {
    check("iam-003", Attacker::User, victim, &victim_arn());
}

#[test]
fn iam_004() {
    check("iam-004", Attacker::User, victim, &victim_arn());
}

#[test]
fn iam_005() {
    check("iam-005", Attacker::Role, |_| {}, &admin());
}

#[test]
fn iam_006() {
    check("iam-006", Attacker::User, victim, &victim_arn());
}

#[test]
fn iam_007() {
    check("iam-007", Attacker::User, |_| {}, &admin());
}

#[test]
fn iam_008() {
    check("iam-008", Attacker::User, |_| {}, &admin());
}

#[test]
fn iam_009() {
    check("iam-009", Attacker::Role, |_| {}, &admin());
}

#[test]
fn iam_010() {
    check(
        "iam-010",
        Attacker::User,
        |s| {
            s.group(A, "team", &[&harmless()], &["attacker"]);
        },
        &admin(),
    );
}

#[test]
fn iam_011() {
    check(
        "iam-011",
        Attacker::User,
        |s| {
            s.group(A, "team", &[&harmless()], &["attacker"]);
        },
        &admin(),
    );
}

#[test]
fn iam_012() {
    check("iam-012", Attacker::User, |s| target_trusting(s, "ec2.amazonaws.com"), &target());
}

#[test]
fn iam_013() {
    check(
        "iam-013",
        Attacker::User,
        |s| {
            s.group(A, "admins", &[&allow(&["*"], "*")], &[]);
        },
        &group_arn(A, "admins"),
    );
}

#[test]
fn iam_014() {
    check("iam-014", Attacker::User, assumable_target, &admin());
}

#[test]
fn iam_015() {
    check("iam-015", Attacker::User, victim, &admin());
}

#[test]
fn iam_016() {
    check(
        "iam-016",
        Attacker::User,
        |s| {
            assumable_target(s);
            let p = s.managed(A, "theirs", &harmless());
            attach(s, "target", &p);
        },
        &admin(),
    );
}

#[test]
fn iam_017() {
    check("iam-017", Attacker::User, assumable_target, &admin());
}

#[test]
fn iam_018() {
    check("iam-018", Attacker::User, victim, &admin());
}

#[test]
fn iam_019() {
    check("iam-019", Attacker::User, |s| target_trusting(s, "ec2.amazonaws.com"), &admin());
}

#[test]
fn iam_020() {
    check(
        "iam-020",
        Attacker::User,
        |s| {
            target_trusting(s, "ec2.amazonaws.com");
            let p = s.managed(A, "theirs", &harmless());
            attach(s, "target", &p);
        },
        &admin(),
    );
}

#[test]
fn iam_021() {
    check("iam-021", Attacker::User, |s| target_trusting(s, "ec2.amazonaws.com"), &admin());
}

#[test]
fn sts_001() {
    check("sts-001", Attacker::User, assumable_target, &target());
}

/// Every documented path has a test above: the names are the ids with `-` as `_`.
#[test]
fn every_path_has_a_test() {
    let src = include_str!("privesc.rs");
    for p in spec::PATHS {
        let name = p.id.replace('-', "_");
        assert!(src.contains(&format!("fn {name}()")) || src.contains(&format!("service_path!({name},")), "no test for {}", p.id);
    }
}

#[test]
fn credential_report_settles_key_and_password_counts() {
    let mut s = Snap::new();
    s.user(A, "attacker", &[&allow(&["iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile"], "*")]);
    victim(&mut s);
    let row = model::CredentialRow {
        user: "victim".into(),
        arn: victim_arn(),
        user_creation_time: None,
        password_enabled: Some(true),
        password_last_used: None,
        password_last_changed: None,
        password_next_rotation: None,
        mfa_active: false,
        access_keys: vec![
            model::AccessKeyInfo {
                slot: 1,
                active: true,
                last_rotated: None,
                last_used_date: None,
                last_used_region: None,
                last_used_service: None,
            },
            model::AccessKeyInfo {
                slot: 2,
                active: true,
                last_rotated: None,
                last_used_date: None,
                last_used_region: None,
                last_used_service: None,
            },
        ],
        certificates: Vec::new(),
    };
    s.account(A).credential_report = Some(model::CredentialReport { generated_time: None, rows: vec![row] });
    let g = s.build();
    let paths = way_paths(&g, &user_arn(A, "attacker"), &victim_arn());
    // Two keys already: CreateAccessKey alone fails. A password exists: update, not create.
    assert_eq!(paths, ["iam-006"]);
    let e = edge(&g, &user_arn(A, "attacker"), &victim_arn(), EdgeKind::Privesc);
    assert!(!e.has_assumptions());
}

#[test]
fn pass_role_conditions_on_the_service_are_settled() {
    let mut s = Snap::new();
    let p = serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:InvokeFunction", "glue:CreateDevEndpoint"], "Resource": "*"},
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*", "Condition": {"StringEquals": {"iam:PassedToService": "glue.amazonaws.com"}}}]});
    s.user(A, "attacker", &[&p.to_string()]);
    s.role(A, "fn", &trust_service("lambda.amazonaws.com"), &[]);
    s.role(A, "job", &trust_service("glue.amazonaws.com"), &[]);
    let g = s.build();
    assert!(way_paths(&g, &user_arn(A, "attacker"), &role_arn(A, "fn")).is_empty());
    let e = edge(&g, &user_arn(A, "attacker"), &role_arn(A, "job"), EdgeKind::Privesc);
    assert_eq!(e.paths(), ["glue-001"]);
    assert!(!e.is_conditional());
}

#[test]
fn resource_patterns_choose_where_the_caller_creates() {
    let mut s = Snap::new();
    let p = serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": format!("arn:aws:lambda:*:{A}:function:team-*")},
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": role_arn(A, "fn")}]});
    s.user(A, "attacker", &[&p.to_string()]);
    s.role(A, "fn", &trust_service("lambda.amazonaws.com"), &[]);
    s.role(A, "other", &trust_service("lambda.amazonaws.com"), &[]);
    let g = s.build();
    let e = edge(&g, &user_arn(A, "attacker"), &role_arn(A, "fn"), EdgeKind::Privesc);
    let create = e.ways()[0].checks.iter().find(|c| c.action == "lambda:CreateFunction").unwrap();
    assert!(create.resource.contains(":function:team-"), "{}", create.resource);
    assert!(way_paths(&g, &user_arn(A, "attacker"), &role_arn(A, "other")).is_empty());
}

#[test]
fn a_boundary_on_the_changed_principal_stops_the_escalation() {
    let mut s = Snap::new();
    s.role(A, "attacker", &trust_service("ec2.amazonaws.com"), &[&allow(&["iam:PutRolePolicy"], "*")]);
    s.role(A, "target", &trust_aws(A), &[]);
    s.boundary(A, "target", &allow(&["s3:*"], "*"));
    let g = s.build();
    assert!(way_paths(&g, &role_arn(A, "attacker"), &admin()).contains(&"iam-005"));
    assert!(!way_paths(&g, &role_arn(A, "attacker"), &admin()).contains(&"iam-017"));
}

#[test]
fn joining_an_admin_group_leads_to_the_administrator() {
    let mut s = Snap::new();
    s.user(A, "attacker", &[&allow(&["iam:AddUserToGroup"], "*")]);
    s.group(A, "admins", &[&allow(&["*"], "*")], &[]);
    let g = s.build();
    edge(&g, &group_arn(A, "admins"), &admin(), EdgeKind::AdminEquivalent);
    let esc = crate::query::escalations(&g);
    let attacker = g.find_id(&user_arn(A, "attacker")).unwrap();
    let e = esc.iter().find(|e| e.node == attacker).unwrap();
    assert_eq!(e.path.len(), 2);
}

#[test]
fn principals_with_the_same_policies_get_the_same_edges_to_each_other() {
    let mut s = Snap::new();
    let p = s.managed(A, "keys", &allow(&["iam:CreateAccessKey", "sts:AssumeRole"], "*"));
    for name in ["u1", "u2", "u3"] {
        s.user(A, name, &[]);
        attach(&mut s, name, &p);
    }
    s.role(A, "target", &trust_aws(A), &[]);
    let g = s.build();
    for (a, b) in [("u1", "u2"), ("u2", "u1"), ("u3", "u1")] {
        assert_eq!(way_paths(&g, &user_arn(A, a), &user_arn(A, b)), ["iam-002"], "{a} -> {b}");
    }
    for u in ["u1", "u2", "u3"] {
        edge(&g, &user_arn(A, u), &role_arn(A, "target"), EdgeKind::CanAssume);
    }
    // One class: its edges are decided once, not three times.
    let mut t = Snap::new();
    t.user(A, "u1", &[]);
    let p = t.managed(A, "keys", &allow(&["iam:CreateAccessKey", "sts:AssumeRole"], "*"));
    attach(&mut t, "u1", &p);
    t.role(A, "target", &trust_aws(A), &[]);
    assert!(g.stats().evaluations < 3 * t.build().stats().evaluations);
}

/// The published coverage table lists every path.
#[test]
fn the_coverage_table_lists_every_path() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/privesc-coverage.md")).unwrap();
    for p in spec::PATHS {
        assert!(doc.contains(&format!("| `{}` |", p.id)), "docs/privesc-coverage.md does not list {}", p.id);
    }
}

/// A change of a role's policies escalates a changer that reaches the role only through a
/// longer path of the graph (the attacker assumes `hop`, which assumes `target`): the edge
/// names that path hop by hop. Without the second hop there is no such edge, and neither is
/// there when the role's boundary leaves no room for administrator access.
#[test]
fn a_change_through_a_longer_path_names_each_hop() {
    let build = |hop_can_assume: bool, bounded: bool| {
        let mut s = Snap::new();
        s.user(A, "attacker", &[&allow(&["iam:PutRolePolicy"], &target()), &allow(&["sts:AssumeRole"], &role_arn(A, "hop"))]);
        let hop = if hop_can_assume { allow(&["sts:AssumeRole"], &target()) } else { harmless() };
        s.role(A, "hop", &trust_aws(&user_arn(A, "attacker")), &[&hop]);
        // The account in the trust: its principals need their own `sts:AssumeRole` (a role
        // named by its ARN in a trust of its own account would need none).
        s.role(A, "target", &trust_aws(A), &[]);
        if bounded {
            s.boundary(A, "target", &allow(&["s3:GetObject"], "*"));
        }
        s.build()
    };
    let g = build(true, false);
    let e = edge(&g, &attacker_arn(Attacker::User), &admin(), EdgeKind::Privesc);
    // The way: attacker -> hop, then hop -> target (through the capability node that stands
    // for every role of the account that hop may assume).
    let way = e.ways().iter().find(|w| w.via.len() >= 2).unwrap_or_else(|| panic!("no longer way: {:#?}", e.ways()));
    let attacker = user_arn(A, "attacker");
    let hop = role_arn(A, "hop");
    assert_eq!(way.via[0], format!("{attacker} -can-assume (sts-001)-> {hop}"), "{:?}", way.via);
    assert!(way.via[1].starts_with(&format!("{hop} -can-assume")), "{:?}", way.via);
    assert!(way.via.last().unwrap().ends_with(&format!("-> {}", target())), "{:?}", way.via);
    // iam-017: iam:PutRolePolicy on a role the changer can then assume.
    assert_eq!(way.path, Some("iam-017"));
    assert!(way.description.contains(&target()) && way.description.contains("iam:PutRolePolicy"));
    let none = edges(&build(false, false), &attacker_arn(Attacker::User), &admin(), EdgeKind::Privesc);
    assert!(none.is_empty(), "{:#?}", none.iter().map(|e| e.ways().to_vec()).collect::<Vec<_>>());
    assert!(edges(&build(true, true), &attacker_arn(Attacker::User), &admin(), EdgeKind::Privesc).is_empty());
}

/// An edge keeps the first `MAX_WAYS` ways and counts the others: a changer of the policies of
/// twelve roles it can assume, with two change actions, has one edge to the administrator
/// node with 8 ways kept and the rest counted (each change action gives at most 8 ways). The
/// ways past the kept ones are only counted (`privesc::change::Room`), and the count stays.
#[test]
fn an_edge_keeps_its_first_ways_and_counts_the_others() {
    let mut s = Snap::new();
    let roles = format!("arn:aws:iam::{A}:role/app-*");
    s.user(A, "attacker", &[&allow(&["iam:PutRolePolicy", "iam:AttachRolePolicy", "sts:AssumeRole"], &roles)]);
    for i in 0..12 {
        s.role(A, &format!("app-{i:02}"), &trust_aws(A), &[]);
    }
    let g = s.build();
    let e = edge(&g, &attacker_arn(Attacker::User), &admin(), EdgeKind::Privesc);
    assert_eq!(e.ways().len(), crate::MAX_WAYS, "{:#?}", e.ways());
    assert_eq!(e.data.more_ways, 8, "16 ways (8 per change action), 8 kept");
    // The kept ways are whole: a path, a description naming the role, and the check.
    for w in e.ways() {
        // iam-014: iam:AttachRolePolicy, iam-017: iam:PutRolePolicy, on a role it can assume.
        assert!(matches!(w.path, Some("iam-014" | "iam-017")), "{w:#?}");
        assert!(w.description.contains(":role/app-"), "{w:#?}");
        assert_eq!(w.checks.len(), 1, "{w:#?}");
    }
}

/// An edge is assumed only when its best way is: a caller that may run an instance with a
/// passed role (ec2-001, exact) and change an existing launch template (ec2-004, on the
/// assumption that one runs as the role) holds the edge exactly. With only the second, the
/// edge rests on the assumption.
#[test]
fn an_exact_way_makes_the_edge_exact_whatever_the_other_ways_assume() {
    let build = |actions: &[&str]| {
        let mut s = Snap::new();
        target_trusting(&mut s, "ec2.amazonaws.com");
        with_profile(&mut s);
        s.user(A, "attacker", &[&allow(actions, "*")]);
        s.build()
    };
    let template = ["ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate"];
    let g = build(&["iam:PassRole", "ec2:RunInstances", template[0], template[1]]);
    // Every way from the attacker to the role, direct and through capability nodes, as a hop
    // shows it.
    let (f, t) = (g.find_id(&user_arn(A, "attacker")).unwrap(), g.find_id(&target()).unwrap());
    let e = g.link(f, t, EdgeKind::Privesc).unwrap().into_owned();
    assert!(e.has_path("ec2-001") && e.has_path("ec2-004"), "{:?}", e.paths());
    assert!(e.ways().iter().any(|w| !w.assumptions.is_empty()), "one way rests on an assumption");
    assert!(!e.has_assumptions());
    assert_eq!(e.way().unwrap().path, Some("ec2-001"), "the exact way comes first");
    let g = build(&template);
    let (f, t) = (g.find_id(&user_arn(A, "attacker")).unwrap(), g.find_id(&target()).unwrap());
    assert!(g.link(f, t, EdgeKind::Privesc).unwrap().has_assumptions());
}

/// `escalations` takes a certain path when there is one, even a longer one: the escalation is
/// uncertain only when every path is.
#[test]
fn escalations_prefer_a_certain_path_to_a_shorter_uncertain_one() {
    let mut s = Snap::new();
    s.role(A, "admin-role", &trust_aws(A), &[&allow(&["*"], "*")]);
    // One hop, on an assumption: an existing CodeBuild project running as `builder-admin`.
    s.role(A, "builder-admin", &trust_service("codebuild.amazonaws.com"), &[&allow(&["*"], "*")]);
    // Two hops, exact: assume `jump`, which may assume `admin-role`.
    s.role(A, "jump", &trust_aws(A), &[&allow(&["sts:AssumeRole"], &role_arn(A, "admin-role"))]);
    s.user(A, "attacker", &[&allow(&["codebuild:StartBuild"], "*"), &allow(&["sts:AssumeRole"], &role_arn(A, "jump"))]);
    let g = s.build();
    let attacker = g.find_id(&user_arn(A, "attacker")).unwrap();
    let esc = crate::escalations(&g).into_iter().find(|e| e.node == attacker).unwrap();
    let words = crate::escalation_words(&g, &esc.path);
    assert!(!words.uncertain, "{:?}", words.steps);
    assert!(words.steps.iter().any(|s| s.contains("jump")), "{:?}", words.steps);
}

/// When the exports list no EC2 instances (or no Lambda functions) of an account, the paths
/// through them still show, to every role that such compute could run as, resting on the
/// stated assumption; when the exports have the data and list none, there is no such path.
#[test]
fn compute_the_exports_do_not_list_is_assumed() {
    let build = |collected: &[model::DataKind], actions: &[&str]| {
        let mut s = Snap::new();
        s.role(A, "ec2-admin", &trust_service("ec2.amazonaws.com"), &[&allow(&["*"], "*")]);
        with_profile_of(&mut s, "ec2-admin");
        s.role(A, "lambda-admin", &trust_service("lambda.amazonaws.com"), &[&allow(&["*"], "*")]);
        s.user(A, "attacker", &[&allow(actions, "*")]);
        s.account(A).collected.extend(collected.iter().copied());
        s.build()
    };
    let attacker = user_arn(A, "attacker");
    let g = build(&[], &["ssm:SendCommand", "lambda:UpdateFunctionCode", "lambda:InvokeFunction"]);
    let (f, ec2) = (g.find_id(&attacker).unwrap(), g.find_id(&role_arn(A, "ec2-admin")).unwrap());
    let e = g.link(f, ec2, EdgeKind::Privesc).expect("ssm-002 to the EC2 role, on an assumption");
    assert!(e.has_path("ssm-002") && e.has_assumptions(), "{:?}", e.paths());
    assert!(e.way().unwrap().assumptions[0].contains("no EC2 instances"), "{:?}", e.way().unwrap().assumptions);
    let lambda = g.find_id(&role_arn(A, "lambda-admin")).unwrap();
    let e = g.link(f, lambda, EdgeKind::Privesc).expect("lambda-004 to the Lambda role, on an assumption");
    assert!(e.has_path("lambda-004") && e.has_assumptions(), "{:?}", e.paths());
    // The data is there and lists no instance, no function: no path.
    let g = build(
        &[model::DataKind::Ec2Instances, model::DataKind::Ec2ProfileAssociations, model::DataKind::LambdaFunctions],
        &["ssm:SendCommand", "lambda:UpdateFunctionCode", "lambda:InvokeFunction"],
    );
    let f = g.find_id(&attacker).unwrap();
    for to in ["ec2-admin", "lambda-admin"] {
        let t = g.find_id(&role_arn(A, to)).unwrap();
        assert!(g.link(f, t, EdgeKind::Privesc).is_none(), "{to}");
    }
}

fn with_profile_of(s: &mut Snap, name: &str) {
    let a = s.account(A);
    let r = a.roles.iter_mut().find(|r| r.name == name).unwrap();
    r.instance_profile_arns.push(format!("arn:aws:iam::{A}:instance-profile/{name}"));
}

fn project(s: &mut Snap, name: &str, role: &str, batch: bool) -> String {
    let arn = format!("arn:aws:codebuild:us-east-1:{A}:project/{name}");
    let a = s.account(A);
    a.collected.insert(model::DataKind::CodeBuildProjects);
    a.service_resources.push(model::ServiceResource {
        kind: model::ServiceKind::CodeBuildProject,
        arn: arn.clone(),
        name: name.into(),
        account_id: A.into(),
        region: Some("us-east-1".into()),
        role_arn: Some(role_arn(A, role)),
        instance_profiles: Vec::new(),
        batch_builds: batch,
    });
    arn
}

/// Issue 17 (item 8): when the exports list the account's CodeBuild projects, codebuild-002
/// goes into the projects that run as a role, exactly, decided on each project's ARN: no
/// assumption, no edge to a role that no project runs as, and a deny on one project removes the
/// path through it only. codebuild-003 needs a project configured for batch builds.
#[test]
fn listed_codebuild_projects_make_the_path_exact() {
    let build = |attacker: &[&str], projects: &dyn Fn(&mut Snap)| {
        let mut s = Snap::new();
        s.role(A, "builder-admin", &trust_service("codebuild.amazonaws.com"), &[&allow(&["*"], "*")]);
        s.role(A, "idle-admin", &trust_service("codebuild.amazonaws.com"), &[&allow(&["*"], "*")]);
        s.user(A, "attacker", attacker);
        projects(&mut s);
        s.build()
    };
    let attacker = user_arn(A, "attacker");
    let start = allow(&["codebuild:StartBuild"], "*");
    let g = build(&[&start], &|s| {
        project(s, "deploy", "builder-admin", false);
    });
    let deploy = format!("arn:aws:codebuild:us-east-1:{A}:project/deploy");
    assert_eq!(way_paths(&g, &attacker, &deploy), vec!["codebuild-002"]);
    let e = edges(&g, &attacker, &deploy, EdgeKind::Privesc);
    assert!(e.iter().all(|e| !e.has_assumptions()), "{:?}", e.iter().map(|e| e.ways().to_vec()).collect::<Vec<_>>());
    assert_eq!(edges(&g, &deploy, &role_arn(A, "builder-admin"), EdgeKind::RunsAs).len(), 1);
    // No project runs as idle-admin: no path to it, though it trusts CodeBuild.
    assert!(way_paths(&g, &attacker, &role_arn(A, "idle-admin")).is_empty());
    let esc = crate::escalations(&g).into_iter().find(|e| g.find_id(&attacker) == Some(e.node)).expect("an escalation");
    assert!(!crate::escalation_words(&g, &esc.path).uncertain);
    // Without the listing, both roles are reached on the assumption that a project runs as them.
    let g = build(&[&start], &|_| {});
    for to in ["builder-admin", "idle-admin"] {
        let e = edges(&g, &attacker, &role_arn(A, to), EdgeKind::Privesc);
        assert!(e.iter().any(|e| e.has_path("codebuild-002") && e.has_assumptions()), "{to}");
    }
    // Listed, and none: no path at all.
    let g = build(&[&start], &|s| {
        s.account(A).collected.insert(model::DataKind::CodeBuildProjects);
    });
    for to in ["builder-admin", "idle-admin"] {
        assert!(way_paths(&g, &attacker, &role_arn(A, to)).is_empty(), "{to}");
    }
    // A deny on one project's ARN removes the path through it, not through the other.
    let deny_deploy = deny(&["codebuild:StartBuild"], &deploy);
    let g = build(&[&start, &deny_deploy], &|s| {
        project(s, "deploy", "builder-admin", false);
        project(s, "nightly", "builder-admin", false);
    });
    assert!(way_paths(&g, &attacker, &deploy).is_empty());
    let nightly = format!("arn:aws:codebuild:us-east-1:{A}:project/nightly");
    assert_eq!(way_paths(&g, &attacker, &nightly), vec!["codebuild-002"]);
    // A grant scoped to one project reaches that one.
    let only = allow(&["codebuild:StartBuild"], &nightly);
    let g = build(&[&only], &|s| {
        project(s, "deploy", "builder-admin", false);
        project(s, "nightly", "builder-admin", false);
    });
    assert!(way_paths(&g, &attacker, &deploy).is_empty());
    assert_eq!(way_paths(&g, &attacker, &nightly), vec!["codebuild-002"]);
    // codebuild-003 goes only into projects configured for batch builds.
    let batch = allow(&["codebuild:StartBuildBatch"], "*");
    let g = build(&[&batch], &|s| {
        project(s, "deploy", "builder-admin", false);
        project(s, "batched", "idle-admin", true);
    });
    assert!(way_paths(&g, &attacker, &deploy).is_empty());
    let batched = format!("arn:aws:codebuild:us-east-1:{A}:project/batched");
    assert_eq!(way_paths(&g, &attacker, &batched), vec!["codebuild-003"]);
}

/// A launch template runs as the roles of the instance profiles its versions name, on the
/// stated assumption that instances are launched from it; a resource whose region is unknown
/// says that policies naming regions were not matched.
#[test]
fn listed_launch_templates_and_unknown_regions_are_stated() {
    let mut s = Snap::new();
    s.role(A, "web", &trust_service("ec2.amazonaws.com"), &[&allow(&["*"], "*")]);
    with_profile_of(&mut s, "web");
    s.account(A).instance_profiles.push(model::InstanceProfile {
        arn: format!("arn:aws:iam::{A}:instance-profile/web"),
        name: "web".into(),
        path: "/".into(),
        id: String::new(),
        account_id: A.into(),
        create_date: None,
        role_arns: vec![role_arn(A, "web")],
        tags: Vec::new(),
    });
    s.user(A, "attacker", &[&allow(&["ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate"], "*")]);
    let lt = format!("arn:aws:ec2::{A}:launch-template/lt-1");
    let a = s.account(A);
    a.collected.insert(model::DataKind::Ec2LaunchTemplates);
    a.service_resources.push(model::ServiceResource {
        kind: model::ServiceKind::LaunchTemplate,
        arn: lt.clone(),
        name: "web".into(),
        account_id: A.into(),
        region: None,
        role_arn: None,
        instance_profiles: vec!["web".into()],
        batch_builds: false,
    });
    let g = s.build();
    let attacker = user_arn(A, "attacker");
    let e = edges(&g, &attacker, &lt, EdgeKind::Privesc);
    let way = e.iter().flat_map(|e| e.ways()).find(|w| w.path == Some("ec2-004")).expect("ec2-004 into the template");
    let said: Vec<&str> = way.assumptions.iter().map(|a| &**a).collect();
    assert!(said.iter().any(|a| a.contains("launched from the template")), "{said:?}");
    assert!(said.iter().any(|a| a.contains("region is unknown")), "{said:?}");
    assert_eq!(edges(&g, &lt, &role_arn(A, "web"), EdgeKind::RunsAs).len(), 1);
}
