//! Writing JSON as the AWS CLI does (4-space indentation), streaming large lists record by
//! record so that a 300 MB export never sits in memory as one value.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use serde_json::Value;

use crate::SynthSummary;

/// Pretty JSON with 4 spaces, indented by `depth` levels after each newline.
fn pretty(value: &Value, depth: usize) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    serde::Serialize::serialize(value, &mut ser).map_err(std::io::Error::other)?;
    if depth == 0 {
        return Ok(buf);
    }
    let pad = " ".repeat(4 * depth);
    let mut out = Vec::with_capacity(buf.len() + buf.len() / 4);
    for b in buf {
        out.push(b);
        if b == b'\n' {
            out.extend_from_slice(pad.as_bytes());
        }
    }
    Ok(out)
}

/// A JSON object written key by key, where list values are streamed.
pub struct ObjectWriter {
    out: BufWriter<File>,
    first_key: bool,
    first_item: bool,
}

impl ObjectWriter {
    pub fn create(path: &Path) -> std::io::Result<ObjectWriter> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
        out.write_all(b"{")?;
        Ok(ObjectWriter { out, first_key: true, first_item: true })
    }

    fn key(&mut self, key: &str) -> std::io::Result<()> {
        if !self.first_key {
            self.out.write_all(b",")?;
        }
        self.first_key = false;
        write!(self.out, "\n    {}: ", Value::String(key.to_owned()))
    }

    /// A key with a whole value.
    pub fn field(&mut self, key: &str, value: &Value) -> std::io::Result<()> {
        self.key(key)?;
        let bytes = pretty(value, 1)?;
        self.out.write_all(&bytes)
    }

    /// Starts a list value; follow with [`ObjectWriter::item`] and [`ObjectWriter::end_list`].
    pub fn begin_list(&mut self, key: &str) -> std::io::Result<()> {
        self.key(key)?;
        self.first_item = true;
        self.out.write_all(b"[")
    }

    pub fn item(&mut self, value: &Value) -> std::io::Result<()> {
        if !self.first_item {
            self.out.write_all(b",")?;
        }
        self.first_item = false;
        self.out.write_all(b"\n        ")?;
        let bytes = pretty(value, 2)?;
        self.out.write_all(&bytes)
    }

    pub fn end_list(&mut self) -> std::io::Result<()> {
        if self.first_item { self.out.write_all(b"]") } else { self.out.write_all(b"\n    ]") }
    }

    /// Closes the object; returns the bytes written.
    pub fn finish(mut self, summary: &mut SynthSummary) -> std::io::Result<()> {
        self.out.write_all(b"\n}\n")?;
        let file = self.out.into_inner().map_err(|e| e.into_error())?;
        summary.files += 1;
        summary.bytes += file.metadata()?.len();
        Ok(())
    }
}

/// Writes a whole value to a file.
pub fn write_value(path: &Path, value: &Value, summary: &mut SynthSummary) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut bytes = pretty(value, 0)?;
    bytes.push(b'\n');
    std::fs::write(path, &bytes)?;
    summary.files += 1;
    summary.bytes += bytes.len() as u64;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamed_object_is_the_same_json() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("x.json");
        let mut w = ObjectWriter::create(&p).unwrap();
        w.begin_list("A").unwrap();
        w.item(&serde_json::json!({"k": [1, {"z": "y"}]})).unwrap();
        w.item(&serde_json::json!(2)).unwrap();
        w.end_list().unwrap();
        w.begin_list("Empty").unwrap();
        w.end_list().unwrap();
        w.field("B", &serde_json::json!({"c": true})).unwrap();
        let mut s = SynthSummary::default();
        w.finish(&mut s).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v, serde_json::json!({"A": [{"k": [1, {"z": "y"}]}, 2], "Empty": [], "B": {"c": true}}));
        assert!(text.contains("\n        {\n            \"k\": [\n"), "{text}");
        assert_eq!(s.files, 1);
        assert_eq!(s.bytes, text.len() as u64);
    }
}
