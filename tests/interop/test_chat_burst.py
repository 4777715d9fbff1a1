#!/usr/bin/env python3
"""A compressed burst does not drop the readers it is relayed to (Debian's
python3, stdlib only: zlib for permessage-deflate).

alice (permessage-deflate, 15-bit window) sends 4,096 chat messages of
2,000 bytes at once to demo_server's /ws: about 60 KB on the wire, 8 MB
relayed.  bob (no compression) and alice read everything as fast as they
can.  One read of alice's input holds a thousand messages; relayed in one
go they would overflow every reader's 256 KiB queue (close 1013, "too
slow") however fast it reads.  The server stops feeding alice's input
while a reader's queue is over half full and goes on once it has been
written: both must get all 4,096 messages, in order.

    tests/interop/test_chat_burst.py [BUILD_DIR]
"""
import json
import os
import select
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wsx_peer import OP_TEXT, RawClient, Server, Suite, build_dir, frame  # noqa: E402

T = Suite()
EX = os.path.join(build_dir(), "examples")
N = 4096
BODY = "y" * 2000


def compressed_frame(comp, payload):
    """A masked text frame, RSV1, its payload deflated with context
    takeover and the trailing 00 00 ff ff removed (RFC 7692 section 7.2.1)."""
    data = comp.compress(payload) + comp.flush(zlib.Z_SYNC_FLUSH)
    return frame(OP_TEXT, data[:-4], rsv=4)


def hello(c, name):
    c.send(frame(OP_TEXT, json.dumps({"type": "hello", "name": name}).encode()))


def burst():
    with Server(os.path.join(EX, "demo_server"), "--quiet") as srv:
        alice = RawClient(srv.port, handshake=False)
        _handshake_deflate(alice)
        bob = RawClient(srv.port, path="/ws")
        hello(bob, "bob")
        comp = zlib.compressobj(6, zlib.DEFLATED, -15)
        alice.send(compressed_frame(comp, json.dumps({"type": "hello", "name": "alice"}).encode()))
        time.sleep(0.2)
        wire = b"".join(compressed_frame(comp, json.dumps(
            {"type": "chat", "text": "%d:%s" % (i, BODY)}).encode()) for i in range(N))
        alice.send(wire)
        got = {"alice": 0, "bob": 0}
        bad = {}
        readers = {alice.sock: ("alice", alice, zlib.decompressobj(-15)), bob.sock: ("bob", bob, None)}
        end = time.time() + 60
        while (got["alice"] < N or got["bob"] < N) and time.time() < end and not bad:
            r, _, _ = select.select(list(readers), [], [], 1.0)
            for s in r:
                name, c, inflater = readers[s]
                try:
                    c.recv_some()
                except Exception as e:  # noqa: BLE001
                    bad[name] = "connection: %s" % e
                    continue
                while True:
                    f = c._parse()
                    if f is None:
                        break
                    fin, rsv, op, payload = f
                    if op == 8:
                        bad[name] = "closed %s" % payload[:40]
                        break
                    if op != OP_TEXT:
                        continue
                    if rsv & 4:
                        payload = inflater.decompress(payload + b"\x00\x00\xff\xff")
                    m = json.loads(payload)
                    if m.get("type") != "chat":
                        continue
                    if m["text"] != "%d:%s" % (got[name], BODY):
                        bad[name] = "message %d: %r" % (got[name], m["text"][:20])
                        break
                    got[name] += 1
        T.check("demo_server: %d compressed messages (%d bytes on the wire) relayed to a plain "
                "reader, all in order" % (N, len(wire)), got["bob"] == N and "bob" not in bad,
                "bob got %d: %s" % (got["bob"], bad.get("bob", "timeout")))
        T.check("... and back to their sender, all in order", got["alice"] == N and "alice" not in bad,
                "alice got %d: %s" % (got["alice"], bad.get("alice", "timeout")))
        T.check("demo_server: still running", srv.alive(),
                srv.output()[-3000:].decode(errors="replace"))


def _handshake_deflate(c):
    import base64
    import hashlib
    key = base64.b64encode(os.urandom(16))
    c.send(b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           b"Sec-WebSocket-Key: " + key + b"\r\nSec-WebSocket-Version: 13\r\n"
           b"Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n")
    status, headers, raw = c.read_head()
    want = base64.b64encode(hashlib.sha1(key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())
    if status != 101 or headers.get("sec-websocket-accept") != want.decode() \
            or "permessage-deflate" not in headers.get("sec-websocket-extensions", ""):
        raise RuntimeError("no permessage-deflate: %r" % raw)


def main():
    if not T.need_file(os.path.join(EX, "demo_server")):
        T.finish()
    T.run("compressed burst", burst)
    T.finish()


main()
