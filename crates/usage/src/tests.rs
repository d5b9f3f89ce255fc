//! Reading every format, bad input, aggregation, and the proof of suggested policies.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test stops at the first unexpected value"
)]

use std::io::Write;
use std::path::{Path, PathBuf};

use super::*;

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/samples");
const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/export");

fn record(t: &str, who: &str, source: &str, name: &str, params: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","userIdentity":{{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/{who}/s",
        "accountId":"111122223333","sessionContext":{{"sessionIssuer":{{"type":"Role","arn":"arn:aws:iam::111122223333:role/{who}"}}}}}},
        "eventTime":"{t}","eventSource":"{source}","eventName":"{name}","awsRegion":"eu-west-1","sourceIPAddress":"10.0.0.1",
        "requestParameters":{params},"recipientAccountId":"111122223333"}}"#
    )
}

fn log_file(records: &[String]) -> String {
    format!(r#"{{"Records":[{}]}}"#, records.join(","))
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("rolegraph-usage-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn s3_get(t: &str, key: &str) -> String {
    record(t, "app", "s3.amazonaws.com", "GetObject", &format!(r#"{{"bucketName":"data","key":"{key}"}}"#))
}

#[test]
fn log_file_plain_and_gzipped_give_the_same_usage() {
    let doc = log_file(&[s3_get("2024-01-01T00:00:00Z", "a"), s3_get("2024-01-03T00:00:00Z", "a")]);
    let plain = scan_bytes("plain.json", doc.as_bytes(), Window::default());
    let zipped = scan_bytes("x.json.gz", &gz(doc.as_bytes()), Window::default());
    for u in [&plain, &zipped] {
        assert_eq!(u.read.records, 2);
        assert_eq!(u.read.log_files, 1);
        let a = &u.principals[0].actions[0];
        assert_eq!((a.action.as_str(), a.count), ("s3:GetObject", 2));
        assert_eq!(a.resources[0].arn, "arn:aws:s3:::data/a");
        assert_eq!(a.first_seen.unwrap().to_rfc3339(), "2024-01-01T00:00:00Z");
        assert_eq!(a.last_seen.unwrap().to_rfc3339(), "2024-01-03T00:00:00Z");
    }
}

#[test]
fn log_file_with_bad_records_keeps_the_others() {
    let bad_type = s3_get("2024-01-02T00:00:00Z", "b").replace(r#""eventName":"GetObject""#, r#""eventName":42"#);
    let no_time = s3_get("2024-01-02T00:00:00Z", "c").replace(r#""eventTime":"2024-01-02T00:00:00Z","#, "");
    let doc = log_file(&[s3_get("2024-01-01T00:00:00Z", "a"), bad_type, no_time, s3_get("2024-01-04T00:00:00Z", "d")]);
    for u in [
        scan_bytes("bad.json", doc.as_bytes(), Window::default()),
        scan_bytes("bad.json.gz", &gz(doc.as_bytes()), Window::default()),
    ] {
        assert_eq!((u.read.records, u.read.malformed_records, u.read.malformed_files), (2, 2, 0), "{:?}", u.read.examples);
        let positions: Vec<&str> = u.read.examples.iter().map(|p| p.position.as_str()).collect();
        assert_eq!(positions, ["record 1", "record 2"]);
        assert!(u.read.examples[0].error.contains("invalid type"), "{:?}", u.read.examples);
        let keys: Vec<&str> = u.principals[0].actions[0].resources.iter().map(|r| r.arn.as_str()).collect();
        assert_eq!(keys, ["arn:aws:s3:::data/a", "arn:aws:s3:::data/d"], "each good record counted once");
        assert_eq!(u.principals[0].actions[0].count, 2);
    }
    // A bare array of records reads the same way.
    let arr = format!("[{},{}]", s3_get("2024-01-01T00:00:00Z", "a"), "{\"eventSource\":[]}");
    let u = scan_bytes("arr.json", arr.as_bytes(), Window::default());
    assert_eq!((u.read.records, u.read.malformed_records, u.read.log_files), (1, 1, 1));
}

#[test]
fn lookup_events_output() {
    let inner = s3_get("2024-01-01T00:00:00Z", "k");
    let doc = serde_json::json!({"Events": [
        {"EventId": "1", "EventName": "GetObject", "CloudTrailEvent": inner},
        {"EventId": "2", "CloudTrailEvent": "{not json"},
        {"EventId": "3"}
    ], "NextToken": "x"})
    .to_string();
    let u = scan_bytes("lookup.json", doc.as_bytes(), Window::default());
    assert_eq!(u.read.lookup_events_files, 1);
    assert_eq!(u.read.records, 1);
    assert_eq!(u.read.malformed_records, 2);
    assert_eq!(u.read.examples[0].position, "event 1");
    assert_eq!(u.principals[0].actions[0].action, "s3:GetObject");
}

#[test]
fn json_lines_with_a_bad_line_go_on() {
    let lines = [
        s3_get("2024-01-01T00:00:00Z", "a").replace('\n', " "),
        "{\"eventName\": 42}".to_owned(),
        String::new(),
        s3_get("2024-01-02T00:00:00Z", "b").replace('\n', " "),
        r#"{"eventSource":"s3.amazonaws.com","eventName":"GetObject"}"#.to_owned(),
    ]
    .join("\n");
    let u = scan_bytes("lake.jsonl", lines.as_bytes(), Window::default());
    assert_eq!(u.read.json_lines_files, 1);
    assert_eq!(u.read.records, 2);
    assert_eq!(u.read.malformed_records, 2);
    assert_eq!(u.read.examples[0].position, "line 2");
    assert_eq!(u.read.examples[1].position, "line 5");
    assert!(u.read.examples[1].error.contains("`eventTime` is missing"), "{:?}", u.read.examples);
    // Gzipped JSON lines too.
    let z = scan_bytes("lake.jsonl.gz", &gz(lines.as_bytes()), Window::default());
    assert_eq!((z.read.records, z.read.malformed_records), (2, 2));
}

#[test]
fn folder_of_mixed_files_recursively() {
    let d = temp_dir("folder");
    std::fs::create_dir_all(d.join("2024/01")).unwrap();
    std::fs::write(d.join("2024/01/a.json.gz"), gz(log_file(&[s3_get("2024-01-01T00:00:00Z", "a")]).as_bytes())).unwrap();
    std::fs::write(d.join("b.json"), log_file(&[s3_get("2024-01-02T00:00:00Z", "b")])).unwrap();
    std::fs::write(d.join("junk.txt"), "not json at all").unwrap();
    let u = scan(&[d.as_path()], Window::default()).unwrap();
    assert_eq!(u.read.files, 3);
    assert_eq!(u.read.records, 2);
    assert_eq!(u.read.malformed_records, 1, "{:?}", u.read.examples);
    assert_eq!(u.read.examples[0].file, "junk.txt");
    assert!(scan(&[Path::new("/no/such/path")], Window::default()).is_err());
    std::fs::remove_dir_all(&d).unwrap();
}

/// Issue 14: a symbolic link loop inside a trail folder stopped the whole run (`Too many
/// levels of symbolic links`); FIFOs (which block a reader forever) and devices were opened.
/// Each is now a skipped file with its reason, and the files around them are read.
#[cfg(unix)]
#[test]
fn loops_fifos_and_devices_in_a_folder_are_skipped_files() {
    use std::os::unix::fs::symlink;
    let d = temp_dir("specials");
    std::fs::create_dir_all(d.join("sub")).unwrap();
    std::fs::write(d.join("a.json"), log_file(&[s3_get("2024-01-01T00:00:00Z", "a")])).unwrap();
    std::fs::write(d.join("sub/b.json"), log_file(&[s3_get("2024-01-02T00:00:00Z", "b")])).unwrap();
    symlink("loop-2", d.join("loop-1")).unwrap();
    symlink("loop-1", d.join("loop-2")).unwrap();
    symlink("..", d.join("sub/parent")).unwrap();
    symlink("../..", d.join("sub/grandparent")).unwrap();
    symlink("nowhere", d.join("dangling")).unwrap();
    symlink("/dev/zero", d.join("zero")).unwrap();
    let fifo = std::process::Command::new("mkfifo").arg(d.join("pipe")).status().unwrap();
    assert!(fifo.success(), "mkfifo");
    let u = scan(&[d.as_path()], Window::default()).unwrap();
    assert_eq!(u.read.records, 2, "{:?}", u.read.examples);
    assert_eq!(u.read.files, 2);
    assert_eq!(u.read.skipped_files, 7, "{:?}", u.read.examples);
    let reason = |file: &str| {
        u.read
            .examples
            .iter()
            .find(|p| p.file == file)
            .map(|p| p.error.clone())
            .unwrap_or_else(|| panic!("{file}: {:?}", u.read.examples))
    };
    assert!(reason("loop-1").contains("symbolic links"), "{}", reason("loop-1"));
    assert!(reason("dangling").starts_with("cannot be read"), "{}", reason("dangling"));
    assert_eq!(reason("pipe"), "a FIFO, not a regular file");
    assert_eq!(reason("zero"), "a device, not a regular file");
    assert!(reason("sub/parent").contains("a folder already read"), "{}", reason("sub/parent"));
    // A link above the trail folder is a loop too: what lies beside the folder is not read.
    assert!(reason("sub/grandparent").contains("a symbolic link loop"), "{}", reason("sub/grandparent"));
    // The same on several threads.
    let p = scan_with(&[d.as_path()], Window::default(), 4).unwrap();
    assert_eq!((p.read.records, p.read.skipped_files), (2, 7));
    std::fs::remove_dir_all(&d).unwrap();
}

/// A JSON-lines line longer than the limit is a malformed record, read in bounded memory.
#[test]
fn an_over_long_json_line_is_a_bad_record_and_the_run_goes_on() {
    let good = s3_get("2024-01-01T00:00:00Z", "a").replace('\n', " ");
    let mut text = format!("{good}\n");
    text.push_str(&"x".repeat(read::MAX_LINE + 10));
    text.push_str(&format!("\n{good}\n"));
    let u = scan_bytes("lake.jsonl", text.as_bytes(), Window::default());
    assert_eq!((u.read.records, u.read.malformed_records), (2, 1), "{:?}", u.read.examples);
    assert_eq!(u.read.examples[0].position, "line 2");
    assert!(u.read.examples[0].error.starts_with("longer than"));
}

#[test]
fn parallel_scan_equals_sequential() {
    let d = temp_dir("parallel");
    for i in 0..7 {
        let recs: Vec<String> =
            (0..20).map(|j| s3_get(&format!("2024-01-{:02}T00:00:{:02}Z", 1 + i, j), &format!("k{}", (i * j) % 9))).collect();
        let mut doc = log_file(&recs);
        if i == 3 {
            doc.truncate(doc.len() / 2);
        }
        std::fs::write(d.join(format!("f{i}.json")), doc).unwrap();
    }
    for name in ["cloudtrail-stratus", "cloudtrail-trailscraper"] {
        let dst = d.join(name);
        std::fs::create_dir_all(&dst).unwrap();
        for e in std::fs::read_dir(PathBuf::from(SAMPLES).join(name)).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), dst.join(e.file_name())).unwrap();
        }
    }
    let one = serde_json::to_string(&scan_with(&[d.as_path()], Window::default(), 1).unwrap()).unwrap();
    for threads in [2, 3, 0] {
        let many = serde_json::to_string(&scan_with(&[d.as_path()], Window::default(), threads).unwrap()).unwrap();
        assert_eq!(one, many, "{threads} threads");
    }
    assert!(one.contains("f3.json"), "the truncated file is reported");
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn stratus_samples_malformed_file_does_not_stop_the_run() {
    let p = PathBuf::from(SAMPLES).join("cloudtrail-stratus");
    let u = scan(&[p.as_path()], Window::default()).unwrap();
    assert_eq!(u.read.files, 4);
    assert_eq!(u.read.malformed_files, 1);
    let ex = &u.read.examples[0];
    assert_eq!(ex.file, "aws.execution.ec2-user-data.json");
    assert!(ex.position.starts_with("line 112"), "{ex:?}");
    // 10 + 1 + 1 from the good files, plus what precedes the syntax error.
    assert!(u.read.records >= 12, "{:?}", u.read);
    let admin = u.principal("arn:aws:iam::677301038893:role/account-admin").unwrap();
    let names: Vec<&str> = admin.actions.iter().map(|a| a.action.as_str()).collect();
    assert!(names.contains(&"secretsmanager:GetSecretValue"), "{names:?}");
    assert!(names.contains(&"cloudtrail:DeleteTrail"), "{names:?}");
    let secrets = admin.actions.iter().find(|a| a.action == "secretsmanager:GetSecretValue").unwrap();
    assert_eq!(secrets.count, 10);
    assert!(secrets.resources.iter().all(|r| r.arn.starts_with("arn:aws:secretsmanager:us-east-1:677301038893:secret:stratus-")));
    let snap = admin.actions.iter().find(|a| a.action == "ec2:ModifySnapshotAttribute").unwrap();
    assert_eq!(snap.resources[0].arn, "arn:aws:ec2:us-east-1::snapshot/snap-00f54cf7277498559");
}

#[test]
fn trailscraper_sample_and_assume_role_edges() {
    let p = PathBuf::from(SAMPLES).join("cloudtrail-trailscraper");
    let u = scan(&[p.as_path()], Window::default()).unwrap();
    assert_eq!(u.read.malformed_records + u.read.malformed_files, 0, "{:?}", u.read.examples);
    let role = u.principal("arn:aws:iam::111111111111:role/someRole").unwrap();
    assert_eq!(role.actions[0].action, "autoscaling:DescribeLaunchConfigurations");
    assert_eq!(role.actions[0].count, 2, "one in each file");
    let e: Vec<_> = u.assumers_of("arn:aws:iam::111111111111:role/someRole").collect();
    assert_eq!(e.len(), 1);
    assert_eq!((e[0].caller.as_str(), e[0].caller_kind), ("config.amazonaws.com", PrincipalKind::Service));
    assert_eq!(e[0].count, 2);
    assert_eq!(e[0].source_ips, ["config.amazonaws.com"]);
    // The API Gateway call of the root user maps to its HTTP-method action.
    let root = u.principal("arn:aws:iam::123456789012:root").unwrap();
    assert_eq!(root.actions[0].action, "apigateway:GET");
}

#[test]
fn window_denied_and_unmapped_calls() {
    let mut denied = record("2024-01-05T00:00:00Z", "app", "s3.amazonaws.com", "PutObject", r#"{"bucketName":"data","key":"x"}"#);
    denied = denied.replace(r#""recipientAccountId""#, r#""errorCode":"AccessDenied","recipientAccountId""#);
    let doc = log_file(&[
        s3_get("2023-01-01T00:00:00Z", "old"),
        s3_get("2024-01-02T00:00:00Z", "new"),
        denied,
        record("2024-01-03T00:00:00Z", "app", "signin.amazonaws.com", "ConsoleLogin", "null"),
    ]);
    let from = chrono::DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z").unwrap().timestamp();
    let u = scan_bytes("w.json", doc.as_bytes(), Window { from: Some(from), to: None });
    assert_eq!(u.out_of_window, 1);
    let p = &u.principals[0];
    assert_eq!((p.events, p.denied), (2, 1));
    let get = p.actions.iter().find(|a| a.action == "s3:GetObject").unwrap();
    assert_eq!(get.resources.len(), 1, "the old call is outside the window");
    let put = p.actions.iter().find(|a| a.action == "s3:PutObject").unwrap();
    assert_eq!((put.count, put.denied), (0, 1));
    assert_eq!(u.unmapped.len(), 1);
    assert_eq!((u.unmapped[0].event_name.as_str(), u.unmapped[0].count), ("ConsoleLogin", 1));
}

#[test]
fn sessions_with_and_without_issuer_merge_into_one_role() {
    let with = s3_get("2024-01-01T00:00:00Z", "a").replace("role/app\"", "role/team/app\"");
    let without = r#"{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/app/s2"},
        "eventTime":"2024-01-02T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"eu-west-1",
        "requestParameters":{"bucketName":"data","key":"a"},"recipientAccountId":"111122223333"}"#;
    let u = scan_bytes("m.json", log_file(&[without.to_owned(), with]).as_bytes(), Window::default());
    assert_eq!(u.principals.len(), 1);
    assert_eq!(u.principals[0].arn, "arn:aws:iam::111122223333:role/team/app", "the ARN with the path wins");
    assert_eq!(u.principals[0].actions[0].count, 2);
    assert!(u.principal("arn:aws:iam::111122223333:role/app").is_some(), "found by name without the path");
}

#[test]
fn parquet_rows_and_file() {
    let doc = log_file(&[
        s3_get("2024-01-01T00:00:00Z", "a"),
        record("2024-01-02T00:00:00Z", "app", "sts.amazonaws.com", "GetCallerIdentity", "null"),
    ]);
    let u = scan_bytes("p.json", doc.as_bytes(), Window::default());
    let r = rows(&u);
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].resource.as_deref(), Some("arn:aws:s3:::data/a"));
    assert_eq!((r[1].action.as_str(), r[1].resource.as_deref(), r[1].count), ("sts:GetCallerIdentity", None, 1));
    let d = temp_dir("parquet");
    let f = d.join("usage.parquet");
    write_parquet(&r, &f).unwrap();
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let reader = SerializedFileReader::new(std::fs::File::open(&f).unwrap()).unwrap();
    assert_eq!(reader.metadata().file_metadata().num_rows(), 2);
    assert_eq!(reader.metadata().file_metadata().schema_descr().num_columns(), 7);
    std::fs::remove_dir_all(&d).unwrap();
}

fn fixture_snapshot() -> model::Snapshot {
    ingest::load(FIXTURE).unwrap().snapshot
}

fn stratus_usage() -> Usage {
    let p = PathBuf::from(SAMPLES).join("cloudtrail-stratus");
    scan(&[p.as_path()], Window::default()).unwrap()
}

#[test]
fn role_usage_granted_unused_and_last_accessed() {
    let snap = fixture_snapshot();
    let u = stratus_usage();
    let r = role_usage(&snap, &u, "arn:aws:iam::677301038893:role/account-admin");
    assert!(r.in_snapshot);
    assert!(r.used.iter().any(|a| a.action == "secretsmanager:GetSecretValue"));
    assert!(r.granted_unused.contains(&"s3:GetObject".to_owned()), "{:?}", r.granted_unused);
    assert!(r.granted_unused.contains(&"ec2:DescribeInstances".to_owned()));
    assert!(!r.granted_unused.contains(&"secretsmanager:GetSecretValue".to_owned()));
    assert!(r.used_not_granted.contains(&"cloudtrail:DeleteTrail".to_owned()), "{:?}", r.used_not_granted);
    assert!(r.last_accessed_known);
    assert_eq!(r.unused_services.iter().map(|s| s.namespace.as_str()).collect::<Vec<_>>(), ["s3"]);
    let o = overview(&snap, &u);
    assert_eq!(o.unused_roles, ["arn:aws:iam::677301038893:role/idle-worker"]);
    assert!(o.roles.iter().any(|r| r.role.ends_with("role/account-admin") && r.used_actions >= 3));
}

#[test]
fn suggested_policy_is_proved_and_leaves_out_what_is_not_allowed_now() {
    let snap = fixture_snapshot();
    let u = stratus_usage();
    let role = snap.role("arn:aws:iam::677301038893:role/account-admin").unwrap();
    let s = suggest_policy(&snap, &u, role).unwrap();
    let text = s.policy.to_string();
    // Observed and allowed now: suggested with the resources seen.
    assert!(text.contains("secretsmanager:GetSecretValue"), "{text}");
    assert!(text.contains("arn:aws:secretsmanager:us-east-1:677301038893:secret:stratus-red-team-secret-4-q5OiUT"), "{text}");
    assert!(text.contains("arn:aws:ec2:us-east-1::snapshot/snap-00f54cf7277498559"), "{text}");
    // Observed but not allowed by the current policy: reported, not suggested.
    assert!(!text.contains("cloudtrail:DeleteTrail"), "{text}");
    assert!(s.proof.observed_not_allowed_now.iter().any(|c| c.action == "cloudtrail:DeleteTrail"), "{:?}", s.proof);
    assert!(s.proof.holds, "{:?}", s.proof);
    assert_eq!(s.proof.observed_allowed, s.proof.observed_checked);
    assert!(s.proof.observed_checked >= 11);
    // The suggested policy parses and allows nothing the current one does not, on its own pairs.
    assert!(policy::Policy::from_json(&s.policy).is_ok());
}

#[test]
fn suggestion_drops_a_wider_resource_than_the_current_policy() {
    // The role may read only `app-data/reports/*`; it read many objects whose resource the
    // event does not name, so the catalog pattern `arn:aws:s3:::*/*` would be wider: dropped.
    let snap = fixture_snapshot();
    let mk = |t: &str| {
        format!(
            r#"{{"userIdentity":{{"type":"AssumedRole","arn":"arn:aws:sts::677301038893:assumed-role/account-admin/x",
            "sessionContext":{{"sessionIssuer":{{"type":"Role","arn":"arn:aws:iam::677301038893:role/account-admin"}}}}}},
            "eventTime":"{t}","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1",
            "requestParameters":null,"recipientAccountId":"677301038893"}}"#
        )
    };
    let u = scan_bytes("s.json", log_file(&[mk("2024-01-01T00:00:00Z")]).as_bytes(), Window::default());
    let role = snap.role("arn:aws:iam::677301038893:role/account-admin").unwrap();
    let s = suggest_policy(&snap, &u, role).unwrap();
    assert!(s.proof.observed_not_allowed_now.iter().any(|c| c.resource == "arn:aws:s3:::*/*"), "{:?}", s.proof);
    assert!(!s.policy.to_string().contains("s3:GetObject"));
    assert_eq!(s.actions, 0);
}

#[test]
fn grouped_objects_become_a_wildcard_the_current_policy_covers() {
    let snap = fixture_snapshot();
    let mk = |i: usize| {
        format!(
            r#"{{"userIdentity":{{"type":"AssumedRole","arn":"arn:aws:sts::677301038893:assumed-role/account-admin/x",
            "sessionContext":{{"sessionIssuer":{{"type":"Role","arn":"arn:aws:iam::677301038893:role/account-admin"}}}}}},
            "eventTime":"2024-01-01T00:00:0{}Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1",
            "requestParameters":{{"bucketName":"app-data","key":"k{i}"}},"recipientAccountId":"677301038893"}}"#,
            i % 10
        )
    };
    let recs: Vec<String> = (0..8).map(mk).collect();
    let u = scan_bytes("g.json", log_file(&recs).as_bytes(), Window::default());
    let role = snap.role("arn:aws:iam::677301038893:role/account-admin").unwrap();
    let s = suggest_policy(&snap, &u, role).unwrap();
    assert_eq!(s.policy["Statement"][0]["Resource"], serde_json::json!(["arn:aws:s3:::app-data/*"]));
    assert!(s.proof.holds, "{:?}", s.proof);
    assert_eq!(s.proof.observed_checked, 8);
}

#[test]
fn federated_assumptions_are_edges_from_their_provider() {
    let saml = r#"{"eventTime":"2024-02-01T09:00:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRoleWithSAML",
        "userIdentity":{"type":"SAMLUser","principalId":"abc:jane@example.com","userName":"jane@example.com","identityProvider":"abc"},
        "sourceIPAddress":"203.0.113.7","userAgent":"console",
        "requestParameters":{"roleArn":"arn:aws:iam::111122223333:role/admins","principalArn":"arn:aws:iam::111122223333:saml-provider/okta"},
        "recipientAccountId":"111122223333"}"#;
    let oidc = r#"{"eventTime":"2024-02-02T09:00:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRoleWithWebIdentity",
        "userIdentity":{"type":"WebIdentityUser","principalId":"x","userName":"repo:acme/app:ref:refs/heads/main",
        "identityProvider":"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
        "sourceIPAddress":"198.51.100.1","requestParameters":{"roleArn":"arn:aws:iam::111122223333:role/deploy"}}"#;
    let chain = record(
        "2024-02-03T09:00:00Z",
        "ci",
        "sts.amazonaws.com",
        "AssumeRole",
        r#"{"roleArn":"arn:aws:iam::444455556666:role/target"}"#,
    );
    let u = scan_bytes(
        "x.jsonl",
        format!("{}\n{}\n{}", saml.replace('\n', ""), oidc.replace('\n', ""), chain.replace('\n', "")).as_bytes(),
        Window::default(),
    );
    assert_eq!(u.read.malformed_records, 0, "{:?}", u.read.examples);
    let e = u.assumers_of("arn:aws:iam::111122223333:role/admins").next().unwrap();
    assert_eq!((e.caller.as_str(), e.caller_kind), ("arn:aws:iam::111122223333:saml-provider/okta", PrincipalKind::Provider));
    assert_eq!(
        (e.apis.as_slice(), e.subjects.as_slice()),
        (&["AssumeRoleWithSAML".to_owned()][..], &["jane@example.com".to_owned()][..])
    );
    assert_eq!(e.source_ips, ["203.0.113.7"]);
    assert_eq!(e.caller_account.as_deref(), Some("111122223333"), "from the provider's ARN");
    let e = u.assumers_of("arn:aws:iam::111122223333:role/deploy").next().unwrap();
    assert_eq!(e.caller, "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com");
    assert_eq!(e.subjects, ["repo:acme/app:ref:refs/heads/main"]);
    let e = u.assumers_of("arn:aws:iam::444455556666:role/target").next().unwrap();
    assert_eq!((e.caller.as_str(), e.caller_kind), ("arn:aws:iam::111122223333:role/ci", PrincipalKind::Role));
    assert_eq!(e.caller_account.as_deref(), Some("111122223333"));
    assert!(e.subjects.is_empty());
}

/// A vendor's role assumes a customer's role: CloudTrail names it only `AROA…:session` in the
/// vendor's account; the edge carries the vendor's name from the known accounts.
#[test]
fn a_vendor_assumer_is_named_by_its_vendor() {
    let rec = r#"{"eventTime":"2024-02-01T09:00:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole",
        "userIdentity":{"type":"AWSAccount","principalId":"AROAXQIRWDGMOTHGFXVGS:datadog-aws-integration","accountId":"464622532012"},
        "sourceIPAddress":"44.192.28.53","requestParameters":{"roleArn":"arn:aws:iam::111122223333:role/datadog"},
        "recipientAccountId":"111122223333"}"#;
    let u = scan_bytes("v.jsonl", rec.replace('\n', "").as_bytes(), Window::default());
    let e = u.assumers_of("arn:aws:iam::111122223333:role/datadog").next().unwrap();
    assert_eq!(e.caller_account.as_deref(), Some("464622532012"));
    assert_eq!(e.caller_vendor.as_deref(), Some("Datadog"));
    let unknown = rec.replace("464622532012", "999988887777");
    let u = scan_bytes("v.jsonl", unknown.replace('\n', "").as_bytes(), Window::default());
    assert_eq!(u.assumers_of("arn:aws:iam::111122223333:role/datadog").next().unwrap().caller_vendor, None);
}

#[test]
fn records_read_in_place_give_what_the_derived_reader_gives() {
    // The log file is read with `record::InPlace`, JSON lines with the derived `Deserialize`:
    // the same records, odd ones included, must give the same usage and the same skips.
    let mut records = vec![
        s3_get("2024-01-01T00:00:00Z", "a"),
        // Escapes (owned strings), nulls, fields CloudTrail does not define.
        s3_get("2024-01-02T00:00:00Z", "b")
            .replace(r#""eventName":"GetObject""#, r#""eventName":"Get\u004fbject","errorCode":null,"x":{"y":[1,{"z":"}"}]}"#),
        // A duplicate field, a field of the wrong type: malformed.
        s3_get("2024-01-03T00:00:00Z", "c")
            .replace(r#""awsRegion":"eu-west-1""#, r#""awsRegion":"eu-west-1","awsRegion":"us-east-1""#),
        s3_get("2024-01-04T00:00:00Z", "d").replace(r#""awsRegion":"eu-west-1""#, r#""awsRegion":7"#),
        s3_get("2024-01-05T00:00:00Z", "e")
            .replace(r#""requestParameters":"#, r#""resources":[{"ARN":"arn:aws:s3:::data/e"}],"requestParameters":"#),
    ];
    records.push(s3_get("2024-01-06T00:00:00Z", "a"));
    let doc = scan_bytes("doc.json", log_file(&records).as_bytes(), Window::default());
    let one_line: Vec<String> = records.iter().map(|r| r.replace('\n', "")).collect();
    let lines = scan_bytes("lines.jsonl", one_line.join("\n").as_bytes(), Window::default());
    assert_eq!((doc.read.records, doc.read.malformed_records), (4, 2), "{:?}", doc.read.examples);
    assert_eq!((lines.read.records, lines.read.malformed_records), (4, 2));
    let errors = |u: &Usage| {
        u.read.examples.iter().map(|p| p.error.split(" at line ").next().unwrap_or("").to_owned()).collect::<Vec<_>>()
    };
    assert_eq!(errors(&doc), errors(&lines));
    assert_eq!(serde_json::to_value(&doc.principals).unwrap(), serde_json::to_value(&lines.principals).unwrap());
    let a = &doc.principals[0].actions[0];
    assert_eq!((a.action.as_str(), a.count, a.resources.len()), ("s3:GetObject", 4, 3));
}
