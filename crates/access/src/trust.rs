//! A role's trust policy, decoded: who may assume the role, with which actions, under which
//! conditions. Each principal of each `Allow` statement becomes a [`TrustedEntity`], classified
//! (an AWS service, the role's own account, an account of the organization, a known vendor, an
//! external account, an IAM user, role or role session, a SAML or OIDC provider, everyone),
//! with the conditions that guard it and named guards for the ones that matter (`sts:ExternalId`,
//! MFA, source and organization keys, an OIDC provider's `sub` and `aud`, `SAML:aud`), and the
//! statement it comes from. `Deny` statements are listed as [`Restriction`]s.
//!
//! This reads the policy to *describe* it; whether a given caller may actually assume the role is
//! the evaluator's job (the graph asks it), since a trust policy is only half of that decision.

use policy::{Block, Condition, Effect, Policy, Principal, Statement};
use serde::Serialize;

use model::{Role, Snapshot};

use crate::known;

/// The actions a trust policy can allow.
pub const TRUST_ACTIONS: [&str; 6] = [
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
    "sts:SetContext",
    "sts:SetSourceIdentity",
    "sts:TagSession",
];

/// What a trusted principal is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntityKind {
    /// An AWS service principal (`lambda.amazonaws.com`).
    Service,
    /// A whole account: its id or its `root` ARN (any principal of the account that its own
    /// IAM policies allow).
    Account,
    IamUser,
    IamRole,
    /// A role session (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`).
    RoleSession,
    /// A federated user session (`sts:GetFederationToken`).
    FederatedUser,
    SamlProvider,
    /// An OIDC provider (an IAM `oidc-provider` ARN, or a web identity provider such as
    /// `cognito-identity.amazonaws.com`).
    OidcProvider,
    /// `*`: everyone, in every account, and anonymous callers for services that allow them.
    Everyone,
    CanonicalUser,
    /// A principal that is none of the above (not a valid principal for a trust policy).
    Unrecognized,
}

impl EntityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Service => "service",
            EntityKind::Account => "account",
            EntityKind::IamUser => "iam-user",
            EntityKind::IamRole => "iam-role",
            EntityKind::RoleSession => "role-session",
            EntityKind::FederatedUser => "federated-user",
            EntityKind::SamlProvider => "saml-provider",
            EntityKind::OidcProvider => "oidc-provider",
            EntityKind::Everyone => "everyone",
            EntityKind::CanonicalUser => "canonical-user",
            EntityKind::Unrecognized => "unrecognized",
        }
    }
}

/// How the account of a trusted principal relates to the role's account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AccountRelation {
    /// The role's own account.
    SameAccount,
    /// Another account of the same organization.
    Organization,
    /// An account a known vendor (or AWS service) publishes.
    Vendor,
    /// Any other account.
    External,
}

impl AccountRelation {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountRelation::SameAccount => "same-account",
            AccountRelation::Organization => "organization",
            AccountRelation::Vendor => "vendor",
            AccountRelation::External => "external",
        }
    }
}

/// Who a role trusts, in the coarse categories of `rolegraph roles --trusted-by`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TrustCategory {
    Service,
    SameAccount,
    Org,
    Vendor,
    External,
    Saml,
    Oidc,
    Everyone,
}

impl TrustCategory {
    pub const ALL: [TrustCategory; 8] = [
        TrustCategory::Service,
        TrustCategory::SameAccount,
        TrustCategory::Org,
        TrustCategory::Vendor,
        TrustCategory::External,
        TrustCategory::Saml,
        TrustCategory::Oidc,
        TrustCategory::Everyone,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TrustCategory::Service => "service",
            TrustCategory::SameAccount => "same-account",
            TrustCategory::Org => "org",
            TrustCategory::Vendor => "vendor",
            TrustCategory::External => "external",
            TrustCategory::Saml => "saml",
            TrustCategory::Oidc => "oidc",
            TrustCategory::Everyone => "everyone",
        }
    }

    pub fn parse(text: &str) -> Option<TrustCategory> {
        TrustCategory::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

/// The account of a trusted principal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccountRef {
    pub id: String,
    pub relation: AccountRelation,
    /// The account's name in the snapshot or organization, or the vendor's name(s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// An identity provider trusted for federation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Provider {
    /// The provider's name: the SAML provider name, or the OIDC issuer (`token.actions.githubusercontent.com`).
    pub name: String,
    /// A well-known platform, when recognised: `github-actions`, `eks`, `cognito`, `gitlab`,
    /// `terraform-cloud`, `google`, `bitbucket`, `circleci`, `iam-identity-center`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<&'static str>,
}

/// A condition of a statement, as written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConditionInfo {
    pub operator: String,
    pub key: String,
    pub values: Vec<String>,
    /// The JSON pointer of the key in the trust policy.
    pub pointer: String,
}

impl ConditionInfo {
    fn of(c: &Condition) -> ConditionInfo {
        ConditionInfo {
            operator: c.operator.raw.clone(),
            key: c.key.clone(),
            values: c.values.iter().map(|v| v.text.clone()).collect(),
            pointer: c.pointer.clone(),
        }
    }
}

/// A condition that matters for who can assume a role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GuardKind {
    /// `sts:ExternalId`: the confused-deputy guard of third-party access.
    ExternalId,
    /// `aws:MultiFactorAuthPresent` or `aws:MultiFactorAuthAge`.
    Mfa,
    /// `aws:SourceArn`: which resource a service acts for.
    SourceArn,
    /// `aws:SourceAccount`.
    SourceAccount,
    /// `aws:SourceOrgID` or `aws:SourceOrgPaths`.
    SourceOrg,
    /// `aws:PrincipalOrgID` or `aws:PrincipalOrgPaths`.
    PrincipalOrg,
    /// `aws:PrincipalArn`.
    PrincipalArn,
    /// An OIDC provider's `sub` claim (`token.actions.githubusercontent.com:sub`).
    OidcSub,
    /// An OIDC provider's `aud` claim.
    OidcAud,
    /// `SAML:aud`.
    SamlAud,
}

impl GuardKind {
    pub fn as_str(self) -> &'static str {
        match self {
            GuardKind::ExternalId => "external-id",
            GuardKind::Mfa => "mfa",
            GuardKind::SourceArn => "source-arn",
            GuardKind::SourceAccount => "source-account",
            GuardKind::SourceOrg => "source-org",
            GuardKind::PrincipalOrg => "principal-org",
            GuardKind::PrincipalArn => "principal-arn",
            GuardKind::OidcSub => "oidc-sub",
            GuardKind::OidcAud => "oidc-aud",
            GuardKind::SamlAud => "saml-aud",
        }
    }
}

/// A named guard on a trusted entity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Guard {
    pub kind: GuardKind,
    pub operator: String,
    pub key: String,
    pub values: Vec<String>,
    /// Whether the condition requires the key (a positive operator without `IfExists`, and not
    /// a bare `*` pattern). A negated operator or `IfExists` passes when the key is absent.
    pub requires: bool,
    /// Whether a `Like` operator's values contain wildcards (`repo:org/*`).
    pub wildcard: bool,
}

/// Where an entity comes from in the trust policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// The statement's position in the `Statement` array.
    pub statement: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// The JSON pointer of the principal element (`/Statement/0/Principal/AWS`).
    pub pointer: String,
}

/// One principal that a role's trust policy allows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TrustedEntity {
    pub kind: EntityKind,
    /// The principal as written.
    pub principal: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountRef>,
    /// For a service: its principal (`ec2.amazonaws.com`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<Provider>,
    /// The trust actions the statement allows (`sts:AssumeRole`, ...).
    pub actions: Vec<String>,
    /// Every condition of the statement.
    pub conditions: Vec<ConditionInfo>,
    /// The conditions that matter for who can assume the role.
    pub guards: Vec<Guard>,
    /// For an `Allow` with `NotPrincipal`: the principals excluded (the entity is everyone else).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub except: Vec<String>,
    pub evidence: Evidence,
    /// One line for people.
    pub summary: String,
    /// A few words for a table cell.
    pub short: String,
}

impl TrustedEntity {
    /// The guard of a kind, if any.
    pub fn guard(&self, kind: GuardKind) -> Option<&Guard> {
        self.guards.iter().find(|g| g.kind == kind)
    }

    /// Whether a guard of this kind requires its key.
    pub fn requires(&self, kind: GuardKind) -> bool {
        self.guards.iter().any(|g| g.kind == kind && g.requires)
    }

    /// The coarse category of the entity (`None` for canonical users and unrecognized
    /// principals).
    pub fn category(&self) -> Option<TrustCategory> {
        match self.kind {
            EntityKind::Service => Some(TrustCategory::Service),
            EntityKind::SamlProvider => Some(TrustCategory::Saml),
            EntityKind::OidcProvider => Some(TrustCategory::Oidc),
            EntityKind::Everyone => Some(TrustCategory::Everyone),
            EntityKind::CanonicalUser | EntityKind::Unrecognized => None,
            EntityKind::Account
            | EntityKind::IamUser
            | EntityKind::IamRole
            | EntityKind::RoleSession
            | EntityKind::FederatedUser => self.relation().map(|r| match r {
                AccountRelation::SameAccount => TrustCategory::SameAccount,
                AccountRelation::Organization => TrustCategory::Org,
                AccountRelation::Vendor => TrustCategory::Vendor,
                AccountRelation::External => TrustCategory::External,
            }),
        }
    }

    /// The account relation, if the entity belongs to an account.
    pub fn relation(&self) -> Option<AccountRelation> {
        self.account.as_ref().map(|a| a.relation)
    }
}

/// A `Deny` statement of a trust policy, or an `Allow` with `NotPrincipal` (which trusts
/// everyone but the principals it names).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Restriction {
    /// The principals denied, as written (`*` for everyone).
    pub principals: Vec<String>,
    /// Whether the statement uses `NotPrincipal`: everyone except `principals` is denied (a
    /// `Deny`) or trusted (an `Allow`).
    pub not_principal: bool,
    pub actions: Vec<String>,
    pub conditions: Vec<ConditionInfo>,
    pub evidence: Evidence,
    pub summary: String,
}

/// A decoded trust policy.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Trust {
    pub entities: Vec<TrustedEntity>,
    pub restrictions: Vec<Restriction>,
    /// Why the trust policy could not be read (absent from the exports, or invalid).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

/// Decodes the trust policy of a role.
pub fn decode_role(snapshot: &Snapshot, role: &Role) -> Trust {
    match role.trust_policy.as_ref() {
        None => Trust { problems: vec!["the trust policy is not in the exports".into()], ..Trust::default() },
        Some(doc) => match doc.policy() {
            Some(p) => decode(snapshot, &role.account_id, p),
            None => Trust {
                problems: vec![format!("the trust policy could not be parsed: {}", doc.error().unwrap_or("unknown error"))],
                ..Trust::default()
            },
        },
    }
}

/// Decodes a trust policy of a role in `account_id`.
pub fn decode(snapshot: &Snapshot, account_id: &str, policy: &Policy) -> Trust {
    let mut out = Trust::default();
    for s in &policy.statements {
        let actions = trust_actions(&s.action);
        let conditions: Vec<ConditionInfo> = s.conditions.iter().map(ConditionInfo::of).collect();
        let evidence = |suffix: &str| Evidence {
            statement: s.index,
            sid: s.sid.clone().filter(|x| !x.is_empty()),
            pointer: format!("{}{suffix}", s.pointer),
        };
        let Some(principal) = &s.principal else {
            // A trust statement without a principal element is invalid for IAM; note it.
            out.problems.push(format!("statement {} has no `Principal`", s.index));
            continue;
        };
        if s.effect == Effect::Deny {
            let principals: Vec<String> = principal.items().iter().map(|p| p.value().to_owned()).collect();
            let not = principal.is_not();
            let who = if not { format!("everyone except {}", principals.join(", ")) } else { principals.join(", ") };
            let when = if conditions.is_empty() { String::new() } else { format!(" when {}", conditions_text(&conditions)) };
            out.restrictions.push(Restriction {
                summary: format!("denies {} to {who}{when}", actions.join(", ")),
                principals,
                not_principal: not,
                actions: actions.clone(),
                conditions: conditions.clone(),
                evidence: evidence(if not { "/NotPrincipal" } else { "/Principal" }),
            });
            continue;
        }
        match principal {
            Block::Only(items) => {
                for p in items {
                    let suffix = match p {
                        Principal::Any => "/Principal".to_owned(),
                        other => format!("/Principal/{}", other.kind()),
                    };
                    out.entities.push(entity(snapshot, account_id, s, p, &actions, &conditions, evidence(&suffix), Vec::new()));
                }
            }
            Block::Not(items) => {
                let except: Vec<String> = items.iter().map(|p| p.value().to_owned()).collect();
                let when = if conditions.is_empty() { String::new() } else { format!(" when {}", conditions_text(&conditions)) };
                out.restrictions.push(Restriction {
                    summary: format!(
                        "`NotPrincipal` allows {} to everyone except {}{when}",
                        actions.join(", "),
                        except.join(", ")
                    ),
                    principals: except.clone(),
                    not_principal: true,
                    actions: actions.clone(),
                    conditions: conditions.clone(),
                    evidence: evidence("/NotPrincipal"),
                });
                out.entities.push(entity(
                    snapshot,
                    account_id,
                    s,
                    &Principal::Any,
                    &actions,
                    &conditions,
                    evidence("/NotPrincipal"),
                    except,
                ));
            }
        }
    }
    out
}

/// The known trust actions a statement's `Action`/`NotAction` covers; patterns that cover none
/// of them are listed as written.
fn trust_actions(block: &Block<policy::ActionPattern>) -> Vec<String> {
    let mut out: Vec<String> = TRUST_ACTIONS
        .iter()
        .filter(|a| {
            let lower = a.to_ascii_lowercase();
            block.applies(block.items().iter().any(|p| p.matches_lower(&lower)))
        })
        .map(|a| (*a).to_owned())
        .collect();
    if !block.is_not() {
        for p in block.items() {
            if !TRUST_ACTIONS.iter().any(|a| p.matches_lower(&a.to_ascii_lowercase())) {
                out.push(p.raw.clone());
            }
        }
    }
    out
}

fn conditions_text(conditions: &[ConditionInfo]) -> String {
    let parts: Vec<String> = conditions
        .iter()
        .map(|c| {
            if let [one] = c.values.as_slice() {
                format!("{} {} `{one}`", c.key, c.operator)
            } else {
                let vs: Vec<String> = c.values.iter().map(|v| format!("`{v}`")).collect();
                format!("{} {} [{}]", c.key, c.operator, vs.join(", "))
            }
        })
        .collect();
    parts.join(" and ")
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The relation and display name of an account.
pub fn account_ref(snapshot: &Snapshot, role_account: &str, id: &str) -> AccountRef {
    let local_name = snapshot
        .account(id)
        .and_then(|a| a.name.clone().or_else(|| a.aliases.first().cloned()))
        .or_else(|| snapshot.organization.as_ref().and_then(|o| o.account(id)).and_then(|a| a.name.clone()));
    let vendors = known::vendor_names(id);
    let in_org = snapshot.organization.as_ref().is_some_and(|o| o.account(id).is_some());
    let (relation, name) = if id == role_account {
        (AccountRelation::SameAccount, local_name)
    } else if in_org {
        (AccountRelation::Organization, local_name)
    } else if !vendors.is_empty() {
        (AccountRelation::Vendor, Some(vendors.join(", ")))
    } else {
        (AccountRelation::External, local_name)
    };
    AccountRef { id: id.to_owned(), relation, name }
}

/// Recognises an OIDC issuer's platform.
fn oidc_platform(issuer: &str) -> Option<&'static str> {
    let i = issuer.to_ascii_lowercase();
    if i == "token.actions.githubusercontent.com" || i.starts_with("token.actions.githubusercontent.com/") {
        Some("github-actions")
    } else if i.starts_with("oidc.eks.") {
        Some("eks")
    } else if i.starts_with("cognito-identity.amazonaws.com") || i.starts_with("cognito-idp.") {
        Some("cognito")
    } else if i == "gitlab.com" || i.starts_with("gitlab.") {
        Some("gitlab")
    } else if i == "app.terraform.io" {
        Some("terraform-cloud")
    } else if i == "accounts.google.com" {
        Some("google")
    } else if i.starts_with("api.bitbucket.org/") {
        Some("bitbucket")
    } else if i.starts_with("oidc.circleci.com/") {
        Some("circleci")
    } else if i == "graph.facebook.com" {
        Some("facebook")
    } else if i == "www.amazon.com" {
        Some("login-with-amazon")
    } else {
        None
    }
}

/// Classifies one principal.
#[allow(clippy::too_many_arguments, reason = "one entity is classified from its statement and every part of it")]
fn entity(
    snapshot: &Snapshot,
    role_account: &str,
    s: &Statement,
    p: &Principal,
    actions: &[String],
    conditions: &[ConditionInfo],
    evidence: Evidence,
    except: Vec<String>,
) -> TrustedEntity {
    let mut e = TrustedEntity {
        kind: EntityKind::Unrecognized,
        principal: p.value().to_owned(),
        account: None,
        service: None,
        provider: None,
        actions: actions.to_vec(),
        conditions: conditions.to_vec(),
        guards: Vec::new(),
        except,
        evidence,
        summary: String::new(),
        short: String::new(),
    };
    match p {
        Principal::Any => e.kind = EntityKind::Everyone,
        Principal::Aws(v) if v == "*" => e.kind = EntityKind::Everyone,
        Principal::Aws(v) if is_account_id(v) => {
            e.kind = EntityKind::Account;
            e.account = Some(account_ref(snapshot, role_account, v));
        }
        Principal::Aws(v) => {
            if let Some(arn) = policy::Arn::parse(v) {
                let (ty, _) = arn.resource_type_and_id();
                e.kind = match (arn.service, ty) {
                    ("iam", "") if arn.resource == "root" => EntityKind::Account,
                    ("iam", "user") => EntityKind::IamUser,
                    ("iam", "role") => EntityKind::IamRole,
                    ("sts", "assumed-role") => EntityKind::RoleSession,
                    ("sts", "federated-user") => EntityKind::FederatedUser,
                    _ => EntityKind::Unrecognized,
                };
                if is_account_id(arn.account) {
                    e.account = Some(account_ref(snapshot, role_account, arn.account));
                }
            }
        }
        Principal::Service(v) => {
            e.kind = EntityKind::Service;
            e.service = Some(v.clone());
        }
        Principal::Federated(v) => match policy::Arn::parse(v) {
            Some(arn) => {
                let (ty, id) = arn.resource_type_and_id();
                if is_account_id(arn.account) {
                    e.account = Some(account_ref(snapshot, role_account, arn.account));
                }
                match ty {
                    "saml-provider" => {
                        e.kind = EntityKind::SamlProvider;
                        let platform = id.starts_with("AWSSSO_").then_some("iam-identity-center");
                        e.provider = Some(Provider { name: id.to_owned(), platform });
                    }
                    "oidc-provider" => {
                        e.kind = EntityKind::OidcProvider;
                        e.provider = Some(Provider { name: id.to_owned(), platform: oidc_platform(id) });
                    }
                    _ => {}
                }
            }
            None => {
                // Web identity providers named without an ARN.
                e.kind = EntityKind::OidcProvider;
                e.provider = Some(Provider { name: v.clone(), platform: oidc_platform(v) });
            }
        },
        Principal::CanonicalUser(_) => e.kind = EntityKind::CanonicalUser,
    }
    e.guards = guards(s, e.provider.as_ref().filter(|_| e.kind == EntityKind::OidcProvider));
    e.summary = summary(&e);
    e.short = short(&e);
    e
}

/// The named guards among a statement's conditions.
fn guards(s: &Statement, oidc: Option<&Provider>) -> Vec<Guard> {
    let mut out = Vec::new();
    for c in &s.conditions {
        let key = c.key_lower.as_str();
        let kind = match key {
            "sts:externalid" => Some(GuardKind::ExternalId),
            "aws:multifactorauthpresent" | "aws:multifactorauthage" => Some(GuardKind::Mfa),
            "aws:sourcearn" => Some(GuardKind::SourceArn),
            "aws:sourceaccount" => Some(GuardKind::SourceAccount),
            "aws:sourceorgid" | "aws:sourceorgpaths" => Some(GuardKind::SourceOrg),
            "aws:principalorgid" | "aws:principalorgpaths" => Some(GuardKind::PrincipalOrg),
            "aws:principalarn" => Some(GuardKind::PrincipalArn),
            "saml:aud" => Some(GuardKind::SamlAud),
            _ => {
                let claim = key.rsplit_once(':');
                match (claim, oidc) {
                    (Some((issuer, "sub")), Some(p)) if issuer.eq_ignore_ascii_case(&p.name) => Some(GuardKind::OidcSub),
                    (Some((issuer, "aud")), Some(p)) if issuer.eq_ignore_ascii_case(&p.name) => Some(GuardKind::OidcAud),
                    // Claims of an issuer that is not the statement's own provider (or no
                    // provider): still name them, the key says which claim.
                    (Some((issuer, "sub")), None) if !issuer.starts_with("aws") && issuer.contains('.') => {
                        Some(GuardKind::OidcSub)
                    }
                    (Some((issuer, "aud")), None) if !issuer.starts_with("aws") && issuer.contains('.') => {
                        Some(GuardKind::OidcAud)
                    }
                    _ => None,
                }
            }
        };
        let Some(kind) = kind else { continue };
        let values: Vec<String> = c.values.iter().map(|v| v.text.clone()).collect();
        let base = c.operator.base;
        let negated = base.is_none_or(policy::BaseOperator::is_negated) || base == Some(policy::BaseOperator::Null);
        let is_like = matches!(base, Some(policy::BaseOperator::StringLike | policy::BaseOperator::ArnLike));
        let only_star = is_like && values.iter().any(|v| v.chars().all(|ch| ch == '*'));
        let mfa_false = kind == GuardKind::Mfa
            && base == Some(policy::BaseOperator::Bool)
            && values.iter().all(|v| v.eq_ignore_ascii_case("false"));
        let wildcard = is_like && values.iter().any(|v| v.contains('*') || v.contains('?'));
        out.push(Guard {
            kind,
            operator: c.operator.raw.clone(),
            key: c.key.clone(),
            values,
            requires: !negated && !c.operator.if_exists && !only_star && !mfa_false,
            wildcard,
        });
    }
    out.sort_by(|a, b| (a.kind, &a.key).cmp(&(b.kind, &b.key)));
    out
}

fn account_words(a: &AccountRef) -> String {
    let name = a.name.as_deref().map(|n| format!(" {n}")).unwrap_or_default();
    match a.relation {
        AccountRelation::SameAccount => format!("this account{}", paren(&a.id, a.name.as_deref())),
        AccountRelation::Organization => format!("organization account{name} ({})", a.id),
        AccountRelation::Vendor => format!("vendor{name} ({})", a.id),
        AccountRelation::External => format!("external account{name} ({})", a.id),
    }
}

fn paren(id: &str, name: Option<&str>) -> String {
    match name {
        Some(n) => format!(" ({n}, {id})"),
        None => format!(" ({id})"),
    }
}

fn summary(e: &TrustedEntity) -> String {
    let who = match e.kind {
        EntityKind::Service => format!("AWS service {}", e.principal),
        EntityKind::Account => match &e.account {
            Some(a) => format!("{}: any principal its policies allow", account_words(a)),
            None => format!("account {}", e.principal),
        },
        EntityKind::IamUser | EntityKind::IamRole | EntityKind::RoleSession | EntityKind::FederatedUser => {
            let what = match e.kind {
                EntityKind::IamUser => "IAM user",
                EntityKind::IamRole => "IAM role",
                EntityKind::RoleSession => "role session",
                _ => "federated user",
            };
            match &e.account {
                Some(a) => format!("{what} {} in {}", e.principal, account_words(a)),
                None => format!("{what} {}", e.principal),
            }
        }
        EntityKind::SamlProvider | EntityKind::OidcProvider => {
            let what = if e.kind == EntityKind::SamlProvider { "SAML provider" } else { "OIDC provider" };
            match &e.provider {
                Some(p) => match p.platform {
                    Some(pl) => format!("{what} {} ({pl})", p.name),
                    None => format!("{what} {}", p.name),
                },
                None => format!("{what} {}", e.principal),
            }
        }
        EntityKind::Everyone if !e.except.is_empty() => format!("everyone except {}", e.except.join(", ")),
        EntityKind::Everyone => "everyone (`*`)".to_owned(),
        EntityKind::CanonicalUser => format!("canonical user {}", e.principal),
        EntityKind::Unrecognized => format!("unrecognized principal `{}`", e.principal),
    };
    let mut notes: Vec<String> = e
        .guards
        .iter()
        .map(|g| {
            let vals = g.values.join(", ");
            let weak = if g.requires { "" } else { " (does not require it)" };
            format!("{} {} {vals}{weak}", g.key, g.operator)
        })
        .collect();
    if e.kind == EntityKind::OidcProvider && !e.requires(GuardKind::OidcSub) {
        notes.push("no `sub` condition".into());
    }
    if e.relation().is_some_and(|r| matches!(r, AccountRelation::Vendor | AccountRelation::External))
        && !e.requires(GuardKind::ExternalId)
    {
        notes.push("no ExternalId".into());
    }
    let mut out = who;
    if !notes.is_empty() {
        out.push_str("; ");
        out.push_str(&notes.join("; "));
    }
    out
}

fn short(e: &TrustedEntity) -> String {
    let acct = |a: &AccountRef| match a.relation {
        AccountRelation::SameAccount => "same-account".to_owned(),
        AccountRelation::Organization => format!("org:{}", a.name.as_deref().unwrap_or(&a.id)),
        AccountRelation::Vendor => format!("vendor:{}", a.name.as_deref().unwrap_or(&a.id)),
        AccountRelation::External => format!("external:{}", a.id),
    };
    let mut s = match e.kind {
        EntityKind::Service => e.principal.strip_suffix(".amazonaws.com").unwrap_or(&e.principal).to_owned(),
        EntityKind::Account => e.account.as_ref().map_or_else(|| e.principal.clone(), acct),
        EntityKind::IamUser | EntityKind::IamRole | EntityKind::RoleSession | EntityKind::FederatedUser => {
            let last = e.principal.rsplit([':', '/']).next().unwrap_or(&e.principal);
            let what = match e.kind {
                EntityKind::IamUser => "user",
                EntityKind::IamRole => "role",
                EntityKind::RoleSession => "session",
                _ => "federated",
            };
            match &e.account {
                Some(a) => format!("{what}:{last}@{}", acct(a)),
                None => format!("{what}:{last}"),
            }
        }
        EntityKind::SamlProvider => {
            let p = e.provider.as_ref();
            format!("saml:{}", p.and_then(|p| p.platform).or(p.map(|p| p.name.as_str())).unwrap_or(&e.principal))
        }
        EntityKind::OidcProvider => {
            let p = e.provider.as_ref();
            format!("oidc:{}", p.and_then(|p| p.platform).or(p.map(|p| p.name.as_str())).unwrap_or(&e.principal))
        }
        EntityKind::Everyone => "everyone".to_owned(),
        EntityKind::CanonicalUser => "canonical-user".to_owned(),
        EntityKind::Unrecognized => format!("?{}", e.principal),
    };
    let mut tags: Vec<&str> = Vec::new();
    if e.requires(GuardKind::ExternalId) {
        tags.push("extid");
    } else if e.relation().is_some_and(|r| matches!(r, AccountRelation::Vendor | AccountRelation::External)) {
        tags.push("no-extid");
    }
    if e.requires(GuardKind::Mfa) {
        tags.push("mfa");
    }
    if e.kind == EntityKind::OidcProvider {
        tags.push(if e.requires(GuardKind::OidcSub) { "sub" } else { "no-sub" });
    }
    if e.requires(GuardKind::PrincipalOrg) || e.requires(GuardKind::SourceOrg) {
        tags.push("org");
    }
    if e.requires(GuardKind::SourceArn) || e.requires(GuardKind::SourceAccount) {
        tags.push("source");
    }
    if !tags.is_empty() {
        s.push('[');
        s.push_str(&tags.join(","));
        s.push(']');
    }
    s
}

mod strangers;

pub use strangers::stranger_may_assume;

#[cfg(test)]
mod tests;
