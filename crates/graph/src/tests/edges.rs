//! Can-assume, runs-as and member-of edges, their conditions and what blocks them.

use serde_json::json;

use super::*;
use crate::NodeKind;

const ASSUME_ALL: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}"#;

#[test]
fn same_account_trust_naming_a_user_needs_no_identity_permission() {
    let mut s = Snap::new();
    s.user(A, "alice", &[]);
    s.role(A, "target", &trust_aws(&user_arn(A, "alice")), &[]);
    let g = s.build();
    let e = edge(&g, &user_arn(A, "alice"), &role_arn(A, "target"), EdgeKind::CanAssume);
    assert!(!e.is_conditional());
    assert_eq!(e.paths(), ["sts-001"]);
    let ev = &e.ways()[0].checks[0].evidence;
    assert!(ev.iter().any(|x| x.policy_kind == "resource" && x.pointer() == "/Statement/0"), "{ev:?}");
}

#[test]
fn trust_naming_the_account_needs_an_identity_allow() {
    let mut s = Snap::new();
    s.user(A, "alice", &[ASSUME_ALL]);
    s.user(A, "bob", &[]);
    s.role(A, "target", &trust_aws(&format!("arn:aws:iam::{A}:root")), &[]);
    let g = s.build();
    let e = edge(&g, &user_arn(A, "alice"), &role_arn(A, "target"), EdgeKind::CanAssume);
    let kinds: Vec<&str> = e.ways()[0].checks[0].evidence.iter().map(|x| x.policy_kind).collect();
    assert!(kinds.contains(&"identity") && kinds.contains(&"resource"), "{kinds:?}");
    assert!(edges(&g, &user_arn(A, "bob"), &role_arn(A, "target"), EdgeKind::CanAssume).is_empty());
}

#[test]
fn across_accounts_both_sides_must_allow() {
    let mut s = Snap::new();
    s.user(A, "alice", &[ASSUME_ALL]);
    s.user(A, "bob", &[]);
    s.role(B, "target", &trust_aws(A), &[]);
    s.role(B, "other", &trust_aws(C), &[]);
    s.role(B, "named", &trust_aws(&user_arn(A, "bob")), &[]);
    let g = s.build();
    edge(&g, &user_arn(A, "alice"), &role_arn(B, "target"), EdgeKind::CanAssume);
    assert!(edges(&g, &user_arn(A, "bob"), &role_arn(B, "target"), EdgeKind::CanAssume).is_empty());
    assert!(edges(&g, &user_arn(A, "alice"), &role_arn(B, "other"), EdgeKind::CanAssume).is_empty());
    // Naming bob is not enough across accounts: his own policies must allow it too.
    assert!(edges(&g, &user_arn(A, "bob"), &role_arn(B, "named"), EdgeKind::CanAssume).is_empty());
    // C is not in the snapshot: an external account edge, resting on an assumption.
    let e = edge(&g, &format!("external-account:{C}"), &role_arn(B, "other"), EdgeKind::CanAssume);
    assert!(e.has_assumptions());
}

#[test]
fn an_scp_deny_blocks() {
    let mut s = Snap::new();
    s.user(A, "alice", &[ASSUME_ALL]);
    s.role(B, "target", &trust_aws(A), &[]);
    s.account(B);
    s.scp(&[C], &deny(&["sts:AssumeRole"], "*"));
    let g = s.build();
    edge(&g, &user_arn(A, "alice"), &role_arn(B, "target"), EdgeKind::CanAssume);
    s.scp(&[A], &deny(&["sts:AssumeRole"], "*"));
    let g = s.build();
    assert!(edges(&g, &user_arn(A, "alice"), &role_arn(B, "target"), EdgeKind::CanAssume).is_empty());
}

#[test]
fn a_permission_boundary_blocks() {
    let mut s = Snap::new();
    s.user(A, "alice", &[ASSUME_ALL]);
    s.role(A, "target", &trust_aws(A), &[]);
    s.boundary(A, "alice", &allow(&["s3:*"], "*"));
    let g = s.build();
    assert!(edges(&g, &user_arn(A, "alice"), &role_arn(A, "target"), EdgeKind::CanAssume).is_empty());
}

#[test]
fn conditional_edges_keep_their_condition() {
    let mut s = Snap::new();
    s.user(A, "alice", &[ASSUME_ALL]);
    let t = trust(json!({"AWS": A}), "sts:AssumeRole", Some(json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}})));
    s.role(A, "target", &t, &[]);
    let g = s.build();
    let e = edge(&g, &user_arn(A, "alice"), &role_arn(A, "target"), EdgeKind::CanAssume);
    assert!(e.is_conditional());
    // The trust's check (the caller's own, through a capability node, holds unconditionally).
    let check = e.ways()[0].checks.iter().find(|c| c.condition.is_some()).unwrap();
    let c = check.condition.as_ref().unwrap();
    assert_eq!(c.text(), "aws:MultiFactorAuthPresent Bool `true`");
    assert_eq!(c.atoms[0].key(), Some("aws:MultiFactorAuthPresent"));
    assert!(check.evidence.iter().any(|e| e.policy_kind == "resource"));
    assert_eq!(e.condition_text().unwrap(), "sts:AssumeRole: aws:MultiFactorAuthPresent Bool `true`");
}

#[test]
fn known_principal_keys_settle_conditions() {
    let mut s = Snap::new();
    s.user(A, "red", &[ASSUME_ALL]);
    s.tag_user(A, "red", "team", "red");
    s.user(A, "blue", &[ASSUME_ALL]);
    s.tag_user(A, "blue", "team", "blue");
    let t = trust(json!({"AWS": A}), "sts:AssumeRole", Some(json!({"StringEquals": {"aws:PrincipalTag/team": "red"}})));
    s.role(A, "target", &t, &[]);
    let g = s.build();
    assert!(!edge(&g, &user_arn(A, "red"), &role_arn(A, "target"), EdgeKind::CanAssume).is_conditional());
    assert!(edges(&g, &user_arn(A, "blue"), &role_arn(A, "target"), EdgeKind::CanAssume).is_empty());
}

#[test]
fn external_vendor_edge_keeps_its_external_id_condition() {
    let mut s = Snap::new();
    s.options.vendors.insert("464622532012".into(), "Datadog".into());
    let t = trust(
        json!({"AWS": "arn:aws:iam::464622532012:root"}),
        "sts:AssumeRole",
        Some(json!({"StringEquals": {"sts:ExternalId": "abc-123"}})),
    );
    s.role(A, "DatadogIntegration", &t, &[]);
    let g = s.build();
    let from = "external-account:464622532012";
    let e = edge(&g, from, &role_arn(A, "DatadogIntegration"), EdgeKind::CanAssume);
    assert!(e.is_conditional());
    assert!(e.has_assumptions());
    let c = e.ways()[0].checks[0].condition.as_ref().unwrap();
    assert_eq!(c.atoms[0].key(), Some("sts:ExternalId"));
    assert_eq!(c.atoms[0].values(), ["abc-123"]);
    let n = g.node(g.find_id(from).unwrap()).unwrap();
    assert_eq!(n.kind, NodeKind::ExternalAccount);
    assert_eq!(n.vendor.as_deref(), Some("Datadog"));
}

#[test]
fn oidc_edges_with_and_without_sub() {
    let provider = format!("arn:aws:iam::{A}:oidc-provider/token.actions.githubusercontent.com");
    let mut s = Snap::new();
    let with_sub = trust(
        json!({"Federated": provider}),
        "sts:AssumeRoleWithWebIdentity",
        Some(json!({"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                    "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/app:*"}})),
    );
    let without_sub = trust(
        json!({"Federated": provider}),
        "sts:AssumeRoleWithWebIdentity",
        Some(json!({"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}})),
    );
    s.role(A, "deploy", &with_sub, &[]);
    s.role(A, "open", &without_sub, &[]);
    s.role(A, "bare", &trust(json!({"Federated": provider}), "sts:AssumeRoleWithWebIdentity", None), &[]);
    let g = s.build();
    let keys = |name: &str| -> Vec<String> {
        let e = edge(&g, &provider, &role_arn(A, name), EdgeKind::CanAssume);
        assert_eq!(e.ways()[0].checks[0].action, "sts:AssumeRoleWithWebIdentity");
        e.ways()[0].checks[0]
            .condition
            .as_ref()
            .map_or(Vec::new(), |c| c.atoms.iter().filter_map(|a| a.key().map(str::to_owned)).collect())
    };
    assert!(keys("deploy").iter().any(|k| k.ends_with(":sub")));
    let open = keys("open");
    assert!(!open.is_empty() && !open.iter().any(|k| k.ends_with(":sub")), "{open:?}");
    assert!(keys("bare").is_empty());
    assert_eq!(g.node(g.find_id(&provider).unwrap()).unwrap().kind, NodeKind::OidcProvider);
}

#[test]
fn saml_edges_use_assume_role_with_saml() {
    let provider = format!("arn:aws:iam::{A}:saml-provider/okta");
    let mut s = Snap::new();
    let t = trust(
        json!({"Federated": provider}),
        "sts:AssumeRoleWithSAML",
        Some(json!({"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}})),
    );
    s.role(A, "sso", &t, &[]);
    let g = s.build();
    let e = edge(&g, &provider, &role_arn(A, "sso"), EdgeKind::CanAssume);
    assert_eq!(e.ways()[0].checks[0].action, "sts:AssumeRoleWithSAML");
    assert!(e.is_conditional());
}

#[test]
fn services_and_compute_run_as_roles() {
    let mut s = Snap::new();
    s.role(A, "fn-role", &trust_service("lambda.amazonaws.com"), &[]);
    s.role(A, "ec2-role", &trust_service("ec2.amazonaws.com"), &[]);
    let f = s.function(A, "f", "fn-role");
    s.instance(A, "i-0abc", "ec2-role");
    let g = s.build();
    edge(&g, "lambda.amazonaws.com", &role_arn(A, "fn-role"), EdgeKind::CanAssume);
    edge(&g, &f, &role_arn(A, "fn-role"), EdgeKind::RunsAs);
    edge(&g, &format!("arn:aws:ec2:us-east-1:{A}:instance/i-0abc"), &role_arn(A, "ec2-role"), EdgeKind::RunsAs);
    assert!(edges(&g, "ec2.amazonaws.com", &role_arn(A, "fn-role"), EdgeKind::CanAssume).is_empty());
}

#[test]
fn anyone_with_an_org_condition() {
    let mut s = Snap::new();
    s.user(A, "alice", &[ASSUME_ALL]);
    s.user(C, "carol", &[ASSUME_ALL]);
    let t = trust(json!({"AWS": "*"}), "sts:AssumeRole", Some(json!({"StringEquals": {"aws:PrincipalOrgID": "o-test"}})));
    s.role(B, "shared", &t, &[]);
    s.scp(&[], &allow(&["*"], "*"));
    // C is in the snapshot but not in the organization.
    s.s.organization.as_mut().unwrap().accounts.retain(|a| a.id != C);
    let g = s.build();
    assert!(!edge(&g, &user_arn(A, "alice"), &role_arn(B, "shared"), EdgeKind::CanAssume).is_conditional());
    // C is not a member: its organization id is not known, so the edge keeps the condition.
    assert!(edge(&g, &user_arn(C, "carol"), &role_arn(B, "shared"), EdgeKind::CanAssume).is_conditional());
    let any = edge(&g, "*", &role_arn(B, "shared"), EdgeKind::CanAssume);
    assert!(any.is_conditional() && any.has_assumptions());
}

#[test]
fn contradictory_edges_do_not_exist() {
    let mut s = Snap::new();
    let id = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*","Condition":{"StringEquals":{"sts:ExternalId":"b"}}}]}"#;
    s.user(A, "alice", &[id]);
    let t = trust(json!({"AWS": A}), "sts:AssumeRole", Some(json!({"StringEquals": {"sts:ExternalId": "a"}})));
    s.role(A, "target", &t, &[]);
    let g = s.build();
    assert!(edges(&g, &user_arn(A, "alice"), &role_arn(A, "target"), EdgeKind::CanAssume).is_empty());
    assert!(g.stats().contradictions >= 1);
}

#[test]
fn groups_give_member_of_edges_and_their_policies() {
    let mut s = Snap::new();
    s.user(A, "alice", &[]);
    s.group(A, "ops", &[ASSUME_ALL], &["alice"]);
    s.role(A, "target", &trust_aws(A), &[]);
    let g = s.build();
    edge(&g, &user_arn(A, "alice"), &group_arn(A, "ops"), EdgeKind::MemberOf);
    edge(&g, &user_arn(A, "alice"), &role_arn(A, "target"), EdgeKind::CanAssume);
}

#[test]
fn administrators_reach_every_principal_of_their_account() {
    let mut s = Snap::new();
    s.user(A, "admin", &[&allow(&["*"], "*")]);
    s.user(A, "victim", &[]);
    s.role(A, "locked", &trust_service("ec2.amazonaws.com"), &[]);
    let g = s.build();
    let admin_node = format!("admin:{A}");
    edge(&g, &user_arn(A, "admin"), &admin_node, EdgeKind::AdminEquivalent);
    edge(&g, &admin_node, &role_arn(A, "locked"), EdgeKind::AdminControl);
    edge(&g, &admin_node, &user_arn(A, "victim"), EdgeKind::AdminControl);
    assert!(g.node(g.find_id(&user_arn(A, "admin")).unwrap()).unwrap().admin);
    assert!(!g.node(g.find_id(&user_arn(A, "victim")).unwrap()).unwrap().admin);
}

#[test]
fn trust_of_another_snapshot_account_gives_an_edge_from_its_administrator() {
    let mut s = Snap::new();
    s.user(A, "nobody", &[]);
    s.role(B, "target", &trust_aws(A), &[]);
    let g = s.build();
    let e = edge(&g, &format!("admin:{A}"), &role_arn(B, "target"), EdgeKind::CanAssume);
    assert!(e.has_assumptions());
    assert!(edges(&g, &user_arn(A, "nobody"), &role_arn(B, "target"), EdgeKind::CanAssume).is_empty());
}

#[test]
fn wildcard_trust_beyond_the_budget_keeps_the_edge_from_anyone() {
    let mut s = Snap::new();
    s.user(A, "alice", &[ASSUME_ALL]);
    s.role(A, "open", &trust(json!({"AWS": "*"}), "sts:AssumeRole", None), &[]);
    let g = s.build();
    edge(&g, &user_arn(A, "alice"), &role_arn(A, "open"), EdgeKind::CanAssume);
    s.options.wildcard_pair_budget = 0;
    let g = s.build();
    assert!(edges(&g, &user_arn(A, "alice"), &role_arn(A, "open"), EdgeKind::CanAssume).is_empty());
    edge(&g, "*", &role_arn(A, "open"), EdgeKind::CanAssume);
    assert!(g.notes().iter().any(|n| n.contains("budget")), "{:?}", g.notes());
}

#[test]
fn vendor_names_come_from_the_known_accounts() {
    let mut s = Snap::new();
    s.role(A, "dd", &trust_aws("arn:aws:iam::464622532012:root"), &[]);
    let g = s.build();
    let n = g.node(g.find_id("external-account:464622532012").unwrap()).unwrap();
    assert_eq!(n.vendor.as_deref(), Some("Datadog"));
}

/// A role that only an OIDC provider, a SAML provider or a service may assume has sessions
/// without MFA: AWS STS issues the credentials of `AssumeRoleWithWebIdentity` and
/// `AssumeRoleWithSAML` without it (IAM User Guide, "Compare AWS STS credentials", MFA
/// support: No). So its sessions never meet a trust that requires
/// `aws:MultiFactorAuthPresent`; a role that an account's users may also assume still may.
#[test]
fn web_identity_and_saml_sessions_never_carry_mfa() {
    let mfa = trust(json!({"AWS": A}), "sts:AssumeRole", Some(json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}})));
    let oidc = trust(
        json!({"Federated": format!("arn:aws:iam::{A}:oidc-provider/token.actions.githubusercontent.com")}),
        "sts:AssumeRoleWithWebIdentity",
        None,
    );
    let saml = trust(json!({"Federated": format!("arn:aws:iam::{A}:saml-provider/Okta")}), "sts:AssumeRoleWithSAML", None);
    let mut s = Snap::new();
    s.role(A, "ci", &oidc, &[ASSUME_ALL]);
    s.role(A, "sso", &saml, &[ASSUME_ALL]);
    s.role(A, "lambda", &trust_service("lambda.amazonaws.com"), &[ASSUME_ALL]);
    s.role(A, "jump", &trust_aws(A), &[ASSUME_ALL]);
    s.role(A, "break-glass", &mfa, &[]);
    let g = s.build();
    for from in ["ci", "sso", "lambda"] {
        assert!(
            edges(&g, &role_arn(A, from), &role_arn(A, "break-glass"), EdgeKind::CanAssume).is_empty(),
            "{from} cannot meet MFA"
        );
    }
    let e = edge(&g, &role_arn(A, "jump"), &role_arn(A, "break-glass"), EdgeKind::CanAssume);
    assert!(e.is_conditional(), "a role its account's users assume may carry MFA");
    assert!(crate::context::sessions_without_mfa(&g_role(&s, "ci")));
    assert!(!crate::context::sessions_without_mfa(&g_role(&s, "jump")));
}

fn g_role(s: &Snap, name: &str) -> model::Role {
    s.s.account(A).unwrap().roles.iter().find(|r| r.name == name).unwrap().clone()
}

/// A condition on where a request is made (a region, a source IP, a VPC) is a scope, not a
/// mitigation: the edge holds unconditionally, and keeps the scope to show.
#[test]
fn region_and_network_conditions_are_a_scope() {
    let mut s = Snap::new();
    s.user(A, "alice", &[ASSUME_ALL]);
    let t = trust(json!({"AWS": A}), "sts:AssumeRole", Some(json!({"StringEquals": {"aws:RequestedRegion": ["eu-west-1"]}})));
    s.role(A, "target", &t, &[]);
    let ip = trust(json!({"AWS": A}), "sts:AssumeRole", Some(json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})));
    s.role(A, "office", &ip, &[]);
    let both = trust(
        json!({"AWS": A}),
        "sts:AssumeRole",
        Some(json!({"StringEquals": {"aws:RequestedRegion": "eu-west-1"}, "Bool": {"aws:MultiFactorAuthPresent": "true"}})),
    );
    s.role(A, "mixed", &both, &[]);
    let g = s.build();
    for to in ["target", "office"] {
        let e = edge(&g, &user_arn(A, "alice"), &role_arn(A, to), EdgeKind::CanAssume);
        assert!(!e.is_conditional(), "{to}");
        assert!(e.condition_text().is_none_or(|t| t.is_empty()), "{to}");
        assert!(e.scope_text().is_some(), "{to}");
    }
    let e = edge(&g, &user_arn(A, "alice"), &role_arn(A, "mixed"), EdgeKind::CanAssume);
    assert!(e.is_conditional(), "MFA is a condition, whatever the region");
}

/// Requests are made at the snapshot's time: `aws:CurrentTime` is it, and a role session's
/// `aws:TokenIssueTime` is never long before it (a session lasts at most 12 hours), so a grant
/// that holds only for tokens issued, or requests made, before 2020 is no edge in 2026; one
/// that holds after is unconditional.
#[test]
fn time_keys_are_the_snapshots_time() {
    let old_tokens =
        trust(json!({"AWS": A}), "sts:AssumeRole", Some(json!({"DateLessThan": {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}})));
    let old_requests =
        trust(json!({"AWS": A}), "sts:AssumeRole", Some(json!({"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}})));
    let recent =
        trust(json!({"AWS": A}), "sts:AssumeRole", Some(json!({"DateGreaterThan": {"aws:CurrentTime": "2025-01-01T00:00:00Z"}})));
    let mut s = Snap::new();
    s.role(A, "caller", &trust_aws(A), &[ASSUME_ALL]);
    s.role(A, "old-tokens", &old_tokens, &[]);
    s.role(A, "old-requests", &old_requests, &[]);
    s.role(A, "recent", &recent, &[]);
    s.options.now = model::Timestamp::parse("2026-12-01T00:00:00Z");
    let g = s.build();
    let caller = role_arn(A, "caller");
    assert!(edges(&g, &caller, &role_arn(A, "old-tokens"), EdgeKind::CanAssume).is_empty());
    assert!(edges(&g, &caller, &role_arn(A, "old-requests"), EdgeKind::CanAssume).is_empty());
    assert!(!edge(&g, &caller, &role_arn(A, "recent"), EdgeKind::CanAssume).is_conditional());
    // Without a time (a snapshot that records none), the keys stay unknown: conditions.
    s.options.now = None;
    let g = s.build();
    assert!(edge(&g, &caller, &role_arn(A, "old-tokens"), EdgeKind::CanAssume).is_conditional());
}
