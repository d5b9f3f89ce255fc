//! Benchmarks of the catalog's hot paths: decoding the embedded file once, and expanding the
//! action patterns that policies use most. Figures go in `docs/benchmarks.md`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use rolegraph_catalog::{Catalog, embedded_bytes};

fn decode(c: &mut Criterion) {
    c.bench_function("decode embedded catalog", |b| b.iter(|| Catalog::decode(black_box(embedded_bytes()))));
}

fn expand(c: &mut Criterion) {
    let cat = Catalog::get();
    for pattern in ["*", "s3:*", "s3:Get*", "ec2:Describe*", "*:Get*", "s?:*", "*Object*"] {
        c.bench_function(&format!("expand {pattern}"), |b| b.iter(|| cat.expand(black_box(pattern))));
    }
    c.bench_function("lookup s3:GetObject", |b| b.iter(|| cat.action(black_box("S3:GetObject"))));
    c.bench_function("describe iam:*", |b| b.iter(|| cat.describe(black_box("iam:*"))));
}

criterion_group!(benches, decode, expand);
criterion_main!(benches);
