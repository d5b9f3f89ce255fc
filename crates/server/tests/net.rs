//! Issue 14, points 3 and 4: the server on a real socket (127.0.0.1 only, a free port) answers
//! only its own `Host` values, closes connections that send no request in time, and keeps
//! answering while its connection cap is held by idle clients.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a test stops at the first unexpected value"
)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use model::Timestamp;
use rolegraph_server::{AllowedHosts, AppState, Limits, app};

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo");

fn demo() -> Arc<AppState> {
    static STATE: OnceLock<Arc<AppState>> = OnceLock::new();
    STATE
        .get_or_init(|| {
            Arc::new(AppState::new(ingest::load(DEMO).unwrap().snapshot, Timestamp::parse("2026-11-20T08:00:00Z").unwrap()))
        })
        .clone()
}

/// Starts a server on 127.0.0.1 with `limits` on a runtime of its own thread; returns its
/// address. The thread ends with the test process.
fn start(limits: Limits, allowed: &[&str]) -> SocketAddr {
    let allowed: Vec<String> = allowed.iter().map(|s| (*s).to_owned()).collect();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async move {
            let (listener, local) = rolegraph_server::bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
            let hosts = AllowedHosts::new(local, &allowed).unwrap();
            tx.send(local).unwrap();
            rolegraph_server::net::serve(listener, app(demo(), None, hosts), limits).await.unwrap();
        });
    });
    rx.recv_timeout(Duration::from_secs(60)).unwrap()
}

/// Sends a request with this `Host` and returns the status line, within `limit`.
fn status(addr: SocketAddr, host: &str, limit: Duration) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(limit)).unwrap();
    write!(s, "GET /api/accounts HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut resp = String::new();
    let _ = s.read_to_string(&mut resp);
    resp.lines().next().unwrap_or_default().to_owned()
}

#[test]
fn only_the_hosts_it_is_reached_by_are_answered() {
    let addr = start(Limits::default(), &["rolegraph.test"]);
    let port = addr.port();
    let wait = Duration::from_secs(20);
    for host in [format!("127.0.0.1:{port}"), format!("localhost:{port}"), "rolegraph.test".to_owned()] {
        assert_eq!(status(addr, &host, wait), "HTTP/1.1 200 OK", "{host}");
    }
    // A page of evil.example whose name was rebound to 127.0.0.1.
    for host in [format!("evil.example:{port}"), "evil.example".to_owned(), format!("localhost:{}", port.wrapping_add(1))] {
        assert_eq!(status(addr, &host, wait), "HTTP/1.1 421 Misdirected Request", "{host}");
    }
    // An absolute request URI must name an allowed host too.
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(wait)).unwrap();
    write!(s, "GET http://evil.example/api/accounts HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n").unwrap();
    let mut resp = String::new();
    let _ = s.read_to_string(&mut resp);
    assert!(resp.starts_with("HTTP/1.1 421"), "{resp}");
    assert!(resp.to_ascii_lowercase().contains("content-security-policy"), "security headers on the refusal too: {resp}");
}

/// Connections that send a partial request and then nothing.
fn half_open(addr: SocketAddr, n: usize) -> Vec<TcpStream> {
    (0..n)
        .map(|_| {
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(b"GET /api/accounts HTTP/1.1\r\nHost: 127.0.0.1\r\n").unwrap();
            s
        })
        .collect()
}

#[test]
fn idle_connections_are_closed_and_the_cap_frees_up() {
    let limits = Limits { max_connections: 4, header_timeout: Duration::from_millis(500), io_timeout: Duration::from_secs(2) };
    let addr = start(limits, &[]);
    let host = format!("127.0.0.1:{}", addr.port());
    // Four idle clients hold every connection; a fifth waits in the backlog until the header
    // timeout closes them, and is answered.
    let mut idle = half_open(addr, 4);
    std::thread::sleep(Duration::from_millis(100));
    let start = Instant::now();
    assert_eq!(status(addr, &host, Duration::from_secs(20)), "HTTP/1.1 200 OK");
    assert!(start.elapsed() < Duration::from_secs(10), "answered after {:?}", start.elapsed());
    // The idle clients were closed by the server (read returns end of file, or a reset, well
    // before the client's own timeout).
    for s in &mut idle {
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut buf = [0u8; 512];
        let start = Instant::now();
        match s.read(&mut buf) {
            Ok(_) => {}
            Err(e) => {
                assert!(!matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut), "still open: {e}")
            }
        }
        assert!(start.elapsed() < Duration::from_secs(9));
    }
    // A kept-alive connection that goes idle after a response is closed too.
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "GET /api/accounts HTTP/1.1\r\nHost: {host}\r\n\r\n").unwrap();
    let start = Instant::now();
    let mut all = Vec::new();
    let mut buf = [0u8; 65536];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => all.extend_from_slice(&buf[..n]),
            Err(e) => panic!("not closed after {:?}: {e}", start.elapsed()),
        }
    }
    assert!(all.starts_with(b"HTTP/1.1 200"));
    assert!(start.elapsed() < Duration::from_secs(9));
}
