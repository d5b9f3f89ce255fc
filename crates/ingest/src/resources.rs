//! Compute outputs → the resources that run as roles: EC2 instances and instance-profile
//! associations, Lambda functions, ECS task definitions and services.

use model::{
    Ec2Instance, EcsService, EcsTaskDefinition, LambdaFunction, ServiceKind, ServiceResource, Tag, region_of_arn, region_of_zone,
};

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

/// A region named by the file's path (`111111111111/eu-west-1/stacks.json`), for exports whose
/// records do not give theirs.
pub fn region_of_path(rel: &str) -> Option<String> {
    rel.split(['/', '.']).find(|part| is_region(part)).map(str::to_owned)
}

/// `us-east-1`, `us-gov-west-1`, `ap-southeast-2`: lowercase words and a final number.
fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let Some((last, words)) = parts.split_last() else { return false };
    (2..=3).contains(&words.len())
        && words.first().is_some_and(|w| w.len() == 2)
        && words.iter().all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
        && !last.is_empty()
        && last.len() <= 2
        && last.bytes().all(|b| b.is_ascii_digit())
}

/// The resources of another service that run as a role, from one export. ARNs the export does
/// not give (Glue development endpoints, launch templates) are left relative
/// (`devEndpoint/NAME`, `launch-template/ID`) and completed once the account is known.
pub fn service_resources(
    kind: crate::kind::ExportKind,
    e: crate::raw::Export<'_>,
    rel: &str,
    votes: &mut AccountVotes,
) -> (ServiceKind, Vec<ServiceResource>) {
    use crate::kind::ExportKind as K;
    let resource = |kind: ServiceKind, arn: String, name: String, region: Option<String>, role: Option<String>| ServiceResource {
        kind,
        arn,
        name,
        account_id: String::new(),
        region,
        role_arn: role.filter(|r| !r.is_empty()),
        instance_profiles: Vec::new(),
        batch_builds: false,
    };
    let path_region = region_of_path(rel);
    let mut out = Vec::new();
    let kind = match kind {
        K::CodeBuildProjects => {
            for p in e.codebuild_projects.unwrap_or_default() {
                let crate::raw::RawProjectEntry::Project(p) = p else { continue };
                votes.arn(&p.arn);
                let mut r = resource(ServiceKind::CodeBuildProject, p.arn.clone(), p.name, region_of_arn(&p.arn), p.service_role);
                r.batch_builds = p.build_batch_config.is_some();
                out.push(r);
            }
            ServiceKind::CodeBuildProject
        }
        K::CloudFormationStacks => {
            for s in e.stacks.unwrap_or_default() {
                votes.arn(&s.stack_id);
                out.push(resource(
                    ServiceKind::CloudFormationStack,
                    s.stack_id.clone(),
                    s.stack_name,
                    region_of_arn(&s.stack_id),
                    s.role_arn,
                ));
            }
            ServiceKind::CloudFormationStack
        }
        K::SageMakerNotebook => {
            if let Some(arn) = e.notebook_instance_arn {
                votes.arn(&arn);
                let name = e.notebook_instance_name.unwrap_or_else(|| arn.rsplit('/').next().unwrap_or_default().to_owned());
                out.push(resource(ServiceKind::SageMakerNotebook, arn.clone(), name, region_of_arn(&arn), e.role_arn));
            }
            ServiceKind::SageMakerNotebook
        }
        K::GlueDevEndpoints => {
            for d in e.dev_endpoints.unwrap_or_default().into_iter().chain(e.dev_endpoint) {
                if let Some(role) = &d.role_arn {
                    votes.arn(role);
                }
                let region = d.availability_zone.as_deref().and_then(region_of_zone).or_else(|| path_region.clone());
                let arn = format!("devEndpoint/{}", d.endpoint_name);
                out.push(resource(ServiceKind::GlueDevEndpoint, arn, d.endpoint_name, region, d.role_arn));
            }
            ServiceKind::GlueDevEndpoint
        }
        K::AppRunnerService => {
            if let Some(s) = e.service
                && let Some(arn) = s.service_arn
            {
                votes.arn(&arn);
                let name = s.service_name.unwrap_or_else(|| arn.clone());
                let role = s.instance_configuration.and_then(|c| c.instance_role_arn);
                out.push(resource(ServiceKind::AppRunnerService, arn.clone(), name, region_of_arn(&arn), role));
            }
            ServiceKind::AppRunnerService
        }
        _ => {
            // One record per version: a template takes every instance profile its versions name,
            // since whoever may modify it can make any of them the default again.
            let mut by_id: std::collections::BTreeMap<String, ServiceResource> = std::collections::BTreeMap::new();
            for v in e.launch_template_versions.unwrap_or_default() {
                if let Some(by) = &v.created_by {
                    votes.arn(by);
                }
                let r = by_id.entry(v.launch_template_id.clone()).or_insert_with(|| {
                    let name = v.launch_template_name.clone().unwrap_or_else(|| v.launch_template_id.clone());
                    let arn = format!("launch-template/{}", v.launch_template_id);
                    resource(ServiceKind::LaunchTemplate, arn, name, path_region.clone(), None)
                });
                let profile = v.launch_template_data.and_then(|d| d.iam_instance_profile).and_then(|p| p.arn.or(p.name));
                if let Some(p) = profile.filter(|p| !p.is_empty())
                    && !r.instance_profiles.contains(&p)
                {
                    r.instance_profiles.push(p);
                }
            }
            out.extend(by_id.into_values());
            ServiceKind::LaunchTemplate
        }
    };
    (kind, out)
}
