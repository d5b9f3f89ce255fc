//! `rolegraph suggest-policy DIR ROLE --trail PATH`: a least-privilege policy from the role's
//! observed activity, proved by the engine to allow every observed call it keeps and nothing
//! the current policies do not. The policy goes to stdout, the proof summary to stderr (both to
//! stdout with `--json`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use model::Safe;

use crate::cmd::usage::{TrailArgs, find_role, load};
use crate::output::errln;

#[derive(clap::Args)]
pub struct Args {
    /// The folder of AWS CLI exports (see docs/export-formats.md).
    dir: PathBuf,
    /// The role: an ARN, a name, or ACCOUNT/NAME.
    role: String,
    #[command(flatten)]
    trail: TrailArgs,
    /// The window: the last N days before `--until`.
    #[arg(long, default_value_t = 90)]
    days: u32,
    /// Print the policy and its proof as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let (snapshot, usage) = load(&args.dir, &args.trail, Some(args.days))?;
    let role = find_role(&snapshot, &args.role)?;
    let s = usage::suggest_policy(&snapshot, &usage, role)?;
    if args.json {
        crate::output::json(&s)?;
        return Ok(ExitCode::SUCCESS);
    }
    crate::output::json(&s.policy)?;
    let p = &s.proof;
    errln!("proof for {} ({} actions):", Safe(&s.role), s.actions);
    errln!("  observed calls allowed by the suggested policy: {}/{}", p.observed_allowed, p.observed_checked);
    errln!("  suggested action/resource pairs within the current policy: {}/{}", p.suggested_within_current, p.suggested_checked);
    for c in &p.observed_not_allowed_now {
        errln!(
            "  observed but not allowed by the current policy ({}), not suggested: {} on {}",
            Safe(c.outcome),
            Safe(&c.action),
            Safe(&c.resource)
        );
    }
    for c in &p.dropped_beyond_current {
        errln!("  beyond the current policy ({}), dropped: {} on {}", Safe(c.outcome), Safe(&c.action), Safe(&c.resource));
    }
    for c in &p.runtime_kept {
        errln!(
            "  kept for the runtime (the trail cannot show it; the role has it today): {} on {}",
            Safe(&c.action),
            Safe(&c.resource)
        );
    }
    for g in &s.gaps {
        crate::output::note("  gap", g);
    }
    for n in &s.notes {
        crate::output::note("  note", n);
    }
    errln!(
        "  {}",
        match (p.holds, p.covers_every_observed_call) {
            (true, true) =>
                "the proof holds: the suggestion allows every observed call and nothing the current policy refuses".to_owned(),
            (true, false) => format!(
                "the proof holds for what is suggested, but {} observed call(s) are left out (see above): applying it may \
                 break them",
                p.observed_not_allowed_now.len()
            ),
            (false, _) => "the proof does NOT hold: see above".to_owned(),
        }
    );
    Ok(ExitCode::SUCCESS)
}
