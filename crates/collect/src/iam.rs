//! IAM and STS: the authorization details (every page, merged into one file), `list-roles` for
//! what the details lack (max session duration, description), instance profiles, the credential
//! report (generated, then read, with a bounded wait), account aliases and the caller identity,
//! each written in the shape the AWS CLI prints.

use std::time::Duration;

use aws_sdk_iam::types::{
    AttachedPermissionsBoundary, AttachedPolicy, GroupDetail, InstanceProfile, ManagedPolicyDetail, PolicyDetail,
    ReportStateType, Role, RoleDetail, RoleLastUsed, Tag, UserDetail,
};
use base64::Engine;
use serde_json::{Value, json};

use crate::call::Calls;
use crate::json::{ToJson, document, obj};
use crate::last_accessed::Principal;
use crate::progress::Bar;
use crate::write::{Folder, Tally};
use crate::{CollectError, Settings};

fn tags(t: &[Tag]) -> Value {
    if t.is_empty() {
        return Value::Null;
    }
    t.iter().map(|t| obj! { "Key" => t.key(), "Value" => t.value() }).collect::<Vec<_>>().to_json()
}

fn inline(list: &[PolicyDetail]) -> Value {
    list.iter()
        .map(|p| obj! { "PolicyName" => p.policy_name(), "PolicyDocument" => document(p.policy_document()) })
        .collect::<Vec<_>>()
        .to_json()
}

fn attached(list: &[AttachedPolicy]) -> Value {
    list.iter().map(|p| obj! { "PolicyName" => p.policy_name(), "PolicyArn" => p.policy_arn() }).collect::<Vec<_>>().to_json()
}

fn boundary(b: Option<&AttachedPermissionsBoundary>) -> Value {
    b.map_or(Value::Null, |b| {
        obj! {
            "PermissionsBoundaryType" => b.permissions_boundary_type().map(|t| t.as_str()),
            "PermissionsBoundaryArn" => b.permissions_boundary_arn(),
        }
    })
}

fn last_used(u: Option<&RoleLastUsed>) -> Value {
    u.map_or(Value::Null, |u| obj! { "LastUsedDate" => u.last_used_date(), "Region" => u.region() })
}

/// A role of `list-roles` (and of instance profiles).
pub fn role(r: &Role) -> Value {
    obj! {
        "Path" => r.path(),
        "RoleName" => r.role_name(),
        "RoleId" => r.role_id(),
        "Arn" => r.arn(),
        "CreateDate" => r.create_date(),
        "AssumeRolePolicyDocument" => document(r.assume_role_policy_document()),
        "Description" => r.description(),
        "MaxSessionDuration" => r.max_session_duration(),
        "PermissionsBoundary" => boundary(r.permissions_boundary()),
        "Tags" => tags(r.tags()),
        "RoleLastUsed" => last_used(r.role_last_used()),
    }
}

pub fn instance_profile(p: &InstanceProfile) -> Value {
    obj! {
        "Path" => p.path(),
        "InstanceProfileName" => p.instance_profile_name(),
        "InstanceProfileId" => p.instance_profile_id(),
        "Arn" => p.arn(),
        "CreateDate" => p.create_date(),
        "Roles" => p.roles().iter().map(role).collect::<Vec<_>>(),
        "Tags" => tags(p.tags()),
    }
}

fn role_detail(r: &RoleDetail) -> Value {
    obj! {
        "Path" => r.path(),
        "RoleName" => r.role_name(),
        "RoleId" => r.role_id(),
        "Arn" => r.arn(),
        "CreateDate" => r.create_date(),
        "AssumeRolePolicyDocument" => document(r.assume_role_policy_document()),
        "InstanceProfileList" => r.instance_profile_list().iter().map(instance_profile).collect::<Vec<_>>(),
        "RolePolicyList" => inline(r.role_policy_list()),
        "AttachedManagedPolicies" => attached(r.attached_managed_policies()),
        "PermissionsBoundary" => boundary(r.permissions_boundary()),
        "Tags" => tags(r.tags()),
        "RoleLastUsed" => last_used(r.role_last_used()),
    }
}

fn user_detail(u: &UserDetail) -> Value {
    obj! {
        "Path" => u.path(),
        "UserName" => u.user_name(),
        "UserId" => u.user_id(),
        "Arn" => u.arn(),
        "CreateDate" => u.create_date(),
        "UserPolicyList" => inline(u.user_policy_list()),
        "GroupList" => u.group_list(),
        "AttachedManagedPolicies" => attached(u.attached_managed_policies()),
        "PermissionsBoundary" => boundary(u.permissions_boundary()),
        "Tags" => tags(u.tags()),
    }
}

fn group_detail(g: &GroupDetail) -> Value {
    obj! {
        "Path" => g.path(),
        "GroupName" => g.group_name(),
        "GroupId" => g.group_id(),
        "Arn" => g.arn(),
        "CreateDate" => g.create_date(),
        "GroupPolicyList" => inline(g.group_policy_list()),
        "AttachedManagedPolicies" => attached(g.attached_managed_policies()),
    }
}

fn managed_policy(p: &ManagedPolicyDetail) -> Value {
    let versions: Vec<Value> = p
        .policy_version_list()
        .iter()
        .map(|v| {
            obj! {
                "Document" => document(v.document()),
                "VersionId" => v.version_id(),
                "IsDefaultVersion" => v.is_default_version(),
                "CreateDate" => v.create_date(),
            }
        })
        .collect();
    obj! {
        "PolicyName" => p.policy_name(),
        "PolicyId" => p.policy_id(),
        "Arn" => p.arn(),
        "Path" => p.path(),
        "DefaultVersionId" => p.default_version_id(),
        "AttachmentCount" => p.attachment_count(),
        "PermissionsBoundaryUsageCount" => p.permissions_boundary_usage_count(),
        "IsAttachable" => p.is_attachable(),
        "Description" => p.description(),
        "CreateDate" => p.create_date(),
        "UpdateDate" => p.update_date(),
        "PolicyVersionList" => versions,
    }
}

/// The account the credentials are for: `sts get-caller-identity`, written to the folder.
pub async fn caller_identity(sts: &aws_sdk_sts::Client, calls: &Calls) -> Option<(String, Value)> {
    let out = calls.one("sts", "GetCallerIdentity", sts.get_caller_identity().send()).await?;
    let account = out.account()?.to_owned();
    let value = obj! { "UserId" => out.user_id(), "Account" => out.account(), "Arn" => out.arn() };
    Some((account, value))
}

/// Everything IAM gives for one account.
pub async fn collect(
    iam: &aws_sdk_iam::Client,
    calls: &Calls,
    dir: &Folder,
    bar: &Bar,
    settings: &Settings,
    tally: &mut Tally,
) -> Result<(), CollectError> {
    bar.step("iam: authorization details");
    let details = calls
        .pages("iam", "GetAccountAuthorizationDetails", iam.get_account_authorization_details().into_paginator().send())
        .await;
    let principals: Vec<Principal> = details
        .pages
        .iter()
        .flat_map(|p| {
            let roles = p.role_detail_list().iter().map(|r| ("role", r.arn(), r.role_name()));
            roles.chain(p.user_detail_list().iter().map(|u| ("user", u.arn(), u.user_name())))
        })
        .filter_map(|(kind, arn, name)| Some(Principal { arn: arn?.to_owned(), kind, name: name?.to_owned() }))
        .collect();
    let listed = details.complete;
    if details.any() {
        let (mut users, mut groups, mut roles, mut policies) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for page in &details.pages {
            users.extend(page.user_detail_list().iter().map(user_detail));
            groups.extend(page.group_detail_list().iter().map(group_detail));
            roles.extend(page.role_detail_list().iter().map(role_detail));
            policies.extend(page.policies().iter().map(managed_policy));
        }
        tally.roles += roles.len();
        tally.principals += users.len() + roles.len();
        let value = json!({
            "UserDetailList": users,
            "GroupDetailList": groups,
            "RoleDetailList": roles,
            "Policies": policies,
            // A failed page leaves the file marked truncated, which the reader reports.
            "IsTruncated": !details.complete,
        });
        dir.write("iam-get-account-authorization-details.json", &value)?;
        tally.collected(model_kind::AUTHORIZATION_DETAILS, details.complete);
    }

    bar.step("iam: roles");
    let roles = calls.pages("iam", "ListRoles", iam.list_roles().into_paginator().send()).await;
    if roles.any() {
        let list: Vec<Value> = roles.pages.iter().flat_map(|p| p.roles().iter().map(role)).collect();
        dir.write("iam-list-roles.json", &json!({ "Roles": list }))?;
        tally.collected(model_kind::ROLE_LIST, roles.complete);
    }

    bar.step("iam: instance profiles");
    let profiles = calls.pages("iam", "ListInstanceProfiles", iam.list_instance_profiles().into_paginator().send()).await;
    if profiles.any() {
        let list: Vec<Value> = profiles.pages.iter().flat_map(|p| p.instance_profiles().iter().map(instance_profile)).collect();
        dir.write("iam-list-instance-profiles.json", &json!({ "InstanceProfiles": list }))?;
        tally.collected(model_kind::INSTANCE_PROFILES, profiles.complete);
    }

    bar.step("iam: account aliases");
    let aliases = calls.pages("iam", "ListAccountAliases", iam.list_account_aliases().into_paginator().send()).await;
    if aliases.any() {
        let list: Vec<&String> = aliases.pages.iter().flat_map(|p| p.account_aliases()).collect();
        dir.write("iam-list-account-aliases.json", &json!({ "AccountAliases": list }))?;
        tally.collected(model_kind::ACCOUNT_ALIASES, aliases.complete);
    }

    bar.step("iam: credential report");
    if let Some(report) = credential_report(iam, calls, settings).await {
        dir.write("iam-get-credential-report.json", &report)?;
        tally.collected(model_kind::CREDENTIAL_REPORT, true);
    }

    if settings.last_accessed {
        bar.step("iam: last accessed");
        crate::last_accessed::collect(iam, calls, dir, bar, settings, principals, listed, tally).await?;
    }
    Ok(())
}

/// Asks for a credential report and waits for it, within `settings.report_polls` polls.
async fn credential_report(iam: &aws_sdk_iam::Client, calls: &Calls, settings: &Settings) -> Option<Value> {
    let mut ready = false;
    for attempt in 0..settings.report_polls.max(1) {
        if attempt > 0 {
            tokio::time::sleep(settings.report_poll_interval).await;
        }
        let out = calls.one("iam", "GenerateCredentialReport", iam.generate_credential_report().send()).await?;
        if out.state() == Some(&ReportStateType::Complete) {
            ready = true;
            break;
        }
    }
    if !ready {
        let waited = settings.report_poll_interval.saturating_mul(settings.report_polls.saturating_sub(1));
        calls.gap(
            "iam",
            "GenerateCredentialReport",
            "ReportNotReady",
            format!("the credential report was not ready after {} polls ({} s)", settings.report_polls, waited.as_secs()),
        );
        return None;
    }
    let out = calls.one("iam", "GetCredentialReport", iam.get_credential_report().send()).await?;
    let content = out.content().map(|b| base64::engine::general_purpose::STANDARD.encode(b.as_ref()));
    Some(obj! {
        "Content" => content,
        "ReportFormat" => out.report_format().map(|f| f.as_str()).or(Some("text/csv")),
        "GeneratedTime" => out.generated_time(),
    })
}

/// The wait between polls of the credential report; also used by tests.
pub const DEFAULT_REPORT_POLL: Duration = Duration::from_secs(2);

/// `model::DataKind` names, as the collection record spells them.
pub mod model_kind {
    pub const AUTHORIZATION_DETAILS: &str = "authorization_details";
    pub const ROLE_LIST: &str = "role_list";
    pub const INSTANCE_PROFILES: &str = "instance_profiles";
    pub const ACCOUNT_ALIASES: &str = "account_aliases";
    pub const CREDENTIAL_REPORT: &str = "credential_report";
    pub const CALLER_IDENTITY: &str = "caller_identity";
    pub const EC2_INSTANCES: &str = "ec2_instances";
    pub const EC2_PROFILE_ASSOCIATIONS: &str = "ec2_profile_associations";
    pub const EC2_LAUNCH_TEMPLATES: &str = "ec2_launch_templates";
    pub const LAMBDA_FUNCTIONS: &str = "lambda_functions";
    pub const ECS_TASK_DEFINITIONS: &str = "ecs_task_definitions";
    pub const ECS_SERVICES: &str = "ecs_services";
    pub const SERVICE_LAST_ACCESSED: &str = "service_last_accessed";
    pub const S3_BUCKET_POLICIES: &str = "s3_bucket_policies";
    pub const S3_PUBLIC_ACCESS_BLOCK: &str = "s3_public_access_block";
    pub const KMS_KEY_POLICIES: &str = "kms_key_policies";
    pub const KMS_GRANTS: &str = "kms_grants";
    pub const LAMBDA_POLICIES: &str = "lambda_policies";
    pub const SQS_POLICIES: &str = "sqs_policies";
    pub const SNS_POLICIES: &str = "sns_policies";
    pub const SECRET_POLICIES: &str = "secret_policies";
    pub const ECR_POLICIES: &str = "ecr_policies";
    pub const DYNAMODB_POLICIES: &str = "dynamo_db_policies";

    /// Every name above, for the test that they are `model::DataKind` names.
    #[cfg(test)]
    pub const ALL: &[&str] = &[
        AUTHORIZATION_DETAILS,
        ROLE_LIST,
        INSTANCE_PROFILES,
        ACCOUNT_ALIASES,
        CREDENTIAL_REPORT,
        CALLER_IDENTITY,
        EC2_INSTANCES,
        EC2_PROFILE_ASSOCIATIONS,
        EC2_LAUNCH_TEMPLATES,
        LAMBDA_FUNCTIONS,
        ECS_TASK_DEFINITIONS,
        ECS_SERVICES,
        SERVICE_LAST_ACCESSED,
        S3_BUCKET_POLICIES,
        S3_PUBLIC_ACCESS_BLOCK,
        KMS_KEY_POLICIES,
        KMS_GRANTS,
        LAMBDA_POLICIES,
        SQS_POLICIES,
        SNS_POLICIES,
        SECRET_POLICIES,
        ECR_POLICIES,
        DYNAMODB_POLICIES,
    ];
}

#[cfg(test)]
mod tests {
    use super::model_kind;

    #[test]
    fn kind_names_are_data_kinds() {
        for name in model_kind::ALL {
            let kind: Result<model::DataKind, _> = serde_json::from_value(serde_json::Value::String((*name).to_owned()));
            assert!(kind.is_ok(), "`{name}` is not a `model::DataKind` name");
        }
    }
}
