//! Reading one dataset's TSV export (`services.tsv`, `actions.tsv`, `resource_types.tsv`,
//! `condition_keys.tsv`, `meta.json`) into plain rows, checking headers, field counts, the
//! values of enumerated columns and the row counts that `meta.json` announces.

use super::{BuildError, DatasetTexts};
use crate::{AccessLevel, ConditionType};

pub(super) struct Dataset {
    pub name: &'static str,
    /// `meta.json`'s description of the source, one line.
    pub source: String,
    pub services: Vec<ServiceRow>,
    pub actions: Vec<ActionRow>,
    pub resource_types: Vec<ResourceTypeRow>,
    pub condition_keys: Vec<ConditionKeyRow>,
}

pub(super) struct ServiceRow {
    pub prefix: String,
    pub name: String,
}

pub(super) struct ActionRow {
    pub prefix: String,
    pub name: String,
    pub level: AccessLevel,
    /// Resource type names, with the required flag (`*` suffix in the data).
    pub resource_types: Vec<(String, bool)>,
    pub condition_keys: Vec<String>,
    /// `service:Action` names.
    pub dependent_actions: Vec<String>,
}

pub(super) struct ResourceTypeRow {
    pub prefix: String,
    pub name: String,
    pub arn_format: String,
    pub condition_keys: Vec<String>,
}

pub(super) struct ConditionKeyRow {
    pub prefix: String,
    pub name: String,
    pub ty: ConditionType,
}

/// The rows of a TSV file, each with its 1-based line number, after checking the header.
fn rows<'t>(
    dataset: &'static str,
    file: &'static str,
    text: &'t str,
    header: &[&str],
) -> Result<Vec<(usize, Vec<&'t str>)>, BuildError> {
    let mut lines = text.lines().enumerate();
    let found = lines.next().map_or("", |(_, l)| l);
    if found.split('\t').ne(header.iter().copied()) {
        return Err(BuildError::Header {
            file: format!("{dataset}/{file}"),
            expected: header.join("\t"),
            found: found.to_owned(),
        });
    }
    let mut out = Vec::new();
    for (i, line) in lines {
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() != header.len() {
            return Err(BuildError::Row {
                file: format!("{dataset}/{file}"),
                line: i + 1,
                message: format!("{} fields, expected {}", fields.len(), header.len()),
            });
        }
        out.push((i + 1, fields));
    }
    Ok(out)
}

fn list(field: &str) -> Vec<String> {
    field.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

fn field<'a>(fields: &[&'a str], i: usize) -> &'a str {
    fields.get(i).copied().unwrap_or("")
}

fn meta_count(meta: &serde_json::Value, key: &str) -> Option<usize> {
    meta.get(key)?.as_u64().and_then(|n| usize::try_from(n).ok())
}

pub(super) fn parse(name: &'static str, t: &DatasetTexts) -> Result<Dataset, BuildError> {
    let meta: serde_json::Value = serde_json::from_str(&t.meta).map_err(|e| BuildError::Row {
        file: format!("{name}/meta.json"),
        line: e.line(),
        message: e.to_string(),
    })?;
    let text = |k: &str| meta.get(k).and_then(serde_json::Value::as_str).unwrap_or("");
    let mut source = text("source").to_owned();
    for k in ["version", "schema"] {
        if !text(k).is_empty() {
            source.push_str(&format!(" {k} {}", text(k)));
        }
    }

    let row_err = |file: &str, line: usize, message: String| BuildError::Row { file: format!("{name}/{file}"), line, message };

    let services = rows(name, "services.tsv", &t.services, &["prefix", "service_name"])?
        .into_iter()
        .map(|(_, f)| ServiceRow { prefix: field(&f, 0).to_owned(), name: field(&f, 1).to_owned() })
        .collect::<Vec<_>>();

    let header = ["prefix", "action", "access_level", "access_flags", "resource_types", "condition_keys", "dependent_actions"];
    let mut actions = Vec::new();
    for (line, f) in rows(name, "actions.tsv", &t.actions, &header)? {
        let level_text = field(&f, 2);
        let level = AccessLevel::from_aws(level_text)
            .ok_or_else(|| row_err("actions.tsv", line, format!("unknown access level `{level_text}`")))?;
        let resource_types = list(field(&f, 4))
            .into_iter()
            .map(|r| match r.strip_suffix('*') {
                Some(base) => (base.to_owned(), true),
                None => (r, false),
            })
            .collect();
        actions.push(ActionRow {
            prefix: field(&f, 0).to_owned(),
            name: field(&f, 1).to_owned(),
            level,
            resource_types,
            condition_keys: list(field(&f, 5)),
            dependent_actions: list(field(&f, 6)),
        });
    }

    let header = ["prefix", "resource_type", "arn_format", "condition_keys"];
    let resource_types = rows(name, "resource_types.tsv", &t.resource_types, &header)?
        .into_iter()
        .map(|(_, f)| ResourceTypeRow {
            prefix: field(&f, 0).to_owned(),
            name: field(&f, 1).to_owned(),
            arn_format: field(&f, 2).to_owned(),
            condition_keys: list(field(&f, 3)),
        })
        .collect::<Vec<_>>();

    let mut condition_keys = Vec::new();
    for (line, f) in rows(name, "condition_keys.tsv", &t.condition_keys, &["prefix", "condition_key", "type"])? {
        let ty_text = field(&f, 2);
        let ty = ConditionType::from_aws(ty_text)
            .ok_or_else(|| row_err("condition_keys.tsv", line, format!("unknown condition key type `{ty_text}`")))?;
        condition_keys.push(ConditionKeyRow { prefix: field(&f, 0).to_owned(), name: field(&f, 1).to_owned(), ty });
    }

    for (key, found) in [
        ("services", services.len()),
        ("actions", actions.len()),
        ("resource_types", resource_types.len()),
        ("condition_keys", condition_keys.len()),
    ] {
        if let Some(expected) = meta_count(&meta, key)
            && expected != found
        {
            return Err(BuildError::Count { dataset: name, what: key, expected, found });
        }
    }

    Ok(Dataset { name, source, services, actions, resource_types, condition_keys })
}
