//! The synthetic organization: a root, two levels of OUs, the accounts spread across them, and
//! SCPs and RCPs, written as the Organizations CLI outputs with the ids in the file names (the
//! convention `rolegraph-ingest` documents for outputs that do not say what they are about).

use std::path::Path;

use serde_json::{Value, json};

use crate::write::write_value;
use crate::{Rng, SynthSummary};

/// An Organizations policy: id, name, type, AWS-managed, content, targets.
struct OrgPolicy {
    id: String,
    name: &'static str,
    policy_type: &'static str,
    aws_managed: bool,
    content: Value,
    targets: Vec<String>,
}

fn org_policy(
    id: String,
    name: &'static str,
    policy_type: &'static str,
    aws_managed: bool,
    content: Value,
    targets: Vec<String>,
) -> OrgPolicy {
    OrgPolicy { id, name, policy_type, aws_managed, content, targets }
}

pub fn write_organization(ids: &[String], rng: &mut Rng, dir: &Path, summary: &mut SynthSummary) -> std::io::Result<()> {
    let management = ids.first().cloned().unwrap_or_default();
    let org_id = "o-synthetic01";
    let root = format!("r-{}", rng.hex(4));
    let suffix = root.trim_start_matches("r-").to_owned();
    let ou = |rng: &mut Rng| format!("ou-{suffix}-{}", rng.hex(8));
    let security = ou(rng);
    let workloads = ou(rng);
    let prod = ou(rng);
    let nonprod = ou(rng);
    let arn = |kind: &str, id: &str| format!("arn:aws:organizations::{management}:{kind}/{org_id}/{id}");

    write_value(
        &dir.join("describe-organization.json"),
        &json!({"Organization": {"Id": org_id, "Arn": format!("arn:aws:organizations::{management}:organization/{org_id}"),
            "FeatureSet": "ALL", "MasterAccountArn": arn("account", &management), "MasterAccountId": management,
            "MasterAccountEmail": "aws-management@example.com"}}),
        summary,
    )?;
    write_value(
        &dir.join("list-roots.json"),
        &json!({"Roots": [{"Id": root, "Arn": arn("root", &root), "Name": "Root", "PolicyTypes": []}]}),
        summary,
    )?;
    let ou_value = |id: &str, name: &str| json!({"Id": id, "Arn": arn("ou", id), "Name": name});
    write_value(
        &dir.join(format!("list-organizational-units-for-parent.{root}.json")),
        &json!({"OrganizationalUnits": [ou_value(&security, "Security"), ou_value(&workloads, "Workloads")]}),
        summary,
    )?;
    write_value(
        &dir.join(format!("list-organizational-units-for-parent.{workloads}.json")),
        &json!({"OrganizationalUnits": [ou_value(&prod, "Prod"), ou_value(&nonprod, "NonProd")]}),
        summary,
    )?;
    // Accounts: the management account under the root, the second in Security, the rest
    // alternating between Prod and NonProd.
    let account_value = |i: usize, id: &str| {
        json!({"Id": id, "Arn": arn("account", id), "Email": format!("aws+{i}@example.com"), "Name": format!("synthetic-{i:03}"),
               "Status": "ACTIVE", "JoinedMethod": if i == 0 { "INVITED" } else { "CREATED" }, "JoinedTimestamp": "2021-06-01T00:00:00+00:00"})
    };
    write_value(
        &dir.join("list-accounts.json"),
        &json!({"Accounts": ids.iter().enumerate().map(|(i, id)| account_value(i, id)).collect::<Vec<_>>()}),
        summary,
    )?;
    let mut by_parent: Vec<(&str, Vec<Value>)> = vec![(&root, vec![]), (&security, vec![]), (&prod, vec![]), (&nonprod, vec![])];
    for (i, id) in ids.iter().enumerate() {
        let slot = match i {
            0 => 0,
            1 => 1,
            n => 2 + n % 2,
        };
        if let Some((_, list)) = by_parent.get_mut(slot) {
            list.push(account_value(i, id));
        }
    }
    for (parent, accounts) in &by_parent {
        write_value(&dir.join(format!("list-accounts-for-parent.{parent}.json")), &json!({"Accounts": accounts}), summary)?;
    }

    // Policies: (id, name, type, aws managed, content, targets).
    let all_nodes: Vec<String> = [root.clone(), security.clone(), workloads.clone(), prod.clone(), nonprod.clone()]
        .into_iter()
        .chain(ids.iter().cloned())
        .collect();
    let policies: Vec<OrgPolicy> = vec![
        org_policy(
            "p-FullAWSAccess".into(),
            "FullAWSAccess",
            "SERVICE_CONTROL_POLICY",
            true,
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
            all_nodes.clone(),
        ),
        org_policy(
            format!("p-{}", rng.hex(8)),
            "deny-leave-organization",
            "SERVICE_CONTROL_POLICY",
            false,
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": ["organizations:LeaveOrganization"], "Resource": "*"}]}),
            vec![root.clone()],
        ),
        org_policy(
            format!("p-{}", rng.hex(8)),
            "allowed-regions",
            "SERVICE_CONTROL_POLICY",
            false,
            json!({"Version": "2012-10-17", "Statement": [{"Sid": "DenyOtherRegions", "Effect": "Deny",
                "NotAction": ["iam:*", "organizations:*", "sts:*", "support:*", "cloudfront:*", "route53:*"], "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "us-west-2", "eu-west-1"]}}}]}),
            vec![workloads.clone()],
        ),
        org_policy(
            "p-RCPFullAWSAccess".into(),
            "RCPFullAWSAccess",
            "RESOURCE_CONTROL_POLICY",
            true,
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}),
            all_nodes,
        ),
        org_policy(
            format!("p-{}", rng.hex(8)),
            "enforce-org-identities",
            "RESOURCE_CONTROL_POLICY",
            false,
            json!({"Version": "2012-10-17", "Statement": [{"Sid": "EnforceOrgIdentities", "Effect": "Deny", "Principal": "*",
                "Action": ["s3:*", "sqs:*", "kms:*", "secretsmanager:*", "sts:AssumeRole"], "Resource": "*",
                "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": org_id}, "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}]}),
            vec![prod],
        ),
    ];
    for ty in ["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"] {
        let list: Vec<Value> = policies
            .iter()
            .filter(|p| p.policy_type == ty)
            .map(|p| json!({"Id": p.id, "Arn": arn("policy", &p.id), "Name": p.name, "Description": "", "Type": ty, "AwsManaged": p.aws_managed}))
            .collect();
        let short = if ty == "SERVICE_CONTROL_POLICY" { "scp" } else { "rcp" };
        write_value(&dir.join(format!("list-policies-{short}.json")), &json!({"Policies": list}), summary)?;
    }
    for OrgPolicy { id, name, policy_type: ty, aws_managed: managed, content, targets } in &policies {
        write_value(
            &dir.join(format!("describe-policy.{id}.json")),
            &json!({"Policy": {"PolicySummary": {"Id": id, "Arn": arn("policy", id), "Name": name, "Description": "", "Type": ty, "AwsManaged": managed},
                "Content": content.to_string()}}),
            summary,
        )?;
        let targets: Vec<Value> = targets
            .iter()
            .map(|t| {
                let ty = if t.starts_with("r-") {
                    "ROOT"
                } else if t.starts_with("ou-") {
                    "ORGANIZATIONAL_UNIT"
                } else {
                    "ACCOUNT"
                };
                json!({"TargetId": t, "Type": ty})
            })
            .collect();
        write_value(&dir.join(format!("list-targets-for-policy.{id}.json")), &json!({"Targets": targets}), summary)?;
    }
    Ok(())
}
