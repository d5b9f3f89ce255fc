//! ARN operators: `ArnEquals`, `ArnLike` and their negations (applied by the caller).
//!
//! AWS describes `ArnEquals` and `ArnLike` alike: a case-sensitive match where "each of the six
//! colon-delimited components of the ARN is checked separately and each can include
//! multi-character match wildcards (*) or single-character match wildcards (?)" (*Condition
//! operators*, ARN condition operators). So a wildcard never spans a `:` between the first five
//! components, while the sixth (the resource, which may itself hold `:`) is matched whole.
//!
//! A policy value that does not have six components is not an ARN and cannot be evaluated,
//! except a value made only of `*`, which matches every value. A context value that is not an
//! ARN matches no pattern (other than such a `*`). Policy variables are substituted (a
//! substituted ARN supplies its own components).

use policy::Condition;
use policy::wildcard::Tok;

use super::Tri;
use super::string::{glob, glob_toks, resolved};
use crate::context::Context;

/// Checks that every policy value without variables is ARN-shaped.
pub(super) fn check(cond: &Condition) -> Result<(), String> {
    for v in &cond.values {
        if let Some(text) = v.template.as_plain()
            && !all_stars(text)
            && text.split(':').count() < 6
        {
            return Err(format!(
                "the value `{text}` of `{}` on `{}` is not an ARN \
                 (`arn:partition:service:region:account:resource`)",
                cond.operator.raw, cond.key
            ));
        }
    }
    Ok(())
}

/// Whether `value` matches one of the policy ARN patterns.
pub(super) fn like(cond: &Condition, value: &str, ctx: &Context) -> Tri {
    Tri::any(cond.values.iter().map(|v| match v.template.as_plain() {
        Some(text) => Tri::from(arn_matches(text, value)),
        None => resolved(v, true, ctx, |p| arn_matches_toks(p.toks(), value)),
    }))
}

fn all_stars(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b == b'*')
}

/// Matches a plain pattern against an ARN, component by component, without allocating.
fn arn_matches(pattern: &str, value: &str) -> bool {
    if all_stars(pattern) {
        return true;
    }
    let mut ps = pattern.splitn(6, ':');
    let mut vs = value.splitn(6, ':');
    for _ in 0..6 {
        match (ps.next(), vs.next()) {
            (Some(p), Some(v)) if glob(p, v) => {}
            _ => return false,
        }
    }
    true
}

/// Matches a resolved pattern against an ARN, component by component.
fn arn_matches_toks(pattern: &[Tok], value: &str) -> bool {
    if !pattern.is_empty() && pattern.iter().all(|t| *t == Tok::Star) {
        return true;
    }
    let mut ps = pattern.splitn(6, |t| *t == Tok::Byte(b':'));
    let mut vs = value.splitn(6, ':');
    for _ in 0..6 {
        match (ps.next(), vs.next()) {
            (Some(p), Some(v)) if glob_toks(p, v) => {}
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::super::Truth;
    use super::super::test_support::*;
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    const ROLE: &str = "arn:aws:iam::123456789012:role/path/name";

    #[test]
    fn arn_equals_and_like_match_by_component() {
        for op in ["ArnEquals", "ArnLike"] {
            let e = |p: &str, v: &str| eval(op, "aws:PrincipalArn", json!(p), &[("aws:principalarn", v)]);
            assert_eq!(e(ROLE, ROLE), Truth::True, "{op}");
            assert_eq!(e("arn:aws:iam::*:role/*", ROLE), Truth::True, "{op}");
            assert_eq!(e("arn:aws:iam::123456789012:role/path/*", ROLE), Truth::True, "{op}");
            assert_eq!(e("arn:aws:iam::123456789012:user/*", ROLE), Truth::False, "{op}");
            assert_eq!(e("arn:aws:iam::12345678901?:role/*", ROLE), Truth::True, "{op}");
            // A wildcard does not span components.
            assert_eq!(
                e("arn:aws:iam:*:role/path/name", ROLE),
                Truth::CouldNotEvaluate(format!(
                    "the value `arn:aws:iam:*:role/path/name` of `{op}` on `aws:PrincipalArn` is not an ARN \
                 (`arn:partition:service:region:account:resource`)"
                ))
            );
            assert_eq!(e("arn:aws:*::*:role/x", "arn:aws:a:b::c:role/x"), Truth::False, "{op}");
            assert_eq!(e("arn:aws:*:*:*:*", "arn:aws:a:b::c:role/x"), Truth::True, "{op}");
            // The resource component may hold `:`.
            assert_eq!(e("arn:aws:logs:*:*:log-group:*", "arn:aws:logs:us-east-1:1:log-group:a:b"), Truth::True);
            // Case-sensitive.
            assert_eq!(e("arn:aws:iam::123456789012:role/PATH/*", ROLE), Truth::False, "{op}");
            // `*` alone matches anything; a context value that is not an ARN matches no ARN.
            assert_eq!(e("*", "whatever"), Truth::True, "{op}");
            assert_eq!(e("arn:aws:iam::*:*", "not-an-arn"), Truth::False, "{op}");
        }
    }

    #[test]
    fn negated() {
        let e = |op: &str, p: serde_json::Value| eval(op, "k", p, &[("k", ROLE)]);
        assert_eq!(e("ArnNotLike", json!("arn:aws:iam::*:role/*")), Truth::False);
        assert_eq!(e("ArnNotLike", json!(["arn:aws:iam::*:user/*", "arn:aws:s3:::*"])), Truth::True);
        assert_eq!(e("ArnNotEquals", json!(ROLE)), Truth::False);
        assert_eq!(eval("ArnNotEquals", "k", json!(ROLE), &[]), Truth::True);
        assert_eq!(eval("ArnNotLikeIfExists", "k", json!(ROLE), &[]), Truth::True);
    }

    #[test]
    fn variables() {
        let pairs = [("aws:principalaccount", "123456789012"), ("k", ROLE), ("aws:username", "a:b")];
        assert_eq!(eval("ArnLike", "k", json!("arn:aws:iam::${aws:PrincipalAccount}:role/*"), &pairs), Truth::True);
        assert_eq!(eval("ArnLike", "k", json!("arn:aws:iam::${aws:PrincipalAccount}:user/*"), &pairs), Truth::False);
        // A whole ARN substituted supplies its components.
        let whole = [("aws:principalarn", ROLE), ("k", ROLE)];
        assert_eq!(eval("ArnEquals", "k", json!("${aws:PrincipalArn}"), &whole), Truth::True);
        // Missing: matches nothing; unknown: unknown.
        assert_eq!(eval("ArnLike", "k", json!("arn:aws:iam::${aws:missing}:role/*"), &pairs), Truth::False);
        assert_eq!(eval("ArnNotLike", "k", json!("arn:aws:iam::${aws:missing}:role/*"), &pairs), Truth::True);
        assert_eq!(eval_partial("ArnLike", "k", json!("arn:aws:iam::${aws:missing}:role/*"), &[("k", ROLE)]), Truth::Unknown);
        // Not checked for shape before substitution; a short result matches nothing.
        assert_eq!(eval("ArnLike", "k", json!("${aws:username}"), &pairs), Truth::False);
    }

    #[test]
    fn set_qualifiers() {
        let pairs = [("k", "arn:aws:iam::1:role/a|arn:aws:iam::2:role/b")];
        assert_eq!(eval("ForAllValues:ArnLike", "k", json!("arn:aws:iam::*:role/*"), &pairs), Truth::True);
        assert_eq!(eval("ForAllValues:ArnLike", "k", json!("arn:aws:iam::1:role/*"), &pairs), Truth::False);
        assert_eq!(eval("ForAnyValue:ArnLike", "k", json!("arn:aws:iam::1:role/*"), &pairs), Truth::True);
        assert_eq!(eval("ForAnyValue:ArnNotLike", "k", json!("arn:aws:iam::*:role/*"), &pairs), Truth::False);
    }

    #[test]
    fn malformed_policy_value() {
        let t = eval("ArnLike", "k", json!("role/x"), &[]);
        assert!(cne(&t, &["`role/x`", "`ArnLike`", "`k`"]), "{t:?}");
    }

    proptest! {
        #[test]
        fn plain_and_resolved_agree(p in "arn(:[a*?]{0,2}){5}[:a*?]{0,3}", v in "arn(:[a]{0,2}){5}[:a]{0,3}") {
            let compiled = policy::Pattern::new(&p);
            prop_assert_eq!(arn_matches(&p, &v), arn_matches_toks(compiled.toks(), &v));
        }
    }
}
