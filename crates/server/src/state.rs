//! What the server computes once at start: the snapshot, the summary of every role (the rows of
//! `rolegraph roles`), the findings of every rule, the authorization graph, and indexes from a
//! role's ARN to its row and its findings. Requests only read it.

use std::collections::BTreeMap;

use access::record::{RoleSummary, roles_report};
use model::{Snapshot, Timestamp};
use rules::{Finding, RuleContext, Severity, Suppressions};

/// The loaded snapshot and everything computed from it.
pub struct AppState {
    pub snapshot: Snapshot,
    /// The time the rules counted days from.
    pub now: Timestamp,
    /// One row per role, in snapshot order.
    pub roles: Vec<RoleSummary>,
    /// Every finding, highest severity first.
    pub findings: Vec<Finding>,
    /// The engine-checked authorization graph of the snapshot.
    pub graph: graph::Graph,
    /// Role ARN → index into `roles`.
    role_index: BTreeMap<String, usize>,
    /// Subject ARN → indexes into `findings`.
    findings_by_subject: BTreeMap<String, Vec<usize>>,
}

impl AppState {
    /// Summarizes every role, runs every rule on `snapshot` (counting days from `now`) and builds
    /// the authorization graph.
    pub fn new(snapshot: Snapshot, now: Timestamp) -> AppState {
        let roles = roles_report(&snapshot).roles;
        // The rules build the authorization graph (for escalation paths); keep theirs rather
        // than building it twice.
        let (findings, graph) = {
            let cx = RuleContext::new(&snapshot, now);
            let findings = rules::run(&cx, &Suppressions::default());
            (findings, cx.into_graph())
        };
        let role_index = roles.iter().enumerate().map(|(i, r)| (r.arn.clone(), i)).collect();
        let mut findings_by_subject: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, f) in findings.iter().enumerate() {
            findings_by_subject.entry(f.subject.arn.clone()).or_default().push(i);
        }
        AppState { snapshot, now, roles, findings, graph, role_index, findings_by_subject }
    }

    /// The row of the role with this ARN.
    pub fn summary(&self, arn: &str) -> Option<&RoleSummary> {
        self.role_index.get(arn).and_then(|&i| self.roles.get(i))
    }

    /// The findings whose subject is `arn`.
    pub fn findings_of(&self, arn: &str) -> impl Iterator<Item = &Finding> + '_ {
        self.findings_by_subject.get(arn).into_iter().flatten().filter_map(|&i| self.findings.get(i))
    }

    /// The highest severity among the findings of `arn`.
    pub fn worst_severity(&self, arn: &str) -> Option<Severity> {
        self.findings_of(arn).map(|f| f.severity).max()
    }

    /// The role named by an ARN, a name, or ACCOUNT/NAME, when exactly one matches.
    pub fn find_role(&self, query: &str) -> Option<&model::Role> {
        match self.snapshot.find_roles(query).as_slice() {
            [one] => Some(one),
            _ => None,
        }
    }
}
