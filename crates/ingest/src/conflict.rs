//! Records that appear twice with different content: a role, user, group or customer-managed
//! policy found in two files (or twice in one), whose policies differ. Keeping either copy
//! would lose the other silently (an `Action: *` copy behind a read-only one), so both are
//! kept as one record whose permissions are the union of theirs, and a `conflicting_record`
//! gap names both places.
//!
//! The union never grants less than either copy: every `Allow` statement of either copy is
//! kept; a `Deny` statement is kept only when both copies have it (a `Deny` of one copy alone
//! would take away what the other allows); managed policies attached to either are attached;
//! two different permissions boundaries leave none (a copy without one is not a conflict:
//! exports omit it from some copies, and the one given is kept). The union may grant
//! more than either copy (an allow of one with a condition of the other): the analysis errs on
//! the side of more access, and the gap says so. A `Deny` inside a managed policy attached to
//! one copy only still applies: the managed policy is shared, and is not rewritten.
//!
//! Only what decides access is compared (trust, inline, attached and boundary policies, group
//! memberships, a managed policy's versions): two copies whose tags or last use differ, as two
//! exports of different days do, are merged as before without a gap.

use std::collections::BTreeSet;

use model::{Group, InlinePolicy, ManagedPolicy, PolicyDoc, Role, User};
use serde_json::Value;

/// Where a copy of a record was read: the file (relative to the loaded folder) and the JSON path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub at: String,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}` at {}", self.file, self.at)
    }
}

/// The statements of a document, if it is an object with `Statement` (an array or one object).
fn statements(doc: &PolicyDoc) -> Option<(Value, Vec<Value>)> {
    let Value::Object(mut map) = doc.to_value() else { return None };
    let version = map.remove("Version").unwrap_or(Value::Null);
    let list = match map.remove("Statement")? {
        Value::Array(a) => a,
        one @ Value::Object(_) => vec![one],
        _ => return None,
    };
    Some((version, list))
}

fn is_deny(s: &Value) -> bool {
    s.get("Effect").and_then(Value::as_str) == Some("Deny")
}

/// The `Deny` statements of some documents, as compact JSON.
fn denies<'a>(docs: impl IntoIterator<Item = &'a PolicyDoc>) -> BTreeSet<String> {
    docs.into_iter().filter_map(statements).flat_map(|(_, list)| list).filter(is_deny).map(|s| s.to_string()).collect()
}

/// One document with the statements of `docs` (in order, without repeats), keeping a `Deny`
/// only when `keep_deny` has it. `None` when no document has statements to read (invalid
/// documents: the caller keeps one as it is).
fn union_of(docs: &[&PolicyDoc], keep_deny: &BTreeSet<String>) -> Option<PolicyDoc> {
    let parsed: Vec<Option<(Value, Vec<Value>)>> = docs.iter().map(|d| statements(d)).collect();
    if parsed.iter().all(Option::is_none) {
        return None;
    }
    let mut version = Value::Null;
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let mut changed = parsed.len() != 1 || parsed.iter().any(Option::is_none);
    for (v, list) in parsed.into_iter().flatten() {
        if version.is_null() {
            version = v;
        }
        for s in list {
            let text = s.to_string();
            if is_deny(&s) && !keep_deny.contains(&text) {
                changed = true;
            } else if seen.insert(text) {
                out.push(s);
            }
        }
    }
    if let [one] = docs
        && !changed
    {
        return Some((*one).clone());
    }
    let mut map = serde_json::Map::new();
    if !version.is_null() {
        map.insert("Version".into(), version);
    }
    map.insert("Statement".into(), Value::Array(out));
    Some(PolicyDoc::from_value(&Value::Object(map)))
}

/// The union of two versions of one document (a trust policy, a policy version).
fn union_doc(a: &PolicyDoc, b: &PolicyDoc) -> PolicyDoc {
    if a == b {
        return a.clone();
    }
    let common: BTreeSet<String> = denies([a]).intersection(&denies([b])).cloned().collect();
    union_of(&[a, b], &common).unwrap_or_else(|| if a.policy().is_some() || b.policy().is_none() { a.clone() } else { b.clone() })
}

/// The union of two sets of inline policies, by name; a `Deny` is kept when both sets have it.
fn union_inline(a: &[InlinePolicy], b: &[InlinePolicy]) -> Vec<InlinePolicy> {
    let common: BTreeSet<String> =
        denies(a.iter().map(|p| &p.document)).intersection(&denies(b.iter().map(|p| &p.document))).cloned().collect();
    let names: BTreeSet<&str> = a.iter().chain(b).map(|p| p.name.as_str()).collect();
    names
        .into_iter()
        .filter_map(|name| {
            let docs: Vec<&PolicyDoc> = a.iter().chain(b).filter(|p| p.name == name).map(|p| &p.document).collect();
            let mut unique: Vec<&PolicyDoc> = Vec::new();
            for d in docs {
                if !unique.contains(&d) {
                    unique.push(d);
                }
            }
            let first = unique.first()?;
            let document = union_of(&unique, &common).unwrap_or_else(|| (*first).clone());
            Some(InlinePolicy { name: name.to_owned(), document })
        })
        .collect()
}

fn union_sorted(a: &mut Vec<String>, b: &[String]) {
    a.extend(b.iter().cloned());
    a.sort();
    a.dedup();
}

fn same_inline(a: &[InlinePolicy], b: &[InlinePolicy]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.name == y.name && x.document == y.document)
}

/// What differs between two copies of a role, in words; empty when nothing that decides access
/// does. Policies are compared when both copies list them (`policies_known`); the trust policy
/// and the boundary whenever both copies have one.
pub fn role_differences(a: &Role, b: &Role) -> Vec<&'static str> {
    let mut out = Vec::new();
    if let (Some(x), Some(y)) = (&a.trust_policy, &b.trust_policy)
        && x != y
    {
        out.push("trust policy");
    }
    let both = a.policies_known && b.policies_known;
    if both && !same_inline(&a.inline_policies, &b.inline_policies) {
        out.push("inline policies");
    }
    if both && a.attached_managed_policies != b.attached_managed_policies {
        out.push("attached policies");
    }
    if boundaries_differ(a.permissions_boundary.as_deref(), b.permissions_boundary.as_deref()) {
        out.push("permissions boundary");
    }
    out
}

/// Two boundaries that are both known and differ. A copy without one is not a conflict:
/// exports leave it out of some copies (moto's authorization details give it only in the
/// copies of the role inside instance profiles), and the copies are merged as before.
fn boundaries_differ(a: Option<&str>, b: Option<&str>) -> bool {
    matches!((a, b), (Some(x), Some(y)) if x != y)
}

/// Makes `into` the union of itself and `other` (see the module documentation), for the parts
/// [`role_differences`] found different.
pub fn union_role(into: &mut Role, other: &Role) {
    if let (Some(x), Some(y)) = (&into.trust_policy, &other.trust_policy) {
        into.trust_policy = Some(union_doc(x, y));
    }
    if into.policies_known && other.policies_known {
        into.inline_policies = union_inline(&into.inline_policies, &other.inline_policies);
        union_sorted(&mut into.attached_managed_policies, &other.attached_managed_policies);
    }
    if boundaries_differ(into.permissions_boundary.as_deref(), other.permissions_boundary.as_deref()) {
        into.permissions_boundary = None;
    }
}

/// What differs between two copies of a user.
pub fn user_differences(a: &User, b: &User) -> Vec<&'static str> {
    let mut out = Vec::new();
    if !same_inline(&a.inline_policies, &b.inline_policies) {
        out.push("inline policies");
    }
    if a.attached_managed_policies != b.attached_managed_policies {
        out.push("attached policies");
    }
    if a.groups != b.groups {
        out.push("groups");
    }
    if boundaries_differ(a.permissions_boundary.as_deref(), b.permissions_boundary.as_deref()) {
        out.push("permissions boundary");
    }
    out
}

pub fn union_user(into: &mut User, other: &User) {
    into.inline_policies = union_inline(&into.inline_policies, &other.inline_policies);
    union_sorted(&mut into.attached_managed_policies, &other.attached_managed_policies);
    union_sorted(&mut into.groups, &other.groups);
    if boundaries_differ(into.permissions_boundary.as_deref(), other.permissions_boundary.as_deref()) {
        into.permissions_boundary = None;
    }
}

/// What differs between two copies of a group.
pub fn group_differences(a: &Group, b: &Group) -> Vec<&'static str> {
    let mut out = Vec::new();
    if !same_inline(&a.inline_policies, &b.inline_policies) {
        out.push("inline policies");
    }
    if a.attached_managed_policies != b.attached_managed_policies {
        out.push("attached policies");
    }
    out
}

pub fn union_group(into: &mut Group, other: &Group) {
    into.inline_policies = union_inline(&into.inline_policies, &other.inline_policies);
    union_sorted(&mut into.attached_managed_policies, &other.attached_managed_policies);
}

fn default_doc(p: &ManagedPolicy) -> Option<&PolicyDoc> {
    p.versions.iter().find(|v| v.is_default).or_else(|| p.versions.last()).map(|v| &v.document)
}

/// What differs between two copies of a customer-managed policy: the document of its default
/// version, or a version of the same id.
pub fn policy_differences(a: &ManagedPolicy, b: &ManagedPolicy) -> Vec<&'static str> {
    let mut out = Vec::new();
    if let (Some(x), Some(y)) = (default_doc(a), default_doc(b))
        && x != y
    {
        out.push("default version");
    }
    let same_id_differs =
        a.versions.iter().any(|v| b.versions.iter().any(|w| w.version_id == v.version_id && w.document != v.document));
    if same_id_differs {
        out.push("a version's document");
    }
    out
}

/// Makes `into` the union of both copies: versions of either, a version of both ids the union
/// of its documents, and the default version's document the union of both defaults.
pub fn union_policy(into: &mut ManagedPolicy, other: &ManagedPolicy) {
    let other_default = default_doc(other).cloned();
    for w in &other.versions {
        match into.versions.iter_mut().find(|v| v.version_id == w.version_id) {
            Some(v) if v.document != w.document => v.document = union_doc(&v.document, &w.document),
            Some(_) => {}
            None => {
                let mut w = w.clone();
                w.is_default = false;
                into.versions.push(w);
            }
        }
    }
    into.versions.sort_by(|a, b| model::version_order(&a.version_id, &b.version_id));
    if let Some(theirs) = other_default
        && let Some(v) = into.versions.iter_mut().find(|v| v.is_default)
        && v.document != theirs
    {
        v.document = union_doc(&v.document, &theirs);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> PolicyDoc {
        PolicyDoc::from_json_text(text)
    }

    #[test]
    fn the_union_keeps_every_allow_and_only_the_denies_of_both() {
        let read = doc(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"},{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"},{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}"#,
        );
        let all = doc(r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"iam:*","Resource":"*"}}"#);
        let all = union_doc(
            &all,
            &doc(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}"#,
            ),
        );
        let u = union_doc(&read, &all);
        let p = u.policy().unwrap();
        assert_eq!(p.statements.len(), 3, "{}", u.json());
        assert!(u.json().contains(r#""Action":"*""#) && u.json().contains("s3:Get*") && u.json().contains("iam:*"));
        assert!(!u.json().contains("s3:DeleteBucket"), "a Deny of one copy only would take away what the other allows");
        assert_eq!(union_doc(&read, &read), read);
    }
}
