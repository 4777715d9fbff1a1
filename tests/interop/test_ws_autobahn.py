"""Autobahn|Python (Debian python3-autobahn, asyncio flavour) as the client of
ws_echo: text and binary messages, a fragmented one, a ping, a clean close.
    /usr/bin/python3 tests/interop/test_ws_autobahn.py [BUILD_DIR]
"""
import asyncio
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wsx_peer import echo_prog, Server, Suite, build_dir  # noqa: E402

T = Suite()

MESSAGES = [
    ("hello autobahn", False),
    (b"\x00\xff binary \x80", True),
    ("", False),
    (b"", True),
    ("ünïcödé ✓ 𝄞" * 100, False),
    (os.urandom(100000), True),
]


def run(port):
    from autobahn.asyncio.websocket import WebSocketClientFactory, WebSocketClientProtocol

    import txaio
    txaio.use_asyncio()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    txaio.config.loop = loop  # autobahn schedules its timers through txaio
    done = loop.create_future()
    results = {"echoes": [], "pong": None, "close": None}

    class Client(WebSocketClientProtocol):
        def onOpen(self):
            for payload, binary in MESSAGES:
                data = payload if binary else payload.encode("utf-8")
                self.sendMessage(data, isBinary=binary)
            # One message in three frames, written by hand.
            self.beginMessage(isBinary=False)
            for part in (b"three ", b"frame", b"s"):
                self.sendMessageFrame(part)
            self.endMessage()
            self.sendPing(b"autobahn ping")

        def onPong(self, payload):
            results["pong"] = payload

        def onMessage(self, payload, isBinary):
            results["echoes"].append((payload, isBinary))
            if len(results["echoes"]) == len(MESSAGES) + 1:
                self.sendClose(code=4000, reason="done")

        def onClose(self, wasClean, code, reason):
            results["close"] = (wasClean, code, self.remoteCloseCode)
            if not done.done():
                done.set_result(True)

    factory = WebSocketClientFactory("ws://127.0.0.1:%d/autobahn" % port)
    factory.protocol = Client
    factory.setProtocolOptions(autoFragmentSize=0, openHandshakeTimeout=5,
                               closeHandshakeTimeout=5)
    coro = loop.create_connection(factory, "127.0.0.1", port)
    loop.run_until_complete(coro)
    loop.run_until_complete(asyncio.wait_for(done, 20))
    loop.close()

    echoes = results["echoes"]
    for i, (payload, binary) in enumerate(MESSAGES):
        data = payload if binary else payload.encode("utf-8")
        ok = i < len(echoes) and echoes[i] == (data, binary)
        T.check("%s message of %d bytes echoed" % ("binary" if binary else "text", len(data)), ok)
    T.check("fragmented message echoed",
            len(echoes) > len(MESSAGES) and echoes[len(MESSAGES)] == (b"three frames", False))
    T.check("ping answered", results["pong"] == b"autobahn ping", repr(results["pong"]))
    T.check("clean close", results["close"] is not None and results["close"][0],
            repr(results["close"]))
    T.check("close code 4000 echoed",
            results["close"] is not None and results["close"][2] == 4000, repr(results["close"]))


def main():
    prog = echo_prog()
    if not T.need_file(prog) or not T.need_module("autobahn"):
        T.finish()
    with Server(prog) as s:
        T.run("autobahn session", run, s.port)
    T.finish()


if __name__ == "__main__":
    main()
