//! Seeds moto with resources that have resource-based policies: a bucket (policy for another
//! account, Block Public Access, ownership controls) and the account's Block Public Access, a
//! KMS key with a policy and a grant, a permission on the Lambda function, a queue and a topic
//! with policies, a secret, an ECR repository and a DynamoDB table with resource policies.
//!
//! Kept out of `common/mod.rs` (the CLI's collect test includes that tree, and does not build
//! these SDK crates): test crates that need it declare it with `#[path]`.

#![allow(dead_code, reason = "shared by several test crates, each using a part")]

use aws_config::SdkConfig;

use crate::common::seed::MGMT;

/// The account outside the organization that the resource policies name.
pub const OUTSIDE: &str = "444455556666";

/// What the seed made.
pub struct Resources {
    pub bucket: String,
    pub key: String,
    pub function: String,
    pub queue: String,
    pub topic: String,
    pub secret: String,
    pub repository: String,
    pub table: String,
}

fn statement(sid: &str, principal: &str, action: &str, resource: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"{sid}","Effect":"Allow","Principal":{principal},"Action":"{action}","Resource":"{resource}"}}]}}"#
    )
}

fn outside() -> String {
    format!(r#"{{"AWS":"arn:aws:iam::{OUTSIDE}:root"}}"#)
}

/// S3 Control against a custom endpoint, used as given (see `src/s3.rs`).
#[derive(Debug)]
struct AsGiven(String);

impl aws_sdk_s3control::config::endpoint::ResolveEndpoint for AsGiven {
    fn resolve_endpoint<'a>(
        &'a self,
        _: &'a aws_sdk_s3control::config::endpoint::Params,
    ) -> aws_sdk_s3control::config::endpoint::EndpointFuture<'a> {
        let e = aws_sdk_s3control::config::endpoint::Endpoint::builder().url(self.0.clone()).build();
        aws_sdk_s3control::config::endpoint::EndpointFuture::ready(Ok(e))
    }
}

/// The resources, in the account of `config` (us-east-1), around the function `function` (its
/// ARN).
pub async fn seed(config: &SdkConfig, function: &str) -> Resources {
    let s3 = aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(config).force_path_style(true).build());
    s3.create_bucket().bucket("acme-data").send().await.unwrap();
    let bucket = "arn:aws:s3:::acme-data".to_owned();
    s3.put_bucket_policy()
        .bucket("acme-data")
        .policy(statement("OutsideReads", &outside(), "s3:GetObject", "arn:aws:s3:::acme-data/*"))
        .send()
        .await
        .unwrap();
    let block = aws_sdk_s3::types::PublicAccessBlockConfiguration::builder()
        .block_public_acls(true)
        .ignore_public_acls(true)
        .block_public_policy(true)
        .restrict_public_buckets(false)
        .build();
    s3.put_public_access_block().bucket("acme-data").public_access_block_configuration(block).send().await.unwrap();
    let rule = aws_sdk_s3::types::OwnershipControlsRule::builder()
        .object_ownership(aws_sdk_s3::types::ObjectOwnership::BucketOwnerEnforced)
        .build()
        .unwrap();
    let controls = aws_sdk_s3::types::OwnershipControls::builder().rules(rule).build().unwrap();
    s3.put_bucket_ownership_controls().bucket("acme-data").ownership_controls(controls).send().await.unwrap();
    let url = config.endpoint_url().unwrap().to_owned();
    let control = aws_sdk_s3control::Client::from_conf(
        aws_sdk_s3control::config::Builder::from(config).endpoint_resolver(AsGiven(url)).build(),
    );
    let account_block = aws_sdk_s3control::types::PublicAccessBlockConfiguration::builder().block_public_policy(true).build();
    control.put_public_access_block().account_id(MGMT).public_access_block_configuration(account_block).send().await.unwrap();

    let kms = aws_sdk_kms::Client::new(config);
    let key_policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"Root","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{MGMT}:root"}},"Action":"kms:*","Resource":"*"}},{{"Sid":"OutsideDecrypts","Effect":"Allow","Principal":{},"Action":"kms:Decrypt","Resource":"*"}}]}}"#,
        outside()
    );
    let meta = kms.create_key().policy(key_policy).description("orders data").send().await.unwrap();
    let meta = meta.key_metadata().unwrap();
    let key = meta.arn().unwrap().to_owned();
    kms.create_grant()
        .key_id(meta.key_id())
        .grantee_principal(format!("arn:aws:iam::{MGMT}:role/worker-task"))
        .operations(aws_sdk_kms::types::GrantOperation::Decrypt)
        .name("worker-decrypts")
        .send()
        .await
        .unwrap();

    let lambda = aws_sdk_lambda::Client::new(config);
    lambda
        .add_permission()
        .function_name(function.rsplit(':').next().unwrap())
        .statement_id("OutsideInvokes")
        .action("lambda:InvokeFunction")
        // An account's root ARN: moto writes it as `{"AWS": ...}`, as AWS does for an account id.
        .principal(format!("arn:aws:iam::{OUTSIDE}:root"))
        .send()
        .await
        .unwrap();

    let sqs = aws_sdk_sqs::Client::new(config);
    let queue = format!("arn:aws:sqs:us-east-1:{MGMT}:jobs");
    sqs.create_queue()
        .queue_name("jobs")
        .attributes(
            aws_sdk_sqs::types::QueueAttributeName::Policy,
            statement("OutsideSends", &outside(), "sqs:SendMessage", &queue),
        )
        .send()
        .await
        .unwrap();

    let sns = aws_sdk_sns::Client::new(config);
    let topic = sns.create_topic().name("alerts").send().await.unwrap().topic_arn().unwrap().to_owned();
    sns.set_topic_attributes()
        .topic_arn(&topic)
        .attribute_name("Policy")
        .attribute_value(statement("OutsidePublishes", &outside(), "sns:Publish", &topic))
        .send()
        .await
        .unwrap();

    let secrets = aws_sdk_secretsmanager::Client::new(config);
    let secret = secrets.create_secret().name("db").secret_string("hunter2").send().await.unwrap().arn().unwrap().to_owned();
    secrets
        .put_resource_policy()
        .secret_id(&secret)
        .resource_policy(statement("OutsideReads", &outside(), "secretsmanager:GetSecretValue", "*"))
        .send()
        .await
        .unwrap();

    let ecr = aws_sdk_ecr::Client::new(config);
    let repo = ecr.create_repository().repository_name("team/app").send().await.unwrap();
    let repository = repo.repository().unwrap().repository_arn().unwrap().to_owned();
    ecr.set_repository_policy()
        .repository_name("team/app")
        .policy_text(statement("OutsidePulls", &outside(), "ecr:BatchGetImage", "*").replace(r#","Resource":"*""#, ""))
        .send()
        .await
        .unwrap();

    let dynamodb = aws_sdk_dynamodb::Client::new(config);
    use aws_sdk_dynamodb::types::{AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType};
    let table = dynamodb
        .create_table()
        .table_name("orders")
        .attribute_definitions(
            AttributeDefinition::builder().attribute_name("id").attribute_type(ScalarAttributeType::S).build().unwrap(),
        )
        .key_schema(KeySchemaElement::builder().attribute_name("id").key_type(KeyType::Hash).build().unwrap())
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .unwrap()
        .table_description()
        .unwrap()
        .table_arn()
        .unwrap()
        .to_owned();
    dynamodb
        .put_resource_policy()
        .resource_arn(&table)
        .policy(statement("OutsideReads", &outside(), "dynamodb:GetItem", &table))
        .send()
        .await
        .unwrap();

    Resources { bucket, key, function: function.to_owned(), queue, topic, secret, repository, table }
}
