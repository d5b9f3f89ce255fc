//! The graph's build on a folder of exports, phase by phase: times, peak memory, edges by kind
//! and by path, and the escalations. With `ROLEGRAPH_DUMP=FILE`, every edge, sorted, for
//! comparing two builds edge by edge.
//!
//! ```sh
//! cargo run --release --example phases -p rolegraph-graph -- DIR
//! ```

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a measuring tool stops at the first failure"
)]
use std::collections::BTreeMap;
fn rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("VmRSS") || l.starts_with("VmHWM"))
        .collect::<Vec<_>>()
        .join(" ")
}
fn main() {
    let dir = std::env::args().nth(1).unwrap();
    let t = std::time::Instant::now();
    let loaded = ingest::load(std::path::Path::new(&dir)).unwrap();
    eprintln!("load {:?} {}", t.elapsed(), rss());
    let t = std::time::Instant::now();
    let g = rolegraph_graph::build(&loaded.snapshot, &Default::default());
    eprintln!("build {:?} {}", t.elapsed(), rss());
    for (n, d) in &g.stats().phases {
        eprintln!("  {n}: {d:?}");
    }
    eprintln!("stats {:?}", g.stats());
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for e in g.edges() {
        *kinds.entry(e.kind.as_str()).or_default() += 1;
    }
    let mut paths: BTreeMap<&str, usize> = BTreeMap::new();
    for e in g.edges() {
        for p in e.paths() {
            *paths.entry(p).or_default() += 1;
        }
    }
    eprintln!("nodes {} edges {} {:?}", g.nodes().len(), g.edges().len(), kinds);
    eprintln!("paths {:?}", paths);
    dump(&g);
    let t = std::time::Instant::now();
    let esc = rolegraph_graph::escalations(&g);
    eprintln!("escalations {} in {:?} {}", esc.len(), t.elapsed(), rss());
}

/// With `ROLEGRAPH_DUMP=FILE`, writes every edge (source, kind, target, path ids) sorted.
fn dump(g: &rolegraph_graph::Graph) {
    let Some(path) = std::env::var_os("ROLEGRAPH_DUMP") else { return };
    let mut lines: Vec<String> = g
        .edges()
        .iter()
        .map(|e| format!("{} {} {} {:?}", g.nodes()[e.from as usize].id, e.kind.as_str(), g.nodes()[e.to as usize].id, e.paths()))
        .collect();
    lines.sort();
    std::fs::write(path, lines.join("\n")).unwrap();
}
