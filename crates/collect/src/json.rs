//! SDK outputs → the JSON the AWS CLI prints. The SDK's types do not implement `Serialize`, so
//! each shape is written out field by field (PascalCase keys as in the CLI, camelCase for ECS);
//! this module holds what every shape shares: optional values, RFC 3339 dates, and policy
//! documents decoded from the URL-encoded text the IAM API returns.

use aws_sdk_iam::primitives::{DateTime, DateTimeFormat};
use serde_json::{Map, Value};

/// A value that becomes JSON, or nothing (`Null`, left out of objects).
pub trait ToJson {
    fn to_json(&self) -> Value;
}

impl ToJson for str {
    fn to_json(&self) -> Value {
        Value::String(self.to_owned())
    }
}

impl ToJson for String {
    fn to_json(&self) -> Value {
        Value::String(self.clone())
    }
}

impl ToJson for i32 {
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
}

impl ToJson for i64 {
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
}

impl ToJson for bool {
    fn to_json(&self) -> Value {
        Value::Bool(*self)
    }
}

impl ToJson for DateTime {
    /// RFC 3339 (`2026-11-25T14:00:00Z`), as the CLI prints dates.
    fn to_json(&self) -> Value {
        self.fmt(DateTimeFormat::DateTime).map_or(Value::Null, Value::String)
    }
}

impl ToJson for Value {
    fn to_json(&self) -> Value {
        self.clone()
    }
}

impl<T: ToJson + ?Sized> ToJson for &T {
    fn to_json(&self) -> Value {
        (**self).to_json()
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn to_json(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToJson::to_json)
    }
}

impl<T: ToJson> ToJson for [T] {
    fn to_json(&self) -> Value {
        Value::Array(self.iter().map(ToJson::to_json).collect())
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn to_json(&self) -> Value {
        self.as_slice().to_json()
    }
}

/// An object of the fields that are not `Null`.
pub fn object(fields: Vec<(&str, Value)>) -> Value {
    let mut map = Map::new();
    for (k, v) in fields {
        if !v.is_null() {
            map.insert(k.to_owned(), v);
        }
    }
    Value::Object(map)
}

/// `obj! { "Key" => value, ... }`: an object of the values that are present.
macro_rules! obj {
    ($($key:literal => $value:expr),* $(,)?) => {
        $crate::json::object(vec![$(($key, $crate::json::ToJson::to_json(&$value))),*])
    };
}
pub(crate) use obj;

/// A policy document as the CLI prints it: the IAM API returns it URL-encoded; decoded and
/// parsed it becomes a JSON object. Text that is already JSON stays as it is; text that is
/// neither is kept as a string, which the reader URL-decodes itself (and reports if invalid).
pub fn policy_document(text: &str) -> Value {
    if let Ok(v) = serde_json::from_str::<Value>(text)
        && v.is_object()
    {
        return v;
    }
    let decoded = percent_encoding::percent_decode_str(text).decode_utf8_lossy();
    match serde_json::from_str::<Value>(&decoded) {
        Ok(v) if v.is_object() => v,
        _ => Value::String(text.to_owned()),
    }
}

/// A policy document field: `Some(text)` → the document, else nothing.
pub fn document(text: Option<&str>) -> Value {
    text.map_or(Value::Null, policy_document)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_decoded_like_the_cli_prints_them() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
        assert_eq!(policy_document(encoded), serde_json::json!({"Version": "2012-10-17", "Statement": []}));
        let plain = r#"{"Version":"2012-10-17","Statement":[]}"#;
        assert_eq!(policy_document(plain)["Version"], "2012-10-17");
        // Neither JSON nor URL-encoded JSON: kept for the reader to report.
        assert_eq!(policy_document("%7Bnot"), Value::String("%7Bnot".to_owned()));
    }

    #[test]
    fn objects_leave_out_absent_fields_and_format_dates() {
        let none: Option<&str> = None;
        let date = DateTime::from_secs(1_700_000_000);
        let v = obj! { "A" => "x", "B" => none, "C" => Some(3), "D" => date };
        assert_eq!(v, serde_json::json!({"A": "x", "C": 3, "D": "2023-11-14T22:13:20Z"}));
    }
}
