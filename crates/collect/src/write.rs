//! The export folder being written: one JSON file per output, pretty-printed like the CLI, and
//! the tally of what each account gave (for the summary and the collection record).

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;

use crate::CollectError;

/// A folder of the export.
#[derive(Clone, Debug)]
pub struct Folder {
    path: PathBuf,
}

impl Folder {
    pub fn create(path: PathBuf) -> Result<Folder, CollectError> {
        std::fs::create_dir_all(&path).map_err(|source| CollectError::Write { path: path.clone(), source })?;
        Ok(Folder { path })
    }

    pub fn sub(&self, name: &str) -> Result<Folder, CollectError> {
        Folder::create(self.path.join(file_part(name)))
    }

    pub fn write(&self, name: &str, value: &Value) -> Result<(), CollectError> {
        let path = self.path.join(name);
        std::fs::write(&path, pretty(&path, value)?).map_err(|source| CollectError::Write { path, source })
    }

    /// Writes `<stem>.json`, or `<stem>-2.json`, `-3`, ... if that name is taken: for files named
    /// after a resource, whose names can meet once made safe (`q.fifo` and `q_fifo`). The file
    /// says which resource it is about; the name is only for people.
    pub fn write_unique(&self, stem: &str, value: &Value) -> Result<(), CollectError> {
        use std::io::Write;
        let path = self.path.join(format!("{stem}.json"));
        let bytes = pretty(&path, value)?;
        let mut n = 1u32;
        loop {
            let path = if n == 1 { path.clone() } else { self.path.join(format!("{stem}-{n}.json")) };
            match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut f) => return f.write_all(&bytes).map_err(|source| CollectError::Write { path, source }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < MAX_SAME_NAME => n += 1,
                Err(source) => return Err(CollectError::Write { path, source }),
            }
        }
    }
}

/// How many resources of one kind may share a file name before writing gives up.
const MAX_SAME_NAME: u32 = 10_000;

fn pretty(path: &std::path::Path, value: &Value) -> Result<Vec<u8>, CollectError> {
    let mut bytes =
        serde_json::to_vec_pretty(value).map_err(|e| CollectError::Write { path: path.to_path_buf(), source: e.into() })?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// A name made safe for a file name: letters, digits, `-` and `_`; anything else becomes `_`.
/// (No `.`: the reader splits file names on dots to find Organizations ids.)
pub fn file_part(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

/// What an account gave.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    pub roles: usize,
    /// Users and roles.
    pub principals: usize,
    /// EC2 instances, launch templates, Lambda functions, ECS task definitions and services, and
    /// the resources whose policies are read (buckets, customer keys, queues, topics, secrets,
    /// repositories, tables).
    pub resources: usize,
    complete: BTreeSet<&'static str>,
    incomplete: BTreeSet<&'static str>,
}

impl Tally {
    /// Records a kind of data (a `model::DataKind` name) as collected in full, or not.
    pub fn collected(&mut self, kind: &'static str, complete: bool) {
        if complete {
            self.complete.insert(kind);
        } else {
            self.incomplete.insert(kind);
        }
    }

    pub fn merge(&mut self, other: Tally) {
        self.roles += other.roles;
        self.principals += other.principals;
        self.resources += other.resources;
        self.complete.extend(other.complete);
        self.incomplete.extend(other.incomplete);
    }

    /// The kinds collected in full (in every region for regional ones).
    pub fn kinds(&self) -> Vec<&'static str> {
        self.complete.difference(&self.incomplete).copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_parts_have_no_dots_or_separators() {
        assert_eq!(file_part("us-east-1"), "us-east-1");
        assert_eq!(file_part("web:3/x.y"), "web_3_x_y");
    }

    #[test]
    fn names_that_meet_get_a_number() {
        let dir = tempfile::tempdir().unwrap();
        let f = Folder::create(dir.path().to_path_buf()).unwrap();
        f.write_unique("sqs.q_fifo", &serde_json::json!({"A": 1})).unwrap();
        f.write_unique("sqs.q_fifo", &serde_json::json!({"A": 2})).unwrap();
        let second: Value = serde_json::from_slice(&std::fs::read(dir.path().join("sqs.q_fifo-2.json")).unwrap()).unwrap();
        assert_eq!(second["A"], 2);
        assert!(dir.path().join("sqs.q_fifo.json").is_file());
    }

    #[test]
    fn a_kind_incomplete_in_one_region_is_not_collected() {
        let mut t = Tally::default();
        t.collected("ec2_instances", true);
        t.collected("lambda_functions", true);
        let mut other = Tally::default();
        other.collected("ec2_instances", false);
        t.merge(other);
        assert_eq!(t.kinds(), vec!["lambda_functions"]);
    }
}
