"""Slow readers, partial writes and backpressure against ws_echo, on raw
sockets: a client that sends a lot without reading must not block the
others, and must get every echo back intact once it reads.
    /usr/bin/python3 tests/interop/test_ws_backpressure.py [BUILD_DIR]
"""
import hashlib
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wsx_peer import (echo_prog, OP_BINARY, OP_CLOSE, OP_CONT, OP_PING, OP_TEXT,  # noqa: E402
                      RawClient, Server, Suite, build_dir, close_payload, echo_ok,
                      frame)

T = Suite()


def sender(c, frames):
    """Sends frames from a thread (the server may stop reading us)."""
    def run():
        try:
            for f in frames:
                c.send(f)
        except OSError:
            pass
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def slow_reader(port, label, messages):
    """messages: list of (opcode, payload).  Sends them all without reading,
    checks another client is served meanwhile, then reads every echo."""
    c = RawClient(port, timeout=20)
    t = sender(c, [frame(op, p) for op, p in messages])
    time.sleep(0.3)  # let the server fill our receive window and stall
    started = time.time()
    T.check(label + ": others served while it does not read", echo_ok(port))
    T.check(label + ": promptly", time.time() - started < 2, "%.1fs" % (time.time() - started))
    got = []
    for _ in messages:
        got.append(c.read_message())
    t.join(10)
    want = [(op, p) for op, p in messages]
    same = got == want
    T.check(label + ": every echo intact and in order", same,
            "%d/%d equal" % (sum(a == b for a, b in zip(got, want)), len(want)))
    c.send(frame(OP_CLOSE, close_payload(1000)))
    T.check(label + ": clean close after", c.read_close()[0] == 1000)
    c.close()


def big_messages(port):
    msgs = [(OP_BINARY, os.urandom(1 << 20)) for _ in range(24)]
    slow_reader(port, "24 x 1 MiB without reading", msgs)


def many_small(port):
    msgs = [(OP_TEXT if i % 2 else OP_BINARY, b"m%06d" % i) for i in range(20000)]
    slow_reader(port, "20000 small messages without reading", msgs)


def fragmented_with_pings(port):
    """Fragmented messages with pings between the fragments, sent in odd
    chunk sizes, through a server with a tiny buffer."""
    c = RawClient(port, timeout=20)
    data = b""
    want = []
    for i in range(300):
        body = hashlib.sha256(b"%d" % i).digest() * (1 + i % 40)
        third = len(body) // 3
        data += frame(OP_BINARY, body[:third], fin=False)
        data += frame(OP_PING, b"p%d" % i)
        data += frame(OP_CONT, body[third:2 * third], fin=False)
        data += frame(OP_CONT, body[2 * third:], fin=True)
        want.append((OP_BINARY, body))
    chunks = []
    pos, step = 0, 1
    while pos < len(data):
        chunks.append(data[pos:pos + step])
        pos += step
        step = step * 7 % 1500 + 1
    t = sender(c, chunks)
    got = []
    pongs = 0
    while len(got) < len(want):
        fin, _, op, payload = c.read_frame()
        if op == 10:
            pongs += 1
            continue
        if op in (OP_BINARY, OP_TEXT):
            cur = [op, payload]
        elif op == OP_CONT:
            cur[1] += payload
        if fin:
            got.append(tuple(cur))
    t.join(10)
    T.check("fragments, pings, odd chunks, tiny buffer: messages intact", got == want,
            "%d/%d" % (sum(a == b for a, b in zip(got, want)), len(want)))
    T.check("fragments, pings, odd chunks, tiny buffer: pongs (latest wins)",
            1 <= pongs <= 300, "%d pongs" % pongs)
    c.close()


def main():
    prog = echo_prog()
    if not T.need_file(prog):
        T.finish()
    with Server(prog) as s:
        T.run("big messages", big_messages, s.port)
        T.run("many small", many_small, s.port)
        T.check("exit status 0 on SIGTERM", s.stop() == 0)
    with Server(prog, "--buffer", "1024") as s:
        T.run("small buffer: many small", many_small, s.port)
        T.run("small buffer: big messages", big_messages, s.port)
        T.run("small buffer: fragments", fragmented_with_pings, s.port)
        T.check("small buffer: exit status 0 on SIGTERM", s.stop() == 0)
    # A queue barely larger than a read: reads shrink to what the queue can
    # take, and stop while it is full.
    with Server(prog, "--buffer", "4096", "--queue", "5120") as s:
        T.run("tight queue: many small", many_small, s.port)
        T.run("tight queue: big messages", big_messages, s.port)
        T.run("tight queue: fragments", fragmented_with_pings, s.port)
        T.check("tight queue: exit status 0 on SIGTERM", s.stop() == 0)
    T.finish()


if __name__ == "__main__":
    main()
