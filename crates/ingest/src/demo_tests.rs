//! The bundled demo organization (`demo/` at the repository root) loads, and shows each feature
//! its README promises. A compact summary is kept as an insta snapshot.

use std::path::Path;

use model::{DataKind, GapKind, OrgPolicyType, PublicAccessBlock, ResourceKind, Role, Snapshot, UseKind};
use policy::{Block, Effect, Principal};

use crate::load;

fn demo() -> crate::Loaded {
    load(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo")).unwrap()
}

fn role<'a>(s: &'a Snapshot, account: &str, name: &str) -> &'a Role {
    s.account(account).unwrap().role_by_name(name).unwrap_or_else(|| panic!("{account}/{name}"))
}

/// The condition keys of a role's trust policy, lower-cased.
fn trust_condition_keys(r: &Role) -> Vec<String> {
    let p = r.trust_policy.as_ref().unwrap().policy().unwrap();
    p.statements.iter().flat_map(|s| s.conditions.iter().map(|c| c.key_lower.clone())).collect()
}

fn trust_principals(r: &Role) -> Vec<Principal> {
    let p = r.trust_policy.as_ref().unwrap().policy().unwrap();
    p.statements.iter().filter_map(|s| s.principal.as_ref()).flat_map(|b| b.items().to_vec()).collect()
}

#[test]
fn demo_summary_snapshot() {
    let l = demo();
    let s = &l.snapshot;
    let accounts: Vec<serde_json::Value> = s
        .accounts
        .iter()
        .map(|a| {
            serde_json::json!({
                "id": a.id, "name": a.name, "aliases": a.aliases,
                "roles": a.roles.iter().map(|r| &r.name).collect::<Vec<_>>(),
                "users": a.users.len(), "groups": a.groups.len(), "customer_policies": a.policies.len(),
                "instance_profiles": a.instance_profiles.len(), "ec2_instances": a.ec2_instances.len(),
                "lambda_functions": a.lambda_functions.len(), "ecs_task_definitions": a.ecs_task_definitions.len(),
                "ecs_services": a.ecs_services.len(), "credential_rows": a.credential_report.as_ref().map(|r| r.rows.len()),
                "collected": a.collected,
            })
        })
        .collect();
    let summary = serde_json::json!({
        "accounts": accounts,
        "aws_managed_policies": s.aws_managed_policies.iter().map(|p| &p.name).collect::<Vec<_>>(),
        "organization_accounts": s.organization.as_ref().map(|o| o.accounts.len()),
        "organization_policies": s.organization.as_ref().map(|o| o.policies.iter().map(|p| p.name.clone()).collect::<Vec<_>>()),
        "gaps": s.gaps.iter().map(|g| g.to_string()).collect::<Vec<_>>(),
        "warnings": l.warnings,
        "files": l.files.iter().map(|f| format!("{} -> {:?} {}", f.path, f.kind, f.account.as_deref().unwrap_or("-"))).collect::<Vec<_>>(),
    });
    insta::assert_json_snapshot!("demo_summary", summary);
}

#[test]
fn demo_execution_roles_and_their_resources() {
    let s = demo().snapshot;
    let prod = s.account("111111111111").unwrap();
    let uses = prod.role_uses();
    let orders = role(&s, "111111111111", "orders-processor-lambda");
    let fns: Vec<&str> =
        uses.get(&orders.arn).unwrap().iter().filter(|u| u.kind == UseKind::LambdaFunction).map(|u| u.name.as_str()).collect();
    assert_eq!(fns.len(), 5, "one role shared by many functions: {fns:?}");
    let batch = role(&s, "111111111111", "legacy-batch-ec2");
    assert_eq!(batch.attached_managed_policies, vec!["arn:aws:iam::aws:policy/AdministratorAccess"]);
    let admin = s.managed_policy("arn:aws:iam::aws:policy/AdministratorAccess").unwrap();
    assert!(admin.default_document().unwrap().json().contains("\"Action\":\"*\""));
    let batch_uses: Vec<UseKind> = uses.get(&batch.arn).unwrap().iter().map(|u| u.kind).collect();
    assert_eq!(batch_uses, vec![UseKind::InstanceProfile, UseKind::Ec2Instance]);
    let task = role(&s, "111111111111", "payments-api-task");
    assert!(uses.get(&task.arn).unwrap().iter().any(|u| u.kind == UseKind::EcsServiceTaskRole));
    // Service roles with and without confused-deputy conditions.
    assert_eq!(trust_condition_keys(task), vec!["aws:sourceaccount", "aws:sourcearn"]);
    assert!(trust_condition_keys(orders).is_empty());
}

#[test]
fn demo_trust_of_every_kind() {
    let s = demo().snapshot;
    let datadog = role(&s, "111111111111", "datadog-integration");
    assert_eq!(trust_principals(datadog), vec![Principal::Aws("arn:aws:iam::464622532012:root".into())]);
    assert_eq!(trust_condition_keys(datadog), vec!["sts:externalid"]);
    let partner = role(&s, "111111111111", "analytics-partner-access");
    assert!(trust_condition_keys(partner).is_empty());
    assert_eq!(partner.permissions_boundary.as_deref(), Some("arn:aws:iam::111111111111:policy/partner-data-boundary"));
    let with_sub = role(&s, "111111111111", "github-actions-deploy");
    assert!(trust_condition_keys(with_sub).contains(&"token.actions.githubusercontent.com:sub".to_owned()));
    let without_sub = role(&s, "111111111111", "github-actions-terraform");
    assert_eq!(trust_condition_keys(without_sub), vec!["token.actions.githubusercontent.com:aud"]);
    let saml = role(&s, "111111111111", "okta-prod-readonly");
    assert!(matches!(trust_principals(saml).first(), Some(Principal::Federated(p)) if p.ends_with(":saml-provider/Okta")));
    assert_eq!(saml.max_session_duration, Some(43_200));
    let glass = role(&s, "111111111111", "prod-break-glass");
    assert!(trust_condition_keys(glass).contains(&"aws:multifactorauthpresent".to_owned()));
    assert!(trust_condition_keys(role(&s, "222222222222", "admin-switch-role")).is_empty());
    assert!(role(&s, "111111111111", "AWSServiceRoleForECS").is_service_linked());
    assert!(role(&s, "111111111111", "AWSReservedSSO_AdministratorAccess_3f2a8c9d1e7b4a60").is_sso());
    // The unused role: IAM reports no use, and it is old.
    let old = role(&s, "111111111111", "old-reporting-role");
    assert_eq!(old.role_last_used.as_ref().map(|u| u.date), Some(None));
    assert!(old.create_date.unwrap().to_rfc3339().starts_with("2017-"));
}

#[test]
fn demo_role_chain_across_accounts() {
    let s = demo().snapshot;
    let ci = role(&s, "222222222222", "ci-deployer");
    let deploy = role(&s, "111111111111", "prod-deploy");
    // dev ci-deployer may assume prod-deploy ...
    let ci_policy = ci.inline_policies.first().unwrap().document.policy().unwrap();
    assert!(
        ci_policy.statements.iter().any(|st| st.effect == Effect::Allow
            && st.resource.as_ref().is_some_and(|r| r.items().iter().any(|p| p.raw == deploy.arn)))
    );
    // ... which trusts it ...
    assert_eq!(trust_principals(deploy), vec![Principal::Aws(ci.arn.clone())]);
    // ... and may pass any role (to an instance, for example the admin EC2 role).
    let pol = s.managed_policy("arn:aws:iam::111111111111:policy/deploy-permissions").unwrap();
    let doc = pol.default_document().unwrap().policy().unwrap();
    assert!(doc.statements.iter().any(|st| matches!(&st.action, Block::Only(a) if a.iter().any(|a| a.raw == "iam:PassRole"))
        && st.resource.as_ref().is_some_and(|r| r.items().iter().any(|p| p.raw == "*"))));
    // A NotAction allow.
    let tf = s.managed_policy("arn:aws:iam::111111111111:policy/terraform-apply").unwrap();
    assert!(
        tf.default_document()
            .unwrap()
            .policy()
            .unwrap()
            .statements
            .iter()
            .any(|st| st.effect == Effect::Allow && st.action.is_not())
    );
    // The security account reaches every account's audit role.
    let audit = role(&s, "111111111111", "security-audit");
    assert_eq!(
        trust_principals(audit),
        vec![Principal::Aws("arn:aws:iam::333333333333:role/service-role/security-scanner-lambda".into())]
    );
}

#[test]
fn demo_users_credentials_and_organization() {
    let s = demo().snapshot;
    let prod = s.account("111111111111").unwrap();
    let ci = prod.credentials("arn:aws:iam::111111111111:user/ci-legacy-deployer").unwrap();
    let key = ci.active_access_keys().next().unwrap();
    assert!(key.last_rotated.unwrap().to_rfc3339().starts_with("2019-"));
    let jane = prod.credentials("arn:aws:iam::111111111111:user/jane.doe").unwrap();
    assert_eq!((jane.password_enabled, jane.mfa_active), (Some(true), false));
    assert!(!s.account("222222222222").unwrap().root_credentials().unwrap().mfa_active);
    let org = s.organization.as_ref().unwrap();
    assert_eq!(org.management_account_id.as_deref(), Some("444444444444"));
    let scp = s.org_policy_chain("111111111111", &OrgPolicyType::ServiceControlPolicy).unwrap();
    assert!(scp.complete && !scp.exempt);
    let names: Vec<&str> = scp.levels.iter().flat_map(|l| l.policies.iter().filter_map(|p| p.name.as_deref())).collect();
    assert!(names.contains(&"DenyLeaveOrganization") && names.contains(&"AllowedRegionsOnly"));
    let rcp = s.org_policy_chain("111111111111", &OrgPolicyType::ResourceControlPolicy).unwrap();
    assert!(rcp.complete);
    assert!(rcp.levels.iter().any(|l| l.policies.iter().any(|p| p.name.as_deref() == Some("DataPerimeter"))));
    let dev_rcp = s.org_policy_chain("222222222222", &OrgPolicyType::ResourceControlPolicy).unwrap();
    assert!(!dev_rcp.levels.iter().any(|l| l.policies.iter().any(|p| p.name.as_deref() == Some("DataPerimeter"))));
    // Every document of the demo parses.
    for a in &s.accounts {
        for r in &a.roles {
            assert!(r.trust_policy.as_ref().unwrap().policy().is_some(), "{}", r.arn);
            for p in &r.inline_policies {
                assert!(p.document.policy().is_some(), "{} {}", r.arn, p.name);
            }
        }
    }
    assert!(s.gaps.iter().all(|g| g.kind == model::GapKind::MissingData), "{:?}", s.gaps);
}

#[test]
fn demo_resources_and_their_policies() {
    let l = demo();
    let s = &l.snapshot;
    let key = "arn:aws:kms:eu-west-1:111111111111:key/8c2f4e1a-3b6d-4a9e-b7c0-5d1e2f3a4b6c";
    let kinds = |account: &str| -> Vec<(String, ResourceKind)> {
        s.account(account).unwrap().resources.iter().map(|r| (r.arn.clone(), r.kind)).collect()
    };
    let expected = |list: &[(&str, ResourceKind)]| -> Vec<(String, ResourceKind)> {
        list.iter().map(|(a, k)| ((*a).to_owned(), *k)).collect()
    };
    assert_eq!(
        kinds("111111111111"),
        expected(&[
            (key, ResourceKind::KmsKey),
            ("arn:aws:lambda:eu-west-1:111111111111:function:orders-ingest", ResourceKind::LambdaFunction),
            ("arn:aws:lambda:eu-west-1:111111111111:function:payments-webhook", ResourceKind::LambdaFunction),
            ("arn:aws:s3:::acme-cloudtrail-logs", ResourceKind::S3Bucket),
            ("arn:aws:s3:::acme-orders-data", ResourceKind::S3Bucket),
            ("arn:aws:s3:::acme-public-assets", ResourceKind::S3Bucket),
            ("arn:aws:secretsmanager:eu-west-1:111111111111:secret:prod/payments/db-Qm7Tz2", ResourceKind::Secret),
            ("arn:aws:sns:eu-west-1:111111111111:orders-topic", ResourceKind::SnsTopic),
            ("arn:aws:sqs:eu-west-1:111111111111:orders-events", ResourceKind::SqsQueue),
        ])
    );
    assert_eq!(
        kinds("222222222222"),
        expected(&[
            ("arn:aws:dynamodb:eu-west-1:222222222222:table/dev-sessions", ResourceKind::DynamoDbTable),
            ("arn:aws:ecr:eu-west-1:222222222222:repository/shared/base-images", ResourceKind::EcrRepository),
            ("arn:aws:s3:::acme-dev-share", ResourceKind::S3Bucket),
        ])
    );
    assert!(kinds("333333333333").is_empty());
    // Each resource is its folder's, and every policy parses.
    for a in &s.accounts {
        for r in &a.resources {
            assert_eq!(r.account_id, a.id, "{}", r.arn);
            assert!(r.policy.as_ref().is_some_and(|p| p.policy().is_some()), "{}", r.arn);
        }
    }
    let prod = s.account("111111111111").unwrap();
    let dev = s.account("222222222222").unwrap();
    // The key: its policy and its grant to the orders role.
    let k = prod.resource(key).unwrap();
    assert_eq!(k.policy.as_ref().unwrap().policy().unwrap().statements.len(), 2);
    assert_eq!(k.grants.len(), 1);
    let grant = k.grants.first().unwrap();
    assert_eq!(grant.grantee_principal.as_deref(), Some("arn:aws:iam::111111111111:role/service-role/orders-processor-lambda"));
    assert_eq!(grant.operations, ["Decrypt", "GenerateDataKey"]);
    // Block Public Access: on for the partner's bucket, off for the public one and the account.
    let all = |on: bool| PublicAccessBlock {
        block_public_acls: on,
        ignore_public_acls: on,
        block_public_policy: on,
        restrict_public_buckets: on,
    };
    assert_eq!(prod.s3_public_access_block, Some(all(false)), "the account-level settings are read");
    assert_eq!(prod.resource("arn:aws:s3:::acme-orders-data").unwrap().public_access_block, Some(all(true)));
    assert_eq!(prod.resource("arn:aws:s3:::acme-public-assets").unwrap().public_access_block, Some(all(false)));
    assert_eq!(prod.resource("arn:aws:s3:::acme-cloudtrail-logs").unwrap().public_access_block, None);
    // Names and regions.
    let secret = prod.resource("arn:aws:secretsmanager:eu-west-1:111111111111:secret:prod/payments/db-Qm7Tz2").unwrap();
    assert_eq!(secret.name, "prod/payments/db");
    let repo = dev.resource("arn:aws:ecr:eu-west-1:222222222222:repository/shared/base-images").unwrap();
    assert_eq!((repo.name.as_str(), repo.region.as_deref()), ("shared/base-images", Some("eu-west-1")));
    // Production has every kind but ECR's and DynamoDB's.
    for kind in
        DataKind::RESOURCE_POLICIES.into_iter().filter(|k| !matches!(k, DataKind::EcrPolicies | DataKind::DynamoDbPolicies))
    {
        assert!(prod.has(kind), "production {kind:?}");
    }
    assert!(dev.has(DataKind::EcrPolicies) && dev.has(DataKind::DynamoDbPolicies));
    // Every file names its resource: nothing inferred, unattributed, invalid or skipped.
    assert!(
        !s.gaps.iter().any(|g| matches!(g.kind, GapKind::UnattributedData | GapKind::InvalidPolicy | GapKind::MalformedRecord)),
        "{:?}",
        s.gaps
    );
    assert!(
        l.files.iter().all(|f| f.kind.is_some()),
        "skipped: {:?}",
        l.files.iter().filter(|f| f.kind.is_none()).collect::<Vec<_>>()
    );
    assert!(l.warnings.is_empty(), "{:?}", l.warnings);
    // What is not exported stays a gap: production has no ECR or DynamoDB policies, security none.
    let resource_gap = |account: &str| -> Vec<String> {
        s.gaps
            .iter()
            .filter(|g| g.account.as_deref() == Some(account) && g.what.contains("resource-based policies"))
            .map(|g| g.what.clone())
            .collect()
    };
    assert_eq!(
        resource_gap("111111111111"),
        ["no resource-based policies of its ECR repositories, DynamoDB tables: who else may reach them is unknown"]
    );
    assert_eq!(resource_gap("333333333333").len(), 1);
}
