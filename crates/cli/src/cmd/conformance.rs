//! `rolegraph conformance`: runs the iam-simulate test vectors (an external AGPL corpus, read in
//! place from `../shared`, never copied) and prints agreement by family, with each disagreement
//! and whether it is a known, documented divergence.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use eval::corpus::{Summary, VectorResult, Verdict, run_vector};
use model::Safe;

use crate::output::outln;

#[derive(clap::Args)]
pub struct Args {
    /// The folder of vectors.
    #[arg(default_value = "../shared/data/oracles/iam-simulate-vectors")]
    dir: PathBuf,
    /// The list of known divergences (name, then a tab, then the reason).
    #[arg(long, default_value = "docs/conformance-divergences.tsv")]
    known: PathBuf,
    /// Print a JSON summary instead of text.
    #[arg(long)]
    json: bool,
}

/// Every vector under `dir`, grouped by family (the folder relative to `dir`).
pub fn run_all(dir: &Path) -> Result<BTreeMap<String, Vec<VectorResult>>> {
    let mut files = Vec::new();
    collect(dir, &mut files)?;
    files.sort();
    let mut out: BTreeMap<String, Vec<VectorResult>> = BTreeMap::new();
    for f in files {
        let family = f.parent().and_then(|p| p.strip_prefix(dir).ok()).map(|p| p.display().to_string()).unwrap_or_default();
        let text = std::fs::read_to_string(&f).with_context(|| format!("cannot read `{}`", f.display()))?;
        let v: serde_json::Value = serde_json::from_str(&text).with_context(|| format!("`{}` is not JSON", f.display()))?;
        let catalog = catalog::Catalog::get();
        let supports_resources =
            |action: &str| catalog.action(action).and_then(|id| catalog.info(id)).map(|i| !i.resource_types.is_empty());
        let stem = f.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let entry = out.entry(family).or_default();
        for item in v.as_array().into_iter().flatten() {
            let mut r = run_vector(item, &supports_resources);
            r.name = format!("{stem}: {}", r.name);
            entry.push(r);
        }
    }
    Ok(out)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for e in std::fs::read_dir(dir).with_context(|| format!("cannot read `{}`", dir.display()))? {
        let p = e?.path();
        if p.is_dir() {
            collect(&p, out)?;
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
    Ok(())
}

/// Known divergences: vector name → reason.
pub fn read_known(path: &Path) -> Result<BTreeMap<String, String>> {
    let Ok(text) = std::fs::read_to_string(path) else { return Ok(BTreeMap::new()) };
    Ok(text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once('\t'))
        .map(|(n, r)| (n.to_owned(), r.to_owned()))
        .collect())
}

pub fn run(args: Args) -> Result<ExitCode> {
    let results = run_all(&args.dir)?;
    let known = read_known(&args.known)?;
    if args.json {
        let fams: Vec<_> = results.iter().map(|(f, r)| Summary::of(f, r)).collect();
        crate::output::json(&fams)?;
        return Ok(ExitCode::SUCCESS);
    }
    let (mut agreed, mut disagreed, mut unexplained, mut other) = (0, 0, 0, 0);
    for (family, rs) in &results {
        let s = Summary::of(family, rs);
        outln!(
            "{family}: agreed {} disagreed {} not-decisions {} unreadable {}",
            s.agreed,
            s.disagreed,
            s.not_decisions,
            s.unreadable
        );
        for r in rs {
            match &r.verdict {
                Verdict::Agree => agreed += 1,
                Verdict::Disagree { expected, got } => {
                    disagreed += 1;
                    let note = match known.get(&r.name) {
                        Some(reason) => format!("known divergence: {reason}"),
                        None => {
                            unexplained += 1;
                            "UNEXPLAINED".into()
                        }
                    };
                    outln!("  disagree: {} (expected {expected}, got {got}) [{}]", Safe(&r.name), Safe(&note));
                }
                Verdict::NotADecision(_) => other += 1,
                Verdict::Unreadable(e) => {
                    unexplained += 1;
                    outln!("  unreadable: {}: {}", Safe(&r.name), Safe(&e.to_string()));
                }
            }
        }
    }
    outln!("total: agreed {agreed} disagreed {disagreed} (unexplained {unexplained}) not-decisions {other}");
    Ok(if unexplained > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
