//! The partial request contexts the graph evaluates with: the keys that follow from who the
//! caller is are known, every other key is unknown, so that conditions on them become the
//! edge's condition instead of being guessed.
//!
//! Known for an IAM user or role of the snapshot: `aws:PrincipalArn`, `aws:PrincipalAccount`,
//! `aws:PrincipalType`, `aws:PrincipalIsAWSService` (false), `aws:PrincipalServiceName`
//! (absent), `aws:username` (a user's name; absent for a role), `aws:MultiFactorAuthPresent` and
//! `aws:MultiFactorAuthAge` (absent for a role that only services and identity providers may
//! assume: [`sessions_without_mfa`]), `aws:userid` (a user's id, when
//! the export has it), `aws:PrincipalOrgID` (when the snapshot has the organization and the
//! account is a member) and `aws:PrincipalTag/*` from the principal's tags. A role session can
//! carry session tags that override the role's: with
//! [`crate::GraphOptions::role_session_tags_unknown`] the tags of roles are left unknown.
//! For a principal that an administrator of an account could create, or one of an account
//! outside the snapshot, only the account (and the ARN, when the trust names one) is known; for
//! services, identity providers and `*`, nothing is.

use eval::{Context, Unknowns};
use model::{Role, Snapshot, Tag, User};

/// Builds a context whose known keys are exactly those set (plus `absent`, known to be absent).
#[derive(Default)]
pub(crate) struct Known {
    ctx: Context,
    patterns: Vec<policy::Pattern>,
}

impl Known {
    pub fn new() -> Self {
        Self::default()
    }

    /// A known key with a value.
    pub fn set(&mut self, key: &str, value: &str) -> &mut Self {
        let lower = key.to_ascii_lowercase();
        self.ctx.set(&lower, value);
        self.patterns.push(policy::Pattern::literal(&lower));
        self
    }

    /// A key known to be absent.
    pub fn absent(&mut self, key: &str) -> &mut Self {
        self.patterns.push(policy::Pattern::literal(&key.to_ascii_lowercase()));
        self
    }

    /// Keys matching a lower-case glob are known (held, or absent).
    pub fn known_glob(&mut self, glob: &str) -> &mut Self {
        self.patterns.push(policy::Pattern::new(glob));
        self
    }

    pub fn build(self) -> Context {
        self.ctx.with_unknowns(Unknowns::AllExcept(self.patterns))
    }
}

/// A context with nothing known.
pub(crate) fn unknown() -> Context {
    Context::new().with_unknowns(Unknowns::All)
}

fn org_id<'a>(snapshot: &'a Snapshot, account: &str) -> Option<&'a str> {
    let org = snapshot.organization.as_ref()?;
    org.account(account)?;
    org.id.as_deref()
}

fn tags(k: &mut Known, tags: &[Tag]) {
    for t in tags {
        k.set(&format!("aws:PrincipalTag/{}", t.key), &t.value);
    }
    k.known_glob("aws:principaltag/*");
}

/// The time of requests made at `now`: `aws:CurrentTime` and `aws:EpochTime` (IAM User
/// Guide, global condition keys: "always included in the request context").
fn times(k: &mut Known, now: Option<model::Timestamp>) {
    if let Some(t) = now {
        k.set("aws:CurrentTime", &t.to_rfc3339()).set("aws:EpochTime", &t.0.timestamp().to_string());
    }
}

fn common(k: &mut Known, snapshot: &Snapshot, arn: &str, account: &str, ty: &str) {
    k.set("aws:PrincipalArn", arn)
        .set("aws:PrincipalAccount", account)
        .set("aws:PrincipalType", ty)
        .set("aws:PrincipalIsAWSService", "false")
        .absent("aws:PrincipalServiceName");
    if let Some(o) = org_id(snapshot, account) {
        k.set("aws:PrincipalOrgID", o);
    }
}

/// The known keys of a user's requests.
pub(crate) fn user(snapshot: &Snapshot, u: &User, now: Option<model::Timestamp>) -> Known {
    let mut k = Known::new();
    common(&mut k, snapshot, &u.arn, &u.account_id, "User");
    times(&mut k, now);
    k.set("aws:username", &u.name);
    if !u.id.is_empty() {
        k.set("aws:userid", &u.id);
    }
    tags(&mut k, &u.tags);
    k
}

/// Whether no session of the role can carry MFA: every `Allow` of its trust policy names only
/// services and identity providers (SAML, OIDC). A service's sessions carry no MFA, and AWS
/// STS issues the credentials of `AssumeRoleWithSAML` and `AssumeRoleWithWebIdentity` without
/// it (IAM User Guide, "Compare AWS STS credentials": MFA support "No" for both; the
/// provider's own MFA is not `aws:MultiFactorAuthPresent`). A trust that names an account, a
/// user, a role or `*`, or that cannot be read, may admit a caller with MFA.
pub(crate) fn sessions_without_mfa(r: &Role) -> bool {
    let Some(policy) = r.trust_policy.as_ref().and_then(|d| d.policy()) else { return false };
    let allows: Vec<&policy::Statement> = policy.statements.iter().filter(|s| s.effect == policy::Effect::Allow).collect();
    !allows.is_empty()
        && allows.iter().all(|s| match &s.principal {
            Some(policy::Block::Only(ps)) => {
                ps.iter().all(|p| matches!(p, policy::Principal::Service(_) | policy::Principal::Federated(_)))
            }
            _ => false,
        })
}

/// The known keys of the requests of a role's sessions. A role whose sessions cannot carry MFA
/// ([`sessions_without_mfa`]) has `aws:MultiFactorAuthPresent` and `aws:MultiFactorAuthAge`
/// known absent: a condition that requires MFA is never met by its sessions.
pub(crate) fn role(snapshot: &Snapshot, r: &Role, session_tags_unknown: bool, now: Option<model::Timestamp>) -> Known {
    let mut k = Known::new();
    common(&mut k, snapshot, &r.arn, &r.account_id, "AssumedRole");
    k.absent("aws:username");
    times(&mut k, now);
    // A session is issued at most its length before the request, never before the role
    // existed: the request's time stands for its issue time (a condition that needs a token
    // issued before the role was created is never met).
    if let Some(t) = now {
        k.set("aws:TokenIssueTime", &t.to_rfc3339());
    }
    if sessions_without_mfa(r) {
        k.absent("aws:MultiFactorAuthPresent").absent("aws:MultiFactorAuthAge");
    }
    if !session_tags_unknown {
        tags(&mut k, &r.tags);
    }
    k
}

/// The known keys of a principal that an administrator of `account` could create: only its
/// account and organization.
pub(crate) fn created_in(snapshot: &Snapshot, account: &str, now: Option<model::Timestamp>) -> Known {
    let mut k = Known::new();
    k.set("aws:PrincipalAccount", account);
    times(&mut k, now);
    if let Some(o) = org_id(snapshot, account) {
        k.set("aws:PrincipalOrgID", o);
    }
    k
}

/// A stand-in for any user (`user`) or any role's session of an account, and the keys known of
/// every such caller: for checks that decide alike for all of them (a trust policy that names
/// only the account).
pub(crate) fn any_principal(snapshot: &Snapshot, account: &str, user: bool, now: Option<model::Timestamp>) -> (String, Known) {
    let partition = snapshot
        .account(account)
        .and_then(|a| a.roles.first())
        .and_then(|r| policy::Arn::parse(&r.arn))
        .map_or("aws", |a| a.partition);
    let (arn, ty) = if user {
        (format!("arn:{partition}:iam::{account}:user/rolegraph-any-user"), "User")
    } else {
        (format!("arn:{partition}:iam::{account}:role/rolegraph-any-role"), "AssumedRole")
    };
    let mut k = Known::new();
    k.set("aws:PrincipalAccount", account)
        .set("aws:PrincipalType", ty)
        .set("aws:PrincipalIsAWSService", "false")
        .absent("aws:PrincipalServiceName");
    if !user {
        k.absent("aws:username");
    }
    times(&mut k, now);
    if !user && let Some(t) = now {
        k.set("aws:TokenIssueTime", &t.to_rfc3339());
    }
    if let Some(o) = org_id(snapshot, account) {
        k.set("aws:PrincipalOrgID", o);
    }
    (arn, k)
}

/// The known keys of a principal of an account outside the snapshot.
pub(crate) fn external(account: &str, arn: Option<&str>) -> Known {
    let mut k = Known::new();
    k.set("aws:PrincipalAccount", account);
    if let Some(a) = arn {
        k.set("aws:PrincipalArn", a);
    }
    k
}

/// Adds a known key to a built context (for a check that sets a key of its own, such as
/// `iam:PassedToService`).
pub(crate) fn with_key(ctx: &Context, key: &str, value: &str) -> Context {
    ctx.with_known(key, value)
}

impl Known {
    /// The context, keeping `self` for more.
    pub fn context(&self) -> Context {
        Known { ctx: self.ctx.clone(), patterns: self.patterns.clone() }.build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eval::Lookup;

    #[test]
    fn known_keys_are_present_or_absent_and_the_rest_unknown() {
        let mut k = Known::new();
        k.set("aws:PrincipalArn", "arn:aws:iam::1:user/u").absent("aws:username").known_glob("aws:principaltag/*");
        k.set("aws:PrincipalTag/team", "red");
        let c = k.build();
        assert!(matches!(c.get("aws:principalarn"), Lookup::Present(_)));
        assert_eq!(c.get("aws:username"), Lookup::Absent);
        assert!(matches!(c.get("aws:principaltag/team"), Lookup::Present(_)));
        assert_eq!(c.get("aws:principaltag/other"), Lookup::Absent);
        assert_eq!(c.get("sts:externalid"), Lookup::Unknown);
    }
}
