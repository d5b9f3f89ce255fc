//! What the CLI integration tests share: running the built `rolegraph` binary from the
//! workspace root, so that paths such as `demo` and `../shared` mean what the README says.

use std::process::{Command, Output};

/// Runs `rolegraph ARGS` in the workspace root and returns what it did.
pub fn rolegraph(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rolegraph"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .unwrap_or_else(|e| panic!("cannot run rolegraph: {e}"))
}
