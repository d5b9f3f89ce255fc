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
use policy::{Block, ResourceMatcher, Statement};

use crate::types::NodeIdx;

/// To how many of a set of targets a statement's resource block applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Spread {
    All,
    None,
    Some,
}

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

thread_local! {
    /// Spreads already computed, by statement (document address, index) and target set.
    static SPREADS: RefCell<HashMap<(usize, usize, SetId), Spread>> = RefCell::new(HashMap::new());
}

/// Which targets of a set a resource pattern matches (a bit per target), by its text.
type PatternBits = HashMap<(String, SetId), Arc<Vec<u64>>>;

thread_local! {
    static PATTERNS: RefCell<PatternBits> = RefCell::new(HashMap::new());
}

/// Forgets the spreads of earlier builds (documents are identified by address).
pub(crate) fn forget() {
    SPREADS.with(|c| c.borrow_mut().clear());
    PATTERNS.with(|c| c.borrow_mut().clear());
}

/// For each target, which of the statements of `set` that name `actions` and apply to some
/// targets only apply to it (a bit per such statement): targets with the same signature are
/// decided alike (the request context does not depend on the target). `None` when a statement
/// has a policy variable in its resource, or more than 64 statements split the targets.
pub(crate) fn signatures(set: &PolicySet, actions: &[&str], targets: &[Arc<str>], cap: impl Into<SetId>) -> Option<Vec<u64>> {
    let cap: SetId = cap.into();
    let lower: Vec<String> = actions.iter().map(|a| a.to_ascii_lowercase()).collect();
    let words = targets.len().div_ceil(64);
    let mut splitting: Vec<Vec<u64>> = Vec::new();
    for e in set.entries() {
        for s in &e.policy.statements {
            let names = lower.iter().any(|a| s.action.applies(s.action.items().iter().any(|p| p.matches_lower(a))));
            if !names || spread(s, targets) != Spread::Some {
                continue;
            }
            let (items, not) = match &s.resource {
                Some(Block::Only(items)) => (items, false),
                Some(Block::Not(items)) => (items, true),
                None => continue,
            };
            let mut bits = vec![0u64; words];
            for r in items {
                let Some(m) = &r.matcher else { return None };
                let key = (r.raw.clone(), cap);
                let found = PATTERNS.with(|c| c.borrow().get(&key).cloned());
                let pattern = found.unwrap_or_else(|| {
                    let mut b = vec![0u64; words];
                    for (t, target) in targets.iter().enumerate() {
                        if m.matches(target)
                            && let Some(w) = b.get_mut(t / 64)
                        {
                            *w |= 1 << (t % 64);
                        }
                    }
                    let b = Arc::new(b);
                    PATTERNS.with(|c| c.borrow_mut().insert(key, b.clone()));
                    b
                });
                for (w, p) in bits.iter_mut().zip(pattern.iter()) {
                    *w |= p;
                }
            }
            if not {
                for w in &mut bits {
                    *w = !*w;
                }
            }
            splitting.push(bits);
            if splitting.len() > 64 {
                return None;
            }
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

/// To how many of `targets` the statement's `Resource` (or `NotResource`) applies. A
/// statement without either (a resource-based policy's) applies to the resource it is attached
/// to: all. A pattern with a policy variable may apply to some.
pub(crate) fn spread(s: &Statement, targets: &[Arc<str>]) -> Spread {
    let (items, not) = match &s.resource {
        None => return Spread::All,
        Some(Block::Only(items)) => (items, false),
        Some(Block::Not(items)) => (items, true),
    };
    let every = items.iter().any(|r| matches!(r.matcher, Some(ResourceMatcher::All)));
    if every {
        return if not { Spread::None } else { Spread::All };
    }
    if items.iter().any(|r| r.matcher.is_none()) {
        return Spread::Some;
    }
    let (mut any, mut all) = (false, true);
    for t in targets {
        let m = items.iter().any(|r| r.matcher.as_ref().is_some_and(|m| m.matches(t))) != not;
        any |= m;
        all &= m;
        if any && !all {
            return Spread::Some;
        }
    }
    if all { Spread::All } else { Spread::None }
}

/// Whether every statement of `set` that names one of `actions` applies to all of `targets`
/// (those of capability node `cap`) or to none.
pub(crate) fn uniform(set: &PolicySet, actions: &[&str], targets: &[Arc<str>], cap: impl Into<SetId>) -> bool {
    let cap: SetId = cap.into();
    if actions.is_empty() {
        return true;
    }
    let lower: Vec<String> = actions.iter().map(|a| a.to_ascii_lowercase()).collect();
    set.entries().iter().all(|e| {
        let doc = Arc::as_ptr(&e.policy) as usize;
        e.policy.statements.iter().enumerate().all(|(i, s)| {
            let names = lower.iter().any(|a| s.action.applies(s.action.items().iter().any(|p| p.matches_lower(a))));
            if !names {
                return true;
            }
            let key = (doc, i, cap);
            let found = SPREADS.with(|c| c.borrow().get(&key).copied());
            let sp = found.unwrap_or_else(|| {
                let sp = spread(s, targets);
                SPREADS.with(|c| c.borrow_mut().insert(key, sp));
                sp
            });
            sp != Spread::Some
        })
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "a test stops at the first unexpected value")]
    use super::*;

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
