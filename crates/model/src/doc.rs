//! A policy document as found in an export: the raw JSON kept verbatim (compacted) for display
//! and evidence, the parsed AST for evaluation, or the reason it could not be parsed. A document
//! that fails to parse is kept, never dropped: the evaluator must know it exists.
//!
//! Documents are cheap to clone (reference-counted), so a document shared by many principals
//! (a managed policy, or identical trust policies) is parsed and stored once.

use std::fmt;
use std::sync::Arc;

use policy::Policy;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

/// A policy document: raw JSON, and its parsed form or the parse error.
#[derive(Clone)]
pub struct PolicyDoc {
    raw: Arc<RawValue>,
    policy: Option<Arc<Policy>>,
    error: Option<Arc<str>>,
    url_encoded: bool,
}

impl PolicyDoc {
    /// From the text of a JSON value as found in an export: an object, or a string holding the
    /// (URL-encoded) document, as the raw IAM API returns it.
    pub fn from_json_text(text: &str) -> PolicyDoc {
        let trimmed = text.trim_start();
        if trimmed.starts_with('"') {
            match serde_json::from_str::<String>(trimmed) {
                Ok(s) => PolicyDoc::from_policy_text(&s),
                Err(e) => PolicyDoc::invalid_text(text, format!("policy is not valid JSON: {e}")),
            }
        } else {
            match serde_json::from_str::<Value>(trimmed) {
                Ok(v) => PolicyDoc::from_parsed_value(v, false),
                Err(e) => PolicyDoc::invalid_text(text, format!("policy is not valid JSON: {e}")),
            }
        }
    }

    /// From a JSON value: an object, or a string holding the (URL-encoded) document.
    pub fn from_value(value: &Value) -> PolicyDoc {
        match value {
            Value::String(s) => PolicyDoc::from_policy_text(s),
            other => PolicyDoc::from_parsed_value(other.clone(), false),
        }
    }

    /// From the text of a policy: JSON, or URL-encoded JSON (as in the `Content` of an
    /// Organizations policy, or a document the IAM API returns encoded).
    pub fn from_policy_text(text: &str) -> PolicyDoc {
        let trimmed = text.trim_start();
        let (json, encoded) = if trimmed.starts_with('{') {
            (std::borrow::Cow::Borrowed(trimmed), false)
        } else {
            // RFC 3986 percent-encoding, as IAM returns documents: `+` is a literal plus.
            match percent_encoding::percent_decode_str(trimmed).decode_utf8() {
                Ok(d) => (d, true),
                Err(e) => {
                    return PolicyDoc::invalid_string(text, format!("URL-encoded policy is not UTF-8: {e}"));
                }
            }
        };
        match serde_json::from_str::<Value>(&json) {
            Ok(v) => PolicyDoc::from_parsed_value(v, encoded),
            Err(e) => PolicyDoc::invalid_string(text, format!("policy is not valid JSON: {e}")),
        }
    }

    fn from_parsed_value(value: Value, url_encoded: bool) -> PolicyDoc {
        let (policy, error) = match Policy::from_json(&value) {
            Ok(p) => (Some(Arc::new(p)), None),
            Err(e) => (None, Some(Arc::from(e.to_string()))),
        };
        PolicyDoc { raw: raw_of(&value), policy, error, url_encoded }
    }

    /// A document kept as the JSON string it was given in, with an error.
    fn invalid_string(text: &str, error: String) -> PolicyDoc {
        PolicyDoc {
            raw: raw_of(&Value::String(text.to_owned())),
            policy: None,
            error: Some(Arc::from(error)),
            url_encoded: false,
        }
    }

    /// A document whose text is not JSON: kept as a JSON string of that text.
    fn invalid_text(text: &str, error: String) -> PolicyDoc {
        PolicyDoc::invalid_string(text, error)
    }

    /// The document as compact JSON (decoded when the export had it URL-encoded).
    pub fn json(&self) -> &str {
        self.raw.get()
    }

    /// The document as a raw JSON value.
    pub fn raw(&self) -> &RawValue {
        &self.raw
    }

    /// The document as a JSON value (parsed on each call).
    pub fn to_value(&self) -> Value {
        serde_json::from_str(self.raw.get()).unwrap_or(Value::Null)
    }

    /// The parsed policy, if the document is valid.
    pub fn policy(&self) -> Option<&Policy> {
        self.policy.as_deref()
    }

    /// The parsed policy, shared.
    pub fn policy_arc(&self) -> Option<&Arc<Policy>> {
        self.policy.as_ref()
    }

    /// Why the document could not be parsed.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Whether the export had the document URL-encoded.
    pub fn was_url_encoded(&self) -> bool {
        self.url_encoded
    }

    /// Whether `self` and `other` share the same storage (parsed once).
    pub fn shares_storage_with(&self, other: &PolicyDoc) -> bool {
        Arc::ptr_eq(&self.raw, &other.raw)
    }
}

/// Compact JSON of a value as a raw value. Serialising a `Value` cannot fail, and its output
/// is always valid JSON; the fallback keeps the function total.
fn raw_of(value: &Value) -> Arc<RawValue> {
    let text = serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned());
    match RawValue::from_string(text) {
        Ok(r) => Arc::from(r),
        Err(_) => Arc::from(RawValue::NULL.to_owned()),
    }
}

impl fmt::Debug for PolicyDoc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PolicyDoc")
            .field("json", &self.raw.get())
            .field("valid", &self.policy.is_some())
            .field("error", &self.error)
            .finish()
    }
}

impl PartialEq for PolicyDoc {
    fn eq(&self, other: &Self) -> bool {
        self.raw.get() == other.raw.get()
    }
}

/// Serialised as the document itself; read back by parsing it again.
impl Serialize for PolicyDoc {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (*self.raw).serialize(s)
    }
}

impl<'de> Deserialize<'de> for PolicyDoc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<PolicyDoc, D::Error> {
        let raw = Box::<RawValue>::deserialize(d)?;
        Ok(PolicyDoc::from_json_text(raw.get()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::a+b/*"}]}"#;

    #[test]
    fn object_and_url_encoded_string_give_the_same_document() {
        let obj = PolicyDoc::from_json_text(DOC);
        assert!(obj.policy().is_some());
        assert!(!obj.was_url_encoded());
        let encoded: String = percent_encoding::utf8_percent_encode(DOC, percent_encoding::NON_ALPHANUMERIC).to_string();
        let enc = PolicyDoc::from_json_text(&serde_json::to_string(&encoded).unwrap());
        assert!(enc.was_url_encoded());
        assert_eq!(enc.json(), obj.json());
        // `+` stays a plus (RFC 3986), it is not a space.
        assert!(enc.json().contains("a+b/*"), "{}", enc.json());
        assert_eq!(enc.policy(), obj.policy());
    }

    #[test]
    fn invalid_documents_are_kept_with_their_error() {
        let d =
            PolicyDoc::from_json_text(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}"#);
        assert!(d.policy().is_none());
        let e = d.error().unwrap();
        assert!(e.contains("/Statement/0/Effect"), "{e}");
        assert!(d.json().contains("Maybe"));

        let d = PolicyDoc::from_json_text(r#""%7B%22Version%22""#);
        assert!(d.policy().is_none());
        assert!(d.error().unwrap().contains("not valid JSON"));
        assert_eq!(d.json(), r#""%7B%22Version%22""#);

        let d = PolicyDoc::from_json_text("[1,2]");
        assert!(d.error().unwrap().contains("JSON object"), "{:?}", d.error());
    }

    #[test]
    fn serialises_as_the_document_and_reads_back() {
        let d = PolicyDoc::from_json_text(DOC);
        let s = serde_json::to_string(&d).unwrap();
        assert_eq!(s, DOC);
        let back: PolicyDoc = serde_json::from_str(&s).unwrap();
        assert_eq!(back, d);
        assert!(back.policy().is_some());
        let clone = d.clone();
        assert!(clone.shares_storage_with(&d));
    }
}
