//! The `Null` operator: whether a key is absent from the request.
//!
//! `"Null": {"k": "true"}` holds when `k` is absent (or has no value), `"false"` when it is
//! present (*Condition operators*, "Condition operator to check existence of condition keys").
//! A multi-valued key with no values counts as absent: the *Multivalued context key examples*
//! page says a `Null` check with `false` rejects "missing context keys or context keys with
//! empty values". `Null` takes no set qualifier and no `IfExists` (the docs: `IfExists` can be
//! added to "any condition operator except the `Null` condition"); both cannot be evaluated.

use policy::Condition;

use super::boolean::parse_bool;
use super::{Tri, Truth};
use crate::context::{Context, Lookup};

/// Evaluates a `Null` condition.
pub(super) fn evaluate(cond: &Condition, ctx: &Context) -> Truth {
    let op = &cond.operator;
    if op.qualifier.is_some() || op.if_exists {
        return Truth::CouldNotEvaluate(format!(
            "`{}` cannot be evaluated: `Null` tests whether a key is present and takes no set \
             qualifier or `IfExists`",
            op.raw
        ));
    }
    if let Some(v) = cond.values.iter().find(|v| parse_bool(&v.text).is_none()) {
        return Truth::CouldNotEvaluate(format!(
            "the value `{}` of `{}` on `{}` is not `true` or `false`",
            v.text, op.raw, cond.key
        ));
    }
    let is_null = match ctx.get(&cond.key_lower) {
        Lookup::Unknown => return Truth::Unknown,
        Lookup::Present(v) => v.as_slice().is_empty(),
        Lookup::Absent => true,
    };
    Tri::any(cond.values.iter().map(|v| Tri::from(parse_bool(&v.text) == Some(is_null)))).into()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::context::ContextValue;
    use serde_json::json;

    #[test]
    fn null_operator() {
        let k = "aws:TokenIssueTime";
        let present = [("aws:tokenissuetime", "2020-01-01T00:00:00Z")];
        assert_eq!(eval("Null", k, json!("true"), &[]), Truth::True);
        assert_eq!(eval("Null", k, json!(true), &present), Truth::False);
        assert_eq!(eval("Null", k, json!("false"), &present), Truth::True);
        assert_eq!(eval("Null", k, json!("FALSE"), &[]), Truth::False);
        assert_eq!(eval("Null", k, json!(["true", "false"]), &[]), Truth::True);
        assert_eq!(eval("Null", k, json!([]), &[]), Truth::False);
        // A present key with an empty value is present.
        assert_eq!(eval("Null", "k", json!("false"), &[("k", "")]), Truth::True);
        // Multi-valued.
        assert_eq!(eval("Null", "k", json!("false"), &[("k", "a|b")]), Truth::True);
        let mut empty = Context::new();
        empty.insert("k", ContextValue::Many(vec![]));
        assert_eq!(evaluate(&cond("Null", "k", json!("true")), &empty), Truth::True);
        assert_eq!(evaluate(&cond("Null", "k", json!("false")), &empty), Truth::False);
    }

    #[test]
    fn unknown() {
        assert_eq!(eval_partial("Null", "k", json!("true"), &[]), Truth::Unknown);
        assert_eq!(eval_partial("Null", "k", json!("true"), &[("k", "x")]), Truth::False);
    }

    #[test]
    fn could_not_evaluate() {
        let t = eval("Null", "k", json!("maybe"), &[]);
        assert!(cne(&t, &["`maybe`", "`Null`", "`k`"]), "{t:?}");
        for op in ["ForAllValues:Null", "ForAnyValue:Null"] {
            let t = eval(op, "k", json!("true"), &[]);
            assert!(cne(&t, &[&format!("`{op}`")]), "{t:?}");
        }
        // `NullIfExists` is not parsed as `Null`.
        let t = eval("NullIfExists", "k", json!("true"), &[]);
        assert!(cne(&t, &["`NullIfExists`"]), "{t:?}");
    }
}
