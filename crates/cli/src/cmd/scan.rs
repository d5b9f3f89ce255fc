//! `rolegraph scan DIR`: run every rule on the exports in DIR and report the findings: a terminal
//! summary, or JSON. Exit code 1 when a finding (not suppressed) reaches `--fail-on`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use model::Timestamp;
use rules::{Finding, RuleContext, Severity, Suppressions};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(clap::Args)]
pub struct Args {
    /// A folder of AWS CLI exports (one account, or one sub-folder per account).
    dir: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Write the report to FILE instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit with 1 when a finding at or above this severity is not suppressed (`never` to
    /// always exit 0 on success).
    #[arg(long, value_name = "SEVERITY", default_value = "high")]
    fail_on: String,
    /// A TOML file of suppressions (by fingerprint, or by rule and subject, each with a reason).
    #[arg(long, value_name = "FILE")]
    suppressions: Option<PathBuf>,
    /// The time rules count days from (RFC 3339); by default the newest time found in the
    /// exports (the credential report's), so that a report on old exports stays the same.
    #[arg(long, value_name = "TIME")]
    now: Option<String>,
}

/// The report's JSON form.
#[derive(serde::Serialize)]
struct Report<'a> {
    schema_version: u32,
    now: String,
    findings: &'a [Finding],
    gaps: &'a [model::Gap],
    summary: Summary,
}

#[derive(serde::Serialize, Default)]
struct Summary {
    total: usize,
    suppressed: usize,
    by_severity: std::collections::BTreeMap<&'static str, usize>,
}

/// The time to count from: given, else the newest timestamp the snapshot holds.
pub fn pick_now(snapshot: &model::Snapshot, given: Option<&str>) -> Result<Timestamp> {
    if let Some(t) = given {
        return Timestamp::parse(t).with_context(|| format!("`--now {t}` is not a time (use RFC 3339, e.g. 2026-11-25T00:00:00Z)"));
    }
    let newest = snapshot
        .accounts
        .iter()
        .flat_map(|a| {
            let report = a.credential_report.iter().filter_map(|r| r.generated_time);
            let roles = a.roles.iter().filter_map(|r| r.role_last_used.as_ref().and_then(|u| u.date).or(r.create_date));
            report.chain(roles)
        })
        .max();
    Ok(newest.unwrap_or_else(|| Timestamp(chrono::Utc::now())))
}

pub fn run(args: Args) -> Result<ExitCode> {
    let fail_on = match Severity::parse(&args.fail_on) {
        Some(s) => Some(s),
        None if args.fail_on.eq_ignore_ascii_case("never") => None,
        None => bail!("`--fail-on {}`: expected info, low, medium, high, critical or never", args.fail_on),
    };
    let suppressions = match &args.suppressions {
        Some(p) => Suppressions::read(p)?,
        None => Suppressions::default(),
    };
    let loaded = ingest::load(&args.dir)?;
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    let snapshot = &loaded.snapshot;
    let now = pick_now(snapshot, args.now.as_deref())?;
    let findings = rules::run(&RuleContext::new(snapshot, now), &suppressions);

    let mut summary = Summary::default();
    for f in &findings {
        if f.suppressed.is_some() {
            summary.suppressed += 1;
        } else {
            summary.total += 1;
            *summary.by_severity.entry(f.severity.as_str()).or_default() += 1;
        }
    }
    let mut out: Box<dyn Write> = match &args.output {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("cannot write `{}`", p.display()))?,
        )),
        None => Box::new(std::io::stdout().lock()),
    };
    match args.format {
        Format::Json => {
            let report = Report { schema_version: 1, now: now.to_string(), findings: &findings, gaps: &snapshot.gaps, summary };
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        Format::Text => print_text(&mut out, &findings, snapshot, &summary)?,
    }
    out.flush()?;
    let failing = fail_on.is_some_and(|level| findings.iter().any(|f| f.suppressed.is_none() && f.severity >= level));
    Ok(if failing { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn print_text(out: &mut dyn Write, findings: &[Finding], snapshot: &model::Snapshot, summary: &Summary) -> Result<()> {
    let roles: usize = snapshot.accounts.iter().map(|a| a.roles.len()).sum();
    let users: usize = snapshot.accounts.iter().map(|a| a.users.len()).sum();
    writeln!(out, "{} accounts, {roles} roles, {users} users", snapshot.accounts.len())?;
    let counts: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .filter_map(|s| summary.by_severity.get(s.as_str()).map(|n| format!("{n} {}", s.as_str())))
        .collect();
    writeln!(out, "{} findings ({}), {} suppressed", summary.total, if counts.is_empty() { "none".into() } else { counts.join(", ") }, summary.suppressed)?;
    writeln!(out)?;
    for f in findings.iter().filter(|f| f.suppressed.is_none()) {
        writeln!(out, "{:<8} {:<36} {}", f.severity.as_str().to_uppercase(), f.rule, f.message)?;
        writeln!(out, "         subject {}  fingerprint {}", f.subject.arn, f.fingerprint)?;
    }
    if !snapshot.gaps.is_empty() {
        writeln!(out)?;
        writeln!(out, "{} gaps (what the exports do not say; no finding was guessed there):", snapshot.gaps.len())?;
        for g in snapshot.gaps.iter().take(20) {
            let acct = g.account.as_deref().unwrap_or("-");
            writeln!(out, "  {acct:<14} {}", g.what)?;
        }
        if snapshot.gaps.len() > 20 {
            writeln!(out, "  ... {} more (--format json lists them all)", snapshot.gaps.len() - 20)?;
        }
    }
    Ok(())
}
