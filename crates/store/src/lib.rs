//! Snapshot history; the only crate that owns database files.
//!
//! A [`Store`] is one embedded SQLite file (by default `rolegraph.db` in the user's data
//! directory, see [`default_path`]) holding every imported snapshot: its metadata, its content
//! (the serialized [`model::Snapshot`], gzip-compressed) and its [`Facts`] in normalized tables,
//! so that a diff or a role's history reads a few indexed rows instead of re-analysing
//! snapshots. An import is one transaction: a failure at any point (a full disk, a crash) leaves
//! the file as it was. A file that is not ours (not SQLite, or SQLite of another application)
//! is refused with an error that names it. See `docs/store.md`.

pub mod compare;
pub mod facts;
mod history;
pub mod schema;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use model::{Snapshot, Timestamp};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

pub use compare::{Change, ChangeKind, DIFF_SCHEMA_VERSION, Diff, Side, compare};
pub use facts::{AdminFacts, Facts, FindingFact, RoleFacts, TrustedFact, UseFact};
pub use history::{RoleHistory, RoleVersion, role_history};

/// What can go wrong with the database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create folder `{path}`: {source}")]
    CreateDir { path: PathBuf, source: std::io::Error },
    #[error("`{path}` is not a rolegraph database (not an SQLite file, or damaged): {detail}")]
    NotADatabase { path: PathBuf, detail: String },
    #[error("`{path}` is an SQLite database of another application (application id {found}); use another `--db`")]
    Foreign { path: PathBuf, found: i32 },
    #[error("`{path}` has schema version {found}, newer than this rolegraph knows ({known}); upgrade rolegraph")]
    TooNew { path: PathBuf, found: i64, known: i64 },
    #[error("database `{path}`: {source}")]
    Sql { path: PathBuf, source: rusqlite::Error },
    #[error("no database `{0}` (`rolegraph snapshot add` creates one)")]
    Missing(PathBuf),
    #[error("no snapshot `{0}` in the database")]
    NotFound(String),
    #[error("the database has {0} snapshot(s); a diff needs two")]
    TooFew(usize),
    #[error("snapshot {id} of `{path}` cannot be read: {detail}")]
    Content { path: PathBuf, id: i64, detail: String },
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The default database: `$XDG_DATA_HOME/rolegraph/rolegraph.db`, else
/// `~/.local/share/rolegraph/rolegraph.db` (on Windows `%APPDATA%\rolegraph\rolegraph.db`).
pub fn default_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").filter(|v| !v.is_empty()).map(|h| PathBuf::from(h).join(".local/share")))
        .or_else(|| std::env::var_os("APPDATA").map(PathBuf::from))?;
    Some(base.join("rolegraph").join("rolegraph.db"))
}

/// A stored snapshot, without its content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotInfo {
    pub id: i64,
    pub label: Option<String>,
    /// RFC 3339.
    pub imported_at: String,
    /// The folder it was loaded from.
    pub source: Option<String>,
    /// The model schema version of the content.
    pub schema_version: u32,
    pub accounts: Vec<String>,
    pub roles: u64,
    pub users: u64,
    pub findings: u64,
    /// Compressed size of the content, in bytes.
    pub content_bytes: u64,
}

impl SnapshotInfo {
    /// How a diff names this snapshot.
    pub fn side(&self) -> Side {
        Side {
            id: Some(self.id),
            label: self.label.clone(),
            imported_at: Some(self.imported_at.clone()),
            source: self.source.clone(),
        }
    }
}

/// A snapshot to import, with what the caller computed of it.
pub struct NewSnapshot<'a> {
    pub snapshot: &'a Snapshot,
    pub facts: &'a Facts,
    pub label: Option<&'a str>,
    pub source: Option<&'a str>,
    /// Supplied by the caller (the clock, or a fixed time in tests).
    pub imported_at: Timestamp,
}

/// An open database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

const SNAPSHOT_COLUMNS: &str =
    "id, label, imported_at, source, schema_version, accounts, roles, users, findings, length(content)";

impl Store {
    /// Opens (creating if needed) the database at `path`, and migrates it to the current
    /// schema. Refuses files that are not rolegraph databases.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir { path: dir.to_path_buf(), source })?;
        }
        let conn = Connection::open(path).map_err(|e| not_a_db(path, &e))?;
        let mut store = Store { conn, path: path.to_path_buf() };
        store.init()?;
        Ok(store)
    }

    /// Opens an existing database (migrating it if it is older), for readers such as
    /// `rolegraph serve`: a missing file is an error rather than a new database.
    pub fn open_existing(path: &Path) -> Result<Store> {
        if !path.is_file() {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        Store::open(path)
    }

    /// The path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sql(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sql { path: self.path.clone(), source }
    }

    fn init(&mut self) -> Result<()> {
        let path = self.path.clone();
        // The first read of the header tells a foreign or damaged file.
        let app: i32 = self.conn.pragma_query_value(None, "application_id", |r| r.get(0)).map_err(|e| not_a_db(&path, &e))?;
        let version: i64 = self.conn.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(|e| not_a_db(&path, &e))?;
        let tables: i64 =
            self.conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0)).map_err(|e| not_a_db(&path, &e))?;
        if app != schema::APPLICATION_ID && (app != 0 || version != 0 || tables != 0) {
            return Err(StoreError::Foreign { path, found: app });
        }
        if version > schema::current_version() {
            return Err(StoreError::TooNew { path, found: version, known: schema::current_version() });
        }
        self.conn.pragma_update(None, "foreign_keys", true).map_err(|e| self.sql(e))?;
        // A reader (`rolegraph serve`) and an import may meet: wait for the other's lock
        // rather than fail at once.
        self.conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(|e| self.sql(e))?;
        schema::migrate(&mut self.conn, version).map_err(|source| StoreError::Sql { path, source })
    }

    /// The schema version of the file (the number of migrations applied).
    pub fn schema_version(&self) -> Result<i64> {
        self.conn.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(|e| self.sql(e))
    }

    /// Stores a snapshot and its facts in one transaction; returns what was stored.
    pub fn import(&mut self, new: &NewSnapshot<'_>) -> Result<SnapshotInfo> {
        let content =
            compress(new.snapshot).map_err(|e| StoreError::Content { path: self.path.clone(), id: 0, detail: e.to_string() })?;
        let accounts: Vec<&str> = new.snapshot.accounts.iter().map(|a| a.id.as_str()).collect();
        let accounts_json = serde_json::to_string(&accounts).unwrap_or_else(|_| "[]".into());
        let users = new.snapshot.users().count() as i64;
        let path = self.path.clone();
        let sql = |source| StoreError::Sql { path: path.clone(), source };
        let tx = self.conn.transaction().map_err(sql)?;
        tx.execute(
            "INSERT INTO snapshot (label, imported_at, source, schema_version, accounts, roles, users, findings, content_encoding, content)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'gzip+json', ?9)",
            params![
                new.label,
                new.imported_at.to_rfc3339(),
                new.source,
                new.snapshot.schema_version,
                accounts_json,
                new.facts.roles.len() as i64,
                users,
                new.facts.findings.len() as i64,
                content,
            ],
        )
        .map_err(sql)?;
        let id = tx.last_insert_rowid();
        insert_facts(&tx, id, new.facts).map_err(sql)?;
        tx.commit().map_err(sql)?;
        self.info(id)
    }

    /// Every snapshot, oldest first.
    pub fn list(&self) -> Result<Vec<SnapshotInfo>> {
        let mut stmt =
            self.conn.prepare(&format!("SELECT {SNAPSHOT_COLUMNS} FROM snapshot ORDER BY id")).map_err(|e| self.sql(e))?;
        let rows = stmt.query_map([], info_of_row).map_err(|e| self.sql(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(|e| self.sql(e))
    }

    /// One snapshot by id.
    pub fn info(&self, id: i64) -> Result<SnapshotInfo> {
        self.conn
            .query_row(&format!("SELECT {SNAPSHOT_COLUMNS} FROM snapshot WHERE id = ?1"), [id], info_of_row)
            .optional()
            .map_err(|e| self.sql(e))?
            .ok_or_else(|| StoreError::NotFound(id.to_string()))
    }

    /// A snapshot by a reference as users write it: its id, else its label (the newest
    /// snapshot with that label).
    pub fn resolve(&self, reference: &str) -> Result<SnapshotInfo> {
        if let Ok(id) = reference.parse::<i64>() {
            match self.info(id) {
                Err(StoreError::NotFound(_)) => {}
                other => return other,
            }
        }
        let id: Option<i64> = self
            .conn
            .query_row("SELECT id FROM snapshot WHERE label = ?1 ORDER BY id DESC LIMIT 1", [reference], |r| r.get(0))
            .optional()
            .map_err(|e| self.sql(e))?;
        match id {
            Some(id) => self.info(id),
            None => Err(StoreError::NotFound(reference.to_owned())),
        }
    }

    /// The two newest snapshots (older first).
    pub fn latest_two(&self) -> Result<(SnapshotInfo, SnapshotInfo)> {
        let mut all = self.list()?;
        let n = all.len();
        match (all.pop(), all.pop()) {
            (Some(new), Some(old)) => Ok((old, new)),
            _ => Err(StoreError::TooFew(n)),
        }
    }

    /// The newest snapshot.
    pub fn latest(&self) -> Result<SnapshotInfo> {
        self.list()?.pop().ok_or(StoreError::TooFew(0))
    }

    /// The stored snapshot, decompressed and deserialized.
    pub fn snapshot(&self, id: i64) -> Result<Snapshot> {
        let blob: Vec<u8> = self
            .conn
            .query_row("SELECT content FROM snapshot WHERE id = ?1", [id], |r| r.get(0))
            .optional()
            .map_err(|e| self.sql(e))?
            .ok_or_else(|| StoreError::NotFound(id.to_string()))?;
        decompress(&blob).map_err(|detail| StoreError::Content { path: self.path.clone(), id, detail })
    }

    /// The facts of a stored snapshot, from the normalized tables.
    pub fn facts(&self, id: i64) -> Result<Facts> {
        self.info(id)?;
        load_facts(&self.conn, id, None).map_err(|e| self.sql(e))
    }

    /// The facts of one role in a stored snapshot.
    pub fn role_facts(&self, id: i64, arn: &str) -> Result<Option<RoleFacts>> {
        let f = load_facts(&self.conn, id, Some(arn)).map_err(|e| self.sql(e))?;
        Ok(f.roles.into_iter().next())
    }

    /// The findings of a stored snapshot whose subject is `subject`, by fingerprint.
    pub fn findings_of(&self, id: i64, subject: &str) -> Result<Vec<FindingFact>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT fingerprint, rule, severity, subject, message FROM finding
                 WHERE snapshot_id = ?1 AND subject = ?2 ORDER BY fingerprint",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map(params![id, subject], |r| {
                Ok(FindingFact {
                    fingerprint: r.get(0)?,
                    rule: r.get(1)?,
                    severity: r.get(2)?,
                    subject: r.get(3)?,
                    message: r.get(4)?,
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(|e| self.sql(e))
    }

    /// Deletes a snapshot and its facts.
    pub fn remove(&mut self, id: i64) -> Result<()> {
        let n = self.conn.execute("DELETE FROM snapshot WHERE id = ?1", [id]).map_err(|e| self.sql(e))?;
        if n == 0 {
            return Err(StoreError::NotFound(id.to_string()));
        }
        Ok(())
    }

    #[cfg(test)]
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}

/// What changed between two stored snapshots.
pub fn diff(store: &Store, old: i64, new: i64) -> Result<Diff> {
    let (oi, ni) = (store.info(old)?, store.info(new)?);
    let (of, nf) = (store.facts(old)?, store.facts(new)?);
    Ok(Diff::of(oi.side(), &of, ni.side(), &nf))
}

fn not_a_db(path: &Path, e: &rusqlite::Error) -> StoreError {
    StoreError::NotADatabase { path: path.to_path_buf(), detail: e.to_string() }
}

fn info_of_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SnapshotInfo> {
    let accounts: String = r.get(5)?;
    Ok(SnapshotInfo {
        id: r.get(0)?,
        label: r.get(1)?,
        imported_at: r.get(2)?,
        source: r.get(3)?,
        schema_version: r.get(4)?,
        accounts: serde_json::from_str(&accounts).unwrap_or_default(),
        roles: r.get(6)?,
        users: r.get(7)?,
        findings: r.get(8)?,
        content_bytes: r.get(9)?,
    })
}

fn compress(snapshot: &Snapshot) -> std::io::Result<Vec<u8>> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::new(3));
    serde_json::to_writer(&mut enc, snapshot)?;
    enc.flush()?;
    enc.finish()
}

fn decompress(blob: &[u8]) -> std::result::Result<Snapshot, String> {
    let mut json = Vec::new();
    GzDecoder::new(blob).read_to_end(&mut json).map_err(|e| format!("cannot decompress: {e}"))?;
    serde_json::from_slice(&json).map_err(|e| format!("cannot deserialize: {e}"))
}

fn insert_facts(tx: &rusqlite::Transaction<'_>, id: i64, facts: &Facts) -> rusqlite::Result<()> {
    let mut role = tx.prepare_cached(
        "INSERT INTO role (snapshot_id, arn, account_id, name, trust_hash, permissions_hash, privilege, privileged_actions)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let mut trusted = tx.prepare_cached(
        "INSERT OR IGNORE INTO trusted_entity (snapshot_id, role_arn, principal, kind, category, summary) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut uses = tx.prepare_cached(
        "INSERT OR IGNORE INTO role_use (snapshot_id, role_arn, kind, resource, name) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut reach =
        tx.prepare_cached("INSERT OR IGNORE INTO reach (snapshot_id, role_arn, principal, conditional) VALUES (?1, ?2, ?3, ?4)")?;
    let conditional = |list: &[String], p: &String| list.binary_search(p).is_ok();
    let mut finding = tx.prepare_cached(
        "INSERT OR IGNORE INTO finding (snapshot_id, fingerprint, rule, severity, subject, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for r in &facts.roles {
        role.execute(params![
            id,
            r.arn,
            r.account_id,
            r.name,
            r.trust_hash,
            r.permissions_hash,
            r.privilege,
            r.privileged_actions.join("\n")
        ])?;
        for t in &r.trusted {
            trusted.execute(params![id, r.arn, t.principal, t.kind, t.category, t.summary])?;
        }
        for u in &r.uses {
            uses.execute(params![id, r.arn, u.kind, u.resource, u.name])?;
        }
        for p in &r.reached_by {
            reach.execute(params![id, r.arn, p, conditional(&r.conditional_reach, p)])?;
        }
    }
    for a in &facts.admins {
        for p in &a.reached_by {
            reach.execute(params![id, a.node, p, conditional(&a.conditional_reach, p)])?;
        }
    }
    for f in &facts.findings {
        finding.execute(params![id, f.fingerprint, f.rule, f.severity, f.subject, f.message])?;
    }
    Ok(())
}

/// The facts of a snapshot, or of one role of it (`only`).
fn load_facts(conn: &Connection, id: i64, only: Option<&str>) -> rusqlite::Result<Facts> {
    let filter = if only.is_some() { "AND arn = ?2" } else { "AND ?2 IS NULL" };
    let role_filter = if only.is_some() { "AND role_arn = ?2" } else { "AND ?2 IS NULL" };
    let mut facts = Facts::default();
    let mut stmt = conn.prepare(&format!(
        "SELECT arn, account_id, name, trust_hash, permissions_hash, privilege, privileged_actions
         FROM role WHERE snapshot_id = ?1 {filter} ORDER BY arn"
    ))?;
    let rows = stmt.query_map(params![id, only], |r| {
        let actions: String = r.get(6)?;
        Ok(RoleFacts {
            arn: r.get(0)?,
            account_id: r.get(1)?,
            name: r.get(2)?,
            trust_hash: r.get(3)?,
            permissions_hash: r.get(4)?,
            privilege: r.get(5)?,
            privileged_actions: actions.split('\n').filter(|a| !a.is_empty()).map(str::to_owned).collect(),
            ..RoleFacts::default()
        })
    })?;
    for r in rows {
        facts.roles.push(r?);
    }
    // The child rows come ordered by role ARN, as the roles are: attach them in one pass.
    let attach = |sql: &str,
                  f: &mut dyn FnMut(&mut RoleFacts, &rusqlite::Row<'_>) -> rusqlite::Result<()>,
                  facts: &mut Facts|
     -> rusqlite::Result<()> {
        let mut stmt = conn.prepare(sql)?;
        let mut rows = stmt.query(params![id, only])?;
        let mut i = 0usize;
        while let Some(row) = rows.next()? {
            let arn: String = row.get(0)?;
            while facts.roles.get(i).is_some_and(|r| r.arn < arn) {
                i += 1;
            }
            if let Some(r) = facts.roles.get_mut(i).filter(|r| r.arn == arn) {
                f(r, row)?;
            }
        }
        Ok(())
    };
    attach(
        &format!(
            "SELECT role_arn, principal, kind, category, summary FROM trusted_entity WHERE snapshot_id = ?1 {role_filter} ORDER BY role_arn, principal, kind"
        ),
        &mut |r, row| {
            r.trusted.push(TrustedFact {
                principal: row.get(1)?,
                kind: row.get(2)?,
                category: row.get(3)?,
                summary: row.get(4)?,
            });
            Ok(())
        },
        &mut facts,
    )?;
    attach(
        &format!(
            "SELECT role_arn, kind, resource, name FROM role_use WHERE snapshot_id = ?1 {role_filter} ORDER BY role_arn, kind, resource"
        ),
        &mut |r, row| {
            r.uses.push(UseFact { kind: row.get(1)?, resource: row.get(2)?, name: row.get(3)? });
            Ok(())
        },
        &mut facts,
    )?;
    attach(
        &format!(
            "SELECT role_arn, principal, conditional FROM reach WHERE snapshot_id = ?1 {role_filter} ORDER BY role_arn, principal"
        ),
        &mut |r, row| {
            let principal: String = row.get(1)?;
            if row.get::<_, Option<bool>>(2)? == Some(true) {
                r.conditional_reach.push(principal.clone());
            }
            r.reached_by.push(principal);
            Ok(())
        },
        &mut facts,
    )?;
    if only.is_none() {
        let mut stmt = conn.prepare(
            "SELECT fingerprint, rule, severity, subject, message FROM finding WHERE snapshot_id = ?1 ORDER BY fingerprint",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok(FindingFact {
                fingerprint: r.get(0)?,
                rule: r.get(1)?,
                severity: r.get(2)?,
                subject: r.get(3)?,
                message: r.get(4)?,
            })
        })?;
        for f in rows {
            facts.findings.push(f?);
        }
        let mut stmt = conn.prepare(
            "SELECT role_arn, principal, conditional FROM reach WHERE snapshot_id = ?1 AND role_arn LIKE 'admin:%' ORDER BY role_arn, principal",
        )?;
        let mut rows = stmt.query([id])?;
        while let Some(row) = rows.next()? {
            let node: String = row.get(0)?;
            let principal: String = row.get(1)?;
            let conditional = row.get::<_, Option<bool>>(2)? == Some(true);
            if facts.admins.last().is_none_or(|a| a.node != node) {
                facts.admins.push(AdminFacts { node, ..AdminFacts::default() });
            }
            if let Some(a) = facts.admins.last_mut() {
                if conditional {
                    a.conditional_reach.push(principal.clone());
                }
                a.reached_by.push(principal);
            }
        }
    }
    // SQLite orders text by bytes, as Rust does; sort anyway so the facts are canonical.
    facts.sort();
    Ok(facts)
}

#[cfg(test)]
mod tests;
