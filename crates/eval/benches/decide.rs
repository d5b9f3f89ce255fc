//! Decisions per second on one core for a realistic execution role: a dozen statements with
//! wildcards, conditions and a deny, plus a permission boundary and two SCP levels.
//!
//! `cargo bench -p rolegraph-eval --bench decide`; figures in docs/benchmarks.md.
//!
//! `trust-statements/N`: one caller against a trust policy of N statements, each naming an
//! account (issue 14): the time of one decision should not grow with N, or deciding each of the
//! N principals of the policy is quadratic.

#![allow(clippy::panic, reason = "a benchmark's inputs are fixed: one that does not parse is a bug to stop on")]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use policy::Policy;
use rolegraph_eval::{Caller, Context, PolicySet, Request, Unknowns, evaluate, evaluate_as};
use serde_json::json;

fn role_policy() -> Arc<Policy> {
    let doc = json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Logs", "Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "arn:aws:logs:*:111122223333:log-group:/aws/lambda/*"},
            {"Sid": "ReadConfig", "Effect": "Allow", "Action": ["ssm:GetParameter*", "ssm:DescribeParameters"], "Resource": "arn:aws:ssm:us-east-1:111122223333:parameter/app/*"},
            {"Sid": "Data", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:List*"], "Resource": ["arn:aws:s3:::app-data", "arn:aws:s3:::app-data/*"], "Condition": {"StringEquals": {"aws:PrincipalTag/team": "payments"}}},
            {"Sid": "Queue", "Effect": "Allow", "Action": "sqs:*", "Resource": "arn:aws:sqs:us-east-1:111122223333:app-*"},
            {"Sid": "Table", "Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"], "Resource": "arn:aws:dynamodb:us-east-1:111122223333:table/orders*"},
            {"Sid": "Kms", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*", "Condition": {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}}},
            {"Sid": "Xray", "Effect": "Allow", "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "Resource": "*"},
            {"Sid": "Events", "Effect": "Allow", "Action": "events:PutEvents", "Resource": "arn:aws:events:us-east-1:111122223333:event-bus/default"},
            {"Sid": "Secrets", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "arn:aws:secretsmanager:us-east-1:111122223333:secret:app/*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
            {"Sid": "Network", "Effect": "Allow", "Action": ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface"], "Resource": "*"},
            {"Sid": "NoDeletes", "Effect": "Deny", "Action": ["s3:DeleteObject*", "dynamodb:DeleteTable"], "Resource": "*"},
            {"Sid": "OnlyFromVpc", "Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:SourceVpc": "vpc-0abc"}, "Bool": {"aws:ViaAWSService": "false"}}}
        ]
    });
    Arc::new(Policy::from_json(&doc).unwrap_or_else(|e| panic!("{e}")))
}

fn set() -> PolicySet {
    let mut set = PolicySet::new();
    set.identity("arn:aws:iam::111122223333:policy/app", role_policy());
    let boundary = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}]});
    set.boundary("boundary", Arc::new(Policy::from_json(&boundary).unwrap_or_else(|e| panic!("{e}"))));
    let full = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
    let regions = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}}]});
    let root = set.scp_level();
    set.scp(root, "FullAWSAccess", Arc::new(Policy::from_json(&full).unwrap_or_else(|e| panic!("{e}"))));
    let ou = set.scp_level();
    set.scp(ou, "FullAWSAccess", Arc::new(Policy::from_json(&full).unwrap_or_else(|e| panic!("{e}"))));
    set.scp(ou, "Regions", Arc::new(Policy::from_json(&regions).unwrap_or_else(|e| panic!("{e}"))));
    set
}

const REQUESTS: &[(&str, &str)] = &[
    ("s3:GetObject", "arn:aws:s3:::app-data/orders/2026/11/25.json"),
    ("s3:DeleteObject", "arn:aws:s3:::app-data/orders/x"),
    ("dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:111122223333:table/orders-v2"),
    ("logs:PutLogEvents", "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/app:log-stream:x"),
    ("sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:app-events"),
    ("iam:PassRole", "arn:aws:iam::111122223333:role/admin"),
    ("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-1:111122223333:secret:app/db-AbCdEf"),
    ("ec2:RunInstances", "arn:aws:ec2:us-east-1:111122223333:instance/*"),
];

fn bench(c: &mut Criterion) {
    let set = set();
    let mut ctx = Context::new();
    ctx.set("aws:PrincipalTag/team", "payments")
        .set("aws:SecureTransport", "true")
        .set("aws:RequestedRegion", "us-east-1")
        .set("aws:SourceVpc", "vpc-0abc")
        .set("aws:ViaAWSService", "false")
        .set("kms:ViaService", "s3.us-east-1.amazonaws.com");
    let principal = "arn:aws:sts::111122223333:assumed-role/app/session";
    let mut g = c.benchmark_group("decide");
    g.throughput(Throughput::Elements(REQUESTS.len() as u64));
    g.bench_function("execution-role/8-requests", |b| {
        b.iter(|| {
            for (action, resource) in REQUESTS {
                let req = Request { principal, action, resource, resource_account: Some("111122223333"), context: &ctx };
                black_box(evaluate(black_box(&req), &set));
            }
        })
    });
    let caller = Caller::parse(principal);
    g.bench_function("execution-role/8-requests-parsed-caller", |b| {
        b.iter(|| {
            for (action, resource) in REQUESTS {
                let req = Request { principal, action, resource, resource_account: Some("111122223333"), context: &ctx };
                black_box(evaluate_as(&caller, black_box(&req), &set));
            }
        })
    });
    let partial = Context::new().with_unknowns(Unknowns::All);
    g.bench_function("execution-role/8-requests-partial", |b| {
        b.iter(|| {
            for (action, resource) in REQUESTS {
                let req = Request { principal, action, resource, resource_account: Some("111122223333"), context: &partial };
                black_box(evaluate(black_box(&req), &set));
            }
        })
    });
    g.finish();
}

/// A trust policy whose `n` statements each trust one account.
fn trust_of(n: usize) -> Arc<Policy> {
    let statements: Vec<serde_json::Value> = (0..n)
        .map(|i| json!({"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{:012}:root", 100_000_000_000 + i)}, "Action": "sts:AssumeRole"}))
        .collect();
    let doc = json!({"Version": "2012-10-17", "Statement": statements});
    Arc::new(Policy::from_json(&doc).unwrap_or_else(|e| panic!("{e}")))
}

fn trust_statements(c: &mut Criterion) {
    let mut g = c.benchmark_group("trust-statements");
    let all = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
    let all = Arc::new(Policy::from_json(&all).unwrap_or_else(|e| panic!("{e}")));
    let ctx = Context::new().with_unknowns(Unknowns::All);
    for n in [100usize, 1_000, 10_000] {
        let mut set = PolicySet::new();
        set.identity("caller", all.clone());
        set.resource("trust", trust_of(n));
        let principal = format!("arn:aws:iam::{:012}:root", 100_000_000_000 + n / 2);
        g.bench_function(format!("{n}"), |b| {
            b.iter(|| {
                let req = Request {
                    principal: &principal,
                    action: "sts:AssumeRole",
                    resource: "arn:aws:iam::111122223333:role/big",
                    resource_account: Some("111122223333"),
                    context: &ctx,
                };
                black_box(evaluate(black_box(&req), &set))
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench, trust_statements);
criterion_main!(benches);
