//! The database schema and its migrations. A rolegraph database is marked with
//! `PRAGMA application_id` ([`APPLICATION_ID`]); `PRAGMA user_version` is the number of
//! migrations applied. Migrations are an ordered list of SQL scripts, each applied in its own
//! transaction with the version bump, so a database is always at one version or the next.
//! Never edit a released migration: append one.

use rusqlite::Connection;

/// `RGDB` in ASCII: marks our files.
pub const APPLICATION_ID: i32 = 0x5247_4442;

/// Migration `i` (from 0) brings the database to version `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: snapshots with their compressed content, and the normalized facts.
    "CREATE TABLE snapshot (
        id INTEGER PRIMARY KEY,
        label TEXT,
        imported_at TEXT NOT NULL,
        source TEXT,
        schema_version INTEGER NOT NULL,
        accounts TEXT NOT NULL,
        roles INTEGER NOT NULL,
        users INTEGER NOT NULL,
        findings INTEGER NOT NULL,
        content_encoding TEXT NOT NULL,
        content BLOB NOT NULL
    );
    CREATE TABLE role (
        snapshot_id INTEGER NOT NULL REFERENCES snapshot(id) ON DELETE CASCADE,
        arn TEXT NOT NULL,
        account_id TEXT NOT NULL,
        name TEXT NOT NULL,
        trust_hash TEXT NOT NULL,
        permissions_hash TEXT NOT NULL,
        privilege TEXT NOT NULL,
        privileged_actions TEXT NOT NULL,
        PRIMARY KEY (snapshot_id, arn)
    ) WITHOUT ROWID;
    CREATE TABLE trusted_entity (
        snapshot_id INTEGER NOT NULL REFERENCES snapshot(id) ON DELETE CASCADE,
        role_arn TEXT NOT NULL,
        principal TEXT NOT NULL,
        kind TEXT NOT NULL,
        category TEXT NOT NULL,
        summary TEXT NOT NULL,
        PRIMARY KEY (snapshot_id, role_arn, principal, kind)
    ) WITHOUT ROWID;
    CREATE TABLE role_use (
        snapshot_id INTEGER NOT NULL REFERENCES snapshot(id) ON DELETE CASCADE,
        role_arn TEXT NOT NULL,
        kind TEXT NOT NULL,
        resource TEXT NOT NULL,
        name TEXT NOT NULL,
        PRIMARY KEY (snapshot_id, role_arn, kind, resource)
    ) WITHOUT ROWID;
    CREATE TABLE reach (
        snapshot_id INTEGER NOT NULL REFERENCES snapshot(id) ON DELETE CASCADE,
        role_arn TEXT NOT NULL,
        principal TEXT NOT NULL,
        PRIMARY KEY (snapshot_id, role_arn, principal)
    ) WITHOUT ROWID;
    CREATE TABLE finding (
        snapshot_id INTEGER NOT NULL REFERENCES snapshot(id) ON DELETE CASCADE,
        fingerprint TEXT NOT NULL,
        rule TEXT NOT NULL,
        severity TEXT NOT NULL,
        subject TEXT NOT NULL,
        message TEXT NOT NULL,
        PRIMARY KEY (snapshot_id, fingerprint)
    ) WITHOUT ROWID;",
    // 2: lookups by role across snapshots (a role's history) and by label.
    "CREATE INDEX role_by_arn ON role (arn, snapshot_id);
    CREATE INDEX snapshot_by_label ON snapshot (label, id);",
    // 3: whether a principal reaches a privileged role only under conditions (1), or by a path
    // without any (0); NULL for rows imported before this version, which did not record it.
    "ALTER TABLE reach ADD COLUMN conditional INTEGER;",
];

/// The schema version this build writes.
pub fn current_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// Applies the migrations after `from`, each in one transaction with its version bump.
pub fn migrate(conn: &mut Connection, from: i64) -> rusqlite::Result<()> {
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(usize::try_from(from).unwrap_or(0)) {
        let tx = conn.transaction()?;
        if i == 0 {
            tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}
