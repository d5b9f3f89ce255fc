//! Faults between the collector and moto, injected by a loopback proxy: denied calls become
//! recorded gaps (and collection goes on), throttled calls are retried until their data is
//! complete, and a call that never answers ends by timeout as a gap instead of hanging.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a test stops at the first unexpected value"
)]

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use common::proxy::{Fault, Proxy};
use common::seed::{self, MGMT};
use common::{Moto, options, sdk};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn denied_throttled_and_slow_calls() {
    let moto = Moto::start();
    let base = sdk(&moto.url()).await;
    let seeded = seed::iam(&base).await;
    seed::compute(&base, &seeded).await;

    let faults: HashMap<String, Fault> = [
        ("iam:ListInstanceProfiles", Fault::Deny),
        ("ec2:DescribeInstances", Fault::Deny),
        ("iam:ListRoles", Fault::Throttle(2)),
        ("lambda:ListFunctions", Fault::Throttle(2)),
        ("ecs:ListTaskDefinitions", Fault::Throttle(1)),
        ("iam:ListAccountAliases", Fault::Delay(Duration::from_secs(60))),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let proxy = Proxy::start(moto.port, faults).await;
    let config = sdk(&proxy.url).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    let mut o = options(out.clone());
    o.max_attempts = 3;
    o.attempt_timeout = Duration::from_secs(3);
    o.call_timeout = Duration::from_secs(4);

    let start = Instant::now();
    let summary = tokio::time::timeout(Duration::from_secs(60), rolegraph_collect::collect(&config, &o))
        .await
        .expect("collection hung")
        .unwrap();
    let took = start.elapsed();
    // The slow call was cut at the call timeout (4 s), not waited for (60 s).
    assert!(took < Duration::from_secs(30), "collection took {took:?}");

    let gap = |op: &str| summary.gaps.iter().find(|g| g.operation == op);
    let denied = gap("ListInstanceProfiles").expect("no gap for the denied ListInstanceProfiles");
    assert_eq!((denied.service.as_str(), denied.code.as_str()), ("iam", "AccessDenied"));
    assert_eq!(denied.account.as_deref(), Some(MGMT));
    assert_eq!(denied.region, None);
    assert!(denied.message.contains("not authorized by the test proxy"), "{denied:?}");
    let ec2 = gap("DescribeInstances").expect("no gap for the denied DescribeInstances");
    assert_eq!((ec2.code.as_str(), ec2.region.as_deref()), ("UnauthorizedOperation", Some("us-east-1")));
    let slow = gap("ListAccountAliases").expect("no gap for the slow ListAccountAliases");
    assert_eq!(slow.code, "Timeout", "{slow:?}");
    for op in ["ListRoles", "ListFunctions", "ListTaskDefinitions"] {
        assert!(gap(op).is_none(), "throttled `{op}` was not retried to success: {:?}", gap(op));
    }
    assert_eq!(summary.gaps.len(), 3, "{:#?}", summary.gaps);

    // Retries taken: two throttled attempts and a third that succeeded.
    assert_eq!(proxy.count("iam:ListRoles"), 3);
    assert_eq!(proxy.count("lambda:ListFunctions"), 3);
    assert_eq!(proxy.count("ecs:ListTaskDefinitions"), 2);
    // Denied calls are not retried.
    assert_eq!(proxy.count("iam:ListInstanceProfiles"), 1);

    // No data lost for the throttled calls; nothing written for the denied ones.
    let account = out.join(MGMT);
    let roles: serde_json::Value = serde_json::from_slice(&std::fs::read(account.join("iam-list-roles.json")).unwrap()).unwrap();
    assert_eq!(roles["Roles"].as_array().unwrap().len(), 6);
    assert!(roles["Roles"].as_array().unwrap().iter().all(|r| r["MaxSessionDuration"] == 7200));
    assert!(account.join("lambda-list-functions.us-east-1.json").is_file());
    assert!(!account.join("iam-list-instance-profiles.json").exists());
    assert!(!account.join("ec2-describe-instances.us-east-1.json").exists());

    // The gaps reach the snapshot through the collection record.
    let loaded = ingest::load(&out).unwrap();
    let s = &loaded.snapshot;
    let find = |source: &str| s.gaps.iter().find(|g| g.source == source).unwrap_or_else(|| panic!("no gap `{source}`"));
    assert!(find("iam:ListInstanceProfiles").error.as_deref().unwrap().starts_with("AccessDenied: "));
    assert_eq!(find("ec2:DescribeInstances in us-east-1").account.as_deref(), Some(MGMT));
    assert!(find("iam:ListAccountAliases").error.as_deref().unwrap().starts_with("Timeout"));
    let a = s.accounts.iter().find(|a| a.id == MGMT).unwrap();
    assert_eq!(a.lambda_functions.len(), 1);
    let deployer = a.roles.iter().find(|r| r.name == "deployer").unwrap();
    assert_eq!(deployer.max_session_duration, Some(7200));
    // The instance profiles came with the authorization details anyway.
    assert!(a.instance_profiles.iter().any(|p| p.arn == seeded.profile));
}
