//! S3, once per account: the buckets (one global listing), each bucket's policy, Block Public
//! Access settings and ownership controls, and the account's own Block Public Access settings
//! (S3 Control). The bucket outputs do not name their bucket, so each file carries rolegraph's
//! `"Arn": "arn:aws:s3:::B"` (see `docs/export-formats.md`); the account's settings carry none,
//! which is how the reader tells them apart.

use std::collections::BTreeMap;

use aws_config::{Region, SdkConfig};
use aws_sdk_s3::types::PublicAccessBlockConfiguration;

use crate::call::{Answer, Calls};
use crate::iam::model_kind;
use crate::json::obj;
use crate::progress::Bar;
use crate::write::{Folder, Tally, file_part};
use crate::{CollectError, Scope};

/// The error codes that mean "this bucket has none".
const NO_POLICY: &[&str] = &["NoSuchBucketPolicy"];
const NO_BLOCK: &[&str] = &["NoSuchPublicAccessBlockConfiguration"];
const NO_OWNERSHIP: &[&str] = &["OwnershipControlsNotFoundError"];

/// An S3 client for `region` (else the configuration's). A custom endpoint (a local emulator)
/// is addressed path-style: `http://host:port/bucket`, since `bucket.host` does not resolve.
fn client(config: &SdkConfig, region: Option<&str>) -> aws_sdk_s3::Client {
    let mut b = aws_sdk_s3::config::Builder::from(config);
    if config.endpoint_url().is_some() {
        b = b.force_path_style(true);
    }
    if let Some(r) = region {
        b = b.region(Region::new(r.to_owned()));
    }
    aws_sdk_s3::Client::from_conf(b.build())
}

/// S3 Control puts the account id in front of the host (`111111111111.s3-control...`); a
/// custom endpoint is used as given instead.
#[derive(Debug)]
struct AsGiven(String);

impl aws_sdk_s3control::config::endpoint::ResolveEndpoint for AsGiven {
    fn resolve_endpoint<'a>(
        &'a self,
        _params: &'a aws_sdk_s3control::config::endpoint::Params,
    ) -> aws_sdk_s3control::config::endpoint::EndpointFuture<'a> {
        let endpoint = aws_sdk_s3control::config::endpoint::Endpoint::builder().url(self.0.clone()).build();
        aws_sdk_s3control::config::endpoint::EndpointFuture::ready(Ok(endpoint))
    }
}

fn control_client(config: &SdkConfig) -> aws_sdk_s3control::Client {
    let mut b = aws_sdk_s3control::config::Builder::from(config);
    if let Some(url) = config.endpoint_url() {
        b = b.endpoint_resolver(AsGiven(url.to_owned()));
    }
    aws_sdk_s3control::Client::from_conf(b.build())
}

/// The settings as the CLI prints them; an absent setting is left out (the reader takes it as
/// `false`), and absent settings are an empty object, which still says what the file is.
fn block(c: Option<&PublicAccessBlockConfiguration>) -> serde_json::Value {
    c.map_or_else(
        || serde_json::json!({}),
        |c| {
            obj! {
                "BlockPublicAcls" => c.block_public_acls(),
                "IgnorePublicAcls" => c.ignore_public_acls(),
                "BlockPublicPolicy" => c.block_public_policy(),
                "RestrictPublicBuckets" => c.restrict_public_buckets(),
            }
        },
    )
}

/// Every bucket of the account with its policy, Block Public Access and ownership controls,
/// and the account's Block Public Access settings.
pub async fn collect(
    config: &SdkConfig,
    calls: &Calls,
    dir: &Folder,
    bar: &Bar,
    scope: &Scope,
    tally: &mut Tally,
) -> Result<(), CollectError> {
    bar.step("s3: buckets");
    let s3 = client(config, None);
    let list = calls.pages("s3", "ListBuckets", s3.list_buckets().into_paginator().send()).await;
    let (mut policies, mut blocks) = (list.complete, list.complete);
    let mut regional: BTreeMap<String, aws_sdk_s3::Client> = BTreeMap::new();
    for bucket in list.pages.iter().flat_map(|p| p.buckets()) {
        let Some(name) = bucket.name() else { continue };
        let arn = format!("arn:{}:s3:::{name}", scope.partition);
        // A bucket is read in its own region (an S3 endpoint answers a redirect for others).
        let (s3, calls) = match bucket.bucket_region() {
            Some(r) => (&*regional.entry(r.to_owned()).or_insert_with(|| client(config, Some(r))), calls.in_region(r).on(&arn)),
            None => (&s3, calls.on(&arn)),
        };
        tally.resources += 1;
        let stem = file_part(name);
        match calls.optional("s3", "GetBucketPolicy", NO_POLICY, s3.get_bucket_policy().bucket(name).send()).await {
            Answer::Got(out) => {
                if let Some(p) = out.policy() {
                    dir.write_unique(&format!("s3-get-bucket-policy.{stem}"), &obj! { "Policy" => p, "Arn" => arn })?;
                }
            }
            Answer::Nothing => {}
            Answer::Failed => policies = false,
        }
        match calls.optional("s3", "GetPublicAccessBlock", NO_BLOCK, s3.get_public_access_block().bucket(name).send()).await {
            Answer::Got(out) => {
                let value = obj! {
                    "PublicAccessBlockConfiguration" => block(out.public_access_block_configuration()),
                    "Arn" => arn,
                };
                dir.write_unique(&format!("s3-get-public-access-block.{stem}"), &value)?;
            }
            Answer::Nothing => {}
            Answer::Failed => blocks = false,
        }
        let call = s3.get_bucket_ownership_controls().bucket(name).send();
        if let Answer::Got(out) = calls.optional("s3", "GetBucketOwnershipControls", NO_OWNERSHIP, call).await
            && let Some(controls) = out.ownership_controls()
        {
            let rules: Vec<serde_json::Value> =
                controls.rules().iter().map(|r| obj! { "ObjectOwnership" => r.object_ownership().as_str() }).collect();
            let value = obj! { "OwnershipControls" => obj! { "Rules" => rules }, "Arn" => arn };
            dir.write_unique(&format!("s3-get-bucket-ownership-controls.{stem}"), &value)?;
        }
    }

    // The account's settings: no `Arn`, which is how the reader tells them from a bucket's.
    let control = control_client(config);
    let call = control.get_public_access_block().account_id(&scope.account).send();
    match calls.optional("s3control", "GetPublicAccessBlock", NO_BLOCK, call).await {
        Answer::Got(out) => {
            let c = out.public_access_block_configuration();
            let value = serde_json::json!({ "PublicAccessBlockConfiguration": obj! {
                "BlockPublicAcls" => c.and_then(|c| c.block_public_acls()),
                "IgnorePublicAcls" => c.and_then(|c| c.ignore_public_acls()),
                "BlockPublicPolicy" => c.and_then(|c| c.block_public_policy()),
                "RestrictPublicBuckets" => c.and_then(|c| c.restrict_public_buckets()),
            } });
            dir.write("s3control-get-public-access-block.json", &value)?;
        }
        Answer::Nothing => {}
        Answer::Failed => blocks = false,
    }
    tally.collected(model_kind::S3_BUCKET_POLICIES, policies);
    tally.collected(model_kind::S3_PUBLIC_ACCESS_BLOCK, blocks);
    Ok(())
}
