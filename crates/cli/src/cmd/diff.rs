//! `rolegraph diff [OLD] [NEW]`: what changed between two snapshots, in terms people care about
//! (see `docs/store.md`). OLD and NEW are snapshot ids or labels of the history database, or a
//! folder of exports loaded on the fly (so that CI can diff a fresh export against a stored
//! baseline). Exit code 0 when nothing changed (of the kinds `--fail-on-change` names), 1 when
//! something did, 2 on error.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Result, bail};
use model::Safe;
use store::{Change, ChangeKind, Diff, Facts, Side, Store, StoreError};

use super::snapshot::{DbArg, FactArgs, load_with_facts};

use crate::output::out;

#[derive(clap::Args)]
pub struct Args {
    /// The older snapshot: an id, a label, or a folder of exports. With one argument, the
    /// newest stored snapshot is compared with it (a folder) or it with the newest (a
    /// snapshot). Default: the two newest stored snapshots.
    old: Option<String>,
    /// The newer snapshot: an id, a label, or a folder of exports.
    new: Option<String>,
    #[command(flatten)]
    db: DbArg,
    #[command(flatten)]
    facts: FactArgs,
    /// Print the diff as JSON.
    #[arg(long)]
    json: bool,
    /// Exit with 1 only when a change of these kinds is found (comma-separated:
    /// role-added, role-removed, trust-added, trust-removed, trust-changed, privilege-gained,
    /// privilege-lost, permissions-changed, reach-gained, reach-lost, resource-added,
    /// resource-removed, finding-opened, finding-closed); `any` (the default) or `never`.
    #[arg(long, value_name = "KINDS", default_value = "any")]
    fail_on_change: String,
}

/// The kinds that fail the run: `Some(empty)` for any, `None` for never.
fn parse_kinds(text: &str) -> Result<Option<Vec<ChangeKind>>> {
    match text.trim() {
        "any" => return Ok(Some(Vec::new())),
        "never" => return Ok(None),
        _ => {}
    }
    let mut out = Vec::new();
    for k in text.split(',').map(str::trim).filter(|k| !k.is_empty()) {
        match ChangeKind::parse(k) {
            Some(kind) => out.push(kind),
            None => {
                let all: Vec<&str> = ChangeKind::ALL.iter().map(|k| k.as_str()).collect();
                bail!("`--fail-on-change {k}`: expected any, never or some of {}", all.join(", "))
            }
        }
    }
    if out.is_empty() {
        bail!("`--fail-on-change` is empty: give kinds, `any` or `never`");
    }
    Ok(Some(out))
}

/// One side of the diff, from the database or from a folder.
fn side(db: &Store, reference: &str, facts: &FactArgs) -> Result<(Side, Facts)> {
    match db.resolve(reference) {
        Ok(info) => {
            let f = db.facts(info.id)?;
            Ok((info.side(), f))
        }
        Err(StoreError::NotFound(_)) if Path::new(reference).is_dir() => {
            let (_, f) = load_with_facts(Path::new(reference), facts)?;
            Ok((Side { id: None, label: None, imported_at: None, source: Some(reference.to_owned()) }, f))
        }
        Err(e) => Err(e.into()),
    }
}

fn stored(db: &Store, id: i64) -> Result<(Side, Facts)> {
    Ok((db.info(id)?.side(), db.facts(id)?))
}

pub fn run(args: Args) -> Result<ExitCode> {
    let fail = parse_kinds(&args.fail_on_change)?;
    let db = args.db.open()?;
    let ((old, of), (new, nf)) = match (&args.old, &args.new) {
        (Some(o), Some(n)) => (side(&db, o, &args.facts)?, side(&db, n, &args.facts)?),
        (Some(one), None) => {
            let (s, f) = side(&db, one, &args.facts)?;
            let latest = db.latest()?;
            if s.id.is_none() { (stored(&db, latest.id)?, (s, f)) } else { ((s, f), stored(&db, latest.id)?) }
        }
        (None, _) => {
            let (o, n) = db.latest_two()?;
            (stored(&db, o.id)?, stored(&db, n.id)?)
        }
    };
    let d = Diff::of(old, &of, new, &nf);
    if args.json {
        crate::output::json(&d)?;
    } else {
        out!("{}", text(&d));
    }
    let failed = fail.is_some_and(|kinds| d.has_changes_in(&kinds));
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn name(s: &Side) -> String {
    match (s.id, &s.label, &s.source) {
        (Some(id), Some(l), _) => format!("#{id} \"{}\"", Safe(l)),
        (Some(id), None, _) => format!("#{id}"),
        (None, _, Some(src)) => format!("`{}`", Safe(src)),
        (None, _, None) => "?".into(),
    }
}

/// A short list of actions: the first few and a count.
fn actions(list: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut s: Vec<&str> = list.iter().take(SHOWN).map(String::as_str).collect();
    let more = list.len().saturating_sub(SHOWN);
    let rest = if more > 0 { format!(" and {more} more") } else { String::new() };
    if s.is_empty() {
        s.push("no new action");
    }
    format!("{}{rest}", s.join(", "))
}

/// One change as a line (without its subject, which heads its group). Notable changes start
/// with `!`.
pub fn line(c: &Change) -> String {
    let mark = if c.is_notable() { "!" } else { " " };
    let body = match c {
        Change::RoleAdded { privilege, .. } => format!("+ role added (privilege {privilege})"),
        Change::RoleRemoved { privilege, .. } => format!("- role removed (was {privilege})"),
        Change::TrustAdded { entity, .. } => {
            let cat = if entity.category.is_empty() { entity.kind.as_str() } else { entity.category.as_str() };
            format!("+ trusts {} ({cat}): {}", entity.principal, entity.summary)
        }
        Change::TrustRemoved { entity, .. } => format!("- no longer trusts {}", entity.principal),
        Change::TrustChanged { .. } => "~ trust policy changed (same principals)".into(),
        Change::PrivilegeGained { old_level, new_level, actions: a, .. } => {
            format!("+ privilege gained: {old_level} -> {new_level}: {}", actions(a))
        }
        Change::PrivilegeLost { old_level, new_level, actions: a, .. } => {
            format!("- privilege lost: {old_level} -> {new_level}: {}", actions(a))
        }
        Change::PermissionsChanged { .. } => "~ permissions changed (same privileged actions)".into(),
        Change::ReachGained { principal, privilege, conditional, .. } => {
            let when = if *conditional { ", under conditions" } else { "" };
            format!("+ {principal} can now reach this role ({privilege}{when})")
        }
        Change::ReachLost { principal, .. } => format!("- {principal} can no longer reach this role"),
        Change::ResourceAdded { resource, .. } => format!("+ {} {} runs as this role", resource.kind, resource.name),
        Change::ResourceRemoved { resource, .. } => format!("- {} {} no longer runs as this role", resource.kind, resource.name),
        Change::FindingOpened { finding } => {
            format!("+ finding opened [{}] {}: {} ({})", finding.severity, finding.rule, finding.message, finding.fingerprint)
        }
        Change::FindingClosed { finding } => {
            format!("- finding closed [{}] {}: {} ({})", finding.severity, finding.rule, finding.message, finding.fingerprint)
        }
    };
    // The body quotes the data (principals, names, messages): one line, whatever they hold.
    model::terminal_safe_owned(format!("{mark} {body}"))
}

/// The terminal form: changes grouped by subject, then counts by kind.
fn text(d: &Diff) -> String {
    let mut out = format!("diff {} -> {}\n", name(&d.old), name(&d.new));
    if d.changes.is_empty() {
        out.push_str("no changes\n");
        return out;
    }
    let mut subject = "";
    for c in &d.changes {
        if c.subject() != subject {
            subject = c.subject();
            out.push_str(&format!("\n{}\n", Safe(subject)));
        }
        out.push_str(&format!("  {}\n", line(c)));
    }
    let counts: Vec<String> = d.counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
    out.push_str(&format!("\n{} change(s): {}\n", d.changes.len(), counts.join(", ")));
    out
}
