//! One module per rule. Registration is one line in [`crate::RULES`].

pub mod allow_with_not_action;
pub mod aws_managed_policy_on_execution_role;
pub mod console_user_without_mfa;
pub mod execution_role_with_wildcard_permissions;
pub mod external_account_trust_without_external_id;
pub mod lambda_function_invokable_by_anyone;
pub mod long_max_session_duration;
pub mod observed_assumption_not_allowed;
pub mod oidc_trust_without_sub_condition;
pub mod old_access_key;
pub mod passrole_on_any_role;
pub mod principal_can_escalate_to_admin;
pub mod privileged_role_assumable_from_outside;
pub mod privileged_role_assumable_without_mfa;
pub mod resource_policy_service_without_source;
pub mod resource_reachable_from_outside;
pub mod role_assumable_by_several_services;
pub mod role_trusted_by_everyone;
pub mod role_used_by_many_resources;
pub mod root_access_keys;
pub mod root_recent_use;
pub mod secret_readable_by_exposed_compute;
pub mod service_trust_without_source_condition;
pub mod unused_access_key;
pub mod unused_permissions;
pub mod unused_role;
pub mod unused_service_permissions;
pub mod user_access_key_where_role_would_do;

use access::permissions::StatementEvidence;
use access::trust::{AccountRef, TrustedEntity};
use model::{Account, CredentialRow, PolicySource, Role, Snapshot};
use policy::{Policy, Statement};

use crate::finding::{Evidence, Finding, Severity, Subject, SubjectKind, fingerprint};
use crate::rule::RuleMeta;

/// The subject of a credential-report row.
pub(crate) fn row_subject(account: &Account, row: &CredentialRow) -> Subject {
    if row.is_root() {
        Subject { kind: SubjectKind::RootUser, arn: row.arn.clone(), name: "root".into(), account: account.id.clone() }
    } else {
        Subject { kind: SubjectKind::User, arn: row.arn.clone(), name: row.user.clone(), account: account.id.clone() }
    }
}

/// The rows of every credential report, with their account.
pub(crate) fn credential_rows<'a>(cx: &'a crate::RuleContext<'_>) -> impl Iterator<Item = (&'a Account, &'a CredentialRow)> {
    cx.snapshot.accounts.iter().flat_map(|a| a.credential_report.iter().flat_map(move |r| r.rows.iter().map(move |row| (a, row))))
}

/// The subject of a role.
pub(crate) fn role_subject(account: &Account, role: &Role) -> Subject {
    Subject { kind: SubjectKind::Role, arn: role.arn.clone(), name: role.name.clone(), account: account.id.clone() }
}

/// The evidence of a trusted entity: its trust statement.
pub(crate) fn trust_evidence(role: &Role, e: &TrustedEntity) -> Evidence {
    Evidence::Statement {
        policy: format!("{} trust policy", role.arn),
        statement: e.evidence.statement,
        sid: e.evidence.sid.clone(),
        pointer: e.evidence.pointer.clone(),
    }
}

/// The evidence of a statement the engine named.
pub(crate) fn statement_evidence(s: &StatementEvidence) -> Evidence {
    Evidence::Statement {
        policy: s.policy.to_string(),
        statement: s.statement,
        sid: s.sid.as_deref().map(str::to_owned),
        pointer: s.pointer.to_string(),
    }
}

/// The evidence of a statement of a policy document.
pub(crate) fn policy_statement_evidence(policy: &str, s: &Statement) -> Evidence {
    Evidence::Statement {
        policy: policy.to_owned(),
        statement: s.index,
        sid: s.sid.clone().filter(|x| !x.is_empty()),
        pointer: s.pointer.clone(),
    }
}

/// A policy a principal holds, written by the customer: inline, or customer-managed.
pub(crate) struct OwnPolicy<'a> {
    /// The name evidence uses: the managed policy ARN, or `PRINCIPAL_ARN inline policy NAME`.
    pub label: String,
    pub policy: &'a Policy,
}

/// The customer-written policies of a role (inline and customer-managed attached), parsed.
pub(crate) fn own_policies<'a>(snapshot: &'a Snapshot, role: &'a Role) -> Vec<OwnPolicy<'a>> {
    let mut out = Vec::new();
    for (source, doc) in snapshot.role_policies(role).identity {
        let Some(policy) = doc.and_then(|d| d.policy()) else { continue };
        match source {
            PolicySource::Inline { name } => {
                out.push(OwnPolicy { label: format!("{} inline policy {name}", role.arn), policy });
            }
            PolicySource::Managed { arn } if !model::is_aws_managed_policy_arn(arn) => {
                out.push(OwnPolicy { label: arn.to_owned(), policy });
            }
            _ => {}
        }
    }
    out
}

/// A short name for an account: `name (id)` or the id.
pub(crate) fn account_words(a: &AccountRef) -> String {
    match &a.name {
        Some(n) => format!("{n} ({})", a.id),
        None => a.id.clone(),
    }
}

/// Builds a finding of rule `meta` with the rule's remediation.
pub(crate) fn finding(
    meta: &RuleMeta,
    severity: Severity,
    subject: Subject,
    key: &str,
    message: String,
    evidence: Vec<Evidence>,
) -> Finding {
    Finding {
        rule: meta.id.into(),
        severity,
        fingerprint: fingerprint(meta.id, &subject.arn, key),
        subject,
        message,
        evidence,
        remediation: meta.section("Remediation"),
        suppressed: None,
    }
}

/// Every policy written by the customer, with the subject a finding about it names: inline
/// policies of roles, users and groups (the principal), and customer-managed policies (the
/// policy, once however many principals it is attached to).
pub(crate) fn customer_policies(snapshot: &Snapshot) -> Vec<(Subject, String, &Policy)> {
    let mut out = Vec::new();
    for a in &snapshot.accounts {
        let subject =
            |kind, arn: &str, name: &str| Subject { kind, arn: arn.to_owned(), name: name.to_owned(), account: a.id.clone() };
        for r in &a.roles {
            for p in &r.inline_policies {
                if let Some(doc) = p.document.policy() {
                    out.push((subject(SubjectKind::Role, &r.arn, &r.name), format!("{} inline policy {}", r.arn, p.name), doc));
                }
            }
        }
        for u in &a.users {
            for p in &u.inline_policies {
                if let Some(doc) = p.document.policy() {
                    out.push((subject(SubjectKind::User, &u.arn, &u.name), format!("{} inline policy {}", u.arn, p.name), doc));
                }
            }
        }
        for g in &a.groups {
            for p in &g.inline_policies {
                if let Some(doc) = p.document.policy() {
                    out.push((subject(SubjectKind::Group, &g.arn, &g.name), format!("{} inline policy {}", g.arn, p.name), doc));
                }
            }
        }
        for m in a.policies.iter().filter(|m| !m.aws_managed) {
            if let Some(doc) = m.default_document().and_then(|d| d.policy()) {
                out.push((subject(SubjectKind::Policy, &m.arn, &m.name), m.arn.clone(), doc));
            }
        }
    }
    out
}

/// The subject of a resource with a resource-based policy.
pub(crate) fn resource_subject(r: &graph::resources::ResourceAccess) -> Subject {
    Subject { kind: SubjectKind::Resource, arn: r.arn.clone(), name: r.name.clone(), account: r.account.clone() }
}

/// The statements that decided an access level (the resource policy's first), as evidence.
pub(crate) fn level_evidence(l: &graph::resources::LevelAccess) -> Vec<Evidence> {
    let mut ev: Vec<&graph::Evidence> =
        l.check.evidence.iter().filter(|e| e.policy_kind != "identity" || !e.policy.starts_with("assumed:")).collect();
    // A resource statement that names only the account hands the decision to IAM: when an
    // identity statement decided it, that one is the evidence.
    if ev.iter().any(|e| e.policy_kind == "identity") {
        ev.retain(|e| e.policy_kind != "resource" || !e.names_only_accounts());
    }
    ev.sort_by_key(|e| e.policy_kind != "resource");
    ev.into_iter()
        .map(|e| Evidence::Statement {
            policy: e.policy.to_string(),
            statement: e.statement(),
            sid: e.sid().map(str::to_owned),
            pointer: e.pointer().to_owned(),
        })
        .collect()
}

/// The words for who may act on a resource: `anyone (*)`, `account 999988887777 (outside the
/// organization, Datadog)`.
pub(crate) fn grantee_words(w: &graph::resources::Grantee) -> String {
    use graph::resources::GranteeKind as K;
    let mut s = match w.kind {
        K::Anyone => "anyone (`*`)".to_owned(),
        K::Account => format!("account {}", w.id),
        K::Principal => format!("`{}`", w.id),
        K::Service => format!("the service {}", w.id),
        K::Federated => format!("users of {}", w.id),
        K::User | K::Role => format!("`{}`", w.id),
    };
    let mut notes = Vec::new();
    if w.outside && w.kind != K::Anyone {
        notes.push("outside the organization".to_owned());
    }
    if let Some(v) = &w.vendor {
        notes.push(v.clone());
    }
    if !notes.is_empty() {
        s.push_str(&format!(" ({})", notes.join(", ")));
    }
    s
}
