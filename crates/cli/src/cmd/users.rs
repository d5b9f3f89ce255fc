//! `rolegraph users DIR`: users and their credentials from the credential report (access key
//! age and last use, console passwords without MFA, the root user's keys and recent use).
//! `--json` prints `access::users::UsersReport`.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use access::users::{AccessKey, UserCredentials, UsersReport, users_report};
use anyhow::Result;
use model::Safe;

use crate::cmd::load;
use crate::output::out;
use crate::render::table::Table;

#[derive(clap::Args)]
pub struct Args {
    /// The folder of AWS CLI exports (see docs/export-formats.md).
    dir: PathBuf,
    /// The reference time for ages when a credential report has no generation time
    /// (RFC 3339 or YYYY-MM-DD; default: now).
    #[arg(long, value_name = "TIME")]
    as_of: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let now = load::as_of(args.as_of.as_deref())?;
    let snapshot = load::snapshot(&args.dir)?;
    let report = users_report(&snapshot, Some(now));
    if args.json {
        crate::output::json(&report)?;
    } else {
        out!("{}", render(&report));
    }
    Ok(ExitCode::SUCCESS)
}

fn key_text(k: &AccessKey) -> String {
    let mut s = format!("#{}", k.slot);
    if !k.active {
        s.push_str(" inactive");
        return s;
    }
    if let Some(age) = k.age_days {
        let _ = write!(s, " {age}d old");
    }
    match (&k.last_used, k.last_used_days) {
        (Some(_), Some(d)) => {
            let _ = write!(s, ", used {d}d ago");
            if let Some(svc) = &k.last_used_service {
                let _ = write!(s, " ({svc})");
            }
        }
        (Some(t), None) => {
            let _ = write!(s, ", used {}", load::date(t));
        }
        (None, _) => s.push_str(", never used"),
    }
    s
}

fn yes_no(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "yes",
        Some(false) => "no",
        None => "-",
    }
}

fn row(u: &UserCredentials) -> Vec<String> {
    let keys: Vec<String> = u.access_keys.iter().map(key_text).collect();
    let flags: Vec<&str> = u.flags.iter().map(|f| f.as_str()).collect();
    vec![
        if u.root { "<root>".into() } else { u.name.clone() },
        if u.in_report { yes_no(u.password_enabled).into() } else { "?".into() },
        if u.in_report { yes_no(Some(u.mfa_active)).into() } else { "?".into() },
        u.password_last_used.as_ref().map_or_else(|| "-".into(), load::date),
        if keys.is_empty() { "-".into() } else { keys.join("; ") },
        if flags.is_empty() { "-".into() } else { flags.join(", ") },
    ]
}

fn render(r: &UsersReport) -> String {
    let mut out = String::new();
    for a in &r.accounts {
        let name = a.account_name.as_deref().map(|n| format!("{} ", Safe(n))).unwrap_or_default();
        let _ = write!(out, "Account {name}({})", Safe(&a.account_id));
        match (&a.as_of, a.has_report) {
            (Some(t), true) => {
                let _ = writeln!(out, ": credential report as of {}", load::date(t));
            }
            (_, true) => out.push_str(": credential report\n"),
            (_, false) => out.push_str(": no credential report in the exports\n"),
        }
        if a.users.is_empty() {
            out.push_str("  no users\n\n");
            continue;
        }
        let mut t = Table::new(&["  USER", "PASSWORD", "MFA", "PASSWORD USED", "ACCESS KEYS", "FLAGS"]);
        for u in &a.users {
            let mut cells = row(u);
            if let Some(first) = cells.first_mut() {
                *first = format!("  {first}");
            }
            t.row(cells);
        }
        out.push_str(&t.render());
        out.push('\n');
    }
    if r.accounts.is_empty() {
        out.push_str("no accounts\n");
    }
    out
}
