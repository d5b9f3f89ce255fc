#!/usr/bin/env python3
"""Slow clients against `rolegraph serve` (docs/benchmarks.md, "Hardening"): opens N connections
that send a request line and half a header and then nothing, times one normal request, and
counts how many of the idle connections the server closes within WAIT seconds.

Usage: scripts/slow-clients.py HOST:PORT N [WAIT]   (127.0.0.1 only: it is a load test)
"""

import socket
import sys
import time


def main() -> int:
    host, port = sys.argv[1].rsplit(":", 1)
    port, n = int(port), int(sys.argv[2])
    wait = float(sys.argv[3]) if len(sys.argv) > 3 else 60.0
    if host not in ("127.0.0.1", "localhost", "::1"):
        print("loopback only", file=sys.stderr)
        return 2
    idle = []
    for _ in range(n):
        s = socket.create_connection((host, port))
        s.sendall(b"GET /api/accounts HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        idle.append(s)
    start = time.time()
    s = socket.create_connection((host, port), timeout=60)
    s.sendall(f"GET /api/accounts HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
    head = s.recv(12)
    print(f"{n} half-open connections: a request answered in {1000 * (time.time() - start):.1f} ms ({head!r})")
    start = time.time()
    closed = 0
    for c in idle:
        c.settimeout(max(0.01, wait - (time.time() - start)))
        try:
            c.recv(100)
            closed += 1
        except socket.timeout:
            pass
        except OSError:
            closed += 1
    print(f"{closed} of {n} closed by the server within {time.time() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
