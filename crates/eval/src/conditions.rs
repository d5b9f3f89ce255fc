//! Condition operators: whether one condition (an operator, a key and its values) holds for a
//! request context.
//!
//! This module owns what every operator shares: looking the key up, the missing-key rules,
//! `...IfExists`, the set qualifiers `ForAllValues:` / `ForAnyValue:`, the OR over policy values
//! (NOR for negated operators), and three-valued logic for partial evaluation. Each operator
//! family compares one context value with the policy values in its own submodule, with its own
//! tests: `string`, `numeric`, `date`, `boolean`, `binary`, `ip`, `arn`, and `null` (which
//! tests presence only).
//!
//! The semantics follow AWS's *IAM JSON policy elements: Condition operators*
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>),
//! *Conditions with multiple context keys or values*
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html>)
//! and *Single-valued vs. multivalued context keys*
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>):
//!
//! - Several policy values for one key are ORed; for a negated operator (`StringNotEquals`,
//!   `NotIpAddress`, ...) they are NORed: the context value must match none of them.
//! - A key absent from the request makes a condition false, except that a negated operator is
//!   then true ("If the policy condition requires that the key is *not* matched, such as
//!   `StringNotLike` or `ArnNotLike`, and the right key is not present, the condition is *true*",
//!   Condition operators page), and `...IfExists` is true.
//! - `ForAllValues:` holds when every context value matches, and also when the key is absent
//!   ("also returns true if there are no context keys in the request", multivalued page);
//!   `ForAnyValue:` holds when at least one matches, so never for an absent key.
//!
//! Choices where the documentation is silent, each recorded where it is made:
//!
//! - A multi-valued key with no values is treated as absent, for every operator (the *Multivalued
//!   context key examples* page groups "missing context keys or context keys with empty values"
//!   together, and says a `Null` check with `false` rejects both).
//! - With a set qualifier, a negated operator is applied to each context value (NOR over the
//!   policy values), and the qualifier quantifies over the context values; an absent key follows
//!   the qualifier (`ForAllValues:` true, `ForAnyValue:` false), not the negated-operator rule.
//! - An operator without qualifier against a context key with two or more values cannot be
//!   evaluated: the docs say only that "multivalued context keys require a condition set
//!   operator" (multivalued page), not what happens without one. A multi-valued key with exactly
//!   one value is read as that value.
//! - A context value that cannot be read for the operator (an `aws:SourceIp` of `garbage`, a
//!   date that is not a date) equals no policy value, so positive operators are false for it and
//!   negated ones true: `X` and `NotX` stay complements.
//!
//! Speed: evaluation allocates nothing for operators whose policy values have no policy
//! variables; numbers, dates and addresses are parsed on each call.

mod arn;
mod binary;
mod boolean;
mod date;
mod ip;
mod null;
mod numeric;
mod string;

use policy::{BaseOperator, Condition, Operator, SetQualifier, VarValue};

use crate::context::{Context, ContextValue, Lookup};

/// Whether a condition holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Truth {
    True,
    False,
    /// Depends on a key whose value is unknown (partial evaluation only).
    Unknown,
    /// Cannot be evaluated (an operator the engine does not know, a malformed value): the reason.
    CouldNotEvaluate(String),
}

/// Evaluates one condition (operator, key, values) against the context.
///
/// Never panics. A condition the engine cannot evaluate (an operator AWS does not document, a
/// policy value that is not valid for its operator, a set qualifier on `Null`) gives
/// [`Truth::CouldNotEvaluate`] with the reason, whatever the context; a key (or a policy
/// variable) the context says is unknown gives [`Truth::Unknown`] unless the answer does not
/// depend on it.
pub fn evaluate_condition(cond: &Condition, ctx: &Context) -> Truth {
    let op = &cond.operator;
    let Some(base) = op.base else {
        return Truth::CouldNotEvaluate(unknown_operator(op));
    };
    if base == BaseOperator::Null {
        return null::evaluate(cond, ctx);
    }
    if let Err(reason) = check_values(base, cond) {
        return Truth::CouldNotEvaluate(reason);
    }
    let values: &[String] = match ctx.get(&cond.key_lower) {
        Lookup::Unknown => return Truth::Unknown,
        Lookup::Present(v) if !v.as_slice().is_empty() => v.as_slice(),
        Lookup::Present(_) | Lookup::Absent => return when_absent(op, base),
    };
    let negated = base.is_negated();
    let test = |value: &str| {
        let any = matches_any(base, cond, value, ctx);
        if negated { any.not() } else { any }
    };
    match (op.qualifier, values) {
        (Some(SetQualifier::ForAnyValue), _) => Tri::any(values.iter().map(|v| test(v))).into(),
        (Some(SetQualifier::ForAllValues), _) => Tri::all(values.iter().map(|v| test(v))).into(),
        (None, [one]) => test(one).into(),
        (None, _) => Truth::CouldNotEvaluate(format!(
            "`{}` has no `ForAnyValue:` or `ForAllValues:` qualifier but the key `{}` has {} values \
             in the request, and AWS documents only that multivalued keys need one",
            op.raw,
            cond.key,
            values.len()
        )),
    }
}

/// The outcome when the key is absent (or has no values).
fn when_absent(op: &Operator, base: BaseOperator) -> Truth {
    // `...IfExists`: "If the key is not present, evaluate the condition element as true."
    if op.if_exists {
        return Truth::True;
    }
    match op.qualifier {
        // "The ForAllValues set operator also returns true if there are no context keys in the
        // request" (multivalued context key examples).
        Some(SetQualifier::ForAllValues) => Truth::True,
        // At least one value must match; there is none.
        Some(SetQualifier::ForAnyValue) => Truth::False,
        // Positive operators do not match a missing key; negated ones hold (Condition operators
        // page, "Important" note).
        None => Tri::from(base.is_negated()).into(),
    }
}

/// Checks the policy values for the operator, so that a malformed one is reported whatever the
/// request.
fn check_values(base: BaseOperator, cond: &Condition) -> Result<(), String> {
    use BaseOperator::*;
    match base {
        NumericEquals
        | NumericNotEquals
        | NumericLessThan
        | NumericLessThanEquals
        | NumericGreaterThan
        | NumericGreaterThanEquals => numeric::check(cond),
        DateEquals | DateNotEquals | DateLessThan | DateLessThanEquals | DateGreaterThan | DateGreaterThanEquals => {
            date::check(cond)
        }
        Bool => boolean::check(cond),
        BinaryEquals => binary::check(cond),
        IpAddress | NotIpAddress => ip::check(cond),
        ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => arn::check(cond),
        StringEquals
        | StringNotEquals
        | StringEqualsIgnoreCase
        | StringNotEqualsIgnoreCase
        | StringLike
        | StringNotLike
        | Null => Ok(()),
    }
}

/// Whether the context value matches at least one policy value, in the positive sense of the
/// operator (`NotIpAddress` asks whether the address is in one of the ranges).
fn matches_any(base: BaseOperator, cond: &Condition, value: &str, ctx: &Context) -> Tri {
    use BaseOperator::*;
    match base {
        StringEquals | StringNotEquals => string::equals(cond, value, ctx, false),
        StringEqualsIgnoreCase | StringNotEqualsIgnoreCase => string::equals(cond, value, ctx, true),
        StringLike | StringNotLike => string::like(cond, value, ctx),
        NumericEquals | NumericNotEquals => numeric::compare(cond, value, numeric::Cmp::Eq),
        NumericLessThan => numeric::compare(cond, value, numeric::Cmp::Lt),
        NumericLessThanEquals => numeric::compare(cond, value, numeric::Cmp::Le),
        NumericGreaterThan => numeric::compare(cond, value, numeric::Cmp::Gt),
        NumericGreaterThanEquals => numeric::compare(cond, value, numeric::Cmp::Ge),
        DateEquals | DateNotEquals => date::compare(cond, value, numeric::Cmp::Eq),
        DateLessThan => date::compare(cond, value, numeric::Cmp::Lt),
        DateLessThanEquals => date::compare(cond, value, numeric::Cmp::Le),
        DateGreaterThan => date::compare(cond, value, numeric::Cmp::Gt),
        DateGreaterThanEquals => date::compare(cond, value, numeric::Cmp::Ge),
        Bool => boolean::equals(cond, value),
        BinaryEquals => binary::equals(cond, value),
        IpAddress | NotIpAddress => ip::in_any(cond, value),
        ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => arn::like(cond, value, ctx),
        // Handled before any value is compared.
        Null => Tri::False,
    }
}

/// The reason for an operator without a base: one AWS does not document, or `NullIfExists`.
fn unknown_operator(op: &Operator) -> String {
    if op.raw.ends_with("NullIfExists") {
        format!("`{}` cannot be evaluated: `IfExists` cannot be added to `Null`", op.raw)
    } else {
        format!("`{}` is not a condition operator that AWS documents", op.raw)
    }
}

/// What a policy variable resolves to. Keys are case-insensitive; a multi-valued key cannot be
/// a policy variable ("you cannot use a multivalued context key as a policy variable",
/// multivalued page), so it reads as missing.
fn var_value<'a>(ctx: &'a Context, key: &str) -> VarValue<'a> {
    let lookup = if key.bytes().any(|b| b.is_ascii_uppercase()) { ctx.get_any_case(key) } else { ctx.get(key) };
    match lookup {
        Lookup::Present(ContextValue::One(v)) => VarValue::Known(v),
        Lookup::Present(ContextValue::Many(_)) | Lookup::Absent => VarValue::Missing,
        Lookup::Unknown => VarValue::Unknown,
    }
}

/// Three-valued logic for one comparison or a combination of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tri {
    True,
    False,
    Unknown,
}

impl Tri {
    fn not(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        }
    }

    /// True if any is true, else unknown if any is unknown, else false (so false when empty).
    fn any(items: impl IntoIterator<Item = Tri>) -> Tri {
        let mut out = Tri::False;
        for t in items {
            match t {
                Tri::True => return Tri::True,
                Tri::Unknown => out = Tri::Unknown,
                Tri::False => {}
            }
        }
        out
    }

    /// False if any is false, else unknown if any is unknown, else true (so true when empty).
    fn all(items: impl IntoIterator<Item = Tri>) -> Tri {
        Tri::any(items.into_iter().map(Tri::not)).not()
    }
}

impl From<bool> for Tri {
    fn from(b: bool) -> Tri {
        if b { Tri::True } else { Tri::False }
    }
}

impl From<Tri> for Truth {
    fn from(t: Tri) -> Truth {
        match t {
            Tri::True => Truth::True,
            Tri::False => Truth::False,
            Tri::Unknown => Truth::Unknown,
        }
    }
}

/// Helpers for the tests of every operator family.
#[cfg(test)]
mod test_support {
    use super::*;
    use crate::context::Unknowns;

    /// The single condition of a 2012-10-17 policy with `{op: {key: values}}`.
    pub(super) fn cond(op: &str, key: &str, values: serde_json::Value) -> Condition {
        let policy = policy::Policy::from_json(&serde_json::json!({
            "Version": "2012-10-17",
            "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*",
                          "Condition": {op: {key: values}}}
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        policy.statements[0].conditions[0].clone()
    }

    /// A concrete context from `(key, value)` pairs; a value `a|b|c` is multi-valued.
    pub(super) fn ctx(pairs: &[(&str, &str)]) -> Context {
        let mut c = Context::new();
        for (k, v) in pairs {
            if v.contains('|') {
                c.insert(k, ContextValue::Many(v.split('|').map(str::to_owned).collect()));
            } else {
                c.set(k, *v);
            }
        }
        c
    }

    /// Evaluates `{op: {key: values}}` against the pairs.
    pub(super) fn eval(op: &str, key: &str, values: serde_json::Value, pairs: &[(&str, &str)]) -> Truth {
        evaluate_condition(&cond(op, key, values), &ctx(pairs))
    }

    /// Like [`eval`] but every key the pairs do not set is unknown.
    pub(super) fn eval_partial(op: &str, key: &str, values: serde_json::Value, pairs: &[(&str, &str)]) -> Truth {
        evaluate_condition(&cond(op, key, values), &ctx(pairs).with_unknowns(Unknowns::All))
    }

    /// Whether the outcome is `CouldNotEvaluate` with a reason containing every fragment.
    pub(super) fn cne(t: &Truth, fragments: &[&str]) -> bool {
        match t {
            Truth::CouldNotEvaluate(r) => fragments.iter().all(|f| r.contains(f)),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;
    use crate::context::Unknowns;
    use proptest::prelude::*;
    use serde_json::json;
    use std::collections::BTreeSet;

    #[test]
    fn keys_are_case_insensitive_and_values_are_not() {
        assert_eq!(eval("StringEquals", "AWS:UserName", json!("alice"), &[("aws:username", "alice")]), Truth::True);
        assert_eq!(eval("StringEquals", "aws:username", json!("Alice"), &[("AWS:USERNAME", "alice")]), Truth::False);
    }

    #[test]
    fn absent_key() {
        for op in ["StringEquals", "StringLike", "NumericEquals", "DateEquals", "Bool", "IpAddress", "ArnLike"] {
            let v = match op {
                "NumericEquals" => json!("1"),
                "DateEquals" => json!("2020-01-01"),
                "Bool" => json!("true"),
                "IpAddress" => json!("10.0.0.0/8"),
                "ArnLike" => json!("arn:aws:iam::1:role/x"),
                _ => json!("x"),
            };
            assert_eq!(eval(op, "k", v.clone(), &[]), Truth::False, "{op}");
            assert_eq!(eval(&format!("{op}IfExists"), "k", v.clone(), &[]), Truth::True, "{op}IfExists");
            assert_eq!(eval(&format!("ForAllValues:{op}"), "k", v.clone(), &[]), Truth::True, "{op}");
            assert_eq!(eval(&format!("ForAnyValue:{op}"), "k", v.clone(), &[]), Truth::False, "{op}");
            assert_eq!(eval(&format!("ForAnyValue:{op}IfExists"), "k", v, &[]), Truth::True, "{op}");
        }
        for op in [
            "StringNotEquals",
            "StringNotEqualsIgnoreCase",
            "StringNotLike",
            "NumericNotEquals",
            "DateNotEquals",
            "NotIpAddress",
            "ArnNotEquals",
            "ArnNotLike",
        ] {
            let v = match op {
                "NumericNotEquals" => json!("1"),
                "DateNotEquals" => json!("2020-01-01"),
                "NotIpAddress" => json!("10.0.0.0/8"),
                "ArnNotEquals" | "ArnNotLike" => json!("arn:aws:iam::1:role/x"),
                _ => json!("x"),
            };
            assert_eq!(eval(op, "k", v.clone(), &[]), Truth::True, "{op}");
            assert_eq!(eval(&format!("{op}IfExists"), "k", v.clone(), &[]), Truth::True, "{op}");
            assert_eq!(eval(&format!("ForAllValues:{op}"), "k", v.clone(), &[]), Truth::True, "{op}");
            assert_eq!(eval(&format!("ForAnyValue:{op}"), "k", v, &[]), Truth::False, "{op}");
        }
    }

    #[test]
    fn if_exists_checks_a_present_key() {
        assert_eq!(eval("StringEqualsIfExists", "k", json!("a"), &[("k", "a")]), Truth::True);
        assert_eq!(eval("StringEqualsIfExists", "k", json!("a"), &[("k", "b")]), Truth::False);
        assert_eq!(eval("StringNotEqualsIfExists", "k", json!("a"), &[("k", "a")]), Truth::False);
        assert_eq!(eval("NumericLessThanIfExists", "k", json!(5), &[("k", "7")]), Truth::False);
        assert_eq!(eval("BoolIfExists", "k", json!(true), &[("k", "true")]), Truth::True);
        assert_eq!(eval("IpAddressIfExists", "k", json!("10.0.0.0/8"), &[("k", "11.0.0.1")]), Truth::False);
    }

    #[test]
    fn several_policy_values_or_and_nor() {
        let v = json!(["a", "b"]);
        assert_eq!(eval("StringEquals", "k", v.clone(), &[("k", "b")]), Truth::True);
        assert_eq!(eval("StringEquals", "k", v.clone(), &[("k", "c")]), Truth::False);
        assert_eq!(eval("StringNotEquals", "k", v.clone(), &[("k", "a")]), Truth::False);
        assert_eq!(eval("StringNotEquals", "k", v.clone(), &[("k", "b")]), Truth::False);
        assert_eq!(eval("StringNotEquals", "k", v, &[("k", "c")]), Truth::True);
        // No values at all: nothing matches, so the negated operator holds.
        assert_eq!(eval("StringEquals", "k", json!([]), &[("k", "c")]), Truth::False);
        assert_eq!(eval("StringNotEquals", "k", json!([]), &[("k", "c")]), Truth::True);
    }

    #[test]
    fn set_qualifiers() {
        let v = json!(["a", "b"]);
        let cases: &[(&str, &str, Truth)] = &[
            ("ForAllValues:StringEquals", "a|b", Truth::True),
            ("ForAllValues:StringEquals", "a|c", Truth::False),
            ("ForAllValues:StringEquals", "a", Truth::True),
            ("ForAnyValue:StringEquals", "a|c", Truth::True),
            ("ForAnyValue:StringEquals", "c|d", Truth::False),
            ("ForAnyValue:StringEquals", "c", Truth::False),
            // Negated: each context value must be none of the policy values.
            ("ForAllValues:StringNotEquals", "c|d", Truth::True),
            ("ForAllValues:StringNotEquals", "a|d", Truth::False),
            ("ForAnyValue:StringNotEquals", "a|d", Truth::True),
            ("ForAnyValue:StringNotEquals", "a|b", Truth::False),
            ("ForAnyValue:StringLike", "x|b", Truth::True),
            ("ForAllValues:NumericLessThan", "1|2", Truth::False),
        ];
        for (op, c, want) in cases {
            let values = if op.contains("Numeric") { json!(2) } else { v.clone() };
            assert_eq!(eval(op, "k", values, &[("k", c)]), *want, "{op} {c}");
        }
    }

    #[test]
    fn empty_multi_valued_key_is_absent() {
        let mut c = Context::new();
        c.insert("k", ContextValue::Many(vec![]));
        let e = |op: &str| evaluate_condition(&cond(op, "k", json!("a")), &c);
        assert_eq!(e("ForAllValues:StringEquals"), Truth::True);
        assert_eq!(e("ForAnyValue:StringEquals"), Truth::False);
        assert_eq!(e("StringEquals"), Truth::False);
        assert_eq!(e("StringNotEquals"), Truth::True);
        assert_eq!(e("StringEqualsIfExists"), Truth::True);
    }

    #[test]
    fn unqualified_operator_on_a_multi_valued_key() {
        let t = eval("StringEquals", "aws:TagKeys", json!("a"), &[("aws:tagkeys", "a|b")]);
        assert!(cne(&t, &["`StringEquals`", "`aws:TagKeys`", "2 values"]), "{t:?}");
        let t = eval("StringNotLike", "aws:TagKeys", json!("a"), &[("aws:tagkeys", "a|b")]);
        assert!(cne(&t, &["`StringNotLike`"]), "{t:?}");
        // One value in a multi-valued key reads as that value.
        let mut c = Context::new();
        c.insert("k", ContextValue::Many(vec!["a".into()]));
        assert_eq!(evaluate_condition(&cond("StringEquals", "k", json!("a")), &c), Truth::True);
    }

    #[test]
    fn unknown_keys() {
        for op in [
            "StringEquals",
            "StringNotEquals",
            "StringEqualsIfExists",
            "ForAllValues:StringEquals",
            "ForAnyValue:StringLike",
            "Null",
        ] {
            let v = if op == "Null" { json!("true") } else { json!("a") };
            assert_eq!(eval_partial(op, "k", v, &[]), Truth::Unknown, "{op}");
        }
        // A key the context holds is known even in a partial context.
        assert_eq!(eval_partial("StringEquals", "k", json!("a"), &[("k", "a")]), Truth::True);
        // Only the listed keys are unknown.
        let c = ctx(&[]).with_unknowns(Unknowns::Keys(BTreeSet::from(["other".to_owned()])));
        assert_eq!(evaluate_condition(&cond("StringEquals", "k", json!("a")), &c), Truth::False);
        // A malformed policy value is reported even when the key is unknown.
        let t = eval_partial("NumericEquals", "k", json!("abc"), &[]);
        assert!(cne(&t, &["`abc`"]), "{t:?}");
    }

    #[test]
    fn unknown_variables_decide_only_when_needed() {
        let v = json!(["a", "${aws:username}"]);
        // `a` matches whatever the user name is.
        assert_eq!(eval_partial("StringEquals", "k", v.clone(), &[("k", "a")]), Truth::True);
        assert_eq!(eval_partial("StringNotEquals", "k", v.clone(), &[("k", "a")]), Truth::False);
        // `b` matches if the user name is `b`.
        assert_eq!(eval_partial("StringEquals", "k", v.clone(), &[("k", "b")]), Truth::Unknown);
        assert_eq!(eval_partial("StringNotEquals", "k", v.clone(), &[("k", "b")]), Truth::Unknown);
        // An absent key decides without the variable.
        let c = ctx(&[]).with_unknowns(Unknowns::Keys(BTreeSet::from(["aws:username".to_owned()])));
        assert_eq!(evaluate_condition(&cond("StringEquals", "k", v.clone()), &c), Truth::False);
        // One context value decides a set qualifier.
        assert_eq!(eval_partial("ForAllValues:StringEquals", "k", v.clone(), &[("k", "c|b")]), Truth::Unknown);
        assert_eq!(eval_partial("ForAllValues:StringNotEquals", "k", v.clone(), &[("k", "c|a")]), Truth::False);
        assert_eq!(eval_partial("ForAnyValue:StringEquals", "k", v, &[("k", "c|a")]), Truth::True);
    }

    #[test]
    fn could_not_evaluate() {
        let t = eval("StringEqualz", "k", json!("a"), &[("k", "a")]);
        assert!(cne(&t, &["`StringEqualz`", "not a condition operator"]), "{t:?}");
        let t = eval("NullIfExists", "k", json!("true"), &[]);
        assert!(cne(&t, &["`NullIfExists`", "`Null`"]), "{t:?}");
        let t = eval("ForAnyValue:Null", "k", json!("true"), &[]);
        assert!(cne(&t, &["`ForAnyValue:Null`"]), "{t:?}");
        let t = eval("IpAddress", "k", json!("10.0.0.0/33"), &[("k", "10.0.0.1")]);
        assert!(cne(&t, &["`IpAddress`", "`10.0.0.0/33`"]), "{t:?}");
        // Reasons are lowercase sentences.
        let Truth::CouldNotEvaluate(r) = t else { panic!() };
        assert!(!r.starts_with(|c: char| c.is_uppercase()));
    }

    #[test]
    fn tri_logic() {
        use Tri::*;
        assert_eq!(Tri::any([]), False);
        assert_eq!(Tri::all([]), True);
        assert_eq!(Tri::any([False, Unknown]), Unknown);
        assert_eq!(Tri::any([Unknown, True]), True);
        assert_eq!(Tri::all([Unknown, False]), False);
        assert_eq!(Tri::all([Unknown, True]), Unknown);
        assert_eq!(Unknown.not(), Unknown);
    }

    fn flip(t: &Truth) -> Truth {
        match t {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            other => other.clone(),
        }
    }

    fn assert_complements(op: &str, not_op: &str, values: &[String], value: &str) -> Result<(), TestCaseError> {
        let c = ctx(&[("k", value), ("aws:username", "u*1")]);
        let x = evaluate_condition(&cond(op, "k", json!(values)), &c);
        let y = evaluate_condition(&cond(not_op, "k", json!(values)), &c);
        prop_assert!(matches!(x, Truth::True | Truth::False), "{op} {values:?} {value}: {x:?}");
        prop_assert_eq!(flip(&x), y, "{} {:?} {}", op, values, value);
        Ok(())
    }

    fn strings() -> impl Strategy<Value = String> {
        prop_oneof![
            8 => "[ab*?1]{0,4}",
            1 => Just("${aws:username}".to_owned()),
            1 => Just("a${aws:missing}".to_owned()),
            1 => Just("x${aws:missing, 'ab'}".to_owned()),
            1 => Just("${*}a".to_owned()),
        ]
    }

    fn numbers() -> impl Strategy<Value = String> {
        prop_oneof![(-20i64..20).prop_map(|n| n.to_string()), (-20i64..20, 0u8..4).prop_map(|(n, f)| format!("{n}.{f}")),]
    }

    fn dates() -> impl Strategy<Value = String> {
        prop_oneof![
            (0i64..4000).prop_map(|s| (1_600_000_000 + s).to_string()),
            (0u32..4000).prop_map(|s| format!("2020-09-13T12:{:02}:{:02}Z", 26 + s / 60 % 30, s % 60)),
            Just("2020-09-13".to_owned()),
        ]
    }

    fn ips() -> impl Strategy<Value = String> {
        prop_oneof![
            (0u8..4, 0u8..4, 0u8..=32).prop_map(|(a, b, p)| format!("10.{a}.{b}.0/{p}")),
            (0u8..4, 0u8..4).prop_map(|(a, b)| format!("10.{a}.0.{b}")),
            (0u16..4, 0u8..=128).prop_map(|(a, p)| format!("2001:db8::{a:x}/{p}")),
        ]
    }

    fn arns() -> impl Strategy<Value = String> {
        (
            prop_oneof![Just("aws"), Just("*"), Just("aws-cn")],
            prop_oneof![Just("iam"), Just("s3"), Just("i?m")],
            prop_oneof![Just(""), Just("*"), Just("us-east-1")],
            prop_oneof![Just("1"), Just("2"), Just("*")],
            "[ab*/:?]{0,5}",
        )
            .prop_map(|(p, s, r, a, res)| format!("arn:{p}:{s}:{r}:{a}:{res}"))
    }

    proptest! {
        #[test]
        fn string_equals_complements(values in prop::collection::vec(strings(), 0..4), v in "[ab*?1]{0,4}") {
            assert_complements("StringEquals", "StringNotEquals", &values, &v)?;
            assert_complements("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", &values, &v)?;
        }

        #[test]
        fn string_like_complements(values in prop::collection::vec(strings(), 0..4), v in "[ab*?1]{0,4}") {
            assert_complements("StringLike", "StringNotLike", &values, &v)?;
        }

        #[test]
        fn numeric_complements(values in prop::collection::vec(numbers(), 0..4), v in prop_oneof![numbers(), Just("x".to_owned())]) {
            assert_complements("NumericEquals", "NumericNotEquals", &values, &v)?;
        }

        #[test]
        fn date_complements(values in prop::collection::vec(dates(), 0..4), v in prop_oneof![dates(), Just("x".to_owned())]) {
            assert_complements("DateEquals", "DateNotEquals", &values, &v)?;
        }

        #[test]
        fn ip_complements(values in prop::collection::vec(ips(), 0..4), v in prop_oneof![ips(), Just("garbage".to_owned())]) {
            assert_complements("IpAddress", "NotIpAddress", &values, &v)?;
        }

        #[test]
        fn arn_complements(values in prop::collection::vec(arns(), 0..4), v in prop_oneof![arns(), Just("not-an-arn".to_owned())]) {
            assert_complements("ArnLike", "ArnNotLike", &values, &v)?;
            assert_complements("ArnEquals", "ArnNotEquals", &values, &v)?;
        }
    }
}
