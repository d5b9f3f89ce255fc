//! Principals that hold the same policies decide alike: users (or roles) of one account with
//! the same identity policies, boundary and SCPs — the same documents, not only the same text —
//! get the same answer from the engine for every request whose other policies do not name them,
//! as long as none of their statements depends on who the caller is (`aws:PrincipalArn`,
//! `aws:username`, `aws:userid`, `aws:PrincipalTag/...` or a policy variable), and their
//! sessions alike can or cannot carry MFA. The graph
//! evaluates one member of such a class and shares the resulting ways with the others; what
//! names a principal individually (a trust policy that names it, or one whose conditions depend
//! on who the caller is) is still evaluated per principal.

use std::collections::HashMap;
use std::sync::Arc;

use policy::{Block, Statement};

use crate::actor::Actor;
use crate::condition::NamedSet;
use crate::types::NodeKind;

/// What makes two actors decide alike.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    kind: NodeKind,
    account: String,
    /// Per entry: kind, level, evidence name, document identity.
    entries: Vec<(&'static str, usize, Arc<str>, usize)>,
    gaps: Vec<String>,
    /// A user's groups (a group without policies adds no entry, but membership matters).
    groups: Vec<String>,
    /// Whether its requests never carry MFA: that decides conditions on MFA.
    without_mfa: bool,
}

/// Whether a condition key's value depends on who the caller is (beyond its account and kind).
pub(crate) fn specific_key(key_lower: &str) -> bool {
    matches!(key_lower, "aws:principalarn" | "aws:username" | "aws:userid") || key_lower.starts_with("aws:principaltag/")
}

/// Whether a statement depends on who the caller is.
pub(crate) fn statement_is_specific(s: &Statement) -> bool {
    let vars = s.resource.as_ref().is_some_and(|b| b.items().iter().any(|r| r.template.has_variables()));
    vars || s.conditions.iter().any(|c| specific_key(&c.key_lower) || c.values.iter().any(|v| v.template.has_variables()))
}

fn specific(set: &NamedSet) -> bool {
    set.set.entries().iter().any(|e| e.policy.statements.iter().any(statement_is_specific))
}

fn key(a: &Actor<'_>) -> Option<Key> {
    if a.kind == NodeKind::Group || specific(&a.set) {
        return None;
    }
    let entries = a
        .set
        .set
        .entries()
        .iter()
        .zip(&a.set.names)
        .map(|(e, n)| (e.kind.as_str(), e.level, n.clone(), Arc::as_ptr(&e.policy) as usize))
        .collect();
    let groups = a.user.map(|u| u.groups.clone()).unwrap_or_default();
    Some(Key { kind: a.kind, account: a.account.clone(), entries, gaps: a.gaps.clone(), groups, without_mfa: a.without_mfa() })
}

/// The actors grouped into classes (positions into `actors`), in order of first member.
pub(crate) fn classes(actors: &[Actor<'_>]) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut by_key: HashMap<Key, usize> = HashMap::new();
    for (i, a) in actors.iter().enumerate() {
        match key(a) {
            Some(k) => match by_key.get(&k) {
                Some(c) => {
                    if let Some(v) = out.get_mut(*c) {
                        v.push(i);
                    }
                }
                None => {
                    by_key.insert(k, out.len());
                    out.push(vec![i]);
                }
            },
            None => out.push(vec![i]),
        }
    }
    out
}

/// Whether a role's trust decides alike for every caller of an account: no statement names a
/// particular user, role or session, or depends on who the caller is.
pub(crate) fn uniform_trust(role: &model::Role) -> bool {
    let Some(p) = role.trust_policy.as_ref().and_then(|d| d.policy()) else { return true };
    p.statements.iter().all(|s| {
        let names_one = match &s.principal {
            Some(Block::Only(items)) => items.iter().any(|p| match p {
                policy::Principal::Aws(v) => {
                    v != "*" && !(v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit())) && !v.ends_with(":root")
                }
                _ => false,
            }),
            Some(Block::Not(_)) => true,
            None => false,
        };
        !names_one && !statement_is_specific(s)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specific_statements_are_recognised() {
        let p = policy::Policy::parse_str(
            r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}/*"},
            {"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"x"}}},
            {"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}"#,
        )
        .unwrap();
        let flags: Vec<bool> = p.statements.iter().map(statement_is_specific).collect();
        assert_eq!(flags, [true, true, false]);
    }
}
