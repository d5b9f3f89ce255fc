//! Developer tasks that regenerate committed data: `cargo run -p xtask -- catalog` rebuilds
//! `crates/catalog/data/catalog.bin` from the TSV exports in `shared/data/iam-catalog` and prints
//! how the two sources differ; `cargo run -p xtask -- access-data` (alias `known-accounts`)
//! rebuilds `crates/access/data/{known-accounts,privileged-actions}.json` from
//! `shared/data/known-accounts` and `shared/data/privileged-actions`; `cargo run -p xtask --
//! privesc-paths` rebuilds `crates/graph/data/privesc-paths.json` from pathfinding.cloud's
//! current catalog (`shared/data/privileged-actions/pathfinding-cloud-paths-86.json`, with the
//! paths it retired from the earlier file).

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "rolegraph developer tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Regenerate crates/catalog/data/catalog.bin from shared/data/iam-catalog.
    Catalog {
        /// The shared folder (default: `../shared` next to the workspace).
        #[arg(long)]
        shared: Option<PathBuf>,
    },
    /// Regenerate crates/graph/data/privesc-paths.json from the pathfinding.cloud catalog.
    PrivescPaths {
        /// The shared folder (default: `../shared` next to the workspace).
        #[arg(long)]
        shared: Option<PathBuf>,
    },
    /// Regenerate crates/access/data/*.json (known vendor accounts, privileged action lists).
    #[command(alias = "known-accounts")]
    AccessData {
        /// The shared folder (default: `../shared` next to the workspace).
        #[arg(long)]
        shared: Option<PathBuf>,
    },
}

/// The workspace root: the parent of this crate's folder.
fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

fn catalog(shared: Option<PathBuf>) -> anyhow::Result<()> {
    let root = workspace_root();
    let shared = shared.unwrap_or_else(|| root.join("../shared"));
    let dir = shared.join("data/iam-catalog");
    let generated =
        catalog::build::from_tsv_dir(&dir).with_context(|| format!("cannot generate the catalog from `{}`", dir.display()))?;
    // Check that what we write decodes before writing it.
    catalog::Catalog::decode(&generated.bytes).context("the generated catalog does not decode")?;
    let out = root.join("crates/catalog/data/catalog.bin");
    let unchanged = std::fs::read(&out).is_ok_and(|old| old == generated.bytes);
    if !unchanged {
        std::fs::write(&out, &generated.bytes).with_context(|| format!("cannot write `{}`", out.display()))?;
    }
    print!("{}", generated.cross_check);
    eprintln!(
        "{} `{}` ({} bytes)",
        if unchanged { "unchanged" } else { "wrote" },
        out.strip_prefix(&root).unwrap_or(&out).display(),
        generated.bytes.len()
    );
    Ok(())
}

fn write_if_changed(root: &Path, rel: &str, text: &str) -> anyhow::Result<()> {
    let out = root.join(rel);
    let unchanged = std::fs::read_to_string(&out).is_ok_and(|old| old == text);
    if !unchanged {
        std::fs::write(&out, text).with_context(|| format!("cannot write `{}`", out.display()))?;
    }
    eprintln!("{} `{rel}` ({} bytes)", if unchanged { "unchanged" } else { "wrote" }, text.len());
    Ok(())
}

fn access_data(shared: Option<PathBuf>) -> anyhow::Result<()> {
    use access::build;
    let root = workspace_root();
    let shared = shared.unwrap_or_else(|| root.join("../shared"));
    let known = build::known_accounts_from_dir(&shared.join("data/known-accounts"))?;
    write_if_changed(&root, &format!("crates/access/{}", build::KNOWN_ACCOUNTS_FILE), &build::known_accounts_json(&known))?;
    let lists = build::privileged_actions_from_dir(&shared.join("data/privileged-actions"))?;
    write_if_changed(
        &root,
        &format!("crates/access/{}", build::PRIVILEGED_ACTIONS_FILE),
        &build::privileged_actions_json(&lists),
    )?;
    println!(
        "{} known accounts; {} privilege-escalation, {} credential-exposure, {} data-access, {} resource-exposure actions",
        known.accounts.len(),
        lists.privilege_escalation.len(),
        lists.credential_exposure.len(),
        lists.data_access.len(),
        lists.resource_exposure.len()
    );
    Ok(())
}

fn privesc_paths(shared: Option<PathBuf>) -> anyhow::Result<()> {
    let root = workspace_root();
    let shared = shared.unwrap_or_else(|| root.join("../shared"));
    let read = |name: &str| -> anyhow::Result<serde_json::Value> {
        let path = shared.join("data/privileged-actions").join(name);
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read `{}`", path.display()))?;
        serde_json::from_str(&text).with_context(|| format!("`{}` is not JSON", path.display()))
    };
    let current = read("pathfinding-cloud-paths-86.json")?;
    let earlier = read("pathfinding-cloud-paths.json")?;
    let data = graph::privesc::data::compact(&current, Some(&earlier)).context("pathfinding-cloud-paths-86.json")?;
    write_if_changed(&root, "crates/graph/data/privesc-paths.json", &graph::privesc::data::to_text(&data))?;
    println!("{} paths ({} retired, kept)", data.paths.len(), data.paths.iter().filter(|p| p.retired).count());
    Ok(())
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().task {
        Task::Catalog { shared } => catalog(shared),
        Task::AccessData { shared } => access_data(shared),
        Task::PrivescPaths { shared } => privesc_paths(shared),
    }
}
