//! The request context: condition keys and their values, as the evaluator looks them up.
//!
//! Keys are case-insensitive, so they are stored lower-cased. A key is single-valued or
//! multi-valued (`aws:TagKeys`, `aws:PrincipalOrgPaths`); numbers, dates and booleans are kept as
//! their text and interpreted by each operator. For partial evaluation a context can say that
//! keys it does not hold are *unknown* rather than absent.

use std::collections::{BTreeMap, BTreeSet};

/// A value of a context key.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum ContextValue {
    One(String),
    Many(Vec<String>),
}

impl ContextValue {
    /// The values as a slice (one element for a single value).
    pub fn as_slice(&self) -> &[String] {
        match self {
            ContextValue::One(v) => std::slice::from_ref(v),
            ContextValue::Many(v) => v,
        }
    }

    /// Whether the key is multi-valued.
    pub fn is_multi(&self) -> bool {
        matches!(self, ContextValue::Many(_))
    }
}

/// What the context says of a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// The key is present with these values.
    Present(&'a ContextValue),
    /// The key is absent from the request.
    Absent,
    /// The key's presence and value are not known (partial evaluation).
    Unknown,
}

/// Which keys not held by the context are unknown rather than absent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Unknowns {
    /// None: a key not held is absent (concrete evaluation).
    #[default]
    None,
    /// Every key not held is unknown (partial evaluation).
    All,
    /// These keys (lower-cased) are unknown; others not held are absent.
    Keys(BTreeSet<String>),
    /// Every key is unknown, held or not, except those matching these lower-case glob patterns,
    /// which are known (held or absent).
    AllExcept(Vec<policy::Pattern>),
}

/// The request context.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context {
    entries: BTreeMap<String, ContextValue>,
    unknowns: Unknowns,
}

impl Context {
    /// An empty, concrete context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a key (case-insensitive) to a value.
    pub fn insert(&mut self, key: &str, value: ContextValue) -> &mut Self {
        self.entries.insert(key.to_ascii_lowercase(), value);
        self
    }

    /// Sets a single-valued key.
    pub fn set(&mut self, key: &str, value: impl Into<String>) -> &mut Self {
        self.insert(key, ContextValue::One(value.into()))
    }

    /// Says which keys not held are unknown.
    pub fn with_unknowns(mut self, unknowns: Unknowns) -> Self {
        self.unknowns = unknowns;
        self
    }

    /// A copy with one more key set, and known to be held when the other keys are unknown
    /// but for a list ([`Unknowns::AllExcept`]).
    pub fn with_known(&self, key: &str, value: impl Into<String>) -> Context {
        let mut out = self.clone();
        out.set(key, value);
        if let Unknowns::AllExcept(known) = &mut out.unknowns {
            known.push(policy::Pattern::literal(&key.to_ascii_lowercase()));
        }
        out
    }

    /// A copy in which `key` is known to be absent (not held).
    pub fn with_absent(&self, key: &str) -> Context {
        let lower = key.to_ascii_lowercase();
        let mut out = self.clone();
        out.entries.remove(&lower);
        match &mut out.unknowns {
            Unknowns::AllExcept(known) => known.push(policy::Pattern::literal(&lower)),
            Unknowns::All => out.unknowns = Unknowns::AllExcept(vec![policy::Pattern::literal(&lower)]),
            Unknowns::Keys(keys) => {
                keys.remove(&lower);
            }
            Unknowns::None => {}
        }
        out
    }

    /// Whether any key may be unknown.
    pub fn is_partial(&self) -> bool {
        self.unknowns != Unknowns::None
    }

    /// Looks a key up; `key_lower` must already be lower-cased.
    pub fn get(&self, key_lower: &str) -> Lookup<'_> {
        if let Unknowns::AllExcept(known) = &self.unknowns
            && !known.iter().any(|p| p.matches(key_lower))
        {
            return Lookup::Unknown;
        }
        if let Some(v) = self.entries.get(key_lower) {
            return Lookup::Present(v);
        }
        match &self.unknowns {
            Unknowns::None => Lookup::Absent,
            Unknowns::All => Lookup::Unknown,
            Unknowns::Keys(keys) if keys.contains(key_lower) => Lookup::Unknown,
            Unknowns::Keys(_) | Unknowns::AllExcept(_) => Lookup::Absent,
        }
    }

    /// Looks a key up, lower-casing it first.
    pub fn get_any_case(&self, key: &str) -> Lookup<'_> {
        self.get(&key.to_ascii_lowercase())
    }

    /// The entries, sorted by key.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `with_known` sets the key and makes it known in a context where only listed keys are
    /// (the others stay unknown), leaving the original as it was.
    #[test]
    fn with_known_sets_the_key_and_lists_it_as_known() {
        let base = Context::new()
            .with_unknowns(Unknowns::AllExcept(vec![policy::Pattern::literal("aws:principalarn")]))
            .with_known("aws:PrincipalArn", "arn:aws:iam::1:role/r");
        let more = base.with_known("iam:PassedToService", "lambda.amazonaws.com");
        assert!(matches!(more.get("iam:passedtoservice"), Lookup::Present(v) if v.as_slice() == ["lambda.amazonaws.com"]));
        assert!(matches!(more.get("aws:principalarn"), Lookup::Present(_)));
        assert_eq!(more.get("aws:sourceip"), Lookup::Unknown);
        assert_eq!(base.get("iam:passedtoservice"), Lookup::Unknown, "the original is unchanged");
        // In a concrete context a key not held is absent; setting it makes it present.
        let concrete = Context::new().with_known("aws:username", "u");
        assert!(matches!(concrete.get("aws:username"), Lookup::Present(_)));
        assert_eq!(concrete.get("aws:userid"), Lookup::Absent);
    }
}
