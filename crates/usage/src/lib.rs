//! What each role really uses, from CloudTrail, and the least-privilege policy it should have.
//!
//! Granted is not used. [`scan`] (or [`scan_with`], files shared among threads) streams
//! CloudTrail (log files as delivered to S3, gzipped or not, `lookup-events` output, CloudTrail
//! Lake or Athena JSON lines), attributes each event to the role (or user, or service) behind
//! it, maps the API call to IAM actions and resources with the catalog, and aggregates a
//! [`Usage`] table, with the observed `AssumeRole*` edges. Against a snapshot, [`role_usage`]
//! and [`overview`] compare it with what each role is granted; [`suggest_policy`] writes a
//! least-privilege policy that the engine proves allows every observed call and nothing the
//! current policies do not.
//!
//! Bad input never stops a scan: malformed records and files are counted in [`ReadStats`] with
//! examples. See `docs/usage.md`.

pub mod action;
pub mod aggregate;
pub mod attribute;
pub mod read;
pub mod record;
pub mod resource;
pub mod role;
pub mod suggest;
pub mod table;

use std::path::Path;

pub use action::{Mapped, map_call, service_prefix};
pub use aggregate::{
    ActionUsage, Aggregator, AssumeEdge, Place, PrincipalUsage, ResourceUsage, SCHEMA_VERSION, UnmappedCall, Usage, Window,
};
pub use attribute::{Actor, PrincipalKind, attribute};
pub use read::{Format, Problem, ReadError, ReadStats, TrailFile};
pub use record::Record;
pub use role::{
    Granted, LastUse, Overview, RoleSummary, RoleUsage, UnusedService, granted_actions, last_use, overview, role_usage,
};
pub use suggest::{Check, Proof, SuggestError, Suggestion, suggest_policy};
pub use table::{ParquetError, UsageRow, rows, write_parquet};

/// Reads every CloudTrail file under each path and aggregates the events in the window, on
/// one thread.
pub fn scan(paths: &[&Path], window: Window) -> Result<Usage, ReadError> {
    scan_with(paths, window, 1)
}

/// [`scan`] on up to `threads` threads (0: one per available core), files shared among them.
/// The result is the same as on one thread (see [`Aggregator::merge`] for the one exception).
pub fn scan_with(paths: &[&Path], window: Window, threads: usize) -> Result<Usage, ReadError> {
    let mut files = Vec::new();
    for p in paths {
        files.extend(read::list_files(p)?);
    }
    let threads = match threads {
        0 => std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
        n => n,
    }
    .min(files.len())
    .max(1);
    if threads == 1 {
        let mut agg = Aggregator::new(window);
        let mut stats = ReadStats::default();
        for f in &files {
            read::read_file(f, &mut stats, &mut |r| agg.add(r));
        }
        return Ok(agg.finish(stats));
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<(Aggregator, Vec<(usize, ReadStats)>)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut agg = Aggregator::new(window);
                    let mut per_file = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(f) = files.get(i) else { break };
                        let mut stats = ReadStats::default();
                        read::read_file(f, &mut stats, &mut |r| agg.add(r));
                        per_file.push((i, stats));
                    }
                    (agg, per_file)
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join()).collect::<Vec<_>>()
    })
    .into_iter()
    .filter_map(Result::ok)
    .collect();
    let mut agg = Aggregator::new(window);
    let mut per_file = Vec::new();
    if results.len() < threads {
        // A reader thread panicked (a bug): its files are not lost silently.
        let mut s = ReadStats::default();
        s.malformed_files += 1;
        s.examples.push(Problem {
            file: "(all)".into(),
            position: "thread".into(),
            error: "a reading thread failed; results are incomplete".into(),
        });
        per_file.push((0, s));
    }
    for (a, stats) in results {
        agg.merge(a);
        per_file.extend(stats);
    }
    per_file.sort_by_key(|(i, _)| *i);
    let mut stats = ReadStats::default();
    for (_, s) in per_file {
        stats.merge(s);
    }
    Ok(agg.finish(stats))
}

/// Aggregates CloudTrail content already in memory (one document or JSON lines), for tests and
/// benchmarks.
pub fn scan_bytes(name: &str, bytes: &[u8], window: Window) -> Usage {
    let mut agg = Aggregator::new(window);
    let mut stats = ReadStats::default();
    read::read_bytes(name, bytes, &mut stats, &mut |r| agg.add(r));
    agg.finish(stats)
}

#[cfg(test)]
mod tests;
