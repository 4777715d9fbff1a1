"""Opening handshakes on raw sockets against ws_echo: good ones, refused ones
with the right HTTP status, an oversized head, a slow client, many at once.
    /usr/bin/python3 tests/interop/test_ws_handshake.py [BUILD_DIR]
"""
import base64
import hashlib
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wsx_peer import (echo_prog, GUID, OP_BINARY, OP_TEXT, RawClient, Server, Suite,  # noqa: E402
                      build_dir, close_payload, echo_ok, frame, OP_CLOSE)

T = Suite()
KEY = b"dGhlIHNhbXBsZSBub25jZQ=="


def request(method=b"GET", version=b"HTTP/1.1", key=KEY, ws_version=b"13",
            upgrade=b"websocket", connection=b"Upgrade", host=b"127.0.0.1", extra=b""):
    lines = [method + b" /chat HTTP/" + version.split(b"/")[-1]]
    if host is not None:
        lines.append(b"Host: " + host)
    if upgrade is not None:
        lines.append(b"Upgrade: " + upgrade)
    if connection is not None:
        lines.append(b"Connection: " + connection)
    if key is not None:
        lines.append(b"Sec-WebSocket-Key: " + key)
    if ws_version is not None:
        lines.append(b"Sec-WebSocket-Version: " + ws_version)
    return b"\r\n".join(lines) + b"\r\n" + extra + b"\r\n"


def answer(port, data):
    """Sends data on a fresh connection; returns (status, headers, closed_after)."""
    with RawClient(port, handshake=False) as c:
        c.send(data)
        status, headers, _ = c.read_head()
        return status, headers, c.wait_eof()


def refused(port, name, data, want_status, want_header=None):
    status, headers, closed = answer(port, data)
    T.check(name + " -> " + str(want_status), status == want_status, "got %d" % status)
    T.check(name + " -> connection closed after the refusal", closed)
    if want_header:
        h, v = want_header
        T.check(name + " -> " + h + ": " + v, headers.get(h.lower()) == v,
                "got %r" % headers.get(h.lower()))


def good_handshakes(port):
    with RawClient(port, handshake=False) as c:
        c.send(request())
        status, headers, _ = c.read_head()
        T.check("RFC key -> 101", status == 101, "got %d" % status)
        T.check("RFC key -> RFC accept",
                headers.get("sec-websocket-accept") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
                repr(headers))
        T.check("101 carries Upgrade: websocket",
                headers.get("upgrade", "").lower() == "websocket")
        T.check("101 carries Connection: Upgrade",
                headers.get("connection", "").lower() == "upgrade")
    # Token lists, any case, extra offers the server does not take.
    with RawClient(port, handshake=False) as c:
        c.send(request(upgrade=b"WebSocket", connection=b"keep-alive, UPGRADE",
                       extra=b"Sec-WebSocket-Extensions: x-webkit-deflate-frame\r\n"
                             b"Origin: http://example.com\r\n"))
        status, headers, _ = c.read_head()
        T.check("token lists and case -> 101", status == 101, "got %d" % status)
        T.check("unsupported extension not accepted",
                "sec-websocket-extensions" not in headers, repr(headers))
    # Frames in the same segment as the head are kept (section 4.2.1/4.1).
    with RawClient(port, handshake=False) as c:
        key = base64.b64encode(os.urandom(16))
        c.send(request(key=key) + frame(OP_TEXT, "pipelined"))
        status, headers, _ = c.read_head()
        want = base64.b64encode(hashlib.sha1(key + GUID).digest()).decode()
        T.check("pipelined head -> 101", status == 101 and
                headers.get("sec-websocket-accept") == want)
        T.check("frame sent with the head echoed", c.read_message() == (OP_TEXT, b"pipelined"))
    # The head byte by byte.
    with RawClient(port, handshake=False) as c:
        for i, b in enumerate(request()):
            c.send(bytes([b]))
        status, _, _ = c.read_head()
        T.check("head byte by byte -> 101", status == 101, "got %d" % status)


def bad_handshakes(port):
    refused(port, "missing key", request(key=None), 400)
    refused(port, "key of 15 bytes", request(key=base64.b64encode(b"x" * 15)), 400)
    refused(port, "key not base64", request(key=b"!!!!!!!!!!!!!!!!!!!!!!=="), 400)
    refused(port, "two keys", request(extra=b"Sec-WebSocket-Key: " + KEY + b"\r\n"), 400)
    refused(port, "version 8", request(ws_version=b"8"), 426,
            ("Sec-WebSocket-Version", "13"))
    refused(port, "missing version", request(ws_version=None), 426,
            ("Sec-WebSocket-Version", "13"))
    refused(port, "POST", request(method=b"POST"), 405)
    refused(port, "HTTP/1.0", request(version=b"HTTP/1.0"), 400)
    refused(port, "missing Host", request(host=None), 400)
    refused(port, "no Upgrade header", request(upgrade=None), 400)
    refused(port, "Upgrade: h2c", request(upgrade=b"h2c"), 400)
    refused(port, "Connection: keep-alive", request(connection=b"keep-alive"), 400)
    refused(port, "space before colon", request(extra=b"X-Foo : bar\r\n"), 400)
    refused(port, "garbage", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n", 400)
    refused(port, "oversized head",
            request(extra=b"".join(b"X-Pad-%d: %s\r\n" % (i, b"p" * 900) for i in range(80))),
            431)
    refused(port, "oversized line", request(extra=b"X-Long: " + b"l" * 70000 + b"\r\n"), 431)


def slow_client(port):
    """A client that never finishes its head must not stop the others, and
    the server drops it after --handshake-timeout."""
    slow = RawClient(port, handshake=False)
    slow.send(b"GET / HTTP/1.1\r\nHost: x\r\n")
    started = time.time()
    T.check("others served while a head is unfinished", echo_ok(port))
    closed = slow.wait_eof(timeout=5)
    took = time.time() - started
    T.check("unfinished head dropped after the timeout", closed and 0.8 < took < 4,
            "closed=%s after %.1fs" % (closed, took))
    slow.close()
    # A client that connects and says nothing at all.
    mute = RawClient(port, handshake=False)
    T.check("silent client dropped after the timeout", mute.wait_eof(timeout=5))
    mute.close()


def many_at_once(port, n=300):
    socks = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(n)]
    clients = []
    for s in socks:
        c = RawClient.__new__(RawClient)
        c.sock, c.buf, c.head = s, b"", None
        clients.append(c)
    keys = [base64.b64encode(os.urandom(16)) for _ in clients]
    for c, key in zip(clients, keys):
        c.send(request(key=key))
    good = 0
    for c, key in zip(clients, keys):
        status, headers, _ = c.read_head()
        want = base64.b64encode(hashlib.sha1(key + GUID).digest()).decode()
        good += status == 101 and headers.get("sec-websocket-accept") == want
    T.check("%d simultaneous handshakes" % n, good == n, "%d/%d" % (good, n))
    for i, c in enumerate(clients):
        c.send(frame(OP_BINARY, b"%d" % i))
    good = sum(c.read_message() == (OP_BINARY, b"%d" % i) for i, c in enumerate(clients))
    T.check("%d simultaneous connections echo" % n, good == n, "%d/%d" % (good, n))
    for c in clients:
        c.send(frame(OP_CLOSE, close_payload(1000)))
    good = sum(c.read_close()[0] == 1000 for c in clients)
    T.check("%d simultaneous closes" % n, good == n, "%d/%d" % (good, n))
    for c in clients:
        c.close()


def main():
    prog = echo_prog()
    if not T.need_file(prog):
        T.finish()
    with Server(prog, "--handshake-timeout", "1500") as s:
        T.run("good handshakes", good_handshakes, s.port)
        T.run("bad handshakes", bad_handshakes, s.port)
        T.run("slow client", slow_client, s.port)
        T.run("many at once", many_at_once, s.port)
        T.check("still serving after all that", T.run("echo", echo_ok, s.port))
        T.check("exit status 0 on SIGINT", s.stop(sig=2) == 0)
    T.finish()


if __name__ == "__main__":
    main()
