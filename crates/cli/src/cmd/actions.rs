//! `rolegraph actions PATTERN`: which actions an action pattern grants, by access level, from the
//! embedded catalog.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use catalog::Catalog;
use model::Safe;

#[derive(clap::Args)]
pub struct Args {
    /// An action pattern such as `s3:Get*`, `iam:*` or `*`.
    pattern: String,
    /// List every action, not only the counts per access level.
    #[arg(long)]
    all: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let summary = Catalog::get().describe(&args.pattern);
    if args.json {
        crate::output::json(&summary)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = crate::output::text();
    if summary.total == 0 {
        writeln!(out, "`{}` matches no action the catalog knows", Safe(&args.pattern))?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "`{}` grants {} actions", Safe(&args.pattern), summary.total)?;
    for g in &summary.levels {
        writeln!(out, "  {:<24} {}", g.level.as_str(), g.count)?;
        let shown = if args.all { g.actions.len() } else { g.actions.len().min(5) };
        for a in g.actions.iter().take(shown) {
            writeln!(out, "    {a}")?;
        }
        if shown < g.actions.len() {
            writeln!(out, "    ... {} more (--all lists them)", g.actions.len() - shown)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
