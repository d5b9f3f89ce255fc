//! The generated file `data/catalog.bin`: a compact binary form of the catalog that decodes in
//! about a millisecond into a few flat arrays, so that embedding it costs little at start-up.
//!
//! Layout (every integer an unsigned LEB128 varint; `str` is an `offset, length` pair into the
//! string table):
//!
//! ```text
//! magic "RGCAT" 0x00, format version
//! sources: count, then each as length + UTF-8
//! string table: length + UTF-8 (each distinct string once)
//! services: count; each: prefix str, name str,
//!     resource types: count; each: name str, ARN format str, keys: count + global key ids
//!     condition keys: count; each: name str, type code
//! actions: count; each (in id order): service index, name str, access level code,
//!     AWS access level code, resources: count + (resource type id << 1 | required),
//!     keys: count + global key ids, dependent actions: count + action ids
//! ```
//!
//! Resource types and condition keys get global ids in the order they are written. The decoder
//! checks every reference, every string boundary and the sort orders the lookups rely on, so a
//! decoded [`Catalog`] never needs to check them again.

use std::collections::HashMap;

use thiserror::Error;

use crate::{
    AccessLevel, ActionId, ActionRec, ActionResource, Catalog, ConditionKeyId, ConditionKeyRec, ConditionType, ResourceTypeId,
    ResourceTypeRec, ServiceRec, Span,
};

const MAGIC: &[u8; 6] = b"RGCAT\0";
const VERSION: u32 = 1;

/// Why a catalog file could not be decoded.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DecodeError {
    #[error("not a catalog file (bad magic)")]
    BadMagic,
    #[error("unsupported catalog format version {0} (expected {VERSION})")]
    Version(u32),
    #[error("catalog file is truncated at byte {0}")]
    Truncated(usize),
    #[error("catalog file has a malformed number at byte {0}")]
    BadVarint(usize),
    #[error("catalog file has invalid UTF-8 in {0}")]
    Utf8(&'static str),
    #[error("catalog file is invalid: {0}")]
    Invalid(String),
    #[error("catalog file has {0} trailing bytes")]
    Trailing(usize),
}

// ----- the model the builder produces and the encoder writes -----

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Model {
    pub sources: Vec<String>,
    /// Sorted by prefix.
    pub services: Vec<ServiceModel>,
    /// Sorted by lower-cased `prefix:name`.
    pub actions: Vec<ActionModel>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ServiceModel {
    pub prefix: String,
    pub name: String,
    /// Sorted by name.
    pub resource_types: Vec<ResourceTypeModel>,
    /// Sorted by lower-cased name.
    pub condition_keys: Vec<(String, ConditionType)>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ResourceTypeModel {
    pub name: String,
    pub arn_format: String,
    /// Global condition key ids.
    pub condition_keys: Vec<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ActionModel {
    pub service: u32,
    pub name: String,
    pub level: AccessLevel,
    pub aws_level: AccessLevel,
    /// Global resource type id and the required flag.
    pub resources: Vec<(u32, bool)>,
    pub condition_keys: Vec<u32>,
    pub deps: Vec<u32>,
}

// ----- encoding -----

struct Writer {
    strings: Vec<u8>,
    seen: HashMap<String, (u32, u32)>,
    body: Vec<u8>,
}

fn put_varint(out: &mut Vec<u8>, mut v: u32) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn put_len(out: &mut Vec<u8>, n: usize) {
    put_varint(out, u32::try_from(n).unwrap_or(u32::MAX));
}

impl Writer {
    fn num(&mut self, v: u32) {
        put_varint(&mut self.body, v);
    }

    fn len(&mut self, n: usize) {
        put_len(&mut self.body, n);
    }

    fn str(&mut self, s: &str) {
        let (off, len) = match self.seen.get(s) {
            Some(&span) => span,
            None => {
                let span = (self.strings.len() as u32, s.len() as u32);
                self.strings.extend_from_slice(s.as_bytes());
                self.seen.insert(s.to_owned(), span);
                span
            }
        };
        self.num(off);
        self.num(len);
    }
}

/// Writes the model. Deterministic: the same model gives the same bytes.
pub(crate) fn encode(m: &Model) -> Vec<u8> {
    let mut w = Writer { strings: Vec::new(), seen: HashMap::new(), body: Vec::new() };
    w.len(m.services.len());
    for s in &m.services {
        w.str(&s.prefix);
        w.str(&s.name);
        w.len(s.resource_types.len());
        for r in &s.resource_types {
            w.str(&r.name);
            w.str(&r.arn_format);
            w.len(r.condition_keys.len());
            for &k in &r.condition_keys {
                w.num(k);
            }
        }
        w.len(s.condition_keys.len());
        for (name, ty) in &s.condition_keys {
            w.str(name);
            w.num(u32::from(ty.code()));
        }
    }
    w.len(m.actions.len());
    for a in &m.actions {
        w.num(a.service);
        w.str(&a.name);
        w.num(u32::from(a.level.code()));
        w.num(u32::from(a.aws_level.code()));
        w.len(a.resources.len());
        for &(rt, required) in &a.resources {
            w.num(rt << 1 | u32::from(required));
        }
        w.len(a.condition_keys.len());
        for &k in &a.condition_keys {
            w.num(k);
        }
        w.len(a.deps.len());
        for &d in &a.deps {
            w.num(d);
        }
    }

    let mut out = Vec::with_capacity(w.strings.len() + w.body.len() + 64);
    out.extend_from_slice(MAGIC);
    put_varint(&mut out, VERSION);
    put_len(&mut out, m.sources.len());
    for s in &m.sources {
        put_len(&mut out, s.len());
        out.extend_from_slice(s.as_bytes());
    }
    put_len(&mut out, w.strings.len());
    out.extend_from_slice(&w.strings);
    out.extend_from_slice(&w.body);
    out
}

// ----- decoding -----

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn num(&mut self) -> Result<u32, DecodeError> {
        let start = self.pos;
        let mut v: u32 = 0;
        for shift in [0u32, 7, 14, 21, 28] {
            let b = *self.buf.get(self.pos).ok_or(DecodeError::Truncated(self.pos))?;
            self.pos += 1;
            let bits = u32::from(b & 0x7f);
            if shift == 28 && bits > 0x0f {
                return Err(DecodeError::BadVarint(start));
            }
            v |= bits << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(DecodeError::BadVarint(start))
    }

    fn bytes(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self.pos.checked_add(n).ok_or(DecodeError::Truncated(self.pos))?;
        let b = self.buf.get(self.pos..end).ok_or(DecodeError::Truncated(self.pos))?;
        self.pos = end;
        Ok(b)
    }

    /// A count of items, each at least one byte: bounded by what is left, so that a corrupt
    /// count cannot make the decoder reserve absurd amounts of memory.
    fn count(&mut self) -> Result<usize, DecodeError> {
        let n = self.num()? as usize;
        if n > self.buf.len().saturating_sub(self.pos) {
            return Err(DecodeError::Truncated(self.pos));
        }
        Ok(n)
    }

    fn span(&mut self, arena: &str, what: &str) -> Result<Span, DecodeError> {
        let start = self.num()?;
        let len = self.num()?;
        let end = start.checked_add(len).ok_or_else(|| invalid(format!("{what} string out of range")))?;
        let span = Span { start, end };
        if arena.get(start as usize..end as usize).is_none() {
            return Err(invalid(format!("{what} string out of range at byte {}", self.pos)));
        }
        Ok(span)
    }

    fn ids(&mut self, limit: usize, what: &str) -> Result<Vec<u32>, DecodeError> {
        let n = self.count()?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            let id = self.num()?;
            if id as usize >= limit {
                return Err(invalid(format!("{what} id {id} out of range")));
            }
            v.push(id);
        }
        Ok(v)
    }
}

fn invalid(msg: String) -> DecodeError {
    DecodeError::Invalid(msg)
}

fn span_of(start: usize, end: usize) -> Span {
    Span { start: start as u32, end: end as u32 }
}

pub(crate) fn decode(bytes: &[u8]) -> Result<Catalog, DecodeError> {
    let mut r = Reader { buf: bytes, pos: 0 };
    if r.bytes(MAGIC.len()).map_err(|_| DecodeError::BadMagic)? != MAGIC {
        return Err(DecodeError::BadMagic);
    }
    let version = r.num()?;
    if version != VERSION {
        return Err(DecodeError::Version(version));
    }
    let n_sources = r.count()?;
    let mut sources = Vec::with_capacity(n_sources);
    for _ in 0..n_sources {
        let n = r.count()?;
        let s = std::str::from_utf8(r.bytes(n)?).map_err(|_| DecodeError::Utf8("sources"))?;
        sources.push(s.to_owned());
    }
    let n = r.count()?;
    let arena = std::str::from_utf8(r.bytes(n)?).map_err(|_| DecodeError::Utf8("string table"))?.to_owned();

    let mut c = Catalog { sources, arena, ..Catalog::empty() };
    decode_services(&mut r, &mut c)?;
    decode_actions(&mut r, &mut c)?;
    if r.pos != bytes.len() {
        return Err(DecodeError::Trailing(bytes.len() - r.pos));
    }
    Ok(c)
}

fn decode_services(r: &mut Reader<'_>, c: &mut Catalog) -> Result<(), DecodeError> {
    let n_services = r.count()?;
    // Keys of resource types may refer to keys written later (same service): check at the end.
    let mut max_rt_key = None;
    for si in 0..n_services {
        let prefix = r.span(&c.arena, "service prefix")?;
        let name = r.span(&c.arena, "service name")?;
        if let Some(prev) = c.services.last()
            && prev.prefix.str(&c.arena) >= prefix.str(&c.arena)
        {
            return Err(invalid(format!("services out of order at `{}`", prefix.str(&c.arena))));
        }
        let rt_start = c.resource_types.len();
        for _ in 0..r.count()? {
            let rname = r.span(&c.arena, "resource type name")?;
            let arn_format = r.span(&c.arena, "ARN format")?;
            let k_start = c.rt_keys.len();
            for k in r.ids(usize::MAX, "condition key")? {
                max_rt_key = max_rt_key.max(Some(k));
                c.rt_keys.push(ConditionKeyId(k));
            }
            c.resource_types.push(ResourceTypeRec {
                service: si as u32,
                name: rname,
                arn_format,
                condition_keys: span_of(k_start, c.rt_keys.len()),
            });
        }
        let ck_start = c.condition_keys.len();
        for _ in 0..r.count()? {
            let kname = r.span(&c.arena, "condition key name")?;
            let code = r.num()?;
            let ty = ConditionType::from_code(code).ok_or_else(|| invalid(format!("condition key type code {code}")))?;
            if let Some(prev) = c.condition_keys.get(ck_start..).and_then(<[_]>::last) {
                let (a, b) = (prev.name.str(&c.arena), kname.str(&c.arena));
                if crate::cmp_ci(a, b).is_ge() {
                    return Err(invalid(format!("condition keys out of order at `{b}`")));
                }
            }
            c.condition_keys.push(ConditionKeyRec { service: si as u32, name: kname, ty });
        }
        c.services.push(ServiceRec {
            prefix,
            name,
            actions: Span::default(),
            resource_types: span_of(rt_start, c.resource_types.len()),
            condition_keys: span_of(ck_start, c.condition_keys.len()),
        });
    }
    if let Some(k) = max_rt_key
        && k as usize >= c.condition_keys.len()
    {
        return Err(invalid(format!("condition key id {k} out of range")));
    }
    Ok(())
}

fn decode_actions(r: &mut Reader<'_>, c: &mut Catalog) -> Result<(), DecodeError> {
    let n_actions = r.count()?;
    let n_services = c.services.len();
    let (n_rts, n_keys) = (c.resource_types.len(), c.condition_keys.len());
    c.actions.reserve(n_actions);
    let mut full = String::with_capacity(n_actions * 32);
    let mut last_service: Option<u32> = None;
    for i in 0..n_actions {
        let service = r.num()?;
        let svc = c
            .services
            .get_mut(service as usize)
            .ok_or_else(|| invalid(format!("action {i} names service {service} of {n_services}")))?;
        // Each service's actions are contiguous: open its range on its first action.
        if last_service != Some(service) {
            if svc.actions != Span::default() {
                return Err(invalid(format!("actions of service {service} are not contiguous")));
            }
            svc.actions = span_of(i, i);
            last_service = Some(service);
        }
        svc.actions.end = i as u32 + 1;
        let prefix = svc.prefix;
        let name = r.span(&c.arena, "action name")?;
        let level = access_level(r.num()?)?;
        let aws_level = access_level(r.num()?)?;

        let start = full.len();
        full.push_str(prefix.str(&c.arena));
        full.push(':');
        full.push_str(name.str(&c.arena));

        let res_start = c.action_resources.len();
        for v in r.ids(usize::MAX, "resource type")? {
            let rt = v >> 1;
            if rt as usize >= n_rts {
                return Err(invalid(format!("resource type id {rt} out of range")));
            }
            c.action_resources.push(ActionResource { resource_type: ResourceTypeId(rt), required: v & 1 == 1 });
        }
        let key_start = c.action_keys.len();
        c.action_keys.extend(r.ids(n_keys, "condition key")?.into_iter().map(ConditionKeyId));
        let dep_start = c.action_deps.len();
        c.action_deps.extend(r.ids(n_actions, "dependent action")?.into_iter().map(ActionId));
        c.actions.push(ActionRec {
            service,
            full: span_of(start, full.len()),
            level,
            aws_level,
            resources: span_of(res_start, c.action_resources.len()),
            condition_keys: span_of(key_start, c.action_keys.len()),
            deps: span_of(dep_start, c.action_deps.len()),
        });
    }
    c.lower_names = full.to_ascii_lowercase();
    c.full_names = full;
    // Lookups binary-search the lower-cased names: they must be strictly increasing.
    for i in 1..c.actions.len() {
        let (a, b) = (c.lower_name(i - 1), c.lower_name(i));
        if a >= b {
            return Err(invalid(format!("actions out of order at `{b}`")));
        }
    }
    Ok(())
}

fn access_level(code: u32) -> Result<AccessLevel, DecodeError> {
    AccessLevel::from_code(code).ok_or_else(|| invalid(format!("access level code {code}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Model {
        Model {
            sources: vec!["test".into()],
            services: vec![
                ServiceModel {
                    prefix: "a".into(),
                    name: "Service A".into(),
                    resource_types: vec![ResourceTypeModel {
                        name: "thing".into(),
                        arn_format: "arn:${Partition}:a:${Region}:${Account}:thing/${Id}".into(),
                        condition_keys: vec![1],
                    }],
                    condition_keys: vec![
                        ("a:Color".into(), ConditionType::String),
                        ("aws:ResourceTag/${TagKey}".into(), ConditionType::String),
                    ],
                },
                ServiceModel { prefix: "b".into(), name: "Service B".into(), ..Default::default() },
            ],
            actions: vec![
                ActionModel {
                    service: 0,
                    name: "GetThing".into(),
                    level: AccessLevel::Read,
                    aws_level: AccessLevel::Read,
                    resources: vec![(0, true)],
                    condition_keys: vec![0],
                    deps: vec![1],
                },
                ActionModel {
                    service: 1,
                    name: "PutThing".into(),
                    level: AccessLevel::PermissionsManagement,
                    aws_level: AccessLevel::Write,
                    resources: vec![],
                    condition_keys: vec![],
                    deps: vec![],
                },
            ],
        }
    }

    #[test]
    fn varints_round_trip() {
        for v in [0, 1, 127, 128, 300, 16_383, 16_384, u32::MAX] {
            let mut buf = Vec::new();
            put_varint(&mut buf, v);
            let mut r = Reader { buf: &buf, pos: 0 };
            assert_eq!(r.num(), Ok(v));
            assert_eq!(r.pos, buf.len());
        }
        // Six continuation bytes, and a fifth byte with bits beyond 32.
        let mut r = Reader { buf: &[0xff, 0xff, 0xff, 0xff, 0xff, 0x01], pos: 0 };
        assert_eq!(r.num(), Err(DecodeError::BadVarint(0)));
        let mut r = Reader { buf: &[0x80], pos: 0 };
        assert_eq!(r.num(), Err(DecodeError::Truncated(1)));
    }

    #[test]
    fn round_trip() {
        let bytes = encode(&tiny());
        let c = decode(&bytes).unwrap();
        assert_eq!(c.sources(), ["test"]);
        assert_eq!(c.action_count(), 2);
        let a = c.info(ActionId(0)).unwrap();
        assert_eq!(a.full_name, "a:GetThing");
        assert_eq!((a.prefix, a.name), ("a", "GetThing"));
        assert_eq!(a.resource_types, [ActionResource { resource_type: ResourceTypeId(0), required: true }]);
        assert_eq!(a.condition_keys, [ConditionKeyId(0)]);
        assert_eq!(a.dependent_actions, [ActionId(1)]);
        let b = c.info(ActionId(1)).unwrap();
        assert_eq!(b.access_level, AccessLevel::PermissionsManagement);
        assert!(b.is_overridden());
        assert_eq!(c.service_info(crate::ServiceId(1)).unwrap().actions, 1..2);
        let rt = c.resource_type_info(ResourceTypeId(0)).unwrap();
        assert_eq!(rt.condition_keys, [ConditionKeyId(1)]);
        assert_eq!(c.condition_key_info(ConditionKeyId(1)).unwrap().name, "aws:ResourceTag/${TagKey}");
        // Strings are stored once.
        let twice = encode(&tiny());
        assert_eq!(bytes, twice);
    }

    #[test]
    fn rejects_corruption_without_panicking() {
        let bytes = encode(&tiny());
        assert_eq!(decode(b"nope").unwrap_err(), DecodeError::BadMagic);
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_err(), "prefix of {cut} bytes decoded");
        }
        let mut extra = bytes.clone();
        extra.push(0);
        assert_eq!(decode(&extra).unwrap_err(), DecodeError::Trailing(1));
        // Flipping any single byte either fails or decodes to something consistent.
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0x5a;
            if let Ok(c) = decode(&b) {
                for a in c.actions() {
                    let _ = c.expand(a.full_name);
                }
            }
        }
    }

    #[test]
    fn rejects_unsorted_actions() {
        let mut m = tiny();
        m.actions.swap(0, 1);
        m.actions[0].deps.clear();
        m.actions[1].deps.clear();
        let err = decode(&encode(&m)).unwrap_err();
        assert!(matches!(err, DecodeError::Invalid(ref s) if s.contains("out of order")), "{err}");
    }
}
