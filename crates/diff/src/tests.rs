use std::path::Path;

use model::{InlinePolicy, LambdaFunction, PolicyDoc, Snapshot, Timestamp};
use store::{Change, ChangeKind, compare};

use super::*;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo");
const BUILD: &str = "arn:aws:iam::222222222222:role/build-agent-ec2";
const TMP: &str = "arn:aws:iam::222222222222:role/tmp-migration-2019";

fn demo() -> Snapshot {
    ingest::load(Path::new(DEMO)).expect("demo loads").snapshot
}

fn now() -> Timestamp {
    Timestamp::parse("2026-11-25T00:00:00Z").expect("time")
}

fn facts_of(s: &Snapshot) -> Facts {
    facts(s, &findings(s, now()), FactOptions::default())
}

fn role_mut<'a>(s: &'a mut Snapshot, arn: &str) -> &'a mut model::Role {
    s.accounts.iter_mut().flat_map(|a| a.roles.iter_mut()).find(|r| r.arn == arn).expect("role")
}

fn of_kind(changes: &[Change], kind: ChangeKind) -> Vec<&Change> {
    changes.iter().filter(|c| c.kind() == kind).collect()
}

#[test]
fn the_demo_facts_are_deterministic_and_complete() {
    let s = demo();
    let a = facts_of(&s);
    let b = facts(&s, &findings(&s, now()), FactOptions { reach: true, threads: 1 });
    assert_eq!(a, b);
    assert_eq!(a.roles.len(), s.roles().count());
    let admin = a.role("arn:aws:iam::222222222222:role/admin-switch-role").expect("role");
    assert_eq!(admin.privilege, "admin");
    assert!(admin.privileged_actions.iter().any(|x| x == "iam:AttachRolePolicy"));
    assert!(!admin.reached_by.is_empty());
    let lambda = a.role("arn:aws:iam::222222222222:role/service-role/dev-lambda-shared").expect("role");
    assert!(lambda.trusted.iter().any(|t| t.principal == "lambda.amazonaws.com" && t.category == "service"));
    assert!(lambda.uses.iter().any(|u| u.kind == "lambda-function" && u.name == "dev-api-handler"));
    let snyk = a.role("arn:aws:iam::222222222222:role/snyk-scanner").expect("role");
    assert!(snyk.trusted.iter().any(|t| t.category == "vendor"), "{:?}", snyk.trusted);
    assert!(!a.findings.is_empty());
    assert!(compare(&a, &b).is_empty());
}

#[test]
fn a_new_external_principal_in_a_trust_policy() {
    let old = demo();
    let mut new = old.clone();
    role_mut(&mut new, BUILD).trust_policy = Some(PolicyDoc::from_json_text(
        r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"},
            {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"sts:AssumeRole"}]}"#,
    ));
    let changes = compare(&facts_of(&old), &facts_of(&new));
    let trust = of_kind(&changes, ChangeKind::TrustAdded);
    assert_eq!(trust.len(), 1);
    match trust.first() {
        Some(Change::TrustAdded { role, entity }) => {
            assert_eq!(role, BUILD);
            assert_eq!(entity.principal, "arn:aws:iam::999988887777:root");
            assert_eq!(entity.category, "external");
        }
        other => panic!("{other:?}"),
    }
    assert!(trust.iter().all(|c| c.is_notable()));
    // The outside account can now reach the role, and rules open findings on it.
    assert!(changes.iter().any(|c| matches!(c, Change::ReachGained { role, principal, .. }
        if role == BUILD && principal == "external-account:999988887777")));
    assert!(changes.iter().any(|c| matches!(c, Change::FindingOpened { finding } if finding.subject == BUILD)));
    assert!(of_kind(&changes, ChangeKind::FindingClosed).is_empty());
}

#[test]
fn a_removed_role_closes_its_findings() {
    let old = demo();
    let mut new = old.clone();
    for a in &mut new.accounts {
        a.roles.retain(|r| r.arn != TMP);
    }
    let (of, nf) = (facts_of(&old), facts_of(&new));
    let changes = compare(&of, &nf);
    assert!(changes.iter().any(|c| matches!(c, Change::RoleRemoved { role, .. } if role == TMP)));
    let closed: Vec<&str> = changes
        .iter()
        .filter_map(|c| match c {
            Change::FindingClosed { finding } => Some(finding.subject.as_str()),
            _ => None,
        })
        .collect();
    let expected = of.findings.iter().filter(|f| f.subject == TMP).count();
    assert!(expected > 0);
    assert_eq!(closed.iter().filter(|s| **s == TMP).count(), expected);
    assert!(of_kind(&changes, ChangeKind::FindingOpened).is_empty());
}

#[test]
fn an_inline_admin_policy_is_privilege_gained() {
    let old = demo();
    let mut new = old.clone();
    let r = role_mut(&mut new, BUILD);
    r.inline_policies.push(InlinePolicy {
        name: "oops".into(),
        document: PolicyDoc::from_json_text(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        ),
    });
    r.inline_policies.sort_by(|a, b| a.name.cmp(&b.name));
    let changes = compare(&facts_of(&old), &facts_of(&new));
    let gained = of_kind(&changes, ChangeKind::PrivilegeGained);
    match gained.as_slice() {
        [Change::PrivilegeGained { role, new_level, actions, .. }] => {
            assert_eq!(role, BUILD);
            assert_eq!(new_level, "admin");
            assert!(actions.iter().any(|a| a == "iam:CreatePolicyVersion"), "{actions:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(of_kind(&changes, ChangeKind::PermissionsChanged).is_empty());
}

#[test]
fn a_new_function_running_as_a_role() {
    let old = demo();
    let mut new = old.clone();
    let account = new.accounts.iter_mut().find(|a| a.id == "222222222222").expect("account");
    let mut f: LambdaFunction = account.lambda_functions.first().cloned().expect("a function");
    f.arn = "arn:aws:lambda:eu-west-1:222222222222:function:new-fn".into();
    f.name = "new-fn".into();
    f.role_arn = Some(BUILD.into());
    account.lambda_functions.push(f);
    account.sort();
    let changes = compare(&facts_of(&old), &facts_of(&new));
    let added = of_kind(&changes, ChangeKind::ResourceAdded);
    match added.as_slice() {
        [Change::ResourceAdded { role, resource }] => {
            assert_eq!(role, BUILD);
            assert_eq!((resource.kind.as_str(), resource.name.as_str()), ("lambda-function", "new-fn"));
        }
        other => panic!("{other:?}"),
    }
}

/// The walk `add_reach_from` replaced: one backward walk per target over the edges `usable`
/// accepts, stopping at the frontier.
fn one_walk(g: &graph::Graph, target: u32, frontier: &[bool], usable: &dyn Fn(&graph::Edge) -> bool) -> Vec<String> {
    let mut seen = vec![false; g.nodes().len()];
    seen[target as usize] = true;
    let mut stack = vec![target];
    let mut out = Vec::new();
    while let Some(x) = stack.pop() {
        for e in g.in_edges(x).iter().filter_map(|e| g.edge(*e)).filter(|e| usable(e)) {
            let y = e.from;
            if seen[y as usize] {
                continue;
            }
            seen[y as usize] = true;
            let node = g.node(y).expect("node");
            if frontier[y as usize] {
                out.push(node.id.clone());
                continue;
            }
            if reach::is_principal(node.kind) {
                out.push(node.id.clone());
            }
            stack.push(y);
        }
    }
    out.sort();
    out
}

/// Checks the facts' reach against one walk per target, with and without conditional edges.
fn assert_reach_matches_walks(s: &Snapshot) -> (usize, usize) {
    let (found, g) = findings_and_graph(s, now());
    let f = facts_with_graph(s, &found, Some(&g), FactOptions::default());
    let index = |id: &str| g.nodes().iter().position(|n| n.id == id).map(|i| i as u32);
    let mut frontier: Vec<bool> = g.nodes().iter().map(|n| n.kind == graph::NodeKind::AccountAdmin).collect();
    for r in f.roles.iter().filter(|r| store::compare::is_privileged(&r.privilege)) {
        if let Some(i) = index(&r.arn) {
            frontier[i as usize] = true;
        }
    }
    let (mut all, mut conditional) = (0, 0);
    let mut check = |id: &str, reached: &[String], cond: &[String]| {
        let Some(t) = index(id) else { return };
        let every = one_walk(&g, t, &frontier, &|_| true);
        let free = one_walk(&g, t, &frontier, &|e| !e.is_conditional());
        let expected: Vec<String> = every.iter().filter(|p| !free.contains(p)).cloned().collect();
        assert_eq!(reached, every.as_slice(), "reach of {id}");
        assert_eq!(cond, expected.as_slice(), "conditional reach of {id}");
        all += reached.len();
        conditional += cond.len();
    };
    for r in f.roles.iter().filter(|r| store::compare::is_privileged(&r.privilege)) {
        check(&r.arn, &r.reached_by, &r.conditional_reach);
    }
    for a in &f.admins {
        check(&a.node, &a.reached_by, &a.conditional_reach);
    }
    (all, conditional)
}

#[test]
fn reach_computed_once_equals_one_walk_per_privileged_node() {
    let (all, conditional) = assert_reach_matches_walks(&demo());
    assert!(all > 10 && conditional > 0 && conditional < all, "{all} {conditional}");
    // A synthetic organization, with chains of roles and cycles.
    let dir = tempfile::tempdir().expect("tmp");
    let config = synth::SynthConfig { accounts: 2, roles_per_account: 60, users_per_account: 5, seed: 7, ..Default::default() };
    synth::generate(&config, dir.path()).expect("synth");
    let s = ingest::load(dir.path()).expect("synth loads").snapshot;
    let (all, _) = assert_reach_matches_walks(&s);
    assert!(all > 0);
}

#[test]
fn the_oidc_provider_reaches_its_role_only_under_conditions() {
    // `github-actions-terraform` trusts GitHub's OIDC provider with an `aud` condition: the
    // provider reaches it, under conditions.
    let f = facts_of(&demo());
    let conditional: Vec<(&str, &str)> =
        f.roles.iter().flat_map(|r| r.conditional_reach.iter().map(move |p| (r.name.as_str(), p.as_str()))).collect();
    assert!(conditional.iter().any(|(_, p)| p.contains("token.actions.githubusercontent.com")), "{conditional:?}");
    for r in &f.roles {
        assert!(r.conditional_reach.iter().all(|p| r.reached_by.contains(p)), "{}", r.arn);
    }
}

#[test]
fn facts_with_the_rules_graph_equal_facts_with_a_graph_of_their_own() {
    let s = demo();
    let found = findings(&s, now());
    assert_eq!(analyse(&s, now(), FactOptions::default()), facts(&s, &found, FactOptions::default()));
}
