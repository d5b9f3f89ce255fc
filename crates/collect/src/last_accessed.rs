//! Service last-accessed data (`--last-accessed`): for each role and user of the account, a
//! report job (`iam:GenerateServiceLastAccessedDetails`), polled until it is done
//! (`GetServiceLastAccessedDetails`), then read to its last page. One job per principal makes
//! this slow on big accounts, so it is asked for, a few jobs run at once, and each job is polled
//! a bounded number of times. The report does not name its principal: the file carries
//! rolegraph's `"Arn"` (see `docs/export-formats.md`, "Service last accessed").

use std::time::Duration;

use aws_sdk_iam::operation::get_service_last_accessed_details::GetServiceLastAccessedDetailsOutput;
use aws_sdk_iam::types::{JobStatusType, ServiceLastAccessed};
use serde_json::Value;

use crate::call::Calls;
use crate::iam::model_kind;
use crate::json::obj;
use crate::progress::Bar;
use crate::write::{Folder, Tally, file_part};
use crate::{CollectError, Settings};

/// A role or user whose report is asked for.
#[derive(Clone, Debug)]
pub struct Principal {
    pub arn: String,
    /// `role` or `user`: with the name, the file's name (a role and a user may share a name).
    pub kind: &'static str,
    pub name: String,
}

/// A bound on the pages of one report (100 services a page; AWS has about 450 services).
const MAX_PAGES: usize = 20;

fn service(s: &ServiceLastAccessed) -> Value {
    let tracked: Vec<Value> = s
        .tracked_actions_last_accessed()
        .iter()
        .map(|a| {
            obj! {
                "ActionName" => a.action_name(),
                "LastAccessedEntity" => a.last_accessed_entity(),
                "LastAccessedTime" => a.last_accessed_time(),
                "LastAccessedRegion" => a.last_accessed_region(),
            }
        })
        .collect();
    obj! {
        "ServiceName" => s.service_name(),
        "LastAuthenticated" => s.last_authenticated(),
        "ServiceNamespace" => s.service_namespace(),
        "LastAuthenticatedEntity" => s.last_authenticated_entity(),
        "LastAuthenticatedRegion" => s.last_authenticated_region(),
        "TotalAuthenticatedEntities" => s.total_authenticated_entities(),
        "TrackedActionsLastAccessed" => if tracked.is_empty() { Value::Null } else { Value::Array(tracked) },
    }
}

/// The report as `get-service-last-accessed-details` prints it, every page's services in one
/// list, with the principal's `Arn` added.
pub fn report(pages: &[GetServiceLastAccessedDetailsOutput], arn: &str) -> Value {
    let first = pages.first();
    let services: Vec<Value> = pages.iter().flat_map(|p| p.services_last_accessed().iter().map(service)).collect();
    obj! {
        "JobStatus" => first.map(|p| p.job_status().as_str()),
        "JobType" => first.and_then(|p| p.job_type()).map(|t| t.as_str()),
        "JobCreationDate" => first.map(|p| p.job_creation_date()),
        "ServicesLastAccessed" => services,
        "JobCompletionDate" => first.map(|p| p.job_completion_date()),
        "IsTruncated" => false,
        "Arn" => arn,
    }
}

/// Every principal's report, `settings.last_accessed_jobs` jobs at a time. `listed`: whether
/// the principals are all of the account's.
#[allow(clippy::too_many_arguments, reason = "the IAM step's context, and the principals it listed")]
pub async fn collect(
    iam: &aws_sdk_iam::Client,
    calls: &Calls,
    dir: &Folder,
    bar: &Bar,
    settings: &Settings,
    principals: Vec<Principal>,
    listed: bool,
    tally: &mut Tally,
) -> Result<(), CollectError> {
    let total = principals.len();
    let mut complete = listed;
    let mut done = 0usize;
    let mut waiting = principals.into_iter();
    let mut jobs = tokio::task::JoinSet::new();
    let polls = (settings.last_accessed_polls.max(1), settings.last_accessed_poll_interval);
    loop {
        while jobs.len() < settings.last_accessed_jobs.max(1) {
            let Some(p) = waiting.next() else { break };
            let (iam, calls, dir) = (iam.clone(), calls.on(&p.arn), dir.clone());
            jobs.spawn(async move { job(&iam, &calls, &dir, &p, polls).await });
        }
        let Some(joined) = jobs.join_next().await else { break };
        done += 1;
        bar.note(&format!("iam: last accessed {done}/{total}"));
        match joined {
            Ok(result) => complete &= result?,
            Err(e) => {
                calls.gap("iam", "GetServiceLastAccessedDetails", "TaskFailed", e.to_string());
                complete = false;
            }
        }
    }
    tally.collected(model_kind::SERVICE_LAST_ACCESSED, complete);
    Ok(())
}

/// One principal's report: `Ok(false)` when it could not be read (a gap says why).
async fn job(
    iam: &aws_sdk_iam::Client,
    calls: &Calls,
    dir: &Folder,
    p: &Principal,
    (polls, interval): (u32, Duration),
) -> Result<bool, CollectError> {
    let call = iam.generate_service_last_accessed_details().arn(&p.arn).send();
    let Some(out) = calls.one("iam", "GenerateServiceLastAccessedDetails", call).await else { return Ok(false) };
    let Some(job) = out.job_id().map(str::to_owned) else {
        calls.gap("iam", "GenerateServiceLastAccessedDetails", "NoJobId", "the job was started but no job id came back");
        return Ok(false);
    };
    let mut first = None;
    for attempt in 0..polls {
        // A job takes a few seconds: the first poll waits too.
        tokio::time::sleep(if attempt == 0 { interval / 2 } else { interval }).await;
        let call = iam.get_service_last_accessed_details().job_id(&job).send();
        let Some(out) = calls.one("iam", "GetServiceLastAccessedDetails", call).await else { return Ok(false) };
        match out.job_status() {
            JobStatusType::Completed => {
                first = Some(out);
                break;
            }
            JobStatusType::Failed => {
                let why = out.error().map_or_else(|| "no reason given".to_owned(), |e| format!("{}: {}", e.code(), e.message()));
                calls.gap("iam", "GetServiceLastAccessedDetails", "JobFailed", format!("the job `{job}` failed: {why}"));
                return Ok(false);
            }
            _ => {}
        }
    }
    let Some(first) = first else {
        let waited = interval.saturating_mul(polls).saturating_sub(interval / 2);
        calls.gap(
            "iam",
            "GetServiceLastAccessedDetails",
            "JobNotCompleted",
            format!("the job `{job}` was not completed after {polls} polls ({} s)", waited.as_secs()),
        );
        return Ok(false);
    };
    let mut pages = vec![first];
    while let Some(marker) = pages.last().filter(|p| p.is_truncated()).and_then(|p| p.marker()).map(str::to_owned) {
        if pages.len() >= MAX_PAGES {
            calls.gap("iam", "GetServiceLastAccessedDetails", "TooManyPages", format!("more than {MAX_PAGES} pages"));
            return Ok(false);
        }
        let call = iam.get_service_last_accessed_details().job_id(&job).marker(marker).send();
        // A report with services missing would read as services never used: all or nothing.
        let Some(out) = calls.one("iam", "GetServiceLastAccessedDetails", call).await else { return Ok(false) };
        pages.push(out);
    }
    let stem = format!("iam-get-service-last-accessed-details.{}-{}", p.kind, file_part(&p.name));
    dir.write_unique(&stem, &report(&pages, &p.arn))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use aws_sdk_iam::primitives::DateTime;
    use aws_sdk_iam::types::TrackedActionLastAccessed;

    use super::*;

    fn page(services: Vec<ServiceLastAccessed>, truncated: bool) -> GetServiceLastAccessedDetailsOutput {
        GetServiceLastAccessedDetailsOutput::builder()
            .job_status(JobStatusType::Completed)
            .job_creation_date(DateTime::from_secs(1_700_000_000))
            .job_completion_date(DateTime::from_secs(1_700_000_010))
            .set_services_last_accessed(Some(services))
            .is_truncated(truncated)
            .build()
            .unwrap()
    }

    /// The report of two pages, written into an account folder, is what `ingest` reads as the
    /// role's service-last-accessed data.
    #[test]
    fn a_report_of_several_pages_reads_as_the_principals() {
        let role = "arn:aws:iam::111111111111:role/app";
        let s3 = ServiceLastAccessed::builder()
            .service_name("Amazon S3")
            .service_namespace("s3")
            .last_authenticated(DateTime::from_secs(1_690_000_000))
            .last_authenticated_entity(role)
            .last_authenticated_region("eu-west-1")
            .total_authenticated_entities(1)
            .tracked_actions_last_accessed(TrackedActionLastAccessed::builder().action_name("GetObject").build())
            .build()
            .unwrap();
        let sqs = ServiceLastAccessed::builder().service_name("Amazon SQS").service_namespace("sqs").build().unwrap();
        let value = report(&[page(vec![s3], true), page(vec![sqs], false)], role);
        assert_eq!(value["Arn"], role);
        assert_eq!(value["JobStatus"], "COMPLETED");
        assert_eq!(value["ServicesLastAccessed"].as_array().unwrap().len(), 2);
        assert_eq!(value["ServicesLastAccessed"][0]["LastAuthenticated"], "2023-07-22T04:26:40Z");
        assert!(value["ServicesLastAccessed"][1].get("LastAuthenticated").is_none());

        let dir = tempfile::tempdir().unwrap();
        let account = Folder::create(dir.path().join("111111111111")).unwrap();
        account
            .write(
                "sts-get-caller-identity.json",
                &serde_json::json!({"UserId": "AIDA", "Account": "111111111111", "Arn": "arn:aws:iam::111111111111:user/me"}),
            )
            .unwrap();
        account.write_unique("iam-get-service-last-accessed-details.role-app", &value).unwrap();
        let loaded = ingest::load(dir.path()).unwrap();
        let a = loaded.snapshot.accounts.iter().find(|a| a.id == "111111111111").unwrap();
        assert!(a.has(model::DataKind::ServiceLastAccessed));
        let r = a.service_last_accessed.iter().find(|r| r.entity_arn.as_deref() == Some(role)).unwrap();
        let namespaces: Vec<&str> = r.services.iter().map(|s| s.service_namespace.as_str()).collect();
        assert_eq!(namespaces, ["s3", "sqs"]);
        assert_eq!(r.services[0].last_authenticated_region.as_deref(), Some("eu-west-1"));
        assert!(r.services[1].last_authenticated.is_none());
    }
}
