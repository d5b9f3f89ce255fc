//! From one parsed export to the model pieces it holds ([`FileOut`]), before accounts are
//! assigned and pieces from several files are merged. Shared helpers: the per-file cache that
//! parses each distinct policy document once, and the vote that tells a file's account from the
//! ARNs in it.

use std::collections::HashMap;

use model::{
    CredentialReport, Ec2Instance, EcsService, EcsTaskDefinition, Gap, GapKind, Group, InstanceProfile, LambdaFunction,
    LastAccessedReport, ManagedPolicy, PolicyDoc, Role, User,
};
use serde_json::value::RawValue;

use crate::kind::{ExportKind, NameIds};
use crate::org::OrgPart;
use crate::raw::Export;

/// What one file contributes.
pub struct FileOut {
    pub kind: ExportKind,
    /// The account the ARNs in the file belong to (the most common one).
    pub account_from_arns: Option<String>,
    pub payload: Payload,
    /// Gaps found in the file; those without an account get the file's account when merged.
    pub gaps: Vec<Gap>,
    pub warnings: Vec<String>,
}

/// The model pieces of one file.
pub enum Payload {
    Iam(IamPart),
    Ec2(Vec<Ec2Instance>),
    /// Instance id → instance profile ARN.
    Associations(Vec<(String, String)>),
    Lambda(Vec<LambdaFunction>),
    EcsTaskDefinitions(Vec<EcsTaskDefinition>),
    EcsServices(Vec<EcsService>),
    /// Resources of other services that run as a role, of one kind.
    Services(model::ServiceKind, Vec<model::ServiceResource>),
    /// Resources with resource-based policies (or their settings), and the kinds of data read.
    Resources(Vec<model::DataKind>, Vec<model::PolicyResource>),
    /// The account's S3 Block Public Access.
    AccountPublicAccessBlock(model::PublicAccessBlock),
    CredentialReport(CredentialReport),
    LastAccessed(LastAccessedReport),
    Aliases(Vec<String>),
    CallerIdentity {
        account: String,
    },
    Org(Box<OrgPart>),
    /// Per account, the kinds of data a live collection gathered (possibly empty).
    Collection(Vec<(String, Vec<model::DataKind>)>),
}

/// Principals, policies and instance profiles from IAM outputs.
#[derive(Default)]
pub struct IamPart {
    pub roles: Vec<Role>,
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    /// Customer-managed and AWS-managed.
    pub policies: Vec<ManagedPolicy>,
    pub instance_profiles: Vec<InstanceProfile>,
    /// `IsTruncated` of a page of paginated output, when present.
    pub truncated: Option<bool>,
    /// The JSON path of each role, user, group and policy, in the order of their lists.
    pub at: IamPaths,
}

/// Where each record of an [`IamPart`] is in its file (`RoleDetailList[3]`).
#[derive(Default)]
pub struct IamPaths {
    pub roles: Vec<String>,
    pub users: Vec<String>,
    pub groups: Vec<String>,
    pub policies: Vec<String>,
}

/// The context of the file being converted.
pub struct FileCtx<'c> {
    /// The file's path relative to the loaded folder, `/`-separated.
    pub rel: &'c str,
    pub names: NameIds,
}

impl FileCtx<'_> {
    /// A gap located in this file at a JSON path.
    pub fn gap(&self, kind: GapKind, json_path: &str, what: impl Into<String>) -> Gap {
        let source = if json_path.is_empty() { self.rel.to_owned() } else { format!("{} at {json_path}", self.rel) };
        Gap::new(None, kind, source, what)
    }
}

/// Parses each distinct document text of a file once; identical documents share storage.
#[derive(Default)]
pub struct DocCache<'a> {
    map: HashMap<&'a str, PolicyDoc, foldhash::fast::RandomState>,
}

impl<'a> DocCache<'a> {
    pub fn get(&mut self, raw: &'a RawValue) -> PolicyDoc {
        self.map.entry(raw.get()).or_insert_with(|| PolicyDoc::from_json_text(raw.get())).clone()
    }

    /// Parses `raw`, recording a gap (with the JSON path) if the document is invalid.
    pub fn doc(
        &mut self,
        raw: &'a RawValue,
        cx: &FileCtx<'_>,
        gaps: &mut Vec<Gap>,
        json_path: impl FnOnce() -> String,
        whose: impl FnOnce() -> String,
    ) -> PolicyDoc {
        let d = self.get(raw);
        if let Some(e) = d.error() {
            gaps.push(
                cx.gap(
                    GapKind::InvalidPolicy,
                    &json_path(),
                    format!("the policy document of {} could not be parsed; it is not evaluated", whose()),
                )
                .with_error(e),
            );
        }
        d
    }
}

/// Counts the account ids of ARNs, to tell which account a file belongs to.
#[derive(Default)]
pub struct AccountVotes {
    counts: HashMap<String, usize>,
}

impl AccountVotes {
    pub fn arn(&mut self, arn: &str) {
        if let Some(a) = policy::Arn::parse(arn) {
            self.id(a.account);
        }
    }

    pub fn id(&mut self, id: &str) {
        if crate::kind::is_account_id(id) {
            if let Some(c) = self.counts.get_mut(id) {
                *c += 1;
            } else {
                self.counts.insert(id.to_owned(), 1);
            }
        }
    }

    /// Adds the votes of another part of the same file.
    pub fn merge(&mut self, other: AccountVotes) {
        for (id, n) in other.counts {
            *self.counts.entry(id).or_default() += n;
        }
    }

    /// The most common account (the smallest id on a tie, for determinism).
    pub fn winner(&self) -> Option<String> {
        self.counts.iter().max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0))).map(|(k, _)| k.clone())
    }
}

/// Converts a recognised export.
pub fn convert<'a>(kind: ExportKind, e: Export<'a>, cx: &FileCtx<'_>) -> FileOut {
    let mut votes = AccountVotes::default();
    let mut gaps = Vec::new();
    let mut warnings = Vec::new();
    let mut docs = DocCache::default();
    use ExportKind::*;
    let payload = match kind {
        AuthorizationDetails | ListRoles | GetRole | ListInstanceProfiles | GetInstanceProfile => {
            Payload::Iam(crate::iam::convert(kind, e, cx, &mut docs, &mut votes, &mut gaps))
        }
        Ec2DescribeInstances => Payload::Ec2(crate::resources::instances(e.reservations.unwrap_or_default(), &mut votes)),
        Ec2ProfileAssociations => Payload::Associations(crate::resources::associations(
            e.iam_instance_profile_associations.unwrap_or_default(),
            &mut votes,
        )),
        LambdaListFunctions => Payload::Lambda(crate::resources::functions(e.functions.unwrap_or_default(), &mut votes)),
        LambdaGetFunction => Payload::Lambda(crate::resources::functions(e.configuration.into_iter().collect(), &mut votes)),
        EcsTaskDefinition => {
            Payload::EcsTaskDefinitions(crate::resources::task_definitions(e.task_definition.into_iter().collect(), &mut votes))
        }
        EcsServices => Payload::EcsServices(crate::resources::services(e.ecs_services.unwrap_or_default(), &mut votes)),
        CodeBuildProjects
        | CloudFormationStacks
        | SageMakerNotebook
        | GlueDevEndpoints
        | AppRunnerService
        | Ec2LaunchTemplateVersions => {
            let (kind, list) = crate::resources::service_resources(kind, e, cx.rel, &mut votes);
            Payload::Services(kind, list)
        }
        ResourcePolicy | SqsQueueAttributes | SnsTopicAttributes | SecretResourcePolicy | EcrRepositoryPolicy
        | S3PublicAccessBlock | S3OwnershipControls | KmsGrants => {
            crate::policies::convert(kind, e, cx, &mut gaps, &mut warnings)
        }
        CredentialReport => {
            match crate::activity::credential_report(e.content.as_deref().unwrap_or(""), e.generated_time, &mut votes) {
                Ok(r) => Payload::CredentialReport(r),
                Err(msg) => {
                    gaps.push(
                        cx.gap(GapKind::MalformedRecord, "Content", "the credential report could not be read").with_error(msg),
                    );
                    Payload::CredentialReport(model::CredentialReport { generated_time: e.generated_time, rows: Vec::new() })
                }
            }
        }
        ServiceLastAccessed => Payload::LastAccessed(crate::activity::last_accessed(e, cx, &mut votes, &mut gaps)),
        AccountAliases => Payload::Aliases(e.account_aliases.unwrap_or_default()),
        CallerIdentity => {
            let account = e.account.unwrap_or_default();
            votes.id(&account);
            Payload::CallerIdentity { account }
        }
        RolegraphCollection => Payload::Collection(crate::collection::convert(e.rolegraph_collection, &mut gaps, &mut warnings)),
        _ => Payload::Org(Box::new(crate::org::convert(kind, e, cx, &mut gaps, &mut warnings))),
    };
    FileOut { kind, account_from_arns: votes.winner(), payload, gaps, warnings }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn votes_pick_the_most_common_account() {
        let mut v = AccountVotes::default();
        v.arn("arn:aws:iam::aws:policy/AdministratorAccess");
        v.arn("arn:aws:iam::222222222222:role/a");
        v.arn("arn:aws:iam::111111111111:role/a");
        v.arn("arn:aws:iam::111111111111:role/b");
        v.arn("not an arn");
        assert_eq!(v.winner().as_deref(), Some("111111111111"));
        let mut v = AccountVotes::default();
        v.id("222222222222");
        v.id("111111111111");
        assert_eq!(v.winner().as_deref(), Some("111111111111"));
        assert_eq!(AccountVotes::default().winner(), None);
    }
}
