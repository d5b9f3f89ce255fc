//! The project's own evaluation corpus: cases written from AWS's documentation, one JSON case per
//! line in `tests/cases/*.jsonl` (the `rolegraph eval --batch` format plus `expected` and the
//! `doc` that supports it). Every case must agree.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a test stops at the first unexpected value"
)]

use rolegraph_eval::Case;

#[test]
fn documented_cases_agree() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cases");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut count = 0;
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{}:{}: {e}", f.display(), i + 1));
            let expected = v["expected"].as_str().unwrap_or_else(|| panic!("{}:{}: no expected", f.display(), i + 1));
            assert!(
                v["doc"].as_str().is_some_and(|d| !d.is_empty()),
                "{}:{}: every case cites its documentation",
                f.display(),
                i + 1
            );
            let case = Case::from_json(&v).unwrap_or_else(|e| panic!("{}:{}: {e}", f.display(), i + 1));
            let d = case.evaluate();
            count += 1;
            if d.outcome.as_str() != expected {
                failures.push(format!(
                    "{}:{} {:?}: expected {expected}, got {} (allowed if {}; could not evaluate {:?})",
                    f.display(),
                    i + 1,
                    case.name,
                    d.outcome.as_str(),
                    d.allowed_if,
                    d.could_not_evaluate
                ));
            }
        }
    }
    assert!(count >= 40, "the corpus has {count} cases");
    assert!(failures.is_empty(), "{} of {count} cases disagree:\n{}", failures.len(), failures.join("\n"));
}
