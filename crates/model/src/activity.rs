//! Credentials and activity: the IAM credential report (passwords, access keys, MFA, root use)
//! and service-last-accessed reports. These say whether a principal is used, not what it may do.

use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

/// The credential report of an account (`iam get-credential-report`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CredentialReport {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated_time: Option<Timestamp>,
    /// One row per user plus the root user (`<root_account>`), sorted by ARN.
    pub rows: Vec<CredentialRow>,
}

/// One row of the credential report. `None` stands for `N/A`, `not_supported` or
/// `no_information`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CredentialRow {
    /// The user name, `<root_account>` for the root user.
    pub user: String,
    pub arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_creation_time: Option<Timestamp>,
    /// `None` for the root user, whose password is `not_supported` in the report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_last_used: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_last_changed: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_next_rotation: Option<Timestamp>,
    pub mfa_active: bool,
    /// Access keys 1 and 2, in that order, only those the report lists as rotated or active.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access_keys: Vec<AccessKeyInfo>,
    /// Signing certificates 1 and 2 that are active.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certificates: Vec<CertificateInfo>,
}

impl CredentialRow {
    /// Whether this is the root user's row.
    pub fn is_root(&self) -> bool {
        self.user == "<root_account>" || self.arn.ends_with(":root")
    }

    /// Active access keys.
    pub fn active_access_keys(&self) -> impl Iterator<Item = &AccessKeyInfo> {
        self.access_keys.iter().filter(|k| k.active)
    }
}

/// One access key of a credential-report row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccessKeyInfo {
    /// 1 or 2.
    pub slot: u8,
    pub active: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_rotated: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_date: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_service: Option<String>,
}

/// One signing certificate of a credential-report row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CertificateInfo {
    pub slot: u8,
    pub active: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_rotated: Option<Timestamp>,
}

/// One `iam get-service-last-accessed-details` report.
///
/// The API's response does not name the entity the report is about; `entity_arn` is set only
/// when the export says it (a top-level `Arn` added next to the response, see
/// `docs/export-formats.md`). Each service still names the entity that last used it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LastAccessedReport {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_completion_date: Option<Timestamp>,
    /// The file the report came from (relative to the loaded folder).
    pub source: String,
    /// Sorted by namespace.
    pub services: Vec<ServiceLastAccessed>,
}

/// When a service was last accessed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceLastAccessed {
    pub service_namespace: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_authenticated: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_authenticated_entity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_authenticated_region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_authenticated_entities: Option<u32>,
}
