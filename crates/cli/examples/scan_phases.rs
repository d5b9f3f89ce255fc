//! `rolegraph scan DIR --format json` phase by phase: the time and memory (resident, and the
//! peak so far) after loading, deciding every role's privilege, building the graph, each rule,
//! and writing the report, for finding where a large organization's scan spends.
//!
//! ```sh
//! cargo run --release --example scan_phases -p rolegraph -- DIR
//! ```

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "a measuring tool stops at the first failure")]

use std::time::Instant;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn memory() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status.lines().find(|l| l.starts_with(name)).and_then(|l| l.split_whitespace().nth(1)).unwrap_or("?").to_owned()
    };
    format!(
        "rss {} MB, peak {} MB",
        field("VmRSS:").parse::<u64>().unwrap_or(0) / 1024,
        field("VmHWM:").parse::<u64>().unwrap_or(0) / 1024
    )
}

fn main() {
    let dir = std::env::args().nth(1).unwrap();
    let start = Instant::now();
    let mut t = Instant::now();
    let mut phase = |name: &str| {
        eprintln!("{name:<48} {:>8.2} s  ({:>7.2} s)  {}", t.elapsed().as_secs_f64(), start.elapsed().as_secs_f64(), memory());
        t = Instant::now();
    };
    let loaded = ingest::load(std::path::Path::new(&dir)).unwrap();
    phase("load");
    let snapshot = &loaded.snapshot;
    let now = model::Timestamp(chrono::Utc::now());
    let analysis = analysis::Analysis::new(snapshot);
    let cx = rules::RuleContext::of(&analysis, now);
    cx.precompute_privilege(|v| !v.role.is_service_linked());
    phase("privilege of every role");
    let _ = cx.graph();
    phase("graph");
    let mut findings = Vec::new();
    for r in rules::RULES {
        let before = findings.len();
        r.check(&cx, &mut findings);
        phase(&format!("rule {} ({})", r.meta().id, findings.len() - before));
    }
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    phase("sort");
    let source = dir.clone();
    let input = report::Input { snapshot, findings: &findings, now, source: &source, roles: cx.roles() };
    let mut out = std::io::BufWriter::new(std::fs::File::create("/dev/null").unwrap());
    report::render(report::Format::Json, &input, &mut out).unwrap();
    phase("json report");
}
