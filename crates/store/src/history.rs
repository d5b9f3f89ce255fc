//! A role's history across the stored snapshots: its facts and open findings in each snapshot
//! and what changed from the one before (trust, privilege, reach, resources, findings opened
//! and closed on it), for `rolegraph` and the web UI. Reads only the normalized tables, through
//! the index on role ARNs.

use serde::{Deserialize, Serialize};

use crate::compare::{Change, DIFF_SCHEMA_VERSION, Side, compare_role, order};
use crate::facts::{FindingFact, RoleFacts};
use crate::{Result, Store};

/// The role in one snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleVersion {
    pub snapshot: Side,
    /// `None` when the role is not in this snapshot.
    pub role: Option<RoleFacts>,
    /// The findings open on the role in this snapshot, by fingerprint.
    #[serde(default)]
    pub findings: Vec<FindingFact>,
    /// What changed since the previous snapshot (empty for the first).
    pub changes: Vec<Change>,
}

/// A role across every stored snapshot, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleHistory {
    pub schema_version: u32,
    pub arn: String,
    pub versions: Vec<RoleVersion>,
}

/// The history of the role `arn`: one entry per stored snapshot from the first that has it.
pub fn role_history(store: &Store, arn: &str) -> Result<RoleHistory> {
    let mut versions: Vec<RoleVersion> = Vec::new();
    let mut previous: Option<RoleFacts> = None;
    let mut previous_findings: Vec<FindingFact> = Vec::new();
    let mut seen = false;
    for info in store.list()? {
        let role = store.role_facts(info.id, arn)?;
        seen |= role.is_some();
        if !seen {
            continue;
        }
        let findings = store.findings_of(info.id, arn)?;
        let mut changes = Vec::new();
        if !versions.is_empty() {
            compare_role(previous.as_ref(), role.as_ref(), &mut changes);
            let has = |list: &[FindingFact], f: &FindingFact| list.iter().any(|x| x.fingerprint == f.fingerprint);
            for f in findings.iter().filter(|f| !has(&previous_findings, f)) {
                changes.push(Change::FindingOpened { finding: f.clone() });
            }
            for f in previous_findings.iter().filter(|f| !has(&findings, f)) {
                changes.push(Change::FindingClosed { finding: f.clone() });
            }
            changes.sort_by(order);
        }
        previous.clone_from(&role);
        previous_findings.clone_from(&findings);
        versions.push(RoleVersion { snapshot: info.side(), role, findings, changes });
    }
    Ok(RoleHistory { schema_version: DIFF_SCHEMA_VERSION, arn: arn.to_owned(), versions })
}
