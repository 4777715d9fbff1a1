"""Python `websockets` (Debian python3-websockets) and `websocket-client`
(python3-websocket) as clients of ws_echo.
    /usr/bin/python3 tests/interop/test_ws_python.py [BUILD_DIR]
"""
import asyncio
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wsx_peer import echo_prog, Server, Suite, build_dir  # noqa: E402

T = Suite()

CLOSE_CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014,
               3000, 3999, 4000, 4999]
SIZES = [0, 1, 125, 126, 65535, 65536, 16 << 20]


async def messages(uri):
    import websockets
    async with websockets.connect(uri, max_size=None, ping_interval=None) as ws:
        await ws.send("hello")
        T.check("text echoed as text", await ws.recv() == "hello")
        await ws.send(b"\x00\x01\xfe\xff")
        T.check("binary echoed as binary", await ws.recv() == b"\x00\x01\xfe\xff")
        await ws.send("héllo wörld ✓ 𝄞")
        T.check("multi-byte UTF-8 text", await ws.recv() == "héllo wörld ✓ 𝄞")
        for n in SIZES:
            data = os.urandom(n)
            await ws.send(data)
            got = await ws.recv()
            T.check("binary of %d bytes" % n, got == data,
                    "got %s of %d bytes" % (type(got).__name__, len(got)))
            text = ("é" * (n // 2) + "x" * (n % 2))
            await ws.send(text)
            got = await ws.recv()
            T.check("text of %d bytes" % n, got == text,
                    "got %s of %d bytes" % (type(got).__name__, len(got)))
        # An iterable is sent as fragments (one frame each).
        await ws.send(["frag", "ment", "ed ✓", ""])
        T.check("fragmented text", await ws.recv() == "fragmented ✓")
        await ws.send([b"\x01" * 70000, b"", b"\x02" * 3])
        T.check("fragmented binary", await ws.recv() == b"\x01" * 70000 + b"\x02" * 3)
        pong = await ws.ping(b"are you there")
        await asyncio.wait_for(pong, 5)
        T.ok("ping answered by a pong with the same payload")
        pong = await ws.ping(b"")
        await asyncio.wait_for(pong, 5)
        T.ok("empty ping answered")
        # Many in flight at once.
        for i in range(200):
            await ws.send("m%d" % i)
        got = [await ws.recv() for _ in range(200)]
        T.check("200 pipelined messages in order", got == ["m%d" % i for i in range(200)])
        await ws.close(1000, "bye")
        T.check("close 1000 echoed", ws.close_code == 1000, "got %r" % ws.close_code)


async def close_code(uri, code):
    import websockets
    ws = await websockets.connect(uri, ping_interval=None)
    await ws.send("before close")
    await ws.recv()
    await ws.close(code, "reason %d" % code)
    T.check("close %d echoed" % code, ws.close_code == code, "got %r" % ws.close_code)


async def main_async(port):
    uri = "ws://127.0.0.1:%d/any/path?x=1" % port
    try:
        await asyncio.wait_for(messages(uri), 60)
    except Exception as e:  # noqa: BLE001
        T.bad("websockets session", "%s: %s" % (type(e).__name__, e))
    for code in CLOSE_CODES:
        try:
            await asyncio.wait_for(close_code(uri, code), 10)
        except Exception as e:  # noqa: BLE001
            T.bad("close %d" % code, "%s: %s" % (type(e).__name__, e))
    # Several clients at once, interleaved.
    try:
        import websockets

        async def one(i):
            async with websockets.connect(uri, ping_interval=None) as ws:
                for j in range(20):
                    await ws.send("c%d-%d" % (i, j))
                    if await ws.recv() != "c%d-%d" % (i, j):
                        return False
            return True
        res = await asyncio.wait_for(asyncio.gather(*[one(i) for i in range(50)]), 30)
        T.check("50 concurrent clients", all(res))
    except Exception as e:  # noqa: BLE001
        T.bad("50 concurrent clients", "%s: %s" % (type(e).__name__, e))


def websocket_client(port):
    """websocket-client (Debian python3-websocket), a second, blocking peer."""
    import websocket
    ws = websocket.create_connection("ws://127.0.0.1:%d/wsclient" % port, timeout=5)
    ws.send("from websocket-client")
    op, data = ws.recv_data()
    T.check("websocket-client: text", (op, data) == (websocket.ABNF.OPCODE_TEXT,
                                                     b"from websocket-client"))
    ws.send_binary(b"\x00\x01\x02")
    op, data = ws.recv_data()
    T.check("websocket-client: binary", (op, data) == (websocket.ABNF.OPCODE_BINARY,
                                                       b"\x00\x01\x02"))
    ws.ping("wc ping")
    op, frame = ws.recv_data_frame(control_frame=True)
    T.check("websocket-client: pong", op == websocket.ABNF.OPCODE_PONG
            and frame.data == b"wc ping", repr((op, frame)))
    ws.send_close(status=3001, reason=b"wc bye")
    op, frame = ws.recv_data_frame(control_frame=True)
    T.check("websocket-client: close 3001 echoed", op == websocket.ABNF.OPCODE_CLOSE
            and frame.data[:2] == b"\x0b\xb9", repr(frame.data))
    ws.shutdown()


def main():
    prog = echo_prog()
    if not T.need_file(prog):
        T.finish()
    with Server(prog) as s:
        if T.need_module("websockets"):
            asyncio.run(main_async(s.port))
        if T.need_module("websocket"):
            T.run("websocket-client session", websocket_client, s.port)
        T.check("exit status 0 on SIGTERM", s.stop() == 0)
    T.finish()


if __name__ == "__main__":
    main()
