#!/usr/bin/env python3
"""No example server spins (level-triggered readiness, no progress), on raw
sockets (Debian's python3, stdlib only).  CPU time is read from
/proc/PID/stat and compared with a generous bound over a fixed window, so a
loaded machine cannot make a healthy server fail (it only uses less CPU):

- sse_server: a POST /api/chat whose head is exactly 16,384 bytes and whose
  chunked body decodes to exactly 16,384 bytes (the head and body limits:
  the input buffer was full with the last chunk's framing still unread, and
  poll reported it readable on every pass until the head timeout) gets its
  stream, and the server uses little CPU meanwhile;
- demo_server: a head and a body that fill its input buffer exactly, with
  the next request right behind them: both answered, little CPU;
- ws_echo: a head that fills its read buffer without ending: 431, little
  CPU;
- sse_server out of file descriptors (RLIMIT_NOFILE 32, 60 clients): little
  CPU, the clients it has no descriptor for are answered 503 and closed,
  the streams it has keep streaming.

    tests/interop/test_busy_loops.py [BUILD_DIR]
"""
import os
import resource
import select
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wsx_peer import echo_only, echo_prog, Server, Suite, build_dir  # noqa: E402

T = Suite()
EX = os.path.join(build_dir(), "examples")
WINDOW_S = 3.0
CPU_MAX_S = 0.5  # a spinning server uses a whole core: 3 s over the window


def read_until(sock, pred, timeout):
    """Reads until pred(data) or EOF or timeout; returns the bytes."""
    data = b""
    end = time.time() + timeout
    while not pred(data) and time.time() < end:
        sock.settimeout(max(0.01, end - time.time()))
        try:
            d = sock.recv(65536)
        except socket.timeout:
            break
        except OSError:
            break
        if not d:
            break
        data += d
    return data


def read_all_until(socks, pred, timeout, eof=None):
    """read_until over many sockets at once, within one timeout; the
    sockets that reached EOF are added to the set eof."""
    data = {s: b"" for s in socks}
    open_ = set(s for s in socks)
    end = time.time() + timeout
    while open_ and time.time() < end:
        r, _, _ = select.select(list(open_), [], [], max(0.0, end - time.time()))
        for s in r:
            try:
                d = s.recv(65536)
            except OSError:
                d = b""
            data[s] += d
            if not d and eof is not None:
                eof.add(s)
            if not d or pred(data[s]):
                open_.discard(s)
    return [data[s] for s in socks]


def padded_head(first_line, headers, size):
    """A request head of exactly `size` bytes: padding in X-Pad fields (each
    under the 8 KiB line limit)."""
    fixed = first_line + "".join(h + "\r\n" for h in headers)
    head = fixed + "\r\n"
    pads = []
    need = size - len(head)
    while need > 0:
        n = min(need, 8000)
        # "X-Pad-k: " + value + CRLF
        name = "X-Pad-%d: " % len(pads)
        v = n - len(name) - 2
        assert v > 0
        pads.append(name + "p" * v + "\r\n")
        need -= n
    head = fixed + "".join(pads) + "\r\n"
    assert len(head) == size, len(head)
    return head.encode()


def sse_exact_fill():
    srv = Server(os.path.join(EX, "sse_server"), "--token-ms", "1")
    try:
        head = padded_head("POST /api/chat HTTP/1.1\r\n",
                           ["Host: t", "Transfer-Encoding: chunked",
                            "Content-Type: application/json"], 16384)
        body = b'{"message":"' + b"x" * (16384 - 14) + b'"}'
        assert len(body) == 16384
        req = head + b"4000\r\n" + body + b"\r\n0\r\n\r\n"
        s = srv.connect()
        t0 = srv.cpu_seconds()
        start = time.time()
        s.sendall(req)
        got = read_until(s, lambda d: b"data: [DONE]" in d, WINDOW_S)
        rest = WINDOW_S - (time.time() - start)
        if rest > 0:
            time.sleep(rest)
        cpu = srv.cpu_seconds() - t0
        T.check("sse_server: head of 16384 + chunked body decoding to 16384: the stream, to [DONE]",
                got.startswith(b"HTTP/1.1 200") and b"data: [DONE]" in got, repr(got[:200]))
        T.check("sse_server: ... and %.2f s of CPU over %.0f s (< %.1f: no busy loop)"
                % (cpu, WINDOW_S, CPU_MAX_S), cpu < CPU_MAX_S)
        s.close()
    finally:
        srv.stop()


def demo_exact_fill():
    srv = Server(os.path.join(EX, "demo_server"), "--quiet", "--token-ms", "1")
    try:
        body = b'{"id":"' + b"z" * (8192 - 9) + b'"}'
        assert len(body) == 8192
        head = padded_head("POST /api/stop-generation HTTP/1.1\r\n",
                           ["Host: t", "Content-Length: 8192"], 16384)
        second = b"GET /api/history HTTP/1.1\r\nHost: t\r\n\r\n"
        s = srv.connect()
        t0 = srv.cpu_seconds()
        start = time.time()
        s.sendall(head + body + second)
        got = read_until(s, lambda d: d.count(b"HTTP/1.1 ") >= 2 and d.endswith(b"]"), WINDOW_S)
        second_at = got.find(b"HTTP/1.1 ", 1)
        rest = WINDOW_S - (time.time() - start)
        if rest > 0:
            time.sleep(rest)
        cpu = srv.cpu_seconds() - t0
        T.check("demo_server: head + body filling the input buffer, a request behind: both answered",
                got.startswith(b"HTTP/1.1 4") and second_at > 0
                and got[second_at:].startswith(b"HTTP/1.1 200") and got.endswith(b"]"),
                repr(got[:300]))
        T.check("demo_server: ... and %.2f s of CPU over %.0f s" % (cpu, WINDOW_S), cpu < CPU_MAX_S)
        s.close()
    finally:
        srv.stop()


def ws_echo_full_head():
    srv = Server(echo_prog(), "--quiet", "--buffer", "1024")
    try:
        s = srv.connect()
        t0 = srv.cpu_seconds()
        s.sendall(b"GET / HTTP/1.1\r\nHost: t\r\nX-Long: " + b"a" * 2000)
        got = read_until(s, lambda d: b"\r\n\r\n" in d, WINDOW_S)
        time.sleep(1.0)
        cpu = srv.cpu_seconds() - t0
        T.check("ws_echo: a head that fills the read buffer: 431", got.startswith(b"HTTP/1.1 431"),
                repr(got[:100]))
        T.check("ws_echo: ... and %.2f s of CPU" % cpu, cpu < CPU_MAX_S)
        s.close()
    finally:
        srv.stop()


def low_nofile():
    resource.setrlimit(resource.RLIMIT_NOFILE, (32, 32))


def sse_out_of_descriptors():
    srv = Server(os.path.join(EX, "sse_server"), "--interval-ms", "50", preexec_fn=low_nofile)
    socks = []
    try:
        t0 = srv.cpu_seconds()
        start = time.time()
        for _ in range(60):
            s = srv.connect()
            s.sendall(b"GET /events HTTP/1.1\r\nHost: t\r\n\r\n")
            socks.append(s)
        # every client has its answer: a stream (200) or a refusal (503, EOF)
        ended = set()
        answers = read_all_until(socks, lambda d: b"\r\n\r\n" in d, 3, ended)
        streaming = [s for s, a in zip(socks, answers) if a.startswith(b"HTTP/1.1 200")]
        refused = [s for s, a in zip(socks, answers) if a.startswith(b"HTTP/1.1 503")]
        read_all_until([s for s in refused if s not in ended], lambda d: False, 2, ended)
        closed = sum(1 for s in refused if s in ended)
        rest = WINDOW_S - (time.time() - start)
        if rest > 0:
            time.sleep(rest)
        cpu = srv.cpu_seconds() - t0
        T.check("sse_server, 32 descriptors, 60 clients: %d streams, %d refused with 503"
                % (len(streaming), len(refused)),
                len(streaming) >= 20 and len(streaming) + len(refused) == 60 and closed == len(refused),
                "%d answers without a status line, %d refused not closed"
                % (60 - len(streaming) - len(refused), len(refused) - closed))
        T.check("sse_server out of descriptors: %.2f s of CPU over %.1f s" % (cpu, time.time() - start),
                cpu < CPU_MAX_S)
        fresh = read_all_until(streaming, lambda d: d.count(b"\nid: ") >= 3, 3)
        T.check("sse_server out of descriptors: the streams it has go on",
                all(d.count(b"\nid: ") >= 3 for d in fresh))
    finally:
        for s in socks:
            s.close()
        srv.stop()


def main():
    if echo_only():
        if T.need_file(echo_prog()):
            T.run("ws_echo full head", ws_echo_full_head)
        T.finish()
    for prog in ("sse_server", "demo_server", "ws_echo"):
        if not T.need_file(os.path.join(EX, prog)):
            T.finish()
    T.run("sse_server exact fill", sse_exact_fill)
    T.run("demo_server exact fill", demo_exact_fill)
    T.run("ws_echo full head", ws_echo_full_head)
    T.run("sse_server out of descriptors", sse_out_of_descriptors)
    T.finish()


main()
