//! Typed mirrors of the AWS CLI's JSON output, as read from export files. One struct holds every
//! top-level key rolegraph reads ([`Export`]), so a file is parsed once, whatever it is, and
//! recognised afterwards by which keys it had. Only the fields rolegraph uses are typed; the rest
//! are skipped by serde. Policy documents are borrowed as raw JSON and parsed later, once each.

use serde::Deserialize;
use serde_json::value::RawValue;

use model::Timestamp;

/// Every top-level key of the exports rolegraph reads.
#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct Export<'a> {
    // iam get-account-authorization-details
    #[serde(borrow)]
    pub user_detail_list: Option<Vec<RawUser<'a>>>,
    #[serde(borrow)]
    pub group_detail_list: Option<Vec<RawGroup<'a>>>,
    #[serde(borrow)]
    pub role_detail_list: Option<Vec<RawRole<'a>>>,
    /// IAM managed policies (authorization details, `list-policies`) or Organizations policy
    /// summaries (`list-policies`, `list-policies-for-target`): told apart by their fields.
    #[serde(borrow)]
    pub policies: Option<Vec<RawPolicyEntry<'a>>>,
    pub is_truncated: Option<bool>,

    // iam list-roles / get-role
    #[serde(borrow)]
    pub roles: Option<Vec<RawRole<'a>>>,
    #[serde(borrow)]
    pub role: Option<RawRole<'a>>,

    // iam list-instance-profiles / get-instance-profile
    #[serde(borrow)]
    pub instance_profiles: Option<Vec<RawInstanceProfile<'a>>>,
    #[serde(borrow)]
    pub instance_profile: Option<RawInstanceProfile<'a>>,

    // iam get-credential-report
    pub content: Option<String>,
    pub report_format: Option<String>,
    pub generated_time: Option<Timestamp>,

    // iam get-service-last-accessed-details (+ rolegraph's optional `Arn`)
    pub services_last_accessed: Option<Vec<RawServiceLastAccessed>>,
    pub job_completion_date: Option<Timestamp>,
    pub job_status: Option<String>,

    // iam list-account-aliases
    pub account_aliases: Option<Vec<String>>,

    // sts get-caller-identity
    pub account: Option<String>,
    pub arn: Option<String>,
    pub user_id: Option<String>,

    // ec2
    pub reservations: Option<Vec<RawReservation>>,
    pub iam_instance_profile_associations: Option<Vec<RawAssociation>>,

    // lambda list-functions / get-function
    pub functions: Option<Vec<RawFunction>>,
    pub configuration: Option<RawFunction>,

    // ecs describe-task-definition / describe-services
    #[serde(rename = "taskDefinition")]
    pub task_definition: Option<RawTaskDefinition>,
    #[serde(rename = "services")]
    pub ecs_services: Option<Vec<RawEcsService>>,

    // codebuild batch-get-projects (objects) / list-projects (names)
    #[serde(rename = "projects")]
    pub codebuild_projects: Option<Vec<RawProjectEntry>>,
    // cloudformation describe-stacks
    pub stacks: Option<Vec<RawStack>>,
    // sagemaker describe-notebook-instance (a notebook at the top level)
    pub notebook_instance_arn: Option<String>,
    pub notebook_instance_name: Option<String>,
    pub role_arn: Option<String>,
    // glue get-dev-endpoints / get-dev-endpoint
    pub dev_endpoints: Option<Vec<RawDevEndpoint>>,
    pub dev_endpoint: Option<RawDevEndpoint>,
    // apprunner describe-service
    pub service: Option<RawAppRunnerService>,
    // ec2 describe-launch-template-versions
    pub launch_template_versions: Option<Vec<RawLaunchTemplateVersion>>,

    // organizations
    pub organization: Option<RawOrganization>,
    pub accounts: Option<Vec<RawOrgAccount>>,
    pub roots: Option<Vec<RawRoot>>,
    pub organizational_units: Option<Vec<RawOu>>,
    pub organizational_unit: Option<RawOu>,
    pub children: Option<Vec<RawChild>>,
    pub parents: Option<Vec<RawChild>>,
    pub targets: Option<Vec<RawTarget>>,
    /// `describe-policy` (an object), or a resource policy (a string) that rolegraph skips.
    #[serde(borrow)]
    pub policy: Option<&'a RawValue>,
    /// Context that some Organizations outputs lack, when added to the file (see
    /// `docs/export-formats.md`).
    pub parent_id: Option<String>,
    pub policy_id: Option<String>,
    pub target_id: Option<String>,
    pub child_id: Option<String>,
    /// rolegraph's own organization tree file.
    pub rolegraph_organization: Option<RawTree>,
    /// rolegraph's record of a live collection (`rolegraph collect`).
    pub rolegraph_collection: Option<RawCollection>,

    // resource-based policies: `Policy` (a string) with rolegraph's `Arn` (see
    // `docs/export-formats.md`), and the outputs that name their resource themselves
    /// `sqs get-queue-attributes`, `sns get-topic-attributes`.
    pub attributes: Option<RawAttributes>,
    /// `secretsmanager get-resource-policy`.
    #[serde(rename = "ARN")]
    pub secret_arn: Option<String>,
    pub resource_policy: Option<String>,
    /// `ecr get-repository-policy`.
    #[serde(rename = "registryId")]
    pub registry_id: Option<String>,
    #[serde(rename = "repositoryName")]
    pub repository_name: Option<String>,
    #[serde(rename = "policyText")]
    pub policy_text: Option<String>,
    /// `s3api get-public-access-block`, `s3control get-public-access-block`.
    pub public_access_block_configuration: Option<model::PublicAccessBlock>,
    /// `s3api get-bucket-ownership-controls`.
    pub ownership_controls: Option<RawOwnershipControls>,
    /// `kms list-grants`.
    pub grants: Option<Vec<RawGrant>>,

    // Recognised so they can be named when skipped.
    pub summary_map: Option<serde::de::IgnoredAny>,
    pub records: Option<serde::de::IgnoredAny>,
    pub credentials: Option<serde::de::IgnoredAny>,
    pub state: Option<serde::de::IgnoredAny>,
    pub notebook_instances: Option<serde::de::IgnoredAny>,
    pub service_summary_list: Option<serde::de::IgnoredAny>,
    pub launch_templates: Option<serde::de::IgnoredAny>,
}

/// An entry of `projects`: a project (`batch-get-projects`) or a name (`list-projects`).
#[derive(Deserialize)]
#[serde(untagged)]
pub enum RawProjectEntry {
    Project(RawProject),
    Name(#[allow(dead_code, reason = "a name of `list-projects`: recognised, not used")] String),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawProject {
    pub name: String,
    pub arn: String,
    pub service_role: Option<String>,
    pub build_batch_config: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawStack {
    pub stack_id: String,
    pub stack_name: String,
    #[serde(rename = "RoleARN")]
    pub role_arn: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawDevEndpoint {
    pub endpoint_name: String,
    pub role_arn: Option<String>,
    pub availability_zone: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawAppRunnerService {
    pub service_arn: Option<String>,
    pub service_name: Option<String>,
    pub instance_configuration: Option<RawInstanceConfiguration>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawInstanceConfiguration {
    pub instance_role_arn: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawLaunchTemplateVersion {
    pub launch_template_id: String,
    pub launch_template_name: Option<String>,
    pub created_by: Option<String>,
    pub launch_template_data: Option<RawLaunchTemplateData>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawLaunchTemplateData {
    pub iam_instance_profile: Option<RawTemplateProfile>,
}

/// A launch template names its instance profile by ARN or by name.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawTemplateProfile {
    pub arn: Option<String>,
    pub name: Option<String>,
}

/// The attributes of an SQS queue or an SNS topic (only those rolegraph reads).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawAttributes {
    pub policy: Option<String>,
    pub queue_arn: Option<String>,
    pub topic_arn: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawOwnershipControls {
    #[serde(default)]
    pub rules: Vec<RawOwnershipRule>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawOwnershipRule {
    pub object_ownership: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawGrant {
    pub key_id: Option<String>,
    pub grant_id: Option<String>,
    pub name: Option<String>,
    pub grantee_principal: Option<String>,
    pub retiring_principal: Option<String>,
    #[serde(default)]
    pub operations: Vec<String>,
    pub constraints: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawTag {
    pub key: String,
    #[serde(default)]
    pub value: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawAttached {
    pub policy_arn: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawInline<'a> {
    pub policy_name: String,
    #[serde(borrow)]
    pub policy_document: &'a RawValue,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawBoundary {
    pub permissions_boundary_arn: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawRoleLastUsed {
    pub last_used_date: Option<Timestamp>,
    pub region: Option<String>,
}

/// A role: `RoleDetail` of the authorization details, or `Role` of `list-roles`, `get-role`
/// and instance profiles.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawRole<'a> {
    pub arn: String,
    pub role_name: String,
    pub role_id: Option<String>,
    pub path: Option<String>,
    pub create_date: Option<Timestamp>,
    #[serde(borrow)]
    pub assume_role_policy_document: Option<&'a RawValue>,
    pub description: Option<String>,
    pub max_session_duration: Option<u32>,
    pub permissions_boundary: Option<RawBoundary>,
    pub tags: Option<Vec<RawTag>>,
    pub role_last_used: Option<RawRoleLastUsed>,
    #[serde(borrow)]
    pub role_policy_list: Option<Vec<RawInline<'a>>>,
    pub attached_managed_policies: Option<Vec<RawAttached>>,
    #[serde(borrow)]
    pub instance_profile_list: Option<Vec<RawInstanceProfile<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawUser<'a> {
    pub arn: String,
    pub user_name: String,
    pub user_id: Option<String>,
    pub path: Option<String>,
    pub create_date: Option<Timestamp>,
    pub permissions_boundary: Option<RawBoundary>,
    pub tags: Option<Vec<RawTag>>,
    #[serde(default)]
    pub group_list: Vec<String>,
    #[serde(borrow)]
    pub user_policy_list: Option<Vec<RawInline<'a>>>,
    pub attached_managed_policies: Option<Vec<RawAttached>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawGroup<'a> {
    pub arn: String,
    pub group_name: String,
    pub group_id: Option<String>,
    pub path: Option<String>,
    pub create_date: Option<Timestamp>,
    #[serde(borrow)]
    pub group_policy_list: Option<Vec<RawInline<'a>>>,
    pub attached_managed_policies: Option<Vec<RawAttached>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawPolicyVersion<'a> {
    #[serde(borrow)]
    pub document: Option<&'a RawValue>,
    pub version_id: String,
    #[serde(default)]
    pub is_default_version: bool,
    pub create_date: Option<Timestamp>,
}

/// An entry of a `Policies` list: the fields of IAM's `ManagedPolicyDetail` and `Policy`, and
/// of Organizations' `PolicySummary`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawPolicyEntry<'a> {
    // IAM
    pub policy_name: Option<String>,
    pub policy_id: Option<String>,
    pub arn: Option<String>,
    pub path: Option<String>,
    pub default_version_id: Option<String>,
    pub attachment_count: Option<u32>,
    pub permissions_boundary_usage_count: Option<u32>,
    pub description: Option<String>,
    pub create_date: Option<Timestamp>,
    pub update_date: Option<Timestamp>,
    #[serde(borrow)]
    pub policy_version_list: Option<Vec<RawPolicyVersion<'a>>>,
    // Organizations
    pub id: Option<String>,
    pub name: Option<String>,
    #[serde(rename = "Type")]
    pub policy_type: Option<String>,
    pub aws_managed: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawInstanceProfile<'a> {
    pub arn: String,
    pub instance_profile_name: String,
    pub instance_profile_id: Option<String>,
    pub path: Option<String>,
    pub create_date: Option<Timestamp>,
    #[serde(borrow, default)]
    pub roles: Vec<RawRole<'a>>,
    pub tags: Option<Vec<RawTag>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawServiceLastAccessed {
    pub service_namespace: String,
    pub service_name: Option<String>,
    pub last_authenticated: Option<Timestamp>,
    pub last_authenticated_entity: Option<String>,
    pub last_authenticated_region: Option<String>,
    pub total_authenticated_entities: Option<u32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawReservation {
    pub owner_id: Option<String>,
    #[serde(default)]
    pub instances: Vec<RawInstance>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawProfileRef {
    pub arn: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawName {
    pub name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawPlacement {
    pub availability_zone: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawMetadataOptions {
    pub http_tokens: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawInstance {
    pub instance_id: String,
    pub instance_type: Option<String>,
    pub state: Option<RawName>,
    pub placement: Option<RawPlacement>,
    pub iam_instance_profile: Option<RawProfileRef>,
    pub public_ip_address: Option<String>,
    pub private_ip_address: Option<String>,
    pub vpc_id: Option<String>,
    pub subnet_id: Option<String>,
    pub metadata_options: Option<RawMetadataOptions>,
    pub launch_time: Option<Timestamp>,
    pub tags: Option<Vec<RawTag>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawAssociation {
    pub instance_id: String,
    pub iam_instance_profile: Option<RawProfileRef>,
    pub state: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawVpcConfig {
    pub vpc_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawFunction {
    pub function_name: String,
    pub function_arn: String,
    pub role: Option<String>,
    pub runtime: Option<String>,
    pub description: Option<String>,
    pub last_modified: Option<Timestamp>,
    pub vpc_config: Option<RawVpcConfig>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawContainer {
    pub image: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawTaskDefinition {
    pub task_definition_arn: String,
    pub family: Option<String>,
    pub revision: Option<u32>,
    pub task_role_arn: Option<String>,
    pub execution_role_arn: Option<String>,
    pub network_mode: Option<String>,
    #[serde(default)]
    pub requires_compatibilities: Vec<String>,
    #[serde(default)]
    pub container_definitions: Vec<RawContainer>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawEcsService {
    pub service_arn: String,
    pub service_name: Option<String>,
    pub cluster_arn: Option<String>,
    pub task_definition: Option<String>,
    pub role_arn: Option<String>,
    pub launch_type: Option<String>,
    pub status: Option<String>,
    pub desired_count: Option<u32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawOrganization {
    pub id: Option<String>,
    pub arn: Option<String>,
    pub feature_set: Option<String>,
    pub master_account_id: Option<String>,
    pub master_account_email: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawOrgAccount {
    pub id: String,
    pub arn: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub status: Option<String>,
    /// Newer API versions report `State` next to (or instead of) `Status`.
    pub state: Option<String>,
    pub joined_method: Option<String>,
    pub joined_timestamp: Option<Timestamp>,
    /// Only in rolegraph's organization file.
    pub parent_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawRoot {
    pub id: String,
    pub arn: Option<String>,
    pub name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawOu {
    pub id: String,
    pub arn: Option<String>,
    pub name: Option<String>,
    /// Only in rolegraph's organization file.
    pub parent_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawChild {
    pub id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawTarget {
    pub target_id: String,
}

/// `describe-policy`'s `Policy`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawDescribedPolicy {
    pub policy_summary: RawPolicySummary,
    pub content: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawPolicySummary {
    pub id: String,
    pub arn: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    #[serde(rename = "Type")]
    pub policy_type: Option<String>,
    pub aws_managed: Option<bool>,
}

/// rolegraph's organization file: the tree and, optionally, the policies with their targets.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawTree {
    pub id: Option<String>,
    pub management_account_id: Option<String>,
    #[serde(default)]
    pub roots: Vec<RawRoot>,
    #[serde(default)]
    pub organizational_units: Vec<RawOu>,
    #[serde(default)]
    pub accounts: Vec<RawOrgAccount>,
    #[serde(default)]
    pub policies: Vec<RawTreePolicy>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawTreePolicy {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    #[serde(rename = "Type")]
    pub policy_type: String,
    pub aws_managed: Option<bool>,
    pub content: Option<String>,
    pub targets: Option<Vec<String>>,
}

/// rolegraph's record of a live collection: what was collected in each account (so that a kind
/// of data with nothing in it, such as no ECS task definitions, is known to be empty rather than
/// missing), and the API calls that failed.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawCollection {
    #[serde(default)]
    pub accounts: Vec<RawCollectedAccount>,
    #[serde(default)]
    pub gaps: Vec<RawCallGap>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawCollectedAccount {
    pub id: String,
    /// `model::DataKind` names (`ecs_task_definitions`); unknown names are skipped.
    #[serde(default)]
    pub collected: Vec<String>,
}

/// A call of the collection that failed.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawCallGap {
    pub account: Option<String>,
    pub region: Option<String>,
    pub service: String,
    pub operation: String,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
}
