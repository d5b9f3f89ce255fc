//! What the server computes once at start: the snapshot, the summary of every role (the rows of
//! `rolegraph roles`), the findings of every rule, the authorization graph, and indexes from a
//! role's ARN to its row and its findings; when a history database is given, the open database
//! (read by the history and diff endpoints); and when a CloudTrail trail is given, what it
//! records (read by the usage endpoints of [`crate::trail`]). Requests only read it.

use std::collections::BTreeMap;
use std::sync::Mutex;

use access::record::RoleSummary;
use model::{Snapshot, Timestamp};
use rules::{Finding, RuleContext, Severity, Suppressions};

/// The loaded snapshot and everything computed from it.
pub struct AppState {
    /// Shared with the warming server, which answers a role's own record from it before the
    /// analysis is done.
    pub snapshot: std::sync::Arc<Snapshot>,
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
    /// The snapshot history, when the server was given a database.
    pub history: Option<History>,
    /// CloudTrail usage, when the server was given a trail: the findings were computed with
    /// it and its observed assumptions are placed in `graph`.
    pub usage: Option<usage::Usage>,
    /// The graph's verdict on the roles that have one (administrator, a path to one), by ARN:
    /// a role's page settles its privilege with it.
    pub verdicts: std::collections::HashMap<String, access::privilege::GraphVerdict>,
    /// The ids of the nodes that a principal outside the organization can reach in the graph
    /// (through any number of hops): see [`outside_reach`].
    pub outside: std::collections::HashSet<String>,
    /// With a trail: used against granted for every role, most unused first, computed on the
    /// first request of the least-privilege page and kept.
    pub least_privilege: std::sync::OnceLock<Vec<crate::trail::LeastRow>>,
    /// For every resource with a resource-based policy: who its policy lets act on it beyond
    /// the snapshot's principals (the analysis's, computed with the rules).
    pub external: Vec<graph::resources::ResourceAccess>,
}

/// The nodes reachable from outside the organization: from `*`, from accounts and principals
/// of accounts neither in the snapshot nor in the organization, and from SAML and OIDC
/// providers (their users are identities of another system), following every edge but
/// `admin-control`: an outsider who becomes an account's administrator controls every principal
/// of it, which the escalation findings say once; flagging every principal of the account would
/// bury the ones an outsider reaches directly.
pub fn outside_reach(g: &graph::Graph, snapshot: &Snapshot) -> std::collections::HashSet<String> {
    use graph::NodeKind;
    let mut seen = vec![false; g.nodes().len()];
    let mut queue: std::collections::VecDeque<graph::NodeIdx> = std::collections::VecDeque::new();
    for (i, n) in g.nodes().iter().enumerate() {
        let from_outside = match n.kind {
            NodeKind::Anyone | NodeKind::SamlProvider | NodeKind::OidcProvider => true,
            NodeKind::ExternalAccount | NodeKind::ExternalPrincipal => {
                n.account.as_deref().is_none_or(|a| !snapshot.is_known_account(a))
            }
            _ => false,
        };
        if from_outside && let (Ok(idx), Some(flag)) = (graph::NodeIdx::try_from(i), seen.get_mut(i)) {
            *flag = true;
            queue.push_back(idx);
        }
    }
    let mut out = std::collections::HashSet::new();
    while let Some(at) = queue.pop_front() {
        for e in g.out_edges(at).iter().filter_map(|i| g.edge(*i)).filter(|e| e.kind != graph::EdgeKind::AdminControl) {
            if let Some(flag) = seen.get_mut(e.to as usize)
                && !*flag
            {
                *flag = true;
                queue.push_back(e.to);
                if let Some(n) = g.node(e.to) {
                    out.insert(n.id.clone());
                }
            }
        }
    }
    out
}

/// The history database of `rolegraph serve --db`. One connection, behind a lock: requests
/// to it run on tokio's blocking threads, one at a time.
pub struct History {
    pub store: Mutex<store::Store>,
    /// The stored snapshot the server shows, when it was loaded from the database rather than
    /// from a folder.
    pub served: Option<store::SnapshotInfo>,
}

impl AppState {
    /// Summarizes every role, runs every rule on `snapshot` (counting days from `now`) and builds
    /// the authorization graph.
    pub fn new(snapshot: Snapshot, now: Timestamp) -> AppState {
        AppState::analysed(std::sync::Arc::new(snapshot), now, None, &crate::Phase::default())
    }

    /// As [`AppState::new`], with what CloudTrail recorded in `usage`: the rules that compare
    /// granted with used read it (the findings are those of `rolegraph scan --trail`), its
    /// observed assumptions are placed in the graph (each checked against the can-assume edges),
    /// and the usage endpoints answer.
    pub fn with_usage(snapshot: Snapshot, now: Timestamp, usage: usage::Usage) -> AppState {
        AppState::analysed(std::sync::Arc::new(snapshot), now, Some(usage), &crate::Phase::default())
    }

    /// As [`AppState::new`] (or [`AppState::with_usage`]), naming each phase on `phase` as it
    /// begins (`/api/status` shows it while a server warms up), and handing it the snapshot
    /// (a warming server answers a role's own record from it).
    pub fn analysed(
        snapshot: std::sync::Arc<Snapshot>,
        now: Timestamp,
        usage: Option<usage::Usage>,
        phase: &crate::Phase,
    ) -> AppState {
        phase.read(snapshot.clone());
        // One analysis: the rows, the rules and the graph read the same per-role facts.
        let (roles, findings, verdicts, external, mut graph) = {
            let analysis = analysis::Analysis::new(&snapshot);
            // The rules first: the rows then read the privilege they computed. The graph and
            // the privilege are computed before the rules ask, to name the phases.
            let findings = {
                let mut cx = RuleContext::of(&analysis, now);
                if let Some(u) = &usage {
                    cx = cx.with_usage(u);
                }
                phase.set("building the authorization graph");
                let _ = cx.graph();
                phase.set("deciding each role's privilege");
                cx.precompute_privilege(|v| !v.role.is_service_linked());
                phase.set("running the rules");
                rules::run(&cx, &Suppressions::default())
            };
            phase.set("summarising the roles");
            let roles = analysis.summaries().roles;
            let verdicts = analysis.verdicts();
            let external = analysis.external_access().to_vec();
            (roles, findings, verdicts, external, analysis.into_graph())
        };
        if let Some(u) = &usage {
            graph.attach_observed(&rules::observations(u));
        }
        let role_index = roles.iter().enumerate().map(|(i, r)| (r.arn.clone(), i)).collect();
        let mut findings_by_subject: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, f) in findings.iter().enumerate() {
            findings_by_subject.entry(f.subject.arn.clone()).or_default().push(i);
        }
        let outside = outside_reach(&graph, &snapshot);
        AppState {
            snapshot,
            now,
            roles,
            findings,
            graph,
            role_index,
            findings_by_subject,
            history: None,
            usage,
            verdicts,
            outside,
            least_privilege: std::sync::OnceLock::new(),
            external,
        }
    }

    /// The same state with a history database: `served` is the stored snapshot being shown,
    /// if it came from the database.
    pub fn with_history(mut self, store: store::Store, served: Option<store::SnapshotInfo>) -> AppState {
        self.history = Some(History { store: Mutex::new(store), served });
        self
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
