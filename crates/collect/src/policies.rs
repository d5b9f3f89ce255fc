//! Resource-based policies of the regional services, once per region: KMS key policies and
//! grants, Lambda function policies, SQS queue and SNS topic attributes, Secrets Manager
//! resource policies, ECR repository policies and DynamoDB table policies. One file per
//! resource, in the shape the AWS CLI prints; outputs that do not name their resource carry
//! rolegraph's `"Arn"`, and ECR's (which has no region) go into a folder named after the region
//! (see `docs/export-formats.md`). A resource without a policy is known to have none, not a gap.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_kms::types::{GrantListEntry, KeyManagerType};
use serde_json::{Map, Value, json};

use crate::call::{Answer, Calls};
use crate::iam::model_kind;
use crate::json::obj;
use crate::progress::Bar;
use crate::write::{Folder, Tally, file_part};
use crate::{CollectError, Scope};

/// A map as a JSON object with sorted keys (the SDK gives hash maps).
fn sorted<'a>(entries: impl Iterator<Item = (&'a str, &'a str)>) -> Value {
    let sorted: BTreeMap<&str, &str> = entries.collect();
    Value::Object(sorted.into_iter().map(|(k, v)| (k.to_owned(), Value::from(v))).collect::<Map<String, Value>>())
}

fn context(m: Option<&HashMap<String, String>>) -> Value {
    m.map_or(Value::Null, |m| sorted(m.iter().map(|(k, v)| (k.as_str(), v.as_str()))))
}

/// A grant as `list-grants` prints it, on the key's ARN (the reader files grants by `KeyId`).
fn grant(g: &GrantListEntry, key_arn: &str) -> Value {
    obj! {
        "KeyId" => key_arn,
        "GrantId" => g.grant_id(),
        "Name" => g.name(),
        "CreationDate" => g.creation_date(),
        "GranteePrincipal" => g.grantee_principal(),
        "RetiringPrincipal" => g.retiring_principal(),
        "IssuingAccount" => g.issuing_account(),
        "Operations" => g.operations().iter().map(|o| Value::from(o.as_str())).collect::<Vec<_>>(),
        "Constraints" => g.constraints().map(|c| obj! {
            "EncryptionContextSubset" => context(c.encryption_context_subset()),
            "EncryptionContextEquals" => context(c.encryption_context_equals()),
            "SourceArn" => c.source_arn(),
        }),
        "GranteeServicePrincipal" => g.grantee_service_principal(),
        "RetiringServicePrincipal" => g.retiring_service_principal(),
    }
}

/// The policies of the functions `list-functions` gave (`listed`: whether it gave them all).
pub async fn lambda(
    client: &aws_sdk_lambda::Client,
    calls: &Calls,
    dir: &Folder,
    part: &str,
    functions: &[&str],
    listed: bool,
    tally: &mut Tally,
) -> Result<(), CollectError> {
    let mut complete = listed;
    for arn in functions {
        let call = client.get_policy().function_name(*arn).send();
        match calls.on(arn).optional("lambda", "GetPolicy", &["ResourceNotFoundException"], call).await {
            Answer::Got(out) => {
                if let Some(p) = out.policy() {
                    let name = arn.rsplit(':').next().unwrap_or(arn);
                    let value = obj! { "Policy" => p, "RevisionId" => out.revision_id(), "Arn" => *arn };
                    dir.write_unique(&format!("lambda-get-policy.{part}.{}", file_part(name)), &value)?;
                }
            }
            Answer::Nothing => {}
            Answer::Failed => complete = false,
        }
    }
    tally.collected(model_kind::LAMBDA_POLICIES, complete);
    Ok(())
}

/// KMS, SQS, SNS, Secrets Manager, ECR and DynamoDB in one region.
pub async fn collect(
    config: &aws_config::SdkConfig,
    calls: &Calls,
    dir: &Folder,
    bar: &Bar,
    scope: &Scope,
    tally: &mut Tally,
) -> Result<(), CollectError> {
    let region = calls.region.clone().unwrap_or_default();
    let part = file_part(&region);
    bar.step(&format!("kms {region}"));
    kms(&aws_sdk_kms::Client::new(config), calls, dir, &part, tally).await?;
    bar.step(&format!("sqs {region}"));
    sqs(&aws_sdk_sqs::Client::new(config), calls, dir, &part, tally).await?;
    bar.step(&format!("sns {region}"));
    sns(&aws_sdk_sns::Client::new(config), calls, dir, &part, tally).await?;
    bar.step(&format!("secretsmanager {region}"));
    secrets(&aws_sdk_secretsmanager::Client::new(config), calls, dir, &part, tally).await?;
    bar.step(&format!("ecr {region}"));
    ecr(&aws_sdk_ecr::Client::new(config), calls, dir, &region, tally).await?;
    bar.step(&format!("dynamodb {region}"));
    let tables = format!("arn:{}:dynamodb:{region}:{}:table/", scope.partition, scope.account);
    dynamodb(&aws_sdk_dynamodb::Client::new(config), calls, dir, &part, &tables, tally).await?;
    Ok(())
}

/// The customer managed keys (AWS managed ones are skipped: their policies are AWS's), each
/// with its key policy (`default`, the only name there is) and every grant.
async fn kms(
    client: &aws_sdk_kms::Client,
    calls: &Calls,
    dir: &Folder,
    part: &str,
    tally: &mut Tally,
) -> Result<(), CollectError> {
    let keys = calls.pages("kms", "ListKeys", client.list_keys().into_paginator().send()).await;
    let (mut policies, mut grants) = (keys.complete, keys.complete);
    for key in keys.pages.iter().flat_map(|p| p.keys()) {
        let Some(id) = key.key_id() else { continue };
        let arn = key.key_arn().unwrap_or(id);
        let calls = calls.on(arn);
        // Without `DescribeKey` the key is read as if it were the customer's.
        if let Some(out) = calls.one("kms", "DescribeKey", client.describe_key().key_id(id).send()).await
            && out.key_metadata().and_then(|m| m.key_manager()) == Some(&KeyManagerType::Aws)
        {
            continue;
        }
        tally.resources += 1;
        let call = client.get_key_policy().key_id(id).policy_name("default").send();
        match calls.optional("kms", "GetKeyPolicy", &["NotFoundException"], call).await {
            Answer::Got(out) => {
                if let Some(p) = out.policy() {
                    let value = obj! { "Policy" => p, "PolicyName" => out.policy_name().unwrap_or("default"), "Arn" => arn };
                    dir.write_unique(&format!("kms-get-key-policy.{part}.{}", file_part(id)), &value)?;
                }
            }
            Answer::Nothing => {}
            Answer::Failed => policies = false,
        }
        let pages = calls.pages("kms", "ListGrants", client.list_grants().key_id(id).into_paginator().send()).await;
        // Part of the grants would read as all of them: only a full list is written.
        grants &= pages.complete;
        let list: Vec<Value> = pages.pages.iter().flat_map(|p| p.grants()).map(|g| grant(g, arn)).collect();
        if pages.complete && !list.is_empty() {
            dir.write_unique(&format!("kms-list-grants.{part}.{}", file_part(id)), &json!({ "Grants": list }))?;
        }
    }
    tally.collected(model_kind::KMS_KEY_POLICIES, policies);
    tally.collected(model_kind::KMS_GRANTS, grants);
    Ok(())
}

/// Every queue with all its attributes (`QueueArn` and `Policy` among them).
async fn sqs(
    client: &aws_sdk_sqs::Client,
    calls: &Calls,
    dir: &Folder,
    part: &str,
    tally: &mut Tally,
) -> Result<(), CollectError> {
    let queues = calls.pages("sqs", "ListQueues", client.list_queues().into_paginator().send()).await;
    let mut complete = queues.complete;
    for url in queues.pages.iter().flat_map(|p| p.queue_urls()) {
        let call =
            client.get_queue_attributes().queue_url(url).attribute_names(aws_sdk_sqs::types::QueueAttributeName::All).send();
        let gone = ["AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"];
        match calls.on(url).optional("sqs", "GetQueueAttributes", &gone, call).await {
            Answer::Got(out) => {
                let attributes =
                    out.attributes().map_or_else(|| json!({}), |a| sorted(a.iter().map(|(k, v)| (k.as_str(), v.as_str()))));
                let name = url.rsplit('/').next().unwrap_or(url);
                tally.resources += 1;
                dir.write_unique(
                    &format!("sqs-get-queue-attributes.{part}.{}", file_part(name)),
                    &json!({ "Attributes": attributes }),
                )?;
            }
            Answer::Nothing => {}
            Answer::Failed => complete = false,
        }
    }
    tally.collected(model_kind::SQS_POLICIES, complete);
    Ok(())
}

/// Every topic with its attributes (`TopicArn` and `Policy` among them).
async fn sns(
    client: &aws_sdk_sns::Client,
    calls: &Calls,
    dir: &Folder,
    part: &str,
    tally: &mut Tally,
) -> Result<(), CollectError> {
    let topics = calls.pages("sns", "ListTopics", client.list_topics().into_paginator().send()).await;
    let mut complete = topics.complete;
    for arn in topics.pages.iter().flat_map(|p| p.topics()).filter_map(|t| t.topic_arn()) {
        let call = client.get_topic_attributes().topic_arn(arn).send();
        match calls.on(arn).optional("sns", "GetTopicAttributes", &["NotFound"], call).await {
            Answer::Got(out) => {
                let attributes = out
                    .attributes()
                    .map_or_else(|| json!({ "TopicArn": arn }), |a| sorted(a.iter().map(|(k, v)| (k.as_str(), v.as_str()))));
                let name = arn.rsplit(':').next().unwrap_or(arn);
                tally.resources += 1;
                dir.write_unique(
                    &format!("sns-get-topic-attributes.{part}.{}", file_part(name)),
                    &json!({ "Attributes": attributes }),
                )?;
            }
            Answer::Nothing => {}
            Answer::Failed => complete = false,
        }
    }
    tally.collected(model_kind::SNS_POLICIES, complete);
    Ok(())
}

/// Every secret with its resource policy (a secret without one is written without
/// `ResourcePolicy`: known to have none).
async fn secrets(
    client: &aws_sdk_secretsmanager::Client,
    calls: &Calls,
    dir: &Folder,
    part: &str,
    tally: &mut Tally,
) -> Result<(), CollectError> {
    let list = calls.pages("secretsmanager", "ListSecrets", client.list_secrets().into_paginator().send()).await;
    let mut complete = list.complete;
    for secret in list.pages.iter().flat_map(|p| p.secret_list()) {
        let Some(arn) = secret.arn() else { continue };
        let call = client.get_resource_policy().secret_id(arn).send();
        match calls.on(arn).optional("secretsmanager", "GetResourcePolicy", &["ResourceNotFoundException"], call).await {
            Answer::Got(out) => {
                let name = out.name().or(secret.name()).unwrap_or(arn);
                let value = obj! { "ARN" => out.arn().unwrap_or(arn), "Name" => name, "ResourcePolicy" => out.resource_policy() };
                tally.resources += 1;
                dir.write_unique(&format!("secretsmanager-get-resource-policy.{part}.{}", file_part(name)), &value)?;
            }
            Answer::Nothing => {}
            Answer::Failed => complete = false,
        }
    }
    tally.collected(model_kind::SECRET_POLICIES, complete);
    Ok(())
}

/// Every repository's policy, under `<account>/<region>/` since the output has no region.
async fn ecr(
    client: &aws_sdk_ecr::Client,
    calls: &Calls,
    dir: &Folder,
    region: &str,
    tally: &mut Tally,
) -> Result<(), CollectError> {
    let list = calls.pages("ecr", "DescribeRepositories", client.describe_repositories().into_paginator().send()).await;
    let mut complete = list.complete;
    let mut folder: Option<Folder> = None;
    for repo in list.pages.iter().flat_map(|p| p.repositories()) {
        let (Some(registry), Some(name)) = (repo.registry_id(), repo.repository_name()) else { continue };
        tally.resources += 1;
        let about = repo.repository_arn().unwrap_or(name);
        let call = client.get_repository_policy().registry_id(registry).repository_name(name).send();
        let none = ["RepositoryPolicyNotFoundException", "RepositoryNotFoundException"];
        match calls.on(about).optional("ecr", "GetRepositoryPolicy", &none, call).await {
            Answer::Got(out) => {
                let value = obj! {
                    "registryId" => out.registry_id().unwrap_or(registry),
                    "repositoryName" => out.repository_name().unwrap_or(name),
                    "policyText" => out.policy_text(),
                };
                if folder.is_none() {
                    folder = Some(dir.sub(region)?);
                }
                if let Some(f) = &folder {
                    f.write_unique(&format!("ecr-get-repository-policy.{}", file_part(name)), &value)?;
                }
            }
            Answer::Nothing => {}
            Answer::Failed => complete = false,
        }
    }
    tally.collected(model_kind::ECR_POLICIES, complete);
    Ok(())
}

/// Every table's resource policy (a table's ARN is `arn_prefix` and its name).
async fn dynamodb(
    client: &aws_sdk_dynamodb::Client,
    calls: &Calls,
    dir: &Folder,
    part: &str,
    arn_prefix: &str,
    tally: &mut Tally,
) -> Result<(), CollectError> {
    let tables = calls.pages("dynamodb", "ListTables", client.list_tables().into_paginator().send()).await;
    let mut complete = tables.complete;
    for table in tables.pages.iter().flat_map(|p| p.table_names()) {
        let arn = format!("{arn_prefix}{table}");
        tally.resources += 1;
        let call = client.get_resource_policy().resource_arn(&arn).send();
        let none = ["PolicyNotFoundException", "ResourceNotFoundException"];
        match calls.on(&arn).optional("dynamodb", "GetResourcePolicy", &none, call).await {
            Answer::Got(out) => {
                if let Some(p) = out.policy() {
                    let value = obj! { "Policy" => p, "RevisionId" => out.revision_id(), "Arn" => arn };
                    dir.write_unique(&format!("dynamodb-get-resource-policy.{part}.{}", file_part(table)), &value)?;
                }
            }
            Answer::Nothing => {}
            Answer::Failed => complete = false,
        }
    }
    tally.collected(model_kind::DYNAMODB_POLICIES, complete);
    Ok(())
}
