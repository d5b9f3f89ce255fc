//! Live collection through the AWS SDK for Rust: the only crate that touches the network.
//!
//! [`collect`] gathers, for one account or (with `org`) for every account of an organization
//! reached through a named role, everything the offline readers of `rolegraph-ingest` read, and
//! writes the same export folder a user would make with the AWS CLI: one folder per account
//! (named by its id) and `organization/`. So `collect` then `scan` is the same as a user's own
//! exports. That includes the resource-based policies of S3 buckets (and Block Public Access),
//! KMS keys (and grants), Lambda functions, SQS queues, SNS topics, secrets, ECR repositories
//! and DynamoDB tables, and, when asked (`last_accessed`), each principal's service
//! last-accessed report. A call that is denied or fails becomes a [`CallGap`], written to
//! `rolegraph-collection.json` (which `ingest` reads into the snapshot's gaps), and collection
//! goes on. Every call has a timeout, retries are adaptive and bounded, every list is paginated.
//! See `docs/collect.md`.

mod call;
mod iam;
mod json;
mod last_accessed;
mod org;
mod policies;
mod progress;
mod regional;
mod s3;
mod write;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use serde_json::{Value, json};

pub use call::CallGap;
pub use org::OrgAccount;

use crate::call::Calls;
use crate::progress::{Bar, Progress};
use crate::write::{Folder, Tally};

/// The name of the collection record in the export folder.
pub const RECORD_FILE: &str = "rolegraph-collection.json";

/// What can stop a collection (a failed call does not: it is a [`CallGap`]).
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error("cannot write `{path}`: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("the output folder `{0}` is not empty: give a new or empty folder")]
    OutNotEmpty(PathBuf),
    #[error("no region: pass `--region` or configure one (`AWS_REGION`, or `region` in the profile)")]
    NoRegion,
    #[error("cannot tell the account of the credentials: `sts:GetCallerIdentity` failed: {0}")]
    Identity(String),
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
}

/// Where credentials, region and endpoint come from: the standard chain (environment, shared
/// config and credentials files, SSO, credential process, container and instance roles), with
/// these overrides.
#[derive(Clone, Debug, Default)]
pub struct Source {
    pub profile: Option<String>,
    pub region: Option<String>,
    /// A custom endpoint for every service (a local emulator); `AWS_ENDPOINT_URL` also works.
    pub endpoint_url: Option<String>,
}

/// How to collect.
#[derive(Clone, Debug)]
pub struct Options {
    /// The export folder to write (created; must be new or empty).
    pub out: PathBuf,
    /// Regions of the regional services; empty means the configured region.
    pub regions: Vec<String>,
    /// Collect the organization and every active account in it through `role_name`.
    pub org: bool,
    pub role_name: String,
    pub external_id: Option<String>,
    /// Accounts collected at once.
    pub concurrency: usize,
    /// Attempts per call, the first included (adaptive retry mode).
    pub max_attempts: u32,
    pub initial_backoff: Duration,
    /// The bound on one attempt of a call, and on a call with all its retries.
    pub attempt_timeout: Duration,
    pub call_timeout: Duration,
    /// Polls of the credential report's generation, and the wait between them.
    pub report_polls: u32,
    pub report_poll_interval: Duration,
    /// Progress bars on stderr (only drawn when stderr is a terminal).
    pub progress: bool,
    /// Service last-accessed reports for every role and user (one IAM job each: slow on big
    /// accounts, so only when asked).
    pub last_accessed: bool,
    /// Last-accessed jobs in flight at once, per account.
    pub last_accessed_jobs: usize,
    /// Polls of one last-accessed job, and the wait between them.
    pub last_accessed_polls: u32,
    pub last_accessed_poll_interval: Duration,
}

impl Options {
    pub fn new(out: impl Into<PathBuf>) -> Options {
        Options {
            out: out.into(),
            regions: Vec::new(),
            org: false,
            role_name: "OrganizationAccountAccessRole".to_owned(),
            external_id: None,
            concurrency: 4,
            max_attempts: 5,
            initial_backoff: Duration::from_secs(1),
            attempt_timeout: Duration::from_secs(30),
            call_timeout: Duration::from_secs(120),
            report_polls: 10,
            report_poll_interval: iam::DEFAULT_REPORT_POLL,
            progress: true,
            last_accessed: false,
            last_accessed_jobs: 8,
            last_accessed_polls: 30,
            last_accessed_poll_interval: Duration::from_secs(2),
        }
    }
}

pub(crate) type Settings = Options;

/// The account being collected, and its partition (for the ARNs collection makes itself).
pub(crate) struct Scope {
    pub account: String,
    pub partition: String,
}

/// One collected account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountSummary {
    pub id: String,
    pub roles: usize,
    pub principals: usize,
    pub resources: usize,
    /// The kinds of data collected in full (`model::DataKind` names).
    pub collected: Vec<String>,
}

/// What a collection did.
#[derive(Clone, Debug)]
pub struct Summary {
    pub out: PathBuf,
    pub accounts: Vec<AccountSummary>,
    pub organization: bool,
    pub gaps: Vec<CallGap>,
    pub elapsed: Duration,
}

impl Summary {
    pub fn roles(&self) -> usize {
        self.accounts.iter().map(|a| a.roles).sum()
    }

    pub fn resources(&self) -> usize {
        self.accounts.iter().map(|a| a.resources).sum()
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "collected {} account(s){}: {} roles, {} resources, {} gap(s) in {:.1} s into `{}`",
            self.accounts.len(),
            if self.organization { " and the organization" } else { "" },
            self.roles(),
            self.resources(),
            self.gaps.len(),
            self.elapsed.as_secs_f64(),
            self.out.display()
        )
    }
}

/// The SDK configuration from the standard chain with `source`'s overrides.
pub async fn load_config(source: &Source) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(p) = &source.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = &source.region {
        loader = loader.region(Region::new(r.clone()));
    }
    if let Some(u) = &source.endpoint_url {
        loader = loader.endpoint_url(u);
    }
    loader.load().await
}

/// Loads the configuration and collects, on a runtime of its own (for the CLI).
pub fn run(source: &Source, options: &Options) -> Result<Summary, CollectError> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(CollectError::Runtime)?;
    rt.block_on(async {
        let config = load_config(source).await;
        collect(&config, options).await
    })
}

/// Retries and timeouts of every call, on top of the caller's configuration.
fn bounded(config: &SdkConfig, o: &Options) -> SdkConfig {
    let retry = RetryConfig::adaptive()
        .with_max_attempts(o.max_attempts.max(1))
        .with_initial_backoff(o.initial_backoff)
        .with_max_backoff(o.initial_backoff.saturating_mul(20).max(Duration::from_secs(1)));
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(o.attempt_timeout.min(Duration::from_secs(10)))
        .operation_attempt_timeout(o.attempt_timeout)
        .operation_timeout(o.call_timeout)
        .build();
    config.to_builder().retry_config(retry).timeout_config(timeouts).build()
}

fn out_is_usable(out: &std::path::Path) -> Result<(), CollectError> {
    match std::fs::read_dir(out).map(|mut entries| entries.next().is_some()) {
        Ok(true) => Err(CollectError::OutNotEmpty(out.to_path_buf())),
        _ => Ok(()),
    }
}

/// Collects with `config` (credentials, region, endpoint) into `options.out`.
pub async fn collect(config: &SdkConfig, options: &Options) -> Result<Summary, CollectError> {
    let start = Instant::now();
    out_is_usable(&options.out)?;
    let regions = match (&options.regions[..], config.region()) {
        ([], Some(r)) => vec![r.to_string()],
        ([], None) => return Err(CollectError::NoRegion),
        (list, _) => list.to_vec(),
    };
    let config = bounded(config, options);
    let gaps = Arc::new(Mutex::new(Vec::new()));
    // The SDK's own timeouts come first; this bound only catches what they would miss.
    let calls = Calls::new(gaps.clone(), options.call_timeout.saturating_add(Duration::from_secs(5)));
    let root = Folder::create(options.out.clone())?;
    let progress = Progress::new(options.progress);

    let sts = aws_sdk_sts::Client::new(&config);
    let Some((caller, identity)) = iam::caller_identity(&sts, &calls).await else {
        let why = gaps.lock().ok().and_then(|g| g.last().map(|g| format!("{}: {}", g.code, g.message)));
        return Err(CollectError::Identity(why.unwrap_or_default()));
    };
    let partition = identity.get("Arn").and_then(Value::as_str).and_then(|a| a.split(':').nth(1)).unwrap_or("aws");
    let partition = partition.to_owned();

    let mut accounts: Vec<(String, Option<Value>)> = vec![(caller.clone(), Some(identity))];
    let mut organization = false;
    if options.org {
        let bar = progress.bar("organization", 4);
        let org_calls = calls.in_account(&caller);
        let client = aws_sdk_organizations::Client::new(&config);
        if let Some(list) = org::collect(&client, &org_calls, &root.sub("organization")?, &bar).await? {
            organization = true;
            for a in list {
                let active = a.status.as_deref().is_none_or(|s| s == "ACTIVE");
                if active && a.id != caller {
                    accounts.push((a.id, None));
                }
            }
        }
        bar.finish("organization done");
    }

    let limit = Arc::new(tokio::sync::Semaphore::new(options.concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for (id, identity) in accounts {
        let (config, calls, root, regions, limit) =
            (config.clone(), calls.in_account(&id), root.clone(), regions.clone(), limit.clone());
        let (options, partition) = (options.clone(), partition.clone());
        // IAM (and its last-accessed reports), S3, and nine services in each region.
        let steps = 5 + u64::from(options.last_accessed) + 1 + 9 * regions.len() as u64;
        let bar = progress.bar(&id, steps);
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await;
            let (config, identity) = match identity {
                Some(identity) => (config, identity),
                None => match assume(&config, &calls, &partition, &id, &options).await {
                    Some(pair) => pair,
                    None => {
                        bar.finish("role not assumed: see gaps");
                        return Ok((id, Tally::default()));
                    }
                },
            };
            let scope = Scope { account: id.clone(), partition };
            let tally = account(&config, &calls, &root, &scope, &identity, &regions, &options, &bar).await;
            bar.finish("done");
            tally.map(|t| (id, t))
        });
    }
    let mut collected = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(result) => collected.push(result?),
            // A task that panicked: its account is recorded as not collected.
            Err(e) => calls.gap("rolegraph", "CollectAccount", "TaskFailed", e.to_string()),
        }
    }
    collected.sort_by(|a, b| a.0.cmp(&b.0));

    let mut gaps = gaps.lock().map(|g| g.clone()).unwrap_or_default();
    gaps.sort_by(|a, b| {
        (&a.account, &a.region, &a.service, &a.operation, &a.resource).cmp(&(
            &b.account,
            &b.region,
            &b.service,
            &b.operation,
            &b.resource,
        ))
    });
    let record = json!({ "RolegraphCollection": {
        "Tool": format!("rolegraph collect {}", env!("CARGO_PKG_VERSION")),
        "Regions": regions,
        "Accounts": collected.iter().map(|(id, t)| json!({ "Id": id, "Collected": t.kinds() })).collect::<Vec<_>>(),
        "Gaps": gaps.iter().map(CallGap::to_json).collect::<Vec<_>>(),
    }});
    root.write(RECORD_FILE, &record)?;
    Ok(Summary {
        out: options.out.clone(),
        accounts: collected
            .into_iter()
            .map(|(id, t)| AccountSummary {
                id,
                roles: t.roles,
                principals: t.principals,
                resources: t.resources,
                collected: t.kinds().into_iter().map(str::to_owned).collect(),
            })
            .collect(),
        organization,
        gaps,
        elapsed: start.elapsed(),
    })
}

/// Assumes `options.role_name` in account `id`: the account's configuration and caller identity.
async fn assume(config: &SdkConfig, calls: &Calls, partition: &str, id: &str, options: &Options) -> Option<(SdkConfig, Value)> {
    let sts = aws_sdk_sts::Client::new(config);
    let role = format!("arn:{partition}:iam::{id}:role/{}", options.role_name);
    let mut request = sts.assume_role().role_arn(&role).role_session_name("rolegraph-collect");
    if let Some(x) = &options.external_id {
        request = request.external_id(x);
    }
    let out = calls.one("sts", "AssumeRole", request.send()).await?;
    let Some(c) = out.credentials() else {
        calls.gap("sts", "AssumeRole", "NoCredentials", format!("`{role}` was assumed but no credentials came back"));
        return None;
    };
    let credentials = aws_sdk_sts::config::Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_owned()),
        SystemTime::try_from(*c.expiration()).ok(),
        "rolegraph-collect-assume-role",
    );
    let config =
        config.to_builder().credentials_provider(aws_sdk_sts::config::SharedCredentialsProvider::new(credentials)).build();
    let (_, identity) = iam::caller_identity(&aws_sdk_sts::Client::new(&config), calls).await?;
    Some((config, identity))
}

/// Everything of one account: IAM, S3, and the regional services region by region, at once.
#[allow(clippy::too_many_arguments, reason = "one account is collected with every client and option it needs")]
async fn account(
    config: &SdkConfig,
    calls: &Calls,
    root: &Folder,
    scope: &Scope,
    identity: &Value,
    regions: &[String],
    options: &Options,
    bar: &Bar,
) -> Result<Tally, CollectError> {
    let dir = root.sub(&scope.account)?;
    dir.write("sts-get-caller-identity.json", identity)?;
    let iam_part = async {
        let mut tally = Tally::default();
        let client = aws_sdk_iam::Client::new(config);
        iam::collect(&client, calls, &dir, bar, options, &mut tally).await.map(|()| tally)
    };
    let s3_part = async {
        let mut tally = Tally::default();
        s3::collect(config, calls, &dir, bar, scope, &mut tally).await.map(|()| tally)
    };
    let regional_part = async {
        let mut tally = Tally::default();
        for region in regions {
            let config = config.to_builder().region(Region::new(region.clone())).build();
            regional::collect(&config, &calls.in_region(region), &dir, bar, scope, &mut tally).await?;
        }
        Ok::<Tally, CollectError>(tally)
    };
    let (a, b, c) = tokio::join!(iam_part, s3_part, regional_part);
    let mut tally = a?;
    tally.merge(b?);
    tally.merge(c?);
    tally.collected(iam::model_kind::CALLER_IDENTITY, true);
    Ok(tally)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_non_empty_output_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(out_is_usable(dir.path()).is_ok());
        assert!(out_is_usable(&dir.path().join("new")).is_ok());
        std::fs::write(dir.path().join("x.json"), "{}").unwrap();
        assert!(matches!(out_is_usable(dir.path()), Err(CollectError::OutNotEmpty(_))));
    }

    #[test]
    fn retries_and_timeouts_are_bounded() {
        let mut o = Options::new("x");
        o.max_attempts = 3;
        o.attempt_timeout = Duration::from_secs(2);
        o.call_timeout = Duration::from_secs(7);
        let c = bounded(&SdkConfig::builder().build(), &o);
        let retry = c.retry_config().unwrap();
        assert_eq!(retry.max_attempts(), 3);
        assert_eq!(retry.mode(), aws_config::retry::RetryMode::Adaptive);
        let t = c.timeout_config().unwrap();
        assert_eq!(t.operation_attempt_timeout(), Some(Duration::from_secs(2)));
        assert_eq!(t.operation_timeout(), Some(Duration::from_secs(7)));
    }
}
