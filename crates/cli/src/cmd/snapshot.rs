//! `rolegraph snapshot add|list|show|history`: keep snapshots in the history database (see
//! `docs/store.md`). `add` loads a folder of exports, runs the rules and the engine, and stores
//! the snapshot with its facts in one transaction.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use model::{Safe, Snapshot, Timestamp};
use store::{NewSnapshot, SnapshotInfo, Store};

use crate::output::outln;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Load a folder of exports, run the rules, and store the snapshot.
    Add(AddArgs),
    /// List the stored snapshots, oldest first.
    List(ListArgs),
    /// One stored snapshot: its metadata, or its whole content with `--content`.
    Show(ShowArgs),
    /// One role across every stored snapshot, with what changed each time.
    History(HistoryArgs),
}

/// Where the database is.
#[derive(clap::Args, Clone)]
pub struct DbArg {
    /// The history database (default: `$XDG_DATA_HOME/rolegraph/rolegraph.db`, else
    /// `~/.local/share/rolegraph/rolegraph.db`).
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
}

impl DbArg {
    pub fn open(&self) -> Result<Store> {
        let path = match &self.db {
            Some(p) => p.clone(),
            None => store::default_path().context("no data directory (set `--db PATH`, or HOME or XDG_DATA_HOME)")?,
        };
        Ok(Store::open(&path)?)
    }
}

/// How facts are computed.
#[derive(clap::Args, Clone)]
pub struct FactArgs {
    /// The time rules count days from (RFC 3339); by default the newest time in the exports.
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    /// Do not record who can reach privileged roles (the reach sets; the rules still build the
    /// authorization graph for their own findings).
    #[arg(long)]
    pub no_reach: bool,
}

impl FactArgs {
    /// The facts of a loaded snapshot.
    pub fn facts(&self, snapshot: &Snapshot) -> Result<store::Facts> {
        let now = super::scan::pick_now(snapshot, self.now.as_deref())?;
        Ok(::diff::analyse(snapshot, now, ::diff::FactOptions { reach: !self.no_reach, threads: 0 }))
    }
}

#[derive(clap::Args)]
struct AddArgs {
    /// A folder of AWS CLI exports.
    dir: PathBuf,
    /// A name for the snapshot (`rolegraph diff` accepts labels as well as ids).
    #[arg(long)]
    label: Option<String>,
    #[command(flatten)]
    db: DbArg,
    #[command(flatten)]
    facts: FactArgs,
    /// Print what was stored as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct ListArgs {
    #[command(flatten)]
    db: DbArg,
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct ShowArgs {
    /// A snapshot id or label.
    snapshot: String,
    #[command(flatten)]
    db: DbArg,
    #[arg(long)]
    json: bool,
    /// Print the stored snapshot itself (JSON, in the model's schema).
    #[arg(long)]
    content: bool,
}

#[derive(clap::Args)]
struct HistoryArgs {
    /// The role's ARN.
    role: String,
    #[command(flatten)]
    db: DbArg,
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    match args.command {
        Command::Add(a) => add(a),
        Command::List(a) => list(a),
        Command::Show(a) => show(a),
        Command::History(a) => history(a),
    }
}

/// Loads a folder and computes its facts.
pub fn load_with_facts(dir: &Path, facts: &FactArgs) -> Result<(Snapshot, store::Facts)> {
    let snapshot = super::load::snapshot(dir)?;
    let f = facts.facts(&snapshot)?;
    Ok((snapshot, f))
}

fn add(a: AddArgs) -> Result<ExitCode> {
    let mut db = a.db.open()?;
    let (snapshot, facts) = load_with_facts(&a.dir, &a.facts)?;
    let source = a.dir.display().to_string();
    let info = db.import(&NewSnapshot {
        snapshot: &snapshot,
        facts: &facts,
        label: a.label.as_deref(),
        source: Some(&source),
        imported_at: Timestamp(chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 0)),
    })?;
    if a.json {
        crate::output::json(&info)?;
    } else {
        outln!("stored snapshot {} in `{}`", describe(&info), Safe(&db.path().display().to_string()));
    }
    Ok(ExitCode::SUCCESS)
}

/// `#3 "label" (2026-11-25T10:00:00Z, 120 roles, 4 findings)`.
pub fn describe(i: &SnapshotInfo) -> String {
    let label = i.label.as_ref().map(|l| format!(" \"{}\"", Safe(l))).unwrap_or_default();
    format!("#{}{label} ({}, {} roles, {} findings)", i.id, i.imported_at, i.roles, i.findings)
}

fn list(a: ListArgs) -> Result<ExitCode> {
    let db = a.db.open()?;
    let all = db.list()?;
    if a.json {
        let out = serde_json::json!({ "schema_version": store::DIFF_SCHEMA_VERSION, "snapshots": all });
        crate::output::json(&out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if all.is_empty() {
        outln!("no snapshots in `{}`", Safe(&db.path().display().to_string()));
    }
    for i in &all {
        outln!(
            "{:>4}  {:<20}  {}  {:>6} roles  {:>5} findings  {}",
            i.id,
            Safe(i.label.as_deref().unwrap_or("-")),
            Safe(&i.imported_at.to_string()),
            i.roles,
            i.findings,
            Safe(&i.accounts.join(","))
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn show(a: ShowArgs) -> Result<ExitCode> {
    let db = a.db.open()?;
    let info = db.resolve(&a.snapshot)?;
    if a.content {
        crate::output::json(&db.snapshot(info.id)?)?;
    } else if a.json {
        crate::output::json(&info)?;
    } else {
        outln!("snapshot {}", describe(&info));
        outln!("  source:   {}", Safe(info.source.as_deref().unwrap_or("-")));
        outln!("  accounts: {}", Safe(&info.accounts.join(", ")));
        outln!("  users:    {}", info.users);
        outln!("  schema:   {}", info.schema_version);
        outln!("  stored:   {} bytes compressed", info.content_bytes);
    }
    Ok(ExitCode::SUCCESS)
}

fn history(a: HistoryArgs) -> Result<ExitCode> {
    let db = a.db.open()?;
    let h = store::role_history(&db, &a.role)?;
    if a.json {
        crate::output::json(&h)?;
        return Ok(ExitCode::SUCCESS);
    }
    if h.versions.is_empty() {
        outln!("no stored snapshot has role `{}`", Safe(&a.role));
    }
    for v in &h.versions {
        let id = v.snapshot.id.map(|i| format!("#{i}")).unwrap_or_default();
        let at = Safe(v.snapshot.imported_at.as_deref().unwrap_or(""));
        match &v.role {
            Some(r) => outln!(
                "{id} {at}: privilege {}, trusts {}, {} resource(s)",
                Safe(&r.privilege.to_string()),
                r.trusted.len(),
                r.uses.len()
            ),
            None => outln!("{id} {at}: absent"),
        }
        for c in &v.changes {
            outln!("    {}", super::diff::line(c));
        }
    }
    Ok(ExitCode::SUCCESS)
}
