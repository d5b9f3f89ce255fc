//! The privileged-action lists: actions known to allow privilege escalation, credential
//! exposure, data access or resource exposure, from policy_sentry's audit lists (MIT) and
//! primeharbor/sensitive_iam_actions (CC0), merged by `cargo run -p xtask -- access-data` into
//! `data/privileged-actions.json` and embedded. Each list is resolved once against the catalog
//! into an [`ActionSet`]; names the catalog does not know are kept aside (they match nothing).
//! A few actions the upstream lists lack are added here (see `EXTRA`), and a few that hand out
//! nothing new are taken out (see `REMOVED`).

use std::sync::OnceLock;

use catalog::{ActionSet, Catalog};
use serde::Serialize;

use crate::build::PrivilegedActionsFile;

static EMBEDDED: &str = include_str!("../data/privileged-actions.json");

/// rolegraph's own additions to the upstream lists, which lack them: reading secrets and
/// parameters exposes the credentials stored there.
const EXTRA: &[(ListKind, &[&str])] = &[(
    ListKind::CredentialExposure,
    &["secretsmanager:GetSecretValue", "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
)];

/// Actions rolegraph takes out of the upstream lists, with why: they hand out nothing the
/// principal does not already have. `ecr:GetAuthorizationToken` returns a token that "can be
/// used to access any Amazon ECR registry that your IAM principal has access to" (Amazon ECR
/// API reference): the Docker client's login, with exactly the principal's own ECR
/// permissions; every ECS task execution role and image scanner holds it.
const REMOVED: &[(ListKind, &[&str])] = &[(ListKind::CredentialExposure, &["ecr:GetAuthorizationToken"])];

/// The embedded file's text, for the staleness test.
pub fn embedded_text() -> &'static str {
    EMBEDDED
}

/// A category of privileged actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ListKind {
    PrivilegeEscalation,
    CredentialExposure,
    DataAccess,
    ResourceExposure,
}

impl ListKind {
    pub const ALL: [ListKind; 4] =
        [ListKind::PrivilegeEscalation, ListKind::CredentialExposure, ListKind::DataAccess, ListKind::ResourceExposure];

    pub fn as_str(self) -> &'static str {
        match self {
            ListKind::PrivilegeEscalation => "privilege-escalation",
            ListKind::CredentialExposure => "credential-exposure",
            ListKind::DataAccess => "data-access",
            ListKind::ResourceExposure => "resource-exposure",
        }
    }
}

/// The lists resolved against the catalog.
#[derive(Debug)]
pub struct Lists {
    pub sources: Vec<String>,
    sets: Vec<(ListKind, ActionSet)>,
    /// Names in the lists that the catalog does not know.
    pub unknown: Vec<String>,
}

impl Lists {
    /// The embedded lists, resolved once.
    pub fn get() -> &'static Lists {
        static LISTS: OnceLock<Lists> = OnceLock::new();
        LISTS.get_or_init(|| {
            let file: PrivilegedActionsFile = serde_json::from_str(EMBEDDED).unwrap_or_default();
            Lists::resolve(&file, Catalog::get())
        })
    }

    fn resolve(file: &PrivilegedActionsFile, cat: &Catalog) -> Lists {
        let mut unknown = Vec::new();
        let mut set_of = |names: &[String]| {
            let mut s = cat.empty_set();
            for n in names {
                match cat.action(n) {
                    Some(id) => {
                        s.insert(id);
                    }
                    None => unknown.push(n.clone()),
                }
            }
            s
        };
        let extra = |kind: ListKind| -> Vec<String> {
            EXTRA.iter().filter(|(k, _)| *k == kind).flat_map(|(_, names)| names.iter().map(|n| (*n).to_owned())).collect()
        };
        let with_extra = |kind: ListKind, names: &[String]| -> Vec<String> {
            let removed: Vec<&str> =
                REMOVED.iter().filter(|(k, _)| *k == kind).flat_map(|(_, names)| names.iter().copied()).collect();
            let mut all: Vec<String> =
                names.iter().filter(|n| !removed.iter().any(|r| r.eq_ignore_ascii_case(n))).cloned().collect();
            all.extend(extra(kind));
            all
        };
        let sets = vec![
            (ListKind::PrivilegeEscalation, set_of(&with_extra(ListKind::PrivilegeEscalation, &file.privilege_escalation))),
            (ListKind::CredentialExposure, set_of(&with_extra(ListKind::CredentialExposure, &file.credential_exposure))),
            (ListKind::DataAccess, set_of(&with_extra(ListKind::DataAccess, &file.data_access))),
            (ListKind::ResourceExposure, set_of(&with_extra(ListKind::ResourceExposure, &file.resource_exposure))),
        ];
        unknown.sort();
        unknown.dedup();
        Lists { sources: file.sources.clone(), sets, unknown }
    }

    /// The actions of one list.
    pub fn set(&self, kind: ListKind) -> Option<&ActionSet> {
        self.sets.iter().find(|(k, _)| *k == kind).map(|(_, s)| s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_resolve_against_the_catalog() {
        let l = Lists::get();
        let cat = Catalog::get();
        let has = |k, a: &str| l.set(k).is_some_and(|s| cat.action(a).is_some_and(|id| s.contains(id)));
        assert!(has(ListKind::PrivilegeEscalation, "iam:PassRole"));
        assert!(has(ListKind::PrivilegeEscalation, "iam:CreatePolicyVersion"));
        assert!(has(ListKind::CredentialExposure, "iam:CreateAccessKey"));
        assert!(has(ListKind::CredentialExposure, "secretsmanager:GetSecretValue"), "rolegraph's addition");
        assert!(!has(ListKind::CredentialExposure, "ecr:GetAuthorizationToken"), "rolegraph's removal");
        assert!(has(ListKind::DataAccess, "s3:GetObject") || has(ListKind::DataAccess, "secretsmanager:GetSecretValue"));
        assert!(has(ListKind::ResourceExposure, "s3:PutBucketPolicy"));
        assert!(!has(ListKind::PrivilegeEscalation, "s3:GetObject"));
        // Almost every listed name is a known action.
        let total: usize = ListKind::ALL.iter().filter_map(|k| l.set(*k)).map(ActionSet::len).sum();
        assert!(total > 300, "{total}");
        assert!(l.unknown.len() * 10 < total, "{:?}", l.unknown);
    }
}
