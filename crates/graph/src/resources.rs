//! Access to resources with resource-based policies: who can act on a bucket, key, function,
//! queue, topic, secret, repository or table, at which access level (list, read, write,
//! permissions management, tagging), under which conditions; and which of them a principal can
//! act on. Each answer is a decision of the engine with every policy that applies: the
//! caller's identity policies, boundary and SCPs, the resource's policy and its account's
//! RCPs; within one account the resource policy alone can allow, across accounts both sides
//! must, and a KMS key's policy must allow explicitly (`eval::decide`).
//!
//! Who is asked: every user and role of the snapshot, and what the resource's policy names
//! beyond them (accounts and principals outside the snapshot, `*`, services, identity
//! providers), whose own policies are unknown: an allow-everything identity policy stands in,
//! stated as an assumption. Services and providers have no identity side: the resource policy
//! alone decides, and its conditions (`aws:SourceArn`, `aws:SourceAccount`) are shown.
//!
//! Beyond the policies: KMS grants give their grantee the operations they list (shown as
//! such, with their constraints); S3 Block Public Access with `RestrictPublicBuckets` (of the
//! bucket or its account) limits a bucket whose policy is public to AWS services and the
//! bucket owner's account ("public and cross-account access within any public bucket policy,
//! including non-public delegation to specific accounts, is blocked", Amazon S3 User Guide,
//! *Blocking public access*); a bucket's policy is public unless every `Allow` that names
//! everyone is limited by a fixed value of one of the keys that S3 documents (*The meaning of
//! "public"*).
//!
//! An S3 bucket is one resource: its object actions are decided on one object name per object
//! pattern its policy names (`public/*` is decided on `public/x`), or on a name no pattern
//! singles out, and the patterns are given with the level.

use std::collections::BTreeMap;
use std::sync::Arc;

use catalog::{AccessLevel, Catalog};
use model::{PolicyResource, PublicAccessBlock, ResourceKind, Snapshot};
use policy::{Block, Effect, Principal};
use serde::Serialize;

use crate::condition::NamedSet;
use crate::context;
use crate::engine::{allow_all, check_in, merged};
use crate::types::Check;

/// Who may act on a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GranteeKind {
    /// A user of the snapshot.
    User,
    /// A role of the snapshot (its sessions).
    Role,
    /// An account outside the snapshot, or any principal it allows.
    Account,
    /// A user or role outside the snapshot.
    Principal,
    /// `*`: any AWS principal, and for some services anonymous callers.
    Anyone,
    Service,
    /// A SAML or OIDC provider's users.
    Federated,
}

/// One who may act on a resource.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Grantee {
    pub kind: GranteeKind,
    /// An ARN, an account id, a service principal, or `*`.
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Outside the snapshot's organization (or its accounts, without one), or anyone.
    pub outside: bool,
    /// The vendor that publishes the account, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
}

/// Access at one level.
#[derive(Clone, Debug, Serialize)]
pub struct LevelAccess {
    /// `List`, `Read`, `Write`, `Permissions management`, `Tagging`.
    pub level: &'static str,
    /// The actions allowed at this level without a condition on who the caller is.
    pub actions: Vec<&'static str>,
    /// The actions allowed only under a condition (each its own; the first's is `check`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditional_actions: Vec<&'static str>,
    /// Some action is allowed without a condition on who the caller is (a condition only on
    /// where the request comes from is a scope).
    pub unconditional: bool,
    /// The decision of the first action (unconditional first): its condition and statements.
    pub check: Check,
    /// S3: the object patterns the object actions were decided on (empty for the bucket's own
    /// actions).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<String>,
}

/// One grantee's access to a resource.
#[derive(Clone, Debug, Serialize)]
pub struct Access {
    pub who: Grantee,
    /// `policies` (decided by the engine) or `kms-grant`.
    pub through: &'static str,
    pub levels: Vec<LevelAccess>,
    /// What stands in for what the snapshot does not know (an outsider's own policies).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assumptions: Vec<String>,
    /// What the snapshot lacks for these decisions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gaps: Vec<String>,
}

impl Access {
    /// The levels as words (`Read, List`), marking those allowed only under a condition.
    pub fn level_words(&self) -> String {
        self.levels
            .iter()
            .map(|l| if l.unconditional { l.level.to_owned() } else { format!("{} (conditional)", l.level) })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The highest level (permissions management > write > read > tagging > list).
    pub fn top_level(&self) -> Option<&'static str> {
        let rank = |l: &str| match l {
            "Permissions management" => 5,
            "Write" => 4,
            "Read" => 3,
            "Tagging" => 2,
            _ => 1,
        };
        self.levels.iter().map(|l| l.level).max_by_key(|l| rank(l))
    }
}

/// A grantee the policy names that cannot act on the resource.
#[derive(Clone, Debug, Serialize)]
pub struct Refused {
    pub who: Grantee,
    /// The statement that denies it, described (`RCP DataPerimeter statement 0 (Sid)`).
    pub why: String,
}

/// Who can act on one resource.
#[derive(Clone, Debug, Serialize)]
pub struct ResourceAccess {
    pub arn: String,
    pub kind: ResourceKind,
    pub kind_label: &'static str,
    pub name: String,
    pub account: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Whether a resource-based policy was read.
    pub has_policy: bool,
    /// Where the policy was read.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub source: String,
    /// S3: the bucket's policy is public in S3's sense.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub public_policy: bool,
    /// S3: Block Public Access of the bucket and its account, combined.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block_public_access: Option<PublicAccessBlock>,
    pub access: Vec<Access>,
    /// What the resource's policy names but cannot act on it, and why (an explicit deny: an
    /// RCP, an SCP, a statement of the policy itself).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<Refused>,
    /// What limits or explains the answer beyond the policies (Block Public Access refusals,
    /// grants), in words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// What the snapshot lacks for the resource's side.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gaps: Vec<String>,
}

/// Whom to ask.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Askers {
    /// Only what the resource's policy names beyond the snapshot's principals (outside
    /// accounts and principals, `*`, services, providers): the external-access question.
    Named,
    /// Those, and every user and role of the snapshot.
    Everyone,
}

/// A request to decide: an action on the resource or on one of its objects.
struct Req {
    level: AccessLevel,
    action: &'static str,
    resource: Arc<str>,
    /// The object pattern the object name stands for.
    object: Option<String>,
}

/// The requests that stand for acting on `r` at each level: every action of its service whose
/// resource types include `r`'s (and, for a bucket, its objects'), in catalog order.
fn requests(r: &PolicyResource) -> Vec<Req> {
    requests_of(r, None)
}

/// [`requests`] for the actions `only` names (all of the service's when `None`).
fn requests_of(r: &PolicyResource, only: Option<&[&str]>) -> Vec<Req> {
    let cat = Catalog::get();
    let service = r.kind.service();
    let Some(info) = cat.service(service).and_then(|id| cat.service_info(id)) else { return Vec::new() };
    let ids: Vec<u32> = match only {
        Some(names) => names.iter().filter_map(|n| cat.action(n)).map(|a| a.0).filter(|i| info.actions.contains(i)).collect(),
        None => info.actions.clone().collect(),
    };
    let own = cat.resource_types_for_arn(service, &r.arn);
    let mut objects: Vec<(String, Option<String>)> = Vec::new();
    let mut object_types = Vec::new();
    if r.kind == ResourceKind::S3Bucket {
        for p in object_patterns(r) {
            let sample = p.replace(['*', '?'], "x");
            objects.push((sample, Some(p)));
        }
        if objects.is_empty() {
            objects.push((format!("{}/any-object", r.arn), None));
        }
        if let Some((sample, _)) = objects.first() {
            object_types = cat.resource_types_for_arn(service, sample);
        }
    }
    let mut out = Vec::new();
    for id in ids {
        let Some(a) = cat.info(catalog::ActionId(id)) else { continue };
        let Some(name) = cat.name(a.id) else { continue };
        if a.resource_types.iter().any(|t| own.contains(&t.resource_type)) {
            out.push(Req { level: a.access_level, action: name, resource: Arc::from(r.arn.as_str()), object: None });
        }
        if a.resource_types.iter().any(|t| object_types.contains(&t.resource_type)) {
            for (sample, pattern) in &objects {
                out.push(Req {
                    level: a.access_level,
                    action: name,
                    resource: Arc::from(sample.as_str()),
                    object: Some(pattern.clone().unwrap_or_else(|| format!("{}/*", r.arn))),
                });
            }
        }
    }
    out
}

/// The object patterns of a bucket's policy (`arn:aws:s3:::b/public/*`), deduplicated.
fn object_patterns(r: &PolicyResource) -> Vec<String> {
    let prefix = format!("{}/", r.arn);
    let mut out: Vec<String> = Vec::new();
    let Some(p) = r.policy.as_ref().and_then(|d| d.policy()) else { return out };
    for s in &p.statements {
        for pat in s.resource.as_ref().map_or(&[][..], |b| b.items()) {
            if pat.raw.starts_with(&prefix) && !out.contains(&pat.raw) {
                out.push(pat.raw.clone());
            }
        }
    }
    out.sort();
    out
}

/// Condition keys whose fixed value makes a bucket policy statement that names everyone
/// non-public (Amazon S3 User Guide, *The meaning of "public"*), lower case. Keys that only an
/// organization's or account's principals can meet are counted too: a policy held non-public
/// here is never narrowed by Block Public Access, so this errs towards showing access.
const FIXING_KEYS: &[&str] = &[
    "aws:sourceip",
    "aws:sourcearn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceowner",
    "aws:sourceaccount",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "aws:userid",
    "aws:principalorgid",
    "aws:principalaccount",
    "aws:principalarn",
    "s3:dataaccesspointarn",
    "s3:dataaccesspointaccount",
];

/// Whether a bucket policy is public in S3's sense: some `Allow` names everyone (`*`, or
/// `NotPrincipal`) without a fixed value of a [`FIXING_KEYS`] key (a value with a wildcard, or
/// a `0.0.0.0/0` range, fixes nothing).
pub fn is_public_policy(p: &policy::Policy) -> bool {
    p.statements.iter().any(|s| {
        if s.effect != Effect::Allow {
            return false;
        }
        let everyone = match &s.principal {
            Some(Block::Only(list)) => {
                list.iter().any(|x| matches!(x, Principal::Any) || matches!(x, Principal::Aws(a) if a == "*"))
            }
            Some(Block::Not(_)) => true,
            None => false,
        };
        if !everyone {
            return false;
        }
        let fixed = s.conditions.iter().any(|c| {
            let negated = c.operator.raw.to_ascii_lowercase().contains("not");
            FIXING_KEYS.contains(&c.key_lower.as_str())
                && !negated
                && !c.values.is_empty()
                && c.values.iter().all(|v| !v.text.contains(['*', '?']) && !v.text.ends_with("/0"))
        });
        !fixed
    })
}

/// The grantees a resource policy names beyond the snapshot's users and roles.
fn named(snapshot: &Snapshot, p: &policy::Policy) -> Vec<Grantee> {
    let mut out: Vec<Grantee> = Vec::new();
    let outside = |account: &str| !in_organization(snapshot, account);
    for s in p.statements.iter().filter(|s| s.effect == Effect::Allow) {
        let list: &[Principal] = match &s.principal {
            Some(Block::Only(list)) => list,
            Some(Block::Not(_)) => &[Principal::Any],
            None => &[],
        };
        for x in list {
            let g = match x {
                Principal::Any => {
                    Grantee { kind: GranteeKind::Anyone, id: "*".into(), account: None, outside: true, vendor: None }
                }
                Principal::Aws(a) if a == "*" => {
                    Grantee { kind: GranteeKind::Anyone, id: "*".into(), account: None, outside: true, vendor: None }
                }
                Principal::Aws(a) => {
                    let account = arn_account(a);
                    let Some(account) = account else { continue };
                    if snapshot.account(&account).is_some() {
                        continue; // its users and roles are asked one by one
                    }
                    let kind = if crate::trust::account_of(a).is_some() { GranteeKind::Account } else { GranteeKind::Principal };
                    let id = if kind == GranteeKind::Account { account.clone() } else { a.clone() };
                    Grantee {
                        kind,
                        id,
                        outside: outside(&account),
                        vendor: access::known::vendor_names(&account).first().cloned(),
                        account: Some(account),
                    }
                }
                Principal::Service(svc) => {
                    Grantee { kind: GranteeKind::Service, id: svc.clone(), account: None, outside: false, vendor: None }
                }
                Principal::Federated(f) => {
                    Grantee { kind: GranteeKind::Federated, id: f.clone(), account: arn_account(f), outside: false, vendor: None }
                }
                Principal::CanonicalUser(_) => continue,
            };
            if !out.contains(&g) {
                out.push(g);
            }
        }
    }
    out
}

/// The account of `123456789012`, `arn:...:iam::123456789012:...` or `arn:...:sts::...`.
fn arn_account(a: &str) -> Option<String> {
    if a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()) {
        return Some(a.to_owned());
    }
    policy::Arn::parse(a).map(|x| x.account.to_owned()).filter(|x| !x.is_empty())
}

/// Whether an account is one of the snapshot's organization (or, without organization data,
/// one of its accounts).
pub fn in_organization(snapshot: &Snapshot, account: &str) -> bool {
    match &snapshot.organization {
        Some(o) if !o.accounts.is_empty() => o.account(account).is_some(),
        _ => snapshot.account(account).is_some(),
    }
}

/// An outsider a resource policy names, as a caller: the node that stands for it, the ARN its
/// requests are made as, what is known of them, and what is assumed of its own policies.
struct Outsider {
    node: String,
    caller: String,
    known: context::Known,
    assumption: String,
}

/// The caller of an outsider grantee (`*`, an account or a principal outside the snapshot).
fn outsider(g: &Grantee, partition: &str) -> Option<Outsider> {
    Some(match g.kind {
        GranteeKind::Anyone => Outsider {
            node: "*".to_owned(),
            caller: format!("arn:{partition}:iam::000000000000:role/anyone"),
            known: context::Known::new(),
            assumption: "any AWS principal's own policies allow it (they are not in the snapshot)".to_owned(),
        },
        GranteeKind::Account => {
            let account = g.account.clone().unwrap_or_default();
            Outsider {
                node: format!("external-account:{account}"),
                caller: format!("arn:{partition}:iam::{account}:root"),
                known: context::external(&account, None),
                assumption: format!("the policies of account {account} allow it (they are not in the snapshot)"),
            }
        }
        GranteeKind::Principal => Outsider {
            node: g.id.clone(),
            caller: g.id.clone(),
            known: context::external(g.account.as_deref().unwrap_or(""), Some(&g.id)),
            assumption: format!("the policies of `{}` allow it (they are not in the snapshot)", g.id),
        },
        _ => return None,
    })
}

/// The keys a service sets when it acts for a resource (`aws:SourceAccount` "is only available
/// when the call to your resource is made directly by an AWS service principal", IAM User
/// Guide, global condition keys; the same for the others): absent from the requests an IAM
/// principal makes itself.
const SOURCE_KEYS: [&str; 5] = ["aws:SourceArn", "aws:SourceAccount", "aws:SourceOwner", "aws:SourceOrgID", "aws:SourceOrgPaths"];

/// An IAM principal's context for its own requests: without the source keys.
fn direct(ctx: eval::Context) -> eval::Context {
    SOURCE_KEYS.iter().fold(ctx, |c, k| c.with_absent(k))
}

/// The two worlds an outsider's organization can be in, for conditions on it: no organization
/// (`aws:PrincipalOrgID` and `aws:PrincipalOrgPaths` absent), or one that is not the snapshot's
/// (a stand-in id).
struct OutsiderWorlds {
    org: String,
    none: eval::Context,
    other: eval::Context,
}

impl OutsiderWorlds {
    fn new(snapshot: &Snapshot, known: &context::Known) -> Option<OutsiderWorlds> {
        let org = snapshot.organization.as_ref().and_then(|o| o.id.clone())?;
        let mut none = known.context();
        none = none.with_absent("aws:PrincipalOrgID").with_absent("aws:PrincipalOrgPaths");
        let stand_in = "o-rolegraphoutsider";
        let other = known
            .context()
            .with_known("aws:PrincipalOrgID", stand_in)
            .with_known("aws:PrincipalOrgPaths", format!("{stand_in}/r-outsider/"));
        Some(OutsiderWorlds { org, none, other })
    }

    /// Whether the condition's terms on the organization name only the snapshot's
    /// organization, with literal values: then every organization other than it decides as the
    /// stand-in does, and an outsider is decided exactly by the two worlds.
    fn decidable(&self, c: &crate::condition::Condition) -> bool {
        let mut any = false;
        for a in &c.atoms {
            let Some(key) = a.key() else { continue };
            let key = key.to_ascii_lowercase();
            if key != "aws:principalorgid" && key != "aws:principalorgpaths" {
                continue;
            }
            any = true;
            let op = a.operator().unwrap_or("").to_ascii_lowercase();
            let literal_op = op.trim_end_matches("ifexists").trim_end_matches("ignorecase");
            let literal_op = literal_op.rsplit(':').next().unwrap_or("");
            let ok = match key.as_str() {
                "aws:principalorgid" => {
                    matches!(literal_op, "stringequals" | "stringnotequals")
                        && a.values().iter().all(|v| v.eq_ignore_ascii_case(&self.org))
                }
                _ => a
                    .values()
                    .iter()
                    .all(|v| v.starts_with(&format!("{}/", self.org)) && !v.trim_end_matches('*').contains(['*', '?'])),
            };
            if !ok {
                return false;
            }
        }
        any
    }
}

/// The decisions of one caller on every request, grouped by level. For a caller from outside
/// the organization (`outsider`), a condition on the organization that only names the
/// snapshot's is decided in both worlds an outsider can be in; refused in both, it is refused.
fn decide(
    set: &NamedSet,
    caller: &Arc<str>,
    ctx: &eval::Context,
    reqs: &[Req],
    account: &str,
    outsider: Option<&OutsiderWorlds>,
) -> Vec<LevelAccess> {
    let mut by_level: BTreeMap<AccessLevel, LevelAccess> = BTreeMap::new();
    for q in reqs {
        let Ok(c) = check_in(set, caller, q.action, &q.resource, Some(account), ctx) else { continue };
        if let (Some(w), Some(cond)) = (outsider, c.condition.as_deref())
            && w.decidable(cond)
            && check_in(set, caller, q.action, &q.resource, Some(account), &w.none).is_err()
            && check_in(set, caller, q.action, &q.resource, Some(account), &w.other).is_err()
        {
            continue;
        }
        let unconditional = !c.is_conditional();
        let e = by_level.entry(q.level).or_insert_with(|| LevelAccess {
            level: q.level.as_str(),
            actions: Vec::new(),
            conditional_actions: Vec::new(),
            unconditional,
            check: c.clone(),
            objects: Vec::new(),
        });
        if unconditional && !e.unconditional {
            e.unconditional = true;
            e.check = c;
        }
        let list = if unconditional { &mut e.actions } else { &mut e.conditional_actions };
        if !list.contains(&q.action) {
            list.push(q.action);
        }
        if let Some(o) = &q.object
            && !e.objects.contains(o)
        {
            e.objects.push(o.clone());
        }
    }
    by_level.into_values().collect()
}

/// Who can act on `r`.
pub fn resource_access(snapshot: &Snapshot, r: &PolicyResource, askers: Askers, now: Option<model::Timestamp>) -> ResourceAccess {
    let mut side = access::assemble::Assembled::default();
    access::assemble::add_resource(snapshot, r, &mut side);
    let side_set = NamedSet::of(side.set);
    let reqs = requests(r);
    let policy = r.policy.as_ref().and_then(|d| d.policy());
    let mut out = ResourceAccess {
        arn: r.arn.clone(),
        kind: r.kind,
        kind_label: r.kind.label(),
        name: r.name.clone(),
        account: r.account_id.clone(),
        region: r.region.clone(),
        has_policy: r.policy.is_some(),
        source: r.source.clone(),
        public_policy: r.kind == ResourceKind::S3Bucket && policy.is_some_and(is_public_policy),
        block_public_access: None,
        access: Vec::new(),
        refused: Vec::new(),
        notes: Vec::new(),
        gaps: side.gaps.clone(),
    };
    if r.kind == ResourceKind::S3Bucket {
        let account_block = snapshot.account(&r.account_id).and_then(|a| a.s3_public_access_block);
        out.block_public_access = Some(PublicAccessBlock::combined(r.public_access_block, account_block));
    }
    if r.policy.is_none() && r.kind != ResourceKind::KmsKey {
        out.notes.push(format!("no resource-based policy was read for this {}: only its own account's principals are asked, through their identity policies", r.kind.label()));
    }
    let p = policy::Arn::parse(&r.arn).map_or("aws", |a| a.partition);
    // What the policy names beyond the snapshot.
    for g in policy.map(|p| named(snapshot, p)).unwrap_or_default() {
        // An outsider is an IAM principal of another account calling directly: not an AWS
        // service, and without the keys a service sets when it acts for a resource
        // (`aws:SourceAccount` "is only available when the call to your resource is made
        // directly by an AWS service principal", global condition keys; the same for the others).
        let iam = |mut k: context::Known| {
            k.set("aws:PrincipalIsAWSService", "false");
            for key in SOURCE_KEYS {
                k.absent(key);
            }
            k
        };
        let (caller, known, identity, assumption): (String, Option<context::Known>, bool, Option<String>) = match g.kind {
            GranteeKind::Anyone | GranteeKind::Account | GranteeKind::Principal => {
                let Some(o) = outsider(&g, p) else { continue };
                (o.caller, Some(iam(o.known)), true, Some(o.assumption))
            }
            GranteeKind::Service | GranteeKind::Federated => (g.id.clone(), None, false, None),
            GranteeKind::User | GranteeKind::Role => continue,
        };
        let ctx = match (&known, g.kind) {
            (Some(k), _) => k.context(),
            (None, GranteeKind::Service) => service_context(&g.id),
            (None, _) => context::unknown(),
        };
        let worlds = known.as_ref().filter(|_| g.outside).and_then(|k| OutsiderWorlds::new(snapshot, k));
        let set = if identity {
            let mut id = eval::PolicySet::new();
            id.identity(format!("assumed: the identity policies of {}", g.id), allow_all());
            merged(&NamedSet::of(id), &side_set)
        } else {
            side_set.clone()
        };
        let caller: Arc<str> = Arc::from(caller);
        let levels = decide(&set, &caller, &ctx, &reqs, &r.account_id, worlds.as_ref());
        if levels.is_empty() {
            let world = worlds.as_ref().map_or(&ctx, |w| &w.other);
            // Asked first on the actions the policy names, which are what it meant to grant.
            let named_actions: Vec<String> = policy
                .map(|p| p.statements.iter().flat_map(|s| s.action.items().iter().map(|a| a.raw.to_ascii_lowercase())).collect())
                .unwrap_or_default();
            let (first, rest): (Vec<&Req>, Vec<&Req>) =
                reqs.iter().partition(|q| named_actions.iter().any(|a| a.eq_ignore_ascii_case(q.action)));
            let ordered: Vec<&Req> = first.into_iter().chain(rest).collect();
            if let Some(why) = explicit_deny(&set, &caller, world, &ordered, &r.account_id) {
                out.refused.push(Refused { who: g, why });
            }
            continue;
        }
        {
            out.access.push(Access {
                who: g,
                through: "policies",
                levels,
                assumptions: assumption.into_iter().collect(),
                gaps: Vec::new(),
            });
        }
    }
    if askers == Askers::Everyone {
        for a in &snapshot.accounts {
            let cross = a.id != r.account_id;
            if cross && !names_account(policy, &a.id) {
                continue; // across accounts the resource policy must allow, and it names neither the account nor everyone
            }
            for role in &a.roles {
                let identity = access::assemble::role_identity(snapshot, role);
                let known = context::role(snapshot, role, false, now);
                let who = Grantee {
                    kind: GranteeKind::Role,
                    id: role.arn.clone(),
                    account: Some(a.id.clone()),
                    outside: false,
                    vendor: None,
                };
                push_principal(&mut out, who, identity, &side_set, &role.arn, &direct(known.context()), &reqs, &r.account_id);
            }
            for user in &a.users {
                let identity = access::assemble::user_identity(snapshot, user);
                let known = context::user(snapshot, user, now);
                let who = Grantee {
                    kind: GranteeKind::User,
                    id: user.arn.clone(),
                    account: Some(a.id.clone()),
                    outside: false,
                    vendor: None,
                };
                push_principal(&mut out, who, identity, &side_set, &user.arn, &direct(known.context()), &reqs, &r.account_id);
            }
        }
    }
    grants(r, snapshot, &mut out);
    restrict_public_buckets(&mut out);
    out
}

#[allow(clippy::too_many_arguments, reason = "one call site per principal kind")]
fn push_principal(
    out: &mut ResourceAccess,
    who: Grantee,
    identity: access::assemble::Assembled,
    side: &NamedSet,
    arn: &str,
    ctx: &eval::Context,
    reqs: &[Req],
    account: &str,
) {
    let gaps = identity.gaps.clone();
    let set = merged(&NamedSet::of(identity.set), side);
    let caller: Arc<str> = Arc::from(arn);
    let levels = decide(&set, &caller, ctx, reqs, account, None);
    if !levels.is_empty() {
        out.access.push(Access { who, through: "policies", levels, assumptions: Vec::new(), gaps });
    }
}

/// What a service principal's requests carry, as the IAM User Guide's global condition keys
/// document it: `aws:PrincipalIsAWSService` true and `aws:PrincipalServiceName`; no
/// `aws:PrincipalOrgID` or `aws:PrincipalOrgPaths` ("included in the request context only if
/// the principal is a member of an organization") and no principal tags. The other keys stay
/// unknown.
fn service_context(service: &str) -> eval::Context {
    let mut k = context::Known::new();
    k.set("aws:PrincipalIsAWSService", "true").set("aws:PrincipalServiceName", service);
    k.absent("aws:PrincipalOrgID").absent("aws:PrincipalOrgPaths");
    k.known_glob("aws:principaltag/*");
    k.build()
}

/// The first statement that explicitly denies one of the requests, described.
fn explicit_deny(set: &NamedSet, caller: &str, ctx: &eval::Context, reqs: &[&Req], account: &str) -> Option<String> {
    reqs.iter().find_map(|q| {
        let req = eval::Request {
            principal: caller,
            action: q.action,
            resource: &q.resource,
            resource_account: Some(account),
            context: ctx,
        };
        let d = eval::evaluate(&req, &set.set);
        if d.outcome != eval::Outcome::ExplicitlyDenied {
            return None;
        }
        d.decided_by.first().map(|s| format!("{} (on {})", set.set.describe(s), q.action))
    })
}

/// Whether some `Allow` of the policy names the account (its root, an account id, a principal
/// of it) or everyone.
fn names_account(policy: Option<&policy::Policy>, account: &str) -> bool {
    let Some(p) = policy else { return false };
    p.statements.iter().filter(|s| s.effect == Effect::Allow).any(|s| match &s.principal {
        Some(Block::Only(list)) => list.iter().any(|x| match x {
            Principal::Any => true,
            Principal::Aws(a) => a == "*" || arn_account(a).as_deref() == Some(account),
            _ => false,
        }),
        Some(Block::Not(_)) => true,
        None => false,
    })
}

/// A KMS key's grants: each grantee may perform the listed operations (AWS KMS Developer
/// Guide, *Grants in AWS KMS*: "a grant ... allows the grantee principal to use the KMS key in
/// cryptographic operations"), within the grant's constraints.
fn grants(r: &PolicyResource, snapshot: &Snapshot, out: &mut ResourceAccess) {
    let cat = Catalog::get();
    for g in &r.grants {
        let Some(grantee) = g.grantee_principal.as_deref() else { continue };
        let account = arn_account(grantee);
        let kind = if grantee.ends_with(".amazonaws.com") {
            GranteeKind::Service
        } else if grantee.contains(":role/") {
            GranteeKind::Role
        } else if grantee.contains(":user/") {
            GranteeKind::User
        } else {
            GranteeKind::Principal
        };
        let in_snapshot = account.as_deref().is_some_and(|a| snapshot.account(a).is_some());
        let kind = match kind {
            GranteeKind::Role | GranteeKind::User if !in_snapshot => GranteeKind::Principal,
            k => k,
        };
        let mut by_level: BTreeMap<AccessLevel, LevelAccess> = BTreeMap::new();
        for op in &g.operations {
            let Some(id) = cat.action(&format!("kms:{op}")) else { continue };
            let (Some(name), Some(level)) = (cat.name(id), cat.access_level(id)) else { continue };
            let e = by_level.entry(level).or_insert_with(|| LevelAccess {
                level: level.as_str(),
                actions: Vec::new(),
                conditional_actions: Vec::new(),
                unconditional: g.constraints.is_none(),
                check: Check {
                    principal: Some(Arc::from(grantee)),
                    action: name,
                    resource: Arc::from(r.arn.as_str()),
                    outcome: if g.constraints.is_none() { eval::Outcome::Allowed } else { eval::Outcome::Conditional },
                    condition: None,
                    evidence: Arc::from(Vec::new()),
                },
                objects: Vec::new(),
            });
            if g.constraints.is_none() {
                e.actions.push(name);
            } else {
                e.conditional_actions.push(name);
            }
        }
        if by_level.is_empty() {
            continue;
        }
        let what = match &g.constraints {
            Some(c) => format!("grant {} (encryption context constraints: {c})", g.grant_id.as_deref().unwrap_or("?")),
            None => format!("grant {}", g.grant_id.as_deref().unwrap_or("?")),
        };
        out.access.push(Access {
            who: Grantee {
                kind,
                id: grantee.to_owned(),
                outside: account.as_deref().is_some_and(|a| !in_organization(snapshot, a)),
                vendor: account.as_deref().and_then(|a| access::known::vendor_names(a).first().cloned()),
                account,
            },
            through: "kms-grant",
            levels: by_level.into_values().collect(),
            assumptions: vec![what],
            gaps: Vec::new(),
        });
    }
}

/// S3 Block Public Access: with `RestrictPublicBuckets`, a bucket whose policy is public is
/// open only to AWS services and its own account's principals.
fn restrict_public_buckets(out: &mut ResourceAccess) {
    let restrict = out.block_public_access.is_some_and(|b| b.restrict_public_buckets);
    if !(restrict && out.public_policy) {
        return;
    }
    let account = out.account.clone();
    let before = out.access.len();
    let mut refused: Vec<String> = Vec::new();
    out.access.retain(|a| {
        let keep = a.who.kind == GranteeKind::Service || a.who.account.as_deref() == Some(account.as_str());
        if !keep {
            refused.push(a.who.id.clone());
        }
        keep
    });
    if out.access.len() < before {
        out.notes.push(format!(
            "Block Public Access (RestrictPublicBuckets) limits this bucket, whose policy is public, to AWS services and its own account: refused to {}",
            refused.join(", ")
        ));
    }
}

/// What a principal of the snapshot can act on: every resource of the snapshot that its own
/// account holds or whose policy names its account (or everyone), with the levels.
pub fn principal_access(
    snapshot: &Snapshot,
    principal_arn: &str,
    now: Option<model::Timestamp>,
) -> Vec<(ResourceAccessSummary, Vec<LevelAccess>)> {
    principal_access_of(snapshot, principal_arn, now, |_| true, None)
}

/// [`principal_access`] on the resources `wanted` keeps, for the actions `only` names (all of
/// a resource's actions when `None`).
pub fn principal_access_of(
    snapshot: &Snapshot,
    principal_arn: &str,
    now: Option<model::Timestamp>,
    wanted: impl Fn(&PolicyResource) -> bool,
    only: Option<&[&str]>,
) -> Vec<(ResourceAccessSummary, Vec<LevelAccess>)> {
    let mut out = Vec::new();
    let (identity, known, account) = if let Some(role) = snapshot.role(principal_arn) {
        (access::assemble::role_identity(snapshot, role), context::role(snapshot, role, false, now), role.account_id.clone())
    } else if let Some(user) =
        policy::Arn::parse(principal_arn).and_then(|a| snapshot.account(a.account)).and_then(|a| a.user(principal_arn))
    {
        (access::assemble::user_identity(snapshot, user), context::user(snapshot, user, now), user.account_id.clone())
    } else {
        return out;
    };
    let id_set = NamedSet::of(identity.set);
    let ctx = direct(known.context());
    let caller: Arc<str> = Arc::from(principal_arn);
    for a in &snapshot.accounts {
        for r in &a.resources {
            let policy = r.policy.as_ref().and_then(|d| d.policy());
            if !wanted(r) || (r.account_id != account && !names_account(policy, &account)) {
                continue;
            }
            let mut side = access::assemble::Assembled::default();
            access::assemble::add_resource(snapshot, r, &mut side);
            let set = merged(&id_set, &NamedSet::of(side.set));
            let reqs = requests_of(r, only);
            let mut levels = decide(&set, &caller, &ctx, &reqs, &r.account_id, None);
            if r.kind == ResourceKind::S3Bucket && r.account_id != account {
                let block = PublicAccessBlock::combined(r.public_access_block, a.s3_public_access_block);
                if block.restrict_public_buckets && policy.is_some_and(is_public_policy) {
                    levels.clear();
                }
            }
            if !levels.is_empty() {
                out.push((ResourceAccessSummary::of(r), levels));
            }
        }
    }
    out
}

/// A resource, named.
#[derive(Clone, Debug, Serialize)]
pub struct ResourceAccessSummary {
    pub arn: String,
    pub kind: ResourceKind,
    pub kind_label: &'static str,
    pub name: String,
    pub account: String,
}

impl ResourceAccessSummary {
    pub fn of(r: &PolicyResource) -> Self {
        ResourceAccessSummary {
            arn: r.arn.clone(),
            kind: r.kind,
            kind_label: r.kind.label(),
            name: r.name.clone(),
            account: r.account_id.clone(),
        }
    }
}

/// The outsiders (accounts and principals outside the snapshot, `*`) that the policies of the
/// snapshot's Lambda functions name, for the graph to register as nodes: they may change a
/// function's code ([`function_policy_edges`]).
pub(crate) fn function_policy_outsiders(snapshot: &Snapshot) -> Vec<Grantee> {
    let mut out: Vec<Grantee> = Vec::new();
    for a in &snapshot.accounts {
        for r in a.resources.iter().filter(|r| r.kind == ResourceKind::LambdaFunction) {
            if a.lambda_functions.binary_search_by(|f| f.arn.as_str().cmp(&r.arn)).is_err() {
                continue;
            }
            for g in r.policy.as_ref().and_then(|d| d.policy()).map(|p| named(snapshot, p)).unwrap_or_default() {
                if matches!(g.kind, GranteeKind::Anyone | GranteeKind::Account | GranteeKind::Principal) && !out.contains(&g) {
                    out.push(g);
                }
            }
        }
    }
    out
}

/// The checks of a path through a function, its id and what it assumes.
type PathDecision = (Vec<Arc<Check>>, &'static str, Vec<Arc<str>>);

/// Escalation through a function's resource-based policy (lambda-003/004 where the function's
/// policy grants what the caller's own policies do not, or a caller of another account): a
/// principal that may change the code of a function (`lambda:UpdateFunctionCode`, decided with
/// the caller's policies and the function's policy; across accounts both must allow) acts as
/// its execution role, when it may also invoke it (lambda-004) or on the assumption that the
/// function's triggers do (lambda-003). The edge goes to the function's node, which runs as
/// its role. Callers: the users and roles the policy names (by account, ARN or `*`), and the
/// outsiders it names, whose own policies stand assumed.
pub(crate) fn function_policy_edges(env: &crate::build::Env<'_>, out: &mut crate::build::Out) {
    use crate::types::{EdgeKind, Way};
    const UPDATE: &str = "lambda:UpdateFunctionCode";
    const INVOKE_ONE: &str = "lambda:InvokeFunction";
    let snapshot = env.snapshot;
    for acct in &snapshot.accounts {
        for r in acct.resources.iter().filter(|r| r.kind == ResourceKind::LambdaFunction) {
            let Some(policy) = r.policy.as_ref().and_then(|d| d.policy()) else { continue };
            // Only a policy that may grant changing the code makes a path (most grant invoking).
            let update = UPDATE.to_ascii_lowercase();
            let grants_update = policy.statements.iter().filter(|s| s.effect == Effect::Allow).any(|s| match &s.action {
                Block::Only(list) => list.iter().any(|p| p.matches_lower(&update)),
                Block::Not(list) => !list.iter().any(|p| p.matches_lower(&update)),
            });
            if !grants_update {
                continue;
            }
            let Some(to) = env.nodes.get(&r.arn) else { continue };
            let mut side = access::assemble::Assembled::default();
            access::assemble::add_resource(snapshot, r, &mut side);
            let side_gaps = side.gaps.clone();
            let side = NamedSet::of(side.set);
            let function: Arc<str> = Arc::from(r.arn.as_str());
            // Decides the path for one caller: its checks, path id and assumptions.
            // `stand_in`: the caller a check names when it is not the edge's source.
            let decide_path =
                |set: &NamedSet, caller: &Arc<str>, ctx: &eval::Context, stand_in: Option<Arc<str>>| -> Option<PathDecision> {
                    let mut update = check_in(set, caller, UPDATE, &function, Some(&r.account_id), ctx).ok()?;
                    update.principal.clone_from(&stand_in);
                    match check_in(set, caller, INVOKE_ONE, &function, Some(&r.account_id), ctx) {
                        Ok(mut invoke) => {
                            invoke.principal = stand_in;
                            Some((vec![Arc::new(update), Arc::new(invoke)], "lambda-004", Vec::new()))
                        }
                        Err(_) => Some((
                            vec![Arc::new(update)],
                            "lambda-003",
                            vec![Arc::from("the function's triggers invoke it after its code changes")],
                        )),
                    }
                };
            let mut push =
                |from: crate::types::NodeIdx, path: PathDecision, mut assumptions: Vec<Arc<str>>, gaps: Vec<String>| {
                    let (checks, id, mut more) = path;
                    assumptions.append(&mut more);
                    out.push(crate::build::Draft {
                        from,
                        to,
                        kind: EdgeKind::Privesc,
                        way: Way {
                            path: Some(id),
                            description: std::borrow::Cow::Owned(format!(
                                "{} (granted by the function's resource-based policy)",
                                crate::privesc::data::path(id).map_or("", |p| p.name.as_str())
                            )),
                            checks,
                            via: Vec::new(),
                            assumptions,
                        },
                        gaps,
                    });
                };
            for a in env.actors.iter().filter(|a| matches!(a.kind, crate::types::NodeKind::User | crate::types::NodeKind::Role)) {
                if !names_account(Some(policy), &a.account) {
                    continue;
                }
                // Across accounts the caller's own policies must allow it too.
                if a.account != r.account_id && !a.may(UPDATE, &r.arn) {
                    continue;
                }
                // Already an edge of the documented path when its own policies suffice.
                if a.account == r.account_id && check_in(&a.set, &a.arn, UPDATE, &function, Some(&r.account_id), &a.ctx).is_ok() {
                    continue;
                }
                let set = merged(&a.set, &side);
                if let Some(path) = decide_path(&set, &a.arn, &a.ctx, None) {
                    let mut gaps = a.gaps.clone();
                    gaps.extend(side_gaps.iter().cloned());
                    push(a.node, path, Vec::new(), gaps);
                }
            }
            let p = policy::Arn::parse(&r.arn).map_or("aws", |x| x.partition);
            for g in named(snapshot, policy) {
                let Some(Outsider { node: node_id, caller, known, .. }) = outsider(&g, p) else { continue };
                let Some(from) = env.nodes.get(&node_id) else { continue };
                let mut identity = eval::PolicySet::new();
                identity.identity(format!("assumed: the identity policies of {node_id}"), allow_all());
                let set = merged(&NamedSet::of(identity), &side);
                let caller: Arc<str> = Arc::from(caller);
                if let Some(path) = decide_path(&set, &caller, &known.context(), Some(caller.clone())) {
                    let assumed = vec![Arc::from(format!("the policies of {node_id} allow it (they are not in the snapshot)"))];
                    push(from, path, assumed, side_gaps.clone());
                }
            }
        }
    }
}

/// A resource a principal can act on, directly or as a role it can reach.
#[derive(Clone, Debug, Serialize)]
pub struct ReachedResource {
    pub resource: ResourceAccessSummary,
    pub levels: Vec<LevelAccess>,
    /// The role it acts as (`None`: the principal itself) and the graph path to it (edge ids
    /// of the graph it was asked on).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<u32>,
}

/// The most roles [`reachable_access`] asks about (the nearest first).
pub const MAX_ROLES_THROUGH: usize = 100;

/// What a principal can act on: its own access ([`principal_access`]), then that of each role
/// it can reach in the graph (nearest first, at most [`MAX_ROLES_THROUGH`]), each resource once
/// with the levels not already reached. The second value is how many reachable roles were not
/// asked about.
pub fn reachable_access(
    snapshot: &Snapshot,
    g: &crate::Graph,
    principal: &str,
    now: Option<model::Timestamp>,
) -> (Vec<ReachedResource>, usize) {
    let mut out: Vec<ReachedResource> = principal_access(snapshot, principal, now)
        .into_iter()
        .map(|(resource, levels)| ReachedResource { resource, levels, via: None, path: Vec::new() })
        .collect();
    let Some(from) = g.find_id(principal) else { return (out, 0) };
    let roles: Vec<crate::Reached> = crate::reach(g, from)
        .into_iter()
        .filter(|r| g.node(r.node).is_some_and(|n| n.kind == crate::NodeKind::Role && n.id != principal))
        .collect();
    let skipped = roles.len().saturating_sub(MAX_ROLES_THROUGH);
    for r in roles.into_iter().take(MAX_ROLES_THROUGH) {
        let Some(role) = g.node(r.node).map(|n| n.id.clone()) else { continue };
        for (resource, levels) in principal_access(snapshot, &role, now) {
            let have: Vec<&'static str> =
                out.iter().filter(|x| x.resource.arn == resource.arn).flat_map(|x| x.levels.iter().map(|l| l.level)).collect();
            let new: Vec<LevelAccess> = levels.into_iter().filter(|l| !have.contains(&l.level)).collect();
            if !new.is_empty() {
                out.push(ReachedResource { resource, levels: new, via: Some(role.clone()), path: r.path.clone() });
            }
        }
    }
    (out, skipped)
}
