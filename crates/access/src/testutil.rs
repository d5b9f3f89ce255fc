//! Small snapshots built in code for the unit tests.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test stops at the first unexpected value"
)]

use model::{
    Account, InlinePolicy, ManagedPolicy, OrgAccount, OrgPolicy, OrgPolicyType, OrgRoot, Organization, PolicyDoc, PolicyVersion,
    Role, Snapshot,
};

pub const PROD: &str = "111111111111";
pub const DEV: &str = "222222222222";
pub const MGMT: &str = "999999999999";

pub fn role(account: &str, name: &str, trust: &str) -> Role {
    Role {
        arn: format!("arn:aws:iam::{account}:role/{name}"),
        name: name.into(),
        path: "/".into(),
        id: format!("AROA{name}"),
        account_id: account.into(),
        create_date: None,
        description: None,
        max_session_duration: None,
        role_last_used: None,
        permissions_boundary: None,
        tags: Vec::new(),
        trust_policy: Some(PolicyDoc::from_json_text(trust)),
        inline_policies: Vec::new(),
        attached_managed_policies: Vec::new(),
        instance_profile_arns: Vec::new(),
        policies_known: true,
    }
}

pub fn with_inline(mut r: Role, name: &str, doc: &str) -> Role {
    r.inline_policies.push(InlinePolicy { name: name.into(), document: PolicyDoc::from_json_text(doc) });
    r.inline_policies.sort_by(|a, b| a.name.cmp(&b.name));
    r
}

pub fn managed(arn: &str, doc: &str) -> ManagedPolicy {
    let name = arn.rsplit('/').next().unwrap().to_owned();
    ManagedPolicy {
        arn: arn.into(),
        name,
        path: "/".into(),
        id: String::new(),
        aws_managed: arn.contains(":aws:policy/"),
        default_version_id: Some("v1".into()),
        attachment_count: None,
        permissions_boundary_usage_count: None,
        description: None,
        create_date: None,
        update_date: None,
        versions: vec![PolicyVersion {
            version_id: "v1".into(),
            is_default: true,
            create_date: None,
            document: PolicyDoc::from_json_text(doc),
        }],
    }
}

pub fn trust_service(service: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"{service}"}},"Action":"sts:AssumeRole"}}]}}"#
    )
}

/// Two accounts of one organization (PROD under the root, DEV too), and MGMT managing it; SCPs
/// given as (id, targets, document).
pub fn snapshot(roles: Vec<Role>, policies: Vec<ManagedPolicy>, scps: &[(&str, &[&str], &str)]) -> Snapshot {
    let mut s = Snapshot::new();
    for id in [PROD, DEV] {
        let mut a = Account {
            id: id.into(),
            name: Some(if id == PROD { "production" } else { "development" }.into()),
            ..Account::default()
        };
        a.roles = roles.iter().filter(|r| r.account_id == id).cloned().collect();
        a.policies = policies.iter().filter(|p| !p.aws_managed && p.arn.contains(id)).cloned().collect();
        s.accounts.push(a);
    }
    s.aws_managed_policies = policies.iter().filter(|p| p.aws_managed).cloned().collect();
    let acct = |id: &str, name: &str| OrgAccount {
        id: id.into(),
        arn: None,
        name: Some(name.into()),
        email: None,
        status: None,
        joined_method: None,
        joined_timestamp: None,
        parent_id: Some("r-ab12".into()),
    };
    let mut org = Organization {
        id: Some("o-abc123".into()),
        management_account_id: Some(MGMT.into()),
        roots: vec![OrgRoot { id: "r-ab12".into(), arn: None, name: Some("Root".into()) }],
        accounts: vec![acct(PROD, "production"), acct(DEV, "development"), acct(MGMT, "management")],
        ..Organization::default()
    };
    let mut all: Vec<(&str, Vec<String>, &str)> =
        vec![("p-FullAWSAccess", vec!["r-ab12".into(), PROD.into(), DEV.into()], model::FULL_AWS_ACCESS_SCP)];
    for (id, targets, doc) in scps {
        all.push((id, targets.iter().map(|t| t.to_string()).collect(), doc));
    }
    for (id, targets, doc) in all {
        org.policies.push(OrgPolicy {
            id: id.into(),
            arn: None,
            name: Some(id.into()),
            description: None,
            policy_type: OrgPolicyType::ServiceControlPolicy,
            aws_managed: id == "p-FullAWSAccess",
            document: Some(PolicyDoc::from_policy_text(doc)),
            document_from_aws_default: false,
            targets: Some(targets),
        });
    }
    s.organization = Some(org);
    s.sort();
    s
}
