//! Compute resources that run as a role: EC2 instances (through an instance profile), Lambda
//! functions, ECS task definitions (task role and execution role) and the services that run
//! them. Only what identifies the resource and ties it to a role is kept.

use serde::{Deserialize, Serialize};

use crate::iam::Tag;
use crate::time::Timestamp;

/// An EC2 instance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ec2Instance {
    pub instance_id: String,
    pub account_id: String,
    /// From the availability zone, when the export has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The `Name` tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `running`, `stopped`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<String>,
    /// The instance profile ARN (from the instance, or from
    /// `describe-iam-instance-profile-associations`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_profile_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_ip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_ip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet_id: Option<String>,
    /// `MetadataOptions.HttpTokens`: `required` means IMDSv2 only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imds_http_tokens: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch_time: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

/// A Lambda function.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LambdaFunction {
    pub arn: String,
    pub name: String,
    pub account_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The execution role ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
}

/// An ECS task definition (one revision).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EcsTaskDefinition {
    pub arn: String,
    pub family: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<u32>,
    pub account_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The role the containers run as (ARN, or a name as registered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_role_arn: Option<String>,
    /// The role the ECS agent uses to pull images and write logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires_compatibilities: Vec<String>,
    /// Container images, in definition order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<String>,
}

/// An ECS service.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EcsService {
    pub arn: String,
    pub name: String,
    pub account_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_arn: Option<String>,
    /// The task definition ARN the service runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_definition_arn: Option<String>,
    /// The service's own IAM role (load balancer registration), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desired_count: Option<u32>,
}

/// A kind of resource of another AWS service that runs as a role, read so that the documented
/// paths which take such a resource over (start a build of a project, update a stack, ...) name
/// the resources that exist instead of assuming one does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    /// `codebuild batch-get-projects`: the project's service role.
    CodeBuildProject,
    /// `cloudformation describe-stacks`: the stack's service role (`RoleARN`).
    CloudFormationStack,
    /// `sagemaker describe-notebook-instance`: the notebook's execution role.
    SageMakerNotebook,
    /// `glue get-dev-endpoints`: the endpoint's role.
    GlueDevEndpoint,
    /// `apprunner describe-service`: the instance role.
    AppRunnerService,
    /// `ec2 describe-launch-template-versions`: the instance profile a version launches with.
    LaunchTemplate,
}

impl ServiceKind {
    /// What the resource is, in words.
    pub const fn label(self) -> &'static str {
        match self {
            ServiceKind::CodeBuildProject => "CodeBuild project",
            ServiceKind::CloudFormationStack => "CloudFormation stack",
            ServiceKind::SageMakerNotebook => "SageMaker notebook instance",
            ServiceKind::GlueDevEndpoint => "Glue development endpoint",
            ServiceKind::AppRunnerService => "App Runner service",
            ServiceKind::LaunchTemplate => "EC2 launch template",
        }
    }

    /// The kind of data that lists the resources of an account.
    pub fn data_kind(self) -> crate::gap::DataKind {
        use crate::gap::DataKind;
        match self {
            ServiceKind::CodeBuildProject => DataKind::CodeBuildProjects,
            ServiceKind::CloudFormationStack => DataKind::CloudFormationStacks,
            ServiceKind::SageMakerNotebook => DataKind::SageMakerNotebooks,
            ServiceKind::GlueDevEndpoint => DataKind::GlueDevEndpoints,
            ServiceKind::AppRunnerService => DataKind::AppRunnerServices,
            ServiceKind::LaunchTemplate => DataKind::Ec2LaunchTemplates,
        }
    }

    /// An ARN pattern that matches every resource of this kind in an account.
    pub fn any_arn(self, partition: &str, account: &str) -> String {
        match self {
            ServiceKind::CodeBuildProject => format!("arn:{partition}:codebuild:*:{account}:project/*"),
            ServiceKind::CloudFormationStack => format!("arn:{partition}:cloudformation:*:{account}:stack/*"),
            ServiceKind::SageMakerNotebook => format!("arn:{partition}:sagemaker:*:{account}:notebook-instance/*"),
            ServiceKind::GlueDevEndpoint => format!("arn:{partition}:glue:*:{account}:devEndpoint/*"),
            ServiceKind::AppRunnerService => format!("arn:{partition}:apprunner:*:{account}:service/*"),
            ServiceKind::LaunchTemplate => format!("arn:{partition}:ec2:*:{account}:launch-template/*"),
        }
    }
}

/// A resource of another service that runs as a role (see [`ServiceKind`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceResource {
    pub kind: ServiceKind,
    /// The resource's ARN; for the kinds whose export gives none (Glue development endpoints,
    /// launch templates), built from the account, the region and the name or id.
    pub arn: String,
    pub name: String,
    pub account_id: String,
    /// `None` when the export does not say (see `region_assumed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The role it runs as (ARN, or a name as written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// The instance profiles a launch template's versions name (ARN or name as written).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instance_profiles: Vec<String>,
    /// A CodeBuild project configured for batch builds (`buildBatchConfig`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub batch_builds: bool,
}

/// The region of an ARN (`arn:aws:lambda:eu-west-1:...` → `eu-west-1`), if it has one.
pub fn region_of_arn(arn: &str) -> Option<String> {
    policy::Arn::parse(arn).map(|a| a.region).filter(|r| !r.is_empty()).map(str::to_owned)
}

/// The region of an availability zone (`eu-west-1a` → `eu-west-1`; `use1-az1` ids give `None`).
pub fn region_of_zone(zone: &str) -> Option<String> {
    let last = zone.chars().last()?;
    if !last.is_ascii_lowercase() || zone.contains("-az") {
        return None;
    }
    let region = zone.get(..zone.len() - last.len_utf8())?;
    // The region is everything up to the first all-digit segment: `us-gov-west-1`, and the
    // parent region of Local and Wavelength zones (`us-east-1-bos-1a` → `us-east-1`).
    let mut out: Vec<&str> = Vec::new();
    for part in region.split('-') {
        out.push(part);
        if !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()) {
            return (out.len() >= 3).then(|| out.join("-"));
        }
    }
    None
}

/// How a resource uses a role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UseKind {
    /// The instance profile contains the role.
    InstanceProfile,
    /// The instance runs with an instance profile that contains the role.
    Ec2Instance,
    /// The function's execution role.
    LambdaFunction,
    /// The task definition's task role (what the containers run as).
    EcsTaskRole,
    /// The task definition's execution role (the ECS agent).
    EcsExecutionRole,
    /// A service runs a task definition whose task role is the role.
    EcsServiceTaskRole,
    /// A service runs a task definition whose execution role is the role.
    EcsServiceExecutionRole,
    /// The service's own IAM role.
    EcsServiceRole,
    /// A resource of another service runs as the role (a launch template: one of its versions
    /// names an instance profile that contains the role). Serialized as the kind alone
    /// (`code_build_project`).
    #[serde(untagged)]
    Service(ServiceKind),
}

impl UseKind {
    /// Whether the use counts as a resource of its own when telling how many resources share
    /// a role: not an instance profile or a launch template (the instances they start are
    /// counted), nor a CloudFormation stack (a deployment role shared by stacks is the norm).
    pub fn is_resource(self) -> bool {
        !matches!(
            self,
            UseKind::InstanceProfile | UseKind::Service(ServiceKind::LaunchTemplate | ServiceKind::CloudFormationStack)
        )
    }

    /// What the resource is, in words.
    pub fn label(self) -> &'static str {
        match self {
            UseKind::InstanceProfile => "instance profile",
            UseKind::Ec2Instance => "ec2 instance",
            UseKind::LambdaFunction => "lambda function",
            UseKind::EcsTaskRole => "ecs task definition (task role)",
            UseKind::EcsExecutionRole => "ecs task definition (execution role)",
            UseKind::EcsServiceTaskRole => "ecs service (task role)",
            UseKind::EcsServiceExecutionRole => "ecs service (execution role)",
            UseKind::EcsServiceRole => "ecs service (service role)",
            UseKind::Service(k) => k.label(),
        }
    }
}

/// A resource that uses a role.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RoleUse {
    pub kind: UseKind,
    /// The resource's ARN, or the instance id for EC2.
    pub resource: String,
    /// A short display name (function name, instance `Name` tag or id, family:revision, ...).
    pub name: String,
    pub account_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// What links the resource to the role: the instance profile ARN, or the task definition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions() {
        assert_eq!(region_of_zone("eu-west-1a").as_deref(), Some("eu-west-1"));
        assert_eq!(region_of_zone("us-gov-west-1b").as_deref(), Some("us-gov-west-1"));
        assert_eq!(region_of_zone("us-east-1-bos-1a").as_deref(), Some("us-east-1"));
        assert_eq!(region_of_zone("use1-az1"), None);
        assert_eq!(region_of_arn("arn:aws:lambda:eu-west-1:1:function:f").as_deref(), Some("eu-west-1"));
        assert_eq!(region_of_arn("arn:aws:iam::1:role/r"), None);
    }
}
