//! From "can change the permissions of" to "can become an administrator": a change of a
//! principal's policies escalates the changer when the changer can then act as that principal,
//! and the principal's boundary, SCPs and denies leave room for administrator access
//! ([`crate::admin::capped_admin`]). The edge goes from the changer to the account's
//! administrator node, and says how the changer acts as the changed principal:
//!
//! - it is that principal, or a member of the changed group: `iam-005`, `iam-009`, `iam-007`,
//!   `iam-008`, `iam-010`, `iam-011`, `iam-001`;
//! - it can assume the role: `iam-014`, `iam-017`, `iam-016`;
//! - it can rewrite the role's trust policy: `iam-019`, `iam-021`, `iam-020`;
//! - it can create an access key for the user: `iam-015`, `iam-018`;
//! - it reaches the principal through a longer path of the graph: the way lists that path.
//!
//! New edges can make more principals reachable, so this runs until nothing changes (at most
//! [`MAX_ROUNDS`] rounds). Not recognised: a third principal that can act both as the changer and
//! as the changed principal without either reaching the other.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::build::{ChangeFact, Env, admin_control, admin_id, coalesce};
use crate::graph::Graph;
use crate::privesc::spec::{ActsAs, Mechanism, PATHS};
use crate::types::{Edge, EdgeKind, NodeIdx, NodeKind, Way};

const MAX_ROUNDS: usize = 4;

/// How far a search for the changed principal goes.
const MAX_DEPTH: usize = 8;

/// The documented path for a change action and a way of acting.
fn path_for(action: &str, acts: ActsAs) -> Option<&'static str> {
    PATHS.iter().find_map(|p| match p.mechanism {
        Mechanism::Change { acts_as, .. } if acts_as == acts && p.actions.first() == Some(&action) => Some(p.id),
        _ => None,
    })
}

/// An edge of the search: one of the graph, one added here, or the implicit edge from an
/// administrator node that nothing reached before to a principal of its account.
#[derive(Clone, Copy, Debug)]
enum Via {
    Graph(u32),
    New(usize),
    Implicit,
}

/// How a changer reaches a target in one step: by an edge, or by an edge to a capability node
/// (`through`) and one of its edges; `rank` orders the ways (assuming first).
#[derive(Clone, Copy, Debug)]
struct Step {
    through: Option<(NodeIdx, Via)>,
    last: Via,
    rank: u8,
}

/// The nodes a search reached, each with the edge by which it was first reached, in the order
/// reached. Kept between searches: a node belongs to the current search when its stamp is the
/// current one.
struct Reached {
    stamp: Vec<u32>,
    parent: Vec<(NodeIdx, Via)>,
    order: Vec<NodeIdx>,
    current: u32,
}

impl Reached {
    fn new(nodes: usize) -> Self {
        Reached { stamp: vec![0; nodes], parent: vec![(0, Via::Implicit); nodes], order: Vec::new(), current: 0 }
    }

    fn clear(&mut self) {
        self.current += 1;
        self.order.clear();
    }

    fn contains(&self, n: NodeIdx) -> bool {
        self.stamp.get(n as usize) == Some(&self.current)
    }

    fn get(&self, n: NodeIdx) -> Option<(NodeIdx, Via)> {
        if self.contains(n) { self.parent.get(n as usize).copied() } else { None }
    }

    /// Records how `n` was reached, unless it already was: whether it is new.
    fn insert(&mut self, n: NodeIdx, how: (NodeIdx, Via)) -> bool {
        let (Some(stamp), Some(parent)) = (self.stamp.get_mut(n as usize), self.parent.get_mut(n as usize)) else { return false };
        if *stamp == self.current {
            return false;
        }
        *stamp = self.current;
        *parent = how;
        self.order.push(n);
        true
    }

    fn len(&self) -> usize {
        self.order.len()
    }

    fn nodes(&self) -> &[NodeIdx] {
        &self.order
    }
}

/// The graph, the edges added so far, and the implicit administrator edges.
struct Search<'a> {
    g: &'a Graph,
    added: &'a [Edge],
    overlay: &'a HashMap<NodeIdx, Vec<(NodeIdx, usize)>>,
    implicit: &'a HashMap<NodeIdx, Vec<NodeIdx>>,
}

impl Search<'_> {
    fn edge(&self, v: Via) -> Option<&Edge> {
        match v {
            Via::Graph(i) => self.g.edge(i),
            Via::New(i) => self.added.get(i),
            Via::Implicit => None,
        }
    }

    fn next(&self, x: NodeIdx, f: &mut impl FnMut(NodeIdx, Via)) {
        for ei in self.g.out_edges(x) {
            if let Some(e) = self.g.edge(*ei) {
                f(e.to, Via::Graph(*ei));
            }
        }
        for (t, i) in self.overlay.get(&x).map_or(&[][..], Vec::as_slice) {
            f(*t, Via::New(*i));
        }
        for t in self.implicit.get(&x).map_or(&[][..], Vec::as_slice) {
            f(*t, Via::Implicit);
        }
    }

    /// Breadth-first from `from` into `reached`: the edge by which each node was first
    /// reached; `false` when `stop` is reached (the changer already is an administrator there).
    fn search(
        &self,
        from: NodeIdx,
        stop: Option<NodeIdx>,
        reached: &mut Reached,
        queue: &mut VecDeque<(NodeIdx, usize)>,
    ) -> bool {
        reached.clear();
        queue.clear();
        queue.push_back((from, 0));
        reached.insert(from, (from, Via::Implicit));
        while let Some((x, depth)) = queue.pop_front() {
            if Some(x) == stop {
                return false;
            }
            if depth >= MAX_DEPTH {
                continue;
            }
            self.next(x, &mut |y, v| {
                if reached.insert(y, (x, v)) {
                    queue.push_back((y, depth + 1));
                }
            });
        }
        true
    }

    fn describe(&self, from: NodeIdx, to: NodeIdx, v: Via) -> String {
        let id = |n: NodeIdx| self.g.node(n).map_or("", |x| x.id.as_str()).to_owned();
        match self.edge(v) {
            Some(e) => {
                let paths = e.paths();
                let paths = if paths.is_empty() { String::new() } else { format!(" ({})", paths.join(", ")) };
                format!("{} -{}{}-> {}", id(e.from), e.kind.as_str(), paths, id(e.to))
            }
            None => format!("{} -admin-control-> {}", id(from), id(to)),
        }
    }
}

/// Whether a principal (by its position in the graph) would become an administrator if given
/// any policy.
fn capped(env: &Env<'_>, g: &Graph, actor_at: &HashMap<NodeIdx, usize>, cache: &mut HashMap<NodeIdx, bool>, n: NodeIdx) -> bool {
    if let Some(b) = cache.get(&n) {
        return *b;
    }
    let b = match actor_at.get(&n).and_then(|i| env.actors.get(*i)) {
        Some(a) => crate::admin::capped_admin(&a.set, &a.arn, &a.account, &a.ctx),
        None => {
            let id = g.node(n).map_or("", |x| x.id.as_str());
            env.snapshot
                .accounts
                .iter()
                .flat_map(|a| a.groups.iter())
                .find(|grp| grp.arn == id)
                .map(|grp| {
                    let a = crate::actor::of_group(env.snapshot, grp, env.options.now);
                    crate::admin::capped_admin(&a.set, &a.arn, &a.account, &a.ctx)
                })
                .unwrap_or(false)
        }
    };
    cache.insert(n, b);
    b
}

fn is_member(env: &Env<'_>, g: &Graph, actor_at: &HashMap<NodeIdx, usize>, user: NodeIdx, group: NodeIdx) -> bool {
    let Some(u) = actor_at.get(&user).and_then(|i| env.actors.get(*i)).and_then(|a| a.user) else { return false };
    let Some(account) = env.snapshot.account(&u.account_id) else { return false };
    let group = g.node(group).map_or("", |x| x.id.as_str());
    u.groups.iter().any(|n| account.group_by_name(n).is_some_and(|grp| grp.arn == group))
}

fn acts_of(e: Option<&Edge>) -> Option<ActsAs> {
    let e = e?;
    if e.kind == EdgeKind::CanAssume {
        Some(ActsAs::AssumeRole)
    } else if e.has_path("iam-012") {
        Some(ActsAs::UpdateTrust)
    } else if e.has_path("iam-002") || e.has_path("iam-003") {
        Some(ActsAs::AccessKey)
    } else {
        None
    }
}

/// Adds to the graph the edges to administrator nodes that the change facts give (node
/// indices of the facts are those of registration; `pos` maps them into the graph), then drops
/// the administrator nodes that no edge touches.
pub(crate) fn derive(env: &Env<'_>, g: Graph, pos: &[NodeIdx], facts: Vec<ChangeFact>) -> Graph {
    let at = |n: NodeIdx| pos.get(n as usize).copied().filter(|p| *p != u32::MAX);
    // Target lists are shared by many facts: each is mapped once.
    let mut mapped: HashMap<usize, std::sync::Arc<[NodeIdx]>> = HashMap::default();
    let facts: Vec<ChangeFact> = facts
        .into_iter()
        .filter_map(|f| {
            let key = f.targets.as_ptr() as usize;
            let targets = mapped
                .entry(key)
                .or_insert_with(|| {
                    let mut v: Vec<NodeIdx> = f.targets.iter().filter_map(|t| at(*t)).collect();
                    v.sort_unstable();
                    v.into()
                })
                .clone();
            Some(ChangeFact { changer: at(f.changer)?, targets, ..f })
        })
        .filter(|f| !f.targets.is_empty())
        .collect();
    let actor_at: HashMap<NodeIdx, usize> =
        env.actors.iter().enumerate().filter_map(|(i, a)| at(a.node).map(|n| (n, i))).collect();
    let admin_of = |n: NodeIdx| -> Option<NodeIdx> {
        let account = g.node(n)?.account.as_deref()?;
        g.find_id(&admin_id(account))
    };
    // Administrator nodes without edges of their own yet act as every principal of their
    // account in the search.
    let mut implicit: HashMap<NodeIdx, Vec<NodeIdx>> = HashMap::default();
    for a in env.actors.iter().filter(|a| crate::build::controllable(a)) {
        let (Some(n), Some(admin)) = (at(a.node), env.admin_node(&a.account).and_then(at)) else { continue };
        let has_control = g.out_edges(admin).iter().filter_map(|e| g.edge(*e)).any(|e| e.kind == EdgeKind::AdminControl);
        if !has_control {
            implicit.entry(admin).or_default().push(n);
        }
    }
    let mut by_changer: BTreeMap<NodeIdx, Vec<usize>> = BTreeMap::new();
    for (i, f) in facts.iter().enumerate() {
        by_changer.entry(f.changer).or_default().push(i);
    }
    // A fact is done when each of its targets is resolved (reached, or the changer itself), or
    // when it gave as many ways as an edge keeps.
    let mut done = vec![false; facts.len()];
    let mut resolved: HashSet<(usize, NodeIdx)> = HashSet::default();
    let mut resolved_count = vec![0usize; facts.len()];
    let mut gave = vec![0usize; facts.len()];
    let mut cache: HashMap<NodeIdx, bool> = HashMap::default();
    let mut added: Vec<Edge> = Vec::new();
    let mut overlay: HashMap<NodeIdx, Vec<(NodeIdx, usize)>> = HashMap::default();
    let add = |added: &mut Vec<Edge>, overlay: &mut HashMap<NodeIdx, Vec<(NodeIdx, usize)>>, e: Edge| {
        overlay.entry(e.from).or_default().push((e.to, added.len()));
        added.push(e);
    };
    // An edge keeps at most `MAX_WAYS` ways (the first ones, in the order they come) and
    // counts the others: a way past them is only counted (`counted`), without its texts.
    let mut room = Room { kept: HashMap::default(), counted: Vec::new() };
    // Changes of oneself, or of one's group, need no search.
    for (i, f) in facts.iter().enumerate() {
        let mine: Vec<NodeIdx> = if f.targets.binary_search(&f.changer).is_ok() {
            vec![f.changer]
        } else {
            f.targets
                .iter()
                .copied()
                .filter(|t| g.node(*t).is_some_and(|n| n.kind == NodeKind::Group) && is_member(env, &g, &actor_at, f.changer, *t))
                .collect()
        };
        for t in mine {
            if resolved.insert((i, t))
                && let Some(n) = resolved_count.get_mut(i)
            {
                *n += 1;
            }
            if !capped(env, &g, &actor_at, &mut cache, f.changer) {
                continue;
            }
            if let Some(to) = admin_of(t) {
                if room.take(&g, f, to) {
                    let description = if t == f.changer {
                        format!("changes its own permissions with {}", f.action)
                    } else {
                        format!(
                            "changes the permissions of its group {} with {}",
                            g.node(t).map_or("", |n| n.id.as_str()),
                            f.action
                        )
                    };
                    add(&mut added, &mut overlay, edge(f, to, path_for(f.action, ActsAs::Itself), Vec::new(), description));
                }
                if let Some(n) = gave.get_mut(i) {
                    *n += 1;
                }
            }
        }
    }
    let mut reached = Reached::new(g.nodes().len());
    let mut queue: VecDeque<(NodeIdx, usize)> = VecDeque::new();
    for _ in 0..MAX_ROUNDS {
        let mut new: Vec<Edge> = Vec::new();
        let search = Search { g: &g, added: &added, overlay: &overlay, implicit: &implicit };
        for (&x, list) in &by_changer {
            let open: Vec<usize> = list.iter().copied().filter(|i| !done.get(*i).copied().unwrap_or(true)).collect();
            if open.is_empty() {
                continue;
            }
            // Direct edges first: they name the documented combination (iam-014, iam-015, ...).
            let rank = |v: Via| match acts_of(search.edge(v)) {
                Some(ActsAs::AssumeRole) => 0,
                Some(_) => 1,
                None => 2,
            };
            // A capability node stands for one edge to each of its targets: its targets are
            // direct too, through it.
            let mut direct: HashMap<NodeIdx, Step> = HashMap::default();
            let mut consider = |t: NodeIdx, step: Step| {
                if direct.get(&t).is_none_or(|old| step.rank < old.rank) {
                    direct.insert(t, step);
                }
            };
            search.next(x, &mut |t, v| {
                if g.node(t).is_some_and(|n| n.kind == NodeKind::Capability) {
                    search.next(t, &mut |t2, v2| consider(t2, Step { through: Some((t, v)), last: v2, rank: rank(v2) }));
                } else {
                    consider(t, Step { through: None, last: v, rank: rank(v) });
                }
            });
            let stop = admin_of(x);
            // One search per changer and round: `None` when the changer already is an
            // administrator of its own account (a longer way then adds nothing).
            let parents = if search.search(x, stop, &mut reached, &mut queue) { Some(&reached) } else { None };
            for i in open {
                let Some(f) = facts.get(i) else { continue };
                // Only the targets reached, directly or by the search, can give an edge: they
                // are visited in the targets' order, from whichever side is shorter.
                let reach = parents.map_or(0, Reached::len);
                let mut candidates: Vec<NodeIdx> = if f.targets.len() <= direct.len() + reach {
                    f.targets
                        .iter()
                        .copied()
                        .filter(|t| direct.contains_key(t) || parents.is_some_and(|p| p.contains(*t)))
                        .collect()
                } else {
                    let mut v: Vec<NodeIdx> = direct
                        .keys()
                        .chain(parents.iter().flat_map(|p| p.nodes().iter()))
                        .copied()
                        .filter(|t| f.targets.binary_search(t).is_ok())
                        .collect();
                    v.sort_unstable();
                    v.dedup();
                    v
                };
                if resolved_count.get(i).is_some_and(|n| *n > 0) {
                    candidates.retain(|t| !resolved.contains(&(i, *t)));
                }
                for t in candidates {
                    let step = direct.get(&t).copied();
                    // A fact whose changer already is an administrator is done after this
                    // round: only the facts still open later need to know what was resolved.
                    if parents.is_some()
                        && resolved.insert((i, t))
                        && let Some(n) = resolved_count.get_mut(i)
                    {
                        *n += 1;
                    }
                    let group = g.node(t).is_some_and(|n| n.kind == NodeKind::Group);
                    let escalated = if group { x } else { t };
                    if !capped(env, &g, &actor_at, &mut cache, escalated) {
                        continue;
                    }
                    let mut hops: Vec<(NodeIdx, NodeIdx, Via)> = Vec::new();
                    match (step, parents) {
                        (Some(Step { through: Some((c, v)), last, .. }), _) => hops.extend([(x, c, v), (c, t, last)]),
                        (Some(Step { through: None, last, .. }), _) => hops.push((x, t, last)),
                        (None, Some(parents)) => {
                            let mut here = t;
                            while here != x {
                                let Some((p, v)) = parents.get(here) else { break };
                                hops.push((p, here, v));
                                here = p;
                            }
                            hops.reverse();
                        }
                        // Already an administrator of its account: only the direct ways count (the
                        // candidates then are the direct targets only).
                        (None, None) => continue,
                    }
                    if let Some(to) = admin_of(t) {
                        if room.take(&g, f, to) {
                            let acts = acts_of(hops.last().and_then(|(_, _, v)| search.edge(*v)));
                            let via: Vec<String> = hops.iter().map(|(a, b, v)| search.describe(*a, *b, *v)).collect();
                            let path = acts.and_then(|a| path_for(f.action, a)).or_else(|| path_for(f.action, ActsAs::Itself));
                            let target = g.node(t).map_or("", |n| n.id.as_str());
                            let description = format!("changes the permissions of {target} with {}, then acts as it", f.action);
                            new.push(edge(f, to, path, via, description));
                        }
                        let n = gave.get(i).copied().unwrap_or(0) + 1;
                        if let Some(slot) = gave.get_mut(i) {
                            *slot = n;
                        }
                        // An edge keeps no more ways than this: further targets add none.
                        if n >= crate::types::MAX_WAYS {
                            if let Some(d) = done.get_mut(i) {
                                *d = true;
                            }
                            break;
                        }
                    }
                }
                // Every target is resolved when the changer already is an administrator (the
                // targets not reached directly need no way), or when each was reached.
                if (parents.is_none() || resolved_count.get(i).copied().unwrap_or(0) >= f.targets.len())
                    && let Some(d) = done.get_mut(i)
                {
                    *d = true;
                }
            }
        }
        if new.is_empty() {
            break;
        }
        for e in new {
            add(&mut added, &mut overlay, e);
        }
    }
    added.extend(room.counted);
    finish(env, g, pos, added)
}

/// The ways each edge from a changer to an administrator node keeps so far, and the ways
/// past [`crate::types::MAX_WAYS`], as edges that only count one way each (and carry the
/// gaps, which the merged edge lists all of).
struct Room {
    kept: HashMap<(NodeIdx, NodeIdx), usize>,
    counted: Vec<Edge>,
}

impl Room {
    /// Whether the edge of `f`'s changer to `to` keeps one more way; when not, the way is
    /// counted.
    fn take(&mut self, g: &Graph, f: &ChangeFact, to: NodeIdx) -> bool {
        let kept = self.kept.entry((f.changer, to)).or_insert_with(|| {
            g.out_edges(f.changer)
                .iter()
                .filter_map(|e| g.edge(*e))
                .find(|e| e.to == to && e.kind == EdgeKind::Privesc)
                .map_or(0, |e| e.ways().len())
        });
        if *kept < crate::types::MAX_WAYS {
            *kept += 1;
            return true;
        }
        let data = crate::types::EdgeData { ways: Vec::new(), more_ways: 1, gaps: f.gaps.clone() };
        self.counted.push(Edge { from: f.changer, to, kind: EdgeKind::Privesc, data: std::sync::Arc::new(data) });
        false
    }
}

/// A change edge: from the changer to the administrator node of the changed principal's
/// account.
fn edge(f: &ChangeFact, to: NodeIdx, path: Option<&'static str>, via: Vec<String>, description: String) -> Edge {
    let way = Way { path, description: description.into(), checks: vec![f.check.clone()], via, assumptions: Vec::new() };
    Edge::new(f.changer, to, EdgeKind::Privesc, way, f.gaps.clone())
}

/// Merges the added edges into the graph, with the edges of the administrator nodes they
/// newly reach, and drops the administrator nodes that no edge touches.
fn finish(env: &Env<'_>, g: Graph, pos: &[NodeIdx], mut added: Vec<Edge>) -> Graph {
    let Graph { nodes, edges, notes, stats, .. } = g;
    let had: BTreeSet<NodeIdx> = edges.iter().filter(|e| e.kind == EdgeKind::AdminControl).map(|e| e.from).collect();
    let newly: BTreeSet<NodeIdx> = added.iter().map(|e| e.to).filter(|t| !had.contains(t)).collect();
    for admin in newly {
        if let Some(account) = nodes.get(admin as usize).and_then(|n| n.account.clone()) {
            admin_control(env, &account, admin, pos, &mut added);
        }
    }
    added.sort_by_key(|e| (e.from, e.to, e.kind));
    let merged = merge_sorted(edges, added);
    let mut edges = coalesce(merged);
    // Drop administrator nodes without edges.
    let mut used = vec![false; nodes.len()];
    for e in &edges {
        for n in [e.from, e.to] {
            if let Some(u) = used.get_mut(n as usize) {
                *u = true;
            }
        }
    }
    let mut remap = vec![u32::MAX; nodes.len()];
    let mut kept = Vec::with_capacity(nodes.len());
    for (i, n) in nodes.into_iter().enumerate() {
        if n.kind != NodeKind::AccountAdmin || used.get(i).copied().unwrap_or(false) {
            if let Some(r) = remap.get_mut(i) {
                *r = kept.len() as u32;
            }
            kept.push(n);
        }
    }
    for e in &mut edges {
        e.from = remap.get(e.from as usize).copied().unwrap_or(0);
        e.to = remap.get(e.to as usize).copied().unwrap_or(0);
    }
    Graph::from_sorted(kept, edges, notes, stats)
}

/// Merges two lists sorted by source, target and kind.
fn merge_sorted(a: Vec<Edge>, b: Vec<Edge>) -> Vec<Edge> {
    if b.is_empty() {
        return a;
    }
    let mut out = Vec::with_capacity(a.len() + b.len());
    let mut a = a.into_iter().peekable();
    let mut b = b.into_iter().peekable();
    loop {
        let take_a = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => (x.from, x.to, x.kind) <= (y.from, y.to, y.kind),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let next = if take_a { a.next() } else { b.next() };
        if let Some(e) = next {
            out.push(e);
        }
    }
    out
}
