//! Wildcard expansion: an `Action` pattern (`s3:Get*`) → the [`ActionSet`] of known actions it
//! matches, case-insensitively, with IAM's glob (`*` any run, `?` one character).
//!
//! Matching is `policy::wildcard::Pattern` on lower-cased `service:action`. Expansion is made
//! fast by the catalog's order (ids sorted by lower-cased name): the literal text before a
//! pattern's first wildcard selects a contiguous id range by binary search, and a pattern with
//! one literal `:` is split into a service part and an action part, since every catalog name has
//! exactly one `:` which that literal must match. `*` is a word fill; `s3:Get*` a range fill;
//! `*:Get*` one binary search per service.

use policy::wildcard::{Pattern, Tok};
use policy::{ActionPattern, Block};

use crate::{ActionId, ActionSet, Catalog};

/// The leading literal bytes of a token list, and the rest.
fn literal_prefix(toks: &[Tok]) -> (Vec<u8>, &[Tok]) {
    let n = toks.iter().take_while(|t| matches!(t, Tok::Byte(_))).count();
    let (lit, rest) = toks.split_at(n);
    let bytes = lit.iter().filter_map(|t| if let Tok::Byte(b) = t { Some(*b) } else { None });
    (bytes.collect(), rest)
}

fn is_star_only(toks: &[Tok]) -> bool {
    toks.iter().all(|t| *t == Tok::Star) && !toks.is_empty()
}

impl Catalog {
    /// The empty set over this catalog's actions.
    pub fn empty_set(&self) -> ActionSet {
        ActionSet::empty(self.action_count())
    }

    /// Every action of this catalog.
    pub fn all_actions(&self) -> ActionSet {
        ActionSet::full(self.action_count())
    }

    /// The actions of a service.
    pub fn service_actions(&self, service: crate::ServiceId) -> ActionSet {
        let range = self.services.get(service.0 as usize).map_or(0..0, |s| s.actions.range());
        ActionSet::from_range(self.action_count(), range)
    }

    /// The known actions that `pattern` (`*`, `s3:*`, `s3:Get*`, `*:Describe*`, `s?:*`)
    /// matches, case-insensitively. Actions the catalog does not know are not represented:
    /// a pattern that matches nothing known gives an empty set, for the caller to report.
    pub fn expand(&self, pattern: &str) -> ActionSet {
        self.expand_pattern(&Pattern::new(&pattern.to_ascii_lowercase()))
    }

    /// Like [`Catalog::expand`], for an already compiled, lower-cased pattern (as in
    /// [`ActionPattern::pattern`]).
    pub fn expand_pattern(&self, pattern: &Pattern) -> ActionSet {
        let mut out = self.empty_set();
        self.expand_into(pattern, &mut out);
        out
    }

    /// What an `Action` or `NotAction` block covers: the union of its patterns, or for
    /// `NotAction` the complement of that union.
    pub fn expand_block(&self, block: &Block<ActionPattern>) -> ActionSet {
        let mut out = self.empty_set();
        for p in block.items() {
            self.expand_into(&p.pattern, &mut out);
        }
        if block.is_not() { out.complement() } else { out }
    }

    /// Adds the actions that `pattern` (lower-cased) matches to `out`.
    pub fn expand_into(&self, pattern: &Pattern, out: &mut ActionSet) {
        let toks = pattern.toks();
        if pattern.is_match_all() {
            out.insert_range(0..self.action_count() as u32);
            return;
        }
        if !pattern.has_wildcard() {
            let (lit, _) = literal_prefix(toks);
            if let Some(id) = std::str::from_utf8(&lit).ok().and_then(|s| self.action(s)) {
                out.insert(id);
            }
            return;
        }
        let colons: Vec<usize> = toks.iter().enumerate().filter(|(_, t)| **t == Tok::Byte(b':')).map(|(i, _)| i).collect();
        match colons.as_slice() {
            [c] => {
                let (svc, act) = toks.split_at(*c);
                self.expand_split(svc, act.get(1..).unwrap_or(&[]), out);
            }
            // Two literal colons can never match a name with one: nothing to add.
            [_, _, ..] => {}
            [] => {
                let (lit, rest) = literal_prefix(toks);
                let range = self.prefix_range(0..self.action_count(), 0, &lit);
                self.fill(range, 0, &lit, rest, pattern, out);
            }
        }
    }

    /// A pattern `svc:act` with one literal colon: the service part must match the prefix and
    /// the action part the action name.
    fn expand_split(&self, svc: &[Tok], act: &[Tok], out: &mut ActionSet) {
        let (act_lit, act_rest) = literal_prefix(act);
        let act_pattern = Pattern::from_toks(act);
        let mut per_service = |i: usize| {
            let Some(s) = self.services.get(i) else {
                return;
            };
            let skip = (s.prefix.end - s.prefix.start) as usize + 1;
            let range = self.prefix_range(s.actions.start as usize..s.actions.end as usize, skip, &act_lit);
            self.fill(range, skip, &act_lit, act_rest, &act_pattern, out);
        };
        if svc.iter().all(|t| matches!(t, Tok::Byte(_))) {
            let (lit, _) = literal_prefix(svc);
            if let Some(s) = std::str::from_utf8(&lit).ok().and_then(|p| self.service(p)) {
                per_service(s.0 as usize);
            }
            return;
        }
        let svc_pattern = Pattern::from_toks(svc);
        let (svc_lit, _) = literal_prefix(svc);
        // Services are sorted by prefix: the literal start of the service part bounds them too.
        let lo = self.services.partition_point(|s| s.prefix.str(&self.arena).as_bytes() < svc_lit.as_slice());
        for i in lo..self.services.len() {
            let Some(s) = self.services.get(i) else { break };
            let prefix = s.prefix.str(&self.arena);
            if !prefix.as_bytes().starts_with(&svc_lit) {
                break;
            }
            if svc_pattern.matches(prefix) {
                per_service(i);
            }
        }
    }

    /// The ids within `within` whose lower-cased name, after skipping `skip` bytes, starts with
    /// `lit` (names in `within` are sorted and share their first `skip` bytes).
    fn prefix_range(&self, within: std::ops::Range<usize>, skip: usize, lit: &[u8]) -> std::ops::Range<usize> {
        let tail = |i: usize| self.lower_name(i).as_bytes().get(skip..).unwrap_or(&[]);
        let slice_lo = within.start;
        let len = within.end.saturating_sub(within.start);
        // partition_point over indices: first name ≥ lit, then first name not starting with lit.
        let lo = slice_lo + partition(len, |k| tail(slice_lo + k) < lit);
        let hi = lo + partition(within.end.saturating_sub(lo), |k| tail(lo + k).starts_with(lit));
        lo..hi
    }

    /// Adds the ids of `range` whose name (after `skip` bytes) matches `lit` followed by
    /// `rest`, where `whole` is the compiled `lit + rest`.
    fn fill(&self, range: std::ops::Range<usize>, skip: usize, lit: &[u8], rest: &[Tok], whole: &Pattern, out: &mut ActionSet) {
        if is_star_only(rest) {
            out.insert_range(range.start as u32..range.end as u32);
            return;
        }
        if rest.is_empty() {
            // Exact match: only a name equal to the literal.
            for i in range {
                if self.lower_name(i).as_bytes().get(skip..) == Some(lit) {
                    out.insert(ActionId(i as u32));
                }
            }
            return;
        }
        for i in range {
            if whole.matches(self.lower_name(i).get(skip..).unwrap_or("")) {
                out.insert(ActionId(i as u32));
            }
        }
    }
}

/// The first `k` in `0..len` for which `pred(k)` is false, `pred` being true then false.
fn partition(len: usize, pred: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, len);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}
