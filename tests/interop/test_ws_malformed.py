"""Malformed frames after a real handshake, on raw sockets, against ws_echo.

Every case must get a close frame with the right code (1002 protocol error,
1007 invalid data, 1009 too big) followed by the server closing TCP, and the
server must keep serving new clients afterwards.
    /usr/bin/python3 tests/interop/test_ws_malformed.py [BUILD_DIR]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wsx_peer import (echo_prog, OP_BINARY, OP_CLOSE, OP_CONT, OP_PING, OP_PONG,  # noqa: E402
                      OP_TEXT, RawClient, Server, Suite, build_dir,
                      close_payload, echo_ok, frame)

T = Suite()

# (name, bytes sent after the handshake, expected close code)
CASES = [
    ("RSV1 set", frame(OP_TEXT, "x", rsv=4), 1002),
    ("RSV2 set", frame(OP_BINARY, b"x", rsv=2), 1002),
    ("RSV3 set on a ping", frame(OP_PING, b"", rsv=1), 1002),
    ("reserved data opcode 3", frame(3, b"x"), 1002),
    ("reserved control opcode 0xB", frame(0xB, b""), 1002),
    ("unmasked client frame", frame(OP_TEXT, "hi", mask=False), 1002),
    ("fragmented ping", frame(OP_PING, b"p", fin=False), 1002),
    ("fragmented close", frame(OP_CLOSE, close_payload(1000), fin=False), 1002),
    ("ping of 126 bytes", frame(OP_PING, b"p" * 126), 1002),
    ("pong of 126 bytes", frame(OP_PONG, b"p" * 126), 1002),
    ("continuation without a message", frame(OP_CONT, b"x"), 1002),
    ("text inside a fragmented message",
     frame(OP_TEXT, "a", fin=False) + frame(OP_TEXT, "b"), 1002),
    ("binary inside a fragmented message",
     frame(OP_BINARY, b"a", fin=False) + frame(OP_BINARY, b"b"), 1002),
    ("16-bit length for 5 bytes", frame(OP_BINARY, b"hello", length_form="16"), 1002),
    ("64-bit length for 200 bytes", frame(OP_BINARY, b"h" * 200, length_form="64"), 1002),
    ("64-bit length with the MSB set",
     frame(OP_BINARY, b"", length=(1 << 63) + 5, length_form="64"), 1002),
    ("close payload of 1 byte", frame(OP_CLOSE, b"\x03"), 1002),
    ("close code 1005", frame(OP_CLOSE, close_payload(1005)), 1002),
    ("close code 1006", frame(OP_CLOSE, close_payload(1006)), 1002),
    ("close code 1004", frame(OP_CLOSE, close_payload(1004)), 1002),
    ("close code 1015", frame(OP_CLOSE, close_payload(1015)), 1002),
    ("close code 999", frame(OP_CLOSE, close_payload(999)), 1002),
    ("close code 2999", frame(OP_CLOSE, close_payload(2999)), 1002),
    ("close code 5000", frame(OP_CLOSE, close_payload(5000)), 1002),
    ("close code 0", frame(OP_CLOSE, close_payload(0)), 1002),
    ("invalid UTF-8 text", frame(OP_TEXT, b"ok \xff"), 1007),
    ("overlong UTF-8 text", frame(OP_TEXT, b"\xc0\xaf"), 1007),
    ("surrogate in text", frame(OP_TEXT, b"\xed\xa0\x80"), 1007),
    ("truncated UTF-8 at message end", frame(OP_TEXT, b"abc\xe2\x82"), 1007),
    ("invalid UTF-8 split across fragments",
     frame(OP_TEXT, b"ab\xe2\x82", fin=False) + frame(OP_CONT, b"\x28", fin=True), 1007),
    ("invalid UTF-8 close reason", frame(OP_CLOSE, close_payload(1000, b"bad \xff")), 1007),
]


def expect_close(port, name, data, code, pieces=None):
    """Sends data (or the list pieces, one send each) and expects a close
    frame with code, then TCP closed by the server."""
    with RawClient(port) as c:
        for p in (pieces or [data]):
            c.send(p)
        got, _ = c.read_close()
        if not T.check(name + " -> close " + str(code), got == code,
                       "got close code %r" % (got,)):
            return
        T.check(name + " -> TCP closed", c.wait_eof(), "server kept the connection open")


def fail_fast_tests(port):
    # The bad byte arrives, the message does not end: the close must come
    # anyway (RFC 6455 section 8.1 + Autobahn's strict behaviour).
    with RawClient(port) as c:
        c.send(frame(OP_TEXT, b"valid start ", fin=False))
        c.send(frame(OP_CONT, b"then \xf5 bad", fin=False))
        got, _ = c.read_close()
        T.check("invalid UTF-8 in an unfinished message fails fast", got == 1007,
                "got %r" % (got,))
    # Same inside one frame whose payload has not all arrived.
    with RawClient(port) as c:
        key = os.urandom(4)
        whole = frame(OP_TEXT, b"abc\xff" + b"x" * 996, key=key)
        c.send(whole[:2 + 2 + 4 + 10])  # header (16-bit length) + key + 10 bytes
        got, _ = c.read_close()
        T.check("invalid UTF-8 in an unfinished frame fails fast", got == 1007,
                "got %r" % (got,))


def split_header_tests(port):
    # A bad header byte by byte still fails (decoder state across reads).
    data = frame(OP_BINARY, b"h" * 5, length_form="16")
    expect_close(port, "non-minimal length sent byte by byte", None, 1002,
                 pieces=[data[i:i + 1] for i in range(6)])


def control_between_fragments_ok(port):
    # Legal: a ping between fragments; the pong comes first, then the message.
    with RawClient(port) as c:
        c.send(frame(OP_TEXT, "frag", fin=False) + frame(OP_PING, b"pp")
               + frame(OP_CONT, "ment"))
        seen_pong, parts = False, []
        while True:
            fin, _, op, payload = c.read_frame()
            if op == OP_PONG:
                seen_pong = payload == b"pp"
                continue
            parts.append(payload)
            if fin:
                break
        T.check("ping between fragments answered", seen_pong)
        T.check("message around the ping intact", b"".join(parts) == b"fragment")
        # A code point split between fragments is fine (section 5.6).
        c.send(frame(OP_TEXT, b"\xf0\x9d", fin=False) + frame(OP_CONT, b"\x84", fin=False)
               + frame(OP_CONT, b"\x9e!"))
        T.check("code point split across fragments accepted",
                c.read_message() == (OP_TEXT, "\U0001d11e!".encode()))
        c.send(frame(OP_PONG, b"unsolicited"))  # must be ignored
        c.send(frame(OP_TEXT, "after pong"))
        T.check("unsolicited pong ignored", c.read_message() == (OP_TEXT, b"after pong"))


def oversize_tests(prog):
    with Server(prog, "--max-message", "1000") as s:
        expect_close(s.port, "frame over --max-message", frame(OP_BINARY, b"z" * 1001), 1009)
        expect_close(s.port, "fragments over --max-message",
                     frame(OP_BINARY, b"z" * 600, fin=False) + frame(OP_CONT, b"z" * 600), 1009)
        expect_close(s.port, "many small fragments over --max-message",
                     b"".join(frame(OP_TEXT if i == 0 else OP_CONT, b"a" * 10, fin=False)
                              for i in range(101)), 1009)
        # Declared length alone must trigger it: no payload is sent.
        expect_close(s.port, "declared 1 GiB frame, no payload",
                     frame(OP_BINARY, b"", length=1 << 30)[:10 + 4], 1009)
        with RawClient(s.port) as c:
            c.send(frame(OP_BINARY, b"y" * 1000))
            T.check("message of exactly --max-message echoed",
                    c.read_message() == (OP_BINARY, b"y" * 1000))
        T.check("still serving after the oversize cases", echo_ok(s.port))


def main():
    prog = echo_prog()
    if not T.need_file(prog):
        T.finish()
    with Server(prog) as s:
        for name, data, code in CASES:
            T.run(name, expect_close, s.port, name, data, code)
        T.run("fail fast", fail_fast_tests, s.port)
        T.run("split header", split_header_tests, s.port)
        T.run("control between fragments", control_between_fragments_ok, s.port)
        T.check("still serving after the malformed cases", T.run("echo", echo_ok, s.port))
        T.check("server alive", s.alive())
        T.check("exit status 0 on SIGTERM", s.stop() == 0)
    T.run("oversize", oversize_tests, prog)
    T.finish()


if __name__ == "__main__":
    main()
