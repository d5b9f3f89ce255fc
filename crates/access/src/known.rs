//! Known vendor accounts: the public AWS account ids of SaaS vendors (Datadog, Wiz, ...) and of
//! AWS services, so that a trust policy naming `464622532012` reads "Datadog" rather than "an
//! external account". The data is fwdcloudsec/known_aws_accounts (Apache-2.0), converted by
//! `cargo run -p xtask -- access-data` into `data/known-accounts.json` and embedded.

use std::sync::OnceLock;

use crate::build::{KnownAccount, KnownAccountsFile};

static EMBEDDED: &str = include_str!("../data/known-accounts.json");

/// The embedded file's text, for the staleness test.
pub fn embedded_text() -> &'static str {
    EMBEDDED
}

fn file() -> &'static KnownAccountsFile {
    static FILE: OnceLock<KnownAccountsFile> = OnceLock::new();
    // The embedded file is checked by this crate's tests; should it not decode anyway, no
    // account is known, which only loses names.
    FILE.get_or_init(|| {
        serde_json::from_str(EMBEDDED).unwrap_or_else(|_| KnownAccountsFile { source: String::new(), accounts: Vec::new() })
    })
}

/// The vendor (or AWS service) that publishes an account id, if known.
pub fn lookup(account_id: &str) -> Option<&'static KnownAccount> {
    let accounts = &file().accounts;
    accounts.binary_search_by(|a| a.id.as_str().cmp(account_id)).ok().and_then(|i| accounts.get(i))
}

/// The vendor names of an account id (empty when unknown).
pub fn vendor_names(account_id: &str) -> &'static [String] {
    lookup(account_id).map_or(&[], |a| a.names.as_slice())
}

/// How many accounts are known.
pub fn count() -> usize {
    file().accounts.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_vendors_by_account() {
        assert!(count() > 200, "{}", count());
        assert_eq!(vendor_names("464622532012"), ["Datadog"]);
        assert_eq!(vendor_names("454464851268"), ["Cloudhealth"]);
        assert!(vendor_names("111122223333").is_empty());
        assert!(lookup("not an id").is_none());
        // Entries upstream marks `enabled: false` are left out.
        assert!(lookup("858827067514").is_none());
        // AWS's own accounts are marked.
        let aws = file().accounts.iter().filter(|a| a.aws).count();
        assert!(aws >= 5, "{aws}");
    }

    #[test]
    fn embedded_file_is_sorted() {
        let ids: Vec<&str> = file().accounts.iter().map(|a| a.id.as_str()).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted);
    }
}
