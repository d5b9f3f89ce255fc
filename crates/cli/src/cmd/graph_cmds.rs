//! The authorization graph commands: `who-can-assume`, `reach`, `path`, `escalations` and
//! `graph` (the export). Each loads a folder of exports, builds the graph with
//! `rolegraph-graph`, asks it one question and prints the answer as text or, with `--json`, as
//! JSON with a `schema_version` (documented in `docs/graph.md`). With `--trail`,
//! `who-can-assume` and `graph` also show who really assumed roles (observed edges), flagging
//! assumptions the policies do not allow.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};
use graph::{Edge, Graph, NodeIdx, NodeKind};
use model::Safe;
use report::Streamed;
use serde_json::{Value, json};

use super::load;
use super::usage::OptionalTrail;

use crate::output::errln;

/// The version of the JSON these commands print.
const SCHEMA_VERSION: u32 = 1;

#[derive(clap::Args)]
pub struct WhoArgs {
    /// A folder of AWS CLI exports.
    dir: PathBuf,
    /// The role: an ARN, a name, or ACCOUNT/NAME.
    role: String,
    /// List every node that reaches the role (groups, compute resources, administrator nodes),
    /// not only principals.
    #[arg(long)]
    all: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    trail: OptionalTrail,
}

#[derive(clap::Args)]
pub struct ReachArgs {
    /// A folder of AWS CLI exports.
    dir: PathBuf,
    /// The principal: an ARN, a name, ACCOUNT/NAME, or a node id (`lambda.amazonaws.com`,
    /// `external-account:ID`, `*`).
    principal: String,
    /// Do not compute the privilege level of the roles reached.
    #[arg(long)]
    no_privilege: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
pub struct PathArgs {
    /// A folder of AWS CLI exports.
    dir: PathBuf,
    /// Where the paths start.
    from: String,
    /// Where they end.
    to: String,
    /// The most paths shown, shortest first.
    #[arg(long, default_value_t = 5)]
    max: usize,
    /// The most edges in a path.
    #[arg(long, default_value_t = 8)]
    max_hops: usize,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
pub struct EscalationsArgs {
    /// A folder of AWS CLI exports.
    dir: PathBuf,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
pub struct GraphArgs {
    /// A folder of AWS CLI exports.
    dir: PathBuf,
    /// `json`, `dot`, `graphml` or `cypher`.
    #[arg(long, default_value = "json")]
    format: String,
    /// Only what can reach this role or what it can reach.
    #[arg(long)]
    role: Option<String>,
    #[command(flatten)]
    trail: OptionalTrail,
}

/// Reads the trail, if given, and places its observed assumptions in the graph; returns
/// whether it did.
fn attach_trail(g: &mut Graph, trail: &OptionalTrail) -> Result<bool> {
    let Some(u) = trail.read()? else { return Ok(false) };
    g.attach_observed(&rules::observations(&u));
    let flagged = g.observed().iter().filter(|o| o.is_flagged()).count();
    if flagged > 0 {
        errln!("note: {flagged} observed assumptions are not possible per the policies in the exports (data missing, or a gap)");
    }
    Ok(true)
}

fn time(t: Option<model::Timestamp>) -> String {
    t.map_or_else(|| "-".to_owned(), |t| t.to_rfc3339())
}

/// One observed assumption as text, with what the graph says of it.
fn observed_text(g: &Graph, o: &graph::ObservedEdge) -> String {
    let s = &o.seen;
    let account = s.caller_account.as_deref().map(|a| format!(", account {}", Safe(a))).unwrap_or_default();
    let denied = if s.denied > 0 { format!(" ({} denied)", s.denied) } else { String::new() };
    let mut line = format!(
        "  {} ({}{account}) {}x{denied} via {}, first {}, last {}",
        Safe(&s.caller),
        Safe(&s.caller_kind.to_string()),
        s.count,
        Safe(&s.apis.join(", ")),
        time(s.first_seen),
        time(s.last_seen)
    );
    if !s.source_ips.is_empty() {
        line.push_str(&format!("\n    from {}", Safe(&s.source_ips.join(", "))));
    }
    if !s.subjects.is_empty() {
        line.push_str(&format!("\n    users: {}", Safe(&s.subjects.join(", "))));
    }
    let verdict = match o.status {
        graph::ObservedStatus::Possible => {
            // An edge from a capability node is the caller's, through it.
            let via: Vec<String> = o
                .edges
                .iter()
                .filter_map(|e| g.edge(*e))
                .map(|e| if g.is_capability(e.from) { o.from.map_or_else(|| node_text(g, e.from), |f| node_text(g, f)) } else { node_text(g, e.from) })
                .collect();
            format!("possible: {}", via.join("; ")) // each part is safe (node_text)
        }
        graph::ObservedStatus::NotPossible => "NOT POSSIBLE per the policies in the exports: data is missing (a policy, a trust, an account) or the analysis has a gap".to_owned(),
        graph::ObservedStatus::DeniedOnly => "refused every time".to_owned(),
        graph::ObservedStatus::UnknownRole => "the role is not in the exports".to_owned(),
    };
    line.push_str(&format!("\n    {verdict}"));
    line
}

/// Loads the exports and builds the graph; the graph's notes go to stderr.
fn build(dir: &std::path::Path) -> Result<(model::Snapshot, Graph)> {
    let snapshot = load::snapshot(dir)?;
    let g = analysis::Analysis::new(&snapshot).into_graph();
    for n in g.notes().iter().take(5) {
        crate::output::note("note", n);
    }
    if g.notes().len() > 5 {
        errln!("note: ... and {} more (see `rolegraph graph --format json`)", g.notes().len() - 5);
    }
    Ok((snapshot, g))
}

/// The one node a query names: a node id, a label, `ACCOUNT/NAME`, or a role the snapshot
/// resolves (an ARN without the role's path).
fn find(snapshot: &model::Snapshot, g: &Graph, query: &str) -> Result<NodeIdx> {
    let mut found = g.find(query);
    if found.is_empty()
        && let Ok(role) = load::find_role(snapshot, query)
    {
        found.extend(g.find_id(&role.arn));
    }
    match found.as_slice() {
        [one] => Ok(*one),
        [] => bail!("nothing named `{}` in the graph", Safe(query)),
        many => {
            let list: Vec<String> = many.iter().filter_map(|n| g.node(*n)).map(|n| format!("  {}", Safe(&n.id))).collect();
            bail!("`{}` names {} nodes; give an id:\n{}", Safe(query), many.len(), list.join("\n"))
        }
    }
}

/// `role deploy (111111111111)`, `external-account 464622532012 (Datadog)`.
fn node_text(g: &Graph, n: NodeIdx) -> String {
    let Some(node) = g.node(n) else { return String::from("?") };
    let mut s = format!("{} {}", node.kind.as_str(), node.label);
    let mut extra: Vec<&str> = Vec::new();
    if let Some(a) = node.account.as_deref()
        && !node.label.contains(a)
    {
        extra.push(a);
    }
    if let Some(v) = node.vendor.as_deref() {
        extra.push(v);
    }
    if !extra.is_empty() {
        s.push_str(&format!(" ({})", extra.join(", ")));
    }
    model::terminal_safe_owned(s)
}

/// ` [admin]` for administrators.
fn admin_mark(g: &Graph, n: NodeIdx) -> &'static str {
    if g.node(n).is_some_and(|n| n.admin) { " [admin]" } else { "" }
}

fn node_json(g: &Graph, n: NodeIdx) -> Value {
    g.node(n).and_then(|n| serde_json::to_value(n).ok()).unwrap_or(Value::Null)
}

/// The hops of a path, with the two edges through a capability node joined into one.
fn edges<'g>(g: &'g Graph, path: &[u32]) -> Vec<std::borrow::Cow<'g, Edge>> {
    g.hops(path)
}

/// `alice -can-assume-> hop -privesc (lambda-001)-> fn-role`.
fn path_line(g: &Graph, path: &[u32]) -> String {
    let es = edges(g, path);
    let Some(first) = es.first() else { return String::new() };
    let mut s = g.node(first.from).map_or("?", |n| n.label.as_str()).to_owned();
    for e in es {
        let paths = e.paths();
        let p = if paths.is_empty() { String::new() } else { format!(" ({})", paths.join(", ")) };
        s.push_str(&format!(" -{}{p}-> {}", e.kind.as_str(), g.node(e.to).map_or("?", |n| n.label.as_str())));
    }
    model::terminal_safe_owned(s)
}

/// Conditions and assumptions along a path, one line each.
fn path_notes(g: &Graph, path: &[u32]) -> Vec<String> {
    let mut out = Vec::new();
    for e in edges(g, path) {
        let to = g.node(e.to).map_or("?", |n| n.label.as_str());
        if let Some(c) = e.condition_text() {
            out.push(format!("to {to}, if {c}"));
        }
        if let Some(w) = e.way() {
            for a in &w.assumptions {
                out.push(format!("to {to}, assuming {a}"));
            }
        }
    }
    out.into_iter().map(model::terminal_safe_owned).collect()
}

fn reached_json(g: &Graph, node: NodeIdx, path: &[u32], extra: Option<(&str, Value)>) -> Value {
    let es = edges(g, path);
    let mut v = json!({
        "node": node_json(g, node),
        "hops": es.len(),
        "conditional": es.iter().any(|e| e.is_conditional()),
        "assumed": es.iter().any(|e| e.has_assumptions()),
        "path": es.iter().map(|e| graph::export::edge_json(g, e)).collect::<Vec<_>>(),
    });
    if let (Some((k, x)), Some(map)) = (extra, v.as_object_mut()) {
        map.insert(k.to_owned(), x);
    }
    v
}

fn print_json<T: serde::Serialize + ?Sized>(v: &T) -> Result<ExitCode> {
    crate::output::json(v)?;
    Ok(ExitCode::SUCCESS)
}

/// The JSON of `who-can-assume`: the same keys, in the same order, as an object would have.
#[derive(serde::Serialize)]
struct WhoJson<'a, L: serde::Serialize> {
    schema_version: u32,
    target: Value,
    reached_by: L,
    notes: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    observed: Option<&'a [&'a graph::ObservedEdge]>,
}

/// The JSON of `reach`.
#[derive(serde::Serialize)]
struct ReachJson<'a, L: serde::Serialize> {
    schema_version: u32,
    from: Value,
    reaches: L,
    /// Resources with resource-based policies it can act on (`via`: as a role it reaches).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    resources: &'a [graph::resources::ReachedResource],
    notes: &'a [String],
}

/// The JSON of `path`.
#[derive(serde::Serialize)]
struct PathJson<L: serde::Serialize> {
    schema_version: u32,
    from: Value,
    to: Value,
    paths: L,
}

/// The JSON of `escalations`.
#[derive(serde::Serialize)]
struct EscalationsJson<'a, L: serde::Serialize> {
    schema_version: u32,
    escalations: L,
    notes: &'a [String],
}

/// `rolegraph who-can-assume DIR ROLE`.
pub fn who_can_assume(args: WhoArgs) -> Result<ExitCode> {
    let (snapshot, mut g) = build(&args.dir)?;
    let with_trail = attach_trail(&mut g, &args.trail)?;
    let target = find(&snapshot, &g, &args.role)?;
    let keep = |n: NodeIdx| args.all || g.node(n).is_some_and(|n| n.kind.is_actor() || n.kind == NodeKind::Service);
    let who: Vec<graph::Reached> = graph::who_can_reach(&g, target).into_iter().filter(|r| keep(r.node)).collect();
    let observed: Vec<&graph::ObservedEdge> = g.observed_into(target).collect();
    if args.json {
        return print_json(&WhoJson {
            schema_version: SCHEMA_VERSION,
            target: node_json(&g, target),
            reached_by: Streamed(&who, |r: &graph::Reached| reached_json(&g, r.node, &r.path, None)),
            notes: g.notes(),
            observed: with_trail.then_some(observed.as_slice()),
        });
    }
    let mut out = crate::output::text();
    writeln!(out, "{} can be reached by {} {}", node_text(&g, target), who.len(), if args.all { "nodes" } else { "principals" })?;
    for r in &who {
        let es = edges(&g, &r.path);
        let conditional = if es.iter().any(|e| e.is_conditional()) { ", conditional" } else { "" };
        let seen: u64 =
            r.path.last().map_or(0, |e| g.observed_on(*e).map(|o| o.seen.count - o.seen.denied.min(o.seen.count)).sum());
        let seen = if seen > 0 { format!(" [observed {seen}x]") } else { String::new() };
        writeln!(
            out,
            "  {}{} ({} hop{}{conditional}){seen}",
            node_text(&g, r.node),
            admin_mark(&g, r.node),
            es.len(),
            if es.len() == 1 { "" } else { "s" }
        )?;
        writeln!(out, "    {}", path_line(&g, &r.path))?;
        for n in path_notes(&g, &r.path) {
            writeln!(out, "    {n}")?;
        }
    }
    if with_trail {
        let flagged = observed.iter().filter(|o| o.is_flagged()).count();
        let flagged = if flagged > 0 { format!(", {flagged} not possible per the policies") } else { String::new() };
        writeln!(
            out,
            "\nObserved in CloudTrail: {} caller{}{flagged}",
            observed.len(),
            if observed.len() == 1 { "" } else { "s" }
        )?;
        for o in &observed {
            writeln!(out, "{}", observed_text(&g, o))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The privilege level of a reached node: `access`'s classification for roles, `admin` for
/// administrators and account administrator nodes, else `unknown`.
fn privileges(snapshot: &model::Snapshot, g: &Graph, nodes: &[NodeIdx], compute: bool) -> BTreeMap<NodeIdx, String> {
    let mut out = BTreeMap::new();
    for n in nodes {
        let Some(node) = g.node(*n) else { continue };
        let level = match node.kind {
            NodeKind::AccountAdmin => "admin".to_owned(),
            _ if node.admin => "admin".to_owned(),
            NodeKind::Role if compute => match snapshot.role(&node.id) {
                Some(role) => {
                    let perms = access::permissions::compute(snapshot, role, &access::permissions::Options::default());
                    let p = access::privilege::classify(&perms, role);
                    let c = if p.level_conditional { " (conditional)" } else { "" };
                    format!("{}{c}", p.level.as_str())
                }
                None => "unknown".to_owned(),
            },
            _ => "unknown".to_owned(),
        };
        out.insert(*n, level);
    }
    out
}

/// `rolegraph reach DIR PRINCIPAL`.
pub fn reach(args: ReachArgs) -> Result<ExitCode> {
    let (snapshot, g) = build(&args.dir)?;
    let from = find(&snapshot, &g, &args.principal)?;
    let reached: Vec<graph::Reached> = graph::reach(&g, from)
        .into_iter()
        .filter(|r| g.node(r.node).is_some_and(|n| matches!(n.kind, NodeKind::Role | NodeKind::User | NodeKind::AccountAdmin)))
        .collect();
    let nodes: Vec<NodeIdx> = reached.iter().map(|r| r.node).collect();
    let levels = privileges(&snapshot, &g, &nodes, !args.no_privilege);
    let level = |n: NodeIdx| levels.get(&n).cloned().unwrap_or_else(|| "unknown".to_owned());
    // The resources with resource-based policies it can act on, itself or as a role it reaches
    // (for users and roles of the snapshot).
    let id = g.node(from).map(|n| n.id.clone()).unwrap_or_default();
    let (resources, not_asked) = if snapshot.accounts.iter().any(|a| !a.resources.is_empty()) {
        graph::resources::reachable_access(&snapshot, &g, &id, None)
    } else {
        (Vec::new(), 0)
    };
    if args.json {
        return print_json(&ReachJson {
            schema_version: SCHEMA_VERSION,
            from: node_json(&g, from),
            reaches: Streamed(&reached, |r: &graph::Reached| {
                reached_json(&g, r.node, &r.path, Some(("privilege", Value::String(level(r.node)))))
            }),
            resources: &resources,
            notes: g.notes(),
        });
    }
    let mut out = crate::output::text();
    writeln!(out, "{} can reach {} principals", node_text(&g, from), reached.len())?;
    for r in &reached {
        let hops = graph::hops(&g, &r.path);
        writeln!(out, "  {} [{}] ({hops} hop{})", node_text(&g, r.node), level(r.node), if hops == 1 { "" } else { "s" })?;
        writeln!(out, "    {}", path_line(&g, &r.path))?;
        for n in path_notes(&g, &r.path) {
            writeln!(out, "    {n}")?;
        }
    }
    if !resources.is_empty() {
        write!(out, "{}", crate::cmd::role::render_resources(&resources, not_asked))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// One edge explained: its ways, each with its checks (the statements that decided them and
/// the conditions), assumptions and the way it goes on.
fn explain_edge(g: &Graph, e: &Edge, out: &mut impl Write) -> std::io::Result<()> {
    writeln!(
        out,
        "  {}{} -{}-> {}{}",
        node_text(g, e.from),
        admin_mark(g, e.from),
        e.kind.as_str(),
        node_text(g, e.to),
        admin_mark(g, e.to)
    )?;
    for w in e.ways() {
        let path = w.path.map(|p| format!("{p}: ")).unwrap_or_default();
        writeln!(out, "    {}{}", Safe(&path), Safe(&w.description))?;
        for c in &w.checks {
            let who = c.principal.as_deref().map(|p| format!(" as {}", Safe(p))).unwrap_or_default();
            writeln!(out, "      {} on {}{who}: {}", Safe(c.action), Safe(&c.resource), c.outcome.as_str())?;
            for ev in c.evidence.iter() {
                let sid = ev.sid().map(|s| format!(" ({})", Safe(s))).unwrap_or_default();
                writeln!(
                    out,
                    "        {} policy `{}` statement {}{sid} at {}",
                    ev.policy_kind,
                    Safe(&ev.policy),
                    ev.statement(),
                    Safe(ev.pointer())
                )?;
            }
            if let Some(cond) = &c.condition {
                if cond.is_scope() {
                    writeln!(
                        out,
                        "        within {} (a scope: where the request is made, not who can make it)",
                        Safe(&cond.text())
                    )?;
                } else {
                    writeln!(out, "        if {}", Safe(&cond.text()))?;
                }
            }
        }
        for v in &w.via {
            writeln!(out, "      via {}", Safe(&v.to_string()))?;
        }
        for a in &w.assumptions {
            writeln!(out, "      assuming {}", Safe(a))?;
        }
    }
    if e.data.more_ways > 0 {
        writeln!(out, "    ... and {} more ways", e.data.more_ways)?;
    }
    for gap in e.gaps() {
        writeln!(out, "    gap: {}", Safe(&gap.to_string()))?;
    }
    Ok(())
}

/// `rolegraph path DIR FROM TO`.
pub fn path(args: PathArgs) -> Result<ExitCode> {
    let (snapshot, g) = build(&args.dir)?;
    let from = find(&snapshot, &g, &args.from)?;
    let to = find(&snapshot, &g, &args.to)?;
    let paths: Vec<Vec<u32>> = graph::paths(&g, from, to, args.max, args.max_hops)
        .into_iter()
        .filter(|p| graph::query::contradiction(&g, p).is_none())
        .collect();
    if args.json {
        return print_json(&PathJson {
            schema_version: SCHEMA_VERSION,
            from: node_json(&g, from),
            to: node_json(&g, to),
            paths: Streamed(&paths, |p: &Vec<u32>| {
                let es = edges(&g, p);
                json!({
                    "hops": es.len(),
                    "conditional": es.iter().any(|e| e.is_conditional()),
                    "assumed": es.iter().any(|e| e.has_assumptions()),
                    "edges": es.iter().map(|e| graph::export::edge_json(&g, e)).collect::<Vec<_>>(),
                })
            }),
        });
    }
    let mut out = crate::output::text();
    if paths.is_empty() {
        writeln!(out, "no path from {} to {} of at most {} hops", node_text(&g, from), node_text(&g, to), args.max_hops)?;
        return Ok(ExitCode::SUCCESS);
    }
    for (i, p) in paths.iter().enumerate() {
        let es = edges(&g, p);
        let conditional = if es.iter().any(|e| e.is_conditional()) { ", conditional" } else { "" };
        writeln!(
            out,
            "path {} ({} hop{}{conditional}): {}",
            i + 1,
            es.len(),
            if es.len() == 1 { "" } else { "s" },
            path_line(&g, p)
        )?;
        for e in es {
            explain_edge(&g, &e, &mut out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `rolegraph escalations DIR`.
pub fn escalations(args: EscalationsArgs) -> Result<ExitCode> {
    let (_, g) = build(&args.dir)?;
    let esc = graph::escalations(&g);
    if args.json {
        return print_json(&EscalationsJson {
            schema_version: SCHEMA_VERSION,
            escalations: Streamed(&esc, |e: &graph::Escalation| {
                reached_json(&g, e.node, &e.path, Some(("admin", node_json(&g, e.admin))))
            }),
            notes: g.notes(),
        });
    }
    let mut out = crate::output::text();
    writeln!(out, "{} principals can become administrators without being ones", esc.len())?;
    for e in &esc {
        let hops = graph::hops(&g, &e.path);
        writeln!(
            out,
            "  {} -> {} ({hops} hop{})",
            node_text(&g, e.node),
            node_text(&g, e.admin),
            if hops == 1 { "" } else { "s" }
        )?;
        writeln!(out, "    {}", path_line(&g, &e.path))?;
        for n in path_notes(&g, &e.path) {
            writeln!(out, "    {n}")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `rolegraph graph DIR --format json|dot|graphml|cypher [--role ROLE]`.
pub fn export(args: GraphArgs) -> Result<ExitCode> {
    let Some(format) = graph::export::Format::parse(&args.format) else {
        bail!("unknown format `{}`: use json, dot, graphml or cypher", args.format);
    };
    let (snapshot, mut g) = build(&args.dir)?;
    attach_trail(&mut g, &args.trail)?;
    let g = match &args.role {
        Some(r) => g.around(find(&snapshot, &g, r)?),
        None => g,
    };
    // Written as it goes: no copy of the whole export is held.
    let mut out = crate::output::stdout();
    graph::export::write(&g, format, &mut out)?;
    Ok(ExitCode::SUCCESS)
}
