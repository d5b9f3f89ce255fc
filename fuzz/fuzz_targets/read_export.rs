//! The readers of AWS CLI exports never panic, whatever the bytes: a file is read, skipped, or an
//! error naming it. The first byte picks the file's name among the names that tell exports
//! apart (some outputs are recognised by their file name), the rest is its content (plain, or
//! gzipped when it starts with the gzip magic).
#![no_main]

use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &[
    "iam-get-account-authorization-details.json",
    "111122223333/iam-list-roles.json",
    "organizations-list-policies-for-target.ou-ab12-cdef3456.json",
    "organizations-list-children.r-ab12.json",
    "organizations-describe-policy.p-abcd1234.json",
    "ecs-describe-task-definition.json",
    "iam-get-service-last-accessed-details.some-role.json",
    "rolegraph-collection.json",
    "export.json.gz",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, content)) = data.split_first() else { return };
    let name = NAMES.get(usize::from(pick) % NAMES.len()).copied().unwrap_or("x.json");
    for strict in [false, true] {
        if let Ok(loaded) = ingest::load_bytes(name, content, &ingest::LoadOptions { strict, threads: 1 }) {
            // What was read serialises (the store and `--json` write it).
            let _ = serde_json::to_vec(&loaded.snapshot);
        }
    }
});
