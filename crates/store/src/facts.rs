//! The facts of one snapshot that the store keeps in normalized tables and that diffs compare:
//! per role its trust, its privilege and privileged actions, who can reach it, the resources
//! that run as it; and the findings by fingerprint. Plain data: `rolegraph-diff` computes them
//! from a snapshot with the engine, this crate stores, loads and compares them.

use serde::{Deserialize, Serialize};

/// Everything a diff compares, for one snapshot. Lists are sorted (roles by ARN, findings by
/// fingerprint), so equal snapshots give equal facts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    pub roles: Vec<RoleFacts>,
    pub findings: Vec<FindingFact>,
    /// Who can become administrator of each account, sorted by node.
    #[serde(default)]
    pub admins: Vec<AdminFacts>,
}

/// The principals that can reach administrator access to one account.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminFacts {
    /// The graph's administrator node: `admin:ACCOUNT`.
    pub node: String,
    /// Sorted.
    pub reached_by: Vec<String>,
    /// The part of `reached_by` that gets there only under conditions (every path has an edge
    /// that holds only if some condition does), sorted.
    #[serde(default)]
    pub conditional_reach: Vec<String>,
}

/// What is compared of one role.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleFacts {
    pub arn: String,
    pub account_id: String,
    pub name: String,
    /// A hash of the trust policy document (empty when the exports lack it).
    pub trust_hash: String,
    /// A hash of the documents that make up the role's permissions: its inline policies, the
    /// default versions of its managed policies and its boundary (organization policies are
    /// not in it; their effect shows in `privileged_actions`).
    pub permissions_hash: String,
    /// The highest privilege level (`admin`, `privilege-escalation`, ..., `none`).
    pub privilege: String,
    /// The privileged actions the engine grants the role (admin-equivalent evidence,
    /// permissions management, privilege escalation, credential exposure, data access, resource
    /// exposure), sorted.
    pub privileged_actions: Vec<String>,
    /// Sorted by (principal, kind).
    pub trusted: Vec<TrustedFact>,
    /// Sorted by (kind, resource).
    pub uses: Vec<UseFact>,
    /// The principals that can come to act as this role through the authorization graph (only
    /// for privileged roles), sorted. The administrators of an account count once, as their
    /// account's administrator node (`admin:ACCOUNT`).
    pub reached_by: Vec<String>,
    /// The part of `reached_by` that reaches the role only under conditions: every path from it
    /// has an edge that holds only if some condition does (an `sts:ExternalId`, an OIDC `sub`,
    /// a source IP...). Sorted.
    #[serde(default)]
    pub conditional_reach: Vec<String>,
}

/// A principal a trust policy allows to assume the role.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TrustedFact {
    /// As written: an ARN, an account id, a service, a provider, `*`.
    pub principal: String,
    /// `service`, `account`, `iam-role`, `everyone`, ...
    pub kind: String,
    /// `service`, `same-account`, `org`, `vendor`, `external`, `saml`, `oidc`, `everyone`, or
    /// empty when uncategorized.
    pub category: String,
    /// One line for people, with the conditions that guard it.
    pub summary: String,
}

impl TrustedFact {
    /// Whether this principal is outside the organization: an external or vendor account,
    /// or everyone.
    pub fn is_outside(&self) -> bool {
        matches!(self.category.as_str(), "external" | "vendor" | "everyone")
    }
}

/// A resource that runs as the role.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UseFact {
    /// `lambda-function`, `ec2-instance`, `ecs-task-role`, ...
    pub kind: String,
    pub resource: String,
    pub name: String,
}

/// A finding, by its stable fingerprint.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FindingFact {
    pub fingerprint: String,
    pub rule: String,
    pub severity: String,
    pub subject: String,
    pub message: String,
}

impl Facts {
    /// Sorts every list, as the store and the comparison expect.
    pub fn sort(&mut self) {
        self.roles.sort_by(|a, b| a.arn.cmp(&b.arn));
        for r in &mut self.roles {
            r.sort();
        }
        self.findings.sort();
        self.findings.dedup_by(|a, b| a.fingerprint == b.fingerprint);
        self.admins.sort_by(|a, b| a.node.cmp(&b.node));
        for a in &mut self.admins {
            a.reached_by.sort();
            a.reached_by.dedup();
            a.conditional_reach.sort();
            a.conditional_reach.dedup();
        }
    }

    /// The role with this ARN.
    pub fn role(&self, arn: &str) -> Option<&RoleFacts> {
        self.roles.binary_search_by(|r| r.arn.as_str().cmp(arn)).ok().and_then(|i| self.roles.get(i))
    }
}

impl RoleFacts {
    /// Sorts and deduplicates the lists of the role.
    pub fn sort(&mut self) {
        self.privileged_actions.sort();
        self.privileged_actions.dedup();
        self.trusted.sort();
        self.trusted.dedup_by(|a, b| a.principal == b.principal && a.kind == b.kind);
        self.uses.sort();
        self.uses.dedup();
        self.reached_by.sort();
        self.reached_by.dedup();
        self.conditional_reach.sort();
        self.conditional_reach.dedup();
    }
}
