//! Finding export files, reading them (gzip too), parsing each once into [`Export`], and, when a
//! file is JSON but some of its records do not have the expected shape, keeping the records
//! that do and recording the others as gaps with their JSON path.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use model::{Gap, GapKind};
use serde_json::value::RawValue;

use crate::IngestError;
use crate::convert::{FileCtx, FileOut};
use crate::kind::{NameIds, Recognised, recognise};
use crate::raw::Export;

/// A file to read: its path relative to the loaded folder (`/`-separated) and on disk.
pub struct FileRef {
    pub rel: String,
    pub full: PathBuf,
}

const MAX_DEPTH: usize = 16;

fn is_export_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".json") || lower.ends_with(".json.gz")
}

/// The `.json` and `.json.gz` files under `root` (or `root` itself), sorted, skipping hidden
/// files and folders.
pub fn find_files(root: &Path) -> Result<Vec<FileRef>, IngestError> {
    let meta = std::fs::metadata(root).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => IngestError::NotFound { path: root.to_path_buf() },
        _ => IngestError::Io { path: root.to_path_buf(), source: e },
    })?;
    let mut out = Vec::new();
    if meta.is_file() {
        let name = root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        out.push(FileRef { rel: name, full: root.to_path_buf() });
        return Ok(out);
    }
    walk(root, "", 0, &mut out)?;
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(out)
}

fn walk(dir: &Path, rel: &str, depth: usize, out: &mut Vec<FileRef>) -> Result<(), IngestError> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    let io = |e| IngestError::Io { path: dir.to_path_buf(), source: e };
    let mut entries: Vec<(String, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        entries.push((name, entry.path()));
    }
    entries.sort();
    for (name, path) in entries {
        let child_rel = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
        let meta = std::fs::metadata(&path).map_err(|e| IngestError::Io { path: path.clone(), source: e })?;
        if meta.is_dir() {
            walk(&path, &child_rel, depth + 1, out)?;
        } else if meta.is_file() && is_export_name(&name) {
            out.push(FileRef { rel: child_rel, full: path });
        }
    }
    Ok(())
}

/// The bytes of a file, decompressed if it is gzip.
pub fn read_bytes(f: &FileRef) -> Result<Vec<u8>, IngestError> {
    let raw = std::fs::read(&f.full).map_err(|e| IngestError::Io { path: f.full.clone(), source: e })?;
    decompress(f, raw)
}

/// The content of `f`, decompressed if it is gzip.
pub fn decompress(f: &FileRef, raw: Vec<u8>) -> Result<Vec<u8>, IngestError> {
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::with_capacity(raw.len().saturating_mul(8));
        flate2::read::MultiGzDecoder::new(raw.as_slice())
            .read_to_end(&mut out)
            .map_err(|e| IngestError::Io { path: f.full.clone(), source: e })?;
        return Ok(out);
    }
    Ok(raw)
}

/// What reading one file gave.
pub enum Outcome {
    Read(Box<FileOut>),
    /// Valid JSON that rolegraph does not read, with the reason.
    Skipped(String),
}

/// Removes serde_json's ` at line L column C` from a message about a probe text, whose
/// positions mean nothing to the user.
fn without_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(i) => message.get(..i).unwrap_or(message),
        None => message,
    }
}

fn json_error(f: &FileRef, e: &serde_json::Error) -> IngestError {
    IngestError::Json { path: f.full.clone(), line: e.line(), column: e.column(), message: e.to_string() }
}

/// Reads, parses, recognises and converts one file.
pub fn read_file(f: &FileRef, strict: bool) -> Result<Outcome, IngestError> {
    let bytes = read_bytes(f)?;
    read_content(f, &bytes, strict)
}

/// Parses, recognises and converts the (decompressed) content of one file.
pub fn read_content(f: &FileRef, bytes: &[u8], strict: bool) -> Result<Outcome, IngestError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
    if first != Some(b'{') {
        // Valid JSON of another shape is skipped; anything else is an error.
        return match serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
            Ok(_) => Ok(Outcome::Skipped("the top level is not a JSON object".to_owned())),
            Err(e) => Err(json_error(f, &e)),
        };
    }
    let cx = FileCtx { rel: &f.rel, names: NameIds::of(&f.rel) };
    match serde_json::from_slice::<Export<'_>>(bytes) {
        Ok(e) => Ok(finish(e, &cx, bytes, Vec::new())),
        Err(e) if e.is_data() => {
            let located = serde_path_to_error::deserialize::<_, Export<'_>>(&mut serde_json::Deserializer::from_slice(bytes));
            let (json_path, message) = match located {
                Err(err) => (err.path().to_string(), err.inner().to_string()),
                Ok(_) => (".".to_owned(), e.to_string()),
            };
            if strict {
                return Err(IngestError::Shape { path: f.full.clone(), json_path, message });
            }
            let shape_error =
                || IngestError::Shape { path: f.full.clone(), json_path: json_path.clone(), message: message.clone() };
            let (rebuilt, gaps) = salvage(bytes, &cx).ok_or_else(shape_error)?;
            match serde_json::from_slice::<Export<'_>>(&rebuilt) {
                Ok(e) => Ok(finish(e, &cx, bytes, gaps)),
                Err(_) => Err(shape_error()),
            }
        }
        Err(e) => Err(json_error(f, &e)),
    }
}

fn finish(e: Export<'_>, cx: &FileCtx<'_>, bytes: &[u8], salvage_gaps: Vec<Gap>) -> Outcome {
    match recognise(&e, &cx.names) {
        Recognised::Kind(kind) => {
            let mut out = crate::convert::convert(kind, e, cx);
            for g in &salvage_gaps {
                out.warnings.push(format!("`{}`: skipped {}: {}", cx.rel, g.source, g.error.as_deref().unwrap_or("")));
            }
            out.gaps.extend(salvage_gaps);
            Outcome::Read(Box::new(out))
        }
        Recognised::NotUsed(what) => Outcome::Skipped(format!("{what} is not used")),
        Recognised::Unknown => {
            let keys = serde_json::from_slice::<BTreeMap<String, serde::de::IgnoredAny>>(bytes)
                .map(|m| m.into_keys().take(8).map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", "))
                .unwrap_or_default();
            Outcome::Skipped(format!("not an export rolegraph reads (top-level keys: {keys})"))
        }
    }
}

/// Rebuilds the file without the records (elements of top-level arrays) that do not have the
/// expected shape, and a gap for each. `None` if the problem is not inside such a record.
fn salvage(bytes: &[u8], cx: &FileCtx<'_>) -> Option<(Vec<u8>, Vec<Gap>)> {
    let top: Vec<(String, &RawValue)> = serde_json::from_slice::<BTreeMap<String, &RawValue>>(bytes).ok()?.into_iter().collect();
    let mut gaps = Vec::new();
    let mut out = String::with_capacity(bytes.len());
    out.push('{');
    for (n, (key, raw)) in top.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        let key_json = serde_json::to_string(key).ok()?;
        out.push_str(&key_json);
        out.push(':');
        if !raw.get().trim_start().starts_with('[') {
            out.push_str(raw.get());
            continue;
        }
        let elems: Vec<&RawValue> = serde_json::from_str(raw.get()).ok()?;
        out.push('[');
        let mut first = true;
        for (i, el) in elems.iter().enumerate() {
            let probe = format!("{{{key_json}:[{}]}}", el.get());
            match serde_path_to_error::deserialize::<_, Export<'_>>(&mut serde_json::Deserializer::from_str(&probe)) {
                Ok(_) => {
                    if !first {
                        out.push(',');
                    }
                    out.push_str(el.get());
                    first = false;
                }
                Err(err) => {
                    let path = err.path().to_string();
                    let prefix = format!("{key}[0]");
                    let path = match path.strip_prefix(&prefix) {
                        Some(rest) => format!("{key}[{i}]{rest}"),
                        None => path,
                    };
                    let message = err.inner().to_string();
                    gaps.push(
                        cx.gap(
                            GapKind::MalformedRecord,
                            &path,
                            format!("record `{key}[{i}]` does not have the expected shape and was skipped"),
                        )
                        .with_error(without_position(&message)),
                    );
                }
            }
        }
        out.push(']');
    }
    out.push('}');
    if gaps.is_empty() {
        return None;
    }
    Some((out.into_bytes(), gaps))
}
