//! Who makes a request, parsed from its ARN (or service or provider name), and how a
//! `Principal` element of a resource-based or trust policy names it.
//!
//! How strongly a statement names the caller matters to the decision: within one account a
//! resource-based policy that names a user or a role *session* allows on its own, while one that
//! names the *role* is still limited by the role's permission boundary and session policy, and
//! one that names the whole *account* delegates to the account's identity policies.

use policy::Principal;

/// The kind of caller.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CallerKind {
    /// The account's root user.
    Root,
    /// An IAM user.
    User { name: String },
    /// An IAM role given by its role ARN: some session of it, whose name is not known.
    Role { name: String },
    /// A role session (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`).
    RoleSession { role: String, session: String },
    /// A federated user (`arn:aws:sts::ACCOUNT:federated-user/NAME`).
    FederatedUser { name: String },
    /// An AWS service (`lambda.amazonaws.com`).
    Service(String),
    /// A SAML or OIDC identity provider (ARN), or a web identity provider name
    /// (`cognito-identity.amazonaws.com`): callers of AssumeRoleWithSAML/WithWebIdentity.
    Federated(String),
    /// An unauthenticated caller.
    Anonymous,
    /// Anything else (kept as given; matches only `*` and its exact text).
    Other,
}

/// A parsed caller.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Caller {
    /// As given.
    pub arn: String,
    pub partition: String,
    pub account: Option<String>,
    pub kind: CallerKind,
}

impl Caller {
    /// Parses a principal as a request names it.
    pub fn parse(principal: &str) -> Caller {
        let other = |kind| Caller { arn: principal.to_owned(), partition: "aws".into(), account: None, kind };
        if principal.is_empty() || principal == "*" || principal.eq_ignore_ascii_case("anonymous") {
            return other(CallerKind::Anonymous);
        }
        let Some(arn) = policy::Arn::parse(principal) else {
            if principal.ends_with(".amazonaws.com") || principal.ends_with(".amazonaws.com.cn") {
                if principal.starts_with("cognito-identity.") {
                    return other(CallerKind::Federated(principal.to_owned()));
                }
                return other(CallerKind::Service(principal.to_owned()));
            }
            if matches!(principal, "accounts.google.com" | "graph.facebook.com" | "www.amazon.com") {
                return other(CallerKind::Federated(principal.to_owned()));
            }
            return other(CallerKind::Other);
        };
        let account = Some(arn.account.to_owned()).filter(|a| !a.is_empty());
        let (rtype, rest) = arn.resource_type_and_id();
        let last = |s: &str| s.rsplit('/').next().unwrap_or(s).to_owned();
        let kind = match (arn.service, rtype) {
            ("iam", "") if arn.resource == "root" => CallerKind::Root,
            ("iam", "user") => CallerKind::User { name: last(rest) },
            ("iam", "role") => CallerKind::Role { name: last(rest) },
            ("iam", "saml-provider" | "oidc-provider") => CallerKind::Federated(principal.to_owned()),
            ("sts", "assumed-role") => match rest.split_once('/') {
                Some((role, session)) => CallerKind::RoleSession { role: role.to_owned(), session: session.to_owned() },
                None => CallerKind::Other,
            },
            ("sts", "federated-user") => CallerKind::FederatedUser { name: rest.to_owned() },
            _ => CallerKind::Other,
        };
        Caller { arn: principal.to_owned(), partition: arn.partition.to_owned(), account, kind }
    }

    /// Whether the caller is an IAM identity of an account (not a service, provider, or
    /// anonymous): one that has identity-based policies.
    pub fn is_iam_identity(&self) -> bool {
        matches!(
            self.kind,
            CallerKind::Root
                | CallerKind::User { .. }
                | CallerKind::Role { .. }
                | CallerKind::RoleSession { .. }
                | CallerKind::FederatedUser { .. }
        )
    }

    /// The role name if the caller is a role or a role session.
    pub fn role_name(&self) -> Option<&str> {
        match &self.kind {
            CallerKind::Role { name } | CallerKind::RoleSession { role: name, .. } => Some(name),
            _ => None,
        }
    }
}

/// How strongly one `Principal` entry names the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Naming {
    /// It does not.
    No,
    /// The caller's whole account (`123456789012` or `arn:aws:iam::123456789012:root`).
    Account,
    /// Everyone (`*`).
    Everyone,
    /// The role of which the caller is a session.
    Role,
    /// The caller itself: its user, role session, federated user, service or provider.
    Exactly,
    /// A role session of the caller's role, with this session name: the caller is given as a
    /// role whose session name is unknown, so this holds only for that session name.
    SessionNamed,
}

fn account_of_principal(value: &str) -> Option<&str> {
    if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(value);
    }
    let arn = policy::Arn::parse(value)?;
    (arn.service == "iam" && arn.resource == "root").then_some(arn.account)
}

/// How `p` names `caller`.
pub fn naming(p: &Principal, caller: &Caller) -> Naming {
    match p {
        Principal::Any => Naming::Everyone,
        Principal::Aws(v) if v == "*" => Naming::Everyone,
        Principal::Aws(v) => {
            if let Some(acct) = account_of_principal(v) {
                return if caller.is_iam_identity() && caller.account.as_deref() == Some(acct) {
                    Naming::Account
                } else {
                    Naming::No
                };
            }
            if *v == caller.arn && !matches!(caller.kind, CallerKind::Role { .. }) {
                return Naming::Exactly;
            }
            let Some(arn) = policy::Arn::parse(v) else { return Naming::No };
            if caller.account.as_deref() != Some(arn.account) {
                return Naming::No;
            }
            let (rtype, rest) = arn.resource_type_and_id();
            match (arn.service, rtype, &caller.kind) {
                ("iam", "role", CallerKind::RoleSession { role, .. }) => {
                    if rest.rsplit('/').next() == Some(role.as_str()) {
                        Naming::Role
                    } else {
                        Naming::No
                    }
                }
                ("iam", "role", CallerKind::Role { name }) => {
                    if rest.rsplit('/').next() == Some(name.as_str()) {
                        Naming::Role
                    } else {
                        Naming::No
                    }
                }
                ("sts", "assumed-role", CallerKind::Role { name }) => match rest.split_once('/') {
                    Some((role, _)) if role == name => Naming::SessionNamed,
                    _ => Naming::No,
                },
                _ => Naming::No,
            }
        }
        Principal::Service(s) => match &caller.kind {
            CallerKind::Service(c) if c.eq_ignore_ascii_case(s) => Naming::Exactly,
            _ => Naming::No,
        },
        Principal::Federated(f) => match &caller.kind {
            CallerKind::Federated(c) if c == f => Naming::Exactly,
            _ => Naming::No,
        },
        Principal::CanonicalUser(c) => {
            if *c == caller.arn {
                Naming::Exactly
            } else {
                Naming::No
            }
        }
    }
}

/// The session name a `Principal` entry requires when it names a session of the caller's role.
pub fn named_session<'a>(p: &'a Principal, caller: &Caller) -> Option<&'a str> {
    let Principal::Aws(v) = p else { return None };
    if naming(p, caller) != Naming::SessionNamed {
        return None;
    }
    let arn = policy::Arn::parse(v)?;
    arn.resource_type_and_id().1.split_once('/').map(|(_, s)| s)
}

/// Whether every identity of the caller (its session, its role, its account) is among the
/// `NotPrincipal` entries: only then does a `NotPrincipal` statement not apply to it. AWS's
/// documentation asks that `NotPrincipal` list the session ARN, the role ARN and the account
/// for a role session to be excluded, because each of these identities is checked.
pub fn excluded_by_not_principal(entries: &[Principal], caller: &Caller) -> bool {
    let names = |want: Naming| entries.iter().any(|p| naming(p, caller) == want);
    if entries.iter().any(|p| naming(p, caller) == Naming::Everyone) {
        return true;
    }
    match &caller.kind {
        CallerKind::RoleSession { .. } => names(Naming::Exactly) && names(Naming::Role) && names(Naming::Account),
        CallerKind::Role { .. } => names(Naming::Role) && names(Naming::Account),
        CallerKind::User { .. } | CallerKind::FederatedUser { .. } => names(Naming::Exactly) && names(Naming::Account),
        CallerKind::Root => names(Naming::Account) || names(Naming::Exactly),
        _ => names(Naming::Exactly),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_callers() {
        let c = Caller::parse("arn:aws:sts::111122223333:assumed-role/Deploy/ci-run");
        assert_eq!(c.account.as_deref(), Some("111122223333"));
        assert_eq!(c.kind, CallerKind::RoleSession { role: "Deploy".into(), session: "ci-run".into() });
        assert_eq!(Caller::parse("arn:aws:iam::1:user/path/alice").kind, CallerKind::User { name: "alice".into() });
        assert_eq!(Caller::parse("arn:aws:iam::111122223333:root").kind, CallerKind::Root);
        assert_eq!(Caller::parse("lambda.amazonaws.com").kind, CallerKind::Service("lambda.amazonaws.com".into()));
        assert_eq!(Caller::parse("").kind, CallerKind::Anonymous);
        assert!(matches!(
            Caller::parse("arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com").kind,
            CallerKind::Federated(_)
        ));
    }

    #[test]
    fn naming_strengths() {
        let session = Caller::parse("arn:aws:sts::111122223333:assumed-role/Deploy/ci");
        let aws = |s: &str| Principal::Aws(s.into());
        assert_eq!(naming(&aws("111122223333"), &session), Naming::Account);
        assert_eq!(naming(&aws("arn:aws:iam::111122223333:root"), &session), Naming::Account);
        assert_eq!(naming(&aws("arn:aws:iam::444455556666:root"), &session), Naming::No);
        assert_eq!(naming(&aws("arn:aws:iam::111122223333:role/team/Deploy"), &session), Naming::Role);
        assert_eq!(naming(&aws("arn:aws:sts::111122223333:assumed-role/Deploy/ci"), &session), Naming::Exactly);
        assert_eq!(naming(&aws("arn:aws:sts::111122223333:assumed-role/Deploy/other"), &session), Naming::No);
        assert_eq!(naming(&Principal::Any, &session), Naming::Everyone);
        let svc = Caller::parse("ec2.amazonaws.com");
        assert_eq!(naming(&Principal::Service("ec2.amazonaws.com".into()), &svc), Naming::Exactly);
        assert_eq!(naming(&aws("arn:aws:iam::111122223333:root"), &svc), Naming::No);
    }

    #[test]
    fn not_principal_needs_every_identity() {
        let session = Caller::parse("arn:aws:sts::111122223333:assumed-role/Deploy/ci");
        let aws = |s: &str| Principal::Aws(s.into());
        let only_role = [aws("arn:aws:iam::111122223333:role/Deploy")];
        assert!(!excluded_by_not_principal(&only_role, &session));
        let all = [
            aws("arn:aws:iam::111122223333:role/Deploy"),
            aws("arn:aws:sts::111122223333:assumed-role/Deploy/ci"),
            aws("111122223333"),
        ];
        assert!(excluded_by_not_principal(&all, &session));
    }
}
