"""sse_cat's --connect-timeout-ms (examples/sse_cat/url.c, net_connect_timeout in
examples/common/net.c), on loopback only:
  - a listening socket whose accept queue is full (listen(0), never
    accepted, one connection already queued) drops every new SYN, so a
    connect to it never completes: sse_cat gives up after the timeout with
    the reason on stderr and exit 1 (--max-reconnects 0), and each of
    several attempts is bounded by it;
  - --connect-timeout-ms 0 (no limit of ours) still stops on SIGTERM, exit 0;
  - a refused connect fails at once with its reason;
  - the normal path: events from sse_server with the option given;
  - a bad value is a usage error (64).
    /usr/bin/python3 tests/interop/test_sse_cat_connect.py [BUILD_DIR]
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wsx_peer import Server, Suite, build_dir, free_port  # noqa: E402

T = Suite()


class Silent:
    """A loopback port that never answers a SYN: listen(0) and one queued
    connection fill the accept queue; Linux then drops new SYNs."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(0)
        self.port = self.listener.getsockname()[1]
        self.fillers = []
        for _ in range(2):
            s = socket.socket()
            s.setblocking(False)
            try:
                s.connect(("127.0.0.1", self.port))
            except BlockingIOError:
                pass
            self.fillers.append(s)
        time.sleep(0.05)

    def really_silent(self):
        """True if a fresh connect does not complete within 0.5 s."""
        s = socket.socket()
        s.settimeout(0.5)
        try:
            s.connect(("127.0.0.1", self.port))
            return False
        except (socket.timeout, OSError):
            return True
        finally:
            s.close()

    def close(self):
        for s in self.fillers + [self.listener]:
            s.close()


def run_cat(cat, args, timeout=20):
    started = time.time()
    r = subprocess.run([cat] + args, capture_output=True, timeout=timeout)
    return r, time.time() - started


def timeout_cases(cat):
    silent = Silent()
    try:
        if not T.check("a loopback port that never answers (full accept queue)",
                       silent.really_silent()):
            return
        url = "http://127.0.0.1:%d/events" % silent.port
        r, took = run_cat(cat, ["--connect-timeout-ms", "300", "--max-reconnects", "0", url])
        err = r.stderr.decode(errors="replace")
        T.check("silent peer: exit 1", r.returncode == 1, "status %d, %s" % (r.returncode, err))
        T.check("silent peer: says it got no answer in time, and gives up",
                "no answer within 300 ms" in err and "giving up" in err, repr(err))
        T.check("silent peer: waited about the timeout, not longer",
                0.25 <= took < 3.0, "%.2f s" % took)
        T.check("silent peer: nothing on stdout", r.stdout == b"", repr(r.stdout))

        # Two attempts (one reconnect after the backoff): each one bounded.
        r, took = run_cat(cat, ["--connect-timeout-ms", "200", "--max-reconnects", "1",
                                "--verbose", url])
        err = r.stderr.decode(errors="replace")
        T.check("silent peer, 2 attempts: exit 1, both timed out",
                r.returncode == 1 and err.count("no answer within 200 ms") == 3,
                "status %d: %s" % (r.returncode, err))
        T.check("silent peer, 2 attempts: at least twice the timeout", took >= 0.38,
                "%.2f s" % took)

        # No limit of ours: SIGTERM still ends the wait promptly.
        p = subprocess.Popen([cat, "--connect-timeout-ms", "0", "--max-reconnects", "0", url],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(0.6)
        still = p.poll() is None
        p.send_signal(signal.SIGTERM)
        sent = time.time()
        try:
            status = p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            status = p.wait()
        p.stdout.close()
        p.stderr.close()
        T.check("--connect-timeout-ms 0: still waiting after 0.6 s", still)
        T.check("--connect-timeout-ms 0: SIGTERM ends it promptly, exit 0",
                status == 0 and time.time() - sent < 2, "status %r" % status)
    finally:
        silent.close()


def refused(cat):
    port = free_port()  # nothing listens there
    r, took = run_cat(cat, ["--connect-timeout-ms", "5000", "--max-reconnects", "0",
                            "http://127.0.0.1:%d/" % port])
    err = r.stderr.decode(errors="replace")
    T.check("refused: exit 1 at once with the reason",
            r.returncode == 1 and "refused" in err.lower() and took < 2,
            "status %d after %.2f s: %s" % (r.returncode, took, err))


def normal_path(cat, srv):
    with Server(srv, "--interval-ms", "30", "--drop-after", "3", "--retry-ms", "50") as s:
        r, _ = run_cat(cat, ["--connect-timeout-ms", "2000", "--max-reconnects", "0",
                             "http://127.0.0.1:%d/events" % s.port])
        lines = [json.loads(x) for x in r.stdout.decode().splitlines() if x.startswith("{\"type")]
        T.check("normal path: 3 events, exit 0", r.returncode == 0 and len(lines) == 3,
                "status %d, %r" % (r.returncode, r.stdout[:300]))
        T.check("normal path: ids follow each other",
                len(lines) == 3 and int(lines[2]["id"]) - int(lines[0]["id"]) == 2, repr(lines))


def usage(cat):
    for bad in (["--connect-timeout-ms", "x", "http://127.0.0.1:1/"],
                ["--connect-timeout-ms", "-5", "http://127.0.0.1:1/"],
                ["http://127.0.0.1:1/", "--connect-timeout-ms"]):
        r, _ = run_cat(cat, bad)
        T.check("usage error for %s" % " ".join(bad),
                r.returncode == 64 and b"--connect-timeout-ms" in r.stderr,
                "status %d" % r.returncode)


def main():
    cat = os.path.join(build_dir(), "examples", "sse_cat")
    srv = os.path.join(build_dir(), "examples", "sse_server")
    if not (T.need_file(cat) and T.need_file(srv)):
        T.finish()
    T.run("timeouts", timeout_cases, cat)
    T.run("refused", refused, cat)
    T.run("normal path", normal_path, cat, srv)
    T.run("usage", usage, cat)
    T.finish()


main()
