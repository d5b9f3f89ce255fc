//! One module per rule. Registration is one line in [`crate::RULES`].

pub mod console_user_without_mfa;
pub mod long_max_session_duration;
pub mod old_access_key;
pub mod root_access_keys;
pub mod root_recent_use;
pub mod unused_access_key;
pub mod unused_role;
pub mod user_access_key_where_role_would_do;

use model::{Account, CredentialRow};

use crate::finding::{Subject, SubjectKind};

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
    cx.snapshot
        .accounts
        .iter()
        .flat_map(|a| a.credential_report.iter().flat_map(move |r| r.rows.iter().map(move |row| (a, row))))
}
