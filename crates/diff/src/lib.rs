//! The facts of a snapshot that are compared across snapshots, computed with the engine: each
//! role's decoded trust (`access::trust`), its privilege and privileged actions
//! (`access::permissions` and `access::privilege`), who can reach it when it is privileged (the
//! authorization graph of `rolegraph-graph`), the resources that run as it, and the findings by
//! fingerprint. `rolegraph-store` keeps these facts and compares them; this crate is the bridge
//! from the analysis crates, so that the store depends on the model only.

use std::collections::BTreeMap;

use access::permissions::{self, Options};
use access::privilege;
use access::trust;
use graph::{GraphOptions, NodeKind};
use model::{Role, Snapshot, Timestamp};
use sha2::{Digest, Sha256};
use store::{Facts, FindingFact, RoleFacts, TrustedFact, UseFact};

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

/// The facts of a snapshot, with its findings.
pub fn facts(snapshot: &Snapshot, found: &[rules::Finding], options: FactOptions) -> Facts {
    let roles: Vec<&Role> = snapshot.roles().collect();
    let threads = match options.threads {
        0 => std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        n => n,
    };
    let chunk = roles.len().div_ceil(threads.max(1)).max(1);
    let mut out: Vec<RoleFacts> = std::thread::scope(|s| {
        let handles: Vec<_> = roles
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().map(|r| role_facts(snapshot, r)).collect::<Vec<_>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });

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

    let mut facts = Facts {
        roles: out,
        findings: found
            .iter()
            .map(|f| FindingFact {
                fingerprint: f.fingerprint.clone(),
                rule: f.rule.clone(),
                severity: f.severity.as_str().to_owned(),
                subject: f.subject.arn.clone(),
                message: f.message.clone(),
            })
            .collect(),
        admins: Vec::new(),
    };
    facts.sort();
    if options.reach {
        add_reach(snapshot, &mut facts);
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
fn role_facts(snapshot: &Snapshot, role: &Role) -> RoleFacts {
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

    let perms = permissions::compute(snapshot, role, &Options::default());
    let privilege = privilege::classify(&perms, role);
    let privileged_actions = privilege
        .categories
        .iter()
        .flat_map(|c| c.groups.iter().flat_map(|g| g.actions.iter().cloned()))
        .collect();

    let trusted = trust::decode_role(snapshot, role)
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
    };
    facts.sort();
    facts
}

/// The kinds of graph node that count as principals reaching a role.
fn is_principal(kind: NodeKind) -> bool {
    matches!(
        kind,
        NodeKind::User
            | NodeKind::Role
            | NodeKind::Service
            | NodeKind::SamlProvider
            | NodeKind::OidcProvider
            | NodeKind::ExternalAccount
            | NodeKind::ExternalPrincipal
            | NodeKind::Anyone
    )
}

/// The principals from which a path leads to `target`, going backward along edges but not
/// past a frontier: an account's administrator node (it stands for every administrator of its
/// account, who can reach everything there) or another privileged role (`stop`). Those are
/// listed themselves, and their own sets say who reaches them; so a new path into a privileged
/// role is reported once, on the first privileged node it reaches, and the sets stay small
/// (full transitive sets were 16 million pairs on 10,000 synthetic roles).
fn sources(g: &graph::Graph, target: u32, stop: &[bool]) -> Vec<String> {
    let mut seen = vec![false; g.nodes().len()];
    if let Some(s) = seen.get_mut(target as usize) {
        *s = true;
    }
    let mut stack = vec![target];
    let mut out = Vec::new();
    while let Some(x) = stack.pop() {
        for e in g.in_edges(x).iter().filter_map(|e| g.edge(*e)) {
            let y = e.from;
            match seen.get_mut(y as usize) {
                Some(s) if !*s => *s = true,
                _ => continue,
            }
            let Some(node) = g.node(y) else { continue };
            if node.kind == NodeKind::AccountAdmin || stop.get(y as usize).copied().unwrap_or(false) {
                out.push(node.id.clone());
                continue;
            }
            if is_principal(node.kind) {
                out.push(node.id.clone());
            }
            stack.push(y);
        }
    }
    out.sort();
    out
}

/// Records who can reach each privileged role, and who can become administrator of each
/// account, in the authorization graph.
pub fn add_reach(snapshot: &Snapshot, facts: &mut Facts) {
    let g = graph::build(snapshot, &GraphOptions::default());
    let index: BTreeMap<&str, u32> = g.nodes().iter().zip(0u32..).map(|(n, i)| (n.id.as_str(), i)).collect();
    let mut stop = vec![false; g.nodes().len()];
    for r in facts.roles.iter().filter(|r| store::compare::is_privileged(&r.privilege)) {
        if let Some(s) = index.get(r.arn.as_str()).and_then(|i| stop.get_mut(*i as usize)) {
            *s = true;
        }
    }
    for r in facts.roles.iter_mut().filter(|r| store::compare::is_privileged(&r.privilege)) {
        if let Some(&target) = index.get(r.arn.as_str()) {
            r.reached_by = sources(&g, target, &stop);
        }
    }
    facts.admins = g
        .nodes()
        .iter()
        .zip(0u32..)
        .filter(|(n, _)| n.kind == NodeKind::AccountAdmin)
        .map(|(n, i)| store::AdminFacts { node: n.id.clone(), reached_by: sources(&g, i, &stop) })
        .collect();
    facts.sort();
}

#[cfg(test)]
mod tests;
