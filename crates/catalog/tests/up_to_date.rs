//! The committed `data/catalog.bin` must be what `cargo run -p xtask -- catalog` generates from
//! `shared/data/iam-catalog`: a stale file fails here.

use std::path::Path;

#[test]
fn committed_catalog_is_up_to_date() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/iam-catalog"));
    assert!(dir.is_dir(), "`{}` is missing: the shared data must sit beside the workspace", dir.display());
    let generated = rolegraph_catalog::build::from_tsv_dir(dir).unwrap();
    let committed = rolegraph_catalog::embedded_bytes();
    assert!(
        generated.bytes == committed,
        "crates/catalog/data/catalog.bin is stale ({} bytes committed, {} generated): run `cargo run -p xtask -- catalog`",
        committed.len(),
        generated.bytes.len()
    );
    // The summary the command prints matches the data README's figures.
    let x = &generated.cross_check;
    assert_eq!(x.access_levels.len(), 175);
    assert_eq!(x.resource_type_sets.len(), 379);
    assert!(x.dangling.is_empty(), "{:?}", x.dangling);
}
