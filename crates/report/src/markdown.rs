//! The Markdown report (`--format markdown`), for pull requests, wikis and tickets: a summary
//! table by severity, a table by rule, then the findings grouped by subject (highest severity
//! first within a subject), each with its evidence, remediation and fingerprint. Suppressed
//! findings are listed at the end with their reasons. Text from the data is escaped so that it
//! cannot break the tables or inject HTML.

use std::collections::BTreeMap;
use std::io::{self, Write};

use rules::{Evidence, Finding, Severity};

use crate::{Input, Summary};

/// Escapes Markdown (and the HTML Markdown allows) in one line of text; control characters are
/// shown escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            // Other control characters (an escape sequence in a name) are shown, not sent to
            // whoever `cat`s the report: `\u{1b}`, which Markdown shows as written.
            c if model::text::must_escape(c) => model::text::push_escaped(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// An evidence item in words.
pub fn evidence_text(e: &Evidence) -> String {
    match e {
        Evidence::Statement { policy, statement, sid, pointer } => {
            let sid = sid.as_deref().map(|s| format!(" (Sid {s})")).unwrap_or_default();
            format!("{policy}, statement {statement}{sid}, at {pointer}")
        }
        Evidence::Field { source, field, value } => format!("{source}: {field} = {value}"),
        Evidence::Path { edges, .. } => edges.join(" → "),
        Evidence::Note { text } => text.clone(),
    }
}

fn finding(out: &mut dyn Write, f: &Finding) -> io::Result<()> {
    writeln!(out, "- **{}** `{}`: {}", f.severity.as_str(), f.rule, escape(&f.message))?;
    for e in &f.evidence {
        writeln!(out, "  - evidence: {}", escape(&evidence_text(e)))?;
    }
    writeln!(out, "  - remediation: {}", escape(&f.remediation))?;
    writeln!(out, "  - fingerprint: `{}`", f.fingerprint)
}

pub fn render(input: &Input<'_>, out: &mut dyn Write) -> io::Result<()> {
    let s = Summary::of(input.findings);
    writeln!(out, "# rolegraph findings\n")?;
    let roles: usize = input.snapshot.accounts.iter().map(|a| a.roles.len()).sum();
    writeln!(out, "{} accounts, {roles} roles; rules counted days from {}.\n", input.snapshot.accounts.len(), input.now)?;
    writeln!(out, "| severity | findings |\n|---|---:|")?;
    for sev in Severity::ALL.iter().rev() {
        writeln!(out, "| {} | {} |", sev.as_str(), s.by_severity.get(sev.as_str()).copied().unwrap_or(0))?;
    }
    writeln!(out, "| suppressed | {} |\n", s.suppressed)?;
    if !s.by_rule.is_empty() {
        writeln!(out, "| rule | severity | findings |\n|---|---|---:|")?;
        for (rule, n) in &s.by_rule {
            let sev = rules::rule(rule).map_or("", |r| r.meta().severity.as_str());
            writeln!(out, "| `{rule}` | {sev} | {n} |")?;
        }
        writeln!(out)?;
    }
    let mut by_subject: BTreeMap<(&str, &str), Vec<&Finding>> = BTreeMap::new();
    for f in input.findings.iter().filter(|f| f.suppressed.is_none()) {
        by_subject.entry((&f.subject.account, &f.subject.arn)).or_default().push(f);
    }
    writeln!(out, "## Findings by subject\n")?;
    if by_subject.is_empty() {
        writeln!(out, "No findings.\n")?;
    }
    for ((_, arn), list) in &by_subject {
        let kind = list
            .first()
            .and_then(|f| serde_json::to_value(f.subject.kind).ok())
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        writeln!(out, "### {} ({kind})\n", escape(arn))?;
        for f in list {
            finding(out, f)?;
        }
        writeln!(out)?;
    }
    let suppressed: Vec<&Finding> = input.findings.iter().filter(|f| f.suppressed.is_some()).collect();
    if !suppressed.is_empty() {
        writeln!(out, "## Suppressed\n")?;
        for f in suppressed {
            writeln!(
                out,
                "- `{}` {} (`{}`): {}",
                f.rule,
                escape(&f.subject.arn),
                f.fingerprint,
                escape(f.suppressed.as_deref().unwrap_or_default())
            )?;
        }
        writeln!(out)?;
    }
    if !input.snapshot.gaps.is_empty() {
        writeln!(out, "## Gaps\n\nWhat the exports do not say (no finding was guessed there):\n")?;
        for g in &input.snapshot.gaps {
            writeln!(out, "- {}: {}", escape(g.account.as_deref().unwrap_or("-")), escape(&g.what))?;
        }
    }
    Ok(())
}
