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
#[path = "common/resources.rs"]
mod resources;

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
    let (_, function) = seed::compute(&base, &seeded).await;
    let res = resources::seed(&base, &function).await;

    let faults: HashMap<String, Fault> = [
        ("iam:ListInstanceProfiles", Fault::Deny),
        ("ec2:DescribeInstances", Fault::Deny),
        ("iam:ListRoles", Fault::Throttle(2)),
        ("lambda:ListFunctions", Fault::Throttle(2)),
        ("ecs:ListTaskDefinitions", Fault::Throttle(1)),
        ("iam:ListAccountAliases", Fault::Delay(Duration::from_secs(60))),
        ("s3:GetBucketPolicy", Fault::Deny),
        ("kms:ListKeys", Fault::Deny),
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
    // A denied read of one bucket's policy names the call and the bucket; a denied key listing
    // names the call and its region.
    let policy = gap("GetBucketPolicy").expect("no gap for the denied GetBucketPolicy");
    assert_eq!((policy.service.as_str(), policy.code.as_str()), ("s3", "AccessDenied"));
    assert_eq!(policy.resource.as_deref(), Some(res.bucket.as_str()));
    assert_eq!(policy.account.as_deref(), Some(MGMT));
    let keys = gap("ListKeys").expect("no gap for the denied ListKeys");
    assert_eq!((keys.service.as_str(), keys.code.as_str()), ("kms", "AccessDeniedException"));
    assert_eq!((keys.region.as_deref(), keys.resource.as_deref()), (Some("us-east-1"), None));
    assert_eq!(summary.gaps.len(), 5, "{:#?}", summary.gaps);

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
    let files: Vec<String> =
        std::fs::read_dir(&account).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(!files.iter().any(|f| f.starts_with("s3-get-bucket-policy.") || f.starts_with("kms-")), "{files:?}");
    for written in ["s3-get-public-access-block.acme-data.json", "s3-get-bucket-ownership-controls.acme-data.json"] {
        assert!(files.iter().any(|f| f == written), "`{written}` not in {files:?}");
    }
    // What the denied calls did not read is not marked collected; the rest is.
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join(rolegraph_collect::RECORD_FILE)).unwrap()).unwrap();
    let collected: Vec<&str> = record["RolegraphCollection"]["Accounts"][0]["Collected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    for missing in ["s3_bucket_policies", "kms_key_policies", "kms_grants", "ec2_instances"] {
        assert!(!collected.contains(&missing), "`{missing}` marked collected: {collected:?}");
    }
    for kind in ["s3_public_access_block", "lambda_policies", "sqs_policies", "sns_policies", "secret_policies", "ecr_policies"] {
        assert!(collected.contains(&kind), "`{kind}` not collected: {collected:?}");
    }

    // The gaps reach the snapshot through the collection record.
    let loaded = ingest::load(&out).unwrap();
    let s = &loaded.snapshot;
    let find = |source: &str| s.gaps.iter().find(|g| g.source == source).unwrap_or_else(|| panic!("no gap `{source}`"));
    assert!(find("iam:ListInstanceProfiles").error.as_deref().unwrap().starts_with("AccessDenied: "));
    assert_eq!(find("ec2:DescribeInstances in us-east-1").account.as_deref(), Some(MGMT));
    assert!(find("iam:ListAccountAliases").error.as_deref().unwrap().starts_with("Timeout"));
    let denied_policy = find("s3:GetBucketPolicy").error.as_deref().unwrap();
    assert!(denied_policy.starts_with("AccessDenied: ") && denied_policy.contains(&res.bucket), "{denied_policy}");
    assert_eq!(find("kms:ListKeys in us-east-1").account.as_deref(), Some(MGMT));
    let a = s.accounts.iter().find(|a| a.id == MGMT).unwrap();
    assert_eq!(a.lambda_functions.len(), 1);
    let deployer = a.roles.iter().find(|r| r.name == "deployer").unwrap();
    assert_eq!(deployer.max_session_duration, Some(7200));
    // The instance profiles came with the authorization details anyway.
    assert!(a.instance_profiles.iter().any(|p| p.arn == seeded.profile));
    // The bucket is known (its Block Public Access was read) without its policy, the queue with
    // its policy; the snapshot says that the buckets' and keys' policies are missing.
    let bucket = a.resource(&res.bucket).unwrap();
    assert!(bucket.policy.is_none() && bucket.public_access_block.is_some());
    assert!(a.resource(&res.queue).unwrap().policy.is_some());
    assert!(a.resource(&res.key).is_none());
    let missing = s.gaps.iter().find(|g| g.what.contains("resource-based policies")).expect("no gap for the missing policies");
    assert!(missing.what.contains("S3 buckets") && missing.what.contains("KMS keys"), "{}", missing.what);
    assert!(!missing.what.contains("SQS"), "{}", missing.what);
}
