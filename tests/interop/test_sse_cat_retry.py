"""sse_cat and the statuses that are not a stream (examples/sse_cat/url.c,
wsx_sse_check_response, wsx_sse_retry_after, wsx_sse_backoff_after), against
a scripted loopback server that answers each connection in turn:
  - 429 "Retry-After: 2" twice, then a stream: each reconnect comes no
    sooner than 2 s after the refusal (a lower bound only), and every event
    of the stream is printed;
  - 503 with Retry-After as an HTTP-date 2 s after the response's Date;
  - 401 (with WWW-Authenticate) and 403: one request, no retry, a message
    that says so, exit 3;
  - 429 without Retry-After: what an EventSource does, fail (exit 2), once.
    /usr/bin/python3 tests/interop/test_sse_cat_retry.py [BUILD_DIR]
"""
import email.utils
import json
import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wsx_peer import Suite, build_dir  # noqa: E402

T = Suite()

EVENTS = [b"id: %d\ndata: token %d\n\n" % (i, i) for i in range(1, 6)]
STREAM = (b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
          b"retry: 50\n\n" + b"".join(EVENTS))
NO_CONTENT = b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"


def refusal(status, fields):
    head = "HTTP/1.1 %s\r\n%sContent-Length: 0\r\nConnection: close\r\n\r\n" % (
        status, "".join("%s: %s\r\n" % f for f in fields))
    return head.encode()


class Scripted:
    """Answers the n-th connection with answers[n] (a function of the time,
    giving bytes), the last one for every connection after; notes when each
    request arrived."""

    def __init__(self, answers):
        self.answers = answers
        self.arrivals = []
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                data = b""
                while b"\r\n\r\n" not in data:
                    part = conn.recv(4096)
                    if not part:
                        break
                    data += part
                self.arrivals.append(time.monotonic())
                n = min(len(self.arrivals), len(self.answers)) - 1
                conn.sendall(self.answers[n]())
                conn.shutdown(socket.SHUT_WR)
                try:
                    while conn.recv(4096):
                        pass
                except OSError:
                    pass

    def close(self):
        self.sock.close()


def run_cat(cat, port, extra=()):
    r = subprocess.run([cat, "--max-reconnects", "5"] + list(extra) +
                       ["http://127.0.0.1:%d/events" % port], capture_output=True, timeout=60)
    events = [json.loads(x) for x in r.stdout.decode().splitlines() if x.startswith("{")]
    return r, [e for e in events if e.get("type") == "message"]


def gaps(arrivals):
    return [b - a for a, b in zip(arrivals, arrivals[1:])]


def retry_after_seconds(cat):
    later = refusal("429 Too Many Requests", [("Retry-After", "2")])
    srv = Scripted([lambda: later, lambda: later, lambda: STREAM, lambda: NO_CONTENT])
    try:
        r, events = run_cat(cat, srv.port, ["--verbose"])
        err = r.stderr.decode(errors="replace")
        T.check("429 x2 then a stream: exit 0 at the 204", r.returncode == 0,
                "status %d: %s" % (r.returncode, err))
        T.check("four requests (two refused, the stream, the 204)", len(srv.arrivals) == 4,
                "%d requests" % len(srv.arrivals))
        g = gaps(srv.arrivals)
        T.check("each reconnect after a 429 waited at least its Retry-After (2 s)",
                len(g) >= 2 and g[0] >= 2.0 and g[1] >= 2.0, "gaps %r" % g)
        T.check("every event of the stream printed, in order",
                [e["data"] for e in events] == ["token %d" % i for i in range(1, 6)],
                repr(events))
        T.check("--verbose says why it waits", "come back later" in err, err)
    finally:
        srv.close()


def retry_after_date(cat):
    def busy():
        now = time.time()
        return refusal("503 Service Unavailable",
                       [("Date", email.utils.formatdate(now, usegmt=True)),
                        ("Retry-After", email.utils.formatdate(int(now) + 2, usegmt=True))])
    srv = Scripted([busy, lambda: STREAM, lambda: NO_CONTENT])
    try:
        r, events = run_cat(cat, srv.port)
        g = gaps(srv.arrivals)
        T.check("503 with an HTTP-date: then the stream, exit 0",
                r.returncode == 0 and len(events) == 5,
                "status %d, %d events" % (r.returncode, len(events)))
        T.check("waited at least until the date (2 s after the response's Date)",
                len(g) >= 1 and g[0] >= 2.0, "gaps %r" % g)
    finally:
        srv.close()


def stops(cat, answer, status, words, name):
    srv = Scripted([lambda: answer])
    try:
        r, _ = run_cat(cat, srv.port)
        time.sleep(0.3)
        err = r.stderr.decode(errors="replace")
        T.check("%s: exit %d" % (name, status), r.returncode == status,
                "status %d: %s" % (r.returncode, err))
        T.check("%s: one request, no retry" % name, len(srv.arrivals) == 1,
                "%d requests" % len(srv.arrivals))
        T.check("%s: the message says why" % name, all(w in err for w in words), err)
    finally:
        srv.close()


def main():
    cat = os.path.join(build_dir(), "examples", "sse_cat")
    if not T.need_file(cat):
        T.finish()
    T.run("429 Retry-After: 2", retry_after_seconds, cat)
    T.run("503 Retry-After: date", retry_after_date, cat)
    T.run("401", stops, cat,
          refusal("401 Unauthorized", [("WWW-Authenticate", 'Bearer realm="api"')]), 3,
          ["401", "credentials", 'Bearer realm="api"', "not reconnecting"], "401")
    T.run("403", stops, cat, refusal("403 Forbidden", []), 3,
          ["403", "access denied", "not reconnecting"], "403")
    T.run("429 without Retry-After", stops, cat, refusal("429 Too Many Requests", []), 2,
          ["429", "not reconnecting"], "429 without Retry-After")
    T.finish()


main()
