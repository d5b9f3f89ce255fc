//! One synthetic account: roles of every kind with the resources that use them, users and
//! groups, customer-managed policies, and the exports that describe them.

use std::path::Path;

use base64::Engine;
use serde_json::{Value, json};

use crate::policy::{self, TRUST_WEIGHTS, TrustKind, VENDORS};
use crate::write::{ObjectWriter, write_value};
use crate::{Rng, SynthConfig, SynthSummary};

const TEAMS: &[&str] = &["payments", "platform", "data", "growth", "identity", "mobile", "search", "risk"];
const APPS: &[&str] = &["api", "worker", "ingest", "etl", "web", "scheduler", "notifier", "indexer"];
const FIRST: &[&str] = &["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"];
const LAST: &[&str] = &["smith", "jones", "garcia", "chen", "khan", "novak", "silva", "mori"];
const PERMISSION_SETS: &[&str] = &["AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess", "Billing", "SecurityAudit"];
const LINKED: &[(&str, &str)] = &[
    ("elasticloadbalancing.amazonaws.com", "ElasticLoadBalancing"),
    ("autoscaling.amazonaws.com", "AutoScaling"),
    ("rds.amazonaws.com", "RDS"),
    ("ecs.amazonaws.com", "ECS"),
    ("organizations.amazonaws.com", "Organizations"),
    ("support.amazonaws.com", "Support"),
];
const OTHER_SERVICES: &[&str] =
    &["states.amazonaws.com", "events.amazonaws.com", "codebuild.amazonaws.com", "glue.amazonaws.com", "firehose.amazonaws.com"];

/// The AWS-managed policies synthetic roles attach (documents from `data/`).
const AWS_MANAGED: &str = include_str!("../data/aws-managed-policies.json");

/// Seconds since the epoch of 2026-01-01.
const NOW: i64 = 1_767_225_600;

/// ISO 8601 text of epoch seconds, as the CLI prints it.
pub fn iso(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+00:00", rem / 3600, rem % 3600 / 60, rem % 60)
}

fn days_ago(rng: &mut Rng, lo: usize, hi: usize) -> i64 {
    NOW - (rng.range(lo, hi) as i64) * 86_400 - rng.below(86_400) as i64
}

fn maybe_encode(rng: &mut Rng, config: &SynthConfig, doc: Value) -> Value {
    if config.url_encoded_percent > 0 && rng.chance(u64::from(config.url_encoded_percent)) {
        let text = doc.to_string();
        json!(percent_encoding::utf8_percent_encode(&text, percent_encoding::NON_ALPHANUMERIC).to_string())
    } else {
        doc
    }
}

struct Managed {
    name: String,
    arn: String,
}

/// The resources of the account, written after the roles.
#[derive(Default)]
struct Resources {
    reservations: Vec<Value>,
    functions: Vec<Value>,
    task_definitions: Vec<(String, Value)>,
    services: Vec<Value>,
}

#[allow(clippy::too_many_arguments, reason = "the generator threads its tables through one call per record")]
pub fn write_account(
    config: &SynthConfig,
    ids: &[String],
    index: usize,
    id: &str,
    rng: &mut Rng,
    dir: &Path,
    summary: &mut SynthSummary,
) -> std::io::Result<()> {
    let aws_managed: Vec<Value> = serde_json::from_str(AWS_MANAGED).unwrap_or_default();
    let region = ["us-east-1", "eu-west-1", "us-west-2"].get(index % 3).copied().unwrap_or("us-east-1");

    // Customer-managed policies, with one to three versions.
    let n_policies = (config.roles_per_account / 25).max(4);
    let mut customer: Vec<(Managed, Value)> = Vec::new();
    for k in 0..n_policies {
        let team = rng.pick(TEAMS).copied().unwrap_or("team");
        let name = if k == 0 { "developer-boundary".to_owned() } else { format!("{team}-access-{k:04}") };
        let arn = format!("arn:aws:iam::{id}:policy/{name}");
        let versions = rng.range(1, 3);
        let created = days_ago(rng, 200, 2000);
        let list: Vec<Value> = (1..=versions)
            .rev()
            .map(|v| {
                let doc = if k == 0 {
                    json!({"Version": "2012-10-17", "Statement": [
                        {"Effect": "Allow", "Action": ["s3:*", "dynamodb:*", "sqs:*", "logs:*", "lambda:*"], "Resource": "*"},
                        {"Effect": "Deny", "Action": ["iam:*", "organizations:*"], "Resource": "*"}]})
                } else {
                    policy::document(rng, id, 2, 6)
                };
                json!({"Document": maybe_encode(rng, config, doc), "VersionId": format!("v{v}"), "IsDefaultVersion": v == versions,
                       "CreateDate": iso(created + (v as i64) * 86_400)})
            })
            .collect();
        let value = json!({
            "PolicyName": name, "PolicyId": format!("ANPA{}", rng.id_chars(17)), "Arn": arn, "Path": "/",
            "DefaultVersionId": format!("v{versions}"), "AttachmentCount": 0, "PermissionsBoundaryUsageCount": 0,
            "IsAttachable": true, "CreateDate": iso(created), "UpdateDate": iso(created + versions as i64 * 86_400),
            "PolicyVersionList": list,
        });
        customer.push((Managed { name, arn }, value));
    }
    summary.customer_policies += customer.len();
    let aws: Vec<Managed> = aws_managed
        .iter()
        .filter_map(|p| {
            Some(Managed { name: p.get("PolicyName")?.as_str()?.to_owned(), arn: p.get("Arn")?.as_str()?.to_owned() })
        })
        .collect();
    let aws_arn = |name: &str| aws.iter().find(|m| m.name == name).map(|m| m.arn.clone()).unwrap_or_default();

    // Groups and users.
    let groups = ["admins", "developers", "readonly", "billing"];
    let mut group_values = Vec::new();
    for g in groups {
        let attached: Vec<Value> = match g {
            "admins" => vec![json!({"PolicyName": "AdministratorAccess", "PolicyArn": aws_arn("AdministratorAccess")})],
            "developers" => {
                vec![json!({"PolicyName": "PowerUserAccess", "PolicyArn": aws_arn("PowerUserAccess")})]
            }
            _ => vec![json!({"PolicyName": "AmazonS3ReadOnlyAccess", "PolicyArn": aws_arn("AmazonS3ReadOnlyAccess")})],
        };
        let inline: Vec<Value> = if g == "billing" {
            vec![
                json!({"PolicyName": "billing-view", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["aws-portal:View*", "ce:Get*"], "Resource": "*"}]}}),
            ]
        } else {
            vec![]
        };
        group_values.push(json!({"Path": "/", "GroupName": g, "GroupId": format!("AGPA{}", rng.id_chars(17)),
            "Arn": format!("arn:aws:iam::{id}:group/{g}"), "CreateDate": iso(days_ago(rng, 800, 2500)),
            "GroupPolicyList": inline, "AttachedManagedPolicies": attached}));
    }
    let mut user_values = Vec::new();
    let mut report_rows = Vec::new();
    for u in 0..config.users_per_account {
        let human = rng.chance(70);
        let name = if human {
            format!("{}.{}{}", rng.pick(FIRST).copied().unwrap_or("x"), rng.pick(LAST).copied().unwrap_or("y"), u)
        } else {
            format!("svc-{}-{}{u}", rng.pick(TEAMS).copied().unwrap_or("x"), rng.pick(APPS).copied().unwrap_or("y"))
        };
        let arn = format!("arn:aws:iam::{id}:user/{name}");
        let created = days_ago(rng, 30, 2500);
        let mut user_groups: Vec<&str> = Vec::new();
        if human {
            user_groups.push(rng.pick(&groups).copied().unwrap_or("readonly"));
        }
        let inline: Vec<Value> = if rng.chance(20) {
            let doc = policy::document(rng, id, 1, 3);
            vec![json!({"PolicyName": format!("{name}-inline"), "PolicyDocument": maybe_encode(rng, config, doc)})]
        } else {
            vec![]
        };
        let attached: Vec<Value> = if rng.chance(30) {
            customer
                .get(rng.range(1, customer.len().saturating_sub(1)))
                .map(|(m, _)| json!({"PolicyName": m.name, "PolicyArn": m.arn}))
                .into_iter()
                .collect()
        } else {
            vec![]
        };
        user_values.push(json!({"Path": "/", "UserName": name, "UserId": format!("AIDA{}", rng.id_chars(17)), "Arn": arn,
            "CreateDate": iso(created), "GroupList": user_groups, "UserPolicyList": inline, "AttachedManagedPolicies": attached, "Tags": []}));
        let password = human;
        let mfa = human && rng.chance(75);
        let key = !human || rng.chance(30);
        let rotated = days_ago(rng, 1, 900);
        let used = if key && rng.chance(80) { Some(days_ago(rng, 0, 60)) } else { None };
        report_rows.push(format!(
            "{name},{arn},{},{password},{},N/A,N/A,{mfa},{key},{},{},{},{},false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
            iso(created),
            if password { iso(days_ago(rng, 0, 120)) } else { "N/A".to_owned() },
            if key { iso(rotated) } else { "N/A".to_owned() },
            used.map_or("N/A".to_owned(), iso),
            if used.is_some() { region } else { "N/A" },
            if used.is_some() { "s3" } else { "N/A" },
        ));
    }
    summary.users += user_values.len();

    // The authorization details, streamed, and `list-roles` alongside.
    let mut auth = ObjectWriter::create(&dir.join("iam-get-account-authorization-details.json"))?;
    auth.begin_list("UserDetailList")?;
    for u in &user_values {
        auth.item(u)?;
    }
    auth.end_list()?;
    auth.begin_list("GroupDetailList")?;
    for g in &group_values {
        auth.item(g)?;
    }
    auth.end_list()?;
    let mut list_roles = if config.only_authorization_details {
        None
    } else {
        let mut w = ObjectWriter::create(&dir.join("iam-list-roles.json"))?;
        w.begin_list("Roles")?;
        Some(w)
    };
    auth.begin_list("RoleDetailList")?;
    let mut res = Resources::default();
    let execution_role = format!("arn:aws:iam::{id}:role/ecsTaskExecutionRole");
    let mut role_arns: Vec<String> = Vec::new();
    for r in 0..config.roles_per_account {
        let (detail, listed) = role(config, ids, id, region, r, rng, &customer, &aws_arn, &execution_role, &mut res, summary);
        if let Some(a) = detail.get("Arn").and_then(Value::as_str) {
            role_arns.push(a.to_owned());
        }
        auth.item(&detail)?;
        if let Some(w) = &mut list_roles {
            w.item(&listed)?;
        }
    }
    auth.end_list()?;
    auth.begin_list("Policies")?;
    for (_, v) in &customer {
        auth.item(v)?;
    }
    for p in &aws_managed {
        auth.item(&json!({
            "PolicyName": p.get("PolicyName"), "PolicyId": format!("ANPA{}", rng.id_chars(17)), "Arn": p.get("Arn"),
            "Path": "/", "DefaultVersionId": p.get("DefaultVersionId"), "AttachmentCount": 1, "PermissionsBoundaryUsageCount": 0,
            "IsAttachable": true, "CreateDate": p.get("CreateDate"), "UpdateDate": p.get("UpdateDate"),
            "PolicyVersionList": [{"Document": p.get("Document"), "VersionId": p.get("DefaultVersionId"), "IsDefaultVersion": true, "CreateDate": p.get("UpdateDate")}],
        }))?;
    }
    auth.end_list()?;
    auth.finish(summary)?;
    if let Some(mut w) = list_roles {
        w.end_list()?;
        w.field("IsTruncated", &json!(false))?;
        w.finish(summary)?;
    }
    if config.only_authorization_details {
        return Ok(());
    }
    write_value(&dir.join("ec2-describe-instances.json"), &json!({"Reservations": res.reservations}), summary)?;
    write_value(&dir.join("lambda-list-functions.json"), &json!({"Functions": res.functions}), summary)?;
    for (family, td) in &res.task_definitions {
        write_value(
            &dir.join(format!("ecs-describe-task-definition.{family}.json")),
            &json!({"taskDefinition": td, "tags": []}),
            summary,
        )?;
    }
    write_value(&dir.join("ecs-describe-services.json"), &json!({"services": res.services, "failures": []}), summary)?;
    let header = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";
    let root = format!(
        "<root_account>,arn:aws:iam::{id}:root,{},not_supported,{},not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
        iso(NOW - 3000 * 86_400),
        iso(days_ago(rng, 10, 300))
    );
    let csv = std::iter::once(header.to_owned()).chain(std::iter::once(root)).chain(report_rows).collect::<Vec<_>>().join("\n");
    write_value(
        &dir.join("iam-get-credential-report.json"),
        &json!({"Content": base64::engine::general_purpose::STANDARD.encode(csv), "ReportFormat": "text/csv", "GeneratedTime": iso(NOW)}),
        summary,
    )?;
    if config.resources_per_account > 0 {
        let functions: Vec<String> =
            res.functions.iter().filter_map(|f| f.get("FunctionArn").and_then(Value::as_str)).map(str::to_owned).collect();
        crate::resources::write_resources(config, ids, id, region, &role_arns, &functions, rng, &dir.join("resources"), summary)?;
    }
    write_value(
        &dir.join("sts-get-caller-identity.json"),
        &json!({"UserId": format!("AIDA{}", rng.id_chars(17)), "Account": id, "Arn": format!("arn:aws:iam::{id}:user/auditor")}),
        summary,
    )?;
    Ok(())
}

/// One role: its authorization-details record and its `list-roles` record; records the
/// resources that use it.
#[allow(clippy::too_many_arguments, reason = "the generator threads its tables through one call per record")]
fn role(
    config: &SynthConfig,
    ids: &[String],
    id: &str,
    region: &str,
    r: usize,
    rng: &mut Rng,
    customer: &[(Managed, Value)],
    aws_arn: &dyn Fn(&str) -> String,
    execution_role: &str,
    res: &mut Resources,
    summary: &mut SynthSummary,
) -> (Value, Value) {
    summary.roles += 1;
    let team = rng.pick(TEAMS).copied().unwrap_or("team");
    let app = rng.pick(APPS).copied().unwrap_or("app");
    let weights: Vec<u64> = TRUST_WEIGHTS.iter().map(|(_, w)| *w).collect();
    let kind = match r {
        0 => TrustKind::OrgAccount,
        1 => TrustKind::EcsTasks,
        _ => TRUST_WEIGHTS.get(rng.weighted(&weights)).map_or(TrustKind::Lambda, |(k, _)| *k),
    };
    let mut path = "/".to_owned();
    let mut attached: Vec<String> = Vec::new();
    let mut inline_count = rng.range(0, 3);
    let (name, trust) = match kind {
        TrustKind::Lambda => {
            attached.push(aws_arn("AWSLambdaBasicExecutionRole"));
            path = "/service-role/".to_owned();
            (format!("{team}-{app}-lambda-{r:05}"), policy::service_trust(rng, "lambda.amazonaws.com", id))
        }
        TrustKind::Ec2 => {
            attached.push(aws_arn("AmazonSSMManagedInstanceCore"));
            if rng.chance(5) {
                attached.push(aws_arn("AdministratorAccess"));
            }
            (format!("{team}-{app}-ec2-{r:05}"), policy::service_trust(rng, "ec2.amazonaws.com", id))
        }
        TrustKind::EcsTasks if r == 1 => {
            attached.push(aws_arn("AmazonECSTaskExecutionRolePolicy"));
            inline_count = 0;
            ("ecsTaskExecutionRole".to_owned(), policy::service_trust(rng, "ecs-tasks.amazonaws.com", id))
        }
        TrustKind::EcsTasks => (format!("{team}-{app}-task-{r:05}"), policy::service_trust(rng, "ecs-tasks.amazonaws.com", id)),
        TrustKind::OrgAccount => {
            let other = ids.get(rng.below(ids.len())).cloned().unwrap_or_else(|| id.to_owned());
            let principal = if r == 0 || rng.chance(50) {
                format!("arn:aws:iam::{other}:root")
            } else {
                format!("arn:aws:iam::{other}:role/org-deployer")
            };
            let cond = rng.chance(30).then(|| json!({"StringEquals": {"aws:PrincipalOrgID": "o-synthetic01"}}));
            if r == 0 {
                attached.push(aws_arn("AdministratorAccess"));
                (
                    "org-deployer".to_owned(),
                    policy::aws_trust(vec![format!("arn:aws:iam::{}:root", ids.first().map_or(id, |s| s.as_str()))], None),
                )
            } else {
                (format!("{team}-cross-account-{r:05}"), policy::aws_trust(vec![principal], cond))
            }
        }
        TrustKind::Vendor => {
            let (vendor, acct) = VENDORS.get(rng.below(VENDORS.len())).copied().unwrap_or(("datadog", "464622532012"));
            let cond = rng.chance(60).then(|| json!({"StringEquals": {"sts:ExternalId": policy::uuid(rng)}}));
            (format!("{vendor}-integration-{r:05}"), policy::aws_trust(vec![format!("arn:aws:iam::{acct}:root")], cond))
        }
        TrustKind::GithubOidc => {
            let with_sub = rng.chance(70);
            (format!("github-actions-{app}-{r:05}"), policy::github_trust(rng, id, with_sub))
        }
        TrustKind::Saml => {
            let ps = rng.pick(PERMISSION_SETS).copied().unwrap_or("ReadOnlyAccess");
            if ps == "AdministratorAccess" {
                attached.push(aws_arn("AdministratorAccess"));
            }
            (format!("okta-{}-{r:05}", ps.to_ascii_lowercase()), policy::saml_trust(id, "Okta"))
        }
        TrustKind::Sso => {
            let ps = rng.pick(PERMISSION_SETS).copied().unwrap_or("ReadOnlyAccess");
            path = format!("/aws-reserved/sso.amazonaws.com/{region}/");
            let provider = format!("AWSSSO_{}_DO_NOT_DELETE", rng.hex(16));
            (format!("AWSReservedSSO_{ps}_{}{r:05}", rng.hex(11)), policy::saml_trust(id, &provider))
        }
        TrustKind::ServiceLinked => {
            let (svc, label) = LINKED.get(rng.below(LINKED.len())).copied().unwrap_or(("support.amazonaws.com", "Support"));
            path = format!("/aws-service-role/{svc}/");
            inline_count = 0;
            (
                format!("AWSServiceRoleFor{label}{r:05}"),
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": svc}, "Action": "sts:AssumeRole"}]}),
            )
        }
        TrustKind::SameAccountMfa => (
            format!("{team}-break-glass-{r:05}"),
            policy::aws_trust(
                vec![format!("arn:aws:iam::{id}:root")],
                Some(json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}})),
            ),
        ),
        TrustKind::OtherService => {
            let svc = rng.pick(OTHER_SERVICES).copied().unwrap_or("events.amazonaws.com");
            (format!("{team}-{app}-{}-{r:05}", svc.split('.').next().unwrap_or("svc")), policy::service_trust(rng, svc, id))
        }
    };
    if kind != TrustKind::ServiceLinked
        && rng.chance(40)
        && customer.len() > 1
        && let Some((m, _)) = customer.get(rng.range(1, customer.len() - 1))
    {
        attached.push(m.arn.clone());
    }
    attached.sort();
    attached.dedup();
    let arn = format!("arn:aws:iam::{id}:role{path}{name}");
    let inline: Vec<Value> = (0..inline_count)
        .map(|k| {
            let doc = policy::document(rng, id, 1, 5);
            json!({"PolicyName": format!("{name}-policy-{k}"), "PolicyDocument": maybe_encode(rng, config, doc)})
        })
        .collect();
    let created = days_ago(rng, 10, 2500);
    let last_used =
        if rng.chance(75) { json!({"LastUsedDate": iso(days_ago(rng, 0, 390)), "Region": region}) } else { json!({}) };
    let role_id = format!("AROA{}", rng.id_chars(17));
    let boundary =
        (kind != TrustKind::ServiceLinked && rng.chance(10)).then(|| customer.first().map(|(m, _)| m.arn.clone())).flatten();
    let tags: Vec<Value> =
        if rng.chance(50) { vec![json!({"Key": "team", "Value": team}), json!({"Key": "app", "Value": app})] } else { vec![] };
    let trust = maybe_encode(rng, config, trust);
    let mut profiles = Vec::new();
    match kind {
        TrustKind::Ec2 => {
            let profile_arn = format!("arn:aws:iam::{id}:instance-profile/{name}");
            profiles.push(json!({"Path": "/", "InstanceProfileName": name, "InstanceProfileId": format!("AIPA{}", rng.id_chars(17)),
                "Arn": profile_arn, "CreateDate": iso(created), "Roles": [{"Path": path, "RoleName": name, "RoleId": role_id, "Arn": arn,
                "CreateDate": iso(created), "AssumeRolePolicyDocument": trust}]}));
            let n = rng.range(0, 2);
            if n > 0 {
                let instances: Vec<Value> = (0..n)
                    .map(|_| {
                        json!({"InstanceId": format!("i-{}", rng.hex(17)), "InstanceType": rng.pick(&["t3.micro", "m5.large", "c6i.xlarge"]),
                            "State": {"Code": 16, "Name": "running"}, "Placement": {"AvailabilityZone": format!("{region}{}", rng.pick(&["a", "b", "c"]).copied().unwrap_or("a"))},
                            "IamInstanceProfile": {"Arn": profile_arn, "Id": format!("AIPA{}", rng.id_chars(17))},
                            "PrivateIpAddress": format!("10.{}.{}.{}", rng.below(256), rng.below(256), rng.below(256)),
                            "MetadataOptions": {"HttpTokens": if rng.chance(60) { "required" } else { "optional" }, "HttpEndpoint": "enabled"},
                            "LaunchTime": iso(days_ago(rng, 0, 300)), "Tags": [{"Key": "Name", "Value": format!("{team}-{app}")}]})
                    })
                    .collect();
                summary.ec2_instances += instances.len();
                res.reservations.push(
                    json!({"ReservationId": format!("r-{}", rng.hex(17)), "OwnerId": id, "Groups": [], "Instances": instances}),
                );
            }
        }
        TrustKind::Lambda => {
            for k in 0..rng.range(1, 4) {
                let fname = format!("{team}-{app}-{r:05}-{k}");
                summary.lambda_functions += 1;
                res.functions.push(json!({"FunctionName": fname, "FunctionArn": format!("arn:aws:lambda:{region}:{id}:function:{fname}"),
                    "Runtime": rng.pick(&["python3.12", "nodejs20.x", "java21"]), "Role": arn, "Handler": "index.handler",
                    "CodeSize": 1024 + rng.below(100_000), "Description": "", "Timeout": 30, "MemorySize": 256,
                    "LastModified": format!("{}.000+0000", iso(days_ago(rng, 0, 400)).trim_end_matches("+00:00")), "Version": "$LATEST", "PackageType": "Zip"}));
            }
        }
        TrustKind::EcsTasks if r != 1 => {
            let family = format!("{team}-{app}-{r:05}");
            let revision = rng.range(1, 40);
            let td_arn = format!("arn:aws:ecs:{region}:{id}:task-definition/{family}:{revision}");
            res.task_definitions.push((
                family.clone(),
                json!({"taskDefinitionArn": td_arn, "family": family, "revision": revision, "taskRoleArn": arn,
                    "executionRoleArn": execution_role, "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
                    "containerDefinitions": [{"name": app, "image": format!("{id}.dkr.ecr.{region}.amazonaws.com/{app}:latest"), "essential": true}],
                    "status": "ACTIVE", "registeredAt": iso(days_ago(rng, 0, 200))}),
            ));
            if rng.chance(70) {
                res.services.push(json!({"serviceArn": format!("arn:aws:ecs:{region}:{id}:service/{team}-cluster/{family}"), "serviceName": family,
                    "clusterArn": format!("arn:aws:ecs:{region}:{id}:cluster/{team}-cluster"), "taskDefinition": td_arn,
                    "launchType": "FARGATE", "status": "ACTIVE", "desiredCount": rng.range(1, 6)}));
            }
        }
        _ => {}
    }
    let attached_values: Vec<Value> =
        attached.iter().map(|a| json!({"PolicyName": a.rsplit('/').next().unwrap_or_default(), "PolicyArn": a})).collect();
    let mut detail = json!({
        "Path": path, "RoleName": name, "RoleId": role_id, "Arn": arn, "CreateDate": iso(created),
        "AssumeRolePolicyDocument": trust, "InstanceProfileList": profiles, "RolePolicyList": inline,
        "AttachedManagedPolicies": attached_values, "Tags": tags, "RoleLastUsed": last_used,
    });
    if let (Some(b), Some(m)) = (&boundary, detail.as_object_mut()) {
        m.insert("PermissionsBoundary".into(), json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": b}));
    }
    let listed = json!({
        "Path": path, "RoleName": name, "RoleId": role_id, "Arn": arn, "CreateDate": iso(created),
        "AssumeRolePolicyDocument": trust, "Description": format!("{team} {app} ({kind:?})"),
        "MaxSessionDuration": if matches!(kind, TrustKind::Saml | TrustKind::Sso) { 43_200 } else { 3_600 },
    });
    (detail, listed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert_eq!(iso(0), "1970-01-01T00:00:00+00:00");
        assert_eq!(iso(NOW), "2026-01-01T00:00:00+00:00");
        assert_eq!(iso(951_782_400 + 3_661), "2000-02-29T01:01:01+00:00");
    }
}
