//! Assembling the snapshot from what every file gave: telling each file's account, merging the
//! pieces of an account from several outputs (authorization details, `list-roles`, instance
//! profiles, ...), tying the organization together, and recording what is missing as gaps.

use std::collections::{BTreeMap, BTreeSet};

use model::{
    Account, CredentialReport, DataKind, Ec2Instance, EcsService, EcsTaskDefinition, Gap, GapKind, Group, InstanceProfile,
    LambdaFunction, LastAccessedReport, ManagedPolicy, Role, Snapshot, User, is_aws_managed_policy_arn,
};

use crate::conflict::{self, Origin};
use crate::convert::{FileOut, IamPart, Payload};
use crate::kind::{ExportKind, is_account_id};
use crate::org::OrgPart;
use crate::read::Outcome;
use crate::{FileSummary, Loaded};

/// The data of one account, merged by ARN or id.
#[derive(Default)]
struct AccountBuilder {
    collected: BTreeSet<DataKind>,
    roles: BTreeMap<String, Role>,
    users: BTreeMap<String, User>,
    groups: BTreeMap<String, Group>,
    policies: BTreeMap<String, ManagedPolicy>,
    instance_profiles: BTreeMap<String, InstanceProfile>,
    instances: BTreeMap<String, Ec2Instance>,
    associations: Vec<(String, String)>,
    functions: BTreeMap<String, LambdaFunction>,
    task_definitions: BTreeMap<String, EcsTaskDefinition>,
    services: BTreeMap<String, EcsService>,
    /// Keyed by ARN (relative for the kinds whose ARN is built once the account is known).
    service_resources: BTreeMap<String, model::ServiceResource>,
    credential_report: Option<CredentialReport>,
    last_accessed: Vec<LastAccessedReport>,
    /// Resources with resource-based policies, by ARN.
    resources: BTreeMap<String, model::PolicyResource>,
    s3_public_access_block: Option<model::PublicAccessBlock>,
    aliases: BTreeSet<String>,
    pages_truncated: usize,
    pages_final: usize,
    /// Where the first copy of each role, user, group and customer-managed policy was read.
    first_seen: BTreeMap<String, Origin>,
    /// `conflicting_record` gaps, given the account when it is finished.
    conflicts: Vec<Gap>,
}

fn fill<T: Clone>(into: &mut Option<T>, from: Option<T>) {
    if into.is_none() {
        *into = from;
    }
}

/// Merges two records of the same role; the one with known policies wins, the other fills in.
fn merge_role(into: &mut Role, mut from: Role) {
    if from.policies_known && !into.policies_known {
        std::mem::swap(into, &mut from);
    }
    fill(&mut into.create_date, from.create_date);
    fill(&mut into.description, from.description);
    fill(&mut into.max_session_duration, from.max_session_duration);
    fill(&mut into.role_last_used, from.role_last_used);
    fill(&mut into.permissions_boundary, from.permissions_boundary);
    fill(&mut into.trust_policy, from.trust_policy);
    if into.id.is_empty() {
        into.id = from.id;
    }
    if into.tags.is_empty() {
        into.tags = from.tags;
    }
    into.instance_profile_arns.extend(from.instance_profile_arns);
    into.instance_profile_arns.sort();
    into.instance_profile_arns.dedup();
}

fn merge_profile(into: &mut InstanceProfile, from: InstanceProfile) {
    into.role_arns.extend(from.role_arns);
    into.role_arns.sort();
    into.role_arns.dedup();
    fill(&mut into.create_date, from.create_date);
    if into.id.is_empty() {
        into.id = from.id;
    }
    if into.tags.is_empty() {
        into.tags = from.tags;
    }
}

/// Keeps one copy of each AWS-managed policy: the most recently updated.
fn keep_newer(map: &mut BTreeMap<String, ManagedPolicy>, p: ManagedPolicy) {
    match map.get(&p.arn) {
        Some(old) if old.update_date >= p.update_date && !old.versions.is_empty() => {}
        _ => {
            map.insert(p.arn.clone(), p);
        }
    }
}

impl AccountBuilder {
    /// Notes where a record was read; when it was seen before with different content
    /// (`differences` not empty), records a `conflicting_record` gap naming both places.
    fn seen(&mut self, what: &str, arn: &str, here: Origin, differences: &[&str]) {
        match self.first_seen.get(arn) {
            None => {
                self.first_seen.insert(arn.to_owned(), here);
            }
            Some(first) if !differences.is_empty() => {
                let text = format!(
                    "{what} `{arn}` appears twice with different {}: in {first} and in {here}; the analysis uses the union of their permissions",
                    differences.join(", ")
                );
                self.conflicts.push(Gap::new(None, GapKind::ConflictingRecord, format!("{} at {}", first.file, first.at), text));
            }
            Some(_) => {}
        }
    }

    fn add_iam(&mut self, kind: ExportKind, rel: &str, part: IamPart, aws_managed: &mut BTreeMap<String, ManagedPolicy>) {
        match kind {
            ExportKind::AuthorizationDetails => {
                self.collected.insert(DataKind::AuthorizationDetails);
                self.collected.insert(DataKind::InstanceProfiles);
                match part.truncated {
                    Some(true) => self.pages_truncated += 1,
                    _ => self.pages_final += 1,
                }
            }
            ExportKind::ListRoles | ExportKind::GetRole => {
                self.collected.insert(DataKind::RoleList);
            }
            _ => {
                self.collected.insert(DataKind::InstanceProfiles);
            }
        }
        let origin = |at: Option<String>| Origin { file: rel.to_owned(), at: at.unwrap_or_default() };
        let mut paths = part.at.roles.into_iter();
        for r in part.roles {
            let here = origin(paths.next());
            let differences = match self.roles.get_mut(&r.arn) {
                Some(old) => {
                    let differences = conflict::role_differences(old, &r);
                    if differences.is_empty() {
                        merge_role(old, r.clone());
                    } else {
                        let before = old.clone();
                        merge_role(old, r.clone());
                        conflict::union_role(old, &before);
                        conflict::union_role(old, &r);
                    }
                    differences
                }
                None => {
                    self.roles.insert(r.arn.clone(), r.clone());
                    Vec::new()
                }
            };
            self.seen("role", &r.arn, here, &differences);
        }
        let mut paths = part.at.users.into_iter();
        for u in part.users {
            let here = origin(paths.next());
            let differences = match self.users.get_mut(&u.arn) {
                Some(old) => {
                    let d = conflict::user_differences(old, &u);
                    if !d.is_empty() {
                        conflict::union_user(old, &u);
                    }
                    d
                }
                None => {
                    self.users.insert(u.arn.clone(), u.clone());
                    Vec::new()
                }
            };
            self.seen("user", &u.arn, here, &differences);
        }
        let mut paths = part.at.groups.into_iter();
        for g in part.groups {
            let here = origin(paths.next());
            let differences = match self.groups.get_mut(&g.arn) {
                Some(old) => {
                    let d = conflict::group_differences(old, &g);
                    if !d.is_empty() {
                        conflict::union_group(old, &g);
                    }
                    d
                }
                None => {
                    self.groups.insert(g.arn.clone(), g.clone());
                    Vec::new()
                }
            };
            self.seen("group", &g.arn, here, &differences);
        }
        let mut paths = part.at.policies.into_iter();
        for p in part.policies {
            let here = origin(paths.next());
            if p.aws_managed {
                keep_newer(aws_managed, p);
                continue;
            }
            let differences = match self.policies.get_mut(&p.arn) {
                Some(old) => {
                    let d = conflict::policy_differences(old, &p);
                    if !d.is_empty() {
                        conflict::union_policy(old, &p);
                    }
                    d
                }
                None => {
                    self.policies.insert(p.arn.clone(), p.clone());
                    Vec::new()
                }
            };
            self.seen("managed policy", &p.arn, here, &differences);
        }
        for p in part.instance_profiles {
            match self.instance_profiles.get_mut(&p.arn) {
                Some(old) => merge_profile(old, p),
                None => {
                    self.instance_profiles.insert(p.arn.clone(), p);
                }
            }
        }
    }

    fn add(&mut self, rel: &str, out: FileOut, aws_managed: &mut BTreeMap<String, ManagedPolicy>) {
        match out.payload {
            Payload::Iam(part) => self.add_iam(out.kind, rel, part, aws_managed),
            Payload::Ec2(list) => {
                self.collected.insert(DataKind::Ec2Instances);
                for i in list {
                    self.instances.entry(i.instance_id.clone()).or_insert(i);
                }
            }
            Payload::Associations(list) => {
                self.collected.insert(DataKind::Ec2ProfileAssociations);
                self.associations.extend(list);
            }
            Payload::Lambda(list) => {
                self.collected.insert(DataKind::LambdaFunctions);
                for f in list {
                    self.functions.entry(f.arn.clone()).or_insert(f);
                }
            }
            Payload::EcsTaskDefinitions(list) => {
                self.collected.insert(DataKind::EcsTaskDefinitions);
                for t in list {
                    self.task_definitions.entry(t.arn.clone()).or_insert(t);
                }
            }
            Payload::EcsServices(list) => {
                self.collected.insert(DataKind::EcsServices);
                for s in list {
                    self.services.entry(s.arn.clone()).or_insert(s);
                }
            }
            Payload::Services(kind, list) => {
                self.collected.insert(kind.data_kind());
                for r in list {
                    match self.service_resources.get_mut(&r.arn) {
                        Some(old) => {
                            for p in r.instance_profiles {
                                if !old.instance_profiles.contains(&p) {
                                    old.instance_profiles.push(p);
                                }
                            }
                            fill(&mut old.region, r.region);
                            fill(&mut old.role_arn, r.role_arn);
                            old.batch_builds |= r.batch_builds;
                        }
                        None => {
                            self.service_resources.insert(r.arn.clone(), r);
                        }
                    }
                }
            }
            Payload::Resources(kinds, list) => {
                self.collected.extend(kinds);
                for r in list {
                    match self.resources.get_mut(&r.arn) {
                        Some(old) => old.merge(r),
                        None => {
                            self.resources.insert(r.arn.clone(), r);
                        }
                    }
                }
            }
            Payload::AccountPublicAccessBlock(b) => {
                self.collected.insert(DataKind::S3PublicAccessBlock);
                self.s3_public_access_block = Some(b);
            }
            Payload::CredentialReport(r) => {
                self.collected.insert(DataKind::CredentialReport);
                // The most recent report wins.
                if self.credential_report.as_ref().is_none_or(|old| old.generated_time < r.generated_time) {
                    self.credential_report = Some(r);
                }
            }
            Payload::LastAccessed(r) => {
                self.collected.insert(DataKind::ServiceLastAccessed);
                self.last_accessed.push(r);
            }
            Payload::Aliases(a) => {
                self.collected.insert(DataKind::AccountAliases);
                self.aliases.extend(a);
            }
            Payload::CallerIdentity { .. } => {
                self.collected.insert(DataKind::CallerIdentity);
            }
            Payload::Org(_) => {}
            Payload::Collection(_) => {}
        }
    }

    fn finish(mut self, id: &str, gaps: &mut Vec<Gap>) -> Account {
        for (instance, profile) in std::mem::take(&mut self.associations) {
            let e = self.instances.entry(instance.clone()).or_insert_with(|| Ec2Instance {
                instance_id: instance,
                account_id: String::new(),
                region: None,
                name: None,
                state: None,
                instance_type: None,
                instance_profile_arn: None,
                public_ip: None,
                private_ip: None,
                vpc_id: None,
                subnet_id: None,
                imds_http_tokens: None,
                launch_time: None,
                tags: Vec::new(),
            });
            e.instance_profile_arn.get_or_insert(profile);
        }
        // Instance profiles and roles name each other; make both sides agree.
        for p in self.instance_profiles.values() {
            for r in &p.role_arns {
                if let Some(role) = self.roles.get_mut(r)
                    && !role.instance_profile_arns.contains(&p.arn)
                {
                    role.instance_profile_arns.push(p.arn.clone());
                    role.instance_profile_arns.sort();
                }
            }
        }
        let mut account = Account {
            id: id.to_owned(),
            name: None,
            aliases: self.aliases.into_iter().collect(),
            collected: self.collected,
            roles: self.roles.into_values().collect(),
            users: self.users.into_values().collect(),
            groups: self.groups.into_values().collect(),
            policies: self.policies.into_values().collect(),
            instance_profiles: self.instance_profiles.into_values().collect(),
            ec2_instances: self.instances.into_values().collect(),
            lambda_functions: self.functions.into_values().collect(),
            ecs_task_definitions: self.task_definitions.into_values().collect(),
            ecs_services: self.services.into_values().collect(),
            service_resources: self.service_resources.into_values().collect(),
            credential_report: self.credential_report,
            service_last_accessed: self.last_accessed,
            resources: self.resources.into_values().collect(),
            s3_public_access_block: self.s3_public_access_block,
        };
        set_account_ids(&mut account);
        for mut g in self.conflicts {
            g.account = Some(id.to_owned());
            gaps.push(g);
        }
        if self.pages_truncated > 0 && self.pages_final == 0 {
            gaps.push(Gap::new(
                Some(id),
                GapKind::Truncated,
                DataKind::AuthorizationDetails.command(),
                format!("{} page(s) of authorization details say `IsTruncated` and no last page was found: principals or policies may be missing", self.pages_truncated),
            ));
        }
        account.sort();
        account
    }
}

fn set_account_ids(a: &mut Account) {
    let id = a.id.clone();
    a.roles.iter_mut().for_each(|x| x.account_id.clone_from(&id));
    a.users.iter_mut().for_each(|x| x.account_id.clone_from(&id));
    a.groups.iter_mut().for_each(|x| x.account_id.clone_from(&id));
    a.instance_profiles.iter_mut().for_each(|x| x.account_id.clone_from(&id));
    a.ec2_instances.iter_mut().for_each(|x| x.account_id.clone_from(&id));
    a.lambda_functions.iter_mut().for_each(|x| x.account_id.clone_from(&id));
    a.ecs_task_definitions.iter_mut().for_each(|x| x.account_id.clone_from(&id));
    a.ecs_services.iter_mut().for_each(|x| x.account_id.clone_from(&id));
    a.resources.iter_mut().for_each(|x| crate::policies::set_account(x, &id));
    let partition = a.roles.first().and_then(|r| policy::Arn::parse(&r.arn)).map_or("aws", |x| x.partition).to_owned();
    for r in &mut a.service_resources {
        r.account_id.clone_from(&id);
        // Glue development endpoints and launch templates: `devEndpoint/NAME`,
        // `launch-template/ID` until now; an unknown region stays empty in the ARN.
        if !r.arn.starts_with("arn:") {
            let service = if r.kind == model::ServiceKind::GlueDevEndpoint { "glue" } else { "ec2" };
            r.arn = format!("arn:{partition}:{service}:{}:{id}:{}", r.region.as_deref().unwrap_or(""), r.arn);
        }
    }
}

fn parent_folder(rel: &str) -> &str {
    rel.rfind('/').and_then(|i| rel.get(..i)).unwrap_or("")
}

/// The account of each folder: the most common account of the ARNs in its files, else its
/// `sts get-caller-identity`, else its name if it is 12 digits, else its parent's.
fn folder_accounts(files: &[(String, Outcome)]) -> BTreeMap<String, Option<String>> {
    let mut votes: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
    let mut callers: BTreeMap<&str, &str> = BTreeMap::new();
    let mut folders: BTreeSet<String> = BTreeSet::new();
    for (rel, outcome) in files {
        let folder = parent_folder(rel);
        let mut f = folder;
        loop {
            folders.insert(f.to_owned());
            if f.is_empty() {
                break;
            }
            f = parent_folder(f);
        }
        let Outcome::Read(out) = outcome else { continue };
        if let Payload::CallerIdentity { account } = &out.payload {
            if is_account_id(account) {
                callers.entry(folder).or_insert(account);
            }
        } else if out.kind.is_account_data()
            && let Some(a) = &out.account_from_arns
        {
            *votes.entry(folder).or_default().entry(a).or_default() += 1;
        }
    }
    let mut result: BTreeMap<String, Option<String>> = BTreeMap::new();
    // BTreeSet order puts a parent before its children.
    for folder in folders {
        let own = votes
            .get(folder.as_str())
            .and_then(|v| v.iter().max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0))).map(|(a, _)| (*a).to_owned()))
            .or_else(|| callers.get(folder.as_str()).map(|a| (*a).to_owned()))
            .or_else(|| {
                let name = folder.rsplit('/').next().unwrap_or("");
                is_account_id(name).then(|| name.to_owned())
            });
        let value = own.or_else(|| if folder.is_empty() { None } else { result.get(parent_folder(&folder)).cloned().flatten() });
        result.insert(folder, value);
    }
    result
}

/// Builds the snapshot from the outcome of every file, in file order.
pub fn build(files: Vec<(String, Outcome)>) -> Loaded {
    let folder_account = folder_accounts(&files);
    let mut accounts: BTreeMap<String, AccountBuilder> = BTreeMap::new();
    let mut aws_managed: BTreeMap<String, ManagedPolicy> = BTreeMap::new();
    let mut org_parts: Vec<OrgPart> = Vec::new();
    let mut gaps: Vec<Gap> = Vec::new();
    let mut warnings: Vec<String> = Vec::new();
    let mut summaries: Vec<FileSummary> = Vec::new();
    for (rel, outcome) in files {
        let out = match outcome {
            Outcome::Skipped(reason) => {
                warnings.push(format!("skipped `{rel}`: {reason}"));
                summaries.push(FileSummary { path: rel, kind: None, account: None, note: Some(reason) });
                continue;
            }
            Outcome::Read(out) => *out,
        };
        let mut out = out;
        warnings.append(&mut out.warnings);
        let kind = out.kind;
        if !kind.is_account_data() {
            gaps.append(&mut out.gaps);
            if let Payload::Collection(list) = &out.payload {
                for (id, kinds) in list {
                    accounts.entry(id.clone()).or_default().collected.extend(kinds.iter().copied());
                }
            }
            if let Payload::Org(part) = out.payload {
                org_parts.push(*part);
            }
            summaries.push(FileSummary { path: rel, kind: Some(kind), account: None, note: None });
            continue;
        }
        let account = match &out.payload {
            Payload::CallerIdentity { account } if is_account_id(account) => Some(account.clone()),
            _ => out.account_from_arns.clone().or_else(|| folder_account.get(parent_folder(&rel)).cloned().flatten()),
        };
        let Some(account) = account else {
            let what = format!(
                "the account of `{rel}` ({}) could not be told: no ARN, no `sts get-caller-identity`, no 12-digit folder name; it was not used",
                kind.command()
            );
            warnings.push(what.clone());
            gaps.push(Gap::new(None, GapKind::UnattributedData, rel.clone(), what));
            summaries.push(FileSummary { path: rel, kind: Some(kind), account: None, note: Some("account unknown".to_owned()) });
            continue;
        };
        for mut g in std::mem::take(&mut out.gaps) {
            g.account.get_or_insert_with(|| account.clone());
            gaps.push(g);
        }
        accounts.entry(account.clone()).or_default().add(&rel, out, &mut aws_managed);
        summaries.push(FileSummary { path: rel, kind: Some(kind), account: Some(account), note: None });
    }
    let organization = crate::org::assemble(org_parts, &mut gaps);
    let mut snapshot = Snapshot {
        accounts: accounts.into_iter().map(|(id, b)| b.finish(&id, &mut gaps)).collect(),
        aws_managed_policies: aws_managed.into_values().collect(),
        organization,
        ..Snapshot::default()
    };
    if let Some(org) = &snapshot.organization {
        for a in &mut snapshot.accounts {
            a.name = org.account(&a.id).and_then(|o| o.name.clone());
        }
    }
    crate::build_gaps::account_gaps(&snapshot, &mut gaps);
    snapshot.gaps = gaps;
    snapshot.sort();
    Loaded { snapshot, warnings, files: summaries }
}

/// Whether a managed policy ARN is resolved by the snapshot.
pub(crate) fn policy_known(s: &Snapshot, account: &Account, arn: &str) -> bool {
    if is_aws_managed_policy_arn(arn) {
        s.managed_policy(arn).is_some()
    } else {
        account.policy(arn).is_some() || s.managed_policy(arn).is_some()
    }
}
