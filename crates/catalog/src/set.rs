//! [`ActionSet`]: a fixed-size bitset over the catalog's actions, so that what a statement
//! grants can be combined (union of statements, Deny subtracted, `NotAction` complemented) in a
//! few hundred word operations rather than by comparing names.

use std::fmt;

use crate::ActionId;

/// A set of actions of one catalog: one bit per [`ActionId`].
///
/// Bits past the universe size are always zero, so `==` compares contents. Operations between
/// sets of different universe sizes (sets from two different catalogs) treat the missing
/// actions as absent and take the larger universe.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct ActionSet {
    words: Box<[u64]>,
    universe: u32,
}

fn words_for(universe: u32) -> usize {
    (universe as usize).div_ceil(64)
}

impl ActionSet {
    /// The empty set over `universe` actions.
    pub fn empty(universe: usize) -> ActionSet {
        let universe = u32::try_from(universe).unwrap_or(u32::MAX);
        ActionSet { words: vec![0; words_for(universe)].into_boxed_slice(), universe }
    }

    /// The set of all `universe` actions.
    pub fn full(universe: usize) -> ActionSet {
        let mut s = ActionSet::empty(universe);
        s.words.fill(u64::MAX);
        s.clear_tail();
        s
    }

    /// The set of the ids in `range` (clamped to the universe).
    pub fn from_range(universe: usize, range: std::ops::Range<u32>) -> ActionSet {
        let mut s = ActionSet::empty(universe);
        s.insert_range(range);
        s
    }

    /// The number of actions the set ranges over.
    pub fn universe(&self) -> usize {
        self.universe as usize
    }

    fn clear_tail(&mut self) {
        let rem = self.universe % 64;
        if rem != 0
            && let Some(last) = self.words.last_mut()
        {
            *last &= (1u64 << rem) - 1;
        }
    }

    /// Adds an action; ids outside the universe are ignored. Returns whether it was added.
    pub fn insert(&mut self, id: ActionId) -> bool {
        if id.0 >= self.universe {
            return false;
        }
        match self.words.get_mut(id.index() / 64) {
            Some(w) => {
                let bit = 1u64 << (id.0 % 64);
                let added = *w & bit == 0;
                *w |= bit;
                added
            }
            None => false,
        }
    }

    /// Removes an action. Returns whether it was present.
    pub fn remove(&mut self, id: ActionId) -> bool {
        match self.words.get_mut(id.index() / 64) {
            Some(w) => {
                let bit = 1u64 << (id.0 % 64);
                let present = *w & bit != 0;
                *w &= !bit;
                present
            }
            None => false,
        }
    }

    /// Adds every id in `range` (clamped to the universe), a word at a time.
    pub fn insert_range(&mut self, range: std::ops::Range<u32>) {
        let (start, end) = (range.start, range.end.min(self.universe));
        let mut i = start;
        while i < end {
            let in_word = i % 64;
            let n = (64 - in_word).min(end - i);
            let mask = if n == 64 { u64::MAX } else { ((1u64 << n) - 1) << in_word };
            if let Some(w) = self.words.get_mut(i as usize / 64) {
                *w |= mask;
            }
            i += n;
        }
    }

    pub fn contains(&self, id: ActionId) -> bool {
        self.words.get(id.index() / 64).is_some_and(|w| w & (1u64 << (id.0 % 64)) != 0)
    }

    /// The number of actions in the set.
    pub fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }

    /// Whether every action of `self` is in `other`.
    pub fn is_subset(&self, other: &ActionSet) -> bool {
        self.words.iter().enumerate().all(|(i, &w)| w & !other.words.get(i).copied().unwrap_or(0) == 0)
    }

    /// Whether the two sets share an action.
    pub fn intersects(&self, other: &ActionSet) -> bool {
        self.words.iter().zip(other.words.iter()).any(|(a, b)| a & b != 0)
    }

    fn combine(&self, other: &ActionSet, f: impl Fn(u64, u64) -> u64) -> ActionSet {
        let universe = self.universe.max(other.universe);
        let n = words_for(universe);
        let words: Box<[u64]> =
            (0..n).map(|i| f(self.words.get(i).copied().unwrap_or(0), other.words.get(i).copied().unwrap_or(0))).collect();
        let mut s = ActionSet { words, universe };
        s.clear_tail();
        s
    }

    fn combine_in_place(&mut self, other: &ActionSet, f: impl Fn(u64, u64) -> u64) {
        if other.universe > self.universe {
            *self = self.combine(other, f);
            return;
        }
        for (i, w) in self.words.iter_mut().enumerate() {
            *w = f(*w, other.words.get(i).copied().unwrap_or(0));
        }
    }

    /// `self ∪ other`.
    pub fn union(&self, other: &ActionSet) -> ActionSet {
        self.combine(other, |a, b| a | b)
    }

    /// `self ∩ other`.
    pub fn intersection(&self, other: &ActionSet) -> ActionSet {
        self.combine(other, |a, b| a & b)
    }

    /// `self ∖ other`.
    pub fn difference(&self, other: &ActionSet) -> ActionSet {
        self.combine(other, |a, b| a & !b)
    }

    /// Every action of the universe that is not in `self`.
    pub fn complement(&self) -> ActionSet {
        let mut s = ActionSet { words: self.words.iter().map(|w| !w).collect(), universe: self.universe };
        s.clear_tail();
        s
    }

    /// `self ∪= other`.
    pub fn union_with(&mut self, other: &ActionSet) {
        self.combine_in_place(other, |a, b| a | b);
    }

    /// `self ∩= other`.
    pub fn intersect_with(&mut self, other: &ActionSet) {
        self.combine_in_place(other, |a, b| a & b);
    }

    /// `self ∖= other`.
    pub fn difference_with(&mut self, other: &ActionSet) {
        self.combine_in_place(other, |a, b| a & !b);
    }

    /// The ids in increasing order.
    pub fn iter(&self) -> Iter<'_> {
        Iter { words: &self.words, index: 0, current: self.words.first().copied().unwrap_or(0) }
    }
}

/// The ids of an [`ActionSet`], in increasing order.
pub struct Iter<'a> {
    words: &'a [u64],
    index: usize,
    current: u64,
}

impl Iterator for Iter<'_> {
    type Item = ActionId;

    fn next(&mut self) -> Option<ActionId> {
        loop {
            if self.current != 0 {
                let bit = self.current.trailing_zeros();
                self.current &= self.current - 1;
                return Some(ActionId((self.index * 64) as u32 + bit));
            }
            self.index += 1;
            self.current = *self.words.get(self.index)?;
        }
    }
}

impl<'a> IntoIterator for &'a ActionSet {
    type Item = ActionId;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl fmt::Debug for ActionSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ActionSet({} of {})", self.len(), self.universe)?;
        if self.len() <= 16 {
            f.debug_list().entries(self.iter().map(|id| id.0)).finish()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn set(universe: usize, ids: &[u32]) -> ActionSet {
        let mut s = ActionSet::empty(universe);
        for &i in ids {
            s.insert(ActionId(i));
        }
        s
    }

    #[test]
    fn basics() {
        let mut s = ActionSet::empty(130);
        assert!(s.is_empty());
        assert!(s.insert(ActionId(0)));
        assert!(!s.insert(ActionId(0)));
        assert!(s.insert(ActionId(129)));
        assert!(!s.insert(ActionId(130)), "outside the universe");
        assert_eq!(s.len(), 2);
        assert_eq!(s.iter().collect::<Vec<_>>(), [ActionId(0), ActionId(129)]);
        assert!(s.remove(ActionId(0)));
        assert!(!s.contains(ActionId(0)));
        assert_eq!(ActionSet::full(130).len(), 130);
        assert_eq!(ActionSet::full(130).complement(), ActionSet::empty(130));
        assert_eq!(s.complement().len(), 129);
        assert_eq!(ActionSet::from_range(130, 60..70).iter().map(|i| i.0).collect::<Vec<_>>(), (60..70).collect::<Vec<_>>());
        assert_eq!(ActionSet::from_range(130, 0..500).len(), 130);
        assert_eq!(ActionSet::full(0).len(), 0);
    }

    proptest! {
        #[test]
        fn laws(universe in 0usize..200, a in proptest::collection::vec(0u32..200, 0..40), b in proptest::collection::vec(0u32..200, 0..40), lo in 0u32..200, hi in 0u32..200) {
            let (x, y) = (set(universe, &a), set(universe, &b));
            let model = |s: &ActionSet| s.iter().map(|i| i.0).collect::<std::collections::BTreeSet<_>>();
            let (mx, my) = (model(&x), model(&y));
            prop_assert_eq!(model(&x.union(&y)), mx.union(&my).copied().collect());
            prop_assert_eq!(model(&x.intersection(&y)), mx.intersection(&my).copied().collect());
            prop_assert_eq!(model(&x.difference(&y)), mx.difference(&my).copied().collect());
            prop_assert_eq!(x.len(), mx.len());
            prop_assert_eq!(x.complement().complement(), x.clone());
            prop_assert_eq!(x.union(&x.complement()), ActionSet::full(universe));
            prop_assert_eq!(x.union(&y).complement(), x.complement().intersection(&y.complement()));
            prop_assert_eq!(x.is_subset(&x.union(&y)), true);
            prop_assert_eq!(x.intersects(&y), !mx.is_disjoint(&my));
            let mut z = x.clone();
            z.union_with(&y);
            prop_assert_eq!(&z, &x.union(&y));
            z.difference_with(&y);
            prop_assert_eq!(&z, &x.difference(&y));
            z.intersect_with(&y);
            prop_assert!(z.is_empty());
            let r = ActionSet::from_range(universe, lo..hi);
            prop_assert_eq!(model(&r), (lo..hi.min(universe as u32)).collect());
        }
    }
}
