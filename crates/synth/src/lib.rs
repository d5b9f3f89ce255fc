//! Synthetic AWS accounts and organizations, written as the AWS CLI's JSON exports (the same
//! files `rolegraph-ingest` reads), deterministic for a seed. For tests at scale and benchmarks.
//!
//! The variety is realistic rather than random noise: execution roles for EC2, Lambda and ECS
//! with the resources that use them, cross-account trust between the generated accounts, vendor
//! and federated (SAML, GitHub OIDC) roles with and without their guarding conditions,
//! service-linked and SSO roles, managed and inline policies with wildcards and conditions,
//! users with groups and access keys, and an organization with SCPs and RCPs.

mod account;
mod org;
mod policy;
mod resources;
mod rng;
mod write;

use std::path::Path;

pub use rng::Rng;

/// What to generate.
#[derive(Clone, Debug)]
pub struct SynthConfig {
    pub accounts: usize,
    pub roles_per_account: usize,
    pub users_per_account: usize,
    pub seed: u64,
    /// Write only the authorization details of each account (no `list-roles`, EC2, Lambda,
    /// ECS, credential report): for benchmarks of that file alone.
    pub only_authorization_details: bool,
    /// Percentage (0-100) of policy documents written URL-encoded, as the raw IAM API does.
    pub url_encoded_percent: u8,
    /// Resources with resource-based policies per account (S3 buckets, KMS keys, SQS queues,
    /// Lambda function policies, secrets, SNS topics), one CLI output file each.
    pub resources_per_account: usize,
}

impl Default for SynthConfig {
    fn default() -> Self {
        SynthConfig {
            accounts: 3,
            roles_per_account: 100,
            users_per_account: 10,
            seed: 1,
            only_authorization_details: false,
            url_encoded_percent: 0,
            resources_per_account: 0,
        }
    }
}

/// What was generated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SynthSummary {
    pub account_ids: Vec<String>,
    pub roles: usize,
    pub users: usize,
    pub customer_policies: usize,
    pub ec2_instances: usize,
    pub lambda_functions: usize,
    pub resources: usize,
    pub files: usize,
    pub bytes: u64,
}

/// The id of the `i`-th generated account: 12 digits, distinct, stable for a seed.
pub fn account_id(seed: u64, i: usize) -> String {
    let base = 100_000_000_000u64 + (seed % 1_000) * 100_000_000;
    format!("{:012}", base + (i as u64) * 7_919 + 11)
}

/// Writes one folder per account under `out`, and the organization's files under
/// `out/organization`.
pub fn generate(config: &SynthConfig, out: &Path) -> std::io::Result<SynthSummary> {
    std::fs::create_dir_all(out)?;
    let ids: Vec<String> = (0..config.accounts).map(|i| account_id(config.seed, i)).collect();
    let mut summary = SynthSummary { account_ids: ids.clone(), ..SynthSummary::default() };
    for (i, id) in ids.iter().enumerate() {
        let mut rng = Rng::new(config.seed ^ (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        account::write_account(config, &ids, i, id, &mut rng, &out.join(id), &mut summary)?;
    }
    if !config.only_authorization_details && config.accounts > 0 {
        let mut rng = Rng::new(config.seed ^ 0x5EED_0F0A_0000_0001);
        org::write_organization(&ids, &mut rng, &out.join("organization"), &mut summary)?;
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids_are_distinct_and_twelve_digits() {
        let ids: Vec<String> = (0..1000).map(|i| account_id(42, i)).collect();
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ids.len());
        assert!(ids.iter().all(|i| i.len() == 12 && i.bytes().all(|b| b.is_ascii_digit())));
    }

    fn digest(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push((p.strip_prefix(dir).unwrap().display().to_string(), std::fs::read(&p).unwrap()));
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn deterministic_for_a_seed() {
        let config = SynthConfig { accounts: 2, roles_per_account: 40, users_per_account: 5, seed: 7, ..SynthConfig::default() };
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let sa = generate(&config, a.path()).unwrap();
        let sb = generate(&config, b.path()).unwrap();
        assert_eq!(sa, sb);
        assert_eq!(digest(a.path()), digest(b.path()));
        assert_eq!(sa.roles, 80);
        assert_eq!(sa.users, 10);
        let c = tempfile::tempdir().unwrap();
        generate(&SynthConfig { seed: 8, ..config }, c.path()).unwrap();
        assert_ne!(digest(a.path()), digest(c.path()));
    }

    #[test]
    fn every_file_is_json() {
        let config = SynthConfig {
            accounts: 2,
            roles_per_account: 60,
            users_per_account: 4,
            seed: 3,
            url_encoded_percent: 10,
            ..SynthConfig::default()
        };
        let d = tempfile::tempdir().unwrap();
        let s = generate(&config, d.path()).unwrap();
        let files = digest(d.path());
        assert_eq!(files.len(), s.files);
        for (name, bytes) in files {
            let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(v.is_object(), "{name}");
        }
    }
}
