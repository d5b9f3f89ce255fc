//! The typed snapshot of AWS accounts: an organization, principals, policies, compute resources
//! and collection gaps, in a versioned schema. No I/O: `rolegraph-ingest` and the collectors
//! build it, the graph, rules and reports read it.
//!
//! Every policy document is a [`PolicyDoc`]: raw JSON for display and evidence, and the parsed
//! AST (`rolegraph-policy`) for evaluation, or the parse error. Lists are sorted by ARN or id, so
//! a snapshot serialises deterministically and lookups are binary searches.

pub mod activity;
pub mod compute;
pub mod doc;
pub mod gap;
pub mod iam;
pub mod org;
pub mod resource;
pub mod snapshot;
pub mod text;
pub mod time;

pub use activity::{AccessKeyInfo, CertificateInfo, CredentialReport, CredentialRow, LastAccessedReport, ServiceLastAccessed};
pub use compute::{
    Ec2Instance, EcsService, EcsTaskDefinition, LambdaFunction, RoleUse, ServiceKind, ServiceResource, UseKind, region_of_arn,
    region_of_zone,
};
pub use doc::PolicyDoc;
pub use gap::{DataKind, Gap, GapKind};
pub use iam::{
    Group, InlinePolicy, InstanceProfile, ManagedPolicy, PolicyVersion, Role, RoleLastUsed, Tag, User, is_aws_managed_policy_arn,
    version_order,
};
pub use org::{
    FULL_AWS_ACCESS_RCP, FULL_AWS_ACCESS_SCP, OrgAccount, OrgLevel, OrgNodeKind, OrgPolicy, OrgPolicyChain, OrgPolicyType,
    OrgRoot, OrgUnit, Organization,
};
pub use resource::{KmsGrant, PolicyResource, PublicAccessBlock, ResourceKind};
pub use snapshot::{Account, PolicySource, PrincipalPolicies, SCHEMA_VERSION, Snapshot};
pub use text::{Interner, Safe, terminal_safe, terminal_safe_lines, terminal_safe_owned};
pub use time::Timestamp;

#[cfg(test)]
mod tests;
