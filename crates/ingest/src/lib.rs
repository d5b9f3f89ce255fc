//! Offline readers of AWS CLI exports → the `rolegraph-model` snapshot.
//!
//! [`load`] takes a folder of exports for one account, or a folder with one sub-folder per
//! account (organization files anywhere), or a single file. Each `.json` or `.json.gz` file is
//! recognised by its content, not its name; unknown files are skipped with a warning. What is
//! missing or unreadable inside a file becomes a [`model::Gap`] and the load goes on; a file that
//! is not JSON is an error naming the file. See `docs/export-formats.md`.

mod activity;
mod build;
mod build_gaps;
mod collection;
mod conflict;
mod convert;
mod error;
mod iam;
mod kind;
mod org;
mod policies;
mod raw;
mod read;
mod resources;

use std::path::Path;

pub use error::IngestError;
pub use kind::ExportKind;
use model::Snapshot;

/// How to load.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// Fail on a record that does not have the shape of its export, instead of skipping it
    /// and recording a gap.
    pub strict: bool,
    /// Files read in parallel; 0 means one per available core.
    pub threads: usize,
}

/// What a load gives.
#[derive(Debug)]
pub struct Loaded {
    pub snapshot: Snapshot,
    /// Skipped files and records, ambiguities: for stderr.
    pub warnings: Vec<String>,
    /// Every file seen, in path order, with what it was recognised as.
    pub files: Vec<FileSummary>,
}

/// One file of a load.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FileSummary {
    /// Relative to the loaded folder, `/`-separated.
    pub path: String,
    /// `None` when skipped.
    pub kind: Option<ExportKind>,
    /// The account the file's data was assigned to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Why it was skipped, or what was special.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Loads the exports under `path` with default options.
pub fn load(path: impl AsRef<Path>) -> Result<Loaded, IngestError> {
    load_with(path, &LoadOptions::default())
}

/// Loads the exports under `path`.
pub fn load_with(path: impl AsRef<Path>, options: &LoadOptions) -> Result<Loaded, IngestError> {
    let root = path.as_ref();
    let files = read::find_files(root)?;
    let outcomes = read_all(&files, options)?;
    let loaded = build::build(files.iter().map(|f| f.rel.clone()).zip(outcomes).collect());
    if loaded.files.iter().all(|f| f.kind.is_none()) {
        return Err(IngestError::NoExports { path: root.to_path_buf() });
    }
    Ok(loaded)
}

/// Loads the content of one export file held in memory (plain or gzipped), as the file `name`
/// of a folder would be read (names matter to some exports: `list-policies-for-target.r-1.json`).
/// For tests and fuzzing; errors name `name`.
pub fn load_bytes(name: &str, content: &[u8], options: &LoadOptions) -> Result<Loaded, IngestError> {
    let f = read::FileRef { rel: name.to_owned(), full: std::path::PathBuf::from(name) };
    let bytes = read::decompress(&f, content.to_vec())?;
    let outcome = read::read_content(&f, &bytes, options.strict)?;
    let loaded = build::build(vec![(f.rel, outcome)]);
    if loaded.files.iter().all(|f| f.kind.is_none()) {
        return Err(IngestError::NoExports { path: f.full });
    }
    Ok(loaded)
}

/// Reads every file, in parallel, keeping file order; the first error in file order wins.
fn read_all(files: &[read::FileRef], options: &LoadOptions) -> Result<Vec<read::Outcome>, IngestError> {
    let threads = match options.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .clamp(1, files.len().max(1));
    let mut results: Vec<Option<Result<read::Outcome, IngestError>>> = Vec::new();
    if threads == 1 {
        results = files.iter().map(|f| Some(read::read_file(f, options.strict))).collect();
    } else {
        let next = std::sync::atomic::AtomicUsize::new(0);
        let per_thread: Vec<Vec<(usize, Result<read::Outcome, IngestError>)>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    s.spawn(|| {
                        let mut mine = Vec::new();
                        loop {
                            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            let Some(f) = files.get(i) else { break };
                            mine.push((i, read::read_file(f, options.strict)));
                        }
                        mine
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
        });
        results.resize_with(files.len(), || None);
        for (i, r) in per_thread.into_iter().flatten() {
            if let Some(slot) = results.get_mut(i) {
                *slot = Some(r);
            }
        }
    }
    let mut out = Vec::with_capacity(files.len());
    for (f, r) in files.iter().zip(results) {
        match r {
            Some(r) => out.push(r?),
            // A reader thread panicked: report the file rather than lose it silently.
            None => {
                return Err(IngestError::Io {
                    path: f.full.clone(),
                    source: std::io::Error::other("the reader of this file failed"),
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod demo_tests;
#[cfg(test)]
mod tests;
