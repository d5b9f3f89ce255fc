//! The statements of a resource-based policy by the principals they name, so that a decision
//! looks only at the statements that may name its caller.
//!
//! Without it, deciding whether each of the N principals of a trust policy of N statements may
//! assume the role reads every statement N times: quadratic (10,000 statements took 10.4 s in
//! the authorization graph, issue 14). A `Principal` entry names a caller only through the
//! caller's account, its exact ARN or name, or its service name (see [`crate::principal`]), so
//! the statements are filed under those keys; statements with `*`, `NotPrincipal` or no
//! principal are read for every caller. The index narrows, it never decides: each candidate
//! statement is still read in full, in its order, so the decision is the same.
//!
//! An index is built on the first decision that reads a policy of at least [`MIN_STATEMENTS`]
//! statements, and kept while the policy is alive (policies are shared `Arc`s that the graph and
//! the rules decide thousands of requests against).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};

use policy::{Block, Policy, Principal};

use crate::principal::{Caller, CallerKind};

/// Below this many statements, reading them all is as fast as looking them up.
pub const MIN_STATEMENTS: usize = 64;

/// What a `Principal` entry may match a caller by.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Key {
    /// An IAM identity of the account (an account id, its `root`, any ARN in it).
    Account(String),
    /// The caller's exact ARN or name (providers, canonical users, ARNs without an account).
    Text(String),
    /// A service principal, lower-cased.
    Service(String),
}

/// The statements of one policy by key.
#[derive(Debug, Default)]
pub struct PrincipalIndex {
    /// Statements read for every caller, in order.
    always: Vec<u32>,
    by_key: HashMap<Key, Vec<u32>>,
}

fn account_of(value: &str) -> Option<&str> {
    if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(value);
    }
    policy::Arn::parse(value).map(|a| a.account).filter(|a| !a.is_empty())
}

/// The keys of one entry, or `None` when it names everyone.
fn key_of(p: &Principal) -> Option<Key> {
    match p {
        Principal::Any => None,
        Principal::Aws(v) if v == "*" => None,
        Principal::Aws(v) => Some(match account_of(v) {
            Some(a) => Key::Account(a.to_owned()),
            None => Key::Text(v.clone()),
        }),
        Principal::Service(s) => Some(Key::Service(s.to_ascii_lowercase())),
        Principal::Federated(f) => Some(Key::Text(f.clone())),
        Principal::CanonicalUser(c) => Some(Key::Text(c.clone())),
    }
}

impl PrincipalIndex {
    pub fn new(policy: &Policy) -> PrincipalIndex {
        let mut ix = PrincipalIndex::default();
        for (i, s) in policy.statements.iter().enumerate() {
            let Ok(i) = u32::try_from(i) else { break };
            let keys: Option<Vec<Key>> = match &s.principal {
                Some(Block::Only(items)) => items.iter().map(key_of).collect(),
                None | Some(Block::Not(_)) => None,
            };
            match keys {
                None => ix.always.push(i),
                Some(mut keys) => {
                    keys.sort();
                    keys.dedup();
                    for k in keys {
                        ix.by_key.entry(k).or_default().push(i);
                    }
                }
            }
        }
        ix
    }

    /// The statements that may name `caller`, in order.
    pub fn candidates(&self, caller: &Caller) -> Vec<u32> {
        let mut keys = vec![Key::Text(caller.arn.clone())];
        if let Some(a) = &caller.account {
            keys.push(Key::Account(a.clone()));
        }
        if let CallerKind::Service(s) = &caller.kind {
            keys.push(Key::Service(s.to_ascii_lowercase()));
        }
        let mut out = self.always.clone();
        for k in &keys {
            out.extend(self.by_key.get(k).into_iter().flatten().copied());
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

type Cache = Mutex<HashMap<usize, (Weak<Policy>, Arc<PrincipalIndex>)>>;

/// The index of a policy with at least [`MIN_STATEMENTS`] statements: built once, kept while the
/// policy lives. `None` for a smaller policy (read it all).
pub fn of(policy: &Arc<Policy>) -> Option<Arc<PrincipalIndex>> {
    if policy.statements.len() < MIN_STATEMENTS {
        return None;
    }
    static CACHE: OnceLock<Cache> = OnceLock::new();
    static LIVE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let cache = CACHE.get_or_init(Cache::default);
    let key = Arc::as_ptr(policy) as usize;
    // A poisoned lock (a panic elsewhere while it was held) only costs the index.
    let mut map = cache.lock().ok()?;
    if let Some((weak, ix)) = map.get(&key)
        && weak.upgrade().is_some_and(|p| Arc::ptr_eq(&p, policy))
    {
        return Some(ix.clone());
    }
    // Forget the indexes of policies that are gone, each time the map has doubled.
    let live = LIVE.load(std::sync::atomic::Ordering::Relaxed);
    if map.len() >= 2 * live + 64 {
        map.retain(|_, (w, _)| w.strong_count() > 0);
        LIVE.store(map.len(), std::sync::atomic::Ordering::Relaxed);
    }
    let ix = Arc::new(PrincipalIndex::new(policy));
    map.insert(key, (Arc::downgrade(policy), ix.clone()));
    Some(ix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_are_the_statements_that_may_name_the_caller() {
        let mut statements = vec![
            r#"{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole"}"#.to_owned(),
            r#"{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}"#.to_owned(),
            r#"{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::222222222222:role/r","arn:aws:iam::111111111111:user/u"]},"Action":"sts:AssumeRole"}"#.to_owned(),
            r#"{"Effect":"Allow","Principal":{"Service":"Lambda.amazonaws.com"},"Action":"sts:AssumeRole"}"#.to_owned(),
            r#"{"Effect":"Deny","NotPrincipal":{"AWS":"333333333333"},"Action":"sts:AssumeRole"}"#.to_owned(),
            r#"{"Effect":"Allow","Principal":{"Federated":"accounts.google.com"},"Action":"sts:AssumeRoleWithWebIdentity"}"#.to_owned(),
        ];
        statements.extend((0..70).map(|i| {
            format!(
                r#"{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{:012}:root"}},"Action":"sts:AssumeRole"}}"#,
                500_000_000_000u64 + i
            )
        }));
        let p = Arc::new(
            Policy::parse_str(&format!(r#"{{"Version":"2012-10-17","Statement":[{}]}}"#, statements.join(","))).unwrap(),
        );
        let ix = of(&p).unwrap();
        assert!(Arc::ptr_eq(&ix, &of(&p).unwrap()), "built once");
        let c = |who: &str| ix.candidates(&Caller::parse(who));
        assert_eq!(c("arn:aws:sts::111111111111:assumed-role/x/s"), [0, 1, 2, 4]);
        assert_eq!(c("arn:aws:iam::222222222222:role/r"), [1, 2, 4]);
        assert_eq!(c("lambda.amazonaws.com"), [1, 3, 4]);
        assert_eq!(c("accounts.google.com"), [1, 4, 5]);
        assert_eq!(c("arn:aws:iam::500000000007:root"), [1, 4, 13]);
        let small = Arc::new(Policy::parse_str(r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"*"}}"#).unwrap());
        assert!(of(&small).is_none());
    }

    /// The index only narrows: every statement left out names the caller nowhere (checked for
    /// every pair of a principal entry and a caller of a varied list).
    #[test]
    fn no_statement_that_names_the_caller_is_left_out() {
        let entries = [
            r#""*""#,
            r#"{"AWS":"*"}"#,
            r#"{"AWS":"111111111111"}"#,
            r#"{"AWS":"arn:aws:iam::111111111111:root"}"#,
            r#"{"AWS":"arn:aws:iam::111111111111:role/path/app"}"#,
            r#"{"AWS":"arn:aws:sts::111111111111:assumed-role/app/s1"}"#,
            r#"{"AWS":"arn:aws:iam::111111111111:user/u"}"#,
            r#"{"AWS":"arn:aws:sts::111111111111:federated-user/f"}"#,
            r#"{"AWS":"arn:aws:iam::222222222222:root"}"#,
            r#"{"AWS":"AIDAUNIQUEID"}"#,
            r#"{"AWS":"arn:aws:iam:::role/odd"}"#,
            r#"{"Service":"EC2.amazonaws.com"}"#,
            r#"{"Federated":"arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"}"#,
            r#"{"Federated":"cognito-identity.amazonaws.com"}"#,
            r#"{"CanonicalUser":"79a59df900b949e5"}"#,
        ];
        let callers = [
            "arn:aws:iam::111111111111:root",
            "arn:aws:iam::111111111111:role/app",
            "arn:aws:sts::111111111111:assumed-role/app/s1",
            "arn:aws:iam::111111111111:user/u",
            "arn:aws:sts::111111111111:federated-user/f",
            "arn:aws:iam::222222222222:role/x",
            "AIDAUNIQUEID",
            "arn:aws:iam:::role/odd",
            "ec2.amazonaws.com",
            "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com",
            "cognito-identity.amazonaws.com",
            "79a59df900b949e5",
            "anonymous",
            "*",
        ];
        let mut statements: Vec<String> =
            entries.iter().map(|e| format!(r#"{{"Effect":"Allow","Principal":{e},"Action":"sts:AssumeRole"}}"#)).collect();
        statements.extend(entries.iter().map(|e| format!(r#"{{"Effect":"Deny","NotPrincipal":{e},"Action":"sts:AssumeRole"}}"#)));
        while statements.len() < MIN_STATEMENTS {
            statements
                .push(r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"s3:*"}"#.to_owned());
        }
        let p = Arc::new(
            Policy::parse_str(&format!(r#"{{"Version":"2012-10-17","Statement":[{}]}}"#, statements.join(","))).unwrap(),
        );
        let ix = of(&p).unwrap();
        for who in callers {
            let caller = Caller::parse(who);
            let kept = ix.candidates(&caller);
            for (i, s) in p.statements.iter().enumerate() {
                let names = match &s.principal {
                    Some(Block::Only(items)) => {
                        items.iter().any(|e| crate::principal::naming(e, &caller) != crate::principal::Naming::No)
                    }
                    _ => true,
                };
                assert!(!names || kept.contains(&(i as u32)), "statement {i} names `{who}` but was left out");
            }
        }
    }
}
