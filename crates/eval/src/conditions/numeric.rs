//! Numeric operators: `NumericEquals`, `NumericNotEquals` (negated by the caller),
//! `NumericLessThan`, `NumericLessThanEquals`, `NumericGreaterThan`, `NumericGreaterThanEquals`.
//!
//! AWS compares "a key to an integer or decimal value" (*Condition operators*, numeric condition
//! operators). Numbers are read as exact decimals (an optional sign, digits, an optional
//! fraction; no exponent) and compared without rounding, so `1.0` equals `1` and very long
//! integers stay exact. Policy variables are not substituted. The comparison is
//! *context value* `op` *policy value*: `NumericLessThan` 10 holds for a request value of 9.

use std::cmp::Ordering;

use policy::Condition;

use super::Tri;

/// A comparison, shared with the date operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    /// Whether `context.cmp(policy)` satisfies the comparison.
    pub(super) fn holds(self, ord: Ordering) -> bool {
        match self {
            Cmp::Eq => ord == Ordering::Equal,
            Cmp::Lt => ord == Ordering::Less,
            Cmp::Le => ord != Ordering::Greater,
            Cmp::Gt => ord == Ordering::Greater,
            Cmp::Ge => ord != Ordering::Less,
        }
    }
}

/// Checks that every policy value is a number.
pub(super) fn check(cond: &Condition) -> Result<(), String> {
    match cond.values.iter().find(|v| Decimal::parse(&v.text).is_none()) {
        Some(v) => Err(format!("the value `{}` of `{}` on `{}` is not a number", v.text, cond.operator.raw, cond.key)),
        None => Ok(()),
    }
}

/// Whether the context value compares as asked with one of the policy values. A context value
/// that is not a number compares with none.
pub(super) fn compare(cond: &Condition, value: &str, cmp: Cmp) -> Tri {
    let Some(value) = Decimal::parse(value) else {
        return Tri::False;
    };
    Tri::any(cond.values.iter().map(|v| Tri::from(Decimal::parse(&v.text).is_some_and(|p| cmp.holds(value.cmp(&p))))))
}

/// An exact decimal, borrowed from its text: the integer digits without leading zeros and the
/// fraction digits without trailing zeros (zero has neither and is never negative).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Decimal<'a> {
    neg: bool,
    int: &'a str,
    frac: &'a str,
}

impl<'a> Decimal<'a> {
    fn parse(text: &'a str) -> Option<Self> {
        let (neg, rest) = match text.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (int, frac) = rest.split_once('.').unwrap_or((rest, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) {
            return None;
        }
        let int = int.trim_start_matches('0');
        let frac = frac.trim_end_matches('0');
        Some(Decimal { neg: neg && !(int.is_empty() && frac.is_empty()), int, frac })
    }

    /// Compares absolute values.
    fn cmp_magnitude(&self, other: &Self) -> Ordering {
        self.int.len().cmp(&other.int.len()).then_with(|| self.int.cmp(other.int)).then_with(|| self.frac.cmp(other.frac))
    }
}

impl Ord for Decimal<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.neg, other.neg) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
        }
    }
}

impl PartialOrd for Decimal<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::super::Truth;
    use super::super::test_support::*;
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn operators() {
        let e = |op: &str, p: serde_json::Value, v: &str| eval(op, "s3:max-keys", p, &[("s3:max-keys", v)]);
        assert_eq!(e("NumericEquals", json!(10), "10"), Truth::True);
        assert_eq!(e("NumericEquals", json!("10"), "10.000"), Truth::True);
        assert_eq!(e("NumericEquals", json!(10), "11"), Truth::False);
        assert_eq!(e("NumericNotEquals", json!([10, 11]), "11"), Truth::False);
        assert_eq!(e("NumericNotEquals", json!([10, 11]), "12"), Truth::True);
        assert_eq!(e("NumericLessThan", json!(10), "9"), Truth::True);
        assert_eq!(e("NumericLessThan", json!(10), "10"), Truth::False);
        assert_eq!(e("NumericLessThanEquals", json!(10), "10"), Truth::True);
        assert_eq!(e("NumericGreaterThan", json!(10), "10.5"), Truth::True);
        assert_eq!(e("NumericGreaterThan", json!(10), "-11"), Truth::False);
        assert_eq!(e("NumericGreaterThanEquals", json!(-1.5), "-1.5"), Truth::True);
        assert_eq!(e("NumericGreaterThanEquals", json!(-1.5), "-1.6"), Truth::False);
        // Several values: any.
        assert_eq!(e("NumericLessThan", json!([1, 100]), "50"), Truth::True);
        // A context value that is not a number matches nothing.
        assert_eq!(e("NumericEquals", json!(10), "ten"), Truth::False);
        assert_eq!(e("NumericNotEquals", json!(10), "ten"), Truth::True);
        assert_eq!(e("NumericLessThan", json!(10), ""), Truth::False);
    }

    #[test]
    fn if_exists_and_sets() {
        assert_eq!(eval("NumericLessThanIfExists", "k", json!(3), &[]), Truth::True);
        assert_eq!(eval("ForAnyValue:NumericEquals", "k", json!(3), &[("k", "1|3")]), Truth::True);
        assert_eq!(eval("ForAllValues:NumericEquals", "k", json!(3), &[("k", "1|3")]), Truth::False);
    }

    #[test]
    fn malformed_policy_value() {
        for bad in ["abc", "", "1e3", "1.2.3", "-", "."] {
            let t = eval("NumericEquals", "k", json!(["1", bad]), &[("k", "1")]);
            assert!(cne(&t, &[&format!("`{bad}`"), "`NumericEquals`", "`k`", "not a number"]), "{bad}: {t:?}");
        }
    }

    #[test]
    fn decimals() {
        fn d(s: &str) -> Decimal<'_> {
            Decimal::parse(s).unwrap_or_else(|| panic!("{s}"))
        }
        assert_eq!(d("-0").cmp(&d("0.000")), Ordering::Equal);
        assert_eq!(d("007.50").cmp(&d("7.5")), Ordering::Equal);
        assert_eq!(d(".5").cmp(&d("0.45")), Ordering::Greater);
        assert_eq!(d("5.").cmp(&d("5")), Ordering::Equal);
        assert_eq!(d("+3").cmp(&d("3")), Ordering::Equal);
        assert_eq!(d("123456789012345678901234567890").cmp(&d("123456789012345678901234567891")), Ordering::Less);
        assert_eq!(d("-2").cmp(&d("-10")), Ordering::Greater);
    }

    proptest! {
        #[test]
        fn decimal_order_agrees_with_integers(a in -100_000i64..100_000, b in -100_000i64..100_000) {
            // a / 1000 and b / 1000 written as decimals.
            let text = |n: i64| format!("{}{}.{:03}", if n < 0 { "-" } else { "" }, n.abs() / 1000, n.abs() % 1000);
            let (ta, tb) = (text(a), text(b));
            let (da, db) = (Decimal::parse(&ta), Decimal::parse(&tb));
            prop_assert_eq!(da.zip(db).map(|(x, y)| x.cmp(&y)), Some(a.cmp(&b)));
        }
    }
}
