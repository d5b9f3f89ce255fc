//! The gaps of an assembled snapshot: kinds of data missing per account, references to things
//! the exports do not contain, and accounts the organization data does not place.

use std::collections::BTreeMap;

use model::{Account, DataKind, Gap, GapKind, Snapshot};

use crate::build::policy_known;

fn missing(a: &Account, kind: DataKind, what: &str, gaps: &mut Vec<Gap>) {
    if !a.has(kind) {
        gaps.push(Gap::new(Some(&a.id), GapKind::MissingData, kind.command(), what));
    }
}

/// One gap per account for the kinds of resource-based policy its exports lack.
fn resource_policy_gaps(a: &Account, gaps: &mut Vec<Gap>) {
    let kinds = [
        (DataKind::S3BucketPolicies, "S3 buckets"),
        (DataKind::KmsKeyPolicies, "KMS keys"),
        (DataKind::LambdaPolicies, "Lambda functions"),
        (DataKind::SqsPolicies, "SQS queues"),
        (DataKind::SnsPolicies, "SNS topics"),
        (DataKind::SecretPolicies, "secrets"),
        (DataKind::EcrPolicies, "ECR repositories"),
        (DataKind::DynamoDbPolicies, "DynamoDB tables"),
    ];
    let absent: Vec<&str> = kinds.iter().filter(|(k, _)| !a.has(*k)).map(|(_, what)| *what).collect();
    let commands: Vec<&str> = kinds.iter().filter(|(k, _)| !a.has(*k)).map(|(k, _)| k.command()).collect();
    if absent.is_empty() {
        return;
    }
    let what = if absent.len() == kinds.len() {
        "no resource-based policies: who else may reach the account's buckets, keys, functions, queues, topics, secrets, \
         repositories and tables (other accounts, `*`, services) is unknown"
            .to_owned()
    } else {
        format!("no resource-based policies of its {}: who else may reach them is unknown", absent.join(", "))
    };
    gaps.push(Gap::new(Some(&a.id), GapKind::MissingData, commands.join(", "), what));
}

pub fn account_gaps(s: &Snapshot, gaps: &mut Vec<Gap>) {
    for a in &s.accounts {
        missing(
            a,
            DataKind::AuthorizationDetails,
            "no authorization details: the policies of roles, users and groups are unknown",
            gaps,
        );
        if !a.roles.is_empty() {
            missing(
                a,
                DataKind::RoleList,
                "no `list-roles` or `get-role`: the max session duration and description of roles are unknown",
                gaps,
            );
        }
        if !a.has(DataKind::Ec2ProfileAssociations) {
            missing(a, DataKind::Ec2Instances, "no EC2 data: the instances that use instance profiles are unknown", gaps);
        }
        missing(a, DataKind::LambdaFunctions, "no Lambda data: the functions that use execution roles are unknown", gaps);
        missing(
            a,
            DataKind::EcsTaskDefinitions,
            "no ECS task definitions: the task and execution roles of ECS tasks are unknown",
            gaps,
        );
        missing(a, DataKind::EcsServices, "no ECS services: the services that run task definitions are unknown", gaps);
        missing(
            a,
            DataKind::CredentialReport,
            "no credential report: passwords, access keys, MFA and root use are unknown",
            gaps,
        );
        missing(
            a,
            DataKind::ServiceLastAccessed,
            "no service-last-accessed data: which services principals used is unknown",
            gaps,
        );
        resource_policy_gaps(a, gaps);
        reference_gaps(s, a, gaps);
        match &s.organization {
            Some(org) if !org.accounts.is_empty() => match org.policy_chain(&a.id, &model::OrgPolicyType::ServiceControlPolicy) {
                None => gaps.push(Gap::new(
                    Some(&a.id),
                    GapKind::MissingData,
                    "aws organizations list-accounts",
                    "the account is not in the organization's account list: the SCPs and RCPs that apply to it are unknown",
                )),
                Some(chain) if !chain.exempt => {
                    if let Some(first) = chain.unknown.iter().find(|u| u.contains("path from the root")) {
                        gaps.push(Gap::new(
                            Some(&a.id),
                            GapKind::MissingData,
                            "aws organizations list-organizational-units-for-parent",
                            first.clone(),
                        ));
                    }
                }
                Some(_) => {}
            },
            _ => {}
        }
    }
    if s.organization.is_none() {
        gaps.push(Gap::new(
            None,
            GapKind::MissingData,
            "aws organizations",
            "no organization data: SCPs and RCPs are unknown and not evaluated",
        ));
    }
}

/// References to managed policies, roles and instance profiles that the exports lack.
fn reference_gaps(s: &Snapshot, a: &Account, gaps: &mut Vec<Gap>) {
    // Missing managed policies: policy ARN → principals that use it.
    let mut unknown: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    for r in a.roles.iter().filter(|r| r.policies_known) {
        pairs.extend(r.attached_managed_policies.iter().map(|p| (p.as_str(), r.arn.as_str())));
        pairs.extend(r.permissions_boundary.iter().map(|p| (p.as_str(), r.arn.as_str())));
    }
    for u in &a.users {
        pairs.extend(u.attached_managed_policies.iter().map(|p| (p.as_str(), u.arn.as_str())));
        pairs.extend(u.permissions_boundary.iter().map(|p| (p.as_str(), u.arn.as_str())));
    }
    for g in &a.groups {
        pairs.extend(g.attached_managed_policies.iter().map(|p| (p.as_str(), g.arn.as_str())));
    }
    for (arn, who) in pairs {
        if !policy_known(s, a, arn) {
            unknown.entry(arn).or_default().push(who);
        }
    }
    for (arn, who) in unknown {
        let first = who.first().copied().unwrap_or_default();
        let more = if who.len() > 1 { format!(" and {} more", who.len() - 1) } else { String::new() };
        gaps.push(Gap::new(
            Some(&a.id),
            GapKind::UnresolvedReference,
            DataKind::AuthorizationDetails.command(),
            format!("managed policy `{arn}` is attached to `{first}`{more} but its document is not in the exports: it is not evaluated"),
        ));
    }
    if a.has(DataKind::AuthorizationDetails) {
        for r in a.roles.iter().filter(|r| !r.policies_known) {
            gaps.push(Gap::new(
                Some(&a.id),
                GapKind::UnresolvedReference,
                DataKind::AuthorizationDetails.command(),
                format!(
                    "role `{}` is not in the authorization details (exported at another time?): its policies are unknown",
                    r.arn
                ),
            ));
        }
    }
    if a.has(DataKind::AuthorizationDetails) || a.has(DataKind::RoleList) {
        let mut refs: Vec<(String, String)> = Vec::new();
        for f in &a.lambda_functions {
            refs.extend(f.role_arn.iter().map(|r| (r.clone(), format!("Lambda function `{}`", f.name))));
        }
        for t in &a.ecs_task_definitions {
            for r in t.task_role_arn.iter().chain(t.execution_role_arn.iter()) {
                refs.push((r.clone(), format!("ECS task definition `{}`", t.arn)));
            }
        }
        for (role, user) in refs {
            if a.resolve_role(&role).is_none() {
                gaps.push(Gap::new(
                    Some(&a.id),
                    GapKind::UnresolvedReference,
                    DataKind::AuthorizationDetails.command(),
                    format!("{user} uses role `{role}`, which is not in the exports"),
                ));
            }
        }
    }
    if a.has(DataKind::InstanceProfiles) {
        for i in &a.ec2_instances {
            if let Some(p) = &i.instance_profile_arn
                && a.instance_profile(p).is_none()
            {
                gaps.push(Gap::new(
                    Some(&a.id),
                    GapKind::UnresolvedReference,
                    DataKind::InstanceProfiles.command(),
                    format!(
                        "EC2 instance `{}` uses instance profile `{p}`, which is not in the exports: its role is unknown",
                        i.instance_id
                    ),
                ));
            }
        }
    }
}
