"""Every ping gets its pong, in order (Autobahn case 2.10 behaviour), from
build/examples/ws_echo over a real socket: pings sent in one write, pings
in the same write as the upgrade request, pings between the fragments of
a message (the echo and the pongs must still form a legal frame order),
and a long burst of 125-byte pings.
    /usr/bin/python3 tests/interop/test_ws_ping_burst.py [BUILD_DIR]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wsx_peer import (echo_prog, OP_CLOSE, OP_CONT, OP_PING, OP_PONG, OP_TEXT,  # noqa: E402
                      RawClient, Server, Suite, build_dir, close_payload,
                      frame)

T = Suite()


def read_pongs(c, count):
    """The payloads of the next `count` frames, which must all be pongs."""
    got = []
    while len(got) < count:
        _, _, op, payload = c.read_frame()
        if op != OP_PONG:
            raise RuntimeError("frame %d: opcode %d, not a pong" % (len(got), op))
        got.append(payload)
    return got


def closes_cleanly(c):
    c.send(frame(OP_CLOSE, close_payload(1000)))
    code, _ = c.read_close()
    return code == 1000 and c.wait_eof()


def burst(port, count, size, name):
    pings = [(b"ping-%d-" % i).ljust(size, b"x")[:max(size, 7)] for i in range(count)]
    with RawClient(port) as c:
        c.send(b"".join(frame(OP_PING, p) for p in pings))
        got = read_pongs(c, count)
        T.check(name, got == pings,
                "pongs %r" % [g[:12] for g in got[:12]])
        T.check(name + ": still echoes and closes", closes_cleanly(c))


def behind_handshake(port):
    pings = [b"h%d" % i for i in range(10)]
    c = RawClient(port, handshake=False)
    with c:
        c.handshake(extra=b"".join(frame(OP_PING, p) for p in pings))
        got = read_pongs(c, 10)
        T.check("10 pings in the upgrade request's write: 10 pongs in order",
                got == pings, repr(got))


def between_fragments(port):
    """Text "abcdef" in three fragments with pings between them, one write."""
    wire = (frame(OP_TEXT, b"ab", fin=False) + frame(OP_PING, b"p0") +
            frame(OP_CONT, b"cd", fin=False) + frame(OP_PING, b"p1") +
            frame(OP_PING, b"p2") + frame(OP_CONT, b"ef"))
    with RawClient(port) as c:
        c.send(wire)
        pongs, text, first, done, legal = [], b"", None, False, True
        while not (done and len(pongs) == 3):
            fin, _, op, payload = c.read_frame()
            if op == OP_PONG:
                pongs.append(payload)
                continue
            if done:
                legal = False  # a data frame after the message ended
            if first is None:
                first = op
                legal = legal and op == OP_TEXT
            else:
                legal = legal and op == OP_CONT
            text += payload
            done = bool(fin)
        T.check("pings between fragments: pongs in order", pongs == [b"p0", b"p1", b"p2"],
                repr(pongs))
        T.check("pings between fragments: the echo intact, frames in a legal order",
                legal and text == b"abcdef", "%r legal %r" % (text, legal))
        T.check("pings between fragments: closes cleanly", closes_cleanly(c))


def main():
    prog = echo_prog()
    if not T.need_file(prog):
        T.finish()
    with Server(prog, "--quiet") as s:
        T.run("10 pings", burst, s.port, 10, 8, "10 pings in one write: 10 pongs in order")
        T.run("100 pings", burst, s.port, 100, 125,
              "100 pings of 125 bytes in one write: 100 pongs in order")
        T.run("behind handshake", behind_handshake, s.port)
        T.run("between fragments", between_fragments, s.port)
        T.check("server still running", s.alive())
    T.finish()


main()
