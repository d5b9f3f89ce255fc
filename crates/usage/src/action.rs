//! From an API call in CloudTrail (`eventSource` `s3.amazonaws.com`, `eventName` `GetObject`) to
//! the IAM action(s) it needs (`s3:GetObject`), checked against the catalog.
//!
//! The service prefix is the first label of `eventSource`, except where IAM names the service
//! differently ([`PREFIX_EXCEPTIONS`]); the action is `prefix:eventName` if the catalog has it.
//! Otherwise a few known rewrites are tried: API versions in Lambda event names
//! (`GetFunction20150331v2`), S3 operations authorized by another action (`ListObjectsV2` →
//! `s3:ListBucket`, `HeadObject` → `s3:GetObject`, `CopyObject` → `s3:GetObject` and
//! `s3:PutObject`), API Gateway management calls (`apigateway:GET`, ...). What is still not
//! found is unmapped and counted; results are cached per (source, name).

use catalog::{ActionId, Catalog};

/// `eventSource` first label → IAM service prefix, where they differ.
pub const PREFIX_EXCEPTIONS: &[(&str, &str)] = &[
    ("monitoring", "cloudwatch"),
    ("email", "ses"),
    ("streams.dynamodb", "dynamodb"),
    ("runtime.sagemaker", "sagemaker"),
    ("api.sagemaker", "sagemaker"),
    ("runtime.lex", "lex"),
    ("models.lex", "lex"),
    ("tagging", "tag"),
    ("api.ecr", "ecr"),
    ("api.mediatailor", "mediatailor"),
    ("data.iot", "iot"),
    ("bedrock-runtime", "bedrock"),
    ("bedrock-agent", "bedrock"),
    ("bedrock-agent-runtime", "bedrock"),
    ("s3-control", "s3"),
    ("elasticloadbalancingv2", "elasticloadbalancing"),
    ("sso-oauth", "sso-oauth"),
    ("identitystore", "identitystore"),
];

/// `prefix:eventName` → the actions AWS authorizes instead.
const ACTION_EXCEPTIONS: &[(&str, &[&str])] = &[
    ("s3:ListObjects", &["s3:ListBucket"]),
    ("s3:ListObjectsV2", &["s3:ListBucket"]),
    ("s3:ListObjectVersions", &["s3:ListBucketVersions"]),
    ("s3:HeadObject", &["s3:GetObject"]),
    ("s3:HeadBucket", &["s3:ListBucket"]),
    ("s3:CopyObject", &["s3:GetObject", "s3:PutObject"]),
    ("s3:UploadPart", &["s3:PutObject"]),
    ("s3:UploadPartCopy", &["s3:GetObject", "s3:PutObject"]),
    ("s3:CreateMultipartUpload", &["s3:PutObject"]),
    ("s3:CompleteMultipartUpload", &["s3:PutObject"]),
    ("s3:DeleteObjects", &["s3:DeleteObject"]),
    ("s3:ListBuckets", &["s3:ListAllMyBuckets"]),
    ("lambda:Invoke", &["lambda:InvokeFunction"]),
    ("kms:GenerateDataKeyWithoutPlaintext", &["kms:GenerateDataKeyWithoutPlaintext"]),
];

/// What an API call maps to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mapped {
    Actions(Vec<ActionId>),
    /// Not an action the catalog knows (or not an IAM action at all, like console sign-in).
    Unmapped,
}

/// The IAM service prefix of an event source.
pub fn service_prefix(event_source: &str) -> &str {
    let host =
        event_source.strip_suffix(".amazonaws.com").or_else(|| event_source.strip_suffix(".api.aws")).unwrap_or(event_source);
    PREFIX_EXCEPTIONS.iter().find(|(s, _)| *s == host).map_or(host, |(_, p)| p)
}

/// Strips an API version suffix: `GetFunction20150331v2` → `GetFunction`.
fn strip_version(name: &str) -> Option<&str> {
    let base = name.trim_end_matches(|c: char| c.is_ascii_digit());
    let base = base.strip_suffix('v').filter(|_| base.len() < name.len()).unwrap_or(name);
    let digits = base.len() - base.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    (digits == 8).then(|| base.get(..base.len() - 8)).flatten().filter(|b| !b.is_empty())
}

/// API Gateway management calls are authorized as HTTP methods on resources.
fn apigateway_method(name: &str) -> Option<&'static str> {
    [("Get", "GET"), ("Create", "POST"), ("Import", "PUT"), ("Put", "PUT"), ("Update", "PATCH"), ("Delete", "DELETE")]
        .iter()
        .find(|(p, _)| name.starts_with(p))
        .map(|(_, m)| *m)
}

/// Maps one call, without a cache.
pub fn map_call(catalog: &Catalog, event_source: &str, event_name: &str) -> Mapped {
    let prefix = service_prefix(event_source);
    let full = format!("{prefix}:{event_name}");
    if let Some((_, to)) = ACTION_EXCEPTIONS.iter().find(|(from, _)| *from == full) {
        let ids: Vec<ActionId> = to.iter().filter_map(|a| catalog.action(a)).collect();
        if !ids.is_empty() {
            return Mapped::Actions(ids);
        }
    }
    if let Some(id) = catalog.action(&full) {
        return Mapped::Actions(vec![id]);
    }
    if let Some(base) = strip_version(event_name)
        && let Some(id) = catalog.action(&format!("{prefix}:{base}"))
    {
        return Mapped::Actions(vec![id]);
    }
    if prefix == "apigateway"
        && let Some(m) = apigateway_method(event_name)
        && let Some(id) = catalog.action(&format!("apigateway:{m}"))
    {
        return Mapped::Actions(vec![id]);
    }
    Mapped::Unmapped
}

/// A cache of [`map_call`] keyed by (source, name), looked up without allocating.
#[derive(Default)]
pub struct Mapper {
    cache: crate::aggregate::FastMap<Box<str>, crate::aggregate::FastMap<Box<str>, Mapped>>,
}

impl Mapper {
    pub fn map(&mut self, catalog: &Catalog, source: &str, name: &str) -> &Mapped {
        if !self.cache.get(source).is_some_and(|m| m.contains_key(name)) {
            let m = map_call(catalog, source, name);
            self.cache.entry(source.into()).or_default().insert(name.into(), m);
        }
        self.cache.get(source).and_then(|m| m.get(name)).unwrap_or(&Mapped::Unmapped)
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic,
        reason = "a test stops at the first unexpected value"
    )]
    use super::*;

    fn names(m: &Mapped) -> Vec<&'static str> {
        let c = Catalog::get();
        match m {
            Mapped::Actions(ids) => ids.iter().map(|&i| c.name(i).unwrap()).collect(),
            Mapped::Unmapped => vec![],
        }
    }

    #[test]
    fn direct_mapping() {
        let c = Catalog::get();
        assert_eq!(names(&map_call(c, "s3.amazonaws.com", "GetObject")), ["s3:GetObject"]);
        assert_eq!(names(&map_call(c, "secretsmanager.amazonaws.com", "GetSecretValue")), ["secretsmanager:GetSecretValue"]);
        assert_eq!(names(&map_call(c, "sts.amazonaws.com", "AssumeRole")), ["sts:AssumeRole"]);
    }

    #[test]
    fn prefix_and_action_exceptions() {
        let c = Catalog::get();
        assert_eq!(names(&map_call(c, "monitoring.amazonaws.com", "PutMetricData")), ["cloudwatch:PutMetricData"]);
        assert_eq!(names(&map_call(c, "email.amazonaws.com", "SendEmail")), ["ses:SendEmail"]);
        assert_eq!(names(&map_call(c, "s3.amazonaws.com", "ListObjectsV2")), ["s3:ListBucket"]);
        assert_eq!(names(&map_call(c, "s3.amazonaws.com", "CopyObject")), ["s3:GetObject", "s3:PutObject"]);
        assert_eq!(names(&map_call(c, "lambda.amazonaws.com", "GetFunction20150331v2")), ["lambda:GetFunction"]);
        assert_eq!(names(&map_call(c, "lambda.amazonaws.com", "ListFunctions20150331")), ["lambda:ListFunctions"]);
        assert_eq!(names(&map_call(c, "apigateway.amazonaws.com", "GetResource")), ["apigateway:GET"]);
    }

    #[test]
    fn unmapped_calls() {
        let c = Catalog::get();
        assert_eq!(map_call(c, "signin.amazonaws.com", "ConsoleLogin"), Mapped::Unmapped);
        assert_eq!(map_call(c, "s3.amazonaws.com", "NoSuchCall"), Mapped::Unmapped);
        assert_eq!(strip_version("Get2015"), None);
        assert_eq!(strip_version("20150331"), None);
    }

    #[test]
    fn cache_returns_the_same_answer() {
        let c = Catalog::get();
        let mut m = Mapper::default();
        let a = m.map(c, "s3.amazonaws.com", "GetObject").clone();
        assert_eq!(&a, m.map(c, "s3.amazonaws.com", "GetObject"));
        assert_eq!(m.map(c, "x.amazonaws.com", "Y"), &Mapped::Unmapped);
    }
}
