//! Tests of loading the real samples in `../shared/data/samples` and hand-made exports:
//! counts, merging, account attribution, organizations, malformed input and gaps.

use std::path::{Path, PathBuf};

use model::{DataKind, GapKind, OrgPolicyType, Snapshot, UseKind};

use crate::{ExportKind, IngestError, LoadOptions, load, load_with};

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/samples").join(name)
}

fn only_account(s: &Snapshot) -> &model::Account {
    assert_eq!(s.accounts.len(), 1, "{:?}", s.accounts.iter().map(|a| &a.id).collect::<Vec<_>>());
    s.accounts.first().unwrap()
}

fn has_gap(s: &Snapshot, kind: GapKind, text: &str) -> bool {
    s.gaps.iter().any(|g| g.kind == kind && (g.what.contains(text) || g.source.contains(text)))
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn every_document_parses(s: &Snapshot) {
    let mut docs = Vec::new();
    for a in &s.accounts {
        for r in &a.roles {
            docs.extend(r.trust_policy.iter());
            docs.extend(r.inline_policies.iter().map(|p| &p.document));
        }
        for p in a.policies.iter().chain(s.aws_managed_policies.iter()) {
            docs.extend(p.versions.iter().map(|v| &v.document));
        }
    }
    assert!(!docs.is_empty());
    for d in docs {
        assert!(d.policy().is_some(), "{:?}", d);
    }
}

#[test]
fn cloudsplaining_sample() {
    let l = load(sample("cloudsplaining")).unwrap();
    let s = &l.snapshot;
    let a = only_account(s);
    assert_eq!(a.id, "012345678901");
    assert_eq!((a.roles.len(), a.users.len(), a.groups.len()), (3, 3, 2));
    assert_eq!(a.policies.len(), 2);
    assert_eq!(s.aws_managed_policies.len(), 30);
    assert_eq!(a.instance_profiles.len(), 1);
    every_document_parses(s);
    let role = a.role_by_name("MyRole").unwrap();
    assert!(role.policies_known);
    assert!(role.role_last_used.is_some());
    // Every attached managed policy resolves to a document.
    for r in &a.roles {
        for (src, doc) in s.role_policies(r).identity {
            assert!(doc.is_some(), "{src:?} of {}", r.arn);
        }
    }
    let obama = a.user_by_name("obama").unwrap();
    assert_eq!(obama.groups, vec!["admin"]);
    assert!(s.user_policies(obama).identity.len() > obama.attached_managed_policies.len());
    assert!(!has_gap(s, GapKind::UnresolvedReference, "managed policy"));
    assert!(has_gap(s, GapKind::MissingData, "no EC2 data"));
    assert!(has_gap(s, GapKind::MissingData, "no organization data"));
}

#[test]
fn cloudmapper_sample() {
    let l = load(sample("cloudmapper-demo")).unwrap();
    let s = &l.snapshot;
    let a = only_account(s);
    assert_eq!(a.id, "123456789012");
    assert_eq!((a.roles.len(), a.users.len(), a.groups.len(), a.policies.len()), (4, 2, 1, 1));
    assert_eq!(s.aws_managed_policies.len(), 1);
    assert_eq!(a.ec2_instances.len(), 3);
    assert!(a.ec2_instances.iter().all(|i| i.region.as_deref() == Some("us-east-1")));
    assert_eq!(a.ec2_instance("i-00000000000000001").and_then(|i| i.name.as_deref()), Some("Web1"));
    assert_eq!(a.lambda_functions.len(), 1);
    let f = a.lambda_functions.first().unwrap();
    assert_eq!(f.role_arn.as_deref(), Some("arn:aws:iam::123456789012:role/service-role/invpclambda"));
    let report = a.credential_report.as_ref().unwrap();
    assert_eq!(report.rows.len(), 3);
    let root = a.root_credentials().unwrap();
    assert!(root.mfa_active);
    assert_eq!(root.active_access_keys().count(), 1);
    let user = a.credentials("arn:aws:iam::123456789012:user/user").unwrap();
    assert_eq!(user.password_enabled, Some(true));
    assert_eq!(user.active_access_keys().count(), 2);
    assert_eq!(a.service_last_accessed.len(), 1);
    let sla = a.service_last_accessed.first().unwrap();
    assert_eq!(sla.services.first().map(|s| s.service_namespace.as_str()), Some("logs"));
    assert!(a.has(DataKind::CallerIdentity));
    every_document_parses(s);
    // The function's role is not in the authorization details.
    assert!(has_gap(s, GapKind::UnresolvedReference, "invpclambda"));
    // Files that are AWS output but not read are skipped with a warning.
    let skipped: Vec<&str> = l.files.iter().filter(|f| f.kind.is_none()).map(|f| f.path.as_str()).collect();
    assert_eq!(skipped, vec!["iam-get-account-summary.json"]);
    // The resource-based policies are read; neither file names its resource, so each is taken
    // as the one resource its statements name, with a warning.
    let resources: Vec<(&str, model::ResourceKind)> = a.resources.iter().map(|r| (r.arn.as_str(), r.kind)).collect();
    assert_eq!(
        resources,
        [
            ("arn:aws:lambda:us-east-1:653711331788:function:invpclambda", model::ResourceKind::LambdaFunction),
            ("arn:aws:s3:::cloudmapper_demo", model::ResourceKind::S3Bucket),
        ]
    );
    assert_eq!(l.warnings.iter().filter(|w| w.contains("does not say whose it is")).count(), 2, "{:?}", l.warnings);
    assert_eq!(l.warnings.len(), 3);
}

#[test]
fn moto_sample() {
    let l = load(sample("moto-synthetic")).unwrap();
    let s = &l.snapshot;
    let a = only_account(s);
    assert_eq!(a.id, "123456789012");
    assert_eq!(a.name.as_deref(), Some("master"));
    assert_eq!((a.roles.len(), a.users.len(), a.groups.len(), a.policies.len()), (5, 3, 1, 2));
    assert_eq!(s.aws_managed_policies.len(), 1321);
    // `list-roles` adds the max session duration to roles from the authorization details.
    let admin = a.role_by_name("admin-role").unwrap();
    assert!(admin.policies_known);
    assert_eq!(admin.max_session_duration, Some(3600));
    assert_eq!(admin.attached_managed_policies, vec!["arn:aws:iam::aws:policy/AdministratorAccess"]);
    // The boundary only appears on the copy of the role inside its instance profile.
    let ec2 = a.role_by_name("ec2-app-role").unwrap();
    assert_eq!(ec2.permissions_boundary.as_deref(), Some("arn:aws:iam::123456789012:policy/app-s3-read"));
    let uses = a.role_uses();
    let ec2_uses: Vec<UseKind> = uses.get(&ec2.arn).unwrap().iter().map(|u| u.kind).collect();
    assert_eq!(ec2_uses, vec![UseKind::InstanceProfile, UseKind::Ec2Instance]);
    let lambda = a.role_by_name("lambda-exec-role").unwrap();
    assert_eq!(uses.get(&lambda.arn).unwrap().first().map(|u| u.name.as_str()), Some("orders-fn"));
    // The credential report is a Python bytes literal here.
    let mallory = a.credentials("arn:aws:iam::123456789012:user/mallory").unwrap();
    assert_eq!(mallory.active_access_keys().count(), 1);
    // Organization: accounts, the SCP's content, and FullAWSAccess filled in.
    let org = s.organization.as_ref().unwrap();
    assert_eq!(org.id.as_deref(), Some("o-94gm2fiwxt"));
    assert_eq!(org.management_account_id.as_deref(), Some("123456789012"));
    assert_eq!(org.accounts.len(), 2);
    assert_eq!(org.roots.len(), 1);
    let deny = org.policy("p-9ns5ife0").unwrap();
    assert_eq!(deny.policy_type, OrgPolicyType::ServiceControlPolicy);
    assert!(deny.document.as_ref().unwrap().json().contains("organizations:LeaveOrganization"));
    let full = org.policy("p-FullAWSAccess").unwrap();
    assert!(full.document_from_aws_default);
    // Targets were not exported with a policy id: unknown, and said so.
    assert!(deny.targets.is_none());
    assert!(has_gap(s, GapKind::MissingData, "the targets of SCP `p-9ns5ife0` are unknown"));
    every_document_parses(s);
    let kinds: Vec<ExportKind> = l.files.iter().filter_map(|f| f.kind).collect();
    assert!(kinds.contains(&ExportKind::OrgDescribePolicy));
    assert!(kinds.contains(&ExportKind::Ec2ProfileAssociations));
}

#[test]
fn multi_account_folder_with_org_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for (sub, src) in [("prod", "cloudmapper-demo"), ("dev", "cloudsplaining")] {
        for entry in std::fs::read_dir(sample(src)).unwrap() {
            let p = entry.unwrap().path();
            std::fs::create_dir_all(root.join(sub)).unwrap();
            std::fs::copy(&p, root.join(sub).join(p.file_name().unwrap())).unwrap();
        }
    }
    // A file with no ARN is attributed through the caller identity of its folder.
    write(root, "prod/ecs/us-east-1-services.json", r#"{"services": [], "failures": []}"#);
    // ... or the folder's name.
    write(root, "222222222222/lambda.json", r#"{"Functions": []}"#);
    // Organization files at the top level.
    write(
        root,
        "org/list-accounts.json",
        r#"{"Accounts":[{"Id":"123456789012","Name":"prod","Email":"p@example.com","Status":"ACTIVE"},{"Id":"012345678901","Name":"dev","Email":"d@example.com","Status":"ACTIVE"}]}"#,
    );
    let l = load(root).unwrap();
    let s = &l.snapshot;
    let ids: Vec<&str> = s.accounts.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, vec!["012345678901", "123456789012", "222222222222"]);
    assert_eq!(s.account("123456789012").unwrap().name.as_deref(), Some("prod"));
    assert!(s.account("123456789012").unwrap().has(DataKind::EcsServices));
    assert!(s.account("222222222222").unwrap().has(DataKind::LambdaFunctions));
    assert_eq!(s.account("012345678901").unwrap().roles.len(), 3);
    let f = l.files.iter().find(|f| f.path == "prod/ecs/us-east-1-services.json").unwrap();
    assert_eq!(f.account.as_deref(), Some("123456789012"));
    // 222222222222 is not in the organization's account list.
    assert!(s.gaps.iter().any(|g| g.account.as_deref() == Some("222222222222") && g.what.contains("not in the organization")));
    // Deterministic: loading twice gives the same snapshot.
    assert_eq!(load(root).unwrap().snapshot, l.snapshot);
    let single = load_with(root, &LoadOptions { threads: 1, ..LoadOptions::default() }).unwrap();
    assert_eq!(single.snapshot, l.snapshot);
}

const ROLE_A: &str = r#"{"Path":"/","RoleName":"a","RoleId":"AROAAAAAAAAAAAAAAAAAA","Arn":"arn:aws:iam::111111111111:role/a","CreateDate":"2020-01-01T00:00:00Z","AssumeRolePolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]},"MaxSessionDuration":3600}"#;

fn roles_with_bad_date() -> String {
    let bad = r#"{"Path":"/","RoleName":"b","Arn":"arn:aws:iam::111111111111:role/b","RoleLastUsed":{"LastUsedDate":true}}"#;
    format!(r#"{{"Roles":[{ROLE_A},{bad}],"IsTruncated":false}}"#)
}

#[test]
fn malformed_record_is_a_gap_by_default_and_an_error_in_strict_mode() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "acct/list-roles.json", &roles_with_bad_date());
    let l = load(dir.path()).unwrap();
    let a = only_account(&l.snapshot);
    assert_eq!(a.roles.len(), 1);
    let gap = l.snapshot.gaps.iter().find(|g| g.kind == GapKind::MalformedRecord).unwrap();
    assert_eq!(gap.source, "acct/list-roles.json at Roles[1].RoleLastUsed.LastUsedDate");
    assert_eq!(gap.account.as_deref(), Some("111111111111"));
    assert!(gap.error.as_deref().unwrap().starts_with("invalid type: boolean `true`, expected a timestamp"), "{gap:?}");
    assert!(l.warnings.iter().any(|w| w.contains("Roles[1].RoleLastUsed.LastUsedDate")));

    let e = load_with(dir.path(), &LoadOptions { strict: true, ..LoadOptions::default() }).unwrap_err();
    assert_eq!(e.json_path(), Some("Roles[1].RoleLastUsed.LastUsedDate"));
    assert!(e.path().ends_with("acct/list-roles.json"));
    let msg = e.to_string();
    assert!(msg.contains("list-roles.json`: Roles[1].RoleLastUsed.LastUsedDate: invalid type: boolean `true`"), "{msg}");
}

#[test]
fn bad_timestamp_text_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let text = roles_with_bad_date().replace("\"LastUsedDate\":true", "\"LastUsedDate\":\"last week\"");
    write(dir.path(), "list-roles.json", &text);
    let e = load_with(dir.path(), &LoadOptions { strict: true, ..LoadOptions::default() }).unwrap_err();
    assert_eq!(e.json_path(), Some("Roles[1].RoleLastUsed.LastUsedDate"));
    assert!(e.to_string().contains("invalid timestamp `last week`"), "{e}");
}

#[test]
fn not_json_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a/list-roles.json", &format!(r#"{{"Roles":[{ROLE_A}]}}"#));
    write(dir.path(), "b/broken.json", "{\"Roles\": [ {\"Arn\": \"x\" \"RoleName\": \"y\"} ]}");
    let e = load(dir.path()).unwrap_err();
    match &e {
        IngestError::Json { path, line, column, .. } => {
            assert!(path.ends_with("b/broken.json"));
            assert_eq!((*line, *column), (1, 25));
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("broken.json` is not valid JSON: expected `,` or `}` at line 1 column 25"), "{e}");
    // The malformed CloudTrail sample is not JSON either.
    let e = load(sample("cloudtrail-stratus")).unwrap_err();
    assert!(e.to_string().contains("aws.execution.ec2-user-data.json` is not valid JSON"), "{e}");
}

#[test]
fn a_file_whose_top_level_has_the_wrong_shape_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "list-roles.json", r#"{"Roles": "none"}"#);
    let e = load(dir.path()).unwrap_err();
    assert_eq!(e.json_path(), Some("Roles"));
    assert!(e.to_string().contains("invalid type: string \"none\", expected a sequence"), "{e}");
}

#[test]
fn unknown_files_are_skipped_and_nothing_readable_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "notes.json", r#"{"hello": 1}"#);
    write(dir.path(), "list.json", "[1, 2]");
    write(dir.path(), "README.md", "not read");
    let e = load(dir.path()).unwrap_err();
    assert!(matches!(e, IngestError::NoExports { .. }), "{e:?}");
    assert!(matches!(load(dir.path().join("missing")).unwrap_err(), IngestError::NotFound { .. }));
    write(dir.path(), "111111111111/roles.json", &format!(r#"{{"Roles":[{ROLE_A}]}}"#));
    let l = load(dir.path()).unwrap();
    assert_eq!(l.files.len(), 3);
    assert!(
        l.warnings.iter().any(|w| w.contains("skipped `notes.json`: not an export rolegraph reads (top-level keys: `hello`)")),
        "{:?}",
        l.warnings
    );
    assert!(l.warnings.iter().any(|w| w.contains("skipped `list.json`: the top level is not a JSON object")));
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[test]
fn url_encoded_documents_and_invalid_policies() {
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"a+b c"}}}]}"#;
    let inline = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#;
    let invalid = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Permit","Action":"s3:*","Resource":"*"}]}"#;
    let text = format!(
        r#"{{"RoleDetailList":[{{"Path":"/","RoleName":"vendor","Arn":"arn:aws:iam::111111111111:role/vendor","AssumeRolePolicyDocument":"{}","RolePolicyList":[{{"PolicyName":"s3","PolicyDocument":"{}"}},{{"PolicyName":"bad","PolicyDocument":{invalid}}}],"AttachedManagedPolicies":[{{"PolicyName":"Gone","PolicyArn":"arn:aws:iam::111111111111:policy/Gone"}}],"InstanceProfileList":[]}}],"UserDetailList":[],"GroupDetailList":[],"Policies":[]}}"#,
        encode(trust),
        encode(inline)
    );
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "auth.json", &text);
    let l = load(dir.path()).unwrap();
    let s = &l.snapshot;
    let role = s.role("arn:aws:iam::111111111111:role/vendor").unwrap();
    let t = role.trust_policy.as_ref().unwrap();
    assert!(t.was_url_encoded());
    assert!(t.policy().is_some());
    assert!(t.json().contains("\"a+b c\""), "{}", t.json());
    let s3 = role.inline_policies.iter().find(|p| p.name == "s3").unwrap();
    assert!(s3.document.was_url_encoded() && s3.document.policy().is_some());
    // The invalid inline policy is kept raw and recorded with its file and JSON path.
    let bad = role.inline_policies.iter().find(|p| p.name == "bad").unwrap();
    assert!(bad.document.policy().is_none());
    assert!(bad.document.json().contains("Permit"));
    let gap = s.gaps.iter().find(|g| g.kind == GapKind::InvalidPolicy).unwrap();
    assert_eq!(gap.source, "auth.json at RoleDetailList[0].RolePolicyList[1].PolicyDocument");
    assert!(gap.what.contains("inline policy `bad` of role `arn:aws:iam::111111111111:role/vendor`"));
    assert!(gap.error.as_deref().unwrap().contains("/Statement/0/Effect"));
    // The attached policy whose document is missing.
    assert!(has_gap(s, GapKind::UnresolvedReference, "arn:aws:iam::111111111111:policy/Gone"));
}

#[test]
fn shared_documents_are_parsed_once() {
    let dir = tempfile::tempdir().unwrap();
    let roles: Vec<String> =
        (0..3).map(|i| ROLE_A.replace("role/a\"", &format!("role/a{i}\"")).replace("\"a\"", &format!("\"a{i}\""))).collect();
    write(dir.path(), "roles.json", &format!(r#"{{"Roles":[{}]}}"#, roles.join(",")));
    let l = load(dir.path()).unwrap();
    let a = only_account(&l.snapshot);
    assert_eq!(a.roles.len(), 3);
    let docs: Vec<&model::PolicyDoc> = a.roles.iter().map(|r| r.trust_policy.as_ref().unwrap()).collect();
    assert!(docs.windows(2).all(|w| w[0].shares_storage_with(w[1])));
}

#[test]
fn truncated_pages_are_a_gap_until_the_last_page_is_there() {
    let dir = tempfile::tempdir().unwrap();
    let page = |name: &str, truncated: bool| {
        format!(
            r#"{{"RoleDetailList":[{}],"UserDetailList":[],"GroupDetailList":[],"Policies":[],"IsTruncated":{truncated}{}}}"#,
            ROLE_A.replace("role/a\"", &format!("role/{name}\"")).replace("\"a\"", &format!("\"{name}\"")),
            if truncated { r#","Marker":"xyz""# } else { "" }
        )
    };
    write(dir.path(), "auth-1.json", &page("one", true));
    let l = load(dir.path()).unwrap();
    assert!(has_gap(&l.snapshot, GapKind::Truncated, "IsTruncated"));
    write(dir.path(), "auth-2.json", &page("two", false));
    let l = load(dir.path()).unwrap();
    assert!(!has_gap(&l.snapshot, GapKind::Truncated, "IsTruncated"));
    assert_eq!(only_account(&l.snapshot).roles.len(), 2);
}

#[test]
fn gzip_files_are_read() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(format!(r#"{{"Roles":[{ROLE_A}]}}"#).as_bytes()).unwrap();
    std::fs::write(dir.path().join("roles.json.gz"), enc.finish().unwrap()).unwrap();
    let l = load(dir.path()).unwrap();
    assert_eq!(l.files.first().map(|f| f.kind), Some(Some(ExportKind::ListRoles)));
    assert_eq!(only_account(&l.snapshot).roles.len(), 1);
}

#[test]
fn organization_from_cli_files_named_after_ids() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    write(
        r,
        "org/describe-organization.json",
        r#"{"Organization":{"Id":"o-abcdefghij","MasterAccountId":"999999999999","FeatureSet":"ALL"}}"#,
    );
    write(
        r,
        "org/list-roots.json",
        r#"{"Roots":[{"Id":"r-ab12","Name":"Root","Arn":"arn:aws:organizations::999999999999:root/o-abcdefghij/r-ab12"}]}"#,
    );
    write(r, "org/ous.r-ab12.json", r#"{"OrganizationalUnits":[{"Id":"ou-ab12-11111111","Name":"Workloads"}]}"#);
    write(r, "org/r-ab12/list-accounts-for-parent.json", r#"{"Accounts":[{"Id":"999999999999","Name":"management"}]}"#);
    write(
        r,
        "org/accounts.ou-ab12-11111111.json",
        r#"{"Accounts":[{"Id":"111111111111","Name":"production","Status":"ACTIVE"}]}"#,
    );
    write(
        r,
        "org/list-policies-scp.json",
        r#"{"Policies":[{"Id":"p-FullAWSAccess","Name":"FullAWSAccess","Type":"SERVICE_CONTROL_POLICY","AwsManaged":true},{"Id":"p-denyleave1","Name":"deny-leave","Type":"SERVICE_CONTROL_POLICY","AwsManaged":false}]}"#,
    );
    write(
        r,
        "org/describe-policy.p-denyleave1.json",
        r#"{"Policy":{"PolicySummary":{"Id":"p-denyleave1","Name":"deny-leave","Type":"SERVICE_CONTROL_POLICY","AwsManaged":false},"Content":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"organizations:LeaveOrganization\",\"Resource\":\"*\"}]}"}}"#,
    );
    write(r, "org/targets.p-denyleave1.json", r#"{"Targets":[{"TargetId":"r-ab12","Type":"ROOT"}]}"#);
    write(
        r,
        "org/p-FullAWSAccess/list-targets-for-policy.json",
        r#"{"Targets":[{"TargetId":"r-ab12"},{"TargetId":"ou-ab12-11111111"},{"TargetId":"111111111111"},{"TargetId":"999999999999"}]}"#,
    );
    write(r, "org/targets-unnamed.json", r#"{"Targets":[{"TargetId":"r-ab12"}]}"#);
    write(r, "111111111111/roles.json", &format!(r#"{{"Roles":[{ROLE_A}]}}"#));
    let l = load(r).unwrap();
    let s = &l.snapshot;
    let org = s.organization.as_ref().unwrap();
    assert_eq!(org.organizational_unit("ou-ab12-11111111").unwrap().parent_id.as_deref(), Some("r-ab12"));
    assert_eq!(org.account("111111111111").unwrap().parent_id.as_deref(), Some("ou-ab12-11111111"));
    let chain = s.org_policy_chain("111111111111", &OrgPolicyType::ServiceControlPolicy).unwrap();
    assert!(chain.complete, "{:?}", chain.unknown);
    let levels: Vec<(&str, usize)> = chain.levels.iter().map(|l| (l.node_id.as_str(), l.policies.len())).collect();
    assert_eq!(levels, vec![("r-ab12", 2), ("ou-ab12-11111111", 1), ("111111111111", 1)]);
    assert!(s.org_policy_chain("999999999999", &OrgPolicyType::ServiceControlPolicy).unwrap().exempt);
    assert_eq!(s.account("111111111111").unwrap().name.as_deref(), Some("production"));
    // The targets file with no policy id in its name is reported, not guessed.
    assert!(s.gaps.iter().any(|g| g.kind == GapKind::UnattributedData && g.source == "org/targets-unnamed.json"));
    assert!(l.warnings.iter().any(|w| w.contains("targets-unnamed.json")));
}

#[test]
fn organization_from_rolegraph_tree_file() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "organization.json",
        r#"{"RolegraphOrganization":{
            "Id":"o-abcdefghij","ManagementAccountId":"999999999999",
            "Roots":[{"Id":"r-ab12","Name":"Root"}],
            "OrganizationalUnits":[{"Id":"ou-ab12-11111111","Name":"Workloads","ParentId":"r-ab12"}],
            "Accounts":[{"Id":"111111111111","Name":"production","ParentId":"ou-ab12-11111111"},{"Id":"999999999999","Name":"management","ParentId":"r-ab12"}],
            "Policies":[
              {"Id":"p-FullAWSAccess","Name":"FullAWSAccess","Type":"SERVICE_CONTROL_POLICY","AwsManaged":true,"Targets":["r-ab12","ou-ab12-11111111","111111111111","999999999999"]},
              {"Id":"p-RCPFullAWSAccess","Name":"RCPFullAWSAccess","Type":"RESOURCE_CONTROL_POLICY","AwsManaged":true,"Targets":["r-ab12","ou-ab12-11111111","111111111111","999999999999"]},
              {"Id":"p-regions01","Name":"regions","Type":"SERVICE_CONTROL_POLICY","Content":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"NotAction\":\"iam:*\",\"Resource\":\"*\",\"Condition\":{\"StringNotEquals\":{\"aws:RequestedRegion\":\"eu-west-1\"}}}]}","Targets":["ou-ab12-11111111"]}
            ]}}"#,
    );
    write(dir.path(), "111111111111/roles.json", &format!(r#"{{"Roles":[{ROLE_A}]}}"#));
    let l = load(dir.path()).unwrap();
    let s = &l.snapshot;
    let chain = s.org_policy_chain("111111111111", &OrgPolicyType::ServiceControlPolicy).unwrap();
    assert!(chain.complete, "{:?}", chain.unknown);
    let ids: Vec<Vec<&str>> = chain.levels.iter().map(|l| l.policies.iter().map(|p| p.id.as_str()).collect()).collect();
    assert_eq!(ids, vec![vec!["p-FullAWSAccess"], vec!["p-FullAWSAccess", "p-regions01"], vec!["p-FullAWSAccess"]]);
    let rcp = s.org_policy_chain("111111111111", &OrgPolicyType::ResourceControlPolicy).unwrap();
    assert!(rcp.complete);
    assert!(rcp.levels.iter().all(|l| l.policies.iter().all(|p| p.document_from_aws_default)));
    assert!(!has_gap(s, GapKind::MissingData, "SCP"));
}

#[test]
fn corrupted_and_truncated_files_never_panic() {
    let sources = [
        sample("cloudmapper-demo/iam-get-account-authorization-details.json"),
        sample("cloudmapper-demo/iam-get-credential-report.json"),
        sample("moto-synthetic/organizations-describe-policy.json"),
        sample("moto-synthetic/ec2-describe-instances.json"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.json");
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut outcomes = (0, 0);
    for src in &sources {
        let bytes = std::fs::read(src).unwrap();
        for i in 0..60 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut b = bytes.clone();
            let at = (seed as usize) % b.len();
            if i % 2 == 0 {
                b.truncate(at);
            } else {
                let junk = b"{}[]\",:0a\\ \x00\xff";
                b[at] = junk[(seed >> 32) as usize % junk.len()];
            }
            std::fs::write(&path, &b).unwrap();
            match load_with(&path, &LoadOptions { threads: 1, ..LoadOptions::default() }) {
                Ok(_) => outcomes.0 += 1,
                Err(e) => {
                    assert!(e.to_string().contains("x.json"), "{e}");
                    outcomes.1 += 1;
                }
            }
        }
    }
    assert!(outcomes.0 > 0 && outcomes.1 > 0, "{outcomes:?}");
}

/// Authorization details of account 111111111111 with one role, user, group and policy, whose
/// policies are `ACTION` (a read-only copy, or `*`).
fn details_with(action: &str, extra_role: &str) -> String {
    let doc = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"{action}","Resource":"*"}},{{"Effect":"Deny","Action":"{action}","Resource":"arn:aws:s3:::only-in-{action}"}}]}}"#
    );
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    format!(
        r#"{{"RoleDetailList":[{extra_role}{{"Path":"/","RoleName":"app","RoleId":"AROA1","Arn":"arn:aws:iam::111111111111:role/app",
  "AssumeRolePolicyDocument":{trust},"RolePolicyList":[{{"PolicyName":"main","PolicyDocument":{doc}}}],"AttachedManagedPolicies":[],"InstanceProfileList":[]}}],
 "UserDetailList":[{{"Path":"/","UserName":"u","UserId":"AIDA1","Arn":"arn:aws:iam::111111111111:user/u","GroupList":[],"UserPolicyList":[{{"PolicyName":"main","PolicyDocument":{doc}}}],"AttachedManagedPolicies":[]}}],
 "GroupDetailList":[{{"Path":"/","GroupName":"g","GroupId":"AGPA1","Arn":"arn:aws:iam::111111111111:group/g","GroupPolicyList":[{{"PolicyName":"main","PolicyDocument":{doc}}}],"AttachedManagedPolicies":[]}}],
 "Policies":[{{"PolicyName":"p","PolicyId":"ANPA1","Arn":"arn:aws:iam::111111111111:policy/p","Path":"/","DefaultVersionId":"v1","IsAttachable":true,
  "PolicyVersionList":[{{"Document":{doc},"VersionId":"v1","IsDefaultVersion":true}}]}}]}}"#
    )
}

/// Issue 14: a role (user, group, policy) exported twice with different content kept the
/// first copy and dropped the other without a word: an `Action: *` copy behind a read-only one
/// disappeared. Now both files and JSON paths are named in a `conflicting_record` gap, and the
/// record's permissions are the union of both copies'.
#[test]
fn conflicting_duplicates_are_a_gap_and_their_union_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let other = r#"{"Path":"/","RoleName":"other","Arn":"arn:aws:iam::111111111111:role/other","RolePolicyList":[],"AttachedManagedPolicies":[],"InstanceProfileList":[]},"#;
    write(dir.path(), "a-read.json", &details_with("s3:GetObject", ""));
    write(dir.path(), "b-all.json", &details_with("*", other));
    let l = load(dir.path()).unwrap();
    let s = &l.snapshot;
    let conflicts: Vec<&model::Gap> = s.gaps.iter().filter(|g| g.kind == GapKind::ConflictingRecord).collect();
    assert_eq!(conflicts.len(), 4, "{conflicts:#?}");
    let role = conflicts.iter().find(|g| g.what.starts_with("role ")).unwrap();
    assert_eq!(role.source, "a-read.json at RoleDetailList[0]");
    assert_eq!(role.account.as_deref(), Some("111111111111"));
    assert!(
        role.what.contains("`arn:aws:iam::111111111111:role/app` appears twice with different inline policies")
            && role.what.contains("in `a-read.json` at RoleDetailList[0] and in `b-all.json` at RoleDetailList[1]"),
        "{}",
        role.what
    );
    for (what, at) in [("user", "UserDetailList[0]"), ("group", "GroupDetailList[0]"), ("managed policy", "Policies[0]")] {
        let g = conflicts.iter().find(|g| g.what.starts_with(what)).unwrap_or_else(|| panic!("{what}"));
        assert!(g.what.contains(&format!("in `a-read.json` at {at} and in `b-all.json` at {at}")), "{}", g.what);
    }
    // The union: both allows, and neither copy's own Deny (it would take away what the other
    // copy allows).
    let a = only_account(s);
    let docs: Vec<&str> = vec![
        a.role_by_name("app").unwrap().inline_policies[0].document.json(),
        a.user_by_name("u").unwrap().inline_policies[0].document.json(),
        a.groups[0].inline_policies[0].document.json(),
        a.policies[0].versions[0].document.json(),
    ];
    for d in docs {
        assert!(d.contains(r#""Action":"*""#) && d.contains(r#""Action":"s3:GetObject""#), "{d}");
        assert!(!d.contains("Deny"), "{d}");
    }
    // The same record twice with the same content is no conflict.
    let same = tempfile::tempdir().unwrap();
    write(same.path(), "a.json", &details_with("*", ""));
    write(same.path(), "b.json", &details_with("*", ""));
    assert!(!load(same.path()).unwrap().snapshot.gaps.iter().any(|g| g.kind == GapKind::ConflictingRecord));
}

#[test]
fn load_bytes_reads_one_file_in_memory_as_load_reads_it() {
    let text = details_with("s3:GetObject", "");
    let l =
        crate::load_bytes("acct/iam-get-account-authorization-details.json", text.as_bytes(), &LoadOptions::default()).unwrap();
    assert_eq!(only_account(&l.snapshot).roles.len(), 1);
    let e = crate::load_bytes("x.json", b"{\"Roles\": [", &LoadOptions::default()).unwrap_err();
    assert!(e.to_string().contains("x.json"), "{e}");
    assert!(crate::load_bytes("x.json", b"[1, 2]", &LoadOptions::default()).is_err(), "nothing recognised");
}

/// Issue 17: the resources of other services that the documented escalation paths take over
/// (CodeBuild projects, CloudFormation stacks, SageMaker notebooks, Glue development endpoints,
/// App Runner services, EC2 launch templates) are read from the AWS CLI's answers, with their
/// role, region and account; the listing commands that carry no role are named as not used.
#[test]
fn service_resources_from_the_cli_shapes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let profile = r#"{"Path":"/","InstanceProfileName":"web","InstanceProfileId":"AIPA1","Arn":"arn:aws:iam::111111111111:instance-profile/web","Roles":[]}"#;
    let details = details_with("s3:GetObject", "").replacen(
        r#""InstanceProfileList":[]"#,
        &format!(r#""InstanceProfileList":[{profile}]"#),
        1,
    );
    write(root, "111111111111/iam.json", &details);
    write(
        root,
        "111111111111/eu-west-1/codebuild.json",
        r#"{"projects":[
  {"name":"build","arn":"arn:aws:codebuild:eu-west-1:111111111111:project/build","serviceRole":"arn:aws:iam::111111111111:role/app","source":{"type":"GITHUB"}},
  {"name":"batch","arn":"arn:aws:codebuild:eu-west-1:111111111111:project/batch","serviceRole":"arn:aws:iam::111111111111:role/app","buildBatchConfig":{"serviceRole":"arn:aws:iam::111111111111:role/app"}}],
 "projectsNotFound":[]}"#,
    );
    write(
        root,
        "111111111111/stacks.json",
        r#"{"Stacks":[{"StackId":"arn:aws:cloudformation:us-east-1:111111111111:stack/net/1a2b","StackName":"net","RoleARN":"arn:aws:iam::111111111111:role/app","StackStatus":"CREATE_COMPLETE","CreationTime":"2024-01-01T00:00:00Z"},
 {"StackId":"arn:aws:cloudformation:us-east-1:111111111111:stack/plain/3c4d","StackName":"plain","StackStatus":"CREATE_COMPLETE","CreationTime":"2024-01-01T00:00:00Z"}]}"#,
    );
    write(
        root,
        "111111111111/notebook.json",
        r#"{"NotebookInstanceArn":"arn:aws:sagemaker:us-east-1:111111111111:notebook-instance/nb","NotebookInstanceName":"nb","NotebookInstanceStatus":"InService","RoleArn":"arn:aws:iam::111111111111:role/app"}"#,
    );
    write(
        root,
        "111111111111/us-west-2/glue.json",
        r#"{"DevEndpoints":[{"EndpointName":"dev","RoleArn":"arn:aws:iam::111111111111:role/app","Status":"READY"}]}"#,
    );
    write(
        root,
        "111111111111/apprunner.json",
        r#"{"Service":{"ServiceName":"web","ServiceId":"x","ServiceArn":"arn:aws:apprunner:us-east-1:111111111111:service/web/x","InstanceConfiguration":{"Cpu":"1024","InstanceRoleArn":"arn:aws:iam::111111111111:role/app"}}}"#,
    );
    write(
        root,
        "111111111111/eu-central-1/lt.json",
        r#"{"LaunchTemplateVersions":[
  {"LaunchTemplateId":"lt-1","LaunchTemplateName":"web","VersionNumber":1,"CreatedBy":"arn:aws:iam::111111111111:user/u","LaunchTemplateData":{"IamInstanceProfile":{"Name":"web"}}},
  {"LaunchTemplateId":"lt-1","LaunchTemplateName":"web","VersionNumber":2,"CreatedBy":"arn:aws:iam::111111111111:user/u","LaunchTemplateData":{"IamInstanceProfile":{"Arn":"arn:aws:iam::111111111111:instance-profile/web"}}},
  {"LaunchTemplateId":"lt-2","LaunchTemplateName":"bare","VersionNumber":1,"LaunchTemplateData":{}}]}"#,
    );
    // Listings without roles: recognised, not used, with the command to use instead.
    write(root, "111111111111/list-projects.json", r#"{"projects":["build","batch"]}"#);
    write(root, "111111111111/notebooks.json", r#"{"NotebookInstances":[{"NotebookInstanceName":"nb"}]}"#);
    let l = load(root).unwrap();
    let a = only_account(&l.snapshot);
    let by_name =
        |n: &str| a.service_resources.iter().find(|r| r.name == n).unwrap_or_else(|| panic!("{n}: {:?}", a.service_resources));
    let app = "arn:aws:iam::111111111111:role/app";

    let build = by_name("build");
    assert_eq!(
        (build.kind, build.region.as_deref(), build.role_arn.as_deref()),
        (model::ServiceKind::CodeBuildProject, Some("eu-west-1"), Some(app))
    );
    assert!(!build.batch_builds);
    assert!(by_name("batch").batch_builds);
    let net = by_name("net");
    assert_eq!(
        (net.kind, net.region.as_deref(), net.role_arn.as_deref()),
        (model::ServiceKind::CloudFormationStack, Some("us-east-1"), Some(app))
    );
    assert_eq!(by_name("plain").role_arn, None);
    assert_eq!(by_name("nb").kind, model::ServiceKind::SageMakerNotebook);
    // Glue gives no ARN: it is made from the account and the region of the file's folder.
    let dev = by_name("dev");
    assert_eq!(dev.arn, "arn:aws:glue:us-west-2:111111111111:devEndpoint/dev");
    assert_eq!(dev.region.as_deref(), Some("us-west-2"));
    assert_eq!(by_name("web").kind, model::ServiceKind::AppRunnerService);
    // One launch template per id, with every instance profile its versions name.
    let lts: Vec<_> = a.service_resources.iter().filter(|r| r.kind == model::ServiceKind::LaunchTemplate).collect();
    assert_eq!(lts.len(), 2, "{lts:?}");
    let lt = lts.iter().find(|r| r.name == "web").unwrap();
    assert_eq!(lt.arn, "arn:aws:ec2:eu-central-1:111111111111:launch-template/lt-1");
    assert_eq!(lt.instance_profiles, vec!["web".to_owned(), "arn:aws:iam::111111111111:instance-profile/web".to_owned()]);
    for k in [
        DataKind::CodeBuildProjects,
        DataKind::CloudFormationStacks,
        DataKind::SageMakerNotebooks,
        DataKind::GlueDevEndpoints,
        DataKind::AppRunnerServices,
        DataKind::Ec2LaunchTemplates,
    ] {
        assert!(a.has(k), "{k:?}");
    }
    // The role's uses name each resource (launch templates through the instance profile's role
    // only, and the profile has no role here).
    let uses = a.role_uses();
    let kinds: Vec<UseKind> = uses.get(app).unwrap().iter().map(|u| u.kind).collect();
    for k in [
        model::ServiceKind::CodeBuildProject,
        model::ServiceKind::CloudFormationStack,
        model::ServiceKind::SageMakerNotebook,
        model::ServiceKind::GlueDevEndpoint,
        model::ServiceKind::AppRunnerService,
    ] {
        assert!(kinds.contains(&UseKind::Service(k)), "{k:?} in {kinds:?}");
    }
    // Serialized as the kind alone, as the other uses are.
    assert_eq!(serde_json::to_value(UseKind::Service(model::ServiceKind::CodeBuildProject)).unwrap(), "code_build_project");
    let back: UseKind = serde_json::from_value(serde_json::json!("launch_template")).unwrap();
    assert_eq!(back, UseKind::Service(model::ServiceKind::LaunchTemplate));
    assert_eq!(serde_json::from_value::<UseKind>(serde_json::json!("ec2_instance")).unwrap(), UseKind::Ec2Instance);
    let summary = |p: &str| l.files.iter().find(|f| f.path == p).unwrap();
    assert_eq!(summary("111111111111/eu-west-1/codebuild.json").kind, Some(ExportKind::CodeBuildProjects));
    let skipped = summary("111111111111/list-projects.json");
    assert_eq!(skipped.kind, None);
    assert!(skipped.note.as_deref().is_some_and(|n| n.contains("batch-get-projects")), "{skipped:?}");
    let skipped = summary("111111111111/notebooks.json");
    assert!(skipped.note.as_deref().is_some_and(|n| n.contains("describe-notebook-instance")), "{skipped:?}");
}

#[test]
fn resource_policies_from_the_cli_shapes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let a = "111111111111";
    write(root, &format!("{a}/iam.json"), &details_with("s3:GetObject", ""));
    let bucket_policy = r#"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::acme-public/*\"}]}"#;
    // get-bucket-policy with rolegraph's `Arn`, and one without (inferred from the statements).
    write(
        root,
        &format!("{a}/s3/acme-data.policy.json"),
        &format!(r#"{{"Policy":"{}","Arn":"arn:aws:s3:::acme-data"}}"#, bucket_policy.replace("acme-public", "acme-data")),
    );
    write(root, &format!("{a}/s3/acme-public.policy.json"), &format!(r#"{{"Policy":"{bucket_policy}"}}"#));
    write(
        root,
        &format!("{a}/s3/acme-data.pab.json"),
        r#"{"PublicAccessBlockConfiguration":{"BlockPublicAcls":true,"IgnorePublicAcls":true,"BlockPublicPolicy":false,"RestrictPublicBuckets":true},"Arn":"arn:aws:s3:::acme-data"}"#,
    );
    write(root, &format!("{a}/s3control-pab.json"), r#"{"PublicAccessBlockConfiguration":{"BlockPublicPolicy":true}}"#);
    write(
        root,
        &format!("{a}/s3/acme-data.ownership.json"),
        r#"{"OwnershipControls":{"Rules":[{"ObjectOwnership":"BucketOwnerEnforced"}]},"Arn":"arn:aws:s3:::acme-data"}"#,
    );
    let key = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    write(
        root,
        &format!("{a}/kms/key-policy.json"),
        &format!(
            r#"{{"Policy":"{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Principal\":{{\"AWS\":\"arn:aws:iam::111111111111:root\"}},\"Action\":\"kms:*\",\"Resource\":\"*\"}}]}}","PolicyName":"default","Arn":"{key}"}}"#
        ),
    );
    write(
        root,
        &format!("{a}/kms/grants.json"),
        &format!(
            r#"{{"Grants":[{{"KeyId":"{key}","GrantId":"g1","Name":"","GranteePrincipal":"arn:aws:iam::222222222222:role/reader","Operations":["Decrypt"],"Constraints":{{"EncryptionContextSubset":{{"app":"x"}}}}}},{{"GrantId":"g2","Operations":["Encrypt"]}}],"Truncated":false}}"#
        ),
    );
    write(
        root,
        &format!("{a}/sqs.json"),
        r#"{"Attributes":{"QueueArn":"arn:aws:sqs:eu-west-1:111111111111:jobs","Policy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"333333333333\"},\"Action\":\"sqs:SendMessage\",\"Resource\":\"arn:aws:sqs:eu-west-1:111111111111:jobs\"}]}","VisibilityTimeout":"30"}}"#,
    );
    write(
        root,
        &format!("{a}/sns.json"),
        r#"{"Attributes":{"TopicArn":"arn:aws:sns:eu-west-1:111111111111:alerts","Owner":"111111111111"}}"#,
    );
    write(
        root,
        &format!("{a}/secret.json"),
        r#"{"ARN":"arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbC123","Name":"db","ResourcePolicy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111111111111:role/app\"},\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}]}"}"#,
    );
    write(
        root,
        &format!("{a}/eu-west-1/ecr.json"),
        r#"{"registryId":"111111111111","repositoryName":"team/app","policyText":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:BatchGetImage\"}]}"}"#,
    );
    write(
        root,
        &format!("{a}/lambda-policy.json"),
        r#"{"Policy":"{\"Version\":\"2012-10-17\",\"Id\":\"default\",\"Statement\":[{\"Sid\":\"s3\",\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"s3.amazonaws.com\"},\"Action\":\"lambda:InvokeFunction\",\"Resource\":\"arn:aws:lambda:eu-west-1:111111111111:function:thumbs\"}]}","RevisionId":"r1"}"#,
    );
    write(
        root,
        &format!("{a}/dynamodb.json"),
        r#"{"Policy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111111111111:root\"},\"Action\":\"dynamodb:GetItem\",\"Resource\":\"*\"}]}","RevisionId":"1","Arn":"arn:aws:dynamodb:eu-west-1:111111111111:table/orders"}"#,
    );
    // A policy that cannot be attributed, and one that does not parse.
    write(
        root,
        &format!("{a}/unknown-policy.json"),
        r#"{"Policy":"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:*\",\"Resource\":\"*\"}]}"}"#,
    );
    write(
        root,
        &format!("{a}/bad-policy.json"),
        r#"{"Policy":"{\"Statement\":[{\"Effect\":\"Maybe\"}]}","Arn":"arn:aws:sqs:eu-west-1:111111111111:bad"}"#,
    );
    let l = load(root).unwrap();
    let acct = only_account(&l.snapshot);
    let arns: Vec<&str> = acct.resources.iter().map(|r| r.arn.as_str()).collect();
    assert_eq!(
        arns,
        [
            "arn:aws:dynamodb:eu-west-1:111111111111:table/orders",
            "arn:aws:ecr:eu-west-1:111111111111:repository/team/app",
            key,
            "arn:aws:lambda:eu-west-1:111111111111:function:thumbs",
            "arn:aws:s3:::acme-data",
            "arn:aws:s3:::acme-public",
            "arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbC123",
            "arn:aws:sns:eu-west-1:111111111111:alerts",
            "arn:aws:sqs:eu-west-1:111111111111:bad",
            "arn:aws:sqs:eu-west-1:111111111111:jobs",
        ]
    );
    let data = acct.resource("arn:aws:s3:::acme-data").unwrap();
    assert_eq!((data.account_id.as_str(), data.name.as_str()), (a, "acme-data"), "a bucket takes its folder's account");
    assert!(data.policy.as_ref().unwrap().policy().is_some());
    assert!(data.public_access_block.unwrap().restrict_public_buckets);
    assert_eq!(data.object_ownership.as_deref(), Some("BucketOwnerEnforced"));
    assert!(data.source.ends_with("acme-data.policy.json at Policy"), "{}", data.source);
    assert!(acct.s3_public_access_block.unwrap().block_public_policy);
    assert!(l.warnings.iter().any(|w| w.contains("acme-public.policy.json") && w.contains("add `\"Arn\"`")), "{:?}", l.warnings);
    let k = acct.resource(key).unwrap();
    assert_eq!(k.grants.len(), 1);
    assert_eq!(k.grants.first().unwrap().grantee_principal.as_deref(), Some("arn:aws:iam::222222222222:role/reader"));
    assert!(k.policy.is_some());
    assert!(acct.resource("arn:aws:sns:eu-west-1:111111111111:alerts").unwrap().policy.is_none(), "a topic without a policy");
    assert_eq!(acct.resource("arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbC123").unwrap().name, "db");
    assert_eq!(
        acct.resource("arn:aws:ecr:eu-west-1:111111111111:repository/team/app").unwrap().region.as_deref(),
        Some("eu-west-1")
    );
    for k in DataKind::RESOURCE_POLICIES {
        assert!(acct.has(k), "{k:?}");
    }
    let s = &l.snapshot;
    assert!(has_gap(s, GapKind::UnattributedData, "does not say whose it is"), "{:?}", s.gaps);
    assert!(has_gap(s, GapKind::MalformedRecord, "Grants[1].KeyId"), "{:?}", s.gaps);
    assert!(
        s.gaps.iter().any(|g| g.kind == GapKind::InvalidPolicy && g.source.ends_with("bad-policy.json at Policy")),
        "{:?}",
        s.gaps
    );
    assert!(!has_gap(s, GapKind::MissingData, "resource-based policies"), "every kind was read: {:?}", s.gaps);
}

#[test]
fn accounts_without_resource_policies_have_a_gap() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "111111111111/iam.json", &details_with("s3:GetObject", ""));
    write(dir.path(), "111111111111/sqs.json", r#"{"Attributes":{"QueueArn":"arn:aws:sqs:eu-west-1:111111111111:jobs"}}"#);
    let l = load(dir.path()).unwrap();
    let g: Vec<&model::Gap> = l.snapshot.gaps.iter().filter(|g| g.what.contains("resource-based policies")).collect();
    assert_eq!(g.len(), 1, "{g:?}");
    assert!(g.first().unwrap().what.contains("S3 buckets, KMS keys, Lambda functions, SNS topics"), "{g:?}");
    assert!(!g.first().unwrap().what.contains("SQS"), "{g:?}");
}
