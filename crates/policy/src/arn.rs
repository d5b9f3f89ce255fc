//! Amazon Resource Names: parsing, and matching a resource pattern against an ARN segment by
//! segment, as AWS does: a wildcard in the partition, service, region or account segment does not
//! span the `:` that separates them, while the resource segment (which may itself contain `:`)
//! is matched as a whole.

use crate::wildcard::Pattern;

/// A parsed ARN: `arn:partition:service:region:account:resource`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    /// Everything after the fifth `:`, which may itself contain `:` and `/`.
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// Parses `text`, or `None` if it is not of the ARN shape.
    pub fn parse(text: &'a str) -> Option<Self> {
        let mut it = text.splitn(6, ':');
        if it.next()? != "arn" {
            return None;
        }
        let partition = it.next()?;
        let service = it.next()?;
        let region = it.next()?;
        let account = it.next()?;
        let resource = it.next()?;
        if partition.is_empty() || service.is_empty() {
            return None;
        }
        Some(Arn { partition, service, region, account, resource })
    }

    /// The resource type and the id, split on the first `/` or `:` of the resource segment
    /// (`role/path/name` → (`role`, `path/name`)).
    pub fn resource_type_and_id(&self) -> (&'a str, &'a str) {
        match self.resource.find(['/', ':']) {
            Some(i) => (self.resource.get(..i).unwrap_or(""), self.resource.get(i + 1..).unwrap_or("")),
            None => ("", self.resource),
        }
    }
}

/// A resource pattern compiled for matching against request resources.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ResourceMatcher {
    /// `*`: everything.
    All,
    /// No wildcard: the exact text.
    Exact(String),
    /// An ARN-shaped pattern with wildcards: one pattern per `:`-segment (at most six; the last
    /// one matches the rest of the resource).
    Segments(Vec<Pattern>),
    /// Any other pattern with wildcards, matched against the whole text.
    Whole(Pattern),
}

impl ResourceMatcher {
    /// Compiles a resolved resource pattern.
    pub fn new(pattern: &Pattern) -> Self {
        use crate::wildcard::Tok;
        if pattern.is_match_all() {
            return ResourceMatcher::All;
        }
        if !pattern.has_wildcard() {
            let bytes: Vec<u8> = pattern
                .toks()
                .iter()
                .filter_map(|t| match t {
                    Tok::Byte(b) => Some(*b),
                    _ => None,
                })
                .collect();
            return ResourceMatcher::Exact(String::from_utf8_lossy(&bytes).into_owned());
        }
        let toks = pattern.toks();
        let mut segs: Vec<Pattern> = Vec::with_capacity(6);
        let mut start = 0;
        for (i, t) in toks.iter().enumerate() {
            if segs.len() == 5 {
                break;
            }
            if *t == Tok::Byte(b':') {
                segs.push(Pattern::from_toks(toks.get(start..i).unwrap_or(&[])));
                start = i + 1;
            }
        }
        segs.push(Pattern::from_toks(toks.get(start..).unwrap_or(&[])));
        let arn_shaped = segs.first().is_some_and(|s| s.matches("arn") && !s.has_wildcard());
        if arn_shaped { ResourceMatcher::Segments(segs) } else { ResourceMatcher::Whole(pattern.clone()) }
    }

    /// The text every matching resource starts with: the pattern up to its first wildcard
    /// (each segment of an ARN-shaped pattern is matched on its own, so the literal segments
    /// before the first wildcard are the resource's, with their `:`).
    pub fn literal_prefix(&self) -> Vec<u8> {
        use crate::wildcard::Tok;
        let literal = |p: &Pattern, out: &mut Vec<u8>| -> bool {
            for t in p.toks() {
                match t {
                    Tok::Byte(b) => out.push(*b),
                    Tok::Star | Tok::One => return false,
                }
            }
            true
        };
        let mut out = Vec::new();
        match self {
            ResourceMatcher::All => {}
            ResourceMatcher::Exact(e) => out.extend_from_slice(e.as_bytes()),
            ResourceMatcher::Whole(p) => {
                literal(p, &mut out);
            }
            ResourceMatcher::Segments(segs) => {
                for (i, p) in segs.iter().enumerate() {
                    if i > 0 {
                        out.push(b':');
                    }
                    if !literal(p, &mut out) {
                        break;
                    }
                }
            }
        }
        out
    }

    /// Whether `resource` matches.
    pub fn matches(&self, resource: &str) -> bool {
        match self {
            ResourceMatcher::All => true,
            ResourceMatcher::Exact(e) => e == resource,
            ResourceMatcher::Whole(p) => p.matches(resource),
            ResourceMatcher::Segments(segs) => {
                let mut n = 0;
                for (p, r) in segs.iter().zip(resource.splitn(segs.len(), ':')) {
                    if !p.matches(r) {
                        return false;
                    }
                    n += 1;
                }
                n == segs.len()
            }
        }
    }
}

/// Whether the resource `pattern` (already resolved) matches the request's `resource`.
///
/// `*` alone matches everything. When the pattern is ARN-shaped (six segments), each of the
/// first five segments is matched on its own and the sixth as a whole, and a resource with fewer
/// segments does not match. Otherwise the pattern is matched against the whole text.
pub fn resource_matches(pattern: &Pattern, resource: &str) -> bool {
    ResourceMatcher::new(pattern).matches(resource)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, r: &str) -> bool {
        resource_matches(&Pattern::new(p), r)
    }

    #[test]
    fn parses() {
        let a = Arn::parse("arn:aws:iam::123456789012:role/path/name").unwrap_or_else(|| panic!());
        assert_eq!(a.service, "iam");
        assert_eq!(a.account, "123456789012");
        assert_eq!(a.resource_type_and_id(), ("role", "path/name"));
        let b = Arn::parse("arn:aws:logs:us-east-1:1:log-group:a:b").unwrap_or_else(|| panic!());
        assert_eq!(b.resource, "log-group:a:b");
        assert!(Arn::parse("not-an-arn").is_none());
        assert!(Arn::parse("arn:aws:s3").is_none());
    }

    #[test]
    fn segments_do_not_span() {
        assert!(m("*", "anything"));
        assert!(m("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b:c"));
        assert!(!m("arn:aws:s3:::bucket/*", "arn:aws:s3:::other/a"));
        // A wildcard in the region does not swallow the account.
        assert!(!m("arn:aws:ec2:*:instance/i-1", "arn:aws:ec2:us-east-1:123456789012:instance/i-1"));
        assert!(m("arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:us-east-1:123456789012:instance/i-1"));
        assert!(m("arn:aws:iam::*:role/*", "arn:aws:iam::123456789012:role/x"));
        assert!(!m("arn:aws:iam::*:role/*", "arn:aws:iam::123456789012:user/x"));
        assert!(m("arn:aws:logs:*:*:log-group:*", "arn:aws:logs:us-east-1:1:log-group:a:b"));
        // Case-sensitive.
        assert!(!m("arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/x"));
    }

    #[test]
    fn literal_prefixes() {
        let prefix = |p: &str| String::from_utf8(ResourceMatcher::new(&Pattern::new(p)).literal_prefix()).unwrap_or_default();
        assert_eq!(prefix("*"), "");
        assert_eq!(prefix("arn:aws:iam::1:role/app-*"), "arn:aws:iam::1:role/app-");
        assert_eq!(prefix("arn:aws:iam::*:role/x"), "arn:aws:iam::");
        assert_eq!(prefix("arn:aws:iam::1:role/a?c"), "arn:aws:iam::1:role/a");
        assert_eq!(prefix("arn:aws:iam::1:role/exact"), "arn:aws:iam::1:role/exact");
        assert_eq!(prefix("bucket/*"), "bucket/");
    }

    proptest::proptest! {
        /// Every resource a pattern matches starts with the pattern's literal prefix (callers
        /// skip the resources that do not, without matching them).
        #[test]
        fn matches_start_with_the_literal_prefix(
            p in "(arn|a|\\*)(:[ab/*?]{0,3}){0,7}",
            r in "(arn|a)(:[ab/]{0,3}){0,7}",
        ) {
            let m = ResourceMatcher::new(&Pattern::new(&p));
            if m.matches(&r) {
                proptest::prop_assert!(r.as_bytes().starts_with(&m.literal_prefix()), "{p} {r}");
            }
        }
    }
}
