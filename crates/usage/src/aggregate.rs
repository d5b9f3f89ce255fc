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
use crate::resource::resources_of;

/// FNV-1a: the keys are short strings and small integers from the input, hashed once per event;
/// SipHash's protection against chosen keys costs more than it buys here.
#[derive(Clone, Copy)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;

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
    span: Span,
    denied: u64,
    source_ips: BTreeSet<String>,
    user_agents: BTreeSet<String>,
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
    scratch: Vec<String>,
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
            scratch: Vec::new(),
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
        if !denied {
            resources_of(rec, service_prefix(source), &mut self.scratch);
        }
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
            if a.places.len() < MAX_PLACES {
                a.places.insert((rec.region().into(), rec.account().into()));
            }
            if self.scratch.is_empty() {
                a.without_resource += 1;
            }
            for r in &self.scratch {
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
        let caller: &str = if kind == PrincipalKind::Role { &role_key(caller) } else { caller };
        let key = (Box::<str>::from(caller), Box::<str>::from(target));
        let e = self.edges.entry(key).or_insert_with(|| EdgeAcc {
            caller_kind: kind,
            span: Span { first: rec.time, last: rec.time, count: 0 },
            denied: 0,
            source_ips: BTreeSet::new(),
            user_agents: BTreeSet::new(),
        });
        e.span.add(rec.time);
        if denied {
            e.denied += 1;
        }
        if let Some(ip) = rec.source_ip_address.as_deref()
            && e.source_ips.len() < MAX_PLACES
        {
            e.source_ips.insert(ip.to_owned());
        }
        if let Some(ua) = rec.user_agent.as_deref()
            && e.user_agents.len() < MAX_PLACES
        {
            e.user_agents.insert(ua.to_owned());
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
                    for ip in e.source_ips {
                        if x.source_ips.len() < MAX_PLACES {
                            x.source_ips.insert(ip);
                        }
                    }
                    for ua in e.user_agents {
                        if x.user_agents.len() < MAX_PLACES {
                            x.user_agents.insert(ua);
                        }
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
                            .map(|(arn, s)| ResourceUsage { arn: arn.into(), first_seen: ts(s.first), last_seen: ts(s.last), count: s.count })
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
                role: role.into(),
                count: e.span.count,
                denied: e.denied,
                first_seen: ts(e.span.first),
                last_seen: ts(e.span.last),
                source_ips: e.source_ips.into_iter().collect(),
                user_agents: e.user_agents.into_iter().collect(),
            })
            .collect();
        assumptions.sort_by(|a, b| (&a.role, &a.caller).cmp(&(&b.role, &b.caller)));
        let mut unmapped: Vec<UnmappedCall> = self
            .unmapped
            .into_iter()
            .flat_map(|(s, names)| names.into_iter().map(move |(n, c)| UnmappedCall { event_source: s.to_string(), event_name: n.into(), count: c }))
            .collect();
        unmapped.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| (&a.event_source, &a.event_name).cmp(&(&b.event_source, &b.event_name))));
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

/// An observed assumption: `caller` assumed `role`.
#[derive(Clone, Debug, Serialize)]
pub struct AssumeEdge {
    pub caller: String,
    pub caller_kind: PrincipalKind,
    pub role: String,
    pub count: u64,
    pub denied: u64,
    pub first_seen: Option<Timestamp>,
    pub last_seen: Option<Timestamp>,
    pub source_ips: Vec<String>,
    pub user_agents: Vec<String>,
}

/// An API call with no IAM action in the catalog.
#[derive(Clone, Debug, Serialize)]
pub struct UnmappedCall {
    pub event_source: String,
    pub event_name: String,
    pub count: u64,
}
