//! Activity outputs: the credential report (base64 CSV in `Content`; plain CSV and a Python
//! bytes literal are also seen in the wild), and service-last-accessed details.

use base64::Engine;
use model::{
    AccessKeyInfo, CertificateInfo, CredentialReport, CredentialRow, LastAccessedReport, ServiceLastAccessed, Timestamp,
};

use crate::convert::{AccountVotes, FileCtx};
use crate::raw::Export;

/// Decodes `Content` into CSV text: base64 (what `aws iam get-credential-report` prints), plain
/// CSV, or a Python bytes literal (`b'...'`, as some tools write it).
pub fn decode_content(content: &str) -> Result<String, String> {
    let t = content.trim();
    if t.starts_with("user,") {
        return Ok(t.to_owned());
    }
    if let Some(inner) = t
        .strip_prefix("b'")
        .and_then(|s| s.strip_suffix('\''))
        .or_else(|| t.strip_prefix("b\"").and_then(|s| s.strip_suffix('"')))
    {
        return Ok(unescape_python(inner));
    }
    let compact: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|e| format!("`Content` is neither CSV nor base64: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|_| "the decoded `Content` is not UTF-8 text".to_owned())?;
    if text.trim_start().starts_with("user,") {
        Ok(text)
    } else {
        Err("the decoded `Content` is not a credential report (no `user,` header)".to_owned())
    }
}

fn unescape_python(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Splits one CSV line, honouring double quotes.
fn split_csv_line(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    fields.push(cur);
    fields
}

fn is_none_marker(v: &str) -> bool {
    matches!(v, "" | "N/A" | "not_supported" | "no_information")
}

struct Columns(Vec<String>);

impl Columns {
    fn get<'r>(&self, row: &'r [String], name: &str) -> Option<&'r str> {
        let i = self.0.iter().position(|c| c == name)?;
        row.get(i).map(String::as_str)
    }

    fn text(&self, row: &[String], name: &str) -> Option<String> {
        self.get(row, name).filter(|v| !is_none_marker(v)).map(str::to_owned)
    }

    fn flag(&self, row: &[String], name: &str) -> Option<bool> {
        match self.get(row, name)? {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }

    fn time(&self, row: &[String], name: &str) -> Result<Option<Timestamp>, String> {
        match self.get(row, name) {
            None => Ok(None),
            Some(v) if is_none_marker(v) => Ok(None),
            Some(v) => Timestamp::parse(v).map(Some).ok_or_else(|| format!("column `{name}`: invalid timestamp `{v}`")),
        }
    }
}

/// Parses the report. A row that cannot be read fails the whole report, with its line number.
pub fn credential_report(
    content: &str,
    generated_time: Option<Timestamp>,
    votes: &mut AccountVotes,
) -> Result<CredentialReport, String> {
    let text = decode_content(content)?;
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header = lines.next().ok_or("the credential report is empty")?;
    let cols = Columns(split_csv_line(header));
    if cols.get(&cols.0, "user").is_none() || cols.get(&cols.0, "arn").is_none() {
        return Err("the credential report has no `user` and `arn` columns".to_owned());
    }
    let mut rows = Vec::new();
    for (n, line) in lines.enumerate() {
        let row = split_csv_line(line);
        let at = |e: String| format!("line {}: {e}", n + 2);
        let arn = cols.text(&row, "arn").ok_or_else(|| at("no `arn`".to_owned()))?;
        votes.arn(&arn);
        let mut access_keys = Vec::new();
        for slot in 1..=2u8 {
            let p = format!("access_key_{slot}");
            let active = cols.flag(&row, &format!("{p}_active")).unwrap_or(false);
            let last_rotated = cols.time(&row, &format!("{p}_last_rotated")).map_err(at)?;
            if active || last_rotated.is_some() {
                access_keys.push(AccessKeyInfo {
                    slot,
                    active,
                    last_rotated,
                    last_used_date: cols.time(&row, &format!("{p}_last_used_date")).map_err(at)?,
                    last_used_region: cols.text(&row, &format!("{p}_last_used_region")),
                    last_used_service: cols.text(&row, &format!("{p}_last_used_service")),
                });
            }
        }
        let mut certificates = Vec::new();
        for slot in 1..=2u8 {
            let active = cols.flag(&row, &format!("cert_{slot}_active")).unwrap_or(false);
            let last_rotated = cols.time(&row, &format!("cert_{slot}_last_rotated")).map_err(at)?;
            if active || last_rotated.is_some() {
                certificates.push(CertificateInfo { slot, active, last_rotated });
            }
        }
        rows.push(CredentialRow {
            user: cols.get(&row, "user").unwrap_or_default().to_owned(),
            user_creation_time: cols.time(&row, "user_creation_time").map_err(at)?,
            password_enabled: cols.flag(&row, "password_enabled"),
            password_last_used: cols.time(&row, "password_last_used").map_err(at)?,
            password_last_changed: cols.time(&row, "password_last_changed").map_err(at)?,
            password_next_rotation: cols.time(&row, "password_next_rotation").map_err(at)?,
            mfa_active: cols.flag(&row, "mfa_active").unwrap_or(false),
            access_keys,
            certificates,
            arn,
        });
    }
    rows.sort_by(|a, b| a.arn.cmp(&b.arn));
    Ok(CredentialReport { generated_time, rows })
}

pub fn last_accessed(
    e: Export<'_>,
    cx: &FileCtx<'_>,
    votes: &mut AccountVotes,
    gaps: &mut Vec<model::Gap>,
) -> LastAccessedReport {
    if let Some(status) = e.job_status.as_deref().filter(|s| *s != "COMPLETED") {
        gaps.push(cx.gap(
            model::GapKind::MissingData,
            "JobStatus",
            format!("the service-last-accessed job is `{status}`, not `COMPLETED`: its services are incomplete"),
        ));
    }
    if let Some(a) = &e.arn {
        votes.arn(a);
    }
    let mut services: Vec<ServiceLastAccessed> = e
        .services_last_accessed
        .unwrap_or_default()
        .into_iter()
        .map(|s| {
            if let Some(a) = &s.last_authenticated_entity {
                votes.arn(a);
            }
            ServiceLastAccessed {
                service_namespace: s.service_namespace,
                service_name: s.service_name,
                last_authenticated: s.last_authenticated,
                last_authenticated_entity: s.last_authenticated_entity,
                last_authenticated_region: s.last_authenticated_region,
                total_authenticated_entities: s.total_authenticated_entities,
            }
        })
        .collect();
    services.sort_by(|a, b| a.service_namespace.cmp(&b.service_namespace));
    LastAccessedReport { entity_arn: e.arn, job_completion_date: e.job_completion_date, source: cx.rel.to_owned(), services }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n\
<root_account>,arn:aws:iam::111111111111:root,2018-08-12T17:20:55+00:00,not_supported,2019-03-03T16:58:16+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n\
\"ci,bot\",arn:aws:iam::111111111111:user/ci-bot,2019-05-07T15:35:54+00:00,false,N/A,N/A,N/A,false,true,2019-05-07T15:35:55+00:00,2024-01-02T00:00:00+00:00,eu-west-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n";

    #[test]
    fn reads_base64_plain_and_python_bytes() {
        let b64 = base64::engine::general_purpose::STANDARD.encode(CSV);
        let python = format!("b'{}'", CSV.replace('\n', "\\n"));
        for content in [b64.as_str(), CSV, python.as_str()] {
            let r = credential_report(content, None, &mut AccountVotes::default()).unwrap();
            assert_eq!(r.rows.len(), 2);
            let root = r.rows.first().unwrap();
            assert!(root.is_root());
            assert_eq!(root.password_enabled, None);
            assert!(root.mfa_active);
            assert!(root.access_keys.is_empty());
            let bot = r.rows.get(1).unwrap();
            assert_eq!(bot.user, "ci,bot");
            assert_eq!(bot.access_keys.len(), 1);
            let key = bot.access_keys.first().unwrap();
            assert!(key.active);
            assert_eq!(key.last_used_service.as_deref(), Some("s3"));
            assert_eq!(key.last_rotated.map(|t| t.to_rfc3339()).as_deref(), Some("2019-05-07T15:35:55Z"));
        }
    }

    #[test]
    fn bad_reports_say_why() {
        let e = credential_report("!!!", None, &mut AccountVotes::default()).unwrap_err();
        assert!(e.contains("neither CSV nor base64"), "{e}");
        let bad = CSV.replace("2019-05-07T15:35:55+00:00", "last tuesday");
        let e = credential_report(&bad, None, &mut AccountVotes::default()).unwrap_err();
        assert_eq!(e, "line 3: column `access_key_1_last_rotated`: invalid timestamp `last tuesday`");
    }
}
