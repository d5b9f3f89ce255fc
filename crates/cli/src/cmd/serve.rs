//! `rolegraph serve DIR`: loads the exports once, computes every role's summary and the
//! findings, and serves the web UI and its JSON API (`rolegraph-server`) on 127.0.0.1, on a free
//! port unless `--port` is given. Prints `listening on http://ADDR` on stdout. Another address
//! than loopback needs `--token`; the server is read-only.

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use crate::cmd::{load, scan};

#[derive(clap::Args)]
pub struct Args {
    /// The folder of AWS CLI exports (see docs/export-formats.md).
    dir: PathBuf,
    /// The port (0: any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// The address to listen on; anything but loopback requires `--token`.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Require this token on the API (`Authorization: Bearer T` or `?token=T`).
    #[arg(long, value_name = "T")]
    token: Option<String>,
    /// The time rules count days from (RFC 3339); by default the newest time in the exports.
    #[arg(long, value_name = "TIME")]
    now: Option<String>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    // Refuse a bad address before the (slow) load.
    server::check_bind(args.bind, args.token.as_deref())?;
    let snapshot = load::snapshot(&args.dir)?;
    let now = scan::pick_now(&snapshot, args.now.as_deref())?;
    let state = server::AppState::new(snapshot, now);
    let addr = SocketAddr::new(args.bind, args.port);
    server::run_blocking(state, addr, args.token.as_deref(), |local| {
        let host = if local.ip().is_unspecified() { "127.0.0.1".to_owned() } else { local.ip().to_string() };
        let host = if local.is_ipv6() && !local.ip().is_unspecified() { format!("[{host}]") } else { host };
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on http://{host}:{}", local.port());
        let _ = out.flush();
    })?;
    Ok(ExitCode::SUCCESS)
}
