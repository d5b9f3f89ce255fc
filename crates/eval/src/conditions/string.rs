//! String operators: `StringEquals`, `StringEqualsIgnoreCase`, `StringLike` and their negations
//! (the negation itself is applied by the caller).
//!
//! Values are compared case-sensitively except by the `IgnoreCase` operators; `StringLike`
//! matches `*` (any run of characters) and `?` (one character). Policy variables are
//! substituted in the values of policies of version 2012-10-17; substituted text is always
//! literal. A value without variables is compared in place, allocating nothing: this is the
//! evaluator's most common path, so it also carries its own glob matcher.

use policy::template::Resolved;
use policy::wildcard::Tok;
use policy::{Condition, ConditionValue, Pattern};

use super::{Tri, var_value};
use crate::context::Context;

/// Whether `value` equals one of the policy values (`StringEquals`, `StringEqualsIgnoreCase`).
pub(super) fn equals(cond: &Condition, value: &str, ctx: &Context, ignore_case: bool) -> Tri {
    Tri::any(cond.values.iter().map(|v| match v.template.as_plain() {
        Some(text) => Tri::from(text_equals(text, value, ignore_case)),
        None => resolved(v, false, ctx, |p| {
            if ignore_case { literal_text(p).is_some_and(|t| text_equals(&t, value, true)) } else { p.matches(value) }
        }),
    }))
}

/// Whether `value` matches one of the policy patterns (`StringLike`).
pub(super) fn like(cond: &Condition, value: &str, ctx: &Context) -> Tri {
    Tri::any(cond.values.iter().map(|v| match v.template.as_plain() {
        Some(text) => Tri::from(glob(text, value)),
        None => resolved(v, true, ctx, |p| p.matches(value)),
    }))
}

/// Resolves the policy variables of `v` and applies `test` to the pattern. A variable missing
/// without default makes the value match nothing (*IAM policy elements: Variables and tags*,
/// "Policy variables with no value"); an unknown one makes the outcome unknown.
pub(super) fn resolved(v: &ConditionValue, glob: bool, ctx: &Context, test: impl FnOnce(&Pattern) -> bool) -> Tri {
    match v.template.resolve(glob, |key| var_value(ctx, key)) {
        Resolved::Pattern(p) => Tri::from(test(&p)),
        Resolved::Missing(_) => Tri::False,
        Resolved::Unknown(_) => Tri::Unknown,
    }
}

/// The text of a pattern without wildcards.
fn literal_text(p: &Pattern) -> Option<String> {
    let bytes: Option<Vec<u8>> = p
        .toks()
        .iter()
        .map(|t| match t {
            Tok::Byte(b) => Some(*b),
            Tok::Star | Tok::One => None,
        })
        .collect();
    String::from_utf8(bytes?).ok()
}

/// Exact or case-insensitive equality. Case folding is Unicode lower-casing, character by
/// character (AWS does not say which folding it uses; ASCII is the common case and is exact).
pub(super) fn text_equals(a: &str, b: &str, ignore_case: bool) -> bool {
    if !ignore_case {
        return a == b;
    }
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    a.chars().flat_map(char::to_lowercase).eq(b.chars().flat_map(char::to_lowercase))
}

/// Whether `text` matches the glob `pattern` (`*` any run, `?` one character), without
/// allocating.
pub(super) fn glob(pattern: &str, text: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    if !pattern.contains(['*', '?']) {
        return pattern == text;
    }
    glob_by(pattern.as_bytes(), text.as_bytes(), |b| match b {
        b'*' => Tok::Star,
        b'?' => Tok::One,
        b => Tok::Byte(b),
    })
}

/// Whether `text` matches the compiled pattern tokens.
pub(super) fn glob_toks(pattern: &[Tok], text: &str) -> bool {
    glob_by(pattern, text.as_bytes(), |t| t)
}

/// Length of the UTF-8 character at `i` (1 past the end).
fn char_len_at(t: &[u8], i: usize) -> usize {
    match t.get(i) {
        Some(0xC0..=0xDF) => 2,
        Some(0xE0..=0xEF) => 3,
        Some(0xF0..=0xFF) => 4,
        _ => 1,
    }
}

/// Glob matching with one backtrack point (the last `*`): greedy, linear without `*`, at worst
/// O(pattern × text). `?` consumes a whole UTF-8 character.
fn glob_by<T: Copy>(p: &[T], t: &[u8], tok: impl Fn(T) -> Tok) -> bool {
    let (mut pi, mut ti) = (0usize, 0usize);
    // The pattern position after the last `*`, and how far into the text that `*` reaches.
    let mut back: Option<(usize, usize)> = None;
    loop {
        match p.get(pi).map(|&x| tok(x)) {
            Some(Tok::Star) => {
                pi += 1;
                back = Some((pi, ti));
                continue;
            }
            Some(Tok::One) if ti < t.len() => {
                pi += 1;
                ti = (ti + char_len_at(t, ti)).min(t.len());
                continue;
            }
            Some(Tok::Byte(b)) if t.get(ti) == Some(&b) => {
                pi += 1;
                ti += 1;
                continue;
            }
            None if ti == t.len() => return true,
            _ => {}
        }
        match back {
            Some((after, reach)) if reach < t.len() => {
                let next = (reach + char_len_at(t, reach)).min(t.len());
                back = Some((after, next));
                pi = after;
                ti = next;
            }
            _ => return false,
        }
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
    fn string_equals() {
        assert_eq!(eval("StringEquals", "k", json!("abc"), &[("k", "abc")]), Truth::True);
        assert_eq!(eval("StringEquals", "k", json!("abc"), &[("k", "ABC")]), Truth::False);
        assert_eq!(eval("StringEquals", "k", json!("a*"), &[("k", "abc")]), Truth::False);
        assert_eq!(eval("StringEquals", "k", json!("a*"), &[("k", "a*")]), Truth::True);
        assert_eq!(eval("StringNotEquals", "k", json!("abc"), &[("k", "abd")]), Truth::True);
        // Numbers and booleans compare as JSON prints them.
        assert_eq!(eval("StringEquals", "k", json!(12), &[("k", "12")]), Truth::True);
        assert_eq!(eval("StringEquals", "k", json!(true), &[("k", "true")]), Truth::True);
    }

    #[test]
    fn string_equals_ignore_case() {
        assert_eq!(eval("StringEqualsIgnoreCase", "k", json!("AbC"), &[("k", "aBc")]), Truth::True);
        assert_eq!(eval("StringEqualsIgnoreCase", "k", json!("Ärger"), &[("k", "äRGER")]), Truth::True);
        assert_eq!(eval("StringEqualsIgnoreCase", "k", json!("abc"), &[("k", "abd")]), Truth::False);
        assert_eq!(eval("StringNotEqualsIgnoreCase", "k", json!("ABC"), &[("k", "abc")]), Truth::False);
        assert_eq!(
            eval("StringEqualsIgnoreCase", "k", json!("team-${aws:username}"), &[("k", "TEAM-ALICE"), ("aws:username", "Alice")]),
            Truth::True
        );
    }

    #[test]
    fn string_like() {
        assert_eq!(eval("StringLike", "k", json!("home/*"), &[("k", "home/a/b")]), Truth::True);
        assert_eq!(eval("StringLike", "k", json!("home/*"), &[("k", "Home/a")]), Truth::False);
        assert_eq!(eval("StringLike", "k", json!("a?c"), &[("k", "abc")]), Truth::True);
        assert_eq!(eval("StringLike", "k", json!("a?c"), &[("k", "ac")]), Truth::False);
        assert_eq!(eval("StringLike", "k", json!("*"), &[("k", "")]), Truth::True);
        assert_eq!(eval("StringNotLike", "k", json!(["x*", "*y"]), &[("k", "xay")]), Truth::False);
        assert_eq!(eval("StringNotLike", "k", json!(["x*", "*y"]), &[("k", "aya")]), Truth::True);
        // `${*}` is a literal star.
        assert_eq!(eval("StringLike", "k", json!("a${*}"), &[("k", "a*")]), Truth::True);
        assert_eq!(eval("StringLike", "k", json!("a${*}"), &[("k", "ab")]), Truth::False);
    }

    #[test]
    fn variables() {
        let ctx = [("aws:username", "alice"), ("k", "home/alice/x")];
        assert_eq!(eval("StringLike", "k", json!("home/${aws:username}/*"), &ctx), Truth::True);
        assert_eq!(eval("StringLike", "k", json!("home/${aws:userName}/*"), &ctx), Truth::True);
        assert_eq!(eval("StringEquals", "k", json!("home/${aws:username}/x"), &ctx), Truth::True);
        // A substituted value is literal, even in StringLike.
        let star = [("aws:username", "*"), ("k", "home/bob/x")];
        assert_eq!(eval("StringLike", "k", json!("home/${aws:username}/*"), &star), Truth::False);
        // Missing without default: the value matches nothing.
        let missing = [("k", "home//x")];
        assert_eq!(eval("StringLike", "k", json!("home/${aws:username}/*"), &missing), Truth::False);
        assert_eq!(eval("StringNotLike", "k", json!("home/${aws:username}/*"), &missing), Truth::True);
        assert_eq!(eval("StringEquals", "k", json!(["home/${aws:username}/x", "home//x"]), &missing), Truth::True);
        // Defaults.
        let dflt = [("k", "home/nobody/x")];
        assert_eq!(eval("StringEquals", "k", json!("home/${aws:username, 'nobody'}/x"), &dflt), Truth::True);
        assert_eq!(eval("StringEquals", "k", json!("home/${aws:username,'nobody'}/x"), &ctx), Truth::True);
        // Multi-valued keys cannot be variables.
        let multi = [("aws:tagkeys", "a|b"), ("k", "a")];
        assert_eq!(eval("StringEquals", "k", json!("${aws:TagKeys}"), &multi), Truth::False);
        // An unknown variable.
        assert_eq!(eval_partial("StringEquals", "k", json!("${aws:username}"), &[("k", "a")]), Truth::Unknown);
        assert_eq!(eval_partial("StringLike", "k", json!("${aws:username}"), &[("k", "a")]), Truth::Unknown);
    }

    #[test]
    fn no_variables_in_old_policies() {
        let p = policy::Policy::from_json(&json!({
            "Version": "2008-10-17",
            "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*",
                          "Condition": {"StringEquals": {"k": "${aws:username}"}}}
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        let c = &p.statements[0].conditions[0];
        let ctx = ctx(&[("k", "${aws:username}"), ("aws:username", "alice")]);
        assert_eq!(super::super::evaluate_condition(c, &ctx), Truth::True);
    }

    #[test]
    fn glob_basics() {
        assert!(glob("*", "anything"));
        assert!(glob("a*c", "abbbc"));
        assert!(glob("a*b*c", "a-b-b-c"));
        assert!(!glob("a*b*c", "a-b-b-"));
        assert!(glob("", ""));
        assert!(!glob("", "a"));
        assert!(glob("?ber", "über"));
        assert!(!glob("??ber", "über"));
        assert!(glob("*?", "é"));
        assert!(!glob("*?", ""));
        assert!(glob("**", ""));
    }

    proptest! {
        #[test]
        fn glob_agrees_with_the_policy_crate(p in "[aé:/*?]{0,7}", t in "[aé:/€]{0,9}") {
            prop_assert_eq!(glob(&p, &t), Pattern::new(&p).matches(&t));
            prop_assert_eq!(glob_toks(Pattern::new(&p).toks(), &t), Pattern::new(&p).matches(&t));
        }

        #[test]
        fn ignore_case_agrees_with_lowercasing(a in "[aAbBéÉ]{0,5}", b in "[aAbBéÉ]{0,5}") {
            prop_assert_eq!(text_equals(&a, &b, true), a.to_lowercase() == b.to_lowercase());
        }
    }
}
