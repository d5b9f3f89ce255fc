//! `rolegraph collect` end to end, as a user runs it: the binary collects from a moto server
//! (seeded through the SDK with the collection tests' own seed, `crates/collect/tests/common`)
//! with credentials from the environment, writes the export folder, and `rolegraph roles` and
//! `rolegraph role` then read it like any folder of AWS CLI exports.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a test stops at the first unexpected value"
)]

// The harness names the collect crate by its package name.
extern crate collect as rolegraph_collect;

#[path = "../../collect/tests/common/mod.rs"]
mod moto;

use std::process::{Command, Output};

use moto::{Moto, sdk, seed};

fn rolegraph(args: &[&str], endpoint: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rolegraph"))
        .args(args)
        .env("AWS_ACCESS_KEY_ID", "AKIAMOTOTEST")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", endpoint)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .output()
        .unwrap()
}

#[test]
fn collect_then_roles_and_role_read_the_folder() {
    let moto = Moto::start();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let seeded = runtime.block_on(async {
        let config = sdk(&moto.url()).await;
        let seeded = seed::iam(&config).await;
        seed::compute(&config, &seeded).await;
        seeded
    });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("exports");
    let out_s = out.to_str().unwrap();

    // The endpoint comes from AWS_ENDPOINT_URL here; --endpoint-url is the same setting.
    let run = rolegraph(&["collect", "--out", out_s, "--quiet", "--timeout", "10"], &moto.url());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "collect failed: {stderr}");
    assert!(stderr.contains("collected 1 account"), "no summary line: {stderr}");
    assert!(out.join(seed::MGMT).join("iam-get-account-authorization-details.json").is_file());
    assert!(out.join("rolegraph-collection.json").is_file());

    // A folder that is not empty is refused, so a second run never mixes two collections.
    let again = rolegraph(&["collect", "--out", out_s, "--quiet"], &moto.url());
    assert_eq!(again.status.code(), Some(2), "{}", String::from_utf8_lossy(&again.stderr));

    let roles = rolegraph(&["roles", out_s, "--json"], &moto.url());
    assert!(roles.status.success(), "{}", String::from_utf8_lossy(&roles.stderr));
    let report: serde_json::Value = serde_json::from_slice(&roles.stdout).unwrap();
    let rows = report["roles"].as_array().unwrap();
    let row = |name: &str| rows.iter().find(|r| r["name"] == name).unwrap_or_else(|| panic!("no role `{name}` in {report}"));
    assert_eq!(row("web-ec2")["resources"], 1, "{}", row("web-ec2"));
    assert_eq!(row("orders-lambda")["resources"], 1, "{}", row("orders-lambda"));
    assert_eq!(row("deployer")["privilege"], "admin", "{}", row("deployer"));
    assert_eq!(row("deployer")["arn"], seeded.deployer.as_str());

    let role = rolegraph(&["role", out_s, "vendor-audit"], &moto.url());
    let text = String::from_utf8_lossy(&role.stdout);
    assert!(role.status.success(), "{}", String::from_utf8_lossy(&role.stderr));
    // 464622532012 is Datadog's account in the known-vendor list; the trust needs an ExternalId.
    assert!(text.contains("vendor Datadog (464622532012)"), "{text}");
    assert!(text.contains("sts:ExternalId StringEquals x-123"), "{text}");
}
