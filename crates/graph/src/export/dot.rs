//! The DOT export (Graphviz): one node statement per node (shape by kind, administrators in
//! bold), one edge statement per edge (labelled with its kind and paths; dashed when it holds
//! only under conditions, dotted when it rests on an assumption).

use crate::graph::Graph;
use crate::types::NodeKind;

/// Quotes a DOT identifier or label.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn shape(k: NodeKind) -> &'static str {
    match k {
        NodeKind::User => "ellipse",
        NodeKind::Role => "box",
        NodeKind::Group => "folder",
        NodeKind::Service => "hexagon",
        NodeKind::SamlProvider | NodeKind::OidcProvider => "invhouse",
        NodeKind::ExternalAccount | NodeKind::ExternalPrincipal => "doubleoctagon",
        NodeKind::Anyone => "star",
        NodeKind::AccountAdmin => "tripleoctagon",
        NodeKind::Capability => "diamond",
        NodeKind::Ec2Instance
        | NodeKind::LambdaFunction
        | NodeKind::EcsTaskDefinition
        | NodeKind::EcsService
        | NodeKind::ServiceResource => "component",
    }
}

/// The graph as a DOT `digraph`.
pub fn to_dot(g: &Graph) -> String {
    super::render(g, super::Format::Dot)
}

/// Writes the export as it goes.
pub fn write_dot(g: &Graph, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut s = super::Sink::new(out);
    s.push_str("digraph rolegraph {\n  rankdir=LR;\n  node [fontsize=10];\n  edge [fontsize=8];\n");
    for n in g.nodes() {
        let mut label = format!("{}\\n{}", n.label.replace('\\', "\\\\").replace('"', "\\\""), n.kind.as_str());
        if let Some(v) = &n.vendor {
            label.push_str(&format!(" ({})", v.replace('"', "\\\"")));
        }
        let style = if n.admin { ", style=bold" } else { "" };
        s.push_str(&format!("  {} [label=\"{label}\", shape={}{style}];\n", quote(&n.id), shape(n.kind)));
    }
    for id in super::observed_only_nodes(g) {
        s.push_str(&format!("  {} [label={}, shape=note, color=red];\n", quote(&id), quote(&format!("{id}\nobserved only"))));
    }
    for (i, e) in g.edges().iter().enumerate() {
        let (Some(f), Some(t)) = (g.node(e.from), g.node(e.to)) else { continue };
        let style = if e.has_assumptions() {
            ", style=dotted"
        } else if e.is_conditional() {
            ", style=dashed"
        } else {
            ""
        };
        let observed = super::observed_suffix(g, i);
        let color = if observed.is_empty() { "" } else { ", color=blue, penwidth=2" };
        s.push_str(&format!(
            "  {} -> {} [label={}{style}{color}];\n",
            quote(&f.id),
            quote(&t.id),
            quote(&format!("{}{observed}", super::edge_label(e)))
        ));
    }
    for (f, t, o) in super::unexplained(g) {
        let label = format!("observed {}x, not possible", o.seen.count);
        s.push_str(&format!("  {} -> {} [label={}, color=red, style=bold];\n", quote(&f), quote(&t), quote(&label)));
    }
    s.push_str("}\n");
    s.finish()
}
