//! Users and their credentials, from the IAM credential report: access keys (age, last use),
//! console passwords without MFA, the root user's access keys and recent use. Ages are counted
//! from the report's generation time, so the output depends on the data only, not on when the
//! command runs; a report without a generation time uses the caller's reference time.

use model::{AccessKeyInfo, CredentialRow, Gap, Snapshot, Timestamp};
use serde::Serialize;

/// The version of the JSON form of [`UsersReport`].
pub const SCHEMA_VERSION: u32 = 1;

/// Keys older than this many days are flagged (CIS AWS Foundations: rotate every 90 days).
pub const KEY_MAX_AGE_DAYS: i64 = 90;
/// Credentials unused for this many days are flagged.
pub const UNUSED_DAYS: i64 = 90;
/// Root use within this many days is "recent".
pub const RECENT_ROOT_USE_DAYS: i64 = 90;

/// Something to look at in a user's credentials.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CredentialFlag {
    /// A console password without an MFA device.
    ConsoleWithoutMfa,
    /// An active access key older than [`KEY_MAX_AGE_DAYS`].
    OldAccessKey,
    /// An active access key never used.
    UnusedAccessKey,
    /// An active access key not used for [`UNUSED_DAYS`].
    StaleAccessKey,
    /// A console password not used for [`UNUSED_DAYS`] (or never).
    StalePassword,
    /// The root user has an active access key.
    RootAccessKey,
    /// The root user was used within [`RECENT_ROOT_USE_DAYS`].
    RootUsedRecently,
    /// The root user has no MFA.
    RootWithoutMfa,
}

impl CredentialFlag {
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialFlag::ConsoleWithoutMfa => "console-without-mfa",
            CredentialFlag::OldAccessKey => "old-access-key",
            CredentialFlag::UnusedAccessKey => "unused-access-key",
            CredentialFlag::StaleAccessKey => "stale-access-key",
            CredentialFlag::StalePassword => "stale-password",
            CredentialFlag::RootAccessKey => "root-access-key",
            CredentialFlag::RootUsedRecently => "root-used-recently",
            CredentialFlag::RootWithoutMfa => "root-without-mfa",
        }
    }
}

/// One access key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccessKey {
    pub slot: u8,
    pub active: bool,
    /// Days since the key was created or last rotated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_days: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_rotated: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_used: Option<Timestamp>,
    /// Days since the last use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_used_days: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_used_service: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_used_region: Option<String>,
}

/// One user's credentials (or the root user's).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UserCredentials {
    pub name: String,
    pub arn: String,
    pub root: bool,
    /// Whether the credential report has a row for the user.
    pub in_report: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_last_used: Option<Timestamp>,
    pub mfa_active: bool,
    pub access_keys: Vec<AccessKey>,
    /// The last use of any credential (password or key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_used: Option<Timestamp>,
    pub flags: Vec<CredentialFlag>,
}

/// The credentials of one account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccountCredentials {
    pub account_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_name: Option<String>,
    /// Whether the exports had the credential report.
    pub has_report: bool,
    /// The time ages are counted from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<Timestamp>,
    /// The root user first (when the report has it), then users by ARN.
    pub users: Vec<UserCredentials>,
}

/// `rolegraph users --json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UsersReport {
    pub schema_version: u32,
    pub accounts: Vec<AccountCredentials>,
    pub gaps: Vec<Gap>,
}

fn days(from: Option<Timestamp>, now: Option<Timestamp>) -> Option<i64> {
    Some(from?.days_until(now?))
}

fn key(k: &AccessKeyInfo, now: Option<Timestamp>) -> AccessKey {
    AccessKey {
        slot: k.slot,
        active: k.active,
        age_days: days(k.last_rotated, now),
        last_rotated: k.last_rotated,
        last_used: k.last_used_date,
        last_used_days: days(k.last_used_date, now),
        last_used_service: k.last_used_service.clone(),
        last_used_region: k.last_used_region.clone(),
    }
}

fn from_row(row: &CredentialRow, now: Option<Timestamp>) -> UserCredentials {
    let root = row.is_root();
    let access_keys: Vec<AccessKey> = row.access_keys.iter().map(|k| key(k, now)).collect();
    let last_used = access_keys.iter().filter_map(|k| k.last_used).chain(row.password_last_used).max();
    let mut flags = Vec::new();
    let active: Vec<&AccessKey> = access_keys.iter().filter(|k| k.active).collect();
    if root {
        if !active.is_empty() {
            flags.push(CredentialFlag::RootAccessKey);
        }
        if !row.mfa_active {
            flags.push(CredentialFlag::RootWithoutMfa);
        }
        if days(last_used, now).is_some_and(|d| d <= RECENT_ROOT_USE_DAYS) {
            flags.push(CredentialFlag::RootUsedRecently);
        }
    } else {
        if row.password_enabled == Some(true) {
            if !row.mfa_active {
                flags.push(CredentialFlag::ConsoleWithoutMfa);
            }
            let unused = match days(row.password_last_used, now) {
                Some(d) => d >= UNUSED_DAYS,
                None => row.password_last_used.is_none(),
            };
            if unused {
                flags.push(CredentialFlag::StalePassword);
            }
        }
        if active.iter().any(|k| k.age_days.is_some_and(|d| d > KEY_MAX_AGE_DAYS)) {
            flags.push(CredentialFlag::OldAccessKey);
        }
        if active.iter().any(|k| k.last_used.is_none()) {
            flags.push(CredentialFlag::UnusedAccessKey);
        }
        if active.iter().any(|k| k.last_used_days.is_some_and(|d| d >= UNUSED_DAYS)) {
            flags.push(CredentialFlag::StaleAccessKey);
        }
    }
    UserCredentials {
        name: row.user.clone(),
        arn: row.arn.clone(),
        root,
        in_report: true,
        created: row.user_creation_time,
        password_enabled: row.password_enabled,
        password_last_used: row.password_last_used,
        mfa_active: row.mfa_active,
        access_keys,
        last_used,
        flags,
    }
}

/// The users and credentials of every account. `fallback_now` is the reference time for an
/// account whose report has no generation time.
pub fn users_report(snapshot: &Snapshot, fallback_now: Option<Timestamp>) -> UsersReport {
    let mut accounts = Vec::new();
    for a in &snapshot.accounts {
        let report = a.credential_report.as_ref();
        let now = report.and_then(|r| r.generated_time).or(fallback_now);
        let mut users: Vec<UserCredentials> = Vec::new();
        if let Some(r) = report {
            users.extend(r.rows.iter().map(|row| from_row(row, now)));
        }
        for u in &a.users {
            if users.iter().any(|c| c.arn == u.arn) {
                continue;
            }
            users.push(UserCredentials {
                name: u.name.clone(),
                arn: u.arn.clone(),
                root: false,
                in_report: false,
                created: u.create_date,
                password_enabled: None,
                password_last_used: None,
                mfa_active: false,
                access_keys: Vec::new(),
                last_used: None,
                flags: Vec::new(),
            });
        }
        users.sort_by(|x, y| (!x.root, &x.arn).cmp(&(!y.root, &y.arn)));
        accounts.push(AccountCredentials {
            account_id: a.id.clone(),
            account_name: a.name.clone().or_else(|| a.aliases.first().cloned()),
            has_report: report.is_some(),
            as_of: now,
            users,
        });
    }
    UsersReport { schema_version: SCHEMA_VERSION, accounts, gaps: snapshot.gaps.clone() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::{Account, CredentialReport};

    fn ts(s: &str) -> Option<Timestamp> {
        Timestamp::parse(s)
    }

    fn row(user: &str, password: Option<bool>, mfa: bool, keys: Vec<AccessKeyInfo>) -> CredentialRow {
        CredentialRow {
            user: user.into(),
            arn: if user == "<root_account>" {
                "arn:aws:iam::111111111111:root".into()
            } else {
                format!("arn:aws:iam::111111111111:user/{user}")
            },
            user_creation_time: ts("2020-01-01T00:00:00Z"),
            password_enabled: password,
            password_last_used: None,
            password_last_changed: None,
            password_next_rotation: None,
            mfa_active: mfa,
            access_keys: keys,
            certificates: Vec::new(),
        }
    }

    fn key_info(rotated: &str, used: Option<&str>) -> AccessKeyInfo {
        AccessKeyInfo {
            slot: 1,
            active: true,
            last_rotated: ts(rotated),
            last_used_date: used.and_then(ts),
            last_used_region: None,
            last_used_service: used.map(|_| "s3".into()),
        }
    }

    #[test]
    fn flags_from_the_report() {
        let mut root = row("<root_account>", None, false, vec![key_info("2019-01-01T00:00:00Z", Some("2026-11-01T00:00:00Z"))]);
        root.password_last_used = ts("2026-10-01T00:00:00Z");
        let mut bob = row("bob", Some(true), true, vec![key_info("2026-11-01T00:00:00Z", Some("2026-11-19T00:00:00Z"))]);
        bob.password_last_used = ts("2026-11-18T00:00:00Z");
        let rows = vec![
            row("alice", Some(true), false, Vec::new()),
            row("ci", Some(false), false, vec![key_info("2025-01-01T00:00:00Z", None)]),
            bob,
            root,
        ];
        let mut s = Snapshot::new();
        s.accounts.push(Account {
            id: "111111111111".into(),
            credential_report: Some(CredentialReport { generated_time: ts("2026-11-20T00:00:00Z"), rows }),
            ..Account::default()
        });
        let r = users_report(&s, None);
        let users = &r.accounts[0].users;
        assert!(users[0].root);
        assert_eq!(
            users[0].flags,
            [CredentialFlag::RootAccessKey, CredentialFlag::RootWithoutMfa, CredentialFlag::RootUsedRecently]
        );
        let by = |n: &str| users.iter().find(|u| u.name == n).unwrap();
        assert_eq!(by("alice").flags, [CredentialFlag::ConsoleWithoutMfa, CredentialFlag::StalePassword]);
        assert_eq!(by("ci").flags, [CredentialFlag::OldAccessKey, CredentialFlag::UnusedAccessKey]);
        assert_eq!(by("ci").access_keys[0].age_days, Some(688));
        assert!(by("bob").flags.is_empty(), "{:?}", by("bob").flags);
        assert_eq!(by("bob").access_keys[0].last_used_days, Some(1));
        assert_eq!(r.accounts[0].as_of, ts("2026-11-20T00:00:00Z"));
    }
}
