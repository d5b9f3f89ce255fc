//! Every SDK call goes through here: a backstop timeout on top of the SDK's own (so nothing
//! hangs), pagination to the last page, and a failure turned into a [`CallGap`] that names the
//! account, region, service, operation and the error, so that collection goes on.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_iam::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_smithy_async::future::pagination_stream::PaginationStream;
use serde_json::Value;

use crate::json::obj;

/// A call that failed: what was not collected, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallGap {
    /// The account the call was made in (`None` before the account is known).
    pub account: Option<String>,
    /// `None` for global services (IAM, STS, Organizations).
    pub region: Option<String>,
    /// The IAM service prefix: `iam`, `ec2`, `organizations`, ...
    pub service: String,
    /// The API operation: `ListRoles`.
    pub operation: String,
    /// What the call was about, when it was about one resource or principal (an ARN, a queue
    /// URL); `None` for listings.
    pub resource: Option<String>,
    /// The AWS error code (`AccessDenied`, `Throttling`), or `Timeout`, `DispatchFailure`.
    pub code: String,
    pub message: String,
}

impl CallGap {
    /// The entry of the collection-gaps file that `ingest` reads. The resource is given as
    /// `Resource`, and also named in `ErrorMessage`, which is what the snapshot's gap shows.
    pub fn to_json(&self) -> Value {
        obj! {
            "Account" => self.account,
            "Region" => self.region,
            "Service" => self.service,
            "Operation" => self.operation,
            "Resource" => self.resource,
            "ErrorCode" => self.code,
            "ErrorMessage" => self.message_with_resource(),
        }
    }

    /// The message, with the resource it was about.
    pub fn message_with_resource(&self) -> String {
        match (&self.resource, self.message.is_empty()) {
            (None, _) => self.message.clone(),
            (Some(r), true) => format!("on `{r}`"),
            (Some(r), false) => format!("{} (on `{r}`)", self.message),
        }
    }
}

impl std::fmt::Display for CallGap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.service, self.operation)?;
        if let Some(r) = &self.resource {
            write!(f, " on `{r}`")?;
        }
        if let Some(a) = &self.account {
            write!(f, " in {a}")?;
        }
        if let Some(r) = &self.region {
            write!(f, " ({r})")?;
        }
        write!(f, ": {}: {}", self.code, self.message)
    }
}

/// The error code and message of a failed SDK call.
pub fn describe<E, R>(e: &SdkError<E, R>) -> (String, String)
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    if let Some(code) = e.code() {
        return (code.to_owned(), e.message().unwrap_or_default().to_owned());
    }
    let code = match e {
        SdkError::TimeoutError(_) => "Timeout",
        SdkError::DispatchFailure(d) if d.is_timeout() => "Timeout",
        SdkError::DispatchFailure(_) => "DispatchFailure",
        SdkError::ResponseError(_) => "ResponseError",
        SdkError::ConstructionFailure(_) => "ConstructionFailure",
        _ => "Unknown",
    };
    (code.to_owned(), DisplayErrorContext(e).to_string())
}

/// What a call that may find nothing gave.
#[derive(Debug)]
pub enum Answer<T> {
    Got(T),
    /// The call said there is nothing (`NoSuchBucketPolicy`, ...): known empty, not a gap.
    Nothing,
    /// The call failed; a gap says why.
    Failed,
}

/// Where calls are made, and where their failures go.
#[derive(Clone)]
pub struct Calls {
    pub account: Option<String>,
    pub region: Option<String>,
    /// The resource the calls are about (named in their gaps).
    pub resource: Option<String>,
    gaps: Arc<Mutex<Vec<CallGap>>>,
    /// The bound on one call (one page), beyond the SDK's operation timeout.
    backstop: Duration,
}

impl Calls {
    pub fn new(gaps: Arc<Mutex<Vec<CallGap>>>, backstop: Duration) -> Calls {
        Calls { account: None, region: None, resource: None, gaps, backstop }
    }

    pub fn in_account(&self, account: &str) -> Calls {
        Calls { account: Some(account.to_owned()), ..self.clone() }
    }

    pub fn in_region(&self, region: &str) -> Calls {
        Calls { region: Some(region.to_owned()), ..self.clone() }
    }

    /// Calls about one resource: their gaps name it.
    pub fn on(&self, resource: &str) -> Calls {
        Calls { resource: Some(resource.to_owned()), ..self.clone() }
    }

    pub fn gap(&self, service: &str, operation: &str, code: impl Into<String>, message: impl Into<String>) {
        let gap = CallGap {
            account: self.account.clone(),
            region: self.region.clone(),
            service: service.to_owned(),
            operation: operation.to_owned(),
            resource: self.resource.clone(),
            code: code.into(),
            message: message.into(),
        };
        if let Ok(mut g) = self.gaps.lock() {
            g.push(gap);
        }
    }

    fn timed_out(&self, service: &str, operation: &str) {
        self.gap(service, operation, "Timeout", format!("no answer within {} s", self.backstop.as_secs()));
    }

    /// One call; `None` (and a gap) if it failed.
    pub async fn one<T, E, R>(
        &self,
        service: &str,
        operation: &str,
        call: impl Future<Output = Result<T, SdkError<E, R>>>,
    ) -> Option<T>
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        match self.optional(service, operation, &[], call).await {
            Answer::Got(v) => Some(v),
            Answer::Nothing | Answer::Failed => None,
        }
    }

    /// One call whose error codes in `nothing` mean that there is nothing to read (a bucket
    /// without a policy): [`Answer::Nothing`], not a gap. Any other failure is a gap.
    pub async fn optional<T, E, R>(
        &self,
        service: &str,
        operation: &str,
        nothing: &[&str],
        call: impl Future<Output = Result<T, SdkError<E, R>>>,
    ) -> Answer<T>
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        match tokio::time::timeout(self.backstop, call).await {
            Err(_) => {
                self.timed_out(service, operation);
                Answer::Failed
            }
            Ok(Err(e)) if e.code().is_some_and(|c| nothing.contains(&c)) => Answer::Nothing,
            Ok(Err(e)) => {
                let (code, message) = describe(&e);
                self.gap(service, operation, code, message);
                Answer::Failed
            }
            Ok(Ok(v)) => Answer::Got(v),
        }
    }

    /// Every page of a paginated call. `complete` is false when a page failed (a gap says why);
    /// the pages before it are kept.
    pub async fn pages<T, E, R>(
        &self,
        service: &str,
        operation: &str,
        mut stream: PaginationStream<Result<T, SdkError<E, R>>>,
    ) -> Pages<T>
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        let mut pages = Vec::new();
        loop {
            match tokio::time::timeout(self.backstop, stream.next()).await {
                Err(_) => {
                    self.timed_out(service, operation);
                    return Pages { pages, complete: false };
                }
                Ok(None) => return Pages { pages, complete: true },
                Ok(Some(Ok(page))) => pages.push(page),
                Ok(Some(Err(e))) => {
                    let (code, message) = describe(&e);
                    self.gap(service, operation, code, message);
                    return Pages { pages, complete: false };
                }
            }
        }
    }
}

/// The pages of a paginated call.
pub struct Pages<T> {
    pub pages: Vec<T>,
    pub complete: bool,
}

impl<T> Pages<T> {
    /// Whether anything was read (a first page at least).
    pub fn any(&self) -> bool {
        !self.pages.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gap_names_the_resource_it_was_about() {
        let gaps = Arc::new(Mutex::new(Vec::new()));
        let calls = Calls::new(gaps.clone(), Duration::from_secs(1)).in_account("111111111111");
        calls.on("arn:aws:s3:::acme-data").gap("s3", "GetBucketPolicy", "AccessDenied", "Access Denied");
        calls.in_region("eu-west-1").gap("kms", "ListKeys", "AccessDeniedException", "");
        let gaps = gaps.lock().unwrap().clone();
        let policy = &gaps[0];
        assert_eq!(policy.resource.as_deref(), Some("arn:aws:s3:::acme-data"));
        assert_eq!(
            policy.to_string(),
            "s3:GetBucketPolicy on `arn:aws:s3:::acme-data` in 111111111111: AccessDenied: Access Denied"
        );
        let json = policy.to_json();
        assert_eq!(json["Resource"], "arn:aws:s3:::acme-data");
        assert_eq!(json["ErrorMessage"], "Access Denied (on `arn:aws:s3:::acme-data`)");
        let keys = gaps[1].to_json();
        assert!(keys.get("Resource").is_none());
        assert_eq!((keys["Region"].as_str(), keys["ErrorMessage"].as_str()), (Some("eu-west-1"), Some("")));
    }
}
