//! `rolegraph usage DIR --trail PATH`: what each role used in CloudTrail against what it is
//! granted; with `--role`, one role in detail; `--parquet FILE` writes the usage table. Also the
//! trail options and the one-role text that `role`, `scan`, `who-can-assume` and `graph` share
//! when given `--trail`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use model::{Role, Safe, Snapshot, Timestamp};
use usage::{Usage, Window};

use crate::output::errln;

#[derive(clap::Args)]
pub struct Args {
    /// The folder of AWS CLI exports (see docs/export-formats.md).
    dir: PathBuf,
    #[command(flatten)]
    trail: TrailArgs,
    /// One role in detail: an ARN, a name, or ACCOUNT/NAME.
    #[arg(long)]
    role: Option<String>,
    /// Only events of the last N days before `--until`.
    #[arg(long)]
    days: Option<u32>,
    /// Write the usage table (principal, action, resource, first_seen, last_seen, count) as Parquet.
    #[arg(long, value_name = "FILE")]
    parquet: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// The CloudTrail options shared with `suggest-policy`.
#[derive(clap::Args)]
pub struct TrailArgs {
    /// CloudTrail: a log file or a folder of them (gzipped or not), `lookup-events` output, or
    /// JSON lines from CloudTrail Lake or Athena. Repeatable.
    #[arg(long, required = true, value_name = "PATH")]
    pub trail: Vec<PathBuf>,
    /// The end of the window, RFC 3339 (default: now).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Files read in parallel; 0 means one thread per available core.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
}

/// The optional CloudTrail options of `role`, `scan`, `who-can-assume` and `graph`: without
/// `--trail` their output is what it was.
#[derive(clap::Args)]
pub struct OptionalTrail {
    /// CloudTrail (a log file or a folder, `lookup-events` output, or JSON lines), to add what
    /// was really used and who really assumed roles. Repeatable.
    #[arg(long, value_name = "PATH")]
    pub trail: Vec<PathBuf>,
    /// With `--trail`: only events of the last N days before `--until`.
    #[arg(long, value_name = "N", requires = "trail")]
    pub days: Option<u32>,
    /// With `--trail`: the end of the window, RFC 3339 (default: now).
    #[arg(long, value_name = "TIME", requires = "trail")]
    pub until: Option<String>,
    /// With `--trail`: files read in parallel; 0 means one thread per available core.
    #[arg(long, default_value_t = 0, requires = "trail")]
    pub trail_threads: usize,
}

impl OptionalTrail {
    /// The usage of the trail, if one was given (the reading summary goes to stderr).
    pub fn read(&self) -> Result<Option<Usage>> {
        if self.trail.is_empty() {
            return Ok(None);
        }
        read_trail(&self.trail, self.until.as_deref(), self.days, self.trail_threads).map(Some)
    }
}

/// Loads the exports and scans the trail in the window of `days` before `until`.
pub fn load(dir: &Path, trail: &TrailArgs, days: Option<u32>) -> Result<(Snapshot, Usage)> {
    let loaded = ingest::load(dir).with_context(|| format!("cannot load the exports in `{}`", dir.display()))?;
    for w in &loaded.warnings {
        crate::output::note("warning", w);
    }
    let usage = read_trail(&trail.trail, trail.until.as_deref(), days, trail.threads)?;
    Ok((loaded.snapshot, usage))
}

/// Scans CloudTrail in the window of `days` before `until` (default: now); the reading summary
/// and the first skipped records go to stderr.
pub fn read_trail(trail: &[PathBuf], until: Option<&str>, days: Option<u32>, threads: usize) -> Result<Usage> {
    let until = match until {
        Some(t) => Timestamp::parse(t).with_context(|| format!("`{t}` is not a time (RFC 3339)"))?,
        None => Timestamp(chrono::Utc::now()),
    };
    let window = Window { from: days.map(|d| until.0.timestamp() - i64::from(d) * 86_400), to: Some(until.0.timestamp()) };
    let paths: Vec<&Path> = trail.iter().map(PathBuf::as_path).collect();
    let usage = usage::scan_with(&paths, window, threads)?;
    let r = &usage.read;
    let skipped = if r.skipped_files > 0 { format!(", {} skipped", r.skipped_files) } else { String::new() };
    errln!(
        "read {} records from {} files ({} malformed records, {} malformed files{skipped}); {} events in the window, {} outside",
        r.records,
        r.files,
        r.malformed_records,
        r.malformed_files,
        usage.events,
        usage.out_of_window
    );
    for p in r.examples.iter().take(3) {
        crate::output::note("  skipped", p);
    }
    Ok(usage)
}

/// The one role a query names.
pub fn find_role<'a>(snapshot: &'a Snapshot, query: &str) -> Result<&'a Role> {
    let found = snapshot.find_roles(query);
    match found.as_slice() {
        [one] => Ok(one),
        [] => bail!("no role `{}` in the exports", Safe(query)),
        many => bail!(
            "`{}` names {} roles: {}",
            Safe(query),
            many.len(),
            Safe(&many.iter().map(|r| r.arn.as_str()).collect::<Vec<_>>().join(", "))
        ),
    }
}

fn time(t: Option<Timestamp>) -> String {
    t.map_or_else(|| "-".to_owned(), |t| t.to_rfc3339())
}

/// `from 2026-01-01T00:00:00Z to 2026-04-01T00:00:00Z`, either end open.
pub fn window_text(from: Option<Timestamp>, to: Option<Timestamp>) -> String {
    match (from, to) {
        (Some(f), Some(t)) => format!("from {} to {}", f.to_rfc3339(), t.to_rfc3339()),
        (None, Some(t)) => format!("up to {}", t.to_rfc3339()),
        (Some(f), None) => format!("from {}", f.to_rfc3339()),
        (None, None) => "all events".to_owned(),
    }
}

/// The most items listed in text before `... N more (--json lists them)`.
const SHOWN: usize = 20;

/// One role's usage as text, indented by two spaces: calls, used actions with times and
/// resources, granted but unused, unused services, who assumed it.
pub fn render_role(r: &usage::RoleUsage) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "  window: {}", window_text(r.window_from, r.window_to));
    if let Some(u) = r.last_used {
        let from = if u.source == "trail" { "the trail" } else { "RoleLastUsed" };
        let _ = writeln!(out, "  last used: {} (from {from})", u.at.to_rfc3339());
    }
    if !r.active {
        let denied = if r.denied > 0 { format!(" ({} denied)", r.denied) } else { String::new() };
        let _ = writeln!(out, "  not used in the window: no call passed authorization{denied}");
    } else {
        let _ = writeln!(
            out,
            "  calls: {} allowed, {} denied; first {}, last {}",
            r.events,
            r.denied,
            time(r.first_seen),
            time(r.last_seen)
        );
    }
    let _ = writeln!(out, "  used actions ({}):", r.used.iter().filter(|a| a.count > 0).count());
    for a in &r.used {
        let denied = if a.denied > 0 { format!(", {} denied", a.denied) } else { String::new() };
        let _ = writeln!(
            out,
            "    {:<44} {:<22} {:>6}x{denied}  {} .. {}",
            Safe(&a.action),
            a.access_level,
            a.count,
            time(a.first_seen),
            time(a.last_seen)
        );
        for x in a.resources.iter().take(5) {
            let _ = writeln!(out, "      on {} ({}x, last {})", Safe(&x.arn), x.count, time(x.last_seen));
        }
        let more = a.resources.len().saturating_sub(5) as u64 + a.more_resources;
        if more > 0 {
            let _ = writeln!(out, "      ... and {more} more resources");
        }
        if a.calls_without_resource > 0 && !a.resources.is_empty() {
            let _ = writeln!(out, "      and {} calls that name no resource", a.calls_without_resource);
        }
    }
    if !r.used_not_granted.is_empty() {
        let _ =
            writeln!(out, "  used but not granted by the current identity policies: {}", Safe(&r.used_not_granted.join(", ")));
    }
    let _ = writeln!(out, "  granted: {}, granted but unused: {}", r.granted_count, r.granted_unused.len());
    if r.granted_unused.len() <= SHOWN {
        for a in &r.granted_unused {
            let _ = writeln!(out, "    {a}");
        }
    } else {
        // Too many to read: those of the services the role does call are what to remove first.
        let used: std::collections::BTreeSet<&str> =
            r.used.iter().filter(|a| a.count > 0).filter_map(|a| a.action.split_once(':').map(|(p, _)| p)).collect();
        let near: Vec<&String> =
            r.granted_unused.iter().filter(|a| a.split_once(':').is_some_and(|(p, _)| used.contains(p))).collect();
        if !near.is_empty() {
            let _ = writeln!(out, "    of the services it called ({}):", near.len());
            for a in near.iter().take(SHOWN) {
                let _ = writeln!(out, "      {a}");
            }
            if near.len() > SHOWN {
                let _ = writeln!(out, "      ... {} more", near.len() - SHOWN);
            }
        }
        let _ = writeln!(out, "    (--json lists all {})", r.granted_unused.len());
    }
    if !r.granted_services_unused.is_empty() {
        let shown: Vec<&str> = r.granted_services_unused.iter().take(SHOWN).map(String::as_str).collect();
        let more = r.granted_services_unused.len().saturating_sub(SHOWN);
        let more = if more > 0 { format!(", ... {more} more") } else { String::new() };
        let _ = writeln!(
            out,
            "  services granted but not called in the window ({}): {}{more}",
            r.granted_services_unused.len(),
            shown.join(", ")
        );
    }
    if r.last_accessed_known {
        let names: Vec<String> = r
            .unused_services
            .iter()
            .map(|s| match s.last_authenticated {
                Some(t) => format!("{} (last {})", Safe(&s.namespace), t.to_rfc3339()),
                None => format!("{} (never)", Safe(&s.namespace)),
            })
            .collect();
        let _ = writeln!(
            out,
            "  services unused per last-accessed data: {}",
            if names.is_empty() { "none".into() } else { names.join(", ") }
        );
    } else if r.in_snapshot {
        let _ = writeln!(out, "  no last-accessed report for this role in the exports");
    }
    if r.assumers.is_empty() {
        let _ = writeln!(out, "  assumed by: nobody in the trail");
    }
    for e in &r.assumers {
        let account = match (e.caller_account.as_deref(), e.caller_vendor.as_deref()) {
            (Some(a), Some(v)) => format!(", vendor {} account {}", Safe(v), Safe(a)),
            (Some(a), None) => format!(", account {}", Safe(a)),
            _ => String::new(),
        };
        let denied = if e.denied > 0 { format!(" ({} denied)", e.denied) } else { String::new() };
        let _ = writeln!(
            out,
            "  assumed by {} ({}{account}) {}x{denied} via {}, first {}, last {}",
            Safe(&e.caller),
            e.caller_kind.as_str(),
            e.count,
            Safe(&e.apis.join(", ")),
            time(e.first_seen),
            time(e.last_seen)
        );
        if !e.source_ips.is_empty() {
            let _ = writeln!(out, "    from {}", Safe(&e.source_ips.join(", ")));
        }
        if !e.subjects.is_empty() {
            let _ = writeln!(out, "    users: {}", Safe(&e.subjects.join(", ")));
        }
    }
    for g in &r.gaps {
        let _ = writeln!(out, "  gap: {}", Safe(&g.to_string()));
    }
    out
}

pub fn run(args: Args) -> Result<ExitCode> {
    let (snapshot, usage) = load(&args.dir, &args.trail, args.days)?;
    if let Some(path) = &args.parquet {
        let rows = usage::rows(&usage);
        usage::write_parquet(&rows, path)?;
        errln!("wrote {} rows to `{}`", rows.len(), Safe(&path.display().to_string()));
    }
    if let Some(q) = &args.role {
        let arn = match find_role(&snapshot, q) {
            Ok(r) => r.arn.clone(),
            Err(e) if q.starts_with("arn:") && usage.principal(q).is_some() => {
                crate::output::note("note", format_args!("{e}; showing what the trail has"));
                q.clone()
            }
            Err(e) => return Err(e),
        };
        let r = usage::role_usage(&snapshot, &usage, &arn);
        if args.json {
            crate::output::json(&r)?;
            return Ok(ExitCode::SUCCESS);
        }
        let mut out = crate::output::text();
        writeln!(out, "{}{}", Safe(&r.role), if r.in_snapshot { "" } else { " (not in the exports)" })?;
        out.write_all(render_role(&r).as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    let o = usage::overview(&snapshot, &usage);
    if args.json {
        let v = serde_json::json!({
            "schema_version": o.schema_version,
            "roles": o.roles,
            "unused_roles": o.unused_roles,
            "used_beyond_the_trail": o.used_beyond_the_trail,
            "assumptions": usage.assumptions,
            "unmapped": usage.unmapped,
            "read": usage.read,
        });
        crate::output::json(&v)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = crate::output::text();
    writeln!(out, "{:<64} {:>5} {:>15}  {:<21} ASSUMED BY", "ROLE", "USED", "GRANTED-UNUSED", "LAST ACTIVITY")?;
    for r in &o.roles {
        let name = if r.in_snapshot { r.role.clone() } else { format!("{} *", r.role) };
        writeln!(
            out,
            "{:<64} {:>5} {:>15}  {:<21} {}",
            Safe(&name),
            r.used_actions,
            r.granted_unused,
            time(r.last_activity),
            Safe(&r.assumers.join(", "))
        )?;
    }
    if o.roles.iter().any(|r| !r.in_snapshot) {
        writeln!(out, "* seen in the trail, not in the exports")?;
    }
    writeln!(out, "roles not used in the window (no call in the trail, none per RoleLastUsed): {}", o.unused_roles.len())?;
    for r in &o.unused_roles {
        writeln!(out, "  {}", Safe(r))?;
    }
    if !o.used_beyond_the_trail.is_empty() {
        writeln!(
            out,
            "roles with no call in the trail but used in the window per RoleLastUsed (the trail misses a region, an \
             account or data events): {}",
            o.used_beyond_the_trail.len()
        )?;
        for r in &o.used_beyond_the_trail {
            writeln!(out, "  {}", Safe(r))?;
        }
    }
    if !usage.unmapped.is_empty() {
        let shown: Vec<String> = usage
            .unmapped
            .iter()
            .take(5)
            .map(|u| format!("{}:{} ({})", Safe(&u.event_source), Safe(&u.event_name), u.count))
            .collect();
        writeln!(out, "calls without a known IAM action: {} kinds, e.g. {}", usage.unmapped.len(), shown.join(", "))?;
    }
    Ok(ExitCode::SUCCESS)
}
