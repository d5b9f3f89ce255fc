//! SARIF 2.1.0 (`--format sarif`), for GitHub code scanning and other SARIF viewers.
//!
//! - `runs[0].tool.driver.rules`: every rule of the registry, in registry order: `id`, `name`
//!   (the id in PascalCase), `shortDescription` (the rule's name), `fullDescription` (its "What
//!   it finds"), `help` (its whole documentation, as text and Markdown),
//!   `defaultConfiguration.level` from its severity (critical and high: `error`, medium:
//!   `warning`, low and info: `note`), and `properties`: `security-severity` (critical 9.5,
//!   high 8.0, medium 5.5, low 3.0, info 0.0; GitHub ranks alerts by it), `tags` (`security`,
//!   the category), `severity`.
//! - `results`: one per finding, in report order: `ruleId`, `ruleIndex`, `level` from the
//!   finding's own severity, `message.text`, `partialFingerprints["rolegraph/v1"]` (the
//!   finding's fingerprint), one location whose `physicalLocation.artifactLocation.uri` is the
//!   export folder and whose `logicalLocations` name the subject (`fullyQualifiedName` = its
//!   ARN, `kind` = role, user, ...), and `properties` with the subject, the evidence (policy,
//!   statement index, Sid, JSON pointer) and the remediation. A suppressed finding carries
//!   `suppressions: [{kind: "external", justification: REASON}]`.
//! - `runs[0].properties`: `schema_version` (1, the version of this mapping) and `now`.
//!
//! The document validates against the OASIS SARIF 2.1.0 schema (`scripts/validate-sarif.sh`).

use std::io::{self, Write};

use rules::{RULES, Severity};
use serde::Serialize;
use serde_json::{Value, json};

use crate::Input;

/// The version of this mapping of findings to SARIF.
pub const SCHEMA_VERSION: u32 = 1;

/// The SARIF level of a severity.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` of a severity (0.0 to 10.0; 9.0+ critical, 7.0+ high, 4.0+
/// medium, above 0 low).
pub fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

fn pascal(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

fn rules_json() -> Vec<Value> {
    RULES
        .iter()
        .map(|r| {
            let m = r.meta();
            let category = serde_json::to_value(m.category).unwrap_or(Value::Null);
            json!({
                "id": m.id,
                "name": pascal(m.id),
                "shortDescription": {"text": m.name},
                "fullDescription": {"text": m.section("What it finds")},
                "help": {"text": m.markdown(), "markdown": m.markdown()},
                "defaultConfiguration": {"level": level(m.severity)},
                "properties": {
                    "security-severity": security_severity(m.severity),
                    "severity": m.severity.as_str(),
                    "tags": ["security", category],
                },
            })
        })
        .collect()
}

/// The SARIF result of one finding.
fn result(input: &Input<'_>, f: &rules::Finding) -> Value {
    let index = RULES.iter().position(|r| r.meta().id == f.rule);
    let kind = serde_json::to_value(f.subject.kind).unwrap_or(Value::Null);
    let mut r = json!({
        "ruleId": f.rule,
        "level": level(f.severity),
        "message": {"text": f.message},
        "partialFingerprints": {"rolegraph/v1": f.fingerprint},
        "locations": [{
            "physicalLocation": {"artifactLocation": {"uri": input.source}},
            "logicalLocations": [{"fullyQualifiedName": f.subject.arn, "name": f.subject.name, "kind": kind}],
        }],
        "properties": {
            "severity": f.severity.as_str(),
            "subject": f.subject,
            "evidence": f.evidence,
            "remediation": f.remediation,
        },
    });
    if let (Some(i), Some(obj)) = (index, r.as_object_mut()) {
        obj.insert("ruleIndex".into(), json!(i));
    }
    if let (Some(reason), Some(obj)) = (&f.suppressed, r.as_object_mut()) {
        obj.insert("suppressions".into(), json!([{"kind": "external", "justification": reason}]));
    }
    r
}

/// The SARIF document, with its results written one by one as it is serialised.
#[derive(Serialize)]
struct Document<R: Serialize> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<R>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<R: Serialize> {
    tool: Value,
    column_kind: &'static str,
    results: R,
    properties: Value,
}

fn streamed<'a>(input: &'a Input<'a>) -> Document<impl Serialize + 'a> {
    let tool = json!({"driver": {
        "name": "rolegraph",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": rules_json(),
    }});
    Document {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [Run {
            tool,
            column_kind: "unicodeCodePoints",
            results: crate::Streamed(input.findings, move |f: &rules::Finding| result(input, f)),
            properties: json!({"schema_version": SCHEMA_VERSION, "now": input.now.to_string()}),
        }],
    }
}

/// The SARIF document as a JSON value.
pub fn document(input: &Input<'_>) -> Value {
    serde_json::to_value(streamed(input)).unwrap_or(Value::Null)
}

/// Writes the SARIF document (its results one by one: the document is never held whole).
pub fn render(input: &Input<'_>, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &streamed(input))?;
    writeln!(out)
}
