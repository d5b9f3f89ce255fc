//! The `Finding` type: one risky thing about one subject, with evidence that points into the
//! source and a stable fingerprint for suppressions and diffs across snapshots.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How bad a finding is. Ordered: `Info` < `Low` < `Medium` < `High` < `Critical`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [Severity::Info, Severity::Low, Severity::Medium, Severity::High, Severity::Critical];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Parses `info`, `low`, `medium`, `high` or `critical` (any case).
    pub fn parse(text: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.as_str().eq_ignore_ascii_case(text))
    }
}

/// What a finding is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SubjectKind {
    Role,
    User,
    RootUser,
    Group,
    Policy,
    Account,
    /// A resource with a resource-based policy (a bucket, key, function, queue, ...).
    Resource,
}

/// The one subject of a finding.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Subject {
    pub kind: SubjectKind,
    /// The ARN (the account id for an account).
    pub arn: String,
    pub name: String,
    pub account: String,
}

/// Where a finding's evidence is.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Evidence {
    /// A statement of a policy.
    Statement {
        policy: String,
        statement: usize,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sid: Option<String>,
        /// The JSON pointer of the statement in the policy document.
        pointer: String,
    },
    /// A field of an export (a credential-report column, a role attribute).
    Field { source: String, field: String, value: String },
    /// A path in the authorization graph, edge by edge; with `path_ids`, the documented
    /// privilege-escalation paths (pathfinding.cloud ids: `ec2-001`, `sts-001` for an assume) of
    /// each edge, in the same order (empty for an edge that is a fact: runs-as, member-of, ...).
    Path {
        edges: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        path_ids: Vec<Vec<String>>,
    },
    /// Anything else, in words.
    Note { text: String },
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub subject: Subject,
    /// A sentence a person understands.
    pub message: String,
    pub evidence: Vec<Evidence>,
    pub remediation: String,
    /// Stable across runs and snapshots for the same rule, subject and key: see
    /// [`fingerprint`].
    pub fingerprint: String,
    /// When suppressed: the reason given in the suppressions file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<String>,
}

/// The fingerprint of a finding: the first 16 hex digits of SHA-256 over the rule id, the
/// subject's ARN and a rule-specific key (e.g. the access key slot), separated by NUL bytes.
/// It does not depend on the message, the severity or the evidence, so rewording a rule or
/// re-ordering a policy does not reopen suppressed findings.
pub fn fingerprint(rule: &str, subject_arn: &str, key: &str) -> String {
    let mut h = Sha256::new();
    h.update(rule.as_bytes());
    h.update([0]);
    h.update(subject_arn.as_bytes());
    h.update([0]);
    h.update(key.as_bytes());
    let digest = h.finalize();
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

impl Finding {
    /// Sort key: severity (highest first), then rule, then subject, then fingerprint.
    pub fn sort_key(&self) -> (std::cmp::Reverse<Severity>, &str, &str, &str) {
        (std::cmp::Reverse(self.severity), &self.rule, &self.subject.arn, &self.fingerprint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable_and_distinct() {
        let a = fingerprint("root-access-keys", "arn:aws:iam::1:root", "1");
        assert_eq!(a, fingerprint("root-access-keys", "arn:aws:iam::1:root", "1"));
        assert_eq!(a.len(), 16);
        assert_ne!(a, fingerprint("root-access-keys", "arn:aws:iam::1:root", "2"));
        assert_ne!(a, fingerprint("root-access-key", "sarn:aws:iam::1:root", "1"));
        // Pinned: a change of the scheme reopens every suppression, so it must be deliberate.
        assert_eq!(fingerprint("r", "s", "k"), "21e727248be120a5");
    }

    #[test]
    fn severity_order_and_parse() {
        assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Info);
        assert_eq!(Severity::parse("HIGH"), Some(Severity::High));
        assert_eq!(Severity::parse("urgent"), None);
    }
}
