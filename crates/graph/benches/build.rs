//! Builds the graph of synthetic snapshots generated in memory, and times the build and the
//! queries. A bench binary rather than a criterion bench: one build of an organization of
//! 100,000 roles takes long enough that repeating it many times would not help.
//!
//! ```sh
//! cargo bench -p rolegraph-graph --bench build -- --accounts 1 --roles 10000 --users 2000
//! cargo bench -p rolegraph-graph --bench build -- --accounts 20 --roles 5000 --users 500
//! ```
//!
//! Each account gets a realistic mix (see `generate`): service roles (Lambda, EC2 with instance
//! profiles and instances, ECS, Glue, CodeBuild, SageMaker, CloudFormation), roles trusting the
//! account (half with MFA), roles trusting named roles and users, roles trusting other accounts
//! of the organization, vendor roles with an external id, GitHub OIDC roles (half without a
//! `sub` condition), SAML roles, roles trusting `*` under an organization condition,
//! service-linked roles; users in groups; managed policies shared by many principals, some of
//! them granting `sts:AssumeRole`, `iam:PassRole` with Lambda, SSM, IAM self-management or
//! administrator access. With more than one account, an organization with `FullAWSAccess` and a
//! region-restricting SCP.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a benchmark's inputs are fixed: one that does not parse is a bug to stop on"
)]

use std::time::Instant;

use model::{
    Account, Ec2Instance, Group, InlinePolicy, InstanceProfile, LambdaFunction, ManagedPolicy, OrgAccount, OrgPolicy,
    OrgPolicyType, OrgRoot, Organization, PolicyDoc, PolicyVersion, Role, Snapshot, User,
};
use rolegraph_graph::{EdgeKind, GraphOptions, build, escalations, who_can_reach};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn percent(&mut self) -> u32 {
        (self.next() % 100) as u32
    }
}

fn doc(v: serde_json::Value) -> PolicyDoc {
    PolicyDoc::from_json_text(&v.to_string())
}

fn allow(actions: &[&str], resource: &str) -> serde_json::Value {
    serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resource}]})
}

fn trust(principal: serde_json::Value, action: &str, condition: Option<serde_json::Value>) -> PolicyDoc {
    let mut s = serde_json::json!({"Effect": "Allow", "Principal": principal, "Action": action});
    if let Some(c) = condition {
        s["Condition"] = c;
    }
    doc(serde_json::json!({"Version": "2012-10-17", "Statement": [s]}))
}

fn account_id(i: usize) -> String {
    format!("{:012}", 100_000_000_000u64 + i as u64 * 7_919)
}

fn managed(acct: &str, name: &str, v: serde_json::Value) -> ManagedPolicy {
    ManagedPolicy {
        arn: format!("arn:aws:iam::{acct}:policy/{name}"),
        name: name.into(),
        path: "/".into(),
        id: String::new(),
        aws_managed: false,
        default_version_id: Some("v1".into()),
        attachment_count: None,
        permissions_boundary_usage_count: None,
        description: None,
        create_date: None,
        update_date: None,
        versions: vec![PolicyVersion { version_id: "v1".into(), is_default: true, create_date: None, document: doc(v) }],
    }
}

/// The shared customer-managed policies of an account, by name, and how often each is
/// attached to a role (weights out of 100).
fn policies(acct: &str) -> Vec<(ManagedPolicy, u32)> {
    let p = |name: &str, v, w| (managed(acct, name, v), w);
    vec![
        p("app-data", allow(&["s3:GetObject", "s3:PutObject", "dynamodb:GetItem", "dynamodb:PutItem"], "*"), 30),
        p("read-only", allow(&["s3:Get*", "s3:List*", "ec2:Describe*", "iam:Get*", "iam:List*"], "*"), 20),
        p("logs", allow(&["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], "*"), 20),
        p("assume-team", allow(&["sts:AssumeRole"], &format!("arn:aws:iam::{acct}:role/team-0-*")), 8),
        p("assume-any", allow(&["sts:AssumeRole"], "*"), 3),
        p(
            "deploy-lambda",
            serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:InvokeFunction", "lambda:UpdateFunctionCode"], "Resource": "*"},
            {"Effect": "Allow", "Action": "iam:PassRole", "Resource": format!("arn:aws:iam::{acct}:role/svc-lambda-*"),
             "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}}]}),
            4,
        ),
        p("ops-ssm", allow(&["ssm:SendCommand", "ssm:StartSession", "ec2:Describe*"], "*"), 3),
        p("iam-self", allow(&["iam:PutRolePolicy", "iam:AttachRolePolicy"], &format!("arn:aws:iam::{acct}:role/team-*")), 1),
        p("admin", allow(&["*"], "*"), 1),
    ]
}

/// The policy that lets a team's members assume the team's roles.
fn team_policy(acct: &str, team: usize) -> ManagedPolicy {
    managed(acct, &format!("assume-team-{team}"), allow(&["sts:AssumeRole"], &format!("arn:aws:iam::{acct}:role/team-{team}-*")))
}

const TEAMS: usize = 50;

fn pick<'a>(rng: &mut Rng, pool: &'a [(ManagedPolicy, u32)]) -> &'a ManagedPolicy {
    let total: u32 = pool.iter().map(|(_, w)| *w).sum();
    let mut x = (rng.next() % u64::from(total)) as u32;
    for (p, w) in pool {
        if x < *w {
            return p;
        }
        x -= w;
    }
    &pool[0].0
}

fn role(acct: &str, name: String, path: &str, trust: PolicyDoc, policies: Vec<String>, inline: Vec<InlinePolicy>) -> Role {
    Role {
        arn: format!("arn:aws:iam::{acct}:role{path}{name}"),
        name,
        path: path.into(),
        id: String::new(),
        account_id: acct.into(),
        create_date: None,
        description: None,
        max_session_duration: None,
        role_last_used: None,
        permissions_boundary: None,
        tags: Vec::new(),
        trust_policy: Some(trust),
        inline_policies: inline,
        attached_managed_policies: policies,
        instance_profile_arns: Vec::new(),
        policies_known: true,
    }
}

const SERVICES: [&str; 7] = [
    "lambda.amazonaws.com",
    "ec2.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "glue.amazonaws.com",
    "codebuild.amazonaws.com",
    "sagemaker.amazonaws.com",
    "cloudformation.amazonaws.com",
];

fn generate_account(i: usize, ids: &[String], roles: usize, users: usize, rng: &mut Rng) -> Account {
    let acct = ids[i].clone();
    let pool = policies(&acct);
    let mut a = Account { id: acct.clone(), ..Account::default() };
    let app_inline = InlinePolicy { name: "app".into(), document: doc(allow(&["sqs:SendMessage", "sns:Publish"], "*")) };
    for r in 0..roles {
        let x = rng.percent();
        let mut attached = vec![pick(rng, &pool).arn.clone()];
        if rng.percent() < 40 {
            attached.push(pick(rng, &pool).arn.clone());
        }
        attached.sort();
        attached.dedup();
        let inline = if rng.percent() < 30 { vec![app_inline.clone()] } else { Vec::new() };
        let (name, path, t) = match x {
            0..=34 => {
                let s = SERVICES[if rng.percent() < 45 { 0 } else { rng.below(SERVICES.len()) }];
                let short = s.split('.').next().unwrap_or("svc");
                (format!("svc-{short}-{r}"), "/service/", trust(serde_json::json!({"Service": s}), "sts:AssumeRole", None))
            }
            35..=54 => {
                let mfa = rng.percent() < 50;
                let c = mfa.then(|| serde_json::json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}}));
                (
                    format!("team-{}-{r}", r % TEAMS),
                    "/",
                    trust(serde_json::json!({"AWS": format!("arn:aws:iam::{acct}:root")}), "sts:AssumeRole", c),
                )
            }
            55..=69 => {
                let earlier: Vec<&Role> = a.roles.iter().rev().take(64).filter(|x| x.name.starts_with("team-")).collect();
                let who = if (rng.percent() < 50 && users > 0) || earlier.is_empty() {
                    format!("arn:aws:iam::{acct}:user/user-{}", rng.below(users.max(1)))
                } else {
                    earlier[rng.below(earlier.len())].arn.clone()
                };
                (format!("chain-{r}"), "/", trust(serde_json::json!({"AWS": who}), "sts:AssumeRole", None))
            }
            70..=79 => {
                let other = if ids.len() > 1 {
                    ids[rng.below(ids.len())].clone()
                } else {
                    format!("{:012}", 900_000_000_000u64 + rng.below(50) as u64)
                };
                (
                    format!("cross-{r}"),
                    "/",
                    trust(serde_json::json!({"AWS": format!("arn:aws:iam::{other}:root")}), "sts:AssumeRole", None),
                )
            }
            80..=84 => {
                let vendor = ["464622532012", "454464851268", "107630771604"][rng.below(3)];
                let c = serde_json::json!({"StringEquals": {"sts:ExternalId": format!("ext-{r}")}});
                (
                    format!("vendor-{r}"),
                    "/",
                    trust(serde_json::json!({"AWS": format!("arn:aws:iam::{vendor}:root")}), "sts:AssumeRole", Some(c)),
                )
            }
            85..=89 => {
                let p = format!("arn:aws:iam::{acct}:oidc-provider/token.actions.githubusercontent.com");
                let mut c = serde_json::json!({"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}});
                if rng.percent() < 50 {
                    c["StringLike"] =
                        serde_json::json!({"token.actions.githubusercontent.com:sub": format!("repo:acme/app-{r}:*")});
                }
                (format!("gha-{r}"), "/", trust(serde_json::json!({"Federated": p}), "sts:AssumeRoleWithWebIdentity", Some(c)))
            }
            90..=94 => {
                let p = format!("arn:aws:iam::{acct}:saml-provider/okta");
                let c = serde_json::json!({"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}});
                (format!("sso-{r}"), "/", trust(serde_json::json!({"Federated": p}), "sts:AssumeRoleWithSAML", Some(c)))
            }
            95..=96 => {
                let c = serde_json::json!({"StringEquals": {"aws:PrincipalOrgID": "o-synthetic"}});
                (format!("shared-{r}"), "/", trust(serde_json::json!({"AWS": "*"}), "sts:AssumeRole", Some(c)))
            }
            _ => (
                format!("AWSServiceRoleForThing{r}"),
                "/aws-service-role/thing.amazonaws.com/",
                trust(serde_json::json!({"Service": "thing.amazonaws.com"}), "sts:AssumeRole", None),
            ),
        };
        let mut ro = role(&acct, name, path, t, attached, inline);
        if ro.name.starts_with("svc-ec2") {
            let profile = format!("arn:aws:iam::{acct}:instance-profile/{}", ro.name);
            ro.instance_profile_arns.push(profile.clone());
            a.instance_profiles.push(InstanceProfile {
                arn: profile.clone(),
                name: ro.name.clone(),
                path: "/".into(),
                id: String::new(),
                account_id: acct.clone(),
                create_date: None,
                role_arns: vec![ro.arn.clone()],
                tags: Vec::new(),
            });
            a.ec2_instances.push(Ec2Instance {
                instance_id: format!("i-{r:017x}"),
                account_id: acct.clone(),
                region: Some("eu-west-1".into()),
                name: None,
                state: Some("running".into()),
                instance_type: None,
                instance_profile_arn: Some(profile),
                public_ip: None,
                private_ip: None,
                vpc_id: None,
                subnet_id: None,
                imds_http_tokens: None,
                launch_time: None,
                tags: Vec::new(),
            });
        }
        if ro.name.starts_with("svc-lambda") {
            a.lambda_functions.push(LambdaFunction {
                arn: format!("arn:aws:lambda:eu-west-1:{acct}:function:fn-{r}"),
                name: format!("fn-{r}"),
                account_id: acct.clone(),
                region: Some("eu-west-1".into()),
                role_arn: Some(ro.arn.clone()),
                runtime: None,
                description: None,
                last_modified: None,
                vpc_id: None,
            });
        }
        a.roles.push(ro);
    }
    let groups = ["developers", "ops", "readers", "admins", "data", "ci", "security", "finance", "support", "interns"];
    for (gi, g) in groups.iter().enumerate() {
        let p = match gi {
            0 => vec![pool[5].0.arn.clone(), pool[3].0.arn.clone()],
            1 => vec![pool[6].0.arn.clone()],
            3 => vec![pool[8].0.arn.clone()],
            _ => vec![pool[1].0.arn.clone()],
        };
        a.groups.push(Group {
            arn: format!("arn:aws:iam::{acct}:group/{g}"),
            name: (*g).into(),
            path: "/".into(),
            id: String::new(),
            account_id: acct.clone(),
            create_date: None,
            inline_policies: Vec::new(),
            attached_managed_policies: p,
        });
    }
    for u in 0..users {
        let x = rng.percent();
        let group = match x {
            0..=1 => "admins",
            2..=21 => "developers",
            22..=26 => "ops",
            _ => groups[4 + rng.below(6)],
        };
        let mut attached = Vec::new();
        if rng.percent() < 60 {
            attached.push(team_policy(&acct, u % TEAMS).arn);
        }
        if rng.percent() < 3 {
            attached.push(pool[4].0.arn.clone());
        }
        a.users.push(User {
            arn: format!("arn:aws:iam::{acct}:user/user-{u}"),
            name: format!("user-{u}"),
            path: "/".into(),
            id: String::new(),
            account_id: acct.clone(),
            create_date: None,
            permissions_boundary: None,
            tags: Vec::new(),
            groups: vec![group.into()],
            inline_policies: Vec::new(),
            attached_managed_policies: attached,
            policies_known: true,
        });
    }
    a.policies = pool.into_iter().map(|(p, _)| p).collect();
    a.policies.extend((0..TEAMS).map(|t| team_policy(&acct, t)));
    a.policies.sort_by(|x, y| x.arn.cmp(&y.arn));
    a
}

fn generate(accounts: usize, roles: usize, users: usize, seed: u64) -> Snapshot {
    let ids: Vec<String> = (0..accounts).map(account_id).collect();
    let mut rng = Rng(seed | 1);
    let mut s = Snapshot::new();
    for i in 0..accounts {
        s.accounts.push(generate_account(i, &ids, roles, users, &mut rng));
    }
    if accounts > 1 {
        let full = PolicyDoc::from_json_text(model::FULL_AWS_ACCESS_SCP);
        let region = doc(
            serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "NotAction": ["iam:*", "sts:*", "organizations:*"],
            "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}}}]}),
        );
        let mut targets: Vec<String> = vec!["r-root".into()];
        targets.extend(ids.iter().cloned());
        s.organization = Some(Organization {
            id: Some("o-synthetic".into()),
            management_account_id: Some(ids[0].clone()),
            roots: vec![OrgRoot { id: "r-root".into(), arn: None, name: None }],
            accounts: ids
                .iter()
                .map(|id| OrgAccount {
                    id: id.clone(),
                    arn: None,
                    name: None,
                    email: None,
                    status: None,
                    joined_method: None,
                    joined_timestamp: None,
                    parent_id: Some("r-root".into()),
                })
                .collect(),
            policies: vec![
                OrgPolicy {
                    id: "p-FullAWSAccess".into(),
                    arn: None,
                    name: Some("FullAWSAccess".into()),
                    description: None,
                    policy_type: OrgPolicyType::ServiceControlPolicy,
                    aws_managed: true,
                    document: Some(full),
                    document_from_aws_default: false,
                    targets: Some(targets),
                },
                OrgPolicy {
                    id: "p-regions".into(),
                    arn: None,
                    name: Some("regions".into()),
                    description: None,
                    policy_type: OrgPolicyType::ServiceControlPolicy,
                    aws_managed: false,
                    document: Some(region),
                    document_from_aws_default: false,
                    targets: Some(vec!["r-root".into()]),
                },
            ],
            ..Organization::default()
        });
    }
    s.sort();
    s
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let accounts = arg("--accounts", 1);
    let roles = arg("--roles", 10_000);
    let users = arg("--users", 2_000);
    let threads = arg("--threads", 0);
    let t = Instant::now();
    let s = generate(accounts, roles, users, 42);
    let generated = t.elapsed();
    let options = GraphOptions { threads, ..GraphOptions::default() };
    let t = Instant::now();
    let g = build(&s, &options);
    let built = t.elapsed();
    println!(
        "snapshot: {accounts} accounts, {} roles, {} users (generated in {generated:.2?})",
        s.roles().count(),
        s.users().count()
    );
    println!("build: {built:.2?}");
    println!("nodes: {}, edges: {}", g.nodes().len(), g.edges().len());
    for k in [
        EdgeKind::CanAssume,
        EdgeKind::RunsAs,
        EdgeKind::MemberOf,
        EdgeKind::Privesc,
        EdgeKind::AdminEquivalent,
        EdgeKind::AdminControl,
    ] {
        println!("  {:<17} {}", k.as_str(), g.count(k));
    }
    let st = g.stats();
    println!(
        "evaluations: {}, assume candidates: {}, contradictions: {}, classes: {}",
        st.evaluations, st.assume_candidates, st.contradictions, st.classes
    );
    for (name, d) in &st.phases {
        println!("  phase {name:<28} {d:.2?}");
    }
    for n in g.notes().iter().take(3) {
        println!("note: {n}");
    }
    let t = Instant::now();
    let esc = escalations(&g);
    println!("escalations: {} principals, {:.2?}", esc.len(), t.elapsed());
    let target = s.accounts[0].roles.iter().find(|r| r.name.starts_with("team-")).and_then(|r| g.find_id(&r.arn));
    if let Some(target) = target {
        let t = Instant::now();
        let who = who_can_reach(&g, target);
        println!("who-can-assume {}: {} nodes, {:.2?}", g.node(target).map_or("", |n| n.id.as_str()), who.len(), t.elapsed());
    }
    if !std::env::args().any(|a| a == "--no-json") {
        let t = Instant::now();
        let json = rolegraph_graph::export::render(&g, rolegraph_graph::export::Format::Json);
        println!("json export: {} MB, {:.2?}", json.len() / 1_000_000, t.elapsed());
    }
}
