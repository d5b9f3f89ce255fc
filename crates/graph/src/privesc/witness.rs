//! Resources for checks on things the caller would create or that the snapshot does not list
//! (a new Lambda function, any CodeBuild project): the caller chooses the name, so the question
//! is whether *some* resource is allowed. The candidates are the caller's own `Allow` patterns
//! for the action with their wildcards filled in, and a name no policy would mention, built
//! from the action's resource type in the catalog; the engine decides each, denies and all.

use crate::actor::Actor;

/// The region assumed for resources the caller creates.
pub(crate) const REGION: &str = "us-east-1";

/// The most candidates tried per action.
const MAX_CANDIDATES: usize = 4;

/// A resource of the action's first required resource type, with a made-up name; `*` for
/// actions without resource types.
pub(crate) fn default_resource(action: &str, partition: &str, region: &str, account: &str) -> String {
    let cat = catalog::Catalog::get();
    let Some(info) = cat.action(action).and_then(|id| cat.info(id)) else { return "*".into() };
    // Prefer a type of the caller's own account (`code-interpreter-custom` rather than the
    // AWS-owned `code-interpreter`), then a required one.
    let formats: Vec<(bool, &str)> = info
        .resource_types
        .iter()
        .filter_map(|r| cat.resource_type_info(r.resource_type).map(|t| (r.required, t.arn_format)))
        .collect();
    let pick = formats
        .iter()
        .find(|(req, f)| *req && f.contains("${Account}"))
        .or_else(|| formats.iter().find(|(_, f)| f.contains("${Account}")))
        .or_else(|| formats.iter().find(|(req, _)| *req))
        .or(formats.first());
    let Some((_, fmt)) = pick else { return "*".into() };
    fill(fmt, partition, region, account)
}

/// Substitutes `${Partition}`, `${Region}`, `${Account}` and any other `${...}` in an ARN
/// format.
fn fill(fmt: &str, partition: &str, region: &str, account: &str) -> String {
    let mut out = String::with_capacity(fmt.len() + 16);
    let mut rest = fmt;
    while let Some(start) = rest.find("${") {
        out.push_str(rest.get(..start).unwrap_or(""));
        let after = rest.get(start + 2..).unwrap_or("");
        let Some(end) = after.find('}') else {
            out.push_str(rest.get(start..).unwrap_or(""));
            return out;
        };
        let var = after.get(..end).unwrap_or("");
        out.push_str(match var {
            "Partition" => partition,
            "Region" => region,
            "Account" => account,
            _ => "rolegraph-probe",
        });
        rest = after.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// A resource pattern with its wildcards filled in: the partition, region and account segments
/// by the caller's, the rest by a made-up name.
pub(crate) fn instantiate(raw: &str, partition: &str, region: &str, account: &str) -> String {
    let fillglob = |s: &str, whole: &str| -> String {
        if s == "*" {
            return whole.to_owned();
        }
        s.replace('*', "rolegraph-probe").replace('?', "x")
    };
    if !raw.starts_with("arn:") {
        return fillglob(raw, "rolegraph-probe");
    }
    let parts: Vec<&str> = raw.splitn(6, ':').collect();
    let seg = |i: usize| parts.get(i).copied().unwrap_or("");
    if parts.len() < 6 {
        return fillglob(raw, "rolegraph-probe");
    }
    [
        "arn".to_owned(),
        fillglob(seg(1), partition),
        fillglob(seg(2), "rolegraph-probe"),
        fillglob(seg(3), region),
        fillglob(seg(4), account),
        fillglob(seg(5), "rolegraph-probe"),
    ]
    .join(":")
}

/// The resources to try for an action the actor would perform on a resource it chooses.
pub(crate) fn candidates(a: &Actor<'_>, action: &str) -> Vec<String> {
    let partition = policy::Arn::parse(&a.arn).map_or("aws", |x| x.partition);
    let mut out: Vec<String> = Vec::new();
    if let Some(g) = a.grant(action) {
        for p in &g.patterns {
            let r = instantiate(p.raw(), partition, REGION, &a.account);
            if !out.contains(&r) {
                out.push(r);
            }
            if out.len() >= MAX_CANDIDATES - 1 {
                break;
            }
        }
    }
    let d = default_resource(action, partition, REGION, &a.account);
    if !out.contains(&d) {
        out.push(d);
    }
    out
}

/// The resource to check an action on against a target resource: the target when it is of one
/// of the action's resource types, `*` for actions that have no resource types, else a resource
/// the caller would create beside the target (the lifecycle configuration a notebook is given).
pub(crate) fn on_target(action: &str, target: &str) -> String {
    let cat = catalog::Catalog::get();
    let Some(info) = cat.action(action).and_then(|id| cat.info(id)) else { return target.to_owned() };
    if info.resource_types.is_empty() {
        return "*".into();
    }
    let Some(arn) = policy::Arn::parse(target) else { return target.to_owned() };
    let of_type = info.resource_types.iter().filter_map(|r| cat.resource_type_info(r.resource_type)).any(|t| {
        let mut parts = t.arn_format.splitn(6, ':');
        let service = parts.nth(2).unwrap_or("");
        let resource = parts.nth(2).unwrap_or("");
        let literal = resource.split("${").next().unwrap_or("");
        service == arn.service && arn.resource.starts_with(literal)
    });
    if of_type {
        return target.to_owned();
    }
    let region = if arn.region.is_empty() { REGION } else { arn.region };
    default_resource(action, arn.partition, region, arn.account)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_resources_come_from_the_catalog() {
        assert_eq!(
            default_resource("lambda:CreateFunction", "aws", "us-east-1", "111111111111"),
            "arn:aws:lambda:us-east-1:111111111111:function:rolegraph-probe"
        );
        assert_eq!(default_resource("ec2:DescribeInstances", "aws", "us-east-1", "1"), "*");
        assert_eq!(default_resource("nope:Nope", "aws", "us-east-1", "1"), "*");
    }

    #[test]
    fn patterns_are_filled_segment_by_segment() {
        assert_eq!(
            instantiate("arn:aws:lambda:*:*:function:app-*", "aws", "us-east-1", "111111111111"),
            "arn:aws:lambda:us-east-1:111111111111:function:app-rolegraph-probe"
        );
        assert_eq!(
            instantiate("arn:aws:codebuild:eu-west-?:1:project/p", "aws", "r", "2"),
            "arn:aws:codebuild:eu-west-x:1:project/p"
        );
        assert_eq!(on_target("ec2:DescribeInstances", "arn:aws:ec2:r:1:instance/i-1"), "*");
        assert_eq!(on_target("ssm:SendCommand", "arn:aws:ec2:r:1:instance/i-1"), "arn:aws:ec2:r:1:instance/i-1");
        // A notebook's lifecycle configuration is a resource of its own, created beside it.
        let notebook = "arn:aws:sagemaker:eu-west-1:1:notebook-instance/nb";
        assert_eq!(on_target("sagemaker:UpdateNotebookInstance", notebook), notebook);
        assert_eq!(
            on_target("sagemaker:CreateNotebookInstanceLifecycleConfig", notebook),
            "arn:aws:sagemaker:eu-west-1:1:notebook-instance-lifecycle-config/rolegraph-probe"
        );
    }
}
