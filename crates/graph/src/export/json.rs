//! The JSON export: `{schema_version, nodes, edges, notes, stats}`, edges naming their nodes by
//! id and carrying every way with its checks, evidence and conditions.

use serde::Serialize;
use serde_json::Value;

use crate::graph::{Graph, Stats};
use crate::observed::ObservedEdge;
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
    /// The observed assumptions this edge explains (only with a trail).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    observed: Vec<ObservedOut<'a>>,
}

/// An observation as an edge lists it: who, how often, when.
#[derive(Serialize)]
struct ObservedOut<'a> {
    caller: &'a str,
    count: u64,
    denied: u64,
    first_seen: Option<model::Timestamp>,
    last_seen: Option<model::Timestamp>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Serialize)]
struct GraphOut<'a> {
    schema_version: u32,
    nodes: &'a [Node],
    edges: EdgesOut<'a>,
    notes: &'a [String],
    stats: &'a Stats,
    /// Observed assumptions (only with a trail), those the policies do not allow flagged.
    #[serde(skip_serializing_if = "<[ObservedEdge]>::is_empty")]
    observed: &'a [ObservedEdge],
}

fn edge_out<'a>(g: &'a Graph, e: &'a Edge) -> EdgeOut<'a> {
    let id = |i: u32| g.node(i).map_or("", |n| n.id.as_str());
    let observed = match edge_position(g, e) {
        Some(p) => g
            .observed_on(p)
            .map(|o| ObservedOut {
                caller: &o.seen.caller,
                count: o.seen.count,
                denied: o.seen.denied,
                first_seen: o.seen.first_seen,
                last_seen: o.seen.last_seen,
            })
            .collect(),
        _ => Vec::new(),
    };
    EdgeOut {
        from: id(e.from),
        to: id(e.to),
        kind: e.kind.as_str(),
        conditional: e.is_conditional(),
        paths: e.paths(),
        ways: e.ways(),
        more_ways: e.data.more_ways,
        gaps: e.gaps(),
        observed,
    }
}

/// The position of an edge of `g` (by address; `None` for an edge that is not `g`'s or when
/// nothing was observed).
fn edge_position(g: &Graph, e: &Edge) -> Option<u32> {
    if g.observed().is_empty() {
        return None;
    }
    let base = g.edges().as_ptr() as usize;
    let at = (e as *const Edge as usize).checked_sub(base)? / std::mem::size_of::<Edge>().max(1);
    g.edge(at as u32).filter(|x| std::ptr::eq(*x, e)).map(|_| at as u32)
}

/// One edge as the JSON export writes it.
pub fn edge_json(g: &Graph, e: &Edge) -> Value {
    serde_json::to_value(edge_out(g, e)).unwrap_or(Value::Null)
}

/// The edges, serialised one at a time as they are written.
struct EdgesOut<'a>(&'a Graph);

impl Serialize for EdgesOut<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.edges().iter().map(|e| edge_out(self.0, e)))
    }
}

fn graph_out(g: &Graph) -> GraphOut<'_> {
    GraphOut {
        schema_version: SCHEMA_VERSION,
        nodes: g.nodes(),
        edges: EdgesOut(g),
        notes: g.notes(),
        stats: g.stats(),
        observed: g.observed(),
    }
}

/// The whole graph as a JSON value.
pub fn to_json(g: &Graph) -> Value {
    serde_json::to_value(graph_out(g)).unwrap_or(Value::Null)
}

/// The whole graph as JSON text (pretty, with a final newline), without building a value.
pub fn to_json_text(g: &Graph) -> String {
    super::render(g, super::Format::Json)
}

/// Writes the whole graph as JSON (pretty, with a final newline) as it goes.
pub fn write_json(g: &Graph, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &graph_out(g)).map_err(std::io::Error::from)?;
    out.write_all(b"\n")
}
