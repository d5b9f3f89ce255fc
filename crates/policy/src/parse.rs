//! From JSON (an object, JSON text, or the URL-encoded text that the raw IAM API returns) to the
//! validated AST, with an error that names the JSON pointer of what is wrong.

use serde_json::{Map, Value};

use crate::ast::*;
use crate::error::ParseError;
use crate::template::Template;

/// Escapes a key for a JSON pointer (RFC 6901).
fn esc(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

impl Policy {
    /// Parses a policy from text: JSON, or URL-encoded JSON.
    pub fn parse_str(text: &str) -> Result<Policy, ParseError> {
        let trimmed = text.trim_start();
        let decoded;
        let json = if trimmed.starts_with('{') {
            trimmed
        } else {
            decoded = percent_encoding::percent_decode_str(trimmed)
                .decode_utf8()
                .map_err(|e| ParseError::Json(format!("URL-encoded text is not UTF-8: {e}")))?
                // RFC 3986 percent-encoding, as IAM documents it: `+` stays a plus.
                .into_owned();
            decoded.as_str()
        };
        let value: Value = serde_json::from_str(json).map_err(|e| ParseError::Json(e.to_string()))?;
        Policy::from_json(&value)
    }

    /// Parses a policy from a JSON value: an object, or a string holding (URL-encoded) JSON.
    pub fn from_json(value: &Value) -> Result<Policy, ParseError> {
        match value {
            Value::String(s) => Policy::parse_str(s),
            Value::Object(map) => parse_policy(map),
            _ => Err(ParseError::at("", "a policy must be a JSON object")),
        }
    }
}

fn parse_policy(map: &Map<String, Value>) -> Result<Policy, ParseError> {
    for key in map.keys() {
        if !matches!(key.as_str(), "Version" | "Id" | "Statement") {
            return Err(ParseError::at(&format!("/{}", esc(key)), format!("unknown element `{key}`")));
        }
    }
    let version = match map.get("Version") {
        None => None,
        Some(Value::String(v)) if v == "2012-10-17" => Some(Version::V2012_10_17),
        Some(Value::String(v)) if v == "2008-10-17" => Some(Version::V2008_10_17),
        Some(v) => {
            return Err(ParseError::at(
                "/Version",
                format!("`Version` must be `2012-10-17` or `2008-10-17`, not `{}`", short(v)),
            ));
        }
    };
    let id = match map.get("Id") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(ParseError::at("/Id", "`Id` must be a string")),
    };
    let variables = version == Some(Version::V2012_10_17);
    let (statements, single_statement) = match map.get("Statement") {
        None => return Err(ParseError::at("/Statement", "the policy has no `Statement`")),
        Some(Value::Object(s)) => (vec![parse_statement(s, 0, "/Statement".into(), variables)?], true),
        Some(Value::Array(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let pointer = format!("/Statement/{i}");
                match item {
                    Value::Object(s) => out.push(parse_statement(s, i, pointer, variables)?),
                    _ => return Err(ParseError::at(&pointer, "a statement must be a JSON object")),
                }
            }
            (out, false)
        }
        Some(_) => {
            return Err(ParseError::at("/Statement", "`Statement` must be an object or an array"));
        }
    };
    Ok(Policy { version, id, statements, single_statement })
}

fn short(v: &Value) -> String {
    let s = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    s.chars().take(60).collect()
}

/// A string or an array of strings.
fn strings(v: &Value, pointer: &str, what: &str) -> Result<Vec<String>, ParseError> {
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(s) => Ok(s.clone()),
                _ => Err(ParseError::at(&format!("{pointer}/{i}"), format!("each {what} must be a string"))),
            })
            .collect(),
        _ => Err(ParseError::at(pointer, format!("{what} must be a string or an array of strings"))),
    }
}

fn either<'a>(
    map: &'a Map<String, Value>,
    yes: &str,
    no: &str,
    pointer: &str,
) -> Result<Option<(bool, &'a Value, String)>, ParseError> {
    match (map.get(yes), map.get(no)) {
        (Some(_), Some(_)) => Err(ParseError::at(pointer, format!("a statement cannot have both `{yes}` and `{no}`"))),
        (Some(v), None) => Ok(Some((false, v, format!("{pointer}/{yes}")))),
        (None, Some(v)) => Ok(Some((true, v, format!("{pointer}/{no}")))),
        (None, None) => Ok(None),
    }
}

fn block<T>(negated: bool, items: Vec<T>) -> Block<T> {
    if negated { Block::Not(items) } else { Block::Only(items) }
}

fn parse_statement(map: &Map<String, Value>, index: usize, pointer: String, variables: bool) -> Result<Statement, ParseError> {
    for key in map.keys() {
        if !matches!(
            key.as_str(),
            "Sid" | "Effect" | "Action" | "NotAction" | "Resource" | "NotResource" | "Principal" | "NotPrincipal" | "Condition"
        ) {
            return Err(ParseError::at(&format!("{pointer}/{}", esc(key)), format!("unknown element `{key}` in a statement")));
        }
    }
    let sid = match map.get("Sid") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(ParseError::at(&format!("{pointer}/Sid"), "`Sid` must be a string")),
    };
    let effect = match map.get("Effect") {
        Some(Value::String(e)) if e == "Allow" => Effect::Allow,
        Some(Value::String(e)) if e == "Deny" => Effect::Deny,
        Some(v) => {
            return Err(ParseError::at(
                &format!("{pointer}/Effect"),
                format!("`Effect` must be `Allow` or `Deny`, not `{}`", short(v)),
            ));
        }
        None => return Err(ParseError::at(&pointer, "the statement has no `Effect`")),
    };
    let action = match either(map, "Action", "NotAction", &pointer)? {
        Some((neg, v, p)) => {
            let items = strings(v, &p, "action")?;
            block(neg, items.iter().map(|a| ActionPattern::new(a)).collect())
        }
        None => {
            return Err(ParseError::at(&pointer, "the statement has neither `Action` nor `NotAction`"));
        }
    };
    let resource = match either(map, "Resource", "NotResource", &pointer)? {
        Some((neg, v, p)) => {
            let items = strings(v, &p, "resource")?;
            Some(block(neg, items.iter().map(|r| ResourcePattern::new(r, variables)).collect()))
        }
        None => None,
    };
    let principal = match either(map, "Principal", "NotPrincipal", &pointer)? {
        Some((neg, v, p)) => Some(block(neg, parse_principals(v, &p)?)),
        None => None,
    };
    let conditions = match map.get("Condition") {
        None => Vec::new(),
        Some(Value::Object(ops)) => parse_conditions(ops, &format!("{pointer}/Condition"), variables)?,
        Some(_) => {
            return Err(ParseError::at(&format!("{pointer}/Condition"), "`Condition` must be an object"));
        }
    };
    Ok(Statement { sid, index, pointer, effect, action, resource, principal, conditions })
}

fn parse_principals(v: &Value, pointer: &str) -> Result<Vec<Principal>, ParseError> {
    match v {
        Value::String(s) if s == "*" => Ok(vec![Principal::Any]),
        // AWS's grammar allows only `*` as a string; an ARN or account id given as a string is
        // read as `{"AWS": ...}` (as other tools do) rather than rejected: a policy AWS would
        // refuse never reaches an export, so this only matters for hand-written input.
        Value::String(s) => Ok(vec![Principal::Aws(s.clone())]),
        Value::Object(map) => {
            let mut out = Vec::new();
            for (kind, values) in map {
                let p = format!("{pointer}/{}", esc(kind));
                let make: fn(String) -> Principal = match kind.as_str() {
                    "AWS" => Principal::Aws,
                    "Service" => Principal::Service,
                    "Federated" => Principal::Federated,
                    "CanonicalUser" => Principal::CanonicalUser,
                    other => {
                        return Err(ParseError::at(&p, format!("unknown principal type `{other}`")));
                    }
                };
                out.extend(strings(values, &p, "principal")?.into_iter().map(make));
            }
            Ok(out)
        }
        _ => Err(ParseError::at(pointer, "a principal must be `*` or an object")),
    }
}

fn parse_conditions(ops: &Map<String, Value>, pointer: &str, variables: bool) -> Result<Vec<Condition>, ParseError> {
    let mut out = Vec::new();
    for (op_name, keys) in ops {
        let op_pointer = format!("{pointer}/{}", esc(op_name));
        let operator = Operator::parse(op_name);
        let Value::Object(keys) = keys else {
            return Err(ParseError::at(&op_pointer, format!("the operator `{op_name}` must map keys to values")));
        };
        let substitutes = variables && operator.base.is_some_and(|b| b.substitutes_variables());
        for (key, vals) in keys {
            let key_pointer = format!("{op_pointer}/{}", esc(key));
            let (items, values_as_array): (Vec<&Value>, bool) = match vals {
                Value::Array(a) => (a.iter().collect(), true),
                v => (vec![v], false),
            };
            let mut values = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let (text, kind) = match item {
                    Value::String(s) => (s.clone(), ValueKind::String),
                    Value::Number(n) => (n.to_string(), ValueKind::Number),
                    Value::Bool(b) => (b.to_string(), ValueKind::Bool),
                    _ => {
                        let p = if values_as_array { format!("{key_pointer}/{i}") } else { key_pointer.clone() };
                        return Err(ParseError::at(&p, "a condition value must be a string, a number or a boolean"));
                    }
                };
                let template = Template::parse(&text, substitutes);
                values.push(ConditionValue { text, kind, template });
            }
            out.push(Condition {
                operator: operator.clone(),
                key: key.clone(),
                key_lower: key.to_ascii_lowercase(),
                values,
                values_as_array,
                pointer: key_pointer,
            });
        }
    }
    Ok(out)
}
