//! Recognising an export by its content: which top-level keys it has, and for the few
//! Organizations outputs that do not say what they are about, the id in the file's name.

use serde::Serialize;

use crate::raw::Export;

/// What an export file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExportKind {
    AuthorizationDetails,
    ListRoles,
    GetRole,
    ListInstanceProfiles,
    GetInstanceProfile,
    Ec2DescribeInstances,
    Ec2ProfileAssociations,
    LambdaListFunctions,
    LambdaGetFunction,
    EcsTaskDefinition,
    EcsServices,
    CodeBuildProjects,
    CloudFormationStacks,
    SageMakerNotebook,
    GlueDevEndpoints,
    AppRunnerService,
    Ec2LaunchTemplateVersions,
    ResourcePolicy,
    SqsQueueAttributes,
    SnsTopicAttributes,
    SecretResourcePolicy,
    EcrRepositoryPolicy,
    S3PublicAccessBlock,
    S3OwnershipControls,
    KmsGrants,
    CredentialReport,
    ServiceLastAccessed,
    AccountAliases,
    CallerIdentity,
    OrgDescribeOrganization,
    OrgListAccounts,
    OrgListAccountsForParent,
    OrgListRoots,
    OrgListOrganizationalUnitsForParent,
    OrgDescribeOrganizationalUnit,
    OrgListChildren,
    OrgListParents,
    OrgListPolicies,
    OrgListPoliciesForTarget,
    OrgDescribePolicy,
    OrgListTargetsForPolicy,
    RolegraphOrganization,
    RolegraphCollection,
}

impl ExportKind {
    /// The AWS CLI command (or file form) this kind comes from.
    pub fn command(self) -> &'static str {
        use ExportKind::*;
        match self {
            AuthorizationDetails => "aws iam get-account-authorization-details",
            ListRoles => "aws iam list-roles",
            GetRole => "aws iam get-role",
            ListInstanceProfiles => "aws iam list-instance-profiles",
            GetInstanceProfile => "aws iam get-instance-profile",
            Ec2DescribeInstances => "aws ec2 describe-instances",
            Ec2ProfileAssociations => "aws ec2 describe-iam-instance-profile-associations",
            LambdaListFunctions => "aws lambda list-functions",
            LambdaGetFunction => "aws lambda get-function",
            EcsTaskDefinition => "aws ecs describe-task-definition",
            EcsServices => "aws ecs describe-services",
            CodeBuildProjects => "aws codebuild batch-get-projects",
            CloudFormationStacks => "aws cloudformation describe-stacks",
            SageMakerNotebook => "aws sagemaker describe-notebook-instance",
            GlueDevEndpoints => "aws glue get-dev-endpoints",
            AppRunnerService => "aws apprunner describe-service",
            Ec2LaunchTemplateVersions => "aws ec2 describe-launch-template-versions",
            ResourcePolicy => {
                "a resource-based policy (`s3api get-bucket-policy`, `kms get-key-policy`, `lambda get-policy`, ...)"
            }
            SqsQueueAttributes => "aws sqs get-queue-attributes",
            SnsTopicAttributes => "aws sns get-topic-attributes",
            SecretResourcePolicy => "aws secretsmanager get-resource-policy",
            EcrRepositoryPolicy => "aws ecr get-repository-policy",
            S3PublicAccessBlock => "aws s3api get-public-access-block",
            S3OwnershipControls => "aws s3api get-bucket-ownership-controls",
            KmsGrants => "aws kms list-grants",
            CredentialReport => "aws iam get-credential-report",
            ServiceLastAccessed => "aws iam get-service-last-accessed-details",
            AccountAliases => "aws iam list-account-aliases",
            CallerIdentity => "aws sts get-caller-identity",
            OrgDescribeOrganization => "aws organizations describe-organization",
            OrgListAccounts => "aws organizations list-accounts",
            OrgListAccountsForParent => "aws organizations list-accounts-for-parent",
            OrgListRoots => "aws organizations list-roots",
            OrgListOrganizationalUnitsForParent => "aws organizations list-organizational-units-for-parent",
            OrgDescribeOrganizationalUnit => "aws organizations describe-organizational-unit",
            OrgListChildren => "aws organizations list-children",
            OrgListParents => "aws organizations list-parents",
            OrgListPolicies => "aws organizations list-policies",
            OrgListPoliciesForTarget => "aws organizations list-policies-for-target",
            OrgDescribePolicy => "aws organizations describe-policy",
            OrgListTargetsForPolicy => "aws organizations list-targets-for-policy",
            RolegraphOrganization => "rolegraph organization file",
            RolegraphCollection => "rolegraph collection record",
        }
    }

    /// Whether the kind belongs to an account (rather than to the organization).
    pub fn is_account_data(self) -> bool {
        if self == ExportKind::RolegraphCollection {
            return false;
        }
        !self.command().starts_with("aws organizations") && self != ExportKind::RolegraphOrganization
    }
}

/// The outcome of recognising a file.
pub enum Recognised {
    Kind(ExportKind),
    /// A known AWS output that rolegraph does not read.
    NotUsed(&'static str),
    Unknown,
}

/// Ids of the Organizations kinds, matched on their documented patterns.
pub fn is_policy_id(s: &str) -> bool {
    s.strip_prefix("p-")
        .is_some_and(|r| (8..=128).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
}

pub fn is_root_id(s: &str) -> bool {
    s.strip_prefix("r-")
        .is_some_and(|r| (4..=32).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

pub fn is_ou_id(s: &str) -> bool {
    s.strip_prefix("ou-").and_then(|r| r.split_once('-')).is_some_and(|(a, b)| {
        (4..=32).contains(&a.len())
            && (8..=32).contains(&b.len())
            && a.bytes().chain(b.bytes()).all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    })
}

pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The ids a file's name gives as context: the `.`-separated parts of the file name, and the
/// name of its folder (except 12-digit ids, since account folders hold account exports).
#[derive(Default, Debug)]
pub struct NameIds {
    pub from_file: Vec<String>,
    pub folder: Option<String>,
}

impl NameIds {
    pub fn of(rel_path: &str) -> NameIds {
        let mut parts = rel_path.rsplit('/');
        let file = parts.next().unwrap_or("");
        let folder = parts.next().map(str::to_owned);
        NameIds { from_file: file.split('.').map(str::to_owned).collect(), folder }
    }

    /// The first id matching `pred`, from the file name, else from the folder (not for
    /// account ids).
    pub fn find(&self, pred: impl Fn(&str) -> bool) -> Option<String> {
        self.from_file
            .iter()
            .find(|p| pred(p))
            .cloned()
            .or_else(|| self.folder.as_ref().filter(|f| !is_account_id(f) && pred(f)).cloned())
    }

    pub fn parent(&self) -> Option<String> {
        self.find(|s| is_root_id(s) || is_ou_id(s))
    }

    pub fn policy(&self) -> Option<String> {
        self.find(is_policy_id)
    }

    pub fn node(&self) -> Option<String> {
        self.find(|s| is_root_id(s) || is_ou_id(s) || is_account_id(s))
    }
}

/// What the file is, from its keys.
pub fn recognise(e: &Export<'_>, names: &NameIds) -> Recognised {
    use ExportKind::*;
    use Recognised::{Kind, NotUsed};
    let has_versions = e.policies.as_ref().is_some_and(|p| p.iter().any(|x| x.policy_version_list.is_some()));
    if e.rolegraph_organization.is_some() {
        return Kind(RolegraphOrganization);
    }
    if e.rolegraph_collection.is_some() {
        return Kind(RolegraphCollection);
    }
    if e.user_detail_list.is_some() || e.group_detail_list.is_some() || e.role_detail_list.is_some() || has_versions {
        return Kind(AuthorizationDetails);
    }
    if e.roles.is_some() {
        return Kind(ListRoles);
    }
    if e.role.is_some() {
        return Kind(GetRole);
    }
    if e.instance_profiles.is_some() {
        return Kind(ListInstanceProfiles);
    }
    if e.instance_profile.is_some() {
        return Kind(GetInstanceProfile);
    }
    if e.reservations.is_some() {
        return Kind(Ec2DescribeInstances);
    }
    if e.iam_instance_profile_associations.is_some() {
        return Kind(Ec2ProfileAssociations);
    }
    if e.functions.is_some() {
        return Kind(LambdaListFunctions);
    }
    if e.configuration.is_some() {
        return Kind(LambdaGetFunction);
    }
    if e.task_definition.is_some() {
        return Kind(EcsTaskDefinition);
    }
    if e.ecs_services.is_some() {
        return Kind(EcsServices);
    }
    if let Some(projects) = &e.codebuild_projects {
        return if projects.iter().all(|p| matches!(p, crate::raw::RawProjectEntry::Name(_))) && !projects.is_empty() {
            NotUsed("`aws codebuild list-projects` (names without service roles: use `batch-get-projects`)")
        } else {
            Kind(CodeBuildProjects)
        };
    }
    if e.stacks.is_some() {
        return Kind(CloudFormationStacks);
    }
    if e.notebook_instance_arn.is_some() {
        return Kind(SageMakerNotebook);
    }
    if e.dev_endpoints.is_some() || e.dev_endpoint.is_some() {
        return Kind(GlueDevEndpoints);
    }
    if e.service.as_ref().is_some_and(|s| s.service_arn.is_some()) {
        return Kind(AppRunnerService);
    }
    if e.launch_template_versions.is_some() {
        return Kind(Ec2LaunchTemplateVersions);
    }
    if e.attributes.as_ref().is_some_and(|a| a.queue_arn.is_some()) {
        return Kind(SqsQueueAttributes);
    }
    if e.attributes.as_ref().is_some_and(|a| a.topic_arn.is_some()) {
        return Kind(SnsTopicAttributes);
    }
    if e.attributes.is_some() {
        return NotUsed("queue or topic attributes without `QueueArn` or `TopicArn` (ask for `--attribute-names All`)");
    }
    if e.resource_policy.is_some() || (e.secret_arn.is_some() && e.policy.is_none()) {
        return Kind(SecretResourcePolicy);
    }
    if e.policy_text.is_some() && e.repository_name.is_some() {
        return Kind(EcrRepositoryPolicy);
    }
    if e.public_access_block_configuration.is_some() {
        return Kind(S3PublicAccessBlock);
    }
    if e.ownership_controls.is_some() {
        return Kind(S3OwnershipControls);
    }
    if e.grants.is_some() {
        return Kind(KmsGrants);
    }
    if e.notebook_instances.is_some() {
        return NotUsed("`aws sagemaker list-notebook-instances` (no roles: use `describe-notebook-instance`)");
    }
    if e.service_summary_list.is_some() {
        return NotUsed("`aws apprunner list-services` (no roles: use `describe-service`)");
    }
    if e.launch_templates.is_some() {
        return NotUsed("`aws ec2 describe-launch-templates` (no instance profiles: use `describe-launch-template-versions`)");
    }
    if e.content.is_some() && (e.report_format.is_some() || e.generated_time.is_some()) {
        return Kind(CredentialReport);
    }
    if e.services_last_accessed.is_some() {
        return Kind(ServiceLastAccessed);
    }
    if e.account_aliases.is_some() {
        return Kind(AccountAliases);
    }
    if e.account.is_some() && e.user_id.is_some() {
        return Kind(CallerIdentity);
    }
    if e.organization.is_some() {
        return Kind(OrgDescribeOrganization);
    }
    if e.accounts.is_some() {
        return if e.parent_id.is_some() || names.parent().is_some() {
            Kind(OrgListAccountsForParent)
        } else {
            Kind(OrgListAccounts)
        };
    }
    if e.roots.is_some() {
        return Kind(OrgListRoots);
    }
    if e.organizational_units.is_some() {
        return Kind(OrgListOrganizationalUnitsForParent);
    }
    if e.organizational_unit.is_some() {
        return Kind(OrgDescribeOrganizationalUnit);
    }
    if e.children.is_some() {
        return Kind(OrgListChildren);
    }
    if e.parents.is_some() {
        return Kind(OrgListParents);
    }
    if e.targets.is_some() {
        return Kind(OrgListTargetsForPolicy);
    }
    if let Some(p) = e.policy {
        return if p.get().trim_start().starts_with('{') { Kind(OrgDescribePolicy) } else { Kind(ResourcePolicy) };
    }
    if let Some(policies) = &e.policies {
        let org = policies.iter().any(|p| p.policy_type.is_some() || p.aws_managed.is_some());
        let iam = policies.iter().any(|p| p.policy_name.is_some());
        if org && !iam {
            return if e.target_id.is_some() || names.node().is_some() {
                Kind(OrgListPoliciesForTarget)
            } else {
                Kind(OrgListPolicies)
            };
        }
        if iam {
            return NotUsed("`aws iam list-policies` (policy metadata without documents)");
        }
        return NotUsed("an empty policy list");
    }
    if e.summary_map.is_some() {
        return NotUsed("`aws iam get-account-summary`");
    }
    if e.records.is_some() {
        return NotUsed("CloudTrail records");
    }
    if e.credentials.is_some() {
        return NotUsed("`aws sts assume-role` credentials");
    }
    if e.state.is_some() {
        return NotUsed("`aws iam generate-credential-report`");
    }
    Recognised::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(is_policy_id("p-FullAWSAccess"));
        assert!(is_policy_id("p-9ns5ife0"));
        assert!(!is_policy_id("p-short"));
        assert!(is_root_id("r-uzto"));
        assert!(!is_root_id("r-policy.json"));
        assert!(is_ou_id("ou-uzto-abcd1234"));
        assert!(!is_ou_id("ou-uzto"));
        assert!(is_account_id("111111111111"));
    }

    #[test]
    fn names_give_context_ids() {
        let n = NameIds::of("org/targets-for-policy.p-9ns5ife0.json");
        assert_eq!(n.policy().as_deref(), Some("p-9ns5ife0"));
        assert_eq!(n.parent(), None);
        let n = NameIds::of("org/ou-uzto-abcd1234/list-accounts-for-parent.json");
        assert_eq!(n.parent().as_deref(), Some("ou-uzto-abcd1234"));
        // An account folder does not make its files about that account.
        let n = NameIds::of("111111111111/organizations-list-policies.json");
        assert_eq!(n.node(), None);
        let n = NameIds::of("org/policies-for-target.111111111111.json");
        assert_eq!(n.node().as_deref(), Some("111111111111"));
    }
}
