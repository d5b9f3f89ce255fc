//! Resources with resource-based policies, one AWS CLI output file each: S3 buckets
//! (`get-bucket-policy` with the `Arn` rolegraph reads), KMS keys (`get-key-policy`), SQS queues
//! (`get-queue-attributes`), Lambda function policies (`get-policy`), secrets
//! (`get-resource-policy`) and SNS topics (`get-topic-attributes`). Most grant a role of the
//! account; some grant another account of the organization, a few an outside account or
//! everyone, and services with or without their source conditions.

use std::path::Path;

use serde_json::{Value, json};

use crate::write::write_value;
use crate::{Rng, SynthConfig, SynthSummary};

/// An account outside the organization (a vendor's, say).
const OUTSIDE: &str = "999988887777";

fn doc(statements: Vec<Value>) -> String {
    json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

/// Who a statement grants: a role of the account (most), another account of the organization,
/// an outside account, or everyone.
fn principal(rng: &mut Rng, ids: &[String], id: &str, roles: &[String]) -> Value {
    match rng.weighted(&[85, 8, 5, 2]) {
        0 => json!({"AWS": rng.pick(roles).cloned().unwrap_or_else(|| format!("arn:aws:iam::{id}:root"))}),
        1 => json!({"AWS": format!("arn:aws:iam::{}:root", rng.pick(ids).map(String::as_str).unwrap_or(id))}),
        2 => json!({"AWS": OUTSIDE}),
        _ => json!("*"),
    }
}

#[allow(clippy::too_many_arguments, reason = "the generator threads its tables through one call per account")]
pub fn write_resources(
    config: &SynthConfig,
    ids: &[String],
    id: &str,
    region: &str,
    roles: &[String],
    functions: &[String],
    rng: &mut Rng,
    dir: &Path,
    summary: &mut SynthSummary,
) -> std::io::Result<()> {
    for k in 0..config.resources_per_account {
        let kind = rng.weighted(&[40, 20, 15, 10, 10, 5]);
        let (file, value) = match kind {
            0 => {
                let bucket = format!("synth-{id}-data-{k:05}");
                let arn = format!("arn:aws:s3:::{bucket}");
                let who = principal(rng, ids, id, roles);
                let p = doc(vec![
                    json!({"Sid": "Read", "Effect": "Allow", "Principal": who, "Action": ["s3:GetObject", "s3:ListBucket"],
                    "Resource": [arn.clone(), format!("{arn}/*")]}),
                ]);
                (format!("s3api-get-bucket-policy.{bucket}.json"), json!({"Policy": p, "Arn": arn}))
            }
            1 => {
                let key = format!("{:08x}-0000-4000-8000-{:012x}", k, rng.next_u64() & 0xffff_ffff_ffff);
                let arn = format!("arn:aws:kms:{region}:{id}:key/{key}");
                let user = principal(rng, ids, id, roles);
                let p = doc(vec![
                    json!({"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{id}:root")}, "Action": "kms:*", "Resource": "*"}),
                    json!({"Sid": "Allow use of the key", "Effect": "Allow", "Principal": user, "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"}),
                ]);
                (format!("kms-get-key-policy.{key}.json"), json!({"Policy": p, "PolicyName": "default", "Arn": arn}))
            }
            2 => {
                let name = format!("synth-queue-{k:05}");
                let arn = format!("arn:aws:sqs:{region}:{id}:{name}");
                let mut st = json!({"Sid": "FromTopic", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage", "Resource": arn});
                if !rng.chance(5)
                    && let Some(o) = st.as_object_mut()
                {
                    o.insert(
                        "Condition".into(),
                        json!({"ArnEquals": {"aws:SourceArn": format!("arn:aws:sns:{region}:{id}:synth-topic-{k:05}")}}),
                    );
                }
                let p = doc(vec![st]);
                (
                    format!("sqs-get-queue-attributes.{name}.json"),
                    json!({"Attributes": {"QueueArn": arn, "Policy": p, "VisibilityTimeout": "30"}}),
                )
            }
            3 if !functions.is_empty() => {
                let function = rng.pick(functions).cloned().unwrap_or_default();
                let who = if rng.chance(3) { json!("*") } else { json!({"Service": "apigateway.amazonaws.com"}) };
                let p = doc(vec![
                    json!({"Sid": format!("invoke-{k}"), "Effect": "Allow", "Principal": who, "Action": "lambda:InvokeFunction",
                    "Resource": function, "Condition": {"ArnLike": {"AWS:SourceArn": format!("arn:aws:execute-api:{region}:{id}:api{k}/*")}}}),
                ]);
                (format!("lambda-get-policy.{k:05}.json"), json!({"Policy": p, "RevisionId": format!("r{k}"), "Arn": function}))
            }
            4 => {
                let name = format!("synth/secret-{k:05}");
                let arn = format!("arn:aws:secretsmanager:{region}:{id}:secret:{name}-{}", rng.id_chars(6));
                let who = principal(rng, ids, id, roles);
                let p = doc(vec![
                    json!({"Effect": "Allow", "Principal": who, "Action": "secretsmanager:GetSecretValue", "Resource": "*"}),
                ]);
                (
                    format!("secretsmanager-get-resource-policy.{k:05}.json"),
                    json!({"ARN": arn, "Name": name, "ResourcePolicy": p}),
                )
            }
            _ => {
                let name = format!("synth-topic-{k:05}");
                let arn = format!("arn:aws:sns:{region}:{id}:{name}");
                let p = doc(vec![json!({"Sid": "__default_statement_ID", "Effect": "Allow", "Principal": {"AWS": "*"},
                    "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
                    "Resource": arn, "Condition": {"StringEquals": {"AWS:SourceOwner": id}}})]);
                (
                    format!("sns-get-topic-attributes.{name}.json"),
                    json!({"Attributes": {"TopicArn": arn, "Policy": p, "Owner": id}}),
                )
            }
        };
        write_value(&dir.join(file), &value, summary)?;
        summary.resources += 1;
    }
    Ok(())
}
