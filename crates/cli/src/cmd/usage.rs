//! `rolegraph usage DIR --trail PATH`: what each role used in CloudTrail against what it is
//! granted; with `--role`, one role in detail; `--parquet FILE` writes the usage table.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use model::{Role, Snapshot, Timestamp};
use usage::{Usage, Window};

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

/// Loads the exports and scans the trail in the window of `days` before `until`.
pub fn load(dir: &Path, trail: &TrailArgs, days: Option<u32>) -> Result<(Snapshot, Usage)> {
    let loaded = ingest::load(dir).with_context(|| format!("cannot load the exports in `{}`", dir.display()))?;
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    let until = match &trail.until {
        Some(t) => Timestamp::parse(t).with_context(|| format!("`{t}` is not a time (RFC 3339)"))?,
        None => Timestamp(chrono::Utc::now()),
    };
    let window = Window {
        from: days.map(|d| until.0.timestamp() - i64::from(d) * 86_400),
        to: Some(until.0.timestamp()),
    };
    let paths: Vec<&Path> = trail.trail.iter().map(PathBuf::as_path).collect();
    let usage = usage::scan_with(&paths, window, trail.threads)?;
    let r = &usage.read;
    eprintln!(
        "read {} records from {} files ({} malformed records, {} malformed files); {} events in the window, {} outside",
        r.records, r.files, r.malformed_records, r.malformed_files, usage.events, usage.out_of_window
    );
    for p in r.examples.iter().take(3) {
        eprintln!("  skipped: {p}");
    }
    Ok((loaded.snapshot, usage))
}

/// The one role a query names.
pub fn find_role<'a>(snapshot: &'a Snapshot, query: &str) -> Result<&'a Role> {
    let found = snapshot.find_roles(query);
    match found.as_slice() {
        [one] => Ok(one),
        [] => bail!("no role `{query}` in the exports"),
        many => bail!(
            "`{query}` names {} roles: {}",
            many.len(),
            many.iter().map(|r| r.arn.as_str()).collect::<Vec<_>>().join(", ")
        ),
    }
}

fn time(t: Option<Timestamp>) -> String {
    t.map_or_else(|| "-".to_owned(), |t| t.to_rfc3339())
}

pub fn run(args: Args) -> Result<ExitCode> {
    let (snapshot, usage) = load(&args.dir, &args.trail, args.days)?;
    if let Some(path) = &args.parquet {
        let rows = usage::rows(&usage);
        usage::write_parquet(&rows, path)?;
        eprintln!("wrote {} rows to `{}`", rows.len(), path.display());
    }
    let mut out = std::io::stdout().lock();
    if let Some(q) = &args.role {
        let arn = match find_role(&snapshot, q) {
            Ok(r) => r.arn.clone(),
            Err(e) if q.starts_with("arn:") && usage.principal(q).is_some() => {
                eprintln!("note: {e}; showing what the trail has");
                q.clone()
            }
            Err(e) => return Err(e),
        };
        let r = usage::role_usage(&snapshot, &usage, &arn);
        if args.json {
            serde_json::to_writer_pretty(&mut out, &r)?;
            writeln!(out)?;
            return Ok(ExitCode::SUCCESS);
        }
        writeln!(out, "{}{}", r.role, if r.in_snapshot { "" } else { " (not in the exports)" })?;
        writeln!(out, "  calls: {} allowed, {} denied; first {}, last {}", r.events, r.denied, time(r.first_seen), time(r.last_seen))?;
        writeln!(out, "  used actions ({}):", r.used.iter().filter(|a| a.count > 0).count())?;
        for a in &r.used {
            let res = match a.resources.len() {
                0 => String::new(),
                1 => format!(" on {}", a.resources.first().map_or("", |x| x.arn.as_str())),
                n => format!(" on {n} resources"),
            };
            let denied = if a.denied > 0 { format!(", {} denied", a.denied) } else { String::new() };
            writeln!(out, "    {:<44} {:<22} {:>6}x{denied}  {} .. {}{res}", a.action, a.access_level, a.count, time(a.first_seen), time(a.last_seen))?;
        }
        if !r.used_not_granted.is_empty() {
            writeln!(out, "  used but not granted by the current identity policies: {}", r.used_not_granted.join(", "))?;
        }
        writeln!(out, "  granted: {}, granted but unused: {}", r.granted_count, r.granted_unused.len())?;
        for a in r.granted_unused.iter().take(20) {
            writeln!(out, "    {a}")?;
        }
        if r.granted_unused.len() > 20 {
            writeln!(out, "    ... {} more (--json lists them)", r.granted_unused.len() - 20)?;
        }
        if r.last_accessed_known {
            let names: Vec<&str> = r.unused_services.iter().map(|s| s.namespace.as_str()).collect();
            writeln!(out, "  services unused per last-accessed data: {}", if names.is_empty() { "none".into() } else { names.join(", ") })?;
        } else {
            writeln!(out, "  no last-accessed report for this role in the exports")?;
        }
        for e in &r.assumers {
            writeln!(
                out,
                "  assumed by {} ({}) {}x, last {}, from {}",
                e.caller,
                e.caller_kind.as_str(),
                e.count,
                time(e.last_seen),
                e.source_ips.join(", ")
            )?;
        }
        for g in &r.gaps {
            writeln!(out, "  gap: {g}")?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let o = usage::overview(&snapshot, &usage);
    if args.json {
        let v = serde_json::json!({
            "schema_version": o.schema_version,
            "roles": o.roles,
            "unused_roles": o.unused_roles,
            "assumptions": usage.assumptions,
            "unmapped": usage.unmapped,
            "read": usage.read,
        });
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "{:<64} {:>5} {:>15}  {:<21} ASSUMED BY", "ROLE", "USED", "GRANTED-UNUSED", "LAST ACTIVITY")?;
    for r in &o.roles {
        let name = if r.in_snapshot { r.role.clone() } else { format!("{} *", r.role) };
        writeln!(out, "{:<64} {:>5} {:>15}  {:<21} {}", name, r.used_actions, r.granted_unused, time(r.last_activity), r.assumers.join(", "))?;
    }
    if o.roles.iter().any(|r| !r.in_snapshot) {
        writeln!(out, "* seen in the trail, not in the exports")?;
    }
    writeln!(out, "roles not used in the window: {}", o.unused_roles.len())?;
    for r in &o.unused_roles {
        writeln!(out, "  {r}")?;
    }
    if !usage.unmapped.is_empty() {
        let shown: Vec<String> = usage.unmapped.iter().take(5).map(|u| format!("{}:{} ({})", u.event_source, u.event_name, u.count)).collect();
        writeln!(out, "calls without a known IAM action: {} kinds, e.g. {}", usage.unmapped.len(), shown.join(", "))?;
    }
    Ok(ExitCode::SUCCESS)
}
