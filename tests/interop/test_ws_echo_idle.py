"""ws_echo's heartbeat (--ping-ms, --pong-timeout-ms), on raw sockets: a
client that goes silent gets a ping, then (still silent) a close 1001 and
EOF, and its socket is released; a client that answers the pings stays
connected, and so does one that keeps talking; echo still works; --ping-ms 0
keeps a silent client forever.  Timing is checked as an order of events
with generous bounds, never to the millisecond.
    /usr/bin/python3 tests/interop/test_ws_echo_idle.py [BUILD_DIR]
"""
import os
import select
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wsx_peer import (echo_prog, OP_CLOSE, OP_PING, OP_PONG, OP_TEXT, Closed,  # noqa: E402
                      RawClient, Server, Suite, build_dir, close_payload, echo_ok,
                      frame)

T = Suite()
PING_MS, PONG_MS = 200, 200


def open_fds(server):
    try:
        return len(os.listdir("/proc/%d/fd" % server.proc.pid))
    except OSError:
        return -1


def silent_client(port, events):
    """Never sends a byte after the handshake; logs what the server does:
    ("ping", t), ("close", t, code), ("eof", t)."""
    c = RawClient(port, timeout=10)
    start = time.time()
    try:
        while True:
            _, _, op, payload = c.read_frame()
            now = time.time() - start
            if op == OP_PING:
                events.append(("ping", now))
            elif op == OP_CLOSE:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                events.append(("close", now, code))
    except Closed:
        events.append(("eof", time.time() - start))
    except (socket.timeout, OSError) as e:
        events.append(("error", time.time() - start, str(e)))
    c.close()


def answering_client(c, seconds):
    """Answers every ping with a pong (same payload) for `seconds`, sending
    nothing else; returns the number of pings seen, or -1 if the server
    closed the connection."""
    pings = 0
    deadline = time.time() + seconds
    while time.time() < deadline:
        r, _, _ = select.select([c.sock], [], [], max(0.0, deadline - time.time()))
        if not r:
            break
        try:
            c.recv_some()
        except (Closed, OSError):
            return -1
        while True:
            f = c._parse()
            if f is None:
                break
            _, _, op, payload = f
            if op == OP_PING:
                pings += 1
                c.send(frame(OP_PONG, payload))
            elif op == OP_CLOSE:
                return -1
    return pings


def heartbeat(prog):
    with Server(prog, "--ping-ms", str(PING_MS), "--pong-timeout-ms", str(PONG_MS)) as s:
        T.check("echo works with a heartbeat", echo_ok(s.port))
        time.sleep(0.1)
        fds_before = open_fds(s)
        keeper = RawClient(s.port, timeout=10)
        talker = RawClient(s.port, timeout=10)
        events = []
        t = threading.Thread(target=silent_client, args=(s.port, events), daemon=True)
        t.start()
        # The talker sends a message every 50 ms (less than the ping
        # interval) and reads its echo; it should never see a ping.
        talker_ok, talker_pings = True, 0
        started = time.time()
        pings = 0
        while time.time() - started < 2.0:
            p = answering_client(keeper, 0.05)
            if p < 0:
                pings = -1
                break
            pings += p
            talker.send(frame(OP_TEXT, b"tick"))
            while True:
                fin, _, op, payload = talker.read_frame()
                if op == OP_PING:
                    talker_pings += 1
                    continue
                talker_ok = talker_ok and (op, payload) == (OP_TEXT, b"tick")
                break
        t.join(10)
        kinds = [e[0] for e in events]
        T.check("silent client: a ping, then close, then EOF", kinds == ["ping", "close", "eof"],
                repr(events))
        if kinds == ["ping", "close", "eof"]:
            T.check("silent client: close code 1001", events[1][2] == 1001, repr(events))
            T.check("silent client: the ping came after about --ping-ms",
                    events[0][1] >= PING_MS / 1000.0 * 0.75, repr(events))
            T.check("silent client: dropped after about ping + pong timeout",
                    events[1][1] >= (PING_MS + PONG_MS) / 1000.0 * 0.75 and
                    events[1][1] - events[0][1] >= PONG_MS / 1000.0 * 0.75, repr(events))
            T.check("silent client: dropped well before the others stopped",
                    events[2][1] < 2.0, repr(events))
        T.check("answering client: pinged several times and still connected", pings >= 3,
                "pings %d" % pings)
        T.check("talking client: never pinged, every echo intact",
                talker_ok and talker_pings == 0, "pings %d" % talker_pings)
        for name, c in (("answering", keeper), ("talking", talker)):
            c.send(frame(OP_TEXT, b"still here"))
            got = c.read_message()
            T.check(name + " client: echo after the drop", got == (OP_TEXT, b"still here"),
                    repr(got))
            c.send(frame(OP_CLOSE, close_payload(1000)))
            T.check(name + " client: clean close", c.read_close()[0] == 1000 and c.wait_eof())
            c.close()
        time.sleep(0.2)
        if fds_before >= 0:
            T.check("every socket released", open_fds(s) == fds_before,
                    "%d open, %d before" % (open_fds(s), fds_before))
        T.check("serves a new client after", echo_ok(s.port))
        T.check("server still running", s.alive())


def heartbeat_off(prog):
    with Server(prog, "--ping-ms", "0") as s:
        with RawClient(s.port, timeout=1) as c:
            r, _, _ = select.select([c.sock], [], [], 0.8)
            T.check("--ping-ms 0: a silent client gets nothing and stays", not r)
            c.send(frame(OP_TEXT, b"late"))
            T.check("--ping-ms 0: echo after the silence",
                    c.read_message() == (OP_TEXT, b"late"))


def pong_timeout_off(prog):
    """--pong-timeout-ms 0: pings go out but a silent peer is never dropped."""
    with Server(prog, "--ping-ms", "100", "--pong-timeout-ms", "0") as s:
        with RawClient(s.port, timeout=1) as c:
            pings, closed = 0, False
            deadline = time.time() + 0.8
            while time.time() < deadline:
                r, _, _ = select.select([c.sock], [], [], max(0.0, deadline - time.time()))
                if not r:
                    break
                try:
                    c.recv_some()
                except Closed:
                    closed = True
                    break
                while True:
                    f = c._parse()
                    if f is None:
                        break
                    pings += f[2] == OP_PING
                    closed = closed or f[2] == OP_CLOSE
            T.check("--pong-timeout-ms 0: pinged, never dropped", pings >= 1 and not closed,
                    "pings %d closed %r" % (pings, closed))


def bad_options(prog):
    import subprocess
    for args in (["--ping-ms", "x"], ["--pong-timeout-ms", "-1"], ["--ping-ms"]):
        r = subprocess.run([prog] + args, capture_output=True, timeout=5)
        T.check("refuses %s (status 2, usage)" % " ".join(args),
                r.returncode == 2 and b"--ping-ms" in r.stderr, repr(r.returncode))


def main():
    prog = echo_prog()
    if not T.need_file(prog):
        T.finish()
    T.run("heartbeat", heartbeat, prog)
    T.run("heartbeat off", heartbeat_off, prog)
    T.run("pong timeout off", pong_timeout_off, prog)
    T.run("bad options", bad_options, prog)
    T.finish()


main()
