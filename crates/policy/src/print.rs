//! From the AST back to JSON, such that parsing the printed document gives the same AST.

use serde_json::{Map, Value, json};

use crate::ast::*;

fn list(items: Vec<Value>) -> Value {
    if items.len() == 1 { items.into_iter().next().unwrap_or(Value::Null) } else { Value::Array(items) }
}

impl Policy {
    /// The policy as a JSON document.
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        if let Some(v) = self.version {
            map.insert("Version".into(), json!(v.as_str()));
        }
        if let Some(id) = &self.id {
            map.insert("Id".into(), json!(id));
        }
        let statements: Vec<Value> = self.statements.iter().map(Statement::to_json).collect();
        let statement = match (self.single_statement, statements.as_slice()) {
            (true, [one]) => one.clone(),
            _ => Value::Array(statements),
        };
        map.insert("Statement".into(), statement);
        Value::Object(map)
    }
}

impl Statement {
    /// The statement as a JSON object.
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        if let Some(sid) = &self.sid {
            map.insert("Sid".into(), json!(sid));
        }
        map.insert("Effect".into(), json!(self.effect.as_str()));
        let name = if self.action.is_not() { "NotAction" } else { "Action" };
        map.insert(name.into(), list(self.action.items().iter().map(|a| json!(a.raw)).collect()));
        if let Some(r) = &self.resource {
            let name = if r.is_not() { "NotResource" } else { "Resource" };
            map.insert(name.into(), list(r.items().iter().map(|r| json!(r.raw)).collect()));
        }
        if let Some(p) = &self.principal {
            let name = if p.is_not() { "NotPrincipal" } else { "Principal" };
            map.insert(name.into(), principals_to_json(p.items()));
        }
        if !self.conditions.is_empty() {
            let mut ops: Map<String, Value> = Map::new();
            for c in &self.conditions {
                let entry = ops.entry(c.operator.raw.clone()).or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(keys) = entry {
                    let values: Vec<Value> = c.values.iter().map(value_to_json).collect();
                    let v = if c.values_as_array { Value::Array(values) } else { list(values) };
                    keys.insert(c.key.clone(), v);
                }
            }
            map.insert("Condition".into(), Value::Object(ops));
        }
        Value::Object(map)
    }
}

fn value_to_json(v: &ConditionValue) -> Value {
    match v.kind {
        ValueKind::String => json!(v.text),
        ValueKind::Bool => json!(v.text == "true"),
        ValueKind::Number => serde_json::from_str::<serde_json::Number>(&v.text).map_or_else(|_| json!(v.text), Value::Number),
    }
}

fn principals_to_json(items: &[Principal]) -> Value {
    if items == [Principal::Any] {
        return json!("*");
    }
    let mut map: Map<String, Value> = Map::new();
    for p in items {
        let kind = p.kind();
        let entry = map.entry(kind.to_owned()).or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(a) = entry {
            a.push(json!(p.value()));
        }
    }
    for v in map.values_mut() {
        if let Value::Array(a) = v
            && a.len() == 1
        {
            *v = a.pop().unwrap_or(Value::Null);
        }
    }
    Value::Object(map)
}
