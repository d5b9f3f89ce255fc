//! Records per second on one core: synthetic CloudTrail records of about 1.5 KB (the size of a
//! typical S3 data event with TLS details and a response) read, attributed, mapped and
//! aggregated, as a log file (`{"Records": [...]}`), gzipped, and as JSON lines.
//!
//! `cargo bench -p rolegraph-usage --bench records` (figures in `docs/benchmarks-usage.md`).

use std::io::Write;
use std::time::Instant;

const ROLES: usize = 200;
const CALLS: &[(&str, &str, &str)] = &[
    (
        "s3.amazonaws.com",
        "GetObject",
        r#"{"bucketName":"data-BUCKET","key":"reports/2024/KEY.csv","Host":"data-BUCKET.s3.eu-west-1.amazonaws.com","x-id":"GetObject"}"#,
    ),
    (
        "s3.amazonaws.com",
        "PutObject",
        r#"{"bucketName":"data-BUCKET","key":"out/KEY.json","Host":"data-BUCKET.s3.eu-west-1.amazonaws.com"}"#,
    ),
    ("dynamodb.amazonaws.com", "GetItem", r#"{"tableName":"orders-BUCKET","key":{"id":{"S":"KEY"}},"consistentRead":false}"#),
    (
        "kms.amazonaws.com",
        "Decrypt",
        r#"{"encryptionAlgorithm":"SYMMETRIC_DEFAULT","keyId":"arn:aws:kms:eu-west-1:111122223333:key/0f1e2d3c-BUCKET"}"#,
    ),
    (
        "ec2.amazonaws.com",
        "DescribeInstances",
        r#"{"instancesSet":{},"filterSet":{"items":[{"name":"tag:team","valueSet":{"items":[{"value":"KEY"}]}}]}}"#,
    ),
    (
        "sts.amazonaws.com",
        "AssumeRole",
        r#"{"roleArn":"arn:aws:iam::111122223333:role/target-BUCKET","roleSessionName":"KEY","durationSeconds":3600}"#,
    ),
];

fn record(i: usize) -> String {
    let role = i % ROLES;
    let (source, name, params) = CALLS.get(i % CALLS.len()).copied().unwrap_or(("s3.amazonaws.com", "GetObject", "{}"));
    let params = params.replace("BUCKET", &(i % 7).to_string()).replace("KEY", &(i % 997).to_string());
    format!(
        r#"{{"eventVersion":"1.09","userIdentity":{{"type":"AssumedRole","principalId":"AROAEXAMPLEID{role:06}:session-{i}","arn":"arn:aws:sts::111122223333:assumed-role/app-role-{role}/session-{i}","accountId":"111122223333","accessKeyId":"ASIAEXAMPLEKEY{i:08}","sessionContext":{{"sessionIssuer":{{"type":"Role","principalId":"AROAEXAMPLEID{role:06}","arn":"arn:aws:iam::111122223333:role/service/app-role-{role}","accountId":"111122223333","userName":"app-role-{role}"}},"attributes":{{"creationDate":"2024-05-01T10:00:00Z","mfaAuthenticated":"false"}},"ec2RoleDelivery":"2.0"}}}},"eventTime":"2024-05-{:02}T{:02}:{:02}:{:02}Z","eventSource":"{source}","eventName":"{name}","awsRegion":"eu-west-1","sourceIPAddress":"10.{}.{}.{}","userAgent":"aws-sdk-java/2.25.1 Linux/5.10 Java/17.0.10 vendor/Amazon.com_Inc.","requestParameters":{params},"responseElements":null,"additionalEventData":{{"SignatureVersion":"SigV4","CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader","x-amz-id-2":"Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9v","bytesTransferredOut":{}}},"requestID":"{:016X}","eventID":"{:08x}-4cb7-4617-9c00-{:012x}","readOnly":true,"resources":[{{"accountId":"111122223333","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::data-{}"}}],"eventType":"AwsApiEvent","managementEvent":false,"recipientAccountId":"111122223333","eventCategory":"Data","tlsDetails":{{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"data.s3.eu-west-1.amazonaws.com"}}}}"#,
        1 + i % 28,
        i % 24,
        i % 60,
        (i / 60) % 60,
        i % 250,
        (i / 250) % 250,
        i % 200,
        i * 37 % 100_000,
        i * 7919,
        i,
        i,
        i % 7,
    )
}

fn run(label: &str, bytes: &[u8], n: usize, rounds: usize) {
    if std::env::var("ONLY").is_ok_and(|o| !label.starts_with(&o)) {
        return;
    }
    let mut best = f64::MAX;
    let mut events = 0;
    for _ in 0..rounds {
        let t = Instant::now();
        let u = rolegraph_usage::scan_bytes(label, bytes, rolegraph_usage::Window::default());
        best = best.min(t.elapsed().as_secs_f64());
        events = u.events;
        assert_eq!(u.read.records as usize, n, "{label}: {:?}", u.read.examples);
    }
    println!(
        "{label:<24} {n} records ({:.0} MB) in {:.3} s: {:.0} records/s, {:.0} MB/s ({events} events aggregated)",
        bytes.len() as f64 / 1e6,
        best,
        n as f64 / best,
        bytes.len() as f64 / 1e6 / best,
    );
}

/// Reading alone, records handed to a sink that only counts them.
fn parse_only(label: &str, bytes: &[u8], n: usize, rounds: usize) {
    if std::env::var("ONLY").is_ok_and(|o| !label.starts_with(&o)) {
        return;
    }
    let mut best = f64::MAX;
    for _ in 0..rounds {
        let t = Instant::now();
        let mut stats = rolegraph_usage::ReadStats::default();
        let mut count = 0usize;
        rolegraph_usage::read::read_bytes(label, bytes, &mut stats, &mut |_| count += 1);
        best = best.min(t.elapsed().as_secs_f64());
        assert_eq!(count, n);
    }
    println!(
        "{label:<24} {n} records in {best:.3} s: {:.0} records/s, {:.0} MB/s",
        n as f64 / best,
        bytes.len() as f64 / 1e6 / best
    );
}

fn main() {
    let n: usize = std::env::var("RECORDS").ok().and_then(|v| v.parse().ok()).unwrap_or(200_000);
    let records: Vec<String> = (0..n).map(record).collect();
    let avg = records.iter().map(String::len).sum::<usize>() / n.max(1);
    println!("average record size: {avg} bytes");
    let doc = format!(r#"{{"Records":[{}]}}"#, records.join(","));
    let lines = records.join("\n");
    drop(records);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    if std::env::var("ONLY").is_err() {
        let _ = gz.write_all(doc.as_bytes());
    }
    let gz = gz.finish().unwrap_or_default();
    parse_only("log file, parse only", doc.as_bytes(), n, 3);
    run("log file", doc.as_bytes(), n, 3);
    if std::env::var("ONLY").is_err() {
        run("log file, gzipped", &gz, n, 3);
    }
    run("JSON lines", lines.as_bytes(), n, 3);
    folder(&doc_records(n), n);
}

fn doc_records(n: usize) -> Vec<String> {
    (0..n).map(record).collect()
}

/// A folder of 40 log files read with `scan_with` on one thread and on every core.
fn folder(records: &[String], n: usize) {
    if std::env::var("ONLY").is_ok_and(|o| !"folder".starts_with(&o)) {
        return;
    }
    let dir = std::env::temp_dir().join(format!("rolegraph-usage-bench-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    for (i, chunk) in records.chunks(n.div_ceil(40).max(1)).enumerate() {
        let _ = std::fs::write(dir.join(format!("{i:03}.json")), format!(r#"{{"Records":[{}]}}"#, chunk.join(",")));
    }
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    for threads in [1, cores] {
        let mut best = f64::MAX;
        for _ in 0..3 {
            let t = Instant::now();
            let u = rolegraph_usage::scan_with(&[dir.as_path()], rolegraph_usage::Window::default(), threads);
            best = best.min(t.elapsed().as_secs_f64());
            assert_eq!(u.map(|u| u.read.records as usize).unwrap_or(0), n);
        }
        println!("{:<24} {n} records in {best:.3} s: {:.0} records/s", format!("folder, {threads} thread(s)"), n as f64 / best);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
