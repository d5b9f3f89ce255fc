//! `rolegraph serve [DIR] [--db PATH]`: listens at once, then loads the exports (or, without
//! DIR, the newest snapshot of the history database), computes every role's summary and the
//! findings, and serves the web UI and its JSON API (`rolegraph-server`) on 127.0.0.1, on a
//! free port unless `--port` is given; until the analysis is done, `/api/status` and the
//! pages say what it is doing. With a database, the UI also shows a role's history and what
//! changed between two stored snapshots. With `--trail`, CloudTrail is read once at start: the findings
//! are those of `scan --trail` and the role page shows what the role used and who assumed it.
//! Prints `listening on http://ADDR` on stdout, ADDR the address it is bound to. Another address
//! than loopback needs `--token`; the server is read-only and answers only the `Host` values it
//! is reached by (`localhost`, its addresses, and the names of `--allowed-host`).

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use store::Store;

use crate::cmd::{load, scan};
use crate::output::errln;

#[derive(clap::Args)]
pub struct Args {
    /// The folder of AWS CLI exports (see docs/export-formats.md). Without it, the newest
    /// snapshot of the history database is shown (or the one `--snapshot` names).
    dir: Option<PathBuf>,
    /// The history database, for a role's history and diffs between snapshots (default, when
    /// DIR is not given: `$XDG_DATA_HOME/rolegraph/rolegraph.db`, else
    /// `~/.local/share/rolegraph/rolegraph.db`). It must exist: `rolegraph snapshot add` makes it.
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Without DIR: the stored snapshot to show (an id or a label) instead of the newest.
    #[arg(long, value_name = "REF", conflicts_with = "dir")]
    snapshot: Option<String>,
    /// The port (0: any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// The address to listen on; anything but loopback requires `--token`.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Require this token on the API (`Authorization: Bearer T` or `?token=T`).
    #[arg(long, value_name = "T")]
    token: Option<String>,
    /// Also answer requests for this host name (`NAME` or `NAME:PORT`), e.g. the name of a
    /// reverse proxy; repeat for several. Without it, only `localhost` and the server's IP
    /// addresses are answered (a defence against DNS rebinding).
    #[arg(long = "allowed-host", value_name = "NAME")]
    allowed_hosts: Vec<String>,
    /// The time rules count days from (RFC 3339); by default the newest time in the exports.
    #[arg(long, value_name = "TIME")]
    now: Option<String>,
    #[command(flatten)]
    trail: crate::cmd::usage::OptionalTrail,
}

/// The database to open: `--db`, else (without DIR) the default one.
fn db_path(args: &Args) -> Result<Option<PathBuf>> {
    match (&args.db, &args.dir) {
        (Some(p), _) => Ok(Some(p.clone())),
        (None, Some(_)) => Ok(None),
        (None, None) => store::default_path()
            .map(Some)
            .context("no folder and no database: give DIR or `--db PATH` (no data directory: set HOME or XDG_DATA_HOME)"),
    }
}

pub fn run(args: Args) -> Result<ExitCode> {
    // Refuse a bad address or host name before the (slow) load.
    server::check_bind(args.bind, args.token.as_deref())?;
    server::AllowedHosts::new(SocketAddr::new(args.bind, args.port), &args.allowed_hosts)?;
    let db = match db_path(&args)? {
        Some(p) => Some(Store::open_existing(&p)?),
        None => None,
    };
    // What to show: checked here (a folder that is not one, a database without the snapshot,
    // a bad `--now` fail before the server exists); read in the background.
    let (dir, served) = match (&args.dir, &db) {
        (Some(dir), _) => {
            if !dir.is_dir() {
                // Fails with the loader's own message.
                load::snapshot(dir)?;
            }
            (Some(dir.clone()), None)
        }
        (None, Some(db)) => {
            let info = match &args.snapshot {
                Some(r) => db.resolve(r)?,
                None => match db.latest() {
                    Ok(i) => i,
                    Err(_) => bail!("`{}` holds no snapshot: `rolegraph snapshot add DIR` first", db.path().display()),
                },
            };
            (None, Some(info))
        }
        (None, None) => bail!("give a folder of exports or `--db PATH`"),
    };
    if let Some(info) = &served {
        errln!("showing stored snapshot {}", super::snapshot::describe(info));
    }
    if args.now.is_some() {
        scan::pick_now(&model::Snapshot::default(), args.now.as_deref())?;
    }
    let usage = args.trail.read()?;
    let given_now = args.now.clone();
    // Reading the exports and the analysis run in the background: the server listens at once.
    // A snapshot that cannot be read ends the server with the error, as other commands do.
    let build = move |phase: &server::Phase| {
        phase.set("reading the exports");
        let read = match (&dir, &served, &db) {
            (Some(dir), _, _) => load::snapshot(dir),
            (None, Some(info), Some(db)) => db.snapshot(info.id).map_err(anyhow::Error::from),
            _ => Err(anyhow::anyhow!("give a folder of exports or `--db PATH`")),
        };
        let (snapshot, now) = match read.and_then(|s| Ok((scan::pick_now(&s, given_now.as_deref())?, s))) {
            Ok((now, s)) => {
                errln!("analysing {} roles", s.roles().count());
                (s, now)
            }
            Err(e) => {
                crate::output::error(&e);
                std::process::exit(2);
            }
        };
        let state = server::AppState::analysed(std::sync::Arc::new(snapshot), now, usage, phase);
        match db {
            Some(db) => state.with_history(db, served),
            None => state,
        }
    };
    let progress = move |w: server::Warmup| match w {
        server::Warmup::Started => errln!("pages show the progress, and load when the analysis is done"),
        server::Warmup::Phase(p) => errln!("  {p}"),
        server::Warmup::Ready(t) => errln!("analysis ready in {:.1} s", t.as_secs_f64()),
    };
    let addr = SocketAddr::new(args.bind, args.port);
    let listen = server::Listen {
        token: args.token.clone(),
        allowed_hosts: args.allowed_hosts.clone(),
        limits: server::Limits::default(),
    };
    server::run_blocking_lazy(
        build,
        addr,
        &listen,
        |local| {
            let mut out = crate::output::stdout();
            let _ = writeln!(out, "{}", listening_line(local));
            let _ = out.flush();
        },
        progress,
    )?;
    Ok(ExitCode::SUCCESS)
}

/// The start-up line: the address the server is bound to, as is (`0.0.0.0:8080`, `[::1]:8080`).
fn listening_line(local: SocketAddr) -> String {
    format!("listening on http://{local}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 14: with `--bind 0.0.0.0` the line named 127.0.0.1, an address it was not bound to.
    #[test]
    fn the_start_up_line_names_the_bound_address() {
        let line = |a: &str| listening_line(a.parse().unwrap());
        assert_eq!(line("0.0.0.0:8080"), "listening on http://0.0.0.0:8080");
        assert_eq!(line("[::]:8080"), "listening on http://[::]:8080");
        assert_eq!(line("[::1]:8080"), "listening on http://[::1]:8080");
        assert_eq!(line("127.0.0.1:1"), "listening on http://127.0.0.1:1");
    }
}
