//! The principals of the snapshot as the graph evaluates them ("actors"): users, roles, and
//! groups (through a stand-in member), each with its assembled policy set, its partial
//! context, and a prefilter of what its identity policies could allow.
//!
//! The prefilter keeps the graph from evaluating every pair: for each action a documented path
//! or an assume needs, it records the resource patterns of the identity `Allow` statements that
//! could apply to it. A request whose action no statement allows, or whose resource no pattern
//! matches, is never sent to the engine. It is only a filter: the engine decides every edge,
//! with boundaries, SCPs, denies and conditions.

use std::sync::{Arc, OnceLock};

use access::Assembled;
use eval::{Context, PolicyKind, PolicySet};
use model::{Group, Role, Snapshot, User};
use policy::{Block, ResourceMatcher};

use crate::condition::NamedSet;
use crate::context::{self, Known};
use crate::privesc::spec::PATHS;
use crate::types::{NodeIdx, NodeKind};

/// The actions the prefilter tracks: every action of a documented path, and the probes of
/// administrator access (lower-cased, sorted).
pub(crate) fn tracked() -> &'static [String] {
    static T: OnceLock<Vec<String>> = OnceLock::new();
    T.get_or_init(|| {
        let mut v: Vec<String> = PATHS
            .iter()
            .flat_map(|p| p.actions.iter())
            .chain(crate::admin::PROBE_ACTIONS.iter())
            .map(|a| a.to_ascii_lowercase())
            .collect();
        v.sort();
        v.dedup();
        v
    })
}

/// Compares an already lower-case text with another, ignoring ASCII case, without allocating.
fn cmp_lower(lower: &str, other: &str) -> std::cmp::Ordering {
    lower.bytes().cmp(other.bytes().map(|b| b.to_ascii_lowercase()))
}

/// The index of a tracked action. The names of the documented paths, as they are written
/// there, are found without comparing (the graph asks for them millions of times).
pub(crate) fn tracked_index(action: &str) -> Option<usize> {
    static EXACT: OnceLock<rustc_hash::FxHashMap<&'static str, usize>> = OnceLock::new();
    let exact = EXACT.get_or_init(|| {
        PATHS
            .iter()
            .flat_map(|p| p.actions.iter().copied())
            .chain(crate::admin::PROBE_ACTIONS.iter().copied())
            .filter_map(|a| Some((a, search_tracked(a)?)))
            .collect()
    });
    exact.get(action).copied().or_else(|| search_tracked(action))
}

/// The index of a tracked action, in any case, by search.
fn search_tracked(action: &str) -> Option<usize> {
    tracked().binary_search_by(|a| cmp_lower(a, action)).ok()
}

/// One resource pattern of an identity statement, by position in its policy (the actor keeps
/// the policy; the pattern is not copied).
#[derive(Clone, Debug)]
pub(crate) struct PatternRef {
    policy: Arc<policy::Policy>,
    statement: u32,
    item: u32,
}

impl PatternRef {
    fn pattern(&self) -> Option<&policy::ResourcePattern> {
        match &self.policy.statements.get(self.statement as usize)?.resource {
            Some(Block::Only(items)) => items.get(self.item as usize),
            _ => None,
        }
    }

    /// The pattern as the policy writes it.
    pub fn raw(&self) -> &str {
        self.pattern().map_or("", |p| p.raw.as_str())
    }

    fn matches(&self, resource: &str) -> bool {
        self.pattern().and_then(|p| p.matcher.as_ref()).is_some_and(|m| m.matches(resource))
    }
}

/// What the identity `Allow` statements of an actor could allow for one action.
#[derive(Clone, Debug, Default)]
pub(crate) struct Grant {
    /// Some statement could apply to any resource (`*`, `NotResource`, a variable).
    pub any: bool,
    /// The resource patterns of the other statements.
    pub patterns: Vec<PatternRef>,
}

impl Grant {
    /// Whether a statement could allow the action on `resource`.
    pub fn may_allow(&self, resource: &str) -> bool {
        self.any || self.patterns.iter().any(|p| p.matches(resource))
    }
}

/// A principal of the snapshot, ready for evaluation.
pub(crate) struct Actor<'s> {
    pub kind: NodeKind,
    /// The node (set when the nodes are registered).
    pub node: NodeIdx,
    /// The node id: the principal's ARN (the group's for a group).
    pub id: Arc<str>,
    /// The ARN requests are made as (a stand-in member for a group).
    pub arn: Arc<str>,
    pub account: String,
    pub set: NamedSet,
    pub gaps: Vec<String>,
    /// The keys its requests carry (built once; checks that set a key of their own copy it).
    pub ctx: Context,
    /// Indexed like [`tracked`].
    /// By tracked action (its index), only the actions some statement could allow.
    pub grants: Vec<(u16, Grant)>,
    pub admin: bool,
    pub role: Option<&'s Role>,
    pub user: Option<&'s User>,
    pub group: Option<&'s Group>,
}

impl Actor<'_> {
    /// Whether its requests never carry MFA (a role that only services and identity providers
    /// may assume: [`context::sessions_without_mfa`]).
    pub fn without_mfa(&self) -> bool {
        self.role.is_some_and(context::sessions_without_mfa)
    }

    /// The principal to name in checks: the stand-in member for a group, else none (the edge's
    /// source made the request).
    pub fn stand_in(&self) -> Option<Arc<str>> {
        (self.kind == NodeKind::Group).then(|| self.arn.clone())
    }

    /// What the actor's statements could allow for a tracked action.
    pub fn grant(&self, action: &str) -> Option<&Grant> {
        let i = u16::try_from(tracked_index(action)?).ok()?;
        self.grants.binary_search_by_key(&i, |(k, _)| *k).ok().and_then(|at| self.grants.get(at)).map(|(_, g)| g)
    }

    /// Whether some statement could allow each action (on some resource).
    pub fn may_do_all(&self, actions: &[&str]) -> bool {
        actions.iter().all(|a| self.grant(a).is_some())
    }

    /// Whether some statement could allow the action on the resource.
    pub fn may(&self, action: &str, resource: &str) -> bool {
        self.grant(action).is_some_and(|g| g.may_allow(resource))
    }
}

fn grants(set: &PolicySet) -> Vec<(u16, Grant)> {
    let actions = tracked();
    let mut out: Vec<Option<Grant>> = vec![None; actions.len()];
    for e in set.entries() {
        if e.kind != PolicyKind::Identity {
            continue;
        }
        for (si, s) in e.policy.statements.iter().enumerate() {
            if s.effect != policy::Effect::Allow {
                continue;
            }
            for (i, a) in actions.iter().enumerate() {
                let any = s.action.items().iter().any(|p| p.matches_lower(a));
                if !s.action.applies(any) {
                    continue;
                }
                let Some(slot) = out.get_mut(i) else { continue };
                let g = slot.get_or_insert_with(Grant::default);
                match &s.resource {
                    None | Some(Block::Not(_)) => g.any = true,
                    Some(Block::Only(items)) => {
                        for (ri, r) in items.iter().enumerate() {
                            match &r.matcher {
                                Some(ResourceMatcher::All) | None => g.any = true,
                                Some(_) => g.patterns.push(PatternRef {
                                    policy: e.policy.clone(),
                                    statement: si as u32,
                                    item: ri as u32,
                                }),
                            }
                        }
                    }
                }
            }
        }
    }
    out.into_iter().enumerate().filter_map(|(i, g)| Some((u16::try_from(i).ok()?, g?))).collect()
}

/// The set with the principal's own inline policies named relative to it
/// (`inline policy NAME`), so that principals holding the same documents share evidence.
fn relative_names(arn: &str, set: PolicySet) -> NamedSet {
    let mut named = NamedSet::of(set);
    let prefix = format!("{arn} inline policy ");
    for n in &mut named.names {
        if let Some(rest) = n.strip_prefix(&prefix) {
            *n = Arc::from(format!("inline policy {rest}"));
        }
    }
    named
}

fn actor<'s>(kind: NodeKind, id: &str, arn: &str, account: String, a: Assembled, known: Known) -> Actor<'s> {
    let ctx = known.build();
    Actor {
        kind,
        node: 0,
        id: Arc::from(id),
        arn: Arc::from(arn),
        account,
        grants: grants(&a.set),
        set: relative_names(arn, a.set),
        gaps: a.gaps,
        ctx,
        admin: false,
        role: None,
        user: None,
        group: None,
    }
}

/// A user as an actor.
pub(crate) fn of_user<'s>(snapshot: &'s Snapshot, u: &'s User, now: Option<model::Timestamp>) -> Actor<'s> {
    let a = access::user_identity(snapshot, u);
    let mut out = actor(NodeKind::User, &u.arn, &u.arn, u.account_id.clone(), a, context::user(snapshot, u, now));
    out.user = Some(u);
    out
}

/// A role as an actor (its sessions).
pub(crate) fn of_role<'s>(
    snapshot: &'s Snapshot,
    r: &'s Role,
    session_tags_unknown: bool,
    now: Option<model::Timestamp>,
) -> Actor<'s> {
    let a = access::role_identity(snapshot, r);
    let known = context::role(snapshot, r, session_tags_unknown, now);
    let mut out = actor(NodeKind::Role, &r.arn, &r.arn, r.account_id.clone(), a, known);
    out.role = Some(r);
    out
}

/// The name of the stand-in member through which a group's permissions are evaluated.
pub(crate) const GROUP_MEMBER: &str = "rolegraph-member-of-";

/// A group as an actor: a stand-in user whose only policies are the group's (and the SCPs of
/// its account).
pub(crate) fn of_group<'s>(snapshot: &'s Snapshot, g: &'s Group, now: Option<model::Timestamp>) -> Actor<'s> {
    let name = format!("{GROUP_MEMBER}{}", g.name);
    let partition = policy::Arn::parse(&g.arn).map_or("aws", |a| a.partition);
    let user = User {
        arn: format!("arn:{partition}:iam::{}:user/{name}", g.account_id),
        name,
        path: "/".into(),
        id: String::new(),
        account_id: g.account_id.clone(),
        create_date: None,
        permissions_boundary: None,
        tags: Vec::new(),
        groups: vec![g.name.clone()],
        inline_policies: Vec::new(),
        attached_managed_policies: Vec::new(),
        policies_known: true,
    };
    let a = access::user_identity(snapshot, &user);
    let mut k = context::created_in(snapshot, &g.account_id, now);
    k.set("aws:PrincipalType", "User");
    let mut out = actor(NodeKind::Group, &g.arn, &user.arn, g.account_id.clone(), a, k);
    out.group = Some(g);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracked_actions_fit_and_are_found() {
        assert!(tracked().len() > 50);
        assert!(tracked_index("iam:PassRole").is_some());
        assert!(tracked_index("sts:assumerole").is_some());
        assert_eq!(tracked_index("sts:assumerole"), tracked_index("sts:AssumeRole"));
        assert!(tracked_index("dynamodb:GetItem").is_none());
    }

    #[test]
    fn grants_record_patterns_and_wildcards() {
        let mut set = PolicySet::new();
        let p = policy::Policy::parse_str(
            r#"{"Version":"2012-10-17","Statement":[
                {"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::1:role/app-*"},
                {"Effect":"Allow","Action":"iam:*","Resource":"*"},
                {"Effect":"Deny","Action":"lambda:*","Resource":"*"}]}"#,
        )
        .unwrap();
        set.identity("p", std::sync::Arc::new(p));
        let g = grants(&set);
        let at = |a: &str| {
            let i = tracked_index(a).unwrap() as u16;
            g.iter().find(|(k, _)| *k == i).map(|(_, g)| g)
        };
        let assume = at("sts:AssumeRole").unwrap();
        assert!(!assume.any);
        assert!(assume.may_allow("arn:aws:iam::1:role/app-x"));
        assert_eq!(assume.patterns[0].raw(), "arn:aws:iam::1:role/app-*");
        assert!(!assume.may_allow("arn:aws:iam::1:role/db"));
        assert!(at("iam:PassRole").unwrap().any);
        assert!(at("lambda:CreateFunction").is_none());
    }
}
