//! `rolegraph roles DIR`: one row per role (name, account, kinds, who it trusts, how many
//! resources run as it, its highest privilege, when it was last used), sortable and filterable;
//! `--json` prints the rows with the snapshot's gaps (`access::record::RolesReport`).

use std::path::PathBuf;
use std::process::ExitCode;

use access::RoleKind;
use access::privilege::PrivilegeLevel;
use access::record::{RoleSummary, UseStatus};
use access::trust::TrustCategory;
use anyhow::{Result, bail};

use crate::cmd::load;
use crate::output::{errln, out};
use crate::render::table::Table;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SortKey {
    Name,
    Account,
    Kind,
    Privilege,
    LastUsed,
    Resources,
}

#[derive(clap::Args)]
pub struct Args {
    /// The folder of AWS CLI exports (see docs/export-formats.md).
    dir: PathBuf,
    /// Sort by: name, account, kind, privilege (highest first), last-used (least recently used
    /// first), resources (most first).
    #[arg(long, value_enum, default_value = "account")]
    sort: SortKey,
    /// Only roles of this kind: ec2, lambda, ecs, service, cross-account, same-account, saml,
    /// oidc, service-linked, sso. Repeat for any of several.
    #[arg(long = "kind", value_name = "KIND")]
    kinds: Vec<String>,
    /// Only roles of this account (id or name).
    #[arg(long, value_name = "ID_OR_NAME")]
    account: Option<String>,
    /// Only roles trusted by: service, same-account, org, external, vendor, oidc, saml, everyone.
    /// Repeat for any of several.
    #[arg(long = "trusted-by", value_name = "WHO")]
    trusted_by: Vec<String>,
    /// Only roles at this privilege level or higher: none, list, read, write,
    /// permissions-management, privilege-escalation, admin.
    #[arg(long, value_name = "LEVEL")]
    privilege: Option<String>,
    /// Only roles known to be unused for DAYS days (never used, or last used earlier).
    #[arg(long, value_name = "DAYS")]
    unused: Option<u32>,
    /// The reference time of `--unused` (RFC 3339 or YYYY-MM-DD; default: now).
    #[arg(long, value_name = "TIME")]
    as_of: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

fn parse_all<T>(values: &[String], what: &str, parse: impl Fn(&str) -> Option<T>, valid: &[&str]) -> Result<Vec<T>> {
    values
        .iter()
        .map(|v| match parse(v) {
            Some(x) => Ok(x),
            None => bail!("unknown {what} `{v}`; expected one of: {}", valid.join(", ")),
        })
        .collect()
}

pub fn run(args: Args) -> Result<ExitCode> {
    let kinds = parse_all(&args.kinds, "kind", RoleKind::parse, &RoleKind::ALL.map(RoleKind::as_str))?;
    let trusted = parse_all(
        &args.trusted_by,
        "`--trusted-by` value",
        TrustCategory::parse,
        &TrustCategory::ALL.map(TrustCategory::as_str),
    )?;
    let levels = PrivilegeLevel::ALL.map(PrivilegeLevel::as_str);
    let privilege = parse_all(args.privilege.as_slice(), "privilege level", PrivilegeLevel::parse, &levels)?.into_iter().next();
    let now = load::as_of(args.as_of.as_deref())?;
    let snapshot = load::snapshot(&args.dir)?;
    if let Some(a) = &args.account
        && !snapshot.accounts.iter().any(|x| x.id == *a || x.display_name() == a)
    {
        let known: Vec<String> = snapshot.accounts.iter().map(|x| format!("{} ({})", x.id, x.display_name())).collect();
        bail!("no account `{a}` in the exports; accounts: {}", known.join(", "));
    }

    let mut report = analysis::Analysis::new(&snapshot).summaries();
    let mut unknown_use = 0;
    report.roles.retain(|r| {
        let keep = (kinds.is_empty() || r.kinds.iter().any(|k| kinds.contains(k)))
            && (trusted.is_empty() || r.trusted_by.iter().any(|t| trusted.contains(t)))
            && args.account.as_ref().is_none_or(|a| r.account_id == *a || r.account_name.as_deref() == Some(a))
            && privilege.is_none_or(|p| r.privilege.at_least(p));
        if !keep {
            return false;
        }
        match args.unused {
            None => true,
            Some(days) => match r.last_used.unused_for(i64::from(days), now) {
                Some(u) => u,
                None => {
                    unknown_use += 1;
                    false
                }
            },
        }
    });
    if unknown_use > 0 {
        errln!("note: {unknown_use} roles left out of `--unused`: when they were last used is not in the exports");
    }
    sort(&mut report.roles, args.sort);

    if args.json {
        crate::output::json(&report)?;
    } else {
        out!("{}", render(&report.roles));
    }
    Ok(ExitCode::SUCCESS)
}

fn last_used_key(r: &RoleSummary) -> (u8, Option<model::Timestamp>) {
    match r.last_used.status {
        UseStatus::Never => (0, None),
        UseStatus::Used => (1, r.last_used.date),
        UseStatus::Unknown => (2, None),
    }
}

fn sort(rows: &mut [RoleSummary], key: SortKey) {
    // Every order ends with the ARN, so that it is total and deterministic.
    match key {
        SortKey::Name => rows.sort_by(|a, b| (&a.name, &a.arn).cmp(&(&b.name, &b.arn))),
        SortKey::Account => rows.sort_by(|a, b| (&a.account_id, &a.name, &a.arn).cmp(&(&b.account_id, &b.name, &b.arn))),
        SortKey::Kind => rows.sort_by(|a, b| (&a.kinds, &a.name, &a.arn).cmp(&(&b.kinds, &b.name, &b.arn))),
        SortKey::Privilege => rows.sort_by(|a, b| {
            (b.privilege.rank(), b.privilege, &a.name, &a.arn).cmp(&(a.privilege.rank(), a.privilege, &b.name, &b.arn))
        }),
        SortKey::LastUsed => rows.sort_by(|a, b| (last_used_key(a), &a.name, &a.arn).cmp(&(last_used_key(b), &b.name, &b.arn))),
        SortKey::Resources => rows.sort_by(|a, b| (b.resources, &a.name, &a.arn).cmp(&(a.resources, &b.name, &b.arn))),
    }
}

fn render(rows: &[RoleSummary]) -> String {
    if rows.is_empty() {
        return "no role matches\n".into();
    }
    let mut t = Table::new(&["NAME", "ACCOUNT", "KIND", "TRUSTED BY", "USED BY", "PRIVILEGE", "LAST USED"]);
    let mut conditional = false;
    let mut incomplete = false;
    for r in rows {
        let account = match &r.account_name {
            Some(n) => format!("{n} ({})", r.account_id),
            None => r.account_id.clone(),
        };
        let kinds: Vec<&str> = r.kinds.iter().map(|k| k.as_str()).collect();
        let mut privilege = r.privilege.as_str().to_owned();
        if r.privilege_conditional {
            privilege.push('?');
            conditional = true;
        }
        if !r.complete {
            privilege.push('!');
            incomplete = true;
        }
        t.row(vec![
            r.name.clone(),
            account,
            if kinds.is_empty() { "-".into() } else { kinds.join(",") },
            if r.trusted.is_empty() { "-".into() } else { r.trusted.join(", ") },
            r.resources.to_string(),
            privilege,
            r.last_used.short(),
        ]);
    }
    let mut out = t.render();
    out.push_str(&format!("{} roles\n", rows.len()));
    if conditional {
        out.push_str("?  the level holds only under conditions (see `rolegraph role`)\n");
    }
    if incomplete {
        out.push_str("!  some of the role's policies are not in the exports: the level may be higher\n");
    }
    out
}
