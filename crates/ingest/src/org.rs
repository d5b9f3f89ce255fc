//! Organizations outputs → the organization tree and its SCPs and RCPs.
//!
//! Several outputs do not say what they are about (`list-targets-for-policy` has no policy id,
//! `list-organizational-units-for-parent` no parent id, ...): the id comes from the file's
//! name or folder (see [`crate::kind::NameIds`]), or from a key added to the file (`PolicyId`,
//! `ParentId`, `TargetId`, `ChildId`). rolegraph's own organization file says the whole tree.

use std::collections::{BTreeMap, BTreeSet};

use model::{
    FULL_AWS_ACCESS_RCP, FULL_AWS_ACCESS_SCP, Gap, GapKind, OrgAccount, OrgPolicy, OrgPolicyType, OrgRoot, OrgUnit, Organization,
    PolicyDoc,
};

use crate::convert::FileCtx;
use crate::kind::{ExportKind, is_account_id};
use crate::raw::{Export, RawDescribedPolicy, RawOrgAccount, RawOu, RawPolicyEntry};

/// The organization data of one file.
#[derive(Default)]
pub struct OrgPart {
    pub header: Option<Organization>,
    pub roots: Vec<OrgRoot>,
    pub ous: Vec<OrgUnit>,
    pub accounts: Vec<OrgAccount>,
    pub policies: Vec<OrgPolicy>,
    /// Policy id → all its targets (from `list-targets-for-policy` or the tree file).
    pub targets: Vec<(String, Vec<String>)>,
    /// Target id → all the policies attached to it (`list-policies-for-target`).
    pub policies_for_target: Vec<(String, Vec<String>)>,
    /// (parent, child) links.
    pub links: Vec<(String, String)>,
}

fn account(a: RawOrgAccount) -> OrgAccount {
    OrgAccount {
        id: a.id,
        arn: a.arn,
        name: a.name,
        email: a.email,
        status: a.status.or(a.state),
        joined_method: a.joined_method,
        joined_timestamp: a.joined_timestamp,
        parent_id: a.parent_id,
    }
}

fn ou(o: RawOu) -> OrgUnit {
    OrgUnit { id: o.id, arn: o.arn, name: o.name, parent_id: o.parent_id }
}

fn summary(p: &RawPolicyEntry<'_>) -> Option<OrgPolicy> {
    Some(OrgPolicy {
        id: p.id.clone()?,
        arn: p.arn.clone(),
        name: p.name.clone(),
        description: p.description.clone().filter(|d| !d.is_empty()),
        policy_type: OrgPolicyType::parse(p.policy_type.as_deref().unwrap_or("SERVICE_CONTROL_POLICY")),
        aws_managed: p.aws_managed.unwrap_or(false),
        document: None,
        document_from_aws_default: false,
        targets: None,
    })
}

pub fn convert(kind: ExportKind, e: Export<'_>, cx: &FileCtx<'_>, gaps: &mut Vec<Gap>, warnings: &mut Vec<String>) -> OrgPart {
    use ExportKind::*;
    let mut part = OrgPart::default();
    let unattributed = |gaps: &mut Vec<Gap>, warnings: &mut Vec<String>, what: &str| {
        warnings.push(format!("`{}`: {what}", cx.rel));
        gaps.push(cx.gap(GapKind::UnattributedData, "", what.to_owned()));
    };
    match kind {
        OrgDescribeOrganization => {
            if let Some(o) = e.organization {
                part.header = Some(Organization {
                    id: o.id,
                    arn: o.arn,
                    feature_set: o.feature_set,
                    management_account_id: o.master_account_id,
                    management_account_email: o.master_account_email,
                    ..Organization::default()
                });
            }
        }
        OrgListAccounts => part.accounts = e.accounts.unwrap_or_default().into_iter().map(account).collect(),
        OrgListAccountsForParent => {
            let parent = e.parent_id.or_else(|| cx.names.parent());
            part.accounts = e.accounts.unwrap_or_default().into_iter().map(account).collect();
            if let Some(p) = parent {
                part.links = part.accounts.iter().map(|a| (p.clone(), a.id.clone())).collect();
            }
        }
        OrgListRoots => {
            part.roots =
                e.roots.unwrap_or_default().into_iter().map(|r| OrgRoot { id: r.id, arn: r.arn, name: r.name }).collect();
        }
        OrgListOrganizationalUnitsForParent => {
            part.ous = e.organizational_units.unwrap_or_default().into_iter().map(ou).collect();
            match e.parent_id.or_else(|| cx.names.parent()) {
                Some(p) => part.links = part.ous.iter().map(|o| (p.clone(), o.id.clone())).collect(),
                None if part.ous.iter().any(|o| o.parent_id.is_none()) => unattributed(
                    gaps,
                    warnings,
                    "the parent of these organizational units is unknown: name the file or its folder after the parent id, or add `ParentId`",
                ),
                None => {}
            }
        }
        OrgDescribeOrganizationalUnit => part.ous = e.organizational_unit.into_iter().map(ou).collect(),
        OrgListChildren => match e.parent_id.or_else(|| cx.names.parent()) {
            Some(p) => part.links = e.children.unwrap_or_default().into_iter().map(|c| (p.clone(), c.id)).collect(),
            None => unattributed(
                gaps,
                warnings,
                "the parent of these children is unknown: name the file after the parent id, or add `ParentId`",
            ),
        },
        OrgListParents => match e.child_id.or_else(|| cx.names.node()) {
            Some(c) => part.links = e.parents.unwrap_or_default().into_iter().map(|p| (p.id, c.clone())).collect(),
            None => unattributed(
                gaps,
                warnings,
                "the child of these parents is unknown: name the file after the child id, or add `ChildId`",
            ),
        },
        OrgListPolicies => part.policies = e.policies.unwrap_or_default().iter().filter_map(summary).collect(),
        OrgListPoliciesForTarget => {
            let list = e.policies.unwrap_or_default();
            part.policies = list.iter().filter_map(summary).collect();
            if let Some(t) = e.target_id.or_else(|| cx.names.node()) {
                part.policies_for_target.push((t, part.policies.iter().map(|p| p.id.clone()).collect()));
            }
        }
        OrgDescribePolicy => {
            let described = e.policy.map(|raw| serde_json::from_str::<RawDescribedPolicy>(raw.get()));
            match described {
                Some(Ok(d)) => {
                    let s = d.policy_summary;
                    let document = d.content.as_deref().map(PolicyDoc::from_policy_text);
                    if let Some(err) = document.as_ref().and_then(|d| d.error()) {
                        gaps.push(
                            cx.gap(
                                GapKind::InvalidPolicy,
                                "Policy.Content",
                                format!("the content of policy `{}` could not be parsed; it is not evaluated", s.id),
                            )
                            .with_error(err),
                        );
                    }
                    part.policies.push(OrgPolicy {
                        id: s.id,
                        arn: s.arn,
                        name: s.name,
                        description: s.description.filter(|d| !d.is_empty()),
                        policy_type: OrgPolicyType::parse(s.policy_type.as_deref().unwrap_or("SERVICE_CONTROL_POLICY")),
                        aws_managed: s.aws_managed.unwrap_or(false),
                        document,
                        document_from_aws_default: false,
                        targets: None,
                    });
                }
                Some(Err(err)) => {
                    gaps.push(
                        cx.gap(GapKind::MalformedRecord, "Policy", "the policy could not be read").with_error(err.to_string()),
                    );
                }
                None => {}
            }
        }
        OrgListTargetsForPolicy => match e.policy_id.or_else(|| cx.names.policy()) {
            Some(p) => part.targets.push((p, e.targets.unwrap_or_default().into_iter().map(|t| t.target_id).collect())),
            None => unattributed(
                gaps,
                warnings,
                "the policy of these targets is unknown: name the file or its folder after the policy id (`targets.p-xxxxxxxx.json`), or add `PolicyId`",
            ),
        },
        RolegraphOrganization => {
            if let Some(t) = e.rolegraph_organization {
                part.header =
                    Some(Organization { id: t.id, management_account_id: t.management_account_id, ..Organization::default() });
                part.roots = t.roots.into_iter().map(|r| OrgRoot { id: r.id, arn: r.arn, name: r.name }).collect();
                part.ous = t.organizational_units.into_iter().map(ou).collect();
                part.accounts = t.accounts.into_iter().map(account).collect();
                for (i, p) in t.policies.into_iter().enumerate() {
                    let document = p.content.as_deref().map(PolicyDoc::from_policy_text);
                    if let Some(err) = document.as_ref().and_then(|d| d.error()) {
                        gaps.push(
                            cx.gap(
                                GapKind::InvalidPolicy,
                                &format!("RolegraphOrganization.Policies[{i}].Content"),
                                format!("the content of policy `{}` could not be parsed; it is not evaluated", p.id),
                            )
                            .with_error(err),
                        );
                    }
                    if let Some(t) = p.targets {
                        part.targets.push((p.id.clone(), t));
                    }
                    part.policies.push(OrgPolicy {
                        id: p.id,
                        arn: None,
                        name: p.name,
                        description: p.description,
                        policy_type: OrgPolicyType::parse(&p.policy_type),
                        aws_managed: p.aws_managed.unwrap_or(false),
                        document,
                        document_from_aws_default: false,
                        targets: None,
                    });
                }
            }
        }
        _ => {}
    }
    part
}

fn fill<T: Clone>(into: &mut Option<T>, from: &Option<T>) {
    if into.is_none() {
        into.clone_from(from);
    }
}

/// Merges the parts of every file into one organization, or `None` if there were none.
pub fn assemble(parts: Vec<OrgPart>, gaps: &mut Vec<Gap>) -> Option<Organization> {
    if parts.is_empty() {
        return None;
    }
    let mut org = Organization::default();
    let mut roots: BTreeMap<String, OrgRoot> = BTreeMap::new();
    let mut ous: BTreeMap<String, OrgUnit> = BTreeMap::new();
    let mut accounts: BTreeMap<String, OrgAccount> = BTreeMap::new();
    let mut policies: BTreeMap<String, OrgPolicy> = BTreeMap::new();
    let mut targets: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut for_target: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut links: Vec<(String, String)> = Vec::new();
    for p in parts {
        if let Some(h) = p.header {
            fill(&mut org.id, &h.id);
            fill(&mut org.arn, &h.arn);
            fill(&mut org.feature_set, &h.feature_set);
            fill(&mut org.management_account_id, &h.management_account_id);
            fill(&mut org.management_account_email, &h.management_account_email);
        }
        for r in p.roots {
            let e = roots.entry(r.id.clone()).or_insert_with(|| r.clone());
            fill(&mut e.arn, &r.arn);
            fill(&mut e.name, &r.name);
        }
        for o in p.ous {
            let e = ous.entry(o.id.clone()).or_insert_with(|| o.clone());
            fill(&mut e.arn, &o.arn);
            fill(&mut e.name, &o.name);
            fill(&mut e.parent_id, &o.parent_id);
        }
        for a in p.accounts {
            let e = accounts.entry(a.id.clone()).or_insert_with(|| a.clone());
            fill(&mut e.arn, &a.arn);
            fill(&mut e.name, &a.name);
            fill(&mut e.email, &a.email);
            fill(&mut e.status, &a.status);
            fill(&mut e.joined_method, &a.joined_method);
            fill(&mut e.joined_timestamp, &a.joined_timestamp);
            fill(&mut e.parent_id, &a.parent_id);
        }
        for pol in p.policies {
            let e = policies.entry(pol.id.clone()).or_insert_with(|| pol.clone());
            fill(&mut e.arn, &pol.arn);
            fill(&mut e.name, &pol.name);
            fill(&mut e.description, &pol.description);
            fill(&mut e.document, &pol.document);
            e.aws_managed |= pol.aws_managed;
        }
        for (pid, t) in p.targets {
            targets.entry(pid).or_default().extend(t);
        }
        for (t, pids) in p.policies_for_target {
            for_target.entry(t).or_default().extend(pids);
        }
        links.extend(p.links);
    }
    for (parent, child) in links {
        if child.starts_with("ou-") {
            let e =
                ous.entry(child.clone()).or_insert_with(|| OrgUnit { id: child.clone(), arn: None, name: None, parent_id: None });
            e.parent_id.get_or_insert(parent);
        } else if is_account_id(&child) {
            let e = accounts.entry(child.clone()).or_insert_with(|| OrgAccount {
                id: child.clone(),
                arn: None,
                name: None,
                email: None,
                status: None,
                joined_method: None,
                joined_timestamp: None,
                parent_id: None,
            });
            e.parent_id.get_or_insert(parent);
        }
    }
    if roots.is_empty() {
        // A parent id of the root form names the root.
        for id in ous.values().filter_map(|o| o.parent_id.clone()).chain(accounts.values().filter_map(|a| a.parent_id.clone())) {
            if id.starts_with("r-") {
                roots.entry(id.clone()).or_insert(OrgRoot { id, arn: None, name: None });
            }
        }
    }
    // `list-policies-for-target` for every node of the tree says every policy's targets.
    let nodes: BTreeSet<&String> = roots.keys().chain(ous.keys()).chain(accounts.keys()).collect();
    let every_node_listed = !nodes.is_empty() && nodes.iter().all(|n| for_target.contains_key(*n));
    let mut inverted: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (t, pids) in &for_target {
        for p in pids {
            inverted.entry(p.clone()).or_default().insert(t.clone());
        }
    }
    for (id, p) in &mut policies {
        if let Some(t) = targets.get(id) {
            p.targets = Some(t.iter().cloned().collect());
        } else if every_node_listed {
            p.targets = Some(inverted.get(id).map(|t| t.iter().cloned().collect()).unwrap_or_default());
        }
        if p.document.is_none() && p.aws_managed {
            let text = match (&p.policy_type, p.name.as_deref()) {
                (OrgPolicyType::ServiceControlPolicy, Some("FullAWSAccess")) => Some(FULL_AWS_ACCESS_SCP),
                (OrgPolicyType::ResourceControlPolicy, Some("RCPFullAWSAccess")) => Some(FULL_AWS_ACCESS_RCP),
                _ => None,
            };
            if let Some(text) = text {
                p.document = Some(PolicyDoc::from_policy_text(text));
                p.document_from_aws_default = true;
            }
        }
    }
    for (pid, _) in targets.iter().filter(|(pid, _)| !policies.contains_key(*pid)) {
        gaps.push(Gap::new(
            None,
            GapKind::UnresolvedReference,
            "organization",
            format!("targets were exported for policy `{pid}`, which no policy list names"),
        ));
    }
    org.roots = roots.into_values().collect();
    org.organizational_units = ous.into_values().collect();
    org.accounts = accounts.into_values().collect();
    org.policies = policies.into_values().collect();
    org.sort();
    for p in org.policies.iter().filter(|p| !matches!(p.policy_type, OrgPolicyType::Other(_))) {
        let label = if p.policy_type == OrgPolicyType::ServiceControlPolicy { "SCP" } else { "RCP" };
        if p.document.is_none() {
            gaps.push(Gap::new(
                None,
                GapKind::MissingData,
                "aws organizations describe-policy",
                format!("the content of {label} `{}` is unknown", p.id),
            ));
        }
        if p.targets.is_none() {
            gaps.push(Gap::new(
                None,
                GapKind::MissingData,
                "aws organizations list-targets-for-policy",
                format!("the targets of {label} `{}` are unknown", p.id),
            ));
        }
    }
    if !org.accounts.is_empty() && !org.policies.iter().any(|p| p.policy_type == OrgPolicyType::ServiceControlPolicy) {
        gaps.push(Gap::new(
            None,
            GapKind::MissingData,
            "aws organizations list-policies",
            "no SCP data: service control policies are unknown",
        ));
    }
    Some(org)
}
