//! `rolegraph-synth`: writes synthetic accounts and an organization as AWS CLI exports.

use std::path::PathBuf;

use clap::Parser;
use rolegraph_synth::{SynthConfig, generate};

/// Write synthetic AWS accounts and an organization as AWS CLI exports (deterministic for a
/// seed), for tests and benchmarks of `rolegraph`.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Number of accounts.
    #[arg(long, default_value_t = 3)]
    accounts: usize,
    /// Roles per account.
    #[arg(long, default_value_t = 100)]
    roles_per_account: usize,
    /// Users per account.
    #[arg(long, default_value_t = 10)]
    users_per_account: usize,
    /// Seed of the generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write only `get-account-authorization-details` per account.
    #[arg(long)]
    only_authorization_details: bool,
    /// Percentage of policy documents written URL-encoded.
    #[arg(long, default_value_t = 0)]
    url_encoded_percent: u8,
    /// Resources with resource-based policies per account (buckets, keys, queues, function
    /// policies, secrets, topics).
    #[arg(long, default_value_t = 0)]
    resources_per_account: usize,
    /// Output folder (one sub-folder per account, and `organization/`).
    #[arg(long)]
    out: PathBuf,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let config = SynthConfig {
        accounts: args.accounts,
        roles_per_account: args.roles_per_account,
        users_per_account: args.users_per_account,
        seed: args.seed,
        only_authorization_details: args.only_authorization_details,
        url_encoded_percent: args.url_encoded_percent.min(100),
        resources_per_account: args.resources_per_account,
    };
    let s = generate(&config, &args.out)?;
    eprintln!(
        "wrote {} accounts, {} roles, {} users, {} customer-managed policies, {} EC2 instances, {} Lambda functions, {} resources with policies: {} files, {:.1} MB in `{}`",
        s.account_ids.len(),
        s.roles,
        s.users,
        s.customer_policies,
        s.ec2_instances,
        s.lambda_functions,
        s.resources,
        s.files,
        s.bytes as f64 / 1e6,
        args.out.display()
    );
    Ok(())
}
