//! The `BinaryEquals` operator: compares bytes, written base64-encoded in the policy and in the
//! request context.
//!
//! Both sides are decoded with the standard alphabet, padding optional, and the bytes compared.
//! A policy value that is not base64 cannot be evaluated; a context value that is not base64
//! matches nothing.

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use policy::Condition;

use super::Tri;

/// Standard base64, accepting values with or without padding.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Checks that every policy value is base64.
pub(super) fn check(cond: &Condition) -> Result<(), String> {
    match cond.values.iter().find(|v| BASE64.decode(&v.text).is_err()) {
        Some(v) => Err(format!("the value `{}` of `{}` on `{}` is not base64", v.text, cond.operator.raw, cond.key)),
        None => Ok(()),
    }
}

/// Whether the context value decodes to the same bytes as one of the policy values.
pub(super) fn equals(cond: &Condition, value: &str) -> Tri {
    let Ok(value) = BASE64.decode(value) else {
        return Tri::False;
    };
    Tri::any(cond.values.iter().map(|v| Tri::from(BASE64.decode(&v.text).is_ok_and(|p| p == value))))
}

#[cfg(test)]
mod tests {
    use super::super::Truth;
    use super::super::test_support::*;
    use serde_json::json;

    #[test]
    fn binary_equals() {
        // "QmluYXJ5VmFsdWVJbkJhc2U2NA==" is "BinaryValueInBase64".
        let p = json!("QmluYXJ5VmFsdWVJbkJhc2U2NA==");
        assert_eq!(eval("BinaryEquals", "key", p.clone(), &[("key", "QmluYXJ5VmFsdWVJbkJhc2U2NA==")]), Truth::True);
        // The same bytes without padding.
        assert_eq!(eval("BinaryEquals", "key", p.clone(), &[("key", "QmluYXJ5VmFsdWVJbkJhc2U2NA")]), Truth::True);
        assert_eq!(eval("BinaryEquals", "key", p.clone(), &[("key", "QmluYXJ5")]), Truth::False);
        // Not base64: no match.
        assert_eq!(eval("BinaryEquals", "key", p.clone(), &[("key", "***")]), Truth::False);
        assert_eq!(eval("BinaryEquals", "key", p.clone(), &[]), Truth::False);
        assert_eq!(eval("BinaryEqualsIfExists", "key", p.clone(), &[]), Truth::True);
        assert_eq!(eval("BinaryEquals", "key", json!(["AAAA", p]), &[("key", "AAAA")]), Truth::True);
    }

    #[test]
    fn malformed_policy_value() {
        let t = eval("BinaryEquals", "key", json!("not base64!"), &[("key", "AAAA")]);
        assert!(cne(&t, &["`not base64!`", "`BinaryEquals`", "`key`"]), "{t:?}");
    }
}
