//! Policy variables: `${aws:username}`, `${aws:PrincipalTag/team}`, the default-value form
//! `${aws:PrincipalTag/team, 'none'}`, and the escapes `${*}`, `${?}` and `${$}` that stand for
//! the literal characters. Variables are only substituted in policies of version `2012-10-17`.
//!
//! A [`Template`] is parsed once from policy text and resolved per request against the request
//! context, giving a [`Pattern`] in which substituted text and escapes are literal.

use crate::wildcard::Pattern;

/// One piece of a template.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    /// Policy text: `*` and `?` are wildcards where the operator matches with wildcards.
    Text(String),
    /// A literal character written as `${*}`, `${?}` or `${$}`.
    Escaped(char),
    /// A variable, with the key as written and its default value if one was given.
    Var { key: String, default: Option<String> },
}

/// A string from a policy with its variables located.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Template {
    parts: Vec<Part>,
}

/// The value of a variable's key in the request context, as the evaluator sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VarValue<'a> {
    /// The key has this single value.
    Known(&'a str),
    /// The key is absent from the request (or multi-valued, which variables cannot use).
    Missing,
    /// The value is not known: partial evaluation.
    Unknown,
}

/// The outcome of resolving a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// The pattern to match.
    Pattern(Pattern),
    /// A variable without a default is missing: per AWS, the element then matches nothing.
    Missing(String),
    /// A variable's value is unknown (partial evaluation): the key is named.
    Unknown(String),
}

impl Template {
    /// Parses `text`. With `variables` false (policy version 2008-10-17 or none), the whole text
    /// is plain text.
    pub fn parse(text: &str, variables: bool) -> Self {
        if !variables || !text.contains("${") {
            return Template { parts: vec![Part::Text(text.to_owned())] };
        }
        let mut parts = Vec::new();
        let mut rest = text;
        let mut plain = String::new();
        while let Some(start) = rest.find("${") {
            let (before, after) = rest.split_at(start);
            plain.push_str(before);
            let inner_and_more = after.get(2..).unwrap_or("");
            let Some(end) = inner_and_more.find('}') else {
                plain.push_str(after);
                rest = "";
                break;
            };
            let inner = inner_and_more.get(..end).unwrap_or("");
            rest = inner_and_more.get(end + 1..).unwrap_or("");
            let escaped = match inner {
                "*" => Some('*'),
                "?" => Some('?'),
                "$" => Some('$'),
                _ => None,
            };
            if !plain.is_empty() {
                parts.push(Part::Text(std::mem::take(&mut plain)));
            }
            if let Some(c) = escaped {
                parts.push(Part::Escaped(c));
                continue;
            }
            let (key, default) = match inner.split_once(',') {
                Some((k, d)) => {
                    let d = d.trim();
                    let d = d.strip_prefix('\'').and_then(|d| d.strip_suffix('\'')).unwrap_or(d);
                    (k.trim(), Some(d.to_owned()))
                }
                None => (inner.trim(), None),
            };
            parts.push(Part::Var { key: key.to_owned(), default });
        }
        plain.push_str(rest);
        if !plain.is_empty() || parts.is_empty() {
            parts.push(Part::Text(plain));
        }
        Template { parts }
    }

    /// The parts.
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// The text if the template has no variables or escapes.
    pub fn as_plain(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [Part::Text(t)] => Some(t),
            _ => None,
        }
    }

    /// Whether the template has variables.
    pub fn has_variables(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Var { .. }))
    }

    /// The variable keys the template uses.
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Var { key, .. } => Some(key.as_str()),
            _ => None,
        })
    }

    /// Resolves the variables with `lookup`. With `glob` true, `*` and `?` in the policy's own
    /// text are wildcards; substituted values and escapes are always literal.
    pub fn resolve<'a>(&self, glob: bool, lookup: impl Fn(&str) -> VarValue<'a>) -> Resolved {
        let mut pattern = Pattern::default();
        for part in &self.parts {
            match part {
                Part::Text(t) if glob => pattern.push_glob(t),
                Part::Text(t) => pattern.push_literal(t),
                Part::Escaped(c) => pattern.push_literal(c.encode_utf8(&mut [0; 4])),
                Part::Var { key, default } => match (lookup(key), default) {
                    (VarValue::Known(v), _) => pattern.push_literal(v),
                    (VarValue::Missing, Some(d)) => pattern.push_literal(d),
                    (VarValue::Missing, None) => return Resolved::Missing(key.clone()),
                    (VarValue::Unknown, _) => return Resolved::Unknown(key.clone()),
                },
            }
        }
        Resolved::Pattern(pattern)
    }
}

impl std::fmt::Display for Template {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for p in &self.parts {
            match p {
                Part::Text(t) => f.write_str(t)?,
                Part::Escaped(c) => write!(f, "${{{c}}}")?,
                Part::Var { key, default: None } => write!(f, "${{{key}}}")?,
                Part::Var { key, default: Some(d) } => write!(f, "${{{key}, '{d}'}}")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(k: &str) -> VarValue<'static> {
        match k.to_ascii_lowercase().as_str() {
            "aws:username" => VarValue::Known("alice"),
            "aws:principaltag/team" => VarValue::Known("a*b"),
            _ => VarValue::Missing,
        }
    }

    fn resolve(t: &str) -> Resolved {
        Template::parse(t, true).resolve(true, ctx)
    }

    #[test]
    fn substitutes_and_keeps_values_literal() {
        let Resolved::Pattern(p) = resolve("arn:aws:s3:::bucket/${aws:username}/*") else { panic!() };
        assert!(p.matches("arn:aws:s3:::bucket/alice/x"));
        assert!(!p.matches("arn:aws:s3:::bucket/bob/x"));
        let Resolved::Pattern(p) = resolve("team/${aws:PrincipalTag/team}") else { panic!() };
        assert!(p.matches("team/a*b"));
        assert!(!p.matches("team/axxb"));
    }

    #[test]
    fn escapes_and_defaults() {
        let Resolved::Pattern(p) = resolve("a${*}b${?}${$}") else { panic!() };
        assert!(p.matches("a*b?$"));
        assert!(!p.matches("axb?$"));
        let Resolved::Pattern(p) = resolve("x/${aws:PrincipalTag/none, 'dflt'}") else { panic!() };
        assert!(p.matches("x/dflt"));
        assert_eq!(resolve("x/${aws:userid}"), Resolved::Missing("aws:userid".into()));
    }

    #[test]
    fn no_variables_in_old_versions() {
        let t = Template::parse("a/${aws:username}", false);
        assert_eq!(t.as_plain(), Some("a/${aws:username}"));
        let unterminated = Template::parse("a/${aws:username", true);
        assert_eq!(unterminated.as_plain(), Some("a/${aws:username"));
    }

    #[test]
    fn prints_back() {
        for s in ["a${*}b", "${aws:username}", "x${k, 'd'}y", "plain*"] {
            assert_eq!(Template::parse(s, true).to_string(), s);
        }
    }
}
