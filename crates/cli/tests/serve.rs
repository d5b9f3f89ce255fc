//! `rolegraph serve`: refuses a non-loopback address without a token (exit 2), and on the demo
//! prints its address and answers the API on it, with `--trail` the usage endpoints too.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a test stops at the first unexpected value"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

#[test]
fn non_loopback_needs_a_token() {
    let out = Command::new(env!("CARGO_BIN_EXE_rolegraph"))
        .args(["serve", "demo", "--bind", "0.0.0.0"])
        .current_dir(ROOT)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("requires `--token`"));
    assert!(out.stdout.is_empty());
}

#[test]
fn serves_the_demo_on_a_free_port() {
    let server = Server::start(&["serve", "demo", "--port", "0"]);
    assert!(server.addr.starts_with("127.0.0.1:"), "{}", server.addr);
    let resp = http_get(&server.addr, "/api/accounts");
    drop(server);
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(resp.contains("\"schema_version\":1") && resp.contains("security-tooling"), "{resp}");
}

/// The server listens before it reads the exports; exports it cannot read end it with the
/// loader's error (the file and the JSON path) and exit code 2, as other commands do. A folder
/// that does not exist is refused before it listens.
#[test]
fn unreadable_exports_end_the_server_with_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let account = dir.path().join("111111111111");
    std::fs::create_dir(&account).unwrap();
    std::fs::write(account.join("iam-get-account-authorization-details.json"), r#"{"RoleDetailList": [{"RoleName": 5}"#).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_rolegraph"))
        .args(["serve", dir.path().to_str().unwrap(), "--port", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("listening on http://127.0.0.1:"), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("reading the exports"), "{stderr}");
    assert!(
        stderr.contains("iam-get-account-authorization-details.json") && stderr.contains("RoleDetailList[0].RoleName"),
        "{stderr}"
    );
    let missing =
        Command::new(env!("CARGO_BIN_EXE_rolegraph")).args(["serve", "no-such-folder", "--port", "0"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(missing.stdout.is_empty(), "it did not listen");
    assert!(String::from_utf8_lossy(&missing.stderr).contains("does not exist"));
}

/// A started `rolegraph serve` and the address it printed; killed (by its process id) and
/// reaped when dropped, so a failed assertion leaves no server behind.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rolegraph"))
            .args(args)
            .current_dir(ROOT)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let addr = line.trim().strip_prefix("listening on http://").unwrap_or_else(|| panic!("first line: {line}")).to_owned();
        Server { child, addr }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn http_get(addr: &str, path: &str) -> String {
    http_get_as(addr, addr, path)
}

fn http_get_as(addr: &str, host: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(60))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    resp
}

/// Issue 14, points 3 and 7: a `Host` the server is not reached by (DNS rebinding) gets 421
/// unless `--allowed-host` names it, and `?token=` is compared percent-decoded.
#[test]
fn answers_its_own_hosts_and_a_percent_encoded_token() {
    let server = Server::start(&["serve", "demo", "--port", "0", "--token", "s3cret/+ é", "--allowed-host", "rolegraph.test"]);
    let port = server.addr.rsplit(':').next().unwrap().to_owned();
    let api = "/api/accounts?token=s3cret%2F+%20%C3%A9";
    let own = http_get(&server.addr, api);
    let localhost = http_get_as(&server.addr, &format!("localhost:{port}"), api);
    let named = http_get_as(&server.addr, "rolegraph.test", api);
    let rebound = http_get_as(&server.addr, &format!("evil.example:{port}"), api);
    let plain = http_get(&server.addr, "/api/accounts?token=s3cret/+%20%C3%A9");
    let wrong = http_get(&server.addr, "/api/accounts?token=s3cret%2F%20%20%C3%A9");
    drop(server);
    for (what, r) in [("own", &own), ("localhost", &localhost), ("allowed", &named), ("unencoded slash", &plain)] {
        assert!(r.starts_with("HTTP/1.1 200") && r.contains("security-tooling"), "{what}: {r}");
    }
    assert!(rebound.starts_with("HTTP/1.1 421") && !rebound.contains("security-tooling"), "{rebound}");
    assert!(wrong.starts_with("HTTP/1.1 401"), "{wrong}");
}

/// Issue 14, point 4: idle half-open connections (here 64: a request line and part of the
/// headers, then nothing) neither stop the server from answering nor stay open: the server
/// closes them after its header-read timeout (10 s).
#[test]
fn half_open_connections_are_answered_around_and_closed() {
    let server = Server::start(&["serve", "demo", "--port", "0"]);
    let mut idle: Vec<TcpStream> = (0..64)
        .map(|_| {
            let mut s = TcpStream::connect(&server.addr).unwrap();
            s.write_all(b"GET /api/accounts HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ").unwrap();
            s
        })
        .collect();
    let start = std::time::Instant::now();
    let resp = http_get(&server.addr, "/api/accounts");
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(start.elapsed() < std::time::Duration::from_secs(5), "answered after {:?}", start.elapsed());
    let s = &mut idle[0];
    s.set_read_timeout(Some(std::time::Duration::from_secs(30))).unwrap();
    let mut buf = [0u8; 256];
    let closed = match s.read(&mut buf) {
        Ok(_) => true,
        Err(e) => !matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut),
    };
    drop(server);
    assert!(closed, "an idle connection was still open after {:?}", start.elapsed());
}

#[test]
fn serves_the_newest_stored_snapshot_without_a_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("history.db");
    let db = db.to_str().unwrap();
    // No database yet: a clear error, before anything is served.
    let out = Command::new(env!("CARGO_BIN_EXE_rolegraph")).args(["serve", "--db", db]).current_dir(ROOT).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no database"), "{}", String::from_utf8_lossy(&out.stderr));
    // Nor without a folder or database at the default place.
    let out = Command::new(env!("CARGO_BIN_EXE_rolegraph"))
        .args(["serve"])
        .env("XDG_DATA_HOME", tmp.path())
        .current_dir(ROOT)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("rolegraph.db"), "{}", String::from_utf8_lossy(&out.stderr));

    let add = Command::new(env!("CARGO_BIN_EXE_rolegraph"))
        .args(["snapshot", "add", "demo", "--label", "first", "--db", db, "--no-reach"])
        .current_dir(ROOT)
        .output()
        .unwrap();
    assert!(add.status.success(), "{add:?}");
    let server = Server::start(&["serve", "--db", db, "--port", "0"]);
    let snapshots = http_get(&server.addr, "/api/snapshots");
    let accounts = http_get(&server.addr, "/api/accounts");
    let diff = http_get(&server.addr, "/api/diff");
    drop(server);
    assert!(
        snapshots.contains("\"history\":true") && snapshots.contains("\"served\":1") && snapshots.contains("\"first\""),
        "{snapshots}"
    );
    // The stored snapshot is what the other endpoints show.
    assert!(accounts.starts_with("HTTP/1.1 200") && accounts.contains("security-tooling"), "{accounts}");
    // One snapshot: no diff yet, and the error says why.
    assert!(diff.starts_with("HTTP/1.1 404") && diff.contains("a diff needs two"), "{diff}");
}

#[test]
fn serves_the_usage_of_a_trail() {
    let server = Server::start(&[
        "serve",
        "demo",
        "--port",
        "0",
        "--trail",
        "demo/cloudtrail/acme-org-trail-2026-09-to-11.jsonl",
        "--until",
        "2026-11-20T08:00:00Z",
    ]);
    let trail = http_get(&server.addr, "/api/trail");
    let used = http_get(&server.addr, "/api/role/orders-processor-lambda/usage");
    let unused = http_get(&server.addr, "/api/findings?rule=unused-permissions&limit=1000");
    drop(server);
    assert!(trail.contains("\"trail\":true") && trail.contains("\"window_to\":\"2026-11-20T08:00:00Z\""), "{trail}");
    assert!(used.starts_with("HTTP/1.1 200") && used.contains("\"action\":\"dynamodb:PutItem\""), "{used}");
    // The findings are those of `scan --trail`, which compare granted with used.
    assert!(unused.contains("\"total\":13") && unused.contains("used 4 of its 12 granted actions"), "{unused}");
}
