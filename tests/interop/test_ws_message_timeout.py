#!/usr/bin/env python3
"""The WebSocket message timeout (wsx_ws_conn_config.message_timeout_ms) in
ws_echo and demo_server (--message-timeout-ms), on raw sockets (Debian's
python3, stdlib only):

- a client that trickles a message one byte every 100 ms, which keeps the
  heartbeat content (any byte is life), is closed with 1008 once the
  message is older than the limit, then EOF;
- a large message that comes slowly but steadily within the limit is
  echoed whole, and the connection stays;
- other clients are served meanwhile;
- ws_echo without heartbeat (--ping-ms 0) too: the message's deadline
  alone puts the connection on its timer heap.

    tests/interop/test_ws_message_timeout.py [BUILD_DIR]
"""
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wsx_peer import (echo_prog, OP_TEXT, RawClient, Server, Suite, build_dir,  # noqa: E402
                      echo_ok, frame)

T = Suite()
EX = os.path.join(build_dir(), "examples")
LIMIT_MS = 1000


def trickle(c, data, step_s, stop):
    """Sends data one byte every step_s until done or stop is set."""
    for i in range(len(data)):
        if stop.is_set():
            return
        try:
            c.send(data[i:i + 1])
        except OSError:
            return
        time.sleep(step_s)


def trickled_close(name, port, path):
    c = RawClient(port, path=path, timeout=8)
    stop = threading.Event()
    msg = frame(OP_TEXT, b'{"type":"hello","name":"' + b"t" * 60 + b'"}')
    t = threading.Thread(target=trickle, args=(c, msg, 0.1, stop), daemon=True)
    start = time.time()
    t.start()
    try:
        code, reason = c.read_close()
    except Exception as e:  # noqa: BLE001
        code, reason = None, str(e).encode()
    took = time.time() - start
    eof = c.wait_eof(3)
    stop.set()
    t.join(2)
    c.close()
    T.check("%s: a message trickled at 10 bytes/s gets close 1008 after %.1f s (limit %.1f s)"
            % (name, took, LIMIT_MS / 1000.0),
            code == 1008 and LIMIT_MS / 1000.0 - 0.2 <= took < LIMIT_MS / 1000.0 + 3,
            "code %s reason %r" % (code, reason))
    T.check("%s: ... then EOF" % name, eof)


def steady_ws_echo(port):
    c = RawClient(port, timeout=8)
    payload = bytes(range(256)) * 80  # 20 KiB, in 2 KiB pieces every 100 ms
    data = frame(0x2, payload)
    start = time.time()
    for i in range(0, len(data), 2048):
        c.send(data[i:i + 2048])
        time.sleep(0.1)
    got = c.read_message()
    T.check("ws_echo: a 20 KiB message over %.1f s (limit 3 s) comes back whole"
            % (time.time() - start), got == (0x2, payload))
    c.send(frame(OP_TEXT, b"after"))
    T.check("ws_echo: ... and the connection stays", c.read_message() == (OP_TEXT, b"after"))
    c.close()


def main():
    for prog in ("ws_echo", "demo_server"):
        if not T.need_file(os.path.join(EX, prog)):
            T.finish()
    srv = Server(echo_prog(), "--quiet", "--ping-ms", "300",
                 "--pong-timeout-ms", "300", "--message-timeout-ms", str(LIMIT_MS))
    try:
        T.run("ws_echo trickle", trickled_close, "ws_echo", srv.port, "/")
        T.check("ws_echo: other clients are served", echo_ok(srv.port))
    finally:
        srv.stop()
    srv = Server(echo_prog(), "--quiet", "--ping-ms", "0",
                 "--message-timeout-ms", str(LIMIT_MS))
    try:  # no heartbeat: the message's deadline alone puts it on the timer heap
        T.run("ws_echo trickle, no heartbeat", trickled_close, "ws_echo --ping-ms 0", srv.port, "/")
    finally:
        srv.stop()
    srv = Server(echo_prog(), "--quiet", "--message-timeout-ms", "3000")
    try:
        T.run("ws_echo steady", steady_ws_echo, srv.port)
    finally:
        srv.stop()
    srv = Server(os.path.join(EX, "demo_server"), "--quiet", "--ping-ms", "300",
                 "--pong-timeout-ms", "300", "--message-timeout-ms", str(LIMIT_MS))
    try:
        T.run("demo_server trickle", trickled_close, "demo_server", srv.port, "/ws")
    finally:
        srv.stop()
    T.finish()


main()
