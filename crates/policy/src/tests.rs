use crate::*;
use proptest::prelude::*;
use serde_json::json;

fn parse(v: serde_json::Value) -> Result<Policy, ParseError> {
    Policy::from_json(&v)
}

#[test]
fn parses_a_full_statement() {
    let p = parse(json!({
        "Version": "2012-10-17",
        "Id": "x",
        "Statement": [{
            "Sid": "A",
            "Effect": "Allow",
            "Action": ["s3:Get*", "s3:List*"],
            "Resource": "arn:aws:s3:::b/${aws:username}/*",
            "Condition": {
                "StringEquals": {"aws:PrincipalTag/Team": ["a", "b"]},
                "ForAnyValue:StringLikeIfExists": {"aws:TagKeys": "x*"},
                "NumericLessThan": {"s3:max-keys": 10},
                "Bool": {"aws:SecureTransport": true}
            }
        }]
    }))
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.version, Some(Version::V2012_10_17));
    let s = &p.statements[0];
    assert_eq!(s.pointer, "/Statement/0");
    assert_eq!(s.action.items().len(), 2);
    assert!(s.resource.as_ref().is_some_and(|r| r.items()[0].template.has_variables()));
    assert_eq!(s.conditions.len(), 4);
    let c = &s.conditions[1];
    assert_eq!(c.operator.qualifier, Some(SetQualifier::ForAnyValue));
    assert_eq!(c.operator.base, Some(BaseOperator::StringLike));
    assert!(c.operator.if_exists);
    assert_eq!(c.key_lower, "aws:tagkeys");
    assert_eq!(s.conditions[2].values[0].kind, ValueKind::Number);
    assert_eq!(s.conditions[3].values[0].text, "true");
}

#[test]
fn parses_principals_and_single_statement() {
    let p = parse(json!({
        "Version": "2012-10-17",
        "Statement": {
            "Effect": "Allow",
            "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "444455556666"], "Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole"
        }
    }))
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(p.single_statement);
    let s = &p.statements[0];
    assert_eq!(s.pointer, "/Statement");
    let principals = s.principal.as_ref().map(|b| b.items().to_vec()).unwrap_or_default();
    assert_eq!(principals.len(), 3);
    assert!(principals.contains(&Principal::Service("ec2.amazonaws.com".into())));
    let any = parse(json!({"Statement": [{"Effect": "Deny", "NotPrincipal": "*", "NotAction": "*"}]}))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(any.statements[0].principal.as_ref().is_some_and(|p| p.is_not()));
    assert_eq!(any.version, None);
}

#[test]
fn url_encoded_documents() {
    let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D";
    let p = Policy::parse_str(encoded).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.statements[0].action.items()[0].raw, "s3:*");
    let via_value = parse(json!(encoded)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p, via_value);
    // RFC 3986: `+` is a plus, not a space.
    let plus = Policy::parse_str("%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Ab%2Fa+b%22%7D%7D")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(plus.statements[0].resource.as_ref().map(|r| r.items()[0].raw.as_str()), Some("arn:aws:s3:::b/a+b"));
}

#[test]
fn errors_name_the_place() {
    let cases = [
        (
            json!({"Statement": [{"Effect": "Allow", "Action": "s3:*"}, {"Effect": "Maybe", "Action": "*"}]}),
            "/Statement/1/Effect",
        ),
        (json!({"Statement": [{"Effect": "Allow"}]}), "/Statement/0"),
        (json!({"Statement": [{"Effect": "Allow", "Action": ["s3:*", 3]}]}), "/Statement/0/Action/1"),
        (json!({"Version": "2020-01-01", "Statement": []}), "/Version"),
        (json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "NotResource": "*"}]}), "/Statement/0"),
        (
            json!({"Statement": [{"Effect": "Allow", "Action": "*", "Condition": {"StringEquals": {"a/b": null}}}]}),
            "/Statement/0/Condition/StringEquals/a~1b",
        ),
        (json!({"Statement": [{"Effect": "Allow", "Action": "*", "Principal": {"Bogus": "x"}}]}), "/Statement/0/Principal/Bogus"),
        (json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resources": "*"}]}), "/Statement/0/Resources"),
        (json!({"Version": "2012-10-17"}), "/Statement"),
        (json!([1]), "/"),
    ];
    for (doc, pointer) in cases {
        let err = parse(doc.clone()).err().unwrap_or_else(|| panic!("{doc} parsed"));
        assert_eq!(err.pointer(), Some(pointer), "{doc}: {err}");
    }
    assert!(matches!(Policy::parse_str("{not json"), Err(ParseError::Json(_))));
}

#[test]
fn unknown_operators_are_kept_not_rejected() {
    let p = parse(json!({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
        "Condition": {"StringEqualsMaybe": {"aws:username": "x"}}}]}))
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.statements[0].conditions[0].operator.base, None);
}

#[test]
fn operator_parsing() {
    let o = Operator::parse("ForAllValues:StringNotEqualsIgnoreCaseIfExists");
    assert_eq!(o.qualifier, Some(SetQualifier::ForAllValues));
    assert_eq!(o.base, Some(BaseOperator::StringNotEqualsIgnoreCase));
    assert!(o.if_exists);
    assert_eq!(Operator::parse("Null").base, Some(BaseOperator::Null));
    assert_eq!(Operator::parse("stringequals").base, None);
    for (op, name) in BaseOperator::ALL {
        assert_eq!(BaseOperator::from_name(name), Some(op));
        assert_eq!(op.name(), name);
    }
}

// ---- property tests: parse → print → parse ----

fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![Just("*".to_owned()), "[a-z0-9]{1,6}:[A-Za-z*?]{1,8}", "arn:aws:s3:::[a-z*]{1,6}/[a-z${}:*]{0,8}", "\\PC{0,10}",]
}

fn arb_value() -> impl Strategy<Value = serde_json::Value> {
    prop_oneof![
        arb_text().prop_map(serde_json::Value::from),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i32>().prop_map(serde_json::Value::from),
    ]
}

fn one_or_many() -> impl Strategy<Value = serde_json::Value> {
    prop_oneof![arb_text().prop_map(serde_json::Value::from), prop::collection::vec(arb_text(), 1..4).prop_map(|v| json!(v)),]
}

fn arb_statement() -> impl Strategy<Value = serde_json::Value> {
    (
        any::<bool>(),
        any::<bool>(),
        one_or_many(),
        prop::option::of((any::<bool>(), one_or_many())),
        prop::option::of(prop_oneof![
            Just(json!("*")),
            one_or_many().prop_map(|v| json!({"AWS": v})),
            one_or_many().prop_map(|v| json!({"Service": v, "Federated": "x"})),
        ]),
        prop::collection::btree_map(
            prop_oneof![
                Just("StringEquals"),
                Just("ForAnyValue:StringLike"),
                Just("NumericLessThanIfExists"),
                Just("Bool"),
                Just("Weird")
            ],
            prop::collection::btree_map(
                "[a-z:/]{1,12}",
                prop_oneof![arb_value(), prop::collection::vec(arb_value(), 0..3).prop_map(|v| json!(v))],
                1..3,
            ),
            0..3,
        ),
        prop::option::of("[A-Za-z0-9]{1,6}"),
    )
        .prop_map(|(allow, not_action, actions, resource, principal, conds, sid)| {
            let mut s = serde_json::Map::new();
            if let Some(sid) = sid {
                s.insert("Sid".into(), json!(sid));
            }
            s.insert("Effect".into(), json!(if allow { "Allow" } else { "Deny" }));
            s.insert(if not_action { "NotAction" } else { "Action" }.into(), actions);
            if let Some((not, r)) = resource {
                s.insert(if not { "NotResource" } else { "Resource" }.into(), r);
            }
            if let Some(p) = principal {
                s.insert("Principal".into(), p);
            }
            if !conds.is_empty() {
                s.insert("Condition".into(), json!(conds));
            }
            serde_json::Value::Object(s)
        })
}

proptest! {
    #[test]
    fn parse_print_parse(stmts in prop::collection::vec(arb_statement(), 1..4), v2012 in any::<bool>()) {
        let doc = json!({"Version": if v2012 { "2012-10-17" } else { "2008-10-17" }, "Statement": stmts});
        let first = Policy::from_json(&doc).unwrap_or_else(|e| panic!("{e}"));
        let printed = first.to_json();
        let second = Policy::from_json(&printed).unwrap_or_else(|e| panic!("{e}"));
        prop_assert_eq!(&first, &second);
        // And the printed text is stable.
        prop_assert_eq!(printed, second.to_json());
    }

    #[test]
    fn never_panics_on_arbitrary_text(s in "\\PC{0,200}") {
        let _ = Policy::parse_str(&s);
    }
}
