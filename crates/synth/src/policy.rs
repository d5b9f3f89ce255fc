//! Policy documents with the variety real accounts have: service wildcards, prefix wildcards,
//! ARNs with wildcards, `NotAction` allows, denies, conditions; and the trust policies of every
//! kind of role.

use serde_json::{Value, json};

use crate::Rng;

const SERVICES: &[(&str, &[&str])] = &[
    ("s3", &["GetObject", "PutObject", "ListBucket", "DeleteObject", "GetBucketPolicy", "PutBucketPolicy", "GetObjectVersion"]),
    ("dynamodb", &["GetItem", "PutItem", "Query", "Scan", "UpdateItem", "DeleteItem", "BatchWriteItem"]),
    ("sqs", &["SendMessage", "ReceiveMessage", "DeleteMessage", "GetQueueAttributes"]),
    ("sns", &["Publish", "Subscribe", "CreateTopic"]),
    ("kms", &["Decrypt", "Encrypt", "GenerateDataKey", "CreateGrant", "DescribeKey"]),
    ("secretsmanager", &["GetSecretValue", "DescribeSecret", "PutSecretValue"]),
    ("logs", &["CreateLogGroup", "CreateLogStream", "PutLogEvents", "DescribeLogGroups"]),
    ("ec2", &["DescribeInstances", "RunInstances", "TerminateInstances", "CreateTags", "DescribeSecurityGroups"]),
    ("iam", &["PassRole", "GetRole", "CreateUser", "AttachRolePolicy", "PutRolePolicy", "CreateAccessKey", "ListRoles"]),
    ("sts", &["AssumeRole", "GetCallerIdentity"]),
    ("lambda", &["InvokeFunction", "CreateFunction", "UpdateFunctionCode", "GetFunction"]),
    ("ssm", &["GetParameter", "GetParametersByPath", "SendCommand", "StartSession"]),
    ("ecr", &["GetAuthorizationToken", "BatchGetImage", "GetDownloadUrlForLayer", "PutImage"]),
    ("cloudwatch", &["PutMetricData", "GetMetricData", "DescribeAlarms"]),
];

const WORDS: &[&str] = &[
    "orders", "billing", "ledger", "catalog", "search", "images", "events", "audit", "reports", "profiles", "sessions", "exports",
];
const REGIONS: &[&str] = &["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"];

fn resource(rng: &mut Rng, service: &str, account: &str) -> String {
    let w = rng.pick(WORDS).copied().unwrap_or("data");
    let region = rng.pick(REGIONS).copied().unwrap_or("us-east-1");
    match service {
        "s3" => match rng.below(3) {
            0 => format!("arn:aws:s3:::{w}-{account}"),
            1 => format!("arn:aws:s3:::{w}-{account}/*"),
            _ => format!("arn:aws:s3:::{w}-*/{}/*", rng.pick(&["incoming", "processed", "tmp"]).copied().unwrap_or("tmp")),
        },
        "dynamodb" => {
            format!("arn:aws:dynamodb:{region}:{account}:table/{w}{}", if rng.chance(30) { "*" } else { "" })
        }
        "sqs" => format!("arn:aws:sqs:{region}:{account}:{w}-queue"),
        "sns" => format!("arn:aws:sns:{region}:{account}:{w}-*"),
        "kms" => format!("arn:aws:kms:{region}:{account}:key/{}", uuid(rng)),
        "secretsmanager" => format!("arn:aws:secretsmanager:{region}:{account}:secret:{w}/*"),
        "logs" => format!("arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{w}-*"),
        "iam" => format!("arn:aws:iam::{account}:role/{}", if rng.chance(40) { "*".to_owned() } else { format!("{w}-*") }),
        "sts" => format!("arn:aws:iam::{account}:role/{w}-deployer"),
        "lambda" => format!("arn:aws:lambda:{region}:{account}:function:{w}-*"),
        "ssm" => format!("arn:aws:ssm:{region}:{account}:parameter/{w}/*"),
        "ecr" => format!("arn:aws:ecr:{region}:{account}:repository/{w}"),
        _ => "*".to_owned(),
    }
}

pub fn uuid(rng: &mut Rng) -> String {
    format!("{}-{}-{}-{}-{}", rng.hex(8), rng.hex(4), rng.hex(4), rng.hex(4), rng.hex(12))
}

fn condition(rng: &mut Rng, account: &str) -> Value {
    match rng.below(6) {
        0 => {
            json!({"StringEquals": {"aws:RequestedRegion": [rng.pick(REGIONS).copied().unwrap_or("us-east-1")]}})
        }
        1 => json!({"Bool": {"aws:SecureTransport": "true"}}),
        2 => json!({"StringEquals": {"aws:PrincipalTag/team": rng.pick(WORDS).copied().unwrap_or("x")}}),
        3 => {
            json!({"StringLike": {"s3:prefix": [format!("{}/*", rng.pick(WORDS).copied().unwrap_or("x")), "shared/*"]}})
        }
        4 => json!({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}}),
        _ => json!({"StringEquals": {"aws:ResourceAccount": account}}),
    }
}

/// One statement.
pub fn statement(rng: &mut Rng, account: &str) -> Value {
    let (service, actions) = SERVICES.get(rng.below(SERVICES.len())).copied().unwrap_or(("s3", &["GetObject"]));
    let mut st = serde_json::Map::new();
    if rng.chance(30) {
        st.insert("Sid".into(), json!(format!("{}{}", service.to_ascii_uppercase(), rng.below(100))));
    }
    let deny = rng.chance(5);
    st.insert("Effect".into(), json!(if deny { "Deny" } else { "Allow" }));
    let action: Value = match rng.below(10) {
        0 => json!(format!("{service}:*")),
        1 | 2 => {
            json!([format!("{service}:Get*"), format!("{service}:List*"), format!("{service}:Describe*")])
        }
        _ => {
            let n = rng.range(1, actions.len().min(5));
            let mut a: Vec<String> =
                (0..n).map(|_| format!("{service}:{}", rng.pick(actions).copied().unwrap_or("Get"))).collect();
            a.sort();
            a.dedup();
            json!(a)
        }
    };
    if !deny && rng.chance(2) {
        st.insert("NotAction".into(), json!(["iam:*", "organizations:*", "account:*"]));
    } else {
        st.insert("Action".into(), action);
    }
    let resource: Value = if rng.chance(30) {
        json!("*")
    } else {
        let n = rng.range(1, 3);
        json!((0..n).map(|_| resource(rng, service, account)).collect::<Vec<_>>())
    };
    st.insert("Resource".into(), resource);
    if rng.chance(20) {
        st.insert("Condition".into(), condition(rng, account));
    }
    Value::Object(st)
}

/// A permissions policy of `min..=max` statements.
pub fn document(rng: &mut Rng, account: &str, min: usize, max: usize) -> Value {
    let n = rng.range(min, max);
    json!({"Version": "2012-10-17", "Statement": (0..n).map(|_| statement(rng, account)).collect::<Vec<_>>()})
}

/// The kinds of role trust.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrustKind {
    Lambda,
    Ec2,
    EcsTasks,
    OrgAccount,
    Vendor,
    GithubOidc,
    Saml,
    Sso,
    ServiceLinked,
    SameAccountMfa,
    OtherService,
}

/// Weights, in the order of [`TrustKind`]'s variants.
pub const TRUST_WEIGHTS: &[(TrustKind, u64)] = &[
    (TrustKind::Lambda, 25),
    (TrustKind::Ec2, 13),
    (TrustKind::EcsTasks, 7),
    (TrustKind::OrgAccount, 12),
    (TrustKind::Vendor, 5),
    (TrustKind::GithubOidc, 6),
    (TrustKind::Saml, 8),
    (TrustKind::Sso, 5),
    (TrustKind::ServiceLinked, 8),
    (TrustKind::SameAccountMfa, 6),
    (TrustKind::OtherService, 5),
];

pub const VENDORS: &[(&str, &str)] = &[
    ("datadog", "464622532012"),
    ("snyk", "198361731867"),
    ("vanta", "956993596390"),
    ("cloudability", "165736516723"),
    ("newrelic", "754728514883"),
];

fn trust(statements: Vec<Value>) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

pub fn service_trust(rng: &mut Rng, service: &str, account: &str) -> Value {
    let mut st = json!({"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"});
    if rng.chance(30)
        && let Some(m) = st.as_object_mut()
    {
        m.insert("Condition".into(), json!({"StringEquals": {"aws:SourceAccount": account}}));
    }
    trust(vec![st])
}

pub fn aws_trust(principals: Vec<String>, condition: Option<Value>) -> Value {
    let principal = if principals.len() == 1 { json!(principals.first()) } else { json!(principals) };
    let mut st = json!({"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"});
    if let (Some(c), Some(m)) = (condition, st.as_object_mut()) {
        m.insert("Condition".into(), c);
    }
    trust(vec![st])
}

pub fn github_trust(rng: &mut Rng, account: &str, with_sub: bool) -> Value {
    let mut cond = json!({"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}});
    if with_sub {
        let repo = rng.pick(WORDS).copied().unwrap_or("app");
        if let Some(m) = cond.as_object_mut() {
            m.insert(
                "StringLike".into(),
                json!({"token.actions.githubusercontent.com:sub": format!("repo:example-corp/{repo}:ref:refs/heads/main")}),
            );
        }
    }
    trust(vec![json!({
        "Effect": "Allow",
        "Principal": {"Federated": format!("arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com")},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": cond,
    })])
}

pub fn saml_trust(account: &str, provider: &str) -> Value {
    trust(vec![json!({
        "Effect": "Allow",
        "Principal": {"Federated": format!("arn:aws:iam::{account}:saml-provider/{provider}")},
        "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
        "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
    })])
}
