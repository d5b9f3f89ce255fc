//! `rolegraph scan DIR`: run every rule on the exports in DIR and report the findings in one of
//! the formats of `rolegraph-report` (terminal text, JSON, SARIF, Markdown, HTML), to stdout or
//! `--output FILE`. Exit code 1 when a finding (not suppressed) reaches `--fail-on`, 2 on error.
//! With `--trail`, the rules that compare granted with used (`unused-permissions`,
//! `unused-role`) also read CloudTrail.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use model::Timestamp;
use rules::{RuleContext, Severity, Suppressions};

/// Parses `--format`: one of the formats of `rolegraph-report`.
fn parse_format(text: &str) -> Result<report::Format, String> {
    report::Format::parse(text).ok_or_else(|| {
        let all: Vec<&str> = report::Format::ALL.iter().map(|f| f.as_str()).collect();
        format!("expected one of {}", all.join(", "))
    })
}

#[derive(clap::Args)]
pub struct Args {
    /// A folder of AWS CLI exports (one account, or one sub-folder per account).
    dir: PathBuf,
    /// Output format.
    #[arg(long, value_parser = parse_format, default_value = "text")]
    format: report::Format,
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
    #[command(flatten)]
    trail: crate::cmd::usage::OptionalTrail,
}

/// The time to count from: given, else the newest timestamp the snapshot holds.
pub fn pick_now(snapshot: &model::Snapshot, given: Option<&str>) -> Result<Timestamp> {
    if let Some(t) = given {
        return Timestamp::parse(t)
            .with_context(|| format!("`--now {t}` is not a time (use RFC 3339, e.g. 2026-11-25T00:00:00Z)"));
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
        crate::output::note("warning", w);
    }
    let snapshot = &loaded.snapshot;
    let now = pick_now(snapshot, args.now.as_deref())?;
    let used = args.trail.read()?;
    let analysis = analysis::Analysis::new(snapshot);
    let mut cx = RuleContext::of(&analysis, now);
    if let Some(u) = &used {
        cx = cx.with_usage(u);
    }
    let findings = rules::run(&cx, &suppressions);
    if args.format == report::Format::Html {
        // The HTML report shows every role's privilege.
        cx.precompute_privilege(|_| true);
    }
    let source = args.dir.display().to_string();
    let input = report::Input { snapshot, findings: &findings, now, source: &source, roles: cx.roles() };
    let mut out: Box<dyn Write> = match &args.output {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("cannot write `{}`", p.display()))?,
        )),
        None if args.format == report::Format::Text => Box::new(crate::output::text()),
        None => Box::new(crate::output::stdout()),
    };
    report::render(args.format, &input, &mut out)?;
    out.flush()?;
    let failing = fail_on.is_some_and(|level| findings.iter().any(|f| f.suppressed.is_none() && f.severity >= level));
    Ok(if failing { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
