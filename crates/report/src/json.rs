//! The JSON report (`--format json`), `schema_version` 1:
//!
//! ```text
//! { "schema_version": 1,
//!   "now": "2026-11-01T00:00:00Z",          // the time rules counted from
//!   "findings": [ Finding, ... ],           // sorted, highest severity first
//!   "gaps": [ Gap, ... ],                   // what the exports did not say
//!   "summary": { "total", "suppressed", "by_severity": {sev: n}, "by_rule": {id: n} } }
//! ```
//!
//! A `Finding` is `{rule, severity, subject: {kind, arn, name, account}, message, evidence: [...],
//! remediation, fingerprint, suppressed?}`; evidence items are tagged by `type`: `statement`
//! (`policy`, `statement`, `sid?`, `pointer`), `field` (`source`, `field`, `value`), `path`
//! (`edges`) or `note` (`text`). Suppressed findings are included, with the reason in
//! `suppressed`, and left out of the summary's counts.

use std::io::{self, Write};

use crate::{Input, Summary};

/// The version of this format.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(serde::Serialize)]
struct Report<'a> {
    schema_version: u32,
    now: String,
    findings: &'a [rules::Finding],
    gaps: &'a [model::Gap],
    summary: Summary,
}

pub fn render(input: &Input<'_>, out: &mut dyn Write) -> io::Result<()> {
    let report = Report {
        schema_version: SCHEMA_VERSION,
        now: input.now.to_string(),
        findings: input.findings,
        gaps: &input.snapshot.gaps,
        summary: Summary::of(input.findings),
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)
}
