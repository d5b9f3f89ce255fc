//! `rolegraph who-can-access DIR RESOURCE`: who can act on a resource with a resource-based
//! policy (a bucket, key, function, queue, topic, secret, repository or table), at which access
//! level, under which conditions, decided by the engine with every policy that applies; and who
//! can act as the roles that can, through the authorization graph.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};
use graph::resources::{Access, Askers, GranteeKind, ResourceAccess, resource_access};
use model::{PolicyResource, Safe, Snapshot};

use super::load;

/// The version of the JSON this command prints.
const SCHEMA_VERSION: u32 = 1;

#[derive(clap::Args)]
pub struct Args {
    /// A folder of AWS CLI exports.
    dir: PathBuf,
    /// The resource: an ARN, or a name (a bucket, key id, function, queue, topic, secret,
    /// repository or table name).
    resource: String,
    /// Only this access level: list, read, write, permissions-management, tagging.
    #[arg(long, value_parser = ["list", "read", "write", "permissions-management", "tagging"])]
    level: Option<String>,
    /// Only who may perform this action (`s3:GetObject`).
    #[arg(long)]
    action: Option<String>,
    /// Only who is outside the organization (other accounts, `*`).
    #[arg(long)]
    outside: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// The one resource a query names.
pub fn find<'a>(snapshot: &'a Snapshot, query: &str) -> Result<&'a PolicyResource> {
    let all = || snapshot.accounts.iter().flat_map(|a| a.resources.iter());
    let mut found: Vec<&PolicyResource> = all().filter(|r| r.arn == query).collect();
    if found.is_empty() {
        found = all().filter(|r| r.name == query).collect();
    }
    if found.is_empty() {
        found = all().filter(|r| r.name.eq_ignore_ascii_case(query)).collect();
    }
    match found.as_slice() {
        [one] => Ok(one),
        [] => bail!(
            "no resource `{}` in the exports (resources come from resource-based policy exports: see docs/export-formats.md)",
            Safe(query)
        ),
        many => {
            let list: Vec<String> = many.iter().map(|r| format!("  {}", Safe(&r.arn))).collect();
            bail!("`{}` names {} resources; give an ARN:\n{}", Safe(query), many.len(), list.join("\n"))
        }
    }
}

/// Keeps the levels (and grantees) the filters ask for.
fn filter(r: &mut ResourceAccess, args: &Args) {
    let level = args.level.as_deref().map(|l| l.replace('-', " "));
    let action = args.action.as_deref().map(str::to_ascii_lowercase);
    for a in &mut r.access {
        a.levels.retain(|l| level.as_deref().is_none_or(|want| l.level.eq_ignore_ascii_case(want)));
        if let Some(want) = &action {
            a.levels.retain(|l| l.actions.iter().chain(&l.conditional_actions).any(|x| x.eq_ignore_ascii_case(want)));
        }
    }
    r.access.retain(|a| !a.levels.is_empty() && (!args.outside || a.who.outside));
}

/// `role app (111111111111)`, `account 999988887777 (outside the organization, Datadog)`.
fn who_text(a: &Access) -> String {
    let w = &a.who;
    let mut s = match w.kind {
        GranteeKind::User => format!("user {}", Safe(&w.id)),
        GranteeKind::Role => format!("role {}", Safe(&w.id)),
        GranteeKind::Account => format!("account {}", Safe(&w.id)),
        GranteeKind::Principal => format!("principal {}", Safe(&w.id)),
        GranteeKind::Anyone => "anyone (`*`)".to_owned(),
        GranteeKind::Service => format!("service {}", Safe(&w.id)),
        GranteeKind::Federated => format!("users of {}", Safe(&w.id)),
    };
    let mut notes: Vec<String> = Vec::new();
    if w.outside && w.kind != GranteeKind::Anyone {
        notes.push("outside the organization".to_owned());
    }
    if let Some(v) = &w.vendor {
        notes.push(Safe(v).to_string());
    }
    if a.through == "kms-grant" {
        notes.push("KMS grant".to_owned());
    }
    if !notes.is_empty() {
        s.push_str(&format!(" ({})", notes.join(", ")));
    }
    s
}

/// Who can act as the roles that can act on the resource, through the graph: one backward
/// search from all of them; each principal is listed under the nearest such role (its path's
/// last hop), not under every role it reaches.
fn acting_as<'a>(g: &graph::Graph, roles: &[&'a str]) -> std::collections::BTreeMap<&'a str, Vec<String>> {
    let targets: Vec<graph::NodeIdx> = roles.iter().filter_map(|r| g.find_id(r)).collect();
    let mut out: std::collections::BTreeMap<&'a str, Vec<String>> = std::collections::BTreeMap::new();
    for r in graph::who_can_reach_any(g, &targets) {
        let Some(node) = g.node(r.node).filter(|x| x.kind.is_actor() || x.kind == graph::NodeKind::Service) else { continue };
        let Some(to) = r.path.last().and_then(|e| g.edge(*e)).and_then(|e| g.node(e.to)) else { continue };
        if let Some(role) = roles.iter().find(|x| **x == to.id) {
            out.entry(role).or_default().push(node.id.clone());
        }
    }
    out
}

/// A few actions, and how many more.
fn some(actions: &[&str]) -> String {
    const SHOWN: usize = 4;
    let mut s = actions.iter().take(SHOWN).copied().collect::<Vec<_>>().join(", ");
    if actions.len() > SHOWN {
        s.push_str(&format!(" and {} more", actions.len() - SHOWN));
    }
    s
}

#[derive(serde::Serialize)]
struct Json<'a> {
    schema_version: u32,
    resource: &'a ResourceAccess,
    /// For each role that can act on it: who can act as that role through the graph (each
    /// principal under the nearest such role).
    acting_as: std::collections::BTreeMap<&'a str, Vec<String>>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let snapshot = load::snapshot(&args.dir)?;
    let r = find(&snapshot, &args.resource)?;
    let mut access = resource_access(&snapshot, r, Askers::Everyone, None);
    filter(&mut access, &args);
    let roles: Vec<&str> = access.access.iter().filter(|a| a.who.kind == GranteeKind::Role).map(|a| a.who.id.as_str()).collect();
    let g = if roles.is_empty() { None } else { Some(analysis::Analysis::new(&snapshot).into_graph()) };
    let acting: std::collections::BTreeMap<&str, Vec<String>> = match &g {
        Some(g) => acting_as(g, &roles),
        None => Default::default(),
    };
    if args.json {
        crate::output::json(&Json { schema_version: SCHEMA_VERSION, resource: &access, acting_as: acting })?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = crate::output::text();
    let account =
        snapshot.account(&access.account).map_or(access.account.clone(), |a| format!("{} ({})", a.id, a.display_name()));
    writeln!(out, "{} {} ({}), account {}", access.kind_label, Safe(&access.name), Safe(&access.arn), Safe(&account))?;
    if !access.has_policy {
        writeln!(out, "No resource-based policy was read.")?;
    } else if !access.source.is_empty() {
        writeln!(out, "Policy: {}", Safe(&access.source))?;
    }
    if let Some(b) = access.block_public_access {
        writeln!(
            out,
            "Block Public Access (bucket and account): BlockPublicPolicy {}, RestrictPublicBuckets {}; the policy is {}public",
            b.block_public_policy,
            b.restrict_public_buckets,
            if access.public_policy { "" } else { "not " }
        )?;
    }
    writeln!(out, "\n{} can act on it:", access.access.len())?;
    for a in &access.access {
        writeln!(out, "  {}", who_text(a))?;
        for l in &a.levels {
            let mut line = format!("    {}:", l.level);
            if !l.actions.is_empty() {
                line.push_str(&format!(" {}", some(&l.actions)));
            }
            if !l.conditional_actions.is_empty() {
                line.push_str(&format!(" (conditional: {})", some(&l.conditional_actions)));
            }
            if !l.objects.is_empty() {
                line.push_str(&format!(" [objects {}]", l.objects.join(", ")));
            }
            writeln!(out, "{}", Safe(&line))?;
            if let Some(c) = l.check.condition.as_ref().filter(|_| l.check.is_conditional()) {
                writeln!(out, "      when {}", Safe(&c.text()))?;
            }
            if let Some(c) = l.check.scope().filter(|_| a.who.outside) {
                writeln!(out, "      from {}", Safe(&c.text()))?;
            }
            for e in l.check.evidence.iter().filter(|e| e.policy_kind == "resource" || e.policy_kind == "identity").take(2) {
                let sid = e.sid().map(|s| format!(" ({})", Safe(s))).unwrap_or_default();
                writeln!(out, "      {} policy {} {}{sid}", e.policy_kind, Safe(&e.policy), Safe(e.pointer()))?;
            }
        }
        for x in &a.assumptions {
            writeln!(out, "    assumed: {}", Safe(x))?;
        }
        for x in &a.gaps {
            writeln!(out, "    gap: {}", Safe(x))?;
        }
        if let Some(who) = acting.get(a.who.id.as_str()) {
            let shown: Vec<String> = who.iter().take(8).map(|w| Safe(w).to_string()).collect();
            let more = if who.len() > 8 { format!(" and {} more", who.len() - 8) } else { String::new() };
            writeln!(out, "    and whoever can act as it: {}{more}", shown.join(", "))?;
        }
    }
    for x in &access.refused {
        writeln!(out, "\nNamed by the policy but refused: {}: denied by {}", Safe(&x.who.id), Safe(&x.why))?;
    }
    for n in &access.notes {
        writeln!(out, "\nNote: {}", Safe(n))?;
    }
    for n in &access.gaps {
        writeln!(out, "Gap: {}", Safe(n))?;
    }
    Ok(ExitCode::SUCCESS)
}
