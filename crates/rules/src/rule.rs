//! The `Rule` trait, rule metadata, and the macro that makes a rule's doc comment the single
//! source of its documentation (for `rolegraph rule ID`, the docs and the UI's help).

use crate::context::RuleContext;
use crate::finding::{Finding, Severity};

/// What a rule is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Highly privileged permissions, above all where reachable from outside.
    Privilege,
    /// Trust policies: who may assume a role and under which conditions.
    Trust,
    /// Execution roles of EC2, Lambda and ECS.
    ExecutionRole,
    /// Users, keys, passwords and the root user.
    Credentials,
    /// Roles, keys and permissions not used.
    Unused,
    /// Privilege escalation found in the authorization graph.
    Escalation,
    /// Resource-based policies: who else may reach buckets, keys, functions, queues, secrets.
    Resources,
}

/// A rule's metadata.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RuleMeta {
    /// Stable, kebab-case, named after the risky thing it finds.
    pub id: &'static str,
    pub name: &'static str,
    pub category: Category,
    /// The default severity of its findings (a finding may raise or lower it with reason).
    pub severity: Severity,
    /// The doc comment, in Markdown, with the headings of [`REQUIRED_HEADINGS`].
    pub doc: &'static str,
}

/// The headings every rule's documentation has, in this order.
pub const REQUIRED_HEADINGS: [&str; 6] =
    ["## What it finds", "## Why it matters", "## Example", "## Remediation", "## False positives", "## References"];

impl RuleMeta {
    /// The documentation as Markdown: the doc comment with the one space after `///` removed.
    pub fn markdown(&self) -> String {
        let mut out = String::with_capacity(self.doc.len());
        for line in self.doc.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out
    }

    /// The text under one heading of the doc (trimmed), e.g. `section("Remediation")`.
    pub fn section(&self, heading: &str) -> String {
        let marker = format!("## {heading}");
        let mut inside = false;
        let mut out = Vec::new();
        for line in self.doc.lines() {
            let line = line.strip_prefix(' ').unwrap_or(line);
            if line.starts_with("## ") {
                inside = line.trim_end() == marker;
                continue;
            }
            if inside {
                out.push(line);
            }
        }
        out.join("\n").trim().to_owned()
    }
}

/// A finding rule.
pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    /// Appends the rule's findings for the snapshot in `cx`.
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>);
}

/// Declares a rule's unit struct and its [`RuleMeta`], taking the doc comment as the
/// documentation:
///
/// ```ignore
/// declare_rule! {
///     /// ## What it finds
///     /// ...
///     pub struct RootAccessKeys {
///         id: "root-access-keys", name: "Root user has access keys",
///         category: Credentials, severity: Critical,
///     }
/// }
/// ```
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident {
            id: $id:literal, name: $title:literal, category: $cat:ident, severity: $sev:ident $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        pub struct $name;

        impl $name {
            pub const META: $crate::rule::RuleMeta = $crate::rule::RuleMeta {
                id: $id,
                name: $title,
                category: $crate::rule::Category::$cat,
                severity: $crate::finding::Severity::$sev,
                doc: concat!($($doc, "\n"),*),
            };
        }
    };
}
