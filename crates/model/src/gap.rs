//! Collection gaps: what the snapshot does not know, and why. Missing or partial data is
//! recorded and shown in every report, never guessed.

use serde::{Deserialize, Serialize};

/// A kind of data an account's exports may include.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataKind {
    /// `iam get-account-authorization-details`: principals and their policies.
    AuthorizationDetails,
    /// `iam list-roles` or `get-role`: max session duration, description.
    RoleList,
    /// `iam list-instance-profiles` (also given by the authorization details).
    InstanceProfiles,
    /// `ec2 describe-instances`.
    Ec2Instances,
    /// `ec2 describe-iam-instance-profile-associations`.
    Ec2ProfileAssociations,
    /// `lambda list-functions`.
    LambdaFunctions,
    /// `ecs describe-task-definition`.
    EcsTaskDefinitions,
    /// `ecs describe-services`.
    EcsServices,
    /// `iam get-credential-report`.
    CredentialReport,
    /// `iam get-service-last-accessed-details`.
    ServiceLastAccessed,
    /// `sts get-caller-identity`.
    CallerIdentity,
    /// `iam list-account-aliases`.
    AccountAliases,
    /// `codebuild batch-get-projects`.
    CodeBuildProjects,
    /// `cloudformation describe-stacks`.
    CloudFormationStacks,
    /// `sagemaker describe-notebook-instance`.
    SageMakerNotebooks,
    /// `glue get-dev-endpoints`.
    GlueDevEndpoints,
    /// `apprunner describe-service`.
    AppRunnerServices,
    /// `ec2 describe-launch-template-versions`.
    Ec2LaunchTemplates,
    /// `s3api get-bucket-policy` (with the bucket's `Arn` added).
    S3BucketPolicies,
    /// `s3api get-public-access-block` / `s3control get-public-access-block`.
    S3PublicAccessBlock,
    /// `kms get-key-policy` (with the key's `Arn` added).
    KmsKeyPolicies,
    /// `kms list-grants`.
    KmsGrants,
    /// `lambda get-policy` / `get-layer-version-policy` (with the `Arn` added).
    LambdaPolicies,
    /// `sqs get-queue-attributes`.
    SqsPolicies,
    /// `sns get-topic-attributes`.
    SnsPolicies,
    /// `secretsmanager get-resource-policy`.
    SecretPolicies,
    /// `ecr get-repository-policy`.
    EcrPolicies,
    /// `dynamodb get-resource-policy` (with the `Arn` added).
    DynamoDbPolicies,
}

impl DataKind {
    /// The kinds of resource-based policy data (and the S3 and KMS settings read beside them).
    pub const RESOURCE_POLICIES: [DataKind; 10] = [
        DataKind::S3BucketPolicies,
        DataKind::S3PublicAccessBlock,
        DataKind::KmsKeyPolicies,
        DataKind::KmsGrants,
        DataKind::LambdaPolicies,
        DataKind::SqsPolicies,
        DataKind::SnsPolicies,
        DataKind::SecretPolicies,
        DataKind::EcrPolicies,
        DataKind::DynamoDbPolicies,
    ];

    /// The AWS CLI command that gives this data.
    pub fn command(self) -> &'static str {
        match self {
            DataKind::AuthorizationDetails => "aws iam get-account-authorization-details",
            DataKind::RoleList => "aws iam list-roles",
            DataKind::InstanceProfiles => "aws iam list-instance-profiles",
            DataKind::Ec2Instances => "aws ec2 describe-instances",
            DataKind::Ec2ProfileAssociations => "aws ec2 describe-iam-instance-profile-associations",
            DataKind::LambdaFunctions => "aws lambda list-functions",
            DataKind::EcsTaskDefinitions => "aws ecs describe-task-definition",
            DataKind::EcsServices => "aws ecs describe-services",
            DataKind::CredentialReport => "aws iam get-credential-report",
            DataKind::ServiceLastAccessed => "aws iam get-service-last-accessed-details",
            DataKind::CallerIdentity => "aws sts get-caller-identity",
            DataKind::AccountAliases => "aws iam list-account-aliases",
            DataKind::CodeBuildProjects => "aws codebuild batch-get-projects",
            DataKind::CloudFormationStacks => "aws cloudformation describe-stacks",
            DataKind::SageMakerNotebooks => "aws sagemaker describe-notebook-instance",
            DataKind::GlueDevEndpoints => "aws glue get-dev-endpoints",
            DataKind::AppRunnerServices => "aws apprunner describe-service",
            DataKind::Ec2LaunchTemplates => "aws ec2 describe-launch-template-versions",
            DataKind::S3BucketPolicies => "aws s3api get-bucket-policy",
            DataKind::S3PublicAccessBlock => "aws s3api get-public-access-block",
            DataKind::KmsKeyPolicies => "aws kms get-key-policy",
            DataKind::KmsGrants => "aws kms list-grants",
            DataKind::LambdaPolicies => "aws lambda get-policy",
            DataKind::SqsPolicies => "aws sqs get-queue-attributes",
            DataKind::SnsPolicies => "aws sns get-topic-attributes",
            DataKind::SecretPolicies => "aws secretsmanager get-resource-policy",
            DataKind::EcrPolicies => "aws ecr get-repository-policy",
            DataKind::DynamoDbPolicies => "aws dynamodb get-resource-policy",
        }
    }
}

/// What kind of gap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GapKind {
    /// A kind of data is absent for an account (no EC2 data, no organization, ...).
    MissingData,
    /// Paginated output whose last page is missing.
    Truncated,
    /// A record of an export that could not be read; it was skipped.
    MalformedRecord,
    /// A policy document that could not be parsed; it is kept raw, and not evaluated.
    InvalidPolicy,
    /// A reference to something the exports do not contain (an attached managed policy with
    /// no document, an instance profile of an unknown role, ...).
    UnresolvedReference,
    /// A file whose account or context could not be told.
    UnattributedData,
    /// A record (a role, user, group or managed policy) found twice with different policies:
    /// both copies are kept as one record with the union of their permissions.
    ConflictingRecord,
}

/// Something the snapshot does not know.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Gap {
    /// The account concerned, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    pub kind: GapKind,
    /// Where: a file (relative to the loaded folder, with a JSON path when it applies), or an
    /// API call.
    pub source: String,
    /// What is missing, in words.
    pub what: String,
    /// The underlying error, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Gap {
    pub fn new(account: Option<&str>, kind: GapKind, source: impl Into<String>, what: impl Into<String>) -> Gap {
        Gap { account: account.map(str::to_owned), kind, source: source.into(), what: what.into(), error: None }
    }

    /// The same gap with an error message.
    pub fn with_error(mut self, error: impl Into<String>) -> Gap {
        self.error = Some(error.into());
        self
    }
}

impl std::fmt::Display for Gap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(a) = &self.account {
            write!(f, "account {a}: ")?;
        }
        write!(f, "{} ({})", self.what, self.source)?;
        if let Some(e) = &self.error {
            write!(f, ": {e}")?;
        }
        Ok(())
    }
}
