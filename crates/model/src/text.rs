//! Text from the data is untrusted: a role, tag or policy name, a trust principal, a file name or
//! a CloudTrail field may hold terminal control sequences (`ESC [ 31 m`, an OSC title or
//! hyperlink) or a newline that forges a row of a table. Every text renderer passes such text
//! through [`terminal_safe`] (one line: newlines escaped too) before a terminal sees it, and the
//! CLI's text writer passes whole outputs through [`terminal_safe_lines`] (newlines kept) as a
//! second line of defence. Markdown and HTML keep their own escaping, which shows these
//! characters with [`push_escaped`] as well; JSON escapes them by itself.
//!
//! What is escaped: every control character (C0, DEL and C1: `char::is_control`), the Unicode
//! line and paragraph separators, and the bidirectional formatting characters that reorder what
//! is shown ("Trojan Source", CVE-2021-42574). Each is written as Rust writes it, `\n`, `\t`,
//! `\r` or `\u{1b}`. A backslash is kept as it is (IAM names cannot hold one, and doubling it
//! in paths and condition values would make them harder to read).

use std::borrow::Cow;
use std::fmt;

/// Whether a character must not reach a terminal as it is.
pub fn must_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Appends the visible form of `c`: `\n`, `\t`, `\r`, or `\u{..}` (lower-case hex).
pub fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        c => {
            use fmt::Write as _;
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

fn escape_if(text: &str, escape: impl Fn(char) -> bool) -> Cow<'_, str> {
    let Some(first) = text.char_indices().find(|&(_, c)| escape(c)).map(|(i, _)| i) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(text.get(..first).unwrap_or_default());
    for c in text.get(first..).unwrap_or_default().chars() {
        if escape(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One line of untrusted text, safe for a terminal: every character of [`must_escape`],
/// newlines included, shown escaped. Borrows when there is nothing to escape.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    escape_if(text, must_escape)
}

/// [`terminal_safe`] of an owned string, without a copy when there is nothing to escape.
pub fn terminal_safe_owned(text: String) -> String {
    match terminal_safe(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(escaped) => escaped,
    }
}

/// Text of several lines, safe for a terminal: as [`terminal_safe`], but `\n` is kept.
pub fn terminal_safe_lines(text: &str) -> Cow<'_, str> {
    escape_if(text, |c| c != '\n' && must_escape(c))
}

/// Displays a string as [`terminal_safe`] does: `format!("role {}", Safe(&name))`.
#[derive(Clone, Copy, Debug)]
pub struct Safe<'a>(pub &'a str);

impl fmt::Display for Safe<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&terminal_safe(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        let s = "arn:aws:iam::111122223333:role/app-ünïcode ✓ \\path";
        assert!(matches!(terminal_safe(s), Cow::Borrowed(_)));
        assert!(matches!(terminal_safe_lines("a\nb"), Cow::Borrowed(_)));
    }

    #[test]
    fn escape_sequences_and_newlines_are_shown_escaped() {
        let hostile = "evil\u{1b}]0;pwned\u{7}\u{1b}[31m\nFAKE-ROW\tadmin\r\u{9b}2J";
        let safe = terminal_safe(hostile);
        assert_eq!(safe, "evil\\u{1b}]0;pwned\\u{7}\\u{1b}[31m\\nFAKE-ROW\\tadmin\\r\\u{9b}2J");
        assert!(!safe.chars().any(char::is_control));
        assert_eq!(terminal_safe_lines("a\u{1b}[0m\nb"), "a\\u{1b}[0m\nb");
    }

    #[test]
    fn bidi_and_line_separators_are_escaped() {
        assert_eq!(terminal_safe("a\u{202e}b\u{2066}c\u{2028}d"), "a\\u{202e}b\\u{2066}c\\u{2028}d");
    }

    #[test]
    fn safe_displays_escaped_and_pads() {
        assert_eq!(format!("[{:<6}]", Safe("a\u{1b}")), "[a\\u{1b}]");
        assert_eq!(format!("[{:<4}]", Safe("ab")), "[ab  ]");
    }
}

/// Texts made once and shared: each distinct text is allocated once and handed out as the
/// same `Arc<str>` (policy names, resource patterns and condition texts that thousands of
/// principals repeat). Holds at most `limit` texts; past it, it starts again (the texts
/// handed out stay valid).
#[derive(Debug)]
pub struct Interner {
    known: std::collections::HashSet<std::sync::Arc<str>>,
    limit: usize,
}

impl Interner {
    pub fn new(limit: usize) -> Interner {
        Interner { known: std::collections::HashSet::new(), limit }
    }

    /// The shared copy of `text`.
    pub fn get(&mut self, text: &str) -> std::sync::Arc<str> {
        if let Some(t) = self.known.get(text) {
            return t.clone();
        }
        if self.known.len() >= self.limit {
            self.known.clear();
        }
        let t: std::sync::Arc<str> = std::sync::Arc::from(text);
        self.known.insert(t.clone());
        t
    }

    pub fn clear(&mut self) {
        self.known.clear();
    }
}

#[cfg(test)]
mod interner_tests {
    use super::Interner;

    #[test]
    fn the_same_text_is_the_same_allocation_and_the_limit_holds() {
        let mut i = Interner::new(2);
        let a = i.get("arn:aws:iam::1:role/a");
        assert!(std::sync::Arc::ptr_eq(&a, &i.get("arn:aws:iam::1:role/a")));
        let b = i.get("b");
        assert_eq!(&*b, "b");
        // Past the limit it starts again: a new copy, still equal.
        let _ = i.get("c");
        let again = i.get("arn:aws:iam::1:role/a");
        assert_eq!(again, a);
        assert!(!std::sync::Arc::ptr_eq(&a, &again));
    }
}
