//! Who is behind a CloudTrail event: the role of an assumed-role session (for a role chain, the
//! role assumed last, which is the session's issuer), the user, the root user, or the AWS
//! service. Usage is per role, not per session, so sessions of one role are merged.
//!
//! From `userIdentity` ("CloudTrail userIdentity element"): `AssumedRole` sessions carry
//! `sessionContext.sessionIssuer` with the role's ARN including its path; when an export lacks
//! it, the role is read from the `assumed-role/NAME/SESSION` ARN (without a path, matched by
//! name). `FederatedUser` sessions are issued by a user. `AWSService` events are made by a
//! service (`invokedBy`).

use std::borrow::Cow;

use serde::Serialize;

use crate::record::Record;

/// The kind of principal an event is attributed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PrincipalKind {
    Role,
    User,
    Root,
    Service,
    /// A SAML or OIDC provider (the caller of `AssumeRoleWithSAML` and
    /// `AssumeRoleWithWebIdentity` in the observed edges).
    Provider,
    /// Web identity, SAML, another account, or an identity without an ARN.
    Other,
}

impl PrincipalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::Role => "role",
            PrincipalKind::User => "user",
            PrincipalKind::Root => "root",
            PrincipalKind::Service => "service",
            PrincipalKind::Provider => "provider",
            PrincipalKind::Other => "other",
        }
    }
}

/// The principal behind an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor<'a> {
    pub kind: PrincipalKind,
    /// A role ARN (`arn:aws:iam::1:role/path/name`), a user or root ARN, a service
    /// (`lambda.amazonaws.com`), or a principal id.
    pub arn: Cow<'a, str>,
    /// For roles: whether the ARN came from the session issuer (with the role's path) rather
    /// than rebuilt from the assumed-role ARN (without it).
    pub exact: bool,
}

/// The role ARN behind an assumed-role ARN: `arn:aws:sts::1:assumed-role/name/session` →
/// `arn:aws:iam::1:role/name` (a role's path is not in its session ARN).
pub fn role_of_session(arn: &str) -> Option<String> {
    let a = policy::Arn::parse(arn)?;
    if a.service != "sts" {
        return None;
    }
    let rest = a.resource.strip_prefix("assumed-role/")?;
    let name = rest.split('/').next().filter(|n| !n.is_empty())?;
    Some(format!("arn:{}:iam::{}:role/{}", a.partition, a.account, name))
}

/// The role name of a role ARN (the last path segment).
pub fn role_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// Attributes an event. `None` when the record has no identity at all.
pub fn attribute<'r>(rec: &'r Record<'_>) -> Option<Actor<'r>> {
    let id = rec.user_identity.as_ref()?;
    let kind = id.kind.as_deref().unwrap_or("");
    let issuer = id.session_context.as_ref().and_then(|s| s.session_issuer.as_ref());
    let arn = id.arn.as_deref().filter(|a| !a.is_empty());
    match kind {
        "AssumedRole" => {
            if let Some(i) = issuer
                && i.kind.as_deref().is_none_or(|k| k == "Role")
                && let Some(ia) = i.arn.as_deref().filter(|a| a.contains(":role/"))
            {
                return Some(Actor { kind: PrincipalKind::Role, arn: Cow::Borrowed(ia), exact: true });
            }
            let role = arn.and_then(role_of_session)?;
            Some(Actor { kind: PrincipalKind::Role, arn: Cow::Owned(role), exact: false })
        }
        "IAMUser" => Some(Actor { kind: PrincipalKind::User, arn: Cow::Borrowed(arn?), exact: true }),
        "Root" => Some(Actor { kind: PrincipalKind::Root, arn: Cow::Borrowed(arn?), exact: true }),
        "FederatedUser" => {
            let user = issuer.and_then(|i| i.arn.as_deref()).or(arn)?;
            Some(Actor { kind: PrincipalKind::User, arn: Cow::Borrowed(user), exact: true })
        }
        "AWSService" => {
            let svc = id.invoked_by.as_deref().filter(|s| !s.is_empty())?;
            Some(Actor { kind: PrincipalKind::Service, arn: Cow::Borrowed(svc), exact: true })
        }
        _ => {
            let who = arn.or(id.principal_id.as_deref()).or(id.user_name.as_deref()).filter(|s| !s.is_empty())?;
            Some(Actor { kind: PrincipalKind::Other, arn: Cow::Borrowed(who), exact: true })
        }
    }
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

    fn rec(json: &str) -> Record<'_> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn role_session_uses_the_issuer_with_its_path() {
        let r = rec(r#"{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/app/s1",
            "sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::1:role/team/app"}}}}"#);
        let a = attribute(&r).unwrap();
        assert_eq!((a.kind, &*a.arn, a.exact), (PrincipalKind::Role, "arn:aws:iam::1:role/team/app", true));
    }

    #[test]
    fn chained_session_is_the_last_role() {
        // Role A assumed role B: the session's identity is B's, its issuer is B.
        let r = rec(r#"{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::2:assumed-role/B/from-A",
            "sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::2:role/B"}}}}"#);
        assert_eq!(attribute(&r).unwrap().arn, "arn:aws:iam::2:role/B");
    }

    #[test]
    fn session_without_issuer_is_rebuilt_from_its_arn() {
        let r = rec(r#"{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/my-fn-role/my-fn"}}"#);
        let a = attribute(&r).unwrap();
        assert_eq!((&*a.arn, a.exact), ("arn:aws:iam::1:role/my-fn-role", false));
    }

    #[test]
    fn service_role_session_is_the_role() {
        let r = rec(r#"{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/AWSServiceRoleForConfig/sess",
            "invokedBy":"config.amazonaws.com",
            "sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::1:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"}}}}"#);
        let a = attribute(&r).unwrap();
        assert_eq!(a.kind, PrincipalKind::Role);
        assert!(a.arn.ends_with("role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"));
    }

    #[test]
    fn users_services_and_others() {
        let r = rec(r#"{"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/alice"}}"#);
        assert_eq!(
            attribute(&r).unwrap(),
            Actor { kind: PrincipalKind::User, arn: "arn:aws:iam::1:user/alice".into(), exact: true }
        );
        let r = rec(r#"{"userIdentity":{"type":"AWSService","invokedBy":"lambda.amazonaws.com"}}"#);
        assert_eq!(attribute(&r).unwrap().kind, PrincipalKind::Service);
        let r = rec(r#"{"userIdentity":{"type":"Root","arn":"arn:aws:iam::1:root"}}"#);
        assert_eq!(attribute(&r).unwrap().kind, PrincipalKind::Root);
        let r = rec(r#"{"userIdentity":{"type":"FederatedUser","arn":"arn:aws:sts::1:federated-user/bob",
            "sessionContext":{"sessionIssuer":{"type":"IAMUser","arn":"arn:aws:iam::1:user/bob"}}}}"#);
        assert_eq!(attribute(&r).unwrap().arn, "arn:aws:iam::1:user/bob");
        let r = rec(r#"{"userIdentity":{"type":"WebIdentityUser","principalId":"accounts.google.com:123"}}"#);
        assert_eq!(attribute(&r).unwrap().kind, PrincipalKind::Other);
        assert!(attribute(&rec("{}")).is_none());
    }

    #[test]
    fn session_arns() {
        assert_eq!(role_of_session("arn:aws:sts::1:assumed-role/r/s").as_deref(), Some("arn:aws:iam::1:role/r"));
        assert_eq!(role_of_session("arn:aws:iam::1:user/u"), None);
        assert_eq!(role_name("arn:aws:iam::1:role/a/b/c"), "c");
    }
}
