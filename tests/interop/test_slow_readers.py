#!/usr/bin/env python3
"""Clients that never read what they asked for, on raw sockets (Debian's
python3, stdlib only).  Each one has a small receive buffer (SO_RCVBUF
4096) and never calls recv; a normal client reads alongside.  What the
server holds for it is read from the kernel (/proc/net/tcp: the server
socket's tx_queue, bytes not yet acknowledged) and its resident memory from
/proc/PID/status, sampled while it waits:

- --max-lag (bytes): sse_server's and demo_server's /events, with an event
  every millisecond, drop the non-reader before more than --max-lag bytes
  wait for it, and the server's memory stays flat;
- --stall-ms (time): on a slow feed, where the byte bound is far away,
  sse_server drops a stream that took nothing for --stall-ms; demo_server
  closes a WebSocket chat client that reads nothing while others chat;
- ws_echo (no option needed): a client that sends and never reads stops
  being read when its queue is full, and the heartbeat then drops it.
Meanwhile the normal client gets every event (consecutive ids) or message.

    tests/interop/test_slow_readers.py [BUILD_DIR]
"""
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wsx_peer import (echo_only, echo_prog, OP_TEXT, RawClient, Server, Suite, build_dir,  # noqa: E402
                      frame)

T = Suite()
EX = os.path.join(build_dir(), "examples")
RCVBUF = 4096


def tx_queue(server_port, client_port):
    """Bytes the server's socket to client_port has not had acknowledged,
    or None once the server has closed it (not ESTABLISHED any more: a
    socket closed with unacknowledged bytes lingers in FIN_WAIT1, in the
    kernel, not in the server)."""
    want_local = ":%04X" % server_port
    want_remote = ":%04X" % client_port
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            parts = line.split()
            if parts[1].endswith(want_local) and parts[2].endswith(want_remote):
                if parts[3] != "01":  # ESTABLISHED
                    return None
                return int(parts[4].split(":")[0], 16)
    return None


def non_reader(srv, request):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
    s.connect(("127.0.0.1", srv.port))
    s.sendall(request)
    return s


def watch(srv, s, seconds):
    """Samples the server's send queue to s until the server drops it (its
    socket gone or closed) or time is up.  Returns (seconds until dropped or
    None, largest queue seen, largest RSS growth in KiB)."""
    port = s.getsockname()[1]
    rss0 = srv.rss_kib()
    start = time.time()
    most = grow = 0
    while time.time() - start < seconds:
        q = tx_queue(srv.port, port)
        grow = max(grow, srv.rss_kib() - rss0)
        if q is None:
            return time.time() - start, most, grow
        most = max(most, q)
        time.sleep(0.05)
    return None, most, grow


class Reader(threading.Thread):
    """Reads an event stream and collects its ids."""

    def __init__(self, srv, request):
        super().__init__(daemon=True)
        self.s = srv.connect(timeout=10)
        self.s.sendall(request)
        self.data = b""
        self.eof = False
        self.start()

    def run(self):
        try:
            while True:
                d = self.s.recv(65536)
                if not d:
                    break
                self.data += d
        except OSError:
            pass
        self.eof = True

    def ids(self):
        out = []
        for line in self.data.split(b"\n"):
            if line.startswith(b"id: "):
                try:
                    out.append(int(line[4:]))
                except ValueError:
                    pass
        return out


def consecutive(ids):
    return len(ids) > 1 and all(b == a + 1 for a, b in zip(ids, ids[1:]))


GET_EVENTS = b"GET /events HTTP/1.1\r\nHost: t\r\n\r\n"


def lag_bound(name, prog, *args):
    max_lag = 32768
    srv = Server(os.path.join(EX, prog), "--interval-ms", "1", "--max-lag", str(max_lag),
                 "--stall-ms", "60000", *args)
    try:
        reader = Reader(srv, GET_EVENTS)
        slow = non_reader(srv, GET_EVENTS)
        dropped, most, grow = watch(srv, slow, 12)
        T.check("%s --max-lag %d: the non-reader is dropped (after %s s)"
                % (name, max_lag, "%.1f" % dropped if dropped else "more than 12"),
                dropped is not None)
        T.check("%s: at most --max-lag waited for it in the kernel (%d bytes seen)" % (name, most),
                most <= max_lag + 1024)
        T.check("%s: the server's memory stayed flat (+%d KiB)" % (name, grow), grow < 2048)
        time.sleep(0.3)
        ids = reader.ids()
        T.check("%s: the reading client got %d consecutive events meanwhile" % (name, len(ids)),
                len(ids) > 500 and consecutive(ids) and not reader.eof)
        slow.close()
        reader.s.close()
    finally:
        srv.stop()


def sse_stall():
    srv = Server(os.path.join(EX, "sse_server"), "--interval-ms", "5", "--stall-ms", "1500")
    try:
        reader = Reader(srv, GET_EVENTS)
        slow = non_reader(srv, GET_EVENTS)
        dropped, most, _ = watch(srv, slow, 12)
        T.check("sse_server --stall-ms 1500: a non-reader of a slow feed is dropped (after %s s;"
                " %d bytes were waiting, far below --max-lag)"
                % ("%.1f" % dropped if dropped else "more than 12", most),
                dropped is not None)
        ids = reader.ids()
        T.check("sse_server --stall-ms: the reading client got %d consecutive events" % len(ids),
                len(ids) > 100 and consecutive(ids) and not reader.eof)
        slow.close()
        reader.s.close()
    finally:
        srv.stop()


def demo_chat_stall():
    srv = Server(os.path.join(EX, "demo_server"), "--quiet", "--stall-ms", "1500")
    try:
        talker = RawClient(srv.port, path="/ws")
        talker.send(frame(OP_TEXT, b'{"type":"hello","name":"talker"}'))
        talker.read_message()  # welcome
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
        slow = RawClient.__new__(RawClient)
        s.connect(("127.0.0.1", srv.port))
        slow.sock, slow.buf, slow.head = s, b"", None
        slow.handshake("/ws")
        slow.send(frame(OP_TEXT, b'{"type":"hello","name":"sleeper"}'))
        text = "x" * 1000
        msg = ('{"type":"chat","text":"%s"}' % text).encode()
        got = 0
        stop = threading.Event()

        def talk():
            nonlocal got
            while not stop.is_set():
                talker.send(frame(OP_TEXT, msg))
                m = talker.read_message()
                if m[0] == OP_TEXT and b'"type":"chat"' in m[1]:
                    got += 1
                time.sleep(0.01)

        t = threading.Thread(target=talk, daemon=True)
        t.start()
        dropped, most, _ = watch(srv, s, 12)
        stop.set()
        t.join(5)
        T.check("demo_server --stall-ms 1500: a chat client that reads nothing is closed"
                " (after %s s; %d bytes waited for it)"
                % ("%.1f" % dropped if dropped else "more than 12", most),
                dropped is not None)
        T.check("demo_server: the talker kept chatting (%d messages back)" % got, got > 50)
        talker.close()
        s.close()
    finally:
        srv.stop()


def ws_echo_non_reader():
    srv = Server(echo_prog(), "--quiet", "--ping-ms", "300",
                 "--pong-timeout-ms", "300")
    try:
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
        c = RawClient.__new__(RawClient)
        s.connect(("127.0.0.1", srv.port))
        c.sock, c.buf, c.head = s, b"", None
        c.handshake("/")
        payload = b"y" * 16384
        sent = [0]

        def pump():
            s.settimeout(0.5)
            try:
                while sent[0] < 64 << 20:
                    s.sendall(frame(0x2, payload))
                    sent[0] += len(payload)
            except OSError:
                pass

        t = threading.Thread(target=pump, daemon=True)
        t.start()
        dropped, most, grow = watch(srv, s, 15)
        T.check("ws_echo: a client that sends and never reads is dropped by the heartbeat"
                " (after %s s, %d KiB sent)" % ("%.1f" % dropped if dropped else "more than 15",
                                                sent[0] >> 10),
                dropped is not None)
        T.check("ws_echo: ... its memory stayed flat (+%d KiB)" % grow, grow < 2048)
        s.close()
        t.join(2)
    finally:
        srv.stop()


def main():
    if echo_only():
        if T.need_file(echo_prog()):
            T.run("ws_echo non-reader", ws_echo_non_reader)
        T.finish()
    for prog in ("sse_server", "demo_server", "ws_echo"):
        if not T.need_file(os.path.join(EX, prog)):
            T.finish()
    T.run("sse_server lag", lag_bound, "sse_server", "sse_server")
    T.run("demo_server lag", lag_bound, "demo_server", "demo_server", "--quiet")
    T.run("sse_server stall", sse_stall)
    T.run("demo_server chat stall", demo_chat_stall)
    T.run("ws_echo non-reader", ws_echo_non_reader)
    T.finish()


main()
