//! The JSON export: `{schema_version, nodes, edges, notes, stats}`, edges naming their nodes by
//! id and carrying every way with its checks, evidence and conditions.

use serde::Serialize;
use serde_json::Value;

use crate::graph::{Graph, Stats};
use crate::types::{Edge, Node, Way};

/// The version of the JSON export; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct EdgeOut<'a> {
    from: &'a str,
    to: &'a str,
    kind: &'static str,
    conditional: bool,
    paths: Vec<&'static str>,
    ways: &'a [Way],
    #[serde(skip_serializing_if = "is_zero")]
    more_ways: usize,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    gaps: &'a [String],
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Serialize)]
struct GraphOut<'a> {
    schema_version: u32,
    nodes: &'a [Node],
    edges: Vec<EdgeOut<'a>>,
    notes: &'a [String],
    stats: &'a Stats,
}

fn edge_out<'a>(g: &'a Graph, e: &'a Edge) -> EdgeOut<'a> {
    let id = |i: u32| g.node(i).map_or("", |n| n.id.as_str());
    EdgeOut {
        from: id(e.from),
        to: id(e.to),
        kind: e.kind.as_str(),
        conditional: e.is_conditional(),
        paths: e.paths(),
        ways: e.ways(),
        more_ways: e.data.more_ways,
        gaps: e.gaps(),
    }
}

/// One edge as the JSON export writes it.
pub fn edge_json(g: &Graph, e: &Edge) -> Value {
    serde_json::to_value(edge_out(g, e)).unwrap_or(Value::Null)
}

fn graph_out(g: &Graph) -> GraphOut<'_> {
    GraphOut {
        schema_version: SCHEMA_VERSION,
        nodes: g.nodes(),
        edges: g.edges().iter().map(|e| edge_out(g, e)).collect(),
        notes: g.notes(),
        stats: g.stats(),
    }
}

/// The whole graph as a JSON value.
pub fn to_json(g: &Graph) -> Value {
    serde_json::to_value(graph_out(g)).unwrap_or(Value::Null)
}

/// The whole graph as JSON text (pretty, with a final newline), without building a value.
pub fn to_json_text(g: &Graph) -> String {
    let mut s = serde_json::to_string_pretty(&graph_out(g)).unwrap_or_default();
    s.push('\n');
    s
}
