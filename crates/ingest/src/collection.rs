//! rolegraph's record of a live collection (`rolegraph collect` writes it next to the exports):
//! the kinds of data gathered per account, and every API call that failed, each becoming a
//! `missing_data` gap with the account, region, call and error, shown in every report.

use model::{DataKind, Gap, GapKind};

use crate::raw::RawCollection;

/// The kinds collected per account; the failed calls go to `gaps`.
pub fn convert(record: Option<RawCollection>, gaps: &mut Vec<Gap>, warnings: &mut Vec<String>) -> Vec<(String, Vec<DataKind>)> {
    let Some(record) = record else { return Vec::new() };
    for g in record.gaps {
        let call = format!("{}:{}", g.service, g.operation);
        let source = match &g.region {
            Some(r) => format!("{call} in {r}"),
            None => call.clone(),
        };
        let what = format!("the call `{call}` failed during collection: what it returns is missing");
        let error = match (g.error_code, g.error_message) {
            (Some(c), Some(m)) if !m.is_empty() => format!("{c}: {m}"),
            (Some(c), _) => c,
            (None, Some(m)) => m,
            (None, None) => "unknown error".to_owned(),
        };
        gaps.push(Gap::new(g.account.as_deref(), GapKind::MissingData, source, what).with_error(error));
    }
    record
        .accounts
        .into_iter()
        .filter(|a| crate::kind::is_account_id(&a.id))
        .map(|a| {
            let kinds = a
                .collected
                .iter()
                .filter_map(|k| match serde_json::from_value::<DataKind>(serde_json::Value::String(k.clone())) {
                    Ok(kind) => Some(kind),
                    Err(_) => {
                        warnings.push(format!("collection record: unknown kind of data `{k}` for account `{}`", a.id));
                        None
                    }
                })
                .collect();
            (a.id, kinds)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use model::{DataKind, GapKind};

    fn write(dir: &std::path::Path, rel: &str, text: &str) {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn failed_calls_become_gaps_and_empty_kinds_count_as_collected() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "111111111111/iam-list-roles.json",
            r#"{"Roles":[{"Arn":"arn:aws:iam::111111111111:role/a","RoleName":"a","MaxSessionDuration":3600}]}"#,
        );
        write(
            dir.path(),
            "rolegraph-collection.json",
            r#"{"RolegraphCollection":{
                "Accounts":[{"Id":"111111111111","Collected":["ecs_task_definitions","ecs_services","no_such_kind"]}],
                "Gaps":[{"Account":"111111111111","Region":"eu-west-1","Service":"ec2","Operation":"DescribeInstances",
                         "ErrorCode":"UnauthorizedOperation","ErrorMessage":"You are not authorized"},
                        {"Service":"organizations","Operation":"ListRoots","ErrorCode":"AccessDeniedException"}]}}"#,
        );
        let loaded = crate::load(dir.path()).unwrap();
        let s = &loaded.snapshot;
        let gap = s.gaps.iter().find(|g| g.source == "ec2:DescribeInstances in eu-west-1").unwrap();
        assert_eq!(gap.account.as_deref(), Some("111111111111"));
        assert_eq!(gap.kind, GapKind::MissingData);
        assert_eq!(gap.error.as_deref(), Some("UnauthorizedOperation: You are not authorized"));
        let org = s.gaps.iter().find(|g| g.source == "organizations:ListRoots").unwrap();
        assert_eq!(org.account, None);
        assert_eq!(org.error.as_deref(), Some("AccessDeniedException"));
        let a = s.accounts.iter().find(|a| a.id == "111111111111").unwrap();
        assert!(a.has(DataKind::EcsTaskDefinitions) && a.has(DataKind::EcsServices));
        // Collected (empty) kinds are not reported missing; the others still are.
        let missing: Vec<&str> = s.gaps.iter().filter(|g| g.kind == GapKind::MissingData).map(|g| g.source.as_str()).collect();
        assert!(!missing.contains(&"aws ecs describe-task-definition"), "{missing:?}");
        assert!(missing.contains(&"aws lambda list-functions"), "{missing:?}");
        assert!(loaded.warnings.iter().any(|w| w.contains("`no_such_kind`")));
        let file = loaded.files.iter().find(|f| f.path == "rolegraph-collection.json").unwrap();
        assert_eq!(file.kind, Some(crate::ExportKind::RolegraphCollection));
    }
}
