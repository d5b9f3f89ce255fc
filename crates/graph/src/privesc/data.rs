//! The documented privilege-escalation paths of pathfinding.cloud (DataDog, Apache-2.0), kept
//! in the compact form committed as `data/privesc-paths.json` and embedded at build time.
//!
//! The source is the current catalog of 86 paths
//! (`../shared/data/privileged-actions/pathfinding-cloud-paths-86.json`); the earlier file of 65
//! (`pathfinding-cloud-paths.json`) stays for reference, and the 3 paths the catalog retired
//! (`ec2instanceconnect-003`, `glue-002`, `sagemaker-003`) are kept from it, marked `retired`:
//! they are still real techniques (AWS still serves those APIs), so the graph keeps detecting
//! them under their old ids. The upstream files have long descriptions, exploitation steps and
//! references; the graph needs only each path's id, name, category, required permissions, and
//! the tools the catalog says detect it. [`compact`] does that reduction (no I/O), `cargo run -p
//! xtask -- privesc-paths` writes the file, and a test checks that the committed file is what
//! [`compact`] gives for the shared copies.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The embedded compact file.
static EMBEDDED: &str = include_str!("../../data/privesc-paths.json");

/// Where the data comes from, as recorded in the compact file.
pub const SOURCE: &str = "DataDog/pathfinding.cloud docs/paths.json";

/// One documented path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathInfo {
    /// `lambda-001`.
    pub id: String,
    /// `iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction`.
    pub name: String,
    /// `new-passrole`, `existing-passrole`, `principal-access` or `self-escalation`.
    pub category: String,
    pub services: Vec<String>,
    /// The permissions the path needs, as documented.
    pub required: Vec<Permission>,
    /// The tools the catalog says detect it (`cloudsplaining`, `pmapper`, `prowler`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub detection_tools: Vec<String>,
    /// A path of the earlier catalog that the current one no longer lists, kept as a technique.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub retired: bool,
}

/// One required permission of a path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permission {
    /// `service:Action`.
    pub permission: String,
    /// The documented constraint on its resource, in words.
    pub resource_constraints: String,
}

/// The compact file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathData {
    pub source: String,
    pub license: String,
    pub paths: Vec<PathInfo>,
}

/// What is wrong with an upstream file.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DataError {
    #[error("the paths file is not a JSON array")]
    NotAnArray,
    #[error("`{pointer}` is missing or is not a string")]
    MissingString { pointer: String },
    #[error("`{pointer}` is missing or is not an array")]
    MissingArray { pointer: String },
}

fn string_at(v: &Value, pointer: String) -> Result<String, DataError> {
    v.pointer(&pointer).and_then(Value::as_str).map(str::to_owned).ok_or(DataError::MissingString { pointer })
}

fn array_at(v: &Value, pointer: String) -> Result<&Vec<Value>, DataError> {
    v.pointer(&pointer).and_then(Value::as_array).ok_or(DataError::MissingArray { pointer })
}

/// Reduces the upstream `paths.json` of the current catalog to the compact form, sorted by id,
/// with the paths of `earlier` (the previous catalog) that the current one no longer lists,
/// marked `retired`.
pub fn compact(current: &Value, earlier: Option<&Value>) -> Result<PathData, DataError> {
    let mut paths = read_paths(current)?;
    if let Some(earlier) = earlier {
        for mut p in read_paths(earlier)? {
            if !paths.iter().any(|x| x.id == p.id) {
                p.retired = true;
                paths.push(p);
            }
        }
    }
    paths.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(PathData { source: SOURCE.to_owned(), license: "Apache-2.0".to_owned(), paths })
}

fn read_paths(upstream: &Value) -> Result<Vec<PathInfo>, DataError> {
    let items = upstream.as_array().ok_or(DataError::NotAnArray)?;
    let mut paths = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let p = format!("/{i}");
        let services = array_at(upstream, format!("{p}/services"))?
            .iter()
            .enumerate()
            .map(|(j, _)| string_at(upstream, format!("{p}/services/{j}")))
            .collect::<Result<Vec<_>, _>>()?;
        let required = array_at(upstream, format!("{p}/permissions/required"))?
            .iter()
            .enumerate()
            .map(|(j, r)| {
                Ok(Permission {
                    permission: string_at(upstream, format!("{p}/permissions/required/{j}/permission"))?,
                    resource_constraints: r.get("resourceConstraints").and_then(Value::as_str).unwrap_or_default().to_owned(),
                })
            })
            .collect::<Result<Vec<_>, DataError>>()?;
        let mut detection_tools: Vec<String> =
            item.get("detectionTools").and_then(Value::as_object).map(|m| m.keys().cloned().collect()).unwrap_or_default();
        detection_tools.sort();
        paths.push(PathInfo {
            id: string_at(upstream, format!("{p}/id"))?,
            name: string_at(upstream, format!("{p}/name"))?,
            category: string_at(upstream, format!("{p}/category"))?,
            services,
            required,
            detection_tools,
            retired: false,
        });
    }
    Ok(paths)
}

/// The text of the compact file: pretty JSON and a final newline.
pub fn to_text(data: &PathData) -> String {
    let mut s = serde_json::to_string_pretty(data).unwrap_or_default();
    s.push('\n');
    s
}

/// The embedded paths, sorted by id (empty if the embedded file were unreadable, which a test
/// rules out).
pub fn paths() -> &'static [PathInfo] {
    static PATHS: OnceLock<Vec<PathInfo>> = OnceLock::new();
    PATHS.get_or_init(|| serde_json::from_str::<PathData>(EMBEDDED).map(|d| d.paths).unwrap_or_default())
}

/// The documented path with this id.
pub fn path(id: &str) -> Option<&'static PathInfo> {
    let all = paths();
    all.binary_search_by(|p| p.id.as_str().cmp(id)).ok().and_then(|i| all.get(i))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CURRENT: &str =
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/privileged-actions/pathfinding-cloud-paths-86.json");
    const EARLIER: &str =
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/privileged-actions/pathfinding-cloud-paths.json");

    fn read(path: &str) -> Value {
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    /// Issue 16: the current catalog is the source; a change of the data without a regeneration
    /// (or the other way round) fails here.
    #[test]
    fn embedded_file_is_what_the_upstream_files_give() {
        let data = compact(&read(CURRENT), Some(&read(EARLIER))).unwrap();
        assert_eq!(data.paths.len(), 89);
        let retired: Vec<&str> = data.paths.iter().filter(|p| p.retired).map(|p| p.id.as_str()).collect();
        assert_eq!(retired, ["ec2instanceconnect-003", "glue-002", "sagemaker-003"]);
        assert_eq!(data.paths.iter().filter(|p| !p.retired).count(), 86);
        assert_eq!(to_text(&data), EMBEDDED, "run `cargo run -p xtask -- privesc-paths`");
    }

    #[test]
    fn embedded_paths_are_sorted_and_found() {
        assert_eq!(paths().len(), 89);
        assert!(paths().windows(2).all(|w| w[0].id < w[1].id));
        let p = path("lambda-001").unwrap();
        assert_eq!(p.category, "new-passrole");
        let perms: Vec<&str> = p.required.iter().map(|r| r.permission.as_str()).collect();
        assert_eq!(perms, ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"]);
        assert!(path("nope-001").is_none());
    }

    #[test]
    fn bad_upstream_files_are_reported_with_their_pointer() {
        assert_eq!(compact(&serde_json::json!({}), None), Err(DataError::NotAnArray));
        let e = compact(&serde_json::json!([{"id": "x", "services": [], "permissions": {"required": [{}]}}]), None).unwrap_err();
        assert_eq!(e.to_string(), "`/0/permissions/required/0/permission` is missing or is not a string");
    }
}
