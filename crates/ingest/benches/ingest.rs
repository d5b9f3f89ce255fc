//! Load benchmark: time to read and model a folder of exports, and the peak memory of the
//! process. Not a criterion bench: one load of 300 MB takes seconds, and the figure that matters
//! with it is the peak resident set, which only a fresh process measures.
//!
//! `ROLEGRAPH_BENCH_DIR=/tmp/x cargo bench -p rolegraph-ingest --bench ingest` loads that folder
//! (`ROLEGRAPH_BENCH_RUNS`, default 3, times); without it, a synthetic organization of
//! 2 accounts x 3,000 roles is generated in a temporary folder first. See
//! `docs/benchmarks-ingest.md`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn dir_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        if d.is_file() {
            total += d.metadata().map(|m| m.len()).unwrap_or(0);
            continue;
        }
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            stack.push(e.path());
        }
    }
    total
}

/// Peak resident set of this process, from `/proc/self/status` (Linux).
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runs: usize = std::env::var("ROLEGRAPH_BENCH_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(3).max(1);
    let _tmp;
    let dir: PathBuf = match std::env::var_os("ROLEGRAPH_BENCH_DIR") {
        Some(d) => PathBuf::from(d),
        None => {
            let t = tempfile::tempdir()?;
            let config = synth::SynthConfig {
                accounts: 2,
                roles_per_account: 3_000,
                users_per_account: 100,
                seed: 1,
                ..Default::default()
            };
            synth::generate(&config, t.path())?;
            let p = t.path().to_path_buf();
            _tmp = t;
            p
        }
    };
    let bytes = dir_bytes(&dir);
    let mut times: Vec<Duration> = Vec::new();
    let mut summary = String::new();
    for _ in 0..runs {
        let start = Instant::now();
        let loaded = rolegraph_ingest::load(&dir)?;
        let elapsed = start.elapsed();
        let s = &loaded.snapshot;
        summary = format!(
            "{} accounts, {} roles, {} users, {} customer policies, {} AWS-managed, {} files, {} gaps",
            s.accounts.len(),
            s.roles().count(),
            s.users().count(),
            s.accounts.iter().map(|a| a.policies.len()).sum::<usize>(),
            s.aws_managed_policies.len(),
            loaded.files.len(),
            s.gaps.len()
        );
        times.push(elapsed);
        drop(loaded);
    }
    times.sort();
    let min = times.first().copied().unwrap_or_default();
    let median = times.get(times.len() / 2).copied().unwrap_or_default();
    println!("load `{}`: {:.1} MB, {summary}", dir.display(), bytes as f64 / 1e6);
    println!(
        "  {runs} run(s): min {:.2} s, median {:.2} s ({:.0} MB/s); peak RSS {}",
        min.as_secs_f64(),
        median.as_secs_f64(),
        bytes as f64 / 1e6 / min.as_secs_f64().max(1e-9),
        peak_rss_mb().map_or("unknown".to_owned(), |m| format!("{m:.0} MB"))
    );
    Ok(())
}
