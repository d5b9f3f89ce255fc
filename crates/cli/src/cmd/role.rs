//! `rolegraph role DIR NAME_OR_ARN`: everything about one role (details, trusted entities with
//! their conditions, the resources that use it, its permissions by service, access level and
//! resource, its privileged permissions with the statements that grant them, and the gaps that
//! affect it). `--json` prints `access::record::RoleRecord`. With `--trail`, also what the role
//! really used in CloudTrail and who assumed it (`usage::RoleUsage`, the `usage` field in JSON).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use access::permissions::{Grant, GrantOutcome, PermissionsView, StatementEvidence};
use access::privilege::{PrivilegeKind, PrivilegedPermissions};
use access::record::{RoleRecord, UseStatus, role_record};
use anyhow::Result;
use model::{RoleUse, Safe, UseKind};

use crate::cmd::load;
use crate::output::out;

#[derive(clap::Args)]
pub struct Args {
    /// The folder of AWS CLI exports (see docs/export-formats.md).
    dir: PathBuf,
    /// The role: its ARN, its name, or ACCOUNT/NAME (ACCOUNT an id or name).
    role: String,
    /// Also list the actions that an explicit Deny refuses.
    #[arg(long)]
    show_denied: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    trail: crate::cmd::usage::OptionalTrail,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let snapshot = load::snapshot(&args.dir)?;
    let role = load::find_role(&snapshot, &args.role)?;
    // The privilege level is the graph's (administrator, a path to one): the one definition
    // every view shows.
    let analysis = analysis::Analysis::new(&snapshot);
    let verdict = analysis.role(&role.arn).map(analysis::RoleView::verdict).unwrap_or_default();
    let record = role_record(&snapshot, role, args.show_denied, Some(&verdict));
    let used = args.trail.read()?.map(|u| usage::role_usage(&snapshot, &u, &role.arn));
    // The resources with resource-based policies it can act on, itself or as a role it reaches.
    let has_resources = snapshot.accounts.iter().any(|a| !a.resources.is_empty());
    let (resources, not_asked) = if has_resources {
        graph::resources::reachable_access(&snapshot, analysis.graph(), &role.arn, None)
    } else {
        (Vec::new(), 0)
    };
    if args.json {
        #[derive(serde::Serialize)]
        struct Full<'a> {
            #[serde(flatten)]
            record: &'a RoleRecord,
            /// Resources with resource-based policies it can act on (`via`: as a role it reaches).
            resources: &'a [graph::resources::ReachedResource],
            #[serde(skip_serializing_if = "Option::is_none")]
            usage: Option<&'a usage::RoleUsage>,
        }
        let full = Full { record: &record, resources: &resources, usage: used.as_ref() };
        crate::output::json(&full)?;
    } else {
        out!("{}", render(&record));
        if has_resources {
            out!("{}", render_resources(&resources, not_asked));
        }
        if let Some(u) = &used {
            out!("\nUsage (CloudTrail)\n{}", crate::cmd::usage::render_role(u));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The resources with resource-based policies a principal can act on, by resource.
pub fn render_resources(list: &[graph::resources::ReachedResource], not_asked: usize) -> String {
    let mut out = String::new();
    let mut by: BTreeMap<&str, Vec<&graph::resources::ReachedResource>> = BTreeMap::new();
    for r in list {
        by.entry(r.resource.arn.as_str()).or_default().push(r);
    }
    let _ = writeln!(
        out,
        "\nResources it can act on ({}; buckets, keys, functions, queues, topics, secrets, repositories, tables)",
        by.len()
    );
    for (_, ways) in by {
        let Some(first) = ways.first() else { continue };
        let _ =
            writeln!(out, "  {} {} ({})", first.resource.kind_label, Safe(&first.resource.name), Safe(&first.resource.account));
        for w in ways {
            let levels: Vec<String> = w
                .levels
                .iter()
                .map(|l| if l.unconditional { l.level.to_owned() } else { format!("{} (conditional)", l.level) })
                .collect();
            let how = match &w.via {
                None => "itself".to_owned(),
                Some(role) => format!("as {}", Safe(role)),
            };
            let _ = writeln!(out, "     {}: {how}", levels.join(", "));
        }
    }
    if not_asked > 0 {
        let _ = writeln!(out, "  ({not_asked} more roles it can reach were not asked about)");
    }
    out
}

/// A policy name as people say it: the managed policy's name, `inline NAME`, an SCP's name.
fn short_policy(name: &str) -> String {
    if let Some((_, inline)) = name.split_once(" inline policy ") {
        return format!("inline {inline}");
    }
    if name.starts_with("arn:") && name.contains(":policy/") {
        return name.rsplit('/').next().unwrap_or(name).to_owned();
    }
    name.to_owned()
}

fn statements_text(statements: &[StatementEvidence]) -> String {
    let mut parts: Vec<String> = statements
        .iter()
        .map(|s| {
            let sid = s.sid.as_deref().map(|x| format!(" ({})", Safe(x))).unwrap_or_default();
            format!("{} statement {}{sid}", Safe(&short_policy(&s.policy)), s.statement)
        })
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    parts.retain(|p| seen.insert(p.clone()));
    parts.join("; ")
}

fn grants_text(grants: &[Grant]) -> String {
    let parts: Vec<String> = grants
        .iter()
        .map(|g| {
            let mut s = format!("on {}", Safe(&g.resource));
            if let Some(rule) = &g.aws_rule {
                let _ = write!(s, " (AWS rule: {})", Safe(rule));
            }
            match g.outcome {
                GrantOutcome::Allowed => {}
                GrantOutcome::Conditional => {
                    let _ =
                        write!(s, " if {}", Safe(g.condition.as_deref().unwrap_or("(conditions the engine could not evaluate)")));
                }
                GrantOutcome::Denied => s = format!("denied {s}"),
            }
            s
        })
        .collect();
    parts.join("; ")
}

fn list_names(names: &[String], strip: bool, max: usize) -> String {
    let shown: Vec<&str> = names
        .iter()
        .take(max)
        .map(|n| if strip { n.split_once(':').map_or(n.as_str(), |(_, a)| a) } else { n.as_str() })
        .collect();
    let mut out = Safe(&shown.join(", ")).to_string();
    if names.len() > max {
        let _ = write!(out, ", ... (+{})", names.len() - max);
    }
    out
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 { format!("1 {what}") } else { format!("{n} {what}s") }
}

fn duration(secs: u32) -> String {
    if secs.is_multiple_of(3600) { format!("{} h", secs / 3600) } else { format!("{} min", secs / 60) }
}

fn render_uses(out: &mut String, uses: &[RoleUse]) {
    let _ = writeln!(out, "\nUsed by ({})", uses.iter().filter(|u| u.kind != UseKind::InstanceProfile).count());
    if uses.is_empty() {
        out.push_str("  nothing in the exports\n");
        return;
    }
    let mut t = crate::render::table::Table::new(&["  KIND", "NAME", "REGION", "RESOURCE"]);
    for u in uses {
        let mut resource = u.resource.clone();
        if let Some(v) = &u.via {
            let _ = write!(resource, " (via {v})");
        }
        t.row(vec![format!("  {}", u.kind.label()), u.name.clone(), u.region.clone().unwrap_or_else(|| "-".into()), resource]);
    }
    out.push_str(&t.render());
}

fn render_privilege(out: &mut String, record: &RoleRecord) {
    let p = &record.privilege;
    let cond = if p.level_conditional { " (only under conditions)" } else { "" };
    let _ = writeln!(out, "\nPrivilege: {}{cond}", p.level);
    let _ = writeln!(out, "  why: {}", Safe(&p.why));
    if p.managed_by_aws {
        let _ = writeln!(out, "  service-linked: only its service can assume it, and only AWS can change its policies");
    }
    for (i, step) in p.path.iter().enumerate() {
        let _ = writeln!(out, "  {}. {}", i + 1, Safe(step));
    }
    for need in &p.path_needs {
        let _ = writeln!(out, "     needs: {}", Safe(need));
    }
    for c in &p.categories {
        render_category(out, c);
    }
}

fn render_category(out: &mut String, c: &PrivilegedPermissions) {
    let cond = if c.conditional { ", only under conditions" } else { "" };
    if c.kind == PrivilegeKind::AdminEquivalent {
        let reasons: Vec<&str> = c.reasons.iter().map(|r| r.describe()).collect();
        let _ = writeln!(out, "  admin-equivalent{cond}: {}", Safe(&reasons.join("; ")));
    } else {
        let names: Vec<String> = c.groups.iter().flat_map(|g| g.actions.iter().map(str::to_owned)).collect();
        let _ = writeln!(out, "  {} ({}{cond}): {}", c.kind.as_str(), plural(c.count, "action"), list_names(&names, false, 8));
    }
    if !c.statements.is_empty() {
        let _ = writeln!(out, "    granted by {}", statements_text(&c.statements));
    }
}

fn level_name(l: catalog::AccessLevel) -> &'static str {
    l.as_str()
}

fn render_permissions(out: &mut String, p: &PermissionsView) {
    let _ = writeln!(
        out,
        "\nPermissions: {} in {} (identity policies, boundary and SCPs, evaluated as {})",
        plural(p.granted_actions, "action"),
        plural(p.services.len(), "service"),
        Safe(&p.principal)
    );
    if !p.complete {
        out.push_str("  incomplete: some policies are not in the exports (see Gaps)\n");
    }
    // Services granted whole, with one set of grants, are collapsed into one line per set.
    let mut whole: BTreeMap<Vec<Grant>, Vec<&str>> = BTreeMap::new();
    let mut partial = Vec::new();
    for s in &p.services {
        let single: Option<&Vec<Grant>> = match s.levels.first().and_then(|l| l.groups.first()) {
            Some(g)
                if s.granted == s.total
                    && s.levels
                        .iter()
                        .all(|l| l.groups.len() == 1 && l.groups.iter().all(|x| x.all_of_level && x.grants == g.grants)) =>
            {
                Some(&g.grants)
            }
            _ => None,
        };
        match single {
            Some(g) => whole.entry(g.clone()).or_default().push(&s.prefix),
            None => partial.push(s),
        }
    }
    for (grants, prefixes) in &whole {
        let names: Vec<String> = prefixes.iter().map(|p| (*p).to_owned()).collect();
        let what = match names.as_slice() {
            [one] => one.clone(),
            _ => format!("{} services ({})", names.len(), list_names(&names, false, 6)),
        };
        let _ = writeln!(out, "  every action of {} {}", Safe(&what), grants_text(grants));
        let statements: Vec<StatementEvidence> = grants.iter().flat_map(|g| g.statements.iter().cloned()).collect();
        if !statements.is_empty() {
            let _ = writeln!(out, "    granted by {}", statements_text(&statements));
        }
    }
    for s in partial {
        let _ = writeln!(out, "  {} ({}): {}/{} actions", Safe(&s.prefix), Safe(&s.name), s.granted, s.total);
        for l in &s.levels {
            for g in &l.groups {
                let which = if g.all_of_level { "all".to_owned() } else { list_names(&g.actions, true, 6) };
                let _ = writeln!(out, "    {} {}/{} {}: {which}", level_name(l.level), g.count, l.total, grants_text(&g.grants));
                let statements: Vec<StatementEvidence> = g.grants.iter().flat_map(|x| x.statements.iter().cloned()).collect();
                if !statements.is_empty() {
                    let _ = writeln!(out, "      granted by {}", statements_text(&statements));
                }
            }
        }
    }
    if p.services.is_empty() {
        out.push_str("  none\n");
    }
}

/// The record as text.
pub fn render(r: &RoleRecord) -> String {
    let d = &r.details;
    let mut out = String::new();
    let _ = writeln!(out, "Role {}", Safe(&d.name));
    let mut t = crate::render::table::Table::new(&["  ARN", &d.arn]);
    let account = match &d.account_name {
        Some(n) => format!("{n} ({})", d.account_id),
        None => d.account_id.clone(),
    };
    t.row(vec!["  Account".into(), account]);
    t.row(vec!["  Path".into(), d.path.clone()]);
    t.row(vec!["  Created".into(), d.created.as_ref().map_or_else(|| "unknown".into(), load::date)]);
    let last = match (d.last_used.status, &d.last_used.date) {
        (UseStatus::Used, Some(date)) => match &d.last_used.region {
            Some(region) => format!("{} in {region}", load::date(date)),
            None => load::date(date),
        },
        _ => d.last_used.short(),
    };
    t.row(vec!["  Last used".into(), last]);
    t.row(vec!["  Max session".into(), d.max_session_duration.map_or_else(|| "unknown".into(), duration)]);
    t.row(vec!["  Boundary".into(), d.permissions_boundary.clone().unwrap_or_else(|| "none".into())]);
    let tags: Vec<String> = d.tags.iter().map(|t| format!("{}={}", t.key, t.value)).collect();
    t.row(vec!["  Tags".into(), if tags.is_empty() { "none".into() } else { tags.join(", ") }]);
    if let Some(desc) = &d.description {
        t.row(vec!["  Description".into(), desc.clone()]);
    }
    let kinds: Vec<&str> = r.kinds.iter().map(|k| k.as_str()).collect();
    t.row(vec!["  Kind".into(), if kinds.is_empty() { "-".into() } else { kinds.join(", ") }]);
    let mut policies: Vec<String> = d.attached_policies.iter().map(|p| short_policy(p)).collect();
    policies.extend(d.inline_policies.iter().map(|p| format!("inline {p}")));
    t.row(vec!["  Policies".into(), if policies.is_empty() { "none".into() } else { policies.join(", ") }]);
    out.push_str(&t.render());

    let _ = writeln!(out, "\nTrusted entities ({})", r.trust.entities.len());
    for p in &r.trust.problems {
        let _ = writeln!(out, "  ! {}", Safe(p));
    }
    for (i, e) in r.trust.entities.iter().enumerate() {
        let _ = writeln!(out, "  {}. {}", i + 1, Safe(&e.summary));
        let _ = writeln!(out, "     actions: {}", Safe(&e.actions.join(", ")));
        for c in &e.conditions {
            let _ = writeln!(out, "     condition: {} {} {}", Safe(&c.key), Safe(&c.operator), Safe(&c.values.join(", ")));
        }
        let sid = e.evidence.sid.as_deref().map(|s| format!(" ({})", Safe(s))).unwrap_or_default();
        let _ = writeln!(out, "     from statement {}{sid} at {}", e.evidence.statement, Safe(&e.evidence.pointer));
    }
    if !r.trust.restrictions.is_empty() {
        out.push_str("  restrictions:\n");
        for x in &r.trust.restrictions {
            let _ =
                writeln!(out, "  - {} (statement {} at {})", Safe(&x.summary), x.evidence.statement, Safe(&x.evidence.pointer));
        }
    }

    render_uses(&mut out, &r.used_by);
    render_privilege(&mut out, r);
    render_permissions(&mut out, &r.permissions);

    if !r.gaps.is_empty() {
        let _ = writeln!(out, "\nGaps ({})", r.gaps.len());
        for g in &r.gaps {
            let _ = writeln!(out, "  - {}", Safe(&g.to_string()));
        }
    }
    out
}
