//! Regenerates `crates/graph/data/privesc-paths.json` from pathfinding.cloud's `paths.json`.
//!
//! ```sh
//! cargo run -p rolegraph-graph --example regen_privesc_paths [UPSTREAM_JSON]
//! ```
//!
//! Without an argument it reads `../shared/data/privileged-actions/pathfinding-cloud-paths.json`
//! relative to the workspace root.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let input = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/data/privileged-actions/pathfinding-cloud-paths.json"));
    let output = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/privesc-paths.json");
    let text = match std::fs::read_to_string(&input) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read `{}`: {e}", input.display());
            return ExitCode::from(2);
        }
    };
    let upstream: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: `{}` is not JSON: {e}", input.display());
            return ExitCode::from(2);
        }
    };
    let data = match rolegraph_graph::privesc::data::compact(&upstream) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: `{}`: {e}", input.display());
            return ExitCode::from(2);
        }
    };
    if let Err(e) = std::fs::write(&output, rolegraph_graph::privesc::data::to_text(&data)) {
        eprintln!("error: cannot write `{}`: {e}", output.display());
        return ExitCode::from(2);
    }
    eprintln!("wrote {} paths to {}", data.paths.len(), output.display());
    ExitCode::SUCCESS
}
