//! `rolegraph serve`: refuses a non-loopback address without a token (exit 2), and on the demo
//! prints its address and answers the API on it.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

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
    let mut child = Command::new(env!("CARGO_BIN_EXE_rolegraph"))
        .args(["serve", "demo", "--port", "0"])
        .current_dir(ROOT)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line.trim().strip_prefix("listening on http://").unwrap_or_else(|| panic!("first line: {line}")).to_owned();
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");
    let mut s = TcpStream::connect(&addr).unwrap();
    write!(s, "GET /api/accounts HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(resp.contains("\"schema_version\":1") && resp.contains("security-tooling"), "{resp}");
}
