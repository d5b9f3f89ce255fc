//! What rules see: the snapshot, the time that "now" is (given, so that output is
//! deterministic), the thresholds users can set, and the snapshot's one analysis
//! (`rolegraph-analysis`): each role's decoded trust, kinds, the resources that use it and, only
//! when a rule asks, its privilege as the policy engine decides it, and the authorization graph,
//! shared by every rule and by the reports and the other views of the same run. With a
//! CloudTrail usage table ([`RuleContext::with_usage`]), also what each role really used.

use std::sync::OnceLock;

use model::{Snapshot, Timestamp};

/// Thresholds of the rules that count days, seconds or resources.
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
    /// A role used by this many resources or more is shared.
    pub shared_role_resources: usize,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { unused_days: 90, key_age_days: 90, root_use_days: 30, max_session_seconds: 3600, shared_role_resources: 3 }
    }
}

pub use analysis::RoleView;

/// The observed `AssumeRole*` calls of a usage table, as [`graph::Graph::attach_observed`]
/// takes them.
pub fn observations(u: &usage::Usage) -> Vec<graph::Observation> {
    u.assumptions
        .iter()
        .map(|e| graph::Observation {
            caller: e.caller.clone(),
            caller_kind: e.caller_kind.as_str().to_owned(),
            caller_account: e.caller_account.clone(),
            role: e.role.clone(),
            count: e.count,
            denied: e.denied,
            first_seen: e.first_seen,
            last_seen: e.last_seen,
            apis: e.apis.clone(),
            source_ips: e.source_ips.clone(),
            subjects: e.subjects.clone(),
        })
        .collect()
}

/// The analysis the rules read: their own, or one the caller shares with its other views.
enum Shared<'a> {
    Owned(Box<analysis::Analysis<'a>>),
    Borrowed(&'a analysis::Analysis<'a>),
}

impl<'a> std::ops::Deref for Shared<'a> {
    type Target = analysis::Analysis<'a>;
    fn deref(&self) -> &Self::Target {
        match self {
            Shared::Owned(a) => a,
            Shared::Borrowed(a) => a,
        }
    }
}

/// The input of every rule.
pub struct RuleContext<'a> {
    pub snapshot: &'a Snapshot,
    pub now: Timestamp,
    pub thresholds: Thresholds,
    analysis: Shared<'a>,
    /// CloudTrail usage, when a trail was given.
    usage: Option<&'a usage::Usage>,
    /// Each role's usage in the trail, by position in the analysis, computed once.
    role_usage: Vec<OnceLock<Option<usage::RoleUsage>>>,
    trail: OnceLock<TrailCoverage>,
}

/// What a trail covers: the accounts its events were made in or by, and the time its window
/// spans (the window given, else the first and last event).
#[derive(Clone, Debug, Default)]
pub struct TrailCoverage {
    pub accounts: std::collections::BTreeSet<String>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
}

impl<'a> RuleContext<'a> {
    /// The authorization graph of the snapshot, built once on first use.
    pub fn graph(&self) -> &graph::Graph {
        self.analysis.graph()
    }

    /// The authorization graph, for callers that need it after the rules ran: the one the rules
    /// built, or built now (a shared analysis keeps its own: ask it).
    pub fn into_graph(self) -> graph::Graph {
        match self.analysis {
            Shared::Owned(a) => a.into_graph(),
            Shared::Borrowed(a) => a.graph().clone(),
        }
    }

    /// The rules on a snapshot, with an analysis of their own.
    pub fn new(snapshot: &'a Snapshot, now: Timestamp) -> Self {
        RuleContext::with(Shared::Owned(Box::new(analysis::Analysis::new(snapshot))), now)
    }

    /// The rules on an analysis that other views of the snapshot share.
    pub fn of(analysis: &'a analysis::Analysis<'a>, now: Timestamp) -> Self {
        RuleContext::with(Shared::Borrowed(analysis), now)
    }

    fn with(analysis: Shared<'a>, now: Timestamp) -> Self {
        let role_usage = analysis.roles().iter().map(|_| OnceLock::new()).collect();
        RuleContext {
            snapshot: analysis.snapshot,
            now,
            thresholds: Thresholds::default(),
            analysis,
            usage: None,
            role_usage,
            trail: OnceLock::new(),
        }
    }

    /// The analysis the rules read.
    pub fn analysis(&self) -> &analysis::Analysis<'a> {
        &self.analysis
    }

    /// Adds CloudTrail usage: the rules that compare granted with used (`unused-permissions`,
    /// `unused-role`) then use it. Without it their findings are those of the exports alone.
    pub fn with_usage(mut self, usage: &'a usage::Usage) -> Self {
        self.usage = Some(usage);
        self
    }

    /// The CloudTrail usage, if given.
    pub fn usage(&self) -> Option<&'a usage::Usage> {
        self.usage
    }

    /// What the trail covers (`None` without a trail).
    pub fn trail_coverage(&self) -> Option<&TrailCoverage> {
        let u = self.usage?;
        Some(self.trail.get_or_init(|| {
            let mut c = TrailCoverage { from: u.window_from, to: u.window_to, ..TrailCoverage::default() };
            let mut first = None;
            let mut last = None;
            for p in &u.principals {
                if let Some(a) = policy::Arn::parse(&p.arn).map(|a| a.account).filter(|a| !a.is_empty()) {
                    c.accounts.insert(a.to_owned());
                }
                for a in &p.actions {
                    for place in &a.places {
                        if !place.account.is_empty() {
                            c.accounts.insert(place.account.clone());
                        }
                    }
                }
                first = match (first, p.first_seen) {
                    (Some(a), Some(b)) => Some(std::cmp::min(a, b)),
                    (a, b) => a.or(b),
                };
                last = last.max(p.last_seen);
            }
            c.from = c.from.or(first);
            c.to = match (c.to, last) {
                // An open window ends with the trail's last event, not at `--until`.
                (Some(t), Some(l)) if u.window_from.is_none() => Some(t.min(l)),
                (t, l) => t.or(l),
            };
            c
        }))
    }

    /// A role's usage in the trail (`None` without a trail), computed once.
    pub fn role_usage(&self, v: &RoleView<'a>) -> Option<&usage::RoleUsage> {
        let u = self.usage?;
        self.role_usage.get(v.index)?.get_or_init(|| Some(usage::role_usage(self.snapshot, u, &v.role.arn))).as_ref()
    }

    /// Every role, in snapshot order (account, then ARN), with its shared view.
    pub fn roles(&self) -> &[RoleView<'a>] {
        self.analysis.roles()
    }

    /// Computes the privilege of the roles for which `wanted` holds, on every core, so that the
    /// rules that ask for it later find it ready.
    pub fn precompute_privilege(&self, wanted: impl Fn(&RoleView<'a>) -> bool + Sync) {
        self.analysis.precompute(wanted);
    }

    /// Whole days from `t` to now.
    pub fn days_since(&self, t: Timestamp) -> i64 {
        t.days_until(self.now)
    }
}
