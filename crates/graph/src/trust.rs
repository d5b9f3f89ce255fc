//! Who a role's trust policy can name, indexed the other way round: from a principal, account,
//! service or identity provider to the roles whose trust names it. The graph evaluates only the
//! pairs this index (and the callers' prefilters) make candidates, never every pair.
//!
//! Only `Allow` statements whose action could be `sts:AssumeRole`, `AssumeRoleWithSAML` or
//! `AssumeRoleWithWebIdentity` count. `NotPrincipal` in an `Allow` names everyone but a few, so
//! it is indexed as `*`. Deny statements name no one; the engine applies them.

use std::collections::{BTreeMap, HashMap};

use model::{Role, Snapshot};
use policy::{Block, Principal};

/// Actions a trust statement must be able to allow to name an assumer.
const ASSUME_ACTIONS: [&str; 3] = ["sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity"];

/// One principal a trust policy names.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Named {
    /// `*`, `{"AWS": "*"}`, or a `NotPrincipal`.
    Anyone,
    /// An account (by id or root ARN).
    Account(String),
    /// An IAM user by ARN.
    User {
        arn: String,
        account: String,
    },
    /// A role (or a session of it) by ARN, indexed by account and name.
    Role {
        arn: String,
        account: String,
        name: String,
    },
    Service(String),
    Federated(String),
    /// Anything else (a role's unique id after the role was deleted, a federated user).
    Other(String),
}

/// The trust index of a snapshot.
pub(crate) struct TrustIndex<'s> {
    /// Every role, in snapshot order; positions are role indices.
    pub roles: Vec<&'s Role>,
    /// What each role's trust names.
    pub names: Vec<Vec<Named>>,
    pub by_role: HashMap<(String, String), Vec<u32>>,
    pub by_user: HashMap<String, Vec<u32>>,
    pub by_account: HashMap<String, Vec<u32>>,
    pub by_service: BTreeMap<String, Vec<u32>>,
    pub wildcard: Vec<u32>,
    /// Roles of each account, by position.
    pub by_owner: HashMap<String, Vec<u32>>,
    pub role_pos: HashMap<&'s str, u32>,
}

/// The account a principal names as a whole (`123456789012` or its `root` ARN).
pub(crate) fn account_of(v: &str) -> Option<String> {
    if v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()) {
        return Some(v.to_owned());
    }
    let a = policy::Arn::parse(v)?;
    (a.service == "iam" && a.resource == "root").then(|| a.account.to_owned())
}

fn named(p: &Principal) -> Option<Named> {
    Some(match p {
        Principal::Any => Named::Anyone,
        Principal::Aws(v) if v == "*" => Named::Anyone,
        Principal::Aws(v) => {
            if let Some(a) = account_of(v) {
                return Some(Named::Account(a));
            }
            let Some(arn) = policy::Arn::parse(v) else { return Some(Named::Other(v.clone())) };
            let (ty, rest) = arn.resource_type_and_id();
            let account = arn.account.to_owned();
            match (arn.service, ty) {
                ("iam", "user") => Named::User { arn: v.clone(), account },
                ("iam", "role") => {
                    Named::Role { arn: v.clone(), account, name: rest.rsplit('/').next().unwrap_or(rest).to_owned() }
                }
                ("sts", "assumed-role") => match rest.split_once('/') {
                    Some((role, _)) => Named::Role { arn: v.clone(), account, name: role.to_owned() },
                    None => Named::Other(v.clone()),
                },
                _ => Named::Other(v.clone()),
            }
        }
        Principal::Service(s) => Named::Service(s.to_ascii_lowercase()),
        Principal::Federated(f) => Named::Federated(f.clone()),
        Principal::CanonicalUser(_) => return None,
    })
}

/// What a role's trust policy names (empty when the trust is missing or does not parse).
pub(crate) fn names_of(role: &Role) -> Vec<Named> {
    let Some(p) = role.trust_policy.as_ref().and_then(|d| d.policy()) else { return Vec::new() };
    let mut out = Vec::new();
    for s in &p.statements {
        if s.effect != policy::Effect::Allow {
            continue;
        }
        let assume = ASSUME_ACTIONS.iter().any(|a| s.action.applies(s.action.items().iter().any(|p| p.matches_lower(a))));
        if !assume {
            continue;
        }
        match &s.principal {
            Some(Block::Only(items)) => out.extend(items.iter().filter_map(named)),
            Some(Block::Not(_)) => out.push(Named::Anyone),
            None => {}
        }
    }
    out.sort();
    out.dedup();
    out
}

fn push(map: &mut HashMap<String, Vec<u32>>, key: &str, i: u32) {
    let v = map.entry(key.to_owned()).or_default();
    if v.last() != Some(&i) {
        v.push(i);
    }
}

impl<'s> TrustIndex<'s> {
    pub fn new(snapshot: &'s Snapshot) -> TrustIndex<'s> {
        let roles: Vec<&Role> = snapshot.roles().collect();
        let names: Vec<Vec<Named>> = roles.iter().map(|r| names_of(r)).collect();
        let mut ix = TrustIndex {
            by_role: HashMap::new(),
            by_user: HashMap::new(),
            by_account: HashMap::new(),
            by_service: BTreeMap::new(),
            wildcard: Vec::new(),
            by_owner: HashMap::new(),
            role_pos: HashMap::with_capacity(roles.len()),
            roles,
            names: Vec::new(),
        };
        for (i, (r, ns)) in ix.roles.iter().zip(&names).enumerate() {
            let i = i as u32;
            ix.role_pos.insert(r.arn.as_str(), i);
            ix.by_owner.entry(r.account_id.clone()).or_default().push(i);
            for n in ns {
                match n {
                    Named::Anyone => {
                        if ix.wildcard.last() != Some(&i) {
                            ix.wildcard.push(i);
                        }
                    }
                    Named::Account(a) => push(&mut ix.by_account, a, i),
                    Named::User { arn, .. } => push(&mut ix.by_user, arn, i),
                    Named::Role { account, name, .. } => {
                        let v = ix.by_role.entry((account.clone(), name.clone())).or_default();
                        if v.last() != Some(&i) {
                            v.push(i);
                        }
                    }
                    Named::Service(s) => {
                        let v = ix.by_service.entry(s.clone()).or_default();
                        if v.last() != Some(&i) {
                            v.push(i);
                        }
                    }
                    // An identity pool's role: indexed with the services, since a principal
                    // that may set the pool's roles passes the role to Cognito (see
                    // `assume::service_trust`).
                    Named::Federated(f) if f == crate::privesc::spec::COGNITO_IDENTITY => {
                        let v = ix.by_service.entry(f.clone()).or_default();
                        if v.last() != Some(&i) {
                            v.push(i);
                        }
                    }
                    Named::Federated(_) | Named::Other(_) => {}
                }
            }
        }
        ix.names = names;
        ix
    }

    pub fn role(&self, i: u32) -> Option<&'s Role> {
        self.roles.get(i as usize).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_read_from_allow_statements_that_can_assume() {
        let doc = model::PolicyDoc::from_json_text(
            r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Principal":{"AWS":["123456789012","arn:aws:iam::222222222222:root","arn:aws:iam::1:user/u",
              "arn:aws:iam::1:role/path/r","arn:aws:sts::1:assumed-role/s/sess","AROAEXAMPLE"]},"Action":"sts:AssumeRole"},
            {"Effect":"Allow","Principal":{"Service":"Lambda.amazonaws.com","Federated":"arn:aws:iam::1:saml-provider/idp"},"Action":["sts:AssumeRole","sts:AssumeRoleWithSAML"]},
            {"Effect":"Allow","Principal":"*","Action":"sts:TagSession"},
            {"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole"}]}"#,
        );
        let role = model::Role {
            arn: "arn:aws:iam::1:role/t".into(),
            name: "t".into(),
            path: "/".into(),
            id: String::new(),
            account_id: "000000000001".into(),
            create_date: None,
            description: None,
            max_session_duration: None,
            role_last_used: None,
            permissions_boundary: None,
            tags: Vec::new(),
            trust_policy: Some(doc),
            inline_policies: Vec::new(),
            attached_managed_policies: Vec::new(),
            instance_profile_arns: Vec::new(),
            policies_known: true,
        };
        let n = names_of(&role);
        assert!(n.contains(&Named::Account("123456789012".into())));
        assert!(n.contains(&Named::Account("222222222222".into())));
        assert!(n.contains(&Named::User { arn: "arn:aws:iam::1:user/u".into(), account: "1".into() }));
        assert!(n.contains(&Named::Role { arn: "arn:aws:iam::1:role/path/r".into(), account: "1".into(), name: "r".into() }));
        assert!(n.contains(&Named::Role {
            arn: "arn:aws:sts::1:assumed-role/s/sess".into(),
            account: "1".into(),
            name: "s".into()
        }));
        assert!(n.contains(&Named::Other("AROAEXAMPLE".into())));
        assert!(n.contains(&Named::Service("lambda.amazonaws.com".into())));
        assert!(n.contains(&Named::Federated("arn:aws:iam::1:saml-provider/idp".into())));
        assert!(!n.contains(&Named::Anyone), "TagSession and Deny name no assumer");
    }
}
