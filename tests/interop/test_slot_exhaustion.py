#!/usr/bin/env python3
"""Half-open floods do not lock honest clients out (Debian's python3,
stdlib only).  1,000 connections send a request head one byte per second
(never finishing it) and are held open; meanwhile new honest clients of
sse_server (1,000 slots) and demo_server (512) must be served within a
second: each asserts 2 s, a generous bound, because the loopback and the
CPU are shared with the flood, this script and whatever else runs.  The
servers give a slot held by an unfinished head to a new connection (the
slowest head is answered 408); with no such slot they answer 503.

    tests/interop/test_slot_exhaustion.py [BUILD_DIR]
"""
import os
import resource
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wsx_peer import Server, Suite, build_dir  # noqa: E402

T = Suite()
EX = os.path.join(build_dir(), "examples")
FLOOD = 1000
HONEST_MAX_S = 2.0
PARTIAL = b"GET /events HTTP/1.1\r\nHost: slow\r\nX-Slow: "


class Flood:
    """FLOOD connections, each sending one more byte of an endless head
    every second (a thread), reconnecting none: evicted ones stay closed."""

    def __init__(self, port):
        self.socks = []
        for _ in range(FLOOD):
            s = socket.socket()
            s.setblocking(False)
            try:
                s.connect(("127.0.0.1", port))
            except BlockingIOError:
                pass
            self.socks.append(s)
        self.stop_ev = threading.Event()
        self.pos = 0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop_ev.is_set():
            byte = PARTIAL[self.pos:self.pos + 1] if self.pos < len(PARTIAL) else b"x"
            self.pos += 1
            for s in self.socks:
                try:
                    s.send(byte)
                except OSError:
                    pass
            self.stop_ev.wait(1.0)

    def close(self):
        self.stop_ev.set()
        self.thread.join()
        for s in self.socks:
            s.close()


def honest(port, path):
    """Seconds from connect to the complete response head of a GET path
    (None when the answer is not 200)."""
    start = time.time()
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: honest\r\n\r\n")
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            d = s.recv(4096)
            if not d:
                break
            data += d
    except OSError:
        pass
    s.close()
    took = time.time() - start
    return took if data.startswith(b"HTTP/1.1 200") else None


def check_server(name, prog, path, *args):
    srv = Server(os.path.join(EX, prog), *args)
    flood = None
    try:
        flood = Flood(srv.port)
        time.sleep(2.5)  # every connection accepted, a few bytes each
        times = []
        for _ in range(3):
            times.append(honest(srv.port, path))
            time.sleep(0.3)
        shown = ", ".join("refused" if t is None else "%.3f s" % t for t in times)
        T.check("%s under %d half-open connections: honest clients served (%s; bound %.0f s)"
                % (name, FLOOD, shown, HONEST_MAX_S),
                all(t is not None and t < HONEST_MAX_S for t in times))
        T.check("%s: still running" % name, srv.alive())
    finally:
        if flood:
            flood.close()
        srv.stop()


def main():
    for prog in ("sse_server", "demo_server"):
        if not T.need_file(os.path.join(EX, prog)):
            T.finish()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 2 * FLOOD + 200  # the flood here, its other ends in the server
    if soft < want:
        if hard != resource.RLIM_INFINITY and hard < want:
            T.bad("file descriptor limit", "need %d, hard limit %d" % (want, hard))
            T.finish()
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    T.run("sse_server slots", check_server, "sse_server", "sse_server", b"/events")
    T.run("demo_server slots", check_server, "demo_server", "demo_server", b"/api/history",
          "--quiet")
    T.finish()


main()
