//! Paths over several hops: transitive reach across accounts, queries, and contradictions
//! between hops.

use serde_json::json;

use super::*;
use crate::query::{escalations, paths, reach, who_can_reach};

const ASSUME_ALL: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}"#;

/// alice (A) → hop (A) → bridge (B) → crown (C), crown an administrator.
fn chain() -> Snap {
    let mut s = Snap::new();
    s.user(A, "alice", &[&allow(&["sts:AssumeRole"], &role_arn(A, "hop"))]);
    s.role(A, "hop", &trust_aws(&user_arn(A, "alice")), &[ASSUME_ALL]);
    s.role(B, "bridge", &trust_aws(&role_arn(A, "hop")), &[ASSUME_ALL]);
    let t = trust(json!({"AWS": B}), "sts:AssumeRole", Some(json!({"StringEquals": {"sts:ExternalId": "x"}})));
    s.role(C, "crown", &t, &[&allow(&["*"], "*")]);
    s
}

#[test]
fn who_can_assume_follows_chains_across_accounts() {
    let g = chain().build();
    let crown = g.find_id(&role_arn(C, "crown")).unwrap();
    let who = who_can_reach(&g, crown);
    let alice = g.find_id(&user_arn(A, "alice")).unwrap();
    let r = who.iter().find(|r| r.node == alice).expect("alice reaches crown");
    let hops: Vec<String> = g.hops(&r.path).iter().map(|e| g.nodes()[e.to as usize].label.clone()).collect();
    assert_eq!(hops, ["hop", "bridge", "crown"]);
    // The last hop keeps its ExternalId condition.
    let last = g.hops(&r.path).pop().unwrap();
    assert!(last.is_conditional());
    // Sorted by length: bridge (1 hop) before hop (2) before alice (3).
    let order: Vec<&str> = who.iter().map(|r| g.nodes()[r.node as usize].label.as_str()).collect();
    let pos = |l: &str| order.iter().position(|x| *x == l).unwrap();
    assert!(pos("bridge") < pos("hop") && pos("hop") < pos("alice"), "{order:?}");
}

#[test]
fn reach_lists_roles_and_the_administrator() {
    let g = chain().build();
    let alice = g.find_id(&user_arn(A, "alice")).unwrap();
    let labels: Vec<String> = reach(&g, alice).iter().map(|r| g.nodes()[r.node as usize].id.clone()).collect();
    assert!(labels.contains(&role_arn(C, "crown")));
    assert!(labels.contains(&format!("admin:{C}")));
    let esc = escalations(&g);
    let e = esc.iter().find(|e| e.node == alice).expect("alice escalates");
    assert_eq!(g.nodes()[e.admin as usize].id, format!("admin:{C}"));
    assert_eq!(crate::hops(&g, &e.path), 4);
    // The administrator itself is not an escalation.
    let crown = g.find_id(&role_arn(C, "crown")).unwrap();
    assert!(!esc.iter().any(|e| e.node == crown));
}

#[test]
fn paths_are_listed_shortest_first() {
    let mut s = chain();
    // A second, longer way from alice to bridge.
    s.role(A, "detour", &trust_aws(&role_arn(A, "hop")), &[ASSUME_ALL]);
    s.role(B, "bridge2", &trust_aws(&role_arn(A, "detour")), &[ASSUME_ALL]);
    let g = s.build();
    let alice = g.find_id(&user_arn(A, "alice")).unwrap();
    let crown = g.find_id(&role_arn(C, "crown")).unwrap();
    let ps = paths(&g, alice, crown, 10, 8);
    assert!(ps.len() >= 2, "{ps:?}");
    assert!(ps.windows(2).all(|w| crate::hops(&g, &w[0]) <= crate::hops(&g, &w[1])));
    assert_eq!(crate::hops(&g, &ps[0]), 3);
}

#[test]
fn a_chain_requiring_two_source_identities_does_not_exist() {
    let mut s = Snap::new();
    s.user(A, "alice", &[ASSUME_ALL]);
    let t1 = trust(json!({"AWS": A}), "sts:AssumeRole", Some(json!({"StringEquals": {"sts:SourceIdentity": "alice"}})));
    s.role(A, "first", &t1, &[ASSUME_ALL]);
    let t2 = trust(json!({"AWS": A}), "sts:AssumeRole", Some(json!({"StringEquals": {"aws:SourceIdentity": "bob"}})));
    s.role(A, "second", &t2, &[]);
    let g = s.build();
    let second = g.find_id(&role_arn(A, "second")).unwrap();
    let first = g.find_id(&role_arn(A, "first")).unwrap();
    let alice = g.find_id(&user_arn(A, "alice")).unwrap();
    let who = who_can_reach(&g, second);
    // Alice reaches `second` directly (one hop, one condition); the chain through `first`
    // would need two source identities.
    let r = who.iter().find(|r| r.node == alice).unwrap();
    assert_eq!(crate::hops(&g, &r.path), 1);
    assert!(who.iter().any(|r| r.node == first));
    let mut via_first = raw(&g, alice, first);
    via_first.extend(raw(&g, first, second));
    assert!(crate::query::contradiction(&g, &via_first).unwrap().contains("source identity"));
}

#[test]
fn around_keeps_only_what_touches_the_node() {
    let mut s = chain();
    s.user(B, "unrelated", &[]);
    let g = s.build();
    let bridge = g.find_id(&role_arn(B, "bridge")).unwrap();
    let sub = g.around(bridge);
    assert!(sub.find_id(&user_arn(A, "alice")).is_some());
    assert!(sub.find_id(&role_arn(C, "crown")).is_some());
    assert!(sub.find_id(&user_arn(B, "unrelated")).is_none());
    assert!(sub.edges().len() < g.edges().len());
}

#[test]
fn builds_are_deterministic_across_thread_counts() {
    let mut s = chain();
    for i in 0..40 {
        s.user(A, &format!("u{i}"), &[ASSUME_ALL]);
        s.role(A, &format!("r{i}"), &trust_aws(A), &[]);
    }
    let one = crate::export::render(&s.build(), crate::export::Format::Json);
    s.options.threads = 4;
    let four = crate::export::render(&s.build(), crate::export::Format::Json);
    assert_eq!(one, four);
}

/// The edge positions of one hop: the direct edge, or the two edges through a capability node.
fn raw(g: &Graph, from: crate::NodeIdx, to: crate::NodeIdx) -> Vec<u32> {
    for &e in g.out_edges(from) {
        let x = g.edge(e).unwrap();
        if x.to == to {
            return vec![e];
        }
        if g.is_capability(x.to)
            && let Some(&e2) = g.out_edges(x.to).iter().find(|e2| g.edge(**e2).unwrap().to == to)
        {
            return vec![e, e2];
        }
    }
    panic!("no hop");
}
