//! The export formats: well-formed, one statement per node and edge, schema version.

use super::*;
use crate::export::{Format, render};

fn sample() -> Graph {
    let mut s = Snap::new();
    s.user(A, "o'brien \"q\" <x>", &[&allow(&["sts:AssumeRole"], "*")]);
    s.role(A, "target", &trust_aws(A), &[&allow(&["*"], "*")]);
    s.role(A, "fn", &trust_service("lambda.amazonaws.com"), &[]);
    s.function(A, "f", "fn");
    s.build()
}

#[test]
fn json_has_a_schema_version_and_every_node_and_edge() {
    let g = sample();
    let v: serde_json::Value = serde_json::from_str(&render(&g, Format::Json)).unwrap();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["nodes"].as_array().unwrap().len(), g.nodes().len());
    assert_eq!(v["edges"].as_array().unwrap().len(), g.edges().len());
    let e =
        v["edges"].as_array().unwrap().iter().find(|e| e["kind"] == "can-assume" && e["to"] == role_arn(A, "target")).unwrap();
    assert_eq!(e["paths"][0], "sts-001");
    assert!(e["ways"][0]["checks"][0]["evidence"].as_array().unwrap().len() >= 2);
}

#[test]
fn dot_is_well_formed() {
    let g = sample();
    let d = render(&g, Format::Dot);
    assert!(d.starts_with("digraph rolegraph {\n") && d.ends_with("}\n"));
    assert_eq!(d.matches(" -> ").count(), g.edges().len());
    // Quotes in names are escaped: every line has an even number of unescaped quotes.
    for line in d.lines() {
        let unescaped = line.replace("\\\\", "").replace("\\\"", "");
        assert_eq!(unescaped.matches('"').count() % 2, 0, "{line}");
    }
}

#[test]
fn graphml_is_well_formed_xml() {
    let g = sample();
    let x = render(&g, Format::GraphMl);
    assert!(x.starts_with("<?xml"));
    assert_eq!(x.matches("<node ").count(), g.nodes().len());
    assert_eq!(x.matches("<edge ").count(), g.edges().len());
    assert!(x.contains("o&apos;brien &quot;q&quot; &lt;x&gt;"));
    // Tags balance.
    let mut stack: Vec<String> = Vec::new();
    let mut rest = x.as_str();
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let end = rest.find('>').unwrap();
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if tag.starts_with('?') || tag.ends_with('/') {
            continue;
        }
        let name = tag.split_whitespace().next().unwrap();
        if let Some(closing) = name.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(closing));
        } else {
            stack.push(name.to_owned());
        }
    }
    assert!(stack.is_empty(), "{stack:?}");
}

#[test]
fn cypher_has_one_statement_per_node_and_edge() {
    let g = sample();
    let c = render(&g, Format::Cypher);
    let lines: Vec<&str> = c.lines().collect();
    assert_eq!(lines.len(), 1 + g.nodes().len() + g.edges().len());
    assert!(lines[0].starts_with("CREATE CONSTRAINT"));
    assert_eq!(lines.iter().filter(|l| l.starts_with("MERGE (n:RolegraphNode:")).count(), g.nodes().len());
    assert_eq!(lines.iter().filter(|l| l.starts_with("MATCH (a:RolegraphNode")).count(), g.edges().len());
    assert!(lines.iter().all(|l| l.ends_with(';')));
    assert!(c.contains("o\\'brien"));
    assert!(c.contains("[r:CAN_ASSUME]") && c.contains("[r:RUNS_AS]") && c.contains(":LambdaFunction {id:"));
}
