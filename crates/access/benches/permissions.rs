//! What an administrator role can do (about 22,000 candidate actions under the demo's SCPs),
//! and the summary of every role of the demo organization.
//!
//! `cargo bench -p rolegraph-access --bench permissions`

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark's inputs are fixed: one that does not parse is a bug to stop on"
)]

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use rolegraph_access::permissions::{Options, compute};
use rolegraph_access::privilege::classify;
use rolegraph_access::record::roles_report;

fn bench(c: &mut Criterion) {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo");
    let snapshot = ingest::load(&demo).unwrap().snapshot;
    let admin = snapshot.find_roles("legacy-batch-ec2").into_iter().next().unwrap().clone();
    let p = compute(&snapshot, &admin, &Options { include_denied: true });
    eprintln!("{} candidates, {} evaluations", p.candidates, p.evaluations);
    c.bench_function("permissions of an AdministratorAccess role", |b| {
        b.iter(|| compute(&snapshot, &admin, &Options { include_denied: true }))
    });
    c.bench_function("permissions and privilege of an AdministratorAccess role", |b| {
        b.iter(|| classify(&compute(&snapshot, &admin, &Options { include_denied: true }), &admin))
    });
    c.bench_function("roles report of the demo (32 roles)", |b| b.iter(|| roles_report(&snapshot)));
}

criterion_group!(benches, bench);
criterion_main!(benches);
