//! The terminal report: a summary first (accounts, roles, users; findings by severity), then one
//! finding per two lines, highest severity first, then the gaps of the exports. Suppressed
//! findings are counted, not listed. For people: not a stable format (use `json` or `sarif`).
//! Text from the data (messages, subjects, gaps) is shown with its control characters and
//! newlines escaped (`model::terminal_safe`): it cannot forge a line or drive the terminal.

use std::io::{self, Write};

use model::Safe;

use crate::{Input, Summary};

pub fn render(input: &Input<'_>, out: &mut dyn Write) -> io::Result<()> {
    let snapshot = input.snapshot;
    let summary = Summary::of(input.findings);
    let roles: usize = snapshot.accounts.iter().map(|a| a.roles.len()).sum();
    let users: usize = snapshot.accounts.iter().map(|a| a.users.len()).sum();
    writeln!(out, "{} accounts, {roles} roles, {users} users", snapshot.accounts.len())?;
    writeln!(out, "{} findings ({}), {} suppressed", summary.total, summary.severity_words(), summary.suppressed)?;
    if !summary.by_rule.is_empty() {
        let mut rules: Vec<(&String, &usize)> = summary.by_rule.iter().collect();
        rules.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let parts: Vec<String> = rules.iter().map(|(r, n)| format!("{} {n}", Safe(r))).collect();
        writeln!(out, "by rule: {}", parts.join(", "))?;
    }
    writeln!(out)?;
    for f in input.findings.iter().filter(|f| f.suppressed.is_none()) {
        writeln!(out, "{:<8} {:<36} {}", f.severity.as_str().to_uppercase(), Safe(&f.rule), Safe(&f.message))?;
        writeln!(out, "         subject {}  fingerprint {}", Safe(&f.subject.arn), Safe(&f.fingerprint))?;
    }
    if !snapshot.gaps.is_empty() {
        writeln!(out)?;
        writeln!(out, "{} gaps (what the exports do not say; no finding was guessed there):", snapshot.gaps.len())?;
        for g in snapshot.gaps.iter().take(20) {
            let acct = g.account.as_deref().unwrap_or("-");
            writeln!(out, "  {:<14} {}", Safe(acct), Safe(&g.what))?;
        }
        if snapshot.gaps.len() > 20 {
            writeln!(out, "  ... {} more (--format json lists them all)", snapshot.gaps.len() - 20)?;
        }
    }
    Ok(())
}
