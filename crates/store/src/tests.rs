use std::path::{Path, PathBuf};

use model::{Snapshot, Timestamp};
use rusqlite::Connection;

use super::*;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo");

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).expect("time")
}

fn demo() -> Snapshot {
    ingest::load(Path::new(DEMO)).expect("demo loads").snapshot
}

fn role(arn: &str, privilege: &str) -> RoleFacts {
    RoleFacts {
        arn: arn.into(),
        account_id: "111111111111".into(),
        name: arn.rsplit('/').next().unwrap_or_default().into(),
        trust_hash: "t1".into(),
        permissions_hash: "p1".into(),
        privilege: privilege.into(),
        ..RoleFacts::default()
    }
}

fn trusted(principal: &str, category: &str) -> TrustedFact {
    TrustedFact { principal: principal.into(), kind: "account".into(), category: category.into(), summary: principal.into() }
}

fn finding(fp: &str, subject: &str) -> FindingFact {
    FindingFact {
        fingerprint: fp.into(),
        rule: "some-rule".into(),
        severity: "high".into(),
        subject: subject.into(),
        message: "m".into(),
    }
}

const A: &str = "arn:aws:iam::111111111111:role/a";
const B: &str = "arn:aws:iam::111111111111:role/b";
const C: &str = "arn:aws:iam::111111111111:role/c";

/// Facts with three roles and two findings.
fn base_facts() -> Facts {
    let mut a = role(A, "write");
    a.trusted.push(trusted("111111111111", "same-account"));
    a.privileged_actions = vec!["s3:GetObject".into()];
    a.uses.push(UseFact { kind: "lambda-function".into(), resource: "arn:fn:1".into(), name: "fn1".into() });
    let mut b = role(B, "admin");
    b.reached_by = vec!["arn:aws:iam::111111111111:user/alice".into(), "token.actions.githubusercontent.com".into()];
    b.conditional_reach = vec!["token.actions.githubusercontent.com".into()];
    let c = role(C, "read");
    let admins = vec![AdminFacts {
        node: "admin:111111111111".into(),
        reached_by: vec!["arn:aws:iam::111111111111:user/alice".into(), "external-account:999999999999".into()],
        conditional_reach: vec!["external-account:999999999999".into()],
    }];
    let mut f = Facts { roles: vec![a, b, c], findings: vec![finding("f1", A), finding("f2", B)], admins };
    f.sort();
    f
}

fn tmp() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("sub").join("history.db");
    (dir, path)
}

fn import(store: &mut Store, snapshot: &Snapshot, facts: &Facts, label: &str, time: &str) -> Result<SnapshotInfo> {
    store.import(&NewSnapshot { snapshot, facts, label: Some(label), source: Some("demo"), imported_at: at(time) })
}

#[test]
fn migrates_an_empty_database_to_the_current_version() {
    let (_d, path) = tmp();
    let store = Store::open(&path).expect("open");
    assert_eq!(store.schema_version().expect("version"), schema::current_version());
    assert_eq!(schema::current_version(), 3);
    let app: i32 = store.conn().pragma_query_value(None, "application_id", |r| r.get(0)).expect("app id");
    assert_eq!(app, schema::APPLICATION_ID);
    let idx: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'role_by_arn'", [], |r| r.get(0))
        .expect("index");
    assert_eq!(idx, 1);
    drop(store);
    // Reopening does not migrate again.
    let again = Store::open(&path).expect("reopen");
    assert_eq!(again.schema_version().expect("version"), 3);
}

#[test]
fn migrates_version_1_to_the_current_version_keeping_data() {
    let (_d, path) = tmp();
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    {
        let conn = Connection::open(&path).expect("sqlite");
        conn.pragma_update(None, "application_id", schema::APPLICATION_ID).expect("app id");
        conn.execute_batch(schema::MIGRATIONS.first().expect("m1")).expect("m1");
        conn.pragma_update(None, "user_version", 1).expect("version");
        conn.execute(
            "INSERT INTO snapshot (label, imported_at, source, schema_version, accounts, roles, users, findings, content_encoding, content)
             VALUES ('old', '2026-01-01T00:00:00Z', NULL, 1, '[\"111111111111\"]', 0, 0, 0, 'gzip+json', x'00')",
            [],
        )
        .expect("row");
        conn.execute_batch(&format!(
            "INSERT INTO role VALUES (1, '{B}', '111111111111', 'b', 't', 'p', 'admin', '');
             INSERT INTO reach VALUES (1, '{B}', 'arn:aws:iam::111111111111:user/alice');"
        ))
        .expect("rows");
    }
    let store = Store::open(&path).expect("open");
    assert_eq!(store.schema_version().expect("version"), 3);
    let list = store.list().expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list.first().and_then(|i| i.label.as_deref()), Some("old"));
    assert_eq!(list.first().map(|i| i.accounts.clone()), Some(vec!["111111111111".to_owned()]));
    // Reach rows from before version 3 did not record conditions: read as not conditional.
    let b = store.role_facts(1, B).expect("facts").expect("role b");
    assert_eq!(b.reached_by, vec!["arn:aws:iam::111111111111:user/alice".to_owned()]);
    assert!(b.conditional_reach.is_empty());
}

#[test]
fn import_list_show_round_trip() {
    let (_d, path) = tmp();
    let mut store = Store::open(&path).expect("open");
    let snap = demo();
    let facts = base_facts();
    let info = import(&mut store, &snap, &facts, "first", "2026-11-01T00:00:00Z").expect("import");
    assert_eq!(info.id, 1);
    assert_eq!(info.label.as_deref(), Some("first"));
    assert_eq!(info.imported_at, "2026-11-01T00:00:00Z");
    assert_eq!(info.roles, 3);
    assert_eq!(info.findings, 2);
    assert_eq!(info.users, snap.users().count() as u64);
    assert_eq!(info.accounts, snap.accounts.iter().map(|a| a.id.clone()).collect::<Vec<_>>());
    assert!(info.content_bytes > 0);
    // The stored snapshot deserializes equal; the facts read back equal.
    assert_eq!(store.snapshot(info.id).expect("content"), snap);
    assert_eq!(store.facts(info.id).expect("facts"), facts);
    assert_eq!(store.role_facts(info.id, A).expect("role"), facts.role(A).cloned());
    // Survives closing the file.
    drop(store);
    let store = Store::open(&path).expect("reopen");
    assert_eq!(store.list().expect("list"), vec![info.clone()]);
    assert_eq!(store.resolve("first").expect("by label"), info);
    assert_eq!(store.resolve("1").expect("by id"), info);
    assert!(matches!(store.resolve("nope"), Err(StoreError::NotFound(s)) if s == "nope"));
    assert!(matches!(store.latest_two(), Err(StoreError::TooFew(1))));
}

#[test]
fn a_failed_import_leaves_the_database_unchanged() {
    let (_d, path) = tmp();
    let mut store = Store::open(&path).expect("open");
    let snap = Snapshot::new();
    let facts = base_facts();
    import(&mut store, &snap, &facts, "good", "2026-11-01T00:00:00Z").expect("first import");
    let count = |store: &Store, table: &str| -> i64 {
        store.conn().query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).expect("count")
    };
    let tables = ["snapshot", "role", "trusted_entity", "role_use", "reach", "finding"];
    let before: Vec<i64> = tables.iter().map(|t| count(&store, t)).collect();
    // The last table written fails midway, as a full disk would.
    store
        .conn()
        .execute_batch(
            "CREATE TRIGGER fail_midway BEFORE INSERT ON finding WHEN NEW.fingerprint = 'f2'
             BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;",
        )
        .expect("trigger");
    let err = import(&mut store, &snap, &facts, "bad", "2026-11-02T00:00:00Z").expect_err("import fails");
    assert!(err.to_string().contains("disk is full"), "{err}");
    let after: Vec<i64> = tables.iter().map(|t| count(&store, t)).collect();
    assert_eq!(before, after);
    assert_eq!(store.list().expect("list").len(), 1);
    assert!(matches!(store.resolve("bad"), Err(StoreError::NotFound(_))));
    // The database still works.
    store.conn().execute_batch("DROP TRIGGER fail_midway").expect("drop");
    let info = import(&mut store, &snap, &facts, "bad", "2026-11-02T00:00:00Z").expect("import");
    assert_eq!(store.facts(info.id).expect("facts"), facts);
}

/// Facts big enough to need many database pages.
fn big_facts(roles: usize) -> Facts {
    let actions: Vec<String> = (0..200).map(|i| format!("service{i}:SomeLongishActionName{i}")).collect();
    let mut f = Facts::default();
    for i in 0..roles {
        let mut r = role(&format!("arn:aws:iam::111111111111:role/r{i:05}"), "admin");
        r.privileged_actions.clone_from(&actions);
        r.reached_by = vec![format!("arn:aws:iam::111111111111:user/u{i}")];
        f.roles.push(r);
    }
    f.sort();
    f
}

#[test]
fn a_full_disk_during_import_leaves_the_database_unchanged() {
    let (_d, path) = tmp();
    let mut store = Store::open(&path).expect("open");
    let snap = demo();
    let facts = base_facts();
    let first = import(&mut store, &snap, &facts, "good", "2026-11-01T00:00:00Z").expect("first import");
    let pages: i64 = store.conn().pragma_query_value(None, "page_count", |r| r.get(0)).expect("pages");
    let size = std::fs::metadata(&path).expect("size").len();
    // The disk fills up a few pages into the next import: SQLite's own "database or disk is
    // full" (SQLITE_FULL), raised by the pager in the middle of the fact rows.
    store.conn().pragma_update(None, "max_page_count", pages + 8).expect("limit");
    let big = big_facts(2000);
    let err = import(&mut store, &snap, &big, "too-big", "2026-11-02T00:00:00Z").expect_err("disk full");
    assert!(err.to_string().contains("full"), "{err}");
    assert!(err.to_string().contains(&path.display().to_string()), "{err}");
    // Nothing of it remains, and the file did not grow past what it was plus the limit.
    assert_eq!(store.list().expect("list"), vec![first.clone()]);
    assert_eq!(store.facts(first.id).expect("facts"), facts);
    let rows: i64 = store.conn().query_row("SELECT count(*) FROM role", [], |r| r.get(0)).expect("rows");
    assert_eq!(rows, 3);
    assert!(std::fs::metadata(&path).expect("size").len() <= size + 8 * 4096);
    // Reopened (as after a crash), the file is intact; with room again, the import succeeds.
    drop(store);
    let mut store = Store::open(&path).expect("reopen");
    assert_eq!(store.list().expect("list"), vec![first]);
    let info = import(&mut store, &snap, &big, "fits", "2026-11-03T00:00:00Z").expect("import");
    assert_eq!(store.facts(info.id).expect("facts").roles.len(), 2000);
}

#[test]
fn an_interrupted_transaction_is_rolled_back_on_the_next_open() {
    // A process killed after writing part of an import leaves a hot journal; the next open
    // rolls it back. Simulated by leaving a transaction open while the file is copied, as a
    // crash would freeze it (the journal is copied along with the database).
    let (d, path) = tmp();
    let mut store = Store::open(&path).expect("open");
    let snap = Snapshot::new();
    let facts = base_facts();
    let first = import(&mut store, &snap, &facts, "good", "2026-11-01T00:00:00Z").expect("import");
    drop(store);
    let conn = Connection::open(&path).expect("sqlite");
    // A small cache forces SQLite to write pages to the database file before the commit.
    conn.execute_batch("PRAGMA cache_size = 1; BEGIN;").expect("begin");
    for i in 0..3000 {
        conn.execute(
            "INSERT INTO finding VALUES (1, ?1, 'r', 'high', 's', 'a message long enough to fill pages quickly')",
            [format!("fp{i:05}")],
        )
        .expect("insert");
    }
    let crashed = d.path().join("crashed.db");
    let journal = path.with_file_name("history.db-journal");
    assert!(journal.exists(), "no rollback journal while the transaction is open");
    std::fs::copy(&path, &crashed).expect("copy db");
    std::fs::copy(&journal, d.path().join("crashed.db-journal")).expect("copy journal");
    drop(conn);
    let store = Store::open(&crashed).expect("open after the crash");
    assert_eq!(store.list().expect("list"), vec![first]);
    assert_eq!(store.facts(1).expect("facts"), facts);
}

#[test]
fn refuses_a_file_that_is_not_sqlite_naming_it() {
    let (_d, path) = tmp();
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(&path, b"this is not a database, just some text that is long enough to have a header....").expect("write");
    let err = Store::open(&path).err().expect("refused");
    assert!(matches!(err, StoreError::NotADatabase { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains(&path.display().to_string()) && msg.contains("not a rolegraph database"), "{msg}");
}

#[test]
fn refuses_a_foreign_sqlite_database() {
    let (_d, path) = tmp();
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    {
        let conn = Connection::open(&path).expect("sqlite");
        conn.execute_batch("CREATE TABLE contacts (name TEXT)").expect("table");
    }
    let err = Store::open(&path).err().expect("refused");
    assert!(matches!(err, StoreError::Foreign { found: 0, .. }), "{err:?}");
    assert!(err.to_string().contains(&path.display().to_string()));
    // Another application's id, even without tables.
    let other = path.with_file_name("other.db");
    Connection::open(&other).expect("sqlite").pragma_update(None, "application_id", 42).expect("app id");
    assert!(matches!(Store::open(&other), Err(StoreError::Foreign { found: 42, .. })));
    // The foreign file is left alone.
    let conn = Connection::open(&path).expect("sqlite");
    let n: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0)).expect("count");
    assert_eq!(n, 1);
}

#[test]
fn refuses_a_newer_schema() {
    let (_d, path) = tmp();
    drop(Store::open(&path).expect("open"));
    Connection::open(&path).expect("sqlite").pragma_update(None, "user_version", 99).expect("version");
    assert!(matches!(Store::open(&path), Err(StoreError::TooNew { found: 99, known: 3, .. })));
}

#[test]
fn damaged_content_is_an_error_not_a_panic() {
    let (_d, path) = tmp();
    let mut store = Store::open(&path).expect("open");
    let info = import(&mut store, &Snapshot::new(), &Facts::default(), "x", "2026-11-01T00:00:00Z").expect("import");
    store.conn().execute("UPDATE snapshot SET content = x'1f8b0000' WHERE id = 1", []).expect("damage");
    let err = store.snapshot(info.id).expect_err("damaged");
    assert!(err.to_string().contains("snapshot 1 of"), "{err}");
}

fn kinds(changes: &[Change]) -> Vec<(ChangeKind, String)> {
    changes.iter().map(|c| (c.kind(), c.subject().to_owned())).collect()
}

#[test]
fn no_change_between_equal_facts() {
    assert!(compare(&base_facts(), &base_facts()).is_empty());
}

#[test]
fn new_external_trust_is_a_notable_change() {
    let old = base_facts();
    let mut new = old.clone();
    let a = new.roles.iter_mut().find(|r| r.arn == A).expect("a");
    a.trusted.push(trusted("999999999999", "external"));
    a.trust_hash = "t2".into();
    new.sort();
    let changes = compare(&old, &new);
    assert_eq!(kinds(&changes), vec![(ChangeKind::TrustAdded, A.to_owned())]);
    assert!(changes.iter().all(Change::is_notable));
    // Same-account trust is not notable; removal is reported the other way.
    let back = compare(&new, &old);
    assert_eq!(kinds(&back), vec![(ChangeKind::TrustRemoved, A.to_owned())]);
    assert!(!back.iter().any(Change::is_notable));
}

#[test]
fn changed_conditions_on_the_same_principals_is_trust_changed() {
    let old = base_facts();
    let mut new = old.clone();
    new.roles.iter_mut().for_each(|r| {
        if r.arn == C {
            r.trust_hash = "t9".into()
        }
    });
    assert_eq!(kinds(&compare(&old, &new)), vec![(ChangeKind::TrustChanged, C.to_owned())]);
}

#[test]
fn removed_and_added_roles() {
    let old = base_facts();
    let mut new = old.clone();
    new.roles.retain(|r| r.arn != C);
    let mut d = role("arn:aws:iam::111111111111:role/d", "admin");
    d.trusted.push(trusted("*", "everyone"));
    d.reached_by.push("*".into());
    new.roles.push(d);
    new.sort();
    let changes = compare(&old, &new);
    let d_arn = "arn:aws:iam::111111111111:role/d".to_owned();
    assert_eq!(
        kinds(&changes),
        vec![
            (ChangeKind::RoleRemoved, C.to_owned()),
            (ChangeKind::RoleAdded, d_arn.clone()),
            (ChangeKind::TrustAdded, d_arn.clone()),
            (ChangeKind::ReachGained, d_arn),
        ]
    );
}

#[test]
fn gained_privilege_and_who_can_reach_it() {
    let old = base_facts();
    let mut new = old.clone();
    for r in &mut new.roles {
        if r.arn == A {
            r.privilege = "admin".into();
            r.privileged_actions.push("iam:AttachRolePolicy".into());
            r.reached_by.push("arn:aws:iam::111111111111:user/bob".into());
            r.permissions_hash = "p2".into();
        }
        if r.arn == B {
            r.reached_by.push("arn:aws:iam::111111111111:role/ci".into());
        }
    }
    new.sort();
    let changes = compare(&old, &new);
    assert_eq!(
        kinds(&changes),
        vec![
            (ChangeKind::PrivilegeGained, A.to_owned()),
            (ChangeKind::ReachGained, A.to_owned()),
            (ChangeKind::ReachGained, B.to_owned()),
        ]
    );
    match changes.first() {
        Some(Change::PrivilegeGained { old_level, new_level, actions, .. }) => {
            assert_eq!((old_level.as_str(), new_level.as_str()), ("write", "admin"));
            assert_eq!(actions, &vec!["iam:AttachRolePolicy".to_owned()]);
        }
        other => panic!("{other:?}"),
    }
    // A principal that can newly become administrator of the account.
    let mut admin = old.clone();
    admin.admins.iter_mut().for_each(|a| a.reached_by.push("arn:aws:iam::111111111111:user/mallory".into()));
    let changes = compare(&old, &admin);
    assert_eq!(kinds(&changes), vec![(ChangeKind::ReachGained, "admin:111111111111".to_owned())]);
    assert!(matches!(changes.first(), Some(Change::ReachGained { principal, .. }) if principal.ends_with("mallory")));
    // A policy edit without new privileged actions is only `permissions-changed`.
    let mut edited = old.clone();
    edited.roles.iter_mut().for_each(|r| {
        if r.arn == C {
            r.permissions_hash = "p3".into()
        }
    });
    assert_eq!(kinds(&compare(&old, &edited)), vec![(ChangeKind::PermissionsChanged, C.to_owned())]);
}

#[test]
fn reach_under_conditions_is_kept_and_reported() {
    let old = base_facts();
    let mut new = old.clone();
    for r in &mut new.roles {
        if r.arn == B {
            r.reached_by.push("external-account:222222222222".into());
            r.conditional_reach.push("external-account:222222222222".into());
            r.reached_by.push("arn:aws:iam::111111111111:user/carol".into());
        }
    }
    new.sort();
    let changes = compare(&old, &new);
    let gained: Vec<(&str, bool)> = changes
        .iter()
        .filter_map(|c| match c {
            Change::ReachGained { principal, conditional, .. } => Some((principal.as_str(), *conditional)),
            _ => None,
        })
        .collect();
    assert_eq!(gained, vec![("arn:aws:iam::111111111111:user/carol", false), ("external-account:222222222222", true)]);
    let json = serde_json::to_value(&changes).expect("json");
    assert_eq!(json[1]["conditional"], true);
    // Stored and read back with the flag.
    let (_d, path) = tmp();
    let mut store = Store::open(&path).expect("open");
    let info = import(&mut store, &Snapshot::new(), &new, "x", "2026-11-01T00:00:00Z").expect("import");
    let back = store.facts(info.id).expect("facts");
    assert_eq!(back, new);
    assert_eq!(
        back.role(B).map(|r| r.conditional_reach.clone()),
        Some(vec!["external-account:222222222222".to_owned(), "token.actions.githubusercontent.com".to_owned()])
    );
    assert_eq!(back.admins.first().map(|a| a.conditional_reach.len()), Some(1));
}

#[test]
fn new_resources_and_findings_opened_and_closed() {
    let old = base_facts();
    let mut new = old.clone();
    new.roles.iter_mut().for_each(|r| {
        if r.arn == B {
            r.uses.push(UseFact { kind: "ec2-instance".into(), resource: "i-123".into(), name: "web".into() });
        }
    });
    new.findings.retain(|f| f.fingerprint != "f1");
    new.findings.push(finding("f3", C));
    new.sort();
    let changes = compare(&old, &new);
    assert_eq!(
        kinds(&changes),
        vec![
            (ChangeKind::FindingClosed, A.to_owned()),
            (ChangeKind::ResourceAdded, B.to_owned()),
            (ChangeKind::FindingOpened, C.to_owned()),
        ]
    );
    let d = Diff::of(
        Side { id: Some(1), label: None, imported_at: None, source: None },
        &old,
        Side { id: Some(2), label: None, imported_at: None, source: None },
        &new,
    );
    assert_eq!(d.counts.get(&ChangeKind::FindingOpened), Some(&1));
    assert!(d.has_changes_in(&[]));
    assert!(d.has_changes_in(&[ChangeKind::FindingOpened]));
    assert!(!d.has_changes_in(&[ChangeKind::TrustAdded]));
    let json = serde_json::to_value(&d).expect("json");
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["changes"][1]["kind"], "resource-added");
    assert_eq!(json["counts"]["finding-closed"], 1);
}

#[test]
fn diff_and_role_history_from_the_database() {
    let (_d, path) = tmp();
    let mut store = Store::open(&path).expect("open");
    let snap = Snapshot::new();
    let first = base_facts();
    let mut second = first.clone();
    second.roles.iter_mut().for_each(|r| {
        if r.arn == A {
            r.trusted.push(trusted("*", "everyone"))
        }
    });
    second.roles.retain(|r| r.arn != C);
    second.findings.retain(|f| f.fingerprint != "f1");
    second.findings.push(finding("f3", A));
    second.sort();
    let i1 = import(&mut store, &snap, &first, "one", "2026-11-01T00:00:00Z").expect("1");
    let i2 = import(&mut store, &snap, &second, "two", "2026-11-02T00:00:00Z").expect("2");
    let (o, n) = store.latest_two().expect("two");
    assert_eq!((o.id, n.id), (i1.id, i2.id));
    let d = diff(&store, i1.id, i2.id).expect("diff");
    assert_eq!(d.changes, compare(&first, &second));
    assert_eq!(
        kinds(&d.changes),
        vec![
            (ChangeKind::TrustAdded, A.to_owned()),
            (ChangeKind::FindingOpened, A.to_owned()),
            (ChangeKind::FindingClosed, A.to_owned()),
            (ChangeKind::RoleRemoved, C.to_owned()),
        ]
    );
    assert_eq!(d.old.label.as_deref(), Some("one"));

    let h = role_history(&store, A).expect("history");
    assert_eq!(h.versions.len(), 2);
    assert!(h.versions.first().is_some_and(|v| v.changes.is_empty() && v.role.is_some()));
    // Trust and the findings on the role, opened and closed.
    assert_eq!(
        h.versions.get(1).map(|v| kinds(&v.changes)),
        Some(vec![
            (ChangeKind::TrustAdded, A.to_owned()),
            (ChangeKind::FindingOpened, A.to_owned()),
            (ChangeKind::FindingClosed, A.to_owned())
        ])
    );
    let fps = |i: usize| -> Vec<String> { h.versions[i].findings.iter().map(|f| f.fingerprint.clone()).collect() };
    assert_eq!((fps(0), fps(1)), (vec!["f1".to_owned()], vec!["f3".to_owned()]));
    let hc = role_history(&store, C).expect("history");
    assert_eq!(
        hc.versions.get(1).map(|v| (v.role.is_none(), kinds(&v.changes))),
        Some((true, vec![(ChangeKind::RoleRemoved, C.to_owned())]))
    );
    assert!(role_history(&store, "arn:aws:iam::1:role/none").expect("history").versions.is_empty());

    store.remove(i1.id).expect("remove");
    let left: i64 = store.conn().query_row("SELECT count(*) FROM role WHERE snapshot_id = 1", [], |r| r.get(0)).expect("count");
    assert_eq!(left, 0);
}
