//! Observed assumptions placed beside the possible edges: matched, marked, flagged, exported.

use super::*;
use crate::export::{Format, render};
use crate::{Observation, ObservedStatus};

fn seen(caller: &str, kind: &str, account: &str, role: &str, count: u64, denied: u64) -> Observation {
    Observation {
        caller: caller.into(),
        caller_kind: kind.into(),
        caller_account: Some(account.into()),
        role: role.into(),
        count,
        denied,
        first_seen: model::Timestamp::parse("2026-10-01T08:00:00Z"),
        last_seen: model::Timestamp::parse("2026-10-20T08:00:00Z"),
        apis: vec!["AssumeRole".into()],
        source_ips: vec!["203.0.113.9".into()],
        subjects: Vec::new(),
    }
}

fn sample() -> Graph {
    let mut s = Snap::new();
    s.user(A, "alice", &[&allow(&["sts:AssumeRole"], "*")]);
    s.user(A, "bob", &[]);
    s.role(A, "target", &trust_aws(A), &[]);
    s.role(A, "partner", &trust_aws(C), &[]);
    s.build()
}

#[test]
fn possible_assumptions_mark_their_edge_and_others_are_flagged() {
    let mut g = sample();
    let before = render(&g, Format::Json);
    g.attach_observed(&[
        seen(&user_arn(A, "alice"), "user", A, &role_arn(A, "target"), 3, 0),
        // bob has no identity allow: the graph says he cannot, the trail says he did.
        seen(&user_arn(A, "bob"), "user", A, &role_arn(A, "target"), 2, 0),
        // A role of the external account C, matched through C's node; without its path.
        seen(&role_arn(C, "ci"), "role", C, &role_arn(A, "partner"), 1, 0),
        // Refused every time: no flag.
        seen(&user_arn(A, "bob"), "user", A, &role_arn(A, "partner"), 4, 4),
        // A role the snapshot does not have.
        seen(&user_arn(A, "alice"), "user", A, &role_arn(B, "elsewhere"), 1, 0),
    ]);
    let status = |caller: &str, role: &str| g.observed().iter().find(|o| o.seen.caller == caller && o.seen.role == role).unwrap();
    let alice = status(&user_arn(A, "alice"), &role_arn(A, "target"));
    assert_eq!(alice.status, ObservedStatus::Possible);
    assert_eq!(alice.edges.len(), 1);
    // The edge into the role, from alice or from the capability node she reaches it through.
    let e = g.edge(alice.edges[0]).unwrap();
    assert_eq!((g.node(e.to).unwrap().id.as_str(), e.kind), (role_arn(A, "target").as_str(), EdgeKind::CanAssume));
    assert_eq!(alice.from_node.as_deref(), Some(user_arn(A, "alice").as_str()));
    assert_eq!(g.observed_on(alice.edges[0]).count(), 1);
    let bob = status(&user_arn(A, "bob"), &role_arn(A, "target"));
    assert!(bob.is_flagged() && bob.edges.is_empty());
    assert_eq!(bob.from_node.as_deref(), Some(user_arn(A, "bob").as_str()));
    let ci = status(&role_arn(C, "ci"), &role_arn(A, "partner"));
    assert_eq!(ci.status, ObservedStatus::Possible);
    assert_eq!(ci.from_node.as_deref(), Some(format!("external-account:{C}").as_str()));
    assert_eq!(status(&user_arn(A, "bob"), &role_arn(A, "partner")).status, ObservedStatus::DeniedOnly);
    assert_eq!(status(&user_arn(A, "alice"), &role_arn(B, "elsewhere")).status, ObservedStatus::UnknownRole);

    // The exports carry them; without observations they are as before.
    let v: serde_json::Value = serde_json::from_str(&render(&g, Format::Json)).unwrap();
    assert_eq!(v["observed"].as_array().unwrap().len(), 5);
    // The edge into the role that alice reaches it by (through the capability node of the
    // roles that trust her account).
    let marked =
        v["edges"].as_array().unwrap().iter().find(|e| e["to"] == role_arn(A, "target") && e["observed"].is_array()).unwrap();
    assert_eq!(marked["observed"][0]["count"], 3);
    assert_eq!(v["observed"].as_array().unwrap().iter().filter(|o| o["status"] == "not-possible").count(), 1);
    let dot = render(&g, Format::Dot);
    assert!(dot.contains("[observed 3x]") && dot.contains("observed 2x, not possible"), "{dot}");
    let graphml = render(&g, Format::GraphMl);
    assert!(
        graphml.contains("observed-not-possible") && graphml.contains("<data key=\"e_observed_count\">3</data>"),
        "{graphml}"
    );
    let cypher = render(&g, Format::Cypher);
    assert!(cypher.contains("OBSERVED_NOT_POSSIBLE") && cypher.contains("r.observed_count = 3"), "{cypher}");
    assert_eq!(before, render(&sample(), Format::Json));
    assert!(!before.contains("observed"));
}

#[test]
fn a_sub_graph_keeps_the_observations_of_its_roles() {
    let mut g = sample();
    g.attach_observed(&[
        seen(&user_arn(A, "alice"), "user", A, &role_arn(A, "target"), 3, 0),
        seen(&role_arn(C, "ci"), "role", C, &role_arn(A, "partner"), 1, 0),
    ]);
    let sub = g.around(g.find_id(&role_arn(A, "target")).unwrap());
    assert_eq!(sub.observed().len(), 1);
    assert_eq!(sub.observed()[0].status, ObservedStatus::Possible);
    let e = sub.edge(sub.observed()[0].edges[0]).unwrap();
    assert_eq!(sub.node(e.to).unwrap().id, role_arn(A, "target"));
}

#[test]
fn an_unknown_caller_is_an_observed_only_node_in_the_exports() {
    let mut g = sample();
    g.attach_observed(&[seen("arn:aws:iam::999999999999:user/mallory", "user", "999999999999", &role_arn(A, "target"), 1, 0)]);
    assert!(g.observed()[0].is_flagged());
    assert_eq!(g.observed()[0].from_node, None);
    let dot = render(&g, Format::Dot);
    assert!(dot.contains("observed only"), "{dot}");
    let graphml = render(&g, Format::GraphMl);
    assert!(graphml.contains("<node id=\"arn:aws:iam::999999999999:user/mallory\">"), "{graphml}");
}
