//! The facts of a snapshot that are compared across snapshots, computed with the engine: each
//! role's decoded trust (`access::trust`), its privilege and privileged actions
//! (`access::permissions` and `access::privilege`), who can reach it when it is privileged (the
//! authorization graph of `rolegraph-graph`), the resources that run as it, and the findings by
//! fingerprint. `rolegraph-store` keeps these facts and compares them; this crate is the bridge
//! from the analysis crates, so that the store depends on the model only.

use std::collections::HashMap;

use graph::{GraphOptions, NodeKind};
use model::{Snapshot, Timestamp};
use sha2::{Digest, Sha256};
use store::{Facts, FindingFact, RoleFacts, TrustedFact, UseFact};

pub mod reach;

/// What to compute.
#[derive(Clone, Copy, Debug)]
pub struct FactOptions {
    /// Build the authorization graph to record who can reach each privileged role (the
    /// costliest part on large snapshots).
    pub reach: bool,
    /// Worker threads for per-role permissions; 0 means one per available core.
    pub threads: usize,
}

impl Default for FactOptions {
    fn default() -> Self {
        FactOptions { reach: true, threads: 0 }
    }
}

/// The findings of a snapshot at `now` (no suppressions: a suppressed finding is still open).
pub fn findings(snapshot: &Snapshot, now: Timestamp) -> Vec<rules::Finding> {
    rules::run(&rules::RuleContext::new(snapshot, now), &rules::Suppressions::default())
}

/// The findings of a snapshot at `now`, and the authorization graph the rules built for them
/// (built here if no rule needed it), so that the facts do not build it a second time.
pub fn findings_and_graph(snapshot: &Snapshot, now: Timestamp) -> (Vec<rules::Finding>, graph::Graph) {
    let cx = rules::RuleContext::new(snapshot, now);
    let found = rules::run(&cx, &rules::Suppressions::default());
    (found, cx.into_graph())
}

/// Everything a snapshot's history keeps: runs the rules, then computes the facts with the
/// graph the rules built.
///
/// The per-role facts come first, before the rules build the graph: on 10,000 roles they took
/// twice as long with the graph's gigabyte allocated (measured: 4.7 s against 8.3 s).
pub fn analyse(snapshot: &Snapshot, now: Timestamp, options: FactOptions) -> Facts {
    // One analysis: the facts read the privilege the rules (and `roles`, `scan`, `serve`) read.
    let a = analysis::Analysis::new(snapshot);
    let mut out = facts_of(&a, &[], FactOptions { reach: false, ..options });
    let found = rules::run(&rules::RuleContext::of(&a, now), &rules::Suppressions::default());
    out.findings = finding_facts(&found);
    out.sort();
    if options.reach {
        add_reach_from(a.graph(), &mut out);
    }
    out
}

/// The findings as the store keeps them.
fn finding_facts(found: &[rules::Finding]) -> Vec<FindingFact> {
    found
        .iter()
        .map(|f| FindingFact {
            fingerprint: f.fingerprint.clone(),
            rule: f.rule.clone(),
            severity: f.severity.as_str().to_owned(),
            subject: f.subject.arn.clone(),
            message: f.message.clone(),
        })
        .collect()
}

/// The facts of a snapshot, with its findings. Builds the authorization graph when
/// `options.reach` is set; [`facts_with_graph`] takes one already built.
pub fn facts(snapshot: &Snapshot, found: &[rules::Finding], options: FactOptions) -> Facts {
    facts_with_graph(snapshot, found, None, options)
}

/// The facts of a snapshot, with its findings and, for reach, its authorization graph (`None`:
/// built here when `options.reach` is set).
pub fn facts_with_graph(
    snapshot: &Snapshot,
    found: &[rules::Finding],
    graph: Option<&graph::Graph>,
    options: FactOptions,
) -> Facts {
    let a = analysis::Analysis::new(snapshot);
    let mut facts = facts_of(&a, found, FactOptions { reach: false, ..options });
    if options.reach {
        match graph {
            Some(g) => add_reach_from(g, &mut facts),
            None => add_reach_from(a.graph(), &mut facts),
        }
    }
    facts
}

/// The facts of an analysed snapshot, with its findings (reach only with `options.reach`).
pub fn facts_of(a: &analysis::Analysis<'_>, found: &[rules::Finding], options: FactOptions) -> Facts {
    let snapshot = a.snapshot;
    a.precompute(|_| true);
    let mut out: Vec<RoleFacts> = a.roles().iter().map(|v| role_facts(snapshot, v)).collect();

    // Resources that run as each role, account by account.
    for account in &snapshot.accounts {
        let uses = account.role_uses();
        for r in out.iter_mut().filter(|r| r.account_id == account.id) {
            if let Some(list) = uses.get(&r.arn) {
                r.uses = list
                    .iter()
                    .map(|u| UseFact { kind: use_kind(&u.kind), resource: u.resource.clone(), name: u.name.clone() })
                    .collect();
            }
        }
    }

    let mut facts = Facts { roles: out, findings: finding_facts(found), admins: Vec::new() };
    facts.sort();
    if options.reach {
        add_reach_from(a.graph(), &mut facts);
    }
    facts
}

fn use_kind(kind: &model::UseKind) -> String {
    match serde_json::to_value(kind) {
        Ok(serde_json::Value::String(s)) => s.replace('_', "-"),
        _ => format!("{kind:?}"),
    }
}

/// The first 16 hex digits of SHA-256 over the parts, separated by NUL bytes.
fn hash<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// The facts of one role that do not need the rest of the snapshot's roles.
fn role_facts(snapshot: &Snapshot, view: &analysis::RoleView<'_>) -> RoleFacts {
    let role = view.role;
    let trust_hash = role.trust_policy.as_ref().map(|d| hash([d.json()])).unwrap_or_default();
    let policies = snapshot.role_policies(role);
    let mut parts: Vec<String> = Vec::new();
    for (source, doc) in &policies.identity {
        parts.push(format!("{source:?}"));
        parts.push(doc.map_or_else(|| "unknown".to_owned(), |d| d.json().to_owned()));
    }
    if let Some((arn, doc)) = policies.boundary {
        parts.push(format!("boundary {arn}"));
        parts.push(doc.map_or_else(|| "unknown".to_owned(), |d| d.json().to_owned()));
    }
    parts.push(format!("known {}", policies.known));
    let permissions_hash = hash(parts.iter().map(String::as_str));

    let privilege = view.privilege();
    let privileged_actions =
        privilege.categories.iter().flat_map(|c| c.groups.iter().flat_map(|g| g.actions.iter().map(str::to_owned))).collect();

    let trusted = view
        .trust()
        .entities
        .iter()
        .map(|e| TrustedFact {
            principal: e.principal.clone(),
            kind: e.kind.as_str().to_owned(),
            category: e.category().map(|c| c.as_str().to_owned()).unwrap_or_default(),
            summary: e.summary.clone(),
        })
        .collect();

    let mut facts = RoleFacts {
        arn: role.arn.clone(),
        account_id: role.account_id.clone(),
        name: role.name.clone(),
        trust_hash,
        permissions_hash,
        privilege: privilege.level.as_str().to_owned(),
        privileged_actions,
        trusted,
        uses: Vec::new(),
        reached_by: Vec::new(),
        conditional_reach: Vec::new(),
    };
    facts.sort();
    facts
}

/// Records who can reach each privileged role, and who can become administrator of each
/// account, in the authorization graph of `snapshot` (built here; see [`add_reach_from`] to
/// reuse one).
pub fn add_reach(snapshot: &Snapshot, facts: &mut Facts) {
    let g = graph::build(snapshot, &GraphOptions::default());
    add_reach_from(&g, facts);
}

/// Records who can reach each privileged role, and who can become administrator of each
/// account, in the authorization graph `g` of the snapshot the facts are of.
///
/// The walk back from each stops at a frontier: an account's administrator node (it stands for
/// every administrator of its account, who can reach everything there) or another privileged
/// role. Those are listed themselves, and their own sets say who reaches them; so a new path
/// into a privileged role is reported once, on the first privileged node it reaches, and the
/// sets stay small (full transitive sets were 16 million pairs on 10,000 synthetic roles).
/// Each principal is marked when it gets there only under conditions.
pub fn add_reach_from(g: &graph::Graph, facts: &mut Facts) {
    let index: HashMap<&str, u32> = g.nodes().iter().zip(0u32..).map(|(n, i)| (n.id.as_str(), i)).collect();
    let mut frontier: Vec<bool> = g.nodes().iter().map(|n| n.kind == NodeKind::AccountAdmin).collect();
    let privileged: Vec<(usize, u32)> = facts
        .roles
        .iter()
        .enumerate()
        .filter(|(_, r)| store::compare::is_privileged(&r.privilege))
        .filter_map(|(i, r)| index.get(r.arn.as_str()).map(|n| (i, *n)))
        .collect();
    for (_, n) in &privileged {
        if let Some(f) = frontier.get_mut(*n as usize) {
            *f = true;
        }
    }
    let admins: Vec<u32> =
        g.nodes().iter().zip(0u32..).filter(|(n, _)| n.kind == NodeKind::AccountAdmin).map(|(_, i)| i).collect();
    let targets: Vec<u32> = privileged.iter().map(|(_, n)| *n).chain(admins.iter().copied()).collect();
    let found = reach::sources_of(g, &frontier, &targets);
    let ids = |list: &[u32]| -> Vec<String> { list.iter().filter_map(|i| g.node(*i)).map(|n| n.id.clone()).collect() };
    let mut found = found.into_iter();
    for (i, _) in &privileged {
        let Some(s) = found.next() else { break };
        if let Some(r) = facts.roles.get_mut(*i) {
            r.reached_by = ids(&s.all);
            r.conditional_reach = ids(&s.conditional);
        }
    }
    facts.admins = admins
        .iter()
        .zip(found)
        .filter_map(|(i, s)| {
            let node = g.node(*i)?;
            Some(store::AdminFacts { node: node.id.clone(), reached_by: ids(&s.all), conditional_reach: ids(&s.conditional) })
        })
        .collect();
    facts.sort();
}

#[cfg(test)]
mod tests;
