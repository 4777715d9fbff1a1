#!/usr/bin/env python3
"""What the example servers answer when they will not serve a request, on
raw sockets (Debian's python3, stdlib only):

- Host (RFC 9112 section 3.2): an HTTP/1.1 request without Host, or any
  request with two, is answered 400 by sse_server and demo_server (an
  HTTP/1.0 request without Host is served);
- full: with every slot a stream, a new client of sse_server, demo_server
  (HTTP and WebSocket) and ws_echo gets 503 with Retry-After, before any
  upgrade, and its connection is closed; the streams go on.

    tests/interop/test_http_refusals.py [BUILD_DIR]
"""
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wsx_peer import (echo_only, echo_prog, OP_TEXT, RawClient, Server, Suite, build_dir,  # noqa: E402
                      frame)

T = Suite()
EX = os.path.join(build_dir(), "examples")


def exchange(srv, request, timeout=3.0):
    """Sends request on a new connection; returns (everything read until EOF
    or timeout, whether EOF came)."""
    s = srv.connect(timeout=timeout)
    s.sendall(request)
    data, eof = b"", False
    end = time.time() + timeout
    while time.time() < end:
        try:
            d = s.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            eof = True
            break
        if not d:
            eof = True
            break
        data += d
        if b"\r\n\r\n" in data and not data.startswith(b"HTTP/1.1 200"):
            continue
        if data.startswith(b"HTTP/1.1 200"):
            break
    s.close()
    return data, eof


def host_rules(name, srv, ok_path):
    cases = [
        ("HTTP/1.1 without Host", b"GET %s HTTP/1.1\r\nAccept: */*\r\n\r\n" % ok_path, b"400"),
        ("HTTP/1.1 with two Hosts",
         b"GET %s HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n" % ok_path, b"400"),
        ("HTTP/1.0 with two Hosts",
         b"GET %s HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n" % ok_path, b"400"),
        ("HTTP/1.0 without Host", b"GET %s HTTP/1.0\r\n\r\n" % ok_path, b"200"),
        ("HTTP/1.1 with one Host", b"GET %s HTTP/1.1\r\nHost: a\r\n\r\n" % ok_path, b"200"),
    ]
    for what, req, status in cases:
        data, _ = exchange(srv, req)
        T.check("%s: %s: %s" % (name, what, status.decode()),
                data.startswith(b"HTTP/1.1 " + status), repr(data[:120]))


def busy_answer(srv, request):
    """A request to a full server: (status line and headers, EOF seen)."""
    data, eof = exchange(srv, request)
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    return head, eof


def is_busy(head):
    lines = head.split("\r\n")
    return lines[0].startswith("HTTP/1.1 503") and any(
        line.lower().startswith("retry-after:") and line.split(":", 1)[1].strip().isdigit()
        for line in lines[1:])


def open_stream(srv, path=b"/events"):
    s = srv.connect()
    s.sendall(b"GET %s HTTP/1.1\r\nHost: t\r\n\r\n" % path)
    data = b""
    while b"\r\n\r\n" not in data:
        d = s.recv(4096)
        if not d:
            break
        data += d
    return s, data.startswith(b"HTTP/1.1 200")


def still_streaming(s):
    s.settimeout(3)
    try:
        return len(s.recv(4096)) > 0
    except OSError:
        return False


def sse_server_checks():
    with Server(os.path.join(EX, "sse_server"), "--interval-ms", "100", "--max-clients", "2") as srv:
        host_rules("sse_server", srv, b"/")
        streams = [open_stream(srv) for _ in range(2)]
        T.check("sse_server --max-clients 2: two streams", all(ok for _, ok in streams))
        head, eof = busy_answer(srv, b"GET /events HTTP/1.1\r\nHost: t\r\n\r\n")
        T.check("sse_server full: a third client gets 503 with Retry-After, then EOF",
                is_busy(head) and eof, repr(head))
        T.check("sse_server full: the streams go on", all(still_streaming(s) for s, _ in streams))
        for s, _ in streams:
            s.close()


def demo_checks():
    with Server(os.path.join(EX, "demo_server"), "--quiet", "--max-connections", "2") as srv:
        host_rules("demo_server", srv, b"/api/history")
        a = RawClient(srv.port, path="/ws")
        b, ok = open_stream(srv)
        T.check("demo_server --max-connections 2: a chat and a feed", ok)
        head, eof = busy_answer(srv, b"GET /api/history HTTP/1.1\r\nHost: t\r\n\r\n")
        T.check("demo_server full: an HTTP request gets 503 with Retry-After, then EOF",
                is_busy(head) and eof, repr(head))
        head, eof = busy_answer(srv, b"GET /ws HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\n"
                                     b"Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                                     b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
        T.check("demo_server full: a WebSocket upgrade gets 503 with Retry-After, then EOF",
                is_busy(head) and eof, repr(head))
        a.send(frame(OP_TEXT, b'{"type":"hello","name":"a"}'))
        T.check("demo_server full: the chat goes on", a.read_message()[0] == OP_TEXT)
        a.close()
        b.close()


def ws_echo_checks():
    with Server(echo_prog(), "--quiet", "--max-connections", "2") as srv:
        conns = [RawClient(srv.port) for _ in range(2)]
        head, eof = busy_answer(srv, b"GET / HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\n"
                                     b"Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                                     b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
        T.check("ws_echo --max-connections 2, full: an upgrade gets 503 with Retry-After, then EOF",
                is_busy(head) and eof, repr(head))
        good = True
        for c in conns:
            c.send(frame(OP_TEXT, b"still here"))
            good = good and c.read_message() == (OP_TEXT, b"still here")
            c.close()
        T.check("ws_echo full: the open connections go on", good)


def main():
    if echo_only():
        if T.need_file(echo_prog()):
            T.run("ws_echo refusals", ws_echo_checks)
        T.finish()
    for prog in ("sse_server", "demo_server", "ws_echo"):
        if not T.need_file(os.path.join(EX, prog)):
            T.finish()
    T.run("sse_server refusals", sse_server_checks)
    T.run("demo_server refusals", demo_checks)
    T.run("ws_echo refusals", ws_echo_checks)
    T.finish()


main()
