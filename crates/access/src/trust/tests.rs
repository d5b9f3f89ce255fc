#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test stops at the first unexpected value"
)]

use super::*;
use crate::testutil::{DEV, PROD, role, snapshot, trust_service};

fn decode_trust(trust: &str) -> Trust {
    let r = role(PROD, "r", trust);
    let s = snapshot(vec![r.clone()], Vec::new(), &[]);
    decode_role(&s, &r)
}

fn one(trust: &str) -> TrustedEntity {
    let t = decode_trust(trust);
    assert_eq!(t.entities.len(), 1, "{t:#?}");
    t.entities.into_iter().next().unwrap()
}

fn aws(principal: &str, condition: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"S","Effect":"Allow","Principal":{{"AWS":"{principal}"}},"Action":"sts:AssumeRole"{condition}}}]}}"#
    )
}

#[test]
fn services() {
    let e = one(&trust_service("ec2.amazonaws.com"));
    assert_eq!(e.kind, EntityKind::Service);
    assert_eq!(e.service.as_deref(), Some("ec2.amazonaws.com"));
    assert_eq!(e.actions, ["sts:AssumeRole"]);
    assert_eq!(e.short, "ec2");
    assert_eq!(e.evidence.pointer, "/Statement/0/Principal/Service");
    assert_eq!(e.summary, "AWS service ec2.amazonaws.com");
}

#[test]
fn accounts_by_relation() {
    let same = one(&aws(&format!("arn:aws:iam::{PROD}:root"), ""));
    assert_eq!(same.kind, EntityKind::Account);
    assert_eq!(same.relation(), Some(AccountRelation::SameAccount));
    assert_eq!(same.short, "same-account");

    let org = one(&aws(DEV, ""));
    assert_eq!(org.relation(), Some(AccountRelation::Organization));
    assert_eq!(org.account.as_ref().unwrap().name.as_deref(), Some("development"));
    assert_eq!(org.short, "org:development");

    let ext = one(&aws("arn:aws:iam::333333333333:root", ""));
    assert_eq!(ext.relation(), Some(AccountRelation::External));
    assert_eq!(ext.short, "external:333333333333[no-extid]");
    assert!(ext.summary.contains("no ExternalId"), "{}", ext.summary);
}

#[test]
fn vendors_by_name_and_external_id() {
    let cond = r#","Condition":{"StringEquals":{"sts:ExternalId":"a1b2c3"}}"#;
    let e = one(&aws("arn:aws:iam::464622532012:root", cond));
    assert_eq!(e.relation(), Some(AccountRelation::Vendor));
    assert_eq!(e.account.as_ref().unwrap().name.as_deref(), Some("Datadog"));
    assert!(e.requires(GuardKind::ExternalId));
    assert_eq!(e.guard(GuardKind::ExternalId).unwrap().values, ["a1b2c3"]);
    assert_eq!(e.short, "vendor:Datadog[extid]");
    assert_eq!(e.evidence.sid.as_deref(), Some("S"));

    let without = one(&aws("arn:aws:iam::464622532012:role/DatadogAWSIntegrationRole", ""));
    assert_eq!(without.kind, EntityKind::IamRole);
    assert_eq!(without.relation(), Some(AccountRelation::Vendor));
    assert!(!without.requires(GuardKind::ExternalId));
    assert!(without.short.ends_with("[no-extid]"), "{}", without.short);

    // An ExternalId that is only checked if present does not protect.
    let weak = one(&aws("464622532012", r#","Condition":{"StringEqualsIfExists":{"sts:ExternalId":"x"}}"#));
    assert!(!weak.requires(GuardKind::ExternalId));
    assert!(weak.summary.contains("does not require it"), "{}", weak.summary);
}

#[test]
fn users_roles_sessions() {
    let t = decode_trust(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":["arn:aws:iam::{PROD}:user/alice","arn:aws:iam::{DEV}:role/deployer","arn:aws:sts::{PROD}:assumed-role/ops/bob"]}},"Action":["sts:AssumeRole","sts:TagSession"]}}]}}"#
    ));
    let kinds: Vec<EntityKind> = t.entities.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [EntityKind::IamUser, EntityKind::IamRole, EntityKind::RoleSession]);
    assert_eq!(t.entities[0].short, "user:alice@same-account");
    assert_eq!(t.entities[1].short, "role:deployer@org:development");
    assert_eq!(t.entities[1].actions, ["sts:AssumeRole", "sts:TagSession"]);
}

#[test]
fn mfa_guard() {
    let e = one(&aws(&format!("arn:aws:iam::{PROD}:root"), r#","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}"#));
    assert!(e.requires(GuardKind::Mfa));
    assert!(e.short.contains("mfa"), "{}", e.short);
    let no = one(&aws(&format!("arn:aws:iam::{PROD}:root"), r#","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}"#));
    assert!(!no.requires(GuardKind::Mfa));
}

fn github(condition: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"arn:aws:iam::{PROD}:oidc-provider/token.actions.githubusercontent.com"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{condition}}}]}}"#
    )
}

#[test]
fn github_oidc_with_and_without_sub() {
    let e = one(&github(
        r#"{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/app:*"}}"#,
    ));
    assert_eq!(e.kind, EntityKind::OidcProvider);
    let p = e.provider.as_ref().unwrap();
    assert_eq!(p.name, "token.actions.githubusercontent.com");
    assert_eq!(p.platform, Some("github-actions"));
    let sub = e.guard(GuardKind::OidcSub).unwrap();
    assert!(sub.requires && sub.wildcard);
    assert_eq!(sub.values, ["repo:acme/app:*"]);
    assert!(e.requires(GuardKind::OidcAud));
    assert_eq!(e.short, "oidc:github-actions[sub]");
    assert_eq!(e.actions, ["sts:AssumeRoleWithWebIdentity"]);

    let no_sub = one(&github(r#"{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}"#));
    assert!(!no_sub.requires(GuardKind::OidcSub));
    assert_eq!(no_sub.short, "oidc:github-actions[no-sub]");
    assert!(no_sub.summary.contains("no `sub` condition"), "{}", no_sub.summary);

    // `sub` like `*` allows every repository.
    let star = one(&github(r#"{"StringLike":{"token.actions.githubusercontent.com:sub":"*"}}"#));
    assert!(!star.requires(GuardKind::OidcSub));
}

#[test]
fn eks_cognito_and_saml() {
    let eks = one(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"arn:aws:iam::{PROD}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringEquals":{{"oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub":"system:serviceaccount:default:app"}}}}}}]}}"#
    ));
    assert_eq!(eks.provider.as_ref().unwrap().platform, Some("eks"));
    assert!(eks.requires(GuardKind::OidcSub));

    let cognito = one(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"eu-west-1:pool"}}}]}"#,
    );
    assert_eq!(cognito.kind, EntityKind::OidcProvider);
    assert_eq!(cognito.provider.as_ref().unwrap().platform, Some("cognito"));
    assert!(cognito.requires(GuardKind::OidcAud));

    let saml = one(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"arn:aws:iam::{PROD}:saml-provider/Okta"}},"Action":"sts:AssumeRoleWithSAML","Condition":{{"StringEquals":{{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}}}}]}}"#
    ));
    assert_eq!(saml.kind, EntityKind::SamlProvider);
    assert_eq!(saml.provider.as_ref().unwrap().name, "Okta");
    assert!(saml.requires(GuardKind::SamlAud));
    assert_eq!(saml.short, "saml:Okta");
}

#[test]
fn everyone_not_principal_and_denies() {
    let e = one(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}}]}"#,
    );
    assert_eq!(e.kind, EntityKind::Everyone);
    assert!(e.requires(GuardKind::PrincipalOrg));
    assert_eq!(e.short, "everyone[org]");
    assert_eq!(one(&aws("*", "")).kind, EntityKind::Everyone);

    let t = decode_trust(&format!(
        r#"{{"Version":"2012-10-17","Statement":[
            {{"Effect":"Allow","NotPrincipal":{{"AWS":"arn:aws:iam::{PROD}:user/mallory"}},"Action":"sts:*"}},
            {{"Sid":"NoOutsiders","Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Condition":{{"StringNotEquals":{{"aws:PrincipalOrgID":"o-abc123"}}}}}}]}}"#
    ));
    assert_eq!(t.entities.len(), 1);
    let everyone_but = &t.entities[0];
    assert_eq!(everyone_but.kind, EntityKind::Everyone);
    assert_eq!(everyone_but.except, [format!("arn:aws:iam::{PROD}:user/mallory")]);
    assert_eq!(everyone_but.actions.len(), TRUST_ACTIONS.len(), "sts:* covers every trust action");
    assert_eq!(everyone_but.evidence.pointer, "/Statement/0/NotPrincipal");
    assert_eq!(t.restrictions.len(), 2);
    assert!(t.restrictions[0].not_principal);
    assert!(t.restrictions[0].summary.contains("everyone except"), "{}", t.restrictions[0].summary);
    let r = &t.restrictions[1];
    assert_eq!(r.evidence.sid.as_deref(), Some("NoOutsiders"));
    assert_eq!(r.conditions[0].key, "aws:PrincipalOrgID");
    assert!(r.summary.starts_with("denies sts:AssumeRole to *"), "{}", r.summary);
}

#[test]
fn conditions_are_all_listed_and_source_guards_named() {
    let e = one(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"111111111111"},"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:111111111111:topic"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}"#,
    );
    assert_eq!(e.conditions.len(), 3);
    let keys: Vec<GuardKind> = e.guards.iter().map(|g| g.kind).collect();
    assert_eq!(keys, [GuardKind::SourceArn, GuardKind::SourceAccount]);
    assert_eq!(e.short, "sns[source]");
    assert!(e.conditions.iter().any(|c| c.pointer == "/Statement/0/Condition/IpAddress/aws:SourceIp"), "{:?}", e.conditions);
}

#[test]
fn missing_or_invalid_trust_is_a_problem() {
    let mut r = role(PROD, "r", "{}");
    r.trust_policy = None;
    let s = snapshot(vec![r.clone()], Vec::new(), &[]);
    assert_eq!(decode_role(&s, &r).problems, ["the trust policy is not in the exports"]);
    let r = role(PROD, "r", r#"{"Statement":[{"Effect":"Maybe"}]}"#);
    let t = decode_role(&s, &r);
    assert!(t.problems[0].starts_with("the trust policy could not be parsed"), "{:?}", t.problems);
    assert!(t.entities.is_empty());
}
