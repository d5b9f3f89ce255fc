//! The network side of `rolegraph serve`: which `Host` values it answers (a defence against DNS
//! rebinding), and how many connections it keeps and for how long (a defence against slow and
//! idle clients).
//!
//! DNS rebinding: a web page the user visits can make a name of its own resolve to 127.0.0.1
//! and read a loopback server as same-origin. The browser still sends the page's name in
//! `Host`, so the server answers only the names it is reached by: `localhost`, IP literals that
//! are loopback or its bound address (any IP literal when bound to `0.0.0.0` or `::`: an IP
//! literal cannot be rebound), each on its port, and the names given with `--allowed-host`.
//! Anything else gets `421 Misdirected Request`.
//!
//! Slow clients: connections are served by hyper directly, with a header-read timeout (the
//! time from the connection, or from the end of the last response, to the end of a request's
//! headers: it also closes idle kept-alive connections), an I/O timeout (a read or write that
//! waits longer without progress fails: a client that stops reading a response), and a cap on
//! open connections (past it, new connections wait in the listen backlog until one closes).

use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::time::Sleep;

use crate::ServeError;

/// How long and how many connections are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Open connections at most; more wait in the listen backlog.
    pub max_connections: usize,
    /// From the connection (or the end of the last response) to the end of the next request's
    /// headers.
    pub header_timeout: Duration,
    /// The longest a read or a write may wait without any progress.
    pub io_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_connections: 512, header_timeout: Duration::from_secs(10), io_timeout: Duration::from_secs(30) }
    }
}

/// A host name and optional port, lower-cased, without a trailing dot or IPv6 brackets.
fn split_host(text: &str) -> Option<(String, Option<u16>)> {
    let text = text.trim();
    let (name, port) = if let Some(rest) = text.strip_prefix('[') {
        let (ip, after) = rest.split_once(']')?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':')?.parse().ok()?),
        };
        (ip, port)
    } else {
        match text.rsplit_once(':') {
            // An IPv6 literal without brackets has no port.
            Some((n, _)) if n.contains(':') => (text, None),
            Some((n, p)) => (n, Some(p.parse().ok()?)),
            None => (text, None),
        }
    };
    let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    if name.is_empty() || name.contains(['/', '@', '\\', ' ', '?', '#']) {
        return None;
    }
    Some((name, port))
}

/// The `Host` values a server answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllowedHosts {
    bound: IpAddr,
    port: u16,
    /// From `--allowed-host`: a name, and the port it must come with (any when `None`, as a
    /// reverse proxy may drop it).
    names: Vec<(String, Option<u16>)>,
}

impl AllowedHosts {
    /// The hosts of a server bound to `local` (its actual address, port included), and the
    /// names given with `--allowed-host` (`NAME` or `NAME:PORT`).
    pub fn new(local: SocketAddr, extra: &[String]) -> Result<AllowedHosts, ServeError> {
        let mut names = Vec::new();
        for e in extra {
            match split_host(e) {
                Some(n) if !e.contains("://") => names.push(n),
                _ => return Err(ServeError::BadHost(e.clone())),
            }
        }
        Ok(AllowedHosts { bound: local.ip(), port: local.port(), names })
    }

    /// Whether a request whose `Host` is `host` is answered.
    pub fn allows(&self, host: &str) -> bool {
        let Some((name, port)) = split_host(host) else { return false };
        let our_port = port == Some(self.port) || (port.is_none() && self.port == 80);
        if let Ok(ip) = name.parse::<IpAddr>() {
            return our_port && (ip.is_loopback() || ip == self.bound || self.bound.is_unspecified());
        }
        if name == "localhost" {
            return our_port;
        }
        self.names.iter().any(|(n, p)| *n == name && p.is_none_or(|p| port == Some(p)))
    }
}

/// Serves `router` on `listener` until the process ends, within `limits`.
pub async fn serve(listener: TcpListener, router: Router, limits: Limits) -> Result<(), ServeError> {
    let permits = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout).keep_alive(true);
    loop {
        // The semaphore is never closed: `acquire_owned` cannot fail.
        let Ok(permit) = permits.clone().acquire_owned().await else { continue };
        let stream = match listener.accept().await {
            Ok((s, _)) => s,
            // Out of file descriptors, or a connection reset before it was accepted: wait a
            // little rather than spin, and go on.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let io = TokioIo::new(Stall::new(stream, limits.io_timeout));
        let conn = http.serve_connection(io, TowerToHyperService::new(router.clone()));
        tokio::spawn(async move {
            // Errors are the client's (a reset, a timeout, a malformed request): nothing to do.
            let _ = conn.await;
            drop(permit);
        });
    }
}

/// A stream whose reads and writes fail with `TimedOut` after waiting `timeout` without
/// progress. The clock runs only while an operation is pending, so time the server spends
/// computing a response does not count.
pub struct Stall<T> {
    inner: T,
    timeout: Duration,
    reading: Option<Pin<Box<Sleep>>>,
    writing: Option<Pin<Box<Sleep>>>,
}

impl<T> Stall<T> {
    pub fn new(inner: T, timeout: Duration) -> Stall<T> {
        Stall { inner, timeout, reading: None, writing: None }
    }
}

/// The result of an operation on the inner stream, with the clock of its direction: stopped on
/// progress, started when it first waits, an error when it runs out.
fn clocked<R>(
    clock: &mut Option<Pin<Box<Sleep>>>,
    timeout: Duration,
    cx: &mut Context<'_>,
    poll: Poll<io::Result<R>>,
) -> Poll<io::Result<R>> {
    match poll {
        Poll::Ready(r) => {
            *clock = None;
            Poll::Ready(r)
        }
        Poll::Pending => {
            let sleep = clock.get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
            if sleep.as_mut().poll(cx).is_ready() {
                *clock = None;
                return Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, "no progress: the client is too slow")));
            }
            Poll::Pending
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Stall<T> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_read(cx, buf);
        clocked(&mut this.reading, this.timeout, cx, poll)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Stall<T> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_write(cx, buf);
        clocked(&mut this.writing, this.timeout, cx, poll)
    }

    fn poll_write_vectored(self: Pin<&mut Self>, cx: &mut Context<'_>, bufs: &[io::IoSlice<'_>]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        clocked(&mut this.writing, this.timeout, cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_flush(cx);
        clocked(&mut this.writing, this.timeout, cx, poll)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_shutdown(cx);
        clocked(&mut this.writing, this.timeout, cx, poll)
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    fn hosts(bind: &str, extra: &[&str]) -> AllowedHosts {
        let extra: Vec<String> = extra.iter().map(|s| (*s).to_owned()).collect();
        AllowedHosts::new(bind.parse().unwrap(), &extra).unwrap()
    }

    #[test]
    fn loopback_answers_its_own_names_on_its_port_only() {
        let h = hosts("127.0.0.1:8080", &[]);
        for ok in ["127.0.0.1:8080", "localhost:8080", "LOCALHOST:8080", "localhost.:8080", "[::1]:8080", "127.0.0.2:8080"] {
            assert!(h.allows(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:8080",
            "127.0.0.1",
            "localhost:80",
            "127.0.0.1:9090",
            "10.0.0.1:8080",
            "",
            "[::1]",
            "a@127.0.0.1:8080",
            "localhost:8080/x",
        ] {
            assert!(!h.allows(bad), "{bad}");
        }
    }

    #[test]
    fn allowed_hosts_and_other_binds() {
        let h = hosts("127.0.0.1:8080", &["rolegraph.internal", "proxy.example:443"]);
        assert!(h.allows("rolegraph.internal") && h.allows("rolegraph.internal:8080") && h.allows("Rolegraph.Internal:1"));
        assert!(h.allows("proxy.example:443") && !h.allows("proxy.example") && !h.allows("proxy.example:8080"));
        let any = hosts("0.0.0.0:8080", &[]);
        assert!(any.allows("192.168.1.5:8080") && any.allows("[fe80::1]:8080") && !any.allows("intranet:8080"));
        let lan = hosts("192.168.1.5:8080", &[]);
        assert!(lan.allows("192.168.1.5:8080") && lan.allows("localhost:8080") && !lan.allows("192.168.1.6:8080"));
        let web = hosts("127.0.0.1:80", &[]);
        assert!(web.allows("localhost") && web.allows("127.0.0.1"));
        for bad in ["", "http://x", "a/b", "x:notaport"] {
            assert!(AllowedHosts::new("127.0.0.1:1".parse().unwrap(), &[bad.to_owned()]).is_err(), "{bad}");
        }
    }

    /// A client that stops reading: the server's write fails once it has waited `timeout`.
    #[tokio::test]
    async fn a_stalled_write_times_out() {
        let (server, _client) = tokio::io::duplex(64);
        let mut s = Stall::new(server, Duration::from_millis(200));
        let start = std::time::Instant::now();
        let r = s.write_all(&[0u8; 4096]).await;
        assert_eq!(r.unwrap_err().kind(), io::ErrorKind::TimedOut);
        assert!(start.elapsed() < Duration::from_secs(5));
        // Progress restarts the clock: a reader that keeps reading, slowly, is never cut.
        let (server, mut client) = tokio::io::duplex(64);
        let mut s = Stall::new(server, Duration::from_millis(200));
        let reader = tokio::spawn(async move {
            let mut buf = vec![0u8; 8192];
            let mut n = 0;
            while n < 4000 {
                tokio::time::sleep(Duration::from_millis(20)).await;
                n += client.read(&mut buf).await.unwrap();
            }
        });
        s.write_all(&[0u8; 4000]).await.unwrap();
        reader.await.unwrap();
    }
}
