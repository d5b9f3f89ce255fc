//! The graph's one way of asking the engine: a request decided against a policy set gives a
//! [`Check`] (allowed, or allowed under a condition that is not contradictory) or a refusal.
//! Also the policy sets the graph builds for itself: a caller's set merged with a role's
//! resource side, and the identity side of principals whose own policies are not known.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use eval::{Atom, Context, Expr, Outcome, PolicyKind, Request, evaluate};

use crate::condition::{Condition, NamedSet, evidence};
use crate::types::{Check, Evidence};

/// Why a check gives no edge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    Denied,
    /// Allowed only under a condition that cannot hold.
    Contradiction(String),
}

/// A converted condition and the statements its atoms come from.
type Converted = (Arc<Condition>, Arc<[Evidence]>);

thread_local! {
    /// Conditions already converted, by their signature: the same residual (the same
    /// conditions of the same statements) recurs for many requests, and is stored once.
    static CONDITIONS: std::cell::RefCell<HashMap<String, Converted>> = std::cell::RefCell::new(HashMap::new());
    /// The resources that checks name: a few targets (a role, an account's roles) recur in
    /// the checks of many principals, and are stored once.
    static RESOURCES: std::cell::RefCell<model::Interner> = std::cell::RefCell::new(model::Interner::new(MAX_CACHED));
}

/// Forgets the conditions of earlier builds (documents are identified by address, which a
/// later snapshot may reuse), and the resources.
pub(crate) fn forget_conditions() {
    CONDITIONS.with(|c| c.borrow_mut().clear());
    RESOURCES.with(|r| r.borrow_mut().clear());
}

/// A check's resource, shared with the checks that named it before on this thread.
pub(crate) fn shared_resource(text: &str) -> Arc<str> {
    RESOURCES.with_borrow_mut(|known| known.get(text))
}

/// The most conditions kept per thread.
const MAX_CACHED: usize = 100_000;

/// What identifies a residual: its shape, and for each atom the condition and the statement
/// (policy document and name, statement index) it comes from.
fn signature(e: &Expr, set: &NamedSet, out: &mut String) {
    use std::fmt::Write;
    match e {
        Expr::True => out.push('T'),
        Expr::False => out.push('F'),
        Expr::Atom(a) => {
            // A condition is identified by its JSON pointer within its statement's document
            // (the engine allocates the atom anew on each decision).
            let (source, what) = match &**a {
                Atom::Condition { source, condition } => (source, format!("c{}", condition.pointer)),
                Atom::CouldNotEvaluate { source, what } => (source, format!("u{what}")),
            };
            let (doc, name) = match set.set.entries().get(source.policy) {
                Some(entry) => (Arc::as_ptr(&entry.policy) as usize, set.names.get(source.policy).map_or("", |n| &**n)),
                None => (0, ""),
            };
            let _ = write!(out, "({what}@{doc:x}#{}:{}:{name})", source.statement, source.policy);
        }
        Expr::Not(x) => {
            out.push('!');
            signature(x, set, out);
        }
        Expr::And(xs) | Expr::Or(xs) => {
            out.push(if matches!(e, Expr::And(_)) { '&' } else { '|' });
            out.push('[');
            for x in xs {
                signature(x, set, out);
                out.push(',');
            }
            out.push(']');
        }
    }
}

/// The condition and its sources for a residual, shared with earlier identical residuals.
fn condition(expr: &Expr, set: &NamedSet) -> Converted {
    let mut key = String::new();
    signature(expr, set, &mut key);
    if let Some(hit) = CONDITIONS.with(|c| c.borrow().get(&key).cloned()) {
        return hit;
    }
    let cond = Condition::from_expr(expr, set);
    let sources: Arc<[Evidence]> = cond.sources().into();
    let value = (Arc::new(cond), sources);
    CONDITIONS.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= MAX_CACHED {
            c.clear();
        }
        c.insert(key, value.clone());
    });
    value
}

/// Decides one request. The check's `principal` is left `None` (the edge's source); callers
/// that ask as a stand-in set it.
pub(crate) fn check(
    set: &NamedSet,
    principal: &Arc<str>,
    action: &'static str,
    resource: &Arc<str>,
    ctx: &Context,
) -> Result<Check, Refusal> {
    check_in(set, principal, action, resource, None, ctx)
}

/// [`check`] of a resource whose ARN does not name its account (an S3 bucket): `account` does.
pub(crate) fn check_in(
    set: &NamedSet,
    principal: &Arc<str>,
    action: &'static str,
    resource: &Arc<str>,
    account: Option<&str>,
    ctx: &Context,
) -> Result<Check, Refusal> {
    let req = Request { principal, action, resource, resource_account: account, context: ctx };
    let d = evaluate(&req, &set.set);
    match d.outcome {
        Outcome::Allowed => {
            let mut ev: Vec<_> = d.decided_by.iter().filter_map(|r| evidence(set, r)).collect();
            ev.sort();
            ev.dedup();
            Ok(Check {
                principal: None,
                action,
                resource: shared_resource(resource),
                outcome: d.outcome,
                condition: None,
                evidence: ev.into(),
            })
        }
        Outcome::Conditional => {
            let (cond, sources) = condition(&d.allowed_if, set);
            if let Some(why) = cond.contradiction() {
                return Err(Refusal::Contradiction(why));
            }
            Ok(Check {
                principal: None,
                action,
                resource: shared_resource(resource),
                outcome: d.outcome,
                evidence: sources,
                condition: Some(cond),
            })
        }
        Outcome::ExplicitlyDenied | Outcome::ImplicitlyDenied => Err(Refusal::Denied),
    }
}

/// A caller's set with a role's resource side (its trust policy and its account's RCPs)
/// added.
pub(crate) fn merged(caller: &NamedSet, resource_side: &NamedSet) -> NamedSet {
    let mut out = caller.clone();
    add_resource_side(&mut out, resource_side, true);
    out
}

/// Adds the resource-based policies and RCPs of `side` to `out` (the trust policy only when
/// `with_trust`).
pub(crate) fn add_resource_side(out: &mut NamedSet, side: &NamedSet, with_trust: bool) {
    let mut levels: Vec<(usize, usize)> = Vec::new();
    for (i, e) in side.set.entries().iter().enumerate() {
        let name = side.names.get(i).cloned().unwrap_or_else(|| e.name.clone());
        match e.kind {
            PolicyKind::Resource if with_trust => {
                out.set.resource(e.name.clone(), e.policy.clone());
                out.names.push(name);
            }
            PolicyKind::Rcp => {
                let level = match levels.iter().find(|(old, _)| *old == e.level) {
                    Some((_, new)) => *new,
                    None => {
                        let new = out.set.rcp_level();
                        levels.push((e.level, new));
                        new
                    }
                };
                out.set.rcp(level, e.name.clone(), e.policy.clone());
                out.names.push(name);
            }
            _ => {}
        }
    }
}

fn parse(json: &str) -> Arc<policy::Policy> {
    Arc::new(policy::Policy::parse_str(json).unwrap_or(policy::Policy {
        version: Some(policy::Version::V2012_10_17),
        id: None,
        statements: Vec::new(),
        single_statement: false,
    }))
}

/// An identity policy that allows everything: the stand-in for the policies of a principal
/// whose own policies are not known (an external account) or that an administrator could
/// write (a principal it creates).
pub(crate) fn allow_all() -> Arc<policy::Policy> {
    static P: OnceLock<Arc<policy::Policy>> = OnceLock::new();
    P.get_or_init(|| parse(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#)).clone()
}

/// The JSON of [`allow_all`], for building model documents.
pub(crate) const ALLOW_ALL_JSON: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// A trust policy that names exactly `principal` for `sts:AssumeRole`: what a caller with
/// `iam:UpdateAssumeRolePolicy` would write.
pub(crate) fn trust_naming(principal: &str) -> Arc<policy::Policy> {
    let doc = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}]
    });
    Arc::new(policy::Policy::from_json(&doc).unwrap_or(policy::Policy {
        version: Some(policy::Version::V2012_10_17),
        id: None,
        statements: Vec::new(),
        single_statement: false,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_policies_parse() {
        assert_eq!(allow_all().statements.len(), 1);
        assert_eq!(trust_naming("arn:aws:iam::1:user/u").statements.len(), 1);
    }

    #[test]
    fn checks_carry_evidence_and_refusals_say_why() {
        let mut set = eval::PolicySet::new();
        set.identity("admin", allow_all());
        let set = NamedSet::of(set);
        let ctx = Context::new();
        let p: Arc<str> = Arc::from("arn:aws:iam::111111111111:user/u");
        let c = check(&set, &p, "s3:GetObject", &Arc::from("arn:aws:s3:::b/k"), &ctx).unwrap();
        assert_eq!(c.outcome, Outcome::Allowed);
        assert_eq!(c.evidence.len(), 1);
        assert_eq!(&*c.evidence[0].policy, "admin");
        assert_eq!(c.evidence[0].pointer(), "/Statement/0");
        let empty = NamedSet::default();
        assert!(matches!(check(&empty, &p, "s3:GetObject", &Arc::from("*"), &ctx), Err(Refusal::Denied)));
    }
}
