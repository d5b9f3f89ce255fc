//! Conditions of edges: the engine's residual `allowed_if`, turned into a structure that can be
//! serialised (atoms with their key, operator, values and source statement) and read, and a
//! simple, sound test of whether a conjunction of conditions can hold at all.
//!
//! ## Contradictions
//!
//! A conjunction is *contradictory* when the literals it requires (its top-level conjuncts,
//! atoms under `not` counted negatively; nothing is required from inside an `or`) cannot all
//! hold for one request. Only these cases are recognised, key by key (keys compared
//! case-insensitively, operators without `ForAnyValue:`/`ForAllValues:`, values without policy
//! variables, keys that are single-valued):
//!
//! - the same condition required both to hold and not to hold;
//! - the key required absent (`Null: true`, or `Null: false` negated) and present (any other
//!   operator that is not negated and not `...IfExists`, or `Null: false`);
//! - `StringEquals`/`Bool` (not `...IfExists`): the intersection of the allowed value sets
//!   (`Bool` values lower-cased) is empty once the values excluded by `StringNotEquals`, by a
//!   negated `StringEquals`, or by a `Bool` of the other value are removed.
//!
//! Anything else is assumed satisfiable, so a path is never dropped for a contradiction that is
//! not certain.
//!
//! Along a path, each edge is its own request: `sts:ExternalId` `a` on one hop and `b` on the
//! next is not a contradiction. Only keys whose value persists along a role chain are compared
//! across hops: the source identity (`sts:SourceIdentity`, `aws:SourceIdentity`), which once
//! set "persists across chained role sessions" and cannot be changed.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use eval::{Atom, Expr, PolicySet, StatementRef};
use policy::{BaseOperator, Condition as PolicyCondition};
use serde::Serialize;

use crate::types::Evidence;

/// Keys that say *where* a request is made: the regions, source IPs and VPCs. A condition
/// on them alone is the principal's scope, not a mitigation: whoever acts as a principal acts
/// from where it runs (its regions, its network), so such a condition does not make an edge
/// conditional; it is shown as a scope (`Condition::is_scope`).
pub const SCOPE_KEYS: &[&str] = &["aws:RequestedRegion", "aws:SourceIp", "aws:SourceVpc", "aws:SourceVpce", "aws:VpcSourceIp"];

/// A residual condition, serialisable (with its text: `{text, expr, atoms}`).
#[derive(Clone, Debug)]
pub struct Condition {
    pub expr: CondExpr,
    /// The atoms `expr` refers to by index.
    pub atoms: Vec<CondAtom>,
}

impl Serialize for Condition {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let scope = self.is_scope();
        let mut st = s.serialize_struct("Condition", if scope { 4 } else { 3 })?;
        st.serialize_field("text", &self.text())?;
        if scope {
            st.serialize_field("scope", &true)?;
        }
        st.serialize_field("expr", &self.expr)?;
        st.serialize_field("atoms", &self.atoms)?;
        st.end()
    }
}

impl Condition {
    /// Whether every atom is a condition on a key of [`SCOPE_KEYS`]: where the request is
    /// made, not who may make it.
    pub fn is_scope(&self) -> bool {
        !self.atoms.is_empty()
            && self.atoms.iter().all(|a| a.key().is_some_and(|k| SCOPE_KEYS.iter().any(|s| s.eq_ignore_ascii_case(k))))
    }
}

impl std::fmt::Display for CondAtom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.condition.as_deref(), &self.could_not_evaluate) {
            (Some(c), _) => {
                let values = self.values();
                if values.len() == 1 {
                    write!(f, "{} {} `{}`", c.key, c.operator.raw, values.join(""))
                } else {
                    let v: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
                    write!(f, "{} {} [{}]", c.key, c.operator.raw, v.join(", "))
                }
            }
            (None, Some(w)) => write!(f, "could not evaluate: {w}"),
            (None, None) => f.write_str("a condition"),
        }
    }
}

impl CondExpr {
    fn write(&self, atoms: &[CondAtom], out: &mut String) {
        match self {
            CondExpr::True => out.push_str("true"),
            CondExpr::False => out.push_str("false"),
            CondExpr::Atom { atom } => out.push_str(&atoms.get(*atom).map(ToString::to_string).unwrap_or_default()),
            CondExpr::Not { expr } => {
                out.push_str("not (");
                expr.write(atoms, out);
                out.push(')');
            }
            CondExpr::And { all: xs } | CondExpr::Or { any: xs } => {
                let sep = if matches!(self, CondExpr::And { .. }) { " and " } else { " or " };
                for (i, x) in xs.iter().enumerate() {
                    if i > 0 {
                        out.push_str(sep);
                    }
                    if matches!(x, CondExpr::And { .. } | CondExpr::Or { .. }) {
                        out.push('(');
                        x.write(atoms, out);
                        out.push(')');
                    } else {
                        x.write(atoms, out);
                    }
                }
            }
        }
    }
}

/// A boolean expression over [`CondAtom`]s.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum CondExpr {
    True,
    False,
    Atom { atom: usize },
    Not { expr: Box<CondExpr> },
    And { all: Vec<CondExpr> },
    Or { any: Vec<CondExpr> },
}

/// One condition of one statement whose key is unknown, or something the engine could not
/// evaluate. Serialised with its key, operator, values and the JSON pointer of the key.
#[derive(Clone, Debug)]
pub struct CondAtom {
    pub(crate) condition: Option<Arc<PolicyCondition>>,
    /// Set for what the engine could not evaluate.
    pub could_not_evaluate: Option<String>,
    /// The statement it comes from.
    pub source: Option<Evidence>,
}

impl CondAtom {
    pub fn key(&self) -> Option<&str> {
        self.condition.as_deref().map(|c| c.key.as_str())
    }

    pub fn operator(&self) -> Option<&str> {
        self.condition.as_deref().map(|c| c.operator.raw.as_str())
    }

    pub fn values(&self) -> Vec<&str> {
        self.condition.as_deref().map_or(Vec::new(), |c| c.values.iter().map(|v| v.text.as_str()).collect())
    }

    /// JSON pointer of the condition key in its document.
    pub fn pointer(&self) -> Option<&str> {
        self.condition.as_deref().map(|c| c.pointer.as_str())
    }
}

impl Serialize for CondAtom {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        if let Some(c) = self.condition.as_deref() {
            m.serialize_entry("key", &c.key)?;
            m.serialize_entry("operator", &c.operator.raw)?;
            m.serialize_entry("values", &self.values())?;
            m.serialize_entry("pointer", &c.pointer)?;
        }
        if let Some(w) = &self.could_not_evaluate {
            m.serialize_entry("could_not_evaluate", w)?;
        }
        if let Some(src) = &self.source {
            m.serialize_entry("source", src)?;
        }
        m.end()
    }
}

/// A policy set with the evidence name of each of its entries, shared.
#[derive(Clone, Debug, Default)]
pub(crate) struct NamedSet {
    pub set: PolicySet,
    pub names: Vec<Arc<str>>,
}

impl NamedSet {
    pub fn of(set: PolicySet) -> NamedSet {
        let names = set.entries().iter().map(|e| e.name.clone()).collect();
        NamedSet { set, names }
    }
}

/// The evidence for a statement reference of a set.
pub(crate) fn evidence(set: &NamedSet, r: &StatementRef) -> Option<Evidence> {
    let entry = set.set.entries().get(r.policy)?;
    entry.policy.statements.get(r.statement)?;
    Some(Evidence {
        policy: set.names.get(r.policy).cloned().unwrap_or_else(|| entry.name.clone()),
        policy_kind: entry.kind.as_str(),
        doc: entry.policy.clone(),
        index: r.statement,
    })
}

impl Condition {
    /// Converts a residual of the engine; `set` names the statements its atoms come from.
    pub(crate) fn from_expr(expr: &Expr, set: &NamedSet) -> Condition {
        let mut atoms: Vec<CondAtom> = Vec::new();
        let mut seen: Vec<*const Atom> = Vec::new();
        let e = convert(expr, set, &mut atoms, &mut seen);
        Condition { expr: e, atoms }
    }

    /// The condition in words, as the engine writes residuals
    /// (`sts:ExternalId StringEquals `x-123``).
    pub fn text(&self) -> String {
        let mut s = String::new();
        self.expr.write(&self.atoms, &mut s);
        s
    }

    /// The literals the condition requires: `(atom index, must hold)`.
    pub fn required(&self) -> Vec<(usize, bool)> {
        let mut out = Vec::new();
        required(&self.expr, true, &mut out);
        out
    }

    /// Why the condition cannot hold, if it certainly cannot (see the module docs).
    pub fn contradiction(&self) -> Option<String> {
        let lits: Vec<(&CondAtom, usize, bool)> =
            self.required().into_iter().filter_map(|(i, p)| self.atoms.get(i).map(|a| (a, i, p))).collect();
        contradiction(&lits)
    }

    /// The statements that the atoms come from.
    pub fn sources(&self) -> Vec<Evidence> {
        let mut v: Vec<Evidence> = self.atoms.iter().filter_map(|a| a.source.clone()).collect();
        v.sort();
        v.dedup();
        v
    }
}

fn convert(expr: &Expr, set: &NamedSet, atoms: &mut Vec<CondAtom>, seen: &mut Vec<*const Atom>) -> CondExpr {
    match expr {
        Expr::True => CondExpr::True,
        Expr::False => CondExpr::False,
        Expr::Atom(a) => {
            let ptr = Arc::as_ptr(a);
            if let Some(i) = seen.iter().position(|p| *p == ptr) {
                return CondExpr::Atom { atom: i };
            }
            seen.push(ptr);
            atoms.push(atom(a, set));
            CondExpr::Atom { atom: atoms.len() - 1 }
        }
        Expr::Not(x) => CondExpr::Not { expr: Box::new(convert(x, set, atoms, seen)) },
        Expr::And(xs) => CondExpr::And { all: xs.iter().map(|x| convert(x, set, atoms, seen)).collect() },
        Expr::Or(xs) => CondExpr::Or { any: xs.iter().map(|x| convert(x, set, atoms, seen)).collect() },
    }
}

fn atom(a: &Atom, set: &NamedSet) -> CondAtom {
    match a {
        Atom::Condition { source, condition } => {
            CondAtom { condition: Some(condition.clone()), could_not_evaluate: None, source: evidence(set, source) }
        }
        Atom::CouldNotEvaluate { source, what } => {
            CondAtom { condition: None, could_not_evaluate: Some(what.clone()), source: evidence(set, source) }
        }
    }
}

fn required(e: &CondExpr, positive: bool, out: &mut Vec<(usize, bool)>) {
    match (e, positive) {
        (CondExpr::Atom { atom }, p) => out.push((*atom, p)),
        (CondExpr::Not { expr }, p) => required(expr, !p, out),
        (CondExpr::And { all }, true) => all.iter().for_each(|x| required(x, true, out)),
        (CondExpr::Or { any }, false) => any.iter().for_each(|x| required(x, false, out)),
        _ => {}
    }
}

/// Keys that hold several values in a request: `StringEquals` without a set qualifier has no
/// single-value meaning on them, so they are left out of the test.
fn is_multivalued(key_lower: &str) -> bool {
    const GLOBAL: [&str; 6] = [
        "aws:tagkeys",
        "aws:principalorgpaths",
        "aws:resourceorgpaths",
        "aws:calledvia",
        "aws:principalservicenameslist",
        "sts:transitivetagkeys",
    ];
    if GLOBAL.contains(&key_lower) {
        return true;
    }
    let Some((service, _)) = key_lower.split_once(':') else { return false };
    let cat = catalog::Catalog::get();
    cat.condition_key(service, key_lower).and_then(|id| cat.condition_key_info(id)).is_some_and(|info| info.ty.is_array())
}

/// The key a literal is about, when it takes part in the test.
fn usable(c: &PolicyCondition) -> bool {
    c.operator.qualifier.is_none()
        && c.operator.base.is_some()
        && c.values.iter().all(|v| !v.template.has_variables())
        && !is_multivalued(&c.key_lower)
}

#[derive(Default)]
struct KeyFacts {
    present: bool,
    absent: bool,
    /// Each positive `StringEquals`/`Bool` set: the value must be in all of them.
    allowed: Vec<BTreeSet<String>>,
    excluded: BTreeSet<String>,
}

/// Why the literals cannot all hold, if they certainly cannot. Each literal is
/// `(atom, atom index, must hold)`.
pub(crate) fn contradiction(lits: &[(&CondAtom, usize, bool)]) -> Option<String> {
    let mut polarity: BTreeMap<usize, bool> = BTreeMap::new();
    for (a, i, p) in lits {
        if let Some(prev) = polarity.insert(*i, *p)
            && prev != *p
        {
            return Some(format!("`{}` is required both to hold and not to hold", describe(a)));
        }
    }
    let mut facts: BTreeMap<String, KeyFacts> = BTreeMap::new();
    for (a, _, positive) in lits {
        let Some(c) = a.condition.as_deref() else { continue };
        if !usable(c) {
            continue;
        }
        let Some(base) = c.operator.base else { continue };
        let f = facts.entry(c.key_lower.clone()).or_default();
        let single = match c.values.as_slice() {
            [one] => Some(one.text.to_ascii_lowercase()),
            _ => None,
        };
        match (base, *positive) {
            (BaseOperator::Null, p) => match single.as_deref() {
                Some("true") => {
                    if p {
                        f.absent = true
                    } else {
                        f.present = true
                    }
                }
                Some("false") => {
                    if p {
                        f.present = true
                    } else {
                        f.absent = true
                    }
                }
                _ => {}
            },
            (BaseOperator::StringEquals, true) if !c.operator.if_exists => {
                f.present = true;
                f.allowed.push(c.values.iter().map(|v| v.text.clone()).collect());
            }
            (BaseOperator::Bool, true) if !c.operator.if_exists => {
                f.present = true;
                f.allowed.push(c.values.iter().map(|v| v.text.to_ascii_lowercase()).collect());
            }
            (BaseOperator::StringEquals, false) | (BaseOperator::StringNotEquals, true) => {
                f.excluded.extend(c.values.iter().map(|v| v.text.clone()));
            }
            (BaseOperator::Bool, false) => {
                f.excluded.extend(c.values.iter().map(|v| v.text.to_ascii_lowercase()));
            }
            (b, true) if !b.is_negated() && !c.operator.if_exists => f.present = true,
            _ => {}
        }
    }
    for (key, f) in &facts {
        if f.present && f.absent {
            return Some(format!("`{key}` is required both present and absent"));
        }
        let mut sets = f.allowed.iter();
        if let Some(first) = sets.next() {
            let mut left: BTreeSet<String> = first.clone();
            for s in sets {
                left = left.intersection(s).cloned().collect();
            }
            left.retain(|v| !f.excluded.contains(v));
            if left.is_empty() {
                return Some(format!("no value of `{key}` meets every condition on it"));
            }
        }
    }
    None
}

fn describe(a: &CondAtom) -> String {
    match (a.key(), a.operator(), &a.could_not_evaluate) {
        (Some(k), Some(o), _) => format!("{k} {o} [{}]", a.values().join(", ")),
        (_, _, Some(w)) => w.clone(),
        _ => "a condition".to_owned(),
    }
}

/// Keys whose value persists along a role chain (compared across hops of a path).
pub(crate) fn chain_key(key_lower: &str) -> Option<&'static str> {
    match key_lower {
        "sts:sourceidentity" | "aws:sourceidentity" => Some("source identity"),
        _ => None,
    }
}

/// Why the conditions of several hops cannot all hold along one chain, if they certainly
/// cannot: only chain-persistent keys are compared across hops (see the module docs).
pub fn path_contradiction(conditions: &[&Condition]) -> Option<String> {
    // Per chain key, the allowed value sets required on each hop.
    let mut sets: BTreeMap<&'static str, Vec<BTreeSet<String>>> = BTreeMap::new();
    for c in conditions {
        for (i, positive) in c.required() {
            let Some(a) = c.atoms.get(i) else { continue };
            let Some(pc) = a.condition.as_deref() else { continue };
            let Some(name) = chain_key(&pc.key_lower) else { continue };
            if positive && usable(pc) && pc.operator.base == Some(BaseOperator::StringEquals) && !pc.operator.if_exists {
                sets.entry(name).or_default().push(pc.values.iter().map(|v| v.text.clone()).collect());
            }
        }
    }
    for (name, s) in sets {
        let mut it = s.into_iter();
        if let Some(first) = it.next() {
            let left = it.fold(first, |acc, x| acc.intersection(&x).cloned().collect());
            if left.is_empty() {
                return Some(format!("the {name} would have to take different values along the chain"));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use eval::{Context, Outcome, Request, Unknowns, evaluate};

    fn policy(json: &str) -> Arc<policy::Policy> {
        Arc::new(policy::Policy::parse_str(json).unwrap())
    }

    /// The residual of assuming `role` with a trust policy and an identity policy, every key
    /// unknown.
    fn residual(trust: &str, identity: &str) -> Condition {
        let (d, c) = decide_unknown(trust, identity);
        assert_eq!(d.outcome, Outcome::Conditional, "{d:?}");
        c
    }

    /// The decision on assuming `role` with every key unknown, and its residual as a condition.
    fn decide_unknown(trust: &str, identity: &str) -> (eval::Decision, Condition) {
        let mut set = PolicySet::new();
        set.identity("id", policy(identity));
        set.resource("trust", policy(trust));
        let ctx = Context::new().with_unknowns(Unknowns::All);
        let req = Request {
            principal: "arn:aws:iam::111111111111:user/u",
            action: "sts:AssumeRole",
            resource: "arn:aws:iam::222222222222:role/r",
            resource_account: None,
            context: &ctx,
        };
        let d = evaluate(&req, &set);
        let c = Condition::from_expr(&d.allowed_if, &NamedSet::of(set));
        (d, c)
    }

    const ALLOW_ASSUME: &str =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}"#;

    fn trust_with(cond: &str) -> String {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::111111111111:root"}},"Action":"sts:AssumeRole","Condition":{cond}}}]}}"#
        )
    }

    fn identity_with(cond: &str) -> String {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*","Condition":{cond}}}]}}"#
        )
    }

    #[test]
    fn keeps_atoms_with_their_source_and_text() {
        let c = residual(&trust_with(r#"{"StringEquals":{"sts:ExternalId":"x-123"}}"#), ALLOW_ASSUME);
        assert_eq!(c.text(), "sts:ExternalId StringEquals `x-123`");
        assert_eq!(c.atoms.len(), 1);
        let a = &c.atoms[0];
        assert_eq!(a.key(), Some("sts:ExternalId"));
        assert_eq!(a.values(), ["x-123"]);
        assert_eq!(a.pointer(), Some("/Statement/0/Condition/StringEquals/sts:ExternalId"));
        let src = a.source.as_ref().unwrap();
        assert_eq!((&*src.policy, src.policy_kind, src.statement()), ("trust", "resource", 0));
        assert!(c.contradiction().is_none());
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["expr"]["op"], "atom");
        assert_eq!(json["text"], "sts:ExternalId StringEquals `x-123`");
        assert_eq!(json["atoms"][0]["key"], "sts:ExternalId");
        assert_eq!(json["atoms"][0]["source"]["pointer"], "/Statement/0");
    }

    #[test]
    fn disjoint_string_equals_on_one_request_contradict() {
        let c = residual(
            &trust_with(r#"{"StringEquals":{"sts:ExternalId":"a"}}"#),
            &identity_with(r#"{"StringEquals":{"sts:ExternalId":["b","c"]}}"#),
        );
        assert!(c.contradiction().unwrap().contains("sts:externalid"), "{:?}", c.contradiction());
        let ok = residual(
            &trust_with(r#"{"StringEquals":{"sts:ExternalId":"a"}}"#),
            &identity_with(r#"{"StringEquals":{"sts:ExternalId":["a","c"]}}"#),
        );
        assert!(ok.contradiction().is_none());
    }

    #[test]
    fn null_against_a_positive_operator_contradicts() {
        let c = residual(
            &trust_with(r#"{"StringLike":{"aws:SourceIdentity":"ci-*"}}"#),
            &identity_with(r#"{"Null":{"aws:SourceIdentity":"true"}}"#),
        );
        assert!(c.contradiction().unwrap().contains("present and absent"));
        // IfExists does not require presence.
        let ok = residual(
            &trust_with(r#"{"StringLikeIfExists":{"aws:SourceIdentity":"ci-*"}}"#),
            &identity_with(r#"{"Null":{"aws:SourceIdentity":"true"}}"#),
        );
        assert!(ok.contradiction().is_none());
    }

    #[test]
    fn bool_true_against_false_contradicts() {
        let c = residual(
            &trust_with(r#"{"Bool":{"aws:MultiFactorAuthPresent":"true"}}"#),
            &identity_with(r#"{"Bool":{"aws:MultiFactorAuthPresent":false}}"#),
        );
        assert!(c.contradiction().is_some());
    }

    #[test]
    fn a_deny_excluding_the_only_allowed_value_contradicts() {
        let identity = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"},
            {"Effect":"Deny","Action":"sts:AssumeRole","Resource":"*","Condition":{"StringEquals":{"sts:ExternalId":"a"}}}]}"#;
        let c = residual(&trust_with(r#"{"StringEquals":{"sts:ExternalId":"a"}}"#), identity);
        assert!(c.contradiction().is_some(), "{}", c.text());
        let c = residual(&trust_with(r#"{"StringEquals":{"sts:ExternalId":["a","b"]}}"#), identity);
        assert!(c.contradiction().is_none(), "{}", c.text());
    }

    #[test]
    fn text_is_the_engines_text() {
        let trust = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":["a","b"]}}},
            {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}},
            {"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringLike":{"aws:UserAgent":"*bad*"}}}]}"#;
        let (d, c) = decide_unknown(trust, ALLOW_ASSUME);
        assert_eq!(c.text(), d.allowed_if.to_string());
        assert!(c.text().contains(" or ") && c.text().contains("not ("), "{}", c.text());
    }

    #[test]
    fn alternatives_are_not_required() {
        let trust = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"a"}}},
            {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"b"}}}]}"#;
        let c = residual(trust, ALLOW_ASSUME);
        assert!(c.required().is_empty());
        assert!(c.contradiction().is_none());
    }

    #[test]
    fn across_hops_only_the_source_identity_is_compared() {
        let a = residual(&trust_with(r#"{"StringEquals":{"sts:ExternalId":"a","sts:SourceIdentity":"alice"}}"#), ALLOW_ASSUME);
        let b = residual(&trust_with(r#"{"StringEquals":{"sts:ExternalId":"b"}}"#), ALLOW_ASSUME);
        assert!(path_contradiction(&[&a, &b]).is_none());
        let c = residual(&trust_with(r#"{"StringEquals":{"aws:SourceIdentity":"bob"}}"#), ALLOW_ASSUME);
        assert!(path_contradiction(&[&a, &c]).unwrap().contains("source identity"));
        assert!(path_contradiction(&[&a, &a]).is_none());
    }
}
