//! Compute outputs → the resources that run as roles: EC2 instances and instance-profile
//! associations, Lambda functions, ECS task definitions and services.

use model::{Ec2Instance, EcsService, EcsTaskDefinition, LambdaFunction, Tag, region_of_arn, region_of_zone};

use crate::convert::AccountVotes;
use crate::raw::{RawAssociation, RawEcsService, RawFunction, RawReservation, RawTaskDefinition};

pub fn instances(reservations: Vec<RawReservation>, votes: &mut AccountVotes) -> Vec<Ec2Instance> {
    let mut out = Vec::new();
    for r in reservations {
        for i in r.instances {
            if let Some(owner) = &r.owner_id {
                votes.id(owner);
            }
            if let Some(p) = &i.iam_instance_profile {
                votes.arn(&p.arn);
            }
            let mut tags: Vec<Tag> = i.tags.unwrap_or_default().into_iter().map(|t| Tag { key: t.key, value: t.value }).collect();
            tags.sort();
            out.push(Ec2Instance {
                account_id: String::new(),
                region: i.placement.and_then(|p| p.availability_zone).as_deref().and_then(region_of_zone),
                name: tags.iter().find(|t| t.key == "Name").map(|t| t.value.clone()),
                state: i.state.and_then(|s| s.name),
                instance_type: i.instance_type,
                instance_profile_arn: i.iam_instance_profile.map(|p| p.arn),
                public_ip: i.public_ip_address,
                private_ip: i.private_ip_address,
                vpc_id: i.vpc_id,
                subnet_id: i.subnet_id,
                imds_http_tokens: i.metadata_options.and_then(|m| m.http_tokens),
                launch_time: i.launch_time,
                tags,
                instance_id: i.instance_id,
            });
        }
    }
    out
}

/// Associations that are in place (`associated` or `associating`).
pub fn associations(list: Vec<RawAssociation>, votes: &mut AccountVotes) -> Vec<(String, String)> {
    list.into_iter()
        .filter(|a| a.state.as_deref().is_none_or(|s| s == "associated" || s == "associating"))
        .filter_map(|a| {
            let arn = a.iam_instance_profile?.arn;
            votes.arn(&arn);
            Some((a.instance_id, arn))
        })
        .collect()
}

pub fn functions(list: Vec<RawFunction>, votes: &mut AccountVotes) -> Vec<LambdaFunction> {
    list.into_iter()
        .map(|f| {
            votes.arn(&f.function_arn);
            LambdaFunction {
                region: region_of_arn(&f.function_arn),
                name: f.function_name,
                account_id: String::new(),
                role_arn: f.role,
                runtime: f.runtime,
                description: f.description.filter(|d| !d.is_empty()),
                last_modified: f.last_modified,
                vpc_id: f.vpc_config.and_then(|v| v.vpc_id).filter(|v| !v.is_empty()),
                arn: f.function_arn,
            }
        })
        .collect()
}

pub fn task_definitions(list: Vec<RawTaskDefinition>, votes: &mut AccountVotes) -> Vec<EcsTaskDefinition> {
    list.into_iter()
        .map(|t| {
            votes.arn(&t.task_definition_arn);
            let family = t.family.unwrap_or_else(|| {
                let tail = t.task_definition_arn.rsplit('/').next().unwrap_or_default();
                tail.split(':').next().unwrap_or_default().to_owned()
            });
            EcsTaskDefinition {
                region: region_of_arn(&t.task_definition_arn),
                family,
                revision: t.revision,
                account_id: String::new(),
                task_role_arn: t.task_role_arn.filter(|r| !r.is_empty()),
                execution_role_arn: t.execution_role_arn.filter(|r| !r.is_empty()),
                network_mode: t.network_mode,
                requires_compatibilities: t.requires_compatibilities,
                images: t.container_definitions.into_iter().filter_map(|c| c.image).collect(),
                arn: t.task_definition_arn,
            }
        })
        .collect()
}

pub fn services(list: Vec<RawEcsService>, votes: &mut AccountVotes) -> Vec<EcsService> {
    list.into_iter()
        .map(|s| {
            votes.arn(&s.service_arn);
            EcsService {
                region: region_of_arn(&s.service_arn),
                name: s.service_name.unwrap_or_else(|| s.service_arn.rsplit('/').next().unwrap_or_default().to_owned()),
                account_id: String::new(),
                cluster_arn: s.cluster_arn,
                task_definition_arn: s.task_definition,
                role_arn: s.role_arn.filter(|r| !r.is_empty()),
                launch_type: s.launch_type,
                status: s.status,
                desired_count: s.desired_count,
                arn: s.service_arn,
            }
        })
        .collect()
}
