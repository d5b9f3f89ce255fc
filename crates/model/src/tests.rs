//! Tests of the snapshot's lookups and serialisation on a small hand-made account.

use crate::*;

fn doc(text: &str) -> PolicyDoc {
    PolicyDoc::from_policy_text(text)
}

const LAMBDA_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const ADMIN: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

fn role(account: &str, path: &str, name: &str) -> Role {
    Role {
        arn: format!("arn:aws:iam::{account}:role{path}{name}"),
        name: name.into(),
        path: path.into(),
        id: String::new(),
        account_id: account.into(),
        create_date: None,
        description: None,
        max_session_duration: None,
        role_last_used: None,
        permissions_boundary: None,
        tags: vec![],
        trust_policy: Some(doc(LAMBDA_TRUST)),
        inline_policies: vec![],
        attached_managed_policies: vec![],
        instance_profile_arns: vec![],
        policies_known: true,
    }
}

fn snapshot() -> Snapshot {
    let a = "111111111111";
    let mut app = role(a, "/service-role/", "app");
    app.attached_managed_policies =
        vec!["arn:aws:iam::aws:policy/AdministratorAccess".into(), format!("arn:aws:iam::{a}:policy/missing")];
    app.inline_policies = vec![InlinePolicy { name: "logs".into(), document: doc(ADMIN) }];
    app.permissions_boundary = Some(format!("arn:aws:iam::{a}:policy/boundary"));
    let ec2 = role(a, "/", "web");
    let task = role(a, "/", "task");
    let account = Account {
        id: a.into(),
        name: Some("production".into()),
        roles: vec![app, ec2, task],
        policies: vec![ManagedPolicy {
            arn: format!("arn:aws:iam::{a}:policy/boundary"),
            name: "boundary".into(),
            path: "/".into(),
            id: String::new(),
            aws_managed: false,
            default_version_id: Some("v2".into()),
            attachment_count: Some(0),
            permissions_boundary_usage_count: Some(1),
            description: None,
            create_date: None,
            update_date: None,
            versions: vec![
                PolicyVersion { version_id: "v1".into(), is_default: false, create_date: None, document: doc(ADMIN) },
                PolicyVersion { version_id: "v2".into(), is_default: true, create_date: None, document: doc(LAMBDA_TRUST) },
            ],
        }],
        instance_profiles: vec![InstanceProfile {
            arn: format!("arn:aws:iam::{a}:instance-profile/web"),
            name: "web".into(),
            path: "/".into(),
            id: String::new(),
            account_id: a.into(),
            create_date: None,
            role_arns: vec![format!("arn:aws:iam::{a}:role/web")],
            tags: vec![],
        }],
        ec2_instances: vec![Ec2Instance {
            instance_id: "i-0123".into(),
            account_id: a.into(),
            region: Some("eu-west-1".into()),
            name: Some("web-1".into()),
            state: Some("running".into()),
            instance_type: None,
            instance_profile_arn: Some(format!("arn:aws:iam::{a}:instance-profile/web")),
            public_ip: None,
            private_ip: None,
            vpc_id: None,
            subnet_id: None,
            imds_http_tokens: None,
            launch_time: None,
            tags: vec![],
        }],
        lambda_functions: ["f1", "f2"]
            .iter()
            .map(|n| LambdaFunction {
                arn: format!("arn:aws:lambda:eu-west-1:{a}:function:{n}"),
                name: (*n).into(),
                account_id: a.into(),
                region: Some("eu-west-1".into()),
                role_arn: Some(format!("arn:aws:iam::{a}:role/service-role/app")),
                runtime: None,
                description: None,
                last_modified: None,
                vpc_id: None,
            })
            .collect(),
        ecs_task_definitions: vec![EcsTaskDefinition {
            arn: format!("arn:aws:ecs:eu-west-1:{a}:task-definition/api:3"),
            family: "api".into(),
            revision: Some(3),
            account_id: a.into(),
            region: Some("eu-west-1".into()),
            task_role_arn: Some("task".into()),
            execution_role_arn: Some(format!("arn:aws:iam::{a}:role/task")),
            network_mode: None,
            requires_compatibilities: vec![],
            images: vec![],
        }],
        ecs_services: vec![EcsService {
            arn: format!("arn:aws:ecs:eu-west-1:{a}:service/main/api"),
            name: "api".into(),
            account_id: a.into(),
            region: Some("eu-west-1".into()),
            cluster_arn: None,
            task_definition_arn: Some(format!("arn:aws:ecs:eu-west-1:{a}:task-definition/api:3")),
            role_arn: None,
            launch_type: None,
            status: None,
            desired_count: None,
        }],
        ..Account::default()
    };
    let mut s = Snapshot {
        accounts: vec![
            account,
            Account { id: "222222222222".into(), roles: vec![role("222222222222", "/", "app")], ..Account::default() },
        ],
        aws_managed_policies: vec![ManagedPolicy {
            arn: "arn:aws:iam::aws:policy/AdministratorAccess".into(),
            name: "AdministratorAccess".into(),
            path: "/".into(),
            id: String::new(),
            aws_managed: true,
            default_version_id: Some("v1".into()),
            attachment_count: None,
            permissions_boundary_usage_count: None,
            description: None,
            create_date: None,
            update_date: None,
            versions: vec![PolicyVersion { version_id: "v1".into(), is_default: true, create_date: None, document: doc(ADMIN) }],
        }],
        ..Snapshot::default()
    };
    s.sort();
    s
}

#[test]
fn finds_roles_by_arn_name_and_account() {
    let s = snapshot();
    assert_eq!(s.find_roles("app").len(), 2);
    assert_eq!(s.find_roles("APP").len(), 2);
    assert_eq!(s.find_roles("111111111111/app").len(), 1);
    assert_eq!(s.find_roles("production:app").first().map(|r| r.account_id.as_str()), Some("111111111111"));
    let r = s.find_roles("arn:aws:iam::111111111111:role/service-role/app");
    assert_eq!(r.len(), 1);
    assert!(s.find_roles("arn:aws:iam::111111111111:role/app").is_empty());
    let a = s.account("111111111111").unwrap();
    assert_eq!(a.resolve_role("arn:aws:iam::111111111111:role/app").map(|r| r.path.as_str()), Some("/service-role/"));
    assert!(a.resolve_role("arn:aws:iam::222222222222:role/app").is_none());
}

#[test]
fn resources_using_roles() {
    let s = snapshot();
    let a = s.account("111111111111").unwrap();
    let uses = a.role_uses();
    let app = uses.get("arn:aws:iam::111111111111:role/service-role/app").unwrap();
    assert_eq!(
        app.iter().map(|u| (u.kind, u.name.as_str())).collect::<Vec<_>>(),
        vec![(UseKind::LambdaFunction, "f1"), (UseKind::LambdaFunction, "f2")]
    );
    let web = uses.get("arn:aws:iam::111111111111:role/web").unwrap();
    assert_eq!(web.iter().map(|u| u.kind).collect::<Vec<_>>(), vec![UseKind::InstanceProfile, UseKind::Ec2Instance]);
    assert_eq!(web.get(1).unwrap().via.as_deref(), Some("arn:aws:iam::111111111111:instance-profile/web"));
    // The task role is written as a bare name and still resolves.
    let task = uses.get("arn:aws:iam::111111111111:role/task").unwrap();
    let kinds: Vec<UseKind> = task.iter().map(|u| u.kind).collect();
    assert_eq!(
        kinds,
        vec![UseKind::EcsTaskRole, UseKind::EcsExecutionRole, UseKind::EcsServiceTaskRole, UseKind::EcsServiceExecutionRole]
    );
    let role = s.role("arn:aws:iam::111111111111:role/web").unwrap();
    assert_eq!(s.resources_using_role(role).len(), 2);
}

#[test]
fn role_policies_resolve_managed_documents() {
    let s = snapshot();
    let role = s.role("arn:aws:iam::111111111111:role/service-role/app").unwrap();
    let p = s.role_policies(role);
    assert!(p.known);
    let summary: Vec<(String, bool)> = p.identity.iter().map(|(src, d)| (format!("{src:?}"), d.is_some())).collect();
    assert_eq!(
        summary,
        vec![
            ("Inline { name: \"logs\" }".to_string(), true),
            ("Managed { arn: \"arn:aws:iam::aws:policy/AdministratorAccess\" }".to_string(), true),
            ("Managed { arn: \"arn:aws:iam::111111111111:policy/missing\" }".to_string(), false),
        ]
    );
    // The boundary's default version (v2), not v1.
    let (arn, bdoc) = p.boundary.unwrap();
    assert_eq!(arn, "arn:aws:iam::111111111111:policy/boundary");
    assert_eq!(bdoc.unwrap().json(), LAMBDA_TRUST);
}

#[test]
fn serialises_deterministically_and_reads_back() {
    let s = snapshot();
    let json = serde_json::to_string_pretty(&s).unwrap();
    let back: Snapshot = serde_json::from_str(&json).unwrap();
    assert_eq!(back, s);
    assert_eq!(serde_json::to_string_pretty(&back).unwrap(), json);
    assert!(json.starts_with("{\n  \"schema_version\": 1,"));
    // Documents are embedded as JSON, not as strings.
    assert!(json.contains("\"trust_policy\": {\"Version\":\"2012-10-17\""), "{json}");
}

/// The snapshot's time is the newest time its exports record: a role's last use, a creation,
/// a credential report's generation; none when they record none.
#[test]
fn the_snapshots_time_is_the_newest_it_records() {
    let t = |s: &str| Timestamp::parse(s).unwrap();
    let mut a = role("111111111111", "/", "a");
    a.create_date = Some(t("2024-01-01T00:00:00Z"));
    a.role_last_used = Some(RoleLastUsed { date: Some(t("2026-11-20T08:00:00Z")), region: None });
    let mut b = role("111111111111", "/", "b");
    b.create_date = Some(t("2025-06-01T00:00:00Z"));
    let mut s = Snapshot::new();
    assert_eq!(s.time(), None);
    s.accounts.push(Account { id: "111111111111".into(), roles: vec![a, b], ..Account::default() });
    assert_eq!(s.time(), Some(t("2026-11-20T08:00:00Z")));
}
