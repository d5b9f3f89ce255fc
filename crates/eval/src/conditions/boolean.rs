//! The `Bool` operator: compares a key with `true` or `false`.
//!
//! Both the policy values and the context value are read case-insensitively (`True` is
//! `true`); JSON booleans in the policy are accepted as written. A policy value that is neither
//! cannot be evaluated; a context value that is neither matches nothing.

use policy::Condition;

use super::Tri;

/// Reads `true` or `false`, in any case.
pub(super) fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Checks that every policy value is a boolean.
pub(super) fn check(cond: &Condition) -> Result<(), String> {
    match cond.values.iter().find(|v| parse_bool(&v.text).is_none()) {
        Some(v) => Err(format!("the value `{}` of `{}` on `{}` is not `true` or `false`", v.text, cond.operator.raw, cond.key)),
        None => Ok(()),
    }
}

/// Whether the context value equals one of the policy values.
pub(super) fn equals(cond: &Condition, value: &str) -> Tri {
    let Some(value) = parse_bool(value) else {
        return Tri::False;
    };
    Tri::any(cond.values.iter().map(|v| Tri::from(parse_bool(&v.text) == Some(value))))
}

#[cfg(test)]
mod tests {
    use super::super::Truth;
    use super::super::test_support::*;
    use serde_json::json;

    #[test]
    fn bool_operator() {
        let e = |p: serde_json::Value, v: &str| eval("Bool", "aws:SecureTransport", p, &[("aws:securetransport", v)]);
        assert_eq!(e(json!(true), "true"), Truth::True);
        assert_eq!(e(json!("true"), "TRUE"), Truth::True);
        assert_eq!(e(json!("False"), "false"), Truth::True);
        assert_eq!(e(json!(false), "true"), Truth::False);
        assert_eq!(e(json!([true, false]), "false"), Truth::True);
        // A context value that is not a boolean matches nothing.
        assert_eq!(e(json!(true), "yes"), Truth::False);
        assert_eq!(e(json!(false), "yes"), Truth::False);
    }

    #[test]
    fn if_exists_absent_and_unknown() {
        assert_eq!(eval("Bool", "aws:MultiFactorAuthPresent", json!(true), &[]), Truth::False);
        assert_eq!(eval("BoolIfExists", "aws:MultiFactorAuthPresent", json!(false), &[]), Truth::True);
        assert_eq!(
            eval("BoolIfExists", "aws:MultiFactorAuthPresent", json!(false), &[("aws:multifactorauthpresent", "true")]),
            Truth::False
        );
        assert_eq!(eval_partial("BoolIfExists", "k", json!(false), &[]), Truth::Unknown);
    }

    #[test]
    fn malformed_policy_value() {
        let t = eval("Bool", "k", json!("yes"), &[("k", "true")]);
        assert!(cne(&t, &["`yes`", "`Bool`", "`k`"]), "{t:?}");
        let t = eval("Bool", "k", json!(1), &[]);
        assert!(cne(&t, &["`1`"]), "{t:?}");
    }
}
