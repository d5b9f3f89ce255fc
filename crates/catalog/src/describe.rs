//! What a pattern grants, grouped by access level: the data behind `rolegraph actions PATTERN`.
//! A plain serializable struct, so that the CLI renders it as text or JSON and nothing here
//! formats output.

use serde::Serialize;

use crate::{AccessLevel, ActionSet, Catalog};

/// The version of [`ActionSummary`]'s JSON form.
pub const SUMMARY_SCHEMA_VERSION: u32 = 1;

/// The actions a pattern matches, grouped by access level.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ActionSummary {
    pub schema_version: u32,
    /// The pattern as given.
    pub pattern: String,
    /// How many known actions it matches; 0 means the pattern names nothing the catalog knows,
    /// which the caller reports.
    pub total: usize,
    /// One group per access level that has actions, in the order List, Read, Write,
    /// Permissions management, Tagging.
    pub levels: Vec<LevelGroup>,
}

/// The actions of one access level.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LevelGroup {
    pub level: AccessLevel,
    pub count: usize,
    /// `service:Action` as AWS spells it, in catalog order (by lower-cased name).
    pub actions: Vec<String>,
}

impl Catalog {
    /// What `pattern` grants, grouped by access level.
    pub fn describe(&self, pattern: &str) -> ActionSummary {
        self.describe_set(pattern, &self.expand(pattern))
    }

    /// Groups an already expanded set by access level; `label` is what it was expanded from.
    pub fn describe_set(&self, label: &str, set: &ActionSet) -> ActionSummary {
        let mut levels: Vec<LevelGroup> =
            AccessLevel::ALL.iter().map(|&level| LevelGroup { level, count: 0, actions: Vec::new() }).collect();
        let mut total = 0;
        for id in set {
            let Some(info) = self.info(id) else { continue };
            if let Some(g) = levels.iter_mut().find(|g| g.level == info.access_level) {
                g.actions.push(info.full_name.to_owned());
                g.count += 1;
                total += 1;
            }
        }
        levels.retain(|g| g.count > 0);
        ActionSummary { schema_version: SUMMARY_SCHEMA_VERSION, pattern: label.to_owned(), total, levels }
    }
}
