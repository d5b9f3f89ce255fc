//! Tests of the whole build on tiny snapshots written in the tests: a builder for them, and
//! the tests by theme.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test stops at the first unexpected value"
)]

mod capabilities;
mod chains;
mod edges;
mod exports;
mod observed;
mod privesc;
mod resources;

use model::{
    Account, Ec2Instance, Group, InlinePolicy, InstanceProfile, LambdaFunction, ManagedPolicy, OrgAccount, OrgPolicy,
    OrgPolicyType, OrgRoot, Organization, PolicyDoc, PolicyVersion, Role, Snapshot, Tag, User,
};

use crate::{Edge, EdgeKind, Graph, GraphOptions, build};

pub(crate) const A: &str = "111111111111";
pub(crate) const B: &str = "222222222222";
pub(crate) const C: &str = "333333333333";

pub(crate) fn role_arn(acct: &str, name: &str) -> String {
    format!("arn:aws:iam::{acct}:role/{name}")
}

pub(crate) fn user_arn(acct: &str, name: &str) -> String {
    format!("arn:aws:iam::{acct}:user/{name}")
}

pub(crate) fn group_arn(acct: &str, name: &str) -> String {
    format!("arn:aws:iam::{acct}:group/{name}")
}

/// A policy of one statement.
pub(crate) fn allow(actions: &[&str], resource: &str) -> String {
    serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resource}]})
        .to_string()
}

pub(crate) fn deny(actions: &[&str], resource: &str) -> String {
    serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": actions, "Resource": resource}]})
        .to_string()
}

/// A trust policy naming one principal (`{"AWS": ...}`, `{"Service": ...}`, ...), with an
/// optional condition block.
pub(crate) fn trust(principal: serde_json::Value, action: &str, condition: Option<serde_json::Value>) -> String {
    let mut s = serde_json::json!({"Effect": "Allow", "Principal": principal, "Action": action});
    if let Some(c) = condition {
        s["Condition"] = c;
    }
    serde_json::json!({"Version": "2012-10-17", "Statement": [s]}).to_string()
}

pub(crate) fn trust_aws(who: &str) -> String {
    trust(serde_json::json!({"AWS": who}), "sts:AssumeRole", None)
}

pub(crate) fn trust_service(service: &str) -> String {
    trust(serde_json::json!({"Service": service}), "sts:AssumeRole", None)
}

fn doc(json: &str) -> PolicyDoc {
    let d = PolicyDoc::from_json_text(json);
    assert!(d.policy().is_some(), "test policy does not parse: {:?} {json}", d.error());
    d
}

fn inline(policies: &[&str]) -> Vec<InlinePolicy> {
    policies.iter().enumerate().map(|(i, p)| InlinePolicy { name: format!("p{i}"), document: doc(p) }).collect()
}

/// A snapshot under construction.
#[derive(Default)]
pub(crate) struct Snap {
    pub s: Snapshot,
    pub options: GraphOptions,
}

impl Snap {
    pub fn new() -> Snap {
        Snap { s: Snapshot::new(), options: GraphOptions { threads: 1, ..GraphOptions::default() } }
    }

    pub fn account(&mut self, id: &str) -> &mut Account {
        if self.s.account(id).is_none() {
            self.s.accounts.push(Account { id: id.to_owned(), ..Account::default() });
            self.s.sort();
        }
        self.s.accounts.iter_mut().find(|a| a.id == id).unwrap()
    }

    pub fn role(&mut self, acct: &str, name: &str, trust: &str, policies: &[&str]) -> &mut Role {
        let r = Role {
            arn: role_arn(acct, name),
            name: name.into(),
            path: "/".into(),
            id: String::new(),
            account_id: acct.into(),
            create_date: None,
            description: None,
            max_session_duration: None,
            role_last_used: None,
            permissions_boundary: None,
            tags: Vec::new(),
            trust_policy: Some(doc(trust)),
            inline_policies: inline(policies),
            attached_managed_policies: Vec::new(),
            instance_profile_arns: Vec::new(),
            policies_known: true,
        };
        let a = self.account(acct);
        a.roles.push(r);
        a.roles.last_mut().unwrap()
    }

    pub fn user(&mut self, acct: &str, name: &str, policies: &[&str]) -> &mut User {
        let u = User {
            arn: user_arn(acct, name),
            name: name.into(),
            path: "/".into(),
            id: String::new(),
            account_id: acct.into(),
            create_date: None,
            permissions_boundary: None,
            tags: Vec::new(),
            groups: Vec::new(),
            inline_policies: inline(policies),
            attached_managed_policies: Vec::new(),
            policies_known: true,
        };
        let a = self.account(acct);
        a.users.push(u);
        a.users.last_mut().unwrap()
    }

    pub fn group(&mut self, acct: &str, name: &str, policies: &[&str], members: &[&str]) -> &mut Group {
        let g = Group {
            arn: group_arn(acct, name),
            name: name.into(),
            path: "/".into(),
            id: String::new(),
            account_id: acct.into(),
            create_date: None,
            inline_policies: inline(policies),
            attached_managed_policies: Vec::new(),
        };
        let a = self.account(acct);
        for u in &mut a.users {
            if members.contains(&u.name.as_str()) {
                u.groups.push(name.into());
            }
        }
        a.groups.push(g);
        a.groups.last_mut().unwrap()
    }

    /// A customer-managed policy; returns its ARN.
    pub fn managed(&mut self, acct: &str, name: &str, json: &str) -> String {
        let arn = format!("arn:aws:iam::{acct}:policy/{name}");
        let p = ManagedPolicy {
            arn: arn.clone(),
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
            versions: vec![PolicyVersion { version_id: "v1".into(), is_default: true, create_date: None, document: doc(json) }],
        };
        self.account(acct).policies.push(p);
        arn
    }

    /// A permissions boundary (a customer-managed policy) on a user or role.
    pub fn boundary(&mut self, acct: &str, principal: &str, json: &str) {
        let arn = self.managed(acct, &format!("boundary-{principal}"), json);
        let a = self.account(acct);
        if let Some(u) = a.users.iter_mut().find(|u| u.name == principal) {
            u.permissions_boundary = Some(arn);
        } else if let Some(r) = a.roles.iter_mut().find(|r| r.name == principal) {
            r.permissions_boundary = Some(arn);
        } else {
            panic!("no principal {principal}");
        }
    }

    pub fn tag_user(&mut self, acct: &str, user: &str, key: &str, value: &str) {
        let u = self.account(acct).users.iter_mut().find(|u| u.name == user).unwrap();
        u.tags.push(Tag { key: key.into(), value: value.into() });
    }

    /// An SCP attached to some accounts of an organization `o-test` (created with
    /// `FullAWSAccess` on its root and accounts).
    pub fn scp(&mut self, accounts: &[&str], json: &str) {
        let org = self.s.organization.get_or_insert_with(|| Organization {
            id: Some("o-test".into()),
            roots: vec![OrgRoot { id: "r-root".into(), arn: None, name: None }],
            ..Organization::default()
        });
        let ids: Vec<String> = self.s.accounts.iter().map(|a| a.id.clone()).collect();
        for id in &ids {
            if org.account(id).is_none() {
                org.accounts.push(OrgAccount {
                    id: id.clone(),
                    arn: None,
                    name: None,
                    email: None,
                    status: None,
                    joined_method: None,
                    joined_timestamp: None,
                    parent_id: Some("r-root".into()),
                });
            }
        }
        let full = org.policies.iter().position(|p| p.id == "p-FullAWSAccess");
        let mut targets: Vec<String> = vec!["r-root".into()];
        targets.extend(ids.iter().cloned());
        match full {
            Some(i) => org.policies[i].targets = Some(targets),
            None => org.policies.push(OrgPolicy {
                id: "p-FullAWSAccess".into(),
                arn: None,
                name: Some("FullAWSAccess".into()),
                description: None,
                policy_type: OrgPolicyType::ServiceControlPolicy,
                aws_managed: true,
                document: Some(doc(model::FULL_AWS_ACCESS_SCP)),
                document_from_aws_default: false,
                targets: Some(targets),
            }),
        }
        let n = org.policies.len();
        org.policies.push(OrgPolicy {
            id: format!("p-custom{n}"),
            arn: None,
            name: Some(format!("custom{n}")),
            description: None,
            policy_type: OrgPolicyType::ServiceControlPolicy,
            aws_managed: false,
            document: Some(doc(json)),
            document_from_aws_default: false,
            targets: Some(accounts.iter().map(|a| (*a).to_owned()).collect()),
        });
        org.sort();
    }

    /// An EC2 instance whose profile holds the role.
    pub fn instance(&mut self, acct: &str, id: &str, role: &str) {
        let profile = format!("arn:aws:iam::{acct}:instance-profile/{role}");
        let a = self.account(acct);
        a.instance_profiles.push(InstanceProfile {
            arn: profile.clone(),
            name: role.into(),
            path: "/".into(),
            id: String::new(),
            account_id: acct.into(),
            create_date: None,
            role_arns: vec![role_arn(acct, role)],
            tags: Vec::new(),
        });
        if let Some(r) = a.roles.iter_mut().find(|r| r.name == role) {
            r.instance_profile_arns.push(profile.clone());
        }
        a.ec2_instances.push(Ec2Instance {
            instance_id: id.into(),
            account_id: acct.into(),
            region: Some("us-east-1".into()),
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

    pub fn function(&mut self, acct: &str, name: &str, role: &str) -> String {
        let arn = format!("arn:aws:lambda:us-east-1:{acct}:function:{name}");
        self.account(acct).lambda_functions.push(LambdaFunction {
            arn: arn.clone(),
            name: name.into(),
            account_id: acct.into(),
            region: Some("us-east-1".into()),
            role_arn: Some(role_arn(acct, role)),
            runtime: None,
            description: None,
            last_modified: None,
            vpc_id: None,
        });
        arn
    }

    pub fn build(&self) -> Graph {
        let mut s = self.s.clone();
        s.sort();
        build(&s, &self.options)
    }
}

/// The edges from one node id to another, of a kind (through capability nodes too).
pub(crate) fn edges(g: &Graph, from: &str, to: &str, kind: EdgeKind) -> Vec<Edge> {
    let (Some(f), Some(t)) = (g.find_id(from), g.find_id(to)) else { return Vec::new() };
    g.links(f, t).into_iter().filter(|e| e.kind == kind).collect()
}

pub(crate) fn edge(g: &Graph, from: &str, to: &str, kind: EdgeKind) -> Edge {
    match edges(g, from, to, kind).into_iter().next() {
        Some(e) => e,
        None => panic!(
            "no {} edge {from} -> {to}; edges: {:#?}",
            kind.as_str(),
            g.edges()
                .iter()
                .map(|e| format!(
                    "{} -{}-> {}",
                    g.nodes()[e.from as usize].id,
                    crate::export::edge_label_for_tests(e),
                    g.nodes()[e.to as usize].id
                ))
                .collect::<Vec<_>>()
        ),
    }
}

/// The path ids of every way from one node id to another (through capability nodes too).
pub(crate) fn way_paths(g: &Graph, from: &str, to: &str) -> Vec<&'static str> {
    let (Some(f), Some(t)) = (g.find_id(from), g.find_id(to)) else { return Vec::new() };
    let mut v: Vec<&'static str> =
        g.links(f, t).iter().flat_map(|e| e.ways().iter().filter_map(|w| w.path).collect::<Vec<_>>()).collect();
    v.sort_unstable();
    v.dedup();
    v
}
