//! IAM principals and policies of one account: roles, users, groups, managed policies and
//! instance profiles, with their documents already parsed.

use serde::{Deserialize, Serialize};

use crate::doc::PolicyDoc;
use crate::time::Timestamp;

/// A resource tag.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// An inline policy embedded in a role, user or group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InlinePolicy {
    pub name: String,
    pub document: PolicyDoc,
}

/// When a role was last used, as IAM reports it (trailing 400 days).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleLastUsed {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

/// An IAM role.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Role {
    pub arn: String,
    pub name: String,
    pub path: String,
    /// The role id (`AROA...`); empty if no export gave it.
    #[serde(default)]
    pub id: String,
    pub account_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_date: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Seconds; only `list-roles` and `get-role` report it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_session_duration: Option<u32>,
    /// `None` when no export said; `Some` with no date when IAM reports no use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_last_used: Option<RoleLastUsed>,
    /// The ARN of the permissions boundary policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    /// The trust policy (`AssumeRolePolicyDocument`); `None` only if no export had it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust_policy: Option<PolicyDoc>,
    /// Sorted by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inline_policies: Vec<InlinePolicy>,
    /// Managed policy ARNs, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attached_managed_policies: Vec<String>,
    /// Instance profile ARNs that contain the role, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instance_profile_arns: Vec<String>,
    /// Whether the role's inline and attached policies are known (it appeared in
    /// `get-account-authorization-details`). When `false`, empty lists mean "unknown".
    pub policies_known: bool,
}

impl Role {
    /// Service-linked roles live under `/aws-service-role/` and are managed by AWS.
    pub fn is_service_linked(&self) -> bool {
        self.path.starts_with("/aws-service-role/")
    }

    /// Roles that IAM Identity Center creates (`AWSReservedSSO_...` under
    /// `/aws-reserved/sso.amazonaws.com/`).
    pub fn is_sso(&self) -> bool {
        self.path.starts_with("/aws-reserved/sso.amazonaws.com/") || self.name.starts_with("AWSReservedSSO_")
    }

    /// The value of a tag.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags.iter().find(|t| t.key == key).map(|t| t.value.as_str())
    }
}

/// An IAM user. Credentials (passwords, access keys, MFA) come from the credential report,
/// see [`crate::Account::credentials`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub arn: String,
    pub name: String,
    pub path: String,
    #[serde(default)]
    pub id: String,
    pub account_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_date: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    /// Group names, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inline_policies: Vec<InlinePolicy>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attached_managed_policies: Vec<String>,
    /// As for [`Role::policies_known`].
    pub policies_known: bool,
}

/// An IAM group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub arn: String,
    pub name: String,
    pub path: String,
    #[serde(default)]
    pub id: String,
    pub account_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_date: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inline_policies: Vec<InlinePolicy>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attached_managed_policies: Vec<String>,
}

/// One version of a managed policy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyVersion {
    pub version_id: String,
    pub is_default: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_date: Option<Timestamp>,
    pub document: PolicyDoc,
}

/// A managed policy: customer-managed (with all its versions) or AWS-managed
/// (`arn:aws:iam::aws:policy/...`, kept once per snapshot).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ManagedPolicy {
    pub arn: String,
    pub name: String,
    pub path: String,
    #[serde(default)]
    pub id: String,
    pub aws_managed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_version_id: Option<String>,
    /// For customer-managed policies; not kept for AWS-managed ones (it differs per account).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment_count: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary_usage_count: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_date: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_date: Option<Timestamp>,
    /// Sorted by version id as IAM orders them (`v1`, `v2`, ... `v10`).
    #[serde(default)]
    pub versions: Vec<PolicyVersion>,
}

impl ManagedPolicy {
    /// The default version: the one marked default, else the one named by
    /// `default_version_id`.
    pub fn default_version(&self) -> Option<&PolicyVersion> {
        self.versions.iter().find(|v| v.is_default).or_else(|| {
            let id = self.default_version_id.as_deref()?;
            self.versions.iter().find(|v| v.version_id == id)
        })
    }

    /// The document of the default version: what the policy grants.
    pub fn default_document(&self) -> Option<&PolicyDoc> {
        self.default_version().map(|v| &v.document)
    }
}

/// Whether a policy ARN names an AWS-managed policy (`arn:<partition>:iam::aws:policy/...`).
pub fn is_aws_managed_policy_arn(arn: &str) -> bool {
    policy::Arn::parse(arn).is_some_and(|a| a.service == "iam" && a.account == "aws")
}

/// The order IAM gives policy versions: by number after `v`, then by text.
pub fn version_order(a: &str, b: &str) -> std::cmp::Ordering {
    let num = |s: &str| s.strip_prefix('v').and_then(|n| n.parse::<u64>().ok());
    match (num(a), num(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

/// An EC2 instance profile: the container through which an instance gets a role.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InstanceProfile {
    pub arn: String,
    pub name: String,
    pub path: String,
    #[serde(default)]
    pub id: String,
    pub account_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_date: Option<Timestamp>,
    /// At most one role in practice; sorted.
    #[serde(default)]
    pub role_arns: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_order_is_numeric() {
        let mut v = vec!["v10", "v2", "v1", "vx"];
        v.sort_by(|a, b| version_order(a, b));
        assert_eq!(v, ["v1", "v2", "v10", "vx"]);
    }

    #[test]
    fn aws_managed_arns() {
        assert!(is_aws_managed_policy_arn("arn:aws:iam::aws:policy/AdministratorAccess"));
        assert!(is_aws_managed_policy_arn("arn:aws-cn:iam::aws:policy/service-role/X"));
        assert!(!is_aws_managed_policy_arn("arn:aws:iam::111111111111:policy/aws"));
        assert!(!is_aws_managed_policy_arn("AdministratorAccess"));
    }
}
