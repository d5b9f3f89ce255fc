//! The snapshot: every account, the organization, AWS-managed policies shared by all accounts,
//! and the gaps. Lists are sorted by ARN or id, so lookups are binary searches and output is
//! deterministic.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::activity::{CredentialReport, CredentialRow, LastAccessedReport};
use crate::compute::{Ec2Instance, EcsService, EcsTaskDefinition, LambdaFunction, RoleUse, ServiceResource, UseKind};
use crate::doc::PolicyDoc;
use crate::gap::{DataKind, Gap};
use crate::iam::{Group, InstanceProfile, ManagedPolicy, Role, User, is_aws_managed_policy_arn};
use crate::org::{OrgPolicyChain, OrgPolicyType, Organization};
use crate::time::Timestamp;

/// The version of the snapshot format; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything known about a set of accounts at one time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub schema_version: u32,
    /// Sorted by id.
    pub accounts: Vec<Account>,
    /// AWS-managed policies (`arn:aws:iam::aws:policy/...`) found in any export, once each,
    /// sorted by ARN.
    #[serde(default)]
    pub aws_managed_policies: Vec<ManagedPolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<Organization>,
    /// Sorted.
    #[serde(default)]
    pub gaps: Vec<Gap>,
}

impl Default for Snapshot {
    fn default() -> Self {
        Snapshot {
            schema_version: SCHEMA_VERSION,
            accounts: Vec::new(),
            aws_managed_policies: Vec::new(),
            organization: None,
            gaps: Vec::new(),
        }
    }
}

/// One AWS account.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Account {
    /// 12 digits.
    pub id: String,
    /// The account's name in the organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// IAM account aliases.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Which kinds of data the exports had for this account.
    #[serde(default)]
    pub collected: BTreeSet<DataKind>,
    /// Sorted by ARN (all the lists below are).
    #[serde(default)]
    pub roles: Vec<Role>,
    #[serde(default)]
    pub users: Vec<User>,
    #[serde(default)]
    pub groups: Vec<Group>,
    /// Customer-managed policies, with all their versions.
    #[serde(default)]
    pub policies: Vec<ManagedPolicy>,
    #[serde(default)]
    pub instance_profiles: Vec<InstanceProfile>,
    /// Sorted by instance id.
    #[serde(default)]
    pub ec2_instances: Vec<Ec2Instance>,
    #[serde(default)]
    pub lambda_functions: Vec<LambdaFunction>,
    #[serde(default)]
    pub ecs_task_definitions: Vec<EcsTaskDefinition>,
    #[serde(default)]
    pub ecs_services: Vec<EcsService>,
    /// Resources of other services that run as a role (CodeBuild projects, CloudFormation
    /// stacks, ...), sorted by ARN.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub service_resources: Vec<ServiceResource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_report: Option<CredentialReport>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub service_last_accessed: Vec<LastAccessedReport>,
    /// Resources with resource-based policies (buckets, keys, functions, queues, ...), sorted
    /// by ARN.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<crate::resource::PolicyResource>,
    /// The account's S3 Block Public Access (`s3control get-public-access-block`), when read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3_public_access_block: Option<crate::resource::PublicAccessBlock>,
}

fn find_by<'a, T>(items: &'a [T], key: &str, f: impl Fn(&T) -> &str) -> Option<&'a T> {
    items.binary_search_by(|x| f(x).cmp(key)).ok().and_then(|i| items.get(i))
}

impl Account {
    /// A display name: the organization name, else the first alias, else the id.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().or(self.aliases.first().map(String::as_str)).unwrap_or(&self.id)
    }

    /// Whether the exports had this kind of data for the account.
    pub fn has(&self, kind: DataKind) -> bool {
        self.collected.contains(&kind)
    }

    pub fn role(&self, arn: &str) -> Option<&Role> {
        find_by(&self.roles, arn, |r| &r.arn)
    }

    /// A resource with a resource-based policy, by ARN.
    pub fn resource(&self, arn: &str) -> Option<&crate::resource::PolicyResource> {
        find_by(&self.resources, arn, |r| &r.arn)
    }

    /// The role with this name (IAM names are unique per account, case-insensitively).
    pub fn role_by_name(&self, name: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.name == name).or_else(|| self.roles.iter().find(|r| r.name.eq_ignore_ascii_case(name)))
    }

    /// A role from a reference as resources write it: a full ARN, an ARN without the role's
    /// path, or a bare name (ECS accepts names).
    pub fn resolve_role(&self, reference: &str) -> Option<&Role> {
        if let Some(r) = self.role(reference) {
            return Some(r);
        }
        let name = match policy::Arn::parse(reference) {
            Some(a) => {
                let (ty, id) = a.resource_type_and_id();
                if ty != "role" || (!a.account.is_empty() && a.account != self.id) {
                    return None;
                }
                id.rsplit('/').next().unwrap_or(id)
            }
            None => reference,
        };
        self.role_by_name(name)
    }

    pub fn user(&self, arn: &str) -> Option<&User> {
        find_by(&self.users, arn, |u| &u.arn)
    }

    pub fn user_by_name(&self, name: &str) -> Option<&User> {
        self.users.iter().find(|u| u.name == name)
    }

    pub fn group(&self, arn: &str) -> Option<&Group> {
        find_by(&self.groups, arn, |g| &g.arn)
    }

    pub fn group_by_name(&self, name: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.name == name)
    }

    /// A customer-managed policy of this account.
    pub fn policy(&self, arn: &str) -> Option<&ManagedPolicy> {
        find_by(&self.policies, arn, |p| &p.arn)
    }

    pub fn instance_profile(&self, arn: &str) -> Option<&InstanceProfile> {
        find_by(&self.instance_profiles, arn, |p| &p.arn)
    }

    /// The instance profile named by an ARN or by its name, as a launch template names it.
    pub fn resolve_instance_profile(&self, reference: &str) -> Option<&InstanceProfile> {
        self.instance_profile(reference).or_else(|| self.instance_profiles.iter().find(|p| p.name == reference))
    }

    pub fn ec2_instance(&self, id: &str) -> Option<&Ec2Instance> {
        find_by(&self.ec2_instances, id, |i| &i.instance_id)
    }

    pub fn lambda_function(&self, arn: &str) -> Option<&LambdaFunction> {
        find_by(&self.lambda_functions, arn, |f| &f.arn)
    }

    pub fn ecs_task_definition(&self, arn: &str) -> Option<&EcsTaskDefinition> {
        find_by(&self.ecs_task_definitions, arn, |t| &t.arn)
    }

    /// The credential-report row of a user (by ARN), or of the root user (`...:root`).
    pub fn credentials(&self, arn: &str) -> Option<&CredentialRow> {
        self.credential_report.as_ref().and_then(|r| r.rows.iter().find(|row| row.arn == arn))
    }

    /// The root user's credential-report row.
    pub fn root_credentials(&self) -> Option<&CredentialRow> {
        self.credential_report.as_ref().and_then(|r| r.rows.iter().find(|row| row.is_root()))
    }

    /// The users in a group.
    pub fn group_members<'a>(&'a self, group_name: &'a str) -> impl Iterator<Item = &'a User> + 'a {
        self.users.iter().filter(move |u| u.groups.iter().any(|g| g == group_name))
    }

    /// Every resource of this account that uses a role, grouped by the role's ARN. References
    /// that name no known role are grouped under the reference as written.
    pub fn role_uses(&self) -> BTreeMap<String, Vec<RoleUse>> {
        let mut out: BTreeMap<String, Vec<RoleUse>> = BTreeMap::new();
        let key =
            |reference: &str| -> String { self.resolve_role(reference).map_or_else(|| reference.to_owned(), |r| r.arn.clone()) };
        let mut profile_roles: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for p in &self.instance_profiles {
            for r in &p.role_arns {
                let role = key(r);
                profile_roles.entry(&p.arn).or_default().push(role.clone());
                out.entry(role).or_default().push(RoleUse {
                    kind: UseKind::InstanceProfile,
                    resource: p.arn.clone(),
                    name: p.name.clone(),
                    account_id: self.id.clone(),
                    region: None,
                    via: None,
                });
            }
        }
        for i in &self.ec2_instances {
            let Some(profile) = &i.instance_profile_arn else { continue };
            for role in profile_roles.get(profile.as_str()).into_iter().flatten() {
                out.entry(role.clone()).or_default().push(RoleUse {
                    kind: UseKind::Ec2Instance,
                    resource: i.instance_id.clone(),
                    name: i.name.clone().unwrap_or_else(|| i.instance_id.clone()),
                    account_id: self.id.clone(),
                    region: i.region.clone(),
                    via: Some(profile.clone()),
                });
            }
        }
        for f in &self.lambda_functions {
            let Some(role) = &f.role_arn else { continue };
            out.entry(key(role)).or_default().push(RoleUse {
                kind: UseKind::LambdaFunction,
                resource: f.arn.clone(),
                name: f.name.clone(),
                account_id: self.id.clone(),
                region: f.region.clone(),
                via: None,
            });
        }
        for t in &self.ecs_task_definitions {
            let name = match t.revision {
                Some(r) => format!("{}:{r}", t.family),
                None => t.family.clone(),
            };
            for (role, kind) in [(&t.task_role_arn, UseKind::EcsTaskRole), (&t.execution_role_arn, UseKind::EcsExecutionRole)] {
                let Some(role) = role else { continue };
                out.entry(key(role)).or_default().push(RoleUse {
                    kind,
                    resource: t.arn.clone(),
                    name: name.clone(),
                    account_id: self.id.clone(),
                    region: t.region.clone(),
                    via: None,
                });
            }
        }
        for s in &self.ecs_services {
            if let Some(role) = &s.role_arn {
                out.entry(key(role)).or_default().push(self.service_use(s, UseKind::EcsServiceRole, None));
            }
            let Some(td_ref) = &s.task_definition_arn else { continue };
            let Some(td) = self.ecs_task_definition(td_ref) else { continue };
            for (role, kind) in
                [(&td.task_role_arn, UseKind::EcsServiceTaskRole), (&td.execution_role_arn, UseKind::EcsServiceExecutionRole)]
            {
                let Some(role) = role else { continue };
                out.entry(key(role)).or_default().push(self.service_use(s, kind, Some(td.arn.clone())));
            }
        }
        for r in &self.service_resources {
            let mut add = |role: String, via: Option<String>| {
                out.entry(role).or_default().push(RoleUse {
                    kind: UseKind::Service(r.kind),
                    resource: r.arn.clone(),
                    name: r.name.clone(),
                    account_id: self.id.clone(),
                    region: r.region.clone(),
                    via,
                });
            };
            if let Some(role) = &r.role_arn {
                add(key(role), None);
            }
            for profile in &r.instance_profiles {
                let Some(p) = self.resolve_instance_profile(profile) else { continue };
                for role in profile_roles.get(p.arn.as_str()).into_iter().flatten() {
                    add(role.clone(), Some(p.arn.clone()));
                }
            }
        }
        for uses in out.values_mut() {
            uses.sort();
            uses.dedup();
        }
        out
    }

    fn service_use(&self, s: &EcsService, kind: UseKind, via: Option<String>) -> RoleUse {
        RoleUse {
            kind,
            resource: s.arn.clone(),
            name: s.name.clone(),
            account_id: self.id.clone(),
            region: s.region.clone(),
            via,
        }
    }

    /// The resources that use one role (see [`Account::role_uses`] to get all at once).
    pub fn resources_using_role(&self, role_arn: &str) -> Vec<RoleUse> {
        self.role_uses().remove(role_arn).unwrap_or_default()
    }

    /// Sorts every list, for lookups and deterministic output.
    pub fn sort(&mut self) {
        self.roles.sort_by(|a, b| a.arn.cmp(&b.arn));
        self.users.sort_by(|a, b| a.arn.cmp(&b.arn));
        self.groups.sort_by(|a, b| a.arn.cmp(&b.arn));
        self.policies.sort_by(|a, b| a.arn.cmp(&b.arn));
        self.instance_profiles.sort_by(|a, b| a.arn.cmp(&b.arn));
        self.ec2_instances.sort_by(|a, b| a.instance_id.cmp(&b.instance_id));
        self.lambda_functions.sort_by(|a, b| a.arn.cmp(&b.arn));
        self.ecs_task_definitions.sort_by(|a, b| a.arn.cmp(&b.arn));
        self.ecs_services.sort_by(|a, b| a.arn.cmp(&b.arn));
        self.service_resources.sort_by(|a, b| a.arn.cmp(&b.arn));
        self.resources.sort_by(|a, b| a.arn.cmp(&b.arn));
        if let Some(r) = &mut self.credential_report {
            r.rows.sort_by(|a, b| a.arn.cmp(&b.arn));
        }
        self.service_last_accessed.sort_by(|a, b| (&a.entity_arn, &a.source).cmp(&(&b.entity_arn, &b.source)));
        self.aliases.sort();
    }
}

/// Where an identity policy of a principal comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicySource<'a> {
    /// An inline policy of the principal, by name.
    Inline { name: &'a str },
    /// An inline policy of a group the user is in.
    GroupInline { group: &'a str, name: &'a str },
    /// A managed policy attached to the principal.
    Managed { arn: &'a str },
    /// A managed policy attached to a group the user is in.
    GroupManaged { group: &'a str, arn: &'a str },
}

/// The policies that make up a principal's permissions.
#[derive(Clone, Debug)]
pub struct PrincipalPolicies<'a> {
    /// Identity policies with their source; a managed policy whose document the exports lack
    /// is listed with `None`.
    pub identity: Vec<(PolicySource<'a>, Option<&'a PolicyDoc>)>,
    /// The permissions boundary ARN and its default document, if any.
    pub boundary: Option<(&'a str, Option<&'a PolicyDoc>)>,
    /// Whether the principal's policies are known (see [`Role::policies_known`]).
    pub known: bool,
}

impl Snapshot {
    /// An empty snapshot of the current schema version.
    pub fn new() -> Snapshot {
        Snapshot::default()
    }

    /// The time the snapshot shows: the newest time its exports record (a credential report's
    /// generation, a role's last use, a creation). The exports were taken at or after it;
    /// `None` when they record no time.
    pub fn time(&self) -> Option<Timestamp> {
        let mut newest: Option<Timestamp> = None;
        let mut see = |t: Option<Timestamp>| {
            if let Some(t) = t {
                newest = Some(newest.map_or(t, |n| n.max(t)));
            }
        };
        for a in &self.accounts {
            see(a.credential_report.as_ref().and_then(|r| r.generated_time));
            for r in &a.roles {
                see(r.create_date);
                see(r.role_last_used.as_ref().and_then(|u| u.date));
            }
            for u in &a.users {
                see(u.create_date);
            }
        }
        newest
    }

    pub fn account(&self, id: &str) -> Option<&Account> {
        find_by(&self.accounts, id, |a| &a.id)
    }

    /// Every role of every account.
    pub fn roles(&self) -> impl Iterator<Item = &Role> {
        self.accounts.iter().flat_map(|a| a.roles.iter())
    }

    /// Every user of every account.
    pub fn users(&self) -> impl Iterator<Item = &User> {
        self.accounts.iter().flat_map(|a| a.users.iter())
    }

    /// The role with this ARN.
    pub fn role(&self, arn: &str) -> Option<&Role> {
        let account = policy::Arn::parse(arn)?.account;
        self.account(account)?.role(arn)
    }

    /// Roles matching a user's query: an ARN (exact), else a role name in any account (exact
    /// first, then case-insensitive), else `ACCOUNT/NAME` or `ACCOUNT:NAME`. Several roles can
    /// share a name across accounts.
    pub fn find_roles(&self, query: &str) -> Vec<&Role> {
        if query.starts_with("arn:") {
            return self.role(query).into_iter().collect();
        }
        for sep in ['/', ':'] {
            if let Some((acct, name)) = query.split_once(sep)
                && let Some(a) = self.account(acct).or_else(|| self.accounts.iter().find(|a| a.display_name() == acct))
            {
                return a.role_by_name(name).into_iter().collect();
            }
        }
        let exact: Vec<&Role> = self.roles().filter(|r| r.name == query).collect();
        if !exact.is_empty() {
            return exact;
        }
        self.roles().filter(|r| r.name.eq_ignore_ascii_case(query)).collect()
    }

    /// A managed policy by ARN: AWS-managed ones from the shared list, customer-managed ones
    /// from the account in the ARN.
    pub fn managed_policy(&self, arn: &str) -> Option<&ManagedPolicy> {
        if is_aws_managed_policy_arn(arn) {
            return find_by(&self.aws_managed_policies, arn, |p| &p.arn);
        }
        let account = policy::Arn::parse(arn)?.account;
        self.account(account)?.policy(arn)
    }

    fn managed_doc(&self, arn: &str) -> Option<&PolicyDoc> {
        self.managed_policy(arn).and_then(ManagedPolicy::default_document)
    }

    /// The identity policies and boundary of a role.
    pub fn role_policies<'a>(&'a self, role: &'a Role) -> PrincipalPolicies<'a> {
        let mut identity: Vec<(PolicySource<'a>, Option<&'a PolicyDoc>)> = Vec::new();
        for p in &role.inline_policies {
            identity.push((PolicySource::Inline { name: &p.name }, Some(&p.document)));
        }
        for arn in &role.attached_managed_policies {
            identity.push((PolicySource::Managed { arn }, self.managed_doc(arn)));
        }
        let boundary = role.permissions_boundary.as_deref().map(|b| (b, self.managed_doc(b)));
        PrincipalPolicies { identity, boundary, known: role.policies_known }
    }

    /// The identity policies (own and through groups) and boundary of a user.
    pub fn user_policies<'a>(&'a self, user: &'a User) -> PrincipalPolicies<'a> {
        let mut identity: Vec<(PolicySource<'a>, Option<&'a PolicyDoc>)> = Vec::new();
        for p in &user.inline_policies {
            identity.push((PolicySource::Inline { name: &p.name }, Some(&p.document)));
        }
        for arn in &user.attached_managed_policies {
            identity.push((PolicySource::Managed { arn }, self.managed_doc(arn)));
        }
        if let Some(account) = self.account(&user.account_id) {
            for gname in &user.groups {
                let Some(g) = account.group_by_name(gname) else { continue };
                for p in &g.inline_policies {
                    identity.push((PolicySource::GroupInline { group: &g.name, name: &p.name }, Some(&p.document)));
                }
                for arn in &g.attached_managed_policies {
                    identity.push((PolicySource::GroupManaged { group: &g.name, arn }, self.managed_doc(arn)));
                }
            }
        }
        let boundary = user.permissions_boundary.as_deref().map(|b| (b, self.managed_doc(b)));
        PrincipalPolicies { identity, boundary, known: user.policies_known }
    }

    /// The resources that use a role.
    pub fn resources_using_role(&self, role: &Role) -> Vec<RoleUse> {
        self.account(&role.account_id).map(|a| a.resources_using_role(&role.arn)).unwrap_or_default()
    }

    /// The SCPs or RCPs that apply to an account, level by level; `None` without organization
    /// data or when the account is not a member.
    pub fn org_policy_chain(&self, account_id: &str, policy_type: &OrgPolicyType) -> Option<OrgPolicyChain<'_>> {
        self.organization.as_ref()?.policy_chain(account_id, policy_type)
    }

    /// Whether an account id belongs to the organization (or to the snapshot, without one).
    pub fn is_known_account(&self, account_id: &str) -> bool {
        self.account(account_id).is_some() || self.organization.as_ref().is_some_and(|o| o.account(account_id).is_some())
    }

    /// The gaps of one account, and those of no account.
    pub fn gaps_for(&self, account_id: &str) -> impl Iterator<Item = &Gap> {
        self.gaps.iter().filter(move |g| g.account.as_deref().is_none_or(|a| a == account_id))
    }

    /// Sorts everything, for lookups and deterministic output.
    pub fn sort(&mut self) {
        self.accounts.sort_by(|a, b| a.id.cmp(&b.id));
        for a in &mut self.accounts {
            a.sort();
        }
        self.aws_managed_policies.sort_by(|a, b| a.arn.cmp(&b.arn));
        if let Some(o) = &mut self.organization {
            o.sort();
        }
        self.gaps.sort();
        self.gaps.dedup();
    }
}
