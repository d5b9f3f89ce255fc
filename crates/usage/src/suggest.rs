//! A least-privilege policy from observed activity, proved by the engine.
//!
//! Each action the role used gets the resources its events named, when they fit one of the
//! action's resource types in the catalog; more than [`GROUP_LIMIT`] ARNs under one parent
//! (`arn:aws:s3:::bucket/a`, `/b`, ... ) become one wildcard (`arn:aws:s3:::bucket/*`). Calls
//! whose resource the event does not say get the ARN format of the action's resource types with
//! the region and account of the calls filled in and every other variable as `*`; actions
//! without resource types get `*`.
//!
//! Then the proof, with the engine:
//! 1. every observed call (action and resource) is allowed by the current identity policies;
//!    one that is not (granted through a resource policy, or policies changed since) is
//!    reported and not suggested;
//! 2. every suggested (action, resource) pair is allowed by the current policies, the resource
//!    pattern taken as written (a `*` in it must be covered by a wildcard of the current
//!    policy); a pair that is not, or only under conditions, is dropped and reported;
//! 3. the suggested policy allows every observed call that was kept.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use catalog::{ActionId, Catalog};
use eval::{Context, Outcome, PolicySet, Request, Unknowns, evaluate};
use model::{Role, Snapshot};
use serde::Serialize;

use crate::aggregate::{ActionUsage, SCHEMA_VERSION, Usage};
use crate::role::session_arn;

/// ARNs under one parent kept one by one; more become a wildcard.
pub const GROUP_LIMIT: usize = 5;

/// One request checked by the engine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Check {
    pub action: String,
    pub resource: String,
    pub outcome: &'static str,
}

/// What the engine proved.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Proof {
    /// Observed calls checked against the suggested policy, and how many it allows.
    pub observed_checked: usize,
    pub observed_allowed: usize,
    /// Observed calls the current policies do not allow: reported, not suggested.
    pub observed_not_allowed_now: Vec<Check>,
    /// Suggested (action, resource) pairs checked against the current policies.
    pub suggested_checked: usize,
    pub suggested_within_current: usize,
    /// Pairs beyond what the current policies allow: dropped from the suggestion.
    pub dropped_beyond_current: Vec<Check>,
    /// Whether both directions hold for everything suggested.
    pub holds: bool,
}

/// A suggested policy and its proof.
#[derive(Clone, Debug, Serialize)]
pub struct Suggestion {
    pub schema_version: u32,
    pub role: String,
    pub policy: serde_json::Value,
    pub actions: usize,
    pub proof: Proof,
    /// What the snapshot lacks for the current policies (the proof is against what is known).
    pub gaps: Vec<String>,
}

/// Errors of [`suggest_policy`].
#[derive(Debug, thiserror::Error)]
pub enum SuggestError {
    #[error("no role `{0}` in the exports")]
    UnknownRole(String),
    #[error("the suggested policy does not parse: {0}")]
    Parse(String),
}

/// Fills an ARN format: `${Partition}`, `${Region}`, `${Account}` from the call, any other
/// variable as `*`.
pub fn fill_format(format: &str, partition: &str, region: &str, account: &str) -> String {
    let mut out = String::with_capacity(format.len());
    let mut rest = format;
    while let Some(i) = rest.find("${") {
        out.push_str(rest.get(..i).unwrap_or(""));
        let after = rest.get(i + 2..).unwrap_or("");
        let Some(close) = after.find('}') else {
            out.push_str(rest.get(i..).unwrap_or(""));
            return out;
        };
        let var = after.get(..close).unwrap_or("");
        out.push_str(match var {
            "Partition" => partition,
            "Region" if !region.is_empty() => region,
            "Account" if !account.is_empty() => account,
            _ => "*",
        });
        rest = after.get(close + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// The parent of an ARN for grouping: everything up to its last `/`, when that is inside the
/// resource part.
fn parent(arn: &str) -> Option<&str> {
    let i = arn.rfind('/')?;
    let head = arn.get(..i)?;
    (head.matches(':').count() >= 5 || head.starts_with("arn:aws:s3:::") || head.contains(":s3:::")).then_some(head)
}

/// Groups ARNs: more than [`GROUP_LIMIT`] under one parent become `parent/*`.
fn group(arns: &BTreeSet<String>) -> BTreeSet<String> {
    let mut by_parent: BTreeMap<&str, Vec<&String>> = BTreeMap::new();
    let mut out = BTreeSet::new();
    for a in arns {
        match parent(a) {
            Some(p) => by_parent.entry(p).or_default().push(a),
            None => {
                out.insert(a.clone());
            }
        }
    }
    for (p, items) in by_parent {
        if items.len() > GROUP_LIMIT {
            out.insert(format!("{p}/*"));
        } else {
            out.extend(items.into_iter().cloned());
        }
    }
    out
}

/// The candidate resources of one used action, and the observed requests behind them.
fn resources_for(catalog: &Catalog, id: ActionId, a: &ActionUsage, partition: &str) -> (BTreeSet<String>, Vec<String>) {
    let Some(info) = catalog.info(id) else { return (BTreeSet::new(), Vec::new()) };
    if info.resource_types.is_empty() {
        return (BTreeSet::from(["*".to_owned()]), vec!["*".to_owned()]);
    }
    let types: BTreeSet<u32> = info.resource_types.iter().map(|r| r.resource_type.0).collect();
    let mut seen = BTreeSet::new();
    for r in &a.resources {
        if catalog.resource_types_for_arn(info.prefix, &r.arn).iter().any(|t| types.contains(&t.0)) {
            seen.insert(r.arn.clone());
        }
    }
    let mut observed: Vec<String> = seen.iter().cloned().collect();
    let mut out = group(&seen);
    let unseen = a.calls_without_resource > 0 || a.more_resources > 0 || seen.len() < a.resources.len() || seen.is_empty();
    if unseen {
        let required: Vec<_> = info.resource_types.iter().filter(|r| r.required).collect();
        let pick: Vec<_> = if required.is_empty() { info.resource_types.iter().collect() } else { required };
        let places: Vec<(&str, &str)> = if a.places.is_empty() {
            vec![("", "")]
        } else {
            a.places.iter().map(|p| (p.region.as_str(), p.account.as_str())).collect()
        };
        for rt in pick {
            let Some(rinfo) = catalog.resource_type_info(rt.resource_type) else { continue };
            for (region, account) in &places {
                let pattern = fill_format(rinfo.arn_format, partition, region, account);
                observed.push(pattern.clone());
                out.insert(pattern);
            }
        }
    }
    (out, observed)
}

fn outcome_str(o: Outcome) -> &'static str {
    o.as_str()
}

fn decide(set: &PolicySet, principal: &str, action: &str, resource: &str, context: &Context) -> Outcome {
    let req = Request { principal, action, resource, resource_account: None, context };
    crate::role::identity_outcome(&evaluate(&req, set))
}

/// Suggests a least-privilege identity policy for a role from its observed activity, and proves
/// it with the engine (see the module's documentation).
pub fn suggest_policy(snapshot: &Snapshot, usage: &Usage, role: &Role) -> Result<Suggestion, SuggestError> {
    let catalog = Catalog::get();
    let current = access::role_identity(snapshot, role);
    let principal = session_arn(role);
    let partition = policy::Arn::parse(&role.arn).map_or("aws", |a| a.partition);
    // Conditions of the current policies are unknown: an allow under conditions is not proof.
    let context = Context::new().with_unknowns(Unknowns::All);
    let mut proof = Proof::default();
    // action name → resources kept; observed requests kept
    let mut kept: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut observed_kept: Vec<(String, String)> = Vec::new();
    if let Some(p) = usage.principal(&role.arn) {
        for a in p.actions.iter().filter(|a| a.count > 0) {
            let Some(id) = catalog.action(&a.action) else { continue };
            let (resources, observed) = resources_for(catalog, id, a, partition);
            let mut refused: BTreeSet<String> = BTreeSet::new();
            for r in &observed {
                let o = decide(&current.set, &principal, &a.action, r, &context);
                if o == Outcome::Allowed {
                    observed_kept.push((a.action.clone(), r.clone()));
                } else {
                    refused.insert(r.clone());
                    proof.observed_not_allowed_now.push(Check {
                        action: a.action.clone(),
                        resource: r.clone(),
                        outcome: outcome_str(o),
                    });
                }
            }
            for r in resources {
                if refused.contains(&r) {
                    continue;
                }
                proof.suggested_checked += 1;
                let o = decide(&current.set, &principal, &a.action, &r, &context);
                if o == Outcome::Allowed {
                    proof.suggested_within_current += 1;
                    kept.entry(a.action.clone()).or_default().insert(r);
                } else {
                    proof.dropped_beyond_current.push(Check { action: a.action.clone(), resource: r, outcome: outcome_str(o) });
                }
            }
        }
    }
    // Observed requests whose resource pattern was dropped are no longer covered.
    observed_kept.retain(|(a, r)| kept.get(a).is_some_and(|rs| rs.contains(r) || rs.iter().any(|p| covers(p, r))));
    let policy_json = build_policy(&kept);
    let parsed = policy::Policy::from_json(&policy_json).map_err(|e| SuggestError::Parse(e.to_string()))?;
    let mut suggested = PolicySet::new();
    suggested.identity("suggested", Arc::new(parsed));
    let concrete = Context::new();
    for (a, r) in &observed_kept {
        proof.observed_checked += 1;
        if decide(&suggested, &principal, a, r, &concrete) == Outcome::Allowed {
            proof.observed_allowed += 1;
        }
    }
    proof.holds = proof.observed_allowed == proof.observed_checked && proof.suggested_within_current == proof.suggested_checked;
    Ok(Suggestion {
        schema_version: SCHEMA_VERSION,
        role: role.arn.clone(),
        policy: policy_json,
        actions: kept.len(),
        proof,
        gaps: current.gaps,
    })
}

/// Whether a suggested pattern covers a resource (as the engine would match it).
fn covers(pattern: &str, resource: &str) -> bool {
    policy::ResourceMatcher::new(&policy::Pattern::new(pattern)).matches(resource)
}

/// One statement per distinct resource list, actions sorted.
fn build_policy(kept: &BTreeMap<String, BTreeSet<String>>) -> serde_json::Value {
    let mut by_resources: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
    for (action, rs) in kept {
        by_resources.entry(rs.iter().cloned().collect()).or_default().push(action.clone());
    }
    let statements: Vec<serde_json::Value> = by_resources
        .into_iter()
        .enumerate()
        .map(|(i, (resources, actions))| {
            serde_json::json!({
                "Sid": format!("Observed{}", i + 1),
                "Effect": "Allow",
                "Action": actions,
                "Resource": resources,
            })
        })
        .collect();
    serde_json::json!({ "Version": "2012-10-17", "Statement": statements })
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic,
        reason = "a test stops at the first unexpected value"
    )]
    use super::*;

    #[test]
    fn formats_are_filled() {
        assert_eq!(
            fill_format("arn:${Partition}:secretsmanager:${Region}:${Account}:secret:${SecretId}", "aws", "us-east-1", "1"),
            "arn:aws:secretsmanager:us-east-1:1:secret:*"
        );
        assert_eq!(fill_format("arn:${Partition}:s3:::${BucketName}", "aws", "", ""), "arn:aws:s3:::*");
        assert_eq!(fill_format("arn:${Partition}:x:${Region}:${Account}:y", "aws", "", ""), "arn:aws:x:*:*:y");
    }

    #[test]
    fn many_arns_under_one_parent_become_a_wildcard() {
        let few: BTreeSet<String> = (0..3).map(|i| format!("arn:aws:s3:::b/k{i}")).collect();
        assert_eq!(group(&few), few);
        let many: BTreeSet<String> =
            (0..9).map(|i| format!("arn:aws:s3:::b/k{i}")).chain(["arn:aws:s3:::c/x".to_owned()]).collect();
        assert_eq!(group(&many), BTreeSet::from(["arn:aws:s3:::b/*".to_owned(), "arn:aws:s3:::c/x".to_owned()]));
        assert_eq!(parent("arn:aws:iam::1:role/r"), Some("arn:aws:iam::1:role"));
        assert_eq!(parent("arn:aws:sqs:r:1:q"), None);
    }
}
