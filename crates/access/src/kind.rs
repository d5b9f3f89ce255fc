//! Role kinds: what a role is for, from who may assume it and where IAM put it. A role can be of
//! several kinds (a Lambda role that a CI pipeline in another account also assumes is `lambda`
//! and `cross-account`).

use serde::Serialize;

use model::Role;

use crate::trust::{AccountRelation, EntityKind, Trust};

/// A kind of role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoleKind {
    /// Trusts `ec2.amazonaws.com`: an instance profile's role.
    Ec2,
    /// Trusts `lambda.amazonaws.com` (or `edgelambda.amazonaws.com`): a function's execution role.
    Lambda,
    /// Trusts `ecs-tasks.amazonaws.com`: an ECS task role or task execution role.
    Ecs,
    /// Trusts another AWS service.
    Service,
    /// Trusts another account, a principal in one, or everyone.
    CrossAccount,
    /// Trusts principals of its own account (other than through federation).
    SameAccount,
    /// Trusts a SAML provider (people signing in through an identity provider).
    Saml,
    /// Trusts an OIDC provider (GitHub Actions, EKS service accounts, Cognito, ...).
    Oidc,
    /// Created and managed by an AWS service (path `/aws-service-role/`).
    ServiceLinked,
    /// Created by IAM Identity Center for a permission set (`AWSReservedSSO_...`).
    Sso,
}

impl RoleKind {
    pub const ALL: [RoleKind; 10] = [
        RoleKind::Ec2,
        RoleKind::Lambda,
        RoleKind::Ecs,
        RoleKind::Service,
        RoleKind::CrossAccount,
        RoleKind::SameAccount,
        RoleKind::Saml,
        RoleKind::Oidc,
        RoleKind::ServiceLinked,
        RoleKind::Sso,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RoleKind::Ec2 => "ec2",
            RoleKind::Lambda => "lambda",
            RoleKind::Ecs => "ecs",
            RoleKind::Service => "service",
            RoleKind::CrossAccount => "cross-account",
            RoleKind::SameAccount => "same-account",
            RoleKind::Saml => "saml",
            RoleKind::Oidc => "oidc",
            RoleKind::ServiceLinked => "service-linked",
            RoleKind::Sso => "sso",
        }
    }

    /// Parses the name [`RoleKind::as_str`] gives.
    pub fn parse(text: &str) -> Option<RoleKind> {
        RoleKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

impl std::fmt::Display for RoleKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kinds of a role, sorted. Service-linked and IAM Identity Center roles get only that kind:
/// the services they trust and the SAML provider of Identity Center are part of what they are.
pub fn role_kinds(role: &Role, trust: &Trust) -> Vec<RoleKind> {
    if role.is_service_linked() {
        return vec![RoleKind::ServiceLinked];
    }
    let sso = role.is_sso();
    let mut out = Vec::new();
    if sso {
        out.push(RoleKind::Sso);
    }
    for e in &trust.entities {
        let kind = match e.kind {
            EntityKind::Service => match e.service.as_deref().map(str::to_ascii_lowercase).as_deref() {
                Some("ec2.amazonaws.com") => Some(RoleKind::Ec2),
                Some("lambda.amazonaws.com" | "edgelambda.amazonaws.com") => Some(RoleKind::Lambda),
                Some("ecs-tasks.amazonaws.com") => Some(RoleKind::Ecs),
                _ => Some(RoleKind::Service),
            },
            EntityKind::SamlProvider if sso => None,
            EntityKind::SamlProvider => Some(RoleKind::Saml),
            EntityKind::OidcProvider => Some(RoleKind::Oidc),
            EntityKind::Everyone => Some(RoleKind::CrossAccount),
            EntityKind::Account
            | EntityKind::IamUser
            | EntityKind::IamRole
            | EntityKind::RoleSession
            | EntityKind::FederatedUser => match e.relation() {
                Some(AccountRelation::SameAccount) => Some(RoleKind::SameAccount),
                Some(_) => Some(RoleKind::CrossAccount),
                None => None,
            },
            EntityKind::CanonicalUser | EntityKind::Unrecognized => None,
        };
        if let Some(k) = kind {
            out.push(k);
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{DEV, PROD, role, snapshot, trust_service};
    use crate::trust::decode_role;

    fn kinds_of(r: Role) -> Vec<&'static str> {
        let s = snapshot(vec![r.clone()], Vec::new(), &[]);
        role_kinds(&r, &decode_role(&s, &r)).into_iter().map(RoleKind::as_str).collect()
    }

    #[test]
    fn execution_roles() {
        assert_eq!(kinds_of(role(PROD, "a", &trust_service("ec2.amazonaws.com"))), ["ec2"]);
        assert_eq!(kinds_of(role(PROD, "a", &trust_service("lambda.amazonaws.com"))), ["lambda"]);
        assert_eq!(kinds_of(role(PROD, "a", &trust_service("ecs-tasks.amazonaws.com"))), ["ecs"]);
        assert_eq!(kinds_of(role(PROD, "a", &trust_service("glue.amazonaws.com"))), ["service"]);
    }

    #[test]
    fn several_kinds_at_once() {
        let trust = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":["lambda.amazonaws.com","edgelambda.amazonaws.com"],"AWS":["arn:aws:iam::{DEV}:root","arn:aws:iam::{PROD}:role/ops"]}},"Action":"sts:AssumeRole"}},{{"Effect":"Allow","Principal":{{"Federated":"arn:aws:iam::{PROD}:oidc-provider/token.actions.githubusercontent.com"}},"Action":"sts:AssumeRoleWithWebIdentity"}}]}}"#
        );
        assert_eq!(kinds_of(role(PROD, "a", &trust)), ["lambda", "cross-account", "same-account", "oidc"]);
    }

    #[test]
    fn saml_sso_and_service_linked() {
        let saml = |provider: &str| {
            format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"arn:aws:iam::{PROD}:saml-provider/{provider}"}},"Action":["sts:AssumeRoleWithSAML","sts:TagSession"]}}]}}"#
            )
        };
        assert_eq!(kinds_of(role(PROD, "people", &saml("Okta"))), ["saml"]);
        let mut sso = role(PROD, "AWSReservedSSO_Admin_0123", &saml("AWSSSO_abc_DO_NOT_DELETE"));
        sso.path = "/aws-reserved/sso.amazonaws.com/".into();
        assert_eq!(kinds_of(sso), ["sso"]);
        let mut slr = role(PROD, "AWSServiceRoleForECS", &trust_service("ecs.amazonaws.com"));
        slr.path = "/aws-service-role/ecs.amazonaws.com/".into();
        assert_eq!(kinds_of(slr), ["service-linked"]);
        assert_eq!(
            kinds_of(role(
                PROD,
                "x",
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}"#
            )),
            ["cross-account"]
        );
        let mut unknown = role(PROD, "u", "{}");
        unknown.trust_policy = None;
        assert!(kinds_of(unknown).is_empty());
        for k in RoleKind::ALL {
            assert_eq!(RoleKind::parse(k.as_str()), Some(k));
        }
    }
}
