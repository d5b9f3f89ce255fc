//! When one decision stands for many: a caller's permission for a path is decided alike on
//! every target of the path in its account when each statement that names the path's actions
//! (in any of the caller's policies: identity, boundary, SCPs) applies to all of those targets
//! or to none of them. The request context does not depend on the target (no key is taken
//! from the resource), so the engine then gives the same answer for every target, and one edge
//! to the path's capability node replaces one edge per target. A statement that applies to
//! some targets only (a scoped `iam:PassRole`, a function-name prefix) makes the caller's
//! edges per target, as before.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use eval::PolicySet;
use policy::{Block, ResourceMatcher, ResourcePattern, Statement};

use crate::types::NodeIdx;

/// What a set of targets is: a capability node's, or a list of change targets (by address).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum SetId {
    Capability(NodeIdx),
    List(usize),
}

impl From<NodeIdx> for SetId {
    fn from(n: NodeIdx) -> SetId {
        SetId::Capability(n)
    }
}

/// What is remembered of one set of targets: the targets' positions sorted by their text, and
/// which targets each pattern matches (a bit per target), by the pattern's text.
#[derive(Default)]
struct SetCache {
    order: Option<Arc<Vec<u32>>>,
    bits: HashMap<Box<str>, Arc<Vec<u64>>>,
}

thread_local! {
    static PATTERNS: RefCell<HashMap<SetId, SetCache>> = RefCell::new(HashMap::new());
}

/// Forgets the patterns of earlier builds (target sets are identified by node or address).
pub(crate) fn forget() {
    PATTERNS.with(|c| c.borrow_mut().clear());
}

/// What a statement's resource block selects of a set of targets.
enum Selects {
    All,
    None,
    /// Some of them: a bit per target.
    Some(Vec<u64>),
    /// A pattern with a policy variable: which ones depends on the caller's values.
    Unknown,
}

/// The positions of `targets` sorted by their text.
fn sorted_order(targets: &[Arc<str>]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..targets.len() as u32).collect();
    order.sort_by(|a, b| targets.get(*a as usize).cmp(&targets.get(*b as usize)));
    order
}

/// The targets a pattern matches, a bit per target. Only the targets that start with the
/// pattern's literal prefix can match ([`ResourceMatcher::literal_prefix`]): they are one run of
/// the targets sorted by text, and only those are matched. Remembered by the pattern's text
/// when the set has an id (the same pattern text recurs in many principals' policies).
fn pattern_bits(raw: &str, m: &ResourceMatcher, targets: &[Arc<str>], set: Option<SetId>) -> Arc<Vec<u64>> {
    let cached = set.and_then(|id| PATTERNS.with(|c| c.borrow().get(&id).and_then(|s| s.bits.get(raw).cloned())));
    if let Some(found) = cached {
        return found;
    }
    let order = match set {
        Some(id) => PATTERNS.with(|c| {
            let mut c = c.borrow_mut();
            let entry = c.entry(id).or_default();
            entry.order.get_or_insert_with(|| Arc::new(sorted_order(targets))).clone()
        }),
        None => Arc::new(sorted_order(targets)),
    };
    let prefix = m.literal_prefix();
    let text = |i: &u32| targets.get(*i as usize).map_or(&b""[..], |t| t.as_bytes());
    let start = order.partition_point(|i| text(i) < &prefix[..]);
    let mut b = vec![0u64; targets.len().div_ceil(64)];
    for i in order.get(start..).unwrap_or(&[]).iter().take_while(|i| text(i).starts_with(&prefix)) {
        let t = *i as usize;
        if targets.get(t).is_some_and(|target| m.matches(target))
            && let Some(w) = b.get_mut(t / 64)
        {
            *w |= 1 << (t % 64);
        }
    }
    let b = Arc::new(b);
    if let Some(id) = set {
        PATTERNS.with(|c| c.borrow_mut().entry(id).or_default().bits.insert(raw.into(), b.clone()));
    }
    b
}

/// What the statement's `Resource` (or `NotResource`) selects of `targets`. A statement without
/// either (a resource-based policy's) applies to the resource it is attached to: all.
fn selects(s: &Statement, targets: &[Arc<str>], set: Option<SetId>) -> Selects {
    let (items, not): (&[ResourcePattern], bool) = match &s.resource {
        None => return Selects::All,
        Some(Block::Only(items)) => (items, false),
        Some(Block::Not(items)) => (items, true),
    };
    if items.iter().any(|r| matches!(r.matcher, Some(ResourceMatcher::All))) {
        return if not { Selects::None } else { Selects::All };
    }
    let mut bits = vec![0u64; targets.len().div_ceil(64)];
    for r in items {
        let Some(m) = &r.matcher else { return Selects::Unknown };
        for (w, p) in bits.iter_mut().zip(pattern_bits(&r.raw, m, targets, set).iter()) {
            *w |= p;
        }
    }
    if not {
        for w in &mut bits {
            *w = !*w;
        }
        // The bits past the last target are not targets.
        if let (Some(last), tail @ 1..) = (bits.last_mut(), targets.len() % 64) {
            *last &= (1u64 << tail) - 1;
        }
    }
    match bits.iter().map(|w| w.count_ones() as usize).sum::<usize>() {
        0 => Selects::None,
        n if n == targets.len() => Selects::All,
        _ => Selects::Some(bits),
    }
}

/// The statements of `set` that name one of `actions`.
fn naming<'p>(set: &'p PolicySet, actions: &[&str]) -> impl Iterator<Item = &'p Statement> {
    let lower: Vec<String> = actions.iter().map(|a| a.to_ascii_lowercase()).collect();
    set.entries()
        .iter()
        .flat_map(|e| e.policy.statements.iter())
        .filter(move |s| lower.iter().any(|a| s.action.applies(s.action.items().iter().any(|p| p.matches_lower(a)))))
}

/// For each target, which of the statements of `set` that name `actions` and apply to some
/// targets only apply to it (a bit per such statement): targets with the same signature are
/// decided alike (the request context does not depend on the target). `None` when a statement
/// has a policy variable in its resource, or more than 64 statements split the targets.
pub(crate) fn signatures(set: &PolicySet, actions: &[&str], targets: &[Arc<str>], cap: impl Into<SetId>) -> Option<Vec<u64>> {
    let cap: SetId = cap.into();
    let mut splitting: Vec<Vec<u64>> = Vec::new();
    for s in naming(set, actions) {
        match selects(s, targets, Some(cap)) {
            Selects::All | Selects::None => {}
            Selects::Some(bits) => splitting.push(bits),
            Selects::Unknown => return None,
        }
        if splitting.len() > 64 {
            return None;
        }
    }
    Some(
        (0..targets.len())
            .map(|t| {
                splitting.iter().enumerate().fold(0u64, |sig, (k, bits)| {
                    let on = bits.get(t / 64).is_some_and(|w| w & (1 << (t % 64)) != 0);
                    if on { sig | (1 << k) } else { sig }
                })
            })
            .collect(),
    )
}

/// Whether every statement of `set` that names one of `actions` applies to all of `targets`
/// (those of capability node `cap`) or to none.
pub(crate) fn uniform(set: &PolicySet, actions: &[&str], targets: &[Arc<str>], cap: impl Into<SetId>) -> bool {
    let cap: SetId = cap.into();
    naming(set, actions).all(|s| matches!(selects(s, targets, Some(cap)), Selects::All | Selects::None))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "a test stops at the first unexpected value")]
    use super::*;

    /// To how many of a set of targets a statement's resource block applies.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum Spread {
        All,
        None,
        Some,
    }

    /// To how many of `targets` the statement's `Resource` (or `NotResource`) applies. A pattern
    /// with a policy variable may apply to some.
    fn spread(s: &Statement, targets: &[Arc<str>]) -> Spread {
        match selects(s, targets, None) {
            Selects::All => Spread::All,
            Selects::None => Spread::None,
            Selects::Some(_) | Selects::Unknown => Spread::Some,
        }
    }

    fn statement(resource: &str) -> Statement {
        let p = policy::Policy::parse_str(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"iam:PassRole",{resource}}}]}}"#
        ))
        .unwrap();
        p.statements[0].clone()
    }

    #[test]
    fn spreads_over_targets() {
        let targets: Vec<Arc<str>> = vec![Arc::from("arn:aws:iam::1:role/app-a"), Arc::from("arn:aws:iam::1:role/app-b")];
        assert_eq!(spread(&statement(r#""Resource":"*""#), &targets), Spread::All);
        assert_eq!(spread(&statement(r#""Resource":"arn:aws:iam::1:role/app-*""#), &targets), Spread::All);
        assert_eq!(spread(&statement(r#""Resource":"arn:aws:iam::1:role/db-*""#), &targets), Spread::None);
        assert_eq!(spread(&statement(r#""Resource":"arn:aws:iam::1:role/app-a""#), &targets), Spread::Some);
        assert_eq!(spread(&statement(r#""NotResource":"arn:aws:iam::1:role/app-a""#), &targets), Spread::Some);
        assert_eq!(spread(&statement(r#""NotResource":"*""#), &targets), Spread::None);
        assert_eq!(spread(&statement(r#""Resource":"arn:aws:iam::1:role/${aws:username}""#), &targets), Spread::Some);
    }
}
