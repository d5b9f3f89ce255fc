//! Renderers of findings, one file per format: terminal text ([`text`]), JSON ([`json`]),
//! SARIF 2.1.0 for code scanning ([`sarif`]), Markdown ([`markdown`]) and one self-contained
//! HTML file ([`html`]). Each module documents its format; machine formats carry a
//! `schema_version`. Renderers write to a `Write`, are deterministic (input order, no clock) and
//! never fail on the data: only the writer can fail.

pub mod html;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod text;

use std::collections::BTreeMap;
use std::io::{self, Write};

use model::{Snapshot, Timestamp};
use rules::{Finding, RoleView, Severity};

/// A JSON array written element by element: each is made, written and dropped, so that a
/// report of many entries is never held whole beside what it reports on.
pub struct Streamed<'a, T, F>(pub &'a [T], pub F);

impl<T, F: Fn(&T) -> serde_json::Value> serde::Serialize for Streamed<'_, T, F> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(&self.1))
    }
}

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Markdown,
    Html,
}

impl Format {
    pub const ALL: [Format; 5] = [Format::Text, Format::Json, Format::Sarif, Format::Markdown, Format::Html];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Markdown => "markdown",
            Format::Html => "html",
        }
    }

    pub fn parse(text: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.as_str().eq_ignore_ascii_case(text))
    }
}

/// What a report is made of.
pub struct Input<'a> {
    pub snapshot: &'a Snapshot,
    /// Sorted as `rules::run` returns them, suppressed ones marked.
    pub findings: &'a [Finding],
    /// The time the rules counted from.
    pub now: Timestamp,
    /// The folder of exports, as the user named it (SARIF locations are relative to it).
    pub source: &'a str,
    /// The roles with their shared views (the HTML report shows them).
    pub roles: &'a [RoleView<'a>],
}

/// Counts of findings, without the suppressed ones.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub total: usize,
    pub suppressed: usize,
    pub by_severity: BTreeMap<&'static str, usize>,
    pub by_rule: BTreeMap<String, usize>,
}

impl Summary {
    pub fn of(findings: &[Finding]) -> Summary {
        let mut s = Summary::default();
        for f in findings {
            if f.suppressed.is_some() {
                s.suppressed += 1;
            } else {
                s.total += 1;
                *s.by_severity.entry(f.severity.as_str()).or_default() += 1;
                *s.by_rule.entry(f.rule.clone()).or_default() += 1;
            }
        }
        s
    }

    /// `2 critical, 5 high` (highest first), or `none`.
    pub fn severity_words(&self) -> String {
        let parts: Vec<String> = Severity::ALL
            .iter()
            .rev()
            .filter_map(|s| self.by_severity.get(s.as_str()).map(|n| format!("{n} {}", s.as_str())))
            .collect();
        if parts.is_empty() { "none".into() } else { parts.join(", ") }
    }
}

/// Renders `input` in `format`.
pub fn render(format: Format, input: &Input<'_>, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Text => text::render(input, out),
        Format::Json => json::render(input, out),
        Format::Sarif => sarif::render(input, out),
        Format::Markdown => markdown::render(input, out),
        Format::Html => html::render(input, out),
    }
}

/// Renders to a string (for tests and small reports).
pub fn render_string(format: Format, input: &Input<'_>) -> String {
    let mut buf = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = render(format, input, &mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

#[cfg(test)]
mod tests;
