//! What rules see: the snapshot, the time that "now" is (given, so that output is
//! deterministic), and the thresholds users can set.

use model::{Snapshot, Timestamp};

/// Thresholds of the rules that count days or seconds.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Thresholds {
    /// A role or key not used for this many days is unused.
    pub unused_days: i64,
    /// An access key older than this many days is old.
    pub key_age_days: i64,
    /// Root use within this many days is recent.
    pub root_use_days: i64,
    /// A max session duration above this many seconds is long.
    pub max_session_seconds: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { unused_days: 90, key_age_days: 90, root_use_days: 30, max_session_seconds: 3600 }
    }
}

/// The input of every rule.
pub struct RuleContext<'a> {
    pub snapshot: &'a Snapshot,
    pub now: Timestamp,
    pub thresholds: Thresholds,
}

impl<'a> RuleContext<'a> {
    pub fn new(snapshot: &'a Snapshot, now: Timestamp) -> Self {
        RuleContext { snapshot, now, thresholds: Thresholds::default() }
    }

    /// Whole days from `t` to now.
    pub fn days_since(&self, t: Timestamp) -> i64 {
        t.days_until(self.now)
    }
}
