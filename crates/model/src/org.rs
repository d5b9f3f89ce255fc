//! AWS Organizations: the tree of roots, OUs and accounts, and the SCPs and RCPs attached to
//! its nodes. The evaluator needs, for an account, the policies of each level from the root
//! down to the account: a request must be allowed at every level.

use serde::{Deserialize, Serialize};

use crate::doc::PolicyDoc;
use crate::time::Timestamp;

/// An organization.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature_set: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub management_account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub management_account_email: Option<String>,
    /// Sorted by id.
    #[serde(default)]
    pub roots: Vec<OrgRoot>,
    /// Sorted by id.
    #[serde(default)]
    pub organizational_units: Vec<OrgUnit>,
    /// Sorted by id.
    #[serde(default)]
    pub accounts: Vec<OrgAccount>,
    /// SCPs, RCPs and other policy types, sorted by id.
    #[serde(default)]
    pub policies: Vec<OrgPolicy>,
}

/// The root of an organization.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgRoot {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// An organizational unit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgUnit {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The root or OU above; `None` when no export said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
}

/// A member account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgAccount {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joined_method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joined_timestamp: Option<Timestamp>,
    /// The root or OU the account is in; `None` when no export said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
}

/// The type of an Organizations policy.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum OrgPolicyType {
    #[serde(rename = "SERVICE_CONTROL_POLICY")]
    ServiceControlPolicy,
    #[serde(rename = "RESOURCE_CONTROL_POLICY")]
    ResourceControlPolicy,
    /// Tag, backup, AI opt-out and other policy types, which do not grant or deny.
    #[serde(untagged)]
    Other(String),
}

impl OrgPolicyType {
    /// From the API's `Type` text.
    pub fn parse(text: &str) -> OrgPolicyType {
        match text {
            "SERVICE_CONTROL_POLICY" => OrgPolicyType::ServiceControlPolicy,
            "RESOURCE_CONTROL_POLICY" => OrgPolicyType::ResourceControlPolicy,
            other => OrgPolicyType::Other(other.to_owned()),
        }
    }

    /// The API's `Type` text.
    pub fn as_str(&self) -> &str {
        match self {
            OrgPolicyType::ServiceControlPolicy => "SERVICE_CONTROL_POLICY",
            OrgPolicyType::ResourceControlPolicy => "RESOURCE_CONTROL_POLICY",
            OrgPolicyType::Other(s) => s,
        }
    }
}

/// An Organizations policy and where it is attached.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrgPolicy {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(rename = "type")]
    pub policy_type: OrgPolicyType,
    pub aws_managed: bool,
    /// The content; `None` when no `describe-policy` output had it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<PolicyDoc>,
    /// Whether `document` is the documented fixed content of `FullAWSAccess` or
    /// `RCPFullAWSAccess`, filled in because the export had only the policy's summary.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub document_from_aws_default: bool,
    /// Ids of the roots, OUs and accounts it is attached to, sorted; `None` when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets: Option<Vec<String>>,
}

/// The kind of a node of the organization tree, from its id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgNodeKind {
    Root,
    OrganizationalUnit,
    Account,
}

impl OrgNodeKind {
    /// `r-...` is a root, `ou-...` an OU, 12 digits an account.
    pub fn of_id(id: &str) -> Option<OrgNodeKind> {
        if id.starts_with("r-") {
            Some(OrgNodeKind::Root)
        } else if id.starts_with("ou-") {
            Some(OrgNodeKind::OrganizationalUnit)
        } else if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
            Some(OrgNodeKind::Account)
        } else {
            None
        }
    }
}

/// The policies of one type attached at one level of the path from the root to an account.
#[derive(Clone, Debug)]
pub struct OrgLevel<'a> {
    pub node_id: String,
    pub kind: OrgNodeKind,
    /// The policies attached at this level.
    pub policies: Vec<&'a OrgPolicy>,
}

/// The policies of one type that apply to an account, level by level from the root.
#[derive(Clone, Debug)]
pub struct OrgPolicyChain<'a> {
    pub account_id: String,
    pub policy_type: OrgPolicyType,
    /// The management account is not affected by SCPs or RCPs.
    pub exempt: bool,
    /// Root first, the account last.
    pub levels: Vec<OrgLevel<'a>>,
    /// Whether every level and every policy's document is known.
    pub complete: bool,
    /// What is unknown, when not complete.
    pub unknown: Vec<String>,
}

impl Organization {
    /// The member account with this id.
    pub fn account(&self, id: &str) -> Option<&OrgAccount> {
        self.accounts.binary_search_by(|a| a.id.as_str().cmp(id)).ok().and_then(|i| self.accounts.get(i))
    }

    /// The OU with this id.
    pub fn organizational_unit(&self, id: &str) -> Option<&OrgUnit> {
        self.organizational_units.binary_search_by(|o| o.id.as_str().cmp(id)).ok().and_then(|i| self.organizational_units.get(i))
    }

    /// The policy with this id.
    pub fn policy(&self, id: &str) -> Option<&OrgPolicy> {
        self.policies.binary_search_by(|p| p.id.as_str().cmp(id)).ok().and_then(|i| self.policies.get(i))
    }

    /// The ids from the root down to the account (root first, account last), or `None` if the
    /// account is not a member. When a parent is unknown, the path stops where it is known
    /// (and starts below the root); see [`Organization::policy_chain`] for completeness.
    pub fn path_from_root(&self, account_id: &str) -> Option<(Vec<String>, bool)> {
        let account = self.account(account_id)?;
        let mut path = vec![account.id.clone()];
        let mut parent = account.parent_id.clone();
        if parent.is_none() && self.ous_provably_absent() {
            parent = self.roots.first().map(|r| r.id.clone());
        }
        let mut complete = true;
        let mut guard = 0;
        loop {
            match parent {
                None => {
                    complete = false;
                    break;
                }
                Some(p) => {
                    guard += 1;
                    if guard > 64 || path.contains(&p) {
                        complete = false;
                        break;
                    }
                    let next = if p.starts_with("r-") {
                        None
                    } else {
                        match self.organizational_unit(&p) {
                            Some(ou) => ou.parent_id.clone(),
                            None => {
                                path.push(p);
                                complete = false;
                                break;
                            }
                        }
                    };
                    let is_root = p.starts_with("r-");
                    path.push(p);
                    if is_root {
                        break;
                    }
                    parent = next;
                }
            }
        }
        path.reverse();
        Some((path, complete))
    }

    /// Whether the organization has no OU, as far as the data proves it: one root, no OU
    /// recorded, and for SCPs or RCPs every policy's targets are known and none is an OU. (AWS
    /// keeps at least one SCP, and `RCPFullAWSAccess`, attached to every OU, so an existing OU
    /// would appear among the targets.) Then an account with no recorded parent is under the root.
    fn ous_provably_absent(&self) -> bool {
        if !self.organizational_units.is_empty() || self.roots.len() != 1 {
            return false;
        }
        [OrgPolicyType::ServiceControlPolicy, OrgPolicyType::ResourceControlPolicy].iter().any(|ty| {
            let mut of_type = self.policies.iter().filter(|p| &p.policy_type == ty).peekable();
            of_type.peek().is_some()
                && of_type.all(|p| p.targets.as_ref().is_some_and(|t| !t.iter().any(|t| t.starts_with("ou-"))))
        })
    }

    /// The policies of `policy_type` that apply to `account_id`, level by level from the root.
    /// `None` if the account is not a member of the organization.
    pub fn policy_chain(&self, account_id: &str, policy_type: &OrgPolicyType) -> Option<OrgPolicyChain<'_>> {
        let (path, path_complete) = self.path_from_root(account_id)?;
        let mut unknown = Vec::new();
        if !path_complete {
            unknown.push(format!("the path from the root to account `{account_id}` is not fully known"));
        }
        let of_type: Vec<&OrgPolicy> = self.policies.iter().filter(|p| &p.policy_type == policy_type).collect();
        for p in &of_type {
            if p.targets.is_none() {
                unknown.push(format!("the targets of policy `{}` are unknown", p.id));
            }
        }
        let mut levels = Vec::with_capacity(path.len());
        for node in path {
            let kind = OrgNodeKind::of_id(&node).unwrap_or(OrgNodeKind::OrganizationalUnit);
            let policies: Vec<&OrgPolicy> =
                of_type.iter().copied().filter(|p| p.targets.as_ref().is_some_and(|t| t.contains(&node))).collect();
            for p in &policies {
                if p.document.as_ref().and_then(|d| d.policy()).is_none() {
                    unknown.push(format!("the content of policy `{}` is unknown or invalid", p.id));
                }
            }
            levels.push(OrgLevel { node_id: node, kind, policies });
        }
        unknown.sort();
        unknown.dedup();
        let exempt = self.management_account_id.as_deref() == Some(account_id);
        Some(OrgPolicyChain {
            account_id: account_id.to_owned(),
            policy_type: policy_type.clone(),
            exempt,
            complete: unknown.is_empty(),
            levels,
            unknown,
        })
    }

    /// Sorts every list by id, for deterministic output.
    pub fn sort(&mut self) {
        self.roots.sort_by(|a, b| a.id.cmp(&b.id));
        self.organizational_units.sort_by(|a, b| a.id.cmp(&b.id));
        self.accounts.sort_by(|a, b| a.id.cmp(&b.id));
        self.policies.sort_by(|a, b| a.id.cmp(&b.id));
        for p in &mut self.policies {
            if let Some(t) = &mut p.targets {
                t.sort();
                t.dedup();
            }
        }
    }
}

/// The documented content of the AWS-managed `FullAWSAccess` SCP.
pub const FULL_AWS_ACCESS_SCP: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// The documented content of the AWS-managed `RCPFullAWSAccess` RCP.
pub const FULL_AWS_ACCESS_RCP: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn scp(id: &str, targets: Option<&[&str]>, doc: &str) -> OrgPolicy {
        OrgPolicy {
            id: id.into(),
            arn: None,
            name: Some(id.into()),
            description: None,
            policy_type: OrgPolicyType::ServiceControlPolicy,
            aws_managed: false,
            document: Some(PolicyDoc::from_policy_text(doc)),
            document_from_aws_default: false,
            targets: targets.map(|t| t.iter().map(|s| s.to_string()).collect()),
        }
    }

    fn acct(id: &str, parent: Option<&str>) -> OrgAccount {
        OrgAccount {
            id: id.into(),
            arn: None,
            name: None,
            email: None,
            status: None,
            joined_method: None,
            joined_timestamp: None,
            parent_id: parent.map(Into::into),
        }
    }

    fn org() -> Organization {
        let mut o = Organization {
            management_account_id: Some("999999999999".into()),
            roots: vec![OrgRoot { id: "r-ab12".into(), arn: None, name: Some("Root".into()) }],
            organizational_units: vec![
                OrgUnit {
                    id: "ou-ab12-11111111".into(),
                    arn: None,
                    name: Some("Workloads".into()),
                    parent_id: Some("r-ab12".into()),
                },
                OrgUnit {
                    id: "ou-ab12-22222222".into(),
                    arn: None,
                    name: Some("Prod".into()),
                    parent_id: Some("ou-ab12-11111111".into()),
                },
            ],
            accounts: vec![
                acct("111111111111", Some("ou-ab12-22222222")),
                acct("999999999999", Some("r-ab12")),
                acct("222222222222", None),
            ],
            policies: vec![
                scp(
                    "p-FullAWSAccess",
                    Some(&["r-ab12", "ou-ab12-11111111", "ou-ab12-22222222", "111111111111", "999999999999"]),
                    FULL_AWS_ACCESS_SCP,
                ),
                scp(
                    "p-denyleave",
                    Some(&["r-ab12"]),
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}"#,
                ),
                scp(
                    "p-regions",
                    Some(&["ou-ab12-22222222"]),
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":"iam:*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1"]}}}]}"#,
                ),
            ],
            ..Organization::default()
        };
        o.sort();
        o
    }

    #[test]
    fn chain_from_root_to_account() {
        let o = org();
        let chain = o.policy_chain("111111111111", &OrgPolicyType::ServiceControlPolicy).unwrap();
        assert!(chain.complete, "{:?}", chain.unknown);
        assert!(!chain.exempt);
        let levels: Vec<(&str, Vec<&str>)> =
            chain.levels.iter().map(|l| (l.node_id.as_str(), l.policies.iter().map(|p| p.id.as_str()).collect())).collect();
        assert_eq!(
            levels,
            vec![
                ("r-ab12", vec!["p-FullAWSAccess", "p-denyleave"]),
                ("ou-ab12-11111111", vec!["p-FullAWSAccess"]),
                ("ou-ab12-22222222", vec!["p-FullAWSAccess", "p-regions"]),
                ("111111111111", vec!["p-FullAWSAccess"]),
            ]
        );
        assert_eq!(chain.levels.first().unwrap().kind, OrgNodeKind::Root);
        assert_eq!(chain.levels.last().unwrap().kind, OrgNodeKind::Account);
    }

    #[test]
    fn management_account_is_exempt_and_unknowns_are_reported() {
        let o = org();
        let chain = o.policy_chain("999999999999", &OrgPolicyType::ServiceControlPolicy).unwrap();
        assert!(chain.exempt);
        let chain = o.policy_chain("222222222222", &OrgPolicyType::ServiceControlPolicy).unwrap();
        assert!(!chain.complete);
        assert!(chain.unknown.iter().any(|u| u.contains("path from the root")), "{:?}", chain.unknown);
        assert!(o.policy_chain("333333333333", &OrgPolicyType::ServiceControlPolicy).is_none());

        let mut o = org();
        o.policies.push(scp("p-zzzzzzzz", None, FULL_AWS_ACCESS_SCP));
        o.sort();
        let chain = o.policy_chain("111111111111", &OrgPolicyType::ServiceControlPolicy).unwrap();
        assert!(!chain.complete);
        assert_eq!(chain.unknown, vec!["the targets of policy `p-zzzzzzzz` are unknown"]);
    }

    #[test]
    fn flat_organization_without_ous_puts_accounts_under_the_root() {
        let mut o = org();
        o.organizational_units.clear();
        o.accounts = vec![acct("111111111111", None)];
        // Policies still target OUs: an OU exists that the data does not show.
        let (_, complete) = o.path_from_root("111111111111").unwrap();
        assert!(!complete);
        for p in &mut o.policies {
            if let Some(t) = &mut p.targets {
                t.retain(|t| !t.starts_with("ou-"));
            }
        }
        let (path, complete) = o.path_from_root("111111111111").unwrap();
        assert!(complete);
        assert_eq!(path, vec!["r-ab12", "111111111111"]);
    }

    #[test]
    fn policy_type_serde() {
        assert_eq!(serde_json::to_string(&OrgPolicyType::ResourceControlPolicy).unwrap(), "\"RESOURCE_CONTROL_POLICY\"");
        assert_eq!(serde_json::from_str::<OrgPolicyType>("\"TAG_POLICY\"").unwrap(), OrgPolicyType::Other("TAG_POLICY".into()));
        assert_eq!(
            serde_json::from_str::<OrgPolicyType>("\"SERVICE_CONTROL_POLICY\"").unwrap(),
            OrgPolicyType::ServiceControlPolicy
        );
    }
}
