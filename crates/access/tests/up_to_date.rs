//! The committed `data/*.json` must be what `cargo run -p xtask -- access-data` generates from
//! `shared/data`: a stale file fails here, and so does a missing `shared/`.

use std::path::Path;

use rolegraph_access::build;

fn shared(sub: &str) -> std::path::PathBuf {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")).join(sub);
    assert!(dir.is_dir(), "`{}` is missing: the shared data must sit beside the workspace", dir.display());
    dir
}

#[test]
fn known_accounts_are_up_to_date() {
    let generated = build::known_accounts_from_dir(&shared("known-accounts")).unwrap();
    assert!(generated.accounts.len() > 200);
    assert!(
        build::known_accounts_json(&generated) == rolegraph_access::known::embedded_text(),
        "crates/access/{} is stale: run `cargo run -p xtask -- access-data`",
        build::KNOWN_ACCOUNTS_FILE
    );
}

#[test]
fn privileged_actions_are_up_to_date() {
    let generated = build::privileged_actions_from_dir(&shared("privileged-actions")).unwrap();
    assert!(generated.privilege_escalation.iter().any(|a| a == "iam:passrole"));
    assert!(
        build::privileged_actions_json(&generated) == rolegraph_access::lists::embedded_text(),
        "crates/access/{} is stale: run `cargo run -p xtask -- access-data`",
        build::PRIVILEGED_ACTIONS_FILE
    );
}
