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
