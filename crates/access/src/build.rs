//! Generation of the reference data this crate embeds: the known vendor accounts
//! (`known-accounts/known_aws_accounts.yaml`, fwdcloudsec, Apache-2.0) and the privileged action
//! lists (`privileged-actions/`, policy_sentry MIT and primeharbor CC0), converted to compact
//! JSON in `data/` by `cargo run -p xtask -- access-data`.
//!
//! The sources are YAML, but of two fixed shapes; rather than a YAML dependency for two files,
//! this module reads exactly those shapes and rejects anything else with the line it could not
//! read, so a change upstream fails the staleness test loudly instead of being misread. Nothing
//! here runs in the `rolegraph` binary: only the regeneration command and the tests call it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Where the embedded known-accounts file lives, relative to this crate.
pub const KNOWN_ACCOUNTS_FILE: &str = "data/known-accounts.json";
/// Where the embedded privileged-action lists live, relative to this crate.
pub const PRIVILEGED_ACTIONS_FILE: &str = "data/privileged-actions.json";

/// Why reference data could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("cannot read `{path}`: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{path}` line {line}: {message}")]
    Syntax { path: PathBuf, line: usize, message: String },
}

/// One vendor account of the embedded file.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct KnownAccount {
    /// 12 digits.
    pub id: String,
    /// The vendors that publish this account, sorted.
    pub names: Vec<String>,
    /// Whether the account is AWS's own (an AWS service's account, `type: aws` upstream).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub aws: bool,
}

/// The embedded known-accounts file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownAccountsFile {
    pub source: String,
    /// Sorted by id.
    pub accounts: Vec<KnownAccount>,
}

/// The embedded privileged-action lists: lower-case `service:action` names, sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivilegedActionsFile {
    pub sources: Vec<String>,
    pub privilege_escalation: Vec<String>,
    pub credential_exposure: Vec<String>,
    pub data_access: Vec<String>,
    pub resource_exposure: Vec<String>,
}

fn read(path: &Path) -> Result<String, BuildError> {
    std::fs::read_to_string(path).map_err(|source| BuildError::Io { path: path.to_path_buf(), source })
}

/// A scalar or flow sequence value of the known-accounts YAML.
#[derive(Debug, PartialEq)]
enum Value {
    Scalar(String),
    List(Vec<String>),
}

/// Strips a comment that starts outside quotes (`# ...` after a space, or a whole line).
fn strip_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == '#' && prev.is_whitespace() => return line.get(..i).unwrap_or(line),
            None => {}
        }
        prev = c;
    }
    line
}

/// Reads one scalar from the start of `text`: `'quoted'` (with `''` for a quote), `"quoted"`,
/// or plain up to `,` or `]` when `in_list`. Returns the value and the rest.
fn scalar(text: &str, in_list: bool) -> Result<(String, &str), String> {
    let text = text.trim_start();
    let mut chars = text.char_indices().peekable();
    match chars.peek().map(|(_, c)| *c) {
        Some(q @ ('\'' | '"')) => {
            chars.next();
            let mut out = String::new();
            while let Some((i, c)) = chars.next() {
                if c == q {
                    if q == '\'' && chars.peek().map(|(_, c)| *c) == Some('\'') {
                        chars.next();
                        out.push('\'');
                        continue;
                    }
                    return Ok((out, text.get(i + 1..).unwrap_or("")));
                }
                if q == '"' && c == '\\' {
                    return Err("escapes in double-quoted strings are not supported".into());
                }
                out.push(c);
            }
            Err("unterminated quoted string".into())
        }
        _ => {
            let end = if in_list { text.find([',', ']']).unwrap_or(text.len()) } else { text.len() };
            let (v, rest) = text.split_at(end);
            Ok((v.trim().to_owned(), rest))
        }
    }
}

/// Reads the items of a flow sequence whose `[` has been consumed; `more` supplies the next
/// lines when the sequence spans several.
fn flow_list<'a>(mut text: &'a str, more: &mut impl Iterator<Item = (usize, &'a str)>) -> Result<Vec<String>, String> {
    let mut items = Vec::new();
    loop {
        text = text.trim_start();
        if text.is_empty() {
            match more.next() {
                Some((_, l)) => {
                    text = strip_comment(l);
                    continue;
                }
                None => return Err("unterminated `[` list".into()),
            }
        }
        if let Some(rest) = text.strip_prefix(']') {
            if !rest.trim().is_empty() {
                return Err(format!("unexpected `{}` after the list", rest.trim()));
            }
            return Ok(items);
        }
        if let Some(rest) = text.strip_prefix(',') {
            text = rest;
            continue;
        }
        let (v, rest) = scalar(text, true)?;
        items.push(v);
        text = rest;
    }
}

/// Reads the known-accounts YAML: a sequence of mappings with `name`, `source`, `accounts`,
/// `type` and `enabled`. Entries with `enabled: false` are left out (upstream's way of
/// retiring an attribution).
pub fn known_accounts_from_yaml(path: &Path, text: &str) -> Result<KnownAccountsFile, BuildError> {
    let err = |line: usize, message: String| BuildError::Syntax { path: path.to_path_buf(), line, message };
    let mut entries: Vec<BTreeMap<String, Value>> = Vec::new();
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l)).peekable();
    while let Some((n, raw)) = lines.next() {
        let line = strip_comment(raw);
        if line.trim().is_empty() {
            continue;
        }
        let body = if let Some(rest) = line.strip_prefix("- ") {
            entries.push(BTreeMap::new());
            rest
        } else if let Some(rest) = line.strip_prefix("  ") {
            rest
        } else {
            return Err(err(n, format!("expected `- key: value` or `  key: value`, found `{}`", line.trim())));
        };
        let Some((key, value)) = body.split_once(':') else {
            return Err(err(n, format!("expected `key: value`, found `{}`", body.trim())));
        };
        let key = key.trim();
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_') {
            return Err(err(n, format!("unexpected key `{key}`")));
        }
        let value = value.trim();
        let parsed = if value.is_empty() {
            // A block sequence: `key:` then `    - item` lines, indented deeper than the key.
            let mut items = Vec::new();
            while let Some((_, next)) = lines.peek() {
                let next = strip_comment(next);
                let Some(item) = next.trim_start().strip_prefix("- ").filter(|_| next.starts_with("    ")) else { break };
                let (v, rest) = scalar(item, false).map_err(|m| err(n, m))?;
                if !rest.trim().is_empty() {
                    return Err(err(n, format!("unexpected `{}` after a list item", rest.trim())));
                }
                items.push(v);
                lines.next();
            }
            if items.is_empty() {
                return Err(err(n, format!("`{key}` has no value")));
            }
            Value::List(items)
        } else if let Some(rest) = value.strip_prefix('[') {
            Value::List(flow_list(rest, &mut lines).map_err(|m| err(n, m))?)
        } else {
            let (v, rest) = scalar(value, false).map_err(|m| err(n, m))?;
            if !rest.trim().is_empty() {
                return Err(err(n, format!("unexpected `{}` after the value", rest.trim())));
            }
            Value::Scalar(v)
        };
        let Some(entry) = entries.last_mut() else {
            return Err(err(n, "a key before the first `- ` entry".into()));
        };
        if entry.insert(key.to_owned(), parsed).is_some() {
            return Err(err(n, format!("key `{key}` given twice")));
        }
    }
    let mut by_id: BTreeMap<String, (BTreeSet<String>, bool)> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        let at = |m: String| err(0, format!("entry {}: {m}", i + 1));
        let Some(Value::Scalar(name)) = e.get("name") else { return Err(at("no `name`".into())) };
        let Some(Value::List(accounts)) = e.get("accounts") else {
            return Err(at(format!("`{name}` has no `accounts` list")));
        };
        for key in e.keys() {
            if !matches!(key.as_str(), "name" | "source" | "accounts" | "type" | "enabled") {
                return Err(at(format!("`{name}` has an unknown key `{key}`")));
            }
        }
        if matches!(e.get("enabled"), Some(Value::Scalar(v)) if v == "false") {
            continue;
        }
        let aws = matches!(e.get("type"), Some(Value::Scalar(t)) if t == "aws");
        for id in accounts {
            if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
                return Err(at(format!("`{name}` lists `{id}`, which is not a 12-digit account id")));
            }
            let slot = by_id.entry(id.clone()).or_default();
            slot.0.insert(name.clone());
            slot.1 |= aws;
        }
    }
    Ok(KnownAccountsFile {
        source: "fwdcloudsec/known_aws_accounts (Apache-2.0)".into(),
        accounts: by_id
            .into_iter()
            .map(|(id, (names, aws))| KnownAccount { id, names: names.into_iter().collect(), aws })
            .collect(),
    })
}

/// Reads `sensitive_iam_actions.yaml`: top-level categories, each with an `Actions:` list.
pub fn sensitive_actions_from_yaml(path: &Path, text: &str) -> Result<BTreeMap<String, Vec<String>>, BuildError> {
    let err = |line: usize, message: String| BuildError::Syntax { path: path.to_path_buf(), line, message };
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut in_actions = false;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = strip_comment(raw);
        if line.trim().is_empty() {
            continue;
        }
        if !line.starts_with(' ') {
            let Some(cat) = line.trim_end().strip_suffix(':') else {
                return Err(err(n, format!("expected `Category:`, found `{}`", line.trim())));
            };
            current = Some(cat.to_owned());
            in_actions = false;
            out.entry(cat.to_owned()).or_default();
        } else if line.trim() == "Actions:" {
            in_actions = true;
        } else if let Some(item) = line.trim().strip_prefix("- ") {
            let (Some(cat), true) = (&current, in_actions) else {
                return Err(err(n, "a list item outside an `Actions:` list".into()));
            };
            let (v, rest) = scalar(item, false).map_err(|m| err(n, m))?;
            if !rest.trim().is_empty() || !v.contains(':') {
                return Err(err(n, format!("expected `service:Action`, found `{}`", item.trim())));
            }
            out.entry(cat.clone()).or_default().push(v);
        } else {
            return Err(err(n, format!("unexpected `{}`", line.trim())));
        }
    }
    Ok(out)
}

/// Reads a plain list (one action a line; blank lines and `#` comments ignored).
fn plain_list(path: &Path) -> Result<Vec<String>, BuildError> {
    Ok(read(path)?.lines().map(|l| strip_comment(l).trim()).filter(|l| !l.is_empty()).map(str::to_owned).collect())
}

fn merged(lists: &[&[String]]) -> Vec<String> {
    let set: BTreeSet<String> = lists.iter().flat_map(|l| l.iter()).map(|a| a.to_ascii_lowercase()).collect();
    set.into_iter().collect()
}

/// Builds the privileged-action lists from `shared/data/privileged-actions`.
pub fn privileged_actions_from_dir(dir: &Path) -> Result<PrivilegedActionsFile, BuildError> {
    let yaml_path = dir.join("sensitive_iam_actions.yaml");
    let yaml = sensitive_actions_from_yaml(&yaml_path, &read(&yaml_path)?)?;
    let cat = |name: &str| -> Result<&[String], BuildError> {
        yaml.get(name).map(Vec::as_slice).ok_or_else(|| BuildError::Syntax {
            path: yaml_path.clone(),
            line: 0,
            message: format!("no `{name}` category"),
        })
    };
    let privesc = plain_list(&dir.join("privilege-escalation.txt"))?;
    let creds = plain_list(&dir.join("credentials-exposure.txt"))?;
    let exposure = plain_list(&dir.join("resource-exposure.txt"))?;
    let policies = plain_list(&dir.join("resource-policies.txt"))?;
    Ok(PrivilegedActionsFile {
        sources: vec![
            "policy_sentry shared/data/audit: privilege-escalation, credentials-exposure, resource-exposure, resource-policies (MIT)".into(),
            "primeharbor/sensitive_iam_actions: PrivEsc, CredentialExposure, DataAccess, ResourceExposure (CC0-1.0)".into(),
        ],
        privilege_escalation: merged(&[&privesc, cat("PrivEsc")?]),
        credential_exposure: merged(&[&creds, cat("CredentialExposure")?]),
        data_access: merged(&[cat("DataAccess")?]),
        resource_exposure: merged(&[&exposure, &policies, cat("ResourceExposure")?]),
    })
}

/// Builds the known-accounts data from `shared/data/known-accounts`.
pub fn known_accounts_from_dir(dir: &Path) -> Result<KnownAccountsFile, BuildError> {
    let path = dir.join("known_aws_accounts.yaml");
    known_accounts_from_yaml(&path, &read(&path)?)
}

/// The committed text of the known-accounts file: one account a line, for readable diffs.
pub fn known_accounts_json(file: &KnownAccountsFile) -> String {
    let mut out = String::from("{\n");
    out.push_str(&format!("\"source\": {},\n\"accounts\": [\n", json_str(&file.source)));
    let lines: Vec<String> = file.accounts.iter().map(|a| serde_json::to_string(a).unwrap_or_default()).collect();
    out.push_str(&lines.join(",\n"));
    out.push_str("\n]\n}\n");
    out
}

/// The committed text of the privileged-actions file: one action a line.
pub fn privileged_actions_json(file: &PrivilegedActionsFile) -> String {
    let list = |items: &[String]| -> String {
        let v: Vec<String> = items.iter().map(|s| format!("  {}", json_str(s))).collect();
        format!("[\n{}\n]", v.join(",\n"))
    };
    format!(
        "{{\n\"sources\": {},\n\"privilege_escalation\": {},\n\"credential_exposure\": {},\n\"data_access\": {},\n\"resource_exposure\": {}\n}}\n",
        list(&file.sources),
        list(&file.privilege_escalation),
        list(&file.credential_exposure),
        list(&file.data_access),
        list(&file.resource_exposure)
    )
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_known_accounts_shapes() {
        let text = "# header\n- name: 'Acme ''Cloud'''\n  source: [\n    'https://a', # note\n    'https://b'\n  ]\n  accounts: ['111111111111', '222222222222']\n- name:  'Old'\n  accounts: ['333333333333']\n  enabled: false\n- name: 'ELB logs'\n  type: 'aws'\n  accounts: ['111111111111']\n- name: 'Block'\n  source:\n    - 'https://c'\n  accounts:\n    - '444444444444'\n";
        let f = known_accounts_from_yaml(Path::new("k.yaml"), text).unwrap();
        assert_eq!(f.accounts.len(), 3);
        assert_eq!(f.accounts[2].names, ["Block"]);
        assert_eq!(f.accounts[0].id, "111111111111");
        assert_eq!(f.accounts[0].names, ["Acme 'Cloud'", "ELB logs"]);
        assert!(f.accounts[0].aws);
        assert!(!f.accounts[1].aws);
        let back: KnownAccountsFile = serde_json::from_str(&known_accounts_json(&f)).unwrap();
        assert_eq!(back, f);
    }

    #[test]
    fn rejects_what_it_does_not_know() {
        let bad = [
            "- name: 'A'\n  accounts: ['12']\n",
            "- name: 'A'\n  accounts: ['111111111111'\n",
            "- name: 'A'\n  accounts: ['111111111111']\n  owner: 'x'\n",
            "name: 'A'\n",
            "- name: 'A\n",
        ];
        for text in bad {
            assert!(known_accounts_from_yaml(Path::new("k.yaml"), text).is_err(), "{text}");
        }
        let e = known_accounts_from_yaml(Path::new("k.yaml"), "- name: 'A'\nfoo\n").unwrap_err().to_string();
        assert!(e.contains("line 2"), "{e}");
    }

    #[test]
    fn reads_the_sensitive_actions_shape() {
        let text =
            "PrivEsc:\n  Actions:\n  - iam:PassRole\n  - iam:CreateAccessKey\n\nDataAccess:\n  Actions:\n  - s3:GetObject\n";
        let m = sensitive_actions_from_yaml(Path::new("s.yaml"), text).unwrap();
        assert_eq!(m["PrivEsc"], ["iam:PassRole", "iam:CreateAccessKey"]);
        assert_eq!(m["DataAccess"], ["s3:GetObject"]);
        assert!(sensitive_actions_from_yaml(Path::new("s.yaml"), "  - iam:PassRole\n").is_err());
        assert!(sensitive_actions_from_yaml(Path::new("s.yaml"), "A:\n  Actions:\n  - nocolon\n").is_err());
    }
}
