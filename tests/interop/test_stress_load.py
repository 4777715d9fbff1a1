#!/usr/bin/env python3
"""Thousands of WebSocket and SSE clients at once, every message and event
checked (Debian's python3 around build/interop/load_client, an epoll load
generator in C: tests/interop/load_client.c).

- ws_echo and sse_server together: WS clients send 20 messages each (text
  and binary, 0 B to 64 KiB, some fragmented) and check every echo, in
  order; 4/5 of the SSE clients read /events (every id and data one more
  than the last), 1/5 stream POST /api/chat (every token, the whole answer,
  [DONE], the end of the chunked body);
- demo_server alone with as many WS and SSE clients: chat clients (hello,
  private messages to themselves, every join/leave notice) and ping
  clients on /ws (each pong carries its ping's payload, in order), /events
  readers and 50 /api/chat streams (its limit is 64 generations at once).
Every client stays open until all have done their work, so they are all
open at once (the peak is asserted).  Afterwards each server is back to the
descriptors it had before and still serves.

make check runs 500 WS + 500 SSE clients per round; WSX_STRESS=1 (make
stress) 5,000 + 5,000.  RLIMIT_NOFILE is raised to the hard limit; when
that cannot hold them, the run is smaller and says so (a failure under
WSX_REQUIRE_PEERS=1 or CI=1).

    tests/interop/test_stress_load.py [BUILD_DIR]
"""
import os
import resource
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wsx_peer import echo_only, echo_prog, Server, Suite, build_dir, echo_ok  # noqa: E402

T = Suite()
B = build_dir()
EX = os.path.join(B, "examples")
LOAD = os.path.join(B, "interop", "load_client")
STRESS = os.environ.get("WSX_STRESS") == "1"
STRICT = os.environ.get("WSX_REQUIRE_PEERS") == "1" or os.environ.get("CI") == "1"
WS, SSE = (5000, 5000) if STRESS else (500, 500)
CHAT = 500 if STRESS else 100  # demo chat clients: joins and leaves go to all (N^2)
DEMO_STREAMS = 50


def raise_nofile():
    """Soft limit to the hard one; returns how many clients per round fit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft == resource.RLIM_INFINITY:
        return 10 ** 6
    return soft - 100  # each process holds its end of every connection


def settle_fds(srv, want, timeout=15.0):
    end = time.time() + timeout
    while srv.open_fds() > want and time.time() < end:
        time.sleep(0.1)
    return srv.open_fds()


def run_load(name, timeout, *specs):
    start = time.time()
    run = subprocess.run([LOAD, "--timeout", str(timeout)] + list(specs),
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout + 30)
    out = run.stdout.decode(errors="replace")
    for line in out.splitlines():
        print("    " + line)
    T.check("%s: every client did all its work, all open at once (%.1f s)"
            % (name, time.time() - start), run.returncode == 0 and "RESULT ok" in out,
            "exit status %d" % run.returncode)


def round_echo_feed(ws, sse, token_ms):
    feeds = sse * 4 // 5
    with Server(echo_prog(), "--quiet", "--max-connections", str(ws + 100)) as echo, \
            Server(os.path.join(EX, "sse_server"), "--interval-ms", "50", "--token-ms",
                   str(token_ms), "--max-clients", str(sse + 100)) as sse_srv:
        fds = (echo.open_fds(), sse_srv.open_fds())
        run_load("ws_echo %d WS + sse_server %d SSE" % (ws, sse), 240,
                 "ws-echo:%d:%d:20" % (echo.port, ws),
                 "sse-feed:%d:%d:20" % (sse_srv.port, feeds),
                 "sse-chat:%d:%d" % (sse_srv.port, sse - feeds))
        after = (settle_fds(echo, fds[0]), settle_fds(sse_srv, fds[1]))
        T.check("ws_echo, sse_server: descriptors back to %s (now %s)" % (fds, after), after == fds)
        T.check("ws_echo still echoes", echo_ok(echo.port))
        T.check("sse_server still streams", feed_ok(sse_srv.port))


def round_echo(ws):
    with Server(echo_prog(), "--quiet", "--max-connections", str(ws + 100)) as echo:
        fds = echo.open_fds()
        run_load("%s %d WS" % (os.path.basename(echo_prog()), ws), 240,
                 "ws-echo:%d:%d:20" % (echo.port, ws))
        after = settle_fds(echo, fds)
        T.check("descriptors back to %d (now %d)" % (fds, after), after == fds)
        T.check("it still echoes", echo_ok(echo.port))


def round_demo(ws, sse, token_ms):
    chat = min(CHAT, ws)
    with Server(os.path.join(EX, "demo_server"), "--quiet", "--interval-ms", "100",
                "--token-ms", str(token_ms), "--idle-ms", "120000",
                "--max-connections", str(ws + sse + 100)) as demo:
        fds = demo.open_fds()
        specs = ["ws-chat:%d:%d:10" % (demo.port, chat),
                 "sse-feed:%d:%d:10" % (demo.port, sse - DEMO_STREAMS),
                 "demo-chat:%d:%d" % (demo.port, DEMO_STREAMS)]
        if ws > chat:
            specs.append("ws-ping:%d:%d:10" % (demo.port, ws - chat))
        run_load("demo_server %d WS + %d SSE" % (ws, sse), 240, *specs)
        after = settle_fds(demo, fds)
        T.check("demo_server: descriptors back to %d (now %d)" % (fds, after), after == fds)
        T.check("demo_server still streams", feed_ok(demo.port))


def feed_ok(port):
    """A fresh /events client gets two consecutive events."""
    import socket
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"GET /events HTTP/1.1\r\nHost: honest\r\n\r\n")
    data = b""
    end = time.time() + 5
    while data.count(b"\ndata: ") < 2 and time.time() < end:
        d = s.recv(65536)
        if not d:
            break
        data += d
    s.close()
    return data.startswith(b"HTTP/1.1 200") and data.count(b"\ndata: ") >= 2


def main():
    for prog in (LOAD, echo_prog(), os.path.join(EX, "sse_server"),
                 os.path.join(EX, "demo_server")):
        if not T.need_file(prog):
            T.finish()
    ws, sse = WS, SSE
    fit = raise_nofile()
    if fit < ws + sse:
        msg = ("RLIMIT_NOFILE (hard %s) holds %d connections per process, not %d: "
               % (resource.getrlimit(resource.RLIMIT_NOFILE)[1], fit, ws + sse))
        if STRICT:
            T.bad("descriptors for %d + %d clients" % (ws, sse), msg + "raise the hard limit")
        else:
            print("SKIP: " + msg + "running fewer clients (a failure under CI=1)", flush=True)
        ws = sse = max(fit // 2, 1)
    if echo_only():
        T.run("echo server alone", round_echo, ws + sse)
        T.finish()
    T.run("ws_echo + sse_server", round_echo_feed, ws, sse, 400 if STRESS else 100)
    T.run("demo_server", round_demo, ws, sse, 400 if STRESS else 100)
    T.finish()


main()
