//! What a role can do, computed with the policy engine rather than read from policy text.
//!
//! The candidates are the actions of the role's identity-policy `Allow` statements, expanded with
//! the catalog (`NotAction` as the complement), each on the resource patterns of the statements
//! that name it (identity and boundary allows, and denies when they are kept). Every candidate is decided by [`eval::evaluate`] as a session of the role
//! (`arn:aws:sts::ACCOUNT:assumed-role/NAME/session`) against the role's whole policy set
//! (identity policies, permission boundary, SCPs), with the pattern as the resource and a
//! partial context: what is known of the caller (its ARN, account, tags, organization) is set,
//! everything else is unknown, so a grant that depends on the request comes out `Conditional`
//! with its condition in words.
//!
//! The resource side is left out on purpose: the question is what the role's own policies let
//! it do. A synthetic resource-based policy that names the role's account (so that the identity
//! side decides, also for actions on other accounts' resources and on roles and KMS keys, which
//! need an explicit resource-side allow) stands in for whatever the target resource says; the
//! graph asks the resource side separately.
//!
//! Speed: actions that the same statements name get the same decision (conditions and resources
//! do not depend on the action), so one action per group is evaluated, except IAM, STS and KMS
//! actions, for which AWS has action-specific rules; an administrator (about 22,000 candidate
//! actions) costs a few hundred evaluations.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

use catalog::{AccessLevel, ActionId, ActionSet, Catalog};
use eval::{Context, Decision, Outcome, PolicyKind, PolicySet, Request, StatementRef, Unknowns};
use model::{Role, Snapshot};
use policy::{Block, Effect, Pattern, ResourceMatcher, Statement};
use serde::Serialize;

use crate::assemble::role_identity;
use crate::condition;

/// The version of the JSON form of [`PermissionsView`].
pub const SCHEMA_VERSION: u32 = 1;

/// What to compute.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Keep the candidates that a `Deny` refuses (as [`GrantOutcome::Denied`]).
    pub include_denied: bool,
}

/// How a candidate action on a resource pattern was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GrantOutcome {
    /// Allowed whatever the request's context.
    Allowed,
    /// Allowed only when the condition holds.
    Conditional,
    /// Refused by an explicit `Deny` (only with [`Options::include_denied`]).
    Denied,
}

impl GrantOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            GrantOutcome::Allowed => "allowed",
            GrantOutcome::Conditional => "conditional",
            GrantOutcome::Denied => "denied",
        }
    }
}

/// A statement that granted (or denied) an action. Its texts are shared: the same statement is
/// the evidence of many grants, and of the privilege kept for every role.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct StatementEvidence {
    /// The policy: a managed policy ARN, `ROLE_ARN inline policy NAME`, an SCP name, ...
    pub policy: Arc<str>,
    pub kind: PolicyKind,
    pub statement: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<Arc<str>>,
    /// The JSON pointer of the statement in its policy.
    pub pointer: Arc<str>,
}

impl StatementEvidence {
    /// `policy statement N (Sid)`.
    pub fn describe(&self) -> String {
        let sid = self.sid.as_deref().map(|s| format!(" ({s})")).unwrap_or_default();
        format!("{} statement {}{sid}", self.policy, self.statement)
    }
}

/// The decision for an action on one resource pattern.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Grant {
    /// The resource pattern, as the granting statement writes it (`*` for `NotResource`),
    /// with the role's own policy variables substituted. Shared by a role's grants on it.
    pub resource: Arc<str>,
    pub outcome: GrantOutcome,
    /// For a conditional grant: the condition, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<Arc<str>>,
    /// Whether the condition comes only from `Deny` statements (an SCP's region guardrail, a
    /// boundary's deny): the grant holds wherever they do not apply.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub guardrail_only: bool,
    /// What the engine could not evaluate.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub could_not_evaluate: Vec<String>,
    /// The identity-policy statements that grant it (or, when denied, that deny it).
    pub statements: Vec<StatementEvidence>,
    /// A rule of AWS that decided it whatever the policies say (`sts:GetCallerIdentity`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_rule: Option<String>,
}

/// What a role can do.
#[derive(Clone, Debug)]
pub struct Permissions {
    /// The session the requests were made as.
    pub principal: String,
    /// What the policy set lacks: when not empty, the result may be incomplete.
    pub gaps: Vec<String>,
    /// The role's candidates: (action, index into `grant_lists`), sorted by action id; actions
    /// with no grant left are not listed.
    by_action: Vec<(ActionId, usize)>,
    grant_lists: Vec<Arc<[Grant]>>,
    /// How many evaluations were made.
    pub evaluations: usize,
    /// How many candidate actions there were.
    pub candidates: usize,
}

/// The actions of IAM, STS and KMS, for which AWS has action-specific rules: they are
/// evaluated one by one.
fn action_specific() -> &'static ActionSet {
    static SET: std::sync::OnceLock<ActionSet> = std::sync::OnceLock::new();
    SET.get_or_init(|| {
        let cat = Catalog::get();
        let mut s = cat.empty_set();
        for prefix in ["iam", "sts", "kms"] {
            if let Some(id) = cat.service(prefix) {
                s.union_with(&cat.service_actions(id));
            }
        }
        s
    })
}

/// The resource patterns of an identity statement, with known variables substituted; `None`
/// for a pattern that can never match this role (a variable it does not have, without default).
fn statement_patterns(s: &Statement, vars: &impl Fn(&str) -> Var) -> Vec<String> {
    match &s.resource {
        Some(Block::Only(items)) => items.iter().filter_map(|r| substitute(&r.template, vars)).collect(),
        Some(Block::Not(_)) | None => vec!["*".to_owned()],
    }
}

/// What is known of a policy variable.
enum Var {
    Known(String),
    Absent,
    Unknown,
}

fn substitute(t: &policy::Template, vars: &impl Fn(&str) -> Var) -> Option<String> {
    let mut out = String::new();
    for p in t.parts() {
        match p {
            policy::template::Part::Text(x) => out.push_str(x),
            // A literal `*`, `?` or `$`: the engine compares it literally.
            policy::template::Part::Escaped(c) => out.push(*c),
            policy::template::Part::Var { key, default } => match (vars(key), default) {
                (Var::Known(v), _) => out.push_str(&v),
                (Var::Absent, Some(d)) => out.push_str(d),
                (Var::Absent, None) => return None,
                (Var::Unknown, _) => {
                    out.push_str("${");
                    out.push_str(key);
                    out.push('}');
                }
            },
        }
    }
    Some(out)
}

/// Whether a statement's `Resource` can cover a pattern (used to name the statements of a
/// conditional grant, which the decision does not list).
fn covers(s: &Statement, resource: &str) -> bool {
    match &s.resource {
        Some(Block::Only(items)) => {
            items.iter().any(|r| r.raw == resource || r.matcher.as_ref().is_some_and(|m| m.matches(resource)))
        }
        Some(Block::Not(_)) | None => true,
    }
}

/// The caller and context of a role's sessions.
pub struct Session {
    pub principal: String,
    pub context: Context,
    known: BTreeMap<String, Option<String>>,
}

impl Session {
    /// A session of `role`: its ARN, account, type and tags are known, and so is its
    /// organization when the snapshot has one; `aws:username` and the service-principal keys
    /// are known to be absent; everything else is unknown.
    pub fn of(snapshot: &Snapshot, role: &Role) -> Session {
        let partition = policy::Arn::parse(&role.arn).map_or("aws", |a| a.partition);
        let principal = format!("arn:{partition}:sts::{}:assumed-role/{}/session", role.account_id, role.name);
        let mut known: BTreeMap<String, Option<String>> = BTreeMap::new();
        known.insert("aws:principalarn".into(), Some(role.arn.clone()));
        known.insert("aws:principalaccount".into(), Some(role.account_id.clone()));
        known.insert("aws:principaltype".into(), Some("AssumedRole".into()));
        known.insert("aws:principalisawsservice".into(), Some("false".into()));
        for absent in ["aws:username", "aws:principalservicename", "aws:principalservicenameslist"] {
            known.insert(absent.into(), None);
        }
        for t in &role.tags {
            known.insert(format!("aws:principaltag/{}", t.key.to_ascii_lowercase()), Some(t.value.clone()));
        }
        if let Some(org) = &snapshot.organization
            && org.account(&role.account_id).is_some()
        {
            known.insert("aws:principalorgid".into(), org.id.clone());
        }
        let mut context = Context::new();
        let mut patterns = Vec::new();
        for (k, v) in &known {
            if let Some(v) = v {
                context.set(k, v.clone());
            }
            patterns.push(Pattern::literal(k));
        }
        let context = context.with_unknowns(Unknowns::AllExcept(patterns));
        Session { principal, context, known }
    }

    fn var(&self, key: &str) -> Var {
        match self.known.get(&key.to_ascii_lowercase()) {
            Some(Some(v)) => Var::Known(v.clone()),
            Some(None) => Var::Absent,
            None => Var::Unknown,
        }
    }
}

/// The policy set of a role's sessions with the synthetic resource side (see the module doc).
fn policy_set(snapshot: &Snapshot, role: &Role) -> (PolicySet, Vec<String>, usize) {
    let assembled = role_identity(snapshot, role);
    let mut set = assembled.set;
    let partition = policy::Arn::parse(&role.arn).map_or("aws", |a| a.partition);
    let delegate = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:{partition}:iam::{}:root"}},"Action":"*","Resource":"*"}}]}}"#,
        role.account_id
    );
    let synthetic = set.entries().len();
    if let Ok(p) = policy::Policy::parse_str(&delegate) {
        set.resource("the target resource (assumed to delegate to IAM)", Arc::new(p));
    }
    (set, assembled.gaps, synthetic)
}

/// The evidence of statements, made once per statement of a role's set (its texts are then
/// shared by every grant it backs).
type Evidences = HashMap<(usize, usize), StatementEvidence>;

fn evidence(set: &PolicySet, r: &StatementRef, memo: &mut Evidences) -> Option<StatementEvidence> {
    if let Some(found) = memo.get(&(r.policy, r.statement)) {
        return Some(found.clone());
    }
    let (e, s) = set.statement(r)?;
    let made = StatementEvidence {
        policy: e.name.clone(),
        kind: e.kind,
        statement: s.index,
        sid: s.sid.as_deref().filter(|x| !x.is_empty()).map(Arc::from),
        pointer: Arc::from(s.pointer.as_str()),
    };
    memo.insert((r.policy, r.statement), made.clone());
    Some(made)
}

/// The actions each statement names, remembered across the roles of one snapshot: policies
/// (managed policies, SCPs, boundaries) are shared by many roles, and expanding a wildcard
/// over the catalog costs more than deciding it. Keyed by the statement's document (its
/// address, so a cache must not outlive the snapshot whose documents it names) and index.
/// Only documents that other roles may hold are remembered (managed policies, boundaries,
/// SCPs, RCPs): a role's own inline policy is expanded once anyway. Also keeps the per-action buffer of [`compute_with`] between roles.
#[derive(Default)]
pub struct Expansions {
    sets: HashMap<(usize, usize), Arc<ActionSet>>,
    signature: Vec<Vec<u32>>,
    masks: Vec<u128>,
}

impl Expansions {
    fn get(&mut self, doc: &Arc<policy::Policy>, index: usize, s: &Statement, shared: bool) -> Arc<ActionSet> {
        if !shared {
            return Arc::new(Catalog::get().expand_block(&s.action));
        }
        self.sets
            .entry((Arc::as_ptr(doc) as usize, index))
            .or_insert_with(|| Arc::new(Catalog::get().expand_block(&s.action)))
            .clone()
    }
}

/// Computes what `role` can do.
pub fn compute(snapshot: &Snapshot, role: &Role, options: &Options) -> Permissions {
    compute_cached(snapshot, role, options, &mut Expansions::default())
}

/// Computes what `role` can do, with the action expansions of earlier roles of the same
/// snapshot (see [`Expansions`]).
pub fn compute_cached(snapshot: &Snapshot, role: &Role, options: &Options, cache: &mut Expansions) -> Permissions {
    let (set, gaps, synthetic) = policy_set(snapshot, role);
    let session = Session::of(snapshot, role);
    compute_with(&set, gaps, synthetic, &session, options, cache)
}

fn compute_with(
    set: &PolicySet,
    gaps: Vec<String>,
    synthetic: usize,
    session: &Session,
    options: &Options,
    cache: &mut Expansions,
) -> Permissions {
    let cat = Catalog::get();
    // Every statement of the set (but the synthetic one), with the actions it names.
    let mut statements: Vec<(StatementRef, Arc<ActionSet>)> = Vec::new();
    let mut candidates = cat.empty_set();
    for (pi, e) in set.entries().iter().enumerate() {
        if pi == synthetic {
            continue;
        }
        for (si, s) in e.policy.statements.iter().enumerate() {
            // The assembled set names a principal's inline policies `ARN inline policy NAME`.
            let actions = cache.get(&e.policy, si, s, !e.name.contains(" inline policy "));
            if e.kind == PolicyKind::Identity && s.effect == Effect::Allow {
                candidates.union_with(&actions);
            }
            statements.push((StatementRef { policy: pi, statement: si }, actions));
        }
    }
    // Group candidates by the statements that name them: a bit per statement while there are
    // at most 128 (the buffer is left zeroed for the next role), else a list.
    let wide = statements.len() > 128;
    let mut signature = std::mem::take(&mut cache.signature);
    let mut masks = std::mem::take(&mut cache.masks);
    if wide {
        signature.resize_with(cat.action_count(), Vec::new);
    } else {
        masks.resize(cat.action_count(), 0);
    }
    for (i, (_, actions)) in statements.iter().enumerate() {
        for a in actions.intersection(&candidates).iter() {
            if wide {
                if let Some(sig) = signature.get_mut(a.index()) {
                    sig.push(i as u32);
                }
            } else if let Some(m) = masks.get_mut(a.index()) {
                *m |= 1u128 << i;
            }
        }
    }
    let mut groups: HashMap<(Vec<u32>, Option<ActionId>), usize> = HashMap::default();
    let mut by_mask: HashMap<(u128, Option<ActionId>), usize> = HashMap::default();
    let mut members: Vec<(Vec<u32>, ActionId)> = Vec::new();
    let mut by_action_group: Vec<(ActionId, usize)> = Vec::new();
    let specific = action_specific();
    for a in candidates.iter() {
        let one = specific.contains(a).then_some(a);
        if !wide {
            let mask = masks.get_mut(a.index()).map(std::mem::take).unwrap_or(0);
            let g = *by_mask.entry((mask, one)).or_insert_with(|| {
                let sig: Vec<u32> = (0..128u32).filter(|i| mask & (1u128 << i) != 0).collect();
                members.push((sig, a));
                members.len() - 1
            });
            by_action_group.push((a, g));
            continue;
        }
        let sig = signature.get_mut(a.index()).map(std::mem::take).unwrap_or_default();
        let key = (sig, one);
        let g = match groups.get(&key) {
            Some(g) => *g,
            None => {
                let g = members.len();
                members.push((key.0.clone(), a));
                groups.insert(key, g);
                g
            }
        };
        by_action_group.push((a, g));
    }

    cache.signature = signature;
    cache.masks = masks;
    let vars = |k: &str| session.var(k);
    let mut evaluations = 0;
    let mut backing =
        Backing { set, synthetic, statements: &statements, options, memo: Evidences::default(), texts: Texts::new(ROLE_TEXTS) };
    let mut grant_lists: Vec<Arc<[Grant]>> = Vec::with_capacity(members.len());
    for (sig, representative) in &members {
        let name = cat.name(*representative).unwrap_or("");
        // The resource patterns of the identity Allow statements that name the action.
        // Also those of the boundary's allows (a boundary narrower than the identity policy
        // grants on its own patterns) and, when denials are kept, of the denies (a deny on a
        // narrower pattern shows as such).
        let mut patterns: Vec<String> = Vec::new();
        for &i in sig {
            let Some((r, _)) = statements.get(i as usize) else { continue };
            let Some((e, s)) = set.statement(r) else { continue };
            let wanted = match s.effect {
                Effect::Allow => matches!(e.kind, PolicyKind::Identity | PolicyKind::PermissionBoundary),
                Effect::Deny => options.include_denied,
            };
            if wanted {
                patterns.extend(statement_patterns(s, &vars));
            }
        }
        patterns.sort();
        patterns.dedup();
        let mut grants = Vec::new();
        for resource in &patterns {
            let req = Request {
                principal: &session.principal,
                action: name,
                resource,
                resource_account: None,
                context: &session.context,
            };
            let d = eval::evaluate(&req, set);
            evaluations += 1;
            if let Some(g) = grant_of(&mut backing, sig, resource, &d) {
                grants.push(g);
            }
        }
        grant_lists.push(Arc::from(subsume(grants)));
    }
    let mut by_action: Vec<(ActionId, usize)> =
        by_action_group.into_iter().filter(|(_, g)| grant_lists.get(*g).is_some_and(|l| !l.is_empty())).collect();
    by_action.sort_by_key(|(a, _)| *a);
    Permissions { principal: session.principal.clone(), gaps, by_action, grant_lists, evaluations, candidates: candidates.len() }
}

/// What a role's grants are decided against: its policy set (and the position of the synthetic
/// resource policy in it), its statements with the actions they name, the options, and the
/// evidence made so far.
struct Backing<'a> {
    set: &'a PolicySet,
    synthetic: usize,
    statements: &'a [(StatementRef, Arc<ActionSet>)],
    options: &'a Options,
    memo: Evidences,
    texts: Texts,
}

/// The resource patterns and condition texts of a role's grants, made once each (a role's
/// grants repeat a few of them: `*`, an SCP's region condition).
type Texts = model::Interner;

/// The most texts one role's grants keep shared.
const ROLE_TEXTS: usize = 100_000;

fn grant_of(b: &mut Backing<'_>, sig: &[u32], resource: &str, d: &Decision) -> Option<Grant> {
    let Backing { set, synthetic, statements, options, memo, texts } = b;
    let (set, synthetic, statements) = (*set, *synthetic, *statements);
    let outcome = match d.outcome {
        Outcome::Allowed => GrantOutcome::Allowed,
        Outcome::Conditional => GrantOutcome::Conditional,
        Outcome::ExplicitlyDenied if options.include_denied => GrantOutcome::Denied,
        Outcome::ExplicitlyDenied | Outcome::ImplicitlyDenied => return None,
    };
    let mut evidence_list: Vec<StatementEvidence> = match outcome {
        GrantOutcome::Allowed | GrantOutcome::Denied => d
            .decided_by
            .iter()
            .filter(|r| r.policy != synthetic)
            .filter_map(|r| evidence(set, r, memo))
            .filter(|e| outcome == GrantOutcome::Denied || e.kind == PolicyKind::Identity)
            .collect(),
        GrantOutcome::Conditional => sig
            .iter()
            .filter_map(|&i| statements.get(i as usize))
            .filter_map(|(r, _)| {
                let (e, s) = set.statement(r)?;
                (e.kind == PolicyKind::Identity && s.effect == Effect::Allow && covers(s, resource))
                    .then(|| evidence(set, r, memo))
                    .flatten()
            })
            .collect(),
    };
    evidence_list.sort();
    evidence_list.dedup();
    Some(Grant {
        resource: texts.get(resource),
        outcome,
        condition: (outcome == GrantOutcome::Conditional && !d.allowed_if.is_known())
            .then(|| texts.get(&condition::text(&d.allowed_if))),
        guardrail_only: outcome == GrantOutcome::Conditional && condition::only_from_denies(&d.allowed_if, set),
        could_not_evaluate: d.could_not_evaluate.clone(),
        statements: evidence_list,
        aws_rule: d.aws_rule.map(str::to_owned),
    })
}

/// Drops grants that an unconditional grant on a wider pattern already covers.
fn subsume(mut grants: Vec<Grant>) -> Vec<Grant> {
    let wide: Vec<ResourceMatcher> = grants
        .iter()
        .filter(|g| g.outcome == GrantOutcome::Allowed)
        .map(|g| ResourceMatcher::new(&Pattern::new(&g.resource)))
        .collect();
    if wide.is_empty() {
        return grants;
    }
    let allowed: Vec<Arc<str>> =
        grants.iter().filter(|g| g.outcome == GrantOutcome::Allowed).map(|g| g.resource.clone()).collect();
    grants.retain(|g| {
        g.outcome == GrantOutcome::Denied
            || !allowed.iter().zip(&wide).any(|(text, m)| *text != g.resource && m.matches(&g.resource))
    });
    grants
}

impl Permissions {
    /// Whether the policy set was complete.
    pub fn is_complete(&self) -> bool {
        self.gaps.is_empty()
    }

    /// The grants of an action (empty when it is not granted).
    pub fn grants(&self, action: ActionId) -> &[Grant] {
        self.by_action
            .binary_search_by_key(&action, |(a, _)| *a)
            .ok()
            .and_then(|i| self.by_action.get(i))
            .and_then(|(_, g)| self.grant_lists.get(*g))
            .map_or(&[], |l| l)
    }

    /// Every granted action with its grants, in catalog order.
    pub fn iter(&self) -> impl Iterator<Item = (ActionId, &[Grant])> + '_ {
        self.by_action.iter().filter_map(|(a, g)| Some((*a, &**self.grant_lists.get(*g)?)))
    }

    /// Every granted action with the position of its grant list (actions with the same
    /// position share the list) and the list, in catalog order.
    pub(crate) fn iter_shared_lists(&self) -> impl Iterator<Item = (ActionId, usize, &Arc<[Grant]>)> + '_ {
        self.by_action.iter().filter_map(|(a, g)| Some((*a, *g, self.grant_lists.get(*g)?)))
    }

    /// The actions allowed (or, with `conditional`, also conditionally allowed) on some
    /// resource; with `on_any_resource`, only those granted on the pattern `*`.
    /// Grants conditional only on guardrails count as allowed (see [`Grant::guardrail_only`]).
    pub fn allowed_set(&self, conditional: bool, on_any_resource: bool) -> ActionSet {
        let mut out = Catalog::get().empty_set();
        for (a, grants) in self.iter() {
            if grants.iter().any(|g| {
                (g.outcome == GrantOutcome::Allowed
                    || (g.outcome == GrantOutcome::Conditional && (conditional || g.guardrail_only)))
                    && (!on_any_resource || &*g.resource == "*")
            }) {
                out.insert(a);
            }
        }
        out
    }

    /// The grouped view for people and `--json`; denied candidates only with `include_denied`
    /// (and only if they were computed, see [`Options::include_denied`]).
    pub fn view(&self, include_denied: bool) -> PermissionsView {
        view(self, include_denied)
    }
}

/// What a role can do, grouped by service, access level and grant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PermissionsView {
    pub schema_version: u32,
    /// The session the requests were made as.
    pub principal: String,
    /// Whether every policy that applies was known; when not, `gaps` says what is missing.
    pub complete: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gaps: Vec<String>,
    /// Granted actions (allowed or conditional).
    pub granted_actions: usize,
    pub services: Vec<ServicePermissions>,
}

/// The grants of one service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServicePermissions {
    pub prefix: String,
    pub name: String,
    /// Granted actions of the service / actions of the service in the catalog.
    pub granted: usize,
    pub total: usize,
    pub levels: Vec<LevelPermissions>,
}

/// The grants of one access level of a service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LevelPermissions {
    pub level: AccessLevel,
    pub granted: usize,
    pub total: usize,
    /// Actions that share the same grants, grouped.
    pub groups: Vec<GrantGroup>,
}

/// Actions that have the same grants.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GrantGroup {
    /// Whether the group is every action of the level (then `actions` is left empty).
    pub all_of_level: bool,
    /// `service:Action` names, in catalog order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    pub count: usize,
    pub grants: Vec<Grant>,
}

fn view(p: &Permissions, include_denied: bool) -> PermissionsView {
    let cat = Catalog::get();
    // (service, level) → grant list index → actions.
    let mut by_level: BTreeMap<(u32, AccessLevel), BTreeMap<Vec<Grant>, Vec<ActionId>>> = BTreeMap::new();
    let mut granted_actions = 0;
    for (a, grants) in p.iter() {
        let Some(info) = cat.info(a) else { continue };
        let grants: Vec<Grant> = grants.iter().filter(|g| include_denied || g.outcome != GrantOutcome::Denied).cloned().collect();
        if grants.is_empty() {
            continue;
        }
        if grants.iter().any(|g| g.outcome != GrantOutcome::Denied) {
            granted_actions += 1;
        }
        by_level.entry((info.service.0, info.access_level)).or_default().entry(grants).or_default().push(a);
    }
    let level_totals = |service: catalog::ServiceId, level: AccessLevel| -> usize {
        cat.service_info(service)
            .map_or(0, |s| s.actions.clone().filter(|&i| cat.info(ActionId(i)).is_some_and(|x| x.access_level == level)).count())
    };
    let mut services: Vec<ServicePermissions> = Vec::new();
    for ((sid, level), groups) in by_level {
        let service = catalog::ServiceId(sid);
        let Some(info) = cat.service_info(service) else { continue };
        if services.last().is_none_or(|s| s.prefix != info.prefix) {
            services.push(ServicePermissions {
                prefix: info.prefix.to_owned(),
                name: info.name.to_owned(),
                granted: 0,
                total: info.actions.len(),
                levels: Vec::new(),
            });
        }
        let total = level_totals(service, level);
        let mut lp = LevelPermissions { level, granted: 0, total, groups: Vec::new() };
        for (grants, actions) in groups {
            let granted = grants.iter().any(|g| g.outcome != GrantOutcome::Denied);
            if granted {
                lp.granted += actions.len();
            }
            let all = actions.len() == total;
            lp.groups.push(GrantGroup {
                all_of_level: all,
                actions: if all { Vec::new() } else { actions.iter().filter_map(|a| cat.name(*a)).map(str::to_owned).collect() },
                count: actions.len(),
                grants,
            });
        }
        // Biggest groups first, then by the first action: deterministic.
        lp.groups
            .sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.actions.cmp(&b.actions)).then_with(|| a.grants.cmp(&b.grants)));
        if let Some(s) = services.last_mut() {
            s.granted += lp.granted;
            s.levels.push(lp);
        }
    }
    PermissionsView {
        schema_version: SCHEMA_VERSION,
        principal: p.principal.clone(),
        complete: p.is_complete(),
        gaps: p.gaps.clone(),
        granted_actions,
        services,
    }
}

#[cfg(test)]
mod tests;
