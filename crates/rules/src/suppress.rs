//! Suppressions: a TOML file of findings that people have looked at and accepted, each with
//! its reason. A suppression names a fingerprint, or a rule and a subject (ARN), or both.
//!
//! ```toml
//! [[suppress]]
//! fingerprint = "3f1c0a9e12b4d5e6"
//! reason = "break-glass user, MFA device in the safe"
//!
//! [[suppress]]
//! rule = "unused-role"
//! subject = "arn:aws:iam::111111111111:role/DisasterRecovery"
//! reason = "disaster recovery"
//! ```

use serde::Deserialize;

use crate::finding::Finding;

/// An error in a suppressions file.
#[derive(Debug, thiserror::Error)]
pub enum SuppressError {
    #[error("cannot read suppressions file `{path}`: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("invalid suppressions file `{path}`: {message}")]
    Invalid { path: String, message: String },
}

/// One suppression.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Suppression {
    pub fingerprint: Option<String>,
    pub rule: Option<String>,
    pub subject: Option<String>,
    pub reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    suppress: Vec<Suppression>,
}

/// A set of suppressions.
#[derive(Clone, Debug, Default)]
pub struct Suppressions {
    pub entries: Vec<Suppression>,
}

impl Suppressions {
    /// Parses the TOML text of a suppressions file; `path` names it in errors.
    pub fn parse(text: &str, path: &str) -> Result<Suppressions, SuppressError> {
        let file: File =
            toml::from_str(text).map_err(|e| SuppressError::Invalid { path: path.into(), message: e.to_string() })?;
        for (i, s) in file.suppress.iter().enumerate() {
            if s.fingerprint.is_none() && (s.rule.is_none() || s.subject.is_none()) {
                return Err(SuppressError::Invalid {
                    path: path.into(),
                    message: format!("suppress[{i}]: give a `fingerprint`, or a `rule` and a `subject`"),
                });
            }
            if s.reason.trim().is_empty() {
                return Err(SuppressError::Invalid {
                    path: path.into(),
                    message: format!("suppress[{i}]: the `reason` is empty"),
                });
            }
        }
        Ok(Suppressions { entries: file.suppress })
    }

    /// Reads a suppressions file.
    pub fn read(path: &std::path::Path) -> Result<Suppressions, SuppressError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| SuppressError::Read { path: shown.clone(), source })?;
        Suppressions::parse(&text, &shown)
    }

    /// The reason a finding is suppressed, if it is.
    pub fn reason_for(&self, f: &Finding) -> Option<&str> {
        self.entries
            .iter()
            .find(|s| {
                s.fingerprint.as_deref().is_none_or(|fp| fp == f.fingerprint)
                    && s.rule.as_deref().is_none_or(|r| r == f.rule)
                    && s.subject.as_deref().is_none_or(|a| a == f.subject.arn)
            })
            .map(|s| s.reason.as_str())
    }

    /// Marks the suppressed findings.
    pub fn apply(&self, findings: &mut [Finding]) {
        for f in findings {
            f.suppressed = self.reason_for(f).map(str::to_owned);
        }
    }
}
