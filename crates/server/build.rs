//! Copies the vendored Cytoscape.js bundle (fetched by `web/fetch-vendor.sh`, not committed)
//! into OUT_DIR so that the binary embeds it. When it is absent the build still succeeds: an
//! empty file is embedded and the UI shows the graph as a list with a notice.

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let vendor = manifest.join("web/vendor/cytoscape.min.js");
    println!("cargo:rerun-if-changed={}", vendor.display());
    println!("cargo:rerun-if-changed={}", manifest.join("web/vendor").display());
    let body = std::fs::read(&vendor).unwrap_or_default();
    if body.is_empty() {
        println!(
            "cargo:warning=web/vendor/cytoscape.min.js is missing: the UI will list graphs instead of drawing them (run crates/server/web/fetch-vendor.sh)"
        );
    }
    if let Err(e) = std::fs::write(out.join("cytoscape.min.js"), body) {
        println!("cargo:warning=cannot write the embedded cytoscape bundle: {e}");
    }
}
