//! The decision: AWS's documented policy evaluation logic over every policy type.
//!
//! Order, after the documentation ("Policy evaluation logic", "How AWS enforcement code logic
//! evaluates requests", "Cross-account policy evaluation logic"):
//! 1. An applicable `Deny` in any policy (SCP, RCP, endpoint, resource-based, identity-based,
//!    permission boundary, session) denies.
//! 2. SCPs (for principals) and RCPs (for resources): every level of the organization, from the
//!    root to the account, must have an applicable `Allow`.
//! 3. VPC endpoint policies, when given, must allow.
//! 4. Within one account, either the resource-based policy or the identity-based policies allow:
//!    a resource-based `Allow` that names the user or role session itself allows despite an
//!    implicit deny in the identity policies, the boundary or the session policy; one that names
//!    the role is still limited by the boundary and the session policy; one that names the
//!    account delegates to the identity-based policies. IAM role trust policies and KMS key
//!    policies must allow explicitly.
//! 5. Across accounts both sides must allow: the identity side (identity-based policies, the
//!    boundary, the session policy) and the resource-based policy.
//!
//! Evaluation is total: every statement's applicability is true, false, or a residual
//! expression over conditions whose keys are unknown and things that cannot be evaluated, and
//! the outcome says which.

use std::sync::Arc;

use policy::{Block, Effect, Policy, Statement};
use serde::Serialize;

use crate::conditions::{Truth, evaluate_condition};
use crate::context::{Context, Lookup};
use crate::expr::{Atom, Expr};
use crate::principal::{Caller, CallerKind, Naming, excluded_by_not_principal, naming};

/// The kinds of policy that take part in a decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyKind {
    Identity,
    Resource,
    PermissionBoundary,
    Scp,
    Rcp,
    Session,
    Endpoint,
}

impl PolicyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::Identity => "identity",
            PolicyKind::Resource => "resource",
            PolicyKind::PermissionBoundary => "permission-boundary",
            PolicyKind::Scp => "scp",
            PolicyKind::Rcp => "rcp",
            PolicyKind::Session => "session",
            PolicyKind::Endpoint => "endpoint",
        }
    }
}

/// One policy in a set, with the name that evidence uses (an ARN or a name).
#[derive(Clone, Debug)]
pub struct PolicyEntry {
    pub kind: PolicyKind,
    /// For SCPs and RCPs: the level in the organization (0 = root, then OUs, then the account).
    pub level: usize,
    /// Shared: the sets of many principals name the same policies.
    pub name: Arc<str>,
    pub policy: Arc<Policy>,
}

/// Every policy that applies to a request.
#[derive(Clone, Debug, Default)]
pub struct PolicySet {
    entries: Vec<PolicyEntry>,
    scp_levels: usize,
    rcp_levels: usize,
}

impl PolicySet {
    pub fn new() -> Self {
        Self::default()
    }

    fn push(&mut self, kind: PolicyKind, level: usize, name: impl Into<Arc<str>>, policy: Arc<Policy>) -> &mut Self {
        self.entries.push(PolicyEntry { kind, level, name: name.into(), policy });
        self
    }

    /// An identity-based policy of the caller (inline, managed, or a group's).
    pub fn identity(&mut self, name: impl Into<Arc<str>>, policy: Arc<Policy>) -> &mut Self {
        self.push(PolicyKind::Identity, 0, name, policy)
    }

    /// The resource-based policy of the resource (a bucket policy, a role's trust policy, ...).
    pub fn resource(&mut self, name: impl Into<Arc<str>>, policy: Arc<Policy>) -> &mut Self {
        self.push(PolicyKind::Resource, 0, name, policy)
    }

    /// The caller's permission boundary.
    pub fn boundary(&mut self, name: impl Into<Arc<str>>, policy: Arc<Policy>) -> &mut Self {
        self.push(PolicyKind::PermissionBoundary, 0, name, policy)
    }

    /// A session policy passed when the session was created.
    pub fn session(&mut self, name: impl Into<Arc<str>>, policy: Arc<Policy>) -> &mut Self {
        self.push(PolicyKind::Session, 0, name, policy)
    }

    /// A VPC endpoint policy.
    pub fn endpoint(&mut self, name: impl Into<Arc<str>>, policy: Arc<Policy>) -> &mut Self {
        self.push(PolicyKind::Endpoint, 0, name, policy)
    }

    /// Starts a new level of SCPs (call for the root, each OU, then the account, in order, even
    /// when a level has no policy: a level with none allows nothing).
    pub fn scp_level(&mut self) -> usize {
        self.scp_levels += 1;
        self.scp_levels - 1
    }

    /// Adds an SCP at a level returned by [`PolicySet::scp_level`].
    pub fn scp(&mut self, level: usize, name: impl Into<Arc<str>>, policy: Arc<Policy>) -> &mut Self {
        self.push(PolicyKind::Scp, level, name, policy)
    }

    /// Starts a new level of RCPs.
    pub fn rcp_level(&mut self) -> usize {
        self.rcp_levels += 1;
        self.rcp_levels - 1
    }

    /// Adds an RCP at a level returned by [`PolicySet::rcp_level`].
    pub fn rcp(&mut self, level: usize, name: impl Into<Arc<str>>, policy: Arc<Policy>) -> &mut Self {
        self.push(PolicyKind::Rcp, level, name, policy)
    }

    pub fn entries(&self) -> &[PolicyEntry] {
        &self.entries
    }

    fn has(&self, kind: PolicyKind) -> bool {
        self.entries.iter().any(|e| e.kind == kind)
    }

    /// The statement a reference points to.
    pub fn statement(&self, r: &StatementRef) -> Option<(&PolicyEntry, &Statement)> {
        let e = self.entries.get(r.policy)?;
        Some((e, e.policy.statements.get(r.statement)?))
    }

    /// A short human description of a statement reference.
    pub fn describe(&self, r: &StatementRef) -> String {
        match self.statement(r) {
            Some((e, s)) => {
                let sid = s.sid.as_deref().map(|sid| format!(" ({sid})")).unwrap_or_default();
                format!("{} policy `{}` statement {}{}", e.kind.as_str(), e.name, s.index, sid)
            }
            None => "unknown statement".into(),
        }
    }
}

/// A pointer to one statement of one policy of a [`PolicySet`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct StatementRef {
    /// Index into [`PolicySet::entries`].
    pub policy: usize,
    /// Index into that policy's statements.
    pub statement: usize,
}

/// A request to decide.
#[derive(Clone, Debug)]
pub struct Request<'a> {
    /// The caller: a user, role, role session or root ARN; a service principal; a SAML/OIDC
    /// provider ARN; empty or `*` for anonymous.
    pub principal: &'a str,
    /// `service:Action`.
    pub action: &'a str,
    /// The resource ARN, or `*` for actions without resource-level permissions.
    pub resource: &'a str,
    /// The account that owns the resource, when its ARN does not say (S3 buckets).
    pub resource_account: Option<&'a str>,
    pub context: &'a Context,
}

/// The outcome of a decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Outcome {
    Allowed,
    ExplicitlyDenied,
    ImplicitlyDenied,
    /// Allowed only under conditions that the request does not settle: unknown context keys
    /// (partial evaluation) or something the engine could not evaluate. See
    /// [`Decision::allowed_if`] and [`Decision::could_not_evaluate`].
    Conditional,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allowed => "Allowed",
            Outcome::ExplicitlyDenied => "ExplicitlyDenied",
            Outcome::ImplicitlyDenied => "ImplicitlyDenied",
            Outcome::Conditional => "Conditional",
        }
    }
}

/// The result of evaluating a request.
#[derive(Clone, Debug)]
pub struct Decision {
    pub outcome: Outcome,
    /// The statements that decided it: the applicable `Deny`s for an explicit deny, the
    /// applicable `Allow`s for an allow.
    pub decided_by: Vec<StatementRef>,
    /// The policy kinds that denied (explicitly) or failed to allow (implicitly).
    pub blocked_by: Vec<PolicyKind>,
    /// The condition under which the request is allowed (`True`/`False` when settled).
    pub allowed_if: Expr,
    /// What could not be evaluated, with where it is (even when it did not change the outcome).
    pub could_not_evaluate: Vec<String>,
    /// A rule of AWS that decided the request whatever the policies say (GetCallerIdentity is
    /// always allowed; AWS managed policies and service roles cannot be changed).
    pub aws_rule: Option<&'static str>,
}

impl Decision {
    pub fn is_allowed(&self) -> bool {
        self.outcome == Outcome::Allowed
    }
}

/// Which resource-based policies must allow explicitly, even within one account: a role's
/// trust policy ("IAM role trust policies and KMS key policies are exceptions to this logic,
/// because they must explicitly allow access for principals", evaluation logic) and a KMS key's
/// key policy (not a KMS alias, which has none).
fn resource_policy_required(action_lower: &str, resource: &str) -> bool {
    let service = action_lower.split(':').next().unwrap_or("");
    (service == "sts" && resource.contains(":role/")) || (service == "kms" && resource.contains(":key/"))
}

/// Requests that IAM refuses whatever the policies say: changing an AWS managed policy ("You
/// cannot change the permissions defined in AWS managed policies", managed vs inline policies),
/// or changing a service-linked role or an IAM Identity Center role, which only the service
/// may change ("service-linked roles ... only the service can modify"; "AWSReservedSSO roles
/// ... cannot be modified outside IAM Identity Center"). Reading them stays allowed. Also
/// creating, updating or deleting a KMS alias that begins with `alias/aws/`: "You cannot
/// create, update, or delete aliases that begin with alias/aws/. These aliases are reserved for
/// AWS managed keys" (AWS KMS Developer Guide, *Aliases in AWS KMS*).
pub fn protected_by_aws(action_lower: &str, resource: &str) -> Option<&'static str> {
    let (service, name) = action_lower.split_once(':')?;
    if service == "kms" {
        let changes_alias = matches!(name, "createalias" | "updatealias" | "deletealias");
        let arn = policy::Arn::parse(resource)?;
        return (changes_alias && arn.service == "kms" && arn.resource.starts_with("alias/aws/"))
            .then_some("aliases that begin with alias/aws/ are reserved for AWS managed keys");
    }
    if service != "iam" || ["get", "list", "generate", "simulate"].iter().any(|p| name.starts_with(p)) {
        return None;
    }
    let arn = policy::Arn::parse(resource)?;
    if arn.service != "iam" {
        return None;
    }
    if arn.account == "aws" && arn.resource.starts_with("policy/") {
        return Some("AWS managed policies cannot be changed");
    }
    if arn.resource.starts_with("role/aws-service-role/") {
        return Some("service-linked roles can be changed only by their service");
    }
    if arn.resource.starts_with("role/aws-reserved/sso.amazonaws.com/") {
        return Some("IAM Identity Center roles can be changed only by IAM Identity Center");
    }
    None
}

/// Per-request state shared by every statement.
struct Eval<'r, 'c> {
    req: &'r Request<'c>,
    caller: std::borrow::Cow<'r, Caller>,
    action_lower: String,
    collect: bool,
    has_boundary: bool,
}

impl<'r, 'c> Eval<'r, 'c> {
    fn lookup_var(&self, key: &str) -> policy::VarValue<'c> {
        match self.req.context.get(&key.to_ascii_lowercase()) {
            Lookup::Present(v) => match v.as_slice() {
                [one] if !v.is_multi() => policy::VarValue::Known(one.as_str()),
                _ => policy::VarValue::Missing,
            },
            Lookup::Absent => policy::VarValue::Missing,
            Lookup::Unknown => policy::VarValue::Unknown,
        }
    }

    fn action_applies(&self, s: &Statement) -> bool {
        let any = s.action.items().iter().any(|a| a.matches_lower(&self.action_lower));
        s.action.applies(any)
    }

    /// Whether the statement's `Resource` or `NotResource` applies to the request. A policy
    /// variable that cannot be resolved (its key is absent and it has no default) makes the
    /// whole statement not apply, whichever the element: "If AWS cannot resolve a variable this
    /// might cause the entire statement to be invalid" (IAM User Guide, *IAM policy elements:
    /// Variables and tags*). Reading it as "this resource matches nothing" would make a
    /// `NotResource` match everything.
    fn resource_applies(&self, s: &Statement, src: StatementRef) -> Expr {
        let Some(block) = &s.resource else { return Expr::True };
        let mut any = Expr::False;
        for r in block.items() {
            let m = match &r.matcher {
                Some(m) => Expr::from_bool(m.matches(self.req.resource)),
                None => match r.template.resolve(true, |k| self.lookup_var(k)) {
                    policy::Resolved::Pattern(p) => Expr::from_bool(policy::arn::resource_matches(&p, self.req.resource)),
                    policy::Resolved::Missing(_) => return Expr::False,
                    policy::Resolved::Unknown(key) => Expr::Atom(Arc::new(Atom::CouldNotEvaluate {
                        source: src,
                        what: format!("resource `{}` depends on the unknown value of `{key}`", r.raw),
                    })),
                },
            };
            any = any.or(m);
            if any.is_true() {
                break;
            }
        }
        match block {
            Block::Only(_) => any,
            Block::Not(_) => any.not(),
        }
    }

    /// How the statement's `Principal` names the caller (`Exactly` when the statement has no
    /// principal element, i.e. identity-side policies).
    fn principal_naming(&self, s: &Statement) -> (Naming, Option<String>) {
        match &s.principal {
            None => (Naming::Exactly, None),
            Some(Block::Only(items)) => {
                let mut best = Naming::No;
                let mut session = None;
                for p in items {
                    let n = naming(p, &self.caller);
                    if n == Naming::SessionNamed {
                        session = crate::principal::named_session(p, &self.caller).map(str::to_owned);
                    }
                    best = best.max(n);
                }
                (best, session)
            }
            Some(Block::Not(items)) => {
                let excluded = match s.effect {
                    // "NotPrincipal with Deny: ... denied to all principals except the ones
                    // specified ... you must also specify the account ARN ... AWS might validate
                    // the account first, then the role, and then the assumed-role user": every
                    // identity of the caller must be listed. And "NotPrincipal with a Deny effect
                    // will always deny any IAM principal that has a permissions boundary policy
                    // attached" (NotPrincipal, current documentation).
                    Effect::Deny => !self.has_boundary && excluded_by_not_principal(items, &self.caller),
                    // "Doing so allows all principals except the one named".
                    Effect::Allow => items.iter().any(|p| naming(p, &self.caller) != Naming::No),
                };
                if excluded { (Naming::No, None) } else { (Naming::Everyone, None) }
            }
        }
    }

    /// Whether the statement's conditions hold. A condition value whose policy variable cannot
    /// be resolved makes the statement not apply (as for resources, [`Eval::resource_applies`]),
    /// also under a negated operator, where "the value matches nothing" would make the
    /// condition hold.
    fn conditions_hold(&self, s: &Statement, src: StatementRef) -> Expr {
        let unresolvable = s.conditions.iter().flat_map(|c| &c.values).any(|v| {
            v.template.has_variables() && matches!(v.template.resolve(true, |k| self.lookup_var(k)), policy::Resolved::Missing(_))
        });
        if unresolvable {
            return Expr::False;
        }
        let mut all = Expr::True;
        for c in &s.conditions {
            let t = match evaluate_condition(c, self.req.context) {
                Truth::True => Expr::True,
                Truth::False => Expr::False,
                Truth::Unknown => Expr::Atom(Arc::new(Atom::Condition { source: src, condition: Arc::new(c.clone()) })),
                Truth::CouldNotEvaluate(why) => Expr::Atom(Arc::new(Atom::CouldNotEvaluate {
                    source: src,
                    what: format!("condition `{}` on `{}` at `{}`: {why}", c.operator.raw, c.key, c.pointer),
                })),
            };
            all = all.and(t);
            if all.is_false() {
                break;
            }
        }
        all
    }

    /// Whether a statement applies, without its principal.
    fn applies(&self, s: &Statement, src: StatementRef) -> Expr {
        if !self.action_applies(s) {
            return Expr::False;
        }
        let r = self.resource_applies(s, src);
        if r.is_false() {
            return r;
        }
        r.and(self.conditions_hold(s, src))
    }
}

/// Decides a request against a set of policies.
pub fn evaluate(req: &Request<'_>, set: &PolicySet) -> Decision {
    let ev = Eval {
        req,
        caller: std::borrow::Cow::Owned(Caller::parse(req.principal)),
        action_lower: req.action.to_ascii_lowercase(),
        collect: true,
        has_boundary: set.has(PolicyKind::PermissionBoundary),
    };
    decide(&ev, set)
}

/// Decides a request whose caller is already parsed (`caller` must be
/// `Caller::parse(req.principal)`): for callers that decide many requests of one principal,
/// such as the authorization graph.
pub fn evaluate_as(caller: &Caller, req: &Request<'_>, set: &PolicySet) -> Decision {
    let ev = Eval {
        req,
        caller: std::borrow::Cow::Borrowed(caller),
        action_lower: req.action.to_ascii_lowercase(),
        collect: true,
        has_boundary: set.has(PolicyKind::PermissionBoundary),
    };
    decide(&ev, set)
}

fn decide(ev: &Eval<'_, '_>, set: &PolicySet) -> Decision {
    let caller = &ev.caller;
    // "No permissions are required to perform this operation. If an administrator attaches a
    // policy to your identity that explicitly denies access to the sts:GetCallerIdentity action,
    // you can still perform this operation." (STS API reference, GetCallerIdentity)
    if ev.action_lower == "sts:getcalleridentity" && caller.is_iam_identity() {
        return Decision {
            outcome: Outcome::Allowed,
            decided_by: Vec::new(),
            blocked_by: Vec::new(),
            allowed_if: Expr::True,
            could_not_evaluate: Vec::new(),
            aws_rule: Some("sts:GetCallerIdentity needs no permission and cannot be denied"),
        };
    }
    if let Some(why) = protected_by_aws(&ev.action_lower, ev.req.resource) {
        return Decision {
            outcome: Outcome::ImplicitlyDenied,
            decided_by: Vec::new(),
            blocked_by: Vec::new(),
            allowed_if: Expr::False,
            could_not_evaluate: Vec::new(),
            aws_rule: Some(why),
        };
    }
    let resource_account =
        ev.req.resource_account.or_else(|| policy::Arn::parse(ev.req.resource).map(|a| a.account).filter(|a| !a.is_empty()));
    let same_account = match (caller.account.as_deref(), resource_account) {
        (Some(a), Some(b)) => a == b,
        (_, None) => true,
        (None, Some(_)) => false,
    };

    // Whether some `Allow` applies, per policy kind.
    let mut identity_allow = Expr::False;
    let mut boundary_allow = Expr::False;
    let mut session_allow = Expr::False;
    let mut endpoint_allow = Expr::False;
    let mut deny_by_kind: Vec<(PolicyKind, Expr)> = Vec::new();
    let mut scp_allow = vec![Expr::False; set.scp_levels];
    // Resource-based allows by how strongly they name the caller.
    let mut res_exact = Expr::False; // user, session, service, provider: bypasses identity side
    let mut res_role = Expr::False; // the role: limited by boundary and session policy
    let mut res_account = Expr::False; // the account: delegates to identity policies
    let mut res_everyone = Expr::False; // `*`
    let mut decided_allow: Vec<StatementRef> = Vec::new();
    let mut decided_deny: Vec<StatementRef> = Vec::new();
    let mut could_not = Vec::new();

    for (pi, entry) in set.entries.iter().enumerate() {
        // SCPs restrict the IAM principals of member accounts only, never anonymous callers,
        // services or identity providers.
        if entry.kind == PolicyKind::Scp && !caller.is_iam_identity() {
            continue;
        }
        let principal_kinds = matches!(entry.kind, PolicyKind::Resource | PolicyKind::Rcp | PolicyKind::Endpoint);
        // In a large resource-based policy, only the statements that may name the caller.
        let candidates = if principal_kinds { crate::index::of(&entry.policy).map(|ix| ix.candidates(caller)) } else { None };
        let statements: Box<dyn Iterator<Item = (usize, &Statement)>> = match &candidates {
            Some(list) => Box::new(list.iter().filter_map(|&i| entry.policy.statements.get(i as usize).map(|s| (i as usize, s)))),
            None => Box::new(entry.policy.statements.iter().enumerate()),
        };
        for (si, s) in statements {
            let src = StatementRef { policy: pi, statement: si };
            let mut applies = ev.applies(s, src);
            if applies.is_false() {
                continue;
            }
            let mut named = Naming::Exactly;
            if entry.kind == PolicyKind::Resource && s.principal.is_none() {
                // A resource-based policy must name its principals: "You must use the Principal
                // element in resource-based policies" (IAM JSON policy elements: Principal), and
                // AWS refuses to store one without. Such a statement names nobody, never everyone.
                could_not.push(format!(
                    "{}: a statement of a resource-based policy without `Principal` or `NotPrincipal` names nobody (AWS \
                     refuses to store such a policy)",
                    set.describe(&src)
                ));
                continue;
            }
            if principal_kinds {
                let (n, required_session) = ev.principal_naming(s);
                named = n;
                if n == Naming::No {
                    continue;
                }
                if let Some(sess) = required_session {
                    applies = applies.and(Expr::Atom(Arc::new(Atom::CouldNotEvaluate {
                        source: src,
                        what: format!("the role session name must be `{sess}`"),
                    })));
                }
            }
            if applies.has_unevaluable() {
                for a in applies.atoms() {
                    if let Atom::CouldNotEvaluate { what, .. } = &**a {
                        could_not.push(format!("{}: {what}", set.describe(&src)));
                    }
                }
            }
            if ev.collect && applies.is_true() {
                match s.effect {
                    Effect::Allow => decided_allow.push(src),
                    Effect::Deny => decided_deny.push(src),
                }
            }
            if s.effect == Effect::Deny {
                match deny_by_kind.iter_mut().find(|(k, _)| *k == entry.kind) {
                    Some((_, e)) => *e = std::mem::take(e).or(applies),
                    None => deny_by_kind.push((entry.kind, applies)),
                }
                continue;
            }
            match entry.kind {
                PolicyKind::Identity => identity_allow = std::mem::take(&mut identity_allow).or(applies),
                PolicyKind::PermissionBoundary => boundary_allow = std::mem::take(&mut boundary_allow).or(applies),
                PolicyKind::Session => session_allow = std::mem::take(&mut session_allow).or(applies),
                PolicyKind::Endpoint => endpoint_allow = std::mem::take(&mut endpoint_allow).or(applies),
                PolicyKind::Scp => {
                    if let Some(l) = scp_allow.get_mut(entry.level) {
                        *l = std::mem::take(l).or(applies);
                    }
                }
                PolicyKind::Rcp => {}
                PolicyKind::Resource => {
                    let slot = match named {
                        Naming::Exactly | Naming::SessionNamed => &mut res_exact,
                        Naming::Role => &mut res_role,
                        Naming::Account => &mut res_account,
                        Naming::Everyone => &mut res_everyone,
                        Naming::No => continue,
                    };
                    *slot = std::mem::take(slot).or(applies);
                }
            }
        }
    }

    let denied = deny_by_kind.iter().fold(Expr::False, |acc, (_, e)| acc.or(e.clone()));

    // Guardrails: every level must allow; an absent kind does not restrict.
    let scp_ok =
        if caller.is_iam_identity() { scp_allow.iter().fold(Expr::True, |acc, e| acc.and(e.clone())) } else { Expr::True };
    // RCPs can only deny: "RCPFullAWSAccess", attached to every root, OU and account, cannot be
    // detached, "so there will always be an Allow statement" (evaluation logic). Only their
    // `Deny` statements (gathered above) take part.
    let rcp_ok = Expr::True;
    let endpoint_ok = if set.has(PolicyKind::Endpoint) { endpoint_allow } else { Expr::True };
    let boundary_ok = if set.has(PolicyKind::PermissionBoundary) { boundary_allow } else { Expr::True };
    let session_ok = if set.has(PolicyKind::Session) { session_allow } else { Expr::True };

    let has_identity_side = caller.is_iam_identity();
    // "By default, all requests are implicitly denied with the exception of the AWS account root
    // user, which has full access" (evaluation logic): the root user's identity side allows
    // everything; SCPs, explicit denies and the other account's resource policy still apply.
    if caller.kind == CallerKind::Root {
        identity_allow = Expr::True;
    }
    let identity_side =
        if has_identity_side { identity_allow.clone().and(boundary_ok.clone()).and(session_ok.clone()) } else { Expr::False };
    let resource_any = res_exact.clone().or(res_role.clone()).or(res_account.clone()).or(res_everyone.clone());

    let grant = if !has_identity_side {
        // Services, identity providers and anonymous callers have no identity policies: the
        // resource-based policy alone decides.
        resource_any.clone()
    } else if same_account {
        let required = resource_policy_required(&ev.action_lower, ev.req.resource);
        // Naming the user or session itself (or everyone) allows on its own; naming the role is
        // limited by the boundary and the session policy; naming the account delegates to IAM.
        let direct = res_exact.clone().or(res_everyone.clone());
        let via_role = res_role.clone().and(boundary_ok.clone()).and(session_ok.clone());
        if required {
            direct.or(via_role).or(res_account.clone().and(identity_side.clone()))
        } else {
            direct.or(via_role).or(identity_side.clone())
        }
    } else {
        identity_side.clone().and(resource_any.clone())
    };

    let allowed_if = denied.clone().not().and(scp_ok.clone()).and(rcp_ok.clone()).and(endpoint_ok.clone()).and(grant.clone());

    let outcome = if denied.is_true() {
        Outcome::ExplicitlyDenied
    } else if allowed_if.is_true() {
        Outcome::Allowed
    } else if allowed_if.is_false() {
        Outcome::ImplicitlyDenied
    } else {
        Outcome::Conditional
    };

    let mut blocked_by = Vec::new();
    match outcome {
        Outcome::ExplicitlyDenied => {
            for (k, e) in &deny_by_kind {
                if e.is_true() && !blocked_by.contains(k) {
                    blocked_by.push(*k);
                }
            }
        }
        Outcome::ImplicitlyDenied => {
            if scp_ok.is_false() {
                blocked_by.push(PolicyKind::Scp);
            }
            if rcp_ok.is_false() {
                blocked_by.push(PolicyKind::Rcp);
            }
            if endpoint_ok.is_false() {
                blocked_by.push(PolicyKind::Endpoint);
            }
            if grant.is_false() {
                if has_identity_side && identity_allow.is_false() && (!same_account || resource_any.is_false()) {
                    blocked_by.push(PolicyKind::Identity);
                }
                if has_identity_side && !identity_allow.is_false() {
                    if boundary_ok.is_false() {
                        blocked_by.push(PolicyKind::PermissionBoundary);
                    }
                    if session_ok.is_false() {
                        blocked_by.push(PolicyKind::Session);
                    }
                }
                // A role's trust policy (and a KMS key policy) must allow explicitly: without
                // one in the set, nothing allowed it.
                let required = resource_policy_required(&ev.action_lower, ev.req.resource);
                if resource_any.is_false() && (!same_account || !has_identity_side || required) {
                    blocked_by.push(PolicyKind::Resource);
                }
            }
        }
        _ => {}
    }

    let decided_by = match outcome {
        Outcome::ExplicitlyDenied => decided_deny,
        Outcome::Allowed => decided_allow
            .into_iter()
            .filter(|r| set.entries.get(r.policy).is_some_and(|e| matches!(e.kind, PolicyKind::Identity | PolicyKind::Resource)))
            .collect(),
        _ => Vec::new(),
    };
    could_not.sort();
    could_not.dedup();
    Decision { outcome, decided_by, blocked_by, allowed_if, could_not_evaluate: could_not, aws_rule: None }
}

/// Whether the caller kind is a role given without a session name.
pub fn caller_is_role_without_session(principal: &str) -> bool {
    matches!(Caller::parse(principal).kind, CallerKind::Role { .. })
}
