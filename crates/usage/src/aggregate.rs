//! The usage table: per principal and action, first and last seen, the number of calls and the
//! resources touched; and the observed `AssumeRole*` edges (who assumed which role, from where,
//! when). One pass over the records, in memory bounded by the number of distinct principals,
//! actions and resources (resources per action are capped at [`MAX_RESOURCES`], the rest
//! counted).

use std::collections::{BTreeSet, HashMap};

use catalog::Catalog;
use model::Timestamp;
use serde::Serialize;

use crate::action::{Mapped, Mapper, service_prefix};
use crate::attribute::{PrincipalKind, attribute, role_name};
use crate::read::ReadStats;
use crate::record::Record;
use crate::resource::resources_into;

/// A multiply-rotate hash that takes eight bytes at a time (the scheme of rustc's `FxHasher`):
/// the keys are short strings and small integers from the input, hashed once or twice per
/// event; SipHash's protection against chosen keys costs more than it buys here, and FNV's
/// byte-at-a-time loop showed in profiles.
#[derive(Clone, Copy, Default)]
pub struct WordHash(u64);

const SEED: u64 = 0xf135_7aea_2e62_a9c5;

impl WordHash {
    #[inline]
    fn add(&mut self, w: u64) {
        self.0 = (self.0 ^ w).wrapping_mul(SEED).rotate_left(26);
    }
}

impl std::hash::Hasher for WordHash {
    #[inline]
    fn finish(&self) -> u64 {
        // hashbrown takes its control byte from the top bits: mix the low bits up.
        (self.0 ^ (self.0 >> 29)).wrapping_mul(SEED)
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            for (d, s) in w.iter_mut().zip(rest) {
                *d = *s;
            }
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<WordHash>>;

/// The version of the JSON this crate writes.
pub const SCHEMA_VERSION: u32 = 1;

/// Distinct resources kept per principal and action.
pub const MAX_RESOURCES: usize = 1000;

/// Distinct regions and accounts kept per principal and action.
const MAX_PLACES: usize = 16;

/// The time window of events that count, in seconds since the epoch, both ends included.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Window {
    pub from: Option<i64>,
    pub to: Option<i64>,
}

impl Window {
    fn contains(&self, t: i64) -> bool {
        self.from.is_none_or(|f| t >= f) && self.to.is_none_or(|e| t <= e)
    }
}

fn ts(secs: i64) -> Option<Timestamp> {
    chrono::DateTime::from_timestamp(secs, 0).map(Timestamp)
}

#[derive(Clone, Copy, Debug)]
struct Span {
    first: i64,
    last: i64,
    count: u64,
}

impl Span {
    fn new(t: i64) -> Span {
        Span { first: t, last: t, count: 1 }
    }
    fn add(&mut self, t: i64) {
        self.first = self.first.min(t);
        self.last = self.last.max(t);
        self.count += 1;
    }
    fn merge(&mut self, o: Span) {
        self.first = self.first.min(o.first);
        self.last = self.last.max(o.last);
        self.count += o.count;
    }
}

fn merge_span(a: &mut Option<Span>, b: Option<Span>) {
    match (a.as_mut(), b) {
        (Some(x), Some(y)) => x.merge(y),
        (None, Some(y)) => *a = Some(y),
        (_, None) => {}
    }
}

impl ActionAcc {
    fn merge(&mut self, o: ActionAcc) {
        merge_span(&mut self.span, o.span);
        self.denied += o.denied;
        self.more_resources += o.more_resources;
        self.without_resource += o.without_resource;
        for (arn, span) in o.resources {
            if let Some(s) = self.resources.get_mut(&arn) {
                s.merge(span);
            } else if self.resources.len() < MAX_RESOURCES {
                self.resources.insert(arn, span);
            } else {
                self.more_resources += span.count;
            }
        }
        for p in o.places {
            if self.places.len() >= MAX_PLACES {
                break;
            }
            self.places.insert(p);
        }
    }
}

#[derive(Default)]
struct ActionAcc {
    span: Option<Span>,
    denied: u64,
    resources: FastMap<Box<str>, Span>,
    more_resources: u64,
    without_resource: u64,
    places: BTreeSet<(Box<str>, Box<str>)>,
}

struct PrincipalAcc {
    kind: PrincipalKind,
    arn: String,
    exact: bool,
    span: Option<Span>,
    denied: u64,
    actions: FastMap<u32, ActionAcc>,
}

struct EdgeAcc {
    caller_kind: PrincipalKind,
    caller_account: Option<String>,
    span: Span,
    denied: u64,
    apis: BTreeSet<Box<str>>,
    source_ips: BTreeSet<String>,
    user_agents: BTreeSet<String>,
    subjects: BTreeSet<String>,
}

/// Adds to a set of at most [`MAX_PLACES`] items.
fn add_capped<T: Ord>(set: &mut BTreeSet<T>, item: T) {
    if set.len() < MAX_PLACES {
        set.insert(item);
    }
}

/// The account of an ARN (`arn:aws:iam::ACCOUNT:...`), if it has one.
fn arn_account(arn: &str) -> Option<&str> {
    policy::Arn::parse(arn).map(|a| a.account).filter(|a| !a.is_empty())
}

/// Builds the usage table from records.
pub struct Aggregator {
    catalog: &'static Catalog,
    window: Window,
    mapper: Mapper,
    /// Principal ARNs as seen in events → index into `accs`.
    seen: FastMap<Box<str>, usize>,
    /// Role keys (ARN without path) → index into `accs`.
    role_index: FastMap<String, usize>,
    accs: Vec<PrincipalAcc>,
    edges: HashMap<(Box<str>, Box<str>), EdgeAcc>,
    unmapped: HashMap<Box<str>, HashMap<Box<str>, u64>>,
    out_of_window: u64,
    unattributed: u64,
    events: u64,
    scratch: crate::resource::ResourceBuf,
}

/// The key of a role: its ARN without the path, so that sessions seen with and without the
/// issuer's ARN merge.
fn role_key(arn: &str) -> String {
    match policy::Arn::parse(arn) {
        Some(a) => format!("arn:{}:iam::{}:role/{}", a.partition, a.account, role_name(arn)),
        None => arn.to_owned(),
    }
}

impl Aggregator {
    pub fn new(window: Window) -> Aggregator {
        Aggregator {
            catalog: Catalog::get(),
            window,
            mapper: Mapper::default(),
            seen: FastMap::default(),
            role_index: FastMap::default(),
            accs: Vec::new(),
            edges: HashMap::new(),
            unmapped: HashMap::new(),
            out_of_window: 0,
            unattributed: 0,
            events: 0,
            scratch: crate::resource::ResourceBuf::default(),
        }
    }

    /// Adds one valid record.
    pub fn add(&mut self, rec: &Record<'_>) {
        let t = rec.time;
        if !self.window.contains(t) {
            self.out_of_window += 1;
            return;
        }
        let Some(actor) = attribute(rec) else {
            self.unattributed += 1;
            return;
        };
        self.events += 1;
        let (source, name) = (rec.source(), rec.name());
        let denied = rec.is_access_denied();
        if source == "sts.amazonaws.com" && name.starts_with("AssumeRole") {
            self.add_edge(rec, actor.kind, &actor.arn, denied);
        }
        let idx = match self.seen.get(&*actor.arn) {
            Some(&i) => i,
            None => {
                // First time this exact ARN: roles merge by their key (sessions seen with and
                // without the issuer's path).
                let i = if actor.kind == PrincipalKind::Role {
                    let accs = &mut self.accs;
                    *self.role_index.entry(role_key(&actor.arn)).or_insert_with(|| {
                        accs.push(new_principal(actor.kind, &actor.arn, actor.exact));
                        accs.len() - 1
                    })
                } else {
                    self.accs.push(new_principal(actor.kind, &actor.arn, actor.exact));
                    self.accs.len() - 1
                };
                self.seen.insert(actor.arn.as_ref().into(), i);
                i
            }
        };
        let Some(p) = self.accs.get_mut(idx) else { return };
        if actor.exact && !p.exact {
            p.arn = actor.arn.to_string();
            p.exact = true;
        }
        if denied {
            p.denied += 1;
        } else {
            match &mut p.span {
                Some(s) => s.add(t),
                None => p.span = Some(Span::new(t)),
            }
        }
        let ids = match self.mapper.map(self.catalog, source, name) {
            Mapped::Actions(ids) => ids,
            Mapped::Unmapped => {
                *self.unmapped.entry(source.into()).or_default().entry(name.into()).or_insert(0) += 1;
                return;
            }
        };
        if denied {
            self.scratch.clear();
        } else {
            resources_into(rec, service_prefix(source), &mut self.scratch);
        }
        let (region, account) = (rec.region(), rec.account());
        for id in ids {
            let a = p.actions.entry(id.0).or_default();
            if denied {
                a.denied += 1;
                continue;
            }
            match &mut a.span {
                Some(s) => s.add(t),
                None => a.span = Some(Span::new(t)),
            }
            if a.places.len() < MAX_PLACES && !a.places.iter().any(|(r, c)| &**r == region && &**c == account) {
                a.places.insert((region.into(), account.into()));
            }
            if self.scratch.is_empty() {
                a.without_resource += 1;
            }
            for r in self.scratch.as_slice() {
                if let Some(s) = a.resources.get_mut(r.as_str()) {
                    s.add(t);
                } else if a.resources.len() < MAX_RESOURCES {
                    a.resources.insert(r.as_str().into(), Span::new(t));
                } else {
                    a.more_resources += 1;
                }
            }
        }
    }

    fn add_edge(&mut self, rec: &Record<'_>, kind: PrincipalKind, caller: &str, denied: bool) {
        let target = rec
            .request_parameters
            .as_ref()
            .and_then(|p| p.role_arn.get())
            .or_else(|| rec.resources.iter().flatten().filter_map(|r| r.arn.as_deref()).find(|a| a.contains(":role/")));
        let Some(target) = target else { return };
        let id = rec.user_identity.as_ref();
        // Federated callers are their provider: the SAML provider the request names, the OIDC
        // provider (its ARN) or web identity provider of the identity; the user is the subject.
        let provider = match rec.name() {
            "AssumeRoleWithSAML" => rec.request_parameters.as_ref().and_then(|p| p.principal_arn.get()),
            "AssumeRoleWithWebIdentity" => id.and_then(|i| i.identity_provider.as_deref()).filter(|p| !p.is_empty()),
            _ => None,
        };
        let key_role;
        let (kind, caller) = match provider {
            Some(p) => (PrincipalKind::Provider, p),
            None if kind == PrincipalKind::Role => {
                key_role = role_key(caller);
                (kind, key_role.as_str())
            }
            None => (kind, caller),
        };
        let account = id.and_then(|i| i.account_id.as_deref()).filter(|a| !a.is_empty()).or_else(|| arn_account(caller));
        let key = (Box::<str>::from(caller), Box::<str>::from(target));
        let e = self.edges.entry(key).or_insert_with(|| EdgeAcc {
            caller_kind: kind,
            caller_account: account.map(str::to_owned),
            span: Span { first: rec.time, last: rec.time, count: 0 },
            denied: 0,
            apis: BTreeSet::new(),
            source_ips: BTreeSet::new(),
            user_agents: BTreeSet::new(),
            subjects: BTreeSet::new(),
        });
        e.span.add(rec.time);
        if denied {
            e.denied += 1;
        }
        if !e.apis.iter().any(|a| &**a == rec.name()) {
            add_capped(&mut e.apis, rec.name().into());
        }
        if let Some(ip) = rec.source_ip_address.as_deref()
            && !e.source_ips.contains(ip)
        {
            add_capped(&mut e.source_ips, ip.to_owned());
        }
        if let Some(ua) = rec.user_agent.as_deref()
            && !e.user_agents.contains(ua)
        {
            add_capped(&mut e.user_agents, ua.to_owned());
        }
        if provider.is_some()
            && let Some(u) = id.and_then(|i| i.user_name.as_deref()).filter(|u| !u.is_empty())
            && !e.subjects.contains(u)
        {
            add_capped(&mut e.subjects, u.to_owned());
        }
    }

    /// Adds what another aggregator (of other files, same window) saw. Counts, times and
    /// edges are the same as one aggregator reading everything; past [`MAX_RESOURCES`], which
    /// resources are listed can depend on how the files were split.
    pub fn merge(&mut self, other: Aggregator) {
        let mut map: Vec<Option<usize>> = vec![None; other.accs.len()];
        let mut seen: Vec<(Box<str>, usize)> = other.seen.into_iter().collect();
        seen.sort();
        for (arn, i) in seen {
            let Some(acc) = other.accs.get(i) else { continue };
            let j = match self.seen.get(&arn) {
                Some(&j) => j,
                None => {
                    let j = if acc.kind == PrincipalKind::Role {
                        let accs = &mut self.accs;
                        *self.role_index.entry(role_key(&arn)).or_insert_with(|| {
                            accs.push(new_principal(acc.kind, &acc.arn, acc.exact));
                            accs.len() - 1
                        })
                    } else {
                        self.accs.push(new_principal(acc.kind, &acc.arn, acc.exact));
                        self.accs.len() - 1
                    };
                    self.seen.insert(arn, j);
                    j
                }
            };
            if let Some(m) = map.get_mut(i) {
                m.get_or_insert(j);
            }
        }
        for (i, acc) in other.accs.into_iter().enumerate() {
            let Some(Some(j)) = map.get(i).copied() else { continue };
            let Some(p) = self.accs.get_mut(j) else { continue };
            if acc.exact && !p.exact {
                p.arn = acc.arn;
                p.exact = true;
            }
            merge_span(&mut p.span, acc.span);
            p.denied += acc.denied;
            for (id, a) in acc.actions {
                p.actions.entry(id).or_default().merge(a);
            }
        }
        for (key, e) in other.edges {
            match self.edges.get_mut(&key) {
                Some(x) => {
                    x.span.merge(e.span);
                    x.denied += e.denied;
                    if x.caller_account.is_none() {
                        x.caller_account = e.caller_account;
                    }
                    for a in e.apis {
                        add_capped(&mut x.apis, a);
                    }
                    for ip in e.source_ips {
                        add_capped(&mut x.source_ips, ip);
                    }
                    for ua in e.user_agents {
                        add_capped(&mut x.user_agents, ua);
                    }
                    for u in e.subjects {
                        add_capped(&mut x.subjects, u);
                    }
                }
                None => {
                    self.edges.insert(key, e);
                }
            }
        }
        for (source, names) in other.unmapped {
            let m = self.unmapped.entry(source).or_default();
            for (n, c) in names {
                *m.entry(n).or_insert(0) += c;
            }
        }
        self.out_of_window += other.out_of_window;
        self.unattributed += other.unattributed;
        self.events += other.events;
    }

    /// The usage table, sorted.
    pub fn finish(self, read: ReadStats) -> Usage {
        let catalog = self.catalog;
        let mut principals: Vec<PrincipalUsage> = self
            .accs
            .into_iter()
            .map(|p| {
                let mut actions: Vec<ActionUsage> = p
                    .actions
                    .into_iter()
                    .map(|(id, a)| {
                        let info = catalog.info(catalog::ActionId(id));
                        let mut resources: Vec<ResourceUsage> = a
                            .resources
                            .into_iter()
                            .map(|(arn, s)| ResourceUsage {
                                arn: arn.into(),
                                first_seen: ts(s.first),
                                last_seen: ts(s.last),
                                count: s.count,
                            })
                            .collect();
                        resources.sort_by(|x, y| x.arn.cmp(&y.arn));
                        ActionUsage {
                            action: info.map_or_else(String::new, |i| i.full_name.to_owned()),
                            access_level: info.map_or("", |i| i.access_level.as_str()).to_owned(),
                            count: a.span.map_or(0, |s| s.count),
                            denied: a.denied,
                            first_seen: a.span.and_then(|s| ts(s.first)),
                            last_seen: a.span.and_then(|s| ts(s.last)),
                            resources,
                            more_resources: a.more_resources,
                            calls_without_resource: a.without_resource,
                            places: a.places.into_iter().map(|(r, c)| Place { region: r.into(), account: c.into() }).collect(),
                        }
                    })
                    .collect();
                actions.sort_by(|x, y| x.action.cmp(&y.action));
                PrincipalUsage {
                    arn: p.arn,
                    kind: p.kind,
                    events: p.span.map_or(0, |s| s.count),
                    denied: p.denied,
                    first_seen: p.span.and_then(|s| ts(s.first)),
                    last_seen: p.span.and_then(|s| ts(s.last)),
                    actions,
                }
            })
            .collect();
        principals.sort_by(|a, b| a.arn.cmp(&b.arn));
        let mut assumptions: Vec<AssumeEdge> = self
            .edges
            .into_iter()
            .map(|((caller, role), e)| AssumeEdge {
                caller: caller.into(),
                caller_kind: e.caller_kind,
                caller_vendor: e.caller_account.as_deref().and_then(|a| access::known::vendor_names(a).first().cloned()),
                caller_account: e.caller_account,
                role: role.into(),
                count: e.span.count,
                denied: e.denied,
                first_seen: ts(e.span.first),
                last_seen: ts(e.span.last),
                apis: e.apis.into_iter().map(String::from).collect(),
                source_ips: e.source_ips.into_iter().collect(),
                user_agents: e.user_agents.into_iter().collect(),
                subjects: e.subjects.into_iter().collect(),
            })
            .collect();
        assumptions.sort_by(|a, b| (&a.role, &a.caller).cmp(&(&b.role, &b.caller)));
        let mut unmapped: Vec<UnmappedCall> = self
            .unmapped
            .into_iter()
            .flat_map(|(s, names)| {
                names.into_iter().map(move |(n, c)| UnmappedCall { event_source: s.to_string(), event_name: n.into(), count: c })
            })
            .collect();
        unmapped.sort_by(|a, b| {
            b.count.cmp(&a.count).then_with(|| (&a.event_source, &a.event_name).cmp(&(&b.event_source, &b.event_name)))
        });
        Usage {
            schema_version: SCHEMA_VERSION,
            window_from: self.window.from.and_then(ts),
            window_to: self.window.to.and_then(ts),
            read,
            events: self.events,
            out_of_window: self.out_of_window,
            unattributed: self.unattributed,
            principals,
            assumptions,
            unmapped,
        }
    }
}

fn new_principal(kind: PrincipalKind, arn: &str, exact: bool) -> PrincipalAcc {
    PrincipalAcc { kind, arn: arn.to_owned(), exact, span: None, denied: 0, actions: FastMap::default() }
}

/// Usage of all principals seen in the trail.
#[derive(Clone, Debug, Serialize)]
pub struct Usage {
    pub schema_version: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_from: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_to: Option<Timestamp>,
    pub read: ReadStats,
    /// Records in the window attributed to a principal.
    pub events: u64,
    pub out_of_window: u64,
    /// Records without a `userIdentity` that names anyone.
    pub unattributed: u64,
    pub principals: Vec<PrincipalUsage>,
    pub assumptions: Vec<AssumeEdge>,
    pub unmapped: Vec<UnmappedCall>,
}

impl Usage {
    /// The usage of a principal by ARN; roles also by account and name (a session ARN does not
    /// carry the role's path).
    pub fn principal(&self, arn: &str) -> Option<&PrincipalUsage> {
        if let Ok(i) = self.principals.binary_search_by(|p| p.arn.as_str().cmp(arn)) {
            return self.principals.get(i);
        }
        if arn.contains(":role/") {
            let key = role_key(arn);
            return self.principals.iter().find(|p| p.kind == PrincipalKind::Role && role_key(&p.arn) == key);
        }
        None
    }

    /// The observed assumptions of a role.
    pub fn assumers_of<'a>(&'a self, role_arn: &'a str) -> impl Iterator<Item = &'a AssumeEdge> + 'a {
        let key = role_key(role_arn);
        self.assumptions.iter().filter(move |e| role_key(&e.role) == key)
    }
}

/// What one principal did.
#[derive(Clone, Debug, Serialize)]
pub struct PrincipalUsage {
    pub arn: String,
    pub kind: PrincipalKind,
    /// Calls that passed authorization.
    pub events: u64,
    /// Calls refused with an access-denied error.
    pub denied: u64,
    pub first_seen: Option<Timestamp>,
    pub last_seen: Option<Timestamp>,
    pub actions: Vec<ActionUsage>,
}

/// One action of a principal.
#[derive(Clone, Debug, Serialize)]
pub struct ActionUsage {
    pub action: String,
    pub access_level: String,
    /// Calls that passed authorization.
    pub count: u64,
    pub denied: u64,
    pub first_seen: Option<Timestamp>,
    pub last_seen: Option<Timestamp>,
    pub resources: Vec<ResourceUsage>,
    /// Calls on resources beyond the first [`MAX_RESOURCES`] distinct ones.
    pub more_resources: u64,
    /// Calls whose resource the event does not say.
    pub calls_without_resource: u64,
    /// The regions and accounts of the calls.
    pub places: Vec<Place>,
}

/// Where a call was made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Place {
    pub region: String,
    pub account: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ResourceUsage {
    pub arn: String,
    pub first_seen: Option<Timestamp>,
    pub last_seen: Option<Timestamp>,
    pub count: u64,
}

/// An observed assumption: `caller` assumed `role` (`AssumeRole`, `AssumeRoleWithSAML`,
/// `AssumeRoleWithWebIdentity`).
#[derive(Clone, Debug, Serialize)]
pub struct AssumeEdge {
    /// A role ARN (without its path), a user or root ARN, a service principal, or for federated
    /// calls the provider: the SAML provider's ARN, the OIDC provider's ARN, or a web identity
    /// provider's name.
    pub caller: String,
    pub caller_kind: PrincipalKind,
    /// The caller's account (`userIdentity.accountId`, else its ARN's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caller_account: Option<String>,
    /// The known vendor that publishes the caller's account (`Datadog`), when it is one
    /// (`access::known`): a vendor's role appears in the trail only as `AROA…:session`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caller_vendor: Option<String>,
    pub role: String,
    /// Calls, denied ones included.
    pub count: u64,
    /// Calls refused with an access-denied error.
    pub denied: u64,
    pub first_seen: Option<Timestamp>,
    pub last_seen: Option<Timestamp>,
    /// The event names seen (`AssumeRole`, ...).
    pub apis: Vec<String>,
    /// At most 16 each.
    pub source_ips: Vec<String>,
    pub user_agents: Vec<String>,
    /// For federated callers: the users of the provider (`userIdentity.userName`: the SAML
    /// name id, the OIDC subject), at most 16.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subjects: Vec<String>,
}

/// An API call with no IAM action in the catalog.
#[derive(Clone, Debug, Serialize)]
pub struct UnmappedCall {
    pub event_source: String,
    pub event_name: String,
    pub count: u64,
}
