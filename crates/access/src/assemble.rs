//! The policy set of a principal, assembled from a snapshot for the evaluator: its identity
//! policies (its own and its groups'), its permission boundary, and the SCPs of every level of
//! the organization from the root to its account; and the resource side of a role (its trust
//! policy, and the RCPs of its account).
//!
//! What the snapshot lacks (a managed policy whose document no export had, a policy that does not
//! parse, an organization whose tree is partly unknown) is recorded in [`Assembled::gaps`]: a
//! decision made on an incomplete set is marked so by its callers, never passed off as exact.

use std::sync::Arc;

use eval::PolicySet;
use model::{OrgPolicyType, PolicyDoc, PolicySource, PrincipalPolicies, Role, Snapshot, User};

/// A policy set and what is missing from it.
#[derive(Clone, Debug, Default)]
pub struct Assembled {
    pub set: PolicySet,
    /// What the snapshot lacks for this set, in words (sorted).
    pub gaps: Vec<String>,
}

impl Assembled {
    /// Whether every policy that applies is known and parsed.
    pub fn is_complete(&self) -> bool {
        self.gaps.is_empty()
    }
}

fn source_name(principal: &str, source: &PolicySource<'_>) -> Arc<str> {
    match source {
        PolicySource::Inline { name } => Arc::from(format!("{principal} inline policy {name}")),
        PolicySource::GroupInline { group, name } => shared_name(&format!("group {group} inline policy {name}")),
        PolicySource::Managed { arn } | PolicySource::GroupManaged { arn, .. } => shared_name(arn),
    }
}

/// The most names [`shared_name`] keeps per thread (past it, it starts again).
const SHARED_NAMES: usize = 100_000;

/// The name of a policy that many principals hold (a managed policy, a boundary, an SCP or
/// RCP, a group's inline policy), made once per thread: the policy sets of a large
/// organization would otherwise hold a copy per principal.
fn shared_name(name: &str) -> Arc<str> {
    thread_local! {
        static NAMES: std::cell::RefCell<model::Interner> = std::cell::RefCell::new(model::Interner::new(SHARED_NAMES));
    }
    NAMES.with_borrow_mut(|names| names.get(name))
}

fn parsed<'a>(name: &str, doc: Option<&'a PolicyDoc>, gaps: &mut Vec<String>) -> Option<&'a Arc<policy::Policy>> {
    match doc {
        None => {
            gaps.push(format!("the document of `{name}` is not in the exports"));
            None
        }
        Some(d) => match d.policy_arc() {
            Some(p) => Some(p),
            None => {
                gaps.push(format!("`{name}` could not be parsed: {}", d.error().unwrap_or("unknown error")));
                None
            }
        },
    }
}

fn add_identity(principal: &str, pp: &PrincipalPolicies<'_>, out: &mut Assembled) {
    if !pp.known {
        out.gaps.push(format!("the policies of `{principal}` are not in the exports"));
    }
    for (source, doc) in &pp.identity {
        let name = source_name(principal, source);
        if let Some(p) = parsed(&name, *doc, &mut out.gaps) {
            out.set.identity(name, p.clone());
        }
    }
    if let Some((arn, doc)) = pp.boundary {
        match parsed(arn, doc, &mut out.gaps) {
            Some(p) => {
                out.set.boundary(shared_name(arn), p.clone());
            }
            // An unknown boundary still limits: without it nothing can be allowed for sure. An
            // empty boundary policy allows nothing, which is the safe reading of "unknown" for
            // an allow, and the gap says why.
            None => {
                out.set.boundary(shared_name(arn), Arc::new(empty_policy()));
            }
        }
    }
}

fn empty_policy() -> policy::Policy {
    policy::Policy { version: Some(policy::Version::V2012_10_17), id: None, statements: Vec::new(), single_statement: false }
}

/// Adds the SCP (for principals) or RCP (for resources) levels that apply to `account_id`.
fn add_org(snapshot: &Snapshot, account_id: &str, ty: OrgPolicyType, out: &mut Assembled) {
    let Some(chain) = snapshot.org_policy_chain(account_id, &ty) else { return };
    if chain.exempt {
        return;
    }
    let what = if ty == OrgPolicyType::ServiceControlPolicy { "SCP" } else { "RCP" };
    for u in &chain.unknown {
        out.gaps.push(format!("{what}: {u}"));
    }
    for level in &chain.levels {
        let l = if ty == OrgPolicyType::ServiceControlPolicy { out.set.scp_level() } else { out.set.rcp_level() };
        for p in &level.policies {
            let name = shared_name(p.name.as_deref().unwrap_or(&p.id));
            let Some(doc) = p.document.as_ref() else { continue };
            let Some(parsed) = doc.policy_arc() else { continue };
            if ty == OrgPolicyType::ServiceControlPolicy {
                out.set.scp(l, name, parsed.clone());
            } else {
                out.set.rcp(l, name, parsed.clone());
            }
        }
    }
}

/// The identity side of a role's sessions: its policies, boundary and SCPs. Service-linked
/// roles are not restricted by SCPs ("SCPs do not affect service-linked roles").
pub fn role_identity(snapshot: &Snapshot, role: &Role) -> Assembled {
    let mut out = Assembled::default();
    add_identity(&role.arn, &snapshot.role_policies(role), &mut out);
    if !role.is_service_linked() {
        add_org(snapshot, &role.account_id, OrgPolicyType::ServiceControlPolicy, &mut out);
    }
    out.gaps.sort();
    out.gaps.dedup();
    out
}

/// The identity side of a user: its policies and its groups', boundary and SCPs.
pub fn user_identity(snapshot: &Snapshot, user: &User) -> Assembled {
    let mut out = Assembled::default();
    add_identity(&user.arn, &snapshot.user_policies(user), &mut out);
    add_org(snapshot, &user.account_id, OrgPolicyType::ServiceControlPolicy, &mut out);
    out.gaps.sort();
    out.gaps.dedup();
    out
}

/// Adds the resource side of assuming `role`: its trust policy as the resource-based policy,
/// and the RCPs of its account. A role without a known trust policy gets a gap (and no
/// resource-based policy, so nothing can be allowed to assume it).
pub fn add_role_as_resource(snapshot: &Snapshot, role: &Role, out: &mut Assembled) {
    match role.trust_policy.as_ref() {
        None => out.gaps.push(format!("the trust policy of `{}` is not in the exports", role.arn)),
        Some(doc) => match doc.policy_arc() {
            Some(p) => {
                out.set.resource(format!("{} trust policy", role.arn), p.clone());
            }
            None => out.gaps.push(format!(
                "the trust policy of `{}` could not be parsed: {}",
                role.arn,
                doc.error().unwrap_or("unknown error")
            )),
        },
    }
    add_org(snapshot, &role.account_id, OrgPolicyType::ResourceControlPolicy, out);
    out.gaps.sort();
    out.gaps.dedup();
}

/// Adds the resource side of a request on `resource`: its resource-based policy and the RCPs
/// of its account. A KMS key whose key policy was not read gets a gap (every key has one, and
/// nothing is allowed without it); a resource of another kind without one is read as having
/// none.
pub fn add_resource(snapshot: &Snapshot, resource: &model::PolicyResource, out: &mut Assembled) {
    match resource.policy.as_ref() {
        None if resource.kind == model::ResourceKind::KmsKey => {
            out.gaps.push(format!("the key policy of `{}` is not in the exports", resource.arn));
        }
        None => {}
        Some(doc) => match doc.policy_arc() {
            Some(p) => {
                out.set.resource(format!("{} resource policy", resource.arn), p.clone());
            }
            None => out.gaps.push(format!(
                "the resource policy of `{}` could not be parsed: {}",
                resource.arn,
                doc.error().unwrap_or("unknown error")
            )),
        },
    }
    add_org(snapshot, &resource.account_id, OrgPolicyType::ResourceControlPolicy, out);
    out.gaps.sort();
    out.gaps.dedup();
}
