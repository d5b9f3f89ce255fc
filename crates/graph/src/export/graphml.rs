//! The GraphML export: node attributes `kind`, `label`, `account`, `vendor`, `admin`; edge
//! attributes `kind`, `paths` (comma-separated ids), `conditional`, `condition` (the best way's
//! conditions in words), `assumed`; with observed assumptions, `observed_count` and
//! `observed_last`, and edges of kind `observed-not-possible` for those no possible edge explains.

use crate::graph::Graph;

/// Escapes text for XML attributes and content.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

const KEYS: [(&str, &str, &str, &str); 10] = [
    ("n_kind", "node", "kind", "string"),
    ("n_label", "node", "label", "string"),
    ("n_account", "node", "account", "string"),
    ("n_vendor", "node", "vendor", "string"),
    ("n_admin", "node", "admin", "boolean"),
    ("e_kind", "edge", "kind", "string"),
    ("e_paths", "edge", "paths", "string"),
    ("e_conditional", "edge", "conditional", "boolean"),
    ("e_condition", "edge", "condition", "string"),
    ("e_assumed", "edge", "assumed", "boolean"),
];

/// Keys written only when observed assumptions were attached.
const OBSERVED_KEYS: [(&str, &str, &str, &str); 2] =
    [("e_observed_count", "edge", "observed_count", "long"), ("e_observed_last", "edge", "observed_last", "string")];

fn data(key: &str, value: &str) -> String {
    format!("      <data key=\"{key}\">{}</data>\n", esc(value))
}

/// The graph as a GraphML document.
pub fn to_graphml(g: &Graph) -> String {
    super::render(g, super::Format::GraphMl)
}

/// Writes the export as it goes.
pub fn write_graphml(g: &Graph, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut s = super::Sink::new(out);
    s.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n",
    );
    for (id, on, name, ty) in KEYS {
        s.push_str(&format!("  <key id=\"{id}\" for=\"{on}\" attr.name=\"{name}\" attr.type=\"{ty}\"/>\n"));
    }
    let observed = !g.observed().is_empty();
    if observed {
        for (id, on, name, ty) in OBSERVED_KEYS {
            s.push_str(&format!("  <key id=\"{id}\" for=\"{on}\" attr.name=\"{name}\" attr.type=\"{ty}\"/>\n"));
        }
    }
    s.push_str("  <graph id=\"rolegraph\" edgedefault=\"directed\">\n");
    for n in g.nodes() {
        s.push_str(&format!("    <node id=\"{}\">\n", esc(&n.id)));
        s.push_str(&data("n_kind", n.kind.as_str()));
        s.push_str(&data("n_label", &n.label));
        if let Some(a) = &n.account {
            s.push_str(&data("n_account", a));
        }
        if let Some(v) = &n.vendor {
            s.push_str(&data("n_vendor", v));
        }
        s.push_str(&data("n_admin", if n.admin { "true" } else { "false" }));
        s.push_str("    </node>\n");
    }
    for id in super::observed_only_nodes(g) {
        s.push_str(&format!("    <node id=\"{}\">\n", esc(&id)));
        s.push_str(&data("n_kind", "observed-principal"));
        s.push_str(&data("n_label", &id));
        s.push_str("    </node>\n");
    }
    for (i, e) in g.edges().iter().enumerate() {
        let (Some(f), Some(t)) = (g.node(e.from), g.node(e.to)) else { continue };
        s.push_str(&format!("    <edge id=\"e{i}\" source=\"{}\" target=\"{}\">\n", esc(&f.id), esc(&t.id)));
        s.push_str(&data("e_kind", e.kind.as_str()));
        s.push_str(&data("e_paths", &e.paths().join(",")));
        s.push_str(&data("e_conditional", if e.is_conditional() { "true" } else { "false" }));
        if let Some(c) = e.condition_text() {
            s.push_str(&data("e_condition", &c));
        }
        s.push_str(&data("e_assumed", if e.has_assumptions() { "true" } else { "false" }));
        if observed {
            let (count, last) = g
                .observed_on(i as u32)
                .fold((0, None), |(n, l), o| (n + o.seen.count - o.seen.denied.min(o.seen.count), l.max(o.seen.last_seen)));
            s.push_str(&data("e_observed_count", &count.to_string()));
            if let Some(t) = last {
                s.push_str(&data("e_observed_last", &t.to_rfc3339()));
            }
        }
        s.push_str("    </edge>\n");
    }
    for (i, (f, t, o)) in super::unexplained(g).into_iter().enumerate() {
        s.push_str(&format!("    <edge id=\"o{i}\" source=\"{}\" target=\"{}\">\n", esc(&f), esc(&t)));
        s.push_str(&data("e_kind", "observed-not-possible"));
        s.push_str(&data("e_observed_count", &o.seen.count.to_string()));
        if let Some(t) = o.seen.last_seen {
            s.push_str(&data("e_observed_last", &t.to_rfc3339()));
        }
        s.push_str("    </edge>\n");
    }
    s.push_str("  </graph>\n</graphml>\n");
    s.finish()
}
