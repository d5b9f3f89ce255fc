//! `rolegraph collect --out DIR`: live collection through the AWS SDK into the export folder
//! that the other commands read (one folder per account, `organization/`), with progress on
//! stderr and a summary at the end; `--scan` then prints the roles table of what was collected.
//! See `docs/collect.md`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Parser;

use crate::output::errln;

#[derive(clap::Args)]
pub struct Args {
    /// The export folder to write (created; must be new or empty).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The profile of the AWS configuration to use (default: the standard chain).
    #[arg(long)]
    profile: Option<String>,
    /// Regions of EC2, Lambda and ECS; repeat or separate with commas (default: the configured
    /// region). The first is also the region of the global services' clients.
    #[arg(long = "region", value_name = "REGION", value_delimiter = ',')]
    regions: Vec<String>,
    /// A custom endpoint for every service (a local emulator such as moto).
    #[arg(long, value_name = "URL")]
    endpoint_url: Option<String>,
    /// Collect the organization (from its management or a delegated administrator account) and
    /// every active account in it, through `--role-name`.
    #[arg(long)]
    org: bool,
    /// The role assumed in each member account with `--org`.
    #[arg(long, default_value = "OrganizationAccountAccessRole")]
    role_name: String,
    /// The ExternalId to pass when assuming `--role-name`.
    #[arg(long)]
    external_id: Option<String>,
    /// Accounts collected at once with `--org`.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Attempts per API call, the first included (adaptive retries on throttling).
    #[arg(long, default_value_t = 5)]
    max_attempts: u32,
    /// Seconds one attempt of a call may take; a call with its retries may take four times as
    /// long. Then it becomes a gap.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    timeout: u64,
    /// No progress bars.
    #[arg(long)]
    quiet: bool,
    /// Print the roles table of the collected folder when done.
    #[arg(long)]
    scan: bool,
    /// Also each role's and user's service last-accessed report (one IAM job each: slow on big
    /// accounts).
    #[arg(long)]
    last_accessed: bool,
}

/// `rolegraph roles DIR` with its default options.
#[derive(Parser)]
struct RolesCommand {
    #[command(flatten)]
    args: crate::cmd::roles::Args,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let source = collect::Source {
        profile: args.profile.clone(),
        region: args.regions.first().cloned(),
        endpoint_url: args.endpoint_url.clone(),
    };
    let mut options = collect::Options::new(&args.out);
    options.regions = args.regions.clone();
    options.org = args.org;
    options.role_name = args.role_name.clone();
    options.external_id = args.external_id.clone();
    options.concurrency = args.concurrency.max(1);
    options.max_attempts = args.max_attempts.max(1);
    options.attempt_timeout = Duration::from_secs(args.timeout.max(1));
    options.call_timeout = Duration::from_secs(args.timeout.max(1).saturating_mul(4));
    options.progress = !args.quiet;
    options.last_accessed = args.last_accessed;
    let summary = collect::run(&source, &options).context("collection failed")?;
    for gap in summary.gaps.iter().take(20) {
        crate::output::note("gap", gap);
    }
    if summary.gaps.len() > 20 {
        errln!("gap: ... and {} more (see `{}`)", summary.gaps.len() - 20, collect::RECORD_FILE);
    }
    crate::output::note_lines(&format!("{}\n", model::Safe(&summary.to_string())));
    if args.scan {
        let out = args.out.display().to_string();
        let roles = RolesCommand::try_parse_from(["roles", out.as_str()])?;
        return crate::cmd::roles::run(roles.args);
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Parser)]
    struct Command {
        #[command(flatten)]
        args: Args,
    }

    #[test]
    fn regions_repeat_or_separate_with_commas() {
        let c = Command::try_parse_from(["collect", "--out", "x", "--region", "eu-west-1,us-east-1", "--region", "ap-south-1"])
            .unwrap();
        assert_eq!(c.args.regions, ["eu-west-1", "us-east-1", "ap-south-1"]);
        assert_eq!(c.args.role_name, "OrganizationAccountAccessRole");
        assert_eq!(c.args.concurrency, 4);
        assert!(Command::try_parse_from(["collect"]).is_err(), "`--out` is required");
    }

    #[test]
    fn scan_reads_the_folder_like_roles() {
        let roles = RolesCommand::try_parse_from(["roles", "some/dir"]).unwrap();
        let missing = crate::cmd::roles::run(roles.args).unwrap_err().to_string();
        assert!(missing.contains("some/dir"), "{missing}");
    }
}
