//! `rolegraph rules` lists the rules; `rolegraph rule ID` prints one rule's documentation (its
//! doc comment, the single source).

use std::process::ExitCode;

use anyhow::{Result, bail};

use crate::output::{out, outln};

#[derive(clap::Args)]
pub struct ListArgs {
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
pub struct ShowArgs {
    /// The rule id, e.g. `root-access-keys`.
    id: String,
}

pub fn list(args: ListArgs) -> Result<ExitCode> {
    if args.json {
        let metas: Vec<_> = rules::RULES.iter().map(|r| r.meta()).collect();
        crate::output::json(&metas)?;
        return Ok(ExitCode::SUCCESS);
    }
    for r in rules::RULES {
        let m = r.meta();
        outln!("{:<40} {:<9} {}", m.id, m.severity.as_str(), m.name);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn show(args: ShowArgs) -> Result<ExitCode> {
    let Some(r) = rules::rule(&args.id) else {
        bail!("no rule `{}` (`rolegraph rules` lists them)", args.id);
    };
    let m = r.meta();
    outln!("# {} ({})\n\nSeverity: {}. Category: {:?}.\n", m.name, m.id, m.severity.as_str(), m.category);
    out!("{}", m.markdown());
    Ok(ExitCode::SUCCESS)
}
