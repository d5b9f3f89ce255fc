//! The graph in the formats other tools read: JSON (everything, with a `schema_version`), DOT
//! (Graphviz), GraphML (Gephi, yEd, NetworkX) and Cypher statements that load it into Neo4j.
//! Every format lists nodes sorted by id and edges sorted by source, target and kind, so the
//! output of one snapshot is always the same. The formats are documented in `docs/graph.md`.

mod cypher;
mod dot;
mod graphml;
mod json;

pub use cypher::{to_cypher, write_cypher};
pub use dot::{to_dot, write_dot};
pub use graphml::{to_graphml, write_graphml};
pub use json::{SCHEMA_VERSION, edge_json, to_json, to_json_text, write_json};

use crate::graph::Graph;
use crate::types::Edge;

/// An export format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Dot,
    GraphMl,
    Cypher,
}

impl Format {
    /// From its name as the command line spells it.
    pub fn parse(name: &str) -> Option<Format> {
        match name.to_ascii_lowercase().as_str() {
            "json" => Some(Format::Json),
            "dot" => Some(Format::Dot),
            "graphml" => Some(Format::GraphMl),
            "cypher" => Some(Format::Cypher),
            _ => None,
        }
    }
}

/// Renders the graph (for tests and small graphs: [`write`] streams).
pub fn render(g: &Graph, format: Format) -> String {
    let mut buf = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write(g, format, &mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

/// Writes the graph as it goes: no copy of the whole output is held.
pub fn write(g: &Graph, format: Format, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    match format {
        Format::Json => write_json(g, out),
        Format::Dot => write_dot(g, out),
        Format::GraphMl => write_graphml(g, out),
        Format::Cypher => write_cypher(g, out),
    }
}

/// Where an exporter writes: text goes out as it is pushed; the first error is kept and
/// returned at the end (later pushes are dropped).
pub(crate) struct Sink<'a> {
    out: &'a mut dyn std::io::Write,
    err: Option<std::io::Error>,
}

impl<'a> Sink<'a> {
    pub fn new(out: &'a mut dyn std::io::Write) -> Sink<'a> {
        Sink { out, err: None }
    }

    pub fn push_str(&mut self, s: &str) {
        if self.err.is_none()
            && let Err(e) = self.out.write_all(s.as_bytes())
        {
            self.err = Some(e);
        }
    }

    pub fn finish(self) -> std::io::Result<()> {
        match self.err {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// A one-line summary of an edge: its kind, its paths, and whether it needs conditions or
/// assumptions.
pub(crate) fn edge_label(e: &Edge) -> String {
    let mut s = e.kind.as_str().to_owned();
    let paths = e.paths();
    if !paths.is_empty() {
        s.push_str(&format!(" ({})", paths.join(", ")));
    }
    if e.is_conditional() {
        s.push_str(" [conditional]");
    }
    if e.has_assumptions() {
        s.push_str(" [assumed]");
    }
    s
}

/// ` [observed 12x]` for an edge that observed assumptions realise, else empty.
pub(crate) fn observed_suffix(g: &Graph, pos: usize) -> String {
    if g.observed().is_empty() {
        return String::new();
    }
    let n: u64 = g.observed_on(pos as u32).map(|o| o.seen.count - o.seen.denied.min(o.seen.count)).sum();
    let any = g.observed_on(pos as u32).next().is_some();
    if any { format!(" [observed {n}x]") } else { String::new() }
}

/// The observations that no possible edge explains, with the ids of their ends (the caller as
/// the trail names it when the graph has no node for it).
pub(crate) fn unexplained(g: &Graph) -> Vec<(String, String, &crate::observed::ObservedEdge)> {
    g.observed()
        .iter()
        .filter(|o| o.status == crate::observed::ObservedStatus::NotPossible)
        .filter_map(|o| Some((o.from_node.clone().unwrap_or_else(|| o.seen.caller.clone()), o.to_node.clone()?, o)))
        .collect()
}

/// Callers of unexplained observations that are not nodes of the graph.
pub(crate) fn observed_only_nodes(g: &Graph) -> Vec<String> {
    let mut v: Vec<String> = unexplained(g)
        .into_iter()
        .filter(|(f, _, o)| o.from_node.is_none() && g.find_id(f).is_none())
        .map(|(f, _, _)| f)
        .collect();
    v.sort();
    v.dedup();
    v
}

#[cfg(test)]
pub(crate) fn edge_label_for_tests(e: &Edge) -> String {
    edge_label(e)
}
