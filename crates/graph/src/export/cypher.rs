//! The Cypher export: statements that load the graph into Neo4j, one per line. A uniqueness
//! constraint on `RolegraphNode.id`, then one `MERGE` per node (labels `RolegraphNode` and its
//! kind, e.g. `Role`) setting its properties, then one `MATCH ... MERGE` per edge (type from its
//! kind, e.g. `CAN_ASSUME`) setting `paths`, `conditional`, `condition` and `assumed`. Running
//! the file twice gives the same database. With observed assumptions, edges also get
//! `observed_count` and `observed_last`, and those no possible edge explains become
//! `OBSERVED_NOT_POSSIBLE` relationships (from an `ObservedPrincipal` node when the graph has
//! none for the caller).

use crate::graph::Graph;
use crate::types::NodeKind;

/// A Cypher string literal.
fn lit(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// `ec2-instance` → `Ec2Instance`.
fn pascal(s: &str) -> String {
    s.split('-')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn label(k: NodeKind) -> String {
    pascal(k.as_str())
}

/// The graph as Cypher statements.
pub fn to_cypher(g: &Graph) -> String {
    super::render(g, super::Format::Cypher)
}

/// Writes the export as it goes.
pub fn write_cypher(g: &Graph, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut s = super::Sink::new(out);
    s.push_str("CREATE CONSTRAINT rolegraph_node_id IF NOT EXISTS FOR (n:RolegraphNode) REQUIRE n.id IS UNIQUE;\n");
    for n in g.nodes() {
        let mut props = format!("n.kind = {}, n.label = {}, n.admin = {}", lit(n.kind.as_str()), lit(&n.label), n.admin);
        if let Some(a) = &n.account {
            props.push_str(&format!(", n.account = {}", lit(a)));
        }
        if let Some(v) = &n.vendor {
            props.push_str(&format!(", n.vendor = {}", lit(v)));
        }
        s.push_str(&format!("MERGE (n:RolegraphNode:{} {{id: {}}}) SET {props};\n", label(n.kind), lit(&n.id)));
    }
    for id in super::observed_only_nodes(g) {
        s.push_str(&format!(
            "MERGE (n:RolegraphNode:ObservedPrincipal {{id: {}}}) SET n.kind = 'observed-principal', n.label = {};\n",
            lit(&id),
            lit(&id)
        ));
    }
    let observed = !g.observed().is_empty();
    for (i, e) in g.edges().iter().enumerate() {
        let (Some(f), Some(t)) = (g.node(e.from), g.node(e.to)) else { continue };
        let paths: Vec<String> = e.paths().iter().map(|p| lit(p)).collect();
        let mut props = format!(
            "r.paths = [{}], r.conditional = {}, r.assumed = {}",
            paths.join(", "),
            e.is_conditional(),
            e.has_assumptions()
        );
        if let Some(c) = e.condition_text() {
            props.push_str(&format!(", r.condition = {}", lit(&c)));
        }
        if observed {
            let (count, last) = g
                .observed_on(i as u32)
                .fold((0, None), |(n, l), o| (n + o.seen.count - o.seen.denied.min(o.seen.count), l.max(o.seen.last_seen)));
            props.push_str(&format!(", r.observed_count = {count}"));
            if let Some(t) = last {
                props.push_str(&format!(", r.observed_last = {}", lit(&t.to_rfc3339())));
            }
        }
        s.push_str(&format!(
            "MATCH (a:RolegraphNode {{id: {}}}), (b:RolegraphNode {{id: {}}}) MERGE (a)-[r:{}]->(b) SET {props};\n",
            lit(&f.id),
            lit(&t.id),
            e.kind.as_str().replace('-', "_").to_ascii_uppercase()
        ));
    }
    for (f, t, o) in super::unexplained(g) {
        let last = o.seen.last_seen.map(|t| format!(", r.observed_last = {}", lit(&t.to_rfc3339()))).unwrap_or_default();
        s.push_str(&format!(
            "MATCH (a:RolegraphNode {{id: {}}}), (b:RolegraphNode {{id: {}}}) MERGE (a)-[r:OBSERVED_NOT_POSSIBLE]->(b) SET r.observed_count = {}{last};\n",
            lit(&f),
            lit(&t),
            o.seen.count
        ));
    }
    s.finish()
}
