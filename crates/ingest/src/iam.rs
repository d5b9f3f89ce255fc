//! IAM outputs → roles, users, groups, managed policies and instance profiles:
//! `get-account-authorization-details` (the principals with all their policies), `list-roles`
//! and `get-role` (what the authorization details lack: max session duration, description),
//! and `list-instance-profiles` / `get-instance-profile`.

use model::{
    GapKind, Group, InlinePolicy, InstanceProfile, ManagedPolicy, PolicyVersion, Role, RoleLastUsed, Tag, User,
    is_aws_managed_policy_arn, version_order,
};

use crate::convert::{AccountVotes, DocCache, FileCtx, IamPart};
use crate::kind::ExportKind;
use crate::raw::{Export, RawAttached, RawGroup, RawInline, RawInstanceProfile, RawPolicyEntry, RawRole, RawTag, RawUser};

pub fn convert<'a>(
    kind: ExportKind,
    e: Export<'a>,
    cx: &FileCtx<'_>,
    docs: &mut DocCache<'a>,
    votes: &mut AccountVotes,
    gaps: &mut Vec<model::Gap>,
) -> IamPart {
    let mut part = IamPart { truncated: e.is_truncated, ..IamPart::default() };
    let mut c = Conv { cx, docs, votes, gaps };
    match kind {
        ExportKind::AuthorizationDetails => {
            let roles = e.role_detail_list.unwrap_or_default();
            let (roles, profiles) = role_details(roles, &mut c);
            (part.roles, part.at.roles) = roles.into_iter().unzip();
            part.instance_profiles = profiles;
            for (i, u) in e.user_detail_list.unwrap_or_default().into_iter().enumerate() {
                let at = format!("UserDetailList[{i}]");
                part.users.push(c.user(u, &at));
                part.at.users.push(at);
            }
            for (i, g) in e.group_detail_list.unwrap_or_default().into_iter().enumerate() {
                let at = format!("GroupDetailList[{i}]");
                part.groups.push(c.group(g, &at));
                part.at.groups.push(at);
            }
            for (i, p) in e.policies.unwrap_or_default().into_iter().enumerate() {
                let at = format!("Policies[{i}]");
                if let Some(p) = c.policy(p, &at) {
                    part.policies.push(p);
                    part.at.policies.push(at);
                }
            }
        }
        ExportKind::ListRoles | ExportKind::GetRole => {
            let roles: Vec<(String, RawRole<'a>)> = match (e.roles, e.role) {
                (Some(list), _) => list.into_iter().enumerate().map(|(i, r)| (format!("Roles[{i}]"), r)).collect(),
                (None, Some(r)) => vec![("Role".to_owned(), r)],
                (None, None) => Vec::new(),
            };
            for (at, r) in roles {
                part.roles.push(c.role(r, false, &at));
                part.at.roles.push(at);
            }
        }
        ExportKind::ListInstanceProfiles | ExportKind::GetInstanceProfile => {
            let profiles: Vec<(String, RawInstanceProfile<'a>)> = match (e.instance_profiles, e.instance_profile) {
                (Some(list), _) => list.into_iter().enumerate().map(|(i, p)| (format!("InstanceProfiles[{i}]"), p)).collect(),
                (None, Some(p)) => vec![("InstanceProfile".to_owned(), p)],
                (None, None) => Vec::new(),
            };
            for (at, p) in profiles {
                part.instance_profiles.push(c.instance_profile_shell(&p, &at));
                for (j, r) in p.roles.into_iter().enumerate() {
                    let rat = format!("{at}.Roles[{j}]");
                    part.roles.push(c.role(r, false, &rat));
                    part.at.roles.push(rat);
                }
            }
        }
        _ => {}
    }
    part
}

/// Below this many roles, a file's roles are converted on the calling thread.
const PARALLEL_ROLES: usize = 4_096;

/// Converts the `RoleDetailList`, in parallel chunks for large files (each chunk with its own
/// document cache), keeping the order; each role with its JSON path.
fn role_details<'a>(roles: Vec<RawRole<'a>>, c: &mut Conv<'_, 'a, '_>) -> (Vec<(Role, String)>, Vec<InstanceProfile>) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if roles.len() < PARALLEL_ROLES || threads < 2 {
        return role_chunk(roles, 0, c);
    }
    let chunk = roles.len().div_ceil(threads);
    let mut chunks: Vec<Vec<RawRole<'a>>> = Vec::new();
    let mut rest = roles;
    while rest.len() > chunk {
        let tail = rest.split_off(chunk);
        chunks.push(rest);
        rest = tail;
    }
    chunks.push(rest);
    let cx = c.cx;
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .into_iter()
            .enumerate()
            .map(|(n, list)| {
                s.spawn(move || {
                    let mut docs = DocCache::default();
                    let mut votes = AccountVotes::default();
                    let mut gaps = Vec::new();
                    let mut c = Conv { cx, docs: &mut docs, votes: &mut votes, gaps: &mut gaps };
                    let out = role_chunk(list, n * chunk, &mut c);
                    (out, votes, gaps)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join()).collect()
    });
    let mut roles = Vec::new();
    let mut profiles = Vec::new();
    for r in results {
        match r {
            Ok(((r, p), votes, gaps)) => {
                roles.extend(r);
                profiles.extend(p);
                c.votes.merge(votes);
                c.gaps.extend(gaps);
            }
            // A conversion thread panicked: say so rather than lose roles silently.
            Err(_) => c.gaps.push(c.cx.gap(GapKind::MalformedRecord, "RoleDetailList", "some roles could not be converted")),
        }
    }
    (roles, profiles)
}

fn role_chunk<'a>(
    roles: Vec<RawRole<'a>>,
    offset: usize,
    c: &mut Conv<'_, 'a, '_>,
) -> (Vec<(Role, String)>, Vec<InstanceProfile>) {
    let mut out = Vec::with_capacity(roles.len());
    let mut profiles = Vec::new();
    for (i, mut r) in roles.into_iter().enumerate() {
        let at = format!("RoleDetailList[{}]", offset + i);
        // The copies of roles inside instance profiles sometimes carry fields the role itself
        // lacks (a permissions boundary); they are merged as partial records.
        let mut nested = Vec::new();
        for (j, mut p) in std::mem::take(&mut r.instance_profile_list).unwrap_or_default().into_iter().enumerate() {
            let pat = format!("{at}.InstanceProfileList[{j}]");
            profiles.push(c.instance_profile_shell(&p, &pat));
            for (k, inner) in std::mem::take(&mut p.roles).into_iter().enumerate() {
                let rat = format!("{pat}.Roles[{k}]");
                nested.push((c.role(inner, false, &rat), rat));
            }
            r.instance_profile_list.get_or_insert_with(Vec::new).push(p);
        }
        let role = c.role(r, true, &at);
        out.push((role, at));
        out.extend(nested);
    }
    (out, profiles)
}

struct Conv<'x, 'a, 'c> {
    cx: &'x FileCtx<'c>,
    docs: &'x mut DocCache<'a>,
    votes: &'x mut AccountVotes,
    gaps: &'x mut Vec<model::Gap>,
}

fn tags(t: Option<Vec<RawTag>>) -> Vec<Tag> {
    let mut out: Vec<Tag> = t.unwrap_or_default().into_iter().map(|t| Tag { key: t.key, value: t.value }).collect();
    out.sort();
    out
}

fn attached(a: Option<Vec<RawAttached>>) -> Vec<String> {
    let mut out: Vec<String> = a.unwrap_or_default().into_iter().map(|a| a.policy_arn).collect();
    out.sort();
    out.dedup();
    out
}

impl<'a> Conv<'_, 'a, '_> {
    fn inline(&mut self, list: Option<Vec<RawInline<'a>>>, at: &str, key: &str, whose: &str) -> Vec<InlinePolicy> {
        let mut out: Vec<InlinePolicy> = list
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                let document = self.docs.doc(
                    p.policy_document,
                    self.cx,
                    self.gaps,
                    || format!("{at}.{key}[{i}].PolicyDocument"),
                    || format!("inline policy `{}` of {whose}", p.policy_name),
                );
                InlinePolicy { name: p.policy_name, document }
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }

    fn role(&mut self, r: RawRole<'a>, detail: bool, at: &str) -> Role {
        self.votes.arn(&r.arn);
        let whose = format!("role `{}`", r.arn);
        let trust_policy = r.assume_role_policy_document.map(|raw| {
            self.docs.doc(
                raw,
                self.cx,
                self.gaps,
                || format!("{at}.AssumeRolePolicyDocument"),
                || format!("the trust policy of {whose}"),
            )
        });
        let inline_policies = self.inline(r.role_policy_list, at, "RolePolicyList", &whose);
        let mut instance_profile_arns: Vec<String> = r.instance_profile_list.iter().flatten().map(|p| p.arn.clone()).collect();
        instance_profile_arns.sort();
        instance_profile_arns.dedup();
        Role {
            name: r.role_name,
            path: r.path.unwrap_or_else(|| "/".to_owned()),
            id: r.role_id.unwrap_or_default(),
            account_id: String::new(),
            create_date: r.create_date,
            description: r.description.filter(|d| !d.is_empty()),
            max_session_duration: r.max_session_duration,
            role_last_used: r.role_last_used.map(|u| RoleLastUsed { date: u.last_used_date, region: u.region }),
            permissions_boundary: r.permissions_boundary.and_then(|b| b.permissions_boundary_arn),
            tags: tags(r.tags),
            trust_policy,
            inline_policies,
            attached_managed_policies: attached(r.attached_managed_policies),
            instance_profile_arns,
            policies_known: detail,
            arn: r.arn,
        }
    }

    fn user(&mut self, u: RawUser<'a>, at: &str) -> User {
        self.votes.arn(&u.arn);
        let whose = format!("user `{}`", u.arn);
        let inline_policies = self.inline(u.user_policy_list, at, "UserPolicyList", &whose);
        let mut groups = u.group_list;
        groups.sort();
        groups.dedup();
        User {
            name: u.user_name,
            path: u.path.unwrap_or_else(|| "/".to_owned()),
            id: u.user_id.unwrap_or_default(),
            account_id: String::new(),
            create_date: u.create_date,
            permissions_boundary: u.permissions_boundary.and_then(|b| b.permissions_boundary_arn),
            tags: tags(u.tags),
            groups,
            inline_policies,
            attached_managed_policies: attached(u.attached_managed_policies),
            policies_known: true,
            arn: u.arn,
        }
    }

    fn group(&mut self, g: RawGroup<'a>, at: &str) -> Group {
        self.votes.arn(&g.arn);
        let whose = format!("group `{}`", g.arn);
        let inline_policies = self.inline(g.group_policy_list, at, "GroupPolicyList", &whose);
        Group {
            name: g.group_name,
            path: g.path.unwrap_or_else(|| "/".to_owned()),
            id: g.group_id.unwrap_or_default(),
            account_id: String::new(),
            create_date: g.create_date,
            inline_policies,
            attached_managed_policies: attached(g.attached_managed_policies),
            arn: g.arn,
        }
    }

    fn policy(&mut self, p: RawPolicyEntry<'a>, at: &str) -> Option<ManagedPolicy> {
        let Some(arn) = p.arn else {
            self.gaps.push(self.cx.gap(GapKind::MalformedRecord, at, "a managed policy without `Arn` was skipped"));
            return None;
        };
        let aws_managed = is_aws_managed_policy_arn(&arn);
        if !aws_managed {
            self.votes.arn(&arn);
        }
        let mut versions = Vec::new();
        for (i, v) in p.policy_version_list.unwrap_or_default().into_iter().enumerate() {
            let Some(raw) = v.document else {
                self.gaps.push(self.cx.gap(
                    GapKind::MalformedRecord,
                    &format!("{at}.PolicyVersionList[{i}]"),
                    format!("version `{}` of policy `{arn}` has no document", v.version_id),
                ));
                continue;
            };
            let document = self.docs.doc(
                raw,
                self.cx,
                self.gaps,
                || format!("{at}.PolicyVersionList[{i}].Document"),
                || format!("version `{}` of policy `{arn}`", v.version_id),
            );
            versions.push(PolicyVersion {
                version_id: v.version_id,
                is_default: v.is_default_version,
                create_date: v.create_date,
                document,
            });
        }
        versions.sort_by(|a, b| version_order(&a.version_id, &b.version_id));
        Some(ManagedPolicy {
            name: p.policy_name.unwrap_or_else(|| arn.rsplit('/').next().unwrap_or_default().to_owned()),
            path: p.path.unwrap_or_else(|| "/".to_owned()),
            id: p.policy_id.unwrap_or_default(),
            aws_managed,
            default_version_id: p.default_version_id,
            attachment_count: if aws_managed { None } else { p.attachment_count },
            permissions_boundary_usage_count: if aws_managed { None } else { p.permissions_boundary_usage_count },
            description: p.description.filter(|d| !d.is_empty()),
            create_date: p.create_date,
            update_date: p.update_date,
            versions,
            arn,
        })
    }

    /// An instance profile, with the ARNs of the roles it contains.
    fn instance_profile_shell(&mut self, p: &RawInstanceProfile<'a>, _at: &str) -> InstanceProfile {
        self.votes.arn(&p.arn);
        let mut role_arns: Vec<String> = p.roles.iter().map(|r| r.arn.clone()).collect();
        role_arns.sort();
        role_arns.dedup();
        InstanceProfile {
            arn: p.arn.clone(),
            name: p.instance_profile_name.clone(),
            path: p.path.clone().unwrap_or_else(|| "/".to_owned()),
            id: p.instance_profile_id.clone().unwrap_or_default(),
            account_id: String::new(),
            create_date: p.create_date,
            role_arns,
            tags: p
                .tags
                .as_ref()
                .map(|t| t.iter().map(|t| Tag { key: t.key.clone(), value: t.value.clone() }).collect())
                .unwrap_or_default(),
        }
    }
}
