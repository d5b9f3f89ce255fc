//! Glob matching with `*` (any run of characters, including none) and `?` (exactly one
//! character), as IAM uses in `Action`, `Resource`, `StringLike` and `ArnLike`.
//!
//! A [`Pattern`] is compiled once (from policy text, or from a template whose variables have
//! been substituted, where substituted text and `${*}` stay literal) and matched many times
//! without allocating: the evaluator's hot path. Matching works on UTF-8 bytes; `?` consumes a
//! whole character. The algorithm is the two-pointer one with a single backtrack point, linear
//! for patterns without `*` and O(pattern × text) at worst.

use std::fmt;

/// One token of a compiled pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tok {
    /// A literal byte.
    Byte(u8),
    /// `*`: any run of characters.
    Star,
    /// `?`: exactly one character.
    One,
}

/// A compiled glob pattern.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Pattern {
    toks: Vec<Tok>,
    /// Whether the pattern is exactly `*` (matches everything): a common fast path.
    all: bool,
    wild: bool,
}

impl Pattern {
    /// Compiles `text`, where `*` and `?` are wildcards.
    pub fn new(text: &str) -> Self {
        let mut p = Pattern::default();
        p.push_glob(text);
        p
    }

    /// Builds a pattern from tokens.
    pub fn from_toks(toks: &[Tok]) -> Self {
        let mut p = Pattern { toks: toks.to_vec(), all: false, wild: false };
        p.refresh();
        p
    }

    /// Compiles `text` with no wildcards at all.
    pub fn literal(text: &str) -> Self {
        let mut p = Pattern::default();
        p.push_literal(text);
        p
    }

    /// Appends `text`, where `*` and `?` are wildcards.
    pub fn push_glob(&mut self, text: &str) {
        for b in text.bytes() {
            self.toks.push(match b {
                b'*' => Tok::Star,
                b'?' => Tok::One,
                b => Tok::Byte(b),
            });
        }
        self.refresh();
    }

    /// Appends `text` literally.
    pub fn push_literal(&mut self, text: &str) {
        self.toks.extend(text.bytes().map(Tok::Byte));
        self.refresh();
    }

    fn refresh(&mut self) {
        self.all = self.toks.as_slice() == [Tok::Star];
        self.wild = self.toks.iter().any(|t| !matches!(t, Tok::Byte(_)));
    }

    /// The tokens.
    pub fn toks(&self) -> &[Tok] {
        &self.toks
    }

    /// Whether this pattern matches every string.
    pub fn is_match_all(&self) -> bool {
        self.all || (!self.toks.is_empty() && self.toks.iter().all(|t| *t == Tok::Star))
    }

    /// Whether the pattern has a wildcard.
    pub fn has_wildcard(&self) -> bool {
        self.wild
    }

    /// Whether `text` matches.
    pub fn matches(&self, text: &str) -> bool {
        if self.all {
            return true;
        }
        if !self.wild {
            return self.toks.len() == text.len() && self.toks.iter().zip(text.bytes()).all(|(t, b)| *t == Tok::Byte(b));
        }
        glob(&self.toks, text.as_bytes())
    }
}

impl fmt::Display for Pattern {
    /// Prints the pattern with wildcards as `*`/`?` and literal wildcard characters as
    /// `${*}`/`${?}`, so that the text compiles back to the same pattern.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut bytes = Vec::with_capacity(self.toks.len());
        for t in &self.toks {
            match t {
                Tok::Star => bytes.push(b'*'),
                Tok::One => bytes.push(b'?'),
                Tok::Byte(b'*') => bytes.extend_from_slice(b"${*}"),
                Tok::Byte(b'?') => bytes.extend_from_slice(b"${?}"),
                Tok::Byte(b) => bytes.push(*b),
            }
        }
        f.write_str(&String::from_utf8_lossy(&bytes))
    }
}

/// Length in bytes of the UTF-8 character that starts with `lead`.
fn char_len(lead: u8) -> usize {
    match lead {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xFF => 4,
        _ => 1,
    }
}

fn glob(p: &[Tok], t: &[u8]) -> bool {
    let (mut pi, mut ti) = (0usize, 0usize);
    // Position in the pattern just after the last `*`, and the text position it now covers to.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(Tok::Star) => {
                star = Some((pi + 1, ti));
                pi += 1;
                continue;
            }
            Some(Tok::One) => {
                pi += 1;
                ti += t.get(ti).map_or(1, |&b| char_len(b));
                continue;
            }
            Some(Tok::Byte(pb)) if t.get(ti) == Some(pb) => {
                pi += 1;
                ti += 1;
                continue;
            }
            _ => {}
        }
        match star {
            Some((after_star, covered)) => {
                // Let the star swallow one more character and retry.
                let next = covered + t.get(covered).map_or(1, |&b| char_len(b));
                pi = after_star;
                ti = next;
                star = Some((after_star, next));
            }
            None => return false,
        }
    }
    ti == t.len() && p.get(pi..).is_some_and(|rest| rest.iter().all(|&c| c == Tok::Star))
}

/// Whether `text` matches the glob `pattern` exactly (case-sensitive).
pub fn matches(pattern: &str, text: &str) -> bool {
    Pattern::new(pattern).matches(text)
}

/// Whether the text has any wildcard character.
pub fn has_wildcard(pattern: &str) -> bool {
    pattern.contains(['*', '?'])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn basics() {
        assert!(matches("*", ""));
        assert!(matches("*", "anything"));
        assert!(matches("a*c", "abbbc"));
        assert!(matches("a?c", "abc"));
        assert!(!matches("a?c", "ac"));
        assert!(!matches("abc", "abcd"));
        assert!(matches("a*b*c", "a-b-b-c"));
        assert!(!matches("a*b*c", "a-b-b-"));
        assert!(matches("", ""));
        assert!(!matches("", "a"));
        assert!(!matches("ABC", "abc"));
        assert!(matches("ü*", "über"));
        assert!(matches("?ber", "über"));
        assert!(!matches("??ber", "über"));
    }

    #[test]
    fn literal_wildcards_stay_literal() {
        let mut p = Pattern::literal("a*");
        assert!(p.matches("a*"));
        assert!(!p.matches("ab"));
        p.push_glob("*");
        assert!(p.matches("a*xyz"));
        assert_eq!(p.to_string(), "a${*}*");
    }

    fn to_regex(p: &str) -> regex::Regex {
        let mut s = String::from("(?s)^");
        for c in p.chars() {
            match c {
                '*' => s.push_str(".*"),
                '?' => s.push('.'),
                c => s.push_str(&regex::escape(&c.to_string())),
            }
        }
        s.push('$');
        regex::Regex::new(&s).unwrap_or_else(|e| panic!("{e}"))
    }

    proptest! {
        #[test]
        fn agrees_with_regex(p in "[ab*?]{0,8}", t in "[ab]{0,10}") {
            prop_assert_eq!(matches(&p, &t), to_regex(&p).is_match(&t));
        }

        #[test]
        fn agrees_with_regex_unicode(p in "[aé:/*?]{0,6}", t in "[aé:/€]{0,8}") {
            prop_assert_eq!(matches(&p, &t), to_regex(&p).is_match(&t));
        }

        #[test]
        fn literal_matches_itself(t in "\\PC{0,20}") {
            prop_assert!(Pattern::literal(&t).matches(&t));
        }
    }
}
