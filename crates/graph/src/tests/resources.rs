//! Access to resources with resource-based policies, against AWS's documented rules: within an
//! account the resource policy alone can allow; across accounts both sides must; a KMS key
//! policy must allow explicitly; S3 Block Public Access restricts public bucket policies; KMS
//! grants; outsiders and services named by the policy.

use model::{KmsGrant, PolicyDoc, PolicyResource, PublicAccessBlock, ResourceKind};

use super::{A, B, Snap, allow, deny, role_arn, trust_service};
use crate::resources::{Askers, GranteeKind, ResourceAccess, is_public_policy, principal_access, resource_access};

const BUCKET: &str = "arn:aws:s3:::data";
const KEY: &str = "arn:aws:kms:us-east-1:111111111111:key/k1";

fn resource(s: &mut Snap, acct: &str, arn: &str, policy: Option<serde_json::Value>) {
    let kind = ResourceKind::of_arn(arn).unwrap();
    let mut r = PolicyResource::new(kind, arn.to_owned());
    r.account_id = acct.to_owned();
    r.policy = policy.map(|p| {
        let d = PolicyDoc::from_json_text(&p.to_string());
        assert!(d.policy().is_some(), "{:?}", d.error());
        d
    });
    s.account(acct).resources.push(r);
    s.s.sort();
}

fn statement(principal: serde_json::Value, actions: &[&str], resource: &str) -> serde_json::Value {
    serde_json::json!({"Effect": "Allow", "Principal": principal, "Action": actions, "Resource": resource})
}

fn policy(statements: Vec<serde_json::Value>) -> serde_json::Value {
    serde_json::json!({"Version": "2012-10-17", "Statement": statements})
}

fn of(s: &Snap, arn: &str) -> ResourceAccess {
    let r = s.s.accounts.iter().flat_map(|a| a.resources.iter()).find(|r| r.arn == arn).unwrap();
    resource_access(&s.s, r, Askers::Everyone, None)
}

/// The levels of a grantee, `None` when it has no access.
fn levels(r: &ResourceAccess, who: &str) -> Option<Vec<&'static str>> {
    r.access.iter().find(|a| a.who.id == who).map(|a| a.levels.iter().map(|l| l.level).collect())
}

fn actions(r: &ResourceAccess, who: &str, level: &str) -> Vec<&'static str> {
    r.access
        .iter()
        .find(|a| a.who.id == who)
        .and_then(|a| a.levels.iter().find(|l| l.level == level))
        .map(|l| l.actions.iter().chain(&l.conditional_actions).copied().collect())
        .unwrap_or_default()
}

#[test]
fn within_an_account_identity_or_resource_policy_allows_across_both_must() {
    let mut s = Snap::new();
    let t = trust_service("ec2.amazonaws.com");
    // `reader` has an identity allow; `named` has none but the bucket policy names it.
    s.role(A, "reader", &t, &[&allow(&["s3:GetObject"], "arn:aws:s3:::data/*")]);
    s.role(A, "named", &t, &[]);
    s.role(A, "nobody", &t, &[]);
    // Account B: `partner` is allowed by its identity policy and the bucket policy names B;
    // `stranger` has the identity allow, but the bucket policy does not name it... it names B,
    // so it does; `idle` has no identity allow.
    s.role(B, "partner", &t, &[&allow(&["s3:GetObject", "s3:ListBucket"], "*")]);
    s.role(B, "idle", &t, &[]);
    resource(
        &mut s,
        A,
        BUCKET,
        Some(policy(vec![
            statement(serde_json::json!({"AWS": role_arn(A, "named")}), &["s3:GetObject"], "arn:aws:s3:::data/*"),
            statement(serde_json::json!({"AWS": B}), &["s3:GetObject", "s3:ListBucket"], "arn:aws:s3:::data/*"),
        ])),
    );
    let r = of(&s, BUCKET);
    assert_eq!(levels(&r, &role_arn(A, "reader")), Some(vec!["Read"]), "same account: the identity policy alone");
    assert_eq!(levels(&r, &role_arn(A, "named")), Some(vec!["Read"]), "same account: the resource policy alone");
    assert_eq!(levels(&r, &role_arn(A, "nobody")), None);
    assert_eq!(actions(&r, &role_arn(B, "partner"), "Read"), ["s3:GetObject"], "across accounts both allow GetObject");
    // ListBucket is a bucket action: the policy grants it only on objects, so B cannot list.
    assert_eq!(levels(&r, &role_arn(B, "partner")), Some(vec!["Read"]));
    assert_eq!(levels(&r, &role_arn(B, "idle")), None, "across accounts the identity side must allow too");
    // An explicit deny in the identity policy wins over the resource policy's allow.
    let mut s2 = Snap::new();
    s2.role(A, "named", &t, &[&deny(&["s3:*"], "*")]);
    resource(
        &mut s2,
        A,
        BUCKET,
        Some(policy(vec![statement(serde_json::json!({"AWS": role_arn(A, "named")}), &["s3:GetObject"], "arn:aws:s3:::data/*")])),
    );
    assert_eq!(levels(&of(&s2, BUCKET), &role_arn(A, "named")), None);
}

#[test]
fn a_kms_key_policy_must_allow_explicitly() {
    let mut s = Snap::new();
    let t = trust_service("lambda.amazonaws.com");
    s.role(A, "admin", &t, &[&allow(&["kms:*"], "*")]);
    s.role(A, "named", &t, &[]);
    // The key policy names only `named`, not the account: `admin`'s identity allow is not enough.
    resource(
        &mut s,
        A,
        KEY,
        Some(policy(vec![statement(serde_json::json!({"AWS": role_arn(A, "named")}), &["kms:Decrypt"], "*")])),
    );
    let r = of(&s, KEY);
    assert_eq!(levels(&r, &role_arn(A, "admin")), None, "the key policy does not delegate to IAM");
    assert_eq!(actions(&r, &role_arn(A, "named"), "Write"), ["kms:Decrypt"]);
    // With the default statement (the account root), IAM policies decide.
    let mut s2 = Snap::new();
    s2.role(A, "admin", &t, &[&allow(&["kms:Decrypt"], "*")]);
    s2.role(A, "plain", &t, &[]);
    resource(
        &mut s2,
        A,
        KEY,
        Some(policy(vec![statement(serde_json::json!({"AWS": format!("arn:aws:iam::{A}:root")}), &["kms:*"], "*")])),
    );
    let r = of(&s2, KEY);
    assert_eq!(actions(&r, &role_arn(A, "admin"), "Write"), ["kms:Decrypt"]);
    assert_eq!(levels(&r, &role_arn(A, "plain")), None, "naming the account delegates to IAM policies");
    // A key whose policy was not read: nothing is allowed, and the gap says why.
    let mut s3 = Snap::new();
    s3.role(A, "admin", &t, &[&allow(&["kms:*"], "*")]);
    resource(&mut s3, A, KEY, None);
    let r = of(&s3, KEY);
    assert!(r.access.is_empty());
    assert!(r.gaps.iter().any(|g| g.contains("key policy")), "{:?}", r.gaps);
}

#[test]
fn outsiders_anyone_and_services_named_by_the_policy() {
    let mut s = Snap::new();
    s.role(A, "app", &trust_service("ec2.amazonaws.com"), &[]);
    let queue = "arn:aws:sqs:us-east-1:111111111111:jobs";
    resource(
        &mut s,
        A,
        queue,
        Some(policy(vec![
            statement(serde_json::json!({"AWS": "999988887777"}), &["sqs:SendMessage"], queue),
            statement(serde_json::json!("*"), &["sqs:GetQueueAttributes"], queue),
            serde_json::json!({"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage", "Resource": queue,
                "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:111111111111:t"}}}),
            // Only principals of the organization `o-test` meet this one: not outsiders.
            serde_json::json!({"Effect": "Allow", "Principal": "*", "Action": "sqs:DeleteMessage", "Resource": queue,
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-test"}}}),
        ])),
    );
    s.scp(&[A], &allow(&["*"], "*"));
    let r = of(&s, queue);
    let outside = r.access.iter().find(|a| a.who.id == "999988887777").unwrap();
    assert_eq!((outside.who.kind, outside.who.outside), (GranteeKind::Account, true));
    assert!(outside.assumptions.iter().any(|x| x.contains("not in the snapshot")));
    assert_eq!(actions(&r, "999988887777", "Write"), ["sqs:SendMessage"]);
    let anyone = r.access.iter().find(|a| a.who.kind == GranteeKind::Anyone).unwrap();
    assert_eq!(anyone.levels.iter().map(|l| l.level).collect::<Vec<_>>(), ["Read"], "{anyone:?}");
    assert!(anyone.levels.iter().all(|l| l.unconditional));
    let sns = r.access.iter().find(|a| a.who.id == "sns.amazonaws.com").unwrap();
    let w = sns.levels.iter().find(|l| l.level == "Write").unwrap();
    assert!(!w.unconditional && w.check.condition.as_ref().unwrap().text().contains("aws:SourceArn"), "{w:?}");
}

#[test]
fn block_public_access_restricts_public_bucket_policies() {
    let public = policy(vec![statement(serde_json::json!("*"), &["s3:GetObject"], "arn:aws:s3:::data/*")]);
    let p = policy::Policy::from_json(&public).unwrap();
    assert!(is_public_policy(&p));
    let fixed = policy(vec![
        serde_json::json!({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*",
        "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"}}}),
    ]);
    assert!(!is_public_policy(&policy::Policy::from_json(&fixed).unwrap()));
    let wild = policy(vec![
        serde_json::json!({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*",
        "Condition": {"StringLike": {"aws:SourceVpce": "vpce-*"}}}),
    ]);
    assert!(is_public_policy(&policy::Policy::from_json(&wild).unwrap()), "a wildcard fixes nothing");

    let mut s = Snap::new();
    s.role(B, "partner", &trust_service("ec2.amazonaws.com"), &[&allow(&["s3:*"], "*")]);
    s.role(A, "own", &trust_service("ec2.amazonaws.com"), &[]);
    let mut both = public.clone();
    both["Statement"].as_array_mut().unwrap().push(statement(
        serde_json::json!({"AWS": B}),
        &["s3:GetObject"],
        "arn:aws:s3:::data/*",
    ));
    resource(&mut s, A, BUCKET, Some(both));
    let r = of(&s, BUCKET);
    assert!(r.public_policy);
    assert!(levels(&r, "*").is_some(), "no Block Public Access: public");
    assert!(levels(&r, &role_arn(B, "partner")).is_some());
    assert!(levels(&r, &role_arn(A, "own")).is_some(), "`*` includes the bucket's own account");
    // RestrictPublicBuckets on the account: only the bucket's own account (and services).
    s.account(A).s3_public_access_block = Some(PublicAccessBlock { restrict_public_buckets: true, ..Default::default() });
    let r = of(&s, BUCKET);
    assert_eq!(levels(&r, "*"), None);
    assert_eq!(levels(&r, &role_arn(B, "partner")), None, "non-public delegation to an account is blocked too");
    assert!(levels(&r, &role_arn(A, "own")).is_some());
    assert!(r.notes.iter().any(|n| n.contains("RestrictPublicBuckets")), "{:?}", r.notes);
    assert!(principal_access(&s.s, &role_arn(B, "partner"), None).is_empty());
}

#[test]
fn object_patterns_scope_a_buckets_object_actions() {
    let mut s = Snap::new();
    resource(
        &mut s,
        A,
        BUCKET,
        Some(policy(vec![statement(serde_json::json!("*"), &["s3:GetObject"], "arn:aws:s3:::data/public/*")])),
    );
    let r = of(&s, BUCKET);
    let anyone = r.access.iter().find(|a| a.who.kind == GranteeKind::Anyone).unwrap();
    let read = anyone.levels.iter().find(|l| l.level == "Read").unwrap();
    assert_eq!(read.objects, ["arn:aws:s3:::data/public/*"]);
    assert_eq!(read.actions, ["s3:GetObject"]);
}

#[test]
fn kms_grants_give_their_operations() {
    let mut s = Snap::new();
    s.role(A, "worker", &trust_service("lambda.amazonaws.com"), &[]);
    resource(
        &mut s,
        A,
        KEY,
        Some(policy(vec![statement(serde_json::json!({"AWS": format!("arn:aws:iam::{A}:root")}), &["kms:*"], "*")])),
    );
    s.account(A).resources[0].grants.push(KmsGrant {
        grant_id: Some("g1".into()),
        name: None,
        grantee_principal: Some(role_arn(A, "worker")),
        retiring_principal: None,
        operations: vec!["Decrypt".into(), "GenerateDataKey".into()],
        constraints: None,
    });
    let r = of(&s, KEY);
    let g = r.access.iter().find(|a| a.through == "kms-grant").unwrap();
    assert_eq!((g.who.kind, g.who.id.as_str()), (GranteeKind::Role, role_arn(A, "worker").as_str()));
    assert_eq!(
        g.levels.iter().flat_map(|l| l.actions.iter().copied()).collect::<Vec<_>>(),
        ["kms:Decrypt", "kms:GenerateDataKey"]
    );
}

#[test]
fn a_principal_lists_what_it_can_reach() {
    let mut s = Snap::new();
    let t = trust_service("ec2.amazonaws.com");
    s.role(B, "partner", &t, &[&allow(&["s3:GetObject"], "*")]);
    resource(
        &mut s,
        A,
        BUCKET,
        Some(policy(vec![statement(serde_json::json!({"AWS": B}), &["s3:GetObject"], "arn:aws:s3:::data/*")])),
    );
    resource(&mut s, A, "arn:aws:s3:::other", None);
    let got = principal_access(&s.s, &role_arn(B, "partner"), None);
    assert_eq!(got.len(), 1, "a bucket of another account whose policy does not name B is not reachable");
    assert_eq!(got[0].0.arn, BUCKET);
    assert_eq!(got[0].1.iter().map(|l| l.level).collect::<Vec<_>>(), ["Read"]);
}

/// The privesc edges into a function node, by source id, with their path ids.
fn privesc_into(g: &crate::Graph, function: &str) -> Vec<(String, Vec<&'static str>)> {
    let to = g.find_id(function).unwrap();
    let mut v: Vec<(String, Vec<&'static str>)> = g
        .edges()
        .iter()
        .filter(|e| e.to == to && e.kind == crate::EdgeKind::Privesc)
        .map(|e| (g.node(e.from).unwrap().id.clone(), e.ways().iter().filter_map(|w| w.path).collect()))
        .collect();
    v.sort();
    v
}

#[test]
fn a_functions_policy_lets_other_accounts_act_as_its_role() {
    let mut s = Snap::new();
    s.role(A, "fn-role", &trust_service("lambda.amazonaws.com"), &[]);
    let f = s.function(A, "ingest", "fn-role");
    // B's deployer may update any function's code by its own policy; B's reader may not.
    s.role(
        B,
        "deployer",
        &trust_service("ec2.amazonaws.com"),
        &[&allow(&["lambda:UpdateFunctionCode", "lambda:InvokeFunction"], "*")],
    );
    s.role(B, "reader", &trust_service("ec2.amazonaws.com"), &[&allow(&["lambda:GetFunction"], "*")]);
    // A's own `local` has no Lambda permission: the policy naming it grants it on its own.
    s.role(A, "local", &trust_service("ec2.amazonaws.com"), &[]);
    resource(
        &mut s,
        A,
        &f,
        Some(policy(vec![
            statement(serde_json::json!({"AWS": format!("arn:aws:iam::{B}:root")}), &["lambda:UpdateFunctionCode"], &f),
            statement(
                serde_json::json!({"AWS": role_arn(A, "local")}),
                &["lambda:UpdateFunctionCode", "lambda:InvokeFunction"],
                &f,
            ),
            statement(serde_json::json!({"AWS": "999988887777"}), &["lambda:UpdateFunctionCode"], &f),
        ])),
    );
    let g = crate::build(&s.s, &s.options);
    let into = privesc_into(&g, &f);
    assert_eq!(
        into,
        [
            (role_arn(A, "local"), vec!["lambda-004"]),
            (role_arn(B, "deployer"), vec!["lambda-003"]),
            ("external-account:999988887777".to_owned(), vec!["lambda-003"]),
        ],
        "B's deployer: both sides allow UpdateFunctionCode (InvokeFunction is not granted across, so lambda-003); B's reader: its own policies do not"
    );
    // Through the function, B's deployer acts as A's role.
    let deployer = g.find_id(&role_arn(B, "deployer")).unwrap();
    assert!(crate::reach(&g, deployer).iter().any(|r| g.node(r.node).unwrap().id == role_arn(A, "fn-role")));
    let outsider = g.edges().iter().find(|e| g.node(e.from).unwrap().id == "external-account:999988887777").unwrap();
    assert!(outsider.ways()[0].assumptions.iter().any(|a| a.contains("not in the snapshot")));

    // A deny in the function's policy removes the edge.
    let mut s2 = Snap::new();
    s2.role(A, "fn-role", &trust_service("lambda.amazonaws.com"), &[]);
    let f = s2.function(A, "ingest", "fn-role");
    s2.role(B, "deployer", &trust_service("ec2.amazonaws.com"), &[&allow(&["lambda:UpdateFunctionCode"], "*")]);
    resource(
        &mut s2,
        A,
        &f,
        Some(policy(vec![
            statement(serde_json::json!({"AWS": B}), &["lambda:UpdateFunctionCode"], &f),
            serde_json::json!({"Effect": "Deny", "Principal": {"AWS": B}, "Action": "lambda:UpdateFunctionCode", "Resource": f}),
        ])),
    );
    let g = crate::build(&s2.s, &s2.options);
    assert!(privesc_into(&g, &f).is_empty());
}
