"""permessage-deflate (RFC 7692) through ws_echo, with real and raw peers.
    /usr/bin/python3 tests/interop/test_ws_echo_deflate.py [BUILD_DIR]

  - Python websockets (compression on by default) negotiates it (the 101's
    Sec-WebSocket-Extensions) and gets text and binary of 0..1 MiB back;
  - a raw client offers it, sends compressed messages (zlib, RSV1) and
    checks on the wire that each echo is compressed (RSV1 on its first
    frame) and inflates to what was sent; a plain message comes back plain;
  - --no-deflate: no extension, for websockets and the raw client;
  - a "bomb": a few KB of compressed zeros that inflate far past
    --max-message: closed with 1009 quickly, and the server's resident
    memory does not grow by the inflated size.
"""
import asyncio
import base64
import os
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wsx_peer import echo_prog, RawClient, Server, Suite, build_dir, frame  # noqa: E402

T = Suite()
OFFER = b"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
SIZES = [0, 1, 125, 126, 4095, 4096, 65536, 300000, 1 << 20]
TAIL = b"\x00\x00\xff\xff"


async def websockets_session(port, deflate):
    import websockets
    async with websockets.connect("ws://127.0.0.1:%d/" % port, max_size=None,
                                  ping_interval=None) as ws:
        ext = ws.response_headers.get("Sec-WebSocket-Extensions", "")
        name = "websockets (deflate %s)" % ("on" if deflate else "off")
        if deflate:
            T.check(name + ": permessage-deflate in the 101",
                    ext.startswith("permessage-deflate"), repr(ext))
            T.check(name + ": extension active", len(ws.extensions) == 1, repr(ws.extensions))
        else:
            T.check(name + ": no extension in the 101", ext == "", repr(ext))
            return
        for n in SIZES:
            data = bytes(os.urandom(n // 2)) + b"abc" * (n // 6) + b"z" * (n - n // 2 - 3 * (n // 6))
            await ws.send(data)
            got = await ws.recv()
            T.check("%s: binary of %d bytes" % (name, n), got == data,
                    "got %d bytes" % len(got))
            text = ("é" * (n // 4) + "chat line %d " % n * (n // 30))[:n]
            await ws.send(text)
            got = await ws.recv()
            T.check("%s: text of %d chars" % (name, len(text)), got == text)


def open_offering(port, timeout=5.0):
    """A RawClient whose upgrade request offers permessage-deflate."""
    c = RawClient(port, handshake=False, timeout=timeout)
    key = base64.b64encode(os.urandom(16))
    c.send(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
           b"Connection: Upgrade\r\nSec-WebSocket-Key: " + key +
           b"\r\nSec-WebSocket-Version: 13\r\n" + OFFER + b"\r\n")
    status, headers, raw = c.read_head()
    if status != 101:
        raise RuntimeError("bad handshake response: %r" % raw)
    c.head = headers
    return c


def compress(data, bits):
    c = zlib.compressobj(6, zlib.DEFLATED, -bits)
    out = c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH)
    assert out.endswith(TAIL)
    return out[:-4]


def raw_session(port):
    with open_offering(port) as c:
        ext = c.head.get("sec-websocket-extensions", "")
        T.check("raw: permessage-deflate agreed", ext.startswith("permessage-deflate"), ext)
        # The server asks for client_max_window_bits=12 by default.
        inflate = zlib.decompressobj(-15)
        messages = [(1, b"hello " * 200), (2, os.urandom(1000) * 20), (1, b"x"),
                    (2, bytes(range(256)) * 800),
                    # inflates to far more than the queue holds: decoding
                    # must pause while the echo drains
                    (1, b"abc" * (3 << 20))]
        for op, data in messages:
            c.send(frame(op, compress(data, 12), rsv=4))
            fin, rsv, got_op, payload = c.read_frame()
            parts = [payload]
            while not fin:
                fin, _, _, more = c.read_frame()
                parts.append(more)
            wire = b"".join(parts)
            T.check("raw: echo of %d compressed bytes has RSV1" % len(data), rsv & 4, "rsv %d" % rsv)
            T.check("raw: ... same opcode", got_op == op)
            got = inflate.decompress(wire + TAIL)
            T.check("raw: ... inflates to what was sent", got == data,
                    "%d bytes vs %d" % (len(got), len(data)))
            T.check("raw: ... and is compressed on the wire", len(data) < 100 or
                    len(wire) < len(data), "%d on the wire for %d" % (len(wire), len(data)))
        c.send(frame(1, b"plain text message"))
        fin, rsv, op, payload = c.read_frame()
        T.check("raw: a plain message comes back plain",
                (rsv, op, payload) == (0, 1, b"plain text message"), repr((rsv, payload)))


def raw_declined(port):
    with open_offering(port) as c:
        T.check("--no-deflate: no Sec-WebSocket-Extensions",
                "sec-websocket-extensions" not in c.head, repr(c.head))
        c.send(frame(1, b"hi"))
        T.check("--no-deflate: plain echo", c.read_message() == (1, b"hi"))


def bomb(prog):
    limit = 1 << 20
    with Server(prog, "--max-message", str(limit), "--quiet") as s:
        zeros = compress(b"\x00" * (8 << 20), 12)
        T.check("bomb: %d bytes of compressed data" % len(zeros), len(zeros) < 10000)
        with open_offering(s.port) as warm:  # the server's steady state
            warm.send(frame(2, compress(b"w" * 100000, 12), rsv=4))
            warm.read_message()
        before = s.rss_kib()
        with open_offering(s.port, timeout=10) as c:
            t0 = time.time()
            c.send(frame(2, zeros, rsv=4))
            try:
                code, _ = c.read_close()
            except Exception as e:  # noqa: BLE001
                code = repr(e)
            took = time.time() - t0
            T.check("bomb: closed with 1009", code == 1009, "got %r" % (code,))
            T.check("bomb: within 3 s", took < 3, "%.2f s" % took)
        after = s.rss_kib()
        grew = after - before
        T.check("bomb: RSS grew by less than 4 MiB (it inflates to 8 MiB)",
                grew < 4 << 10, "%d KiB -> %d KiB" % (before, after))
        print("bomb: %d bytes on the wire, RSS %d KiB -> %d KiB, closed in %.3f s"
              % (len(zeros), before, after, took))
        T.check("bomb: server alive", s.alive())


def main():
    prog = echo_prog()
    if not T.need_file(prog):
        T.finish()
    have_ws = T.need_module("websockets")
    with Server(prog, "--quiet") as s:
        if have_ws:
            T.run("websockets session", lambda: asyncio.run(
                asyncio.wait_for(websockets_session(s.port, True), 60)))
        T.run("raw session", raw_session, s.port)
    with Server(prog, "--no-deflate", "--quiet") as s:
        if have_ws:
            T.run("websockets --no-deflate", lambda: asyncio.run(
                asyncio.wait_for(websockets_session(s.port, False), 20)))
        T.run("raw --no-deflate", raw_declined, s.port)
    T.run("bomb", bomb, prog)
    T.finish()


if __name__ == "__main__":
    main()
