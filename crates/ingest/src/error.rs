//! Errors that stop a load: a path that cannot be read, a file that is not JSON, or (in strict
//! mode) a record that does not have the shape of the export it belongs to. Each names the
//! file, and the JSON path when there is one. Everything else becomes a recorded gap.

use std::path::PathBuf;

/// Why exports could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The path given does not exist.
    #[error("`{path}` does not exist")]
    NotFound { path: PathBuf },
    /// A file or folder could not be read.
    #[error("cannot read `{path}`: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A `.json` (or `.json.gz`) file that is not JSON.
    #[error("`{path}` is not valid JSON: {message}")]
    Json { path: PathBuf, line: usize, column: usize, message: String },
    /// A record that does not have the shape of its export (strict mode, or when nothing of
    /// the file could be kept).
    #[error("`{path}`: {json_path}: {message}")]
    Shape { path: PathBuf, json_path: String, message: String },
    /// Nothing that rolegraph reads was found.
    #[error("no AWS export that rolegraph reads was found in `{path}`")]
    NoExports { path: PathBuf },
}

impl IngestError {
    /// The file concerned.
    pub fn path(&self) -> &std::path::Path {
        match self {
            IngestError::NotFound { path }
            | IngestError::Io { path, .. }
            | IngestError::Json { path, .. }
            | IngestError::Shape { path, .. }
            | IngestError::NoExports { path } => path,
        }
    }

    /// The JSON path of a shape error (`Roles[3].RoleLastUsed.LastUsedDate`).
    pub fn json_path(&self) -> Option<&str> {
        match self {
            IngestError::Shape { json_path, .. } => Some(json_path),
            _ => None,
        }
    }
}
