//! Resource-based policy outputs → [`PolicyResource`]s: `get-bucket-policy`, `get-key-policy`,
//! `lambda get-policy`, `get-layer-version-policy` and `dynamodb get-resource-policy` (whose
//! answer does not name the resource: rolegraph's `Arn` added to the file says it, else the
//! one resource the policy's statements name), `sqs get-queue-attributes`,
//! `sns get-topic-attributes`, `secretsmanager get-resource-policy`, `ecr get-repository-policy`
//! (which name it), S3 Block Public Access and ownership controls, and `kms list-grants`.

use std::collections::BTreeMap;

use model::{DataKind, GapKind, KmsGrant, PolicyDoc, PolicyResource, ResourceKind};

use crate::convert::{FileCtx, Payload};
use crate::kind::ExportKind;
use crate::raw::Export;

/// The resources of one file and the kinds of data it gives.
pub fn convert(
    kind: ExportKind,
    e: Export<'_>,
    cx: &FileCtx<'_>,
    gaps: &mut Vec<model::Gap>,
    warnings: &mut Vec<String>,
) -> Payload {
    use ExportKind as K;
    let region = crate::resources::region_of_path(cx.rel);
    let mut list: Vec<PolicyResource> = Vec::new();
    let mut kinds: Vec<DataKind> = Vec::new();
    // These files do not vote on their account (a policy names other accounts as often as its
    // own, and a bucket's ARN names none): the folder's account is theirs.
    let mut with_policy = |kind: ResourceKind, arn: String, text: Option<&str>, at: &str, gaps: &mut Vec<model::Gap>| {
        let mut r = PolicyResource::new(kind, arn);
        if r.region.is_none() && kind != ResourceKind::S3Bucket {
            r.region.clone_from(&region);
        }
        r.source = format!("{} at {at}", cx.rel);
        r.policy = text.map(|t| doc(t, cx, at, &r.arn, gaps));
        kinds.push(kind.data_kind());
        list.push(r);
    };
    match kind {
        K::ResourcePolicy => {
            let text = e.policy.and_then(|p| serde_json::from_str::<String>(p.get()).ok());
            let Some(text) = text else {
                gaps.push(cx.gap(GapKind::MalformedRecord, "Policy", "the resource-based policy is not a JSON string"));
                return Payload::Resources(Vec::new(), Vec::new());
            };
            let arn = match e.arn.as_deref() {
                Some(a) => Some(a.to_owned()),
                None => {
                    let inferred = infer_resource(&text);
                    if let Some(a) = &inferred {
                        warnings.push(format!(
                            "`{}`: the resource-based policy does not say whose it is; its statements name `{}` only, so it is taken as that resource's (add `\"Arn\"` to the file to say it)",
                            cx.rel,
                            model::terminal_safe(a)
                        ));
                    }
                    inferred
                }
            };
            match arn.as_deref().map(|a| (a, ResourceKind::of_arn(a))) {
                Some((a, Some(k))) => with_policy(k, a.to_owned(), Some(&text), "Policy", gaps),
                Some((a, None)) => gaps.push(cx.gap(
                    GapKind::UnattributedData,
                    "Arn",
                    format!(
                        "`{}` is not a resource whose policy rolegraph reads (an S3 bucket, KMS key, Lambda function or layer version, SQS queue, SNS topic, secret, ECR repository, DynamoDB table or stream); the policy was not used",
                        model::terminal_safe(a)
                    ),
                )),
                None => gaps.push(cx.gap(
                    GapKind::UnattributedData,
                    "Policy",
                    "a resource-based policy that does not say whose it is (add `\"Arn\": \"<resource ARN>\"` to the file, see docs/export-formats.md); it was not used",
                )),
            }
        }
        K::SqsQueueAttributes | K::SnsTopicAttributes => {
            if let Some(a) = e.attributes {
                let (k, arn) = if kind == K::SqsQueueAttributes {
                    (ResourceKind::SqsQueue, a.queue_arn)
                } else {
                    (ResourceKind::SnsTopic, a.topic_arn)
                };
                if let Some(arn) = arn {
                    with_policy(k, arn, a.policy.as_deref(), "Attributes.Policy", gaps);
                }
            }
        }
        K::SecretResourcePolicy => match e.secret_arn {
            Some(arn) => with_policy(ResourceKind::Secret, arn, e.resource_policy.as_deref(), "ResourcePolicy", gaps),
            None => gaps.push(cx.gap(
                GapKind::UnattributedData,
                "ARN",
                "a secret's resource policy without its `ARN`; it was not used",
            )),
        },
        K::EcrRepositoryPolicy => {
            let (Some(registry), Some(name)) = (e.registry_id, e.repository_name) else {
                return Payload::Resources(Vec::new(), Vec::new());
            };
            if region.is_none() {
                warnings.push(format!(
                    "`{}`: an ECR repository policy without a region (put the file in a folder named after its region); its ARN has none, so policies that name regions are not matched",
                    cx.rel
                ));
            }
            let arn = format!("arn:aws:ecr:{}:{registry}:repository/{name}", region.as_deref().unwrap_or(""));
            with_policy(ResourceKind::EcrRepository, arn, e.policy_text.as_deref(), "policyText", gaps);
        }
        K::S3PublicAccessBlock => {
            let block = e.public_access_block_configuration.unwrap_or_default();
            match e.arn {
                None => return Payload::AccountPublicAccessBlock(block),
                Some(arn) if ResourceKind::of_arn(&arn) == Some(ResourceKind::S3Bucket) => {
                    let mut r = PolicyResource::new(ResourceKind::S3Bucket, arn);
                    r.public_access_block = Some(block);
                    kinds.push(DataKind::S3PublicAccessBlock);
                    list.push(r);
                }
                Some(arn) => gaps.push(cx.gap(
                    GapKind::UnattributedData,
                    "Arn",
                    format!(
                        "Block Public Access settings for `{}`, which is not an S3 bucket; not used",
                        model::terminal_safe(&arn)
                    ),
                )),
            }
        }
        K::S3OwnershipControls => match e.arn.filter(|a| ResourceKind::of_arn(a) == Some(ResourceKind::S3Bucket)) {
            Some(arn) => {
                let mut r = PolicyResource::new(ResourceKind::S3Bucket, arn);
                r.object_ownership = e.ownership_controls.and_then(|o| o.rules.into_iter().find_map(|r| r.object_ownership));
                list.push(r);
            }
            None => gaps.push(cx.gap(
                GapKind::UnattributedData,
                "OwnershipControls",
                "ownership controls that do not name their bucket (add `\"Arn\": \"arn:aws:s3:::BUCKET\"`); not used",
            )),
        },
        K::KmsGrants => {
            let mut by_key: BTreeMap<String, PolicyResource> = BTreeMap::new();
            for (i, g) in e.grants.unwrap_or_default().into_iter().enumerate() {
                let Some(key) = g.key_id.filter(|k| ResourceKind::of_arn(k) == Some(ResourceKind::KmsKey)) else {
                    gaps.push(cx.gap(
                        GapKind::MalformedRecord,
                        &format!("Grants[{i}].KeyId"),
                        "a grant without its key's ARN; skipped",
                    ));
                    continue;
                };
                let r = by_key.entry(key.clone()).or_insert_with(|| PolicyResource::new(ResourceKind::KmsKey, key));
                r.grants.push(KmsGrant {
                    grant_id: g.grant_id,
                    name: g.name.filter(|n| !n.is_empty()),
                    grantee_principal: g.grantee_principal,
                    retiring_principal: g.retiring_principal,
                    operations: g.operations,
                    constraints: g.constraints,
                });
            }
            kinds.push(DataKind::KmsGrants);
            list.extend(by_key.into_values());
        }
        _ => {}
    }
    kinds.sort();
    kinds.dedup();
    Payload::Resources(kinds, list)
}

/// Parses a policy text, recording a gap (with the JSON path) when it is invalid.
fn doc(text: &str, cx: &FileCtx<'_>, at: &str, arn: &str, gaps: &mut Vec<model::Gap>) -> PolicyDoc {
    let d = PolicyDoc::from_policy_text(text);
    if let Some(err) = d.error() {
        gaps.push(
            cx.gap(
                GapKind::InvalidPolicy,
                at,
                format!("the resource-based policy of `{}` could not be parsed; it is not evaluated", model::terminal_safe(arn)),
            )
            .with_error(err),
        );
    }
    d
}

/// The one resource a policy's statements name, when they name exactly one (an S3 bucket's
/// objects count as the bucket).
fn infer_resource(text: &str) -> Option<String> {
    let d = PolicyDoc::from_policy_text(text);
    let p = d.policy()?;
    let mut found: Option<String> = None;
    for s in &p.statements {
        let Some(policy::Block::Only(items)) = &s.resource else { return None };
        for r in items {
            let raw = r.raw.as_str();
            let arn = match policy::Arn::parse(raw) {
                // A bucket or its objects; an access point (region and account in its ARN) is not a bucket.
                Some(a) if a.service == "s3" && a.region.is_empty() && a.account.is_empty() => {
                    format!("arn:{}:s3:::{}", a.partition, a.resource.split('/').next().unwrap_or(""))
                }
                Some(a) if a.service == "s3" => return None,
                Some(_) => raw.to_owned(),
                None => return None,
            };
            if arn.contains(['*', '?']) || ResourceKind::of_arn(&arn).is_none() {
                return None;
            }
            match &found {
                Some(f) if *f != arn => return None,
                Some(_) => {}
                None => found = Some(arn),
            }
        }
    }
    found
}

/// The account of a resource whose ARN has none (an S3 bucket): the file's.
pub fn set_account(r: &mut PolicyResource, account: &str) {
    if r.account_id.is_empty() {
        account.clone_into(&mut r.account_id);
    }
}

#[cfg(test)]
mod tests {
    use super::infer_resource;

    #[test]
    fn the_one_resource_a_policy_names() {
        let bucket = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-public/*"},{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::acme-public"}]}"#;
        assert_eq!(infer_resource(bucket).as_deref(), Some("arn:aws:s3:::acme-public"));
        let function = r#"{"Version":"2012-10-17","Id":"default","Statement":[{"Sid":"x","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:eu-west-1:111111111111:function:thumbs"}]}"#;
        assert_eq!(infer_resource(function).as_deref(), Some("arn:aws:lambda:eu-west-1:111111111111:function:thumbs"));
        let two = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":["arn:aws:s3:::a/*","arn:aws:s3:::b/*"]}]}"#;
        assert_eq!(infer_resource(two), None);
        let access_point = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:eu-west-1:111111111111:accesspoint/ap/object/*"}]}"#;
        assert_eq!(infer_resource(access_point), None, "an access point is not a bucket");
        let wildcard = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}"#;
        assert_eq!(infer_resource(wildcard), None, "a key policy names `*`: the key must be given");
    }
}
