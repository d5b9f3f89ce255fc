//! The HTML report (`--format html`): one self-contained file (inline CSS, no script, no
//! external asset) that reads without a server. Sections: an overview (accounts, roles by kind,
//! findings by severity), a table of every role (kind, who it trusts, resources using it,
//! privilege, findings), one section per role (details, trusted entities with their guards and
//! statements, resources, privileged permissions, findings), the findings of other subjects,
//! and the gaps of the exports. Every text that comes from the data goes through [`escape`].

use std::collections::BTreeMap;
use std::io::{self, Write};

use access::RoleKind;
use rules::{Finding, RoleView, Severity};

use crate::markdown::evidence_text;
use crate::{Input, Summary};

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters (an escape sequence in a name) are shown as `\u{1b}`: they
            // are invalid in HTML text and would reach a terminal that shows the file.
            '\n' | '\t' => out.push(c),
            c if model::text::must_escape(c) => model::text::push_escaped(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// An element id for a role (letters, digits and `-` only).
fn anchor(arn: &str) -> String {
    let mut s = String::from("r-");
    s.extend(arn.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }));
    s
}

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1200px;padding:0 1em;color:#1d2433}\
h1,h2,h3{line-height:1.2}table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}\
th,td{border-bottom:1px solid #d8dce5;padding:.3em .5em;text-align:left;vertical-align:top}th{background:#f2f4f8}\
code{font:12px ui-monospace,monospace;background:#f2f4f8;padding:0 .2em}\
.sev{font-weight:600;border-radius:3px;padding:0 .4em;color:#fff}.critical{background:#8b0000}.high{background:#c0392b}\
.medium{background:#d68910}.low{background:#2874a6}.info{background:#7f8c8d}section.role{border-top:2px solid #d8dce5;margin-top:2em}\
.muted{color:#69707d}ul{margin:.2em 0}";

fn sev(s: Severity) -> String {
    format!("<span class=\"sev {0}\">{0}</span>", s.as_str())
}

fn finding_items(out: &mut dyn Write, list: &[&Finding]) -> io::Result<()> {
    writeln!(out, "<ul>")?;
    for f in list {
        writeln!(out, "<li>{} <code>{}</code> {}<ul>", sev(f.severity), escape(&f.rule), escape(&f.message))?;
        for e in &f.evidence {
            writeln!(out, "<li>evidence: {}</li>", escape(&evidence_text(e)))?;
        }
        writeln!(out, "<li>remediation: {}</li>", escape(&f.remediation))?;
        writeln!(out, "<li class=\"muted\">fingerprint <code>{}</code></li></ul></li>", escape(&f.fingerprint))?;
    }
    writeln!(out, "</ul>")
}

fn role_section(out: &mut dyn Write, v: &RoleView<'_>, findings: &[&Finding]) -> io::Result<()> {
    let r = v.role;
    writeln!(out, "<section class=\"role\" id=\"{}\"><h3>{}</h3>", anchor(&r.arn), escape(&r.name))?;
    writeln!(out, "<table>")?;
    let kinds: Vec<&str> = v.kinds().iter().map(|k| k.as_str()).collect();
    let rows: [(&str, String); 6] = [
        ("ARN", format!("<code>{}</code>", escape(&r.arn))),
        ("account", escape(v.account.display_name())),
        ("kinds", escape(&kinds.join(", "))),
        ("created", escape(&r.create_date.map(|t| t.to_string()).unwrap_or_else(|| "unknown".into()))),
        (
            "last used",
            escape(&r.role_last_used.as_ref().map_or("unknown".into(), |u| u.date.map_or("never".into(), |d| d.to_string()))),
        ),
        (
            "policies",
            escape(
                &r.attached_managed_policies
                    .iter()
                    .cloned()
                    .chain(r.inline_policies.iter().map(|p| format!("inline {}", p.name)))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ),
    ];
    for (k, val) in rows {
        writeln!(out, "<tr><th>{k}</th><td>{val}</td></tr>")?;
    }
    if let Some(b) = &r.permissions_boundary {
        writeln!(out, "<tr><th>boundary</th><td><code>{}</code></td></tr>", escape(b))?;
    }
    writeln!(out, "</table>")?;
    let trust = v.trust();
    writeln!(out, "<h4>Trusted entities</h4><ul>")?;
    for e in &trust.entities {
        let sid = e.evidence.sid.as_deref().map(|s| format!(", Sid {s}")).unwrap_or_default();
        writeln!(
            out,
            "<li>{} <span class=\"muted\">(statement {}{}, {})</span></li>",
            escape(&e.summary),
            e.evidence.statement,
            escape(&sid),
            escape(&e.evidence.pointer)
        )?;
    }
    for x in &trust.restrictions {
        writeln!(out, "<li>{}</li>", escape(&x.summary))?;
    }
    for p in &trust.problems {
        writeln!(out, "<li class=\"muted\">{}</li>", escape(p))?;
    }
    writeln!(out, "</ul>")?;
    if !v.uses.is_empty() {
        writeln!(out, "<h4>Used by</h4><ul>")?;
        for u in &v.uses {
            writeln!(out, "<li>{} <code>{}</code></li>", escape(&u.name), escape(&u.resource))?;
        }
        writeln!(out, "</ul>")?;
    }
    if let Some(p) = v.privilege_if_computed() {
        writeln!(
            out,
            "<h4>Privilege: {}{}</h4><ul>",
            escape(p.level.as_str()),
            if p.level_conditional { " (under conditions)" } else { "" }
        )?;
        for c in &p.categories {
            let stmts: Vec<String> = c.statements.iter().take(3).map(|s| s.describe()).collect();
            writeln!(
                out,
                "<li>{}: {} actions{} <span class=\"muted\">{}</span></li>",
                c.kind.as_str(),
                c.count,
                if c.conditional { " (under conditions)" } else { "" },
                escape(&stmts.join("; "))
            )?;
        }
        writeln!(out, "</ul>")?;
    }
    writeln!(out, "<h4>Findings</h4>")?;
    if findings.is_empty() {
        writeln!(out, "<p class=\"muted\">none</p>")?;
    } else {
        finding_items(out, findings)?;
    }
    writeln!(out, "</section>")
}

pub fn render(input: &Input<'_>, out: &mut dyn Write) -> io::Result<()> {
    let s = Summary::of(input.findings);
    let open: Vec<&Finding> = input.findings.iter().filter(|f| f.suppressed.is_none()).collect();
    let mut by_subject: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &open {
        by_subject.entry(f.subject.arn.as_str()).or_default().push(f);
    }
    writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>rolegraph report</title><style>{STYLE}</style></head><body>"
    )?;
    writeln!(out, "<h1>rolegraph report</h1><p class=\"muted\">Rules counted days from {}.</p>", escape(&input.now.to_string()))?;

    writeln!(out, "<h2>Overview</h2><table><tr><th>account</th><th>id</th><th>roles</th><th>users</th><th>findings</th></tr>")?;
    for a in &input.snapshot.accounts {
        let n = open.iter().filter(|f| f.subject.account == a.id).count();
        writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{n}</td></tr>",
            escape(a.display_name()),
            escape(&a.id),
            a.roles.len(),
            a.users.len()
        )?;
    }
    writeln!(out, "</table>")?;
    let mut kinds: BTreeMap<RoleKind, usize> = BTreeMap::new();
    for v in input.roles {
        for k in v.kinds() {
            *kinds.entry(*k).or_default() += 1;
        }
    }
    writeln!(out, "<table><tr><th>roles by kind</th><th>count</th></tr>")?;
    for (k, n) in &kinds {
        writeln!(out, "<tr><td>{}</td><td>{n}</td></tr>", k.as_str())?;
    }
    writeln!(out, "</table><table><tr><th>severity</th><th>findings</th></tr>")?;
    for sv in Severity::ALL.iter().rev() {
        writeln!(out, "<tr><td>{}</td><td>{}</td></tr>", sev(*sv), s.by_severity.get(sv.as_str()).copied().unwrap_or(0))?;
    }
    writeln!(out, "<tr><td>suppressed</td><td>{}</td></tr></table>", s.suppressed)?;

    writeln!(
        out,
        "<h2>Roles</h2><table><tr><th>role</th><th>account</th><th>kinds</th><th>trusted</th><th>resources</th><th>privilege</th><th>findings</th></tr>"
    )?;
    for v in input.roles {
        let kinds: Vec<&str> = v.kinds().iter().map(|k| k.as_str()).collect();
        let trusted: Vec<&str> = v.trust().entities.iter().map(|e| e.short.as_str()).collect();
        let privilege = v.privilege_if_computed().map_or("-", |p| p.level.as_str());
        let fs = by_subject.get(v.role.arn.as_str()).map_or(&[][..], Vec::as_slice);
        let top = fs.iter().map(|f| f.severity).max().map(sev).unwrap_or_default();
        writeln!(
            out,
            "<tr><td><a href=\"#{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} {top}</td></tr>",
            anchor(&v.role.arn),
            escape(&v.role.name),
            escape(v.account.display_name()),
            escape(&kinds.join(", ")),
            escape(&trusted.join(", ")),
            access::record::resource_count(&v.uses),
            escape(privilege),
            fs.len()
        )?;
    }
    writeln!(out, "</table>")?;

    writeln!(out, "<h2>Role details</h2>")?;
    for v in input.roles {
        let fs = by_subject.remove(v.role.arn.as_str()).unwrap_or_default();
        role_section(out, v, &fs)?;
    }
    if !by_subject.is_empty() {
        writeln!(out, "<h2>Other findings</h2>")?;
        for (arn, list) in &by_subject {
            writeln!(out, "<h3>{}</h3>", escape(arn))?;
            finding_items(out, list)?;
        }
    }
    if !input.snapshot.gaps.is_empty() {
        writeln!(out, "<h2>Gaps</h2><p>What the exports do not say (no finding was guessed there).</p><ul>")?;
        for g in &input.snapshot.gaps {
            writeln!(out, "<li>{}: {}</li>", escape(g.account.as_deref().unwrap_or("-")), escape(&g.what))?;
        }
        writeln!(out, "</ul>")?;
    }
    writeln!(out, "</body></html>")
}
