//! Reading CloudTrail in the three shapes it leaves AWS in, recognised by content: log files as
//! delivered to S3 (`{"Records": [...]}`, gzipped or not), `aws cloudtrail lookup-events` output
//! (`{"Events": [{"CloudTrailEvent": "<json>"}]}`) and CloudTrail Lake or Athena exports (JSON
//! lines, one record per line). A folder is read recursively, in path order; inside it only
//! regular files are read: a symbolic link that loops or leads nowhere, a second link to a
//! folder already read, a FIFO, a socket or a device is a skipped file with its reason
//! (`skipped_files`, and an example), and the run goes on.
//!
//! Records are handed to a sink one at a time and never collected. A JSON document (a log file,
//! a lookup-events page) is held in memory as bytes while it is read, as CloudTrail delivers
//! them in files of a few megabytes; JSON lines are read line by line from the stream, so an
//! export of any size runs in constant memory (a line longer than [`MAX_LINE`] is a malformed
//! record, skipped without being held). Documents larger than [`MAX_DOCUMENT`] bytes
//! (decompressed) are skipped with a note to export them as JSON lines.
//!
//! Nothing here stops on bad input: a record that is not a CloudTrail record, or a file that is
//! not JSON, is counted with an example (file, position, error) and the run goes on. Records of
//! a document read before a syntax error in it are kept.

use std::borrow::Cow;
use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::record::Record;

/// The largest JSON document read into memory (decompressed).
pub const MAX_DOCUMENT: u64 = 1 << 30;

/// The longest line of a JSON-lines file: a CloudTrail record is at most a few hundred
/// kilobytes; a longer line is a malformed record, read in bounded memory and skipped.
pub const MAX_LINE: usize = 16 << 20;

/// How many problem examples are kept.
const MAX_EXAMPLES: usize = 20;

/// The shape of a CloudTrail file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// `{"Records": [...]}`, as delivered to S3.
    LogFile,
    /// `{"Events": [{"CloudTrailEvent": "..."}]}`, from `aws cloudtrail lookup-events`.
    LookupEvents,
    /// A bare JSON array of records.
    RecordArray,
    /// One record per line (CloudTrail Lake, Athena).
    JsonLines,
}

/// Something skipped, with where it was.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub file: String,
    /// `record 3`, `line 12`, `line 112 column 1`.
    pub position: String,
    pub error: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.file, self.position, self.error)
    }
}

/// What reading saw.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ReadStats {
    pub files: u64,
    pub records: u64,
    pub malformed_records: u64,
    /// Files that are not JSON, or are cut short by a syntax error (their earlier records count).
    pub malformed_files: u64,
    /// Entries of a folder that were not read: symbolic link loops, FIFOs, devices (with an
    /// example each in `examples`).
    pub skipped_files: u64,
    /// Files by format.
    pub log_files: u64,
    pub lookup_events_files: u64,
    pub json_lines_files: u64,
    /// The first problems seen, in reading order.
    pub examples: Vec<Problem>,
}

impl ReadStats {
    /// Adds the counts of `other` (read after `self`), keeping the first examples.
    pub fn merge(&mut self, other: ReadStats) {
        self.files += other.files;
        self.records += other.records;
        self.malformed_records += other.malformed_records;
        self.malformed_files += other.malformed_files;
        self.skipped_files += other.skipped_files;
        self.log_files += other.log_files;
        self.lookup_events_files += other.lookup_events_files;
        self.json_lines_files += other.json_lines_files;
        let room = MAX_EXAMPLES.saturating_sub(self.examples.len());
        self.examples.extend(other.examples.into_iter().take(room));
    }

    fn problem(&mut self, file: &str, position: String, error: String) {
        if self.examples.len() < MAX_EXAMPLES {
            self.examples.push(Problem { file: file.to_owned(), position, error });
        }
    }

    fn bad_record(&mut self, file: &str, position: String, error: String) {
        self.malformed_records += 1;
        self.problem(file, position, error);
    }

    fn bad_file(&mut self, file: &str, position: String, error: String) {
        self.malformed_files += 1;
        self.problem(file, position, error);
    }
}

/// Reading failed before any record: the path itself.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read `{path}`: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// The sink that receives each valid record.
pub type Sink<'s> = dyn FnMut(&Record<'_>) + 's;

/// Reads every CloudTrail file under `path` (a file or a folder, recursively).
pub fn read_path(path: &Path, stats: &mut ReadStats, sink: &mut Sink<'_>) -> Result<(), ReadError> {
    for f in list_files(path)? {
        read_file(&f, stats, sink);
    }
    Ok(())
}

/// A file to read, with the name problems give it (relative to the path given); or an entry of
/// a folder that is skipped, with the reason.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TrailFile {
    pub path: PathBuf,
    pub name: String,
    /// Why the entry is not read: a symbolic link that loops or leads nowhere, a FIFO, a
    /// device, a socket, a folder already read, a folder that cannot be listed.
    pub skipped: Option<String>,
}

/// The files under `path` (itself if a file), in path order. Inside a folder only regular
/// files are read: an entry that is none (see [`TrailFile::skipped`]) is listed as skipped, and
/// the run goes on. `path` itself may be anything that can be read (a FIFO: `<(zcat ...)`).
pub fn list_files(path: &Path) -> Result<Vec<TrailFile>, ReadError> {
    let meta = std::fs::metadata(path).map_err(|source| ReadError::Io { path: path.to_path_buf(), source })?;
    if !meta.is_dir() {
        return Ok(vec![TrailFile { name: display_name(path, path), path: path.to_path_buf(), skipped: None }]);
    }
    let mut found = Vec::new();
    let mut folders = std::collections::HashSet::new();
    folders.insert(std::fs::canonicalize(path).map_err(|source| ReadError::Io { path: path.to_path_buf(), source })?);
    let entries = std::fs::read_dir(path).map_err(|source| ReadError::Io { path: path.to_path_buf(), source })?;
    collect_entries(entries, &mut folders, &mut found);
    found.sort();
    Ok(found.into_iter().map(|(f, skipped)| TrailFile { name: display_name(path, &f), path: f, skipped }).collect())
}

/// Reads one file (or records why it was skipped).
pub fn read_file(f: &TrailFile, stats: &mut ReadStats, sink: &mut Sink<'_>) {
    if let Some(reason) = &f.skipped {
        stats.skipped_files += 1;
        stats.problem(&f.name, "file".into(), reason.clone());
        return;
    }
    match File::open(&f.path) {
        Ok(file) => read_reader(&f.name, file, stats, sink),
        Err(e) => {
            stats.files += 1;
            stats.bad_file(&f.name, "file".into(), e.to_string());
        }
    }
}

fn display_name(root: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(root).ok().filter(|r| !r.as_os_str().is_empty()).unwrap_or(file);
    rel.to_string_lossy().replace('\\', "/")
}

/// What kind of entry a folder holds that is neither a file nor a folder.
fn special_kind(t: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
    }
    let _ = t;
    "something else"
}

/// The entries of a folder, recursively: regular files to read, the rest skipped with a reason.
/// `folders` holds the folders already listed (canonical paths), so that a symbolic link back
/// to one of them or to a folder above them (a loop), or a second link to a folder, is not
/// followed.
fn collect_entries(
    entries: std::fs::ReadDir,
    folders: &mut std::collections::HashSet<PathBuf>,
    out: &mut Vec<(PathBuf, Option<String>)>,
) {
    for e in entries {
        let Ok(e) = e else { continue };
        let p = e.path();
        if p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.')) {
            continue;
        }
        // Following symbolic links: a loop or a dangling link is an error here.
        let meta = match std::fs::metadata(&p) {
            Ok(m) => m,
            Err(err) => {
                out.push((p, Some(format!("cannot be read: {err}"))));
                continue;
            }
        };
        if meta.is_file() {
            out.push((p, None));
        } else if meta.is_dir() {
            let canonical = match std::fs::canonicalize(&p) {
                Ok(c) => c,
                Err(err) => {
                    out.push((p, Some(format!("cannot be read: {err}"))));
                    continue;
                }
            };
            // A link to a folder read already, or to one that holds a folder read already (a
            // parent: a loop, which would also read what lies beside the trail folder).
            if folders.iter().any(|f| f.starts_with(&canonical)) {
                out.push((p, Some("a folder already read, or one that contains it (a symbolic link loop)".to_owned())));
                continue;
            }
            folders.insert(canonical);
            match std::fs::read_dir(&p) {
                Ok(sub) => collect_entries(sub, folders, out),
                Err(err) => out.push((p, Some(format!("the folder cannot be listed: {err}")))),
            }
        } else {
            out.push((p, Some(format!("{}, not a regular file", special_kind(meta.file_type())))));
        }
    }
}

/// Reads content already in memory (gzipped or not), without copying a plain document.
pub fn read_bytes(name: &str, bytes: &[u8], stats: &mut ReadStats, sink: &mut Sink<'_>) {
    if !bytes.starts_with(&[0x1f, 0x8b]) && is_document(bytes) {
        stats.files += 1;
        read_document(name, bytes, stats, sink);
    } else {
        read_reader(name, bytes, stats, sink);
    }
}

/// Reads one file's content (gzipped or not) under the name `name`.
pub fn read_reader(name: &str, reader: impl Read, stats: &mut ReadStats, sink: &mut Sink<'_>) {
    stats.files += 1;
    let mut buf = BufReader::with_capacity(1 << 16, reader);
    let gz = match buf.fill_buf() {
        Ok(head) => head.starts_with(&[0x1f, 0x8b]),
        Err(e) => {
            stats.bad_file(name, "file".into(), e.to_string());
            return;
        }
    };
    if gz {
        let dec = BufReader::with_capacity(1 << 16, flate2::bufread::MultiGzDecoder::new(buf));
        read_plain(name, dec, stats, sink);
    } else {
        read_plain(name, buf, stats, sink);
    }
}

fn read_plain(name: &str, mut r: impl BufRead, stats: &mut ReadStats, sink: &mut Sink<'_>) {
    let head = match r.fill_buf() {
        Ok(h) => h,
        Err(e) => {
            stats.bad_file(name, "file".into(), e.to_string());
            return;
        }
    };
    if is_document(head) {
        let mut bytes = Vec::new();
        match r.take(MAX_DOCUMENT + 1).read_to_end(&mut bytes) {
            Ok(n) if n as u64 > MAX_DOCUMENT => {
                stats.bad_file(name, "file".into(), format!("a JSON document over {MAX_DOCUMENT} bytes: export it as JSON lines"))
            }
            Ok(_) => read_document(name, &bytes, stats, sink),
            Err(e) => stats.bad_file(name, "file".into(), e.to_string()),
        }
    } else {
        read_json_lines(name, r, stats, sink);
    }
}

/// Whether the content starts a JSON document (a `Records` or `Events` object, an array, or an
/// object spread over lines) rather than JSON lines.
fn is_document(head: &[u8]) -> bool {
    let head = head.get(..head.len().min(1 << 16)).unwrap_or(head);
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let start = head.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(head.len());
    let rest = head.get(start..).unwrap_or(&[]);
    match rest.first() {
        Some(b'[') => true,
        Some(b'{') => {
            let after = rest.get(1..).unwrap_or(&[]);
            let first_line_ends = after.iter().position(|&b| b == b'\n').map(|i| after.get(..i).unwrap_or(&[]));
            if first_line_ends.is_some_and(|l| l.iter().all(u8::is_ascii_whitespace)) {
                return true;
            }
            let k = after.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(after.len());
            let key = after.get(k..).unwrap_or(&[]);
            key.starts_with(b"\"Records\"") || key.starts_with(b"\"Events\"") || key.starts_with(b"\"NextToken\"")
        }
        _ => false,
    }
}

/// Reads one line into `line`, keeping at most `max` bytes of it; returns the bytes consumed
/// (0 at the end) and whether the line was longer than `max` (the rest of it is skipped).
fn read_line_bounded(r: &mut impl BufRead, line: &mut Vec<u8>, max: usize) -> std::io::Result<(usize, bool)> {
    let mut consumed = 0;
    let mut too_long = false;
    loop {
        let chunk = match r.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok((consumed, too_long));
        }
        let newline = chunk.iter().position(|&b| b == b'\n');
        let take = newline.map_or(chunk.len(), |i| i + 1);
        let part = chunk.get(..take).unwrap_or_default();
        if !too_long {
            if line.len() + part.len() > max {
                too_long = true;
                line.clear();
            } else {
                line.extend_from_slice(part);
            }
        }
        r.consume(take);
        consumed += take;
        if newline.is_some() {
            return Ok((consumed, too_long));
        }
    }
}

fn read_json_lines(name: &str, mut r: impl BufRead, stats: &mut ReadStats, sink: &mut Sink<'_>) {
    stats.json_lines_files += 1;
    let mut line = Vec::with_capacity(4096);
    let mut n = 0u64;
    loop {
        line.clear();
        match read_line_bounded(&mut r, &mut line, MAX_LINE) {
            Ok((0, _)) => break,
            Ok((_, false)) => {}
            Ok((_, true)) => {
                n += 1;
                stats.bad_record(name, format!("line {n}"), format!("longer than {MAX_LINE} bytes: skipped"));
                continue;
            }
            Err(e) => {
                stats.bad_file(name, format!("line {}", n + 1), e.to_string());
                break;
            }
        }
        n += 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match std::str::from_utf8(&line) {
            Ok(text) => handle_record(name, || format!("line {n}"), text, stats, sink),
            Err(e) => stats.bad_record(name, format!("line {n}"), format!("not UTF-8: {e}")),
        }
    }
}

/// Reads a JSON document held in memory.
pub fn read_document(name: &str, bytes: &[u8], stats: &mut ReadStats, sink: &mut Sink<'_>) {
    // First in one pass, each record decoded straight from the document. A record of the wrong
    // shape makes that pass fail; the document is then read again record by record from there
    // (the records before it were handed over already), so that only that record is skipped.
    let mut cx = Cx { name, stats, sink, format: None, raw: false, skip: 0, done: 0 };
    let mut result = parse_document(bytes, &mut cx);
    if let Err(e) = &result
        && e.classify() == serde_json::error::Category::Data
        && matches!(cx.format, Some(Format::LogFile | Format::RecordArray))
    {
        cx.raw = true;
        cx.skip = cx.done;
        cx.done = 0;
        result = parse_document(bytes, &mut cx);
    }
    match cx.format {
        Some(Format::LookupEvents) => cx.stats.lookup_events_files += 1,
        Some(_) => cx.stats.log_files += 1,
        None => {}
    }
    if let Err(e) = result {
        let text = e.to_string();
        let text = text.split(" at line ").next().unwrap_or(&text).to_owned();
        cx.stats.bad_file(name, format!("line {} column {}", e.line(), e.column()), text);
    } else if cx.format.is_none() {
        cx.stats.bad_file(name, "file".into(), "no `Records` or `Events`: not a CloudTrail file".into());
    }
}

fn parse_document(bytes: &[u8], cx: &mut Cx<'_, '_>) -> Result<(), serde_json::Error> {
    // Checking UTF-8 once for the whole document is faster than string by string.
    match std::str::from_utf8(bytes) {
        Ok(text) => parse_with(serde_json::Deserializer::from_str(text), cx),
        Err(_) => parse_with(serde_json::Deserializer::from_slice(bytes), cx),
    }
}

fn parse_with<'de, R: serde_json::de::Read<'de>>(
    mut de: serde_json::Deserializer<R>,
    cx: &mut Cx<'_, '_>,
) -> Result<(), serde_json::Error> {
    (&mut de).deserialize_any(DocVisitor { cx })?;
    de.end()
}

/// Validates a decoded record and hands it to the sink.
fn deliver(name: &str, position: impl Fn() -> String, mut rec: Record<'_>, stats: &mut ReadStats, sink: &mut Sink<'_>) {
    deliver_ref(name, position, &mut rec, stats, sink);
}

fn deliver_ref(name: &str, position: impl Fn() -> String, rec: &mut Record<'_>, stats: &mut ReadStats, sink: &mut Sink<'_>) {
    match rec.validate() {
        Ok(()) => {
            stats.records += 1;
            sink(rec);
        }
        Err(e) => stats.bad_record(name, position(), e),
    }
}

/// Parses and validates one record's JSON text and hands it to the sink.
fn handle_record(name: &str, position: impl Fn() -> String, text: &str, stats: &mut ReadStats, sink: &mut Sink<'_>) {
    let mut rec = Record::default();
    let mut de = serde_json::Deserializer::from_str(text);
    if crate::record::InPlace(&mut rec).deserialize(&mut de).and_then(|()| de.end()).is_ok() {
        deliver_ref(name, position, &mut rec, stats, sink);
        return;
    }
    // Read again with the derived reader, whose verdict and message count.
    match serde_json::from_str::<Record<'_>>(text) {
        Ok(rec) => deliver(name, position, rec, stats, sink),
        Err(e) => stats.bad_record(name, position(), e.to_string()),
    }
}

struct Cx<'a, 'k> {
    name: &'a str,
    stats: &'a mut ReadStats,
    sink: &'a mut Sink<'k>,
    format: Option<Format>,
    /// Decode each record from raw JSON on its own (after a fast pass failed).
    raw: bool,
    /// Records already handed over by a failed fast pass.
    skip: usize,
    /// Records seen in this pass.
    done: usize,
}

struct DocVisitor<'c, 'a, 'k> {
    cx: &'c mut Cx<'a, 'k>,
}

impl<'de> Visitor<'de> for DocVisitor<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a CloudTrail log file, lookup-events output or an array of records")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match &*key {
                "Records" => {
                    self.cx.format = Some(Format::LogFile);
                    map.next_value_seed(Seq { cx: &mut *self.cx, lookup: false })?;
                }
                "Events" => {
                    self.cx.format = Some(Format::LookupEvents);
                    map.next_value_seed(Seq { cx: &mut *self.cx, lookup: true })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        self.cx.format = Some(Format::RecordArray);
        Seq { cx: &mut *self.cx, lookup: false }.visit_seq(seq)
    }
}

/// The array of `Records` or `Events`: each element is taken as raw JSON (a borrowed slice,
/// checked but not decoded) and decoded on its own, so that one bad record is skipped without
/// losing the rest.
struct Seq<'c, 'a, 'k> {
    cx: &'c mut Cx<'a, 'k>,
    lookup: bool,
}

impl<'de> DeserializeSeed<'de> for Seq<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

#[derive(serde::Deserialize)]
struct LookupEvent<'a> {
    #[serde(borrow, rename = "CloudTrailEvent")]
    event: Option<Cow<'a, str>>,
}

impl<'de> Visitor<'de> for Seq<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let cx = self.cx;
        if !self.lookup && !cx.raw {
            let mut rec = Record::default();
            while seq.next_element_seed(crate::record::InPlace(&mut rec))?.is_some() {
                let i = cx.done;
                deliver_ref(cx.name, || format!("record {i}"), &mut rec, cx.stats, cx.sink);
                cx.done += 1;
            }
            return Ok(());
        }
        while let Some(raw) = seq.next_element::<&'de RawValue>()? {
            let i = cx.done;
            cx.done += 1;
            if i < cx.skip {
                continue;
            }
            let pos = || format!("{} {i}", if self.lookup { "event" } else { "record" });
            if self.lookup {
                match serde_json::from_str::<LookupEvent<'_>>(raw.get()) {
                    Ok(LookupEvent { event: Some(text) }) => handle_record(cx.name, pos, &text, cx.stats, cx.sink),
                    Ok(LookupEvent { event: None }) => cx.stats.bad_record(cx.name, pos(), "no `CloudTrailEvent`".into()),
                    Err(e) => cx.stats.bad_record(cx.name, pos(), e.to_string()),
                }
            } else {
                handle_record(cx.name, pos, raw.get(), cx.stats, cx.sink);
            }
        }
        Ok(())
    }
}
