//! Loading a folder of exports for the commands that read one, with what the load skipped and
//! what the snapshot lacks reported on stderr; and finding the one role a user names.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use model::{Gap, Role, Snapshot, Timestamp};

/// Loads the exports under `dir`: warnings and a short summary of the gaps go to stderr.
pub fn snapshot(dir: &Path) -> Result<Snapshot> {
    let loaded = ingest::load(dir).with_context(|| format!("cannot load the exports in `{}`", dir.display()))?;
    for w in &loaded.warnings {
        crate::output::note("warning", w);
    }
    crate::output::note_lines(&gap_summary(&loaded.snapshot.gaps));
    Ok(loaded.snapshot)
}

/// A few lines on what the snapshot does not know: counts by kind, and the first gaps.
pub fn gap_summary(gaps: &[Gap]) -> String {
    if gaps.is_empty() {
        return String::new();
    }
    let mut by_kind: BTreeMap<String, usize> = BTreeMap::new();
    for g in gaps {
        let kind = serde_json::to_value(g.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        *by_kind.entry(kind.replace('_', " ")).or_default() += 1;
    }
    let counts: Vec<String> = by_kind.iter().map(|(k, n)| format!("{n} {k}")).collect();
    let mut out = format!("gaps: {} ({}); the results may be incomplete\n", gaps.len(), counts.join(", "));
    const SHOWN: usize = 5;
    for g in gaps.iter().take(SHOWN) {
        out.push_str(&format!("  - {}\n", model::Safe(&g.to_string())));
    }
    if gaps.len() > SHOWN {
        out.push_str(&format!("  ... and {} more (see `--json`)\n", gaps.len() - SHOWN));
    }
    out
}

/// The one role a query names (an ARN, a name, `ACCOUNT/NAME`); several or none is an error
/// that lists the candidates.
pub fn find_role<'a>(snapshot: &'a Snapshot, query: &str) -> Result<&'a Role> {
    let mut found = snapshot.find_roles(query);
    if found.is_empty()
        && let Some(arn) = policy::Arn::parse(query)
        && let Some(account) = snapshot.account(arn.account)
    {
        // An ARN written without the role's path.
        found.extend(account.resolve_role(query));
    }
    match found.as_slice() {
        [one] => Ok(one),
        [] => bail!("no role `{}` in the exports", model::Safe(query)),
        many => {
            let list: Vec<String> = many.iter().map(|r| format!("  {}", model::Safe(&r.arn))).collect();
            bail!("`{}` names {} roles; give an ARN or ACCOUNT/NAME:\n{}", model::Safe(query), many.len(), list.join("\n"))
        }
    }
}

/// Parses `--as-of` (RFC 3339 or a date), defaulting to now.
pub fn as_of(text: Option<&str>) -> Result<Timestamp> {
    match text {
        Some(t) => Timestamp::parse(t).with_context(|| format!("`{t}` is not a date or time (RFC 3339)")),
        None => Ok(Timestamp(chrono::Utc::now())),
    }
}

/// A date as `YYYY-MM-DD`.
pub fn date(t: &Timestamp) -> String {
    t.0.format("%Y-%m-%d").to_string()
}
