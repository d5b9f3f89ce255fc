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
//!
//! Decisions know the region of the calls: the trail records each call's region
//! (`awsRegion`), so a grant that holds only in some regions (an SCP's or a statement's
//! `aws:RequestedRegion`) is decided for the regions the action was called in. Where the region
//! decided it, the suggested statement keeps the condition (`StringEquals aws:RequestedRegion`
//! with those regions), so the suggestion stays within the current policies in every region.
//!
//! What the runtime needs and a trail of management events cannot show is kept when the role
//! has it today, in statements of its own (`Sid` `KeptForTheRuntime...`) and listed in the proof
//! (`runtime_kept`): CloudWatch Logs writes of a Lambda function's log group, and the ECR image
//! pulls and log writes of an ECS task (its execution role). Such calls are data events, or
//! made by the service for the role, and never appear in a management-events trail.

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
    /// What the runtime needs, kept because the role has it today (see the module's
    /// documentation); each is within the current policies.
    pub runtime_kept: Vec<Check>,
    /// Whether both directions hold for everything suggested.
    pub holds: bool,
    /// Whether every observed call is covered: false when some were left out
    /// (`observed_not_allowed_now`), so the suggestion may break them.
    pub covers_every_observed_call: bool,
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
    /// What the trail cannot show, to read before applying the policy.
    pub notes: Vec<String>,
}

/// What a trail of management events does not record (CloudTrail User Guide, *Logging data
/// events*: data events "are not logged by default").
pub const TRAIL_BLIND_SPOTS: &str = "a trail of management events does not record data events (S3 object reads and \
writes, DynamoDB item reads and writes, Lambda invocations, CloudWatch Logs writes, ...) unless data events are \
logged: actions used only that way are missing from the suggestion; calls made less often than the window (yearly \
jobs, disaster recovery) are missing too";

/// What one action keeps: its resources, and the regions it is limited to when the region
/// decided it.
#[derive(Default)]
struct Kept {
    resources: BTreeSet<String>,
    regions: Option<BTreeSet<String>>,
}

impl Kept {
    fn add(&mut self, resource: String, regions: Option<&BTreeSet<String>>) {
        self.resources.insert(resource);
        if let Some(r) = regions {
            self.regions.get_or_insert_with(BTreeSet::new).extend(r.iter().cloned());
        }
    }
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

/// Decides with the conditions of the current policies unknown, then, when that is not an
/// allow, in each region of `regions` with `aws:RequestedRegion` known: allowed in every one is
/// an allow limited to them (the regions are returned).
fn decide_in_regions<'r>(
    set: &PolicySet,
    principal: &str,
    action: &str,
    resource: &str,
    regions: &'r BTreeSet<String>,
) -> (Outcome, Option<&'r BTreeSet<String>>) {
    let unknown = Context::new().with_unknowns(Unknowns::All);
    let o = decide(set, principal, action, resource, &unknown);
    if o == Outcome::Allowed || regions.is_empty() {
        return (o, None);
    }
    for r in regions {
        let ctx = Context::new()
            .with_unknowns(Unknowns::AllExcept(vec![policy::Pattern::literal("aws:requestedregion")]))
            .with_known("aws:requestedregion", r.clone());
        let o = decide(set, principal, action, resource, &ctx);
        if o != Outcome::Allowed {
            return (o, None);
        }
    }
    (Outcome::Allowed, Some(regions))
}

/// What the runtime of the role's compute needs that no management-events trail shows: the
/// (action, resource, region) of each, for the resources that use the role.
fn runtime_needs(
    snapshot: &Snapshot,
    role: &Role,
    partition: &str,
    observed_regions: &BTreeSet<String>,
) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for u in snapshot.resources_using_role(role) {
        let account = if u.account_id.is_empty() { role.account_id.as_str() } else { u.account_id.as_str() };
        let regions: Vec<String> = match &u.region {
            Some(r) => vec![r.clone()],
            None => observed_regions.iter().cloned().collect(),
        };
        for region in regions {
            match u.kind {
                model::UseKind::LambdaFunction => {
                    let group = format!("arn:{partition}:logs:{region}:{account}:log-group:/aws/lambda/{}", u.name);
                    out.push(("logs:CreateLogGroup".to_owned(), group.clone(), region.clone()));
                    for a in ["logs:CreateLogStream", "logs:PutLogEvents"] {
                        out.push((a.to_owned(), format!("{group}:*"), region.clone()));
                    }
                }
                model::UseKind::EcsExecutionRole | model::UseKind::EcsServiceExecutionRole => {
                    out.push(("ecr:GetAuthorizationToken".to_owned(), "*".to_owned(), region.clone()));
                    for a in ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"] {
                        out.push((a.to_owned(), format!("arn:{partition}:ecr:{region}:{account}:repository/*"), region.clone()));
                    }
                    for a in ["logs:CreateLogStream", "logs:PutLogEvents"] {
                        out.push((a.to_owned(), format!("arn:{partition}:logs:{region}:{account}:log-group:*"), region.clone()));
                    }
                }
                _ => {}
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Suggests a least-privilege identity policy for a role from its observed activity, and proves
/// it with the engine (see the module's documentation).
pub fn suggest_policy(snapshot: &Snapshot, usage: &Usage, role: &Role) -> Result<Suggestion, SuggestError> {
    let catalog = Catalog::get();
    let current = access::role_identity(snapshot, role);
    let principal = session_arn(role);
    let partition = policy::Arn::parse(&role.arn).map_or("aws", |a| a.partition);
    let mut proof = Proof::default();
    // action name → resources kept (and the regions they are limited to); observed requests kept
    let mut kept: BTreeMap<String, Kept> = BTreeMap::new();
    // (action, resource, the regions the action was called in)
    let mut observed_kept: Vec<(String, String, Arc<BTreeSet<String>>)> = Vec::new();
    let mut all_regions: BTreeSet<String> = BTreeSet::new();
    if let Some(p) = usage.principal(&role.arn) {
        for a in p.actions.iter().filter(|a| a.count > 0) {
            let Some(id) = catalog.action(&a.action) else { continue };
            let regions: Arc<BTreeSet<String>> =
                Arc::new(a.places.iter().map(|p| p.region.clone()).filter(|r| !r.is_empty()).collect());
            all_regions.extend(regions.iter().cloned());
            let (resources, observed) = resources_for(catalog, id, a, partition);
            let mut refused: BTreeSet<String> = BTreeSet::new();
            for r in &observed {
                let (o, _) = decide_in_regions(&current.set, &principal, &a.action, r, &regions);
                if o == Outcome::Allowed {
                    observed_kept.push((a.action.clone(), r.clone(), Arc::clone(&regions)));
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
                let (o, limited) = decide_in_regions(&current.set, &principal, &a.action, &r, &regions);
                if o == Outcome::Allowed {
                    proof.suggested_within_current += 1;
                    kept.entry(a.action.clone()).or_default().add(r, limited);
                } else {
                    proof.dropped_beyond_current.push(Check { action: a.action.clone(), resource: r, outcome: outcome_str(o) });
                }
            }
        }
    }
    // Observed requests whose resource pattern was dropped are no longer covered.
    observed_kept
        .retain(|(a, r, _)| kept.get(a).is_some_and(|k| k.resources.contains(r) || k.resources.iter().any(|p| covers(p, r))));
    // What the runtime needs, when the role has it today.
    let mut runtime: BTreeMap<String, Kept> = BTreeMap::new();
    for (action, resource, region) in runtime_needs(snapshot, role, partition, &all_regions) {
        if kept.get(&action).is_some_and(|k| k.resources.iter().any(|p| p == &resource || covers(p, &resource))) {
            continue;
        }
        let one = BTreeSet::from([region]);
        let (o, limited) = decide_in_regions(&current.set, &principal, &action, &resource, &one);
        if o == Outcome::Allowed {
            proof.runtime_kept.push(Check { action: action.clone(), resource: resource.clone(), outcome: outcome_str(o) });
            runtime.entry(action).or_default().add(resource, limited);
        }
    }
    let policy_json = build_policy(&kept, &runtime);
    let parsed = policy::Policy::from_json(&policy_json).map_err(|e| SuggestError::Parse(e.to_string()))?;
    let mut suggested = PolicySet::new();
    suggested.identity("suggested", Arc::new(parsed));
    for (a, r, regions) in &observed_kept {
        proof.observed_checked += 1;
        // In each region the call was made in, with every other key as the call had it unknown
        // to the suggestion (which has no other condition): allowed means allowed.
        let allowed = if regions.is_empty() {
            decide(&suggested, &principal, a, r, &Context::new()) == Outcome::Allowed
        } else {
            regions.iter().all(|region| {
                let mut ctx = Context::new();
                ctx.set("aws:requestedregion", region.clone());
                decide(&suggested, &principal, a, r, &ctx) == Outcome::Allowed
            })
        };
        if allowed {
            proof.observed_allowed += 1;
        }
    }
    proof.holds = proof.observed_allowed == proof.observed_checked && proof.suggested_within_current == proof.suggested_checked;
    proof.covers_every_observed_call = proof.observed_not_allowed_now.is_empty();
    let mut notes = vec![TRAIL_BLIND_SPOTS.to_owned()];
    if !proof.runtime_kept.is_empty() {
        notes.push(format!(
            "{} action/resource pairs the role's compute needs at run time are kept although the trail cannot show them \
             (statements `KeptForTheRuntime...`)",
            proof.runtime_kept.len()
        ));
    }
    Ok(Suggestion {
        schema_version: SCHEMA_VERSION,
        role: role.arn.clone(),
        policy: policy_json,
        actions: kept.len() + runtime.keys().filter(|a| !kept.contains_key(*a)).count(),
        proof,
        gaps: current.gaps,
        notes,
    })
}

/// Whether a suggested pattern covers a resource (as the engine would match it).
fn covers(pattern: &str, resource: &str) -> bool {
    policy::ResourceMatcher::new(&policy::Pattern::new(pattern)).matches(resource)
}

/// One statement per distinct resource list (and region list), actions sorted; the runtime's
/// needs in statements of their own.
fn build_policy(kept: &BTreeMap<String, Kept>, runtime: &BTreeMap<String, Kept>) -> serde_json::Value {
    let mut statements: Vec<serde_json::Value> = Vec::new();
    for (prefix, map) in [("Observed", kept), ("KeptForTheRuntime", runtime)] {
        type Key = (Vec<String>, Option<Vec<String>>);
        let mut by_resources: BTreeMap<Key, Vec<String>> = BTreeMap::new();
        for (action, k) in map {
            let key = (k.resources.iter().cloned().collect(), k.regions.as_ref().map(|r| r.iter().cloned().collect()));
            by_resources.entry(key).or_default().push(action.clone());
        }
        for (i, ((resources, regions), actions)) in by_resources.into_iter().enumerate() {
            let mut st = serde_json::json!({
                "Sid": format!("{prefix}{}", i + 1),
                "Effect": "Allow",
                "Action": actions,
                "Resource": resources,
            });
            if let (Some(regions), Some(obj)) = (regions, st.as_object_mut()) {
                obj.insert("Condition".into(), serde_json::json!({ "StringEquals": { "aws:RequestedRegion": regions } }));
            }
            statements.push(st);
        }
    }
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
