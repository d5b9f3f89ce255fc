//! Resources with resource-based policies: S3 buckets (with Block Public Access and object
//! ownership), KMS keys (key policy and grants), Lambda functions and layer versions, SQS
//! queues, SNS topics, Secrets Manager secrets, ECR repositories, DynamoDB tables and streams.
//! A resource is one record whatever the number of objects it holds: a bucket is one resource,
//! its object prefixes are what its policies name.

use serde::{Deserialize, Serialize};

use crate::doc::PolicyDoc;
use crate::gap::DataKind;

/// A kind of resource that has a resource-based policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResourceKind {
    S3Bucket,
    KmsKey,
    LambdaFunction,
    LambdaLayerVersion,
    SqsQueue,
    SnsTopic,
    Secret,
    EcrRepository,
    #[serde(rename = "dynamodb-table")]
    DynamoDbTable,
    #[serde(rename = "dynamodb-stream")]
    DynamoDbStream,
}

impl ResourceKind {
    pub const ALL: [ResourceKind; 10] = [
        ResourceKind::S3Bucket,
        ResourceKind::KmsKey,
        ResourceKind::LambdaFunction,
        ResourceKind::LambdaLayerVersion,
        ResourceKind::SqsQueue,
        ResourceKind::SnsTopic,
        ResourceKind::Secret,
        ResourceKind::EcrRepository,
        ResourceKind::DynamoDbTable,
        ResourceKind::DynamoDbStream,
    ];

    /// The kind of a resource ARN, from its service and resource part.
    pub fn of_arn(arn: &str) -> Option<ResourceKind> {
        let a = policy::Arn::parse(arn)?;
        Some(match a.service {
            "s3" if !a.resource.is_empty() && !a.resource.contains('/') => ResourceKind::S3Bucket,
            "kms" if a.resource.starts_with("key/") => ResourceKind::KmsKey,
            "lambda" if a.resource.starts_with("function:") => ResourceKind::LambdaFunction,
            "lambda" if a.resource.starts_with("layer:") => ResourceKind::LambdaLayerVersion,
            "sqs" => ResourceKind::SqsQueue,
            "sns" => ResourceKind::SnsTopic,
            "secretsmanager" if a.resource.starts_with("secret:") => ResourceKind::Secret,
            "ecr" if a.resource.starts_with("repository/") => ResourceKind::EcrRepository,
            "dynamodb" if a.resource.contains("/stream/") => ResourceKind::DynamoDbStream,
            "dynamodb" if a.resource.starts_with("table/") => ResourceKind::DynamoDbTable,
            _ => return None,
        })
    }

    /// The service prefix of its actions.
    pub fn service(self) -> &'static str {
        match self {
            ResourceKind::S3Bucket => "s3",
            ResourceKind::KmsKey => "kms",
            ResourceKind::LambdaFunction | ResourceKind::LambdaLayerVersion => "lambda",
            ResourceKind::SqsQueue => "sqs",
            ResourceKind::SnsTopic => "sns",
            ResourceKind::Secret => "secretsmanager",
            ResourceKind::EcrRepository => "ecr",
            ResourceKind::DynamoDbTable | ResourceKind::DynamoDbStream => "dynamodb",
        }
    }

    /// How people call it.
    pub fn label(self) -> &'static str {
        match self {
            ResourceKind::S3Bucket => "S3 bucket",
            ResourceKind::KmsKey => "KMS key",
            ResourceKind::LambdaFunction => "Lambda function",
            ResourceKind::LambdaLayerVersion => "Lambda layer version",
            ResourceKind::SqsQueue => "SQS queue",
            ResourceKind::SnsTopic => "SNS topic",
            ResourceKind::Secret => "Secrets Manager secret",
            ResourceKind::EcrRepository => "ECR repository",
            ResourceKind::DynamoDbTable => "DynamoDB table",
            ResourceKind::DynamoDbStream => "DynamoDB stream",
        }
    }

    /// The kind of data whose export gives this kind's policies.
    pub fn data_kind(self) -> DataKind {
        match self {
            ResourceKind::S3Bucket => DataKind::S3BucketPolicies,
            ResourceKind::KmsKey => DataKind::KmsKeyPolicies,
            ResourceKind::LambdaFunction | ResourceKind::LambdaLayerVersion => DataKind::LambdaPolicies,
            ResourceKind::SqsQueue => DataKind::SqsPolicies,
            ResourceKind::SnsTopic => DataKind::SnsPolicies,
            ResourceKind::Secret => DataKind::SecretPolicies,
            ResourceKind::EcrRepository => DataKind::EcrPolicies,
            ResourceKind::DynamoDbTable | ResourceKind::DynamoDbStream => DataKind::DynamoDbPolicies,
        }
    }
}

/// S3 Block Public Access, of a bucket or of an account (`s3control get-public-access-block`).
/// An absent setting is `false`, as S3 reads it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicAccessBlock {
    #[serde(default, alias = "BlockPublicAcls")]
    pub block_public_acls: bool,
    #[serde(default, alias = "IgnorePublicAcls")]
    pub ignore_public_acls: bool,
    #[serde(default, alias = "BlockPublicPolicy")]
    pub block_public_policy: bool,
    #[serde(default, alias = "RestrictPublicBuckets")]
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    /// The most restrictive combination of two levels (S3 applies the combination of bucket and
    /// account settings that restricts most).
    pub fn combined(a: Option<PublicAccessBlock>, b: Option<PublicAccessBlock>) -> PublicAccessBlock {
        let (a, b) = (a.unwrap_or_default(), b.unwrap_or_default());
        PublicAccessBlock {
            block_public_acls: a.block_public_acls || b.block_public_acls,
            ignore_public_acls: a.ignore_public_acls || b.ignore_public_acls,
            block_public_policy: a.block_public_policy || b.block_public_policy,
            restrict_public_buckets: a.restrict_public_buckets || b.restrict_public_buckets,
        }
    }
}

/// A KMS grant (`kms list-grants`): the grantee may perform the operations on the key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KmsGrant {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// An ARN or a service principal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grantee_principal: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retiring_principal: Option<String>,
    /// `Decrypt`, `Encrypt`, `GenerateDataKey`, `CreateGrant`, ...
    #[serde(default)]
    pub operations: Vec<String>,
    /// The encryption-context constraints, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraints: Option<serde_json::Value>,
}

/// A resource and its resource-based policy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyResource {
    pub arn: String,
    pub kind: ResourceKind,
    /// The bucket, key id, function, queue, topic, secret, repository or table name.
    pub name: String,
    pub account_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The resource-based policy; `None` when the export says the resource has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyDoc>,
    /// Where the policy was read (`FILE` or `FILE at JSON path`), for evidence.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    /// S3: the bucket's Block Public Access settings, when read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_access_block: Option<PublicAccessBlock>,
    /// S3: `BucketOwnerEnforced`, `BucketOwnerPreferred` or `ObjectWriter`, when read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_ownership: Option<String>,
    /// KMS: the key's grants, when read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<KmsGrant>,
}

impl PolicyResource {
    pub fn new(kind: ResourceKind, arn: String) -> PolicyResource {
        let a = policy::Arn::parse(&arn);
        let name = name_of(kind, &arn);
        PolicyResource {
            kind,
            name,
            account_id: a.map(|a| a.account.to_owned()).unwrap_or_default(),
            region: a.map(|a| a.region.to_owned()).filter(|r| !r.is_empty()),
            arn,
            policy: None,
            source: String::new(),
            public_access_block: None,
            object_ownership: None,
            grants: Vec::new(),
        }
    }

    /// Takes what `other` (the same resource, from another file) adds.
    pub fn merge(&mut self, other: PolicyResource) {
        if self.policy.is_none() {
            self.policy = other.policy;
            if !other.source.is_empty() {
                self.source = other.source;
            }
        }
        self.public_access_block = self.public_access_block.or(other.public_access_block);
        if self.object_ownership.is_none() {
            self.object_ownership = other.object_ownership;
        }
        for g in other.grants {
            if !self.grants.iter().any(|x| x.grant_id.is_some() && x.grant_id == g.grant_id) {
                self.grants.push(g);
            }
        }
        if self.region.is_none() {
            self.region = other.region;
        }
    }
}

/// The short name of a resource from its ARN.
fn name_of(kind: ResourceKind, arn: &str) -> String {
    let Some(a) = policy::Arn::parse(arn) else { return arn.to_owned() };
    let r = a.resource;
    let name = match kind {
        ResourceKind::S3Bucket | ResourceKind::SqsQueue | ResourceKind::SnsTopic => r,
        ResourceKind::KmsKey => r.trim_start_matches("key/"),
        ResourceKind::LambdaFunction => r.trim_start_matches("function:"),
        ResourceKind::LambdaLayerVersion => r.trim_start_matches("layer:"),
        ResourceKind::Secret => {
            // `secret:NAME-6RANDOM`: the suffix Secrets Manager adds is not part of the name.
            let n = r.trim_start_matches("secret:");
            match n.rsplit_once('-') {
                Some((head, tail)) if tail.len() == 6 && tail.bytes().all(|b| b.is_ascii_alphanumeric()) => head,
                _ => n,
            }
        }
        ResourceKind::EcrRepository => r.trim_start_matches("repository/"),
        ResourceKind::DynamoDbTable | ResourceKind::DynamoDbStream => r.trim_start_matches("table/"),
    };
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_names_from_arns() {
        let cases = [
            ("arn:aws:s3:::acme-data", ResourceKind::S3Bucket, "acme-data"),
            ("arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab", ResourceKind::KmsKey, "1234abcd-12ab"),
            ("arn:aws:lambda:eu-west-1:111111111111:function:orders", ResourceKind::LambdaFunction, "orders"),
            ("arn:aws:lambda:eu-west-1:111111111111:layer:common:3", ResourceKind::LambdaLayerVersion, "common:3"),
            ("arn:aws:sqs:eu-west-1:111111111111:jobs", ResourceKind::SqsQueue, "jobs"),
            ("arn:aws:sns:eu-west-1:111111111111:alerts", ResourceKind::SnsTopic, "alerts"),
            ("arn:aws:secretsmanager:eu-west-1:111111111111:secret:db/password-AbC123", ResourceKind::Secret, "db/password"),
            ("arn:aws:ecr:eu-west-1:111111111111:repository/team/app", ResourceKind::EcrRepository, "team/app"),
            ("arn:aws:dynamodb:eu-west-1:111111111111:table/orders", ResourceKind::DynamoDbTable, "orders"),
            (
                "arn:aws:dynamodb:eu-west-1:111111111111:table/orders/stream/2026-01-01T00:00:00.000",
                ResourceKind::DynamoDbStream,
                "orders/stream/2026-01-01T00:00:00.000",
            ),
        ];
        for (arn, kind, name) in cases {
            assert_eq!(ResourceKind::of_arn(arn), Some(kind), "{arn}");
            let r = PolicyResource::new(kind, arn.to_owned());
            assert_eq!(r.name, name, "{arn}");
        }
        assert_eq!(ResourceKind::of_arn("arn:aws:s3:::bucket/key"), None);
        assert_eq!(ResourceKind::of_arn("arn:aws:iam::111111111111:role/x"), None);
        assert_eq!(PolicyResource::new(ResourceKind::S3Bucket, "arn:aws:s3:::b".into()).account_id, "");
    }

    #[test]
    fn block_public_access_combines_to_the_most_restrictive() {
        let bucket = PublicAccessBlock { restrict_public_buckets: true, ..Default::default() };
        let account = PublicAccessBlock { block_public_policy: true, ..Default::default() };
        let c = PublicAccessBlock::combined(Some(bucket), Some(account));
        assert!(c.restrict_public_buckets && c.block_public_policy && !c.ignore_public_acls);
        assert_eq!(PublicAccessBlock::combined(None, None), PublicAccessBlock::default());
    }
}
