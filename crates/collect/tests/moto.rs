//! Collection against moto, a local AWS emulator: seeded with principals, trust of every kind,
//! policies, compute that runs as roles, resources with resource-based policies, and an
//! organization with a member account and an SCP; collected in organization mode through a
//! recording proxy; loaded back with `ingest` (strict: no record may fail to parse) and checked
//! in the per-role view, the resources' policies and the authorization graph. The operations the
//! proxy saw are checked against the documented IAM policies with the project's own engine and
//! catalog.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a test stops at the first unexpected value"
)]

mod common;
#[path = "common/resources.rs"]
mod resources;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use access::RoleKind;
use access::privilege::PrivilegeLevel;
use access::trust::TrustCategory;
use common::proxy::Proxy;
use common::seed::{self, MGMT};
use common::{Moto, options, sdk};
use model::{DataKind, GapKind, OrgPolicyType, ResourceKind};
use resources::OUTSIDE;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organization_collected_from_moto_loads_like_cli_exports() {
    let moto = Moto::start();
    let base = sdk(&moto.url()).await;
    let seeded = seed::iam(&base).await;
    let (instance, function) = seed::compute(&base, &seeded).await;
    let res = resources::seed(&base, &function).await;
    let org = seed::organization(&base).await;
    let member = seed::assumed(&base, &org.member).await;
    aws_sdk_iam::Client::new(&member)
        .create_role()
        .role_name("from-management")
        .assume_role_policy_document(seed::trust(&format!(r#"{{"AWS":"arn:aws:iam::{MGMT}:root"}}"#)))
        .send()
        .await
        .unwrap();

    let proxy = Proxy::start(moto.port, HashMap::new()).await;
    let config = sdk(&proxy.url).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    let mut o = options(out.clone());
    o.org = true;
    o.last_accessed = true;
    let summary = rolegraph_collect::collect(&config, &o).await.unwrap();
    assert!(summary.organization);
    let ids: Vec<&str> = summary.accounts.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, {
        let mut v = vec![MGMT, org.member.as_str()];
        v.sort();
        v
    });
    // moto (5.2.1) has no service-last-accessed API: each principal's job is a gap that names
    // it, and nothing else failed.
    let (last_accessed, others): (Vec<_>, Vec<_>) =
        summary.gaps.iter().partition(|g| g.operation == "GenerateServiceLastAccessedDetails");
    assert!(others.is_empty(), "unexpected gaps: {others:#?}");
    let asked: BTreeSet<&str> =
        last_accessed.iter().filter(|g| g.account.as_deref() == Some(MGMT)).filter_map(|g| g.resource.as_deref()).collect();
    for principal in [seeded.deployer.as_str(), seeded.ec2_role.as_str(), &format!("arn:aws:iam::{MGMT}:user/alice")] {
        assert!(asked.contains(principal), "no last-accessed job for `{principal}`: {asked:?}");
    }
    assert!(summary.roles() >= 7, "{summary}");
    assert!(summary.resources() >= 4, "{summary}");

    // The folder loads strictly (a record that does not parse is an error), every file is
    // recognised, and nothing was malformed or invalid.
    let loaded = ingest::load_with(&out, &ingest::LoadOptions { strict: true, ..ingest::LoadOptions::default() }).unwrap();
    let unrecognised: Vec<_> = loaded.files.iter().filter(|f| f.kind.is_none()).collect();
    assert!(unrecognised.is_empty(), "{unrecognised:#?}");
    let s = &loaded.snapshot;
    let bad: Vec<_> = s
        .gaps
        .iter()
        .filter(|g| matches!(g.kind, GapKind::MalformedRecord | GapKind::InvalidPolicy | GapKind::UnattributedData))
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
    let mgmt = s.accounts.iter().find(|a| a.id == MGMT).unwrap();
    for kind in [
        DataKind::AuthorizationDetails,
        DataKind::RoleList,
        DataKind::InstanceProfiles,
        DataKind::Ec2Instances,
        DataKind::Ec2ProfileAssociations,
        DataKind::LambdaFunctions,
        DataKind::EcsTaskDefinitions,
        DataKind::EcsServices,
        DataKind::CredentialReport,
        DataKind::CallerIdentity,
    ]
    .into_iter()
    .chain(DataKind::RESOURCE_POLICIES)
    {
        assert!(mgmt.has(kind), "{kind:?} not collected");
    }
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join(rolegraph_collect::RECORD_FILE)).unwrap()).unwrap();
    let kinds = |id: &str| -> Vec<String> {
        let a = record["RolegraphCollection"]["Accounts"].as_array().unwrap().iter().find(|a| a["Id"] == id).unwrap();
        a["Collected"].as_array().unwrap().iter().map(|k| k.as_str().unwrap().to_owned()).collect()
    };
    // The jobs failed: not collected, and the snapshot says so.
    assert!(!kinds(MGMT).contains(&"service_last_accessed".to_owned()), "{:?}", kinds(MGMT));
    assert!(s.gaps.iter().any(|g| g.account.as_deref() == Some(MGMT) && g.source == DataKind::ServiceLastAccessed.command()));
    // The member account has none of these resources: known empty, not missing.
    for kind in ["s3_bucket_policies", "kms_key_policies", "kms_grants", "sqs_policies", "ecr_policies", "dynamo_db_policies"] {
        assert!(kinds(&org.member).contains(&kind.to_owned()), "{kind} for the member: {:?}", kinds(&org.member));
    }
    assert!(!s.gaps.iter().any(|g| g.account.as_deref() == Some(org.member.as_str()) && g.what.contains("resource-based")));

    resource_policies(s, &res, &out);
    // The member account has no ECS task definitions: known empty, not missing.
    let member_account = s.accounts.iter().find(|a| a.id == org.member).unwrap();
    assert!(member_account.has(DataKind::EcsTaskDefinitions));
    assert!(
        !s.gaps
            .iter()
            .any(|g| g.account.as_deref() == Some(org.member.as_str()) && g.source == DataKind::EcsTaskDefinitions.command())
    );

    // Resources and who runs as what.
    assert!(
        mgmt.ec2_instances
            .iter()
            .any(|i| i.instance_id == instance && i.instance_profile_arn.as_deref() == Some(seeded.profile.as_str()))
    );
    assert!(
        mgmt.lambda_functions.iter().any(|f| f.arn == function && f.role_arn.as_deref() == Some(seeded.lambda_role.as_str()))
    );
    assert!(mgmt.ecs_task_definitions.iter().any(|t| t.task_role_arn.as_deref() == Some(seeded.task_role.as_str())));
    assert!(mgmt.ecs_services.iter().any(|x| x.name == "worker-svc"));
    // The launch template, with the instance profile it launches with (ec2-004 reads it), and
    // its region from the file's name.
    assert!(mgmt.has(DataKind::Ec2LaunchTemplates));
    let template = mgmt.service_resources.iter().find(|r| r.name == "web-template").expect("the launch template");
    assert_eq!(template.kind, model::ServiceKind::LaunchTemplate);
    assert_eq!(template.instance_profiles, vec![seeded.profile.clone()]);
    assert_eq!(template.region.as_deref(), Some("us-east-1"));
    assert!(template.arn.starts_with(&format!("arn:aws:ec2:us-east-1:{}:launch-template/", mgmt.id)), "{}", template.arn);
    let alice = mgmt.users.iter().find(|u| u.name == "alice").unwrap();
    assert_eq!(alice.groups, vec!["devs".to_owned()]);
    let cred = mgmt.credential_report.as_ref().unwrap();
    assert!(cred.rows.iter().any(|r| r.user == "alice"), "credential report rows: {:?}", cred.rows.len());

    // The per-role view.
    let report = access::record::roles_report(s);
    let row = |name: &str| report.roles.iter().find(|r| r.name == name).unwrap_or_else(|| panic!("no role `{name}`"));
    let web = row("web-ec2");
    assert!(web.kinds.contains(&RoleKind::Ec2));
    assert_eq!(web.resources, 1);
    assert!(row("orders-lambda").kinds.contains(&RoleKind::Lambda));
    assert_eq!(row("orders-lambda").resources, 1);
    assert!(row("worker-task").kinds.contains(&RoleKind::Ecs));
    assert!(row("worker-task").resources >= 1);
    assert!(row("deployer").trusted_by.contains(&TrustCategory::SameAccount));
    assert_eq!(row("deployer").privilege, PrivilegeLevel::Admin);
    assert!(row("vendor-audit").kinds.contains(&RoleKind::CrossAccount));
    assert!(row("github-deploy").kinds.contains(&RoleKind::Oidc));
    assert!(row("from-management").trusted_by.contains(&TrustCategory::Org), "{:?}", row("from-management"));
    let deployer = s.accounts.iter().flat_map(|a| &a.roles).find(|r| r.name == "deployer").unwrap();
    let record = access::record::role_record(s, deployer, false, None);
    assert_eq!(record.details.max_session_duration, Some(7200));
    assert_eq!(record.details.description.as_deref(), Some("the deployer role"));
    assert!(record.details.inline_policies.contains(&"admin".to_owned()));

    // The organization: the member sits in the OU, and the SCP applies to it there.
    let organization = s.organization.as_ref().unwrap();
    let scp = organization.policies.iter().find(|p| p.id == org.scp).unwrap();
    assert_eq!(scp.targets.as_deref(), Some(&[org.ou.clone()][..]));
    assert!(scp.document.as_ref().and_then(|d| d.policy()).is_some());
    let chain = organization.policy_chain(&org.member, &OrgPolicyType::ServiceControlPolicy).unwrap();
    assert!(chain.levels.iter().any(|l| l.node_id == org.ou && l.policies.iter().any(|p| p.id == org.scp)));

    // The graph: alice (whose policy allows sts:AssumeRole on any role) reaches the deployer
    // and, across accounts, the member's role that trusts the management account.
    let g = graph::build(s, &graph::GraphOptions::default());
    let alice_idx = g.find_id(&alice.arn).unwrap();
    for target in [seeded.deployer.clone(), format!("arn:aws:iam::{}:role/from-management", org.member)] {
        let idx = g.find_id(&target).unwrap_or_else(|| panic!("`{target}` is not in the graph"));
        let who: Vec<u32> = graph::who_can_reach(&g, idx).into_iter().map(|r| r.node).collect();
        assert!(who.contains(&alice_idx), "alice cannot reach `{target}`");
    }

    // Least privilege: every operation collection made is allowed by the documented policy,
    // and the policy grants nothing beyond them that is not read-only.
    let seen: BTreeSet<String> = proxy.seen().into_iter().map(|s| s.action).collect();
    check_documented_policies(&seen);
}

/// The resources and their policies, exactly, and who else the bucket lets in.
fn resource_policies(s: &model::Snapshot, res: &resources::Resources, out: &std::path::Path) {
    let mgmt = s.accounts.iter().find(|a| a.id == MGMT).unwrap();
    let mut found: Vec<(ResourceKind, &str)> = mgmt.resources.iter().map(|r| (r.kind, r.arn.as_str())).collect();
    found.sort();
    let mut expected = vec![
        (ResourceKind::S3Bucket, res.bucket.as_str()),
        (ResourceKind::KmsKey, res.key.as_str()),
        (ResourceKind::LambdaFunction, res.function.as_str()),
        (ResourceKind::SqsQueue, res.queue.as_str()),
        (ResourceKind::SnsTopic, res.topic.as_str()),
        (ResourceKind::Secret, res.secret.as_str()),
        (ResourceKind::EcrRepository, res.repository.as_str()),
        (ResourceKind::DynamoDbTable, res.table.as_str()),
    ];
    expected.sort();
    assert_eq!(found, expected);
    let outside = format!("arn:aws:iam::{OUTSIDE}:root");
    for r in &mgmt.resources {
        assert_eq!(r.account_id, MGMT, "{}", r.arn);
        if r.kind != ResourceKind::S3Bucket {
            assert_eq!(r.region.as_deref(), Some("us-east-1"), "{}", r.arn);
        }
        let p = r.policy.as_ref().and_then(|d| d.policy()).unwrap_or_else(|| panic!("no policy read for `{}`", r.arn));
        let principals: Vec<&policy::Principal> =
            p.statements.iter().filter_map(|st| st.principal.as_ref()).flat_map(|b| b.items()).collect();
        assert!(
            principals.iter().any(|x| matches!(x, policy::Principal::Aws(a) if *a == outside)),
            "`{}` does not name the outside account: {principals:?}",
            r.arn
        );
    }
    let bucket = mgmt.resource(&res.bucket).unwrap();
    let block = bucket.public_access_block.unwrap();
    assert!(block.block_public_acls && block.ignore_public_acls && block.block_public_policy && !block.restrict_public_buckets);
    assert_eq!(bucket.object_ownership.as_deref(), Some("BucketOwnerEnforced"));
    assert!(mgmt.s3_public_access_block.unwrap().block_public_policy, "the account's Block Public Access");
    let key = mgmt.resource(&res.key).unwrap();
    assert_eq!(key.grants.len(), 1, "{:?}", key.grants);
    let grant = &key.grants[0];
    assert_eq!(grant.grantee_principal.as_deref(), Some(format!("arn:aws:iam::{MGMT}:role/worker-task").as_str()));
    assert_eq!(grant.operations, ["Decrypt"]);
    // ECR's output has no region: it is in the region's folder.
    assert!(
        out.join(MGMT).join("us-east-1").read_dir().unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with("ecr-"))
    );

    // The graph: the bucket's policy lets the outside account read its objects.
    let access = graph::resources::resource_access(s, bucket, graph::resources::Askers::Named, None);
    let who = access.access.iter().find(|a| a.who.id == OUTSIDE || a.who.id == outside).unwrap_or_else(|| {
        panic!(
            "the outside account is not among those who reach the bucket: {:#?}",
            access.access.iter().map(|a| &a.who).collect::<Vec<_>>()
        )
    });
    assert_eq!(who.who.kind, graph::resources::GranteeKind::Account);
    assert!(who.who.outside);
    assert!(who.levels.iter().any(|l| l.level == "Read" && l.actions.contains(&"s3:GetObject")), "{:?}", who.levels);
}

fn doc(name: &str) -> Arc<policy::Policy> {
    let path = format!("{}/../../docs/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read `{path}`: {e}"));
    Arc::new(policy::Policy::parse_str(&text).unwrap())
}

fn allowed(p: &Arc<policy::Policy>, action: &str, resource: &str, trust: Option<&Arc<policy::Policy>>) -> bool {
    let ctx = eval::Context::new();
    let mut set = eval::PolicySet::new();
    set.identity("collect", p.clone());
    if let Some(t) = trust {
        set.resource("trust", t.clone());
    }
    let req = eval::Request {
        principal: &format!("arn:aws:iam::{MGMT}:role/rolegraph-collector"),
        action,
        resource,
        resource_account: None,
        context: &ctx,
    };
    eval::evaluate(&req, &set).is_allowed()
}

/// Calls that moto (5.2.1) never lets collection reach: it has no service-last-accessed API, so
/// no job is started, and none is polled.
const NOT_REACHED_ON_MOTO: &[&str] = &["iam:GetServiceLastAccessedDetails"];

fn check_documented_policies(seen: &BTreeSet<String>) {
    let single = doc("collect-policy.json");
    let org = doc("collect-org-policy.json");
    let catalog = catalog::Catalog::get();
    let expected: BTreeSet<&str> = [
        "iam:GetAccountAuthorizationDetails",
        "iam:ListRoles",
        "iam:GenerateServiceLastAccessedDetails",
        "ec2:DescribeInstances",
        "ec2:DescribeLaunchTemplateVersions",
        "lambda:ListFunctions",
        "lambda:GetPolicy",
        "ecs:DescribeTaskDefinition",
        "organizations:ListTargetsForPolicy",
        "sts:AssumeRole",
        "sts:GetCallerIdentity",
        "s3:ListAllMyBuckets",
        "s3:GetBucketPolicy",
        "s3:GetBucketPublicAccessBlock",
        "s3:GetBucketOwnershipControls",
        "s3:GetAccountPublicAccessBlock",
        "kms:ListKeys",
        "kms:DescribeKey",
        "kms:GetKeyPolicy",
        "kms:ListGrants",
        "sqs:ListQueues",
        "sqs:GetQueueAttributes",
        "sns:ListTopics",
        "sns:GetTopicAttributes",
        "secretsmanager:ListSecrets",
        "secretsmanager:GetResourcePolicy",
        "ecr:DescribeRepositories",
        "ecr:GetRepositoryPolicy",
        "dynamodb:ListTables",
        "dynamodb:GetResourcePolicy",
    ]
    .into();
    for e in &expected {
        assert!(seen.contains(*e), "the proxy did not see `{e}`: {seen:?}");
    }
    let trust = Arc::new(policy::Policy::parse_str(&seed::trust(&format!(r#"{{"AWS":"arn:aws:iam::{MGMT}:root"}}"#))).unwrap());
    for action in seen {
        assert!(catalog.action(action).is_some(), "`{action}` is not an IAM action in the catalog");
        if action == "sts:AssumeRole" {
            let role = "arn:aws:iam::210987654321:role/OrganizationAccountAccessRole";
            assert!(allowed(&org, action, role, Some(&trust)), "the organization policy does not allow `{action}`");
            let other = "arn:aws:iam::210987654321:role/SomethingElse";
            assert!(!allowed(&org, action, other, Some(&trust)), "the organization policy allows any role");
            assert!(!allowed(&single, action, role, Some(&trust)));
        } else if action.starts_with("organizations:") {
            assert!(allowed(&org, action, "*", None), "the organization policy does not allow `{action}`");
        } else {
            assert!(allowed(&single, action, "*", None), "`docs/collect-policy.json` does not allow `{action}`");
            assert!(allowed(&org, action, "*", None), "`docs/collect-org-policy.json` does not allow `{action}`");
        }
    }
    // What the documents grant: List and Read only, apart from assuming the one named role.
    for (name, p) in [("collect-policy.json", &single), ("collect-org-policy.json", &org)] {
        for st in &p.statements {
            assert_eq!(st.effect, policy::Effect::Allow);
            assert!(matches!(st.action, policy::Block::Only(_)), "{name}: NotAction grants too much");
            for pattern in st.action.items() {
                let set = catalog.expand_pattern(&pattern.pattern);
                assert!(!set.is_empty(), "{name}: `{}` names no known action", pattern.raw);
                for id in set.iter() {
                    let info = catalog.info(id).unwrap();
                    if info.full_name == "sts:AssumeRole" && name == "collect-org-policy.json" {
                        let resources: Vec<&str> = st.resource.as_ref().unwrap().items().iter().map(|r| r.raw.as_str()).collect();
                        assert_eq!(resources, ["arn:aws:iam::*:role/OrganizationAccountAccessRole"]);
                        continue;
                    }
                    assert!(
                        matches!(info.access_level, catalog::AccessLevel::List | catalog::AccessLevel::Read),
                        "{name} grants `{}`, which is {:?}",
                        info.full_name,
                        info.access_level
                    );
                    // Every granted action is one collection makes (or would, where moto has no
                    // answer that leads to it).
                    assert!(
                        seen.contains(info.full_name) || NOT_REACHED_ON_MOTO.contains(&info.full_name),
                        "{name} grants `{}`, which collection never called",
                        info.full_name
                    );
                }
            }
        }
    }
}
