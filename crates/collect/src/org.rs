//! AWS Organizations, from the management or a delegated administrator account: the
//! organization, its roots, OUs and accounts with their parents, and the SCPs and RCPs with
//! their content and targets. Outputs that do not name the id they were run for get it both in
//! the file name and as a key (`ParentId`, `PolicyId`), as `docs/export-formats.md` describes.

use std::collections::BTreeSet;

use aws_sdk_organizations::types::{Account, PolicySummary, PolicyType};
use serde_json::{Value, json};

use crate::CollectError;
use crate::call::Calls;
use crate::json::obj;
use crate::progress::Bar;
use crate::write::Folder;

/// An account of the organization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgAccount {
    pub id: String,
    pub name: Option<String>,
    /// `ACTIVE`, `SUSPENDED`, ...
    pub status: Option<String>,
}

fn account(a: &Account) -> Value {
    obj! {
        "Id" => a.id(),
        "Arn" => a.arn(),
        "Email" => a.email(),
        "Name" => a.name(),
        "Status" => a.status().map(|s| s.as_str()),
        "State" => a.state().map(|s| s.as_str()),
        "JoinedMethod" => a.joined_method().map(|m| m.as_str()),
        "JoinedTimestamp" => a.joined_timestamp(),
    }
}

fn summary(p: &PolicySummary) -> Value {
    obj! {
        "Id" => p.id(),
        "Arn" => p.arn(),
        "Name" => p.name(),
        "Description" => p.description(),
        "Type" => p.r#type().map(|t| t.as_str()),
        "AwsManaged" => p.aws_managed(),
    }
}

/// A bound on the depth of the OU tree walk (AWS allows five levels of OUs).
const MAX_DEPTH: usize = 8;

/// Collects the organization into `dir`. `None` when the organization cannot be described (not
/// in one, or denied): a gap says why.
pub async fn collect(
    org: &aws_sdk_organizations::Client,
    calls: &Calls,
    dir: &Folder,
    bar: &Bar,
) -> Result<Option<Vec<OrgAccount>>, CollectError> {
    bar.step("organizations: organization");
    let Some(out) = calls.one("organizations", "DescribeOrganization", org.describe_organization().send()).await else {
        return Ok(None);
    };
    let o = out.organization();
    dir.write(
        "describe-organization.json",
        &json!({ "Organization": o.map(|o| obj! {
            "Id" => o.id(),
            "Arn" => o.arn(),
            "FeatureSet" => o.feature_set().map(|f| f.as_str()),
            "MasterAccountArn" => o.master_account_arn(),
            "MasterAccountId" => o.master_account_id(),
            "MasterAccountEmail" => o.master_account_email(),
        }) }),
    )?;

    bar.step("organizations: roots and OUs");
    let roots = calls.pages("organizations", "ListRoots", org.list_roots().into_paginator().send()).await;
    let mut parents: Vec<(String, usize)> = Vec::new();
    if roots.any() {
        let list: Vec<Value> = roots
            .pages
            .iter()
            .flat_map(|p| p.roots())
            .map(|r| obj! { "Id" => r.id(), "Arn" => r.arn(), "Name" => r.name() })
            .collect();
        parents.extend(roots.pages.iter().flat_map(|p| p.roots()).filter_map(|r| r.id()).map(|id| (id.to_owned(), 0)));
        dir.write("list-roots.json", &json!({ "Roots": list }))?;
    }
    let mut seen: BTreeSet<String> = BTreeSet::new();
    while let Some((parent, depth)) = parents.pop() {
        if !seen.insert(parent.clone()) || depth > MAX_DEPTH {
            continue;
        }
        let ous = calls
            .pages(
                "organizations",
                "ListOrganizationalUnitsForParent",
                org.list_organizational_units_for_parent().parent_id(&parent).into_paginator().send(),
            )
            .await;
        if ous.any() {
            let units: Vec<_> = ous.pages.iter().flat_map(|p| p.organizational_units()).collect();
            parents.extend(units.iter().filter_map(|u| u.id()).map(|id| (id.to_owned(), depth + 1)));
            let list: Vec<Value> = units.iter().map(|u| obj! { "Id" => u.id(), "Arn" => u.arn(), "Name" => u.name() }).collect();
            dir.write(
                &format!("list-organizational-units-for-parent.{parent}.json"),
                &json!({ "OrganizationalUnits": list, "ParentId": parent }),
            )?;
        }
        let accounts = calls
            .pages(
                "organizations",
                "ListAccountsForParent",
                org.list_accounts_for_parent().parent_id(&parent).into_paginator().send(),
            )
            .await;
        if accounts.any() {
            let list: Vec<Value> = accounts.pages.iter().flat_map(|p| p.accounts().iter().map(account)).collect();
            dir.write(&format!("list-accounts-for-parent.{parent}.json"), &json!({ "Accounts": list, "ParentId": parent }))?;
        }
    }

    bar.step("organizations: accounts");
    let accounts = calls.pages("organizations", "ListAccounts", org.list_accounts().into_paginator().send()).await;
    let mut found = Vec::new();
    if accounts.any() {
        let list: Vec<Value> = accounts.pages.iter().flat_map(|p| p.accounts().iter().map(account)).collect();
        dir.write("list-accounts.json", &json!({ "Accounts": list }))?;
        for a in accounts.pages.iter().flat_map(|p| p.accounts()) {
            if let Some(id) = a.id() {
                found.push(OrgAccount {
                    id: id.to_owned(),
                    name: a.name().map(str::to_owned),
                    status: a.status().map(|s| s.as_str().to_owned()),
                });
            }
        }
    }

    bar.step("organizations: policies");
    for kind in [PolicyType::ServiceControlPolicy, PolicyType::ResourceControlPolicy] {
        policies(org, calls, dir, kind).await?;
    }
    Ok(Some(found))
}

/// The policies of one type, each with its content and targets.
async fn policies(
    org: &aws_sdk_organizations::Client,
    calls: &Calls,
    dir: &Folder,
    kind: PolicyType,
) -> Result<(), CollectError> {
    let pages =
        calls.pages("organizations", "ListPolicies", org.list_policies().filter(kind.clone()).into_paginator().send()).await;
    let list: Vec<&PolicySummary> = pages.pages.iter().flat_map(|p| p.policies()).collect();
    if list.is_empty() {
        return Ok(());
    }
    let values: Vec<Value> = list.iter().map(|p| summary(p)).collect();
    dir.write(&format!("list-policies.{}.json", kind.as_str()), &json!({ "Policies": values }))?;
    for id in list.iter().filter_map(|p| p.id()) {
        if let Some(out) = calls.one("organizations", "DescribePolicy", org.describe_policy().policy_id(id).send()).await
            && let Some(p) = out.policy()
        {
            let value = obj! {
                "PolicySummary" => p.policy_summary().map(summary),
                "Content" => p.content(),
            };
            dir.write(&format!("describe-policy.{id}.json"), &json!({ "Policy": value }))?;
        }
        let targets = calls
            .pages("organizations", "ListTargetsForPolicy", org.list_targets_for_policy().policy_id(id).into_paginator().send())
            .await;
        // Partial targets would read as complete: only a full list is written.
        if targets.complete {
            let list: Vec<Value> = targets
                .pages
                .iter()
                .flat_map(|p| p.targets())
                .map(|t| obj! { "TargetId" => t.target_id(), "Arn" => t.arn(), "Name" => t.name(), "Type" => t.r#type().map(|x| x.as_str()) })
                .collect();
            dir.write(&format!("list-targets-for-policy.{id}.json"), &json!({ "Targets": list, "PolicyId": id }))?;
        }
    }
    Ok(())
}
