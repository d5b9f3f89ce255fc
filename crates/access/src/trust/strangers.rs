//! Whether a role trusted by `*` is open to anyone, as the engine decides it. Reading the
//! `Allow` alone is not enough: a `Deny` with `NotPrincipal` can take everyone but one account
//! away again, and an RCP can deny callers from outside the organization. So the question is
//! put to the evaluator: may a caller that the trust policy does not name (an IAM role of an
//! account that appears nowhere in it, whose own policies allow everything) assume the role,
//! with every condition key unknown? `Allowed` or `Conditional` means yes.

use std::sync::{Arc, OnceLock};

use eval::{Context, Outcome, Request, Unknowns};
use model::{Role, Snapshot};

use crate::assemble::{Assembled, add_role_as_resource};

fn allow_all() -> Option<Arc<policy::Policy>> {
    static P: OnceLock<Option<Arc<policy::Policy>>> = OnceLock::new();
    P.get_or_init(|| {
        policy::Policy::parse_str(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#)
            .ok()
            .map(Arc::new)
    })
    .clone()
}

/// An account id that the text does not contain.
fn unnamed_account(text: &str) -> String {
    (0u64..)
        .map(|n| format!("{:012}", 999_999_999_999u64.saturating_sub(n)))
        .find(|id| !text.contains(id.as_str()))
        .unwrap_or_else(|| "000000000000".to_owned())
}

/// Whether an IAM principal of an account the trust policy does not name may assume `role`
/// with one of `actions` (the trust actions of an entity; `sts:AssumeRole` when none is one),
/// per the engine: `None` when the trust policy is not known or does not parse.
pub fn stranger_may_assume(snapshot: &Snapshot, role: &Role, actions: &[String]) -> Option<bool> {
    let doc = role.trust_policy.as_ref()?;
    doc.policy()?;
    let mut set = Assembled::default();
    set.set.identity("the caller's own policies (not known: everything allowed)", allow_all()?);
    add_role_as_resource(snapshot, role, &mut set);
    let account = unnamed_account(doc.json());
    let partition = policy::Arn::parse(&role.arn).map_or("aws", |a| a.partition);
    let caller = format!("arn:{partition}:iam::{account}:role/someone");
    let ctx = Context::new().with_unknowns(Unknowns::All);
    let mut actions: Vec<&str> =
        actions.iter().map(String::as_str).filter(|a| a.to_ascii_lowercase().starts_with("sts:")).collect();
    if actions.is_empty() {
        actions.push("sts:AssumeRole");
    }
    Some(actions.into_iter().any(|action| {
        let req =
            Request { principal: &caller, action, resource: &role.arn, resource_account: Some(&role.account_id), context: &ctx };
        matches!(eval::evaluate(&req, &set.set).outcome, Outcome::Allowed | Outcome::Conditional)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(trust: &str) -> (Snapshot, Role) {
        let r: Role = serde_json::from_value(serde_json::json!({
            "arn": "arn:aws:iam::111111111111:role/open", "name": "open", "path": "/", "id": "AROA1",
            "account_id": "111111111111", "policies_known": true,
            "trust_policy": serde_json::from_str::<serde_json::Value>(trust).unwrap(),
        }))
        .unwrap();
        (Snapshot::default(), r)
    }

    const ANYONE: &str = r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}"#;

    #[test]
    fn a_deny_with_not_principal_closes_a_trust_of_everyone() {
        let everyone = format!(r#"{{"Version":"2012-10-17","Statement":[{ANYONE}]}}"#);
        let (s, r) = role(&everyone);
        assert_eq!(stranger_may_assume(&s, &r, &["sts:AssumeRole".into()]), Some(true));
        let all_but_one = format!(
            r#"{{"Version":"2012-10-17","Statement":[{ANYONE},{{"Effect":"Deny","NotPrincipal":{{"AWS":"arn:aws:iam::222233334444:root"}},"Action":"sts:AssumeRole"}}]}}"#
        );
        let (s, r) = role(&all_but_one);
        assert_eq!(stranger_may_assume(&s, &r, &["sts:AssumeRole".into()]), Some(false));
        // A condition on who may come is for the rule to weigh: the engine says "maybe".
        let conditional = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}}]}"#;
        let (s, r) = role(conditional);
        assert_eq!(stranger_may_assume(&s, &r, &[]), Some(true));
        let (s, mut r) = role(&everyone);
        r.trust_policy = None;
        assert_eq!(stranger_may_assume(&s, &r, &[]), None);
    }
}
