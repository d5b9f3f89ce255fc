//! What rules see: the snapshot, the time that "now" is (given, so that output is
//! deterministic), the thresholds users can set, and a per-role view computed once and shared by
//! every rule (and by the reports): the decoded trust, the role's kinds, the resources that use
//! it and, only when a rule asks, its privilege as the policy engine decides it. With a
//! CloudTrail usage table ([`RuleContext::with_usage`]), also what each role really used.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use access::permissions::{self, Options};
use access::privilege::{Privilege, classify};
use access::trust::{Trust, decode_role};
use access::{RoleKind, kind::role_kinds};
use model::{Account, Role, RoleUse, Snapshot, Timestamp};

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

/// One role with what rules ask about it, computed on first use.
pub struct RoleView<'a> {
    pub account: &'a Account,
    pub role: &'a Role,
    /// The resources that use the role (instances, functions, tasks).
    pub uses: Vec<RoleUse>,
    trust: OnceLock<Trust>,
    kinds: OnceLock<Vec<RoleKind>>,
    privilege: OnceLock<Privilege>,
    usage: OnceLock<Option<usage::RoleUsage>>,
    snapshot: &'a Snapshot,
}

impl<'a> RoleView<'a> {
    /// The decoded trust policy.
    pub fn trust(&self) -> &Trust {
        self.trust.get_or_init(|| decode_role(self.snapshot, self.role))
    }

    /// The role's kinds (EC2, Lambda, cross-account, ...).
    pub fn kinds(&self) -> &[RoleKind] {
        self.kinds.get_or_init(|| role_kinds(self.role, self.trust()))
    }

    /// Whether the role is an execution role (EC2, Lambda or ECS).
    pub fn is_execution_role(&self) -> bool {
        self.kinds().iter().any(|k| matches!(k, RoleKind::Ec2 | RoleKind::Lambda | RoleKind::Ecs))
    }

    /// What the role can do, classified: computed with the engine over the role's whole policy
    /// set (identity policies, boundary, SCPs), denies included.
    pub fn privilege(&self) -> &Privilege {
        self.privilege.get_or_init(|| {
            let perms = permissions::compute(self.snapshot, self.role, &Options { include_denied: true });
            classify(&perms, self.role)
        })
    }

    /// Whether the privilege has been computed (reports show it only then, or compute it).
    pub fn privilege_if_computed(&self) -> Option<&Privilege> {
        self.privilege.get()
    }
}

/// The input of every rule.
pub struct RuleContext<'a> {
    pub snapshot: &'a Snapshot,
    pub now: Timestamp,
    pub thresholds: Thresholds,
    roles: Vec<RoleView<'a>>,
    /// The authorization graph, built on first use.
    graph: std::sync::OnceLock<graph::Graph>,
    /// CloudTrail usage, when a trail was given.
    usage: Option<&'a usage::Usage>,
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
        self.graph.get_or_init(|| graph::build(self.snapshot, &graph::GraphOptions::default()))
    }

    /// The authorization graph, for callers that need it after the rules ran: the one the rules
    /// built, or built now.
    pub fn into_graph(self) -> graph::Graph {
        let snapshot = self.snapshot;
        self.graph.into_inner().unwrap_or_else(|| graph::build(snapshot, &graph::GraphOptions::default()))
    }

    pub fn new(snapshot: &'a Snapshot, now: Timestamp) -> Self {
        let mut roles = Vec::new();
        for account in &snapshot.accounts {
            let mut uses: BTreeMap<String, Vec<RoleUse>> = account.role_uses();
            for role in &account.roles {
                roles.push(RoleView {
                    account,
                    role,
                    uses: uses.remove(&role.arn).unwrap_or_default(),
                    trust: OnceLock::new(),
                    kinds: OnceLock::new(),
                    privilege: OnceLock::new(),
                    usage: OnceLock::new(),
                    snapshot,
                });
            }
        }
        RuleContext { snapshot, now, thresholds: Thresholds::default(), roles, graph: std::sync::OnceLock::new(), usage: None, trail: OnceLock::new() }
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
    pub fn role_usage<'v>(&self, v: &'v RoleView<'a>) -> Option<&'v usage::RoleUsage> {
        let u = self.usage?;
        v.usage.get_or_init(|| Some(usage::role_usage(self.snapshot, u, &v.role.arn))).as_ref()
    }

    /// Every role, in snapshot order (account, then ARN), with its shared view.
    pub fn roles(&self) -> &[RoleView<'a>] {
        &self.roles
    }

    /// Computes the privilege of the roles for which `wanted` holds, on every core, so that the
    /// rules that ask for it later find it ready.
    pub fn precompute_privilege(&self, wanted: impl Fn(&RoleView<'a>) -> bool + Sync) {
        let todo: Vec<&RoleView<'a>> = self.roles.iter().filter(|v| wanted(v)).collect();
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get).max(1);
        let chunk = todo.len().div_ceil(threads).max(1);
        std::thread::scope(|s| {
            for part in todo.chunks(chunk) {
                s.spawn(move || {
                    for v in part {
                        let _ = v.privilege();
                    }
                });
            }
        });
    }

    /// Whole days from `t` to now.
    pub fn days_since(&self, t: Timestamp) -> i64 {
        t.days_until(self.now)
    }
}
