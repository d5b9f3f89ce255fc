//! The regional services, once per region: EC2 instances and their instance-profile
//! associations, EC2 launch templates (every version), Lambda functions (and their policies),
//! ECS task definitions and services, then the resource-based policies of the other services
//! (`policies`). One file per region and kind (ECS task definitions: one file each, as
//! `describe-task-definition` prints them).

use aws_sdk_ec2::types::{IamInstanceProfileAssociation, Instance, LaunchTemplateVersion, Reservation};
use aws_sdk_ecs::types::{Service, TaskDefinition};
use aws_sdk_lambda::types::FunctionConfiguration;
use serde_json::{Value, json};

use crate::call::Calls;
use crate::iam::model_kind;
use crate::json::{ToJson, obj};
use crate::progress::Bar;
use crate::write::{Folder, Tally, file_part};
use crate::{CollectError, Scope};

fn ec2_tags(t: &[aws_sdk_ec2::types::Tag]) -> Value {
    if t.is_empty() {
        return Value::Null;
    }
    t.iter().map(|t| obj! { "Key" => t.key(), "Value" => t.value() }).collect::<Vec<_>>().to_json()
}

fn profile(p: Option<&aws_sdk_ec2::types::IamInstanceProfile>) -> Value {
    p.map_or(Value::Null, |p| obj! { "Arn" => p.arn(), "Id" => p.id() })
}

fn instance(i: &Instance) -> Value {
    obj! {
        "InstanceId" => i.instance_id(),
        "ImageId" => i.image_id(),
        "InstanceType" => i.instance_type().map(|t| t.as_str()),
        "State" => i.state().map(|s| obj! { "Code" => s.code(), "Name" => s.name().map(|n| n.as_str()) }),
        "Placement" => i.placement().map(|p| obj! { "AvailabilityZone" => p.availability_zone() }),
        "IamInstanceProfile" => profile(i.iam_instance_profile()),
        "PublicIpAddress" => i.public_ip_address(),
        "PrivateIpAddress" => i.private_ip_address(),
        "VpcId" => i.vpc_id(),
        "SubnetId" => i.subnet_id(),
        "MetadataOptions" => i.metadata_options().map(|m| obj! {
            "HttpTokens" => m.http_tokens().map(|t| t.as_str()),
            "HttpEndpoint" => m.http_endpoint().map(|t| t.as_str()),
            "HttpPutResponseHopLimit" => m.http_put_response_hop_limit(),
        }),
        "LaunchTime" => i.launch_time(),
        "Tags" => ec2_tags(i.tags()),
    }
}

/// A version as `describe-launch-template-versions` prints it: what the escalation through a
/// template (ec2-004) reads is the instance profile it launches with.
fn template_version(v: &LaunchTemplateVersion) -> Value {
    obj! {
        "LaunchTemplateId" => v.launch_template_id(),
        "LaunchTemplateName" => v.launch_template_name(),
        "VersionNumber" => v.version_number(),
        "CreatedBy" => v.created_by(),
        "DefaultVersion" => v.default_version(),
        "LaunchTemplateData" => v.launch_template_data().map(|d| obj! {
            "IamInstanceProfile" => d.iam_instance_profile().map(|p| obj! { "Arn" => p.arn(), "Name" => p.name() }),
        }),
    }
}

fn reservation(r: &Reservation) -> Value {
    obj! {
        "ReservationId" => r.reservation_id(),
        "OwnerId" => r.owner_id(),
        "Instances" => r.instances().iter().map(instance).collect::<Vec<_>>(),
    }
}

fn association(a: &IamInstanceProfileAssociation) -> Value {
    obj! {
        "AssociationId" => a.association_id(),
        "InstanceId" => a.instance_id(),
        "IamInstanceProfile" => profile(a.iam_instance_profile()),
        "State" => a.state().map(|s| s.as_str()),
        "Timestamp" => a.timestamp(),
    }
}

fn function(f: &FunctionConfiguration) -> Value {
    obj! {
        "FunctionName" => f.function_name(),
        "FunctionArn" => f.function_arn(),
        "Runtime" => f.runtime().map(|r| r.as_str()),
        "Role" => f.role(),
        "Handler" => f.handler(),
        "Description" => f.description(),
        "LastModified" => f.last_modified(),
        "PackageType" => f.package_type().map(|p| p.as_str()),
        "VpcConfig" => f.vpc_config().map(|v| obj! {
            "VpcId" => v.vpc_id(),
            "SubnetIds" => v.subnet_ids(),
            "SecurityGroupIds" => v.security_group_ids(),
        }),
    }
}

fn task_definition(t: &TaskDefinition) -> Value {
    let containers: Vec<Value> =
        t.container_definitions().iter().map(|c| obj! { "name" => c.name(), "image" => c.image() }).collect();
    let compat: Vec<&str> = t.requires_compatibilities().iter().map(|c| c.as_str()).collect();
    obj! {
        "taskDefinitionArn" => t.task_definition_arn(),
        "family" => t.family(),
        "revision" => t.revision(),
        "taskRoleArn" => t.task_role_arn(),
        "executionRoleArn" => t.execution_role_arn(),
        "networkMode" => t.network_mode().map(|n| n.as_str()),
        "requiresCompatibilities" => compat.iter().map(|c| Value::from(*c)).collect::<Vec<_>>(),
        "containerDefinitions" => containers,
        "status" => t.status().map(|s| s.as_str()),
    }
}

fn service(s: &Service) -> Value {
    obj! {
        "serviceArn" => s.service_arn(),
        "serviceName" => s.service_name(),
        "clusterArn" => s.cluster_arn(),
        "taskDefinition" => s.task_definition(),
        "roleArn" => s.role_arn(),
        "launchType" => s.launch_type().map(|l| l.as_str()),
        "status" => s.status(),
        "desiredCount" => s.desired_count(),
    }
}

/// The SDK's limit on services per `DescribeServices` call.
const SERVICES_PER_CALL: usize = 10;

/// EC2, Lambda and ECS in one region, then the other services' resource-based policies.
pub async fn collect(
    config: &aws_config::SdkConfig,
    calls: &Calls,
    dir: &Folder,
    bar: &Bar,
    scope: &Scope,
    tally: &mut Tally,
) -> Result<(), CollectError> {
    let region = calls.region.clone().unwrap_or_default();
    let part = file_part(&region);

    bar.step(&format!("ec2 {region}"));
    let ec2 = aws_sdk_ec2::Client::new(config);
    let pages = calls.pages("ec2", "DescribeInstances", ec2.describe_instances().into_paginator().send()).await;
    if pages.any() {
        let list: Vec<Value> = pages.pages.iter().flat_map(|p| p.reservations().iter().map(reservation)).collect();
        tally.resources += pages.pages.iter().flat_map(|p| p.reservations()).map(|r| r.instances().len()).sum::<usize>();
        dir.write(&format!("ec2-describe-instances.{part}.json"), &json!({ "Reservations": list }))?;
    }
    tally.collected(model_kind::EC2_INSTANCES, pages.complete);
    let pages = calls
        .pages(
            "ec2",
            "DescribeIamInstanceProfileAssociations",
            ec2.describe_iam_instance_profile_associations().into_paginator().send(),
        )
        .await;
    if pages.any() {
        let list: Vec<Value> =
            pages.pages.iter().flat_map(|p| p.iam_instance_profile_associations().iter().map(association)).collect();
        dir.write(
            &format!("ec2-describe-iam-instance-profile-associations.{part}.json"),
            &json!({ "IamInstanceProfileAssociations": list }),
        )?;
    }
    tally.collected(model_kind::EC2_PROFILE_ASSOCIATIONS, pages.complete);
    launch_templates(&ec2, calls, dir, &part, tally).await?;

    bar.step(&format!("lambda {region}"));
    let lambda = aws_sdk_lambda::Client::new(config);
    let pages = calls.pages("lambda", "ListFunctions", lambda.list_functions().into_paginator().send()).await;
    if pages.any() {
        let list: Vec<Value> = pages.pages.iter().flat_map(|p| p.functions().iter().map(function)).collect();
        tally.resources += list.len();
        dir.write(&format!("lambda-list-functions.{part}.json"), &json!({ "Functions": list }))?;
    }
    tally.collected(model_kind::LAMBDA_FUNCTIONS, pages.complete);
    let functions: Vec<&str> = pages.pages.iter().flat_map(|p| p.functions()).filter_map(|f| f.function_arn()).collect();
    crate::policies::lambda(&lambda, calls, dir, &part, &functions, pages.complete, tally).await?;

    bar.step(&format!("ecs {region}"));
    let ecs = aws_sdk_ecs::Client::new(config);
    ecs_task_definitions(&ecs, calls, dir, &part, tally).await?;
    ecs_services(&ecs, calls, dir, &part, tally).await?;

    crate::policies::collect(config, calls, dir, bar, scope, tally).await
}

/// Every version of every launch template of the region, in one file.
async fn launch_templates(
    ec2: &aws_sdk_ec2::Client,
    calls: &Calls,
    dir: &Folder,
    part: &str,
    tally: &mut Tally,
) -> Result<(), CollectError> {
    let templates = calls.pages("ec2", "DescribeLaunchTemplates", ec2.describe_launch_templates().into_paginator().send()).await;
    let mut complete = templates.complete;
    let mut versions: Vec<Value> = Vec::new();
    for id in templates.pages.iter().flat_map(|p| p.launch_templates()).filter_map(|t| t.launch_template_id()) {
        let call = ec2.describe_launch_template_versions().launch_template_id(id).into_paginator().send();
        let pages = calls.pages("ec2", "DescribeLaunchTemplateVersions", call).await;
        complete &= pages.complete;
        versions.extend(pages.pages.iter().flat_map(|p| p.launch_template_versions().iter().map(template_version)));
    }
    if templates.any() {
        tally.resources += templates.pages.iter().map(|p| p.launch_templates().len()).sum::<usize>();
        dir.write(&format!("ec2-describe-launch-template-versions.{part}.json"), &json!({ "LaunchTemplateVersions": versions }))?;
    }
    tally.collected(model_kind::EC2_LAUNCH_TEMPLATES, complete);
    Ok(())
}

async fn ecs_task_definitions(
    ecs: &aws_sdk_ecs::Client,
    calls: &Calls,
    dir: &Folder,
    part: &str,
    tally: &mut Tally,
) -> Result<(), CollectError> {
    let pages = calls.pages("ecs", "ListTaskDefinitions", ecs.list_task_definitions().into_paginator().send()).await;
    let mut complete = pages.complete;
    for arn in pages.pages.iter().flat_map(|p| p.task_definition_arns()) {
        let Some(out) =
            calls.one("ecs", "DescribeTaskDefinition", ecs.describe_task_definition().task_definition(arn).send()).await
        else {
            complete = false;
            continue;
        };
        if let Some(t) = out.task_definition() {
            let name = arn.rsplit('/').next().unwrap_or(arn).replace(':', "-");
            tally.resources += 1;
            dir.write(
                &format!("ecs-describe-task-definition.{part}.{}.json", file_part(&name)),
                &json!({ "taskDefinition": task_definition(t) }),
            )?;
        }
    }
    tally.collected(model_kind::ECS_TASK_DEFINITIONS, complete);
    Ok(())
}

async fn ecs_services(
    ecs: &aws_sdk_ecs::Client,
    calls: &Calls,
    dir: &Folder,
    part: &str,
    tally: &mut Tally,
) -> Result<(), CollectError> {
    let clusters = calls.pages("ecs", "ListClusters", ecs.list_clusters().into_paginator().send()).await;
    let mut complete = clusters.complete;
    let mut services: Vec<Value> = Vec::new();
    for cluster in clusters.pages.iter().flat_map(|p| p.cluster_arns()) {
        let arns = calls.pages("ecs", "ListServices", ecs.list_services().cluster(cluster).into_paginator().send()).await;
        complete &= arns.complete;
        let arns: Vec<&String> = arns.pages.iter().flat_map(|p| p.service_arns()).collect();
        for chunk in arns.chunks(SERVICES_PER_CALL) {
            let call = ecs.describe_services().cluster(cluster).set_services(Some(chunk.iter().map(|s| (*s).clone()).collect()));
            match calls.one("ecs", "DescribeServices", call.send()).await {
                Some(out) => services.extend(out.services().iter().map(service)),
                None => complete = false,
            }
        }
    }
    tally.resources += services.len();
    if clusters.any() {
        dir.write(&format!("ecs-describe-services.{part}.json"), &json!({ "services": services }))?;
    }
    tally.collected(model_kind::ECS_SERVICES, complete);
    Ok(())
}
